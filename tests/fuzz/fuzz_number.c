/*
 * Fuzz target for the number API. The first byte picks a region: every
 * region libphonenumber knows, plus junk (NULL, "", lower case, "001",
 * three letters, an unknown code); the rest is the text. Properties:
 *   - errors leave a reset result; a number has a well-formed E.164;
 *   - for a valid number, re-parsing the E.164 (and the
 *     international and RFC 3966 forms) without a region gives the same
 *     key, country code and E.164; a valid number's national form,
 *     re-parsed in its region and formatted again, is the same text;
 *   - every format is whole or PHN_EBUFS with its size;
 *   - phn_number_parse_batch over the input's lines, with 1 and 2
 *     threads, gives exactly what phn_number_parse_n gives line by line.
 *
 * Under ctest the replay driver (replay.c) runs the corpus with any
 * compiler; tests/fuzz/run_fuzzers.sh builds it with libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>
#include "same_number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const junk[] = { NULL, "", "sa", "us", "001", "ZZ", "XX", "SAU", "S", "zz" };

static char known[26 * 26][3];
static size_t nknown;

static void load_regions(void)
{
	if (nknown)
		return;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			char r[3] = { a, b, '\0' };

			if (phn_region_is_known(r))
				memcpy(known[nknown++], r, 3);
		}
	if (!nknown)
		abort();
}

static const char *pick_region(uint8_t b)
{
	size_t n = sizeof junk / sizeof junk[0];

	return b < n ? junk[b] : known[(b - n) % nknown];
}

/* A re-parse of the E.164 keeps the number's identity (key, code, E.164). */
static void same_identity(const phn_number *a, const phn_number *b)
{
	if (a->key != b->key || a->country_code != b->country_code || strcmp(a->e164, b->e164) != 0) {
		fprintf(stderr, "re-parse differs: %s key %llu -> %s key %llu\n", a->e164,
			(unsigned long long)a->key, b->e164, (unsigned long long)b->key);
		abort();
	}
}

static void reparse(const phn_number *num, const char *text, const char *region)
{
	phn_number again = PHN_NUMBER_INIT;

	if (phn_number_parse(&again, text, region) != PHN_OK)
		abort();
	same_identity(num, &again);
}

static void check_number(const phn_number *num, const char *region, int rc)
{
	phn_info info = PHN_INFO_INIT;
	char buf[256], small[4];
	size_t needed;

	if (rc != PHN_OK) {
		/* Errors leave a reset result behind. */
		if (num->e164[0] || num->key)
			abort();
		return;
	}
	if (!num->e164[0]) {
		if (num->key || num->country_code)
			abort();
		return;
	}
	if (num->e164[0] != '+' || strlen(num->e164) > PHN_E164_MAX || strlen(num->e164) < 2)
		abort();
	for (const char *p = num->e164 + 1; *p; p++)
		if (*p < '0' || *p > '9')
			abort();
	/* The key is the E.164 digits read as one integer, when it is set. */
	if (num->key) {
		char k[32];

		snprintf(k, sizeof k, "+%llu", (unsigned long long)num->key);
		if (strcmp(k, num->e164) != 0)
			abort();
	} else if (num->status == PHN_STATUS_VALID || num->status == PHN_STATUS_POSSIBLE) {
		abort();
	}
	for (int f = PHN_FORMAT_E164; f <= PHN_FORMAT_RFC3966; f++) {
		if (phn_number_format(buf, sizeof buf, &needed, num, (phn_format)f) != PHN_OK ||
		    strlen(buf) != needed)
			abort();
		rc = phn_number_format(small, sizeof small, &needed, num, (phn_format)f);
		if ((needed < sizeof small) != (rc == PHN_OK) || (rc != PHN_OK && rc != PHN_EBUFS))
			abort();
	}
	if (phn_number_format(buf, sizeof buf, NULL, num, PHN_FORMAT_E164) != PHN_OK ||
	    strcmp(buf, num->e164) != 0)
		abort();
	/*
	 * Only valid numbers promise a stable E.164: libphonenumber reads
	 * "+1111101301234" (too long) back as +1 111101301234, dropping a
	 * national prefix 1 (corpus: number/crash_too_long_nanp), and the
	 * possible-only "+8200 1234 5678" is +82012345678, which reads back as
	 * +8212345678 (number/crash_possible_kr).
	 */
	if (num->status == PHN_STATUS_VALID) {
		reparse(num, num->e164, NULL);
		phn_number_format(buf, sizeof buf, NULL, num, PHN_FORMAT_INTERNATIONAL);
		reparse(num, buf, NULL);
		phn_number_format(buf, sizeof buf, NULL, num, PHN_FORMAT_RFC3966);
		if (strncmp(buf, "tel:", 4) != 0)
			abort();
		reparse(num, buf + 4, NULL);
	}
	if (num->status == PHN_STATUS_VALID && phn_region_is_known(num->region)) {
		/*
		 * The national form need not give the number back: libphonenumber
		 * writes Gabon's old 7-digit +241 3945678 as "03 94 56 78", which is
		 * the valid 8-digit +241 03945678 (corpus: number/crash_ga_national).
		 * What holds is that the national form is a fixed point.
		 */
		phn_number again = PHN_NUMBER_INIT;
		char buf2[256];

		phn_number_format(buf, sizeof buf, NULL, num, PHN_FORMAT_NATIONAL);
		if (phn_number_parse(&again, buf, num->region) != PHN_OK || !again.e164[0] ||
		    phn_number_format(buf2, sizeof buf2, NULL, &again, PHN_FORMAT_NATIONAL) != PHN_OK ||
		    strcmp(buf, buf2) != 0)
			abort();
	}
	if (phn_number_format_out_of_country(buf, sizeof buf, NULL, num, "US") != PHN_OK)
		abort();
	if (phn_number_info(&info, num, region && phn_region_is_known(region) ? region : NULL) !=
	    PHN_OK)
		abort();
	/* The description is whole or PHN_EBUFS with its size, never cut. */
	rc = phn_number_location(buf, sizeof buf, &needed, num, "en");
	if ((rc == PHN_OK && strlen(buf) != needed) ||
	    (rc == PHN_EBUFS && needed < sizeof buf) || (rc != PHN_OK && rc != PHN_EBUFS))
		abort();
}

/* The input's lines through the batch call, against one parse each. */
static void check_batch(const char *text, size_t len, const char *region)
{
	enum { MAX_LINES = 16 };
	const char *texts[MAX_LINES];
	size_t lens[MAX_LINES], n = 0, start = 0;
	phn_number single[MAX_LINES], batch[MAX_LINES];
	int rc1, rc2, rcs[MAX_LINES];

	for (size_t i = 0; i <= len && n < MAX_LINES; i++) {
		if (i == len || text[i] == '\n') {
			texts[n] = text + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		phn_number_init(&single[i], PHN_NUMBER_VERSION);
		rcs[i] = phn_number_parse_n(&single[i], texts[i], lens[i], region);
	}
	for (unsigned int threads = 1; threads <= 2; threads++) {
		for (size_t i = 0; i < n; i++)
			phn_number_init(&batch[i], PHN_NUMBER_VERSION);
		rc1 = phn_number_parse_batch(batch, texts, lens, n, region, threads);
		rc2 = region && region[0] && !phn_region_is_known(region) ? PHN_EREGION : PHN_OK;
		if (rc1 != rc2)
			abort();
		if (rc1 != PHN_OK)
			continue;
		for (size_t i = 0; i < n; i++) {
			/* Per-item failures (not UTF-8) are data: "not a number". */
			if (rcs[i] != PHN_OK && (batch[i].status != PHN_STATUS_NOT_A_NUMBER ||
						 batch[i].e164[0]))
				abort();
			if (rcs[i] == PHN_OK && !same_number(&single[i], &batch[i]))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	phn_number num = PHN_NUMBER_INIT;
	const char *region, *text;
	int rc;

	if (size < 1)
		return 0;
	load_regions();
	region = pick_region(data[0]);
	text = (const char *)data + 1;
	size--;
	rc = phn_number_parse_n(&num, text, size, region);
	/* An unknown region is an argument error (PHN_EREGION, or PHN_EINVAL
	 * when the text is not UTF-8 either). */
	if (region && region[0] && !phn_region_is_known(region) && rc != PHN_EREGION &&
	    rc != PHN_EINVAL)
		abort();
	check_number(&num, region, rc);
	check_batch(text, size, region);
	return 0;
}
