/*
 * The webhook receiver's side of the journal (campaign.h, "call results"):
 * events from many threads (one per HTTP connection) written in group
 * commits.
 *
 * A caller of phn_campaign_receiver_record() parses its event in its own
 * thread, queues it and waits. One writer thread takes everything queued,
 * writes it with journal_record_events() in one transaction (synchronous
 * FULL: one fsync for the group), then wakes every caller of the group with
 * its outcome, or with PHN_EIO when the transaction failed (the server then
 * answers 503 and the sender retries: nothing is acknowledged that is not
 * durable). While one group is being written the next one gathers, so the
 * fsyncs per second stay bounded and the events per second grow with the
 * number of senders.
 *
 * Refused deliveries are counted in memory and written with the next group,
 * at least once a second while any are pending, and at close.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* clock_gettime, strdup */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonenorm/campaign.h"
#include "campaign/journal.h"
#include "campaign/result.h"
#include "text/error.h"

/* Distinct refusal reasons kept apart; more (not expected: the server's
 * reasons are a fixed set) are counted under "other". */
#define REFUSAL_REASONS_MAX 64
/* The longest wait for refusal counts to be written. */
#define REFUSAL_FLUSH_MS 1000

/* One caller's event, on its stack while it waits. */
struct pending {
	struct jevent ev;
	char *buf;                   /* result_parse()'s strings */
	phn_receiver_outcome outcome;
	int rc;
	int done;
	struct pending *next;
};

struct refusal {
	char *reason;
	uint64_t count; /* not written yet */
};

struct phn_campaign_receiver {
	journal *j;
	pthread_mutex_t mu;
	pthread_cond_t work; /* the writer: something to write, or closing */
	pthread_cond_t done; /* the callers: a group was written */
	pthread_t writer;
	int writer_started;
	int closing;
	struct pending *head, **tail;
	size_t queued;
	struct refusal ref[REFUSAL_REASONS_MAX];
	size_t nref;
	uint64_t ref_unwritten;
	phn_receiver_stats stats;
	char error[512];     /* the last failed write's message, for its callers */
	/* The writer's own (no lock needed). */
	struct jevent *evs;
	phn_receiver_outcome *outs;
	size_t cap;
	const char *names[REFUSAL_REASONS_MAX];
	uint64_t counts[REFUSAL_REASONS_MAX];
};

const char *phn_receiver_outcome_name(phn_receiver_outcome o)
{
	switch (o) {
	case PHN_RECEIVER_APPLIED: return "applied";
	case PHN_RECEIVER_SUPERSEDED: return "superseded";
	case PHN_RECEIVER_ORPHAN: return "orphan";
	case PHN_RECEIVER_OTHER_TYPE: return "other_type";
	case PHN_RECEIVER_DUPLICATE: return "duplicate";
	}
	return NULL;
}

static int64_t wall_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void deadline_in(struct timespec *t, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Room for n events in the writer's arrays. */
static int grow(struct phn_campaign_receiver *rc, size_t n)
{
	struct jevent *e;
	phn_receiver_outcome *o;
	size_t cap = rc->cap ? rc->cap : 64;

	if (n <= rc->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(e = realloc(rc->evs, cap * sizeof *e)))
		return -1;
	rc->evs = e;
	if (!(o = realloc(rc->outs, cap * sizeof *o)))
		return -1;
	rc->outs = o;
	rc->cap = cap;
	return 0;
}

/* Write one group (the queue taken, refusal counts taken) and wake its
 * callers. Called and returns with the lock held; drops it while writing. */
static int write_group(struct phn_campaign_receiver *rc)
{
	struct pending *group = rc->head, *p;
	size_t n = rc->queued, nref = 0, i;
	int err;

	rc->head = NULL;
	rc->tail = &rc->head;
	rc->queued = 0;
	for (i = 0; i < rc->nref; i++) {
		if (!rc->ref[i].count)
			continue;
		rc->names[nref] = rc->ref[i].reason;
		rc->counts[nref++] = rc->ref[i].count;
		rc->ref[i].count = 0;
	}
	rc->ref_unwritten = 0;
	pthread_mutex_unlock(&rc->mu);

	if (grow(rc, n) != 0) {
		err = phn_error_set(PHN_ENOMEM, "out of memory for a group of %zu events", n);
	} else {
		for (i = 0, p = group; p; p = p->next, i++)
			rc->evs[i] = p->ev;
		err = journal_record_events(rc->j, rc->evs, n, rc->outs, rc->names, rc->counts,
					    nref, wall_ms());
	}

	pthread_mutex_lock(&rc->mu);
	if (err != PHN_OK) {
		snprintf(rc->error, sizeof rc->error, "%s", phn_error_last());
		/* The counts wait for the next group. */
		for (i = 0; i < nref; i++) {
			for (size_t k = 0; k < rc->nref; k++) {
				if (rc->ref[k].reason == rc->names[i]) {
					rc->ref[k].count += rc->counts[i];
					rc->ref_unwritten += rc->counts[i];
				}
			}
		}
	} else if (n || nref) {
		rc->stats.commits++;
	}
	for (i = 0, p = group; p; p = p->next, i++) {
		p->rc = err;
		if (err == PHN_OK) {
			p->outcome = rc->outs[i];
			switch (p->outcome) {
			case PHN_RECEIVER_APPLIED: rc->stats.applied++; break;
			case PHN_RECEIVER_SUPERSEDED: rc->stats.superseded++; break;
			case PHN_RECEIVER_ORPHAN: rc->stats.orphans++; break;
			case PHN_RECEIVER_OTHER_TYPE: rc->stats.other_types++; break;
			case PHN_RECEIVER_DUPLICATE: rc->stats.duplicates++; break;
			}
			if (p->outcome != PHN_RECEIVER_DUPLICATE)
				rc->stats.events++;
		}
		p->done = 1;
	}
	if (n)
		pthread_cond_broadcast(&rc->done);
	return err;
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * The writer. Left alone, a single writer splits steady senders into two
 * half groups: the callers a commit wakes come back while the next group
 * (the ones that arrived during that commit) is being written, and so on.
 * So after a commit it gathers: a group waits, up to twice the last
 * commit's time (GATHER_MAX_NS at most: an HTTP round trip from a 200 to
 * that sender's next event takes about a commit's time on a busy host), for
 * as many events as the last commit woke callers plus those already queued;
 * callers that do not come back cost that short wait once. Up to twice the
 * events per fsync under load; a lone sender never waits (its next event is
 * all that is expected).
 */
#define GATHER_MAX_NS 5000000

static void *writer_main(void *arg)
{
	struct phn_campaign_receiver *rc = arg;
	int flushed_at_close = 0;
	size_t expect = 0;
	int64_t gather_until = 0;

	pthread_mutex_lock(&rc->mu);
	for (;;) {
		size_t n;
		int64_t t0;

		if (!rc->head && !rc->closing) {
			if (rc->ref_unwritten) {
				struct timespec t;

				deadline_in(&t, REFUSAL_FLUSH_MS);
				while (!rc->head && !rc->closing &&
				       pthread_cond_timedwait(&rc->work, &rc->mu, &t) != ETIMEDOUT)
					;
			} else {
				pthread_cond_wait(&rc->work, &rc->mu);
				continue;
			}
		}
		if (rc->head && rc->queued < expect && !rc->closing) {
			int64_t left = gather_until - mono_ns();

			if (left > 0) {
				struct timespec t;

				clock_gettime(CLOCK_MONOTONIC, &t);
				t.tv_sec += left / 1000000000;
				t.tv_nsec += (long)(left % 1000000000);
				if (t.tv_nsec >= 1000000000L) {
					t.tv_sec++;
					t.tv_nsec -= 1000000000L;
				}
				while (rc->queued < expect && !rc->closing &&
				       pthread_cond_timedwait(&rc->work, &rc->mu, &t) != ETIMEDOUT)
					;
			}
		}
		if (!rc->head && rc->closing) {
			/* The counts get one try at close; then nothing waits. */
			if (!rc->ref_unwritten || flushed_at_close)
				break;
			flushed_at_close = 1;
		}
		if (!rc->head && !rc->ref_unwritten)
			continue;
		n = rc->queued;
		t0 = mono_ns();
		write_group(rc);
		/* Those that came during the commit, and those it woke; the
		 * window: twice the commit's time. */
		expect = rc->queued + n;
		t0 = (mono_ns() - t0) * 2;
		gather_until = mono_ns() + (t0 < GATHER_MAX_NS ? t0 : GATHER_MAX_NS);
	}
	pthread_mutex_unlock(&rc->mu);
	return NULL;
}

static void receiver_free(struct phn_campaign_receiver *rc)
{
	for (size_t i = 0; i < rc->nref; i++)
		free(rc->ref[i].reason);
	free(rc->evs);
	free(rc->outs);
	journal_close(rc->j);
	pthread_cond_destroy(&rc->work);
	pthread_cond_destroy(&rc->done);
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}

int phn_campaign_receiver_open(phn_campaign_receiver **out, const char *path)
{
	struct phn_campaign_receiver *rc;
	pthread_condattr_t ca;
	int err;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_campaign_receiver_open: out is NULL");
	*out = NULL;
	if (!path)
		return phn_error_set(PHN_EINVAL, "phn_campaign_receiver_open: path is NULL");
	if (!(rc = calloc(1, sizeof *rc)))
		return phn_error_code(PHN_ENOMEM);
	rc->tail = &rc->head;
	rc->stats.version = PHN_RECEIVER_STATS_VERSION;
	pthread_mutex_init(&rc->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rc->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&rc->done, NULL);
	if ((err = journal_open(&rc->j, path, J_OPEN_RECEIVER)) != PHN_OK) {
		receiver_free(rc);
		return err;
	}
	if ((err = pthread_create(&rc->writer, NULL, writer_main, rc)) != 0) {
		receiver_free(rc);
		return phn_error_set_errno(PHN_ENOMEM, err, "journal '%s': the writer thread", path);
	}
	rc->writer_started = 1;
	*out = rc;
	return PHN_OK;
}

int phn_campaign_receiver_record(phn_campaign_receiver *rc, const char *svix_id,
				 int64_t timestamp_s, const char *body, size_t body_len,
				 int64_t received_ms, phn_receiver_outcome *outcome)
{
	struct pending p;
	char error[sizeof rc->error];
	int err;

	if (!rc || !svix_id || !svix_id[0] || (!body && body_len))
		return phn_error_set(PHN_EINVAL, "phn_campaign_receiver_record: %s",
				     !rc ? "the receiver is NULL" : !svix_id || !svix_id[0]
				     ? "no svix-id" : "body is NULL");
	/* Seconds since 1970 that fit in milliseconds, and then some. */
	if (timestamp_s < -(INT64_MAX / 1000) || timestamp_s > INT64_MAX / 1000)
		return phn_error_set(PHN_EINVAL, "phn_campaign_receiver_record: the timestamp "
				     "%lld is out of range", (long long)timestamp_s);
	memset(&p, 0, sizeof p);
	if ((err = result_parse(&p.ev, &p.buf, body, body_len)) != PHN_OK)
		return err;
	p.ev.svix_id = svix_id;
	p.ev.event_time_ms = timestamp_s * 1000;
	p.ev.received_ms = received_ms;

	pthread_mutex_lock(&rc->mu);
	if (rc->closing) {
		pthread_mutex_unlock(&rc->mu);
		free(p.buf);
		return phn_error_set(PHN_EIO, "phn_campaign_receiver_record: the receiver is "
				     "closing");
	}
	*rc->tail = &p;
	rc->tail = &p.next;
	rc->queued++;
	pthread_cond_signal(&rc->work);
	while (!p.done)
		pthread_cond_wait(&rc->done, &rc->mu);
	if ((err = p.rc) != PHN_OK)
		memcpy(error, rc->error, sizeof error);
	pthread_mutex_unlock(&rc->mu);
	free(p.buf);
	/* PHN_EIO whatever failed (the header's "not written: answer 503"),
	 * but the message names the real failure, out of memory included. */
	if (err != PHN_OK)
		return phn_error_set(PHN_EIO, "the journal could not be written (%s): %s",
				     phn_error_name(err), error);
	if (outcome)
		*outcome = p.outcome;
	return PHN_OK;
}

void phn_campaign_receiver_refused(phn_campaign_receiver *rc, const char *reason)
{
	size_t i;

	if (!rc)
		return;
	if (!reason || !reason[0])
		reason = "other";
	pthread_mutex_lock(&rc->mu);
	rc->stats.refused++;
	for (i = 0; i < rc->nref; i++) {
		if (strcmp(rc->ref[i].reason, reason) == 0)
			break;
	}
	if (i == rc->nref && rc->nref < REFUSAL_REASONS_MAX - 1) {
		/* The last slot is kept for "other". */
		if ((rc->ref[i].reason = strdup(reason)) != NULL)
			rc->nref++;
	}
	if (i == rc->nref) {
		for (i = 0; i < rc->nref && strcmp(rc->ref[i].reason, "other") != 0; i++)
			;
		if (i == rc->nref && (rc->ref[i].reason = strdup("other")) != NULL)
			rc->nref++;
	}
	if (i < rc->nref) {
		rc->ref[i].count++;
		if (rc->ref_unwritten++ == 0)
			pthread_cond_signal(&rc->work); /* starts its one-second wait */
	}
	pthread_mutex_unlock(&rc->mu);
}

int phn_campaign_receiver_stats(phn_receiver_stats *out, const phn_campaign_receiver *rc)
{
	struct phn_campaign_receiver *m = (struct phn_campaign_receiver *)rc;
	unsigned int version;
	int err;

	if (!out || !rc)
		return phn_error_set(PHN_EINVAL, "phn_campaign_receiver_stats: %s is NULL",
				     out ? "the receiver" : "out");
	if ((err = phn_error_check_version(out, out->version, PHN_RECEIVER_STATS_VERSION,
					   "phn_receiver_stats")) != PHN_OK)
		return err;
	version = out->version;
	pthread_mutex_lock(&m->mu);
	*out = m->stats;
	pthread_mutex_unlock(&m->mu);
	out->version = version;
	return PHN_OK;
}

void phn_campaign_receiver_close(phn_campaign_receiver *rc)
{
	if (!rc)
		return;
	if (rc->writer_started) {
		pthread_mutex_lock(&rc->mu);
		rc->closing = 1;
		pthread_cond_signal(&rc->work);
		pthread_mutex_unlock(&rc->mu);
		pthread_join(rc->writer, NULL);
	}
	receiver_free(rc);
}
