#include "phonenorm/campaign.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/utypes.h>

#include "text/error.h"

#define DAY_MS 86400000LL
/* Bounds of now_ms: 1900-01-01 and 3000-01-01 UTC. */
#define NOW_MIN (-2208988800000LL)
#define NOW_MAX 32503680000000LL
#define HORIZON_DAYS 14
#define ZONE_ID_MAX 128

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
static const char *const day_full[7] = { "sunday", "monday", "tuesday", "wednesday",
					 "thursday", "friday", "saturday" };

/* ---- the window value ------------------------------------------------- */

int phn_call_window_init(phn_call_window *w, unsigned int version)
{
	const phn_call_window blank = PHN_CALL_WINDOW_INIT;
	int rc = phn_error_check_version(w, version, PHN_CALL_WINDOW_VERSION, "phn_call_window");

	if (rc != PHN_OK)
		return rc;
	/* Version 1 is the whole struct today; a later version copies only
	 * the fields version 1 has when the caller says 1. */
	memcpy(w, &blank, sizeof(blank));
	w->version = version;
	return PHN_OK;
}

static int check_window(const phn_call_window *w)
{
	int rc = phn_error_check_version(w, w ? w->version : 0, PHN_CALL_WINDOW_VERSION,
					 "phn_call_window");

	if (rc != PHN_OK)
		return rc;
	if (w->start_minute < 0 || w->end_minute > 1440 || w->start_minute > w->end_minute ||
	    (w->days & ~PHN_CALL_DAYS_ALL))
		return phn_error_set(PHN_EINVAL,
				     "invalid calling window (start %d, end %d, days 0x%x): "
				     "need 0 <= start <= end <= 1440 and days <= 0x7f",
				     w->start_minute, w->end_minute, w->days);
	return PHN_OK;
}

static int window_empty(const phn_call_window *w)
{
	return w->start_minute >= w->end_minute || w->days == 0;
}

/* ---- --window and --days ---------------------------------------------- */

/* Read H or HH ":" MM at *p; the value in minutes, or a negative code with
 * the message set. */
static int parse_clock(int *minutes, const char **p, const char *text, int is_end)
{
	const char *s = *p;
	int h = 0, m = 0, nd = 0;

	while (*s >= '0' && *s <= '9' && nd < 3) {
		h = h * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || nd > 2 || s[0] != ':' || !(s[1] >= '0' && s[1] <= '9') ||
	    !(s[2] >= '0' && s[2] <= '9') || (s[3] >= '0' && s[3] <= '9'))
		return phn_error_set(PHN_EINVAL,
				     "--window '%s': expected HH:MM-HH:MM (e.g. 09:00-21:00)", text);
	m = (s[1] - '0') * 10 + (s[2] - '0');
	if (h > 24 || (h == 24 && !is_end))
		return phn_error_set(PHN_EINVAL, "--window '%s': hour %d is out of range%s", text,
				     h, h == 24 ? " for a start (24:00 can only end a window)" : "");
	if (m > 59)
		return phn_error_set(PHN_EINVAL, "--window '%s': minute %d is out of range", text,
				     m);
	if (h == 24 && m != 0)
		return phn_error_set(PHN_EINVAL, "--window '%s': %d:%02d is past 24:00", text, h,
				     m);
	*minutes = h * 60 + m;
	*p = s + 3;
	return PHN_OK;
}

static int parse_hours(int *start, int *end, const char *text)
{
	const char *p = text;
	int rc;

	rc = parse_clock(start, &p, text, 0);
	if (rc != PHN_OK)
		return rc;
	if (*p != '-')
		return phn_error_set(PHN_EINVAL,
				     "--window '%s': expected HH:MM-HH:MM (e.g. 09:00-21:00)", text);
	p++;
	rc = parse_clock(end, &p, text, 1);
	if (rc != PHN_OK)
		return rc;
	if (*p != '\0')
		return phn_error_set(PHN_EINVAL,
				     "--window '%s': expected HH:MM-HH:MM (e.g. 09:00-21:00)", text);
	if (*end <= *start)
		return phn_error_set(PHN_EINVAL,
				     "--window '%s': the end must be after the start (a window "
				     "never crosses midnight; 00:00-24:00 is the whole day)",
				     text);
	return PHN_OK;
}

/* A day name of n bytes at s: 0..6, or -1. */
static int day_index(const char *s, size_t n)
{
	char low[12];
	size_t i;
	int d;

	if (n == 0 || n >= sizeof(low))
		return -1;
	for (i = 0; i < n; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	low[n] = '\0';
	for (d = 0; d < 7; d++) {
		if (strcmp(low, day_names[d]) == 0 || strcmp(low, day_full[d]) == 0)
			return d;
	}
	return -1;
}

static int bad_day(const char *text, const char *s, size_t n)
{
	return phn_error_set(PHN_EINVAL,
			     "--days '%s': unknown day '%.*s' (use sun mon tue wed thu fri sat, "
			     "a range such as sun-thu, a list such as mon,wed,fri, or all)",
			     text, (int)(n > 40 ? 40 : n), s);
}

static int parse_days(unsigned int *out, const char *text)
{
	const char *p = text;
	unsigned int days = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash;

		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		dash = memchr(p, '-', n);
		if (n == 0)
			return phn_error_set(PHN_EINVAL, "--days '%s': empty day in the list", text);
		if (n == 3 && (p[0] | 0x20) == 'a' && (p[1] | 0x20) == 'l' && (p[2] | 0x20) == 'l') {
			days = PHN_CALL_DAYS_ALL;
		} else if (dash) {
			size_t n1 = (size_t)(dash - p), n2 = n - n1 - 1;
			int a, b;

			while (n1 && p[n1 - 1] == ' ')
				n1--;
			while (n2 && dash[1] == ' ') {
				dash++;
				n2--;
			}
			a = day_index(p, n1);
			if (a < 0)
				return bad_day(text, p, n1);
			b = day_index(dash + 1, n2);
			if (b < 0)
				return bad_day(text, dash + 1, n2);
			for (;;) { /* a range wraps past Saturday: fri-mon */
				days |= 1u << a;
				if (a == b)
					break;
				a = (a + 1) % 7;
			}
		} else {
			int d = day_index(p, n);

			if (d < 0)
				return bad_day(text, p, n);
			days |= 1u << d;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = days;
	return PHN_OK;
}

int phn_call_window_parse(phn_call_window *w, const char *hours, const char *days)
{
	int rc = phn_error_check_version(w, w ? w->version : 0, PHN_CALL_WINDOW_VERSION,
					 "phn_call_window");
	int start = 0, end = 0;
	unsigned int d = 0;

	if (rc != PHN_OK)
		return rc;
	if (hours && (rc = parse_hours(&start, &end, hours)) != PHN_OK)
		return rc;
	if (days && (rc = parse_days(&d, days)) != PHN_OK)
		return rc;
	if (hours) {
		w->start_minute = start;
		w->end_minute = end;
	}
	if (days)
		w->days = d;
	return PHN_OK;
}

int phn_call_window_format(char *dst, size_t cap, size_t *needed, const phn_call_window *w)
{
	char buf[64];
	size_t n;
	int rc = check_window(w), d = 0, first = 1;

	if (rc != PHN_OK)
		return rc;
	if (!dst && cap)
		return phn_error_set(PHN_EINVAL, "phn_call_window_format: NULL dst");
	n = (size_t)snprintf(buf, sizeof(buf), "%02d:%02d-%02d:%02d ", w->start_minute / 60,
			     w->start_minute % 60, w->end_minute / 60, w->end_minute % 60);
	if (w->days == PHN_CALL_DAYS_ALL) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "all");
	} else if (w->days == 0) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "none");
	} else {
		while (d < 7) { /* runs of consecutive days, Sunday first */
			int e = d;

			if (!(w->days & (1u << d))) {
				d++;
				continue;
			}
			while (e + 1 < 7 && (w->days & (1u << (e + 1))))
				e++;
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", first ? "" : ",",
					      day_names[d]);
			if (e > d)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
						      e == d + 1 ? "," : "-", day_names[e]);
			first = 0;
			d = e + 1;
		}
	}
	if (needed)
		*needed = n;
	if (n + 1 > cap)
		return phn_error_set(PHN_EBUFS, "calling window text needs %zu bytes, buffer has %zu",
				     n + 1, cap);
	memcpy(dst, buf, n + 1);
	return PHN_OK;
}

/* ---- defaults and legal limits ---------------------------------------- */

#define SUN_THU (PHN_CALL_DAY_SUN | PHN_CALL_DAY_MON | PHN_CALL_DAY_TUE | PHN_CALL_DAY_WED | \
		 PHN_CALL_DAY_THU)
#define SAT_WED (PHN_CALL_DAY_SAT | PHN_CALL_DAY_SUN | PHN_CALL_DAY_MON | PHN_CALL_DAY_TUE | \
		 PHN_CALL_DAY_WED)
#define MON_FRI (PHN_CALL_DAY_MON | PHN_CALL_DAY_TUE | PHN_CALL_DAY_WED | PHN_CALL_DAY_THU | \
		 PHN_CALL_DAY_FRI)

/* The README's table, with its sources. One place for these numbers. */
static const struct {
	const char *region;
	int start, end;
	unsigned int days;
} defaults[] = {
	/* Saudi Arabia: SAMA confines banks' calls about outstanding debts to
	 * the banks' official working hours (circular 311000008211, 2010, in
	 * force): Sunday-Thursday (Friday-Saturday weekend since the royal
	 * decree of June 2013), and 10:00-16:00 is inside them all year, the
	 * shorter Ramadan hours included. Sources in the README. */
	{ "SA", 10 * 60, 16 * 60, SUN_THU },
	/* Canada: CRTC Unsolicited Telecommunications Rules allow
	 * telemarketing 09:00-21:30 on weekdays and 10:00-18:00 at weekends;
	 * one window inside both. */
	{ "CA", 10 * 60, 18 * 60, PHN_CALL_DAYS_ALL },
	/* Friday-Saturday weekends: the general hours on Sunday-Thursday. */
	{ "BD", 600, 1200, SUN_THU }, { "BH", 600, 1200, SUN_THU }, { "DZ", 600, 1200, SUN_THU },
	{ "EG", 600, 1200, SUN_THU }, { "IL", 600, 1200, SUN_THU }, { "IQ", 600, 1200, SUN_THU },
	{ "JO", 600, 1200, SUN_THU }, { "KW", 600, 1200, SUN_THU }, { "LY", 600, 1200, SUN_THU },
	{ "MV", 600, 1200, SUN_THU }, { "OM", 600, 1200, SUN_THU }, { "QA", 600, 1200, SUN_THU },
	{ "SD", 600, 1200, SUN_THU }, { "SY", 600, 1200, SUN_THU }, { "YE", 600, 1200, SUN_THU },
	/* Thursday-Friday weekends (Thursday at least partly off): Saturday-
	 * Wednesday. */
	{ "AF", 600, 1200, SAT_WED }, { "IR", 600, 1200, SAT_WED },
};

/* TCPA, 47 CFR 64.1200(c)(1): no solicitation before 8 am or after 9 pm at
 * the called party's location (FDCPA 15 USC 1692c(a)(1) presumes the same
 * hours for debt collectors). Binding for every +1 number. */
#define NANP_START (8 * 60)
#define NANP_END (21 * 60)

/* Canonical region in dst[3] or "" for none; PHN_EREGION for unknown. */
static int region_of(char dst[3], const char *region)
{
	dst[0] = '\0';
	if (!region || !region[0])
		return PHN_OK;
	return phn_region_canonical(dst, region); /* sets the message */
}

int phn_call_window_default(phn_call_window *w, const char *region)
{
	int rc = phn_error_check_version(w, w ? w->version : 0, PHN_CALL_WINDOW_VERSION,
					 "phn_call_window");
	char r[3];
	size_t i;

	if (rc != PHN_OK || (rc = region_of(r, region)) != PHN_OK)
		return rc;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (strcmp(r, defaults[i].region) == 0) {
			w->start_minute = defaults[i].start;
			w->end_minute = defaults[i].end;
			w->days = defaults[i].days;
			return PHN_OK;
		}
	}
	if (r[0] && phn_region_country_code(r) == 1) {
		w->start_minute = NANP_START;
		w->end_minute = NANP_END;
		w->days = PHN_CALL_DAYS_ALL;
		return PHN_OK;
	}
	w->start_minute = 600;
	w->end_minute = 1200;
	w->days = MON_FRI;
	return PHN_OK;
}

int phn_call_window_limit(phn_call_window *w, const char *region)
{
	int rc = check_window(w), start, end;
	char r[3];

	if (rc != PHN_OK || (rc = region_of(r, region)) != PHN_OK)
		return rc;
	if (!r[0] || phn_region_country_code(r) != 1)
		return PHN_OK;
	start = w->start_minute > NANP_START ? w->start_minute : NANP_START;
	end = w->end_minute < NANP_END ? w->end_minute : NANP_END;
	if (start >= end || w->days == 0)
		return phn_error_set(PHN_EINVAL,
				     "calling window %02d:%02d-%02d:%02d has no time inside "
				     "08:00-21:00, the legal calling hours for %s numbers "
				     "(47 CFR 64.1200(c)(1))",
				     w->start_minute / 60, w->start_minute % 60, w->end_minute / 60,
				     w->end_minute % 60, r);
	w->start_minute = start;
	w->end_minute = end;
	return PHN_OK;
}

/* ---- ICU --------------------------------------------------------------- */

/* ASCII zone id into UChar; 0 if it cannot be an IANA id at all. */
static int zone_uchars(UChar *dst, const char *zone)
{
	size_t i;

	for (i = 0; zone[i]; i++) {
		unsigned char c = (unsigned char)zone[i];

		if (i + 1 >= ZONE_ID_MAX || c <= 0x20 || c >= 0x7f)
			return 0;
		dst[i] = (UChar)c;
	}
	dst[i] = 0;
	return i > 0;
}

int phn_timezone_known(const char *zone)
{
	UChar id[ZONE_ID_MAX], canon[ZONE_ID_MAX];
	UErrorCode status = U_ZERO_ERROR;
	UBool system = 0;

	if (!zone || !zone_uchars(id, zone))
		return 0;
	ucal_getCanonicalTimeZoneID(id, -1, canon, ZONE_ID_MAX, &system, &status);
	if (U_FAILURE(status) || !system)
		return 0;
	/* ICU's own name for "no zone" is a system id; it is never a place. */
	return strcmp(zone, "Etc/Unknown") != 0;
}

typedef struct zone_cal {
	UCalendar *cal;
} zone_cal;

/*
 * Calendars are kept between calls: ICU builds a zone's transition rules
 * lazily, per zone object, and that is most of the cost of a check on a
 * fresh calendar (a clone drops them too). A check borrows one calendar per
 * zone from this pool and gives it back, so no two threads ever share one.
 * The pool holds at most POOL_MAX calendars; they live until the process
 * ends.
 */
#define POOL_MAX 1024

typedef struct pooled {
	struct pooled *next;
	UCalendar *cal;
	char zone[ZONE_ID_MAX];
} pooled;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pooled *pool_used;  /* entries holding an idle calendar */
static pooled *pool_spare; /* entries without one */
static size_t pool_size;

static UCalendar *borrow_cal(const char *zone, UErrorCode *status)
{
	pooled **pp, *e;
	UCalendar *cal = NULL;
	UChar id[ZONE_ID_MAX];

	pthread_mutex_lock(&pool_lock);
	for (pp = &pool_used; (e = *pp) != NULL; pp = &e->next) {
		if (strcmp(e->zone, zone) == 0) {
			*pp = e->next;
			cal = e->cal;
			e->cal = NULL;
			e->next = pool_spare;
			pool_spare = e;
			break;
		}
	}
	pthread_mutex_unlock(&pool_lock);
	if (cal)
		return cal;
	zone_uchars(id, zone);
	cal = ucal_open(id, -1, "en_US_POSIX", UCAL_GREGORIAN, status);
	if (U_FAILURE(*status)) {
		ucal_close(cal);
		return NULL;
	}
	/* A wall time the clocks skip means the first instant after the gap,
	 * which is when the wall clock first reads it or later. */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	return cal;
}

static void return_cal(const char *zone, UCalendar *cal)
{
	pooled *e = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_spare) {
		e = pool_spare;
		pool_spare = e->next;
	} else if (pool_size < POOL_MAX && (e = malloc(sizeof(*e))) != NULL) {
		pool_size++;
	}
	if (e) {
		snprintf(e->zone, sizeof(e->zone), "%s", zone);
		e->cal = cal;
		e->next = pool_used;
		pool_used = e;
	}
	pthread_mutex_unlock(&pool_lock);
	if (!e)
		ucal_close(cal);
}

static int icu_fail(UErrorCode status, const char *what, const char *zone)
{
	return phn_error_set(PHN_EINTERNAL, "ICU %s for time zone '%s': %s", what, zone,
			     u_errorName(status));
}

/* The local (day of week 0..6, minute of day) of one zone at t. */
static int local_at(int *dow, int *minute, UCalendar *cal, int64_t t, const char *zone)
{
	UErrorCode status = U_ZERO_ERROR;
	int d, h, m;

	ucal_setMillis(cal, (UDate)t, &status);
	d = ucal_get(cal, UCAL_DAY_OF_WEEK, &status);
	h = ucal_get(cal, UCAL_HOUR_OF_DAY, &status);
	m = ucal_get(cal, UCAL_MINUTE, &status);
	if (U_FAILURE(status))
		return icu_fail(status, "local time", zone);
	*dow = d - UCAL_SUNDAY;
	*minute = h * 60 + m;
	return PHN_OK;
}

/* Open at t in every zone? 1, 0, or a negative code. */
static int open_at(const phn_call_window *w, zone_cal *zc, const char *const *zones, size_t n,
		   int64_t t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int dow = 0, minute = 0, rc = local_at(&dow, &minute, zc[i].cal, t, zones[i]);

		if (rc != PHN_OK)
			return rc;
		if (!(w->days & (1u << dow)) || minute < w->start_minute || minute >= w->end_minute)
			return 0;
	}
	return 1;
}

typedef struct instants {
	int64_t *v;
	size_t n, cap;
} instants;

static int push(instants *a, int64_t t)
{
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 256;
		int64_t *nv = realloc(a->v, ncap * sizeof(*nv));

		if (!nv)
			return phn_error_code(PHN_ENOMEM);
		a->v = nv;
		a->cap = ncap;
	}
	a->v[a->n++] = t;
	return PHN_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every instant in (now, limit] at which the answer of open_at() can change
 * in one zone: the first instant the wall clock reads start, end or 00:00
 * on each local day from the day before now's to last_day after it (both
 * readings of a repeated wall time; a skipped one maps to the transition
 * itself), and every UTC offset transition. Between two consecutive
 * candidates every zone's (day, minute-in-window) state is constant.
 */
static int candidates(instants *out, UCalendar *cal, const char *zone,
		      const phn_call_window *w, int64_t now, int64_t limit, int last_day)
{
	static const UCalendarWallTimeOption repeated[2] = { UCAL_WALLTIME_FIRST,
							     UCAL_WALLTIME_LAST };
	const int walls[3] = { 0, w->start_minute, w->end_minute };
	UErrorCode status = U_ZERO_ERROR;
	int32_t year, month, date;
	int d, k, r, rc, passes = 1;
	UDate next;

	/* Offset transitions in (now, limit]; any from two days before now to
	 * two days after the last candidate day means a wall time may be
	 * read twice, so the second reading gets its own pass. */
	ucal_setMillis(cal, (UDate)(now - 2 * DAY_MS), &status);
	while (U_SUCCESS(status) &&
	       ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_NEXT, &next, &status) &&
	       U_SUCCESS(status) && (int64_t)next <= now + (int64_t)(last_day + 3) * DAY_MS) {
		passes = 2;
		if ((int64_t)next > now && (int64_t)next <= limit &&
		    (rc = push(out, (int64_t)next)) != PHN_OK)
			return rc;
		ucal_setMillis(cal, next, &status);
	}
	if (U_FAILURE(status))
		return icu_fail(status, "time zone transition", zone);

	ucal_setMillis(cal, (UDate)now, &status);
	year = ucal_get(cal, UCAL_YEAR, &status);
	month = ucal_get(cal, UCAL_MONTH, &status);
	date = ucal_get(cal, UCAL_DATE, &status);
	if (U_FAILURE(status))
		return icu_fail(status, "date", zone);
	for (r = 0; r < passes; r++) {
		ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, repeated[r]);
		for (d = -1; d <= last_day; d++) {
			for (k = 0; k < 3; k++) {
				int64_t t;

				if (walls[k] >= 1440 || (k == 1 && walls[1] == 0))
					continue; /* 24:00 is the next day's 00:00 */
				status = U_ZERO_ERROR;
				ucal_clear(cal);
				ucal_setDateTime(cal, year, month, date + d, walls[k] / 60,
						 walls[k] % 60, 0, &status);
				t = (int64_t)ucal_getMillis(cal, &status);
				if (U_FAILURE(status))
					return icu_fail(status, "wall time", zone);
				if (t > now && t <= limit && (rc = push(out, t)) != PHN_OK)
					return rc;
			}
		}
	}
	return PHN_OK;
}

/*
 * The first candidate in (now, limit] whose state differs from state_now,
 * or 0. A zone's candidates reach its local day last_day (now's local day
 * is 0), so limit must fall before that day ends: last_day days plus one
 * leave room for a day that DST shortens.
 */
static int first_change(int64_t *change, const phn_call_window *w, zone_cal *zc,
			const char *const *zones, size_t n, int64_t now, int64_t limit,
			int last_day, int state_now)
{
	instants c = { NULL, 0, 0 };
	size_t i;
	int rc = PHN_OK;

	*change = 0;
	for (i = 0; i < n && rc == PHN_OK; i++)
		rc = candidates(&c, zc[i].cal, zones[i], w, now, limit, last_day);
	if (rc == PHN_OK && c.n) {
		qsort(c.v, c.n, sizeof(*c.v), cmp_i64);
		for (i = 0; i < c.n; i++) {
			int s;

			if (i && c.v[i] == c.v[i - 1])
				continue;
			s = open_at(w, zc, zones, n, c.v[i]);
			if (s < 0) {
				rc = s;
				break;
			}
			if (s != state_now) {
				*change = c.v[i];
				break;
			}
		}
	}
	free(c.v);
	return rc;
}

int phn_call_window_check(int *open, int64_t *change_ms, const phn_call_window *w,
			  const char *const *zones, size_t nzones, int64_t now_ms)
{
	zone_cal *zc = NULL;
	size_t i, opened = 0;
	int rc, state;

	if (!open || !change_ms || !zones)
		return phn_error_set(PHN_EINVAL, "phn_call_window_check: NULL %s",
				     !open ? "open" : !change_ms ? "change_ms" : "zones");
	*open = 0;
	*change_ms = 0;
	if ((rc = check_window(w)) != PHN_OK)
		return rc;
	if (nzones == 0)
		return phn_error_set(PHN_EINVAL, "phn_call_window_check: no time zone to judge");
	if (now_ms < NOW_MIN || now_ms > NOW_MAX)
		return phn_error_set(PHN_EINVAL,
				     "phn_call_window_check: time %lld ms is outside 1900-3000",
				     (long long)now_ms);
	for (i = 0; i < nzones; i++) {
		if (!zones[i])
			return phn_error_set(PHN_EINVAL, "phn_call_window_check: zone %zu is NULL",
					     i);
		if (!phn_timezone_known(zones[i]))
			return phn_error_set(PHN_ENOTFOUND, "unknown time zone '%.64s'", zones[i]);
	}
	if (window_empty(w))
		return PHN_OK;

	zc = calloc(nzones, sizeof(*zc));
	if (!zc)
		return phn_error_code(PHN_ENOMEM);
	for (opened = 0; opened < nzones; opened++) {
		UErrorCode status = U_ZERO_ERROR;

		zc[opened].cal = borrow_cal(zones[opened], &status);
		if (!zc[opened].cal) {
			rc = icu_fail(status, "calendar", zones[opened]);
			goto out;
		}
	}

	state = open_at(w, zc, zones, nzones, now_ms);
	if (state < 0) {
		rc = state;
		goto out;
	}
	/* Most answers lie within a day: look there first (candidates of
	 * local days -1..+2 cover every zone past now + 24 h, a DST day
	 * included), then over the whole horizon. */
	rc = first_change(change_ms, w, zc, zones, nzones, now_ms, now_ms + DAY_MS, 2, state);
	if (rc == PHN_OK && *change_ms == 0)
		rc = first_change(change_ms, w, zc, zones, nzones, now_ms,
				  now_ms + HORIZON_DAYS * DAY_MS, HORIZON_DAYS + 2, state);
	if (rc == PHN_OK)
		*open = state;
	else
		*change_ms = 0;
out:
	for (i = 0; i < opened; i++)
		return_cal(zones[i], zc[i].cal);
	free(zc);
	return rc;
}
