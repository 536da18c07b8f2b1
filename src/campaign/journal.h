/*
 * The campaign journal: everything a dial run knows, durable, behind a small
 * interface so that a second backend (PostgreSQL, for several dialer hosts
 * on one campaign) can replace the SQLite one (journal_sqlite.c) without the
 * dialer changing. The dialer (dialer.c) and the report use only what is
 * declared here; nothing above this header knows it is SQLite.
 *
 * Rules every backend keeps:
 *  - Every function that changes the journal is one transaction, durable on
 *    return (SQLite: WAL, synchronous=FULL). journal_mark_sending() returns
 *    only when every row of its batch is durably "sending", before any of
 *    those requests leaves the process.
 *  - Times are milliseconds since the Unix epoch (UTC), int64_t.
 *  - Strings passed in are copied; strings handed out (struct jwork,
 *    struct jreport_row, journal_meta_get) live until the next call on the
 *    same journal unless said otherwise.
 *  - Errors are negative PHN_E* codes with phn_error_last() set, naming the
 *    journal file: "journal 'x.db': database is locked by another phonenorm
 *    dial (pid 1234)", "journal 'x.db': not a phonenorm journal",
 *    "journal 'x.db': schema version 7 is newer than this phonenorm (1)".
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHN_CAMPAIGN_JOURNAL_H
#define PHN_CAMPAIGN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/campaign.h" /* phn_receiver_outcome */

/* 2: call results (events, refusals, the result columns of attempts and
 * rows). A version 1 journal is upgraded in place by any writer open. */
#define JOURNAL_SCHEMA_VERSION 2

/* Row states. Stored as their names (journal_state_name), never numbers. */
typedef enum jstate {
	J_PENDING = 0,    /* clean, to be dialled (next_at: not before) */
	J_SENDING = 1,    /* a request of it may be on the wire */
	J_ACCEPTED = 2,   /* the call API accepted the call (final) */
	J_REJECTED = 3,   /* the API refused it: 4xx other than 401/403/429 (final) */
	J_FAILED = 4,     /* retries or --max-attempts used up (final for this run) */
	J_UNKNOWN = 5,    /* sent, outcome unknown: never re-sent without --retry-unknown */
	J_WAITING = 6,    /* outside its calling window; next_at is when it opens */
	J_SUPPRESSED = 7, /* on the suppress list: never dialled */
	J_DUPLICATE = 8,  /* repeats an earlier row: never dialled */
	J_INVALID = 9,    /* rejected by the cleaner: never dialled */
	J_STATE_COUNT = 10
} jstate;

/* "pending", "sending", "accepted", "rejected", "failed", "unknown",
 * "waiting", "suppressed", "duplicate", "invalid"; NULL otherwise. */
const char *journal_state_name(jstate s);
/* The state of a name; -1 when it is none. */
int journal_state_from_name(const char *name);

/* The steps of a row: the invoice flow is contact, invoice, call. */
typedef enum jstep {
	J_STEP_CONTACT = 0,
	J_STEP_INVOICE = 1,
	J_STEP_CALL = 2
} jstep;

const char *journal_step_name(jstep s); /* "contact", "invoice", "call" */

/* One list row as the cleaner classified it, for journal_load_row(). */
struct jrow {
	uint64_t line;         /* the input line it starts on: the row's key */
	jstate state;          /* J_PENDING, J_SUPPRESSED, J_DUPLICATE or J_INVALID */
	const char *reason;    /* reject reason name (phn_reject_reason_name), else NULL */
	uint64_t duplicate_of; /* line of the row it repeats, else 0 */
	const char *input;     /* the phone field as written; NULL when none */
	const char *e164;      /* NULL unless the number parsed as valid/possible */
	const char *region;    /* the number's region, "" or NULL when none */
	const char *type;      /* phn_number_type_name(), NULL when none */
	uint64_t number_key;   /* phn_number.key, 0 when none */
	/* IANA zones the calling window is checked in, '&'-joined
	 * ("America/New_York&America/Chicago"); NULL or "" when none known. */
	const char *zones;
	/* The request inputs of the row as one JSON object (UTF-8), built by the
	 * dialer from the column mapping, e.g.
	 * {"firstName":"Ali","email":"a@x","promptTags":{"k":"v"},
	 *  "metadata":{"k":"v"},"contactUuid":"...","invoice":{"number":"1",
	 *  "date":"2026-11-01","dueDate":"2026-12-01","total":"100.0"}}.
	 * NULL for rows that are never dialled. */
	const char *fields_json;
};

/* A row to work on, from journal_ready(). Strings live until the next
 * journal_ready() on the same journal. */
struct jwork {
	uint64_t line;
	jstate state;             /* J_PENDING or J_WAITING */
	const char *e164;
	const char *region;
	const char *zones;        /* "" when none known */
	const char *fields_json;  /* "{}" at least */
	const char *contact_uuid; /* from an earlier accepted contact step, else NULL */
	const char *invoice_uuid; /* from an earlier accepted invoice step, else NULL */
	unsigned int attempts;    /* call attempts so far, over every run */
	/* 1: an "unknown" row requeued by a --retry-unknown run that has not got
	 * an answer since; the next run's journal_requeue_for_run() makes it
	 * unknown again (a dry run of a plain run must not count it to call). */
	int requeued_unknown;
};

/* A request about to go out, for journal_mark_sending(). */
struct jsend {
	uint64_t line;
	jstep step;
	const char *dispatch_id; /* unique per attempt; the attempts table's key */
};

/* How a request ended, and what becomes of its row, for journal_record(). */
struct joutcome {
	uint64_t line;
	const char *dispatch_id; /* the attempt this ends (from struct jsend) */
	/* phn_dispatch_outcome_name() of the result, or "interrupted" for a
	 * request the run gave up on while it was in flight. */
	const char *outcome;
	int http_status;         /* 0 when no response */
	const char *detail;      /* the result's error line (escaped on display), or NULL */
	const char *retry_after; /* Retry-After as sent, or NULL */
	int64_t elapsed_ms;
	/* The row afterwards. next_at: not before (retry backoff), 0 for none. */
	jstate state;
	int64_t next_at;
	/* Set on the row when not NULL (kept otherwise). */
	const char *call_id;
	const char *contact_uuid;
	const char *invoice_uuid;
};

/* Counters for the report and progress. */
struct jcounts {
	uint64_t rows;                /* every row of the list */
	uint64_t state[J_STATE_COUNT];
	uint64_t attempts;            /* requests of every step ever marked sending */
	uint64_t call_attempts;
};

/* One row for the report's exports (journal_each_row). */
struct jreport_row {
	uint64_t line;
	jstate state;
	const char *reason;       /* cleaner's reject reason, or NULL */
	uint64_t duplicate_of;
	const char *input;
	const char *e164;
	const char *region;
	const char *type;
	const char *zones;
	unsigned int attempts;    /* call attempts */
	int64_t next_at;          /* 0 when none */
	const char *call_id;
	const char *contact_uuid;
	const char *invoice_uuid;
	/* Of the row's latest attempt (any step), or NULL/0 when none. */
	const char *last_dispatch_id;
	const char *last_step;
	const char *last_outcome;
	int last_http_status;
	const char *last_detail;
	int64_t last_at;          /* when it finished (or started, while sending) */
	const char *fields_json;  /* the row's request inputs (struct jrow), or NULL */
	/* The call result of the row's latest call attempt (a phone_call.ended
	 * event), NULL / 0 / -1 when none (yet; or a schema 1 journal). */
	const char *result_event;     /* svix-id of the event in force */
	int64_t result_at;            /* its event time (ms) */
	const char *delivery_status;  /* "pass" / "fail" as sent */
	const char *provider_status;
	int64_t duration;             /* seconds; -1 when none */
	const char *ended_reason;
	const char *call_output;
	const char *sentiment;
	const char *provider_call_id;
};

typedef struct journal journal;

/* journal_open() flags. */
#define J_OPEN_CREATE (1u << 0)   /* create the file and the schema if missing */
#define J_OPEN_DIAL (1u << 1)     /* take the dial lock: one dialer per journal */
#define J_OPEN_READONLY (1u << 2) /* report: never writes, no lock */
/* The webhook receiver: a writer without the dial lock, beside a running
 * dialer; the journal must exist (never created); schema 1 is upgraded. */
#define J_OPEN_RECEIVER (1u << 3)

/*
 * Open (or create) the journal at path. With J_OPEN_DIAL a second process
 * that holds the dial lock makes this fail with PHN_EIO ("journal 'x.db' is
 * in use by another phonenorm dial (pid 1234)"); the lock is released by
 * journal_close() or by the process ending in any way (kill -9 included).
 * A file that is not SQLite or not a phonenorm journal: PHN_EFORMAT. A
 * journal of a newer schema: PHN_EVERSION. Never creates a file without
 * J_OPEN_CREATE (PHN_ENOTFOUND: "journal 'x.db' does not exist"). An empty
 * database (no tables: a dial killed before it created the schema, 0 bytes)
 * is PHN_ENOTFOUND too without J_OPEN_CREATE ("journal 'x.db' is empty:
 * ..."): like no journal yet; with J_OPEN_CREATE it becomes the journal.
 */
int journal_open(journal **out, const char *path, unsigned int flags);
void journal_close(journal *j); /* NULL is fine */

/* The journal's key/value settings: "schema_version", "list_sha256",
 * "list_name", "options" (JSON of the clean and mapping options the list was
 * loaded with), "campaign_id", "created_at", "loaded" ("1" once the whole
 * list is in). *value is NULL when the key is absent. */
int journal_meta_get(journal *j, const char *key, const char **value);
int journal_meta_set(journal *j, const char *key, const char *value);

/*
 * Loading the list: begin, one call per row in line order, end. The rows go
 * in large transactions; meta "loaded" is set to "1" by journal_load_end()
 * in the same transaction as the last rows. A load that did not end (a
 * crash) leaves "loaded" unset, and journal_load_begin() then starts over
 * (deletes the rows of the unfinished load).
 */
int journal_load_begin(journal *j);
int journal_load_row(journal *j, const struct jrow *row);
int journal_load_end(journal *j);

/* A run: a row in the runs table (mode "dry" or "live"). */
int journal_run_begin(journal *j, int64_t now_ms, const char *mode, int64_t *run_id);
int journal_run_end(journal *j, int64_t run_id, int64_t now_ms, const char *result);

/*
 * After a crash: rows still "sending" become "unknown" (or "accepted" when
 * the call in flight already has its phone_call.ended result: it went out),
 * and their attempts that have no outcome get "interrupted". *n (if not NULL) gets how many
 * rows. Call it after journal_open(J_OPEN_DIAL), before anything is sent.
 */
int journal_recover(journal *j, int64_t now_ms, uint64_t *n);

/* --retry-unknown: every "unknown" row with fewer than max_attempts call
 * attempts (0: no limit) becomes "pending" (next_at 0), marked as requeued
 * (reason "retry_unknown"); one at max_attempts stays unknown (its calls
 * may have been placed: never "failed", which a later run could requeue).
 * Call it after journal_requeue_for_run(). */
int journal_requeue_unknown(journal *j, unsigned int max_attempts, uint64_t *n);

/* The start of every run, before journal_requeue_unknown(): first, rows an
 * earlier --retry-unknown run requeued and that got no answer since (still
 * pending, waiting or failed: their first call may have been placed) become
 * "unknown" again, so a run without --retry-unknown never sends them. Then
 * "waiting" rows become "pending" again (their window is checked anew) and
 * "failed" rows that failed for retries (not for max_attempts) are pending
 * again; *n gets how many (not counting the rows turned back to unknown).
 * Last, with max_attempts > 0, pending and waiting rows whose call attempts
 * are >= max_attempts become "failed" with the detail "max attempts (N)
 * reached" (not counted in *n). One transaction. */
int journal_requeue_for_run(journal *j, unsigned int max_attempts, uint64_t *n);

/*
 * The do-not-call list changed (or is checked anew): rows in state pending or
 * waiting whose number_key is one of keys[n] become "suppressed" (reason
 * "suppressed"), and meta "suppress_sha256" is set to digest; one
 * transaction. Never the other way: a row already suppressed stays so, and
 * rows of other states are left alone (journal_requeue_* run first).
 * *changed (if not NULL) gets how many rows became suppressed.
 */
int journal_suppress(journal *j, const uint64_t *keys, size_t n, const char *digest,
		     int64_t now_ms, uint64_t *changed);

/*
 * Up to cap rows in state pending or waiting with next_at <= now_ms, in line
 * order, with line > after_line (pass 0 to start; the dialer passes the last
 * line it got to walk the list once per pass). *n gets how many.
 */
int journal_ready(journal *j, struct jwork *out, size_t cap, size_t *n, uint64_t after_line,
		  int64_t now_ms);

/* Set rows to state (J_PENDING or J_WAITING) with next_at: for a closed
 * window or a backoff that never left the process. One transaction. */
int journal_defer(journal *j, const uint64_t *lines, const int64_t *next_at, size_t n,
		  jstate state, int64_t now_ms);

/*
 * Mark a batch of requests as going out: for each item, an attempt row
 * (dispatch_id, line, step, run, started now_ms) and its row set to
 * "sending" (a call step also adds one to the row's attempts). One
 * transaction, durable on return.
 */
int journal_mark_sending(journal *j, int64_t run_id, const struct jsend *items, size_t n,
			 int64_t now_ms);

/* Record a batch of ended requests (attempt outcome, row state and ids).
 * One transaction, durable on return. */
int journal_record(journal *j, const struct joutcome *items, size_t n, int64_t now_ms);

/* journal_record(done) then journal_mark_sending(items) in ONE transaction,
 * durable on return (either may be empty): a dialer turn's outcomes and the
 * next batch's marks for one fsync. Refuses what the two refuse; on any
 * failure nothing of either is written. */
int journal_record_and_mark(journal *j, const struct joutcome *done, size_t ndone,
			    int64_t run_id, const struct jsend *items, size_t nitems,
			    int64_t now_ms);

/* Counters over the whole journal. */
int journal_counts(journal *j, struct jcounts *out);

/* Several reads as one snapshot: every read between journal_read_begin()
 * and journal_read_end() sees the journal as it was at the first of them,
 * whatever another connection (the webhook receiver) commits meanwhile.
 * Pairs nest; only the outermost pair counts. Nothing may be written on
 * this handle in between. The dry run's plan reads under one. */
int journal_read_begin(journal *j);
void journal_read_end(journal *j); /* NULL is fine */

/* The earliest next_at of a pending or waiting row, or 0 when none; a row
 * due at once (next_at 0) gives 1, a time already past, not "none". */
int journal_next_wake(journal *j, int64_t *at_ms);

/* The runs table, for the report. Strings live until the next call on the
 * same journal. */
struct jruns {
	uint64_t runs;
	uint64_t unfinished;        /* no end recorded: crashed, or running now */
	int64_t last_started_at;    /* of the latest run (highest id); 0 when none */
	int64_t last_ended_at;      /* 0 when it has not ended */
	const char *last_mode;      /* NULL when none */
	const char *last_result;    /* NULL when none or not ended */
};

int journal_runs(journal *j, struct jruns *out);

/* Every row in line order, with its latest attempt. A nonzero return of cb
 * stops and is returned. Strings live during the callback. */
int journal_each_row(journal *j, int (*cb)(const struct jreport_row *row, void *payload),
		     void *payload);

/* ---- call results (schema 2) ------------------------------------------ */

/* Counts of call results. A schema 1 journal has none: all zero. */
struct jresults {
	uint64_t accepted;      /* rows in state accepted */
	uint64_t delivered;     /* of them, whose result says deliveryStatus "pass" */
	uint64_t not_delivered; /* ... a result whose deliveryStatus is not "pass" ("fail") */
	uint64_t awaiting;      /* ... no result yet */
	uint64_t talk_time_s;   /* sum of attempts.duration */
	uint64_t events;        /* every event kept (all types, orphans included) */
	uint64_t orphans;       /* phone_call.ended matching no attempt */
	uint64_t other_types;   /* events of another type */
};

int journal_results(journal *j, struct jresults *out);

/* Histogram of the rows' current results: column is "call_output" or
 * "sentiment"; one call per value, count descending then value ascending.
 * Rows with no value are not counted. A nonzero return of cb stops and is
 * returned. Strings live during the callback. */
int journal_each_histogram(journal *j, const char *column,
			   int (*cb)(const char *value, uint64_t n, void *payload),
			   void *payload);

/* Refused deliveries by reason (reason ascending); last_at 0 when unknown. */
int journal_each_refusal(journal *j,
			 int (*cb)(const char *reason, uint64_t n, int64_t last_at, void *payload),
			 void *payload);

/* Rows to redial: state accepted, the result of the latest call attempt has
 * deliveryStatus "fail", attempts < max_attempts (0: no limit). due: those
 * with result_at + gap_ms <= now_ms; later: the others; *next_due_ms the
 * earliest result_at + gap_ms of the later ones (0 when none). */
int journal_redial_count(journal *j, unsigned int max_attempts, int64_t gap_ms, int64_t now_ms,
			 uint64_t *due, uint64_t *later, int64_t *next_due_ms);

/* The due ones (as journal_redial_count) become pending with next_at 0, one
 * transaction; *n (if not NULL) gets how many. They are marked (reason
 * "redial") until their next call is marked sending: meanwhile a later
 * result of the old call that is not "fail" (the person was reached after
 * all) makes such a row accepted again (journal_record_events), and it is
 * not called. journal_requeue_for_run() keeps the mark. */
int journal_requeue_undelivered(journal *j, unsigned int max_attempts, int64_t gap_ms,
				int64_t now_ms, uint64_t *n);

/* One verified webhook event, parsed (result.h). Strings are not kept past
 * the call. */
struct jevent {
	const char *svix_id;      /* the idempotency key; not NULL, not empty */
	const char *type;         /* "phone_call.ended", another type, or "unknown" */
	int64_t event_time_ms;    /* svix-timestamp * 1000 */
	int64_t received_ms;
	const char *dispatch_id;  /* metadata.requestMetadata.phonenorm_dispatch_id, or NULL */
	const char *payload;      /* the raw body */
	size_t payload_len;
	const char *delivery_status, *provider_status, *ended_reason, *call_output, *sentiment,
		*provider_call_id; /* NULL when absent */
	int64_t duration_s;       /* -1: none */
};

/*
 * Record n events and add the refusal counts (refusal_reasons[i] +=
 * refusal_counts[i], last_at now_ms) in ONE durable transaction. out[i]
 * gets what event i did (PHN_RECEIVER_*); an svix-id already in the journal,
 * or earlier in the same batch, is PHN_RECEIVER_DUPLICATE and changes
 * nothing. A phone_call.ended event whose dispatch id is an attempt's
 * applies when it is the latest (event_time, svix_id) of that attempt, and
 * goes on the row when the attempt is the row's latest call attempt (the
 * one marked last). An unknown row (or one requeued by --retry-unknown)
 * that gets its result becomes accepted: the call went out; so does a row
 * requeued for a redial whose old call's winning result is no longer
 * "fail" (one still "fail" stays pending for its redial); a sending row
 * stays sending, and journal_record() keeps the result (an "unknown"
 * outcome of a call with a result is recorded as accepted). On failure
 * nothing is written.
 */
int journal_record_events(journal *j, const struct jevent *ev, size_t n,
			  phn_receiver_outcome *out, const char *const *refusal_reasons,
			  const uint64_t *refusal_counts, size_t nref, int64_t now_ms);

#endif /* PHN_CAMPAIGN_JOURNAL_H */
