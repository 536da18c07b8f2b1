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
