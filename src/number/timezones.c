#include "phonenorm/number.h"

#include <stdio.h>
#include <string.h>

#include "number/timezones_data.h"
#include "text/error.h"

/*
 * libphonenumber's PhoneNumberToTimeZonesMapper.getTimeZonesForNumber(),
 * on the table generated from data/timezones/map_data.txt at build time:
 * no file is read and nothing is initialised at run time, so any thread may
 * call it at any moment.
 */

static const char *const no_zones[] = { NULL };

/* PhoneNumberUtil's GEO_MOBILE_COUNTRIES: calling codes whose mobile
 * numbers are geographically assigned (Mexico, Argentina, Brazil,
 * Indonesia, China). The same set as libphonenumber 8.12 and 9.0. */
static int geo_mobile_country(int cc)
{
	return cc == 52 || cc == 54 || cc == 55 || cc == 62 || cc == 86;
}

/* PhoneNumberUtil.isNumberGeographical(type, country code). */
static int is_geographical(phn_type type, int cc)
{
	return type == PHN_TYPE_FIXED_LINE || type == PHN_TYPE_FIXED_LINE_OR_MOBILE ||
	       (type == PHN_TYPE_MOBILE && geo_mobile_country(cc));
}

/* The row of the longest prefix of digits, or NULL (PhonePrefixMap.lookup). */
static const phn_tz_row *longest_prefix(const char *digits)
{
	size_t n = strlen(digits), len;

	if (n > phn_tz_prefix_max)
		n = phn_tz_prefix_max;
	for (len = n; len > 0; len--) {
		size_t lo = 0, hi = phn_tz_row_count;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strncmp(phn_tz_rows[mid].prefix, digits, len);

			if (c == 0 && phn_tz_rows[mid].prefix[len] != '\0')
				c = 1; /* longer than len: sorts after the exact prefix */
			if (c == 0)
				return &phn_tz_rows[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

int phn_country_timezones(const char *const **zones, size_t *count, int country_code)
{
	const phn_tz_row *row;
	char cc[12];

	if (!zones || !count)
		return phn_error_set(PHN_EINVAL, "phn_country_timezones: NULL %s",
				     zones ? "count" : "zones");
	*zones = no_zones;
	*count = 0;
	if (country_code <= 0 || country_code > 999)
		return phn_error_set(PHN_EINVAL, "phn_country_timezones: country code %d is not "
				     "1 to 999", country_code);
	snprintf(cc, sizeof(cc), "%d", country_code);
	row = longest_prefix(cc);
	if (row) {
		*zones = row->zones;
		*count = row->count;
	}
	return PHN_OK;
}

int phn_number_timezones(const char *const **zones, size_t *count, const phn_number *num)
{
	const phn_tz_row *row;
	char cc[12];
	int rc;

	if (!zones || !count)
		return phn_error_set(PHN_EINVAL, "phn_number_timezones: NULL %s",
				     zones ? "count" : "zones");
	*zones = no_zones;
	*count = 0;
	rc = phn_error_check_version(num, num ? num->version : 0, PHN_NUMBER_VERSION,
				     "phn_number");
	if (rc != PHN_OK)
		return rc;
	/* getNumberType() is UNKNOWN for every number that is not valid, and
	 * phn_number's type is UNKNOWN unless its status is VALID. */
	if (num->type == PHN_TYPE_UNKNOWN || num->status != PHN_STATUS_VALID ||
	    num->e164[0] != '+')
		return PHN_OK;
	if (is_geographical(num->type, num->country_code)) {
		row = longest_prefix(num->e164 + 1);
	} else {
		snprintf(cc, sizeof(cc), "%d", num->country_code);
		row = longest_prefix(cc);
	}
	if (row) {
		*zones = row->zones;
		*count = row->count;
	}
	return PHN_OK;
}
