/*
 * Fuzz target for calling windows: the --window/--days parsers
 * (phn_call_window_parse), the formatter, phn_call_window_limit and
 * phn_call_window_check with random zones and instants.
 *
 * Input: byte 0 flags, bytes 1-8 an instant (big endian), byte 9 the
 * number of zones (1-4, from the table below, which holds the oddest DST
 * rules tzdata has and names ICU does not know), then one byte per zone,
 * then "HOURS\nDAYS" (a missing part is NULL).
 *
 * Properties: a parse fails with PHN_EINVAL, a message naming the option
 * and *w unchanged, or gives 0 <= start < end <= 1440 and 1 <= days <=
 * 0x7f that format and parse back to the same window; limit for US stays
 * inside 08:00-21:00 or fails leaving *w alone; check fails only with
 * PHN_ENOTFOUND for an unknown zone, otherwise its answer matches an
 * independent reading of every zone's wall clock through ICU: the state
 * at now is `open`, change_ms is 0 or in (now, now + 14 days], the state
 * at change_ms differs, and it is still `open` at change_ms - 1 and
 * halfway.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>

#include <phonenorm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zone_table[] = {
	"Asia/Riyadh", "America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
	"America/Boise", "America/Phoenix", "Australia/Lord_Howe", "America/Santiago",
	"Pacific/Chatham", "Asia/Kathmandu", "Asia/Tehran", "Africa/Casablanca",
	"Europe/Dublin", "Antarctica/Troll", "Asia/Beirut", "America/Havana",
	"Pacific/Apia", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns",
	"Europe/London", "Asia/Gaza", "America/Asuncion", "Pacific/Guam",
	"Pacific/Pago_Pago", "Mars/Olympus_Mons", "America/Ciudad_Juarez", "",
};
#define NZONES (sizeof(zone_table) / sizeof(zone_table[0]))

#define DAY_MS 86400000LL
#define T2000 946684800000LL
#define T2040 2208988800000LL

/* Open at t in every zone, read independently of the library: 1 or 0. */
static int wall_open(const phn_call_window *w, const char *const *zones, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++) {
		UChar id[64];
		UErrorCode st = U_ZERO_ERROR;
		UCalendar *cal;
		int dow, minute;
		size_t k;

		for (k = 0; zones[i][k] && k < 63; k++)
			id[k] = (UChar)zones[i][k];
		id[k] = 0;
		cal = ucal_open(id, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
		ucal_setMillis(cal, (UDate)t, &st);
		dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &st) - UCAL_SUNDAY;
		minute = ucal_get(cal, UCAL_HOUR_OF_DAY, &st) * 60 + ucal_get(cal, UCAL_MINUTE, &st);
		ucal_close(cal);
		if (U_FAILURE(st))
			abort();
		if (!(w->days & (1u << dow)) || minute < w->start_minute || minute >= w->end_minute)
			return 0;
	}
	return 1;
}

static void check_parse(phn_call_window *w, const char *hours, const char *days)
{
	phn_call_window before = *w, again = PHN_CALL_WINDOW_INIT;
	char text[64], *space;
	int rc = phn_call_window_parse(w, hours, days);

	if (rc != PHN_OK) {
		const char *msg = phn_error_last();

		if (rc != PHN_EINVAL || memcmp(w, &before, sizeof(*w)) != 0 ||
		    (strncmp(msg, "--window '", 10) != 0 && strncmp(msg, "--days '", 8) != 0))
			abort();
		return;
	}
	if (w->start_minute < 0 || w->start_minute >= w->end_minute || w->end_minute > 1440 ||
	    w->days == 0 || w->days > PHN_CALL_DAYS_ALL)
		abort();
	if (phn_call_window_format(text, sizeof(text), NULL, w) != PHN_OK)
		abort();
	space = strchr(text, ' ');
	if (!space)
		abort();
	*space = '\0';
	if (phn_call_window_parse(&again, text, space + 1) != PHN_OK ||
	    memcmp(&again, w, sizeof(again)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT, lim;
	const char *zones[4];
	char *text, *nl, *hours = NULL, *days = NULL;
	uint64_t raw = 0;
	int64_t now, change = -1, span;
	size_t nz, i;
	int open = -1, rc, unknown = 0;

	if (size < 10)
		return 0;
	for (i = 1; i <= 8; i++)
		raw = raw << 8 | data[i];
	/* Mostly this century; flag bit 0 roams the whole accepted range. */
	span = (data[0] & 1) ? 32503680000000LL + 2208988800000LL : T2040 - T2000;
	now = ((data[0] & 1) ? -2208988800000LL : T2000) + (int64_t)(raw % (uint64_t)span);
	nz = 1 + data[9] % 4;
	if (size < 10 + nz)
		return 0;
	for (i = 0; i < nz; i++) {
		zones[i] = zone_table[data[10 + i] % NZONES];
		unknown |= !phn_timezone_known(zones[i]);
	}
	data += 10 + nz;
	size -= 10 + nz;
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		days = nl + 1;
	}
	if (text[0])
		hours = text;
	if (days && !days[0])
		days = NULL;

	check_parse(&w, hours, days);

	lim = w;
	rc = phn_call_window_limit(&lim, "US");
	if (rc == PHN_OK) {
		if (lim.start_minute < 480 || lim.end_minute > 1260 || lim.start_minute >= lim.end_minute)
			abort();
	} else if (rc != PHN_EINVAL || memcmp(&lim, &w, sizeof(w)) != 0) {
		abort();
	}

	rc = phn_call_window_check(&open, &change, &w, zones, nz, now);
	if (unknown) {
		if (rc != PHN_ENOTFOUND || open != 0 || change != 0)
			abort();
		free(text);
		return 0;
	}
	if (rc != PHN_OK || (open != 0 && open != 1))
		abort();
	if (wall_open(&w, zones, nz, now) != open)
		abort();
	if (change != 0) {
		if (change <= now || change > now + 14 * DAY_MS)
			abort();
		if (wall_open(&w, zones, nz, change) == open)
			abort();
		if (wall_open(&w, zones, nz, change - 1) != open ||
		    wall_open(&w, zones, nz, now + (change - now) / 2) != open)
			abort();
	}
	free(text);
	return 0;
}
