#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("phonenorm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "phonenorm %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'phonenorm %s --help'.\n", cmd);
	return PHN_EXIT_USAGE;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2; cp = s[0] & 0x1F; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3; cp = s[0] & 0x0F; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void cli_json_string_n(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", out); i++; continue;
		case '\\': fputs("\\\\", out); i++; continue;
		case '\n': fputs("\\n", out); i++; continue;
		case '\r': fputs("\\r", out); i++; continue;
		case '\t': fputs("\\t", out); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7F) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (n == 0) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		fwrite(p + i, 1, n, out);
		i += n;
	}
	fputc('"', out);
}

void cli_json_string(FILE *out, const char *s)
{
	cli_json_string_n(out, s, strlen(s));
}

void cli_inputs_init(cli_inputs *in, int argc, char **argv, int first)
{
	memset(in, 0, sizeof *in);
	in->argc = argc;
	in->argv = argv;
	in->next = first;
	in->from_stdin = first >= argc;
}

int cli_inputs_next(cli_inputs *in, const char **text, size_t *len)
{
	ssize_t n;

	if (!in->from_stdin) {
		if (in->next >= in->argc)
			return 0;
		*text = in->argv[in->next++];
		*len = strlen(*text);
		return 1;
	}
	errno = 0;
	n = getline(&in->line, &in->line_cap, stdin);
	if (n < 0)
		return ferror(stdin) ? -1 : 0;
	in->lineno++;
	if (n > 0 && in->line[n - 1] == '\n')
		n--;
	if (n > 0 && in->line[n - 1] == '\r')
		n--;
	in->line[n] = '\0';
	*text = in->line;
	if (in->lineno == 1 && n >= 3 && memcmp(in->line, "\xEF\xBB\xBF", 3) == 0) {
		*text += 3;
		n -= 3;
	}
	*len = (size_t)n;
	return 1;
}

void cli_inputs_dispose(cli_inputs *in)
{
	free(in->line);
	in->line = NULL;
}

int cli_check_region(const char *cmd, const char *region)
{
	if (!region || !region[0] || phn_region_is_known(region))
		return PHN_EXIT_OK;
	return cli_usage_error(cmd, "unknown region '%s' (expected an ISO 3166-1 alpha-2 code "
			       "such as SA or US)", region);
}
