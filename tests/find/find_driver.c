/*
 * The C side of the find comparison (run_find_diff.py): phn_number_find at
 * every leniency on each input text, on the public API only.
 *
 * Input, one record per line: REGION ("-" for none) TAB the text's bytes in
 * hex. Output, per record and leniency (0..3), one line per match:
 *   RECORD TAB LENIENCY TAB START TAB LENGTH TAB E164 TAB EXTENSION("-" if none)
 * and, when the call fails: RECORD TAB LENIENCY TAB ERR TAB CODE.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

struct ctx {
	unsigned long record;
	int leniency;
};

static int print_match(const phn_match *m, void *p)
{
	const struct ctx *c = p;

	printf("%lu\t%d\t%zu\t%zu\t%s\t%s\n", c->record, c->leniency, m->start, m->length,
	       m->number.e164, m->number.extension[0] ? m->number.extension : "-");
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct ctx c = { 0, 0 };

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char *tab = strchr(line, '\t'), *hex, *text;
		size_t len = 0;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!tab) {
			fprintf(stderr, "find_driver: record %lu has no tab\n", c.record);
			return 2;
		}
		*tab = '\0';
		hex = tab + 1;
		text = malloc(strlen(hex) / 2 + 1);
		if (!text)
			return 3;
		for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
			int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
			if (hi < 0 || lo < 0) {
				fprintf(stderr, "find_driver: record %lu: bad hex\n", c.record);
				return 2;
			}
			text[len++] = (char)(hi * 16 + lo);
		}
		for (c.leniency = 0; c.leniency <= 3; c.leniency++) {
			int rc = phn_number_find(text, len, strcmp(line, "-") ? line : NULL,
						 (phn_leniency)c.leniency, print_match, &c);
			if (rc != PHN_OK)
				printf("%lu\t%d\tERR\t%d\n", c.record, c.leniency, rc);
		}
		free(text);
		c.record++;
	}
	free(line);
	return fflush(stdout) == 0 ? 0 : 3;
}
