/*
 * Fuzz target for the number API: the first byte picks a region (or none),
 * the rest is the text. Parse, then every format, dial-out and info must
 * neither crash nor break their contracts.
 *
 * Build with clang -fsanitize=fuzzer,address to fuzz; under ctest the replay
 * driver (replay.c) runs the seed corpus through it with any compiler.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

static const char *const regions[] = { NULL, "SA", "US", "GB", "DE", "IN", "AE", "EG",
				       "sa", "IT", "BR", "JP", "XX", "", "zz", "FR" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	phn_number num = PHN_NUMBER_INIT;
	phn_info info = PHN_INFO_INIT;
	const char *region;
	char buf[256];
	size_t needed;
	int rc;

	if (size < 1)
		return 0;
	region = regions[data[0] % (sizeof regions / sizeof regions[0])];
	rc = phn_number_parse_n(&num, (const char *)data + 1, size - 1, region);
	if (rc != PHN_OK) {
		/* Errors leave a reset result behind. */
		if (num.e164[0] || num.key)
			abort();
		return 0;
	}
	if (!num.e164[0]) {
		if (num.key || num.country_code)
			abort();
		return 0;
	}
	if (num.e164[0] != '+' || strlen(num.e164) > PHN_E164_MAX)
		abort();
	for (int f = PHN_FORMAT_E164; f <= PHN_FORMAT_RFC3966; f++) {
		rc = phn_number_format(buf, sizeof buf, &needed, &num, (phn_format)f);
		if (rc != PHN_OK || strlen(buf) != needed)
			abort();
	}
	if (phn_number_format(buf, sizeof buf, NULL, &num, PHN_FORMAT_E164) != PHN_OK ||
	    strcmp(buf, num.e164) != 0)
		abort();
	if (phn_number_format_out_of_country(buf, sizeof buf, NULL, &num, "US") != PHN_OK)
		abort();
	rc = phn_number_info(&info, &num, region && phn_region_is_known(region) ? region : NULL);
	if (rc != PHN_OK)
		abort();
	/* The description is whole or PHN_EBUFS with its size, never cut. */
	rc = phn_number_location(buf, sizeof buf, &needed, &num, "en");
	if ((rc == PHN_OK && strlen(buf) != needed) ||
	    (rc == PHN_EBUFS && needed < sizeof buf) || (rc != PHN_OK && rc != PHN_EBUFS))
		abort();
	return 0;
}
