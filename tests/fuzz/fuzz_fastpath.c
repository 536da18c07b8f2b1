/*
 * Fuzz target for the compiled fast path (issue 12): differential against
 * libphonenumber alone. Byte 0 picks the region: below 128 one of the list
 * regions[] (NULL, territories with plain and with regular-expression
 * prefixes, shared calling codes, leading zeros), from 128 on every other
 * region phonenorm knows (alphabetical; so each region is reachable); the
 * rest is the text. For a text that
 * phn_number_parse_n() hands on at all (valid UTF-8, at most PHN_INPUT_MAX
 * characters):
 *   - phn_fp_parse() returns 0 or 1; 0 leaves *out reset;
 *   - when it returns 1, its answer equals phn_shim_parse()'s
 *     (libphonenumber alone) on EVERY field of phn_number: version, status,
 *     type, country_code, national_number, leading_zeros, key, region,
 *     e164, extension;
 *   - phn_number_parse_traced() (fast path, falling back) gives the
 *     engine's return code and every field of its answer, and says
 *     PHN_PATH_FAST exactly when phn_fp_parse() answered (FALLBACK when the
 *     fast path is on but did not, ENGINE when it is off).
 * Any other text must be refused by phn_number_parse_traced() (PHN_EINVAL
 * for bad UTF-8) or answered "too long" without asking libphonenumber.
 * A divergence prints the input as a C string literal, the region and both
 * answers, then aborts (libFuzzer keeps the input).
 *
 * The fast path must be on (libphonenumber 8.12.57, metadata identified)
 * unless PHONENORM_FASTPATH is set: a gate that silently turns it off would
 * make this target compare the engine with itself. Run it with
 * PHONENORM_METADATA=bundled (default) and =system: the fast path must agree
 * with libphonenumber on both collections.
 *
 * It reaches the number layer's internals (number/fastpath.h,
 * number/shim.h, text/text.h) through that layer's include directory and
 * links the static library: the seventh documented exception of
 * tests/layers/layers.txt. Seeds: tests/fuzz/make_fastpath_seeds.py;
 * dictionary: tests/fuzz/fastpath.dict.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "number/fastpath.h"
#include "number/shim.h"
#include "text/text.h"
#include "same_number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Byte 0 below 128: regions[b % count]. make_fastpath_seeds.py reads this
 * list (its seeds' first bytes index it): one list for both. */
static const char *const regions[] = {
	NULL, "SA", "US", "GB", "IT", "RU", "DE", "IN", "AG", "BR", "AR", "MX",
	/* shared codes, +1 islands, +7, +44 crown dependencies, +39 VA, +47/+358/+590/+599/+262 */
	"CA", "JM", "PR", "KZ", "GG", "JE", "IM", "VA", "SJ", "NO", "AX", "FI",
	"GP", "BL", "MF", "CW", "BQ", "RE", "YT",
	/* others: varied trunk / international prefixes and lengths */
	"FR", "ES", "NL", "BE", "CH", "AT", "PL", "SE", "DK", "PT", "GR", "IE",
	"TR", "IL", "AE", "EG", "QA", "KW", "BH", "OM", "JO", "LB", "IR", "IQ",
	"PK", "BD", "LK", "NP", "CN", "HK", "TW", "JP", "KR", "SG", "MY", "TH",
	"VN", "PH", "ID", "AU", "NZ", "ZA", "NG", "KE", "GH", "MA", "DZ", "TN",
	"CO", "CL", "PE", "VE", "UY", "UZ", "BY", "UA", "GA", "CI", "SN", "CM",
	/* prefixes that are regular expressions (read by a prefix DFA) */
	"LT", "KH", "UG", "TZ", "MU", "CR", "LU", "BO", "KP", "TD", "SH", "HU",
	"RO", "CZ", "EE", "LV", "GE", "AM", "AZ", "MN", "KG", "MD", "RS", "AL",
	"IS", "MC", "SM", "CY", "PA", "EC", "GT", "HN", "SV", "NI", "DO", "BS",
};

#define NREGIONS (sizeof regions / sizeof regions[0])

/* The known regions not in regions[], alphabetical. */
static char known[26 * 26][3];
static size_t nknown;
static int fast_on;
/* FUZZ_FASTPATH_STATS=1: how many inputs the fast path answered, at exit. */
static unsigned long long n_inputs, n_fast;

static void print_stats(void)
{
	fprintf(stderr, "fuzz_fastpath: %llu compared inputs, %llu answered by the fast path\n",
		n_inputs, n_fast);
}

/*
 * FUZZ_FASTPATH_SKIP=ctrl,...: skip inputs of a divergence already reported
 * (/work/notes/fpfuzz-findings.md) while its fix is pending, so a long run
 * goes on to find others. Never set under ctest.
 *   ctrl  an ASCII code point libphonenumber's UnicodeText calls not
 *         interchange-valid (U+0000-0008, 000B, 000E-001F, 007F): finding 1
 */
static int skip_ctrl;

static int skipped(const char *text, size_t len)
{
	for (size_t i = 0; skip_ctrl && i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f)
			return 1;
	}
	return 0;
}

static void setup(void)
{
	const char *skip = getenv("FUZZ_FASTPATH_SKIP");
	const char *why = "";

	if (nknown)
		return;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			char r[3] = { a, b, '\0' };

			int listed = 0;

			for (size_t i = 0; i < NREGIONS; i++)
				listed |= regions[i] && strcmp(regions[i], r) == 0;
			if (phn_region_is_known(r) && !listed)
				memcpy(known[nknown++], r, 3);
		}
	if (!nknown || nknown > 128)
		abort();
	for (size_t i = 0; i < NREGIONS; i++) {
		if (regions[i] && !phn_region_is_known(regions[i])) {
			fprintf(stderr, "fuzz_fastpath: region %s is not known\n", regions[i]);
			abort();
		}
	}
	skip_ctrl = skip && strstr(skip, "ctrl") != NULL;
	if (getenv("FUZZ_FASTPATH_STATS"))
		atexit(print_stats);
	fast_on = phn_fp_enabled(&why);
	if (!fast_on && !getenv("PHONENORM_FASTPATH")) {
		fprintf(stderr, "fuzz_fastpath: the fast path is off (%s)\n", why);
		abort();
	}
}

static const char *pick_region(uint8_t b)
{
	return b < 128 ? regions[b % NREGIONS] : known[(b - 128) % nknown];
}

/* The text as a C string literal (hex escapes end their string piece, so a
 * digit after one cannot join it). */
static void show_text(const char *text, size_t len)
{
	fputc('"', stderr);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x\" \"", c);
	}
	fputc('"', stderr);
}

static void show(const char *who, int rc, const phn_number *n)
{
	fprintf(stderr, "  %-7s rc=%d version=%u status=%s type=%s cc=%d nn=%" PRIu64
		" lz=%d key=%" PRIu64 " region='%s' e164='%s' ext='%s'\n", who, rc, n->version,
		phn_status_name(n->status), phn_type_name(n->type), n->country_code,
		n->national_number, n->leading_zeros, n->key, n->region, n->e164, n->extension);
}

static void diverge(const char *what, const char *text, size_t len, const char *region,
		    int rc1, const phn_number *got, const char *who, int rc2,
		    const phn_number *want)
{
	fprintf(stderr, "DIVERGENCE (%s): region %s%s%s text ", what, region ? "\"" : "",
		region ? region : "NULL", region ? "\"" : "");
	show_text(text, len);
	fputc('\n', stderr);
	show(who, rc1, got);
	show("engine", rc2, want);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const phn_number blank = PHN_NUMBER_INIT;
	phn_number fast = PHN_NUMBER_INIT, engine = PHN_NUMBER_INIT, traced = PHN_NUMBER_INIT;
	phn_parse_path path = PHN_PATH_ENGINE;
	const char *region, *text;
	long chars;
	int rf = 0, re, rt;

	if (size < 1)
		return 0;
	setup();
	region = pick_region(data[0]);
	text = (const char *)data + 1;
	size--;
	chars = phn_text_utf8_count(text, size);
	rt = phn_number_parse_traced(&traced, text, size, region, &path);
	if (chars < 0) {
		if (rt != PHN_EINVAL || !same_number(&traced, &blank))
			abort();
		return 0;
	}
	if (chars > PHN_INPUT_MAX) {
		if (rt != PHN_OK || traced.status != PHN_STATUS_TOO_LONG || traced.e164[0])
			abort();
		return 0;
	}
	if (skipped(text, size))
		return 0;

	if (fast_on) {
		rf = phn_fp_parse(&fast, text, size, region);
		if (rf != 0 && rf != 1) {
			fprintf(stderr, "phn_fp_parse returned %d: %s\n", rf, phn_error_last());
			abort();
		}
		if (rf == 0 && !same_number(&fast, &blank))
			diverge("declined but not reset", text, size, region, rf, &fast, "fast",
				0, &blank);
	}
	re = phn_shim_parse(&engine, text, size, region);
	n_inputs++;
	n_fast += rf == 1;
	if (rf == 1 && (re != PHN_OK || !same_number(&fast, &engine)))
		diverge("phn_fp_parse", text, size, region, rf, &fast, "fast", re, &engine);
	if (rt != re || !same_number(&traced, &engine))
		diverge("phn_number_parse_traced", text, size, region, rt, &traced, "traced", re,
			&engine);
	if (path != (!fast_on ? PHN_PATH_ENGINE : rf == 1 ? PHN_PATH_FAST : PHN_PATH_FALLBACK))
		diverge("path", text, size, region, (int)path, &traced, "traced", rf, &engine);
	return 0;
}
