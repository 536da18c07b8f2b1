/*
 * Tests of phn_number_timezones(): the table cases (cases.tsv), the API's
 * contract (sorted, NULL-terminated, static; errors), its geographical rule
 * against phn_number_info()'s is_geographic (libphonenumber's own
 * IsNumberGeographical), and that ICU knows every zone of the embedded data
 * but the ones listed in icu_unknown_zones.txt.
 *
 * usage: test_timezones CASES.tsv MAP_DATA.txt ICU_UNKNOWN.txt
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"

static void join(char *dst, size_t cap, const char *const *zones, size_t n)
{
	size_t i, len = 0;

	dst[0] = '\0';
	if (n == 0)
		snprintf(dst, cap, "-");
	for (i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(dst + len, cap - len, "%s%s", i ? "&" : "", zones[i]);
}

static void check_number(int lineno, const char *region, const char *text, const char *want)
{
	phn_number num = PHN_NUMBER_INIT;
	phn_info info = PHN_INFO_INIT;
	const char *const *zones = NULL;
	char got[4096];
	size_t n = 99, i;
	int geo;

	CHECK_INT(phn_number_parse(&num, text, region[0] ? region : NULL), PHN_OK);
	CHECK_INT(phn_number_timezones(&zones, &n, &num), PHN_OK);
	CHECK(zones != NULL);
	join(got, sizeof(got), zones, n);
	CHECK_MSG(strcmp(got, want) == 0, "cases.tsv:%d: %s %s gives %s, expected %s", lineno,
		  region, text, got, want);
	CHECK(zones[n] == NULL);
	for (i = 1; i < n; i++)
		CHECK_MSG(strcmp(zones[i - 1], zones[i]) < 0, "%s: zones not sorted", text);
	/* The rule's geographical test is libphonenumber's: a valid number's
	 * zones come from its own digits exactly when IsNumberGeographical(). */
	if (num.status == PHN_STATUS_VALID && phn_number_info(&info, &num, NULL) == PHN_OK) {
		geo = num.type == PHN_TYPE_FIXED_LINE || num.type == PHN_TYPE_FIXED_LINE_OR_MOBILE ||
		      (num.type == PHN_TYPE_MOBILE &&
		       (num.country_code == 52 || num.country_code == 54 ||
			num.country_code == 55 || num.country_code == 62 ||
			num.country_code == 86));
		CHECK_MSG(geo == info.is_geographic, "%s: is_geographic %d, rule says %d", text,
			  info.is_geographic, geo);
	}
}

static int run_cases(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rows = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *fields[4], *p = line;
		int k;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		for (k = 0; k < 4; k++) {
			fields[k] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (k < 2) {
			fprintf(stderr, "%s:%d: expected 3 or 4 fields\n", path, lineno);
			check_failures++;
			continue;
		}
		check_number(lineno, fields[0], fields[1], fields[2]);
		rows++;
	}
	free(line);
	fclose(f);
	return rows;
}

/* Is zone among the first fields of the lines of the allow-list? */
static int listed(const char *list, const char *zone)
{
	size_t n = strlen(zone);
	const char *p = list;

	while ((p = strstr(p, zone)) != NULL) {
		if ((p == list || p[-1] == '\n') && p[n] == '\t')
			return 1;
		p += n;
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void check_icu_knows_zones(const char *map_path, const char *unknown_path)
{
	char *map = slurp(map_path), *allow = slurp(unknown_path), *line, *save = NULL;
	int zones = 0;

	CHECK(map && allow);
	if (!map || !allow) {
		free(map);
		free(allow);
		return;
	}
	for (line = strtok_r(map, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|'), *z, *zsave = NULL;

		if (line[0] == '#' || !bar)
			continue;
		for (z = strtok_r(bar + 1, "&", &zsave); z; z = strtok_r(NULL, "&", &zsave)) {
			int known = phn_timezone_known(z), allowed = listed(allow, z);

			zones++;
			CHECK_MSG(known || allowed, "ICU does not know '%s' (map_data.txt); list it "
				  "in icu_unknown_zones.txt with the reason", z);
			CHECK_MSG(!(known && allowed), "'%s' is known to ICU now: remove it from "
				  "icu_unknown_zones.txt", z);
		}
	}
	CHECK(zones > 3000);
	free(map);
	free(allow);
}

int main(int argc, char **argv)
{
	phn_number num = PHN_NUMBER_INIT;
	const char *const *zones;
	size_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s CASES.tsv MAP_DATA.txt ICU_UNKNOWN.txt\n", argv[0]);
		return 2;
	}
	CHECK(run_cases(argv[1]) >= 30);
	check_icu_knows_zones(argv[2], argv[3]);

	/* Errors and the blank number. */
	CHECK_INT(phn_number_timezones(NULL, &n, &num), PHN_EINVAL);
	CHECK_INT(phn_number_timezones(&zones, NULL, &num), PHN_EINVAL);
	CHECK_INT(phn_number_timezones(&zones, &n, NULL), PHN_EINVAL);
	num.version = 0;
	CHECK_INT(phn_number_timezones(&zones, &n, &num), PHN_EVERSION);
	num.version = PHN_NUMBER_VERSION;
	CHECK_INT(phn_number_timezones(&zones, &n, &num), PHN_OK);
	CHECK_INT(n, 0);
	CHECK(zones && zones[0] == NULL);
	/* Country level: the list a non-geographical number of the code gets. */
	CHECK_INT(phn_country_timezones(&zones, &n, 966), PHN_OK);
	CHECK_INT(n, 1);
	CHECK_STR(zones[0], "Asia/Riyadh");
	CHECK_INT(phn_country_timezones(&zones, &n, 1), PHN_OK);
	CHECK_INT(n, 42);
	CHECK(zones[42] == NULL);
	{
		const char *const *mobile;
		size_t nm;

		phn_number_parse(&num, "+966501234567", NULL);
		phn_number_timezones(&mobile, &nm, &num);
		CHECK_INT(phn_country_timezones(&zones, &n, 966), PHN_OK);
		CHECK(mobile == zones && nm == n);
	}
	CHECK_INT(phn_country_timezones(&zones, &n, 800), PHN_OK);
	CHECK_INT(n, 0);
	CHECK(zones && zones[0] == NULL);
	CHECK_INT(phn_country_timezones(&zones, &n, 0), PHN_EINVAL);
	CHECK_INT(phn_country_timezones(&zones, &n, 1000), PHN_EINVAL);
	CHECK_INT(phn_country_timezones(NULL, &n, 1), PHN_EINVAL);

	/* The same static answer for the same prefix, every time. */
	{
		const char *const *a, *const *b;
		size_t na, nb;

		phn_number_parse(&num, "+966112345678", NULL);
		phn_number_timezones(&a, &na, &num);
		phn_number_parse(&num, "+966114567890", NULL);
		phn_number_timezones(&b, &nb, &num);
		CHECK(a == b && na == 1 && nb == 1);
	}
	return check_report();
}
