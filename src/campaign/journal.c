/*
 * The journal interface (journal.h): names of states and steps, argument
 * checks every backend would repeat, and the dispatch to the backend.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#include <string.h>

#include "phonenorm/common.h"
#include "campaign/journal_backend.h"
#include "text/error.h"

static const char *const state_names[J_STATE_COUNT] = {
	"pending", "sending", "accepted", "rejected", "failed",
	"unknown", "waiting", "suppressed", "duplicate", "invalid",
};

const char *journal_state_name(jstate s)
{
	return (unsigned int)s < J_STATE_COUNT ? state_names[s] : NULL;
}

int journal_state_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < J_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0)
			return i;
	}
	return -1;
}

const char *journal_step_name(jstep s)
{
	switch (s) {
	case J_STEP_CONTACT: return "contact";
	case J_STEP_INVOICE: return "invoice";
	case J_STEP_CALL: return "call";
	}
	return NULL;
}

#define CHECK_J(j, fn) \
	do { \
		if (!(j)) \
			return phn_error_set(PHN_EINVAL, fn ": the journal is NULL"); \
	} while (0)

int journal_open(journal **out, const char *path, unsigned int flags)
{
	if (!out)
		return phn_error_set(PHN_EINVAL, "journal_open: out is NULL");
	*out = NULL;
	if (!path || !path[0])
		return phn_error_set(PHN_EINVAL, "journal_open: no path");
	if ((flags & J_OPEN_READONLY) && (flags & (J_OPEN_DIAL | J_OPEN_CREATE | J_OPEN_RECEIVER)))
		return phn_error_set(PHN_EINVAL, "journal '%s': a read-only open cannot create "
				     "it, take the dial lock or record results", path);
	if ((flags & J_OPEN_RECEIVER) && (flags & (J_OPEN_DIAL | J_OPEN_CREATE)))
		return phn_error_set(PHN_EINVAL, "journal '%s': the receiver of call results "
				     "never creates a journal nor takes the dial lock", path);
	/* The one backend there is. A PostgreSQL one is chosen here by its
	 * "postgresql://" path when it exists. */
	return journal_sqlite_ops.open(out, path, flags);
}

void journal_close(journal *j)
{
	if (j)
		j->ops->close(j);
}

int journal_meta_get(journal *j, const char *key, const char **value)
{
	CHECK_J(j, "journal_meta_get");
	if (!key || !value)
		return phn_error_set(PHN_EINVAL, "journal_meta_get: %s is NULL",
				     key ? "value" : "key");
	*value = NULL;
	return j->ops->meta_get(j, key, value);
}

int journal_meta_set(journal *j, const char *key, const char *value)
{
	CHECK_J(j, "journal_meta_set");
	if (!key)
		return phn_error_set(PHN_EINVAL, "journal_meta_set: key is NULL");
	return j->ops->meta_set(j, key, value);
}

int journal_load_begin(journal *j)
{
	CHECK_J(j, "journal_load_begin");
	return j->ops->load_begin(j);
}

int journal_load_row(journal *j, const struct jrow *row)
{
	CHECK_J(j, "journal_load_row");
	if (!row)
		return phn_error_set(PHN_EINVAL, "journal_load_row: row is NULL");
	if (row->state != J_PENDING && row->state != J_SUPPRESSED && row->state != J_DUPLICATE &&
	    row->state != J_INVALID)
		return phn_error_set(PHN_EINVAL, "journal_load_row: line %llu: a row is loaded as "
				     "pending, suppressed, duplicate or invalid, not %s",
				     (unsigned long long)row->line,
				     journal_state_name(row->state) ? journal_state_name(row->state)
								    : "an unknown state");
	if (row->line == 0 || row->line > (uint64_t)INT64_MAX)
		return phn_error_set(PHN_EINVAL, "journal_load_row: line %llu is out of range",
				     (unsigned long long)row->line);
	return j->ops->load_row(j, row);
}

int journal_load_end(journal *j)
{
	CHECK_J(j, "journal_load_end");
	return j->ops->load_end(j);
}

int journal_run_begin(journal *j, int64_t now_ms, const char *mode, int64_t *run_id)
{
	CHECK_J(j, "journal_run_begin");
	if (!mode || !run_id)
		return phn_error_set(PHN_EINVAL, "journal_run_begin: %s is NULL",
				     mode ? "run_id" : "mode");
	return j->ops->run_begin(j, now_ms, mode, run_id);
}

int journal_run_end(journal *j, int64_t run_id, int64_t now_ms, const char *result)
{
	CHECK_J(j, "journal_run_end");
	return j->ops->run_end(j, run_id, now_ms, result);
}

int journal_recover(journal *j, int64_t now_ms, uint64_t *n)
{
	CHECK_J(j, "journal_recover");
	return j->ops->recover(j, now_ms, n);
}

int journal_requeue_unknown(journal *j, unsigned int max_attempts, uint64_t *n)
{
	CHECK_J(j, "journal_requeue_unknown");
	return j->ops->requeue_unknown(j, max_attempts, n);
}

int journal_suppress(journal *j, const uint64_t *keys, size_t n, const char *digest,
		     int64_t now_ms, uint64_t *changed)
{
	CHECK_J(j, "journal_suppress");
	if ((n && !keys) || !digest)
		return phn_error_set(PHN_EINVAL, "journal_suppress: %s is NULL",
				     digest ? "keys" : "digest");
	return j->ops->suppress(j, keys, n, digest, now_ms, changed);
}

int journal_requeue_for_run(journal *j, unsigned int max_attempts, uint64_t *n)
{
	CHECK_J(j, "journal_requeue_for_run");
	return j->ops->requeue_for_run(j, max_attempts, n);
}

int journal_ready(journal *j, struct jwork *out, size_t cap, size_t *n, uint64_t after_line,
		  int64_t now_ms)
{
	CHECK_J(j, "journal_ready");
	if (!n || (!out && cap))
		return phn_error_set(PHN_EINVAL, "journal_ready: %s is NULL", n ? "out" : "n");
	*n = 0;
	if (after_line > (uint64_t)INT64_MAX)
		return PHN_OK;
	return j->ops->ready(j, out, cap, n, after_line, now_ms);
}

int journal_defer(journal *j, const uint64_t *lines, const int64_t *next_at, size_t n,
		  jstate state, int64_t now_ms)
{
	CHECK_J(j, "journal_defer");
	if (n && (!lines || !next_at))
		return phn_error_set(PHN_EINVAL, "journal_defer: %s is NULL",
				     lines ? "next_at" : "lines");
	if (state != J_PENDING && state != J_WAITING)
		return phn_error_set(PHN_EINVAL, "journal_defer: rows are deferred as pending or "
				     "waiting, not %s", journal_state_name(state) ?
				     journal_state_name(state) : "an unknown state");
	return j->ops->defer(j, lines, next_at, n, state, now_ms);
}

static int check_sends(const struct jsend *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!items[i].dispatch_id || !items[i].dispatch_id[0] ||
		    !journal_step_name(items[i].step))
			return phn_error_set(PHN_EINVAL, "journal_mark_sending: line %llu: %s",
					     (unsigned long long)items[i].line,
					     journal_step_name(items[i].step) ? "no dispatch id"
									      : "unknown step");
	}
	return PHN_OK;
}

int journal_mark_sending(journal *j, int64_t run_id, const struct jsend *items, size_t n,
			 int64_t now_ms)
{
	CHECK_J(j, "journal_mark_sending");
	if (n && !items)
		return phn_error_set(PHN_EINVAL, "journal_mark_sending: items is NULL");
	int rc = check_sends(items, n);
	if (rc < 0)
		return rc;
	return j->ops->mark_sending(j, run_id, items, n, now_ms);
}

static int check_outcomes(const struct joutcome *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!items[i].dispatch_id || !items[i].outcome || !journal_state_name(items[i].state))
			return phn_error_set(PHN_EINVAL, "journal_record: line %llu: %s",
					     (unsigned long long)items[i].line,
					     !items[i].dispatch_id ? "no dispatch id"
					     : !items[i].outcome   ? "no outcome"
								   : "unknown state");
	}
	return PHN_OK;
}

int journal_record_and_mark(journal *j, const struct joutcome *done, size_t ndone,
			    int64_t run_id, const struct jsend *items, size_t nitems,
			    int64_t now_ms)
{
	int rc;

	CHECK_J(j, "journal_record_and_mark");
	if ((ndone && !done) || (nitems && !items))
		return phn_error_set(PHN_EINVAL, "journal_record_and_mark: %s is NULL",
				     ndone && !done ? "done" : "items");
	if ((rc = check_outcomes(done, ndone)) != PHN_OK || (rc = check_sends(items, nitems)) != PHN_OK)
		return rc;
	return j->ops->record_and_mark(j, done, ndone, run_id, items, nitems, now_ms);
}

int journal_record(journal *j, const struct joutcome *items, size_t n, int64_t now_ms)
{
	CHECK_J(j, "journal_record");
	if (n && !items)
		return phn_error_set(PHN_EINVAL, "journal_record: items is NULL");
	int rc = check_outcomes(items, n);
	if (rc < 0)
		return rc;
	return j->ops->record(j, items, n, now_ms);
}

int journal_counts(journal *j, struct jcounts *out)
{
	CHECK_J(j, "journal_counts");
	if (!out)
		return phn_error_set(PHN_EINVAL, "journal_counts: out is NULL");
	memset(out, 0, sizeof *out);
	return j->ops->counts(j, out);
}

int journal_read_begin(journal *j)
{
	CHECK_J(j, "journal_read_begin");
	return j->ops->read_begin(j);
}

void journal_read_end(journal *j)
{
	if (j)
		j->ops->read_end(j);
}

int journal_next_wake(journal *j, int64_t *at_ms)
{
	CHECK_J(j, "journal_next_wake");
	if (!at_ms)
		return phn_error_set(PHN_EINVAL, "journal_next_wake: at_ms is NULL");
	*at_ms = 0;
	return j->ops->next_wake(j, at_ms);
}

int journal_runs(journal *j, struct jruns *out)
{
	CHECK_J(j, "journal_runs");
	if (!out)
		return phn_error_set(PHN_EINVAL, "journal_runs: out is NULL");
	memset(out, 0, sizeof *out);
	return j->ops->runs(j, out);
}

int journal_each_row(journal *j, int (*cb)(const struct jreport_row *row, void *payload),
		     void *payload)
{
	CHECK_J(j, "journal_each_row");
	if (!cb)
		return phn_error_set(PHN_EINVAL, "journal_each_row: cb is NULL");
	return j->ops->each_row(j, cb, payload);
}

/* ---- call results ------------------------------------------------------- */

int journal_results(journal *j, struct jresults *out)
{
	CHECK_J(j, "journal_results");
	if (!out)
		return phn_error_set(PHN_EINVAL, "journal_results: out is NULL");
	memset(out, 0, sizeof *out);
	return j->ops->results(j, out);
}

int journal_each_histogram(journal *j, const char *column,
			   int (*cb)(const char *value, uint64_t n, void *payload), void *payload)
{
	CHECK_J(j, "journal_each_histogram");
	if (!cb || !column)
		return phn_error_set(PHN_EINVAL, "journal_each_histogram: %s is NULL",
				     cb ? "column" : "cb");
	if (strcmp(column, "call_output") != 0 && strcmp(column, "sentiment") != 0)
		return phn_error_set(PHN_EINVAL, "journal_each_histogram: no histogram of '%.40s' "
				     "(call_output or sentiment)", column);
	return j->ops->each_histogram(j, column, cb, payload);
}

int journal_each_refusal(journal *j,
			 int (*cb)(const char *reason, uint64_t n, int64_t last_at, void *payload),
			 void *payload)
{
	CHECK_J(j, "journal_each_refusal");
	if (!cb)
		return phn_error_set(PHN_EINVAL, "journal_each_refusal: cb is NULL");
	return j->ops->each_refusal(j, cb, payload);
}

/* Far enough for any gap a person asks for, near enough that result_at +
 * gap never overflows. */
#define GAP_MAX_MS ((int64_t)1000 * 86400 * 366 * 1000)

static int check_gap(int64_t *gap_ms, const char *fn)
{
	if (*gap_ms < 0)
		return phn_error_set(PHN_EINVAL, "%s: the gap is negative", fn);
	if (*gap_ms > GAP_MAX_MS)
		*gap_ms = GAP_MAX_MS;
	return PHN_OK;
}

int journal_redial_count(journal *j, unsigned int max_attempts, int64_t gap_ms, int64_t now_ms,
			 uint64_t *due, uint64_t *later, int64_t *next_due_ms)
{
	uint64_t d = 0, l = 0;
	int64_t next = 0;
	int rc;

	CHECK_J(j, "journal_redial_count");
	if ((rc = check_gap(&gap_ms, "journal_redial_count")) != PHN_OK)
		return rc;
	rc = j->ops->redial_count(j, max_attempts, gap_ms, now_ms, &d, &l, &next);
	if (rc != PHN_OK)
		d = l = 0, next = 0;
	if (due)
		*due = d;
	if (later)
		*later = l;
	if (next_due_ms)
		*next_due_ms = l ? next : 0;
	return rc;
}

int journal_requeue_undelivered(journal *j, unsigned int max_attempts, int64_t gap_ms,
				int64_t now_ms, uint64_t *n)
{
	int rc;

	CHECK_J(j, "journal_requeue_undelivered");
	if (n)
		*n = 0;
	if ((rc = check_gap(&gap_ms, "journal_requeue_undelivered")) != PHN_OK)
		return rc;
	return j->ops->requeue_undelivered(j, max_attempts, gap_ms, now_ms, n);
}

int journal_record_events(journal *j, const struct jevent *ev, size_t n,
			  phn_receiver_outcome *out, const char *const *refusal_reasons,
			  const uint64_t *refusal_counts, size_t nref, int64_t now_ms)
{
	CHECK_J(j, "journal_record_events");
	if (n && (!ev || !out))
		return phn_error_set(PHN_EINVAL, "journal_record_events: %s is NULL",
				     ev ? "out" : "ev");
	if (nref && (!refusal_reasons || !refusal_counts))
		return phn_error_set(PHN_EINVAL, "journal_record_events: the refusals are NULL");
	for (size_t i = 0; i < n; i++) {
		if (!ev[i].svix_id || !ev[i].svix_id[0] || !ev[i].type ||
		    (!ev[i].payload && ev[i].payload_len))
			return phn_error_set(PHN_EINVAL, "journal_record_events: event %zu: %s", i,
					     !ev[i].svix_id || !ev[i].svix_id[0] ? "no svix-id"
					     : !ev[i].type			  ? "no type"
										  : "no payload");
	}
	for (size_t i = 0; i < nref; i++) {
		if (!refusal_reasons[i])
			return phn_error_set(PHN_EINVAL, "journal_record_events: refusal %zu has "
					     "no reason", i);
	}
	return j->ops->record_events(j, ev, n, out, refusal_reasons, refusal_counts, nref,
				     now_ms);
}
