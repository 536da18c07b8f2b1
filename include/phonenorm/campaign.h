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

/*
 * A campaign: one list, one journal file (SQLite) that records every row,
 * every request and its outcome, so that a run can stop at any moment (a
 * crash, kill -9) and the next run resumes without calling anyone twice.
 *
 *   phn_dial_options o = PHN_DIAL_OPTIONS_INIT;      (list, mapping, pacing)
 *   phn_dialer_open(&dl, "campaign.db", &o);         (dial lock; list checked)
 *   phn_dialer_plan(&plan, dl);  ...  phn_dial_plan_free(plan);   (dry run)
 *   phn_dialer_run(dl);                              (live: sends)
 *   phn_dialer_free(dl);
 *
 * A dialer belongs to one thread, except phn_dialer_stop(), which any
 * thread or a signal handler may call. Calling windows: the calling
 * windows section above; outcomes of requests: dispatch.h.
 */
typedef struct phn_dialer phn_dialer;

/* phn_dial_options.flags */
/* Send nothing and never create or change the journal: phn_dialer_open()
 * opens an existing journal read-only (no dial lock), or none; only
 * phn_dialer_plan() may be called. */
#define PHN_DIAL_DRY_RUN (1u << 0)
/* Do not wait for calling windows: rows whose window is closed stay
 * "waiting" for a later run, which then ends with rows left. */
#define PHN_DIAL_NO_WAIT (1u << 1)
/* Re-send rows whose earlier request had an unknown outcome (the call may
 * have been placed): only on an explicit request. */
#define PHN_DIAL_RETRY_UNKNOWN (1u << 2)

/* phn_dial_options.redial_flags (version 2) */
/* Call again the rows whose call was accepted but not delivered: the result
 * of the row's latest call attempt (a phone_call.ended event recorded by the
 * webhook receiver) says deliveryStatus "fail", and at least
 * redial_after_ms have passed since that event. A live run requeues them at
 * its start (a new attempt with a new dispatch id; max_attempts, the calling
 * windows and the pacing apply as to any row); rows still awaiting a result
 * are never called again. A dry run counts them (phn_dial_plan_redial()). */
#define PHN_DIAL_REDIAL_UNDELIVERED (1u << 0)

/* What happened, for phn_dial_options.on_event. */
typedef enum phn_dial_event_kind {
	/* The list is in the journal (first run) or was checked against it. */
	PHN_DIAL_EVENT_LOADED = 0,
	/* Rows found "sending" at the start (a run died mid-request) became
	 * "unknown"; count says how many. */
	PHN_DIAL_EVENT_RECOVERED = 1,
	/* Counters, about twice a second while running, and once at the end. */
	PHN_DIAL_EVENT_PROGRESS = 2,
	/* A request ended: line, step, dispatch_id, outcome, http_status,
	 * detail, state (the row's state afterwards), at_ms (its next try when
	 * it is to be retried), call_id. */
	PHN_DIAL_EVENT_ROW = 3,
	/* Nothing can be sent before at_ms: rows wait for their calling window
	 * (region, count: the rows that wait for it) or for a retry. */
	PHN_DIAL_EVENT_WAIT = 4,
	/* A Retry-After longer than the retry cap: retry_after_s as asked,
	 * at_ms when the row is tried again (after cap_ms). */
	PHN_DIAL_EVENT_RETRY_CAPPED = 5,
	/* The run stops sending: a 401/403 (detail says so), or
	 * phn_dialer_stop(). Requests in flight still end and are recorded. */
	PHN_DIAL_EVENT_STOPPING = 6,
	/* The list is going into the journal (first run): count rows so far,
	 * every 50,000 rows. A nonzero return of the callback (or
	 * phn_dialer_stop() from a signal handler) abandons the load:
	 * phn_dialer_open() fails with PHN_EINTERNAL ("loading stopped") and the
	 * next open starts the load over. */
	PHN_DIAL_EVENT_LOADING = 7,
	/* The do-not-call list (--suppress) is not the one the journal last
	 * saw: count rows still to be dialled (pending or waiting) are on it
	 * now and became "suppressed" before anything was sent. Never the other
	 * way: a number taken off the list stays suppressed. */
	PHN_DIAL_EVENT_SUPPRESSED = 8,
	/* PHN_DIAL_REDIAL_UNDELIVERED: count rows whose call was not delivered
	 * are pending again for a new call (at the start of phn_dialer_run(),
	 * before SUPPRESSED and before any row is sent; a redialed row newly on
	 * the do-not-call list is suppressed then, never called). */
	PHN_DIAL_EVENT_REDIAL = 9
} phn_dial_event_kind;

/*
 * The counters of a campaign: in events (library-owned), and filled by
 * phn_dialer_summary() into a caller's struct, initialised with
 * PHN_DIAL_PROGRESS_INIT or phn_dial_progress_init() (only that version's
 * fields are written). Grows only at its end. States are over the whole
 * journal; sent, retries and rate are of this run.
 */
typedef struct phn_dial_progress {
	unsigned int version;
	uint64_t rows;       /* every row of the list */
	uint64_t pending;    /* to be sent (retries waiting for their time included) */
	uint64_t waiting;    /* outside their calling window */
	uint64_t in_flight;  /* requests on the wire */
	uint64_t accepted;   /* calls the API accepted */
	uint64_t rejected;   /* refused by the API (4xx): final */
	uint64_t failed;     /* retries or attempts used up */
	uint64_t unknown;    /* sent, outcome unknown: never re-sent automatically */
	uint64_t skipped;    /* invalid, duplicate or suppressed: never dialled */
	uint64_t sent;       /* requests that left in this run (every step) */
	uint64_t retries;    /* of those, retries after throttling or not_sent */
	double rate;         /* requests per second over the last few seconds */
	double eta_seconds;  /* to send what is pending at the pace so far; -1 unknown */
	int64_t now_ms;      /* the dialer's clock (see test_now_ms) */
	/* Version 2. */
	uint64_t redialed;   /* rows this run made pending again for a redial
			      * (PHN_DIAL_REDIAL_UNDELIVERED) */
} phn_dial_progress;

#define PHN_DIAL_PROGRESS_VERSION 2
#define PHN_DIAL_PROGRESS_INIT { PHN_DIAL_PROGRESS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
		0.0, -1.0, 0, 0 }

/* Set *p to PHN_DIAL_PROGRESS_INIT for version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_dial_progress_init(phn_dial_progress *p, unsigned int version);

/* One event. Library-owned, valid during the callback; strings NULL when
 * they do not apply. Text from the server (detail) is as it came: escape it
 * before showing it. */
typedef struct phn_dial_event {
	unsigned int version;
	phn_dial_event_kind kind;
	const phn_dial_progress *progress; /* never NULL */
	uint64_t line;            /* ROW: the row's line in the list */
	const char *step;         /* ROW: "contact", "invoice", "call" */
	const char *dispatch_id;  /* ROW: metadata.phonenorm_dispatch_id of the attempt */
	const char *outcome;      /* ROW: phn_dispatch_outcome_name() */
	int http_status;          /* ROW: 0 when no response */
	const char *detail;       /* ROW, STOPPING: the result's error line, or a reason */
	const char *state;        /* ROW: the row's state afterwards ("accepted", ...) */
	const char *call_id;      /* ROW: the accepted call's callId */
	int64_t at_ms;            /* ROW: next try (0: none); WAIT, RETRY_CAPPED: when */
	const char *region;       /* WAIT: the region whose window is closed, or NULL */
	uint64_t count;           /* WAIT, RECOVERED, LOADED, SUPPRESSED, REDIAL: rows */
	int64_t retry_after_s;    /* RETRY_CAPPED */
	int64_t cap_ms;           /* RETRY_CAPPED: the cap (--retry-cap) */
} phn_dial_event;

#define PHN_DIAL_EVENT_VERSION 1

/* Receives events on the thread that runs the dialer. A nonzero return asks
 * the run to stop (as phn_dialer_stop()). */
typedef int (*phn_dial_event_cb)(const phn_dial_event *event, void *payload);

/*
 * The campaign's settings. Strings are copied by phn_dialer_open(). A
 * column is given as the clean options give one: a header name (compared
 * ignoring case, spaces and punctuation) or, when it is all digits, a
 * 1-based index. NULL: the mapped field is guessed from the header
 * (first_name, firstName, "First Name"; last_name, surname; email, e-mail;
 * contact_uuid, contactUuid), or not sent.
 *
 * The list and every option that decides what is loaded (clean options,
 * csv options, suppress, the mapping, invoice columns) are stored in the
 * journal on the first run; a later run with another list (SHA-256 of its
 * bytes) or other such options fails with PHN_EINVAL and says what
 * differs. Pacing, windows, template, update_existing and create_if_not_
 * exists may change between runs.
 */
typedef struct phn_dial_options {
	unsigned int version;
	unsigned int flags; /* PHN_DIAL_* */
	/* The list: a CSV file (or plain text with csv.delimiter '\0'). */
	const char *list_path;
	const phn_csv_options *csv;     /* NULL: defaults with delimiter sniffing */
	const phn_clean_options *clean; /* NULL: defaults; threads is ignored (1) */
	/* The call API. NULL: defaults (no token: only dry runs). Its
	 * max_in_flight is replaced by concurrency. */
	const phn_dispatch_options *dispatch;
	/* Column mapping (see above). */
	const char *first_name_column;
	const char *last_name_column;
	const char *email_column;
	const char *contact_uuid_column;
	/* The row's IANA time zone ("America/Chicago"); blank or unknown cells
	 * use the number's zones. NULL: the number's zones. */
	const char *timezone_column;
	/* promptTags and metadata from columns: key = the field, value = the
	 * column. Blank cells are not sent. */
	const phn_dispatch_kv *tags;
	size_t tags_count;
	const phn_dispatch_kv *meta;
	size_t meta_count;
	/* Sent with every call. */
	const char *template_id;
	phn_dispatch_bool update_existing;
	phn_dispatch_bool create_if_not_exists;
	/* The invoice flow ("Call to Number"): with invoice_date_column set,
	 * each row first gets a contact (POST /contact, role PRIMARY), then an
	 * invoice for it, then the call with its contactUuid. */
	const char *invoice_number_column;
	const char *invoice_date_column;
	const char *invoice_due_date_column;
	const char *invoice_total_column;
	/* Pacing. rate: requests per second (token bucket of capacity 1: any
	 * one-second span sees at most rate + 1), 0 unlimited. concurrency:
	 * requests in flight at once, 0: 16. */
	double rate;
	unsigned int concurrency;
	/* Retries of a throttled (429/503) or not-sent request in one run,
	 * with exponential backoff and full jitter (or Retry-After), each wait
	 * at most retry_cap_ms (0: 120000). max_retries 0: no retry. */
	unsigned int max_retries;
	int64_t retry_cap_ms;
	/* Call attempts per row over every run of the journal; 0: no limit. */
	unsigned int max_attempts;
	/* The calling window in the callee's local time, as --window and
	 * --days write it (phn_call_window_parse): hours "09:00-21:00", days
	 * "sun-thu". Each replaces that half of the region's default
	 * (phn_call_window_default); NULL keeps it. For +1 numbers the result
	 * is always narrowed to 08:00-21:00 (US TCPA, phn_call_window_limit). */
	const char *window_hours;
	const char *window_days;
	/* A fixed clock for tests: "now" starts at this time (ms since the
	 * epoch, UTC) and advances with the real clock. 0: the real clock. Only
	 * with a loopback API URL (PHN_EINVAL otherwise). */
	int64_t test_now_ms;
	phn_dial_event_cb on_event; /* NULL: none */
	void *payload;
	/* Version 2: call again rows whose call was not delivered. */
	unsigned int redial_flags; /* PHN_DIAL_REDIAL_*, 0: none */
	/* The gap between a call's "not delivered" result (its event time) and
	 * the redial: the row is not called again before result time + this.
	 * -1: the default, one hour (3600000); 0: at once. Only with
	 * redial_flags (PHN_EINVAL otherwise, as for a value below -1). */
	int64_t redial_after_ms;
} phn_dial_options;

#define PHN_DIAL_OPTIONS_VERSION 2
#define PHN_DIAL_OPTIONS_INIT { PHN_DIAL_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL, \
		NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, PHN_DISPATCH_UNSET, PHN_DISPATCH_UNSET, \
		NULL, NULL, NULL, NULL, 0.0, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, 0, -1 }

/* The default of phn_dial_options.redial_after_ms (-1): one hour. */
#define PHN_DIAL_REDIAL_AFTER_DEFAULT_MS ((int64_t)3600000)

/* Set *opts to the defaults of version (1 to PHN_DIAL_OPTIONS_VERSION; only
 * that version's fields are written). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_dial_options_init(phn_dial_options *opts, unsigned int version);

/*
 * Open the campaign of journal_path. Live (no PHN_DIAL_DRY_RUN): creates
 * the journal if needed and takes its dial lock (a second dialer on the
 * same journal fails with PHN_EIO naming the pid that holds it), recovers
 * after a crash (rows left "sending" become "unknown", reported as
 * PHN_DIAL_EVENT_RECOVERED), then loads the list into it, streaming (memory
 * does not grow with the list), or checks that it is the list and options
 * the journal was made with. Dry run: reads the journal if it exists,
 * changes nothing.
 *
 * Errors (*out NULL, phn_error_last() says why): PHN_EINVAL (options, a
 * different list or options than the journal's, a test clock with a
 * non-loopback URL), PHN_EVERSION, PHN_ENOTFOUND (a mapped column the
 * header lacks), PHN_EIO (the list or the journal cannot be read or
 * written, the dial lock), PHN_EFORMAT (not a phonenorm journal, or a list
 * that is no text), PHN_ENOMEM.
 */
PHN_EXTERN int phn_dialer_open(phn_dialer **out, const char *journal_path,
			       const phn_dial_options *opts);

/* Close the journal (releasing the dial lock) and free; NULL is fine. */
PHN_EXTERN void phn_dialer_free(phn_dialer *dl);

/*
 * Send: every row that is pending (and, with PHN_DIAL_RETRY_UNKNOWN,
 * unknown) goes through its steps, paced, each request durably marked
 * "sending" in the journal before it leaves and its outcome durably
 * recorded after. Returns when nothing is left to send now (rows may be
 * left waiting with PHN_DIAL_NO_WAIT), on a 401/403, or after
 * phn_dialer_stop(); read the end with phn_dialer_summary().
 * Errors: PHN_EINVAL (a dry-run dialer), PHN_EAUTH (no token; nothing was
 * sent), PHN_EIO (the journal could not be written: the run stops at once),
 * PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_dialer_run(phn_dialer *dl);

/* Ask a run to stop: nothing more is sent; requests in flight end (up to
 * their timeout, at most 10 s) and are recorded. Async-signal-safe. */
PHN_EXTERN void phn_dialer_stop(phn_dialer *dl);

/* How a run ended. */
typedef enum phn_dial_end {
	PHN_DIAL_END_DONE = 0,        /* every dialable row is final */
	PHN_DIAL_END_LEFT = 1,        /* rows left waiting or pending (no-wait, max attempts) */
	PHN_DIAL_END_AUTH_FAILED = 2, /* stopped on 401/403 */
	PHN_DIAL_END_STOPPED = 3      /* phn_dialer_stop() or the event callback */
} phn_dial_end;

/* The counters now (after a run: at its end) into *out, of version
 * PHN_DIAL_PROGRESS_VERSION at most (only that version's fields are
 * written); *end (may be NULL) how the last run
 * ended (PHN_DIAL_END_DONE before any run). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_dialer_summary(phn_dial_progress *out, phn_dial_end *end,
				  const phn_dialer *dl);

/* The journal's campaign id (a UUID, sent as metadata.phonenorm_campaign),
 * "" in a dry run without a journal. Lives as long as dl. */
PHN_EXTERN const char *phn_dialer_campaign_id(const phn_dialer *dl);

/*
 * The plan of a run (what a dry run prints), from the journal when it has
 * the list, else from the list itself: counts, why rows are skipped, the
 * first requests as they would go out (token masked), when the calling
 * window opens per region, and how long the run takes at the rate. Sends
 * nothing and changes nothing. *out belongs to the caller.
 * Errors: PHN_EINVAL, PHN_EIO, PHN_ENOMEM.
 */
typedef struct phn_dial_plan phn_dial_plan;

PHN_EXTERN int phn_dialer_plan(phn_dial_plan **out, phn_dialer *dl);
PHN_EXTERN void phn_dial_plan_free(phn_dial_plan *plan); /* NULL is fine */

/* The plan's counters: rows = to_call + done + skipped; to_call counts
 * rows to be sent now or when their window opens; done: accepted,
 * rejected, failed or unknown in earlier runs. eta_seconds: to_call
 * requests (times the steps per row) at the rate; -1 with no rate. */
PHN_EXTERN int phn_dial_plan_counts(uint64_t *rows, uint64_t *to_call, uint64_t *done,
				    uint64_t *skipped, double *eta_seconds,
				    const phn_dial_plan *plan);

/* Skip reason i ("duplicate", "suppressed", "invalid:too_short",
 * "accepted", "unknown" ...) and its count. Errors: PHN_EINVAL,
 * PHN_ENOTFOUND past the last. reason lives as long as plan. */
PHN_EXTERN int phn_dial_plan_skipped(const char **reason, uint64_t *count,
				     const phn_dial_plan *plan, size_t i);

/* Request i of the first ones that would go out (up to 3), in order;
 * NULL past the last. Lives as long as plan (dispatch.h getters read it).
 * line (may be NULL) gets its row's line. */
PHN_EXTERN const phn_dispatch_request *phn_dial_plan_request(uint64_t *line,
							     const phn_dial_plan *plan, size_t i);

/*
 * With PHN_DIAL_REDIAL_UNDELIVERED: *due rows whose call was not delivered
 * would be called again now (they are in to_call, and no longer among the
 * "accepted" skipped rows), *later more once their gap (redial_after_ms)
 * has passed, the first of them at *next_due_ms (0: none). Rows at
 * max_attempts are in neither. All 0 without the flag or without a journal.
 * Any pointer may be NULL. Errors: PHN_EINVAL.
 */
PHN_EXTERN int phn_dial_plan_redial(uint64_t *due, uint64_t *later, int64_t *next_due_ms,
				    const phn_dial_plan *plan);

/* Window i: a region with rows to call, how many, and whether its window is
 * open now (*open 1; *opens_ms 0) or when it next opens for all of them
 * (*opens_ms, the earliest of its rows; 0 when not within 14 days).
 * Errors: PHN_EINVAL, PHN_ENOTFOUND past the last. */
PHN_EXTERN int phn_dial_plan_window(const char **region, uint64_t *rows, int *open,
				    int64_t *opens_ms, const phn_dial_plan *plan, size_t i);

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
 * (UTC), 0 when unknown.
 *
 * Version 2 adds the call results: what the phone_call.ended events that
 * the webhook receiver recorded say about the accepted rows (each row
 * counts the result of its latest call attempt; for one attempt the latest
 * event wins). accepted = delivered + not_delivered + awaiting_result. A
 * journal of schema 1 (no receiver yet) has every accepted row awaiting. */
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
	/* Version 2: call results. */
	uint64_t accepted;        /* rows the call API accepted */
	uint64_t delivered;       /* of them, deliveryStatus "pass" */
	uint64_t not_delivered;   /* of them, any other deliveryStatus ("fail") */
	uint64_t awaiting_result; /* of them, no phone_call.ended event yet */
	uint64_t talk_time_s;     /* sum of the durations of every call result */
	uint64_t events;          /* webhook events kept: every type, orphans too */
	uint64_t orphans;         /* phone_call.ended matching no attempt */
	uint64_t other_types;     /* events of types other than phone_call.ended */
	uint64_t refused;         /* deliveries refused ("bad_signature",
				   * "stale_timestamp", ...), all reasons:
				   * phn_campaign_report_refusal() */
} phn_campaign_summary;

#define PHN_CAMPAIGN_SUMMARY_VERSION 2
#define PHN_CAMPAIGN_SUMMARY_INIT { PHN_CAMPAIGN_SUMMARY_VERSION, 0, 0, 0, 0, 0, 0, 0, "", "", \
		"", 0, 0, 0, "", 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Set *sum to an empty summary of version (1 to PHN_CAMPAIGN_SUMMARY_VERSION;
 * only that version's fields are written). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_campaign_summary_init(phn_campaign_summary *sum, unsigned int version);

/* The summary into *out (initialised with PHN_CAMPAIGN_SUMMARY_INIT or
 * phn_campaign_summary_init(); the fields of out->version are written).
 * Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_campaign_report_summary(phn_campaign_summary *out,
					   const phn_campaign_report *r);

/* *out = rows in state (at open). A loop from 0 until PHN_ENOTFOUND visits
 * every state this library knows. Errors: PHN_EINVAL, PHN_ENOTFOUND. */
PHN_EXTERN int phn_campaign_report_count(uint64_t *out, const phn_campaign_report *r,
					 phn_campaign_state state);

/* One value of a histogram and its count: value (never NULL) lives during
 * the call. A nonzero return stops the walk and is returned. */
typedef int (*phn_campaign_count_cb)(const char *value, uint64_t count, void *payload);

/*
 * The histogram of a call-result field over the rows' current results (the
 * result of each row's latest call attempt, as taken at open; a row
 * requeued for a redial keeps its last result until its new call goes
 * out): column "call_output" (the callOutput label the AI evaluation
 * assigned, e.g. "CALL_RESULT") or "sentiment" (sentimentOutput:
 * "NEUTRAL", ...). One call of cb per distinct value,
 * count descending, then value ascending (byte order); rows without the
 * field are not counted. Values are as the events sent them: escape them
 * before showing them. Errors: PHN_EINVAL (NULL, another column), or cb's
 * nonzero return.
 */
PHN_EXTERN int phn_campaign_report_histogram(const phn_campaign_report *r, const char *column,
					     phn_campaign_count_cb cb, void *payload);

/*
 * Deliveries the webhook receiver refused, by reason (the
 * phn_webhook_refusal_cb reasons, as sent: "bad_signature",
 * "stale_timestamp", "future_timestamp", "missing_header", "bad_timestamp",
 * "not_json", "not_utf8", "too_large", "not_found", "method_not_allowed",
 * "unsupported_media", "too_many_headers", "bad_request",
 * "header_deadline"), reason
 * ascending, as taken at open; *last_at_ms (may be NULL) of the latest
 * refusal of that reason (0: unknown). Reason i, i from 0 until
 * PHN_ENOTFOUND. reason lives as long as the report.
 * Errors: PHN_EINVAL, PHN_ENOTFOUND past the last.
 */
PHN_EXTERN int phn_campaign_report_refusal(const char **reason, uint64_t *count,
					   int64_t *last_at_ms, const phn_campaign_report *r,
					   size_t i);

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
 * JSON text), then the call result of the row's latest call attempt (empty
 * / null while none): delivery_status, provider_status, duration (seconds),
 * ended_reason, call_output, sentiment, provider_call_id, result_at (the
 * event's time), result_event (its svix-id); times as ISO 8601 UTC
 * ("2026-12-07T09:00:00.000Z"). Columns are only appended. flags: PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS (list.h;
 * CSV only) or 0. Errors: PHN_EINVAL (NULL, unknown format or flag),
 * PHN_EFORMAT (the journal is corrupt), PHN_EIO (write returned nonzero,
 * or reading failed), PHN_ENOMEM. What was written before an error stays
 * written.
 */
PHN_EXTERN int phn_campaign_report_write(phn_campaign_report *r, phn_campaign_format format,
					 phn_write_cb write, void *payload, unsigned int flags);

/*
 * Write the summary (as taken at open) to write(payload) as one JSON object
 * and "\n" (`phonenorm report --summary-json`): journal, schema_version,
 * loaded, list_name, list_sha256, campaign_id, created_at, rows, states
 * {name: count}, attempts, call_attempts, runs, runs_unfinished, last_run
 * {started_at, ended_at, result} (null before any run), and "results":
 * {accepted, delivered, not_delivered, awaiting_result, talk_time_s,
 * average_talk_time_s (per delivered call; null with none), events,
 * orphans, other_types, call_output {value: count}, sentiment {value:
 * count} (in histogram order), refused {reason: count}, refused_total}.
 * Times ISO 8601 UTC or null; text escaped as the JSON export escapes it.
 * Keys are only added. Errors: PHN_EINVAL (NULL), PHN_EIO (write returned
 * nonzero), PHN_ENOMEM.
 */
PHN_EXTERN int phn_campaign_report_write_summary(const phn_campaign_report *r,
						 phn_write_cb write, void *payload);

/* ---- end of the report ------------------------------------------------ */

/* ---- call results: the webhook receiver's side of the journal -------- */

/*
 * phone_call.ended events, verified by the caller (phonenorm/webhook.h),
 * recorded in a campaign journal. The event is matched to the attempt that
 * sent the call by metadata.requestMetadata.phonenorm_dispatch_id; its
 * result (deliveryStatus, providerStatus, duration, endedReason, callOutput,
 * sentimentOutput, providerCallId) goes on the attempt and, when that is the
 * row's latest call attempt, on the row. Every event is kept whole in the
 * journal's events table, keyed by its svix-id: a redelivery changes
 * nothing. Events that match no attempt are orphans (kept, counted); event
 * types other than phone_call.ended are kept and counted. For one attempt,
 * the event with the latest time wins (ties: the greater svix-id), whatever
 * order they arrive in; the event time is the svix-timestamp of the first
 * delivery of that svix-id that reached the journal (the payload carries
 * no event time of its own). The sender puts a fresh svix-timestamp on
 * every attempt, so an older event whose first attempts failed (a 503, a
 * network error) and that is first stored on a retry after a newer event
 * counts as the later one and wins: "latest" means latest first-stored
 * delivery, not latest call outcome.
 *
 * A receiver runs beside `phonenorm dial` on the same journal (SQLite WAL,
 * short transactions; it never takes the dial lock). Events from many
 * threads are written in group commits: one durable transaction for all
 * events that arrived while the previous one was being written.
 *
 * Thread safety: phn_campaign_receiver_record() and _refused() may be
 * called from any number of threads at once; _open, _stats and _close from
 * one.
 */
typedef struct phn_campaign_receiver phn_campaign_receiver;

/*
 * Open the journal at path for recording results. The journal must exist
 * (`phonenorm dial` creates it); a journal of schema 1 is upgraded to 2 in
 * place (one transaction). Errors as phn_campaign_report_open().
 */
PHN_EXTERN int phn_campaign_receiver_open(phn_campaign_receiver **out, const char *path);

/* What recording one event did. */
typedef enum phn_receiver_outcome {
	PHN_RECEIVER_APPLIED = 0,   /* new, matched an attempt, its result is in force */
	PHN_RECEIVER_SUPERSEDED = 1, /* new, matched, but a later event of that attempt wins */
	PHN_RECEIVER_ORPHAN = 2,    /* new, matched no attempt of this journal (kept) */
	PHN_RECEIVER_OTHER_TYPE = 3, /* new, not phone_call.ended (kept) */
	PHN_RECEIVER_DUPLICATE = 4  /* this svix-id was already in the journal: nothing changed */
} phn_receiver_outcome;

/* "applied", "superseded", "orphan", "other_type", "duplicate"; NULL otherwise. */
PHN_EXTERN const char *phn_receiver_outcome_name(phn_receiver_outcome o);

/*
 * Record one verified event (body: the raw JSON object) and return once it
 * is durable (synchronous=FULL commit), with *outcome set (may be NULL).
 * timestamp_s: the delivery's svix-timestamp; received_ms: when it arrived.
 * Errors: PHN_EINVAL (NULL, empty svix_id, body not a JSON object),
 * PHN_EIO (the journal could not be written, whatever the cause, the
 * writer running out of memory included: the caller answers 503 and the
 * sender retries; phn_error_last() names the real failure and its code,
 * e.g. "the journal could not be written (PHN_ENOMEM): ..."), PHN_ENOMEM
 * (while parsing the body, before anything is queued).
 */
PHN_EXTERN int phn_campaign_receiver_record(phn_campaign_receiver *rc, const char *svix_id,
					    int64_t timestamp_s, const char *body,
					    size_t body_len, int64_t received_ms,
					    phn_receiver_outcome *outcome);

/* Count a refused delivery under reason (a phn_webhook_refusal_cb reason);
 * counts are written with the next group commit, or by _close. */
PHN_EXTERN void phn_campaign_receiver_refused(phn_campaign_receiver *rc, const char *reason);

/* Counters since open. New fields are only appended. */
typedef struct phn_receiver_stats {
	unsigned int version;
	uint64_t events;       /* new events written (every outcome but duplicate) */
	uint64_t applied;
	uint64_t superseded;
	uint64_t orphans;
	uint64_t other_types;
	uint64_t duplicates;
	uint64_t refused;
	uint64_t commits;      /* group commits */
} phn_receiver_stats;

#define PHN_RECEIVER_STATS_VERSION 1
#define PHN_RECEIVER_STATS_INIT { PHN_RECEIVER_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

PHN_EXTERN int phn_campaign_receiver_stats(phn_receiver_stats *out,
					   const phn_campaign_receiver *rc);

/* Write pending refusal counts, close the journal, free. NULL is fine. */
PHN_EXTERN void phn_campaign_receiver_close(phn_campaign_receiver *rc);

/* ---- end of call results --------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_CAMPAIGN_H */
