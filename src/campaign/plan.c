/*
 * The plan of a run, for dry runs: from the journal when it holds the list
 * (what a resumed run would do), else from the list itself, streamed
 * through the same cleaner and mapping as a load. Sends nothing, writes
 * nothing.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* getrandom, strdup, strndup, clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/dialer_internal.h"
#include "text/error.h"

#define PLAN_REQUESTS 3

struct plan_skip {
	char *reason;
	uint64_t count;
};

struct plan_window {
	char region[8];
	uint64_t rows;
	int open;         /* open now for every row of the region */
	int64_t opens_ms; /* earliest opening among its closed rows */
};

struct phn_dial_plan {
	uint64_t rows, to_call, done, skipped;
	double eta_seconds;
	struct plan_skip *skips;
	size_t nskips;
	phn_dispatch_request *req[PLAN_REQUESTS];
	uint64_t req_line[PLAN_REQUESTS];
	size_t nreq;
	struct plan_window *win;
	size_t nwin;
	/* --redial undelivered: due now, later, the first later one */
	uint64_t redial_due, redial_later;
	int64_t redial_next_ms;
};

struct planning {
	phn_dialer *dl;
	phn_dial_plan *p;
	struct dl_wcache wc;
	int64_t now;
	int err;
};

static int add_skip(phn_dial_plan *p, const char *reason, uint64_t n)
{
	struct plan_skip *s;

	if (n == 0)
		return PHN_OK;
	for (size_t i = 0; i < p->nskips; i++) {
		if (strcmp(p->skips[i].reason, reason) == 0) {
			p->skips[i].count += n;
			return PHN_OK;
		}
	}
	if (!(s = realloc(p->skips, (p->nskips + 1) * sizeof *s)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	p->skips = s;
	if (!(s[p->nskips].reason = strdup(reason)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	s[p->nskips++].count = n;
	return PHN_OK;
}

/* A row that would be called: its window, and one of the first requests. */
static int plan_row(struct planning *g, uint64_t line, const char *e164, const char *region,
		    const char *zones, const char *fields, const char *contact_uuid,
		    const char *invoice_uuid)
{
	phn_dial_plan *p = g->p;
	struct plan_window *w = NULL;
	struct dl_wentry *we;
	const char *reg = region && region[0] ? region : "none";
	int rc;

	p->to_call++;
	if ((rc = dl_window_check(&we, &g->wc, g->dl, region, zones, g->now)) != PHN_OK)
		return rc;
	for (size_t i = 0; i < p->nwin; i++)
		if (strcmp(p->win[i].region, reg) == 0)
			w = &p->win[i];
	if (!w) {
		struct plan_window *nw = realloc(p->win, (p->nwin + 1) * sizeof *nw);
		if (!nw)
			return phn_error_set(PHN_ENOMEM, "out of memory");
		p->win = nw;
		w = &nw[p->nwin++];
		memset(w, 0, sizeof *w);
		snprintf(w->region, sizeof w->region, "%s", reg);
		w->open = 1;
	}
	w->rows++;
	if (!we->open) {
		w->open = 0;
		if (we->change_ms && (!w->opens_ms || we->change_ms < w->opens_ms))
			w->opens_ms = we->change_ms;
	}
	if (p->nreq < PLAN_REQUESTS) {
		struct dl_req q;
		char id[40];
		jstep step = dl_next_step(g->dl, fields, contact_uuid, invoice_uuid);
		phn_dispatch_request *req = NULL;

		if ((rc = dl_uuid4(id)) != PHN_OK)
			return rc;
		rc = dl_req_build(&q, g->dl, step, e164, region, fields, contact_uuid, id);
		if (rc == PHN_OK) {
			switch (step) {
			case J_STEP_CONTACT:
				rc = phn_dispatch_describe_contact(&req, g->dl->d, &q.contact);
				break;
			case J_STEP_INVOICE:
				rc = phn_dispatch_describe_invoice(&req, g->dl->d, &q.invoice);
				break;
			default:
				rc = phn_dispatch_describe_call(&req, g->dl->d, &q.call);
				break;
			}
		}
		dl_req_dispose(&q);
		if (rc == PHN_OK) {
			p->req_line[p->nreq] = line;
			p->req[p->nreq++] = req;
		} else if (rc == PHN_ENOMEM) {
			return rc;
		} else {
			/* The live run would record it rejected: say so in the plan. */
			char why[512];

			snprintf(why, sizeof why, "request refused (line %llu): %s",
				 (unsigned long long)line, phn_error_last());
			if ((rc = add_skip(p, why, 1)) != PHN_OK)
				return rc;
		}
	}
	return PHN_OK;
}

static int on_list_row(const struct jrow *row, void *payload)
{
	struct planning *g = payload;
	phn_dial_plan *p = g->p;
	char reason[96];

	p->rows++;
	switch (row->state) {
	case J_PENDING:
		return plan_row(g, row->line, row->e164, row->region, row->zones, row->fields_json,
				NULL, NULL);
	case J_DUPLICATE:
		p->skipped++;
		return add_skip(p, "duplicate", 1);
	case J_SUPPRESSED:
		p->skipped++;
		return add_skip(p, "suppressed", 1);
	default:
		p->skipped++;
		snprintf(reason, sizeof reason, "invalid:%s", row->reason ? row->reason : "?");
		return add_skip(p, reason, 1);
	}
}

/* A journal row on the --suppress list of this run (keys are the E.164
 * digits as a number, as the cleaner's). */
static int on_dnc(const phn_dialer *dl, const char *e164)
{
	int found = 0;

	if (!dl->clean.suppress || !e164 || e164[0] != '+')
		return 0;
	phn_dedupe_set_contains(&found, NULL, dl->clean.suppress, strtoull(e164 + 1, NULL, 10));
	return found;
}

/* A row the live run would redial (journal_requeue_undelivered's rule:
 * accepted, latest result "fail", under max_attempts, gap passed). */
struct redial_walk {
	struct planning *g;
	int64_t gap_ms;
	uint64_t seen;
};

static int on_redial_row(const struct jreport_row *r, void *payload)
{
	struct redial_walk *w = payload;
	struct planning *g = w->g;
	const phn_dialer *dl = g->dl;

	if (r->state != J_ACCEPTED || !r->delivery_status || strcmp(r->delivery_status, "fail") != 0)
		return 0;
	if (dl->max_attempts && r->attempts >= dl->max_attempts)
		return 0;
	if (r->result_at > g->now - w->gap_ms)
		return 0;
	w->seen++;
	if (on_dnc(dl, r->e164)) {
		g->p->skipped++;
		return add_skip(g->p, "suppressed (newly on the do-not-call list)", 1);
	}
	return plan_row(g, r->line, r->e164, r->region, r->zones, r->fields_json, r->contact_uuid,
			r->invoice_uuid);
}

/* The redial counts of the plan, from the journal (the same query as the
 * live run's requeue). */
static int redial_count(struct planning *g)
{
	phn_dialer *dl = g->dl;
	phn_dial_plan *p = g->p;

	if (!(dl->redial_flags & PHN_DIAL_REDIAL_UNDELIVERED))
		return PHN_OK;
	return journal_redial_count(dl->j, dl->max_attempts, dl->redial_after_ms, g->now,
				    &p->redial_due, &p->redial_later, &p->redial_next_ms);
}

/* The due rows planned as the run would send them: after the pending ones
 * in the plan's first requests (the run requeues them as pending, and
 * pending rows go in line order: a preview, not the exact order). */
static int plan_redial(struct planning *g)
{
	phn_dialer *dl = g->dl;
	phn_dial_plan *p = g->p;
	struct redial_walk w;
	int rc;

	if (p->redial_due == 0)
		return PHN_OK;
	memset(&w, 0, sizeof w);
	w.g = g;
	w.gap_ms = dl->redial_after_ms;
	if ((rc = journal_each_row(dl->j, on_redial_row, &w)) != PHN_OK)
		return rc;
	if (w.seen != p->redial_due)
		return phn_error_set(PHN_EINTERNAL, "journal '%s': %llu rows to redial counted, "
				     "%llu found", dl->journal_path,
				     (unsigned long long)p->redial_due, (unsigned long long)w.seen);
	return PHN_OK;
}

static int plan_reads(struct planning *g)
{
	phn_dialer *dl = g->dl;
	phn_dial_plan *p = g->p;
	struct jcounts c;
	struct jwork buf[256];
	uint64_t after = 0, redial, accepted;
	size_t n;
	int rc;

	memset(&c, 0, sizeof c);
	if ((rc = journal_counts(dl->j, &c)) != PHN_OK || (rc = redial_count(g)) != PHN_OK)
		return rc;
	redial = p->redial_due;
	/* The due rows are accepted ones in the same snapshot; never wrap. */
	accepted = c.state[J_ACCEPTED] > redial ? c.state[J_ACCEPTED] - redial : 0;
	p->rows = c.rows;
	p->skipped = c.state[J_INVALID] + c.state[J_DUPLICATE] + c.state[J_SUPPRESSED];
	if ((rc = add_skip(p, "invalid", c.state[J_INVALID])) != PHN_OK ||
	    (rc = add_skip(p, "duplicate", c.state[J_DUPLICATE])) != PHN_OK ||
	    (rc = add_skip(p, "suppressed", c.state[J_SUPPRESSED])) != PHN_OK ||
	    (rc = add_skip(p, "accepted", accepted)) != PHN_OK ||
	    (rc = add_skip(p, "rejected", c.state[J_REJECTED])) != PHN_OK ||
	    (rc = add_skip(p, (dl->flags & PHN_DIAL_RETRY_UNKNOWN) ? "unknown (re-sent: --retry-unknown)"
				: "unknown (not re-sent without --retry-unknown)",
			   c.state[J_UNKNOWN] + c.state[J_SENDING])) != PHN_OK ||
	    (rc = add_skip(p, "failed (retried when under --max-attempts)", c.state[J_FAILED])) != PHN_OK)
		return rc;
	p->done = accepted + c.state[J_REJECTED] + c.state[J_FAILED] +
		  c.state[J_UNKNOWN] + c.state[J_SENDING];
	/* Every pending or waiting row, whatever its next_at. */
	for (;;) {
		if ((rc = journal_ready(dl->j, buf, 256, &n, after, INT64_MAX)) != PHN_OK)
			return rc;
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			after = buf[i].line;
			if (buf[i].requeued_unknown && !(dl->flags & PHN_DIAL_RETRY_UNKNOWN)) {
				/* A live run makes it unknown again first (not re-sent). */
				p->skipped++;
				if ((rc = add_skip(p, "unknown (not re-sent without --retry-unknown)",
						   1)) != PHN_OK)
					return rc;
				continue;
			}
			if (on_dnc(dl, buf[i].e164)) {
				/* The live run suppresses it first (apply_suppress). */
				p->skipped++;
				if ((rc = add_skip(p, "suppressed (newly on the do-not-call list)",
						   1)) != PHN_OK)
					return rc;
				continue;
			}
			if ((rc = plan_row(g, buf[i].line, buf[i].e164, buf[i].region, buf[i].zones,
					   buf[i].fields_json, buf[i].contact_uuid,
					   buf[i].invoice_uuid)) != PHN_OK)
				return rc;
		}
	}
	return plan_redial(g);
}

/* Every read of the plan in one snapshot: `phonenorm webhook` may commit
 * results beside it, and the counts, the redial count and the walks must
 * agree (else a due row counted and not found, or more due rows than
 * accepted ones). */
static int plan_from_journal(struct planning *g)
{
	int rc;

	if ((rc = journal_read_begin(g->dl->j)) != PHN_OK)
		return rc;
	rc = plan_reads(g);
	journal_read_end(g->dl->j);
	return rc;
}

int phn_dialer_plan(phn_dial_plan **out, phn_dialer *dl)
{
	struct planning *g;
	phn_dial_plan *p;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_dialer_plan: out is NULL");
	*out = NULL;
	if (!dl)
		return phn_error_set(PHN_EINVAL, "phn_dialer_plan: dl is NULL");
	if (!(p = calloc(1, sizeof *p)) || !(g = calloc(1, sizeof *g))) {
		free(p);
		return phn_error_set(PHN_ENOMEM, "out of memory");
	}
	g->dl = dl;
	g->p = p;
	g->now = dl_now_ms(dl);
	if (dl->j && dl->loaded)
		rc = plan_from_journal(g);
	else
		rc = dl_scan_list(dl, NULL, on_list_row, g);
	free(g);
	if (rc != PHN_OK) {
		phn_dial_plan_free(p);
		return rc;
	}
	if (dl->rate > 0)
		p->eta_seconds = (double)p->to_call * (dl_invoice_flow(dl) ? 3.0 : 1.0) / dl->rate;
	else
		p->eta_seconds = -1;
	*out = p;
	return PHN_OK;
}

void phn_dial_plan_free(phn_dial_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nskips; i++)
		free(p->skips[i].reason);
	free(p->skips);
	for (size_t i = 0; i < p->nreq; i++)
		phn_dispatch_request_free(p->req[i]);
	free(p->win);
	free(p);
}

int phn_dial_plan_counts(uint64_t *rows, uint64_t *to_call, uint64_t *done, uint64_t *skipped,
			 double *eta_seconds, const phn_dial_plan *p)
{
	if (!p)
		return phn_error_set(PHN_EINVAL, "phn_dial_plan_counts: plan is NULL");
	if (rows)
		*rows = p->rows;
	if (to_call)
		*to_call = p->to_call;
	if (done)
		*done = p->done;
	if (skipped)
		*skipped = p->skipped;
	if (eta_seconds)
		*eta_seconds = p->eta_seconds;
	return PHN_OK;
}

int phn_dial_plan_skipped(const char **reason, uint64_t *count, const phn_dial_plan *p, size_t i)
{
	if (!p)
		return phn_error_set(PHN_EINVAL, "phn_dial_plan_skipped: plan is NULL");
	if (i >= p->nskips)
		return phn_error_set(PHN_ENOTFOUND, "skip reason %zu: the plan has %zu", i, p->nskips);
	if (reason)
		*reason = p->skips[i].reason;
	if (count)
		*count = p->skips[i].count;
	return PHN_OK;
}

int phn_dial_plan_redial(uint64_t *due, uint64_t *later, int64_t *next_due_ms,
			 const phn_dial_plan *p)
{
	if (!p)
		return phn_error_set(PHN_EINVAL, "phn_dial_plan_redial: plan is NULL");
	if (due)
		*due = p->redial_due;
	if (later)
		*later = p->redial_later;
	if (next_due_ms)
		*next_due_ms = p->redial_next_ms;
	return PHN_OK;
}

const phn_dispatch_request *phn_dial_plan_request(uint64_t *line, const phn_dial_plan *p, size_t i)
{
	if (!p || i >= p->nreq)
		return NULL;
	if (line)
		*line = p->req_line[i];
	return p->req[i];
}

int phn_dial_plan_window(const char **region, uint64_t *rows, int *open, int64_t *opens_ms,
			 const phn_dial_plan *p, size_t i)
{
	if (!p)
		return phn_error_set(PHN_EINVAL, "phn_dial_plan_window: plan is NULL");
	if (i >= p->nwin)
		return phn_error_set(PHN_ENOTFOUND, "window %zu: the plan has %zu", i, p->nwin);
	if (region)
		*region = p->win[i].region;
	if (rows)
		*rows = p->win[i].rows;
	if (open)
		*open = p->win[i].open;
	if (opens_ms)
		*opens_ms = p->win[i].open ? 0 : p->win[i].opens_ms;
	return PHN_OK;
}
