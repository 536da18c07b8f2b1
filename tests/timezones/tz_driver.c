/*
 * The C side of the time-zone differential test (run_tz_diff.py), on the
 * public API only. Reads "REGION<TAB>TEXT" lines (REGION may be empty),
 * writes "STATUS<TAB>TYPE<TAB>E164<TAB>ZONES" per line, ZONES joined by
 * '&' ("-" for none), in the order phn_number_timezones() gives them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		phn_number num = PHN_NUMBER_INIT;
		const char *const *zones;
		char *tab;
		size_t n = 0, i;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "tz_driver: no tab in '%s'\n", line);
			free(line);
			return 2;
		}
		*tab = '\0';
		if (phn_number_parse(&num, tab + 1, line[0] ? line : NULL) != PHN_OK ||
		    phn_number_timezones(&zones, &n, &num) != PHN_OK) {
			fprintf(stderr, "tz_driver: %s\n", phn_error_last());
			free(line);
			return 2;
		}
		printf("%s\t%s\t%s\t", phn_status_name(num.status), phn_type_name(num.type),
		       num.e164);
		if (n == 0)
			fputs("-", stdout);
		for (i = 0; i < n; i++)
			printf("%s%s", i ? "&" : "", zones[i]);
		putchar('\n');
	}
	free(line);
	return 0;
}
