/*
 * Tests of the number API: the table-driven cases in cases.tsv and
 * formats.tsv, then the API's contract (errors, buffers, names, info).
 *
 * usage: test_number CASES.tsv FORMATS.tsv
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <phonenorm.h>

#include "check.h"

/* Split line in place at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;

	fields[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			fields[n++] = p + 1;
		}
	}
	return n;
}

/* Read a TSV table, calling fn on each non-comment line's fields. */
static int for_each_row(const char *path, int nfields, void (*fn)(char **f, int lineno))
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
		char *fields[8];

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || len == 0)
			continue;
		if (split_tabs(line, fields, 8) != nfields) {
			fprintf(stderr, "%s:%d: expected %d fields\n", path, lineno, nfields);
			check_failures++;
			continue;
		}
		fn(fields, lineno);
		rows++;
	}
	free(line);
	fclose(f);
	return rows;
}

static void parse_case(char **f, int lineno)
{
	phn_number n = PHN_NUMBER_INIT;
	int rc = phn_number_parse(&n, f[1], f[0]);
	char key[32];

	check_count++;
	if (rc != PHN_OK || strcmp(phn_status_name(n.status), f[2]) != 0 ||
	    strcmp(n.e164, f[3]) != 0 || strcmp(phn_type_name(n.type), f[4][0] ? f[4] : "unknown") ||
	    strcmp(n.extension, f[5]) != 0) {
		check_failures++;
		fprintf(stderr,
			"cases.tsv:%d: [%s] '%s': got rc=%d %s %s %s ext='%s', expected %s %s %s ext='%s'\n",
			lineno, f[0], f[1], rc, phn_status_name(n.status), n.e164,
			phn_type_name(n.type), n.extension, f[2], f[3], f[4], f[5]);
		return;
	}
	/* The key is the E.164 digits: nonzero exactly when there is an E.164. */
	snprintf(key, sizeof key, "+%" PRIu64, n.key);
	if (n.e164[0])
		CHECK_STR(key, n.e164);
	else
		CHECK_INT(n.key, 0);
	if (n.status == PHN_STATUS_VALID)
		CHECK(n.type != PHN_TYPE_UNKNOWN && n.region[0] != '\0');
	else
		CHECK_INT(n.type, PHN_TYPE_UNKNOWN);
}

static void format_case(char **f, int lineno)
{
	phn_number n = PHN_NUMBER_INIT;
	char buf[128];
	int rc;

	CHECK_INT(phn_number_parse(&n, f[1], f[0]), PHN_OK);
	if (strncmp(f[2], "dialout:", 8) == 0) {
		rc = phn_number_format_out_of_country(buf, sizeof buf, NULL, &n, f[2] + 8);
	} else {
		static const char *const names[] = { "e164", "intl", "national", "rfc3966" };
		int fmt = -1;

		for (int i = 0; i < 4; i++) {
			if (strcmp(f[2], names[i]) == 0)
				fmt = i;
		}
		rc = phn_number_format(buf, sizeof buf, NULL, &n, (phn_format)fmt);
	}
	check_count++;
	if (rc != PHN_OK || strcmp(buf, f[3]) != 0) {
		check_failures++;
		fprintf(stderr, "formats.tsv:%d: [%s] '%s' as %s: got rc=%d '%s', expected '%s'\n",
			lineno, f[0], f[1], f[2], rc, rc == PHN_OK ? buf : "", f[3]);
	}
}

static void test_errors(void)
{
	phn_number n = PHN_NUMBER_INIT;
	phn_number old = PHN_NUMBER_INIT;
	char buf[64];
	size_t needed = 0;

	CHECK_INT(phn_number_parse(NULL, "0501234567", "SA"), PHN_EINVAL);
	CHECK_INT(phn_number_parse(&n, NULL, "SA"), PHN_EINVAL);
	CHECK_INT(phn_number_parse(&n, "0501234567", "XX"), PHN_EREGION);
	CHECK_INT(n.status, PHN_STATUS_NOT_A_NUMBER);
	CHECK_INT(phn_number_parse(&n, "0501234567", "ZZ"), PHN_EREGION);
	CHECK_INT(phn_number_parse(&n, "0501234567", "001"), PHN_EREGION);
	CHECK_INT(phn_number_parse(&n, "0501234567", "S"), PHN_EREGION);
	CHECK_INT(phn_number_parse(&n, "0501234567", "SAU"), PHN_EREGION);
	/* Not UTF-8: an argument error, and the result says "not a number". */
	CHECK_INT(phn_number_parse(&n, "05\xff" "01234567", "SA"), PHN_EINVAL);
	CHECK_INT(n.status, PHN_STATUS_NOT_A_NUMBER);
	CHECK_INT(phn_number_parse(&n, "\xc0\xaf", "SA"), PHN_EINVAL); /* overlong */
	CHECK_INT(phn_number_parse(&n, "\xed\xa0\x80", "SA"), PHN_EINVAL); /* surrogate */

	old.version = 99;
	CHECK_INT(phn_number_parse(&old, "0501234567", "SA"), PHN_EVERSION);
	CHECK_INT(phn_number_init(&old, PHN_NUMBER_VERSION), PHN_OK);
	CHECK_INT(old.version, PHN_NUMBER_VERSION);
	CHECK_INT(phn_number_init(&old, 7), PHN_EVERSION);

	/* parse_n reads exactly len bytes: no NUL needed, trailing bytes ignored. */
	CHECK_INT(phn_number_parse_n(&n, "0501234567XYZ", 10, "SA"), PHN_OK);
	CHECK_STR(n.e164, "+966501234567");

	/* Text over PHN_INPUT_MAX characters is too long, and answered at once
	 * (libphonenumber alone takes seconds on 10,000 digits). Characters,
	 * not bytes: 250 Arabic-Indic digits (500 bytes) are still parsed. */
	{
		static char big[20001];
		clock_t t0 = clock();

		memset(big, '5', sizeof big - 1);
		CHECK_INT(phn_number_parse(&n, big, "SA"), PHN_OK);
		CHECK_INT(n.status, PHN_STATUS_TOO_LONG);
		CHECK_STR(n.e164, "");
		CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
		memset(big, ' ', 300);
		memcpy(big, "+966501234567", 13);
		CHECK_INT(phn_number_parse_n(&n, big, PHN_INPUT_MAX, "SA"), PHN_OK);
		CHECK_INT(n.status, PHN_STATUS_VALID);
		CHECK_INT(phn_number_parse_n(&n, big, PHN_INPUT_MAX + 1, "SA"), PHN_OK);
		CHECK_INT(n.status, PHN_STATUS_TOO_LONG);
		big[0] = '\0';
		for (int i = 0; i < PHN_INPUT_MAX; i++)
			strcat(big, i < 10 ? "\xd9\xa5" /* ٥ */ : " ");
		CHECK_INT(phn_number_parse(&n, big, "SA"), PHN_OK);
		CHECK_STR(n.e164, "+9665555555555");
	}

	/* A result is reset by the next parse: no stale extension or region. */
	CHECK_INT(phn_number_parse(&n, "+1 202 555 0110 x45", NULL), PHN_OK);
	CHECK_STR(n.extension, "45");
	CHECK_INT(phn_number_parse(&n, "garbage", "SA"), PHN_OK);
	CHECK_STR(n.extension, "");
	CHECK_STR(n.region, "");
	CHECK_INT(n.key, 0);

	/* Formatting: buffer too small reports the size it needs. */
	CHECK_INT(phn_number_parse(&n, "0501234567", "SA"), PHN_OK);
	CHECK_INT(phn_number_format(buf, 5, &needed, &n, PHN_FORMAT_INTERNATIONAL), PHN_EBUFS);
	CHECK_INT(needed, strlen("+966 50 123 4567"));
	CHECK_STR(buf, "");
	CHECK_INT(phn_number_format(buf, needed, &needed, &n, PHN_FORMAT_INTERNATIONAL), PHN_EBUFS);
	CHECK_INT(phn_number_format(buf, needed + 1, NULL, &n, PHN_FORMAT_INTERNATIONAL), PHN_OK);
	CHECK_STR(buf, "+966 50 123 4567");
	CHECK_INT(phn_number_format(buf, 13, &needed, &n, PHN_FORMAT_E164), PHN_EBUFS);
	CHECK_INT(needed, 13);
	CHECK_INT(phn_number_format(buf, sizeof buf, NULL, &n, (phn_format)42), PHN_EINVAL);
	CHECK_INT(phn_number_format_out_of_country(buf, sizeof buf, NULL, &n, "XX"), PHN_EREGION);
	CHECK_INT(phn_number_format_out_of_country(buf, sizeof buf, NULL, &n, NULL), PHN_EINVAL);
	CHECK_INT(phn_number_format_out_of_country(buf, sizeof buf, NULL, &n, "us"), PHN_OK);
	CHECK_STR(buf, "011 966 50 123 4567");

	/* Nothing parsed, nothing to format. */
	CHECK_INT(phn_number_parse(&n, "hello", "SA"), PHN_OK);
	CHECK_INT(phn_number_format(buf, sizeof buf, NULL, &n, PHN_FORMAT_E164), PHN_EINVAL);

	CHECK(strcmp(phn_strerror(PHN_EREGION), "unknown error") != 0);
	CHECK_STR(phn_strerror(12345), "unknown error");
	CHECK_STR(phn_strerror(PHN_OK), "success");
}

/* phn_error_last() on another thread: set its own error, and report what
 * it saw before and after. */
static void *other_thread(void *arg)
{
	char *seen = arg;
	phn_number n = PHN_NUMBER_INIT;

	strcpy(seen, phn_error_last());
	phn_number_parse(&n, "1", "QQ");
	strcat(seen, "|");
	strcat(seen, phn_error_last());
	return NULL;
}

/* The one error rule: every failing call leaves a message for its thread. */
static void test_error_model(void)
{
	phn_number n = PHN_NUMBER_INIT, old = PHN_NUMBER_INIT;
	phn_number batch[3] = { PHN_NUMBER_INIT, PHN_NUMBER_INIT, PHN_NUMBER_INIT };
	const char *texts[3] = { "0501234567", "\xff", NULL };
	phn_info info = PHN_INFO_INIT;
	char buf[8], seen[512];
	phn_type t;
	pthread_t th;

	phn_error_clear();
	CHECK_STR(phn_error_last(), "");
	CHECK_INT(phn_error_last_code(), PHN_OK);

	CHECK_INT(phn_number_parse(&n, "0501234567", "XX"), PHN_EREGION);
	CHECK_INT(phn_error_last_code(), PHN_EREGION);
	CHECK(strstr(phn_error_last(), "unknown region 'XX'") != NULL);
	/* A call that succeeds leaves the message as it was (libgit2's rule). */
	CHECK_INT(phn_number_parse(&n, "0501234567", "SA"), PHN_OK);
	CHECK(strstr(phn_error_last(), "unknown region 'XX'") != NULL);

	/* Each thread has its own. */
	CHECK_INT(pthread_create(&th, NULL, other_thread, seen), 0);
	CHECK_INT(pthread_join(th, NULL), 0);
	CHECK(strncmp(seen, "|unknown region 'QQ'", 20) == 0);
	CHECK(strstr(phn_error_last(), "'XX'") != NULL);

	CHECK_INT(phn_number_parse(&n, "05\xff", "SA"), PHN_EINVAL);
	CHECK_STR(phn_error_last(), "text is not valid UTF-8");
	CHECK_INT(phn_number_parse(&n, NULL, "SA"), PHN_EINVAL);
	CHECK_STR(phn_error_last(), "text is NULL");
	/* A message is one line, whatever the input holds. */
	CHECK_INT(phn_number_parse(&n, "1", "\n\x1b[2J"), PHN_EREGION);
	CHECK(strchr(phn_error_last(), '\n') == NULL && strchr(phn_error_last(), 0x1b) == NULL);

	/* libgit2's version rule: 1 <= version <= current, said in the message. */
	old.version = 0;
	CHECK_INT(phn_number_parse(&old, "0501234567", "SA"), PHN_EVERSION);
	CHECK(strstr(phn_error_last(), "version 0 is not supported") != NULL);
	CHECK_INT(phn_info_init(&info, PHN_INFO_VERSION), PHN_OK);
	CHECK_INT(phn_info_init(&info, PHN_INFO_VERSION + 1), PHN_EVERSION);
	CHECK(strstr(phn_error_last(), "phn_info version 2") != NULL);
	CHECK_INT(phn_info_init(NULL, PHN_INFO_VERSION), PHN_EINVAL);

	CHECK_INT(phn_number_parse(&n, "0501234567", "SA"), PHN_OK);
	CHECK_INT(phn_number_format(buf, sizeof buf, NULL, &n, PHN_FORMAT_INTERNATIONAL),
		  PHN_EBUFS);
	CHECK(strstr(phn_error_last(), "17 needed") != NULL);
	CHECK_INT(phn_type_from_name(&t, "landline"), PHN_ENOTFOUND);
	CHECK_STR(phn_error_last(), "'landline' is not a number type");
	CHECK_INT(phn_number_location(buf, sizeof buf, NULL, &n, "e n"), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "'e n'") != NULL);

	/* Batch: per-item outcomes are data and leave no message behind. */
	phn_error_clear();
	CHECK_INT(phn_number_parse_batch(batch, texts, NULL, 3, "SA", 1), PHN_OK);
	CHECK_STR(phn_error_last(), "");
	CHECK_STR(batch[0].e164, "+966501234567");
	CHECK_INT(batch[1].status, PHN_STATUS_NOT_A_NUMBER);
	CHECK_INT(batch[2].status, PHN_STATUS_NOT_A_NUMBER);
	batch[2].version = 5;
	CHECK_INT(phn_number_parse_batch(batch, texts, NULL, 3, "SA", 1), PHN_EVERSION);
	CHECK(strstr(phn_error_last(), "results[2]") != NULL);
	CHECK_INT(phn_number_parse_batch(batch, texts, NULL, 2, "XX", 1), PHN_EREGION);

	CHECK_STR(phn_error_name(PHN_EREGION), "PHN_EREGION");
	CHECK_STR(phn_error_name(PHN_OK), "PHN_OK");
	CHECK_STR(phn_error_name(-999), "PHN_E?");
	phn_error_clear();
	CHECK_STR(phn_error_last(), "");
}

static void test_names(void)
{
	phn_type t;
	phn_status s;

	for (int i = PHN_TYPE_UNKNOWN; i <= PHN_TYPE_VOICEMAIL; i++) {
		CHECK_INT(phn_type_from_name(&t, phn_type_name((phn_type)i)), PHN_OK);
		CHECK_INT(t, i);
	}
	for (int i = PHN_STATUS_VALID; i <= PHN_STATUS_NEEDS_REGION; i++) {
		CHECK_INT(phn_status_from_name(&s, phn_status_name((phn_status)i)), PHN_OK);
		CHECK_INT(s, i);
		CHECK(strlen(phn_status_describe((phn_status)i)) > 5);
	}
	CHECK_INT(phn_type_from_name(&t, "MOBILE"), PHN_OK);
	CHECK_INT(t, PHN_TYPE_MOBILE);
	CHECK_INT(phn_type_from_name(&t, "cellphone"), PHN_ENOTFOUND);
	CHECK_INT(phn_status_from_name(&s, "bogus"), PHN_ENOTFOUND);
	CHECK_STR(phn_type_name((phn_type)99), "unknown");
	CHECK_STR(phn_status_name((phn_status)99), "unknown");
}

static void test_format_names(void)
{
	phn_format f;

	for (int i = PHN_FORMAT_E164; i <= PHN_FORMAT_RFC3966; i++) {
		CHECK_INT(phn_format_from_name(&f, phn_format_name((phn_format)i)), PHN_OK);
		CHECK_INT(f, i);
	}
	CHECK_INT(phn_format_from_name(&f, "NATIONAL"), PHN_OK);
	CHECK_INT(f, PHN_FORMAT_NATIONAL);
	CHECK_INT(phn_format_from_name(&f, "Intl"), PHN_OK);
	CHECK_INT(f, PHN_FORMAT_INTERNATIONAL);
	CHECK_INT(phn_format_from_name(&f, "e.164"), PHN_ENOTFOUND);
	CHECK(strstr(phn_error_last(), "'e.164' is not a format (e164, international") != NULL);
	CHECK_INT(phn_format_from_name(&f, ""), PHN_ENOTFOUND);
	CHECK_INT(phn_format_from_name(NULL, "e164"), PHN_EINVAL);
	CHECK_INT(phn_format_from_name(&f, NULL), PHN_EINVAL);
	CHECK_STR(phn_format_name((phn_format)4), "unknown");
	CHECK_STR(phn_format_name((phn_format)-1), "unknown");
}

static void test_regions(void)
{
	char r[3];

	CHECK(phn_region_is_known("SA"));
	CHECK(phn_region_is_known("sa"));
	CHECK(phn_region_is_known("uS"));
	CHECK(!phn_region_is_known("ZZ"));
	CHECK(!phn_region_is_known("001"));
	CHECK(!phn_region_is_known(""));
	CHECK(!phn_region_is_known(NULL));
	CHECK(!phn_region_is_known("XX"));
	CHECK_INT(phn_region_country_code("sa"), 966);
	CHECK_INT(phn_region_country_code("US"), 1);
	CHECK_INT(phn_region_country_code("XX"), 0);
	CHECK_INT(phn_region_canonical(r, "gb"), PHN_OK);
	CHECK_STR(r, "GB");
	CHECK_INT(phn_region_canonical(r, "gbr"), PHN_EREGION);
}

static void test_info(void)
{
	phn_number n = PHN_NUMBER_INIT;
	phn_info info = PHN_INFO_INIT;
	char loc[256];
	size_t needed = 0;

	CHECK_INT(phn_number_parse(&n, "911", "US"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, "US"), PHN_OK);
	CHECK(info.is_short_number);
	CHECK(info.is_emergency);
	CHECK(info.connects_to_emergency);
	CHECK_INT(info.short_cost, PHN_SHORT_COST_TOLL_FREE);

	CHECK_INT(phn_number_parse(&n, "112", "DE"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, "DE"), PHN_OK);
	CHECK(info.is_emergency);

	CHECK_INT(phn_number_parse(&n, "(202) 555-0110", "US"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, NULL), PHN_OK);
	CHECK(!info.is_short_number);
	CHECK(!info.is_emergency);
	CHECK(info.is_geographic);
	CHECK_INT(phn_number_location(loc, sizeof loc, NULL, &n, "en"), PHN_OK);
	CHECK_STR(loc, "Washington D.C.");

	CHECK_INT(phn_number_parse(&n, "0501234567", "SA"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, NULL), PHN_OK);
	CHECK(!info.is_geographic);
	CHECK_INT(phn_number_location(loc, sizeof loc, NULL, &n, NULL), PHN_OK);
	CHECK_STR(loc, "Saudi Arabia");
	/* Never cut short: a buffer too small says how much is needed. */
	CHECK_INT(phn_number_location(loc, 10, &needed, &n, "ar"), PHN_EBUFS);
	CHECK_INT(needed, strlen("المملكة العربية السعودية"));
	CHECK_INT(phn_number_location(loc, needed + 1, &needed, &n, "ar"), PHN_OK);
	CHECK_STR(loc, "المملكة العربية السعودية");
	CHECK_INT(phn_number_location(loc, sizeof loc, NULL, &n, "e n"), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "'e n'") != NULL);

	/* A Riyadh landline's national number 112345678 starts with 112: it must
	 * not count as reaching emergency services; dialled, it is 0112345678. */
	CHECK_INT(phn_number_parse(&n, "011 234 5678", "SA"), PHN_OK);
	CHECK_INT(n.status, PHN_STATUS_VALID);
	CHECK_INT(phn_number_info(&info, &n, "SA"), PHN_OK);
	CHECK(!info.is_emergency);
	CHECK(!info.connects_to_emergency);
	CHECK(!info.is_short_number);
	CHECK_INT(phn_number_parse(&n, "997", "SA"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, "SA"), PHN_OK);
	CHECK(info.is_emergency);
	CHECK_INT(phn_number_parse(&n, "9111", "US"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, "US"), PHN_OK);
	CHECK(!info.is_emergency);
	CHECK(info.connects_to_emergency);
	/* Short numbers belong to their country: 911 parsed in US, asked about in SA. */
	CHECK_INT(phn_number_parse(&n, "911", "US"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, "SA"), PHN_OK);
	CHECK(!info.is_emergency && !info.is_short_number);

	CHECK_INT(phn_number_info(&info, &n, "XX"), PHN_EREGION);
	CHECK_INT(phn_number_info(NULL, &n, NULL), PHN_EINVAL);
	CHECK_INT(phn_number_parse(&n, "hello", "SA"), PHN_OK);
	CHECK_INT(phn_number_info(&info, &n, NULL), PHN_EINVAL);
	CHECK_INT(phn_number_location(loc, sizeof loc, NULL, &n, NULL), PHN_EINVAL);
	info.version = 0;
	CHECK_INT(phn_number_info(&info, &n, NULL), PHN_EVERSION);
}

static void test_version(void)
{
	const char *m = phn_metadata_version();

	CHECK_STR(phn_version(), PHN_VERSION);
	CHECK_INT(phn_version_number(), PHN_VERSION_NUMBER);
	CHECK_INT(PHN_VERSION_NUMBER,
		  PHN_VERSION_MAJOR * 10000 + PHN_VERSION_MINOR * 100 + PHN_VERSION_PATCH);
	/* "8.12.57": digits and dots, starting with the major version 8 or later. */
	CHECK(m && m[0] >= '8' && strchr(m, '.') != NULL);
	CHECK(strspn(m, "0123456789.") == strlen(m));
}

int main(int argc, char **argv)
{
	int rows;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CASES.tsv FORMATS.tsv\n", argv[0]);
		return 2;
	}
	rows = for_each_row(argv[1], 6, parse_case);
	CHECK(rows >= 50);
	rows = for_each_row(argv[2], 4, format_case);
	CHECK(rows >= 20);
	test_errors();
	test_error_model();
	test_names();
	test_format_names();
	test_regions();
	test_info();
	test_version();
	return check_report();
}
