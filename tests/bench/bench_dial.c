/*
 * Benchmark: calls per second of the campaign dialer with its journal on,
 * against a local server that answers at once (bench_dial_server.c), side
 * by side in one run with the anchor: the raw dispatch multi loop
 * (phn_dispatch_submit_call/poll, no journal, no list) at the same
 * concurrency. Prints calls/s, CPU per call, the journal's cost per row
 * (bytes on disk and written, fsyncs and the time spent in them) and peak
 * RSS of each run. Not a test: it asserts nothing about time.
 *
 * Every run happens in a child process of its own, so that its peak RSS and
 * CPU time (wait4) are its own; the server is a child too.
 *
 * usage: bench_dial [--rows N] [--concurrency C] [--mode MODE] [--workdir DIR]
 *   MODE: all (default): anchor, then the dialer, over N calls each
 *         anchor: the raw dispatch loop only
 *         server: the server alone (prints its port, serves until killed)
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <phonenorm.h>

#include "bench_dial_server.h"

/* ---- fsync accounting -------------------------------------------------
 * SQLite makes a commit durable with fdatasync()/fsync(). This executable
 * exports its own (ENABLE_EXPORTS), which count the calls and the time they
 * take, then call libc's: the journal's durable cost, measured where it is
 * paid. */
static uint64_t n_sync;
static double sync_seconds;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	sync_seconds += now() - t0;
	n_sync++;
	return rc;
}

int fsync(int fd);
int fdatasync(int fd);

int fsync(int fd)
{
	return timed_sync("fsync", fd);
}

int fdatasync(int fd)
{
	return timed_sync("fdatasync", fd);
}

/* ---- the generated campaign ------------------------------------------
 * Row i (0-based) is a valid number that no other row has: four in five are
 * Saudi mobiles (+966 50 ...: one zone, Asia/Riyadh), one in five a US
 * number in New York, Chicago, Denver or Los Angeles. */
static const char *const us_areas[] = { "212", "312", "303", "213" };

static void row_number(char dst[32], uint64_t i)
{
	if (i % 5 == 4) {
		uint64_t k = i / 5, rest = k / 4;

		snprintf(dst, 32, "+1%s%03u%04u", us_areas[k % 4], (unsigned)(200 + rest / 10000 % 700),
			 (unsigned)(rest % 10000));
	} else {
		snprintf(dst, 32, "+96650%07u", (unsigned)(i % 10000000u));
	}
}

/* A fresh UUIDv4 text per attempt, as the dialer makes for dispatch ids. */
static void uuid4(char dst[37])
{
	static uint64_t s = 0x853c49e6748fea9bull;
	uint64_t a, b;

	s ^= s << 13, s ^= s >> 7, s ^= s << 17, a = s;
	s ^= s << 13, s ^= s >> 7, s ^= s << 17, b = s;
	snprintf(dst, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
		 0x8000u | ((unsigned)(b >> 48) & 0x3fffu), (unsigned long long)(b & 0xffffffffffffull));
}

/* ---- what a run reports back to the parent ---------------------------- */
struct run_result {
	int ok;               /* the run did its work */
	char what[160];       /* what it ran, or why it failed */
	uint64_t calls;       /* requests that ended */
	uint64_t accepted;
	double seconds;       /* wall time of the timed part */
	double setup_seconds; /* before it (a dialer's load), when separate */
	uint64_t syncs;
	double sync_seconds;
	uint64_t wchar, write_bytes; /* /proc/self/io */
	uint64_t db_bytes;    /* journal files' size at the end */
};

struct run_usage {
	double cpu_seconds;
	long max_rss_kib;
};

static void read_proc_io(uint64_t *wchar, uint64_t *write_bytes)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];

	*wchar = *write_bytes = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;

		if (sscanf(line, "wchar: %llu", &v) == 1)
			*wchar = v;
		else if (sscanf(line, "write_bytes: %llu", &v) == 1)
			*write_bytes = v;
	}
	fclose(f);
}

typedef void (*run_fn)(struct run_result *out, const void *arg);

/* Run fn in a child process; its result through a pipe, its usage from wait4. */
static int run_child(struct run_result *res, struct run_usage *use, run_fn fn, const void *arg)
{
	int p[2];
	pid_t pid;
	int status;
	struct rusage ru;
	ssize_t got = 0;

	memset(res, 0, sizeof *res);
	memset(use, 0, sizeof *use);
	if (pipe(p))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct run_result r;
		ssize_t w;

		close(p[0]);
		memset(&r, 0, sizeof r);
		n_sync = 0;
		sync_seconds = 0;
		fn(&r, arg);
		r.syncs = n_sync;
		r.sync_seconds = sync_seconds;
		read_proc_io(&r.wchar, &r.write_bytes);
		w = write(p[1], &r, sizeof r);
		_exit(w == (ssize_t)sizeof r ? 0 : 1);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof *res) {
		ssize_t n = read(p[0], (char *)res + got, sizeof *res - (size_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(p[0]);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	use->cpu_seconds = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	use->max_rss_kib = ru.ru_maxrss;
	if (got != (ssize_t)sizeof *res) {
		memset(res, 0, sizeof *res);
		snprintf(res->what, sizeof res->what, "the run died (status 0x%x)", status);
	}
	return 0;
}

/* ---- the anchor: the raw dispatch multi loop --------------------------- */
struct bench_cfg {
	uint64_t rows;
	unsigned int concurrency;
	int port;
	char base_url[96];
	const char *workdir;
};

struct anchor_state {
	uint64_t done, accepted;
};

static void anchor_done(const phn_dispatch_result *r, void *payload)
{
	struct anchor_state *s = payload;

	s->done++;
	s->accepted += r->outcome == PHN_DISPATCH_ACCEPTED;
}

static void run_anchor(struct run_result *out, const void *arg)
{
	const struct bench_cfg *cfg = arg;
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;
	phn_dispatch *d = NULL;
	struct anchor_state s = { 0, 0 };
	uint64_t submitted = 0;
	double t0;

	o.base_url = cfg->base_url;
	o.token = "bench-token-not-a-secret";
	o.max_in_flight = cfg->concurrency;
	if (phn_dispatch_new(&d, &o) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dispatch_new: %s", phn_error_last());
		return;
	}
	t0 = now();
	while (s.done < cfg->rows) {
		/* Keep the queue a little deeper than what is on the wire, as a
		 * dialer does, without building every request up front. */
		while (submitted < cfg->rows && submitted - s.done < 2u * cfg->concurrency) {
			phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
			char number[32], id[37];
			phn_dispatch_kv meta[2] = { { "phonenorm_dispatch_id", id },
						    { "phonenorm_campaign", "bench" } };
			int rc;

			row_number(number, submitted);
			uuid4(id);
			call.number = number;
			call.first_name = "Bench";
			call.metadata = meta;
			call.metadata_count = 2;
			rc = phn_dispatch_submit_call(NULL, d, &call, anchor_done, &s);
			if (rc != PHN_OK) {
				snprintf(out->what, sizeof out->what, "submit %s: %s", number,
					 phn_error_last());
				phn_dispatch_free(d);
				return;
			}
			submitted++;
		}
		if (phn_dispatch_poll(NULL, d, 100) != PHN_OK) {
			snprintf(out->what, sizeof out->what, "poll: %s", phn_error_last());
			phn_dispatch_free(d);
			return;
		}
	}
	out->seconds = now() - t0;
	out->calls = s.done;
	out->accepted = s.accepted;
	out->ok = 1;
	snprintf(out->what, sizeof out->what, "raw dispatch loop (anchor)");
	phn_dispatch_free(d);
}

/* ---- printing ----------------------------------------------------------- */
static void print_head(void)
{
	printf("%-30s %9s %9s %10s %12s %12s %11s\n", "run", "calls", "seconds", "calls/s",
	       "CPU ms/call", "peak RSS KiB", "server CPU%");
}

static void print_run(const struct run_result *r, const struct run_usage *u,
		      const struct bench_server_stats *before, const struct bench_server_stats *after)
{
	double srv = (double)(after->cpu_ms - before->cpu_ms) / 1000.0;

	if (!r->ok) {
		printf("%-30s FAILED: %s\n", "", r->what);
		return;
	}
	printf("%-30s %9" PRIu64 " %9.3f %10.0f %12.4f %12ld %10.0f%%\n", r->what, r->calls,
	       r->seconds, (double)r->calls / r->seconds,
	       u->cpu_seconds * 1000.0 / (double)(r->calls ? r->calls : 1), u->max_rss_kib,
	       100.0 * srv / (r->seconds + r->setup_seconds));
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_dial [--rows N] [--concurrency C] [--mode all|anchor|server]"
			" [--workdir DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct bench_cfg cfg = { 20000, 16, 0, "", "." };
	const char *mode = "all";
	struct bench_server_stats s0, s1;
	struct run_result res;
	struct run_usage use;
	pid_t server;
	int status, failed = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage();
		if (strcmp(argv[i], "--rows") == 0)
			cfg.rows = strtoull(v, NULL, 10);
		else if (strcmp(argv[i], "--concurrency") == 0)
			cfg.concurrency = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(argv[i], "--mode") == 0)
			mode = v;
		else if (strcmp(argv[i], "--workdir") == 0)
			cfg.workdir = v;
		else
			return usage();
		i++;
	}
	if (cfg.rows == 0 || cfg.concurrency == 0 || cfg.concurrency > 1024)
		return usage();

	if (strcmp(mode, "server") == 0) {
		int fd = bench_server_listen(&cfg.port);

		if (fd < 0) {
			perror("listen");
			return 1;
		}
		printf("serving on http://127.0.0.1:%d/api-service/v1 (GET /__stats, POST /__reset)\n",
		       cfg.port);
		fflush(stdout);
		return bench_server_serve(fd);
	}
	if (strcmp(mode, "all") != 0 && strcmp(mode, "anchor") != 0)
		return usage();

	server = bench_server_spawn(&cfg.port);
	if (server < 0)
		return 1;
	snprintf(cfg.base_url, sizeof cfg.base_url, "http://127.0.0.1:%d/api-service/v1", cfg.port);
	printf("phonenorm %s, %s; %" PRIu64 " calls per run, concurrency %u, "
	       "server: bench_dial_server on 127.0.0.1 (1 thread, epoll)\n",
	       phn_version(), phn_dispatch_user_agent(), cfg.rows, cfg.concurrency);
	print_head();

	if (bench_server_reset(cfg.port) || bench_server_stats(&s0, cfg.port))
		failed = 1;
	if (!failed) {
		run_child(&res, &use, run_anchor, &cfg);
		bench_server_stats(&s1, cfg.port);
		print_run(&res, &use, &s0, &s1);
		printf("%-30s server saw %" PRIu64 " calls, %" PRIu64 " distinct numbers, %" PRIu64
		       " connections\n", "", s1.calls, s1.distinct, s1.connections);
		failed |= !res.ok || s1.calls != cfg.rows || res.accepted != cfg.rows;
	}

	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	return failed;
}
