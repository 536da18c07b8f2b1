/*
 * Call results in the campaign journal (schema 2) against real SQLite files
 * in a temporary directory: a fresh v2 schema, the in-place upgrade of a v1
 * journal written by the release before (data/journal_v1.db, see
 * make_v1_fixture.py), idempotent events, the latest event of an attempt
 * winning in any order of arrival, orphans and other types, a row's result
 * following its latest call attempt, the recovery rules, redial counts, and
 * the receiver (phn_campaign_receiver_*) from 16 threads while a dialer
 * writes the same file.
 *
 * One of the documented exceptions to "tests use the public API"
 * (tests/layers/layers.txt): the journal has no public API of its own.
 *
 *   test_results [unit] DATA_DIR        run the tests
 *   test_results bench [EVENTS [SENDERS [PAUSE_US]]]  group commit
 *                                       throughput, each sender pausing PAUSE_US
 *                                       between an answer and its next event (an
 *                                       HTTP round trip): prints events/s (no
 *                                       assertion on time)
 *   test_results fixture FILE           write a small v2 journal with results,
 *                                       events and refusals (fuzz_journal seeds)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <phonenorm.h>
#include "campaign/journal.h"
#include "campaign/result.h"
#include "check.h"

static char dir[256];
static const char *data_dir = ".";

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

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int copy_file(const char *from, const char *to)
{
	FILE *f = fopen(from, "rb"), *g = f ? fopen(to, "wb") : NULL;
	char buf[8192];
	size_t n;
	int ok = f && g;

	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = fwrite(buf, 1, n, g) == n;
	if (f)
		fclose(f);
	if (g && fclose(g) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* One integer from the file through a connection of the test's own. */
static int64_t sql_int(const char *path, const char *query)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -999;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(db, 10000) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "sql_int %s: %s: %s\n", path, query, db ? sqlite3_errmsg(db) : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *path, const char *text)
{
	sqlite3 *db;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK_MSG(sqlite3_exec(db, text, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Every table's and index's text, sorted, one string. */
static char *schema_text(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0, cap = 1;
	char *out = calloc(1, 1);

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema "
			       "WHERE sql IS NOT NULL ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
		while (out && sqlite3_step(st) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);
			size_t n = strlen(t);

			if (len + n + 2 > cap) {
				char *p = realloc(out, cap = (len + n + 2) * 2);

				if (!p) {
					free(out);
					out = NULL;
					break;
				}
				out = p;
			}
			memcpy(out + len, t, n);
			len += n;
			out[len++] = '\n';
			out[len] = '\0';
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* ---- a small campaign ------------------------------------------------------ */

/* A journal with rows 2..n+1 pending, loaded; the dial lock held. */
static journal *campaign(const char *path, int n, int64_t *run)
{
	journal *j = NULL;
	int rc = journal_open(&j, path, J_OPEN_CREATE | J_OPEN_DIAL);

	CHECK_MSG(rc == PHN_OK, "open %s: %s", path, phn_error_last());
	if (rc != PHN_OK)
		return NULL;
	CHECK_INT(journal_load_begin(j), PHN_OK);
	for (int i = 0; i < n; i++) {
		struct jrow r;
		char e164[32];

		memset(&r, 0, sizeof r);
		r.line = (uint64_t)i + 2;
		snprintf(e164, sizeof e164, "+9665010%05d", i);
		r.input = e164;
		r.e164 = e164;
		r.region = "SA";
		r.state = J_PENDING;
		r.number_key = 5000u + (unsigned)i;
		r.fields_json = "{}";
		CHECK_INT(journal_load_row(j, &r), PHN_OK);
	}
	CHECK_INT(journal_load_end(j), PHN_OK);
	CHECK_INT(journal_run_begin(j, now_ms(), "live", run), PHN_OK);
	return j;
}

static void mark(journal *j, int64_t run, uint64_t line, const char *id, int64_t at)
{
	struct jsend s = { line, J_STEP_CALL, id };
	int rc = journal_mark_sending(j, run, &s, 1, at);

	CHECK_MSG(rc == PHN_OK, "mark %s: %s", id, phn_error_last());
}

static void record(journal *j, uint64_t line, const char *id, const char *outcome, jstate st,
		   int64_t at)
{
	struct joutcome o;
	int rc;

	memset(&o, 0, sizeof o);
	o.line = line;
	o.dispatch_id = id;
	o.outcome = outcome;
	o.http_status = st == J_ACCEPTED ? 201 : 0;
	o.state = st;
	o.call_id = st == J_ACCEPTED ? "call-x" : NULL;
	rc = journal_record(j, &o, 1, at);
	CHECK_MSG(rc == PHN_OK, "record %s: %s", id, phn_error_last());
}

/* A call that the API accepted. */
static void call(journal *j, int64_t run, uint64_t line, const char *id, int64_t at)
{
	mark(j, run, line, id, at);
	record(j, line, id, "accepted", J_ACCEPTED, at + 1);
}

static struct jevent event(const char *svix, const char *dispatch, int64_t t_s,
			   const char *delivery, const char *output)
{
	struct jevent e;

	memset(&e, 0, sizeof e);
	e.svix_id = svix;
	e.type = "phone_call.ended";
	e.event_time_ms = t_s * 1000;
	e.received_ms = now_ms();
	e.dispatch_id = dispatch;
	e.payload = "{}";
	e.payload_len = 2;
	e.delivery_status = delivery;
	e.provider_status = delivery;
	e.ended_reason = "customer-ended-call";
	e.call_output = output;
	e.sentiment = "NEUTRAL";
	e.provider_call_id = "pc-1";
	e.duration_s = 30;
	return e;
}

static phn_receiver_outcome put1(journal *j, struct jevent e)
{
	phn_receiver_outcome o = (phn_receiver_outcome)-1;
	int rc = journal_record_events(j, &e, 1, &o, NULL, NULL, 0, now_ms());

	CHECK_MSG(rc == PHN_OK, "record_events %s: %s", e.svix_id, phn_error_last());
	return o;
}

/* A row's state and result, through journal_each_row. */
struct row {
	uint64_t line;
	int found;
	jstate state;
	unsigned int attempts;
	char result_event[64], delivery[16], output[32], sentiment[16], last_outcome[32];
	int64_t result_at, duration, next_at;
	int has_result;
};

static void cp(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static int row_cb(const struct jreport_row *r, void *payload)
{
	struct row *w = payload;

	if (r->line != w->line)
		return 0;
	w->found = 1;
	w->state = r->state;
	w->attempts = r->attempts;
	w->has_result = r->result_event != NULL;
	cp(w->result_event, sizeof w->result_event, r->result_event);
	cp(w->delivery, sizeof w->delivery, r->delivery_status);
	cp(w->output, sizeof w->output, r->call_output);
	cp(w->sentiment, sizeof w->sentiment, r->sentiment);
	cp(w->last_outcome, sizeof w->last_outcome, r->last_outcome);
	w->result_at = r->result_at;
	w->duration = r->duration;
	w->next_at = r->next_at;
	return 0;
}

static struct row row_of(journal *j, uint64_t line)
{
	struct row w;

	memset(&w, 0, sizeof w);
	w.line = line;
	CHECK_INT(journal_each_row(j, row_cb, &w), PHN_OK);
	CHECK_MSG(w.found, "line %" PRIu64, line);
	return w;
}

/* ---- schema ---------------------------------------------------------------- */

static void test_fresh(void)
{
	char p[512];
	int64_t run;
	journal *j = campaign(path_in(p, sizeof p, "fresh.db"), 3, &run);
	struct jresults res;
	struct row w;
	const char *v = NULL;

	if (!j)
		return;
	CHECK_INT(sql_int(p, "PRAGMA user_version"), 2);
	CHECK_INT(sql_int(p, "PRAGMA application_id"), 0x50484E4A);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM sqlite_schema WHERE name IN ('events', "
			  "'refusals', 'events_dispatch')"), 3);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM pragma_table_info('rows') WHERE name IN "
			  "('result_event', 'result_at', 'delivery_status', 'provider_status', "
			  "'duration', 'ended_reason', 'call_output', 'sentiment', "
			  "'provider_call_id')"), 9);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM pragma_table_info('attempts') WHERE name IN "
			  "('result_event', 'result_at', 'delivery_status', 'provider_status', "
			  "'duration', 'ended_reason', 'call_output', 'sentiment', "
			  "'provider_call_id')"), 9);
	CHECK_INT(journal_meta_get(j, "schema_version", &v), PHN_OK);
	CHECK(v && strcmp(v, "2") == 0);
	CHECK_INT(journal_results(j, &res), PHN_OK);
	CHECK_INT(res.accepted + res.events + res.talk_time_s, 0);
	w = row_of(j, 2);
	CHECK(!w.has_result);
	CHECK_INT(w.duration, -1);
	journal_close(j);

	/* Opens again in every mode, the schema check passing. */
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_OK);
	journal_close(j);
	CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER), PHN_OK);
	journal_close(j);
	CHECK_INT(journal_open(&j, p, J_OPEN_DIAL), PHN_OK);
	journal_close(j);

	/* The receiver never creates, and takes no lock or creation flag. */
	CHECK_INT(journal_open(&j, path_in(p, sizeof p, "nothere.db"), J_OPEN_RECEIVER),
		  PHN_ENOTFOUND);
	CHECK(access(p, F_OK) != 0);
	CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER | J_OPEN_CREATE), PHN_EINVAL);
	CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER | J_OPEN_DIAL), PHN_EINVAL);
	CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER | J_OPEN_READONLY), PHN_EINVAL);

	/* A journal the receiver may not write: refused at open, not on every
	 * event (root writes anything: nothing to see then). */
	path_in(p, sizeof p, "fresh.db");
	if (geteuid() != 0 && chmod(p, 0444) == 0) {
		CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER), PHN_EIO);
		CHECK(strstr(phn_error_last(), "cannot be written") != NULL);
		chmod(p, 0644);
	}
}

static void test_upgrade(void)
{
	char fixture[512], p[512], fresh[512], q[512];
	journal *j = NULL, *d = NULL;
	struct jresults res;
	struct jcounts c;
	struct row w;
	const char *v = NULL;
	char *a, *b;
	int64_t run;

	snprintf(fixture, sizeof fixture, "%s/journal_v1.db", data_dir);
	path_in(p, sizeof p, "v1.db");
	CHECK_MSG(copy_file(fixture, p) == 0, "copy %s", fixture);
	CHECK_INT(sql_int(p, "PRAGMA user_version"), 1);

	/* The report reads v1 as it is: no results, nothing written. */
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_OK);
	if (j) {
		CHECK_INT(journal_results(j, &res), PHN_OK);
		CHECK_INT(res.accepted + res.delivered + res.events + res.orphans, 0);
		CHECK_INT(journal_counts(j, &c), PHN_OK);
		CHECK_INT(c.rows, 8);
		CHECK_INT(c.state[J_ACCEPTED], 4);
		w = row_of(j, 2);
		CHECK_INT(w.state, J_ACCEPTED);
		CHECK(!w.has_result);
		CHECK_INT(w.duration, -1);
		CHECK_INT(journal_redial_count(j, 0, 0, now_ms(), &c.rows, &c.attempts, &run),
			  PHN_OK);
		CHECK_INT(c.rows + c.attempts, 0);
		journal_close(j);
	}
	CHECK_INT(sql_int(p, "PRAGMA user_version"), 1);

	/* A tampered v1 is refused, not upgraded. */
	path_in(q, sizeof q, "v1-tampered.db");
	CHECK(copy_file(fixture, q) == 0);
	sql_exec(q, "CREATE TABLE extra(x)");
	CHECK_INT(journal_open(&j, q, J_OPEN_RECEIVER), PHN_EFORMAT);
	CHECK(strstr(phn_error_last(), "not a phonenorm journal") != NULL);
	CHECK_INT(sql_int(q, "PRAGMA user_version"), 1);
	CHECK(copy_file(fixture, q) == 0);
	sql_exec(q, "ALTER TABLE rows ADD COLUMN result_event TEXT");
	CHECK_INT(journal_open(&j, q, J_OPEN_DIAL), PHN_EFORMAT);
	CHECK_INT(sql_int(q, "PRAGMA user_version"), 1);

	/* The receiver upgrades it in place, its rows and attempts intact. */
	CHECK_INT(journal_open(&j, p, J_OPEN_RECEIVER), PHN_OK);
	CHECK_INT(sql_int(p, "PRAGMA user_version"), 2);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM attempts"), 6);
	if (j) {
		CHECK_INT(journal_meta_get(j, "schema_version", &v), PHN_OK);
		CHECK(v && strcmp(v, "2") == 0);
		CHECK_INT(journal_counts(j, &c), PHN_OK);
		CHECK_INT(c.rows, 8);
		CHECK_INT(c.state[J_UNKNOWN], 1);
		journal_close(j);
	}
	/* Word for word the schema of a fresh journal. */
	j = campaign(path_in(fresh, sizeof fresh, "fresh-cmp.db"), 1, &run);
	journal_close(j);
	a = schema_text(p);
	b = schema_text(fresh);
	CHECK_MSG(a && b && strcmp(a, b) == 0, "upgraded:\n%s\nfresh:\n%s", a, b);
	free(a);
	free(b);

	/* A dialer opens the upgraded file; its events apply to the old attempts. */
	CHECK_INT(journal_open(&d, p, J_OPEN_DIAL), PHN_OK);
	if (d) {
		char id[64] = "";
		int64_t v64;
		sqlite3 *db;
		sqlite3_stmt *st;

		/* The dispatch id of the unknown row (line 5) and of line 2. */
		if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "SELECT dispatch_id FROM attempts WHERE line = 5", -1,
				       &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				cp(id, sizeof id, (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
		CHECK(id[0]);
		CHECK_INT(put1(d, event("msg_v1_a", id, 1000, "pass", "PAID")),
			  PHN_RECEIVER_APPLIED);
		w = row_of(d, 5);
		CHECK_INT(w.state, J_ACCEPTED); /* unknown + a result: the call went out */
		CHECK_STR(w.output, "PAID");
		v64 = sql_int(p, "SELECT line FROM events WHERE svix_id = 'msg_v1_a'");
		CHECK_INT(v64, 5);
		journal_close(d);
	}
	/* A v2 with an extra table is refused too. */
	sql_exec(p, "CREATE TABLE extra(x)");
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_EFORMAT);
}

/* ---- event semantics --------------------------------------------------------- */

static void test_events(void)
{
	char p[512];
	int64_t run, t0 = now_ms();
	journal *j = campaign(path_in(p, sizeof p, "events.db"), 6, &run);
	struct jresults res;
	struct row w;
	phn_receiver_outcome o[4];
	struct jevent batch[4];

	if (!j)
		return;
	call(j, run, 2, "d-2", t0);
	call(j, run, 3, "d-3", t0);
	call(j, run, 4, "d-4", t0);

	/* Idempotent: a redelivery changes nothing, even with other content. */
	CHECK_INT(put1(j, event("msg_a", "d-2", 100, "pass", "PAID")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("msg_a", "d-2", 500, "fail", "NO")), PHN_RECEIVER_DUPLICATE);
	w = row_of(j, 2);
	CHECK_STR(w.delivery, "pass");
	CHECK_STR(w.output, "PAID");
	CHECK_STR(w.result_event, "msg_a");
	CHECK_INT(w.result_at, 100000);
	CHECK_INT(w.duration, 30);
	CHECK_INT(sql_int(p, "SELECT event_time FROM events WHERE svix_id = 'msg_a'"), 100000);

	/* Latest wins, whatever the order: row 3 gets the late one first. */
	CHECK_INT(put1(j, event("msg_b2", "d-3", 300, "fail", "LATE")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("msg_b1", "d-3", 200, "pass", "EARLY")), PHN_RECEIVER_SUPERSEDED);
	w = row_of(j, 3);
	CHECK_STR(w.output, "LATE");
	CHECK_STR(w.result_event, "msg_b2");
	/* ... and row 4 in order. */
	CHECK_INT(put1(j, event("msg_c1", "d-4", 200, "pass", "EARLY")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("msg_c2", "d-4", 300, "fail", "LATE")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 4);
	CHECK_STR(w.output, "LATE");
	/* A tie in time: the greater svix-id. */
	CHECK_INT(put1(j, event("msg_c0", "d-4", 300, "pass", "TIE-LOW")), PHN_RECEIVER_SUPERSEDED);
	CHECK_INT(put1(j, event("msg_c9", "d-4", 300, "pass", "TIE-HIGH")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 4);
	CHECK_STR(w.output, "TIE-HIGH");
	CHECK_STR(w.delivery, "pass");

	/* Orphans: an unknown dispatch id, none at all; kept, line NULL. */
	CHECK_INT(put1(j, event("msg_o1", "not-ours", 100, "pass", "X")), PHN_RECEIVER_ORPHAN);
	CHECK_INT(put1(j, event("msg_o2", NULL, 100, "pass", "X")), PHN_RECEIVER_ORPHAN);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM events WHERE line IS NULL"), 2);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM events WHERE dispatch_id = 'not-ours'"), 1);
	{
		struct jevent e = event("msg_t1", "d-2", 900, "fail", "STARTED");

		e.type = "phone_call.started";
		CHECK_INT(put1(j, e), PHN_RECEIVER_OTHER_TYPE);
		e.svix_id = "msg_t2";
		e.type = "unknown";
		CHECK_INT(put1(j, e), PHN_RECEIVER_OTHER_TYPE);
	}
	w = row_of(j, 2);
	CHECK_STR(w.output, "PAID"); /* other types never apply */

	/* One batch: a duplicate inside it, and the refusal counts. */
	batch[0] = event("msg_d1", "d-2", 50, "pass", "B");
	batch[1] = event("msg_d1", "d-2", 60, "pass", "B");
	batch[2] = event("msg_a", "d-2", 60, "pass", "B");
	batch[3] = event("msg_d2", "nope", 60, "pass", "B");
	{
		const char *reasons[] = { "bad_signature", "stale" };
		uint64_t counts[] = { 3, 1 };

		CHECK_INT(journal_record_events(j, batch, 4, o, reasons, counts, 2, 1234),
			  PHN_OK);
		CHECK_INT(o[0], PHN_RECEIVER_SUPERSEDED);
		CHECK_INT(o[1], PHN_RECEIVER_DUPLICATE);
		CHECK_INT(o[2], PHN_RECEIVER_DUPLICATE);
		CHECK_INT(o[3], PHN_RECEIVER_ORPHAN);
		counts[0] = 2;
		CHECK_INT(journal_record_events(j, NULL, 0, NULL, reasons, counts, 1, 5678), PHN_OK);
	}
	CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'bad_signature'"), 5);
	CHECK_INT(sql_int(p, "SELECT last_at FROM refusals WHERE reason = 'bad_signature'"), 5678);
	CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'stale'"), 1);

	CHECK_INT(journal_results(j, &res), PHN_OK);
	CHECK_INT(res.accepted, 3);
	CHECK_INT(res.delivered, 2);     /* rows 2 and 4 */
	CHECK_INT(res.not_delivered, 1); /* row 3 */
	CHECK_INT(res.awaiting, 0);
	CHECK_INT(res.events, 13);
	CHECK_INT(res.orphans, 3);
	CHECK_INT(res.other_types, 2);
	CHECK_INT(res.talk_time_s, 90); /* the winner of each of 3 attempts */

	/* Bad arguments. */
	{
		struct jevent e = event("", "d-2", 1, "pass", "X");

		CHECK_INT(journal_record_events(j, &e, 1, o, NULL, NULL, 0, 0), PHN_EINVAL);
		e.svix_id = "x";
		e.type = NULL;
		CHECK_INT(journal_record_events(j, &e, 1, o, NULL, NULL, 0, 0), PHN_EINVAL);
	}
	journal_close(j);
}

struct hist {
	char text[256];
};

static int hist_cb(const char *value, uint64_t n, void *payload)
{
	struct hist *h = payload;
	size_t len = strlen(h->text);

	snprintf(h->text + len, sizeof h->text - len, "%s=%" PRIu64 " ", value, n);
	return 0;
}

static int refusal_cb(const char *reason, uint64_t n, int64_t last_at, void *payload)
{
	struct hist *h = payload;
	size_t len = strlen(h->text);

	snprintf(h->text + len, sizeof h->text - len, "%s=%" PRIu64 "@%" PRId64 " ", reason, n,
		 last_at);
	return 0;
}

/* The row follows its latest call attempt; redial counts. */
static void test_attempts(void)
{
	char p[512];
	int64_t run, t0 = now_ms(), next = -5;
	journal *j = campaign(path_in(p, sizeof p, "attempts.db"), 6, &run);
	struct row w;
	uint64_t due = 9, later = 9, n = 9;
	struct hist h;

	if (!j)
		return;
	call(j, run, 2, "a2-1", t0);
	call(j, run, 3, "a3-1", t0);
	call(j, run, 4, "a4-1", t0);
	CHECK_INT(put1(j, event("e2-1", "a2-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("e3-1", "a3-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("e4-1", "a4-1", 1000, "pass", "PAID")), PHN_RECEIVER_APPLIED);

	memset(&h, 0, sizeof h);
	CHECK_INT(journal_each_histogram(j, "call_output", hist_cb, &h), PHN_OK);
	CHECK_STR(h.text, "NO_ANSWER=2 PAID=1 ");
	memset(&h, 0, sizeof h);
	CHECK_INT(journal_each_histogram(j, "sentiment", hist_cb, &h), PHN_OK);
	CHECK_STR(h.text, "NEUTRAL=3 ");
	CHECK_INT(journal_each_histogram(j, "summary", hist_cb, &h), PHN_EINVAL);

	/* Redial: 2 undelivered; a gap of 1 h after 1000 s. */
	CHECK_INT(journal_redial_count(j, 0, 3600000, 1000000 + 3599999, &due, &later, &next),
		  PHN_OK);
	CHECK_INT(due, 0);
	CHECK_INT(later, 2);
	CHECK_INT(next, 1000000 + 3600000);
	CHECK_INT(journal_redial_count(j, 0, 3600000, 1000000 + 3600000, &due, &later, &next),
		  PHN_OK);
	CHECK_INT(due, 2);
	CHECK_INT(later, 0);
	CHECK_INT(next, 0);
	/* max attempts 1: each has had its one call. */
	CHECK_INT(journal_redial_count(j, 1, 0, t0, &due, &later, &next), PHN_OK);
	CHECK_INT(due + later, 0);
	CHECK_INT(journal_redial_count(j, 0, -1, t0, &due, &later, &next), PHN_EINVAL);
	CHECK_INT(journal_requeue_undelivered(j, 0, 3600000, 1000000, &n), PHN_OK);
	CHECK_INT(n, 0);
	CHECK_INT(journal_requeue_undelivered(j, 2, 0, t0, &n), PHN_OK);
	CHECK_INT(n, 2);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_PENDING);
	CHECK_INT(w.next_at, 0);
	CHECK_STR(w.delivery, "fail"); /* until its next call is marked */
	CHECK_INT(journal_redial_count(j, 0, 0, t0, &due, &later, &next), PHN_OK);
	CHECK_INT(due + later, 0);

	/* The second call of row 2: its result columns clear. */
	mark(j, run, 2, "a2-2", t0 + 10);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_SENDING);
	CHECK(!w.has_result);
	CHECK_INT(w.attempts, 2);
	/* A late event of the first call: its attempt, not the row. */
	CHECK_INT(put1(j, event("e2-1b", "a2-1", 2000, "pass", "LATE_FIRST")),
		  PHN_RECEIVER_APPLIED);
	w = row_of(j, 2);
	CHECK(!w.has_result);
	CHECK_INT(sql_int(p, "SELECT result_at FROM attempts WHERE dispatch_id = 'a2-1'"),
		  2000000);
	/* The second call's event comes before the dialer records its 201. */
	CHECK_INT(put1(j, event("e2-2", "a2-2", 1500, "pass", "SECOND")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_SENDING);
	CHECK_STR(w.output, "SECOND");
	record(j, 2, "a2-2", "accepted", J_ACCEPTED, t0 + 20);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_ACCEPTED);
	CHECK_STR(w.output, "SECOND"); /* the dialer's record keeps it */
	CHECK_STR(w.result_event, "e2-2");

	/* Row 3's second call is marked with an earlier clock (stepped back
	 * between runs): it is still the row's latest call. */
	mark(j, run, 3, "a3-2", t0 - 3600000);
	record(j, 3, "a3-2", "accepted", J_ACCEPTED, t0 - 3600000 + 1);
	CHECK_INT(put1(j, event("e3-2", "a3-2", 900, "pass", "AFTER_STEP_BACK")),
		  PHN_RECEIVER_APPLIED);
	w = row_of(j, 3);
	CHECK_STR(w.output, "AFTER_STEP_BACK");
	CHECK_STR(w.result_event, "e3-2");
	CHECK_INT(put1(j, event("e3-1b", "a3-1", 5000, "pass", "OLD_CALL_LATE")),
		  PHN_RECEIVER_APPLIED);
	CHECK_STR(row_of(j, 3).output, "AFTER_STEP_BACK");

	/* A non-call step does not clear the results of the call before it. */
	{
		struct jsend s = { 4, J_STEP_CONTACT, "a4-contact" };

		CHECK_INT(journal_requeue_for_run(j, 0, &n), PHN_OK);
		CHECK_INT(sql_int(p, "UPDATE rows SET state = 'pending' WHERE line = 4 "
				  "RETURNING line"), 4);
		CHECK_INT(journal_mark_sending(j, run, &s, 1, t0 + 30), PHN_OK);
		w = row_of(j, 4);
		CHECK_STR(w.output, "PAID");
		record(j, 4, "a4-contact", "accepted", J_ACCEPTED, t0 + 31);
	}

	/* Refusals, by reason. */
	{
		const char *reasons[] = { "stale", "bad_signature" };
		uint64_t counts[] = { 2, 7 };

		CHECK_INT(journal_record_events(j, NULL, 0, NULL, reasons, counts, 2, 4242),
			  PHN_OK);
		memset(&h, 0, sizeof h);
		CHECK_INT(journal_each_refusal(j, refusal_cb, &h), PHN_OK);
		CHECK_STR(h.text, "bad_signature=7@4242 stale=2@4242 ");
	}
	journal_close(j);
}

/* A row's reason column, "" for NULL. */
static void reason_of(char *buf, size_t cap, const char *path, uint64_t line)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT coalesce(reason, '') FROM rows WHERE line = ?1", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)line);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A row requeued for a redial whose old call turns out delivered (a later
 * "pass" for it) is accepted again and not called; a later "fail" keeps it
 * pending; requeue_for_run keeps the mark; the row's next call drops it. */
static void test_redial_settle(void)
{
	char p[512], why[32];
	int64_t run, t0 = now_ms(), due_next = 0;
	journal *j = campaign(path_in(p, sizeof p, "redial_settle.db"), 6, &run);
	uint64_t n = 0, due = 9, later = 9;
	struct row w;

	if (!j)
		return;
	call(j, run, 2, "s2-1", t0);
	call(j, run, 3, "s3-1", t0);
	call(j, run, 4, "s4-1", t0);
	call(j, run, 5, "s5-1", t0);
	CHECK_INT(put1(j, event("f2", "s2-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("f3", "s3-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("f4", "s4-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(j, event("f5", "s5-1", 1000, "fail", "NO_ANSWER")), PHN_RECEIVER_APPLIED);
	CHECK_INT(journal_requeue_undelivered(j, 0, 0, t0, &n), PHN_OK);
	CHECK_INT(n, 4);
	reason_of(why, sizeof why, p, 2);
	CHECK_STR(why, "redial");

	/* Row 2: a later "pass" of the old call: reached after all. */
	CHECK_INT(put1(j, event("p2", "s2-1", 2000, "pass", "PAID")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_ACCEPTED);
	CHECK_INT(w.next_at, 0);
	CHECK_STR(w.delivery, "pass");
	CHECK_STR(w.output, "PAID");
	reason_of(why, sizeof why, p, 2);
	CHECK_STR(why, "");
	/* Row 3: a later "fail": still pending for its redial. */
	CHECK_INT(put1(j, event("f3b", "s3-1", 2000, "fail", "BUSY")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 3);
	CHECK_INT(w.state, J_PENDING);
	CHECK_STR(w.output, "BUSY");
	reason_of(why, sizeof why, p, 3);
	CHECK_STR(why, "redial");
	/* Row 4: an older "pass" loses to the "fail" in force: still pending. */
	CHECK_INT(put1(j, event("p4", "s4-1", 500, "pass", "OLD")), PHN_RECEIVER_SUPERSEDED);
	CHECK_INT(row_of(j, 4).state, J_PENDING);

	/* The next run's requeue_for_run keeps the mark (row 5). */
	CHECK_INT(journal_requeue_for_run(j, 0, &n), PHN_OK);
	CHECK_INT(row_of(j, 5).state, J_PENDING);
	reason_of(why, sizeof why, p, 5);
	CHECK_STR(why, "redial");
	/* ... and one with --max-attempts 1 makes it failed, mark kept: a
	 * "pass" of its old call still makes it accepted. */
	CHECK_INT(journal_requeue_for_run(j, 1, &n), PHN_OK);
	CHECK_INT(row_of(j, 5).state, J_FAILED);
	reason_of(why, sizeof why, p, 5);
	CHECK_STR(why, "redial");
	CHECK_INT(put1(j, event("p5", "s5-1", 2000, "pass", "PAID")), PHN_RECEIVER_APPLIED);
	CHECK_INT(row_of(j, 5).state, J_ACCEPTED);
	CHECK_INT(journal_requeue_for_run(j, 0, &n), PHN_OK);

	/* Row 3 is called again: the mark goes with the new call, and the old
	 * call's late "pass" no longer touches the row. */
	CHECK_INT(row_of(j, 3).state, J_PENDING);
	mark(j, run, 3, "s3-2", t0 + 10);
	reason_of(why, sizeof why, p, 3);
	CHECK_STR(why, "");
	CHECK_INT(put1(j, event("p3", "s3-1", 3000, "pass", "LATE")), PHN_RECEIVER_APPLIED);
	w = row_of(j, 3);
	CHECK_INT(w.state, J_SENDING);
	CHECK(!w.has_result);
	record(j, 3, "s3-2", "accepted", J_ACCEPTED, t0 + 11);
	CHECK_INT(row_of(j, 3).state, J_ACCEPTED);

	/* Unknown + event is still accepted (row 6). */
	mark(j, run, 6, "s6-1", t0);
	record(j, 6, "s6-1", "ambiguous", J_UNKNOWN, t0 + 1);
	CHECK_INT(put1(j, event("f6", "s6-1", 1000, "fail", "NO")), PHN_RECEIVER_APPLIED);
	CHECK_INT(row_of(j, 6).state, J_ACCEPTED);

	/* Only row 4 (pending) and row 6 (accepted, fail) are left to redial. */
	CHECK_INT(row_of(j, 4).state, J_PENDING);
	CHECK_INT(journal_redial_count(j, 0, 0, t0, &due, &later, &due_next), PHN_OK);
	CHECK_INT(due, 1);
	CHECK_INT(later, 0);
	journal_close(j);
}

/* The plan's reads under journal_read_begin/end see one snapshot while the
 * receiver (another connection) commits results: counts, redial count and
 * the rows agree, so the dry run never finds more due rows than accepted
 * ones, nor a different number than it counted. */
struct snap_walk {
	uint64_t accepted_fail, unknown;
};

static int snap_cb(const struct jreport_row *r, void *payload)
{
	struct snap_walk *w = payload;

	if (r->state == J_ACCEPTED && r->delivery_status && strcmp(r->delivery_status, "fail") == 0)
		w->accepted_fail++;
	if (r->state == J_UNKNOWN)
		w->unknown++;
	return 0;
}

static void test_read_snapshot(void)
{
	char p[512];
	int64_t run, t0 = now_ms(), next = 0;
	journal *j = campaign(path_in(p, sizeof p, "snapshot.db"), 4, &run), *r = NULL;
	struct jcounts c;
	struct snap_walk sw;
	uint64_t due = 9, later = 9, n = 0;

	if (!j)
		return;
	call(j, run, 2, "n2", t0);
	call(j, run, 3, "n3", t0);
	mark(j, run, 4, "n4", t0);
	record(j, 4, "n4", "ambiguous", J_UNKNOWN, t0 + 1);
	CHECK_INT(put1(j, event("g2", "n2", 1000, "fail", "NO")), PHN_RECEIVER_APPLIED);
	CHECK_INT(journal_open(&r, p, J_OPEN_RECEIVER), PHN_OK);
	if (!r) {
		journal_close(j);
		return;
	}

	CHECK_INT(journal_read_begin(j), PHN_OK);
	CHECK_INT(journal_read_begin(j), PHN_OK); /* nests */
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.state[J_ACCEPTED], 2);
	CHECK_INT(c.state[J_UNKNOWN], 1);
	/* The receiver commits: row 4 (unknown) becomes accepted with "fail",
	 * row 3 gets "fail": three due rows now, only one in the snapshot. */
	CHECK_INT(put1(r, event("g4", "n4", 1000, "fail", "NO")), PHN_RECEIVER_APPLIED);
	CHECK_INT(put1(r, event("g3", "n3", 1000, "fail", "NO")), PHN_RECEIVER_APPLIED);
	journal_read_end(j); /* the inner one: still the same snapshot */
	CHECK_INT(journal_redial_count(j, 0, 0, t0, &due, &later, &next), PHN_OK);
	CHECK_INT(due, 1);
	CHECK(due <= c.state[J_ACCEPTED]);
	memset(&sw, 0, sizeof sw);
	CHECK_INT(journal_each_row(j, snap_cb, &sw), PHN_OK);
	CHECK_INT(sw.accepted_fail, 1);
	CHECK_INT(sw.unknown, 1);
	/* No writes on the handle inside a read. */
	CHECK_INT(journal_requeue_undelivered(j, 0, 0, t0, &n), PHN_EINVAL);
	journal_read_end(j);
	journal_read_end(j); /* unbalanced: nothing */

	/* After it: the receiver's commits. */
	CHECK_INT(journal_redial_count(j, 0, 0, t0, &due, &later, &next), PHN_OK);
	CHECK_INT(due, 3);
	CHECK_INT(journal_counts(j, &c), PHN_OK);
	CHECK_INT(c.state[J_ACCEPTED], 3);
	CHECK_INT(journal_requeue_undelivered(j, 0, 0, t0, &n), PHN_OK);
	CHECK_INT(n, 3);
	journal_close(r);
	journal_close(j);
}

/* The dry-run plan (phn_dialer_plan) of `dial --redial undelivered
 * --redial-after 0` over and over while a receiver connection commits a
 * "fail" result per row, one transaction each: unknown rows become accepted
 * and due, accepted ones become due. Every plan must succeed (no "N rows to
 * redial counted, M found") and never count more done rows than rows (no
 * wrapped "accepted"). */
#define PLAN_ROWS 400
#define PLAN_NOW INT64_C(1796630400000) /* 2026-12-07 08:00 UTC, SA's window open */

struct plan_writer {
	const char *path;
	int failures;
};

static void *plan_writer_main(void *arg)
{
	struct plan_writer *pw = arg;
	journal *r = NULL;

	if (journal_open(&r, pw->path, J_OPEN_RECEIVER) != PHN_OK) {
		pw->failures++;
		return NULL;
	}
	for (int i = 0; i < PLAN_ROWS; i++) {
		char svix[32], id[32];
		struct jevent e;
		phn_receiver_outcome o;

		snprintf(svix, sizeof svix, "pf-%d", i);
		snprintf(id, sizeof id, "pd-%d", i);
		e = event(svix, id, 1000, "fail", "NO_ANSWER");
		if (journal_record_events(r, &e, 1, &o, NULL, NULL, 0, now_ms()) != PHN_OK ||
		    o != PHN_RECEIVER_APPLIED)
			pw->failures++;
	}
	journal_close(r);
	return NULL;
}

static void test_plan_concurrent(void)
{
	char list[512], db[512];
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dialer *dl = NULL;
	journal *j = NULL;
	struct plan_writer pw;
	pthread_t th;
	int64_t run;
	int plans = 0, bad = 0;
	FILE *f;

	path_in(list, sizeof list, "plan_list.csv");
	path_in(db, sizeof db, "plan.db");
	if (!(f = fopen(list, "w"))) {
		CHECK(0);
		return;
	}
	fputs("name,phone\n", f);
	for (int i = 0; i < PLAN_ROWS; i++)
		fprintf(f, "P%d,+96650123%04d\n", i, i);
	CHECK(fclose(f) == 0);

	phn_dial_options_init(&o, PHN_DIAL_OPTIONS_VERSION);
	phn_dispatch_options_init(&d, PHN_DISPATCH_OPTIONS_VERSION);
	d.base_url = "http://127.0.0.1:9";
	d.token = "test-token";
	o.list_path = list;
	o.first_name_column = "name";
	o.dispatch = &d;
	o.rate = 0;
	o.concurrency = 4;
	o.test_now_ms = PLAN_NOW;
	/* A live open loads the list into the journal; nothing is sent. */
	CHECK_MSG(phn_dialer_open(&dl, db, &o) == PHN_OK, "%s", phn_error_last());
	phn_dialer_free(dl);
	dl = NULL;

	/* Every row called: even lines accepted with no result yet, odd ones
	 * unknown (their result makes them accepted). */
	CHECK_INT(journal_open(&j, db, J_OPEN_DIAL), PHN_OK);
	if (!j)
		return;
	CHECK_INT(journal_run_begin(j, PLAN_NOW, "live", &run), PHN_OK);
	for (int i = 0; i < PLAN_ROWS; i++) {
		char id[32];
		uint64_t line = (uint64_t)i + 2;

		snprintf(id, sizeof id, "pd-%d", i);
		mark(j, run, line, id, PLAN_NOW);
		if (i % 2)
			record(j, line, id, "ambiguous", J_UNKNOWN, PLAN_NOW + 1);
		else
			record(j, line, id, "accepted", J_ACCEPTED, PLAN_NOW + 1);
	}
	journal_close(j);

	o.flags = PHN_DIAL_DRY_RUN;
	o.redial_flags = PHN_DIAL_REDIAL_UNDELIVERED;
	o.redial_after_ms = 0;
	CHECK_MSG(phn_dialer_open(&dl, db, &o) == PHN_OK, "%s", phn_error_last());
	if (!dl)
		return;
	memset(&pw, 0, sizeof pw);
	pw.path = db;
	CHECK(pthread_create(&th, NULL, plan_writer_main, &pw) == 0);
	for (int k = 0; k < 2000; k++) {
		phn_dial_plan *plan = NULL;
		uint64_t rows = 0, to_call = 0, done = 0, skipped = 0, due = 0, later = 0;
		int64_t next = 0;
		int rc = phn_dialer_plan(&plan, dl);

		if (rc != PHN_OK) {
			if (bad++ < 3)
				fprintf(stderr, "plan %d: %s\n", k, phn_error_last());
		} else {
			phn_dial_plan_counts(&rows, &to_call, &done, &skipped, NULL, plan);
			phn_dial_plan_redial(&due, &later, &next, plan);
			if (rows != PLAN_ROWS || done > rows || due > rows || to_call != due ||
			    done + to_call + skipped != rows) {
				if (bad++ < 3)
					fprintf(stderr, "plan %d: rows %" PRIu64 " done %" PRIu64
						" to_call %" PRIu64 " skipped %" PRIu64 " due %"
						PRIu64 "\n", k, rows, done, to_call, skipped, due);
			}
		}
		phn_dial_plan_free(plan);
		plans++;
		if (k >= 20 && sql_int(db, "SELECT count(*) FROM events") == PLAN_ROWS)
			break;
	}
	pthread_join(th, NULL);
	CHECK_INT(pw.failures, 0);
	CHECK_INT(bad, 0);
	CHECK(plans > 0);
	/* At the end: every row due. */
	{
		phn_dial_plan *plan = NULL;
		uint64_t due = 0, done = 9;

		CHECK_INT(phn_dialer_plan(&plan, dl), PHN_OK);
		phn_dial_plan_redial(&due, NULL, NULL, plan);
		phn_dial_plan_counts(NULL, NULL, &done, NULL, NULL, plan);
		CHECK_INT(due, PLAN_ROWS);
		CHECK_INT(done, 0);
		phn_dial_plan_free(plan);
	}
	phn_dialer_free(dl);
}

/* Recovery and the dialer's unknown outcomes against results. */
static void test_recovery(void)
{
	char p[512];
	int64_t run, t0 = now_ms();
	journal *j = campaign(path_in(p, sizeof p, "recover.db"), 6, &run);
	uint64_t n = 0;
	struct row w;

	if (!j)
		return;
	/* Rows 2 and 3 sending (a crash); row 2's event arrived. */
	mark(j, run, 2, "r2", t0);
	mark(j, run, 3, "r3", t0);
	CHECK_INT(put1(j, event("er2", "r2", 100, "pass", "OK")), PHN_RECEIVER_APPLIED);
	/* Row 4: sent, outcome unknown, then its event. */
	mark(j, run, 4, "r4", t0);
	record(j, 4, "r4", "ambiguous", J_UNKNOWN, t0 + 1);
	CHECK_INT(row_of(j, 4).state, J_UNKNOWN);
	CHECK_INT(put1(j, event("er4", "r4", 100, "fail", "NO")), PHN_RECEIVER_APPLIED);
	CHECK_INT(row_of(j, 4).state, J_ACCEPTED);
	/* Row 5: the event first, then the dialer records "unknown": accepted. */
	mark(j, run, 5, "r5", t0);
	CHECK_INT(put1(j, event("er5", "r5", 100, "pass", "OK")), PHN_RECEIVER_APPLIED);
	record(j, 5, "r5", "ambiguous", J_UNKNOWN, t0 + 1);
	CHECK_INT(row_of(j, 5).state, J_ACCEPTED);
	/* Row 6: unknown, requeued by --retry-unknown, then the old call's event. */
	mark(j, run, 6, "r6", t0);
	record(j, 6, "r6", "ambiguous", J_UNKNOWN, t0 + 1);
	CHECK_INT(journal_requeue_unknown(j, 0, &n), PHN_OK);
	CHECK_INT(row_of(j, 6).state, J_PENDING);
	CHECK_INT(put1(j, event("er6", "r6", 100, "pass", "OK")), PHN_RECEIVER_APPLIED);
	CHECK_INT(row_of(j, 6).state, J_ACCEPTED); /* never called twice for it */
	CHECK_INT(sql_int(p, "SELECT reason IS NULL FROM rows WHERE line = 6"), 1);
	journal_close(j);

	/* The next dialer recovers: row 2 accepted, row 3 unknown. */
	CHECK_INT(journal_open(&j, p, J_OPEN_DIAL), PHN_OK);
	if (!j)
		return;
	CHECK_INT(journal_recover(j, t0 + 5, &n), PHN_OK);
	CHECK_INT(n, 2);
	w = row_of(j, 2);
	CHECK_INT(w.state, J_ACCEPTED);
	CHECK_STR(w.output, "OK");
	CHECK_STR(w.last_outcome, "interrupted");
	CHECK_INT(row_of(j, 3).state, J_UNKNOWN);
	journal_close(j);
}

/* ---- result_parse ---------------------------------------------------------- */

static void test_parse(void)
{
	struct jevent e;
	char *buf = NULL;
	const char *ended =
		"{\"providerCallId\":\"c9\",\"numberTo\":\"+966501234567\",\"providerStatus\":"
		"\"pass\",\"deliveryStatus\":\"fail\",\"duration\":42,\"summary\":null,"
		"\"endedReason\":null,\"callOutput\":\"CALL_RESULT\",\"sentimentOutput\":"
		"\"NEGATIVE\",\"metadata\":{\"requestMetadata\":{\"phonenorm_dispatch_id\":"
		"\"d-1\",\"k\":\"v\"}},\"future\":[1,2,3]}";

	memset(&e, 0, sizeof e);
	CHECK_INT(result_parse(&e, &buf, ended, strlen(ended)), PHN_OK);
	CHECK_STR(e.type, "phone_call.ended");
	CHECK_STR(e.dispatch_id ? e.dispatch_id : "(null)", "d-1");
	CHECK_STR(e.delivery_status ? e.delivery_status : "(null)", "fail");
	CHECK_STR(e.provider_status ? e.provider_status : "(null)", "pass");
	CHECK_STR(e.call_output ? e.call_output : "(null)", "CALL_RESULT");
	CHECK_STR(e.sentiment ? e.sentiment : "(null)", "NEGATIVE");
	CHECK_STR(e.provider_call_id ? e.provider_call_id : "(null)", "c9");
	CHECK(e.ended_reason == NULL); /* null is absent */
	CHECK_INT(e.duration_s, 42);
	CHECK(e.payload == ended);
	free(buf);

	/* A typed envelope: fields from "data". */
	{
		const char *s = "{\"type\":\"phone_call.started\",\"data\":{\"callOutput\":\"X\","
				"\"metadata\":{\"requestMetadata\":{\"phonenorm_dispatch_id\":\"d-2\"}}},"
				"\"callOutput\":\"TOP\"}";

		CHECK_INT(result_parse(&e, &buf, s, strlen(s)), PHN_OK);
		CHECK_STR(e.type, "phone_call.started");
		CHECK_STR(e.call_output ? e.call_output : "(null)", "X");
		CHECK_STR(e.dispatch_id ? e.dispatch_id : "(null)", "d-2");
		free(buf);
	}
	/* Wrong types are absent; no type and no result fields: unknown. */
	{
		const char *s = " {\"type\":7,\"duration\":\"12\",\"callOutput\":[],\"metadata\":"
				"{\"requestMetadata\":{\"phonenorm_dispatch_id\":5}}}\n";

		CHECK_INT(result_parse(&e, &buf, s, strlen(s)), PHN_OK);
		CHECK_STR(e.type, "unknown");
		CHECK(e.call_output == NULL && e.dispatch_id == NULL);
		CHECK_INT(e.duration_s, -1);
		free(buf);
	}
	{
		const char *s = "{\"providerCallId\":null,\"duration\":-3}";

		CHECK_INT(result_parse(&e, &buf, s, strlen(s)), PHN_OK);
		CHECK_STR(e.type, "phone_call.ended");
		CHECK(e.provider_call_id == NULL);
		CHECK_INT(e.duration_s, -1);
		free(buf);
	}
	/* Not one JSON object. */
	{
		static const char *const bad[] = { "", "[]", "\"x\"", "{", "{} {}", "{}x", "nul",
						   "{\"a\":1,}" };

		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			buf = (char *)1;
			CHECK_MSG(result_parse(&e, &buf, bad[i], strlen(bad[i])) == PHN_EINVAL,
				  "'%s'", bad[i]);
			CHECK(buf == NULL);
		}
		CHECK_INT(result_parse(&e, &buf, "{}\0{}", 5), PHN_EINVAL);
		CHECK_INT(result_parse(&e, &buf, "{}", 2), PHN_OK);
		free(buf);
	}
}

/* ---- the receiver ------------------------------------------------------------ */

#define THREADS 16
#define PER_THREAD 150
#define CALLS 200

struct sender {
	phn_campaign_receiver *rc;
	int index;
	int per;
	int all_new;    /* every delivery a new event (the benchmark) */
	int pause_us;   /* between an answer and the next event (an HTTP round trip) */
	int failures;
	int applied;
	int duplicates;
	char error[256];
};

static void body_for(char *buf, size_t cap, const char *dispatch, const char *delivery)
{
	snprintf(buf, cap, "{\"providerCallId\":\"11111111-2222-3333-4444-555555555555\","
		 "\"numberFrom\":\"+15550000000\",\"numberTo\":\"+966501000000\","
		 "\"providerStatus\":\"pass\",\"deliveryStatus\":\"%s\",\"duration\":17,"
		 "\"summary\":\"A short talk.\",\"endedReason\":\"customer-ended-call\","
		 "\"callOutput\":\"CALL_RESULT\",\"callOutputReasoning\":\"because\","
		 "\"sentimentOutput\":\"NEUTRAL\",\"sentimentOutputReasoning\":\"calm\","
		 "\"transcription\":\"AI: Hello. User: Hi.\",\"recordingUrl\":"
		 "\"https://example.com/r.mp3\",\"metadata\":{\"requestMetadata\":"
		 "{\"phonenorm_dispatch_id\":\"%s\"}}}", delivery, dispatch);
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	char body[1024], svix[64], dispatch[64];

	for (int i = 0; i < s->per; i++) {
		phn_receiver_outcome o;
		int k = s->index * s->per + i;
		int rc;

		/* Every event twice (the second a redelivery), all for the calls
		 * the dialer thread makes, some for ones it has not made yet. */
		snprintf(svix, sizeof svix, "msg_%d", s->all_new ? k : k / 2);
		snprintf(dispatch, sizeof dispatch, "c-%d", (k / 2) % CALLS);
		body_for(body, sizeof body, dispatch, k % 4 < 2 ? "pass" : "fail");
		rc = phn_campaign_receiver_record(s->rc, svix, 1700000000 + k / 2, body,
						  strlen(body), now_ms(), &o);
		if (rc != PHN_OK) {
			if (!s->failures++)
				snprintf(s->error, sizeof s->error, "%s", phn_error_last());
			continue;
		}
		if (s->pause_us)
			usleep((useconds_t)s->pause_us);
		s->applied += o == PHN_RECEIVER_APPLIED;
		s->duplicates += o == PHN_RECEIVER_DUPLICATE;
		if (i % 10 == 0)
			phn_campaign_receiver_refused(s->rc, i % 20 ? "stale" : "bad_signature");
	}
	return NULL;
}

struct dialer {
	const char *path;
	int failures;
	char error[256];
};

/* Dialer-style transactions on its own connection: mark, record. */
static void *dialer_main(void *arg)
{
	struct dialer *d = arg;
	journal *j = NULL;
	int64_t run;
	int rc = journal_open(&j, d->path, J_OPEN_DIAL);

	if (rc != PHN_OK || (rc = journal_run_begin(j, now_ms(), "live", &run)) != PHN_OK) {
		d->failures++;
		snprintf(d->error, sizeof d->error, "%s", phn_error_last());
		journal_close(j);
		return NULL;
	}
	for (int i = 0; i < CALLS; i += 4) {
		struct jsend s[4];
		struct joutcome o[4];
		char ids[4][32];

		for (int k = 0; k < 4; k++) {
			snprintf(ids[k], sizeof ids[k], "c-%d", i + k);
			s[k] = (struct jsend){ (uint64_t)(i + k) + 2, J_STEP_CALL, ids[k] };
			memset(&o[k], 0, sizeof o[k]);
			o[k].line = s[k].line;
			o[k].dispatch_id = ids[k];
			o[k].outcome = "accepted";
			o[k].http_status = 201;
			o[k].state = J_ACCEPTED;
		}
		if ((rc = journal_mark_sending(j, run, s, 4, now_ms())) != PHN_OK ||
		    (rc = journal_record(j, o, 4, now_ms())) != PHN_OK) {
			if (!d->failures++)
				snprintf(d->error, sizeof d->error, "%s", phn_error_last());
		}
	}
	journal_run_end(j, run, now_ms(), "done");
	journal_close(j);
	return NULL;
}

static void test_receiver(void)
{
	char p[512];
	int64_t run;
	journal *j = campaign(path_in(p, sizeof p, "receiver.db"), CALLS, &run);
	phn_campaign_receiver *rc = NULL;
	phn_receiver_stats st = PHN_RECEIVER_STATS_INIT;
	phn_receiver_outcome o;
	struct sender s[THREADS];
	struct dialer d = { p, 0, "" };
	pthread_t t[THREADS], dt;
	int failures = 0, dups = 0;
	struct jresults res;

	if (!j)
		return;
	/* The dialer opens its own handle in its thread (the lock is per open). */
	journal_close(j);
	CHECK_INT(phn_campaign_receiver_open(&rc, path_in(p, sizeof p, "none.db")),
		  PHN_ENOTFOUND);
	CHECK(rc == NULL);
	CHECK_INT(phn_campaign_receiver_open(&rc, path_in(p, sizeof p, "receiver.db")), PHN_OK);
	if (!rc)
		return;
	CHECK_STR(phn_receiver_outcome_name(PHN_RECEIVER_OTHER_TYPE), "other_type");
	CHECK(phn_receiver_outcome_name((phn_receiver_outcome)77) == NULL);
	CHECK_INT(phn_campaign_receiver_record(rc, "m", 1, "[1]", 3, 0, &o), PHN_EINVAL);
	CHECK_INT(phn_campaign_receiver_record(rc, "", 1, "{}", 2, 0, &o), PHN_EINVAL);
	CHECK_INT(phn_campaign_receiver_record(NULL, "m", 1, "{}", 2, 0, &o), PHN_EINVAL);

	CHECK_INT(pthread_create(&dt, NULL, dialer_main, &d), 0);
	for (int i = 0; i < THREADS; i++) {
		memset(&s[i], 0, sizeof s[i]);
		s[i].rc = rc;
		s[i].index = i;
		s[i].per = PER_THREAD;
		CHECK_INT(pthread_create(&t[i], NULL, sender_main, &s[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failures += s[i].failures;
		dups += s[i].duplicates;
		CHECK_MSG(s[i].failures == 0, "sender %d: %d failed: %s", i, s[i].failures,
			  s[i].error);
	}
	pthread_join(dt, NULL);
	CHECK_MSG(d.failures == 0, "dialer: %d failed: %s", d.failures, d.error);
	CHECK_INT(failures, 0);
	CHECK_INT(dups, THREADS * PER_THREAD / 2);

	CHECK_INT(phn_campaign_receiver_stats(&st, rc), PHN_OK);
	CHECK_INT(st.events, THREADS * PER_THREAD / 2);
	CHECK_INT(st.duplicates, THREADS * PER_THREAD / 2);
	CHECK_INT(st.applied + st.superseded + st.orphans, st.events);
	CHECK_INT(st.other_types, 0);
	CHECK_INT(st.refused, THREADS * (PER_THREAD / 10));
	CHECK_MSG(st.commits > 0 && st.commits < st.events + st.duplicates,
		  "%" PRIu64 " commits for %" PRIu64 " events", st.commits,
		  st.events + st.duplicates);
	printf("receiver: %" PRIu64 " events + %" PRIu64 " duplicates from %d threads in %" PRIu64
	       " group commits, beside a dialer\n", st.events, st.duplicates, THREADS,
	       st.commits);
	st.version = 0;
	CHECK_INT(phn_campaign_receiver_stats(&st, rc), PHN_EVERSION);
	phn_campaign_receiver_close(rc);
	phn_campaign_receiver_close(NULL);

	CHECK_INT(sql_int(p, "SELECT count(*) FROM events"), THREADS * PER_THREAD / 2);
	CHECK_INT(sql_int(p, "SELECT sum(count) FROM refusals"), THREADS * (PER_THREAD / 10));
	CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'bad_signature'"),
		  THREADS * ((PER_THREAD + 19) / 20));
	/* Events for calls made after them are orphans (kept); the others are
	 * on their rows: every accepted row with a result has that of its
	 * winning event. */
	CHECK_INT(sql_int(p, "SELECT count(*) FROM rows r JOIN attempts a ON a.line = r.line "
			  "WHERE a.result_event IS NOT r.result_event"), 0);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM attempts a WHERE result_event IS NOT (SELECT "
			  "svix_id FROM events e WHERE e.dispatch_id = a.dispatch_id AND e.line "
			  "IS NOT NULL ORDER BY event_time DESC, svix_id DESC LIMIT 1)"), 0);
	CHECK_INT(journal_open(&j, p, J_OPEN_READONLY), PHN_OK);
	if (j) {
		CHECK_INT(journal_results(j, &res), PHN_OK);
		CHECK_INT(res.events, THREADS * PER_THREAD / 2);
		CHECK_INT(res.accepted, CALLS);
		CHECK_INT(res.delivered + res.not_delivered + res.awaiting, CALLS);
		journal_close(j);
	}

	/* Refusal counts alone are written within a second, and at close. */
	CHECK_INT(phn_campaign_receiver_open(&rc, p), PHN_OK);
	if (rc) {
		phn_campaign_receiver_refused(rc, "too_large");
		for (int i = 0; i < 40 && sql_int(p, "SELECT count(*) FROM refusals WHERE reason = "
						  "'too_large'") == 0; i++)
			usleep(50000);
		CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'too_large'"), 1);
		phn_campaign_receiver_refused(rc, "too_large");
		phn_campaign_receiver_refused(rc, NULL);
		phn_campaign_receiver_close(rc);
		CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'too_large'"), 2);
		CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'other'"), 1);
	}
}

struct one {
	phn_campaign_receiver *rc;
	const char *svix;
	int result;
	phn_receiver_outcome outcome;
	char error[256];
};

static void *one_main(void *arg)
{
	struct one *a = arg;
	char body[1024];

	body_for(body, sizeof body, "c-1", "pass");
	a->result = phn_campaign_receiver_record(a->rc, a->svix, 1800000000, body, strlen(body),
						 now_ms(), &a->outcome);
	snprintf(a->error, sizeof a->error, "%s", a->result ? phn_error_last() : "");
	return NULL;
}

/* The journal cannot be written (another writer holds it past the busy
 * timeout): the callers get PHN_EIO, nothing is kept, and the retry of the
 * same event applies; refusal counts wait for the next commit. */
static void test_receiver_failure(void)
{
	char p[512];
	phn_campaign_receiver *rc = NULL;
	struct one a = { NULL, "msg_fail", -1, PHN_RECEIVER_DUPLICATE, "" };
	pthread_t t;
	sqlite3 *db = NULL;

	path_in(p, sizeof p, "receiver.db"); /* test_receiver's journal */
	CHECK_INT(phn_campaign_receiver_open(&rc, p), PHN_OK);
	if (!rc)
		return;
	a.rc = rc;
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	phn_campaign_receiver_refused(rc, "blocked");
	CHECK_INT(pthread_create(&t, NULL, one_main, &a), 0);
	pthread_join(t, NULL);
	CHECK_INT(a.result, PHN_EIO);
	CHECK_MSG(strstr(a.error, "locked") != NULL, "%s", a.error);
	CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(sql_int(p, "SELECT count(*) FROM events WHERE svix_id = 'msg_fail'"), 0);
	/* The sender retries. */
	a.result = -1;
	CHECK_INT(pthread_create(&t, NULL, one_main, &a), 0);
	pthread_join(t, NULL);
	CHECK_MSG(a.result == PHN_OK, "%s", a.error);
	CHECK_INT(a.outcome, PHN_RECEIVER_APPLIED);
	CHECK_INT(sql_int(p, "SELECT count FROM refusals WHERE reason = 'blocked'"), 1);
	phn_campaign_receiver_close(rc);
}

/* A v1 journal through the receiver API: upgraded, and read. */
static void test_receiver_v1(void)
{
	char fixture[512], p[512];
	phn_campaign_receiver *rc = NULL;
	phn_receiver_outcome o = PHN_RECEIVER_DUPLICATE;
	char body[1024];

	snprintf(fixture, sizeof fixture, "%s/journal_v1.db", data_dir);
	CHECK(copy_file(fixture, path_in(p, sizeof p, "v1-receiver.db")) == 0);
	CHECK_INT(phn_campaign_receiver_open(&rc, p), PHN_OK);
	CHECK_INT(sql_int(p, "PRAGMA user_version"), 2);
	if (!rc)
		return;
	body_for(body, sizeof body, "no-such-call", "pass");
	CHECK_INT(phn_campaign_receiver_record(rc, "msg_x", 1700000000, body, strlen(body), 1, &o),
		  PHN_OK);
	CHECK_INT(o, PHN_RECEIVER_ORPHAN);
	phn_campaign_receiver_close(rc);
}

/* A v2 journal with a bit of everything the receiver writes. */
static int fixture(const char *path)
{
	int64_t run, t0 = 1796601600000;
	journal *j = campaign(path, 8, &run);
	const char *reasons[] = { "bad_signature", "stale" };
	uint64_t counts[] = { 4, 1 };
	struct jevent e[6];
	phn_receiver_outcome o[6];
	int rc;

	if (!j)
		return 1;
	call(j, run, 2, "f-2", t0);
	call(j, run, 3, "f-3", t0);
	call(j, run, 4, "f-4", t0);
	mark(j, run, 5, "f-5", t0);
	e[0] = event("msg_f1", "f-2", 1796601700, "pass", "CALL_RESULT");
	e[1] = event("msg_f2", "f-3", 1796601700, "fail", "NO_ANSWER");
	e[2] = event("msg_f3", "f-3", 1796601600, "pass", "EARLIER");
	e[3] = event("msg_f4", "elsewhere", 1796601700, "pass", "ORPHAN");
	e[4] = event("msg_f5", "f-5", 1796601700, "pass", "WHILE_SENDING");
	e[5] = event("msg_f6", "f-4", 1796601700, "pass", "X");
	e[5].type = "phone_call.started";
	rc = journal_record_events(j, e, 6, o, reasons, counts, 2, t0);
	journal_close(j);
	return rc == PHN_OK && check_failures == 0 ? 0 : 1;
}

/* ---- throughput ---------------------------------------------------------------- */

static int bench(int events, int senders, int pause_us)
{
	char p[512];
	int64_t run;
	journal *j;
	phn_campaign_receiver *rc = NULL;
	phn_receiver_stats st = PHN_RECEIVER_STATS_INIT;
	pthread_t *t = calloc((size_t)senders, sizeof *t);
	struct sender *s = calloc((size_t)senders, sizeof *s);
	double t0, dt;
	int failures = 0;

	if (!t || !s)
		return 1;
	j = campaign(path_in(p, sizeof p, "bench.db"), CALLS, &run);
	for (int i = 0; i < CALLS && j; i++) {
		char id[32];

		snprintf(id, sizeof id, "c-%d", i);
		call(j, run, (uint64_t)i + 2, id, now_ms());
	}
	journal_close(j);
	if (phn_campaign_receiver_open(&rc, p) != PHN_OK) {
		fprintf(stderr, "%s\n", phn_error_last());
		return 1;
	}
	t0 = mono_s();
	for (int i = 0; i < senders; i++) {
		s[i].rc = rc;
		s[i].index = i;
		s[i].per = events / senders;
		s[i].all_new = 1;
		s[i].pause_us = pause_us;
		pthread_create(&t[i], NULL, sender_main, &s[i]);
	}
	for (int i = 0; i < senders; i++) {
		pthread_join(t[i], NULL);
		failures += s[i].failures;
	}
	dt = mono_s() - t0;
	phn_campaign_receiver_stats(&st, rc);
	phn_campaign_receiver_close(rc);
	printf("%d deliveries (%" PRIu64 " new events, %" PRIu64 " duplicates) from %d senders "
	       "(pause %d us) in %.2f s: %.0f deliveries/s, %" PRIu64 " group commits (%.1f a commit), "
	       "%d failed\n", (events / senders) * senders, st.events, st.duplicates, senders,
	       pause_us, dt, (double)((events / senders) * senders) / dt, st.commits,
	       st.commits ? (double)(st.events + st.duplicates) / (double)st.commits : 0.0,
	       failures);
	free(t);
	free(s);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	int bench_mode = argc >= 2 && strcmp(argv[1], "bench") == 0, rc = 0;

	if (argc == 3 && strcmp(argv[1], "fixture") == 0)
		return fixture(argv[2]);

	if (!bench_mode && !(argc == 3 && strcmp(argv[1], "unit") == 0)) {
		fprintf(stderr, "usage: test_results unit DATA_DIR | test_results bench [EVENTS "
			"[SENDERS [PAUSE_US]]] | test_results fixture FILE\n");
		return 2;
	}
	if (!bench_mode)
		data_dir = argv[2];
	snprintf(dir, sizeof dir, "%s/phn-results-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (bench_mode) {
		rc = bench(argc > 2 ? atoi(argv[2]) : 20000, argc > 3 ? atoi(argv[3]) : 50,
			   argc > 4 ? atoi(argv[4]) : 0);
	} else {
		test_fresh();
		test_upgrade();
		test_events();
		test_attempts();
		test_recovery();
		test_redial_settle();
		test_read_snapshot();
		test_plan_concurrent();
		test_parse();
		test_receiver();
		test_receiver_failure();
		test_receiver_v1();
	}
	if (check_failures == 0 && rc == 0) {
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	} else {
		fprintf(stderr, "files kept in %s\n", dir);
	}
	return bench_mode ? rc : check_report();
}
