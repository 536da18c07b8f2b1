/*
 * Fuzz target for the campaign journal as outside input: the input is
 * written as a file and opened as a journal, by the report (public API) and
 * by the dialer's side (journal.h: the documented exception of
 * tests/layers/layers.txt). Any file must be refused with a clear error or
 * read consistently. It aborts when:
 *   - an open fails with a code other than PHN_EFORMAT, PHN_EVERSION,
 *     PHN_EIO or PHN_ENOMEM, or with a message that does not name the
 *     journal;
 *   - the per-state counts do not add up to the rows;
 *   - an export does not parse back (CSV through the list layer's reader:
 *     a header of at least the 21 first columns (columns are only
 *     appended), as many fields in every record, every state a known name, lines
 *     increasing; JSON Lines: one object a line, a known state), or exports
 *     a different number of rows than the summary counts while SQLite's
 *     integrity_check finds nothing wrong with the file;
 *   - the CSV and the JSON export disagree on how many rows there are;
 *   - the call results do not add up (delivered + not delivered + awaiting
 *     is the accepted rows), a histogram counts more than the rows, the
 *     refusals do not add up, or the JSON summary is not one object on one line;
 *   - after journal_recover() a row is still "sending" in a file SQLite's
 *     integrity_check finds undamaged, or journal_ready() gives a line at
 *     or before the one it was asked to start after.
 * Under ctest the replay driver runs the corpus (tests/fuzz/corpus/journal:
 * journals made by tests/campaign/test_journal fixture, small pages, and
 * mutated ones); tests/fuzz/run_fuzzers.sh builds it with libFuzzer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <phonenorm.h>
#include "campaign/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], path[300];

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_journal: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void remove_files(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[320];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

static void cleanup(void)
{
	remove_files();
	rmdir(dir);
}

static void check_refusal(int rc)
{
	const char *msg = phn_error_last();

	/* PHN_ENOTFOUND: an empty database (no tables), "is empty: ..." */
	if (rc != PHN_EFORMAT && rc != PHN_EVERSION && rc != PHN_EIO && rc != PHN_ENOMEM &&
	    !(rc == PHN_ENOTFOUND && strstr(msg, "' is empty: ")))
		fail("an open failed with an unexpected code", phn_error_name(rc));
	if (rc != PHN_ENOMEM && !strstr(msg, "journal '"))
		fail("an error does not name the journal", msg);
}

struct buf {
	char *p;
	size_t len, cap;
};

static int collect(const void *data, size_t len, void *payload)
{
	struct buf *b = payload;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return 1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static int known_state(const char *s, size_t len)
{
	for (int i = 0; i < J_STATE_COUNT; i++) {
		const char *n = journal_state_name((jstate)i);

		if (strlen(n) == len && memcmp(n, s, len) == 0)
			return 1;
	}
	return 0;
}

/* Rows of a CSV export, read back with the list layer's reader. */
static uint64_t csv_rows(const struct buf *b)
{
	phn_csv_reader *r;
	const phn_csv_record *rec;
	uint64_t rows = 0, last = 0;
	size_t columns = 0;
	int rc;

	if (phn_csv_reader_from_memory(&r, b->p, b->len, NULL) != PHN_OK)
		fail("the CSV export cannot be read", phn_error_last());
	while ((rc = phn_csv_reader_next(&rec, r)) == PHN_OK && rec) {
		char *end;
		uint64_t line;

		if (rec->problem != PHN_CSV_OK || rec->nfields < 21 ||
		    (columns && rec->nfields != columns))
			fail("a CSV record does not parse into the header's fields", rec->raw);
		if (rows++ == 0) {
			if (strcmp(rec->fields[0], "line") != 0 || strcmp(rec->fields[1], "state") != 0)
				fail("the CSV export has no header", rec->raw);
			columns = rec->nfields;
			continue;
		}
		if (!known_state(rec->fields[1], rec->lens[1]))
			fail("a CSV row has an unknown state", rec->fields[1]);
		line = strtoull(rec->fields[0], &end, 10);
		if (*end || line <= last)
			fail("CSV lines do not increase", rec->fields[0]);
		last = line;
	}
	if (rc != PHN_OK)
		fail("reading the CSV export back failed", phn_error_last());
	phn_csv_reader_free(r);
	if (rows == 0)
		fail("the CSV export is empty", NULL);
	return rows - 1;
}

static uint64_t json_rows(const struct buf *b)
{
	uint64_t rows = 0;
	const char *p = b->p ? b->p : "", *nl;

	for (; *p; p = nl + 1) {
		const char *st;
		size_t n;

		if (!(nl = strchr(p, '\n')))
			fail("a JSON line does not end", p);
		if (strncmp(p, "{\"line\":", 8) != 0 || nl[-1] != '}')
			fail("a JSON line is not an object", p);
		if (!(st = strstr(p, ",\"state\":\"")) || st > nl)
			fail("a JSON line has no state", p);
		st += 10;
		n = strcspn(st, "\"");
		if (!known_state(st, n))
			fail("a JSON line has an unknown state", st);
		for (const char *c = p; c < nl; c++) {
			if ((unsigned char)*c < 0x20)
				fail("a raw control character in the JSON", p);
		}
		rows++;
	}
	return rows;
}

/* 1 when SQLite finds the file damaged (so counts and rows may differ). */
static int damaged(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int bad = 1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 0);

			bad = !v || strcmp(v, "ok") != 0;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return bad;
}

static int add_count(const char *value, uint64_t n, void *payload)
{
	if (!value)
		fail("a histogram value is NULL", NULL);
	*(uint64_t *)payload += n;
	return 0;
}

/* The call results of the summary (version 2) against themselves. */
static void check_results(const phn_campaign_report *r, const phn_campaign_summary *s)
{
	struct buf sj = { 0 };
	uint64_t n, hist = 0, refused = 0, accepted = 0;
	const char *reason;

	phn_campaign_report_count(&accepted, r, PHN_CAMPAIGN_ACCEPTED);
	if (s->accepted != accepted && !damaged())
		fail("the results' accepted is not the accepted rows", NULL);
	if (s->delivered + s->not_delivered + s->awaiting_result != s->accepted)
		fail("delivered + not delivered + awaiting is not accepted", NULL);
	if (s->orphans + s->other_types > s->events)
		fail("more orphans and other types than events", NULL);
	for (int h = 0; h < 2; h++) {
		hist = 0;
		if (phn_campaign_report_histogram(r, h ? "sentiment" : "call_output", add_count,
						  &hist) != PHN_OK)
			fail("a histogram failed", phn_error_last());
		if (hist > s->rows)
			fail("a histogram counts more rows than there are", NULL);
	}
	if (phn_campaign_report_histogram(r, "duration", add_count, &hist) != PHN_EINVAL)
		fail("a histogram of another column did not fail", NULL);
	for (size_t i = 0; phn_campaign_report_refusal(&reason, &n, NULL, r, i) == PHN_OK; i++) {
		if (!reason)
			fail("a refusal reason is NULL", NULL);
		refused += n;
	}
	if (refused != s->refused)
		fail("the refusals do not add up to refused", NULL);
	if (phn_campaign_report_write_summary(r, collect, &sj) != PHN_OK)
		fail("the JSON summary failed", phn_error_last());
	if (sj.len < 3 || sj.p[0] != '{' || sj.p[sj.len - 1] != '\n' || sj.p[sj.len - 2] != '}' ||
	    memchr(sj.p, '\n', sj.len - 1) || !strstr(sj.p, ",\"results\":{\"accepted\":"))
		fail("the JSON summary is not one object on one line with results", sj.p);
	for (size_t i = 0; i < sj.len; i++) {
		if ((unsigned char)sj.p[i] < 0x20 && sj.p[i] != '\n')
			fail("a raw control character in the JSON summary", sj.p);
	}
	free(sj.p);
}

static void report_side(void)
{
	phn_campaign_report *r;
	phn_campaign_summary s = PHN_CAMPAIGN_SUMMARY_INIT;
	struct buf csv = { 0 }, json = { 0 };
	uint64_t n, sum = 0, rows_csv = 0, rows_json = 0;
	int rc, rc_csv, rc_json;

	rc = phn_campaign_report_open(&r, path);
	if (rc != PHN_OK) {
		check_refusal(rc);
		return;
	}
	if (phn_campaign_report_summary(&s, r) != PHN_OK)
		fail("no summary", phn_error_last());
	for (int st = 0; phn_campaign_report_count(&n, r, (phn_campaign_state)st) == PHN_OK; st++)
		sum += n;
	if (sum != s.rows)
		fail("the per-state counts do not add up to the rows", NULL);
	if (!s.list_name || !s.list_sha256 || !s.campaign_id || !s.last_run_result)
		fail("a NULL string in the summary", NULL);
	check_results(r, &s);
	rc_csv = phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_CSV, collect, &csv,
					   PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS);
	if (rc_csv == PHN_OK)
		rows_csv = csv_rows(&csv);
	else if (rc_csv != PHN_EFORMAT && rc_csv != PHN_EIO && rc_csv != PHN_ENOMEM)
		fail("the CSV export failed with an unexpected code", phn_error_name(rc_csv));
	rc_json = phn_campaign_report_write(r, PHN_CAMPAIGN_FORMAT_JSON, collect, &json, 0);
	if (rc_json == PHN_OK)
		rows_json = json_rows(&json);
	else if (rc_json != PHN_EFORMAT && rc_json != PHN_EIO && rc_json != PHN_ENOMEM)
		fail("the JSON export failed with an unexpected code", phn_error_name(rc_json));
	if (rc_csv == PHN_OK && rc_json == PHN_OK && rows_csv != rows_json)
		fail("the CSV and JSON exports have different rows", NULL);
	if (rc_csv == PHN_OK && rows_csv != s.rows && !damaged())
		fail("the export and the counts disagree on an undamaged file", NULL);
	free(csv.p);
	free(json.p);
	phn_campaign_report_free(r);
}

static int count_row(const struct jreport_row *row, void *payload)
{
	uint64_t *n = payload;

	if (!journal_state_name(row->state))
		fail("each_row gave an unknown state", NULL);
	(*n)++;
	return 0;
}

static void dialer_side(void)
{
	journal *j;
	struct jcounts c;
	struct jwork w[8];
	size_t got;
	uint64_t after = 0, n = 0, passes = 0;
	int64_t wake;
	int rc = journal_open(&j, path, J_OPEN_DIAL);

	if (rc != PHN_OK) {
		check_refusal(rc);
		return;
	}
	/* On a damaged file (an index out of step with its table) SQLite may
	 * not find every row: only an undamaged one must come out clean. */
	if (journal_recover(j, 1796601600000, NULL) == PHN_OK && journal_counts(j, &c) == PHN_OK &&
	    c.state[J_SENDING] != 0 && !damaged())
		fail("a row is still sending after journal_recover", NULL);
	while (journal_ready(j, w, 8, &got, after, INT64_MAX) == PHN_OK && got && passes++ < 10000) {
		for (size_t i = 0; i < got; i++) {
			if (w[i].line <= after)
				fail("journal_ready went backwards", NULL);
			if (!w[i].e164 || !w[i].zones || !w[i].fields_json || !w[i].region)
				fail("journal_ready gave a NULL string", NULL);
			after = w[i].line;
		}
	}
	journal_next_wake(j, &wake);
	journal_requeue_unknown(j, 3, NULL);
	journal_requeue_for_run(j, 3, NULL);
	journal_each_row(j, count_row, &n);
	journal_close(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof dir, "%s/phn-fuzz-journal-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(dir))
			fail("mkdtemp", NULL);
		snprintf(path, sizeof path, "%s/j.db", dir);
		atexit(cleanup);
	}
	remove_files();
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fail("cannot write the input file", path);
	report_side();
	dialer_side();
	remove_files();
	return 0;
}
