#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

void cli_escape_vprintf(FILE *out, const char *fmt, va_list ap)
{
	char small[512], *msg = small;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small) {
		if ((msg = malloc((size_t)n + 1)) != NULL)
			vsnprintf(msg, (size_t)n + 1, fmt, ap);
		else /* cut, but still said */
			msg = small, n = (int)sizeof small - 1;
	}
	cli_escape_n(out, msg, (size_t)n);
	if (msg != small)
		free(msg);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("phonenorm: ", stderr);
	va_start(ap, fmt);
	cli_escape_vprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "phonenorm %s: ", cmd);
	va_start(ap, fmt);
	cli_escape_vprintf(stderr, fmt, ap);
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
		if (n == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
			/* A C1 control: exact in JSON, but never raw on a terminal. */
			fprintf(out, "\\u%04x", p[i + 1]);
			i += 2;
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

/*
 * The escaped form of the character at p (n > 0 bytes left) in tmp (room
 * for 8); returns its length and sets *used to the bytes it stands for.
 */
static size_t escape_unit(char *tmp, const unsigned char *p, size_t n, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t len;

	*used = 1;
	switch (p[0]) {
	case '\\': memcpy(tmp, "\\\\", 2); return 2;
	case '\t': memcpy(tmp, "\\t", 2); return 2;
	case '\n': memcpy(tmp, "\\n", 2); return 2;
	case '\r': memcpy(tmp, "\\r", 2); return 2;
	default: break;
	}
	len = utf8_len(p, n);
	if (len == 2 && p[0] == 0xC2 && p[1] < 0xA0)
		len = 0; /* a C1 control (0x9B is CSI on some terminals): its bytes */
	if (p[0] < 0x20 || p[0] == 0x7F || len == 0) {
		tmp[0] = '\\';
		tmp[1] = 'x';
		tmp[2] = hex[p[0] >> 4];
		tmp[3] = hex[p[0] & 15];
		return 4;
	}
	memcpy(tmp, p, len);
	*used = len;
	return len;
}

void cli_escape_n(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	char tmp[8];

	/* Plain runs go out in one fwrite; only escapes are written apart. */
	while (i < len) {
		size_t used, n;

		if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\\') {
			run++;
			i++;
			continue;
		}
		n = escape_unit(tmp, p + i, len - i, &used);
		if (n == used && memcmp(tmp, p + i, n) == 0) {
			run += used;
			i += used;
			continue;
		}
		if (run)
			fwrite(p + i - run, 1, run, out);
		run = 0;
		fwrite(tmp, 1, n, out);
		i += used;
	}
	if (run)
		fwrite(p + i - run, 1, run, out);
}

void cli_escape(FILE *out, const char *s)
{
	if (s)
		cli_escape_n(out, s, strlen(s));
}

char *cli_escape_dup(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, len = strlen(s), need = 0, used, n;
	char tmp[8], *out, *o;

	for (i = 0; i < len; i += used)
		need += escape_unit(tmp, p + i, len - i, &used);
	if (!(o = out = malloc(need + 1)))
		return NULL;
	for (i = 0; i < len; i += used) {
		n = escape_unit(o, p + i, len - i, &used);
		o += n;
	}
	*o = '\0';
	return out;
}

static int stdout_reported;

static int stdout_failed(int err, int quiet)
{
	if (!stdout_reported && !quiet) {
		if (err)
			cli_error("write error on standard output: %s", strerror(err));
		else
			cli_error("write error on standard output");
	}
	stdout_reported = 1;
	return -1;
}

int cli_stdout_flush(void)
{
	int bad;

	errno = 0;
	bad = fflush(stdout) != 0;
	bad |= ferror(stdout) != 0;
	return bad ? stdout_failed(errno, 0) : 0;
}

int cli_stdout_close(int quiet)
{
	int bad;

	errno = 0;
	bad = fflush(stdout) != 0;
	bad |= ferror(stdout) != 0;
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
	}
	return bad ? stdout_failed(errno, quiet) : 0;
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

/* The options whose value names a secret's source. */
static const char *const secret_options[] = { "token-file" };

static const struct option *find_long(const struct option *opts, const char *name, size_t n)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == n && strncmp(opts->name, name, n) == 0)
			return opts;
	return NULL;
}

int cli_refuse_abbreviations(const char *cmd, int argc, char **argv, const struct option *opts,
			     const char *shortopts)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *name = w + 2;
		const struct option *o;
		size_t n, k;

		if (strcmp(w, "--") == 0)
			break;
		if (w[0] != '-' || w[1] == '\0')
			continue;
		if (w[1] != '-') {
			/* A cluster of short options: the first that takes an argument
			 * takes the rest of the word, or the next word. */
			for (const char *p = w + 1; *p; p++) {
				const char *s = *p != ':' ? strchr(shortopts, *p) : NULL;
				if (s && s[1] == ':') {
					if (p[1] == '\0')
						i++;
					break;
				}
			}
			continue;
		}
		n = strcspn(name, "=");
		if ((o = find_long(opts, name, n)) != NULL) {
			if (o->has_arg == required_argument && name[n] != '=')
				i++;
			continue;
		}
		if (n >= 3 && strncmp(name, "tok", 3) == 0)
			return cli_usage_error(cmd, "there is no --token option: a token on the command "
					       "line shows in ps and shell history; set $%s or use "
					       "--token-file", PHN_DISPATCH_ENV_TOKEN);
		for (k = 0; k < sizeof(secret_options) / sizeof(secret_options[0]); k++)
			if (n < strlen(secret_options[k]) && strncmp(secret_options[k], name, n) == 0)
				return cli_usage_error(cmd, "unknown option '--%.*s' (options are never "
						       "abbreviated: write --%s in full)", (int)n, name,
						       secret_options[k]);
		return cli_usage_error(cmd, "unknown option '--%.*s' (options are never abbreviated)",
				       (int)n, name);
	}
	return PHN_EXIT_OK;
}

void cli_request_json_fields(FILE *out, const phn_dispatch_request *req)
{
	size_t n = phn_dispatch_request_header_count(req);

	fputs("\"method\":", out);
	cli_json_string(out, phn_dispatch_request_method(req));
	fputs(",\"url\":", out);
	cli_json_string(out, phn_dispatch_request_url(req));
	fputs(",\"headers\":{", out);
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;

		phn_dispatch_request_header(&name, &value, req, i);
		if (i)
			putc(',', out);
		cli_json_string(out, name);
		putc(':', out);
		if (value)
			cli_json_string(out, value);
		else
			fputs("null", out);
	}
	/* The body is JSON already: it goes in as a value, not a string. */
	fprintf(out, "},\"body\":%s", phn_dispatch_request_body(NULL, req));
}

void cli_request_text(FILE *out, const phn_dispatch_request *req, const char *indent,
		      int blank_line_before_body)
{
	size_t n = phn_dispatch_request_header_count(req);

	/* The URL may come from the environment: escaped like any text. */
	fprintf(out, "%s%s ", indent, phn_dispatch_request_method(req));
	cli_escape(out, phn_dispatch_request_url(req));
	putc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;

		phn_dispatch_request_header(&name, &value, req, i);
		fprintf(out, "%s%s: ", indent, name);
		if (value) /* only the Authorization header goes without a value: no token */
			cli_escape(out, value);
		else
			fprintf(out, "(no token: set $%s or $%s, or use --token-file)",
				PHN_DISPATCH_ENV_TOKEN, PHN_DISPATCH_ENV_TOKEN_FILE);
		putc('\n', out);
	}
	/* The body is JSON from the library: control characters are escaped in it. */
	fprintf(out, "%s%s%s\n", blank_line_before_body ? "\n" : "", indent,
		phn_dispatch_request_body(NULL, req));
}
