/*
 * The dialer: one thread, a token bucket, up to `concurrency` requests in
 * flight through the dispatch multi interface, and the journal as the only
 * truth. The order that makes a crash at any instant harmless:
 *
 *   journal_ready -> window check -> journal_mark_sending (one durable
 *   transaction for the batch) -> phn_dispatch_submit_* -> poll ->
 *   journal_record (one durable transaction per poll round)
 *
 * A row is "sending" on disk before its request can leave the process, so
 * a run that dies leaves it "sending", and the next run makes it "unknown"
 * (journal_recover): never re-sent unless the user asks. The invoice flow
 * goes through the journal the same way, step by step: a contact's uuid is
 * recorded before the invoice is sent, the invoice's before the call.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* getrandom, strdup, strndup, clock_gettime */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <stddef.h>

#include "campaign/dialer_internal.h"
#include "text/error.h"

#define DL_STOP_GRACE_MS 10000
#define DL_FAR_MS ((int64_t)14 * 86400 * 1000)
#define DL_NEVER_MS (INT64_MAX / 4) /* next_at of a row whose window is not open within 14 days */
#define DL_PROGRESS_MS 500

/* ---- clock ------------------------------------------------------------ */

int64_t dl_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t dl_now_ms(const phn_dialer *dl)
{
	struct timespec t;

	if (dl->test_now_ms)
		return dl->test_now_ms + (dl_mono_ms() - dl->mono_start_ms);
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec t;

	if (ms <= 0)
		return;
	t.tv_sec = (time_t)(ms / 1000);
	t.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&t, NULL); /* a signal cuts it short: the loop looks at stop */
}

void dl_emit(phn_dialer *dl, phn_dial_event *ev)
{
	ev->version = PHN_DIAL_EVENT_VERSION;
	dl->prog.now_ms = dl_now_ms(dl);
	ev->progress = &dl->prog;
	if (dl->on_event && dl->on_event(ev, dl->payload) != 0)
		dl->stop = 1;
}

/* ---- options ------------------------------------------------------------ */

int phn_dial_options_init(phn_dial_options *opts, unsigned int version)
{
	static const phn_dial_options init = PHN_DIAL_OPTIONS_INIT;

	if (!opts)
		return phn_error_set(PHN_EINVAL, "phn_dial_options_init: opts is NULL");
	if (version < 1 || version > PHN_DIAL_OPTIONS_VERSION)
		return phn_error_set(PHN_EVERSION, "phn_dial_options version %u: this library "
				     "knows 1 to %d", version, PHN_DIAL_OPTIONS_VERSION);
	/* Only the fields of the caller's version: its struct may be shorter. */
	memcpy(opts, &init, version >= 2 ? sizeof init : offsetof(phn_dial_options, redial_flags));
	opts->version = version;
	return PHN_OK;
}

static int dup_str(char **dst, const char *s)
{
	*dst = NULL;
	if (!s)
		return PHN_OK;
	if (!(*dst = strdup(s)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	return PHN_OK;
}

static int dup_pairs(phn_dispatch_kv **dst, size_t *dn, const phn_dispatch_kv *src, size_t n,
		     const char *opt)
{
	*dst = NULL;
	*dn = 0;
	if (n == 0)
		return PHN_OK;
	if (!src)
		return phn_error_set(PHN_EINVAL, "%s: pairs are NULL", opt);
	if (!(*dst = calloc(n, sizeof **dst)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	*dn = n;
	for (size_t i = 0; i < n; i++) {
		if (!src[i].key || !src[i].key[0] || !src[i].value || !src[i].value[0])
			return phn_error_set(PHN_EINVAL, "%s: a key and a column are needed", opt);
		if (strncmp(src[i].key, "phonenorm_", 10) == 0)
			return phn_error_set(PHN_EINVAL, "%s '%s': keys starting with phonenorm_ "
					     "are the dialer's own", opt, src[i].key);
		if (!((*dst)[i].key = strdup(src[i].key)) || !((*dst)[i].value = strdup(src[i].value)))
			return phn_error_set(PHN_ENOMEM, "out of memory");
	}
	return PHN_OK;
}

static void free_pairs(phn_dispatch_kv *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free((char *)p[i].key);
		free((char *)p[i].value);
	}
	free(p);
}

static int copy_options(phn_dialer *dl, const phn_dial_options *o)
{
	int rc;

	dl->flags = o->flags;
	if ((rc = dup_str(&dl->list_path, o->list_path)) != PHN_OK)
		return rc;
	phn_csv_options_init(&dl->csv, PHN_CSV_OPTIONS_VERSION);
	if (o->csv) {
		if ((rc = phn_csv_options_init(&dl->csv, o->csv->version)) != PHN_OK)
			return rc;
		dl->csv.delimiter = o->csv->delimiter;
		dl->csv.check_field_count = o->csv->check_field_count;
		dl->csv.max_record = o->csv->max_record;
		if (o->csv->version >= 2)
			dl->csv.sniff_delimiter = o->csv->sniff_delimiter;
		dl->csv.version = PHN_CSV_OPTIONS_VERSION;
	} else {
		dl->csv.sniff_delimiter = 1;
	}
	phn_clean_options_init(&dl->clean, PHN_CLEAN_OPTIONS_VERSION);
	if (o->clean) {
		if (o->clean->version < 1 || o->clean->version > PHN_CLEAN_OPTIONS_VERSION)
			return phn_error_set(PHN_EVERSION, "phn_clean_options version %u",
					     o->clean->version);
		dl->clean = *o->clean;
	}
	if ((rc = dup_str(&dl->clean_region, dl->clean.region)) != PHN_OK ||
	    (rc = dup_str(&dl->clean_phone_column, dl->clean.phone_column)) != PHN_OK ||
	    (rc = dup_str(&dl->clean_region_column, dl->clean.region_column)) != PHN_OK)
		return rc;
	dl->clean.region = dl->clean_region;
	dl->clean.phone_column = dl->clean_phone_column;
	dl->clean.region_column = dl->clean_region_column;
	phn_dispatch_options_init(&dl->dopts, PHN_DISPATCH_OPTIONS_VERSION);
	if (o->dispatch) {
		if (o->dispatch->version < 1 || o->dispatch->version > PHN_DISPATCH_OPTIONS_VERSION)
			return phn_error_set(PHN_EVERSION, "phn_dispatch_options version %u",
					     o->dispatch->version);
		dl->dopts = *o->dispatch;
	}
	if ((rc = dup_str(&dl->d_base_url, dl->dopts.base_url)) != PHN_OK ||
	    (rc = dup_str(&dl->d_token, dl->dopts.token)) != PHN_OK ||
	    (rc = dup_str(&dl->d_token_file, dl->dopts.token_file)) != PHN_OK)
		return rc;
	dl->dopts.base_url = dl->d_base_url;
	dl->dopts.token = dl->d_token;
	dl->dopts.token_file = dl->d_token_file;
	if ((rc = dup_str(&dl->columns[DL_FIRST_NAME], o->first_name_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_LAST_NAME], o->last_name_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_EMAIL], o->email_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_CONTACT_UUID], o->contact_uuid_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_TIMEZONE], o->timezone_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_INV_NUMBER], o->invoice_number_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_INV_DATE], o->invoice_date_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_INV_DUE_DATE], o->invoice_due_date_column)) != PHN_OK ||
	    (rc = dup_str(&dl->columns[DL_INV_TOTAL], o->invoice_total_column)) != PHN_OK ||
	    (rc = dup_pairs(&dl->tags, &dl->tags_count, o->tags, o->tags_count, "tags")) != PHN_OK ||
	    (rc = dup_pairs(&dl->meta, &dl->meta_count, o->meta, o->meta_count, "meta")) != PHN_OK ||
	    (rc = dup_str(&dl->template_id, o->template_id)) != PHN_OK)
		return rc;
	if (!dl->columns[DL_INV_DATE] && (dl->columns[DL_INV_NUMBER] ||
					  dl->columns[DL_INV_DUE_DATE] || dl->columns[DL_INV_TOTAL]))
		return phn_error_set(PHN_EINVAL, "the invoice flow needs the invoice date column");
	dl->update_existing = o->update_existing;
	dl->create_if_not_exists = o->create_if_not_exists;
	if (!(o->rate >= 0) || o->rate > 1e6)
		return phn_error_set(PHN_EINVAL, "rate %g: give requests per second, 0 for no limit",
				     o->rate);
	dl->rate = o->rate;
	dl->concurrency = o->concurrency ? o->concurrency : 16;
	if (dl->concurrency > 1024)
		return phn_error_set(PHN_EINVAL, "concurrency %u: at most 1024", o->concurrency);
	dl->max_retries = o->max_retries;
	dl->max_attempts = o->max_attempts;
	if (o->retry_cap_ms < 0)
		return phn_error_set(PHN_EINVAL, "retry cap %" PRId64 " ms is negative",
				     o->retry_cap_ms);
	dl->retry_cap_ms = o->retry_cap_ms ? o->retry_cap_ms : 120000;
	if (o->window_hours || o->window_days) {
		/* Checked now, so that a bad value fails the open, not a row. */
		phn_call_window w;

		if ((rc = phn_call_window_init(&w, PHN_CALL_WINDOW_VERSION)) != PHN_OK ||
		    (rc = phn_call_window_parse(&w, o->window_hours, o->window_days)) != PHN_OK)
			return rc;
		if ((rc = dup_str(&dl->window_hours, o->window_hours)) != PHN_OK ||
		    (rc = dup_str(&dl->window_days, o->window_days)) != PHN_OK)
			return rc;
	}
	if (o->test_now_ms < 0)
		return phn_error_set(PHN_EINVAL, "test clock %" PRId64 " is before 1970",
				     o->test_now_ms);
	dl->test_now_ms = o->test_now_ms;
	dl->mono_start_ms = dl_mono_ms();
	dl->on_event = o->on_event;
	dl->payload = o->payload;
	dl->redial_after_ms = PHN_DIAL_REDIAL_AFTER_DEFAULT_MS;
	if (o->version >= 2) {
		if (o->redial_flags & ~(unsigned int)PHN_DIAL_REDIAL_UNDELIVERED)
			return phn_error_set(PHN_EINVAL, "phn_dialer_open: unknown redial flags 0x%x",
					     o->redial_flags);
		if (o->redial_after_ms < -1)
			return phn_error_set(PHN_EINVAL, "redial gap %" PRId64 " ms is negative",
					     o->redial_after_ms);
		if (o->redial_after_ms != -1 && !o->redial_flags)
			return phn_error_set(PHN_EINVAL, "a redial gap (--redial-after) needs "
					     "something to redial (--redial undelivered)");
		dl->redial_flags = o->redial_flags;
		if (o->redial_after_ms >= 0)
			dl->redial_after_ms = o->redial_after_ms;
	}
	return PHN_OK;
}

/*
 * A --window/--days that leaves nothing of the legal hours of the list's
 * region (-c, a +1 region: 08:00-21:00) is refused before anything else: no
 * row of that region could ever be called. (Rows of other regions, and lists
 * without -c, find out per row: their window does not open within 14 days.)
 */
static int check_window(const phn_dialer *dl)
{
	phn_call_window w;
	int rc;

	if ((!dl->window_hours && !dl->window_days) || !dl->clean.region ||
	    strlen(dl->clean.region) != 2)
		return PHN_OK;
	if ((rc = phn_call_window_init(&w, PHN_CALL_WINDOW_VERSION)) != PHN_OK ||
	    (rc = phn_call_window_default(&w, dl->clean.region)) != PHN_OK ||
	    (rc = phn_call_window_parse(&w, dl->window_hours, dl->window_days)) != PHN_OK)
		return rc;
	if ((rc = phn_call_window_limit(&w, dl->clean.region)) == PHN_EINVAL) {
		char why[512];

		snprintf(why, sizeof why, "%s", phn_error_last());
		return phn_error_set(PHN_EINVAL, "--window/--days: %s: no number of the list's "
				     "region could ever be called; nothing was sent", why);
	}
	return rc;
}

static int make_dispatch(phn_dialer *dl)
{
	phn_dispatch_options d = dl->dopts;

	d.max_in_flight = dl->concurrency;
	if (phn_dispatch_new(&dl->d, &d) != PHN_OK)
		return phn_error_last_code();
	/* The test clock may only steer a local API: the dispatch layer's check. */
	if (dl->test_now_ms) {
		if (!phn_dispatch_is_loopback(dl->d))
			return phn_error_set(PHN_EINVAL, "a test clock (PHONENORM_TEST_NOW) works only "
					     "with an API on 127.0.0.1, localhost or ::1");
	}
	return PHN_OK;
}

static void set_counts(phn_dialer *dl, const struct jcounts *c)
{
	phn_dial_progress *p = &dl->prog;

	p->version = PHN_DIAL_PROGRESS_VERSION;
	p->rows = c->rows;
	p->pending = c->state[J_PENDING];
	p->waiting = c->state[J_WAITING];
	p->in_flight = c->state[J_SENDING];
	p->accepted = c->state[J_ACCEPTED];
	p->rejected = c->state[J_REJECTED];
	p->failed = c->state[J_FAILED];
	p->unknown = c->state[J_UNKNOWN];
	p->skipped = c->state[J_INVALID] + c->state[J_DUPLICATE] + c->state[J_SUPPRESSED];
}

static int refresh_counts(phn_dialer *dl)
{
	struct jcounts c;
	int rc;

	memset(&c, 0, sizeof c);
	if (!dl->j || !dl->loaded)
		return PHN_OK;
	if ((rc = journal_counts(dl->j, &c)) != PHN_OK)
		return rc;
	set_counts(dl, &c);
	return PHN_OK;
}

int phn_dialer_open(phn_dialer **out, const char *journal_path, const phn_dial_options *opts)
{
	phn_dial_event ev;
	phn_dialer *dl;
	uint64_t n = 0;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_dialer_open: out is NULL");
	*out = NULL;
	if (!journal_path || !journal_path[0] || !opts)
		return phn_error_set(PHN_EINVAL, "phn_dialer_open: a journal path and options "
				     "are needed");
	if (opts->version < 1 || opts->version > PHN_DIAL_OPTIONS_VERSION)
		return phn_error_set(PHN_EVERSION, "phn_dial_options version %u: this library "
				     "knows 1 to %d", opts->version, PHN_DIAL_OPTIONS_VERSION);
	if (!opts->list_path || !opts->list_path[0])
		return phn_error_set(PHN_EINVAL, "phn_dialer_open: the list path is needed");
	if (opts->flags & ~(PHN_DIAL_DRY_RUN | PHN_DIAL_NO_WAIT | PHN_DIAL_RETRY_UNKNOWN))
		return phn_error_set(PHN_EINVAL, "phn_dialer_open: unknown flags 0x%x", opts->flags);
	if (!(dl = calloc(1, sizeof *dl)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	dl->prog.version = PHN_DIAL_PROGRESS_VERSION;
	dl->prog.eta_seconds = -1;
	if ((rc = dup_str(&dl->journal_path, journal_path)) != PHN_OK ||
	    (rc = copy_options(dl, opts)) != PHN_OK || (rc = make_dispatch(dl)) != PHN_OK ||
	    (rc = check_window(dl)) != PHN_OK)
		goto fail;
	if (dl->flags & PHN_DIAL_DRY_RUN) {
		/* Nothing may be created or changed: read the journal if there is one.
		 * An empty one (a dial killed at its start) is no journal yet. */
		if (access(journal_path, F_OK) == 0 &&
		    (rc = journal_open(&dl->j, journal_path, J_OPEN_READONLY)) != PHN_OK) {
			if (rc != PHN_ENOTFOUND)
				goto fail;
			dl->j = NULL;
			phn_error_clear();
		}
	} else {
		if ((rc = journal_open(&dl->j, journal_path, J_OPEN_CREATE | J_OPEN_DIAL)) != PHN_OK)
			goto fail;
		if ((rc = journal_recover(dl->j, dl_now_ms(dl), &n)) != PHN_OK)
			goto fail;
	}
	if ((rc = dl_load(dl)) != PHN_OK || (rc = refresh_counts(dl)) != PHN_OK)
		goto fail;
	if (n) {
		memset(&ev, 0, sizeof ev);
		ev.kind = PHN_DIAL_EVENT_RECOVERED;
		ev.count = n;
		dl_emit(dl, &ev);
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = PHN_DIAL_EVENT_LOADED;
	ev.count = dl->prog.rows;
	dl_emit(dl, &ev);
	dl->stop = 0;
	*out = dl;
	return PHN_OK;
fail:
	/* Keep the message of what failed across the cleanup. */
	{
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", phn_error_last());
		phn_dialer_free(dl);
		return phn_error_set(rc, "%s", msg);
	}
}

void phn_dialer_free(phn_dialer *dl)
{
	if (!dl)
		return;
	phn_dispatch_free(dl->d);
	journal_close(dl->j);
	free(dl->journal_path);
	free(dl->list_path);
	free(dl->clean_region);
	free(dl->clean_phone_column);
	free(dl->clean_region_column);
	free(dl->d_base_url);
	if (dl->d_token) {
		/* The token: wiped, as the dispatch handle wipes its own. */
		volatile char *p = dl->d_token;
		while (*p)
			*p++ = 0;
	}
	free(dl->d_token);
	free(dl->d_token_file);
	for (int i = 0; i < DL_FIELD_COUNT; i++)
		free(dl->columns[i]);
	free_pairs(dl->tags, dl->tags_count);
	free_pairs(dl->meta, dl->meta_count);
	free(dl->template_id);
	free(dl->window_hours);
	free(dl->window_days);
	free(dl->options_json);
	free(dl);
}

void phn_dialer_stop(phn_dialer *dl)
{
	if (dl)
		dl->stop = 1;
}

int phn_dial_progress_init(phn_dial_progress *p, unsigned int version)
{
	static const phn_dial_progress init = PHN_DIAL_PROGRESS_INIT;

	if (!p)
		return phn_error_set(PHN_EINVAL, "phn_dial_progress_init: p is NULL");
	if (version < 1 || version > PHN_DIAL_PROGRESS_VERSION)
		return phn_error_set(PHN_EVERSION, "phn_dial_progress version %u: this library "
				     "knows 1 to %d", version, PHN_DIAL_PROGRESS_VERSION);
	memcpy(p, &init, version >= 2 ? sizeof init : offsetof(phn_dial_progress, redialed));
	p->version = version;
	return PHN_OK;
}

int phn_dialer_summary(phn_dial_progress *out, phn_dial_end *end, const phn_dialer *dl)
{
	unsigned int v;

	if (!out || !dl)
		return phn_error_set(PHN_EINVAL, "phn_dialer_summary: NULL argument");
	v = out->version;
	if (v < 1 || v > PHN_DIAL_PROGRESS_VERSION)
		return phn_error_set(PHN_EVERSION, "phn_dial_progress version %u: this library "
				     "knows 1 to %d", v, PHN_DIAL_PROGRESS_VERSION);
	/* Only the fields of the version the caller was built with. */
	memcpy(out, &dl->prog, v >= 2 ? sizeof *out : offsetof(phn_dial_progress, redialed));
	out->version = v;
	if (end)
		*end = dl->end;
	return PHN_OK;
}

const char *phn_dialer_campaign_id(const phn_dialer *dl)
{
	return dl ? dl->campaign_id : "";
}

/* ---- the run ------------------------------------------------------------ */

/* Retries of a row in this run: a small open-addressing map line -> count. */
struct retry_map {
	uint64_t *keys; /* 0: empty; lines start at 1 */
	uint32_t *vals;
	size_t cap, n;
};

#define RETRY_BACKOFF 0x80000000u /* the row waits for a retry */

static uint32_t *retry_slot(struct retry_map *m, uint64_t line, int create)
{
	size_t i;

	if (create && (m->n + 1) * 2 > m->cap) {
		struct retry_map g = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };

		if (!(g.keys = calloc(g.cap, sizeof *g.keys)) || !(g.vals = calloc(g.cap, sizeof *g.vals))) {
			free(g.keys);
			free(g.vals);
			return NULL;
		}
		for (size_t k = 0; k < m->cap; k++) {
			if (m->keys[k] && m->vals[k]) {
				for (i = m->keys[k] % g.cap; g.keys[i]; i = (i + 1) % g.cap)
					;
				g.keys[i] = m->keys[k];
				g.vals[i] = m->vals[k];
				g.n++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = g;
	}
	if (!m->cap)
		return NULL;
	for (i = line % m->cap; m->keys[i]; i = (i + 1) % m->cap)
		if (m->keys[i] == line)
			return &m->vals[i];
	if (!create)
		return NULL;
	m->keys[i] = line;
	m->vals[i] = 0;
	m->n++;
	return &m->vals[i];
}

struct slot {
	struct run *run;
	int used;
	uint64_t line;
	jstep step;
	unsigned int attempts; /* call attempts of the row, this one included */
	char id[40];
};

struct ended {
	size_t slot;
	int local;       /* refused before sending */
	int interrupted; /* given up while in flight */
	phn_dispatch_outcome outcome;
	int http_status;
	char *detail, *retry_after, *call_id, *contact_uuid, *uuid;
	int64_t retry_after_s, elapsed_ms;
};

struct run {
	phn_dialer *dl;
	int64_t run_id;
	struct slot *slots;
	size_t inflight;
	struct ended *ended;
	size_t nended, capended;
	struct retry_map retries;
	uint64_t backoff; /* rows waiting for a retry */
	double tokens;
	int64_t refill_mono;
	int64_t not_before; /* Retry-After of a 429/503: nobody sends before */
	uint64_t cursor;
	struct dl_wcache wc;
	int stopping;
	int64_t stop_mono;
	int failed_rc; /* a journal write failed: stop */
	int abandoned; /* requests left in the dispatch handle, callbacks pending */
	uint64_t rng;
	int64_t tick_mono;
	uint64_t tick_sent;
	int64_t last_wait_at;
};

static uint64_t rng_next(struct run *r)
{
	/* xorshift64*: jitter only, seeded from getrandom. */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ull;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void free_ended(struct ended *e)
{
	free(e->detail);
	free(e->retry_after);
	free(e->call_id);
	free(e->contact_uuid);
	free(e->uuid);
}

static struct ended *push_ended(struct run *r)
{
	if (r->nended == r->capended) {
		size_t cap = r->capended ? r->capended * 2 : 64;
		struct ended *e = realloc(r->ended, cap * sizeof *e);
		if (!e)
			return NULL;
		r->ended = e;
		r->capended = cap;
	}
	memset(&r->ended[r->nended], 0, sizeof r->ended[0]);
	return &r->ended[r->nended++];
}

static void on_done(const phn_dispatch_result *res, void *payload)
{
	struct slot *s = payload;
	struct run *r = s->run;
	struct ended *e = push_ended(r);

	if (!e) {
		r->failed_rc = PHN_ENOMEM;
		return;
	}
	e->slot = (size_t)(s - r->slots);
	e->outcome = res->outcome;
	e->http_status = res->http_status;
	e->detail = dup_or_null(res->error);
	e->retry_after = dup_or_null(res->retry_after);
	e->retry_after_s = res->retry_after_seconds;
	e->call_id = dup_or_null(res->call_id);
	e->contact_uuid = dup_or_null(res->contact_uuid);
	e->uuid = dup_or_null(res->uuid);
	e->elapsed_ms = res->elapsed_ms;
}

static void prog_dec(phn_dial_progress *p, jstate s)
{
	uint64_t *c = NULL;

	switch (s) {
	case J_PENDING: c = &p->pending; break;
	case J_WAITING: c = &p->waiting; break;
	case J_SENDING: c = &p->in_flight; break;
	case J_ACCEPTED: c = &p->accepted; break;
	case J_REJECTED: c = &p->rejected; break;
	case J_FAILED: c = &p->failed; break;
	case J_UNKNOWN: c = &p->unknown; break;
	default: break;
	}
	if (c && *c)
		(*c)--;
}

static void prog_inc(phn_dial_progress *p, jstate s)
{
	switch (s) {
	case J_PENDING: p->pending++; break;
	case J_WAITING: p->waiting++; break;
	case J_SENDING: p->in_flight++; break;
	case J_ACCEPTED: p->accepted++; break;
	case J_REJECTED: p->rejected++; break;
	case J_FAILED: p->failed++; break;
	case J_UNKNOWN: p->unknown++; break;
	default: break;
	}
}

/* Wait before retry number n (1-based): Retry-After, capped, or exponential
 * backoff from 1 s with full jitter, capped. */
static int64_t retry_delay(struct run *r, const struct ended *e, unsigned int n, int *capped)
{
	int64_t cap = r->dl->retry_cap_ms, b;

	*capped = 0;
	if (e->outcome == PHN_DISPATCH_THROTTLED && e->retry_after_s >= 0) {
		int64_t want = e->retry_after_s * 1000;
		if (want > cap) {
			*capped = 1;
			return cap;
		}
		return want;
	}
	b = n >= 20 ? cap : (int64_t)1000 << (n - 1);
	if (b > cap)
		b = cap;
	return (int64_t)(rng_next(r) % (uint64_t)(b + 1));
}

/*
 * The ended requests, taken out of their slots (which are free again) with
 * what they make of their rows, to be recorded by commit_batch(): alone, or
 * with the next batch's marks in the same transaction (journal item 8).
 */
struct recbatch {
	size_t n;
	struct joutcome *out;
	phn_dial_event *evs;
	struct ended *ended; /* owns the strings out and evs point to */
	char (*ids)[40];
};

static void free_batch(struct recbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free_ended(&b->ended[i]);
	free(b->out);
	free(b->evs);
	free(b->ended);
	free(b->ids);
	memset(b, 0, sizeof *b);
}

static int take_ended(struct run *r, struct recbatch *b)
{
	phn_dialer *dl = r->dl;
	struct joutcome *out;
	phn_dial_event *evs;
	int64_t now = dl_now_ms(dl);
	size_t n = r->nended, failed_at;

	memset(b, 0, sizeof *b);
	if (n == 0)
		return PHN_OK;
	out = calloc(n, sizeof *out);
	evs = calloc(n, sizeof *evs);
	b->ended = calloc(n, sizeof *b->ended);
	b->ids = calloc(n, sizeof *b->ids);
	if (!out || !evs || !b->ended || !b->ids) {
		free(out);
		free(evs);
		free(b->ended);
		free(b->ids);
		b->ended = NULL;
		b->ids = NULL;
		return phn_error_set(PHN_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct ended *e = &r->ended[i];
		struct slot *s = &r->slots[e->slot];
		struct joutcome *o = &out[i];
		uint32_t *rt = retry_slot(&r->retries, s->line, 0);
		unsigned int tries = rt ? (*rt & ~RETRY_BACKOFF) : 0;
		int capped = 0, drop_retries = 1;

		o->line = s->line;
		o->dispatch_id = s->id;
		o->outcome = e->local ? "rejected" : e->interrupted ? "interrupted"
				       : phn_dispatch_outcome_name(e->outcome);
		o->http_status = e->http_status;
		o->detail = e->detail;
		o->retry_after = e->retry_after;
		o->elapsed_ms = e->elapsed_ms;
		switch (e->local ? PHN_DISPATCH_REJECTED : e->outcome) {
		case PHN_DISPATCH_ACCEPTED:
			if (s->step == J_STEP_CALL) {
				o->state = J_ACCEPTED;
				o->call_id = e->call_id;
				o->contact_uuid = e->contact_uuid;
			} else if (e->uuid) {
				/* The next step comes from the journal, with this uuid. */
				o->state = J_PENDING;
				if (s->step == J_STEP_CONTACT)
					o->contact_uuid = e->uuid;
				else
					o->invoice_uuid = e->uuid;
			} else {
				/* Created, but which one? Never create a second. */
				o->state = J_UNKNOWN;
				free(e->detail);
				e->detail = strdup("accepted without a uuid in the answer: the "
						   "created record cannot be referred to");
				o->detail = e->detail;
			}
			break;
		case PHN_DISPATCH_AUTH_FAILED:
			o->state = J_PENDING; /* not its fault: sent again with a good token */
			if (!r->stopping) {
				phn_dial_event ev;

				memset(&ev, 0, sizeof ev);
				ev.kind = PHN_DIAL_EVENT_STOPPING;
				ev.http_status = e->http_status;
				ev.detail = e->detail;
				dl->end = PHN_DIAL_END_AUTH_FAILED;
				r->stopping = 1;
				r->stop_mono = dl_mono_ms();
				dl_emit(dl, &ev);
			}
			break;
		case PHN_DISPATCH_THROTTLED:
		case PHN_DISPATCH_NOT_SENT:
			if (tries < dl->max_retries &&
			    !(s->step == J_STEP_CALL && dl->max_attempts &&
			      s->attempts >= dl->max_attempts)) {
				int64_t d = retry_delay(r, e, tries + 1, &capped);

				if ((rt = retry_slot(&r->retries, s->line, 1)) == NULL) {
					failed_at = i;
					goto fail;
				}
				*rt = (tries + 1) | RETRY_BACKOFF;
				r->backoff++;
				drop_retries = 0;
				o->state = J_PENDING;
				o->next_at = now + d;
				if (e->outcome == PHN_DISPATCH_THROTTLED && now + d > r->not_before)
					r->not_before = now + d;
				if (capped) {
					phn_dial_event ev;

					memset(&ev, 0, sizeof ev);
					ev.kind = PHN_DIAL_EVENT_RETRY_CAPPED;
					ev.line = s->line;
					ev.retry_after_s = e->retry_after_s;
					ev.cap_ms = dl->retry_cap_ms;
					ev.at_ms = now + d;
					dl_emit(dl, &ev);
				}
			} else {
				char *why = malloc(strlen(e->detail ? e->detail : "") + 96);

				o->state = J_FAILED;
				if (why) {
					if (tries >= dl->max_retries)
						sprintf(why, "%s (retries used up: %u)",
							e->detail ? e->detail : "", tries);
					else
						sprintf(why, "%s (max attempts reached: %u)",
							e->detail ? e->detail : "", s->attempts);
					free(e->detail);
					e->detail = why;
					o->detail = why;
				}
			}
			break;
		case PHN_DISPATCH_AMBIGUOUS:
			o->state = J_UNKNOWN;
			break;
		default: /* rejected, not_found: the API's answer is final for the row */
			o->state = J_REJECTED;
			break;
		}
		if (drop_retries && (rt = retry_slot(&r->retries, s->line, 0)) != NULL)
			*rt = 0;
		prog_dec(&dl->prog, J_SENDING);
		prog_inc(&dl->prog, o->state);
		evs[i].kind = PHN_DIAL_EVENT_ROW;
		evs[i].line = s->line;
		evs[i].step = journal_step_name(s->step);
		evs[i].dispatch_id = s->id;
		evs[i].outcome = o->outcome;
		evs[i].http_status = o->http_status;
		evs[i].detail = o->detail;
		evs[i].state = journal_state_name(o->state);
		evs[i].call_id = o->call_id;
		evs[i].at_ms = o->next_at;
		/* The slot is free from here: keep what the record needs. */
		memcpy(b->ids[i], s->id, sizeof b->ids[i]);
		o->dispatch_id = b->ids[i];
		evs[i].dispatch_id = b->ids[i];
		b->ended[i] = *e;
		s->used = 0;
	}
	b->n = n;
	b->out = out;
	b->evs = evs;
	r->inflight -= n;
	r->nended = 0;
	return PHN_OK;
fail:
	/* Nothing recorded: the rows stay "sending" (unknown after a restart). */
	b->n = failed_at;
	b->out = out;
	b->evs = evs;
	for (size_t i = failed_at; i < n; i++) {
		r->slots[r->ended[i].slot].used = 0;
		free_ended(&r->ended[i]);
	}
	free_batch(b);
	r->inflight -= n;
	r->nended = 0;
	return phn_error_set(PHN_ENOMEM, "out of memory");
}

/* The batch's outcomes and the marks of items (may be none) in one durable
 * transaction; the row events once it is durable. Frees the batch. */
static int commit_batch(struct run *r, struct recbatch *b, int64_t run_id,
			const struct jsend *items, size_t nitems, int64_t now)
{
	int rc = PHN_OK;

	if (b->n || nitems)
		rc = journal_record_and_mark(r->dl->j, b->out, b->n, run_id, items, nitems, now);
	if (rc == PHN_OK)
		for (size_t i = 0; i < b->n; i++)
			dl_emit(r->dl, &b->evs[i]);
	free_batch(b);
	return rc;
}

/* What the ended requests make of their rows: one durable transaction. */
static int record_ended(struct run *r)
{
	struct recbatch b;
	int rc;

	if ((rc = take_ended(r, &b)) != PHN_OK)
		return rc;
	return commit_batch(r, &b, 0, NULL, 0, dl_now_ms(r->dl));
}

static size_t free_slot(struct run *r)
{
	for (size_t i = 0; i < r->dl->concurrency; i++)
		if (!r->slots[i].used)
			return i;
	return (size_t)-1;
}

static void refill(struct run *r)
{
	int64_t now = dl_mono_ms();

	if (r->dl->rate <= 0) {
		r->tokens = 1e18;
		return;
	}
	r->tokens += (double)(now - r->refill_mono) * r->dl->rate / 1000.0;
	if (r->tokens > 1.0) /* capacity 1: no burst after a pause */
		r->tokens = 1.0;
	r->refill_mono = now;
}

enum fill_result { FILL_SENT, FILL_BLOCKED, FILL_NONE };

static int submit_one(struct run *r, struct slot *s, const struct jwork *w, const char *fields)
{
	phn_dialer *dl = r->dl;
	struct dl_req q;
	uint64_t id;
	int rc;

	rc = dl_req_build(&q, dl, s->step, w->e164, w->region, fields, w->contact_uuid, s->id);
	if (rc == PHN_OK) {
		switch (s->step) {
		case J_STEP_CONTACT:
			rc = phn_dispatch_submit_contact(&id, dl->d, &q.contact, on_done, s);
			break;
		case J_STEP_INVOICE:
			rc = phn_dispatch_submit_invoice(&id, dl->d, &q.invoice, on_done, s);
			break;
		default:
			rc = phn_dispatch_submit_call(&id, dl->d, &q.call, on_done, s);
			break;
		}
	}
	dl_req_dispose(&q);
	if (rc != PHN_OK) {
		/* Marked sending, never sent: the request itself is at fault. */
		struct ended *e = push_ended(r);
		const char *msg = phn_error_last();

		if (rc == PHN_EAUTH || rc == PHN_ENOMEM || rc == PHN_EINTERNAL || !e)
			return rc;
		e->slot = (size_t)(s - r->slots);
		e->local = 1;
		if ((e->detail = malloc(strlen(msg) + 32)) != NULL)
			sprintf(e->detail, "refused before sending: %s", msg);
	} else {
		dl->prog.sent++;
	}
	return PHN_OK;
}

/* Fetch ready rows, defer those whose window is closed, mark a batch
 * sending, send it. */
static int fill_rows(struct run *r, enum fill_result *res, struct recbatch *b)
{
	phn_dialer *dl = r->dl;
	struct jwork buf[64];
	struct jsend items[64];
	struct slot *taken[64];
	const struct jwork *rows[64];
	uint64_t wlines[64];
	int64_t wat[64];
	int64_t now = dl_now_ms(dl);
	size_t n = 0, avail = 0, nitems = 0, nw = 0;
	int wrapped = 0, rc;

	*res = FILL_NONE;
	refill(r);
	if (now < r->not_before) {
		*res = FILL_BLOCKED;
		return PHN_OK;
	}
	for (size_t i = 0; i < dl->concurrency; i++)
		avail += !r->slots[i].used;
	if (dl->rate > 0 && (double)avail > r->tokens)
		avail = (size_t)r->tokens;
	if (avail == 0) {
		*res = FILL_BLOCKED;
		return PHN_OK;
	}
	if (avail > 64)
		avail = 64;
	for (;;) {
		size_t want = avail < 8 ? 8 : avail;

		if ((rc = journal_ready(dl->j, buf, want, &n, r->cursor, now)) != PHN_OK)
			return rc;
		if (n > 0 || r->cursor == 0 || wrapped)
			break;
		r->cursor = 0; /* the end of the list: a new pass */
		wrapped = 1;
	}
	for (size_t i = 0; i < n && nitems < avail; i++) {
		const struct jwork *w = &buf[i];
		struct dl_wentry *we;
		uint32_t *rt;
		jstep step;
		size_t si;

		r->cursor = w->line;
		if ((rt = retry_slot(&r->retries, w->line, 0)) != NULL && (*rt & RETRY_BACKOFF)) {
			*rt &= ~RETRY_BACKOFF;
			if (r->backoff)
				r->backoff--;
		}
		step = dl_next_step(dl, w->fields_json, w->contact_uuid, w->invoice_uuid);
		if (step == J_STEP_CALL && dl->max_attempts && w->attempts >= dl->max_attempts)
			/* journal_requeue_for_run() made such rows final, and a call
			 * ending at the cap is recorded failed: never send it. */
			return phn_error_set(PHN_EINVAL, "line %" PRIu64 ": %u call attempts "
					     "(--max-attempts %u) but to be dialled; nothing sent",
					     w->line, w->attempts, dl->max_attempts);
		if ((rc = dl_window_check(&we, &r->wc, dl, w->region, w->zones, now)) != PHN_OK)
			return rc;
		if (!we->open) {
			/* Not within 14 days (change_ms 0): put aside at the sentinel, which
			 * ends the run with the row left (never a time compared with a
			 * later now: that made the run wait 14 days). */
			int64_t at = we->change_ms > now ? we->change_ms : DL_NEVER_MS;

			wlines[nw] = w->line;
			wat[nw++] = at;
			if (w->state != J_WAITING) {
				prog_dec(&dl->prog, w->state);
				prog_inc(&dl->prog, J_WAITING);
			}
			we->deferred++;
			if (we->announced != at) {
				phn_dial_event ev;

				we->announced = at;
				memset(&ev, 0, sizeof ev);
				ev.kind = PHN_DIAL_EVENT_WAIT;
				ev.at_ms = we->change_ms;
				ev.region = w->region;
				ev.count = we->deferred;
				ev.line = w->line;
				dl_emit(dl, &ev);
			}
			continue;
		}
		si = free_slot(r);
		taken[nitems] = &r->slots[si];
		r->slots[si].used = 1;
		r->slots[si].run = r;
		r->slots[si].line = w->line;
		r->slots[si].step = step;
		r->slots[si].attempts = w->attempts + (step == J_STEP_CALL);
		if ((rc = dl_uuid4(r->slots[si].id)) != PHN_OK)
			return rc;
		items[nitems].line = w->line;
		items[nitems].step = step;
		items[nitems].dispatch_id = r->slots[si].id;
		rows[nitems] = w;
		nitems++;
	}
	if (nw && (rc = journal_defer(dl->j, wlines, wat, nw, J_WAITING, now)) != PHN_OK)
		return rc;
	if (nitems == 0) {
		*res = n > 0 ? FILL_SENT : FILL_NONE; /* rows were looked at: look again */
		return PHN_OK;
	}
	/* Durable before anything leaves: a crash from here on finds them "sending".
	 * The requests that ended go in the same transaction (one commit a turn). */
	if ((rc = commit_batch(r, b, r->run_id, items, nitems, now)) != PHN_OK) {
		for (size_t i = 0; i < nitems; i++)
			taken[i]->used = 0;
		return rc;
	}
	for (size_t i = 0; i < nitems; i++) {
		uint32_t *rt = retry_slot(&r->retries, rows[i]->line, 0);

		prog_dec(&dl->prog, rows[i]->state);
		prog_inc(&dl->prog, J_SENDING);
		if (rt && *rt)
			dl->prog.retries++;
		r->inflight++;
		if (dl->rate > 0)
			r->tokens -= 1.0;
		if ((rc = submit_one(r, taken[i], rows[i], rows[i]->fields_json)) != PHN_OK)
			return rc;
	}
	*res = FILL_SENT;
	return PHN_OK;
}

/*
 * One turn: the requests that ended are taken out of their slots first (so
 * the slots can take new rows), then recorded together with the marks of the
 * new batch in one durable transaction before the batch leaves; alone when
 * nothing is sent.
 */
static int fill(struct run *r, enum fill_result *res)
{
	struct recbatch b;
	int rc;

	*res = FILL_BLOCKED;
	if ((rc = take_ended(r, &b)) != PHN_OK)
		return rc;
	/* A 401/403 among them stops the run: nothing new goes out. */
	rc = r->stopping ? PHN_OK : fill_rows(r, res, &b);
	if (rc != PHN_OK) {
		free_batch(&b);
		return rc;
	}
	if (b.out)
		rc = commit_batch(r, &b, 0, NULL, 0, dl_now_ms(r->dl));
	return rc;
}

static void progress_tick(struct run *r, int force)
{
	phn_dialer *dl = r->dl;
	int64_t now = dl_mono_ms();
	phn_dial_event ev;
	double inst, left;

	if (!force && now - r->tick_mono < DL_PROGRESS_MS)
		return;
	if (now > r->tick_mono) {
		inst = (double)(dl->prog.sent - r->tick_sent) * 1000.0 / (double)(now - r->tick_mono);
		dl->prog.rate = dl->prog.rate > 0 ? 0.7 * dl->prog.rate + 0.3 * inst : inst;
	}
	r->tick_mono = now;
	r->tick_sent = dl->prog.sent;
	left = (double)(dl->prog.pending + dl->prog.waiting) *
	       (dl_invoice_flow(dl) ? 3.0 : 1.0);
	if (left == 0)
		dl->prog.eta_seconds = 0;
	else if (dl->prog.rate > 0.01)
		dl->prog.eta_seconds = left / (dl->rate > 0 && dl->rate < dl->prog.rate ? dl->rate
										     : dl->prog.rate);
	else
		dl->prog.eta_seconds = dl->rate > 0 ? left / dl->rate : -1;
	memset(&ev, 0, sizeof ev);
	ev.kind = PHN_DIAL_EVENT_PROGRESS;
	dl_emit(dl, &ev);
}

/* Requests still in flight when the grace is over: given up, "unknown". */
static int abandon(struct run *r)
{
	for (size_t i = 0; i < r->dl->concurrency; i++) {
		struct ended *e;
		int pending = 0;

		if (!r->slots[i].used)
			continue;
		for (size_t k = 0; k < r->nended; k++)
			pending |= r->ended[k].slot == i;
		if (pending)
			continue;
		if (!(e = push_ended(r)))
			return phn_error_set(PHN_ENOMEM, "out of memory");
		e->slot = i;
		/* It may have reached the server: the row becomes unknown. */
		r->abandoned = 1;
		e->outcome = PHN_DISPATCH_AMBIGUOUS;
		e->interrupted = 1;
		e->detail = strdup("the run stopped while the request was in flight");
	}
	return record_ended(r);
}

static int run_loop(struct run *r)
{
	phn_dialer *dl = r->dl;
	enum fill_result fr;
	int64_t now, at;
	size_t remaining;
	int rc;

	for (;;) {
		if (r->failed_rc)
			return r->failed_rc;
		if (dl->stop && !r->stopping) {
			phn_dial_event ev;

			r->stopping = 1;
			r->stop_mono = dl_mono_ms();
			if (dl->end != PHN_DIAL_END_AUTH_FAILED)
				dl->end = PHN_DIAL_END_STOPPED;
			memset(&ev, 0, sizeof ev);
			ev.kind = PHN_DIAL_EVENT_STOPPING;
			ev.detail = "stop requested";
			dl_emit(dl, &ev);
		}
		fr = FILL_BLOCKED;
		if (!r->stopping && (rc = fill(r, &fr)) != PHN_OK)
			return rc;
		if (r->nended && (rc = record_ended(r)) != PHN_OK)
			return rc;
		progress_tick(r, 0);
		if (r->inflight) {
			int wait = 50;

			if (r->stopping && dl_mono_ms() - r->stop_mono > DL_STOP_GRACE_MS)
				return abandon(r);
			if (dl->rate > 0 && r->tokens < 1.0) {
				int t = (int)((1.0 - r->tokens) * 1000.0 / dl->rate) + 1;
				if (t < wait)
					wait = t;
			}
			if (fr == FILL_SENT && wait > 0)
				wait = 0;
			if ((rc = phn_dispatch_poll(&remaining, dl->d, wait)) != PHN_OK)
				return rc;
			/* What ended is recorded by the next fill(), with the next
			 * batch's marks: one commit a turn. */
			continue;
		}
		if (r->stopping)
			return PHN_OK;
		if (fr == FILL_SENT)
			continue;
		now = dl_now_ms(dl);
		if (fr == FILL_BLOCKED) {
			int64_t t = r->not_before > now ? r->not_before - now : 0;

			if (dl->rate > 0 && r->tokens < 1.0) {
				int64_t tt = (int64_t)((1.0 - r->tokens) * 1000.0 / dl->rate) + 1;
				if (tt > t)
					t = tt;
			}
			sleep_ms(t > 200 ? 200 : t > 0 ? t : 1);
			continue;
		}
		/* Nothing is ready now. */
		if ((rc = journal_next_wake(dl->j, &at)) != PHN_OK)
			return rc;
		if (at == 0 || at >= DL_NEVER_MS) {
			dl->end = dl->prog.waiting ? PHN_DIAL_END_LEFT : PHN_DIAL_END_DONE;
			return PHN_OK;
		}
		if (at > now) {
			if (((dl->flags & PHN_DIAL_NO_WAIT) && r->backoff == 0) || at - now > DL_FAR_MS) {
				dl->end = PHN_DIAL_END_LEFT;
				return PHN_OK;
			}
			if (at != r->last_wait_at) {
				phn_dial_event ev;

				r->last_wait_at = at;
				memset(&ev, 0, sizeof ev);
				ev.kind = PHN_DIAL_EVENT_WAIT;
				ev.at_ms = at;
				ev.count = dl->prog.waiting + dl->prog.pending;
				dl_emit(dl, &ev);
			}
			sleep_ms(at - now > 250 ? 250 : at - now);
			r->cursor = 0;
		} else {
			r->cursor = 0;
			sleep_ms(1);
		}
	}
}

/*
 * A do-not-call list other than the one the journal last saw: rows still to
 * be dialled that are on it now become suppressed, after the requeues (so no
 * requeued row escapes it) and before anything is sent.
 */
static int apply_suppress(phn_dialer *dl, int64_t now)
{
	char hex[65];
	const char *was;
	uint64_t *keys, changed = 0;
	size_t n;
	int rc;

	if ((rc = dl_suppress_digest(hex, NULL, &n, dl)) != PHN_OK ||
	    (rc = journal_meta_get(dl->j, "suppress_sha256", &was)) != PHN_OK)
		return rc;
	if (was && strcmp(was, hex) == 0)
		return PHN_OK;
	if ((rc = dl_suppress_digest(hex, &keys, &n, dl)) != PHN_OK)
		return rc;
	rc = journal_suppress(dl->j, keys, n, hex, now, &changed);
	free(keys);
	if (rc == PHN_OK && changed) {
		phn_dial_event ev;

		memset(&ev, 0, sizeof ev);
		ev.kind = PHN_DIAL_EVENT_SUPPRESSED;
		ev.count = changed;
		dl_emit(dl, &ev);
	}
	return rc;
}

/*
 * --redial undelivered: rows whose latest call was accepted but not
 * delivered, and whose gap has passed, become pending for a new attempt.
 * After the other requeues (their rows are not accepted ones) and before the
 * do-not-call check, so a redialed row newly on that list is suppressed.
 * Rows awaiting a result are not touched: the journal picks only rows whose
 * result says "fail".
 */
static int requeue_undelivered(phn_dialer *dl, int64_t now)
{
	uint64_t n = 0;
	int rc;

	if (!(dl->redial_flags & PHN_DIAL_REDIAL_UNDELIVERED))
		return PHN_OK;
	if ((rc = journal_requeue_undelivered(dl->j, dl->max_attempts, dl->redial_after_ms, now,
					      &n)) != PHN_OK)
		return rc;
	dl->prog.redialed = n;
	if (n) {
		phn_dial_event ev;

		if ((rc = refresh_counts(dl)) != PHN_OK)
			return rc;
		memset(&ev, 0, sizeof ev);
		ev.kind = PHN_DIAL_EVENT_REDIAL;
		ev.count = n;
		dl_emit(dl, &ev);
	}
	return PHN_OK;
}

int phn_dialer_run(phn_dialer *dl)
{
	struct run r;
	uint64_t n;
	int64_t now;
	int rc, rc2;
	const char *result;

	if (!dl)
		return phn_error_set(PHN_EINVAL, "phn_dialer_run: dl is NULL");
	if (dl->flags & PHN_DIAL_DRY_RUN)
		return phn_error_set(PHN_EINVAL, "phn_dialer_run: a dry-run dialer sends nothing");
	if (!dl->d && (rc = make_dispatch(dl)) != PHN_OK)
		return rc;
	if (!phn_dispatch_has_token(dl->d))
		return phn_error_set(PHN_EAUTH, "no API token: set $%s or $%s (or a token file); "
				     "nothing was sent", PHN_DISPATCH_ENV_TOKEN,
				     PHN_DISPATCH_ENV_TOKEN_FILE);
	memset(&r, 0, sizeof r);
	r.dl = dl;
	dl->end = PHN_DIAL_END_DONE;
	dl->prog.sent = dl->prog.retries = 0;
	dl->prog.rate = 0;
	if (!(r.slots = calloc(dl->concurrency, sizeof *r.slots)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	while (getrandom(&r.rng, sizeof r.rng, 0) < 0 && errno == EINTR)
		;
	r.rng |= 1;
	r.refill_mono = r.tick_mono = dl_mono_ms();
	r.tokens = 1.0;
	now = dl_now_ms(dl);
	/* requeue_for_run first: it turns the rows an earlier --retry-unknown run
	 * requeued but got no answer for back to unknown; only then does this
	 * run's --retry-unknown requeue them (never a plain run). */
	dl->prog.redialed = 0;
	if ((rc = journal_requeue_for_run(dl->j, dl->max_attempts, &n)) != PHN_OK ||
	    ((dl->flags & PHN_DIAL_RETRY_UNKNOWN) &&
	     (rc = journal_requeue_unknown(dl->j, dl->max_attempts, &n)) != PHN_OK) ||
	    (rc = requeue_undelivered(dl, now)) != PHN_OK ||
	    (rc = apply_suppress(dl, now)) != PHN_OK ||
	    (rc = refresh_counts(dl)) != PHN_OK ||
	    (rc = journal_run_begin(dl->j, now, "live", &r.run_id)) != PHN_OK) {
		free(r.slots);
		return rc;
	}
	dl->ran = 1;
	rc = run_loop(&r);
	if (rc != PHN_OK) {
		/* The journal (or memory) failed: send nothing more; record what ended. */
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", phn_error_last());
		if (r.inflight) {
			r.stopping = 1;
			r.stop_mono = dl_mono_ms();
			while (r.inflight && dl_mono_ms() - r.stop_mono < DL_STOP_GRACE_MS &&
			       phn_dispatch_poll(NULL, dl->d, 50) == PHN_OK) {
				if (r.nended && record_ended(&r) != PHN_OK)
					break;
			}
		}
		phn_error_set(rc, "%s", msg);
	}
	if (r.inflight || r.abandoned) {
		/* Abandoned in the dispatch handle: it must not call back into r. */
		phn_dispatch_free(dl->d);
		dl->d = NULL;
		make_dispatch(dl);
	}
	for (size_t i = 0; i < r.nended; i++)
		free_ended(&r.ended[i]);
	switch (rc != PHN_OK ? -1 : (int)dl->end) {
	case PHN_DIAL_END_DONE: result = "done"; break;
	case PHN_DIAL_END_LEFT: result = "left"; break;
	case PHN_DIAL_END_AUTH_FAILED: result = "auth_failed"; break;
	case PHN_DIAL_END_STOPPED: result = "stopped"; break;
	default: result = "error"; break;
	}
	rc2 = journal_run_end(dl->j, r.run_id, dl_now_ms(dl), result);
	if (rc == PHN_OK)
		rc = rc2;
	if (rc == PHN_OK)
		rc = refresh_counts(dl);
	progress_tick(&r, 1);
	free(r.slots);
	free(r.ended);
	free(r.retries.keys);
	free(r.retries.vals);
	return rc;
}
