/*
 * The campaign report (campaign.h): a journal opened read-only, its summary,
 * and the one writer of its exports. CSV fields go through the list layer's
 * field writer (list/csvfield.h), so quoting and formula neutralising are
 * those of `phonenorm clean`.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* gmtime_r */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonenorm/campaign.h"
#include "campaign/journal.h"
#include "list/csvfield.h"
#include "text/error.h"
#include "text/text.h"

#define WRITE_BLOCK (64u * 1024u)

/* Value/count pairs taken at open: a histogram, or the refusals. */
struct tally {
	char *value;
	uint64_t n;
	int64_t last_at;
};

struct tallies {
	struct tally *t;
	size_t n, cap;
};

enum { HIST_CALL_OUTPUT = 0, HIST_SENTIMENT, HIST_COUNT };
static const char *const hist_columns[HIST_COUNT] = { "call_output", "sentiment" };

struct phn_campaign_report {
	journal *j;
	char *path;
	phn_campaign_summary sum;
	uint64_t state[J_STATE_COUNT];
	/* the summary's strings */
	char *list_name, *list_sha256, *campaign_id, *last_run_result;
	/* call results, taken at open with the summary */
	struct tallies hist[HIST_COUNT];
	struct tallies refusals;
};

static void tallies_free(struct tallies *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->t[i].value);
	free(t->t);
	memset(t, 0, sizeof *t);
}

static int tallies_add(struct tallies *t, const char *value, uint64_t n, int64_t last_at)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct tally *nt = realloc(t->t, cap * sizeof *nt);

		if (!nt)
			return phn_error_code(PHN_ENOMEM);
		t->t = nt;
		t->cap = cap;
	}
	if (!(t->t[t->n].value = phn_text_dup(value ? value : "")))
		return phn_error_code(PHN_ENOMEM);
	t->t[t->n].n = n;
	t->t[t->n].last_at = last_at;
	t->n++;
	return PHN_OK;
}

static int on_hist(const char *value, uint64_t n, void *payload)
{
	return tallies_add(payload, value, n, 0);
}

static int on_refusal(const char *reason, uint64_t n, int64_t last_at, void *payload)
{
	return tallies_add(payload, reason, n, last_at);
}

/* Size of the summary of a version: the fields it has. */
static size_t summary_size(unsigned int version)
{
	return version >= 2 ? sizeof(phn_campaign_summary)
			    : offsetof(phn_campaign_summary, accepted);
}

const char *phn_campaign_state_name(phn_campaign_state state)
{
	return journal_state_name((jstate)state);
}

int phn_campaign_summary_init(phn_campaign_summary *sum, unsigned int version)
{
	const phn_campaign_summary defaults = PHN_CAMPAIGN_SUMMARY_INIT;
	int rc = phn_error_check_version(sum, version, PHN_CAMPAIGN_SUMMARY_VERSION,
					 "phn_campaign_summary");

	if (rc != PHN_OK)
		return rc;
	memcpy(sum, &defaults, summary_size(version));
	sum->version = version;
	return PHN_OK;
}

void phn_campaign_report_free(phn_campaign_report *r)
{
	if (!r)
		return;
	journal_close(r->j);
	free(r->path);
	free(r->list_name);
	free(r->list_sha256);
	free(r->campaign_id);
	free(r->last_run_result);
	for (int i = 0; i < HIST_COUNT; i++)
		tallies_free(&r->hist[i]);
	tallies_free(&r->refusals);
	free(r);
}

/* A meta value copied into *keep ("" when absent). */
static int keep_meta(char **keep, journal *j, const char *key)
{
	const char *v = NULL;
	int rc = journal_meta_get(j, key, &v);

	if (rc != PHN_OK)
		return rc;
	if (!(*keep = phn_text_dup(v ? v : "")))
		return phn_error_code(PHN_ENOMEM);
	return PHN_OK;
}

static int64_t meta_int(journal *j, const char *key)
{
	const char *v = NULL;
	char *end;
	long long n;

	if (journal_meta_get(j, key, &v) != PHN_OK || !v)
		return 0;
	n = strtoll(v, &end, 10);
	return *end ? 0 : (int64_t)n;
}

int phn_campaign_report_open(phn_campaign_report **out, const char *path)
{
	phn_campaign_report *r;
	struct jcounts c;
	struct jruns runs;
	struct jresults res;
	const char *loaded = NULL;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_open: out is NULL");
	*out = NULL;
	if (!path)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_open: path is NULL");
	if (!(r = calloc(1, sizeof *r)) || !(r->path = phn_text_dup(path))) {
		free(r);
		return phn_error_code(PHN_ENOMEM);
	}
	if ((rc = journal_open(&r->j, path, J_OPEN_READONLY)) != PHN_OK ||
	    (rc = keep_meta(&r->list_name, r->j, "list_name")) != PHN_OK ||
	    (rc = keep_meta(&r->list_sha256, r->j, "list_sha256")) != PHN_OK ||
	    (rc = keep_meta(&r->campaign_id, r->j, "campaign_id")) != PHN_OK ||
	    (rc = journal_meta_get(r->j, "loaded", &loaded)) != PHN_OK)
		goto fail;
	phn_campaign_summary_init(&r->sum, PHN_CAMPAIGN_SUMMARY_VERSION);
	r->sum.loaded = loaded && strcmp(loaded, "1") == 0;
	r->sum.schema_version = (int)meta_int(r->j, "schema_version");
	if (r->sum.schema_version <= 0)
		r->sum.schema_version = JOURNAL_SCHEMA_VERSION;
	r->sum.created_at = meta_int(r->j, "created_at");
	if ((rc = journal_counts(r->j, &c)) != PHN_OK || (rc = journal_runs(r->j, &runs)) != PHN_OK)
		goto fail;
	if (!(r->last_run_result = phn_text_dup(runs.last_result ? runs.last_result : ""))) {
		rc = phn_error_code(PHN_ENOMEM);
		goto fail;
	}
	memcpy(r->state, c.state, sizeof r->state);
	r->sum.rows = c.rows;
	r->sum.attempts = c.attempts;
	r->sum.call_attempts = c.call_attempts;
	r->sum.runs = runs.runs;
	r->sum.runs_unfinished = runs.unfinished;
	r->sum.last_run_started_at = runs.last_started_at;
	r->sum.last_run_ended_at = runs.last_ended_at;
	r->sum.list_name = r->list_name;
	r->sum.list_sha256 = r->list_sha256;
	r->sum.campaign_id = r->campaign_id;
	r->sum.last_run_result = r->last_run_result;
	memset(&res, 0, sizeof res);
	if ((rc = journal_results(r->j, &res)) != PHN_OK)
		goto fail;
	for (int i = 0; i < HIST_COUNT; i++) {
		if ((rc = journal_each_histogram(r->j, hist_columns[i], on_hist, &r->hist[i])) != PHN_OK)
			goto fail;
	}
	if ((rc = journal_each_refusal(r->j, on_refusal, &r->refusals)) != PHN_OK)
		goto fail;
	r->sum.accepted = res.accepted;
	r->sum.delivered = res.delivered;
	r->sum.not_delivered = res.not_delivered;
	r->sum.awaiting_result = res.awaiting;
	if (r->sum.schema_version < 2) {
		/* A journal no receiver has opened yet (schema 1, read as it is):
		 * its accepted calls all await their results. */
		r->sum.accepted = r->sum.awaiting_result = r->state[J_ACCEPTED];
	}
	r->sum.talk_time_s = res.talk_time_s;
	r->sum.events = res.events;
	r->sum.orphans = res.orphans;
	r->sum.other_types = res.other_types;
	for (size_t i = 0; i < r->refusals.n; i++)
		r->sum.refused += r->refusals.t[i].n;
	*out = r;
	return PHN_OK;
fail:
	phn_campaign_report_free(r);
	return rc;
}

int phn_campaign_report_summary(phn_campaign_summary *out, const phn_campaign_report *r)
{
	int rc;

	if (!out || !r)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_summary: %s is NULL",
				     out ? "the report" : "out");
	if ((rc = phn_error_check_version(out, out->version, PHN_CAMPAIGN_SUMMARY_VERSION,
					  "phn_campaign_summary")) != PHN_OK)
		return rc;
	/* Only the caller's version: its struct may be shorter. */
	{
		unsigned int v = out->version;

		memcpy(out, &r->sum, summary_size(v));
		out->version = v;
	}
	return PHN_OK;
}

int phn_campaign_report_histogram(const phn_campaign_report *r, const char *column,
				  phn_campaign_count_cb cb, void *payload)
{
	int h;

	if (!r || !column || !cb)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_histogram: %s is NULL",
				     !r ? "the report" : !column ? "column" : "cb");
	for (h = 0; h < HIST_COUNT; h++)
		if (strcmp(column, hist_columns[h]) == 0)
			break;
	if (h == HIST_COUNT)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_histogram: no histogram of "
				     "'%s' (call_output or sentiment)", column);
	for (size_t i = 0; i < r->hist[h].n; i++) {
		int rc = cb(r->hist[h].t[i].value, r->hist[h].t[i].n, payload);

		if (rc)
			return rc;
	}
	return PHN_OK;
}

int phn_campaign_report_refusal(const char **reason, uint64_t *count, int64_t *last_at_ms,
				const phn_campaign_report *r, size_t i)
{
	if (!r)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_refusal: the report is NULL");
	if (i >= r->refusals.n)
		return phn_error_set(PHN_ENOTFOUND, "refusal reason %zu: the journal has %zu", i,
				     r->refusals.n);
	if (reason)
		*reason = r->refusals.t[i].value;
	if (count)
		*count = r->refusals.t[i].n;
	if (last_at_ms)
		*last_at_ms = r->refusals.t[i].last_at;
	return PHN_OK;
}

int phn_campaign_report_count(uint64_t *out, const phn_campaign_report *r,
			      phn_campaign_state state)
{
	if (!out || !r)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_count: %s is NULL",
				     out ? "the report" : "out");
	if ((unsigned int)state >= J_STATE_COUNT)
		return phn_error_set(PHN_ENOTFOUND, "%d is not a campaign state", (int)state);
	*out = r->state[state];
	return PHN_OK;
}

/* ---- the exports --------------------------------------------------------- */

struct out {
	phn_write_cb write;
	void *payload;
	phn_campaign_format format;
	unsigned int flags;
	char *buf;
	size_t len;
	int failed;
	uint64_t last_line;
	const char *path;
};

static void flush(struct out *o)
{
	int rc;

	if (o->failed || o->len == 0)
		return;
	if ((rc = o->write(o->buf, o->len, o->payload)) != 0) {
		o->failed = 1;
		phn_error_set(PHN_EIO, "writing the report of journal '%s' failed (the write "
			      "callback returned %d)", o->path, rc);
	}
	o->len = 0;
}

static void put(const char *data, size_t len, void *ctx)
{
	struct out *o = ctx;

	if (o->failed)
		return;
	if (o->len + len > WRITE_BLOCK)
		flush(o);
	if (len > WRITE_BLOCK) {
		int rc;

		if (!o->failed && (rc = o->write(data, len, o->payload)) != 0) {
			o->failed = 1;
			phn_error_set(PHN_EIO, "writing the report of journal '%s' failed (the "
				      "write callback returned %d)", o->path, rc);
		}
		return;
	}
	memcpy(o->buf + o->len, data, len);
	o->len += len;
}

static void puts_(struct out *o, const char *s)
{
	put(s, strlen(s), o);
}

/* "2026-12-07T09:00:00.000Z"; a time gmtime cannot show stays a number. */
static void format_time(char *dst, size_t cap, int64_t ms)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int64_t frac = ms - (int64_t)secs * 1000;
	struct tm tm;

	if (gmtime_r(&secs, &tm) && tm.tm_year >= -1900 && tm.tm_year <= 8099)
		snprintf(dst, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	else
		snprintf(dst, cap, "%" PRId64, ms);
}

static const char *const columns[] = {
	"line", "state", "reason", "duplicate_of", "input", "e164", "region", "type", "zones",
	"attempts", "next_at", "call_id", "contact_uuid", "invoice_uuid", "last_dispatch_id",
	"last_step", "last_outcome", "last_http_status", "last_detail", "last_at", "fields",
	"delivery_status", "provider_status", "duration", "ended_reason", "call_output",
	"sentiment", "provider_call_id", "result_at", "result_event",
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* One value: a string (NULL: none), or a number held as text (is_num). */
struct val {
	const char *s;
	int is_num;
	char num[40];
};

static void v_str(struct val *v, const char *s)
{
	v->s = s;
	v->is_num = 0;
}

static void v_u64(struct val *v, uint64_t n, int none_if_zero)
{
	v->is_num = 1;
	snprintf(v->num, sizeof v->num, "%" PRIu64, n);
	v->s = none_if_zero && n == 0 ? NULL : v->num;
}

static void v_time(struct val *v, int64_t ms)
{
	v->is_num = 0;
	format_time(v->num, sizeof v->num, ms);
	v->s = ms ? v->num : NULL;
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 if there is none. */
static size_t utf8_seq(const char *s, size_t n)
{
	if ((unsigned char)s[0] < 0x80)
		return 1;
	for (size_t len = 2; len <= 4 && len <= n; len++) {
		if (phn_text_utf8_count(s, len) == 1)
			return len;
	}
	return 0;
}

static void json_string(struct out *o, const char *s)
{
	size_t n = strlen(s), i = 0, from = 0;

	put("\"", 1, o);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t seq;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			i++;
			continue;
		}
		seq = c < 0x80 ? 1 : utf8_seq(s + i, n - i);
		/* Valid UTF-8 stays as it is, but U+2028/U+2029 (line breaks to
		 * JavaScript) and C1 controls are escaped. */
		if (seq > 1) {
			unsigned char c1 = (unsigned char)s[i + 1];
			int c1_control = c == 0xC2 && c1 >= 0x80 && c1 <= 0x9F;
			int js_break = seq == 3 && c == 0xE2 && c1 == 0x80 &&
				       ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9);

			if (!c1_control && !js_break) {
				i += seq;
				continue;
			}
		}
		put(s + from, i - from, o);
		if (seq == 0) {
			puts_(o, "\\ufffd");
			i++;
		} else if (seq == 1) {
			switch (c) {
			case '"': puts_(o, "\\\""); break;
			case '\\': puts_(o, "\\\\"); break;
			case '\n': puts_(o, "\\n"); break;
			case '\r': puts_(o, "\\r"); break;
			case '\t': puts_(o, "\\t"); break;
			default:
				snprintf(esc, sizeof esc, "\\u%04x", c);
				puts_(o, esc);
			}
			i++;
		} else if (seq == 2) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)s[i + 1]);
			puts_(o, esc);
			i += 2;
		} else {
			puts_(o, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
			i += 3;
		}
		from = i;
	}
	put(s + from, n - from, o);
	put("\"", 1, o);
}

static void put_values(struct out *o, const struct val *v)
{
	if (o->format == PHN_CAMPAIGN_FORMAT_CSV) {
		for (size_t i = 0; i < NCOLUMNS; i++) {
			if (i)
				put(",", 1, o);
			if (v[i].s)
				phn_csv_put_cell(put, o, v[i].s, strlen(v[i].s), ',', o->flags);
		}
		put("\n", 1, o);
		return;
	}
	put("{", 1, o);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		if (i)
			put(",", 1, o);
		put("\"", 1, o);
		puts_(o, columns[i]);
		put("\":", 2, o);
		if (!v[i].s)
			puts_(o, "null");
		else if (v[i].is_num)
			puts_(o, v[i].s);
		else
			json_string(o, v[i].s);
	}
	put("}\n", 2, o);
}

static int on_row(const struct jreport_row *r, void *payload)
{
	struct out *o = payload;
	struct val v[NCOLUMNS];
	size_t i = 0;

	/* journal_each_row gives lines in order; a file that does not is damaged
	 * (and an export that repeated a row would count it twice). */
	if (r->line <= o->last_line)
		return phn_error_set(PHN_EFORMAT, "journal '%s': the file is corrupt (line %" PRIu64
				     " after line %" PRIu64 ")", o->path, r->line, o->last_line);
	o->last_line = r->line;
	v_u64(&v[i++], r->line, 0);
	v_str(&v[i++], journal_state_name(r->state));
	v_str(&v[i++], r->reason);
	v_u64(&v[i++], r->duplicate_of, 1);
	v_str(&v[i++], r->input);
	v_str(&v[i++], r->e164);
	v_str(&v[i++], r->region);
	v_str(&v[i++], r->type);
	v_str(&v[i++], r->zones);
	v_u64(&v[i++], r->attempts, 0);
	v_time(&v[i++], r->next_at);
	v_str(&v[i++], r->call_id);
	v_str(&v[i++], r->contact_uuid);
	v_str(&v[i++], r->invoice_uuid);
	v_str(&v[i++], r->last_dispatch_id);
	v_str(&v[i++], r->last_step);
	v_str(&v[i++], r->last_outcome);
	v_u64(&v[i++], r->last_http_status > 0 ? (uint64_t)r->last_http_status : 0, 1);
	v_str(&v[i++], r->last_detail);
	v_time(&v[i++], r->last_at);
	v_str(&v[i++], r->fields_json);
	v_str(&v[i++], r->delivery_status);
	v_str(&v[i++], r->provider_status);
	if (r->duration >= 0)
		v_u64(&v[i++], (uint64_t)r->duration, 0);
	else
		v_str(&v[i++], NULL);
	v_str(&v[i++], r->ended_reason);
	v_str(&v[i++], r->call_output);
	v_str(&v[i++], r->sentiment);
	v_str(&v[i++], r->provider_call_id);
	v_time(&v[i++], r->result_at);
	v_str(&v[i++], r->result_event);
	put_values(o, v);
	return o->failed ? PHN_EIO : 0;
}

/* ---- the summary as JSON ------------------------------------------------ */

static void j_key(struct out *o, const char *key, int first)
{
	if (!first)
		put(",", 1, o);
	json_string(o, key);
	put(":", 1, o);
}

static void j_u64(struct out *o, const char *key, uint64_t n)
{
	char num[32];

	j_key(o, key, 0);
	snprintf(num, sizeof num, "%" PRIu64, n);
	puts_(o, num);
}

static void j_str(struct out *o, const char *key, const char *v)
{
	j_key(o, key, 0);
	json_string(o, v);
}

static void j_time(struct out *o, const char *key, int64_t ms)
{
	char t[40];

	j_key(o, key, 0);
	if (!ms) {
		puts_(o, "null");
		return;
	}
	format_time(t, sizeof t, ms);
	json_string(o, t);
}

static void j_tallies(struct out *o, const char *key, const struct tallies *t)
{
	j_key(o, key, 0);
	put("{", 1, o);
	for (size_t i = 0; i < t->n; i++) {
		char num[32];

		j_key(o, t->t[i].value, i == 0);
		snprintf(num, sizeof num, "%" PRIu64, t->t[i].n);
		puts_(o, num);
	}
	put("}", 1, o);
}

static void write_summary_json(struct out *o, const phn_campaign_report *r)
{
	const phn_campaign_summary *s = &r->sum;
	char num[64];

	put("{", 1, o);
	j_key(o, "journal", 1);
	json_string(o, r->path);
	snprintf(num, sizeof num, "%d", s->schema_version);
	j_key(o, "schema_version", 0);
	puts_(o, num);
	j_key(o, "loaded", 0);
	puts_(o, s->loaded ? "true" : "false");
	j_str(o, "list_name", s->list_name);
	j_str(o, "list_sha256", s->list_sha256);
	j_str(o, "campaign_id", s->campaign_id);
	j_time(o, "created_at", s->created_at);
	j_u64(o, "rows", s->rows);
	j_key(o, "states", 0);
	put("{", 1, o);
	for (int st = 0; st < J_STATE_COUNT; st++) {
		j_key(o, journal_state_name((jstate)st), st == 0);
		snprintf(num, sizeof num, "%" PRIu64, r->state[st]);
		puts_(o, num);
	}
	put("}", 1, o);
	j_u64(o, "attempts", s->attempts);
	j_u64(o, "call_attempts", s->call_attempts);
	j_u64(o, "runs", s->runs);
	j_u64(o, "runs_unfinished", s->runs_unfinished);
	j_key(o, "last_run", 0);
	if (s->runs) {
		put("{", 1, o);
		j_key(o, "started_at", 1);
		if (s->last_run_started_at) {
			char t[40];

			format_time(t, sizeof t, s->last_run_started_at);
			json_string(o, t);
		} else {
			puts_(o, "null");
		}
		j_time(o, "ended_at", s->last_run_ended_at);
		j_key(o, "result", 0);
		if (s->last_run_result[0])
			json_string(o, s->last_run_result);
		else
			puts_(o, "null");
		put("}", 1, o);
	} else {
		puts_(o, "null");
	}
	j_key(o, "results", 0);
	put("{", 1, o);
	j_key(o, "accepted", 1);
	snprintf(num, sizeof num, "%" PRIu64, s->accepted);
	puts_(o, num);
	j_u64(o, "delivered", s->delivered);
	j_u64(o, "not_delivered", s->not_delivered);
	j_u64(o, "awaiting_result", s->awaiting_result);
	j_u64(o, "talk_time_s", s->talk_time_s);
	j_key(o, "average_talk_time_s", 0);
	if (s->delivered) {
		snprintf(num, sizeof num, "%.1f", (double)s->talk_time_s / (double)s->delivered);
		puts_(o, num);
	} else {
		puts_(o, "null");
	}
	j_u64(o, "events", s->events);
	j_u64(o, "orphans", s->orphans);
	j_u64(o, "other_types", s->other_types);
	j_tallies(o, "call_output", &r->hist[HIST_CALL_OUTPUT]);
	j_tallies(o, "sentiment", &r->hist[HIST_SENTIMENT]);
	j_tallies(o, "refused", &r->refusals);
	j_u64(o, "refused_total", s->refused);
	put("}}\n", 3, o);
}

int phn_campaign_report_write_summary(const phn_campaign_report *r, phn_write_cb write,
				      void *payload)
{
	struct out o;

	if (!r || !write)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_write_summary: %s is NULL",
				     r ? "write" : "the report");
	memset(&o, 0, sizeof o);
	o.write = write;
	o.payload = payload;
	o.format = PHN_CAMPAIGN_FORMAT_JSON;
	o.path = r->path;
	if (!(o.buf = malloc(WRITE_BLOCK)))
		return phn_error_code(PHN_ENOMEM);
	write_summary_json(&o, r);
	flush(&o);
	free(o.buf);
	return o.failed ? PHN_EIO : PHN_OK;
}

int phn_campaign_report_write(phn_campaign_report *r, phn_campaign_format format,
			      phn_write_cb write, void *payload, unsigned int flags)
{
	struct out o;
	int rc;

	if (!r || !write)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_write: %s is NULL",
				     r ? "write" : "the report");
	if (format != PHN_CAMPAIGN_FORMAT_CSV && format != PHN_CAMPAIGN_FORMAT_JSON)
		return phn_error_set(PHN_EINVAL, "%d is not a phn_campaign_format", (int)format);
	if (flags & ~(unsigned int)PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS)
		return phn_error_set(PHN_EINVAL, "phn_campaign_report_write: unknown flags 0x%x",
				     flags & ~(unsigned int)PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS);
	memset(&o, 0, sizeof o);
	o.write = write;
	o.payload = payload;
	o.format = format;
	o.flags = format == PHN_CAMPAIGN_FORMAT_CSV ? flags : 0;
	o.path = r->path;
	if (!(o.buf = malloc(WRITE_BLOCK)))
		return phn_error_code(PHN_ENOMEM);
	if (format == PHN_CAMPAIGN_FORMAT_CSV) {
		for (size_t i = 0; i < NCOLUMNS; i++) {
			if (i)
				put(",", 1, &o);
			puts_(&o, columns[i]);
		}
		put("\n", 1, &o);
	}
	rc = journal_each_row(r->j, on_row, &o);
	if (rc == PHN_OK)
		flush(&o);
	if (rc == PHN_OK && o.failed)
		rc = PHN_EIO; /* the message was set where it failed */
	free(o.buf);
	return rc;
}
