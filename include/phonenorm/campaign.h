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
 * Saudi Arabia 09:00-21:00 Sunday to Thursday, the Friday/Saturday-weekend
 * countries 10:00-20:00 Sunday to Thursday, everywhere else 10:00-20:00
 * Monday to Friday. They are a starting point, not legal advice.
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
 * "08:00-21:00 all"; "none" for no day): the two halves read back with
 * phn_call_window_parse(). needed (if not NULL) gets the length without the
 * NUL. Errors: PHN_EINVAL (NULL, invalid window), PHN_EBUFS, PHN_EVERSION.
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
 * around the clock; zones too far apart ever to share the window, such as
 * all 42 zones of a +1 toll-free number; the empty window). Local time
 * comes from ICU calendars, so DST changes, skipped and repeated hours
 * included, are tzdata's: the window is open exactly while the local wall
 * clock reads a time in [start, end) on an allowed day.
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

/*
 * What a campaign journal says, for people and programs: the summary
 * (`phonenorm report`) and every row with its outcome as CSV or JSON Lines.
 * A report opens the journal read-only and never takes the dial lock, so it
 * may run while `phonenorm dial` writes the journal; each call reads one
 * consistent snapshot (the summary is the one taken at open).
 *
 * Thread safety: a phn_campaign_report belongs to one thread at a time.
 */
typedef struct phn_campaign_report phn_campaign_report;

/* The state of a row in a journal. Values only grow. */
typedef enum phn_campaign_state {
	PHN_CAMPAIGN_PENDING = 0,    /* clean, to be called */
	PHN_CAMPAIGN_SENDING = 1,    /* a request of it may be on the wire */
	PHN_CAMPAIGN_ACCEPTED = 2,   /* the call API accepted the call */
	PHN_CAMPAIGN_REJECTED = 3,   /* the API refused it (4xx) */
	PHN_CAMPAIGN_FAILED = 4,     /* retries or attempts used up */
	PHN_CAMPAIGN_UNKNOWN = 5,    /* sent, outcome unknown: never re-sent by itself */
	PHN_CAMPAIGN_WAITING = 6,    /* outside its calling window */
	PHN_CAMPAIGN_SUPPRESSED = 7, /* on the do-not-call list */
	PHN_CAMPAIGN_DUPLICATE = 8,  /* repeats an earlier row */
	PHN_CAMPAIGN_INVALID = 9     /* rejected by the cleaner */
} phn_campaign_state;

/* Static name of a state: "pending", "sending", "accepted", "rejected",
 * "failed", "unknown", "waiting", "suppressed", "duplicate", "invalid";
 * NULL for a value this library does not know. */
PHN_EXTERN const char *phn_campaign_state_name(phn_campaign_state state);

/*
 * Open the journal at path for reading. Errors (message in phn_error_last()
 * naming the file): PHN_EINVAL, PHN_ENOTFOUND ("journal 'x.db' does not
 * exist"), PHN_EFORMAT (not a phonenorm journal, or corrupt), PHN_EVERSION
 * (written by a newer phonenorm: "schema version 2 is newer than this
 * phonenorm (1)"), PHN_EIO, PHN_ENOMEM; *out is NULL then.
 */
PHN_EXTERN int phn_campaign_report_open(phn_campaign_report **out, const char *path);

/* Close the journal and free the report; NULL is allowed. */
PHN_EXTERN void phn_campaign_report_free(phn_campaign_report *r);

/* The journal as a whole, taken when the report was opened. New fields are
 * only appended. Strings are never NULL ("" when the journal does not say)
 * and live as long as the report. Times: milliseconds since the Unix epoch
 * (UTC), 0 when unknown. */
typedef struct phn_campaign_summary {
	unsigned int version;
	int schema_version;      /* the journal's (this library reads 1) */
	int loaded;              /* 1 once the whole list is in the journal */
	uint64_t rows;           /* every row of the list (the per-state counts add up to it) */
	uint64_t attempts;       /* requests of every step ever sent */
	uint64_t call_attempts;  /* of them, calls */
	uint64_t runs;           /* `phonenorm dial --live` runs */
	uint64_t runs_unfinished; /* runs with no end: crashed (kill -9, power) or running */
	const char *list_name;
	const char *list_sha256;
	const char *campaign_id;
	int64_t created_at;
	int64_t last_run_started_at;
	int64_t last_run_ended_at;
	const char *last_run_result;
} phn_campaign_summary;

#define PHN_CAMPAIGN_SUMMARY_VERSION 1
#define PHN_CAMPAIGN_SUMMARY_INIT { PHN_CAMPAIGN_SUMMARY_VERSION, 0, 0, 0, 0, 0, 0, 0, "", "", \
		"", 0, 0, 0, "" }

/* Set *sum to an empty summary of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_campaign_summary_init(phn_campaign_summary *sum, unsigned int version);

/* The summary into *out (initialised with PHN_CAMPAIGN_SUMMARY_INIT or
 * phn_campaign_summary_init()). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_campaign_report_summary(phn_campaign_summary *out,
					   const phn_campaign_report *r);

/* *out = rows in state (at open). A loop from 0 until PHN_ENOTFOUND visits
 * every state this library knows. Errors: PHN_EINVAL, PHN_ENOTFOUND. */
PHN_EXTERN int phn_campaign_report_count(uint64_t *out, const phn_campaign_report *r,
					 phn_campaign_state state);

/* Export formats. Values only grow. */
typedef enum phn_campaign_format {
	/* CSV (RFC 4180, "\n" line ends), a header row, then one row per list
	 * row in line order, quoted as `phonenorm clean` quotes. */
	PHN_CAMPAIGN_FORMAT_CSV = 1,
	/* JSON Lines: one object per row, in line order, same keys as the CSV
	 * columns; null for what is not known; exact JSON escaping (bytes that
	 * are not UTF-8 become U+FFFD). */
	PHN_CAMPAIGN_FORMAT_JSON = 2
} phn_campaign_format;

/*
 * Write every row of the journal with its outcome to write(payload), in
 * blocks of up to 64 KiB, streamed (memory does not grow with the journal).
 * Columns / keys: line, state, reason, duplicate_of, input, e164, region,
 * type, zones ('&'-joined), attempts (calls), next_at, call_id,
 * contact_uuid, invoice_uuid, last_dispatch_id, last_step, last_outcome,
 * last_http_status, last_detail, last_at, fields (the request inputs as a
 * JSON text); times as ISO 8601 UTC ("2026-12-07T09:00:00.000Z"). Columns
 * are only appended. flags: PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS (list.h;
 * CSV only) or 0. Errors: PHN_EINVAL (NULL, unknown format or flag),
 * PHN_EFORMAT (the journal is corrupt), PHN_EIO (write returned nonzero,
 * or reading failed), PHN_ENOMEM. What was written before an error stays
 * written.
 */
PHN_EXTERN int phn_campaign_report_write(phn_campaign_report *r, phn_campaign_format format,
					 phn_write_cb write, void *payload, unsigned int flags);

/* ---- end of the report ------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_CAMPAIGN_H */
