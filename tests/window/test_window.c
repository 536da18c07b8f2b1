/*
 * Tests of the calling-window API (campaign.h) on the real ICU: every
 * instant is explicit (no clock is read), every expectation an exact UTC
 * instant worked out from the 2026 US DST changes (Mar 8 and Nov 1).
 *
 * usage: test_window
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <phonenorm.h>

#include "check.h"

/* "2026-03-08T07:00Z" (UTC) -> epoch ms. */
static int64_t ms(const char *iso)
{
	struct tm tm;
	int y, mo, d, h, mi;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%d-%d-%dT%d:%dZ", &y, &mo, &d, &h, &mi) != 5) {
		fprintf(stderr, "bad instant %s\n", iso);
		return 0;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

static void iso(char out[32], int64_t t)
{
	time_t s = (time_t)(t / 1000);
	struct tm tm;

	if (t == 0) {
		strcpy(out, "0");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%MZ", &tm);
}

/* Check the window (hours/days text, or a region's default when hours is
 * NULL and region is set) in zones "A&B..." at now: open, and change. */
static void expect(int line, const char *region, const char *hours, const char *days,
		   const char *zones_amp, const char *now, int want_open, const char *want_change)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT;
	const char *zones[64];
	char buf[512], got[32];
	size_t n = 0;
	int open = -1, rc;
	int64_t change = -1, want = want_change ? ms(want_change) : 0;

	if (region)
		CHECK_INT(phn_call_window_default(&w, region), PHN_OK);
	CHECK_INT(phn_call_window_parse(&w, hours, days), PHN_OK);
	snprintf(buf, sizeof(buf), "%s", zones_amp);
	for (char *p = strtok(buf, "&"); p && n < 64; p = strtok(NULL, "&"))
		zones[n++] = p;
	rc = phn_call_window_check(&open, &change, &w, zones, n, ms(now));
	iso(got, change);
	CHECK_MSG(rc == PHN_OK && open == want_open && change == want,
		  "line %d: %s at %s: rc %d open %d change %s, expected open %d change %s (%s)",
		  line, zones_amp, now, rc, open, got, want_open,
		  want_change ? want_change : "0", phn_error_last());
}

#define EXPECT(...) expect(__LINE__, __VA_ARGS__)

static void test_saudi(void)
{
	/* 2026-12-06 is a Sunday; Riyadh is UTC+3 all year. Default 10-16 sun-thu. */
	EXPECT("SA", NULL, NULL, "Asia/Riyadh", "2026-12-06T07:00Z", 1, "2026-12-06T13:00Z");
	EXPECT("SA", NULL, NULL, "Asia/Riyadh", "2026-12-06T06:59Z", 0, "2026-12-06T07:00Z");
	/* Thursday 16:00 closes for the weekend: next is Sunday 10:00. */
	EXPECT("SA", NULL, NULL, "Asia/Riyadh", "2026-12-10T13:00Z", 0, "2026-12-13T07:00Z");
	EXPECT("SA", NULL, NULL, "Asia/Riyadh", "2026-12-11T09:00Z", 0, "2026-12-13T07:00Z");
	EXPECT("SA", NULL, NULL, "Asia/Riyadh", "2026-12-12T20:59Z", 0, "2026-12-13T07:00Z");
	/* A user window replaces the default's hours only; days stay sun-thu. */
	EXPECT("SA", "16:00-22:00", NULL, "Asia/Riyadh", "2026-12-07T18:30Z", 1,
	       "2026-12-07T19:00Z");
	EXPECT("SA", "09:00-21:00", NULL, "Asia/Riyadh", "2026-12-10T17:00Z", 1,
	       "2026-12-10T18:00Z");
	EXPECT("SA", "09:00-21:00", NULL, "Asia/Riyadh", "2026-12-10T18:00Z", 0,
	       "2026-12-13T06:00Z");
}

static void test_us(void)
{
	/* Eastern: DST starts 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT). */
	EXPECT("US", NULL, NULL, "America/New_York", "2026-03-08T02:30Z", 0, "2026-03-08T12:00Z");
	EXPECT("US", NULL, NULL, "America/New_York", "2026-03-07T12:59Z", 0, "2026-03-07T13:00Z");
	EXPECT("US", NULL, NULL, "America/New_York", "2026-03-08T12:00Z", 1, "2026-03-09T01:00Z");
	/* The day before, in EST: 21:00 EST is 02:00Z. */
	EXPECT("US", NULL, NULL, "America/New_York", "2026-03-07T13:00Z", 1, "2026-03-08T02:00Z");
	/* DST ends 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST). */
	EXPECT("US", NULL, NULL, "America/New_York", "2026-11-01T01:00Z", 0, "2026-11-01T13:00Z");
	EXPECT("US", NULL, NULL, "America/New_York", "2026-10-31T12:00Z", 1, "2026-11-01T01:00Z");
	EXPECT("US", NULL, NULL, "America/New_York", "2026-11-01T13:00Z", 1, "2026-11-02T02:00Z");
	/* Pacific: DST starts 2026-03-08 10:00Z; 08:00 PDT is 15:00Z. */
	EXPECT("US", NULL, NULL, "America/Los_Angeles", "2026-03-08T14:59Z", 0,
	       "2026-03-08T15:00Z");
	EXPECT("US", NULL, NULL, "America/Los_Angeles", "2026-03-08T15:00Z", 1,
	       "2026-03-09T04:00Z");
	EXPECT("US", NULL, NULL, "America/Los_Angeles", "2026-11-01T12:00Z", 0,
	       "2026-11-01T16:00Z");
	/* Hawaii: UTC-10 all year, the same UTC hours in March and July. */
	EXPECT("US", NULL, NULL, "Pacific/Honolulu", "2026-03-08T17:00Z", 0, "2026-03-08T18:00Z");
	EXPECT("US", NULL, NULL, "Pacific/Honolulu", "2026-07-01T18:00Z", 1, "2026-07-02T07:00Z");
	EXPECT("US", NULL, NULL, "Pacific/Honolulu", "2026-11-01T17:59Z", 0, "2026-11-01T18:00Z");
	/* Arizona keeps MST: 08:00 is 15:00Z before and after Mar 8. */
	EXPECT("US", NULL, NULL, "America/Phoenix", "2026-03-09T14:00Z", 0, "2026-03-09T15:00Z");
}

static void test_two_zones(void)
{
	/* +1 208 2.. (Idaho): America/Boise and America/Los_Angeles. Open only
	 * from 08:00 Pacific to 21:00 Mountain. */
	const char *idaho = "America/Boise&America/Los_Angeles";

	EXPECT("US", NULL, NULL, idaho, "2026-07-01T14:00Z", 0, "2026-07-01T15:00Z");
	EXPECT("US", NULL, NULL, idaho, "2026-07-01T15:00Z", 1, "2026-07-02T03:00Z");
	/* Across the spring change (Boise 09:00Z, Los Angeles 10:00Z). */
	EXPECT("US", NULL, NULL, idaho, "2026-03-08T14:00Z", 0, "2026-03-08T15:00Z");
	EXPECT("US", NULL, NULL, idaho, "2026-03-07T16:00Z", 1, "2026-03-08T04:00Z");
	/* And the autumn one: Nov 1 08:00 PST is 16:00Z, 21:00 MST 04:00Z. */
	EXPECT("US", NULL, NULL, idaho, "2026-11-01T12:00Z", 0, "2026-11-01T16:00Z");
	EXPECT("US", NULL, NULL, idaho, "2026-11-01T16:00Z", 1, "2026-11-02T04:00Z");
	/* Riyadh and New York share 13:00Z-18:00Z in December. */
	EXPECT(NULL, "08:00-21:00", "all", "America/New_York&Asia/Riyadh", "2026-12-07T12:00Z", 0,
	       "2026-12-07T13:00Z");
	EXPECT(NULL, "08:00-21:00", "all", "America/New_York&Asia/Riyadh", "2026-12-07T13:00Z", 1,
	       "2026-12-07T18:00Z");
	/* Sunday is allowed in Riyadh's window only when it is also a day in
	 * New York's: mon-fri everywhere, so Sunday evening in Riyadh (Monday
	 * not yet in New York) waits. */
	EXPECT(NULL, "08:00-21:00", "mon-fri", "America/New_York&Asia/Riyadh",
	       "2026-12-06T14:00Z", 0, "2026-12-07T13:00Z");
	/* Guam (UTC+10) reads 3 hours less than Pago Pago (UTC-11), a date
	 * later: they share 08:00-18:00 Guam time, from 22:00Z. */
	EXPECT(NULL, "08:00-21:00", "all", "Pacific/Guam&Pacific/Pago_Pago", "2026-12-07T12:00Z",
	       0, "2026-12-07T22:00Z");
	EXPECT(NULL, "08:00-21:00", "all", "Pacific/Guam&Pacific/Pago_Pago", "2026-12-07T22:00Z",
	       1, "2026-12-08T08:00Z");
	/* Zones further apart than the window is long never share it: 0. */
	EXPECT(NULL, "08:00-12:00", "all", "America/New_York&Asia/Riyadh", "2026-12-07T12:00Z", 0,
	       NULL);
}

/* A +1 toll-free number has the 42 zones of the whole +1 list (country
 * level): Guam to Pago Pago and St. John's. With 08:00-21:00 they all read
 * an allowed time only from 22:00Z (08:00 in Guam) to 00:30Z (21:00 in St.
 * John's), every day. */
static void test_nanp_toll_free(void)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT;
	phn_number num = PHN_NUMBER_INIT;
	const char *const *zones;
	size_t n = 0;
	int open = -1;
	int64_t change = 0;

	CHECK_INT(phn_number_parse(&num, "+1 800 555 0199", NULL), PHN_OK);
	CHECK_INT(phn_number_timezones(&zones, &n, &num), PHN_OK);
	CHECK_INT(n, 42);
	CHECK_INT(phn_call_window_default(&w, num.region), PHN_OK);
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, n, ms("2026-12-07T12:00Z")),
		  PHN_OK);
	CHECK_INT(open, 0);
	CHECK_INT(change, ms("2026-12-07T22:00Z"));
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, n, change), PHN_OK);
	CHECK_INT(open, 1);
	CHECK_INT(change, ms("2026-12-08T00:30Z"));
}

static void test_days(void)
{
	/* 2026-12-08 is a Tuesday. mon,wed,fri 09-17 New York (EST). */
	EXPECT(NULL, "09:00-17:00", "mon,wed,fri", "America/New_York", "2026-12-08T15:00Z", 0,
	       "2026-12-09T14:00Z");
	EXPECT(NULL, "09:00-17:00", "mon,wed,fri", "America/New_York", "2026-12-09T14:00Z", 1,
	       "2026-12-09T22:00Z");
	/* Over a weekend: Friday 17:30 -> Monday 09:00. */
	EXPECT(NULL, "09:00-17:00", "mon-fri", "America/New_York", "2026-12-11T22:30Z", 0,
	       "2026-12-14T14:00Z");
	/* ... and over a weekend with the autumn change in it: Monday Nov 2
	 * 09:00 EST is 14:00Z, not 13:00Z. */
	EXPECT(NULL, "09:00-17:00", "mon-fri", "America/New_York", "2026-10-30T21:30Z", 0,
	       "2026-11-02T14:00Z");
	/* A whole-day window on sat,sun stays open across Saturday midnight. */
	EXPECT(NULL, "00:00-24:00", "sat,sun", "America/New_York", "2026-12-12T04:00Z", 0,
	       "2026-12-12T05:00Z");
	EXPECT(NULL, "00:00-24:00", "sat,sun", "America/New_York", "2026-12-12T05:00Z", 1,
	       "2026-12-14T05:00Z");
	/* Always open: no change within 14 days. */
	EXPECT(NULL, "00:00-24:00", "all", "Asia/Riyadh", "2026-12-12T05:00Z", 1, NULL);
}

static void test_dst_edges(void)
{
	/* Skipped hour: 02:30-05:00 on Mar 8 in New York opens when the clock
	 * jumps to 03:00 EDT (07:00Z). */
	EXPECT(NULL, "02:30-05:00", "all", "America/New_York", "2026-03-08T06:50Z", 0,
	       "2026-03-08T07:00Z");
	/* Repeated hour: 01:30-03:00 on Nov 1 is open 01:30-02:00 EDT (05:30Z-
	 * 06:00Z), closed while the clock reads 01:00-01:30 EST again, open
	 * from 01:30 EST (06:30Z) to 03:00 EST (08:00Z). */
	EXPECT(NULL, "01:30-03:00", "all", "America/New_York", "2026-11-01T05:45Z", 1,
	       "2026-11-01T06:00Z");
	EXPECT(NULL, "01:30-03:00", "all", "America/New_York", "2026-11-01T06:10Z", 0,
	       "2026-11-01T06:30Z");
	EXPECT(NULL, "01:30-03:00", "all", "America/New_York", "2026-11-01T06:30Z", 1,
	       "2026-11-01T08:00Z");
}

static void test_parse(void)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT, before;
	char buf[64];
	size_t needed = 0;
	static const struct {
		const char *hours, *days, *message;
	} bad[] = {
		{ "25:00-21:00", NULL, "--window '25:00-21:00': hour 25 is out of range" },
		{ "09:60-21:00", NULL, "--window '09:60-21:00': minute 60 is out of range" },
		{ "21:00-09:00", NULL,
		  "--window '21:00-09:00': the end must be after the start (a window never "
		  "crosses midnight; 00:00-24:00 is the whole day)" },
		{ "09:00-09:00", NULL, NULL },
		{ "24:00-24:00", NULL, NULL },
		{ "09:00-24:30", NULL, "--window '09:00-24:30': 24:30 is past 24:00" },
		{ "0900-2100", NULL, "--window '0900-2100': expected HH:MM-HH:MM (e.g. 09:00-21:00)" },
		{ "", NULL, NULL },
		{ "09:00-21:00 ", NULL, NULL },
		{ "009:00-21:00", NULL, NULL },
		{ "09:0-21:00", NULL, NULL },
		{ NULL, "xyz", "--days 'xyz': unknown day 'xyz' (use sun mon tue wed thu fri sat, a "
			       "range such as sun-thu, a list such as mon,wed,fri, or all)" },
		{ NULL, "", "--days '': empty day in the list" },
		{ NULL, "mon,", NULL },
		{ NULL, "mon-", NULL },
		{ NULL, "-fri", NULL },
		{ "09:00-21:00", "sun-thx", NULL },
	};
	size_t i;

	CHECK_INT(phn_call_window_parse(&w, "09:00-21:00", "sun-thu"), PHN_OK);
	CHECK_INT(w.start_minute, 540);
	CHECK_INT(w.end_minute, 1260);
	CHECK_INT(w.days, 0x1f);
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), &needed, &w), PHN_OK);
	CHECK_STR(buf, "09:00-21:00 sun-thu");
	CHECK_INT(needed, strlen("09:00-21:00 sun-thu"));
	CHECK_INT(phn_call_window_format(buf, 5, &needed, &w), PHN_EBUFS);
	CHECK_INT(phn_call_window_parse(&w, "9:05-24:00", "mon,wed,fri"), PHN_OK);
	CHECK_INT(w.start_minute, 545);
	CHECK_INT(w.end_minute, 1440);
	CHECK_INT(w.days, 0x2a);
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "09:05-24:00 mon,wed,fri");
	CHECK_INT(phn_call_window_parse(&w, NULL, "fri-mon"), PHN_OK);
	CHECK_INT(w.days, 0x63);
	CHECK_INT(w.start_minute, 545); /* NULL hours: kept */
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "09:05-24:00 sun,mon,fri,sat");
	CHECK_INT(phn_call_window_parse(&w, NULL, "Sunday, SAT ,tue-tue"), PHN_OK);
	CHECK_INT(w.days, 0x45);
	CHECK_INT(phn_call_window_parse(&w, "00:00-24:00", "ALL"), PHN_OK);
	CHECK_INT(w.days, 0x7f);
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "00:00-24:00 all");
	w.days = 0;
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "00:00-24:00 none");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		phn_call_window_parse(&w, "10:00-11:00", "tue");
		before = w;
		CHECK_MSG(phn_call_window_parse(&w, bad[i].hours, bad[i].days) == PHN_EINVAL,
			  "case %zu accepted", i);
		CHECK_MSG(memcmp(&w, &before, sizeof(w)) == 0, "case %zu changed the window", i);
		if (bad[i].message)
			CHECK_STR(phn_error_last(), bad[i].message);
	}
}

static void test_defaults_and_limits(void)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT;
	char buf[64];
	static const struct {
		const char *region, *text;
	} table[] = {
		{ "US", "08:00-21:00 all" }, { "us", "08:00-21:00 all" },
		{ "PR", "08:00-21:00 all" }, { "JM", "08:00-21:00 all" },
		{ "CA", "10:00-18:00 all" }, { "SA", "10:00-16:00 sun-thu" },
		{ "AE", "10:00-20:00 mon-fri" }, { "KW", "10:00-20:00 sun-thu" },
		{ "IR", "10:00-20:00 sun-wed,sat" },
		{ "GB", "10:00-20:00 mon-fri" }, { NULL, "10:00-20:00 mon-fri" },
		{ "", "10:00-20:00 mon-fri" },
	};
	size_t i;

	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "10:00-20:00 mon-fri"); /* INIT is the general default */
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK_INT(phn_call_window_default(&w, table[i].region), PHN_OK);
		CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
		CHECK_STR(buf, table[i].text);
	}
	CHECK_INT(phn_call_window_default(&w, "ZZ"), PHN_EREGION);

	/* The federal limit narrows a +1 window, never widens it. */
	phn_call_window_parse(&w, "07:00-22:00", "all");
	CHECK_INT(phn_call_window_limit(&w, "US"), PHN_OK);
	CHECK_INT(phn_call_window_format(buf, sizeof(buf), NULL, &w), PHN_OK);
	CHECK_STR(buf, "08:00-21:00 all");
	phn_call_window_parse(&w, "12:00-13:00", "mon");
	CHECK_INT(phn_call_window_limit(&w, "CA"), PHN_OK);
	CHECK_INT(w.start_minute, 720);
	phn_call_window_parse(&w, "06:00-07:30", "all");
	CHECK_INT(phn_call_window_limit(&w, "US"), PHN_EINVAL);
	CHECK_STR(phn_error_last(), "calling window 06:00-07:30 has no time inside 08:00-21:00, "
				    "the legal calling hours for US numbers (47 CFR 64.1200(c)(1))");
	CHECK_INT(w.start_minute, 360); /* unchanged */
	CHECK_INT(phn_call_window_limit(&w, "SA"), PHN_OK);
	CHECK_INT(w.start_minute, 360);
	CHECK_INT(phn_call_window_limit(&w, NULL), PHN_OK);
}

static void test_errors(void)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT, v;
	const char *zones[] = { "Asia/Riyadh", "Mars/Olympus_Mons" };
	int open = 7;
	int64_t change = 7;

	CHECK_INT(phn_call_window_init(&v, 1), PHN_OK);
	CHECK_INT(v.version, 1);
	CHECK_INT(v.start_minute, 600);
	CHECK_INT(phn_call_window_init(&v, 0), PHN_EVERSION);
	CHECK_INT(phn_call_window_init(&v, 2), PHN_EVERSION);
	CHECK_INT(phn_call_window_init(NULL, 1), PHN_EINVAL);
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 2, ms("2026-12-07T10:00Z")),
		  PHN_ENOTFOUND);
	CHECK_STR(phn_error_last(), "unknown time zone 'Mars/Olympus_Mons'");
	CHECK_INT(open, 0);
	CHECK_INT(change, 0);
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 0, 0), PHN_EINVAL);
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, INT64_MAX), PHN_EINVAL);
	CHECK_INT(phn_call_window_check(NULL, &change, &w, zones, 1, 0), PHN_EINVAL);
	w.end_minute = 1441;
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, 0), PHN_EINVAL);
	w.end_minute = 1200;
	w.days = 0x80;
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, 0), PHN_EINVAL);
	w.days = 0x7f;
	w.version = 9;
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, 0), PHN_EVERSION);

	/* The empty window (no day, or start == end) is never open. */
	w.version = 1;
	w.days = 0;
	open = 7;
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, ms("2026-12-07T10:00Z")),
		  PHN_OK);
	CHECK_INT(open, 0);
	CHECK_INT(change, 0);
	w.days = 0x7f;
	w.start_minute = w.end_minute = 600;
	CHECK_INT(phn_call_window_check(&open, &change, &w, zones, 1, ms("2026-12-07T10:00Z")),
		  PHN_OK);
	CHECK_INT(open, 0);

	CHECK_INT(phn_timezone_known("Asia/Riyadh"), 1);
	CHECK_INT(phn_timezone_known("America/Indiana/Indianapolis"), 1);
	CHECK_INT(phn_timezone_known("Etc/Unknown"), 0);
	CHECK_INT(phn_timezone_known("GMT+03:00"), 0);
	CHECK_INT(phn_timezone_known("Mars/Olympus_Mons"), 0);
	CHECK_INT(phn_timezone_known(""), 0);
	CHECK_INT(phn_timezone_known(NULL), 0);
}

/* Checks from several threads at once (the calendar pool is shared) give
 * the answers of a serial run. */
#define T_ZONES 6
#define T_STEPS 400
static const char *const t_zones[T_ZONES] = { "America/New_York", "Asia/Riyadh",
					      "America/Los_Angeles", "Pacific/Honolulu",
					      "America/Boise", "Australia/Lord_Howe" };
static int64_t t_serial[T_ZONES][T_STEPS];

static int64_t t_answer(int z, int step)
{
	phn_call_window w = PHN_CALL_WINDOW_INIT;
	const char *zones[2] = { t_zones[z], t_zones[(z + 1) % T_ZONES] };
	int open = 0;
	int64_t change = 0;

	phn_call_window_parse(&w, "08:00-21:00", "mon-sat");
	if (phn_call_window_check(&open, &change, &w, zones, 2,
				  ms("2026-03-01T00:00Z") + (int64_t)step * 3600000 * 7 / 3) != PHN_OK)
		return -1;
	return change * 2 + open;
}

static void *t_worker(void *arg)
{
	long bad = 0;

	for (int step = 0; step < T_STEPS; step++)
		for (int z = 0; z < T_ZONES; z++)
			bad += t_answer((z + (int)(intptr_t)arg) % T_ZONES, step) !=
			       t_serial[(z + (int)(intptr_t)arg) % T_ZONES][step];
	return (void *)(intptr_t)bad;
}

static void test_threads(void)
{
	pthread_t th[4];
	void *bad;

	for (int z = 0; z < T_ZONES; z++)
		for (int step = 0; step < T_STEPS; step++)
			t_serial[z][step] = t_answer(z, step);
	for (intptr_t i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, t_worker, (void *)i) == 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &bad);
		CHECK_INT((intptr_t)bad, 0);
	}
}

int main(void)
{
	test_saudi();
	test_us();
	test_two_zones();
	test_nanp_toll_free();
	test_days();
	test_dst_edges();
	test_parse();
	test_defaults_and_limits();
	test_errors();
	test_threads();
	return check_report();
}
