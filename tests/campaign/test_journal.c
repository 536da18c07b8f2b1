/*
 * The campaign journal's internals (src/campaign/journal.h) against real
 * SQLite files in a temporary directory: load, resume, recovery, requeue,
 * defer, durable marks and outcomes (checked after reopening), the dial lock
 * across processes (and after kill -9 of its holder), files that are not
 * journals, and a 200k-row load in bounded memory.
 *
 * One of the documented exceptions to "tests use the public API"
 * (tests/layers/layers.txt): the journal has no public API of its own.
 *
 *   test_journal [unit]        run the tests
 *   test_journal fixture FILE  write a small journal with every state (for
 *                              the report CLI test and the fuzz corpus)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <phonenorm.h>
#include "campaign/journal.h"
#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static char dir[256];

static const char *path_in(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
	return buf;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The row of a line, through journal_each_row. */
struct find {
	uint64_t line;
	int found;
	jstate state;
	unsigned int attempts;
	char call_id[64], contact_uuid[64], last_outcome[32], last_step[16], last_dispatch[64];
	char fields[128];
	int last_http_status;
	int64_t next_at;
	uint64_t rows;
};

static void copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static int find_cb(const struct jreport_row *r, void *payload)
{
	struct find *f = payload;

	f->rows++;
	if (r->line != f->line)
		return 0;
	f->found = 1;
	f->state = r->state;
	f->attempts = r->attempts;
	f->next_at = r->next_at;
	f->last_http_status = r->last_http_status;
	copy(f->call_id, sizeof f->call_id, r->call_id);
	copy(f->contact_uuid, sizeof f->contact_uuid, r->contact_uuid);
	copy(f->last_outcome, sizeof f->last_outcome, r->last_outcome);
	copy(f->last_step, sizeof f->last_step, r->last_step);
	copy(f->last_dispatch, sizeof f->last_dispatch, r->last_dispatch_id);
	copy(f->fields, sizeof f->fields, r->fields_json);
	return 0;
}

static struct find find_row(journal *j, uint64_t line)
{
	struct find f;

	memset(&f, 0, sizeof f);
	f.line = line;
	CHECK_INT(journal_each_row(j, find_cb, &f), PHN_OK);
	CHECK_MSG(f.found, "line %" PRIu64 " not found", line);
	return f;
}

/* A list of 10 rows: lines 2..11 (line 1 is the header). */
static int load_list(journal *j)
{
	static const char *const inputs[] = { "0501234567", "+966 50 123 4568", "abc",
					      "0501234567", "+1 212 555 0100", "0501234569",
					      "0501234570", "0501234571", "0501234572", "0501234573" };
	int rc;

	if ((rc = journal_load_begin(j)) != PHN_OK)
		return rc;
	for (int i = 0; i < 10; i++) {
		struct jrow r;
		char e164[32], fields[64];

		memset(&r, 0, sizeof r);
		r.line = (uint64_t)i + 2;
		r.input = inputs[i];
		snprintf(e164, sizeof e164, "+96650123456%d", i);
		snprintf(fields, sizeof fields, "{\"firstName\":\"P%d\"}", i);
		r.e164 = e164;
		r.region = "SA";
		r.type = "mobile";
		r.number_key = 1000u + (unsigned)i;
		r.zones = "Asia/Riyadh";
		r.fields_json = fields;
		r.state = J_PENDING;
		if (i == 2) {
			r.state = J_INVALID;
			r.reason = "not_a_number";
			r.e164 = NULL;
			r.region = r.type = r.zones = NULL;
			r.number_key = 0;
			r.fields_json = NULL;
		} else if (i == 3) {
			r.state = J_DUPLICATE;
			r.duplicate_of = 2;
			r.fields_json = NULL;
		} else if (i == 4) {
			r.state = J_SUPPRESSED;
			r.reason = "suppressed";
			r.fields_json = NULL;
		}
		if ((rc = journal_load_row(j, &r)) != PHN_OK)
			return rc;
	}
	return journal_load_end(j);
}

static journal *open_dial(const char *path, unsigned int more)
{
	journal *j = NULL;
	int rc = journal_open(&j, path, J_OPEN_DIAL | more);

	CHECK_MSG(rc == PHN_OK, "open %s: %s", path, phn_error_last());
	return j;
}

static void test_missing(void)
{
	char p[512];
	journal *j = (journal *)1;

	CHECK_INT(journal_open(&j, path_in(p, sizeof p, "none.db"), J_OPEN_DIAL), PHN_ENOTFOUND);
	CHECK(j == NULL);
	CHECK(strstr(phn_error_last(), "does not exist") != NULL);
	CHECK(access(p, F_OK) != 0); /* not created */
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_ENOTFOUND);
	CHECK_INT(journal_open(&j, dir, J_OPEN_READONLY), PHN_EIO);
	CHECK(strstr(phn_error_last(), "is a directory") != NULL);
}

static void test_lifecycle(void)
{
	char p[512];
	journal *j;
	struct jcounts c;
	struct jwork w[4];
	size_t n;
	uint64_t moved;
	int64_t run, wake, t0 = now_ms();
	const char *v;
	struct find f;

	j = open_dial(path_in(p, sizeof p, "life.db"), J_OPEN_CREATE);
	if (!j)
		return;
	CHECK_INT(journal_meta_get(j, "schema_version", &v), PHN_OK);
	CHECK(v && strcmp(v, "2") == 0);
	CHECK_INT(journal_meta_get(j, "loaded", &v), PHN_OK);
	CHECK(v == NULL);
	CHECK_INT(journal_meta_set(j, "list_sha256", "ab12"), PHN_OK);
	CHECK_INT(journal_meta_set(j, "list_name", "list.csv"), PHN_OK);
	CHECK_INT(load_list(j), PHN_OK);
	CHECK_INT(journal_meta_get(j, "loaded", &v), PHN_OK);
	CHECK(v && strcmp(v, "1") == 0);
	CHECK_INT(journal_load_begin(j), PHN_EINVAL); /* loaded lists stay */

	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.rows, 10);
	CHECK_INT(c.state[J_PENDING], 7);
	CHECK_INT(c.state[J_INVALID], 1);
	CHECK_INT(c.state[J_DUPLICATE], 1);
	CHECK_INT(c.state[J_SUPPRESSED], 1);
	CHECK_INT(c.attempts, 0);

	CHECK_INT(journal_run_begin(j, t0, "live", &run), PHN_OK);
	CHECK(run > 0);
	/* Pending rows in line order, walking from after_line. */
	CHECK_INT(journal_ready(j, w, 3, &n, 0, t0), PHN_OK);
	CHECK_INT(n, 3);
	CHECK_INT(w[0].line, 2);
	CHECK_INT(w[1].line, 3);
	CHECK_INT(w[2].line, 7);
	CHECK_STR(w[0].e164, "+966501234560");
	CHECK_STR(w[0].zones, "Asia/Riyadh");
	CHECK_STR(w[0].fields_json, "{\"firstName\":\"P0\"}");
	CHECK(w[0].contact_uuid == NULL);
	CHECK_INT(w[0].attempts, 0);
	CHECK_INT(journal_ready(j, w, 4, &n, 7, t0), PHN_OK);
	CHECK_INT(n, 4);
	CHECK_INT(w[0].line, 8);
	CHECK_INT(w[3].line, 11);
	CHECK_INT(journal_ready(j, w, 4, &n, 11, t0), PHN_OK);
	CHECK_INT(n, 0);

	/* A batch marked sending: three calls and one contact step. */
	{
		struct jsend s[4] = { { 2, J_STEP_CALL, "d-1" }, { 3, J_STEP_CALL, "d-2" },
				      { 7, J_STEP_CONTACT, "d-3" }, { 8, J_STEP_CALL, "d-4" } };

		CHECK_INT(journal_mark_sending(j, run, s, 4, t0 + 1), PHN_OK);
	}
	/* Line 8 is accepted; the others are still out when the process "dies". */
	{
		struct joutcome o;

		memset(&o, 0, sizeof o);
		o.line = 8;
		o.dispatch_id = "d-4";
		o.outcome = "accepted";
		o.http_status = 201;
		o.elapsed_ms = 12;
		o.state = J_ACCEPTED;
		o.call_id = "call-8";
		CHECK_INT(journal_record(j, &o, 1, t0 + 2), PHN_OK);
	}
	journal_close(j);

	/* Resume: the marks and the outcome are there, sending -> unknown. */
	j = open_dial(p, 0);
	if (!j)
		return;
	f = find_row(j, 2);
	CHECK_INT(f.state, J_SENDING);
	CHECK_INT(f.attempts, 1);
	CHECK_STR(f.last_dispatch, "d-1");
	CHECK_STR(f.last_outcome, "");
	f = find_row(j, 8);
	CHECK_INT(f.state, J_ACCEPTED);
	CHECK_STR(f.call_id, "call-8");
	CHECK_STR(f.last_outcome, "accepted");
	CHECK_INT(f.last_http_status, 201);
	CHECK_INT(f.rows, 10);
	CHECK_INT(journal_recover(j, t0 + 3, &moved), PHN_OK);
	CHECK_INT(moved, 3);
	f = find_row(j, 7);
	CHECK_INT(f.state, J_UNKNOWN);
	CHECK_INT(f.attempts, 0); /* a contact step is not a call attempt */
	CHECK_STR(f.last_step, "contact");
	CHECK_STR(f.last_outcome, "interrupted");
	CHECK_INT(journal_recover(j, t0 + 3, &moved), PHN_OK);
	CHECK_INT(moved, 0);
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.state[J_UNKNOWN], 3);
	CHECK_INT(c.state[J_ACCEPTED], 1);
	CHECK_INT(c.attempts, 4);
	CHECK_INT(c.call_attempts, 3);

	/* Unknown rows are never ready; an accepted row can never be sent again. */
	CHECK_INT(journal_ready(j, w, 4, &n, 0, t0 + 4), PHN_OK);
	CHECK_INT(n, 3);
	CHECK_INT(w[0].line, 9);
	{
		struct jsend s[2] = { { 9, J_STEP_CALL, "d-5" }, { 8, J_STEP_CALL, "d-6" } };

		CHECK_INT(journal_mark_sending(j, run, s, 2, t0 + 4), PHN_EINVAL);
		CHECK(strstr(phn_error_last(), "line 8 is accepted") != NULL);
		f = find_row(j, 9); /* the batch is one transaction: 9 untouched */
		CHECK_INT(f.state, J_PENDING);
		CHECK_INT(f.attempts, 0);
		/* a dispatch id is used once */
		s[0].dispatch_id = "d-1";
		CHECK_INT(journal_mark_sending(j, run, s, 1, t0 + 4), PHN_EINVAL);
		s[0].line = 99;
		s[0].dispatch_id = "d-7";
		CHECK_INT(journal_mark_sending(j, run, s, 1, t0 + 4), PHN_EINVAL);
	}

	/* --retry-unknown */
	CHECK_INT(journal_requeue_unknown(j, 0, &moved), PHN_OK);
	CHECK_INT(moved, 3);
	f = find_row(j, 7);
	CHECK_INT(f.state, J_PENDING);

	/* defer: line 9 waits for its window, line 10 backs off. */
	{
		uint64_t lines[2] = { 9, 10 };
		int64_t at[2] = { t0 + 60000, t0 + 5000 };

		CHECK_INT(journal_defer(j, lines, at, 1, J_WAITING, t0 + 5), PHN_OK);
		CHECK_INT(journal_defer(j, lines + 1, at + 1, 1, J_PENDING, t0 + 5), PHN_OK);
		CHECK_INT(journal_defer(j, lines, at, 1, J_ACCEPTED, t0 + 5), PHN_EINVAL);
		lines[0] = 1000;
		CHECK_INT(journal_defer(j, lines, at, 1, J_WAITING, t0 + 5), PHN_EINVAL);
	}
	CHECK_INT(journal_ready(j, w, 4, &n, 8, t0 + 6), PHN_OK);
	CHECK_INT(n, 1);
	CHECK_INT(w[0].line, 11);
	CHECK_INT(journal_ready(j, w, 4, &n, 8, t0 + 5000), PHN_OK);
	CHECK_INT(n, 2);
	CHECK_INT(w[0].line, 10);
	CHECK_INT(journal_ready(j, w, 4, &n, 8, t0 + 60000), PHN_OK);
	CHECK_INT(n, 3);
	CHECK_INT(w[0].line, 9);
	CHECK_INT(w[0].state, J_WAITING);
	CHECK_INT(journal_next_wake(j, &wake), PHN_OK);
	CHECK_INT(wake, 1); /* pending rows due at once */

	/* A failed row: retries used up (attempts 1 < 3: back), or the cap. */
	{
		struct jsend s = { 11, J_STEP_CALL, "d-8" };
		struct joutcome o;

		CHECK_INT(journal_mark_sending(j, run, &s, 1, t0 + 7), PHN_OK);
		memset(&o, 0, sizeof o);
		o.line = 11;
		o.dispatch_id = "d-8";
		o.outcome = "throttled";
		o.http_status = 429;
		o.retry_after = "30";
		o.detail = "slow down";
		o.state = J_FAILED;
		CHECK_INT(journal_record(j, &o, 1, t0 + 8), PHN_OK);
		o.dispatch_id = "d-404";
		CHECK_INT(journal_record(j, &o, 1, t0 + 8), PHN_EINVAL);
	}
	/* One transaction for a turn's outcomes and the next marks; a refused
	 * mark takes the outcomes back with it. */
	{
		struct jsend s1 = { 10, J_STEP_CALL, "d-9" }, s2 = { 9, J_STEP_CALL, "d-10" };
		struct joutcome o;

		CHECK_INT(journal_record_and_mark(j, NULL, 0, run, &s1, 1, t0 + 8), PHN_OK);
		memset(&o, 0, sizeof o);
		o.line = 10;
		o.dispatch_id = "d-9";
		o.outcome = "accepted";
		o.http_status = 201;
		o.state = J_ACCEPTED;
		o.call_id = "call-10";
		s1.dispatch_id = "d-11"; /* line 10 again: refused, as it is sending */
		CHECK_INT(journal_record_and_mark(j, &o, 1, run, &s1, 1, t0 + 8), PHN_EINVAL);
		f = find_row(j, 10);
		CHECK_INT(f.state, J_SENDING); /* the outcome was rolled back too */
		CHECK_INT(journal_record_and_mark(j, &o, 1, run, &s2, 1, t0 + 8), PHN_OK);
		f = find_row(j, 10);
		CHECK_INT(f.state, J_ACCEPTED);
		CHECK_STR(f.call_id, "call-10");
		f = find_row(j, 9);
		CHECK_INT(f.state, J_SENDING);
		o.line = 9;
		o.dispatch_id = "d-10";
		o.state = J_WAITING;
		o.outcome = "not_sent";
		o.call_id = NULL;
		o.http_status = 0;
		CHECK_INT(journal_record_and_mark(j, &o, 1, run, NULL, 0, t0 + 8), PHN_OK);
	}
	CHECK_INT(journal_run_end(j, run, t0 + 9, "stopped"), PHN_OK);
	CHECK_INT(journal_run_end(j, run + 100, t0 + 9, "x"), PHN_EINVAL);
	journal_close(j);

	j = open_dial(p, 0);
	if (!j)
		return;
	f = find_row(j, 11);
	CHECK_INT(f.state, J_FAILED);
	CHECK_INT(f.last_http_status, 429);
	CHECK_INT(journal_requeue_for_run(j, 1, &moved), PHN_OK);
	CHECK_INT(moved, 1); /* the waiting row; line 11 is at max_attempts 1 */
	/* requeued by --retry-unknown, never sent: unknown again for a plain run */
	f = find_row(j, 7);
	CHECK_INT(f.state, J_UNKNOWN);
	f = find_row(j, 11);
	CHECK_INT(f.state, J_FAILED);
	/* lines 2 and 3 (pending since --retry-unknown, never sent again): unknown
	 * again, not failed, although they used their one attempt */
	f = find_row(j, 2);
	CHECK_INT(f.state, J_UNKNOWN);
	f = find_row(j, 9); /* waiting, back to pending, but at its one attempt */
	CHECK_INT(f.state, J_FAILED);
	CHECK_INT(journal_requeue_for_run(j, 3, &moved), PHN_OK);
	CHECK_INT(moved, 2); /* lines 9, 11 */
	f = find_row(j, 2);
	CHECK_INT(f.state, J_UNKNOWN);
	f = find_row(j, 11);
	CHECK_INT(f.state, J_PENDING);
	f = find_row(j, 9);
	CHECK_INT(f.state, J_PENDING);
	CHECK_INT(f.next_at, 0);
	/* --max-attempts lowered to 1: pending line 11 (1 call) is final now */
	CHECK_INT(journal_requeue_for_run(j, 1, &moved), PHN_OK);
	CHECK_INT(moved, 0);
	f = find_row(j, 11);
	CHECK_INT(f.state, J_FAILED);
	f = find_row(j, 9);
	CHECK_INT(f.state, J_FAILED);
	/* an unknown row at the cap stays unknown under --retry-unknown */
	CHECK_INT(journal_requeue_unknown(j, 1, &moved), PHN_OK);
	journal_close(j);

	/* Read-only: reads, never writes. */
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_OK);
	if (j) {
		CHECK_INT(journal_counts(j, &c), PHN_OK);
		CHECK_INT(c.rows, 10);
		CHECK_INT(journal_meta_set(j, "x", "y"), PHN_EINVAL);
		CHECK_INT(journal_recover(j, t0, NULL), PHN_EINVAL);
		journal_close(j);
	}
}

static void test_unfinished_load(void)
{
	char p[512];
	journal *j;
	struct jrow r;
	struct jcounts c;
	const char *v;

	j = open_dial(path_in(p, sizeof p, "load.db"), J_OPEN_CREATE);
	if (!j)
		return;
	CHECK_INT(journal_load_begin(j), PHN_OK);
	memset(&r, 0, sizeof r);
	r.state = J_PENDING;
	r.e164 = "+966501234567";
	for (r.line = 2; r.line < 60010; r.line++) /* past one load transaction */
		CHECK_MSG(journal_load_row(j, &r) == PHN_OK, "%s", phn_error_last());
	r.line = 5;
	CHECK_INT(journal_load_row(j, &r), PHN_EINVAL); /* out of order */
	journal_close(j); /* no journal_load_end: a crash */

	j = open_dial(p, 0);
	if (!j)
		return;
	CHECK_INT(journal_meta_get(j, "loaded", &v), PHN_OK);
	CHECK(v == NULL);
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.rows, 50000); /* the first transaction is in, the rest is not */
	CHECK_INT(load_list(j), PHN_OK); /* starts over */
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.rows, 10);
	journal_close(j);
}

static void test_lock(void)
{
	char p[512], buf[8];
	journal *j, *r;
	int fds[2];
	pid_t pid;
	int status;

	j = open_dial(path_in(p, sizeof p, "lock.db"), J_OPEN_CREATE);
	if (!j)
		return;
	CHECK_INT(load_list(j), PHN_OK);
	journal_close(j);

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		journal *cj = NULL;

		close(fds[0]);
		if (journal_open(&cj, p, J_OPEN_DIAL) != PHN_OK)
			_exit(1);
		if (write(fds[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, 1) == 1);
	close(fds[0]);

	CHECK_INT(journal_open(&j, p, J_OPEN_DIAL), PHN_EIO);
	{
		char want[64];

		snprintf(want, sizeof want, "(pid %ld)", (long)pid);
		CHECK_MSG(strstr(phn_error_last(), want) && strstr(phn_error_last(), "in use by "
								    "another phonenorm dial"),
			  "%s", phn_error_last());
	}
	/* A reader never takes the lock. */
	CHECK_INT(journal_open(&r, p, J_OPEN_READONLY), PHN_OK);
	if (r) {
		struct jcounts c;

		CHECK_INT(journal_counts(r, &c), PHN_OK);
		CHECK_INT(c.rows, 10);
		journal_close(r);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status));
	/* The kernel released it with the process. */
	j = open_dial(p, 0);
	if (j) {
		struct find f = find_row(j, 2);

		CHECK_INT(f.state, J_PENDING);
		journal_close(j);
	}
	/* ... and journal_close() releases it too. */
	j = open_dial(p, 0);
	journal_close(j);
	j = open_dial(p, 0);
	journal_close(j);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(data, 1, len, f) == len);
		fclose(f);
	}
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK_MSG(sqlite3_exec(db, text, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void expect_refused(const char *path, unsigned int flags, int code, const char *words)
{
	journal *j = NULL;
	int rc = journal_open(&j, path, flags);

	CHECK_MSG(rc == code, "%s: %d (%s), expected %d", path, rc, phn_error_last(), code);
	CHECK_MSG(strstr(phn_error_last(), words) != NULL, "%s: '%s' lacks '%s'", path,
		  phn_error_last(), words);
	journal_close(j);
}

static void test_not_journals(void)
{
	char p[512];
	journal *j;

	write_file(path_in(p, sizeof p, "text.db"), "line,phone\n2,0501234567\n", 24);
	expect_refused(p, J_OPEN_READONLY, PHN_EFORMAT, "not a phonenorm journal");
	expect_refused(p, J_OPEN_DIAL, PHN_EFORMAT, "not a phonenorm journal");
	expect_refused(p, J_OPEN_DIAL | J_OPEN_CREATE, PHN_EFORMAT, "not a phonenorm journal");

	write_file(path_in(p, sizeof p, "empty.db"), "", 0);
	expect_refused(p, J_OPEN_READONLY, PHN_ENOTFOUND, "is empty: a phonenorm dial stopped");
	j = open_dial(p, J_OPEN_CREATE); /* an empty file is a new journal */
	journal_close(j);

	path_in(p, sizeof p, "other.db");
	sql(p, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	expect_refused(p, J_OPEN_READONLY, PHN_EFORMAT, "another program");
	expect_refused(p, J_OPEN_DIAL | J_OPEN_CREATE, PHN_EFORMAT, "another program");

	j = open_dial(path_in(p, sizeof p, "newer.db"), J_OPEN_CREATE);
	journal_close(j);
	sql(p, "PRAGMA user_version = 7;");
	expect_refused(p, J_OPEN_READONLY, PHN_EVERSION,
		       "schema version 7 is newer than this phonenorm (2)");
	expect_refused(p, J_OPEN_DIAL, PHN_EVERSION, "newer");

	j = open_dial(path_in(p, sizeof p, "view.db"), J_OPEN_CREATE);
	journal_close(j);
	sql(p, "PRAGMA writable_schema = 0; DROP TABLE attempts; CREATE VIEW attempts AS "
	       "SELECT 1 AS dispatch_id;");
	expect_refused(p, J_OPEN_READONLY, PHN_EFORMAT, "no table 'attempts'");

	j = open_dial(path_in(p, sizeof p, "columns.db"), J_OPEN_CREATE);
	journal_close(j);
	sql(p, "ALTER TABLE rows DROP COLUMN zones;");
	expect_refused(p, J_OPEN_READONLY, PHN_EFORMAT, "its table 'rows' is not the one of "
		       "schema version 2");

	j = open_dial(path_in(p, sizeof p, "index.db"), J_OPEN_CREATE);
	journal_close(j);
	sql(p, "DROP INDEX rows_state_next; CREATE INDEX rows_state_next ON rows(state) "
	       "WHERE state <> 'sending';");
	expect_refused(p, J_OPEN_DIAL, PHN_EFORMAT, "index 'rows_state_next'");

	j = open_dial(path_in(p, sizeof p, "notnull.db"), J_OPEN_CREATE);
	journal_close(j);
	sql(p, "DROP TABLE meta; CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT, "
	       "x NOT NULL);");
	expect_refused(p, J_OPEN_DIAL, PHN_EFORMAT, "its table 'meta'");

	j = open_dial(path_in(p, sizeof p, "state.db"), J_OPEN_CREATE);
	if (j) {
		struct jcounts c;

		CHECK_INT(load_list(j), PHN_OK);
		journal_close(j);
		sql(p, "UPDATE rows SET state = 'dialled' WHERE line = 5;");
		CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_OK);
		CHECK_INT(journal_counts(j, &c), PHN_EFORMAT);
		CHECK(strstr(phn_error_last(), "'dialled'") != NULL);
		CHECK_INT(journal_each_row(j, find_cb, &(struct find){ 0 }), PHN_EFORMAT);
		journal_close(j);
	}
}

/* A journal with its pages scribbled over: refused or read with an error,
 * never a crash. */
static void test_corrupt(void)
{
	char p[512];
	journal *j;
	struct stat st;
	FILE *f;

	j = open_dial(path_in(p, sizeof p, "corrupt.db"), J_OPEN_CREATE);
	if (!j)
		return;
	CHECK_INT(journal_load_begin(j), PHN_OK);
	for (uint64_t line = 2; line < 3000; line++) {
		struct jrow r;

		memset(&r, 0, sizeof r);
		r.line = line;
		r.state = J_PENDING;
		r.e164 = "+966501234567";
		r.fields_json = "{\"firstName\":\"a long enough name to fill pages\"}";
		journal_load_row(j, &r);
	}
	CHECK_INT(journal_load_end(j), PHN_OK);
	journal_close(j);
	CHECK(stat(p, &st) == 0);
	f = fopen(p, "r+b");
	CHECK(f != NULL);
	if (!f)
		return;
	for (long off = 4096 * 3; off < st.st_size - 4096; off += 4096 * 7) {
		fseek(f, off + 100, SEEK_SET);
		fwrite("\xff\x00\xff\x13garbage-garbage-garbage", 1, 27, f);
	}
	fclose(f);
	if (journal_open(&j, p, J_OPEN_READONLY) == PHN_OK) {
		struct jcounts c;
		struct find fd;
		int rc1 = journal_counts(j, &c), rc2;

		memset(&fd, 0, sizeof fd);
		rc2 = journal_each_row(j, find_cb, &fd);
		CHECK_MSG(rc1 == PHN_EFORMAT || rc2 == PHN_EFORMAT, "%d %d", rc1, rc2);
		CHECK_MSG(strstr(phn_error_last(), "corrupt") != NULL, "%s", phn_error_last());
		journal_close(j);
	} else {
		CHECK_MSG(strstr(phn_error_last(), "corrupt") != NULL, "%s", phn_error_last());
	}
	/* The header itself */
	f = fopen(p, "r+b");
	if (f) {
		fwrite("SQLite format 4", 1, 15, f);
		fclose(f);
	}
	expect_refused(p, J_OPEN_READONLY, PHN_EFORMAT, "not a phonenorm journal");
}

/* Peak RSS (VmHWM) in KiB since the last reset_peak(). */
static long peak_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

static long current_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	}
	if (f)
		fclose(f);
	return kb;
}

/* Linux 4.0+: "5" resets the peak to the current RSS. */
static void reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static int count_cb(const struct jreport_row *r, void *payload)
{
	uint64_t *n = payload;

	(void)r;
	(*n)++;
	return 0;
}

/* 200k rows: memory stays flat (nothing holds the list), and the figures. */
static void test_big(void)
{
	char p[512], e164[32], fields[160];
	journal *j;
	struct jcounts c;
	uint64_t n = 0;
	long rss0;
	struct timespec t0, t1;
	double secs;

	j = open_dial(path_in(p, sizeof p, "big.db"), J_OPEN_CREATE);
	if (!j)
		return;
	reset_peak();
	rss0 = current_kb();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(journal_load_begin(j), PHN_OK);
	for (uint64_t line = 2; line < 200002; line++) {
		struct jrow r;

		memset(&r, 0, sizeof r);
		snprintf(e164, sizeof e164, "+9665%08" PRIu64, line);
		snprintf(fields, sizeof fields, "{\"firstName\":\"Person %" PRIu64 "\",\"email\":"
			 "\"person%" PRIu64 "@example.com\",\"promptTags\":{\"k\":\"v\"}}", line,
			 line);
		r.line = line;
		r.state = line % 50 ? J_PENDING : J_DUPLICATE;
		r.input = e164 + 4;
		r.e164 = e164;
		r.region = "SA";
		r.type = "mobile";
		r.number_key = line;
		r.zones = "Asia/Riyadh";
		r.fields_json = fields;
		if (journal_load_row(j, &r) != PHN_OK) {
			CHECK_MSG(0, "%s", phn_error_last());
			break;
		}
	}
	CHECK_INT(journal_load_end(j), PHN_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("200000 rows loaded in %.2f s (%.0f rows/s)\n", secs, 200000 / secs);
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.rows, 200000);
	CHECK_INT(c.state[J_DUPLICATE], 4000);
	CHECK_INT(journal_each_row(j, count_cb, &n), PHN_OK);
	CHECK_INT(n, 200000);
	{
		struct jwork w[64];
		size_t got;
		uint64_t after = 0, walked = 0;

		while (journal_ready(j, w, 64, &got, after, now_ms()) == PHN_OK && got) {
			walked += got;
			after = w[got - 1].line;
		}
		CHECK_INT(walked, 196000);
	}
	/* Durable marks and outcomes, 100 rows a transaction, as the dialer
	 * does them: a figure, not an assertion. */
	{
		struct jsend sd[100];
		struct joutcome oc[100];
		char ids[100][40];
		int64_t run;
		uint64_t line = 2, done = 0;

		CHECK_INT(journal_run_begin(j, now_ms(), "live", &run), PHN_OK);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int b = 0; b < 100; b++) {
			size_t k = 0;

			for (; k < 100; line++) {
				if (line % 50 == 0)
					continue; /* the duplicates */
				snprintf(ids[k], sizeof ids[k], "bench-%" PRIu64, line);
				sd[k] = (struct jsend){ line, J_STEP_CALL, ids[k] };
				memset(&oc[k], 0, sizeof oc[k]);
				oc[k].line = line;
				oc[k].dispatch_id = ids[k];
				oc[k].outcome = "accepted";
				oc[k].http_status = 201;
				oc[k].state = J_ACCEPTED;
				oc[k].call_id = ids[k];
				k++;
			}
			if (journal_mark_sending(j, run, sd, k, now_ms()) != PHN_OK ||
			    journal_record(j, oc, k, now_ms()) != PHN_OK) {
				CHECK_MSG(0, "%s", phn_error_last());
				break;
			}
			done += k;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%" PRIu64 " rows marked sending and recorded, 100 a transaction (2 fsyncs): "
		       "%.2f s, %.0f rows/s\n", done, secs, (double)done / secs);
		CHECK_INT(journal_counts(j, &c), PHN_OK);
		CHECK_INT(c.state[J_ACCEPTED], done);
	}
	journal_close(j);
	printf("peak RSS %ld KiB over %ld KiB at the start, for the 200000-row load and walks\n",
	       peak_kb() - rss0, rss0);
	/* SQLite's page cache (2 MiB) and the WAL index, not the list. */
	if (!UNDER_ASAN && rss0 > 0)
		CHECK_MSG(peak_kb() - rss0 < 32 * 1024, "peak RSS grew by %ld KiB",
			  peak_kb() - rss0);
}

static int fail_write(const void *data, size_t len, void *payload)
{
	(void)data;
	(void)len;
	(void)payload;
	return 7;
}

static int count_bytes(const void *data, size_t len, void *payload)
{
	(void)data;
	*(size_t *)payload += len;
	return 0;
}

static int fixture(const char *path);

/* The public report API's edges (the CLI test covers the content). */
static void test_report_api(void)
{
	char p[512];
	phn_campaign_report *r = (phn_campaign_report *)1;
	phn_campaign_summary s;
	uint64_t n, total = 0;
	size_t bytes = 0;

	CHECK_INT(phn_campaign_summary_init(&s, 0), PHN_EVERSION);
	CHECK_INT(phn_campaign_summary_init(&s, PHN_CAMPAIGN_SUMMARY_VERSION + 1), PHN_EVERSION);
	CHECK_INT(phn_campaign_summary_init(&s, 1), PHN_OK);
	CHECK_STR(s.list_name, "");
	CHECK(phn_campaign_state_name(PHN_CAMPAIGN_INVALID) != NULL);
	CHECK(phn_campaign_state_name((phn_campaign_state)10) == NULL);
	CHECK_STR(phn_campaign_state_name(PHN_CAMPAIGN_UNKNOWN), "unknown");
	CHECK_INT(phn_campaign_report_open(&r, path_in(p, sizeof p, "none.db")), PHN_ENOTFOUND);
	CHECK(r == NULL);
	CHECK_INT(phn_campaign_report_open(NULL, p), PHN_EINVAL);
	phn_campaign_report_free(NULL);
	CHECK_INT(fixture(path_in(p, sizeof p, "api.db")), 0);
	CHECK_INT(phn_campaign_report_open(&r, p), PHN_OK);
	if (!r)
		return;
	CHECK_INT(phn_campaign_report_summary(&s, r), PHN_OK);
	CHECK_INT(s.rows, 10);
	CHECK_INT(s.schema_version, 2);
	CHECK_INT(s.loaded, 1);
	CHECK_INT(s.runs, 2);
	CHECK_INT(s.runs_unfinished, 1);
	CHECK_INT(s.attempts, 6);
	CHECK_INT(s.call_attempts, 5);
	CHECK_STR(s.campaign_id, "c0ffee00-0000-4000-8000-000000000001");
	CHECK_INT(s.last_run_started_at, 1796601604000);
	CHECK_INT(s.last_run_ended_at, 0);
	for (int st = 0; phn_campaign_report_count(&n, r, (phn_campaign_state)st) == PHN_OK; st++) {
		CHECK_INT(n, 1);
		total += n;
	}
	CHECK_INT(total, 10);
	CHECK_INT(phn_campaign_report_count(&n, r, (phn_campaign_state)10), PHN_ENOTFOUND);
	CHECK_INT(phn_campaign_report_write(r, (phn_campaign_format)3, count_bytes, &bytes, 0),
		  PHN_EINVAL);
	CHECK_INT(phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_CSV, count_bytes, &bytes, 2),
		  PHN_EINVAL);
	CHECK_INT(phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_CSV, NULL, NULL, 0), PHN_EINVAL);
	CHECK_INT(phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_JSON, fail_write, NULL, 0),
		  PHN_EIO);
	CHECK(strstr(phn_error_last(), "returned 7") != NULL);
	CHECK_INT(phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_CSV, count_bytes, &bytes, 0),
		  PHN_OK);
	CHECK(bytes > 1000);
	phn_campaign_report_free(r);
}

/* ---- the fixture ------------------------------------------------------- */

static int fixture(const char *path)
{
	static const struct {
		const char *input, *e164, *fields;
		jstate state;
		const char *reason;
	} rows[] = {
		{ "0501234567", "+966501234567", "{\"firstName\":\"Ali\",\"email\":\"a@x\"}",
		  J_PENDING, NULL },
		{ "+966 50 123 4568", "+966501234568", "{\"firstName\":\"=HYPERLINK(\\\"x\\\")\"}",
		  J_PENDING, NULL },
		{ "abc, \"quoted\"\nnext line", NULL, NULL, J_INVALID, "not_a_number" },
		{ "0501234567", "+966501234567", NULL, J_DUPLICATE, NULL },
		{ "+1 212 555 0100", "+12125550100", NULL, J_SUPPRESSED, "suppressed" },
		{ "=cmd|' /C calc'!A0", "+966501234569", "{\"lastName\":\"\xd8\xb9\xd9\x84\xd9\x8a\"}",
		  J_PENDING, NULL },
		{ "-5+5", "+966501234570", "{}", J_PENDING, NULL },
		{ "0501234571", "+966501234571", "{\"t\":\"tab\\there\"}", J_PENDING, NULL },
		{ "0501234572", "+966501234572", NULL, J_PENDING, NULL },
		{ "0501234573", "+966501234573", NULL, J_PENDING, NULL },
	};
	journal *j = NULL;
	int64_t run, t = 1796601600000; /* 2026-12-07T00:00:00Z */
	int rc;

	unlink(path);
	if ((rc = journal_open(&j, path, J_OPEN_DIAL | J_OPEN_CREATE)) != PHN_OK)
		goto fail;
	if ((rc = journal_meta_set(j, "list_name", "campaign \"dec\".csv")) != PHN_OK ||
	    (rc = journal_meta_set(j, "list_sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b8"
			                             "22cd15d6c15b0f00a08")) != PHN_OK ||
	    (rc = journal_meta_set(j, "campaign_id", "c0ffee00-0000-4000-8000-000000000001")) !=
		    PHN_OK ||
	    (rc = journal_load_begin(j)) != PHN_OK)
		goto fail;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct jrow r;

		memset(&r, 0, sizeof r);
		r.line = i + 2;
		r.state = rows[i].state;
		r.reason = rows[i].reason;
		r.duplicate_of = rows[i].state == J_DUPLICATE ? 2 : 0;
		r.input = rows[i].input;
		r.e164 = rows[i].e164;
		r.region = rows[i].e164 ? (rows[i].e164[1] == '1' ? "US" : "SA") : NULL;
		r.type = rows[i].e164 ? "mobile" : NULL;
		r.zones = rows[i].e164 ? "Asia/Riyadh" : NULL;
		r.fields_json = rows[i].fields;
		if ((rc = journal_load_row(j, &r)) != PHN_OK)
			goto fail;
	}
	if ((rc = journal_load_end(j)) != PHN_OK || (rc = journal_run_begin(j, t, "live", &run)))
		goto fail;
	{
		struct jsend s[6] = { { 2, J_STEP_CALL, "11111111-0000-4000-8000-000000000002" },
				      { 3, J_STEP_CALL, "11111111-0000-4000-8000-000000000003" },
				      { 7, J_STEP_CALL, "11111111-0000-4000-8000-000000000007" },
				      { 8, J_STEP_CALL, "11111111-0000-4000-8000-000000000008" },
				      { 9, J_STEP_CALL, "11111111-0000-4000-8000-000000000009" },
				      { 10, J_STEP_CONTACT, "11111111-0000-4000-8000-000000000010" } };
		struct joutcome o[5];
		uint64_t wl = 11;
		int64_t wat = t + 3600000;

		if ((rc = journal_mark_sending(j, run, s, 6, t + 1000)) != PHN_OK)
			goto fail;
		memset(o, 0, sizeof o);
		for (int i = 0; i < 5; i++) {
			o[i].line = s[i].line;
			o[i].dispatch_id = s[i].dispatch_id;
			o[i].elapsed_ms = 40 + i;
		}
		o[0].outcome = "accepted", o[0].http_status = 201, o[0].state = J_ACCEPTED;
		o[0].call_id = "call-0002";
		o[1].outcome = "rejected", o[1].http_status = 422, o[1].state = J_REJECTED;
		o[1].detail = "numberToCall: \"invalid\", see\ndocs\x1b[31m";
		o[2].outcome = "ambiguous", o[2].http_status = 502, o[2].state = J_UNKNOWN;
		o[3].outcome = "throttled", o[3].http_status = 429, o[3].state = J_FAILED;
		o[3].retry_after = "120";
		o[4].outcome = "contact_accepted", o[4].http_status = 201, o[4].state = J_PENDING;
		o[4].line = 10, o[4].dispatch_id = s[5].dispatch_id;
		o[4].contact_uuid = "c0c0c0c0-0000-4000-8000-000000000010";
		if ((rc = journal_record(j, o, 5, t + 2000)) != PHN_OK ||
		    (rc = journal_defer(j, &wl, &wat, 1, J_WAITING, t + 2000)) != PHN_OK ||
		    (rc = journal_run_end(j, run, t + 3000, "interrupted")) != PHN_OK ||
		    (rc = journal_run_begin(j, t + 4000, "live", &run)) != PHN_OK)
			goto fail;
	}
	/* Line 2's call result (schema 2), an orphan and refused deliveries. */
	{
		struct jevent e[2];
		phn_receiver_outcome out[2];
		const char *reasons[] = { "bad_signature" };
		uint64_t counts[] = { 3 };

		memset(e, 0, sizeof e);
		e[0].svix_id = "msg_2fixture";
		e[0].type = "phone_call.ended";
		e[0].event_time_ms = t + 90000;
		e[0].received_ms = t + 91000;
		e[0].dispatch_id = "11111111-0000-4000-8000-000000000002";
		e[0].payload = "{\"deliveryStatus\":\"fail\"}";
		e[0].payload_len = strlen(e[0].payload);
		e[0].delivery_status = "fail";
		e[0].provider_status = "pass";
		e[0].duration_s = 42;
		e[0].ended_reason = "customer, \"busy\"";
		e[0].call_output = "=NO_ANSWER";
		e[0].sentiment = "NEUTRAL";
		e[0].provider_call_id = "0b1e7c4e-0d7a-4c1e-9d43-2f1b8c1f2a11";
		e[1] = e[0];
		e[1].svix_id = "msg_orphan";
		e[1].dispatch_id = "not-of-this-journal";
		if ((rc = journal_record_events(j, e, 2, out, reasons, counts, 1, t + 92000)) !=
		    PHN_OK)
			goto fail;
	}
	/* Line 9 stays "sending" (the dialer died with it in flight); line 10
	 * got its contact in the first run. */
	journal_close(j);
	return 0;
fail:
	fprintf(stderr, "fixture: %s\n", phn_error_last());
	journal_close(j);
	return 1;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	if (argc == 3 && strcmp(argv[1], "fixture") == 0)
		return fixture(argv[2]);
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "unit") != 0)) {
		fprintf(stderr, "usage: test_journal [unit] | test_journal fixture FILE\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/phn-journal-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_missing();
	test_lifecycle();
	test_unfinished_load();
	test_lock();
	test_not_journals();
	test_corrupt();
	test_report_api();
	test_big();
	if (check_failures == 0) {
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	} else {
		fprintf(stderr, "files kept in %s\n", dir);
	}
	return check_report();
}
