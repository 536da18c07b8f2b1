/*
 * Benchmark: phone_call.ended events per second that the webhook receiver
 * verifies and journals durably, with S concurrent senders, side by side in
 * one run with its anchors:
 *
 *   raw SQLite, 1 txn/event   one thread, one INSERT per transaction into an
 *                             events table (WAL, synchronous=FULL): what
 *                             durability costs without group commit
 *   receiver, direct          S threads calling phn_campaign_receiver_record()
 *                             on the journal: group commit without HTTP
 *   HTTP + verify, no store   the webhook server with a handler that returns
 *                             0 at once: HTTP and signature checks alone
 *   HTTP + verify + receiver  the real thing: phn_webhook_server_* with
 *                             phn_campaign_receiver_record as its handler
 *                             (what `phonenorm webhook` runs)
 *
 * The journal is a real one: the parent first dials a generated campaign
 * with phn_dialer_run() against the dial benchmark's C server
 * (bench_dial_server.c), then reads the dispatch ids of the accepted call
 * attempts back from it. Each event is shaped like the contract's
 * phone_call.ended (every field, a transcript of about 1 KB, the dispatch
 * id of a real attempt in metadata.requestMetadata); one event in ten
 * carries a dispatch id no attempt has (an orphan). Every event has a fresh
 * svix-id and is signed with phn_webhook_sign() when it is sent, with the
 * current time as svix-timestamp.
 *
 * Senders: one libcurl multi handle with S transfers in flight, each on its
 * own keep-alive connection; a transfer that ends is refilled with the
 * next event at once. Latency is each 200's time from the moment its
 * request was handed to libcurl to the moment the sender saw the answer
 * (libcurl's own CURLINFO_TOTAL_TIME reuses one clock reading per
 * curl_multi_perform() call and reports near zero on loopback); it
 * includes the senders' own delay in noticing, so it errs on the high side.
 *
 * Every run is a child process (the server too), so CPU time and peak RSS
 * are each one's own; the benchmark's own fsync()/fdatasync() count
 * SQLite's syncs and the time spent in them. After the receiver's HTTP run
 * the journal is read back: every event that got a 200 must be in it.
 *
 * usage: bench_webhook [--events N] [--senders S] [--workdir DIR]
 *                      [--raw-events N] [--keep]
 * DIR holds the journals: put it on the disk a journal would live on, never
 * a tmpfs, or fsync costs nothing. Not a test: it asserts nothing about
 * time; it fails (exit 1) only when a run did not do its work.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include <phonenorm.h>

#include "bench_dial_server.h"

/* ---- clocks and fsync accounting ---------------------------------------
 * As in bench_dial: this executable exports its own fsync()/fdatasync()
 * (ENABLE_EXPORTS), which count SQLite's syncs and their time and then call
 * libc's. Atomic: the receiver's commits may come from any thread. */
static atomic_uint_fast64_t n_sync;
static atomic_uint_fast64_t sync_ns;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int timed_sync(const char *name, int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
	double t0 = now();
	int rc;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	rc = real(fd);
	atomic_fetch_add(&sync_ns, (uint_fast64_t)((now() - t0) * 1e9));
	atomic_fetch_add(&n_sync, 1);
	return rc;
}

/* Default visibility: the project builds with -fvisibility=hidden. */
#define BENCH_EXPORT __attribute__((visibility("default")))

BENCH_EXPORT int fsync(int fd);
BENCH_EXPORT int fdatasync(int fd);

BENCH_EXPORT int fsync(int fd)
{
	return timed_sync("fsync", fd);
}

BENCH_EXPORT int fdatasync(int fd)
{
	return timed_sync("fdatasync", fd);
}

/* ---- the events ---------------------------------------------------------
 * Event i of a run: for 9 in 10 the dispatch id of a real accepted call
 * attempt (each attempt once, in order, wrapping around if there are fewer
 * attempts than events), for every 10th a dispatch id no attempt has. Its
 * svix-id is fresh in every run (the run's salt), its other fields follow
 * from i, so any thread can build any event without shared state. */
struct attempt_ref {
	char dispatch_id[40];
	char number[24];
};

struct bench {
	uint64_t events;
	unsigned int senders;
	uint64_t raw_events;
	const char *workdir;
	int keep;
	char campaign[64];
	struct attempt_ref *attempts;
	size_t nattempts;
	uint64_t matched, orphans; /* of the N events */
	const char *secret_text;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static int is_orphan(uint64_t i)
{
	return i % 10 == 9;
}

static void count_events(struct bench *b)
{
	b->orphans = b->events / 10;
	b->matched = b->events - b->orphans;
}

/* UUIDv4 text from two 64-bit words. */
static void uuid_from(char dst[37], uint64_t a, uint64_t b)
{
	snprintf(dst, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
		 0x8000u | ((unsigned)(b >> 48) & 0x3fffu),
		 (unsigned long long)(b & 0xffffffffffffull));
}

/* "msg_" and 24 base62 characters, as Svix makes them. */
static void svix_id(char dst[32], uint64_t salt, uint64_t i)
{
	static const char b62[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t a = mix(salt ^ (i * 0x9e3779b97f4a7c15ull)), c = mix(a ^ i ^ 0x5bd1e995u);

	memcpy(dst, "msg_", 4);
	for (int k = 0; k < 12; k++) {
		dst[4 + k] = b62[a % 62];
		a /= 62;
		dst[16 + k] = b62[c % 62];
		c /= 62;
	}
	dst[28] = '\0';
}

static const char *const call_outputs[] = { "INTERESTED", "NOT_INTERESTED", "CALLBACK_REQUESTED",
					    "ALREADY_PAID", "WRONG_PERSON" };
static const char *const sentiments[] = { "NEUTRAL", "POSITIVE", "NEGATIVE" };
static const char *const ended_reasons[] = { "customer-ended-call", "assistant-ended-call",
					     "silence-timed-out" };

#define BODY_MAX 4096

/* The two shapes of a phone_call.ended body: a call that did not reach the
 * callee, and one that did (with a transcript of about 1 KB). */
#define BODY_UNDELIVERED \
	"{\"providerCallId\":\"%s\",\"numberFrom\":\"+966115550100\",\"numberTo\":\"%s\"," \
	"\"providerStatus\":\"%s\",\"deliveryStatus\":\"fail\",\"duration\":0," \
	"\"summary\":null,\"endedReason\":\"customer-did-not-answer\"," \
	"\"callOutput\":\"NO_ANSWER\",\"callOutputReasoning\":\"The call was not answered.\"," \
	"\"sentimentOutput\":\"NEUTRAL\",\"sentimentOutputReasoning\":" \
	"\"No conversation took place.\",\"transcription\":\"\",\"recordingUrl\":\"\"," \
	"\"metadata\":{\"requestMetadata\":{\"phonenorm_dispatch_id\":\"%s\"," \
	"\"phonenorm_campaign\":\"%s\"}}}"

#define BODY_DELIVERED \
	"{\"providerCallId\":\"%s\",\"numberFrom\":\"+966115550100\",\"numberTo\":\"%s\"," \
	"\"providerStatus\":\"pass\",\"deliveryStatus\":\"pass\",\"duration\":%u," \
	"\"summary\":\"The customer confirmed the invoice and asked to be called back " \
	"next week about the remaining balance.\",\"endedReason\":\"%s\"," \
	"\"callOutput\":\"%s\",\"callOutputReasoning\":\"The customer said they would " \
	"pay and gave a date; no objection was raised during the call.\"," \
	"\"sentimentOutput\":\"%s\",\"sentimentOutputReasoning\":\"The tone stayed " \
	"calm and cooperative from the greeting to the end of the call.\"," \
	"\"transcription\":\"AI: Hello, this is the billing assistant calling about your " \
	"invoice. Is now a good time?\\nUser: Yes, go ahead.\\nAI: Your invoice of 450 " \
	"riyals was due last Sunday. Would you like to settle it today or schedule a " \
	"payment?\\nUser: I can pay half today and the rest next week, after my salary " \
	"comes in.\\nAI: That works. I will note a partial payment today and a reminder " \
	"for next week. Shall I send the payment link by SMS?\\nUser: Yes please, to this " \
	"number.\\nAI: Done. You will receive it in a minute. Is there anything else I " \
	"can help you with?\\nUser: No, that is all, thank you.\\nAI: Thank you for your " \
	"time. Goodbye.\",\"recordingUrl\":\"https://recordings.example.invalid/calls/" \
	"%s.mp3\",\"metadata\":{\"requestMetadata\":{\"phonenorm_dispatch_id\":\"%s\"," \
	"\"phonenorm_campaign\":\"%s\"}}}"

/* The body of event i (a phone_call.ended payload with every contract
 * field); its length, or 0 if it did not fit. */
static size_t make_body(char *dst, size_t cap, const struct bench *b, uint64_t salt, uint64_t i)
{
	uint64_t h = mix(salt + i * 0x2545f4914f6cdd1dull);
	char dispatch[40], orphan_id[37], call_id[37];
	const char *number;
	int delivered = h % 4 != 0; /* one call in four is not delivered */
	unsigned int duration = delivered ? 20 + (unsigned)(h >> 8) % 280 : 0;
	int n;

	uuid_from(call_id, mix(h ^ 1), mix(h ^ 2));
	if (is_orphan(i) || b->nattempts == 0) {
		uuid_from(orphan_id, mix(h ^ 3), mix(h ^ 4));
		snprintf(dispatch, sizeof dispatch, "%s", orphan_id);
		number = "+966500000000";
	} else {
		const struct attempt_ref *a = &b->attempts[(i - i / 10) % b->nattempts];

		snprintf(dispatch, sizeof dispatch, "%s", a->dispatch_id);
		number = a->number;
	}
	if (!delivered)
		n = snprintf(dst, cap, BODY_UNDELIVERED, call_id, number, h & 16 ? "pass" : "fail",
			     dispatch, b->campaign);
	else
		n = snprintf(dst, cap, BODY_DELIVERED, call_id, number, duration,
			     ended_reasons[(h >> 20) % 3], call_outputs[(h >> 24) % 5],
			     sentiments[(h >> 28) % 3], call_id, dispatch, b->campaign);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* ---- what a run reports back to the parent ------------------------------ */
struct run_result {
	int ok;
	char what[200];
	uint64_t events;      /* events the run handled (answered 200 / recorded / inserted) */
	uint64_t errors;      /* requests that did not get a 200, records that failed */
	uint64_t status_other; /* the last non-200 status seen, for the message */
	double seconds, cpu_seconds;
	double p50_ms, p99_ms, max_ms;
	uint64_t body_bytes;
	uint64_t syncs;
	double sync_seconds;
	/* the receiver's view (server child or direct run) */
	int has_receiver;
	uint64_t rc_events, rc_applied, rc_superseded, rc_orphans, rc_other, rc_duplicates,
		rc_refused, rc_commits;
	/* the server's view */
	int has_server;
	uint64_t srv_requests, srv_accepted, srv_refused, srv_failed;
	uint64_t refusals; /* refusal callbacks */
	uint64_t connections; /* the senders' connections opened */
};

struct run_usage {
	double cpu_seconds;
	long max_rss_kib;
};

typedef void (*run_fn)(struct run_result *out, const void *arg);

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void child_report(int fd, struct run_result *r)
{
	ssize_t w;

	r->syncs = atomic_load(&n_sync);
	r->sync_seconds = (double)atomic_load(&sync_ns) / 1e9;
	w = write(fd, r, sizeof *r);
	close(fd);
	/* exit(), not _exit(): LeakSanitizer (the asan preset) checks the run. */
	exit(w == (ssize_t)sizeof *r ? 0 : 1);
}

static void reap(pid_t pid, struct run_result *res, struct run_usage *use, int got)
{
	struct rusage ru;
	int status = 0;

	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	use->cpu_seconds = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	use->max_rss_kib = ru.ru_maxrss;
	if (got != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[sizeof res->what];

		snprintf(what, sizeof what, "%s", got == 0 ? res->what : "");
		memset(res, 0, sizeof *res);
		snprintf(res->what, sizeof res->what, "the run died (wait status 0x%x)%s%.120s",
			 status, what[0] ? ": " : "", what);
	}
}

/* Run fn in a child process; its result through a pipe, its usage from wait4. */
static void run_child(struct run_result *res, struct run_usage *use, run_fn fn, const void *arg)
{
	int p[2];
	pid_t pid;

	memset(res, 0, sizeof *res);
	memset(use, 0, sizeof *use);
	if (pipe(p)) {
		snprintf(res->what, sizeof res->what, "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(res->what, sizeof res->what, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		struct run_result r;

		close(p[0]);
		memset(&r, 0, sizeof r);
		atomic_store(&n_sync, 0);
		atomic_store(&sync_ns, 0);
		fn(&r, arg);
		child_report(p[1], &r);
	}
	close(p[1]);
	reap(pid, res, use, read_full(p[0], res, sizeof *res));
	close(p[0]);
}

/* ---- latencies ----------------------------------------------------------- */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* p50/p99/max (nearest rank) of n latencies in microseconds, in ms. */
static void percentiles(struct run_result *r, uint32_t *us, uint64_t n)
{
	if (!n)
		return;
	qsort(us, n, sizeof *us, cmp_u32);
	r->p50_ms = us[(n * 50 + 99) / 100 - 1] / 1000.0;
	r->p99_ms = us[(n * 99 + 99) / 100 - 1] / 1000.0;
	r->max_ms = us[n - 1] / 1000.0;
}

/* ---- (b1) raw SQLite: one transaction per event ------------------------- */
struct raw_arg {
	const struct bench *b;
	const char *path;
};

static int raw_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void run_raw(struct run_result *out, const void *varg)
{
	const struct raw_arg *a = varg;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char body[BODY_MAX], id[32];
	uint32_t *lat = calloc(a->b->raw_events, sizeof *lat);
	uint64_t i;
	double t0, c0, deadline;

	if (!lat || sqlite3_open(a->path, &db) != SQLITE_OK ||
	    raw_exec(db, "PRAGMA journal_mode=WAL") || raw_exec(db, "PRAGMA synchronous=FULL") ||
	    raw_exec(db, "CREATE TABLE events(svix_id TEXT PRIMARY KEY NOT NULL, type TEXT NOT "
			 "NULL, event_time INTEGER NOT NULL, received_at INTEGER NOT NULL, "
			 "dispatch_id TEXT, line INTEGER, payload TEXT NOT NULL)") ||
	    raw_exec(db, "CREATE INDEX events_dispatch ON events(dispatch_id)") ||
	    sqlite3_prepare_v2(db, "INSERT INTO events VALUES(?1, 'phone_call.ended', ?2, ?3, ?4, "
			       "NULL, ?5)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(out->what, sizeof out->what, "raw SQLite: %s",
			 db ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	t0 = now();
	c0 = cpu_now();
	/* A time limit too: at one fsync per event a busy disk takes minutes. */
	deadline = t0 + 20.0;
	for (i = 0; i < a->b->raw_events && now() < deadline; i++) {
		size_t len = make_body(body, sizeof body, a->b, 1, i);
		int64_t ms = wall_ms();
		double r0 = now();

		svix_id(id, 1, i);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ms / 1000 * 1000);
		sqlite3_bind_int64(st, 3, ms);
		sqlite3_bind_text(st, 4, a->b->nattempts ?
					 a->b->attempts[i % a->b->nattempts].dispatch_id : id,
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, body, (int)len, SQLITE_STATIC);
		if (raw_exec(db, "BEGIN IMMEDIATE") || sqlite3_step(st) != SQLITE_DONE ||
		    raw_exec(db, "COMMIT")) {
			snprintf(out->what, sizeof out->what, "raw SQLite insert: %s",
				 sqlite3_errmsg(db));
			goto done;
		}
		sqlite3_reset(st);
		lat[i] = (uint32_t)((now() - r0) * 1e6);
		out->body_bytes += len;
	}
	out->seconds = now() - t0;
	out->cpu_seconds = cpu_now() - c0;
	out->events = i;
	percentiles(out, lat, i);
	out->ok = 1;
	snprintf(out->what, sizeof out->what, "raw SQLite, 1 txn/event");
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(lat);
}

/* ---- (b2) the receiver called directly, S threads ----------------------- */
struct direct_arg {
	const struct bench *b;
	const char *journal;
};

struct direct_state {
	const struct bench *b;
	phn_campaign_receiver *rc;
	atomic_uint_fast64_t next, failed, bytes;
	uint32_t *lat;
	char error[160];
	pthread_mutex_t mu;
};

static void *direct_thread(void *p)
{
	struct direct_state *s = p;
	char body[BODY_MAX], id[32];

	for (;;) {
		uint64_t i = atomic_fetch_add(&s->next, 1);
		size_t len;
		double r0;
		int rc;

		if (i >= s->b->events)
			break;
		len = make_body(body, sizeof body, s->b, 2, i);
		svix_id(id, 2, i);
		r0 = now();
		rc = phn_campaign_receiver_record(s->rc, id, wall_ms() / 1000, body, len, wall_ms(),
						  NULL);
		s->lat[i] = (uint32_t)((now() - r0) * 1e6);
		atomic_fetch_add(&s->bytes, len);
		if (rc != PHN_OK) {
			pthread_mutex_lock(&s->mu);
			if (!s->error[0])
				snprintf(s->error, sizeof s->error, "%s", phn_error_last());
			pthread_mutex_unlock(&s->mu);
			atomic_fetch_add(&s->failed, 1);
		}
	}
	return NULL;
}

static void receiver_counts(struct run_result *out, phn_campaign_receiver *rc)
{
	phn_receiver_stats st = PHN_RECEIVER_STATS_INIT;

	if (phn_campaign_receiver_stats(&st, rc) != PHN_OK)
		return;
	out->has_receiver = 1;
	out->rc_events = st.events;
	out->rc_applied = st.applied;
	out->rc_superseded = st.superseded;
	out->rc_orphans = st.orphans;
	out->rc_other = st.other_types;
	out->rc_duplicates = st.duplicates;
	out->rc_refused = st.refused;
	out->rc_commits = st.commits;
}

static void run_direct(struct run_result *out, const void *varg)
{
	const struct direct_arg *a = varg;
	struct direct_state s;
	pthread_t *th = calloc(a->b->senders, sizeof *th);
	unsigned int started = 0;
	double t0, c0;

	memset(&s, 0, sizeof s);
	s.b = a->b;
	s.lat = calloc(a->b->events, sizeof *s.lat);
	pthread_mutex_init(&s.mu, NULL);
	if (!th || !s.lat) {
		snprintf(out->what, sizeof out->what, "out of memory");
		goto done;
	}
	if (phn_campaign_receiver_open(&s.rc, a->journal) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_campaign_receiver_open: %s",
			 phn_error_last());
		goto done;
	}
	t0 = now();
	c0 = cpu_now();
	for (; started < a->b->senders; started++)
		if (pthread_create(&th[started], NULL, direct_thread, &s))
			break;
	for (unsigned int k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	out->seconds = now() - t0;
	out->cpu_seconds = cpu_now() - c0;
	out->errors = atomic_load(&s.failed);
	out->events = a->b->events - out->errors;
	out->body_bytes = atomic_load(&s.bytes);
	percentiles(out, s.lat, a->b->events);
	receiver_counts(out, s.rc);
	phn_campaign_receiver_close(s.rc);
	if (started < a->b->senders)
		snprintf(out->what, sizeof out->what, "pthread_create failed");
	else if (s.error[0])
		snprintf(out->what, sizeof out->what, "record failed: %s", s.error);
	else {
		out->ok = 1;
		snprintf(out->what, sizeof out->what, "receiver, direct (%u thr)", a->b->senders);
	}
done:
	pthread_mutex_destroy(&s.mu);
	free(s.lat);
	free(th);
}

/* ---- the server child ------------------------------------------------------ */
struct server_arg {
	const struct bench *b;
	const char *journal; /* NULL: the handler that returns 0 at once */
};

static atomic_uint_fast64_t null_refusals;

static int on_event_null(void *payload, const phn_webhook_event *ev)
{
	(void)payload;
	(void)ev;
	return 0;
}

static void on_refusal_null(void *payload, int http_status, const char *reason)
{
	(void)payload;
	(void)http_status;
	(void)reason;
	atomic_fetch_add(&null_refusals, 1);
}

static int on_event_record(void *payload, const phn_webhook_event *ev)
{
	return phn_campaign_receiver_record(payload, ev->svix_id, ev->timestamp_s, ev->body,
					    ev->body_len, ev->received_ms, NULL);
}

static void on_refusal_record(void *payload, int http_status, const char *reason)
{
	(void)http_status;
	atomic_fetch_add(&null_refusals, 1);
	phn_campaign_receiver_refused(payload, reason);
}

/* In the server child: serve until SIGTERM, then report. SIGTERM is blocked
 * before the server starts, so its threads inherit the mask and the signal
 * is taken by sigwait() here. */
static void serve_child(int port_fd, int res_fd, const struct server_arg *a)
{
	phn_webhook_server_options o = PHN_WEBHOOK_SERVER_OPTIONS_INIT;
	phn_webhook_server_stats st = PHN_WEBHOOK_SERVER_STATS_INIT;
	phn_webhook_secrets *secrets = NULL;
	phn_campaign_receiver *rc = NULL;
	phn_webhook_server *srv = NULL;
	struct run_result r;
	sigset_t set;
	int port = -1, sig = 0;
	double c0;

	memset(&r, 0, sizeof r);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (phn_webhook_secrets_parse(&secrets, a->b->secret_text) != PHN_OK) {
		snprintf(r.what, sizeof r.what, "secrets: %s", phn_error_last());
		goto report;
	}
	if (a->journal && phn_campaign_receiver_open(&rc, a->journal) != PHN_OK) {
		snprintf(r.what, sizeof r.what, "phn_campaign_receiver_open: %s", phn_error_last());
		goto report;
	}
	o.listen = "127.0.0.1:0";
	o.secrets = secrets;
	o.max_connections = a->b->senders + 16;
	o.on_event = rc ? on_event_record : on_event_null;
	o.on_refusal = rc ? on_refusal_record : on_refusal_null;
	o.payload = rc;
	if (phn_webhook_server_start(&srv, &o) != PHN_OK) {
		snprintf(r.what, sizeof r.what, "phn_webhook_server_start: %s", phn_error_last());
		goto report;
	}
	port = phn_webhook_server_port(srv);
report:
	if (write(port_fd, &port, sizeof port) != (ssize_t)sizeof port)
		port = -1;
	close(port_fd);
	if (port > 0) {
		c0 = cpu_now();
		while (sigwait(&set, &sig) != 0)
			;
		/* The senders are done: every request has been answered. */
		if (phn_webhook_server_stats_get(&st, srv) == PHN_OK) {
			r.has_server = 1;
			r.srv_requests = st.requests;
			r.srv_accepted = st.accepted;
			r.srv_refused = st.refused;
			r.srv_failed = st.failed;
		}
		phn_webhook_server_stop(srv);
		r.cpu_seconds = cpu_now() - c0;
	}
	r.refusals = atomic_load(&null_refusals);
	if (rc) {
		receiver_counts(&r, rc);
		phn_campaign_receiver_close(rc);
	}
	phn_webhook_secrets_free(secrets);
	if (port > 0)
		r.ok = 1;
	child_report(res_fd, &r);
}

/* ---- the senders: libcurl multi, S transfers in flight ------------------- */
struct send_arg {
	const struct bench *b;
	int port;
	uint64_t salt;
};

struct xfer {
	CURL *e;
	struct curl_slist *hdrs;
	uint64_t i;
	double t_add; /* when it was handed to libcurl */
	char body[BODY_MAX];
};

static size_t discard(char *ptr, size_t size, size_t nmemb, void *p)
{
	(void)ptr;
	(void)p;
	return size * nmemb;
}

/* Make x carry event i: body, a fresh svix-id, signed now. */
static int xfer_load(struct xfer *x, const struct send_arg *a, const phn_webhook_secrets *sec,
		     uint64_t i, uint64_t *bytes)
{
	char id[32], line[128], sig[PHN_WEBHOOK_SIGNATURE_MAX];
	int64_t ts = wall_ms() / 1000;
	size_t len = make_body(x->body, sizeof x->body, a->b, a->salt, i);
	struct curl_slist *h = NULL, *t;

	if (!len)
		return -1;
	svix_id(id, a->salt, i);
	if (phn_webhook_sign(sec, id, ts, x->body, len, sig, sizeof sig) != PHN_OK)
		return -1;
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	/* "Expect:" off: libcurl would wait for a 100 before a body over 1 KiB. */
	if (!(t = curl_slist_append(h, "Content-Type: application/json")) || !(h = t) ||
	    !(t = curl_slist_append(h, "Expect:")) || !(h = t))
		goto fail;
	snprintf(line, sizeof line, "svix-id: %s", id);
	if (!(t = curl_slist_append(h, line)) || !(h = t))
		goto fail;
	snprintf(line, sizeof line, "svix-timestamp: %" PRId64, ts);
	if (!(t = curl_slist_append(h, line)) || !(h = t))
		goto fail;
	snprintf(line, sizeof line, "svix-signature: %s", sig);
	if (!(t = curl_slist_append(h, line)) || !(h = t))
		goto fail;
	x->hdrs = h;
	x->i = i;
	x->t_add = now();
	curl_easy_setopt(x->e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(x->e, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(x->e, CURLOPT_POSTFIELDS, x->body);
	*bytes += len;
	return 0;
fail:
	curl_slist_free_all(h);
	return -1;
}

static void run_sender(struct run_result *out, const void *varg)
{
	const struct send_arg *a = varg;
	const struct bench *b = a->b;
	phn_webhook_secrets *sec = NULL;
	struct xfer *x = calloc(b->senders, sizeof *x);
	uint32_t *lat = calloc(b->events, sizeof *lat);
	CURLM *m = NULL;
	char url[96];
	uint64_t next = 0, done = 0, ok = 0, connects = 0;
	double t0, c0;
	int running = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/webhooks/calls", a->port);
	if (!x || !lat || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(m = curl_multi_init()) ||
	    phn_webhook_secrets_parse(&sec, b->secret_text) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "sender setup failed");
		goto done;
	}
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)b->senders);
	for (unsigned int k = 0; k < b->senders; k++) {
		if (!(x[k].e = curl_easy_init())) {
			snprintf(out->what, sizeof out->what, "curl_easy_init failed");
			goto done;
		}
		curl_easy_setopt(x[k].e, CURLOPT_URL, url);
		curl_easy_setopt(x[k].e, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(x[k].e, CURLOPT_PRIVATE, &x[k]);
		curl_easy_setopt(x[k].e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(x[k].e, CURLOPT_TIMEOUT, 60L);
	}
	t0 = now();
	c0 = cpu_now();
	for (unsigned int k = 0; k < b->senders && next < b->events; k++, next++) {
		if (xfer_load(&x[k], a, sec, next, &out->body_bytes) ||
		    curl_multi_add_handle(m, x[k].e) != CURLM_OK) {
			snprintf(out->what, sizeof out->what, "cannot start a request");
			goto done;
		}
	}
	while (done < b->events) {
		CURLMsg *msg;
		int left, added = 0;

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			snprintf(out->what, sizeof out->what, "curl multi failed");
			goto done;
		}
		while ((msg = curl_multi_info_read(m, &left))) {
			struct xfer *xf = NULL;
			long code = 0, conns = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&xf);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &conns);
			connects += (uint64_t)conns;
			if (msg->data.result == CURLE_OK && code == 200) {
				lat[ok++] = (uint32_t)((now() - xf->t_add) * 1e6);
			} else {
				out->errors++;
				out->status_other =
					msg->data.result == CURLE_OK ? (uint64_t)code : 0;
			}
			done++;
			curl_multi_remove_handle(m, xf->e);
			if (next < b->events) {
				if (xfer_load(xf, a, sec, next++, &out->body_bytes) ||
				    curl_multi_add_handle(m, xf->e) != CURLM_OK) {
					snprintf(out->what, sizeof out->what,
						 "cannot start a request");
					goto done;
				}
				added = 1;
			}
		}
		/* Wait only when nothing new is to be sent: the transfers that
		 * perform() just finished were read above, not left to the
		 * poll's timeout. */
		if (!added && done < b->events &&
		    curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK) {
			snprintf(out->what, sizeof out->what, "curl multi poll failed");
			goto done;
		}
	}
	out->seconds = now() - t0;
	out->cpu_seconds = cpu_now() - c0;
	out->events = ok;
	/* Connections opened: kept alive, so about one per sender. */
	out->connections = connects;
	percentiles(out, lat, ok);
	snprintf(out->what, sizeof out->what, "senders");
	out->ok = 1;
done:
	for (unsigned int k = 0; x && k < b->senders; k++) {
		if (x[k].e) {
			curl_multi_remove_handle(m, x[k].e);
			curl_easy_cleanup(x[k].e);
		}
		curl_slist_free_all(x[k].hdrs);
	}
	curl_multi_cleanup(m);
	curl_global_cleanup();
	phn_webhook_secrets_free(sec);
	free(x);
	free(lat);
}

/* The server in one child, the senders in another; the server stops once
 * the senders are done. */
static void http_run(struct run_result *srv, struct run_usage *srv_use, struct run_result *snd,
		     struct run_usage *snd_use, const struct bench *b, const char *journal,
		     uint64_t salt)
{
	struct server_arg sa = { b, journal };
	struct send_arg xa = { b, -1, salt };
	int pp[2], rp[2];
	pid_t pid;

	memset(srv, 0, sizeof *srv);
	memset(snd, 0, sizeof *snd);
	memset(srv_use, 0, sizeof *srv_use);
	memset(snd_use, 0, sizeof *snd_use);
	if (pipe(pp)) {
		snprintf(srv->what, sizeof srv->what, "pipe: %s", strerror(errno));
		return;
	}
	if (pipe(rp)) {
		snprintf(srv->what, sizeof srv->what, "pipe: %s", strerror(errno));
		close(pp[0]);
		close(pp[1]);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pp[0]);
		close(rp[0]);
		atomic_store(&n_sync, 0);
		atomic_store(&sync_ns, 0);
		serve_child(pp[1], rp[1], &sa);
	}
	close(pp[1]);
	close(rp[1]);
	if (pid < 0) {
		snprintf(srv->what, sizeof srv->what, "fork: %s", strerror(errno));
		close(pp[0]);
		close(rp[0]);
		return;
	}
	if (read_full(pp[0], &xa.port, sizeof xa.port) == 0 && xa.port > 0)
		run_child(snd, snd_use, run_sender, &xa);
	else
		snprintf(snd->what, sizeof snd->what, "the server did not start");
	close(pp[0]);
	kill(pid, SIGTERM);
	reap(pid, srv, srv_use, read_full(rp[0], srv, sizeof *srv));
	close(rp[0]);
}

/* ---- the campaign: a list dialled into a real journal (bench_dial_server.h
 * generates the list) ---------------------------------------------------- */
struct dial_arg {
	const char *list_path;
	const char *journal_path;
	char base_url[96];
};

static void run_dialer(struct run_result *out, const void *varg)
{
	const struct dial_arg *a = varg;
	phn_dispatch_options dopt = PHN_DISPATCH_OPTIONS_INIT;
	phn_clean_options copt = PHN_CLEAN_OPTIONS_INIT;
	phn_dial_options o = PHN_DIAL_OPTIONS_INIT;
	phn_dial_progress p;
	phn_dial_end end = PHN_DIAL_END_DONE;
	phn_dialer *dl = NULL;
	double t0 = now();

	dopt.base_url = a->base_url;
	dopt.token = "bench-token-not-a-secret";
	copt.region = "SA";
	o.flags = PHN_DIAL_NO_WAIT;
	o.list_path = a->list_path;
	o.clean = &copt;
	o.dispatch = &dopt;
	o.rate = 0;
	o.concurrency = 16;
	o.test_now_ms = BENCH_NOW_MS;
	o.window_hours = "00:00-24:00";
	o.window_days = "all";
	if (phn_dialer_open(&dl, a->journal_path, &o) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dialer_open: %s", phn_error_last());
		return;
	}
	if (phn_dialer_run(dl) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dialer_run: %s", phn_error_last());
		phn_dialer_free(dl);
		return;
	}
	memset(&p, 0, sizeof p);
	p.version = PHN_DIAL_PROGRESS_VERSION;
	if (phn_dialer_summary(&p, &end, dl) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dialer_summary: %s", phn_error_last());
		phn_dialer_free(dl);
		return;
	}
	phn_dialer_free(dl);
	out->seconds = now() - t0;
	out->events = p.accepted;
	out->ok = 1;
}

/* The dispatch ids of the journal's accepted call attempts, and the
 * campaign id the dialer sent beside them. */
static int load_attempts(struct bench *b, const char *journal)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1;

	if (sqlite3_open_v2(journal, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'campaign_id'", -1, &st,
			       NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(b->campaign, sizeof b->campaign, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT a.dispatch_id, r.e164 FROM attempts a JOIN rows r "
			       "ON r.line = a.line WHERE a.step = 'call' AND a.outcome = "
			       "'accepted' ORDER BY a.started_at, a.dispatch_id", -1, &st,
			       NULL) != SQLITE_OK)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attempt_ref *r;

		if (b->nattempts == cap) {
			size_t ncap = cap ? 2 * cap : 1024;
			struct attempt_ref *n = realloc(b->attempts, ncap * sizeof *n);

			if (!n)
				goto done;
			b->attempts = n;
			cap = ncap;
		}
		r = &b->attempts[b->nattempts++];
		snprintf(r->dispatch_id, sizeof r->dispatch_id, "%s",
			 (const char *)sqlite3_column_text(st, 0));
		snprintf(r->number, sizeof r->number, "%s",
			 (const char *)sqlite3_column_text(st, 1));
	}
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "bench_webhook: reading %s: %s\n", journal,
			db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* Events in the journal after a run: all, and those that matched no attempt. */
static int count_journal_events(const char *journal, uint64_t *all, uint64_t *orphans)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*), count(*) - count(line) FROM events", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*all = (uint64_t)sqlite3_column_int64(st, 0);
		*orphans = (uint64_t)sqlite3_column_int64(st, 1);
		rc = 0;
	} else {
		fprintf(stderr, "bench_webhook: reading the events of %s: %s\n", journal,
			db ? sqlite3_errmsg(db) : "out of memory");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!in || !out) {
		perror(in ? to : from);
		if (in)
			fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (fclose(out))
		rc = -1;
	if (rc)
		perror(to);
	return rc;
}

static void remove_db(const char *path)
{
	char side[4200];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

/* A fresh copy of the dialled journal for one run (the dialer closed it,
 * so its WAL is checkpointed; a -wal left behind is copied too). */
static int fresh_journal(const char *base, const char *path)
{
	char from[4200], to[4200];
	struct stat sb;

	remove_db(path);
	if (copy_file(base, path))
		return -1;
	snprintf(from, sizeof from, "%s-wal", base);
	snprintf(to, sizeof to, "%s-wal", path);
	if (stat(from, &sb) == 0 && copy_file(from, to))
		return -1;
	return 0;
}

/* ---- printing --------------------------------------------------------------- */
static void print_head(void)
{
	printf("%-30s %8s %8s %9s %8s %8s %8s %10s %9s %7s\n", "run", "events", "seconds",
	       "events/s", "p50 ms", "p99 ms", "max ms", "CPU us/ev", "peak RSS", "syncs");
	printf("%-30s %8s %8s %9s %8s %8s %8s %10s %9s %7s\n", "", "", "", "", "", "", "",
	       "(server)", "KiB", "");
}

/* One line: r is where the work was timed (the senders for HTTP runs),
 * w the process that did it (the server for HTTP runs). */
static void print_line(const char *what, const struct run_result *r, const struct run_result *w,
		       const struct run_usage *wu)
{
	double n = (double)(r->events ? r->events : 1);

	printf("%-30s %8" PRIu64 " %8.3f %9.0f %8.2f %8.2f %8.2f %10.1f %9ld %7" PRIu64 "\n",
	       what, r->events, r->seconds, r->seconds > 0 ? (double)r->events / r->seconds : 0.0,
	       r->p50_ms, r->p99_ms, r->max_ms, wu->cpu_seconds * 1e6 / n, wu->max_rss_kib,
	       w->syncs);
}

/* The second line of an HTTP run: the senders' side and the server's counts. */
static void print_http(const struct run_result *snd, const struct run_usage *su,
		       const struct run_result *srv, const struct bench *b)
{
	double n = (double)(snd->events ? snd->events : 1);

	printf("  senders: %.1f us CPU per event, %" PRIu64 " connections, bodies %.0f bytes on "
	       "average, %" PRIu64 " not 200 (last status %" PRIu64 ")\n",
	       su->cpu_seconds * 1e6 / n, snd->connections,
	       (double)snd->body_bytes / (double)b->events, snd->errors, snd->status_other);
	printf("  server: %" PRIu64 " requests, %" PRIu64 " accepted, %" PRIu64 " refused, %" PRIu64
	       " failed (503)\n", srv->srv_requests, srv->srv_accepted, srv->srv_refused,
	       srv->srv_failed);
}

static void print_receiver(const struct run_result *w, const struct bench *b)
{
	double ev = (double)(w->rc_events ? w->rc_events : 1);

	if (!w->has_receiver)
		return;
	printf("  receiver: %" PRIu64 " new events (applied %" PRIu64 ", superseded %" PRIu64
	       ", orphans %" PRIu64 ", other types %" PRIu64 "), duplicates %" PRIu64
	       ", refused %" PRIu64 "; expected %" PRIu64 " matched + %" PRIu64 " orphans\n",
	       w->rc_events, w->rc_applied, w->rc_superseded, w->rc_orphans, w->rc_other,
	       w->rc_duplicates, w->rc_refused, b->matched, b->orphans);
	printf("  group commits: %" PRIu64 " (%.1f events a commit), %" PRIu64 " syncs, %.1f us "
	       "in fsync per event\n", w->rc_commits,
	       ev / (double)(w->rc_commits ? w->rc_commits : 1), w->syncs,
	       w->sync_seconds * 1e6 / ev);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bench_webhook [--events N] [--senders S] [--workdir DIR] [--raw-events N] "
		"[--keep]\n"
		"  --events N      events per run (default 20000)\n"
		"  --senders S     concurrent senders / threads (default 50)\n"
		"  --workdir DIR   where the journals go (default .): the disk a journal\n"
		"                  lives on, never a tmpfs\n"
		"  --raw-events N  events of the one-transaction-per-event SQLite loop (default\n"
		"                  min(N, 3000); it also stops after 20 s)\n"
		"  --keep          keep the list and the journals\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b;
	char list[4096], base[4096], j_direct[4096], j_http[4096], raw_db[4096];
	struct dial_arg da;
	struct raw_arg ra;
	struct direct_arg dra;
	struct run_result r, srv, snd;
	struct run_usage u, srv_use, snd_use;
	uint64_t senders = 50, raw = 0, in_journal = 0, in_orphans = 0;
	double raw_rate = 0, direct_rate = 0, null_rate = 0, http_rate = 0, per_commit = 0;
	char load[64] = "?";
	FILE *la;
	pid_t api;
	int port = 0, status, failed = 0;

	memset(&b, 0, sizeof b);
	b.events = 20000;
	b.workdir = ".";
	/* A fixed secret: the benchmark's own, on loopback; never printed. */
	b.secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--keep") == 0) {
			b.keep = 1;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(argv[i], "--events") == 0) {
			if (parse_u64(v, &b.events))
				return usage();
		} else if (strcmp(argv[i], "--senders") == 0) {
			if (parse_u64(v, &senders))
				return usage();
		} else if (strcmp(argv[i], "--raw-events") == 0) {
			if (parse_u64(v, &raw))
				return usage();
		} else if (strcmp(argv[i], "--workdir") == 0) {
			b.workdir = v;
		} else {
			return usage();
		}
		i++;
	}
	if (b.events < 10 || b.events > 10000000 || senders == 0 || senders > 1000)
		return usage();
	b.senders = (unsigned int)senders;
	b.raw_events = raw ? raw : (b.events < 3000 ? b.events : 3000);
	count_events(&b);

	snprintf(list, sizeof list, "%s/bench_webhook_%" PRIu64 ".csv", b.workdir, b.matched);
	snprintf(base, sizeof base, "%s/bench_webhook_dialled.db", b.workdir);
	snprintf(j_direct, sizeof j_direct, "%s/bench_webhook_direct.db", b.workdir);
	snprintf(j_http, sizeof j_http, "%s/bench_webhook_http.db", b.workdir);
	snprintf(raw_db, sizeof raw_db, "%s/bench_webhook_raw.db", b.workdir);

	/* The campaign: one row per matched event, dialled for real. */
	memset(&da, 0, sizeof da);
	da.list_path = list;
	da.journal_path = base;
	remove_db(base);
	if (bench_write_list(list, b.matched))
		return 1;
	api = bench_server_spawn(&port);
	if (api < 0)
		return 1;
	snprintf(da.base_url, sizeof da.base_url, "http://127.0.0.1:%d/api-service/v1", port);
	run_child(&r, &u, run_dialer, &da);
	kill(api, SIGTERM);
	waitpid(api, &status, 0);
	if (!r.ok || r.events != b.matched) {
		fprintf(stderr, "bench_webhook: FAILED to dial the campaign: %s (%" PRIu64
			" of %" PRIu64 " accepted)\n", r.what, r.events, b.matched);
		return 1;
	}
	if (load_attempts(&b, base) || b.nattempts != b.matched) {
		fprintf(stderr, "bench_webhook: FAILED: %zu accepted call attempts in the journal, "
			"expected %" PRIu64 "\n", b.nattempts, b.matched);
		free(b.attempts);
		return 1;
	}

	if ((la = fopen("/proc/loadavg", "r"))) {
		if (fgets(load, sizeof load, la))
			load[strcspn(load, " ")] = '\0';
		fclose(la);
	}
	printf("phonenorm %s; %" PRIu64 " phone_call.ended events per run (%" PRIu64
	       " for real attempts of a dialled %" PRIu64 "-row campaign, %" PRIu64
	       " orphans), %u senders; journal in %s; load average %s\n",
	       phn_version(), b.events, b.matched, b.matched, b.orphans, b.senders, b.workdir,
	       load);
	printf("setup: dialled %" PRIu64 " rows in %.1f s (phn_dialer_run against "
	       "bench_dial_server)\n", b.matched, r.seconds);
	print_head();

	/* (b1) what one transaction per event costs. */
	ra.b = &b;
	ra.path = raw_db;
	remove_db(raw_db);
	run_child(&r, &u, run_raw, &ra);
	if (r.ok)
		print_line(r.what, &r, &r, &u);
	else
		printf("%-30s FAILED: %s\n", "raw SQLite, 1 txn/event", r.what), failed = 1;
	if (r.ok && r.seconds > 0)
		raw_rate = (double)r.events / r.seconds;
	if (!b.keep)
		remove_db(raw_db);

	/* (b2) group commit without HTTP. */
	dra.b = &b;
	dra.journal = j_direct;
	if (fresh_journal(base, j_direct)) {
		failed = 1;
	} else {
		run_child(&r, &u, run_direct, &dra);
		if (r.ok) {
			print_line(r.what, &r, &r, &u);
			print_receiver(&r, &b);
			if (r.seconds > 0)
				direct_rate = (double)r.events / r.seconds;
		} else {
			printf("%-30s FAILED: %s\n", "receiver, direct", r.what);
		}
		failed |= !r.ok || r.errors || r.rc_events != b.events ||
			  r.rc_orphans != b.orphans;
		if (!b.keep)
			remove_db(j_direct);
	}

	/* (a) HTTP and verification alone. */
	http_run(&srv, &srv_use, &snd, &snd_use, &b, NULL, 3);
	if (srv.ok && snd.ok) {
		print_line("HTTP + verify, no store", &snd, &srv, &srv_use);
		if (snd.seconds > 0)
			null_rate = (double)snd.events / snd.seconds;
		print_http(&snd, &snd_use, &srv, &b);
	} else {
		printf("%-30s FAILED: %s\n", "HTTP + verify, no store",
		       srv.ok ? snd.what : srv.what);
	}
	failed |= !srv.ok || !snd.ok || snd.events != b.events || snd.errors;

	/* The receiver as `phonenorm webhook` runs it. */
	if (fresh_journal(base, j_http)) {
		failed = 1;
	} else {
		http_run(&srv, &srv_use, &snd, &snd_use, &b, j_http, 4);
		if (srv.ok && snd.ok) {
			print_line("HTTP + verify + receiver", &snd, &srv, &srv_use);
			if (snd.seconds > 0)
				http_rate = (double)snd.events / snd.seconds;
			per_commit = (double)srv.rc_events /
				     (double)(srv.rc_commits ? srv.rc_commits : 1);
			print_http(&snd, &snd_use, &srv, &b);
			print_receiver(&srv, &b);
			if (count_journal_events(j_http, &in_journal, &in_orphans) == 0)
				printf("  read back: %" PRIu64 " events in the journal (%" PRIu64
				       " orphans) for %" PRIu64 " answered 200\n", in_journal,
				       in_orphans, snd.events);
		} else {
			printf("%-30s FAILED: %s\n", "HTTP + verify + receiver",
			       srv.ok ? snd.what : srv.what);
		}
		failed |= !srv.ok || !snd.ok || snd.events != b.events || snd.errors ||
			  in_journal != snd.events || in_orphans != b.orphans ||
			  srv.rc_events != b.events;
		if (!b.keep)
			remove_db(j_http);
	}
	if (!b.keep) {
		remove_db(base);
		unlink(list);
	}
	if (http_rate > 0 && null_rate > 0 && direct_rate > 0 && raw_rate > 0)
		printf("HTTP + receiver: %.0f events/s durable with %u senders, %.2f of HTTP "
		       "alone, %.2f of the receiver alone, %.1fx the 1-txn-per-event loop (%.1f "
		       "events a group commit)\n", http_rate, b.senders, http_rate / null_rate,
		       http_rate / direct_rate, http_rate / raw_rate, per_commit);
	free(b.attempts);
	if (failed)
		fprintf(stderr, "bench_webhook: FAILED: a run did not do its work (see above)\n");
	return failed;
}
