/*
 * Fuzz target for phn_number_find. The first byte picks the leniency (its
 * low 2 bits; 0xFC and above: out of range) and the region (bits 2..7:
 * NULL, "", "sa", "us", junk, or a known region); the rest of the input is
 * the text. Properties:
 *   - the call returns PHN_OK, or PHN_EINVAL exactly when the text is not
 *     UTF-8 or the leniency is out of range, PHN_EREGION exactly for a junk
 *     region, and then reports no match;
 *   - matches come in text order, do not overlap, lie inside the text and
 *     are not empty;
 *   - each match's bytes parse (phn_number_parse_n, the same region) to
 *     the same number: E.164, key, country code, extension, status, type;
 *     its status is VALID at leniency valid and above, VALID, POSSIBLE or
 *     LOCAL_ONLY at possible;
 *   - a callback that stops after the first match gets exactly that match.
 *
 * Under ctest the replay driver (replay.c) runs the corpus with any
 * compiler; tests/fuzz/run_fuzzers.sh builds it with libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const junk[] = { NULL, "", "sa", "us", "001", "ZZ", "XX", "SAU", "S" };
#define NJUNK (sizeof junk / sizeof junk[0])
#define JUNK_FIRST_BAD 4 /* junk[4..] are not regions */

struct state {
	const char *text;
	size_t len;
	const char *region;
	phn_leniency leniency;
	size_t count;
	size_t end; /* end of the previous match */
	phn_match first;
	int stop_after_first;
};

static void fail(const struct state *s, const phn_match *m, const char *why)
{
	fprintf(stderr, "fuzz_find: %s: match %zu at %zu+%zu (%s), region %s, leniency %s\n", why,
		s->count, m->start, m->length, m->number.e164, s->region ? s->region : "(null)",
		phn_leniency_name(s->leniency));
	abort();
}

static int check_match(const phn_match *m, void *ctx)
{
	struct state *s = ctx;
	phn_number p = PHN_NUMBER_INIT;

	if (m->version != PHN_MATCH_VERSION)
		fail(s, m, "bad version");
	if (m->length == 0 || m->start < s->end || m->start > s->len ||
	    m->length > s->len - m->start)
		fail(s, m, "match out of order, overlapping or outside the text");
	s->end = m->start + m->length;
	if (s->count == 0)
		s->first = *m;
	s->count++;

	if (s->leniency == PHN_LENIENCY_POSSIBLE) {
		if (m->number.status != PHN_STATUS_VALID && m->number.status != PHN_STATUS_POSSIBLE &&
		    m->number.status != PHN_STATUS_LOCAL_ONLY)
			fail(s, m, "status not possible");
	} else if (m->number.status != PHN_STATUS_VALID) {
		fail(s, m, "status not valid");
	}
	if (phn_number_parse_n(&p, s->text + m->start, m->length, s->region) != PHN_OK)
		fail(s, m, "match does not parse");
	/* Parsing stops at PHN_INPUT_MAX characters; the matcher's candidates
	 * are far shorter, but the check does not count on it. */
	if (p.status != PHN_STATUS_TOO_LONG || p.e164[0]) {
		if (strcmp(p.e164, m->number.e164) != 0 || p.key != m->number.key ||
		    p.country_code != m->number.country_code ||
		    strcmp(p.extension, m->number.extension) != 0 || p.status != m->number.status ||
		    p.type != m->number.type)
			fail(s, m, "the match's bytes parse to another number");
	}
	return s->stop_after_first ? 1 : 0;
}

/* The library's own UTF-8 check, through a call that reports it. */
static int utf8_ok(const uint8_t *s, size_t n)
{
	phn_number p = PHN_NUMBER_INIT;

	return phn_number_parse_n(&p, (const char *)s, n, NULL) != PHN_EINVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *regions;
	size_t nregions, r;
	struct state s;
	int rc, bad_region, bad_leniency, bad_text;
	uint8_t sel;

	if (size < 1)
		return 0;
	if (phn_region_list(&regions, &nregions) != PHN_OK || nregions == 0)
		abort();
	sel = data[0];
	memset(&s, 0, sizeof s);
	s.text = (const char *)data + 1;
	s.len = size - 1;
	s.leniency = (phn_leniency)(sel & 3);
	if (sel >= 0xFC)
		s.leniency = (phn_leniency)(4 + (sel & 1));
	r = (size_t)(sel >> 2) % (NJUNK + 8);
	s.region = r < NJUNK ? junk[r] : regions[((size_t)sel * 7 + size) % nregions];
	bad_region = r >= JUNK_FIRST_BAD && r < NJUNK;
	bad_leniency = (unsigned)s.leniency > PHN_LENIENCY_EXACT_GROUPING;
	bad_text = !utf8_ok(data + 1, s.len);

	rc = phn_number_find(s.text, s.len, s.region, s.leniency, check_match, &s);
	if (bad_text || bad_leniency) {
		if (rc != PHN_EINVAL || s.count != 0)
			abort();
		return 0;
	}
	if (bad_region) {
		if (rc != PHN_EREGION || s.count != 0)
			abort();
		return 0;
	}
	if (rc != PHN_OK) {
		fprintf(stderr, "fuzz_find: rc %d: %s\n", rc, phn_error_last());
		abort();
	}
	if (s.count > 0) {
		/* Stopping after the first match gives exactly that match. */
		phn_match first = s.first;

		s.count = 0;
		s.end = 0;
		s.stop_after_first = 1;
		rc = phn_number_find(s.text, s.len, s.region, s.leniency, check_match, &s);
		if (rc != PHN_OK || s.count != 1 || s.first.start != first.start ||
		    s.first.length != first.length || strcmp(s.first.number.e164, first.number.e164))
			abort();
	}
	return 0;
}
