/*
 * diff_driver: the C side of the differential test against python-phonenumbers.
 *
 * Reads lines "REGION<TAB>TEXT" from stdin (REGION may be empty: no region)
 * and writes one line per input to stdout:
 *
 *     status<TAB>e164<TAB>type<TAB>region<TAB>extension
 *
 * with the names from phn_status_name() / phn_type_name() and the struct's
 * fields ("" when unset). When phn_number_parse_n() returns an error (an
 * unknown REGION, text that is not UTF-8) the status is "error:<phn_strerror>"
 * and the other fields are empty. Lines may be of any length; the text is
 * passed with its length, so nothing in it is cut off.
 *
 * "diff_driver --metadata-version" prints phn_metadata_version() instead,
 * so the runner can check both sides use the same libphonenumber release.
 *
 * Uses the public API only. Exit status: 0, or 2 on a malformed line, an
 * I/O error or a bad argument.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _POSIX_C_SOURCE 200809L

#include <phonenorm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_result(FILE *out, int rc, const phn_number *num)
{
	if (rc != PHN_OK)
		return fprintf(out, "error:%s\t\t\t\t\n", phn_strerror(rc));
	return fprintf(out, "%s\t%s\t%s\t%s\t%s\n", phn_status_name(num->status), num->e164,
		       phn_type_name(num->type), num->region, num->extension);
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int status = 0;

	/* One write per many results: the corpus is a few hundred thousand lines. */
	static char outbuf[1 << 16];

	if (argc == 2 && strcmp(argv[1], "--metadata-version") == 0) {
		printf("%s\n", phn_metadata_version());
		return fflush(stdout) == 0 ? 0 : 2;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: diff_driver [--metadata-version] < REGION<TAB>TEXT lines\n");
		return 2;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	while ((len = getline(&line, &cap, stdin)) != -1) {
		phn_number num = PHN_NUMBER_INIT;
		char *tab, *text;
		size_t text_len;
		int rc;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';

		tab = memchr(line, '\t', (size_t)len);
		if (tab == NULL) {
			fprintf(stderr, "diff_driver: line %lu: no TAB between REGION and TEXT\n",
				lineno);
			status = 2;
			break;
		}
		*tab = '\0';
		text = tab + 1;
		text_len = (size_t)(line + len - text);

		/* An empty REGION is "no region"; phn_number_parse_n() takes "" as that. */
		rc = phn_number_parse_n(&num, text, text_len, line);
		if (write_result(stdout, rc, &num) < 0) {
			perror("diff_driver: stdout");
			status = 2;
			break;
		}
	}
	if (status == 0 && ferror(stdin)) {
		perror("diff_driver: stdin");
		status = 2;
	}
	free(line);
	if (fflush(stdout) != 0) {
		perror("diff_driver: stdout");
		status = 2;
	}
	return status;
}
