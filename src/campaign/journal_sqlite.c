/*
 * The SQLite journal: one database file per campaign (schema v2: the v1
 * tables of schema_v1_sql, then upgrade_v2_sql), WAL with synchronous=FULL
 * so that a transaction is durable when its commit returns, every statement
 * prepared once per open and reused.
 *
 * A fresh journal is made by the v1 statements followed by the v2 upgrade,
 * in one transaction, so that a fresh v2 journal and a v1 journal upgraded
 * in place (by any writer open: a dial or a webhook receiver) have the same
 * schema text, word for word (ALTER TABLE ADD COLUMN rewrites the stored
 * CREATE TABLE; check_schema compares against the same statements run in
 * memory). The read-only report also opens a v1 journal as it is: it has
 * no call results.
 *
 * Writers are the dialer (with the dial lock) and the webhook receiver
 * (without it, beside a running dialer): both write only in BEGIN IMMEDIATE
 * transactions or single statements, with a busy timeout, so that neither
 * fails on the other's short transactions.
 *
 * The dial lock is flock(LOCK_EX | LOCK_NB) on a descriptor of the database
 * file itself, taken before SQLite opens it and closed only after
 * sqlite3_close(): SQLite's own locks are POSIX record locks, which a
 * process loses on that file as soon as it closes ANY descriptor of it, so
 * this descriptor must outlive the connection. flock() locks are separate
 * from POSIX locks on Linux and are released by the kernel when the process
 * ends in any way, kill -9 included.
 *
 * The file is outside input (a report may be run on anything): it is opened
 * with SQLite's defensive settings (no triggers, no views, no untrusted
 * schema functions, cell size checks), and its tables must be tables.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "phonenorm/common.h"
#include "campaign/journal_backend.h"
#include "text/error.h"

/* PRAGMA application_id of a phonenorm journal: "PHNJ". */
#define JOURNAL_APPLICATION_ID 0x50484E4A

/* Rows per transaction while a list loads: few fsyncs, bounded WAL. */
#define LOAD_BATCH 50000

/* Schema v1, as the first release created it: never changed. */
static const char schema_v1_sql[] =
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT);"
	"CREATE TABLE rows("
	"  line INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  reason TEXT,"
	"  duplicate_of INTEGER,"
	"  input TEXT,"
	"  e164 TEXT,"
	"  region TEXT,"
	"  type TEXT,"
	"  number_key INTEGER,"
	"  zones TEXT,"
	"  fields_json TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL DEFAULT 0,"
	"  contact_uuid TEXT,"
	"  invoice_uuid TEXT,"
	"  call_id TEXT,"
	"  http_status INTEGER,"
	"  detail TEXT,"
	"  updated_at INTEGER);"
	"CREATE INDEX rows_state_next ON rows(state, next_at);"
	"CREATE TABLE runs("
	"  id INTEGER PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER,"
	"  pid INTEGER,"
	"  mode TEXT,"
	"  result TEXT);"
	"CREATE TABLE attempts("
	"  dispatch_id TEXT PRIMARY KEY NOT NULL,"
	"  line INTEGER NOT NULL REFERENCES rows(line),"
	"  step TEXT NOT NULL,"
	"  run_id INTEGER,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  outcome TEXT,"
	"  http_status INTEGER,"
	"  detail TEXT,"
	"  retry_after TEXT,"
	"  elapsed_ms INTEGER);"
	"CREATE INDEX attempts_line ON attempts(line);";


/* The call results (schema v2), the same on a fresh journal and on a v1 one
 * upgraded in place. On attempts, the result of the event in force for the
 * attempt; on rows, the result of the row's latest call attempt. */
#define RESULT_COLUMNS(t) \
	"ALTER TABLE " t " ADD COLUMN result_event TEXT;" \
	"ALTER TABLE " t " ADD COLUMN result_at INTEGER;" \
	"ALTER TABLE " t " ADD COLUMN delivery_status TEXT;" \
	"ALTER TABLE " t " ADD COLUMN provider_status TEXT;" \
	"ALTER TABLE " t " ADD COLUMN duration INTEGER;" \
	"ALTER TABLE " t " ADD COLUMN ended_reason TEXT;" \
	"ALTER TABLE " t " ADD COLUMN call_output TEXT;" \
	"ALTER TABLE " t " ADD COLUMN sentiment TEXT;" \
	"ALTER TABLE " t " ADD COLUMN provider_call_id TEXT;"

static const char upgrade_v2_sql[] =
	RESULT_COLUMNS("attempts")
	RESULT_COLUMNS("rows")
	/* Every event kept whole; line NULL: an orphan (no attempt of ours). */
	"CREATE TABLE events("
	"  svix_id TEXT PRIMARY KEY NOT NULL,"
	"  type TEXT NOT NULL,"
	"  event_time INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  dispatch_id TEXT,"
	"  line INTEGER,"
	"  payload TEXT NOT NULL);"
	"CREATE INDEX events_dispatch ON events(dispatch_id);"
	"CREATE TABLE refusals("
	"  reason TEXT PRIMARY KEY NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  last_at INTEGER);";

/* The result columns in the order of struct jevent's result and of the
 * tables (copied from an attempt to its row in one statement). */
#define RESULT_COLS "result_event, result_at, delivery_status, provider_status, duration, " \
	"ended_reason, call_output, sentiment, provider_call_id"

enum stmt {
	S_BEGIN,
	S_BEGIN_READ,
	S_COMMIT,
	S_ROLLBACK,
	S_META_GET,
	S_META_SET,
	S_META_DEL,
	S_LOAD_ROW,
	S_RUN_BEGIN,
	S_RUN_END,
	S_RECOVER_ROWS,
	S_RECOVER_ATTEMPTS,
	S_REQUEUE_UNKNOWN,
	S_UNREQUEUE,
	S_REQUEUE_WAITING,
	S_REQUEUE_FAILED,
	S_MAX_ATTEMPTS,
	S_READY,
	S_DEFER,
	S_ATTEMPT_INSERT,
	S_ROW_SENDING,
	S_ROW_STATE,
	S_ATTEMPT_FINISH,
	S_ROW_RECORD,
	S_COUNT_STATES,
	S_COUNT_ATTEMPTS,
	S_WAKE,
	S_EACH,
	S_RUNS,
	S_RUN_LAST,
	/* schema v2 (a v1 journal, open read-only, does without them) */
	S_EACH_V2,
	S_ATTEMPT_HAS_RESULT,
	S_EV_ATTEMPT,
	S_EV_INSERT,
	S_EV_APPLY,
	S_EV_ROW,
	S_REFUSAL_ADD,
	S_RESULTS_ROWS,
	S_RESULTS_TALK,
	S_RESULTS_EVENTS,
	S_HIST_CALL_OUTPUT,
	S_HIST_SENTIMENT,
	S_REFUSALS,
	S_REDIAL_COUNT,
	S_REDIAL_REQUEUE,
	S_COUNT
};

/* The first statement that needs schema v2; the ones before it run on v1,
 * except a few that only writers use (writers always have v2): see
 * stmt_needs_v2(). A v1 journal is only ever open read-only. */
#define S_FIRST_V2 S_EACH_V2

/* The nine result columns: NULL for a call step (?2 = 1), else as they are. */
#define CLEAR_IF_CALL \
	"CASE WHEN ?2 THEN NULL ELSE result_event END, " \
	"CASE WHEN ?2 THEN NULL ELSE result_at END, " \
	"CASE WHEN ?2 THEN NULL ELSE delivery_status END, " \
	"CASE WHEN ?2 THEN NULL ELSE provider_status END, " \
	"CASE WHEN ?2 THEN NULL ELSE duration END, " \
	"CASE WHEN ?2 THEN NULL ELSE ended_reason END, " \
	"CASE WHEN ?2 THEN NULL ELSE call_output END, " \
	"CASE WHEN ?2 THEN NULL ELSE sentiment END, " \
	"CASE WHEN ?2 THEN NULL ELSE provider_call_id END"

/* In S_EV_ROW (?2: the attempt the event applied to, which is the row's
 * latest call attempt). A row requeued for a redial (reason 'redial') that
 * has not been called again yet, whose old call now has a winning result
 * that is not "fail" (a later event: the person was reached after all), is
 * no longer one to redial: accepted again, as journal_requeue_undelivered()
 * found it. A "fail" keeps it pending for its redial. */
#define EV_ROW_SETTLES \
	"(state = 'unknown' OR (reason IS 'retry_unknown' AND state IN ('pending', " \
	"'waiting', 'failed')) OR (reason IS 'redial' AND state IN ('pending', " \
	"'waiting', 'failed') AND (SELECT delivery_status FROM attempts " \
	"WHERE dispatch_id = ?2) IS NOT 'fail'))"

/* Rows whose latest call was not delivered and that may be called again. */
#define REDIAL_ROWS \
	"state = 'accepted' AND delivery_status = 'fail' AND (?1 = 0 OR attempts < ?1)"

/* Every statement of the backend; a file whose tables lack a column fails
 * to prepare one of them at open, which is how such a file is refused. */
static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_READ] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
	[S_META_DEL] = "DELETE FROM meta WHERE key = ?1",
	[S_LOAD_ROW] = "INSERT INTO rows(line, state, reason, duplicate_of, input, e164, region, "
		       "type, number_key, zones, fields_json, attempts, next_at, updated_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0, ?12)",
	[S_RUN_BEGIN] = "INSERT INTO runs(started_at, pid, mode) VALUES (?1, ?2, ?3)",
	[S_RUN_END] = "UPDATE runs SET ended_at = ?2, result = ?3 WHERE id = ?1",
	/* The in-flight attempt of a sending row (its latest) that already got
	 * a phone_call.ended event: the call went out, the row is accepted. */
	[S_RECOVER_ROWS] = "UPDATE rows SET state = CASE WHEN EXISTS (SELECT 1 FROM attempts "
			   "AS a WHERE a.rowid = (SELECT max(rowid) FROM attempts WHERE line = "
			   "rows.line) AND a.step = 'call' AND a.result_event IS NOT NULL) "
			   "THEN 'accepted' ELSE 'unknown' END, updated_at = ?1 "
			   "WHERE state = 'sending'",
	/* Through the (state) index and attempts(line): no scan of a big table. */
	[S_RECOVER_ATTEMPTS] = "UPDATE attempts SET outcome = 'interrupted', finished_at = ?1 "
			       "WHERE line IN (SELECT line FROM rows WHERE state = 'sending') "
			       "AND outcome IS NULL",
	/* Marked (reason 'retry_unknown') so that a run without --retry-unknown
	 * turns the rows back to unknown unless they reached an answer. */
	[S_REQUEUE_UNKNOWN] = "UPDATE rows SET state = 'pending', next_at = 0, "
			      "reason = 'retry_unknown' WHERE state = 'unknown' "
			      "AND (?1 = 0 OR attempts < ?1)",
	/* The start of every run: a row requeued by an earlier --retry-unknown
	 * run that did not get an answer (never sent, backed off, failed for
	 * retries) may still have its first call placed: unknown again. On
	 * rows that got an answer the mark is just dropped. */
	[S_UNREQUEUE] = "UPDATE rows SET state = CASE WHEN state IN ('pending', 'waiting', "
			"'failed') THEN 'unknown' ELSE state END, "
			"next_at = CASE WHEN state IN ('pending', 'waiting', 'failed') THEN 0 "
			"ELSE next_at END, reason = NULL "
			"WHERE reason = 'retry_unknown' AND state <> 'sending'",
	[S_REQUEUE_WAITING] = "UPDATE rows SET state = 'pending', next_at = 0 "
			      "WHERE state = 'waiting'",
	[S_REQUEUE_FAILED] = "UPDATE rows SET state = 'pending', next_at = 0 "
			     "WHERE state = 'failed' AND (?1 = 0 OR attempts < ?1)",
	/* Rows whose attempts are used up are final for the run: failed. */
	[S_MAX_ATTEMPTS] = "UPDATE rows SET state = 'failed', next_at = 0, detail = ?2, "
			   "updated_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) "
			   "WHERE state IN ('pending', 'waiting') AND attempts >= ?1",
	/* A walk of the table in line order from after_line: the unary + keeps
	 * the planner off the (state, next_at) index, which would sort every
	 * pending row of a million-row list on each call. */
	[S_READY] = "SELECT line, state, e164, region, zones, fields_json, contact_uuid, "
		    "invoice_uuid, attempts, reason IS 'retry_unknown' FROM rows "
		    "WHERE line > ?1 AND +state IN ('pending', 'waiting') AND next_at <= ?2 "
		    "ORDER BY line LIMIT ?3",
	[S_DEFER] = "UPDATE rows SET state = ?2, next_at = ?3, updated_at = ?4 WHERE line = ?1",
	[S_ATTEMPT_INSERT] = "INSERT INTO attempts(dispatch_id, line, step, run_id, started_at) "
			     "VALUES (?1, ?2, ?3, ?4, ?5)",
	/* A new call attempt awaits its own result: the row's result columns,
	 * which mirror its latest call attempt, are cleared. */
	[S_ROW_SENDING] = "UPDATE rows SET state = 'sending', attempts = attempts + ?2, "
			  "updated_at = ?3, "
			  "reason = CASE WHEN ?2 AND reason IS 'redial' THEN NULL ELSE reason END, "
			  "(" RESULT_COLS ") = (" CLEAR_IF_CALL ") "
			  "WHERE line = ?1 AND state IN ('pending', 'waiting')",
	[S_ROW_STATE] = "SELECT state FROM rows WHERE line = ?1",
	[S_ATTEMPT_FINISH] = "UPDATE attempts SET finished_at = ?3, outcome = ?4, "
			     "http_status = ?5, detail = ?6, retry_after = ?7, elapsed_ms = ?8 "
			     "WHERE dispatch_id = ?1 AND line = ?2",
	[S_ROW_RECORD] = "UPDATE rows SET state = ?2, next_at = ?3, "
			 "call_id = coalesce(?4, call_id), "
			 "contact_uuid = coalesce(?5, contact_uuid), "
			 "invoice_uuid = coalesce(?6, invoice_uuid), "
			 "http_status = ?7, detail = ?8, updated_at = ?9 WHERE line = ?1",
	[S_COUNT_STATES] = "SELECT state, count(*) FROM rows GROUP BY state",
	[S_COUNT_ATTEMPTS] = "SELECT count(*), coalesce(sum(step = 'call'), 0) FROM attempts",
	[S_WAKE] = "SELECT next_at FROM rows WHERE state = ?1 ORDER BY next_at LIMIT 1",
	[S_EACH] = "SELECT r.line, r.state, r.reason, r.duplicate_of, r.input, r.e164, r.region, "
		   "r.type, r.zones, r.attempts, r.next_at, r.call_id, r.contact_uuid, "
		   "r.invoice_uuid, a.dispatch_id, a.step, a.outcome, a.http_status, a.detail, "
		   "coalesce(a.finished_at, a.started_at), r.fields_json "
		   "FROM rows AS r LEFT JOIN attempts AS a ON a.rowid = "
		   "(SELECT max(rowid) FROM attempts WHERE line = r.line) ORDER BY r.line",
	[S_RUNS] = "SELECT count(*), coalesce(sum(ended_at IS NULL), 0) FROM runs",
	[S_RUN_LAST] = "SELECT started_at, ended_at, mode, result FROM runs ORDER BY id DESC "
		       "LIMIT 1",
	[S_EACH_V2] = "SELECT r.line, r.state, r.reason, r.duplicate_of, r.input, r.e164, "
		      "r.region, r.type, r.zones, r.attempts, r.next_at, r.call_id, "
		      "r.contact_uuid, r.invoice_uuid, a.dispatch_id, a.step, a.outcome, "
		      "a.http_status, a.detail, coalesce(a.finished_at, a.started_at), "
		      "r.fields_json, r.result_event, r.result_at, r.delivery_status, "
		      "r.provider_status, r.duration, r.ended_reason, r.call_output, "
		      "r.sentiment, r.provider_call_id "
		      "FROM rows AS r LEFT JOIN attempts AS a ON a.rowid = "
		      "(SELECT max(rowid) FROM attempts WHERE line = r.line) ORDER BY r.line",
	[S_ATTEMPT_HAS_RESULT] = "SELECT 1 FROM attempts WHERE dispatch_id = ?1 AND "
				 "step = 'call' AND result_event IS NOT NULL",
	/* Only call attempts get phone_call.ended events. */
	[S_EV_ATTEMPT] = "SELECT line FROM attempts WHERE dispatch_id = ?1 AND step = 'call'",
	/* The first delivery of an svix-id wins: its time is the event time. */
	[S_EV_INSERT] = "INSERT OR IGNORE INTO events(svix_id, type, event_time, received_at, "
			"dispatch_id, line, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* The latest (event_time, svix_id) of an attempt wins, in any order of
	 * arrival: no change when the one in force is later. */
	[S_EV_APPLY] = "UPDATE attempts SET (" RESULT_COLS ") = "
		       "(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
		       "WHERE dispatch_id = ?1 AND (result_at IS NULL OR result_at < ?3 OR "
		       "(result_at = ?3 AND result_event < ?2))",
	/* The row mirrors its latest call attempt: the one marked last (attempts
	 * are only ever inserted, so the greatest rowid), not the greatest
	 * started_at, which a clock stepped back between runs (NTP, another
	 * host, a test clock) can give to an older attempt. An unknown
	 * row, or one a --retry-unknown run requeued, has its evidence that the
	 * call went out: accepted (never called again for it). A sending row
	 * stays sending: the dialer records its answer and keeps the result. */
	[S_EV_ROW] = "UPDATE rows SET (" RESULT_COLS ") = (SELECT " RESULT_COLS " FROM attempts "
		     "WHERE dispatch_id = ?2), "
		     "state = CASE WHEN " EV_ROW_SETTLES " THEN 'accepted' ELSE state END, "
		     "next_at = CASE WHEN " EV_ROW_SETTLES " THEN 0 ELSE next_at END, "
		     "reason = CASE WHEN " EV_ROW_SETTLES " AND reason IN ('retry_unknown', "
		     "'redial') THEN NULL ELSE reason END, updated_at = ?3 "
		     "WHERE line = ?1 AND ?2 = (SELECT dispatch_id FROM attempts WHERE line = ?1 "
		     "AND step = 'call' ORDER BY rowid DESC LIMIT 1)",
	[S_REFUSAL_ADD] = "INSERT INTO refusals(reason, count, last_at) VALUES (?1, ?2, ?3) "
			  "ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count, "
			  "last_at = max(coalesce(last_at, 0), excluded.last_at)",
	[S_RESULTS_ROWS] = "SELECT count(*), "
			   "coalesce(sum(result_event IS NOT NULL AND delivery_status IS 'pass'), 0), "
			   "coalesce(sum(result_event IS NOT NULL AND delivery_status IS NOT 'pass'), 0), "
			   "coalesce(sum(result_event IS NULL), 0) FROM rows WHERE state = 'accepted'",
	[S_RESULTS_TALK] = "SELECT coalesce(sum(duration), 0) FROM attempts WHERE duration > 0",
	[S_RESULTS_EVENTS] = "SELECT count(*), "
			     "coalesce(sum(type = 'phone_call.ended' AND line IS NULL), 0), "
			     "coalesce(sum(type <> 'phone_call.ended'), 0) FROM events",
	[S_HIST_CALL_OUTPUT] = "SELECT call_output, count(*) FROM rows WHERE call_output IS NOT "
			       "NULL GROUP BY call_output ORDER BY 2 DESC, 1",
	[S_HIST_SENTIMENT] = "SELECT sentiment, count(*) FROM rows WHERE sentiment IS NOT NULL "
			     "GROUP BY sentiment ORDER BY 2 DESC, 1",
	[S_REFUSALS] = "SELECT reason, count, last_at FROM refusals ORDER BY reason",
	/* ?1 max attempts (0: none), ?2 the gap, ?3 now */
	[S_REDIAL_COUNT] = "SELECT coalesce(sum(result_at + ?2 <= ?3), 0), "
			   "coalesce(sum(result_at + ?2 > ?3), 0), "
			   "min(CASE WHEN result_at + ?2 > ?3 THEN result_at + ?2 END) "
			   "FROM rows WHERE " REDIAL_ROWS,
	/* Marked (reason 'redial') until the row's next call is marked: a later
	 * event for the old call that is not "fail" makes it accepted again
	 * (S_EV_ROW). */
	[S_REDIAL_REQUEUE] = "UPDATE rows SET state = 'pending', next_at = 0, updated_at = ?4, "
			     "reason = 'redial' "
			     "WHERE " REDIAL_ROWS " AND result_at + ?2 <= ?3",
};

/* Statements of S_FIRST_V2 and after need schema v2, and so do these
 * writers' ones before it. */
static int stmt_needs_v2(int id)
{
	return id >= S_FIRST_V2 || id == S_ROW_SENDING || id == S_RECOVER_ROWS;
}

struct jsqlite {
	struct journal base;
	sqlite3 *db;
	char *path;
	unsigned int flags;
	int version;     /* of the schema: 1 (read-only only) or 2 */
	int lock_fd;     /* the dial lock's descriptor; -1 without one */
	sqlite3_stmt *st[S_COUNT];
	int loading;     /* inside journal_load_begin/end: a transaction is open */
	/* journal_read_begin/end: how deep, and whether the outermost opened
	 * the read transaction (it did not inside a load) */
	unsigned int read_depth;
	int read_opened;
	uint64_t load_batch;
	uint64_t load_last;
	char *meta_value;
	char *run_mode, *run_result;
	/* journal_ready()'s strings */
	char *arena;
	size_t arena_len, arena_cap;
	size_t *offs;
	size_t offs_cap;
};

#define S(j) ((struct jsqlite *)(j))

/* The PHN_E* code and words for an SQLite failure. */
static int db_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: return PHN_ENOMEM;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
	case SQLITE_SCHEMA:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_TOOBIG:
		return PHN_EFORMAT;
	case SQLITE_CONSTRAINT: return PHN_EINVAL;
	default: return PHN_EIO;
	}
}

static int db_fail(struct jsqlite *s, int rc, const char *what)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	if ((rc & 0xff) == SQLITE_NOTADB)
		return phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal (%s)",
				     s->path, msg);
	if ((rc & 0xff) == SQLITE_CORRUPT)
		return phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (%s, %s)",
				     s->path, msg, what);
	return phn_error_set(db_code(rc), "journal '%s': %s: %s", s->path, what, msg);
}

/* A statement ready for new bindings. */
static sqlite3_stmt *stmt(struct jsqlite *s, enum stmt id)
{
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* NULL for NULL and "". */
static void bind_text_nonempty(sqlite3_stmt *st, int i, const char *v)
{
	bind_text(st, i, v && v[0] ? v : NULL);
}

/* Step a statement that returns no row. */
static int exec_stmt(struct jsqlite *s, enum stmt id, const char *what)
{
	int rc = sqlite3_step(s->st[id]);

	sqlite3_reset(s->st[id]);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(s, rc, what);
	return PHN_OK;
}

static int begin(struct jsqlite *s, const char *what)
{
	return exec_stmt(s, S_BEGIN, what);
}

static int commit(struct jsqlite *s, const char *what)
{
	int rc = exec_stmt(s, S_COMMIT, what);

	if (rc != PHN_OK && !sqlite3_get_autocommit(s->db))
		exec_stmt(s, S_ROLLBACK, what);
	return rc;
}

/* End a failed transaction; rc (the failure) is returned, its message kept. */
static int rollback(struct jsqlite *s, int rc)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_reset(s->st[S_ROLLBACK]);
		sqlite3_step(s->st[S_ROLLBACK]);
		sqlite3_reset(s->st[S_ROLLBACK]);
	}
	return rc;
}

/* A read of several statements sees one snapshot; nothing to do when a
 * transaction (a load) is already open. *opened says whether to end it. */
static int read_begin(struct jsqlite *s, int *opened)
{
	*opened = 0;
	if (!sqlite3_get_autocommit(s->db))
		return PHN_OK;
	*opened = 1;
	return exec_stmt(s, S_BEGIN_READ, "starting a read");
}

static void read_end(struct jsqlite *s, int opened)
{
	if (opened && !sqlite3_get_autocommit(s->db))
		exec_stmt(s, S_COMMIT, "ending a read");
}

static int writable(struct jsqlite *s, const char *fn)
{
	if (s->flags & J_OPEN_READONLY)
		return phn_error_set(PHN_EINVAL, "journal '%s': %s: the journal is open read-only",
				     s->path, fn);
	if (s->read_depth)
		return phn_error_set(PHN_EINVAL, "journal '%s': %s: inside a read "
				     "(journal_read_end first)", s->path, fn);
	if (s->loading)
		return phn_error_set(PHN_EINVAL, "journal '%s': %s: the list is still loading "
				     "(journal_load_end first)", s->path, fn);
	return PHN_OK;
}

/* ---- open and close ---------------------------------------------------- */

static void sq_close(journal *j)
{
	struct jsqlite *s = S(j);

	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* An open load transaction is rolled back here: "loaded" stays unset. */
	sqlite3_close_v2(s->db);
	/* Only now: see the comment at the top. */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	free(s->meta_value);
	free(s->run_mode);
	free(s->run_result);
	free(s->arena);
	free(s->offs);
	free(s);
}

/* One integer of a PRAGMA or query; rc an SQLite code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*v = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The pid a dialer holding the lock wrote into meta, or 0 when unknown.
 * Read through a connection of its own, closed before the caller closes
 * its descriptor. */
static long lock_holder(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long pid = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    (sqlite3_busy_timeout(db, 1000), 1) &&
	    sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'dial_pid'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		char *end;

		pid = v ? strtol(v, &end, 10) : 0;
		if (!v || *end || pid < 0)
			pid = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	return pid;
}

/* The statements of a schema version, in order: v1, then the upgrade. */
static int exec_schema(sqlite3 *db, int version, char **err)
{
	int rc = sqlite3_exec(db, schema_v1_sql, NULL, NULL, err);

	if (rc == SQLITE_OK && version >= 2)
		rc = sqlite3_exec(db, upgrade_v2_sql, NULL, NULL, err);
	return rc;
}

static int create_schema(struct jsqlite *s)
{
	char sql[512];
	char *err = NULL;
	int rc;
	int64_t app = 0;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s, rc, "creating the journal");
	/* Another process may have created it while this one waited. */
	if ((rc = query_int(s->db, "PRAGMA application_id", &app)) != SQLITE_OK)
		goto fail;
	if (app != 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return PHN_OK;
	}
	snprintf(sql, sizeof sql,
		 "PRAGMA application_id = %d; PRAGMA user_version = %d;"
		 "INSERT INTO meta(key, value) VALUES ('schema_version', '%d');"
		 "INSERT INTO meta(key, value) VALUES ('created_at', "
		 "CAST(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) AS TEXT));",
		 JOURNAL_APPLICATION_ID, JOURNAL_SCHEMA_VERSION, JOURNAL_SCHEMA_VERSION);
	if ((rc = exec_schema(s->db, JOURNAL_SCHEMA_VERSION, &err)) != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, sql, NULL, NULL, &err)) != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, &err)) != SQLITE_OK)
		goto fail;
	return PHN_OK;
fail:
	sqlite3_free(err);
	rc = db_fail(s, rc, "creating the journal");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * The tables and indexes of schema `version`, word for word (SQLite keeps
 * each CREATE statement as it was given, and ALTER TABLE ADD COLUMN edits
 * that text in a fixed way): the same statements are run in an in-memory
 * database and its schema text is compared with the file's. A file whose
 * schema differs in any way (a view, a table, a column more or less,
 * another constraint) was not made by this phonenorm, and is refused before
 * anything reads or writes it.
 */
static int check_schema(struct jsqlite *s, int version)
{
	sqlite3 *mem = NULL;
	sqlite3_stmt *want = NULL, *have = NULL;
	char *err = NULL;
	int64_t objects = 0, expected = 0;
	int rc, step;

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    exec_schema(mem, version, &err) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "SELECT type, name, sql FROM sqlite_schema WHERE name NOT "
			       "LIKE 'sqlite^_%' ESCAPE '^' ORDER BY name", -1, &want,
			       NULL) != SQLITE_OK) {
		rc = mem ? phn_error_set(PHN_EINTERNAL, "journal '%s': the schema of version %d: "
					 "%s", s->path, version, err ? err : sqlite3_errmsg(mem))
			 : phn_error_code(PHN_ENOMEM);
		goto out;
	}
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT type, sql FROM sqlite_schema WHERE name = ?1",
				     -1, &have, NULL)) != SQLITE_OK) {
		rc = db_fail(s, rc, "reading its schema");
		goto out;
	}
	rc = PHN_OK;
	while (rc == PHN_OK && (step = sqlite3_step(want)) == SQLITE_ROW) {
		const char *wtype = (const char *)sqlite3_column_text(want, 0);
		const char *name = (const char *)sqlite3_column_text(want, 1);
		const char *wsql = (const char *)sqlite3_column_text(want, 2);
		const char *type, *sql;

		expected++;
		sqlite3_reset(have);
		sqlite3_bind_text(have, 1, name, -1, SQLITE_STATIC);
		step = sqlite3_step(have);
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = db_fail(s, step, "reading its schema");
			break;
		}
		type = step == SQLITE_ROW ? (const char *)sqlite3_column_text(have, 0) : NULL;
		sql = step == SQLITE_ROW ? (const char *)sqlite3_column_text(have, 1) : NULL;
		if (!type || strcmp(type, wtype) != 0)
			rc = phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal (no %s "
					   "'%s')", s->path, wtype, name);
		else if (!sql || strcmp(sql, wsql) != 0)
			rc = phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal (its %s "
					   "'%s' is not the one of schema version %d)", s->path,
					   wtype, name, version);
	}
	sqlite3_reset(have);
	/* Nothing more than those (SQLite's own objects aside). */
	if (rc == PHN_OK &&
	    (step = query_int(s->db, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE "
			      "'sqlite^_%' ESCAPE '^'", &objects)) != SQLITE_OK)
		rc = db_fail(s, step, "reading its schema");
	if (rc == PHN_OK && objects != expected)
		rc = phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal (%" PRId64
				   " tables and indexes, schema version %d has %" PRId64 ")",
				   s->path, objects, version, expected);
out:
	sqlite3_free(err);
	sqlite3_finalize(want);
	sqlite3_finalize(have);
	sqlite3_close_v2(mem);
	return rc;
}

/*
 * A v1 journal (the first release) becomes v2 in place: checked as v1 word
 * for word, then the upgrade statements, user_version and meta
 * "schema_version", in one IMMEDIATE transaction (a crash leaves v1). A
 * dialer and a receiver opening it at once: the second finds it done.
 */
static int upgrade_schema(struct jsqlite *s)
{
	char *err = NULL;
	int64_t version = 0;
	int rc;

	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return db_fail(s, rc, "upgrading it to schema version 2");
	if ((rc = query_int(s->db, "PRAGMA user_version", &version)) != SQLITE_OK) {
		rc = db_fail(s, rc, "upgrading it to schema version 2");
		goto fail;
	}
	if (version >= 2) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return PHN_OK;
	}
	if ((rc = check_schema(s, 1)) != PHN_OK)
		goto fail;
	if ((rc = sqlite3_exec(s->db, upgrade_v2_sql, NULL, NULL, &err)) != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, "PRAGMA user_version = 2; INSERT OR REPLACE INTO "
			       "meta(key, value) VALUES ('schema_version', '2')", NULL, NULL,
			       &err)) != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, &err)) != SQLITE_OK) {
		rc = phn_error_set(db_code(rc), "journal '%s': upgrading it to schema version 2: %s",
				   s->path, err ? err : sqlite3_errmsg(s->db));
		goto fail;
	}
	return PHN_OK;
fail:
	sqlite3_free(err);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Identify the file, create or check the schema, prepare everything. */
static int setup(struct jsqlite *s)
{
	int64_t app = 0, version = 0, objects = 0;
	int rc, ro = (s->flags & J_OPEN_READONLY) != 0;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* The file may come from anywhere: nothing in it runs. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_exec(s->db, "PRAGMA cell_size_check = ON", NULL, NULL, NULL);
	if (ro)
		sqlite3_exec(s->db, "PRAGMA query_only = ON", NULL, NULL, NULL);

	if ((rc = query_int(s->db, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (rc = query_int(s->db, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = query_int(s->db, "SELECT count(*) FROM sqlite_schema", &objects)) != SQLITE_OK)
		return db_fail(s, rc, "reading its header");
	if (app == 0 && version == 0 && objects == 0) {
		/* A dial killed before it created the schema leaves this (0 bytes):
		 * nothing loaded, nothing sent; J_OPEN_CREATE takes it over. */
		if (!(s->flags & J_OPEN_CREATE))
			return phn_error_set(PHN_ENOTFOUND, "journal '%s' is empty: a phonenorm "
					     "dial stopped before creating it (nothing was loaded "
					     "or sent); the next 'phonenorm dial --live' takes it "
					     "over", s->path);
	} else if (app != JOURNAL_APPLICATION_ID) {
		return phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal (an SQLite "
				     "database of another program)", s->path);
	} else if (version > JOURNAL_SCHEMA_VERSION) {
		return phn_error_set(PHN_EVERSION, "journal '%s': schema version %" PRId64 " is "
				     "newer than this phonenorm (%d)", s->path, version,
				     JOURNAL_SCHEMA_VERSION);
	} else if (version < 1) {
		return phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (schema "
				     "version %" PRId64 ")", s->path, version);
	}
	if (!ro) {
		sqlite3_stmt *st;
		const char *mode;

		/* SQLite opens a file it may not write read-only without a word:
		 * a writer would then fail on every event (or row) it records. */
		if (sqlite3_db_readonly(s->db, "main") == 1)
			return phn_error_set(PHN_EIO, "journal '%s' cannot be written (permissions)",
					     s->path);
		rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			mode = (const char *)sqlite3_column_text(st, 0);
			rc = mode && strcmp(mode, "wal") == 0 ? SQLITE_OK : SQLITE_ERROR;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return rc == SQLITE_ERROR
				       ? phn_error_set(PHN_EIO, "journal '%s': cannot use WAL mode "
						       "(a file system without shared memory?)",
						       s->path)
				       : db_fail(s, rc, "setting WAL mode");
		if ((rc = sqlite3_exec(s->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
				       NULL, NULL, NULL)) != SQLITE_OK)
			return db_fail(s, rc, "setting it up");
		if (objects == 0 && (rc = create_schema(s)) != PHN_OK)
			return rc;
		if ((rc = query_int(s->db, "PRAGMA user_version", &version)) != SQLITE_OK)
			return db_fail(s, rc, "reading its header");
		if (version < JOURNAL_SCHEMA_VERSION && (rc = upgrade_schema(s)) != PHN_OK)
			return rc;
	}
	/* What the file is now (a writer may be upgrading it meanwhile): the
	 * version and the schema text of one snapshot. */
	if ((rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
		return db_fail(s, rc, "reading its schema");
	if ((rc = query_int(s->db, "PRAGMA user_version", &version)) != SQLITE_OK)
		rc = db_fail(s, rc, "reading its header");
	else if (version < 1 || version > JOURNAL_SCHEMA_VERSION)
		rc = phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (schema "
				   "version %" PRId64 ")", s->path, version);
	else
		rc = check_schema(s, (int)version);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != PHN_OK)
		return rc;
	s->version = (int)version;
	for (int i = 0; i < S_COUNT; i++) {
		if (s->version < 2 && stmt_needs_v2(i))
			continue;
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
					NULL);
		if (rc == SQLITE_ERROR)
			return phn_error_set(PHN_EFORMAT, "journal '%s': not a phonenorm journal "
					     "(%s)", s->path, sqlite3_errmsg(s->db));
		if (rc != SQLITE_OK)
			return db_fail(s, rc, "reading its schema");
	}
	return PHN_OK;
}

static int sq_meta_set(journal *j, const char *key, const char *value);

static int wal_exists(const char *path)
{
	size_t n = strlen(path) + 5;
	char *wal = malloc(n);
	int there;

	if (!wal)
		return 1;
	snprintf(wal, n, "%s-wal", path);
	there = access(wal, F_OK) == 0;
	free(wal);
	return there;
}

/* Open path again for reading: read-only, or immutable (a URI). */
static int reopen(struct jsqlite *s, const char *path, int immutable)
{
	char *uri = NULL, *u;
	int rc;

	for (int i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
	sqlite3_close_v2(s->db);
	s->db = NULL;
	if (immutable) {
		/* "file:" + the path with %, ? and # escaped + "?immutable=1" */
		if (!(uri = malloc(strlen(path) * 3 + 32)))
			return phn_error_code(PHN_ENOMEM);
		u = uri + sprintf(uri, "file:");
		for (const char *p = path; *p; p++)
			u += strchr("%?#", *p) ? sprintf(u, "%%%02X", (unsigned char)*p)
					       : sprintf(u, "%c", *p);
		strcpy(u, "?immutable=1");
	}
	rc = sqlite3_open_v2(uri ? uri : path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
			     (uri ? SQLITE_OPEN_URI : 0), NULL);
	free(uri);
	if (!s->db)
		return phn_error_code(PHN_ENOMEM);
	if (rc != SQLITE_OK)
		return db_fail(s, rc, "opening it");
	return setup(s);
}

static int sq_open(journal **out, const char *path, unsigned int flags)
{
	struct jsqlite *s;
	struct stat st;
	int rc, oflags;

	if (!(s = calloc(1, sizeof *s)) || !(s->path = strdup(path))) {
		free(s);
		return phn_error_code(PHN_ENOMEM);
	}
	s->base.ops = &journal_sqlite_ops;
	s->flags = flags;
	s->lock_fd = -1;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT || !(flags & J_OPEN_CREATE)) {
			rc = errno == ENOENT
				     ? phn_error_set(PHN_ENOTFOUND, "journal '%s' does not exist", path)
				     : phn_error_set_errno(PHN_EIO, errno, "journal '%s'", path);
			goto fail;
		}
	} else if (S_ISDIR(st.st_mode)) {
		rc = phn_error_set(PHN_EIO, "journal '%s' is a directory", path);
		goto fail;
	}
	if (flags & J_OPEN_DIAL) {
		s->lock_fd = open(path, O_RDWR | O_CLOEXEC | (flags & J_OPEN_CREATE ? O_CREAT : 0),
				  0666);
		if (s->lock_fd < 0) {
			rc = phn_error_set_errno(PHN_EIO, errno, "journal '%s'", path);
			goto fail;
		}
		if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
			long pid;

			if (errno != EWOULDBLOCK) {
				rc = phn_error_set_errno(PHN_EIO, errno, "journal '%s': the dial lock",
							 path);
				goto fail;
			}
			pid = lock_holder(path);
			if (pid > 0)
				rc = phn_error_set(PHN_EIO, "journal '%s' is in use by another "
						   "phonenorm dial (pid %ld)", path, pid);
			else
				rc = phn_error_set(PHN_EIO, "journal '%s' is in use by another "
						   "phonenorm dial", path);
			goto fail;
		}
	}
	/* A reader opens a file it may write read-write all the same, with
	 * query_only on: SQLite then removes the -wal and -shm files it needs
	 * for a WAL database when the last connection closes, where a read-only
	 * connection would leave them behind. */
	if ((flags & J_OPEN_READONLY) && access(path, W_OK) != 0)
		oflags = SQLITE_OPEN_READONLY;
	else if (flags & J_OPEN_READONLY)
		oflags = SQLITE_OPEN_READWRITE;
	else
		oflags = SQLITE_OPEN_READWRITE | (flags & J_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (!s->db) {
			rc = phn_error_code(PHN_ENOMEM);
			goto fail;
		}
		rc = db_fail(s, rc, "opening it");
		goto fail;
	}
	rc = setup(s);
	/* A reader in a directory it cannot write: SQLite cannot make the -shm
	 * file a WAL database needs. Read-only then, and when there is no -wal
	 * file either (so no dialer can be writing it), as an immutable file. */
	if (rc == PHN_EIO && (flags & J_OPEN_READONLY) && oflags == SQLITE_OPEN_READWRITE)
		rc = reopen(s, path, 0);
	if (rc == PHN_EIO && (flags & J_OPEN_READONLY) && !wal_exists(path))
		rc = reopen(s, path, 1);
	if (rc != PHN_OK)
		goto fail;
	if (flags & J_OPEN_DIAL) {
		char pid[24];

		snprintf(pid, sizeof pid, "%ld", (long)getpid());
		if ((rc = sq_meta_set(&s->base, "dial_pid", pid)) != PHN_OK) {
			/* A constraint the schema check did not see: a damaged file. */
			if (rc == PHN_EINVAL)
				rc = phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt "
						   "(%s)", path, phn_error_last());
			goto fail;
		}
	}
	*out = &s->base;
	return PHN_OK;
fail:
	sq_close(&s->base);
	return rc;
}

/* ---- meta ---------------------------------------------------------------- */

static int sq_meta_get(journal *j, const char *key, const char **value)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st = stmt(s, S_META_GET);
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		char *copy = v ? strdup(v) : NULL;

		if (!copy) {
			sqlite3_reset(st);
			return phn_error_code(PHN_ENOMEM);
		}
		free(s->meta_value);
		s->meta_value = copy;
		*value = copy;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = db_fail(s, rc, "reading its settings");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return PHN_OK;
}

static int sq_meta_set(journal *j, const char *key, const char *value)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;

	if (s->flags & J_OPEN_READONLY)
		return phn_error_set(PHN_EINVAL, "journal '%s': the journal is open read-only",
				     s->path);
	if (value) {
		st = stmt(s, S_META_SET);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
		return exec_stmt(s, S_META_SET, "writing its settings");
	}
	st = stmt(s, S_META_DEL);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return exec_stmt(s, S_META_DEL, "writing its settings");
}

/* ---- loading ------------------------------------------------------------- */

static int sq_load_begin(journal *j)
{
	struct jsqlite *s = S(j);
	const char *loaded = NULL;
	int rc;

	if ((rc = writable(s, "journal_load_begin")) != PHN_OK)
		return rc;
	if ((rc = sq_meta_get(j, "loaded", &loaded)) != PHN_OK)
		return rc;
	if (loaded && strcmp(loaded, "1") == 0)
		return phn_error_set(PHN_EINVAL, "journal '%s': the list is already loaded",
				     s->path);
	if ((rc = begin(s, "loading the list")) != PHN_OK)
		return rc;
	/* What an unfinished load left. */
	if (sqlite3_exec(s->db, "DELETE FROM attempts; DELETE FROM rows", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return rollback(s, db_fail(s, sqlite3_extended_errcode(s->db), "loading the list"));
	s->loading = 1;
	s->load_batch = 0;
	s->load_last = 0;
	return PHN_OK;
}

static int sq_load_row(journal *j, const struct jrow *row)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc;

	if (!s->loading)
		return phn_error_set(PHN_EINVAL, "journal '%s': journal_load_row without "
				     "journal_load_begin", s->path);
	if (row->line <= s->load_last)
		return phn_error_set(PHN_EINVAL, "journal '%s': line %" PRIu64 " comes after line "
				     "%" PRIu64 ": rows are loaded in line order", s->path,
				     row->line, s->load_last);
	st = stmt(s, S_LOAD_ROW);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)row->line);
	sqlite3_bind_text(st, 2, journal_state_name(row->state), -1, SQLITE_STATIC);
	bind_text_nonempty(st, 3, row->reason);
	if (row->duplicate_of)
		sqlite3_bind_int64(st, 4, (sqlite3_int64)row->duplicate_of);
	bind_text(st, 5, row->input);
	bind_text_nonempty(st, 6, row->e164);
	bind_text_nonempty(st, 7, row->region);
	bind_text_nonempty(st, 8, row->type);
	if (row->number_key)
		sqlite3_bind_int64(st, 9, (sqlite3_int64)row->number_key);
	bind_text_nonempty(st, 10, row->zones);
	bind_text_nonempty(st, 11, row->fields_json);
	if ((rc = exec_stmt(s, S_LOAD_ROW, "loading the list")) != PHN_OK) {
		s->loading = 0;
		return rollback(s, rc);
	}
	s->load_last = row->line;
	if (++s->load_batch >= LOAD_BATCH) {
		s->load_batch = 0;
		if ((rc = commit(s, "loading the list")) != PHN_OK ||
		    (rc = begin(s, "loading the list")) != PHN_OK) {
			s->loading = 0;
			return rollback(s, rc);
		}
	}
	return PHN_OK;
}

static int sq_load_end(journal *j)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc;

	if (!s->loading)
		return phn_error_set(PHN_EINVAL, "journal '%s': journal_load_end without "
				     "journal_load_begin", s->path);
	s->loading = 0;
	st = stmt(s, S_META_SET);
	sqlite3_bind_text(st, 1, "loaded", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "1", -1, SQLITE_STATIC);
	if ((rc = exec_stmt(s, S_META_SET, "loading the list")) != PHN_OK)
		return rollback(s, rc);
	return commit(s, "loading the list");
}

/* ---- runs ------------------------------------------------------------------ */

static int sq_run_begin(journal *j, int64_t now_ms, const char *mode, int64_t *run_id)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc;

	if ((rc = writable(s, "journal_run_begin")) != PHN_OK)
		return rc;
	st = stmt(s, S_RUN_BEGIN);
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
	sqlite3_bind_text(st, 3, mode, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(s, S_RUN_BEGIN, "starting a run")) != PHN_OK)
		return rc;
	*run_id = sqlite3_last_insert_rowid(s->db);
	return PHN_OK;
}

static int sq_run_end(journal *j, int64_t run_id, int64_t now_ms, const char *result)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc;

	if ((rc = writable(s, "journal_run_end")) != PHN_OK)
		return rc;
	st = stmt(s, S_RUN_END);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, now_ms);
	bind_text(st, 3, result);
	if ((rc = exec_stmt(s, S_RUN_END, "ending a run")) != PHN_OK)
		return rc;
	if (sqlite3_changes(s->db) != 1)
		return phn_error_set(PHN_EINVAL, "journal '%s': there is no run %" PRId64, s->path,
				     run_id);
	return PHN_OK;
}

/* ---- recovery and requeueing -------------------------------------------- */

static int sq_recover(journal *j, int64_t now_ms, uint64_t *n)
{
	struct jsqlite *s = S(j);
	uint64_t rows;
	int rc;

	if ((rc = writable(s, "journal_recover")) != PHN_OK)
		return rc;
	if ((rc = begin(s, "recovering")) != PHN_OK)
		return rc;
	/* The attempts first: they are found through their rows' state. */
	sqlite3_bind_int64(stmt(s, S_RECOVER_ATTEMPTS), 1, now_ms);
	if ((rc = exec_stmt(s, S_RECOVER_ATTEMPTS, "recovering")) != PHN_OK)
		return rollback(s, rc);
	sqlite3_bind_int64(stmt(s, S_RECOVER_ROWS), 1, now_ms);
	if ((rc = exec_stmt(s, S_RECOVER_ROWS, "recovering")) != PHN_OK)
		return rollback(s, rc);
	rows = (uint64_t)sqlite3_changes64(s->db);
	if ((rc = commit(s, "recovering")) != PHN_OK)
		return rc;
	if (n)
		*n = rows;
	return PHN_OK;
}

static int sq_requeue_unknown(journal *j, unsigned int max_attempts, uint64_t *n)
{
	struct jsqlite *s = S(j);
	int rc;

	if ((rc = writable(s, "journal_requeue_unknown")) != PHN_OK)
		return rc;
	sqlite3_bind_int64(stmt(s, S_REQUEUE_UNKNOWN), 1, (sqlite3_int64)max_attempts);
	if ((rc = exec_stmt(s, S_REQUEUE_UNKNOWN, "requeueing unknown rows")) != PHN_OK)
		return rc;
	if (n)
		*n = (uint64_t)sqlite3_changes64(s->db);
	return PHN_OK;
}

static int sq_requeue_for_run(journal *j, unsigned int max_attempts, uint64_t *n)
{
	struct jsqlite *s = S(j);
	uint64_t total;
	int rc;

	if ((rc = writable(s, "journal_requeue_for_run")) != PHN_OK)
		return rc;
	if ((rc = begin(s, "requeueing rows")) != PHN_OK)
		return rc;
	stmt(s, S_UNREQUEUE);
	if ((rc = exec_stmt(s, S_UNREQUEUE, "requeueing rows")) != PHN_OK)
		return rollback(s, rc);
	stmt(s, S_REQUEUE_WAITING);
	if ((rc = exec_stmt(s, S_REQUEUE_WAITING, "requeueing rows")) != PHN_OK)
		return rollback(s, rc);
	total = (uint64_t)sqlite3_changes64(s->db);
	sqlite3_bind_int64(stmt(s, S_REQUEUE_FAILED), 1, (sqlite3_int64)max_attempts);
	if ((rc = exec_stmt(s, S_REQUEUE_FAILED, "requeueing rows")) != PHN_OK)
		return rollback(s, rc);
	total += (uint64_t)sqlite3_changes64(s->db);
	if (max_attempts > 0) {
		char detail[64];
		sqlite3_stmt *st = stmt(s, S_MAX_ATTEMPTS);

		snprintf(detail, sizeof detail, "max attempts (%u) reached", max_attempts);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)max_attempts);
		sqlite3_bind_text(st, 2, detail, -1, SQLITE_TRANSIENT);
		if ((rc = exec_stmt(s, S_MAX_ATTEMPTS, "requeueing rows")) != PHN_OK)
			return rollback(s, rc);
	}
	if ((rc = commit(s, "requeueing rows")) != PHN_OK)
		return rc;
	if (n)
		*n = total;
	return PHN_OK;
}

/* The do-not-call keys go into a temporary table (not the file's schema),
 * so the update is one pass over the pending/waiting rows. */
static int sq_suppress(journal *j, const uint64_t *keys, size_t n, const char *digest,
		       int64_t now_ms, uint64_t *changed)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *ins = NULL, *upd = NULL;
	uint64_t rows = 0;
	int rc, src;

	if ((rc = writable(s, "journal_suppress")) != PHN_OK)
		return rc;
	if ((src = sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS dnc(k INTEGER PRIMARY KEY); "
				"DELETE FROM temp.dnc", NULL, NULL, NULL)) != SQLITE_OK)
		return db_fail(s, src, "applying the do-not-call list");
	if ((rc = begin(s, "applying the do-not-call list")) != PHN_OK)
		return rc;
	if ((src = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO temp.dnc(k) VALUES (?1)", -1,
				      &ins, NULL)) != SQLITE_OK ||
	    (src = sqlite3_prepare_v2(s->db, "UPDATE rows SET state = 'suppressed', reason = "
				      "'suppressed', next_at = 0, updated_at = ?1 WHERE state IN "
				      "('pending', 'waiting') AND number_key IN (SELECT k FROM "
				      "temp.dnc)", -1, &upd, NULL)) != SQLITE_OK) {
		rc = db_fail(s, src, "applying the do-not-call list");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)keys[i]);
		if ((src = sqlite3_step(ins)) != SQLITE_DONE) {
			rc = db_fail(s, src, "applying the do-not-call list");
			goto fail;
		}
	}
	sqlite3_bind_int64(upd, 1, now_ms);
	if ((src = sqlite3_step(upd)) != SQLITE_DONE) {
		rc = db_fail(s, src, "applying the do-not-call list");
		goto fail;
	}
	rows = (uint64_t)sqlite3_changes64(s->db);
	if ((rc = sq_meta_set(j, "suppress_sha256", digest)) != PHN_OK)
		goto fail;
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	if ((rc = commit(s, "applying the do-not-call list")) != PHN_OK)
		return rc;
	sqlite3_exec(s->db, "DELETE FROM temp.dnc", NULL, NULL, NULL);
	if (changed)
		*changed = rows;
	return PHN_OK;
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	return rollback(s, rc);
}

/* ---- the work ------------------------------------------------------------ */

#define NO_STRING ((size_t)-1)

/* Copy a column's text into the arena; its offset, or NO_STRING for NULL. */
static int arena_add(struct jsqlite *s, sqlite3_stmt *st, int col, size_t *off)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	size_t len;

	if (!v) {
		if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
			return phn_error_code(PHN_ENOMEM);
		*off = NO_STRING;
		return PHN_OK;
	}
	len = (size_t)sqlite3_column_bytes(st, col);
	if (s->arena_len + len + 1 > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 4096;
		char *p;

		while (cap < s->arena_len + len + 1)
			cap *= 2;
		if (!(p = realloc(s->arena, cap)))
			return phn_error_code(PHN_ENOMEM);
		s->arena = p;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, v, len);
	s->arena[s->arena_len + len] = '\0';
	*off = s->arena_len;
	s->arena_len += len + 1;
	return PHN_OK;
}

static const char *arena_str(struct jsqlite *s, size_t off, const char *none)
{
	return off == NO_STRING ? none : s->arena + off;
}

static unsigned int clamp_uint(sqlite3_int64 v)
{
	return v < 0 ? 0 : v > UINT_MAX ? UINT_MAX : (unsigned int)v;
}

#define WORK_STRINGS 6

static int sq_ready(journal *j, struct jwork *out, size_t cap, size_t *n, uint64_t after_line,
		    int64_t now_ms)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	size_t got = 0;
	int rc = PHN_OK, step = SQLITE_DONE;

	if (cap == 0)
		return PHN_OK;
	if (cap > SIZE_MAX / (WORK_STRINGS * sizeof *s->offs))
		cap = SIZE_MAX / (WORK_STRINGS * sizeof *s->offs);
	if (s->offs_cap < cap) {
		size_t *p = realloc(s->offs, cap * WORK_STRINGS * sizeof *p);

		if (!p)
			return phn_error_code(PHN_ENOMEM);
		s->offs = p;
		s->offs_cap = cap;
	}
	s->arena_len = 0;
	st = stmt(s, S_READY);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after_line);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_int64(st, 3, cap > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)cap);
	while (got < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct jwork *w = &out[got];
		size_t *o = &s->offs[got * WORK_STRINGS];
		const char *state = (const char *)sqlite3_column_text(st, 1);

		w->line = (uint64_t)sqlite3_column_int64(st, 0);
		/* A damaged b-tree can give rows out of order; a dialer walking
		 * after_line forward would then go round for ever. */
		if (w->line <= (got ? out[got - 1].line : after_line)) {
			rc = phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (line "
					   "%" PRIu64 " out of order)", s->path, w->line);
			break;
		}
		w->state = state && strcmp(state, "waiting") == 0 ? J_WAITING : J_PENDING;
		for (int i = 0; i < WORK_STRINGS && rc == PHN_OK; i++)
			rc = arena_add(s, st, 2 + i, &o[i]);
		if (rc != PHN_OK)
			break;
		w->attempts = clamp_uint(sqlite3_column_int64(st, 8));
		w->requeued_unknown = sqlite3_column_int(st, 9) != 0;
		got++;
	}
	if (rc == PHN_OK && got < cap && step != SQLITE_DONE)
		rc = db_fail(s, step, "reading the rows to call");
	sqlite3_reset(st);
	if (rc != PHN_OK)
		return rc;
	/* The arena has its final place now. */
	for (size_t i = 0; i < got; i++) {
		const size_t *o = &s->offs[i * WORK_STRINGS];

		out[i].e164 = arena_str(s, o[0], "");
		out[i].region = arena_str(s, o[1], "");
		out[i].zones = arena_str(s, o[2], "");
		out[i].fields_json = arena_str(s, o[3], "{}");
		out[i].contact_uuid = arena_str(s, o[4], NULL);
		out[i].invoice_uuid = arena_str(s, o[5], NULL);
		if (!out[i].fields_json[0])
			out[i].fields_json = "{}";
	}
	*n = got;
	return PHN_OK;
}

static int sq_defer(journal *j, const uint64_t *lines, const int64_t *next_at, size_t n,
		    jstate state, int64_t now_ms)
{
	struct jsqlite *s = S(j);
	int rc;

	if ((rc = writable(s, "journal_defer")) != PHN_OK)
		return rc;
	if (n == 0)
		return PHN_OK;
	if ((rc = begin(s, "deferring rows")) != PHN_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = stmt(s, S_DEFER);

		sqlite3_bind_int64(st, 1, (sqlite3_int64)lines[i]);
		sqlite3_bind_text(st, 2, journal_state_name(state), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, next_at[i]);
		sqlite3_bind_int64(st, 4, now_ms);
		if ((rc = exec_stmt(s, S_DEFER, "deferring rows")) != PHN_OK)
			return rollback(s, rc);
		if (sqlite3_changes(s->db) != 1)
			return rollback(s, phn_error_set(PHN_EINVAL, "journal '%s': there is no "
							 "line %" PRIu64, s->path, lines[i]));
	}
	return commit(s, "deferring rows");
}

/* Why a row cannot be marked sending: it is not there, or not pending. */
static int not_sendable(struct jsqlite *s, uint64_t line)
{
	sqlite3_stmt *st = stmt(s, S_ROW_STATE);
	char state[32] = "";
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)line);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(st, 0) ?
			 (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return phn_error_set(PHN_EINVAL, "journal '%s': there is no line %" PRIu64,
				     s->path, line);
	return phn_error_set(PHN_EINVAL, "journal '%s': line %" PRIu64 " is %s, not pending or "
			     "waiting: it is not sent", s->path, line, state);
}

static int mark_items(struct jsqlite *s, int64_t run_id, const struct jsend *items, size_t n,
		      int64_t now_ms);
static int record_items(struct jsqlite *s, const struct joutcome *items, size_t n,
			int64_t now_ms);

/* Outcomes, then marks, in one durable transaction (journal_record_and_mark;
 * journal_record and journal_mark_sending are its halves). */
static int sq_record_and_mark(journal *j, const struct joutcome *done, size_t ndone,
			      int64_t run_id, const struct jsend *items, size_t nitems,
			      int64_t now_ms)
{
	struct jsqlite *s = S(j);
	int rc;

	if ((rc = writable(s, nitems ? "journal_mark_sending" : "journal_record")) != PHN_OK)
		return rc;
	if (ndone == 0 && nitems == 0)
		return PHN_OK;
	if ((rc = begin(s, nitems ? "marking rows sending" : "recording outcomes")) != PHN_OK)
		return rc;
	if ((rc = record_items(s, done, ndone, now_ms)) != PHN_OK ||
	    (rc = mark_items(s, run_id, items, nitems, now_ms)) != PHN_OK)
		return rollback(s, rc);
	return commit(s, nitems ? "marking rows sending" : "recording outcomes");
}

/* Inside an open transaction; the caller rolls back on failure. */
static int mark_items(struct jsqlite *s, int64_t run_id, const struct jsend *items, size_t n,
		      int64_t now_ms)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct jsend *it = &items[i];
		sqlite3_stmt *st = stmt(s, S_ATTEMPT_INSERT);

		sqlite3_bind_text(st, 1, it->dispatch_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)it->line);
		sqlite3_bind_text(st, 3, journal_step_name(it->step), -1, SQLITE_STATIC);
		if (run_id > 0)
			sqlite3_bind_int64(st, 4, run_id);
		sqlite3_bind_int64(st, 5, now_ms);
		if ((rc = exec_stmt(s, S_ATTEMPT_INSERT, "marking rows sending")) != PHN_OK) {
			if (rc == PHN_EINVAL)
				rc = phn_error_set(PHN_EINVAL, "journal '%s': line %" PRIu64 ": dispatch "
						   "id '%s' is not new, or there is no such line "
						   "(%s)", s->path, it->line, it->dispatch_id,
						   sqlite3_errmsg(s->db));
			return rc;
		}
		st = stmt(s, S_ROW_SENDING);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)it->line);
		sqlite3_bind_int(st, 2, it->step == J_STEP_CALL);
		sqlite3_bind_int64(st, 3, now_ms);
		if ((rc = exec_stmt(s, S_ROW_SENDING, "marking rows sending")) != PHN_OK)
			return rc;
		if (sqlite3_changes(s->db) != 1)
			return not_sendable(s, it->line);
	}
	return PHN_OK;
}

/* Whether the call attempt dispatch_id has a phone_call.ended result. */
static int attempt_has_result(struct jsqlite *s, const char *dispatch_id, int *has)
{
	sqlite3_stmt *st = stmt(s, S_ATTEMPT_HAS_RESULT);
	int step;

	sqlite3_bind_text(st, 1, dispatch_id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(s, step, "recording outcomes");
	*has = step == SQLITE_ROW;
	return PHN_OK;
}

/* Inside an open transaction; the caller rolls back on failure. */
static int record_items(struct jsqlite *s, const struct joutcome *items, size_t n,
			int64_t now_ms)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct joutcome *it = &items[i];
		sqlite3_stmt *st = stmt(s, S_ATTEMPT_FINISH);
		jstate state = it->state;
		int64_t next_at = it->next_at;
		int has = 0;

		sqlite3_bind_text(st, 1, it->dispatch_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)it->line);
		sqlite3_bind_int64(st, 3, now_ms);
		sqlite3_bind_text(st, 4, it->outcome, -1, SQLITE_STATIC);
		if (it->http_status)
			sqlite3_bind_int(st, 5, it->http_status);
		bind_text(st, 6, it->detail);
		bind_text(st, 7, it->retry_after);
		sqlite3_bind_int64(st, 8, it->elapsed_ms);
		if ((rc = exec_stmt(s, S_ATTEMPT_FINISH, "recording outcomes")) != PHN_OK)
			return rc;
		if (sqlite3_changes(s->db) != 1)
			return phn_error_set(PHN_EINVAL, "journal '%s': line %" PRIu64 " has no "
					     "attempt '%s'", s->path, it->line, it->dispatch_id);
		if (state == J_UNKNOWN) {
			if ((rc = attempt_has_result(s, it->dispatch_id, &has)) != PHN_OK)
				return rc;
			/* Its phone_call.ended event came first: the call went out. */
			if (has) {
				state = J_ACCEPTED;
				next_at = 0;
			}
		}
		st = stmt(s, S_ROW_RECORD);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)it->line);
		sqlite3_bind_text(st, 2, journal_state_name(state), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, next_at);
		bind_text(st, 4, it->call_id);
		bind_text(st, 5, it->contact_uuid);
		bind_text(st, 6, it->invoice_uuid);
		if (it->http_status)
			sqlite3_bind_int(st, 7, it->http_status);
		bind_text(st, 8, it->detail);
		sqlite3_bind_int64(st, 9, now_ms);
		if ((rc = exec_stmt(s, S_ROW_RECORD, "recording outcomes")) != PHN_OK)
			return rc;
	}
	return PHN_OK;
}

static int sq_mark_sending(journal *j, int64_t run_id, const struct jsend *items, size_t n,
			   int64_t now_ms)
{
	return sq_record_and_mark(j, NULL, 0, run_id, items, n, now_ms);
}

static int sq_record(journal *j, const struct joutcome *items, size_t n, int64_t now_ms)
{
	return sq_record_and_mark(j, items, n, 0, NULL, 0, now_ms);
}

/* ---- reading ------------------------------------------------------------- */

static int bad_state(struct jsqlite *s, const char *what, const char *state)
{
	return phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (%s has the state "
			     "'%.40s', which is none of phonenorm's)", s->path, what,
			     state ? state : "(null)");
}

static int sq_counts(journal *j, struct jcounts *out)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc, step, opened;

	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	st = stmt(s, S_COUNT_STATES);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int state = journal_state_from_name(name);
		sqlite3_int64 c = sqlite3_column_int64(st, 1);

		if (state < 0) {
			rc = bad_state(s, "a row", name);
			break;
		}
		out->state[state] += (uint64_t)c;
		out->rows += (uint64_t)c;
	}
	if (rc == PHN_OK && step != SQLITE_DONE)
		rc = db_fail(s, step, "counting rows");
	sqlite3_reset(st);
	if (rc == PHN_OK) {
		st = stmt(s, S_COUNT_ATTEMPTS);
		if ((step = sqlite3_step(st)) == SQLITE_ROW) {
			sqlite3_int64 a = sqlite3_column_int64(st, 0), c = sqlite3_column_int64(st, 1);

			out->attempts = a < 0 ? 0 : (uint64_t)a;
			out->call_attempts = c < 0 ? 0 : (uint64_t)c;
		} else {
			rc = db_fail(s, step, "counting attempts");
		}
		sqlite3_reset(st);
	}
	read_end(s, opened);
	return rc;
}

static int sq_read_begin(journal *j)
{
	struct jsqlite *s = S(j);
	int rc, opened;

	if (s->read_depth) {
		if (s->read_depth == UINT_MAX)
			return phn_error_set(PHN_EINVAL, "journal '%s': reads nested too deep",
					     s->path);
		s->read_depth++;
		return PHN_OK;
	}
	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	s->read_opened = opened;
	s->read_depth = 1;
	return PHN_OK;
}

static void sq_read_end(journal *j)
{
	struct jsqlite *s = S(j);

	if (s->read_depth == 0 || --s->read_depth > 0)
		return;
	read_end(s, s->read_opened);
	s->read_opened = 0;
}

static int sq_next_wake(journal *j, int64_t *at_ms)
{
	struct jsqlite *s = S(j);
	static const char *const states[] = { "pending", "waiting" };
	int rc = PHN_OK, step, opened, found = 0;
	int64_t best = 0;

	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	for (size_t i = 0; i < 2 && rc == PHN_OK; i++) {
		sqlite3_stmt *st = stmt(s, S_WAKE);

		sqlite3_bind_text(st, 1, states[i], -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			int64_t v = sqlite3_column_int64(st, 0);

			if (!found || v < best)
				best = v;
			found = 1;
		} else if (step != SQLITE_DONE) {
			rc = db_fail(s, step, "reading when rows are due");
		}
		sqlite3_reset(st);
	}
	read_end(s, opened);
	/* A row due at once (next_at 0) must not read as "none". */
	if (rc == PHN_OK && found)
		*at_ms = best > 0 ? best : 1;
	return rc;
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* A copy of a column's text into *keep (freed first); NULL stays NULL. */
static int keep_text(char **keep, sqlite3_stmt *st, int col)
{
	const char *v = col_text(st, col);

	free(*keep);
	*keep = NULL;
	if (v && !(*keep = strdup(v)))
		return phn_error_code(PHN_ENOMEM);
	return PHN_OK;
}

static int sq_runs(journal *j, struct jruns *out)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc = PHN_OK, step, opened;

	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	st = stmt(s, S_RUNS);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 n = sqlite3_column_int64(st, 0), u = sqlite3_column_int64(st, 1);

		out->runs = n < 0 ? 0 : (uint64_t)n;
		out->unfinished = u < 0 ? 0 : (uint64_t)u;
	} else {
		rc = db_fail(s, step, "reading the runs");
	}
	sqlite3_reset(st);
	if (rc == PHN_OK) {
		st = stmt(s, S_RUN_LAST);
		if ((step = sqlite3_step(st)) == SQLITE_ROW) {
			out->last_started_at = sqlite3_column_int64(st, 0);
			out->last_ended_at = sqlite3_column_int64(st, 1);
			if ((rc = keep_text(&s->run_mode, st, 2)) == PHN_OK)
				rc = keep_text(&s->run_result, st, 3);
			out->last_mode = s->run_mode;
			out->last_result = s->run_result;
		} else if (step != SQLITE_DONE) {
			rc = db_fail(s, step, "reading the runs");
		}
		sqlite3_reset(st);
	}
	read_end(s, opened);
	return rc;
}

static int sq_each_row(journal *j, int (*cb)(const struct jreport_row *row, void *payload),
		       void *payload)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc = PHN_OK, step, opened;
	sqlite3_int64 last = 0;

	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	st = stmt(s, s->version >= 2 ? S_EACH_V2 : S_EACH);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct jreport_row r;
		sqlite3_int64 line = sqlite3_column_int64(st, 0), dup;
		const char *state = col_text(st, 1);
		int sv = journal_state_from_name(state);

		if (sv < 0) {
			char what[48];

			snprintf(what, sizeof what, "line %lld", (long long)line);
			rc = bad_state(s, what, state);
			break;
		}
		if (line < 1 || line <= last) {
			rc = phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (%s line "
					   "%lld)", s->path, line < 1 ? "a row has" : "out of order:",
					   (long long)line);
			break;
		}
		last = line;
		memset(&r, 0, sizeof r);
		r.line = (uint64_t)line;
		r.state = (jstate)sv;
		r.reason = col_text(st, 2);
		dup = sqlite3_column_int64(st, 3);
		r.duplicate_of = dup > 0 ? (uint64_t)dup : 0;
		r.input = col_text(st, 4);
		r.e164 = col_text(st, 5);
		r.region = col_text(st, 6);
		r.type = col_text(st, 7);
		r.zones = col_text(st, 8);
		r.attempts = clamp_uint(sqlite3_column_int64(st, 9));
		r.next_at = sqlite3_column_int64(st, 10);
		r.call_id = col_text(st, 11);
		r.contact_uuid = col_text(st, 12);
		r.invoice_uuid = col_text(st, 13);
		r.last_dispatch_id = col_text(st, 14);
		r.last_step = col_text(st, 15);
		r.last_outcome = col_text(st, 16);
		r.last_http_status = sqlite3_column_int(st, 17);
		r.last_detail = col_text(st, 18);
		r.last_at = sqlite3_column_int64(st, 19);
		r.fields_json = col_text(st, 20);
		r.duration = -1;
		if (s->version >= 2) {
			r.result_event = col_text(st, 21);
			r.result_at = sqlite3_column_int64(st, 22);
			r.delivery_status = col_text(st, 23);
			r.provider_status = col_text(st, 24);
			if (sqlite3_column_type(st, 25) == SQLITE_INTEGER)
				r.duration = sqlite3_column_int64(st, 25);
			r.ended_reason = col_text(st, 26);
			r.call_output = col_text(st, 27);
			r.sentiment = col_text(st, 28);
			r.provider_call_id = col_text(st, 29);
		}
		if (sqlite3_errcode(s->db) == SQLITE_NOMEM) {
			rc = phn_error_code(PHN_ENOMEM);
			break;
		}
		if ((rc = cb(&r, payload)) != 0)
			break;
	}
	if (rc == PHN_OK && step != SQLITE_DONE)
		rc = db_fail(s, step, "reading the rows");
	sqlite3_reset(st);
	read_end(s, opened);
	return rc;
}

/* ---- call results ------------------------------------------------------- */

/* One row of a counting statement into *out[0..n). */
static int count_row(struct jsqlite *s, enum stmt id, uint64_t *const *out, int n,
		     const char *what)
{
	sqlite3_stmt *st = stmt(s, id);
	int step = sqlite3_step(st), rc = PHN_OK;

	if (step == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			sqlite3_int64 v = sqlite3_column_int64(st, i);

			*out[i] = v < 0 ? 0 : (uint64_t)v;
		}
	} else {
		rc = db_fail(s, step, what);
	}
	sqlite3_reset(st);
	return rc;
}

static int sq_results(journal *j, struct jresults *out)
{
	struct jsqlite *s = S(j);
	uint64_t *rows[] = { &out->accepted, &out->delivered, &out->not_delivered,
			     &out->awaiting };
	uint64_t *talk[] = { &out->talk_time_s };
	uint64_t *events[] = { &out->events, &out->orphans, &out->other_types };
	int rc, opened;

	/* A v1 journal (read-only) has no results: zero counts. */
	if (s->version < 2)
		return PHN_OK;
	if ((rc = read_begin(s, &opened)) != PHN_OK)
		return rc;
	if ((rc = count_row(s, S_RESULTS_ROWS, rows, 4, "counting results")) == PHN_OK &&
	    (rc = count_row(s, S_RESULTS_TALK, talk, 1, "counting results")) == PHN_OK)
		rc = count_row(s, S_RESULTS_EVENTS, events, 3, "counting events");
	read_end(s, opened);
	return rc;
}

static int sq_each_histogram(journal *j, const char *column,
			     int (*cb)(const char *value, uint64_t n, void *payload), void *payload)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc = PHN_OK, step;

	if (s->version < 2)
		return PHN_OK;
	st = stmt(s, strcmp(column, "call_output") == 0 ? S_HIST_CALL_OUTPUT : S_HIST_SENTIMENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = col_text(st, 0);
		sqlite3_int64 n = sqlite3_column_int64(st, 1);

		if (!v) {
			rc = sqlite3_errcode(s->db) == SQLITE_NOMEM ? phn_error_code(PHN_ENOMEM)
								    : PHN_OK;
			if (rc != PHN_OK)
				break;
			continue;
		}
		if ((rc = cb(v, n < 0 ? 0 : (uint64_t)n, payload)) != 0)
			break;
	}
	if (rc == PHN_OK && step != SQLITE_DONE)
		rc = db_fail(s, step, "reading the results");
	sqlite3_reset(st);
	return rc;
}

static int sq_each_refusal(journal *j,
			   int (*cb)(const char *reason, uint64_t n, int64_t last_at, void *payload),
			   void *payload)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc = PHN_OK, step;

	if (s->version < 2)
		return PHN_OK;
	st = stmt(s, S_REFUSALS);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *reason = col_text(st, 0);
		sqlite3_int64 n = sqlite3_column_int64(st, 1);

		if (!reason) {
			if (sqlite3_errcode(s->db) == SQLITE_NOMEM) {
				rc = phn_error_code(PHN_ENOMEM);
				break;
			}
			continue;
		}
		if ((rc = cb(reason, n < 0 ? 0 : (uint64_t)n, sqlite3_column_int64(st, 2),
			     payload)) != 0)
			break;
	}
	if (rc == PHN_OK && step != SQLITE_DONE)
		rc = db_fail(s, step, "reading the refused deliveries");
	sqlite3_reset(st);
	return rc;
}

static void bind_redial(sqlite3_stmt *st, unsigned int max_attempts, int64_t gap_ms,
			int64_t now_ms)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max_attempts);
	sqlite3_bind_int64(st, 2, gap_ms);
	sqlite3_bind_int64(st, 3, now_ms);
}

static int sq_redial_count(journal *j, unsigned int max_attempts, int64_t gap_ms,
			   int64_t now_ms, uint64_t *due, uint64_t *later, int64_t *next_due_ms)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc = PHN_OK, step;

	if (s->version < 2)
		return PHN_OK;
	st = stmt(s, S_REDIAL_COUNT);
	bind_redial(st, max_attempts, gap_ms, now_ms);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 d = sqlite3_column_int64(st, 0), l = sqlite3_column_int64(st, 1);

		*due = d < 0 ? 0 : (uint64_t)d;
		*later = l < 0 ? 0 : (uint64_t)l;
		*next_due_ms = sqlite3_column_int64(st, 2);
	} else {
		rc = db_fail(s, step, "counting the rows to redial");
	}
	sqlite3_reset(st);
	return rc;
}

static int sq_requeue_undelivered(journal *j, unsigned int max_attempts, int64_t gap_ms,
				  int64_t now_ms, uint64_t *n)
{
	struct jsqlite *s = S(j);
	sqlite3_stmt *st;
	int rc;

	if ((rc = writable(s, "journal_requeue_undelivered")) != PHN_OK)
		return rc;
	st = stmt(s, S_REDIAL_REQUEUE);
	bind_redial(st, max_attempts, gap_ms, now_ms);
	sqlite3_bind_int64(st, 4, now_ms);
	if ((rc = exec_stmt(s, S_REDIAL_REQUEUE, "requeueing undelivered rows")) != PHN_OK)
		return rc;
	if (n)
		*n = (uint64_t)sqlite3_changes64(s->db);
	return PHN_OK;
}

/* One event inside the open transaction; the caller rolls back on failure. */
static int record_event(struct jsqlite *s, const struct jevent *ev, phn_receiver_outcome *out)
{
	sqlite3_stmt *st;
	sqlite3_int64 line = 0;
	int ended = strcmp(ev->type, "phone_call.ended") == 0, matched = 0, rc, step;

	if (ev->dispatch_id && ev->dispatch_id[0]) {
		st = stmt(s, S_EV_ATTEMPT);
		sqlite3_bind_text(st, 1, ev->dispatch_id, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			line = sqlite3_column_int64(st, 0);
			matched = 1;
		}
		sqlite3_reset(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			return db_fail(s, step, "recording events");
	}
	st = stmt(s, S_EV_INSERT);
	sqlite3_bind_text(st, 1, ev->svix_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ev->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->event_time_ms);
	sqlite3_bind_int64(st, 4, ev->received_ms);
	bind_text_nonempty(st, 5, ev->dispatch_id);
	if (matched)
		sqlite3_bind_int64(st, 6, line);
	if (ev->payload_len > (size_t)INT_MAX)
		return phn_error_set(PHN_EINVAL, "journal '%s': event '%s': the payload is too "
				     "large", s->path, ev->svix_id);
	sqlite3_bind_text(st, 7, ev->payload ? ev->payload : "", (int)ev->payload_len,
			  SQLITE_STATIC);
	if ((rc = exec_stmt(s, S_EV_INSERT, "recording events")) != PHN_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0) {
		/* The svix-id is there already (a redelivery, or twice in the batch). */
		*out = PHN_RECEIVER_DUPLICATE;
		return PHN_OK;
	}
	if (!ended) {
		*out = PHN_RECEIVER_OTHER_TYPE;
		return PHN_OK;
	}
	if (!matched) {
		*out = PHN_RECEIVER_ORPHAN;
		return PHN_OK;
	}
	st = stmt(s, S_EV_APPLY);
	sqlite3_bind_text(st, 1, ev->dispatch_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ev->svix_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->event_time_ms);
	bind_text(st, 4, ev->delivery_status);
	bind_text(st, 5, ev->provider_status);
	if (ev->duration_s >= 0)
		sqlite3_bind_int64(st, 6, ev->duration_s);
	bind_text(st, 7, ev->ended_reason);
	bind_text(st, 8, ev->call_output);
	bind_text(st, 9, ev->sentiment);
	bind_text(st, 10, ev->provider_call_id);
	if ((rc = exec_stmt(s, S_EV_APPLY, "recording events")) != PHN_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0) {
		*out = PHN_RECEIVER_SUPERSEDED;
		return PHN_OK;
	}
	*out = PHN_RECEIVER_APPLIED;
	/* On the row too when this is its latest call attempt. */
	st = stmt(s, S_EV_ROW);
	sqlite3_bind_int64(st, 1, line);
	sqlite3_bind_text(st, 2, ev->dispatch_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->received_ms);
	return exec_stmt(s, S_EV_ROW, "recording events");
}

static int sq_record_events(journal *j, const struct jevent *ev, size_t n,
			    phn_receiver_outcome *out, const char *const *refusal_reasons,
			    const uint64_t *refusal_counts, size_t nref, int64_t now_ms)
{
	struct jsqlite *s = S(j);
	int rc;

	if ((rc = writable(s, "journal_record_events")) != PHN_OK)
		return rc;
	if (n == 0 && nref == 0)
		return PHN_OK;
	if ((rc = begin(s, "recording events")) != PHN_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((rc = record_event(s, &ev[i], &out[i])) != PHN_OK)
			return rollback(s, rc);
	}
	for (size_t i = 0; i < nref; i++) {
		sqlite3_stmt *st;

		if (refusal_counts[i] == 0)
			continue;
		st = stmt(s, S_REFUSAL_ADD);
		sqlite3_bind_text(st, 1, refusal_reasons[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, refusal_counts[i] > (uint64_t)INT64_MAX
						  ? INT64_MAX : (sqlite3_int64)refusal_counts[i]);
		sqlite3_bind_int64(st, 3, now_ms);
		if ((rc = exec_stmt(s, S_REFUSAL_ADD, "recording refused deliveries")) != PHN_OK)
			return rollback(s, rc);
	}
	return commit(s, "recording events");
}

const struct journal_ops journal_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.load_begin = sq_load_begin,
	.load_row = sq_load_row,
	.load_end = sq_load_end,
	.run_begin = sq_run_begin,
	.run_end = sq_run_end,
	.recover = sq_recover,
	.requeue_unknown = sq_requeue_unknown,
	.requeue_for_run = sq_requeue_for_run,
	.suppress = sq_suppress,
	.ready = sq_ready,
	.defer = sq_defer,
	.mark_sending = sq_mark_sending,
	.record = sq_record,
	.record_and_mark = sq_record_and_mark,
	.counts = sq_counts,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.next_wake = sq_next_wake,
	.runs = sq_runs,
	.each_row = sq_each_row,
	.results = sq_results,
	.each_histogram = sq_each_histogram,
	.each_refusal = sq_each_refusal,
	.redial_count = sq_redial_count,
	.requeue_undelivered = sq_requeue_undelivered,
	.record_events = sq_record_events,
};
