/*
 * The fast path's digit DFAs against ICU's regular expressions, the engine
 * libphonenumber matches its patterns with.
 *
 *   test_fp_dfa --expect bundled|system [--scale N] [--seed S]
 *   test_fp_dfa --figures
 *
 * For every territory of the metadata that answers (run it once per
 * collection: PHONENORM_METADATA=system for libphonenumber's own), the
 * territory's DFA must compile and give, for every pattern (each type's
 * national-number pattern whole, the leading digits as a prefix), the same
 * answer as ICU's matches() / lookingAt() on: the example numbers of every
 * type, random members of every pattern (generated from the pattern text
 * here, independently of the compiler), their prefixes and one-digit
 * mutations, and random digit strings of every length 0..17. Also: the
 * collection itself (source, order of shared calling codes, fingerprints),
 * random patterns of the whole subset against ICU, patterns outside the
 * subset refused with a message, and a cold start compiled by 8 threads at
 * once agreeing on one compiled territory each.
 *
 * --figures prints the start-up figures (lazy vs eager compile, states,
 * bytes, match speed) instead of testing.
 *
 * Internal API (number/fastpath.h): see tests/layers/layers.txt.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/uregex.h>

#include "check.h"
#include "number/fastpath.h"
#include "phonenorm.h"

#define MAXS 48

/* ---- deterministic randomness ------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static unsigned rn(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- ICU, the reference ------------------------------------------------------- */

static URegularExpression *icu_open(const char *pattern)
{
	UParseError pe;
	UErrorCode st = U_ZERO_ERROR;
	URegularExpression *re = uregex_openC(pattern, 0, &pe, &st);
	if (U_FAILURE(st)) {
		if (re)
			uregex_close(re);
		return NULL;
	}
	return re;
}

/* ICU's matches() (prefix 0) or lookingAt() (prefix 1) on ASCII digits. */
static int icu_match(URegularExpression *re, const char *s, size_t len, int prefix)
{
	UChar u[MAXS];
	UErrorCode st = U_ZERO_ERROR;
	for (size_t i = 0; i < len; i++)
		u[i] = (UChar)s[i];
	uregex_setText(re, u, (int32_t)len, &st);
	UBool r = prefix ? uregex_lookingAt(re, -1, &st) : uregex_matches(re, -1, &st);
	if (U_FAILURE(st)) {
		fprintf(stderr, "ICU failed: %s\n", u_errorName(st));
		return -1;
	}
	return r ? 1 : 0;
}

/* ---- random members of a pattern (an independent reading of the subset) ---- */

typedef struct gen {
	char s[MAXS];
	size_t n;
} gen;

static void put(gen *g, int d)
{
	if (g->n < MAXS - 1)
		g->s[g->n++] = (char)('0' + d);
}

/* End of the atom at i (not its quantifier). */
static size_t atom_end(const char *p, size_t i)
{
	if (p[i] == '\\')
		return i + 2;
	if (p[i] == '[') {
		i += 2; /* '[' and the first member (never the closing ']') */
		while (p[i] != ']')
			i++;
		return i + 1;
	}
	if (p[i] == '(') {
		int depth = 0;
		for (;; i++) {
			if (p[i] == '[') {
				i = atom_end(p, i) - 1;
			} else if (p[i] == '\\') {
				i++;
			} else if (p[i] == '(') {
				depth++;
			} else if (p[i] == ')' && --depth == 0) {
				return i + 1;
			}
		}
	}
	return i + 1;
}

static size_t quant(const char *p, size_t i, int *lo, int *hi)
{
	*lo = *hi = 1;
	if (p[i] == '?') {
		*lo = 0;
		return i + 1;
	}
	if (p[i] == '*' || p[i] == '+') {
		*lo = p[i] == '+';
		*hi = -1;
		return i + 1;
	}
	if (p[i] == '{') {
		char *e;
		*lo = *hi = (int)strtol(p + i + 1, &e, 10);
		if (*e == ',') {
			*hi = e[1] == '}' ? -1 : (int)strtol(e + 1, &e, 10);
			if (*hi == -1)
				e++;
		}
		return (size_t)(e - p) + 1;
	}
	return i;
}

static uint16_t class_mask(const char *p, size_t i, size_t end)
{
	uint16_t m = 0;
	int neg = 0;
	i++;
	if (p[i] == '^') {
		neg = 1;
		i++;
	}
	for (; i < end - 1; i++) {
		if (p[i] == '\\') {
			m |= 0x3ff;
			i++;
		} else if (p[i + 1] == '-' && i + 2 < end - 1) {
			for (int d = p[i]; d <= p[i + 2]; d++)
				m |= (uint16_t)(1u << (d - '0'));
			i += 2;
		} else {
			m |= (uint16_t)(1u << (p[i] - '0'));
		}
	}
	return neg ? (uint16_t)(~m & 0x3ff) : m;
}

static void gen_range(gen *g, const char *p, size_t a, size_t b);

static void gen_atom(gen *g, const char *p, size_t i, size_t end)
{
	if (p[i] >= '0' && p[i] <= '9') {
		put(g, p[i] - '0');
	} else if (p[i] == '\\') {
		put(g, (int)rn(10));
	} else if (p[i] == '[') {
		uint16_t m = class_mask(p, i, end);
		int n = 0, pick;
		for (int d = 0; d < 10; d++)
			n += (m >> d) & 1;
		if (!n)
			return;
		pick = (int)rn((unsigned)n);
		for (int d = 0; d < 10; d++) {
			if (((m >> d) & 1) && pick-- == 0)
				put(g, d);
		}
	} else if (p[i] == '(') {
		size_t s = i + (p[i + 1] == '?' ? 3 : 1);
		gen_range(g, p, s, end - 1);
	}
}

static void gen_seq(gen *g, const char *p, size_t a, size_t b)
{
	size_t i = a;
	while (i < b) {
		size_t e = atom_end(p, i);
		int lo, hi;
		size_t q = quant(p, e, &lo, &hi);
		int top = hi < 0 ? lo + 3 : hi;
		int reps = lo + (int)rn((unsigned)(top - lo + 1));
		for (int r = 0; r < reps; r++)
			gen_atom(g, p, i, e);
		i = q;
	}
}

/* One alternative of p[a..b), chosen at random. */
static void gen_range(gen *g, const char *p, size_t a, size_t b)
{
	size_t cuts[512];
	size_t n = 0, i = a;
	cuts[n++] = a;
	while (i < b) {
		if (p[i] == '|') {
			if (n < 511)
				cuts[n++] = i + 1;
			i++;
		} else {
			size_t e = atom_end(p, i);
			int lo, hi;
			i = quant(p, e, &lo, &hi);
		}
	}
	size_t k = rn((unsigned)n);
	size_t end = k + 1 < n ? cuts[k + 1] - 1 : b;
	gen_seq(g, p, cuts[k], end);
}

/* ---- the strings a territory is tried on ---------------------------------------- */

typedef struct strset {
	char (*s)[MAXS];
	size_t n, cap;
} strset;

static void add(strset *ss, const char *s, size_t len)
{
	if (len >= MAXS)
		len = MAXS - 1;
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 1024;
		ss->s = realloc(ss->s, ss->cap * sizeof *ss->s);
		if (!ss->s) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(ss->s[ss->n], s, len);
	ss->s[ss->n][len] = '\0';
	ss->n++;
}

/* s, its prefixes (some), and one-digit mutations. */
static void add_around(strset *ss, const char *s, size_t len, int scale)
{
	char m[MAXS];
	add(ss, s, len);
	for (int k = 0; k < 2 * scale && len; k++)
		add(ss, s, rn((unsigned)len));
	for (int k = 0; k < 2 * scale && len && len < MAXS - 2; k++) {
		size_t at = rn((unsigned)len);
		memcpy(m, s, len);
		switch (rn(3)) {
		case 0: /* change */
			m[at] = (char)('0' + rn(10));
			add(ss, m, len);
			break;
		case 1: /* delete */
			memmove(m + at, m + at + 1, len - at - 1);
			add(ss, m, len - 1);
			break;
		default: /* insert */
			memmove(m + at + 1, m + at, len - at);
			m[at] = (char)('0' + rn(10));
			add(ss, m, len + 1);
			break;
		}
	}
	/* one longer */
	memcpy(m, s, len);
	m[len] = (char)('0' + rn(10));
	add(ss, m, len + 1);
}

static const phn_type example_types[] = {
	PHN_TYPE_FIXED_LINE, PHN_TYPE_MOBILE, PHN_TYPE_TOLL_FREE, PHN_TYPE_PREMIUM_RATE,
	PHN_TYPE_SHARED_COST, PHN_TYPE_VOIP, PHN_TYPE_PERSONAL_NUMBER, PHN_TYPE_PAGER,
	PHN_TYPE_UAN, PHN_TYPE_VOICEMAIL,
};

static size_t national_digits(const phn_number *n, char *out)
{
	size_t k = 0;
	for (int z = 0; z < n->leading_zeros && k < 20; z++)
		out[k++] = '0';
	k += (size_t)snprintf(out + k, MAXS - k, "%" PRIu64, n->national_number);
	return k;
}

static long total_strings, total_comparisons, total_patterns, total_matches;
static int mismatches_reported;

/* Every pattern of territory i against ICU. */
static void check_territory(const phn_fp_collection *c, size_t i, int scale)
{
	const phn_fp_territory *t = &c->territories[i];
	const phn_fp_compiled *ct = phn_fp_territory_compiled(i);
	const char *pat[PHN_FP_KINDS + 1];
	URegularExpression *re[PHN_FP_KINDS + 1] = { 0 };
	strset ss = { 0 };

	CHECK_MSG(ct && ct->t == t, "%s: not compiled: %s", t->id, phn_error_last());
	if (!ct)
		return;
	CHECK_MSG(ct->dfa != NULL, "%s (+%d): a pattern did not compile", t->id, t->country_code);
	if (!ct->dfa)
		return;
	for (int k = 0; k < PHN_FP_KINDS; k++)
		pat[k] = t->desc[k].pattern;
	pat[PHN_FP_BIT_LEADING] = t->leading_digits;
	for (int k = 0; k <= PHN_FP_KINDS; k++) {
		if (!*pat[k])
			continue;
		total_patterns++;
		re[k] = icu_open(pat[k]);
		CHECK_MSG(re[k] != NULL, "%s: ICU does not compile pattern %d", t->id, k);
		/* every pattern compiles on its own too */
		phn_fp_dfa *one = NULL;
		int prefix = k == PHN_FP_BIT_LEADING;
		int rc = phn_fp_dfa_compile(&one, &pat[k], &prefix, 1);
		CHECK_MSG(rc == PHN_OK, "%s pattern %d: %s", t->id, k, phn_error_last());
		phn_fp_dfa_free(one);
	}

	/* example numbers */
	if (strcmp(t->id, "001") == 0) {
		phn_number n = PHN_NUMBER_INIT;
		if (phn_number_example_non_geo(&n, t->country_code) == PHN_OK) {
			char d[MAXS];
			size_t len = national_digits(&n, d);
			add_around(&ss, d, len, scale);
		}
	} else {
		for (size_t k = 0; k < sizeof example_types / sizeof *example_types; k++) {
			phn_number n = PHN_NUMBER_INIT;
			if (phn_number_example(&n, t->id, example_types[k]) != PHN_OK)
				continue;
			if (n.country_code != t->country_code)
				continue;
			char d[MAXS];
			size_t len = national_digits(&n, d);
			add_around(&ss, d, len, scale);
		}
	}
	/* members of each pattern, and around them */
	for (int k = 0; k <= PHN_FP_KINDS; k++) {
		if (!*pat[k])
			continue;
		for (int r = 0; r < 8 * scale; r++) {
			gen g = { .n = 0 };
			gen_range(&g, pat[k], 0, strlen(pat[k]));
			add_around(&ss, g.s, g.n, scale);
		}
	}
	/* random strings of every length */
	for (size_t len = 0; len <= 17; len++) {
		for (int r = 0; r < 2 * scale; r++) {
			char d[MAXS];
			for (size_t j = 0; j < len; j++)
				d[j] = (char)('0' + rn(10));
			add(&ss, d, len);
		}
	}

	for (size_t s = 0; s < ss.n; s++) {
		const char *str = ss.s[s];
		size_t len = strlen(str);
		uint32_t got = phn_fp_dfa_match(ct->dfa, str, len);
		total_strings++;
		for (int k = 0; k <= PHN_FP_KINDS; k++) {
			int want = 0;
			if (re[k]) {
				want = icu_match(re[k], str, len, k == PHN_FP_BIT_LEADING);
				total_comparisons++;
				total_matches += want == 1;
			}
			int have = (got >> k) & 1;
			if (have != want) {
				check_failures++;
				if (mismatches_reported++ < 20)
					fprintf(stderr, "%s pattern %d on '%s': DFA %d, ICU %d (%s)\n", t->id,
						k, str, have, want, pat[k]);
			}
		}
		check_count++;
	}
	CHECK_MSG((phn_fp_dfa_match(ct->dfa, "12a", 3) & 0xfff) == 0, "%s: non-digit", t->id);
	for (int k = 0; k <= PHN_FP_KINDS; k++) {
		if (re[k])
			uregex_close(re[k]);
	}
	free(ss.s);
}

/* ---- random patterns of the whole subset against ICU ------------------------------ */

static void rpat(char *out, size_t *n, size_t cap, int depth);

static void emit(char *out, size_t *n, size_t cap, const char *s)
{
	size_t l = strlen(s);
	if (*n + l < cap) {
		memcpy(out + *n, s, l);
		*n += l;
		out[*n] = '\0';
	}
}

static void ratom(char *out, size_t *n, size_t cap, int depth)
{
	char b[16];
	switch (rn(depth < 2 ? 6 : 4)) {
	case 0:
	case 1:
		snprintf(b, sizeof b, "%u", rn(4));
		emit(out, n, cap, b);
		break;
	case 2:
		emit(out, n, cap, "\\d");
		break;
	case 3: {
		emit(out, n, cap, rn(5) == 0 ? "[^" : "[");
		int items = 1 + (int)rn(3);
		for (int i = 0; i < items; i++) {
			unsigned lo = rn(4);
			if (rn(2))
				snprintf(b, sizeof b, "%u-%u", lo, lo + rn(4 - lo));
			else
				snprintf(b, sizeof b, "%u", lo);
			emit(out, n, cap, b);
		}
		emit(out, n, cap, "]");
		break;
	}
	default:
		emit(out, n, cap, rn(3) == 0 ? "(" : "(?:");
		rpat(out, n, cap, depth + 1);
		emit(out, n, cap, ")");
		break;
	}
	char q[16] = "";
	switch (rn(10)) {
	case 0: strcpy(q, "?"); break;
	case 1: strcpy(q, "*"); break;
	case 2: strcpy(q, "+"); break;
	case 3: snprintf(q, sizeof q, "{%u}", rn(4)); break;
	case 4: { unsigned lo = rn(3); snprintf(q, sizeof q, "{%u,%u}", lo, lo + rn(3)); break; }
	case 5: snprintf(q, sizeof q, "{%u,}", rn(3)); break;
	default: break;
	}
	emit(out, n, cap, q);
}

static void rpat(char *out, size_t *n, size_t cap, int depth)
{
	int alts = rn(3) == 0 ? 2 + (int)rn(2) : 1;
	for (int a = 0; a < alts; a++) {
		if (a)
			emit(out, n, cap, "|");
		int items = (int)rn(4) + (rn(8) ? 1 : 0);
		for (int i = 0; i < items; i++)
			ratom(out, n, cap, depth);
	}
}

static void check_random_patterns(int count)
{
	long compared = 0;
	for (int r = 0; r < count; r++) {
		char p[400];
		size_t n = 0;
		p[0] = '\0';
		rpat(p, &n, sizeof p, 0);
		if (n == 0 || n > 80)
			continue; /* ICU refuses ""; long ones make DFAs too big to be quick */
		URegularExpression *re = icu_open(p);
		const char *pats[2] = { p, p };
		int prefix[2] = { 0, 1 };
		phn_fp_dfa *dfa = NULL;
		int rc = phn_fp_dfa_compile(&dfa, pats, prefix, 2);
		CHECK_MSG(re != NULL && rc == PHN_OK, "random pattern '%s': ICU %s, DFA %d (%s)", p,
			  re ? "ok" : "refuses", rc, rc ? phn_error_last() : "");
		if (!re || rc != PHN_OK) {
			if (re)
				uregex_close(re);
			phn_fp_dfa_free(dfa);
			continue;
		}
		for (int s = 0; s < 60; s++) {
			char d[16];
			size_t len = rn(9);
			for (size_t j = 0; j < len; j++)
				d[j] = (char)('0' + (rn(5) ? rn(4) : rn(10)));
			uint32_t got = phn_fp_dfa_match(dfa, d, len);
			int full = icu_match(re, d, len, 0), pre = icu_match(re, d, len, 1);
			compared += 2;
			if ((int)(got & 1) != full || (int)((got >> 1) & 1) != pre) {
				check_failures++;
				if (mismatches_reported++ < 20)
					fprintf(stderr, "random pattern '%s' on '%.*s': DFA full %d prefix %d, "
						"ICU %d %d\n", p, (int)len, d, (int)(got & 1),
						(int)((got >> 1) & 1), full, pre);
			}
			check_count++;
		}
		uregex_close(re);
		phn_fp_dfa_free(dfa);
	}
	printf("random patterns: %d, %ld comparisons with ICU\n", count, compared);
}

/* ---- patterns outside the subset ---------------------------------------------------- */

static void check_refusals(void)
{
	static const char *const bad[] = {
		"a", "^1", "1$", ".", "\\w", "\\D", "\\1", "\\", "[a]", "[1-]", "[2-1]", "[", "[]",
		"[1", "[[1]]", "[1&&2]", "[\\w]", "(?=1)", "(?!1)", "(?i)1", "(?<n>1)", "(1", "1)",
		"((1)", "1{3,2}", "1{", "1{a}", "1{1000}", "1{2", "1{,2}", "1**", "1*?", "1++", "1??",
		"1{2}?", "*1", "+", "?", "|*", "1 2", "\\p{Nd}", "1\n", "(?:", "(?", "((((((((((",
		"1{2}{3}", "\xc3\xa9",
		/* too large, refused quickly rather than compiled for minutes */
		"(?:(?:(?:(?:(?:\\d{100}){100}){100}){100}){100}){100}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		phn_fp_dfa *dfa = (phn_fp_dfa *)1;
		int prefix = 0;
		int rc = phn_fp_dfa_compile(&dfa, &bad[i], &prefix, 1);
		CHECK_MSG(rc == PHN_EINVAL && dfa == NULL, "'%s' gave %d", bad[i], rc);
		const char *m = phn_error_last();
		CHECK_MSG(m && strstr(m, "pattern 0") != NULL, "'%s': message '%s'", bad[i],
			  m ? m : "(none)");
	}
	/* a DFA that would blow up (2^20 states) is refused; a long one is fine */
	static const char *const big[] = { "[01]*1[01]{20}", "(?:\\d{100}){10}" };
	for (size_t i = 0; i < 2; i++) {
		phn_fp_dfa *dfa = NULL;
		int prefix = 0;
		double t0 = now();
		int rc = phn_fp_dfa_compile(&dfa, &big[i], &prefix, 1);
		CHECK_MSG(rc == (i ? PHN_OK : PHN_EINVAL), "'%s' gave %d (%s)", big[i], rc,
			  phn_error_last());
		CHECK_MSG(now() - t0 < 10.0, "'%s' took %.1f s", big[i], now() - t0);
		if (i && dfa) {
			char d[1001];
			memset(d, '7', sizeof d);
			CHECK_INT(phn_fp_dfa_match(dfa, d, 1000), 1);
			CHECK_INT(phn_fp_dfa_match(dfa, d, 1001), 0);
		}
		phn_fp_dfa_free(dfa);
	}
	/* the empty and the NULL pattern never match */
	const char *none[3] = { "", NULL, "1?" };
	int prefix[3] = { 1, 0, 0 };
	phn_fp_dfa *dfa = NULL;
	CHECK_INT(phn_fp_dfa_compile(&dfa, none, prefix, 3), PHN_OK);
	if (dfa) {
		CHECK_INT(phn_fp_dfa_match(dfa, "", 0), 4);
		CHECK_INT(phn_fp_dfa_match(dfa, "1", 1), 4);
		CHECK_INT(phn_fp_dfa_match(dfa, "12", 2), 0);
		phn_fp_dfa_free(dfa);
	}
	CHECK_INT(phn_fp_dfa_compile(&dfa, none, prefix, PHN_FP_DFA_MAX_PATTERNS + 1), PHN_EINVAL);
	phn_fp_dfa_free(NULL);
	/* a prefix bit stays once set; full and prefix at once */
	const char *two[2] = { "12", "12" };
	int pf[2] = { 0, 1 };
	CHECK_INT(phn_fp_dfa_compile(&dfa, two, pf, 2), PHN_OK);
	if (dfa) {
		CHECK_INT(phn_fp_dfa_match(dfa, "1", 1), 0);
		CHECK_INT(phn_fp_dfa_match(dfa, "12", 2), 3);
		CHECK_INT(phn_fp_dfa_match(dfa, "123", 3), 2);
		CHECK_INT(phn_fp_dfa_match(dfa, "1234567890123", 13), 2);
		CHECK(phn_fp_dfa_states(dfa) > 0 && phn_fp_dfa_bytes(dfa) > 0);
		phn_fp_dfa_free(dfa);
	}
}

/* ---- the collection ----------------------------------------------------------------- */

static int territory_of(const phn_fp_collection *c, const char *r)
{
	return c->by_region[(r[0] - 'A') * 26 + (r[1] - 'A')];
}

static void check_collection(const phn_fp_collection *c, const char *expect)
{
	phn_metadata_source want = strcmp(expect, "system") == 0 ? PHN_METADATA_SYSTEM
								 : PHN_METADATA_BUNDLED;
	CHECK_INT(c->source, want);
	CHECK(c->count > 200 && c->count < 400);
	CHECK(c->system_fingerprint != 0 && c->system_size > 100000);
	if (want == PHN_METADATA_SYSTEM)
		CHECK(c->fingerprint == c->system_fingerprint);
	else
		CHECK(c->fingerprint != c->system_fingerprint);
	CHECK_STR(c->upstream_version, phn_metadata_version());

	/* Every region phonenorm knows is there, with its calling code. */
	const char *const *regions;
	size_t nr;
	if (phn_region_list(&regions, &nr) == PHN_OK) {
		for (size_t i = 0; i < nr; i++) {
			int ti = territory_of(c, regions[i]);
			CHECK_MSG(ti >= 0 && c->territories[ti].country_code ==
						     phn_region_country_code(regions[i]),
				  "region %s", regions[i]);
		}
	}
	/* The shared codes, main country first. */
	CHECK_INT(c->by_code_start[1000], c->by_code_start[1000]);
	uint32_t b1 = c->by_code_start[1], e1 = c->by_code_start[2];
	CHECK(e1 - b1 >= 20);
	CHECK_STR(c->territories[c->by_code[b1]].id, "US");
	CHECK_STR(c->territories[c->by_code[c->by_code_start[7]]].id, "RU");
	CHECK_STR(c->territories[c->by_code[c->by_code_start[44]]].id, "GB");
	CHECK_STR(c->territories[c->by_code[c->by_code_start[966]]].id, "SA");
	CHECK_INT(c->by_code_start[967] - c->by_code_start[966], 1);
	CHECK_STR(c->territories[c->by_code[c->by_code_start[800]]].id, "001");
	CHECK_INT(c->by_code_start[0], 0);
	for (int cc = 0; cc < 1000; cc++) {
		for (uint32_t k = c->by_code_start[cc]; k < c->by_code_start[cc + 1]; k++) {
			const phn_fp_territory *t = &c->territories[c->by_code[k]];
			CHECK_MSG(t->country_code == cc, "+%d lists %s", cc, t->id);
			/* the main country first, the rest in metadata order */
			if (k > c->by_code_start[cc] + 1)
				CHECK_MSG(c->by_code[k] > c->by_code[k - 1], "+%d order", cc);
			if (k == c->by_code_start[cc] && c->by_code_start[cc + 1] - k > 1)
				CHECK_MSG(t->main_country_for_code, "+%d: %s first", cc, t->id);
		}
	}
	const phn_fp_territory *sa = &c->territories[territory_of(c, "SA")];
	CHECK_STR(sa->international_prefix, "00");
	CHECK_STR(sa->national_prefix, "0");
	CHECK(sa->desc[PHN_FP_MOBILE].present && *sa->desc[PHN_FP_MOBILE].pattern);
	CHECK(sa->desc[PHN_FP_MOBILE].lengths & (1u << 9));
	printf("collection: %s %s, %zu territories, fingerprint %016" PRIx64
	       ", libphonenumber's own %016" PRIx64 " (%zu bytes)\n",
	       phn_metadata_source_name(c->source), c->upstream_version, c->count, c->fingerprint,
	       c->system_fingerprint, c->system_size);
}

/* ---- a cold start under threads ------------------------------------------------------- */

typedef struct tharg {
	const phn_fp_collection *c;
	int id;
	const phn_fp_compiled **got;
} tharg;

static void *compile_thread(void *p)
{
	tharg *a = p;
	size_t n = a->c->count;
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * (size_t)(2 * a->id + 1) + (size_t)a->id * 37) % n;
		a->got[i] = phn_fp_territory_compiled(i);
	}
	return NULL;
}

static void check_threads(const phn_fp_collection *c)
{
	enum { T = 8 };
	pthread_t th[T];
	tharg args[T];
	for (int i = 0; i < T; i++) {
		args[i] = (tharg){ c, i, calloc(c->count, sizeof(const phn_fp_compiled *)) };
		pthread_create(&th[i], NULL, compile_thread, &args[i]);
	}
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	int compiled;
	phn_fp_compile_stats(&compiled, NULL, NULL);
	CHECK_INT(compiled, c->count);
	for (size_t k = 0; k < c->count; k++) {
		for (int i = 0; i < T; i++)
			CHECK_MSG(args[i].got[k] && args[i].got[k] == args[0].got[k], "territory %zu", k);
	}
	for (int i = 0; i < T; i++)
		free(args[i].got);
}

/* ---- figures ------------------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int figures(void)
{
	const phn_fp_collection *c;
	double t0 = now();
	phn_metadata_version(); /* libphonenumber built, the self-check run */
	double t_check = now() - t0;
	t0 = now();
	if (phn_shim_fp_collection(&c) != PHN_OK) {
		fprintf(stderr, "collection: %s\n", phn_error_last());
		return 1;
	}
	double t_coll = now() - t0;
	size_t plain = c->count * sizeof *c->territories + 1001 * sizeof *c->by_code_start +
		       c->by_code_start[1000] * sizeof *c->by_code + 676 * sizeof *c->by_region;
	for (size_t i = 0; i < c->count; i++) {
		const phn_fp_territory *t = &c->territories[i];
		const char *strs[] = { t->international_prefix, t->national_prefix,
				       t->national_prefix_for_parsing,
				       t->national_prefix_transform_rule, t->leading_digits };
		for (size_t k = 0; k < 5; k++)
			plain += *strs[k] ? strlen(strs[k]) + 1 : 0;
		for (int k = 0; k < PHN_FP_KINDS; k++)
			plain += *t->desc[k].pattern ? strlen(t->desc[k].pattern) + 1 : 0;
	}
	printf("metadata: %s %s, %zu territories; libphonenumber built and the self-check run "
	       "%.1f ms, then read as plain data %.1f ms (%zu bytes)\n",
	       phn_metadata_source_name(c->source), c->upstream_version, c->count, t_check * 1e3,
	       t_coll * 1e3, plain);

	/* lazy: the first parse of an SA number needs SA; a +1 number the 25+ NANPA ones */
	t0 = now();
	phn_fp_territory_compiled((size_t)territory_of(c, "SA"));
	double t_sa = now() - t0;
	t0 = now();
	for (uint32_t k = c->by_code_start[1]; k < c->by_code_start[2]; k++)
		phn_fp_territory_compiled(c->by_code[k]);
	double t_nanpa = now() - t0;
	printf("lazy: SA %.2f ms; all %u territories of +1 %.2f ms\n", t_sa * 1e3,
	       c->by_code_start[2] - c->by_code_start[1], t_nanpa * 1e3);

	t0 = now();
	phn_fp_compile_all();
	double t_rest = now() - t0;
	int compiled, handled;
	double sec;
	phn_fp_compile_stats(&compiled, &handled, &sec);
	printf("eager: the remaining territories %.1f ms; all: %d compiled, %.1f ms compiling; "
	       "%d handled as the default region\n",
	       t_rest * 1e3, compiled, sec * 1e3, handled);

	size_t states = 0, bytes = 0, maxs = 0, failed = 0;
	const char *maxid = "";
	double *times = calloc(c->count, sizeof *times);
	for (size_t i = 0; i < c->count; i++) {
		const phn_fp_compiled *ct = phn_fp_territory_compiled(i);
		if (!ct || !ct->dfa) {
			failed++;
			continue;
		}
		size_t s = phn_fp_dfa_states(ct->dfa);
		states += s;
		bytes += phn_fp_dfa_bytes(ct->dfa);
		if (s > maxs) {
			maxs = s;
			maxid = ct->t->id;
		}
		/* the same compile again, timed alone */
		const char *pat[PHN_FP_KINDS + 1];
		int prefix[PHN_FP_KINDS + 1] = { 0 };
		for (int k = 0; k < PHN_FP_KINDS; k++)
			pat[k] = ct->t->desc[k].pattern;
		pat[PHN_FP_BIT_LEADING] = ct->t->leading_digits;
		prefix[PHN_FP_BIT_LEADING] = 1;
		phn_fp_dfa *d;
		double t1 = now();
		phn_fp_dfa_compile(&d, pat, prefix, PHN_FP_KINDS + 1);
		times[i] = now() - t1;
		phn_fp_dfa_free(d);
	}
	qsort(times, c->count, sizeof *times, cmp_d);
	double sum = 0;
	for (size_t i = 0; i < c->count; i++)
		sum += times[i];
	printf("DFAs: %zu states in all (largest %zu, %s), %zu bytes (%.2f MB), %zu failed\n",
	       states, maxs, maxid, bytes, (double)bytes / 1048576.0, failed);
	printf("per territory: median %.2f ms, p90 %.2f ms, max %.2f ms, sum %.1f ms\n",
	       times[c->count / 2] * 1e3, times[c->count * 9 / 10] * 1e3,
	       times[c->count - 1] * 1e3, sum * 1e3);
	free(times);

	/* match speed: SA, 9 random digits starting with 5 */
	const phn_fp_compiled *sa = phn_fp_territory_compiled((size_t)territory_of(c, "SA"));
	enum { N = 1000000 };
	static char buf[N][9];
	for (size_t i = 0; i < N; i++) {
		buf[i][0] = '5';
		for (int j = 1; j < 9; j++)
			buf[i][j] = (char)('0' + rn(10));
	}
	uint32_t acc = 0;
	t0 = now();
	for (size_t i = 0; i < N; i++)
		acc += phn_fp_dfa_match(sa->dfa, buf[i], 9);
	double t_m = now() - t0;
	printf("match: %.1f ns per 9-digit SA number (all 12 patterns at once; checksum %u)\n",
	       t_m / N * 1e9, acc);
	/* the same 12 decisions by ICU, as libphonenumber makes them */
	URegularExpression *re[PHN_FP_KINDS + 1] = { 0 };
	int present = 0;
	for (int k = 0; k < PHN_FP_KINDS; k++) {
		re[k] = *sa->t->desc[k].pattern ? icu_open(sa->t->desc[k].pattern) : NULL;
		present += re[k] != NULL;
	}
	enum { NI = 20000 };
	t0 = now();
	for (size_t i = 0; i < NI; i++) {
		for (int k = 0; k < PHN_FP_KINDS; k++)
			acc += re[k] ? (uint32_t)icu_match(re[k], buf[i], 9, 0) : 0;
	}
	t_m = now() - t0;
	printf("ICU: %.0f ns for the same number's %d patterns (those SA has), one by one\n",
	       t_m / NI * 1e9, present);
	for (int k = 0; k < PHN_FP_KINDS; k++) {
		if (re[k])
			uregex_close(re[k]);
	}
	/* what lazy compilation costs every lookup once compiled */
	size_t sai = (size_t)territory_of(c, "SA");
	uintptr_t sum_p = 0;
	t0 = now();
	for (size_t i = 0; i < N; i++)
		sum_p += (uintptr_t)phn_fp_territory_compiled(sai + (i & 1));
	t_m = now() - t0;
	printf("lookup of a compiled territory: %.1f ns (checksum %u)\n", t_m / N * 1e9,
	       (unsigned)(sum_p & 0xffff));
	return 0;
}

int main(int argc, char **argv)
{
	const char *expect = NULL;
	int scale = 2;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--figures") == 0)
			return figures();
		if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			expect = argv[++i];
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			scale = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		else {
			fprintf(stderr, "usage: %s --expect bundled|system [--scale N] [--seed S] | "
				"--figures\n", argv[0]);
			return 2;
		}
	}
	if (!expect || scale < 1) {
		fprintf(stderr, "--expect bundled|system is required\n");
		return 2;
	}

	const phn_fp_collection *c;
	if (phn_shim_fp_collection(&c) != PHN_OK) {
		fprintf(stderr, "the collection: %s\n", phn_error_last());
		return 1;
	}
	check_threads(c); /* first: from a cold start */
	check_collection(c, expect);
	check_refusals();
	check_random_patterns(400 * scale);

	int compiled, handled;
	phn_fp_compile_stats(&compiled, &handled, NULL);
	for (size_t i = 0; i < c->count; i++)
		check_territory(c, i, scale);
	printf("territories: %zu (%d handled as the default region), %ld patterns, %ld strings, "
	       "%ld comparisons with ICU (%ld matches)\n",
	       c->count, handled, total_patterns, total_strings, total_comparisons, total_matches);
	return check_report();
}
