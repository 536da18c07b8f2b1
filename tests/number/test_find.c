/*
 * Tests of the region list, the example numbers and phn_number_find():
 * the contract in number.h (sorted lists, byte offsets, callback stops,
 * errors) on facts that hold for both the bundled and the system metadata.
 *
 * usage: test_find
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"
#include "same_number.h"

#define MAX_FOUND 32

struct found {
	size_t n;
	phn_match m[MAX_FOUND];
	int stop_after; /* return this many matches, then stop with stop_rc */
	int stop_rc;
};

static int collect(const phn_match *m, void *ctx)
{
	struct found *f = ctx;

	if (f->n < MAX_FOUND)
		f->m[f->n] = *m;
	f->n++;
	if (f->stop_after && (int)f->n >= f->stop_after)
		return f->stop_rc;
	return 0;
}

static int find(struct found *f, const char *text, const char *region, phn_leniency len)
{
	memset(f, 0, sizeof *f);
	return phn_number_find(text, strlen(text), region, len, collect, f);
}

/* The same facts as phn_number_parse() gives for the E.164. */
static void check_same_as_parse(const phn_number *n, const char *what)
{
	phn_number p = PHN_NUMBER_INIT;

	CHECK_INT(phn_number_parse(&p, n->e164, NULL), PHN_OK);
	CHECK_MSG(same_number(&p, n), "%s: %s differs from its parse", what, n->e164);
}

static void test_region_list(void)
{
	const char *const *regions = NULL, *const *again = NULL;
	size_t count = 0, count2 = 0;
	int has_sa = 0, has_us = 0;

	CHECK_INT(phn_region_list(&regions, &count), PHN_OK);
	CHECK(count >= 200);
	CHECK(regions[count] == NULL);
	for (size_t i = 0; i < count; i++) {
		const char *r = regions[i];
		CHECK_MSG(strlen(r) == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' &&
			  r[1] <= 'Z', "region %zu is '%s'", i, r);
		CHECK_MSG(i == 0 || strcmp(regions[i - 1], r) < 0, "not sorted at %s", r);
		CHECK_MSG(phn_region_is_known(r) && phn_region_country_code(r) > 0, "%s", r);
		has_sa |= strcmp(r, "SA") == 0;
		has_us |= strcmp(r, "US") == 0;
	}
	CHECK(has_sa && has_us);
	CHECK_INT(phn_region_list(&again, &count2), PHN_OK);
	CHECK(again == regions && count2 == count);
	CHECK_INT(phn_region_list(NULL, &count), PHN_EINVAL);
	CHECK_INT(phn_region_list(&regions, NULL), PHN_EINVAL);
}

static void test_non_geo(void)
{
	const int *codes = NULL;
	size_t count = 0;
	int has_800 = 0;
	phn_number n = PHN_NUMBER_INIT;

	CHECK_INT(phn_non_geo_country_codes(&codes, &count), PHN_OK);
	CHECK(count >= 5);
	for (size_t i = 0; i < count; i++) {
		CHECK_MSG(i == 0 || codes[i - 1] < codes[i], "not ascending at %d", codes[i]);
		has_800 |= codes[i] == 800;
		/* Every code in the list has its example, and it belongs to "001". */
		CHECK_INT(phn_number_example_non_geo(&n, codes[i]), PHN_OK);
		CHECK_INT(n.country_code, codes[i]);
		CHECK_STR(n.region, "001");
		check_same_as_parse(&n, "non-geo example");
	}
	CHECK(has_800);
	CHECK_INT(phn_number_example_non_geo(&n, 800), PHN_OK);
	CHECK_STR(n.e164, "+80012345678");
	CHECK_INT(n.status, PHN_STATUS_VALID);
	CHECK_INT(n.type, PHN_TYPE_TOLL_FREE);
	CHECK_INT(phn_number_example_non_geo(&n, 966), PHN_ENOTFOUND);
	CHECK(strstr(phn_error_last(), "966") != NULL);
	CHECK_STR(n.e164, ""); /* reset on failure */
	CHECK_INT(phn_number_example_non_geo(&n, -1), PHN_ENOTFOUND);
	CHECK_INT(phn_number_example_non_geo(NULL, 800), PHN_EINVAL);
	CHECK_INT(phn_non_geo_country_codes(NULL, &count), PHN_EINVAL);
}

static void test_examples(void)
{
	const char *const *regions;
	size_t count, found = 0, missing = 0;
	phn_number n = PHN_NUMBER_INIT;

	/* +966512345678 in 8.12.57's and 9.0.35's data; checked loosely so a
	 * refresh of the metadata does not break the test. */
	CHECK_INT(phn_number_example(&n, "SA", PHN_TYPE_MOBILE), PHN_OK);
	CHECK(strncmp(n.e164, "+9665", 5) == 0 && strlen(n.e164) == 13);
	CHECK_INT(n.status, PHN_STATUS_VALID);
	CHECK_INT(n.type, PHN_TYPE_MOBILE);
	CHECK_STR(n.region, "SA");
	CHECK_INT(phn_number_example(&n, "sa", PHN_TYPE_UNKNOWN), PHN_OK);
	CHECK_INT(n.country_code, 966);
	CHECK_INT(n.status, PHN_STATUS_VALID);
	CHECK_INT(phn_number_example(&n, "US", PHN_TYPE_PAGER), PHN_ENOTFOUND);
	CHECK(strstr(phn_error_last(), "pager") != NULL && strstr(phn_error_last(), "US"));
	CHECK_STR(n.e164, "");
	CHECK_INT(phn_number_example(&n, "XX", PHN_TYPE_MOBILE), PHN_EREGION);
	CHECK_INT(phn_number_example(&n, "001", PHN_TYPE_MOBILE), PHN_EREGION);
	CHECK_INT(phn_number_example(&n, NULL, PHN_TYPE_MOBILE), PHN_EINVAL);
	CHECK_INT(phn_number_example(&n, "SA", (phn_type)12), PHN_EINVAL);
	CHECK_INT(phn_number_example(&n, "SA", (phn_type)-1), PHN_EINVAL);
	CHECK_INT(phn_number_example(NULL, "SA", PHN_TYPE_MOBILE), PHN_EINVAL);
	n.version = 2;
	CHECK_INT(phn_number_example(&n, "SA", PHN_TYPE_MOBILE), PHN_EVERSION);
	n.version = PHN_NUMBER_VERSION;

	/* Every region, every type: an example is either there and in the
	 * region's country, reported as parsing reports it, or PHN_ENOTFOUND. */
	CHECK_INT(phn_region_list(&regions, &count), PHN_OK);
	for (size_t i = 0; i < count; i++) {
		for (int t = PHN_TYPE_UNKNOWN; t <= PHN_TYPE_VOICEMAIL; t++) {
			int rc = phn_number_example(&n, regions[i], (phn_type)t);
			if (rc == PHN_ENOTFOUND) {
				missing++;
				continue;
			}
			found++;
			CHECK_MSG(rc == PHN_OK, "%s %s: rc %d", regions[i],
				  phn_type_name((phn_type)t), rc);
			CHECK_MSG(n.country_code == phn_region_country_code(regions[i]), "%s %s: %s",
				  regions[i], phn_type_name((phn_type)t), n.e164);
			check_same_as_parse(&n, regions[i]);
		}
	}
	CHECK(found > 1000);
	CHECK(missing > 100);
}

static void test_leniency_names(void)
{
	phn_leniency l;

	for (int i = PHN_LENIENCY_POSSIBLE; i <= PHN_LENIENCY_EXACT_GROUPING; i++) {
		CHECK_INT(phn_leniency_from_name(&l, phn_leniency_name((phn_leniency)i)), PHN_OK);
		CHECK_INT(l, i);
	}
	CHECK_STR(phn_leniency_name(PHN_LENIENCY_STRICT_GROUPING), "strict_grouping");
	CHECK_STR(phn_leniency_name((phn_leniency)4), "unknown");
	CHECK_STR(phn_leniency_name((phn_leniency)-1), "unknown");
	CHECK_INT(phn_leniency_from_name(&l, "STRICT"), PHN_OK);
	CHECK_INT(l, PHN_LENIENCY_STRICT_GROUPING);
	CHECK_INT(phn_leniency_from_name(&l, "Exact"), PHN_OK);
	CHECK_INT(l, PHN_LENIENCY_EXACT_GROUPING);
	CHECK_INT(phn_leniency_from_name(&l, "Valid"), PHN_OK);
	CHECK_INT(l, PHN_LENIENCY_VALID);
	CHECK_INT(phn_leniency_from_name(&l, "lenient"), PHN_ENOTFOUND);
	CHECK_INT(phn_leniency_from_name(&l, ""), PHN_ENOTFOUND);
	CHECK_INT(phn_leniency_from_name(NULL, "valid"), PHN_EINVAL);
	CHECK_INT(phn_leniency_from_name(&l, NULL), PHN_EINVAL);
}

/* Each match is the bytes it says, in order, and parses to its number. */
static void check_matches(const struct found *f, const char *text, const char *region)
{
	size_t end = 0;

	for (size_t i = 0; i < f->n && i < MAX_FOUND; i++) {
		const phn_match *m = &f->m[i];
		phn_number p = PHN_NUMBER_INIT;

		CHECK_INT(m->version, PHN_MATCH_VERSION);
		CHECK(m->start >= end && m->length > 0 && m->start + m->length <= strlen(text));
		end = m->start + m->length;
		CHECK_INT(phn_number_parse_n(&p, text + m->start, m->length, region), PHN_OK);
		CHECK_MSG(same_number(&p, &m->number), "match %.*s", (int)m->length,
			  text + m->start);
	}
}

#define RAW_IS(f, i, text, want) \
	CHECK_MSG((f)->m[i].length == strlen(want) && \
		  memcmp((text) + (f)->m[i].start, want, strlen(want)) == 0, \
		  "match %d is '%.*s', expected '%s'", i, (int)(f)->m[i].length, \
		  (text) + (f)->m[i].start, want)

static void test_find(void)
{
	struct found f;
	/* Arabic words before the numbers: offsets must be bytes, not characters. */
	const char *ar = "مرحبا اتصل على ٠٥٠١٢٣٤٥٦٧ أو +966 50 123 4567 شكرا";
	const char *us = "Call (202) 555-0110 or ＋１ ２０２ ５５５ ０１１１ on 2024-01-05 at 12:30, "
			 "pay $1,234.56. Desk: 202-555-0112 ext. 45";
	const char *groups = "Google: 650 2530000 or 650 253 0000 or 65 02 53 00 00";

	CHECK_INT(find(&f, ar, "SA", PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 2);
	CHECK_INT(f.m[0].start, 27); /* 15 characters, 27 bytes */
	RAW_IS(&f, 0, ar, "٠٥٠١٢٣٤٥٦٧");
	CHECK_STR(f.m[0].number.e164, "+966501234567");
	CHECK_INT(f.m[0].number.type, PHN_TYPE_MOBILE);
	CHECK_INT(f.m[1].start, 53);
	RAW_IS(&f, 1, ar, "+966 50 123 4567");
	check_matches(&f, ar, "SA");

	/* No region: only the number written with + is found. */
	CHECK_INT(find(&f, ar, NULL, PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 1);
	RAW_IS(&f, 0, ar, "+966 50 123 4567");
	CHECK_INT(find(&f, ar, "", PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 1);

	CHECK_INT(find(&f, us, "us", PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 3);
	RAW_IS(&f, 0, us, "(202) 555-0110");
	RAW_IS(&f, 1, us, "＋１ ２０２ ５５５ ０１１１");
	CHECK_STR(f.m[1].number.e164, "+12025550111");
	RAW_IS(&f, 2, us, "202-555-0112 ext. 45");
	CHECK_STR(f.m[2].number.extension, "45");
	check_matches(&f, us, "US");

	/* The leniencies differ on grouping. */
	CHECK_INT(find(&f, groups, "US", PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 3);
	CHECK_INT(find(&f, groups, "US", PHN_LENIENCY_STRICT_GROUPING), PHN_OK);
	CHECK_INT(f.n, 2);
	CHECK_INT(find(&f, groups, "US", PHN_LENIENCY_EXACT_GROUPING), PHN_OK);
	CHECK_INT(f.n, 1);
	RAW_IS(&f, 0, groups, "650 253 0000");
	/* POSSIBLE finds a number no range holds; VALID does not. */
	CHECK_INT(find(&f, "call +1 202 000 0000", NULL, PHN_LENIENCY_POSSIBLE), PHN_OK);
	CHECK_INT(f.n, 1);
	CHECK_INT(f.m[0].number.status, PHN_STATUS_POSSIBLE);
	CHECK_INT(find(&f, "call +1 202 000 0000", NULL, PHN_LENIENCY_VALID), PHN_OK);
	CHECK_INT(f.n, 0);

	/* len, not the NUL, ends the text: the second number is cut off. */
	{
		const char *t = "+966501234567 +12025550110";
		memset(&f, 0, sizeof f);
		CHECK_INT(phn_number_find(t, 14, NULL, PHN_LENIENCY_VALID, collect, &f), PHN_OK);
		CHECK_INT(f.n, 1);
		memset(&f, 0, sizeof f);
		CHECK_INT(phn_number_find(t, 0, NULL, PHN_LENIENCY_VALID, collect, &f), PHN_OK);
		CHECK_INT(f.n, 0);
	}

	/* The callback stops the search: positive is PHN_OK, negative is returned. */
	memset(&f, 0, sizeof f);
	f.stop_after = 1;
	f.stop_rc = 1;
	CHECK_INT(phn_number_find(us, strlen(us), "US", PHN_LENIENCY_VALID, collect, &f), PHN_OK);
	CHECK_INT(f.n, 1);
	memset(&f, 0, sizeof f);
	f.stop_after = 2;
	f.stop_rc = PHN_ENOMEM;
	CHECK_INT(phn_number_find(us, strlen(us), "US", PHN_LENIENCY_VALID, collect, &f),
		  PHN_ENOMEM);
	CHECK_INT(f.n, 2);
	CHECK(strstr(phn_error_last(), "callback") != NULL);

	/* Bad arguments. */
	CHECK_INT(find(&f, "+966501234567 \xff", NULL, PHN_LENIENCY_VALID), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "UTF-8") != NULL);
	CHECK_INT(find(&f, "\xed\xa0\x80 +966501234567", NULL, PHN_LENIENCY_VALID), PHN_EINVAL);
	CHECK_INT(find(&f, us, "XX", PHN_LENIENCY_VALID), PHN_EREGION);
	CHECK_INT(find(&f, us, "US", (phn_leniency)4), PHN_EINVAL);
	CHECK_INT(find(&f, us, "US", (phn_leniency)-1), PHN_EINVAL);
	CHECK_INT(f.n, 0);
	CHECK_INT(phn_number_find(NULL, 0, NULL, PHN_LENIENCY_VALID, collect, &f), PHN_EINVAL);
	CHECK_INT(phn_number_find(us, strlen(us), NULL, PHN_LENIENCY_VALID, NULL, NULL),
		  PHN_EINVAL);
	{
		size_t big = PHN_FIND_TEXT_MAX + 1;
		char *t = malloc(big);
		if (t) {
			memset(t, ' ', big);
			memcpy(t, "+966501234567", 13);
			memset(&f, 0, sizeof f);
			CHECK_INT(phn_number_find(t, big, NULL, PHN_LENIENCY_VALID, collect, &f),
				  PHN_EINVAL);
			CHECK(strstr(phn_error_last(), "PHN_FIND_TEXT_MAX") != NULL);
			CHECK_INT(f.n, 0);
			/* At the cap it is searched. */
			CHECK_INT(phn_number_find(t, big - 1, NULL, PHN_LENIENCY_VALID, collect, &f),
				  PHN_OK);
			CHECK_INT(f.n, 1);
			free(t);
		}
	}
}

/* Many threads find in the same text at once and agree. */
struct thread_arg {
	const char *text;
	size_t n;
	int rc;
};

static void *find_thread(void *p)
{
	struct thread_arg *a = p;
	struct found f;

	for (int i = 0; i < 50; i++) {
		a->rc = find(&f, a->text, "US", PHN_LENIENCY_EXACT_GROUPING);
		if (a->rc != PHN_OK || (i > 0 && f.n != a->n)) {
			a->rc = a->rc ? a->rc : -1000;
			break;
		}
		a->n = f.n;
	}
	return NULL;
}

static void test_find_threads(void)
{
	enum { N = 4 };
	pthread_t th[N];
	struct thread_arg args[N];
	const char *text = "Call 650 253 0000, (202) 555-0110 or +44 20 7946 0958; "
			   "not 2024-01-05 or $1,234.56";

	for (int i = 0; i < N; i++) {
		args[i].text = text;
		args[i].n = 0;
		args[i].rc = 0;
		CHECK_INT(pthread_create(&th[i], NULL, find_thread, &args[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(args[i].rc, PHN_OK);
		CHECK_INT(args[i].n, 3);
	}
}

/* libphonenumber's matcher finds nothing at all in a text that holds one
 * control character or noncharacter; phonenorm searches those as spaces,
 * so an escape sequence or a NUL in a notes column hides nothing, and the
 * offsets are still the caller's. */
static void test_find_control_characters(void)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		size_t start;
	} cases[] = {
		{ "\033[1mcall\033[0m +1 650 253 0000", 0, 13 },
		{ "note\x01 +1 650 253 0000 \x7f", 0, 6 },
		{ "a\0b +1 650 253 0000", 19, 4 },
		{ "x \xc2\x85 +1 650 253 0000", 0, 5 },     /* NEL, U+0085 */
		{ "\xf0\x9f\xbf\xbf +1 650 253 0000", 0, 5 }, /* U+1FFFF */
		{ "\v+1 650 253 0000\x1b", 0, 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		struct found f;

		memset(&f, 0, sizeof f);
		CHECK_INT(phn_number_find(cases[i].text, len, "US", PHN_LENIENCY_VALID, collect, &f),
			  PHN_OK);
		CHECK_MSG(f.n == 1, "case %zu: %zu matches, want 1", i, f.n);
		if (f.n != 1)
			continue;
		CHECK_INT(f.m[0].start, cases[i].start);
		CHECK_INT(f.m[0].length, 15);
		CHECK_MSG(memcmp(cases[i].text + f.m[0].start, "+1 650 253 0000", 15) == 0,
			  "case %zu: raw match is not the caller's text", i);
		CHECK_STR(f.m[0].number.e164, "+16502530000");
	}
}

/* A callback that fails on a phonenorm call of its own passes that call's
 * message on: the caller sees it, not a generic one. */
static int fail_with_message(const phn_match *m, void *ctx)
{
	phn_number n = PHN_NUMBER_INIT;

	(void)m;
	(void)ctx;
	return phn_number_parse(&n, "+1 650 253 0000", "XX");
}

static void test_find_callback_message(void)
{
	const char *t = "+1 650 253 0000";

	CHECK_INT(phn_number_find(t, strlen(t), NULL, PHN_LENIENCY_VALID, fail_with_message, NULL),
		  PHN_EREGION);
	CHECK_MSG(strstr(phn_error_last(), "XX") != NULL, "message: %s", phn_error_last());
}

int main(void)
{
	test_region_list();
	test_non_geo();
	test_examples();
	test_leniency_names();
	test_find();
	test_find_threads();
	test_find_control_characters();
	test_find_callback_message();
	return check_report();
}
