/*
 * phonenorm: dial a campaign list through the call API, paced, only inside
 * the callee's calling hours, with a journal that survives any crash.
 *
 * Three parts: calling windows (when a number may be called, in the
 * callee's own time zones, through ICU), the dialer (a list cleaned as
 * phn_cleaner does, every row recorded in a SQLite journal, one AI call per
 * clean row), and the report (what a journal says, for people and programs).
 *
 * Errors: a function that returns a negative PHN_E* code also sets the
 * calling thread's phn_error_last() message (common.h).
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_CAMPAIGN_H
#define PHONENORM_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"
#include "phonenorm/number.h"
#include "phonenorm/list.h"
#include "phonenorm/dispatch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- calling windows -------------------------------------------------- */

/*
 * When a number may be called: a range of local clock time [start, end) on
 * some days of the week, judged in each of the callee's time zones (from
 * phn_number_timezones() or a time zone column) through ICU, so daylight
 * saving time is ICU's (tzdata's), never a fixed offset. A window never
 * crosses midnight.
 *
 * The defaults (phn_call_window_default()) and the legal limits
 * (phn_call_window_limit()) are in the README's "Calling windows" table:
 * US and the other NANP regions 08:00-21:00 every day (47 CFR
 * 64.1200(c)(1)), Canada 10:00-18:00 every day (CRTC telemarketing rules),
 * Saudi Arabia 10:00-16:00 Sunday to Thursday, the other Friday/Saturday-
 * weekend countries 10:00-20:00 Sunday to Thursday, Iran and Afghanistan
 * 10:00-20:00 Saturday to Wednesday, everywhere else 10:00-20:00 Monday to
 * Friday. They are a starting point, not legal advice.
 *
 * Thread safety: every function here may be called from any thread; a
 * phn_call_window is a plain value.
 */

/* Day bits of phn_call_window.days: bit 0 is Sunday ... bit 6 Saturday. */
#define PHN_CALL_DAY_SUN 0x01u
#define PHN_CALL_DAY_MON 0x02u
#define PHN_CALL_DAY_TUE 0x04u
#define PHN_CALL_DAY_WED 0x08u
#define PHN_CALL_DAY_THU 0x10u
#define PHN_CALL_DAY_FRI 0x20u
#define PHN_CALL_DAY_SAT 0x40u
#define PHN_CALL_DAYS_ALL 0x7fu

/*
 * A calling window. Caller-allocated; grows only at its end (keep it out of
 * arrays and other public structs). Valid values: 0 <= start_minute <=
 * end_minute <= 1440 and days <= PHN_CALL_DAYS_ALL. start == end or
 * days == 0 is the empty window: never open.
 */
typedef struct phn_call_window {
	unsigned int version;
	int start_minute; /* local minutes after midnight, inclusive: 540 = 09:00 */
	int end_minute;   /* exclusive; 1440 = 24:00 */
	unsigned int days; /* PHN_CALL_DAY_* bits of the local day */
} phn_call_window;

#define PHN_CALL_WINDOW_VERSION 1
/* The general default: 10:00-20:00 Monday to Friday. */
#define PHN_CALL_WINDOW_INIT { PHN_CALL_WINDOW_VERSION, 600, 1200, 0x3eu }

/* Initialise *w as PHN_CALL_WINDOW_INIT does, for a caller built with
 * version (1 to PHN_CALL_WINDOW_VERSION). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_call_window_init(phn_call_window *w, unsigned int version);

/*
 * Set the hours and/or days of *w from the text of --window and --days.
 * hours: "HH:MM-HH:MM" (H:MM too; the end may be 24:00), end after start;
 * NULL keeps w's hours. days: "all", a day ("sun" ... "sat", or the full
 * English name, any case), a range ("sun-thu"; "fri-mon" wraps) or a
 * comma list of those ("mon,wed,fri", "mon-wed,sat"); NULL keeps w's days.
 * On error *w is unchanged and the message names the option and the bad
 * part: "--window '25:00-21:00': hour 25 is out of range".
 * Errors: PHN_EINVAL, PHN_EVERSION.
 */
PHN_EXTERN int phn_call_window_parse(phn_call_window *w, const char *hours, const char *days);

/*
 * Write w as "HH:MM-HH:MM DAYS" into dst[cap] ("09:00-21:00 sun-thu",
 * "08:00-21:00 all"; "none" for no day): for a window that is not empty,
 * the two halves read back with phn_call_window_parse() to the same window.
 * needed (if not NULL) gets the length without the NUL. Thread-safe.
 * Errors: PHN_EINVAL (NULL, invalid window), PHN_EBUFS, PHN_EVERSION.
 */
PHN_EXTERN int phn_call_window_format(char *dst, size_t cap, size_t *needed,
				      const phn_call_window *w);

/*
 * Set *w to the default window for numbers of region (ISO 3166-1 alpha-2,
 * any case; NULL or "" for a number without one, such as +800): the table
 * above. Errors: PHN_EINVAL, PHN_EVERSION, PHN_EREGION (unknown region).
 */
PHN_EXTERN int phn_call_window_default(phn_call_window *w, const char *region);

/*
 * Narrow a window the user chose to what the law of region allows: for the
 * NANP regions (calling code +1) *w becomes its intersection with
 * 08:00-21:00 every day (TCPA, 47 CFR 64.1200(c)(1), federal: a --window
 * can narrow it, never widen it). Other regions have no limit here: *w is
 * unchanged. If nothing of *w is left (--window 06:00-07:30 for a US
 * number) it fails with PHN_EINVAL, says so, and leaves *w unchanged.
 * Errors: PHN_EINVAL, PHN_EVERSION, PHN_EREGION.
 */
PHN_EXTERN int phn_call_window_limit(phn_call_window *w, const char *region);

/*
 * Is the window open at now_ms (Unix epoch milliseconds, UTC) in every one
 * of zones[0..nzones) (IANA ids, e.g. from phn_number_timezones())?
 *   *open = 1: open in all of them; *change_ms = the first instant after
 *              now_ms at which it closes in one of them;
 *   *open = 0: *change_ms = the first instant after now_ms at which it is
 *              open in all of them at once.
 * *change_ms is 0 when that does not happen within 14 days (a window open
 * around the clock; zones whose clocks are further apart than the window
 * is long, such as Riyadh and New York for 08:00-12:00; the empty window).
 * Local time comes from ICU calendars, so DST changes, skipped and
 * repeated hours included, are tzdata's: the window is open exactly while
 * the local wall clock reads a time in [start, end) on an allowed day.
 * The answer holds until *change_ms: a dialer can keep it per zone set
 * instead of asking again for every row (a check costs about 10-25 us for
 * one or two zones, 0.4 ms for the 42 zones of a +1 toll-free number;
 * ICU calendars are kept in a process-wide pool between calls).
 * Errors: PHN_EINVAL (NULL, nzones 0, an invalid window, now_ms outside
 * the years 1900-3000), PHN_ENOTFOUND (a zone ICU does not know; the
 * message names it), PHN_EVERSION, PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_call_window_check(int *open, int64_t *change_ms, const phn_call_window *w,
				     const char *const *zones, size_t nzones, int64_t now_ms);

/* 1 if ICU knows zone as an IANA time zone id ("Asia/Riyadh",
 * "America/New_York"), 0 otherwise (also for NULL, "", "Etc/Unknown" and
 * custom ids such as "GMT+03:00"). */
PHN_EXTERN int phn_timezone_known(const char *zone);

/* ---- end of calling windows ------------------------------------------- */


/* ---- the dialer ------------------------------------------------------- */

/* ---- end of the dialer ------------------------------------------------ */


/* ---- the report ------------------------------------------------------- */

/* ---- end of the report ------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_CAMPAIGN_H */
