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
 * CPU time (wait4) are its own; the server is a child too. The dialer runs
 * on a generated list of N distinct valid numbers (Saudi mobiles and US
 * numbers in four zones) with a fixed test clock and the window
 * 00:00-24:00 (narrowed to 08:00-21:00 for the US rows, as always), at
 * which every row is inside its calling window: all of it is dialled at
 * once.
 *
 * usage: bench_dial [--rows N] [--concurrency C] [--mode MODE] [--workdir DIR] [--keep]
 *   MODE: all (default): the anchor, then the dialer, N calls each
 *         anchor: the raw dispatch loop only
 *         dial: the dialer only (load N rows, call them all)
 *         load: the dialer's load only (phn_dialer_open on N rows)
 *         server: the server alone (prints its port, serves until killed)
 * The list and journal go to DIR (default "."): put it on the disk the
 * journal would live on, not a tmpfs, or fsync costs nothing. --keep keeps
 * them.
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

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

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
	double cpu_seconds;   /* user+system CPU time of the timed part */
	double setup_seconds; /* before it (a dialer's load), when separate */
	double setup_cpu_seconds;
	uint64_t syncs;
	double sync_seconds;
	uint64_t write_bytes; /* /proc/self/io: what the run sent to storage */
	uint64_t db_bytes;    /* journal file's size after close */
	uint64_t wal_bytes;   /* its WAL file before close */
	/* The dialer's load phase (phn_dialer_open) on its own. */
	uint64_t load_syncs;
	double load_sync_seconds;
	long load_hwm_kib;
	uint64_t load_db_bytes;
	/* The campaign at the end (dialer runs). */
	uint64_t rows, waiting, left;
};

struct run_usage {
	double cpu_seconds;
	long max_rss_kib;
};

static void read_write_bytes(uint64_t *write_bytes)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];

	*write_bytes = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;

		if (sscanf(line, "write_bytes: %llu", &v) == 1)
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
		read_write_bytes(&r.write_bytes);
		w = write(p[1], &r, sizeof r);
		/* exit(), not _exit(): LeakSanitizer (the asan preset) checks the run. */
		exit(w == (ssize_t)sizeof r ? 0 : 1);
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
	if (got != (ssize_t)sizeof *res || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		memset(res, 0, sizeof *res);
		snprintf(res->what, sizeof res->what, "the run died (wait status 0x%x)", status);
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
	double t0, c0;

	o.base_url = cfg->base_url;
	o.token = "bench-token-not-a-secret";
	o.max_in_flight = cfg->concurrency;
	if (phn_dispatch_new(&d, &o) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dispatch_new: %s", phn_error_last());
		return;
	}
	t0 = now();
	c0 = cpu_now();
	while (s.done < cfg->rows) {
		/* Keep the queue a little deeper than what is on the wire, as a
		 * dialer does, without building every request up front. */
		while (submitted < cfg->rows && submitted - s.done < 2u * cfg->concurrency) {
			phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
			char number[32], id[37];
			phn_dispatch_kv meta[2] = { { "phonenorm_dispatch_id", id },
						    { "phonenorm_campaign", "bench" } };
			int rc;

			bench_row_number(number, submitted);
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
	out->cpu_seconds = cpu_now() - c0;
	out->calls = s.done;
	out->accepted = s.accepted;
	out->ok = 1;
	snprintf(out->what, sizeof out->what, "raw dispatch loop (anchor)");
	phn_dispatch_free(d);
}

/* ---- the dialer with its journal --------------------------------------- */

struct dial_arg {
	const struct bench_cfg *cfg;
	const char *list_path;
	const char *journal_path;
	int load_only; /* open (load) only, no run */
};

static long vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static uint64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

static void run_dialer(struct run_result *out, const void *varg)
{
	const struct dial_arg *a = varg;
	phn_dispatch_options dopt = PHN_DISPATCH_OPTIONS_INIT;
	phn_clean_options copt = PHN_CLEAN_OPTIONS_INIT;
	phn_dial_options o = PHN_DIAL_OPTIONS_INIT;
	phn_dial_progress p;
	phn_dial_end end = PHN_DIAL_END_DONE;
	phn_dialer *dl = NULL;
	char wal[4096];
	double t0;
	int rc;

	dopt.base_url = a->cfg->base_url;
	dopt.token = "bench-token-not-a-secret";
	copt.region = "SA";
	o.flags = PHN_DIAL_NO_WAIT;
	o.list_path = a->list_path;
	o.clean = &copt;
	o.dispatch = &dopt;
	o.rate = 0;
	o.concurrency = a->cfg->concurrency;
	o.test_now_ms = BENCH_NOW_MS;
	o.window_hours = "00:00-24:00";
	o.window_days = "all";

	t0 = now();
	if ((rc = phn_dialer_open(&dl, a->journal_path, &o)) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dialer_open: %s", phn_error_last());
		return;
	}
	out->setup_seconds = now() - t0;
	out->setup_cpu_seconds = cpu_now();
	out->load_syncs = n_sync;
	out->load_sync_seconds = sync_seconds;
	out->load_hwm_kib = vm_hwm_kib();
	snprintf(wal, sizeof wal, "%s-wal", a->journal_path);
	out->load_db_bytes = file_size(a->journal_path) + file_size(wal);
	if (!a->load_only) {
		double c0 = cpu_now();

		t0 = now();
		rc = phn_dialer_run(dl);
		out->seconds = now() - t0;
		out->cpu_seconds = cpu_now() - c0;
		if (rc != PHN_OK) {
			snprintf(out->what, sizeof out->what, "phn_dialer_run: %s", phn_error_last());
			phn_dialer_free(dl);
			return;
		}
	}
	memset(&p, 0, sizeof p);
	p.version = PHN_DIAL_PROGRESS_VERSION;
	if (phn_dialer_summary(&p, &end, dl) != PHN_OK) {
		snprintf(out->what, sizeof out->what, "phn_dialer_summary: %s", phn_error_last());
		phn_dialer_free(dl);
		return;
	}
	out->wal_bytes = file_size(wal);
	phn_dialer_free(dl);
	out->db_bytes = file_size(a->journal_path);
	out->calls = p.sent;
	out->accepted = p.accepted;
	out->waiting = p.waiting;
	out->left = p.pending + p.unknown + p.failed + p.rejected;
	out->rows = p.rows;
	out->ok = 1;
	snprintf(out->what, sizeof out->what, "%s",
		 a->load_only ? "dialer: load only" : "dialer + journal (live)");
}

/* ---- printing ----------------------------------------------------------- */
static void print_head(void)
{
	printf("%-28s %9s %9s %9s %12s %12s %11s\n", "run", "calls", "seconds", "calls/s",
	       "CPU us/call", "peak RSS KiB", "server CPU%");
}

static void print_run(const struct run_result *r, const struct run_usage *u,
		      const struct bench_server_stats *before, const struct bench_server_stats *after)
{
	double srv = (double)(after->cpu_ms - before->cpu_ms) / 1000.0;
	double calls = (double)(r->calls ? r->calls : 1);

	if (!r->ok) {
		printf("%-28s FAILED: %s\n", "", r->what);
		return;
	}
	if (r->seconds > 0)
		printf("%-28s %9" PRIu64 " %9.3f %9.0f %12.1f %12ld %10.0f%%\n", r->what, r->calls,
		       r->seconds, calls / r->seconds, r->cpu_seconds * 1e6 / calls, u->max_rss_kib,
		       100.0 * srv / (r->seconds + r->setup_seconds));
	else
		printf("%-28s %9s %9s %9s %12s %12ld\n", r->what, "-", "-", "-", "-", u->max_rss_kib);
	printf("  server saw %" PRIu64 " calls, %" PRIu64 " distinct numbers, %" PRIu64
	       " repeats, %" PRIu64 " connections\n", after->calls - before->calls, after->distinct,
	       after->repeats, after->connections);
}

static void print_dialer(const struct run_result *r, const struct run_usage *u, uint64_t rows)
{
	double rws = (double)(rows ? rows : 1);

	if (!r->ok)
		return;
	printf("  load (phn_dialer_open: clean + journal every row): %" PRIu64 " rows in %.3f s "
	       "(%.0f rows/s, %.1f us CPU/row), %" PRIu64 " syncs (%.1f ms), peak RSS %ld KiB\n",
	       r->rows, r->setup_seconds, (double)r->rows / r->setup_seconds,
	       r->setup_cpu_seconds * 1e6 / rws, r->load_syncs, r->load_sync_seconds * 1e3,
	       r->load_hwm_kib);
	printf("  journal: %.0f bytes/row on disk after load (db + WAL), %.0f after the run and close "
	       "(WAL %.1f MiB before close); written to storage %.0f bytes/row\n",
	       (double)r->load_db_bytes / rws, (double)r->db_bytes / rws,
	       (double)r->wal_bytes / 1048576.0, (double)r->write_bytes / rws);
	if (r->seconds > 0) {
		uint64_t syncs = r->syncs - r->load_syncs;
		double sync_s = r->sync_seconds - r->load_sync_seconds;
		double calls = (double)(r->calls ? r->calls : 1);

		printf("  run: %" PRIu64 " syncs (%.2f per call, %.1f calls per sync), %.1f us "
		       "in fsync per call (%.0f%% of the run's wall time; the rest alone would "
		       "give %.0f calls/s)\n",
		       syncs, (double)syncs / calls, calls / (double)(syncs ? syncs : 1),
		       sync_s * 1e6 / calls, 100.0 * sync_s / r->seconds,
		       calls / (r->seconds - sync_s));
	}
	printf("  campaign at the end: %" PRIu64 " rows, %" PRIu64 " accepted, %" PRIu64
	       " waiting, %" PRIu64 " left (pending/unknown/failed/rejected); "
	       "child peak RSS %ld KiB\n", r->rows, r->accepted, r->waiting, r->left,
	       u->max_rss_kib);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bench_dial [--rows N] [--concurrency C] [--workdir DIR] [--keep]\n"
		"                  [--mode all|anchor|dial|load|server]\n"
		"  all     the raw dispatch loop (anchor), then the dialer, N calls each (default)\n"
		"  anchor  the raw dispatch loop only\n"
		"  dial    the dialer only: load N rows, then call them all\n"
		"  load    the dialer's load only (phn_dialer_open on N rows): time, bytes, memory\n"
		"  server  the server alone on a free port, until killed\n");
	return 2;
}

/* Generate the list, then run the dialer on it in a child, on a fresh journal. */
static int dial_phase(const struct bench_cfg *cfg, int load_only, int keep,
		      const struct run_result *anchor)
{
	char list[4096], journal[4096], wal[4200];
	struct dial_arg a = { cfg, list, journal, load_only };
	struct bench_server_stats s0, s1;
	struct run_result r;
	struct run_usage u;
	int failed;

	snprintf(list, sizeof list, "%s/bench_dial_%" PRIu64 ".csv", cfg->workdir, cfg->rows);
	snprintf(journal, sizeof journal, "%s/bench_dial_%" PRIu64 ".db", cfg->workdir, cfg->rows);
	snprintf(wal, sizeof wal, "%s-wal", journal);
	unlink(journal);
	unlink(wal);
	if (bench_write_list(list, cfg->rows) || bench_server_reset(cfg->port) ||
	    bench_server_stats(&s0, cfg->port))
		return 1;
	run_child(&r, &u, run_dialer, &a);
	if (bench_server_stats(&s1, cfg->port))
		return 1;
	print_run(&r, &u, &s0, &s1);
	print_dialer(&r, &u, cfg->rows);
	if (anchor && anchor->ok && r.ok && r.seconds > 0 && r.calls) {
		double ta = anchor->seconds / (double)anchor->calls;
		double td = r.seconds / (double)r.calls;
		double sync = (r.sync_seconds - r.load_sync_seconds) / (double)r.calls;

		printf("dialer / anchor: %.2f of the anchor's calls/s; wall time per call: dialer "
		       "%.1f us (%.1f us in fsync, %.1f us outside it), anchor %.1f us\n", ta / td,
		       td * 1e6, sync * 1e6, (td - sync) * 1e6, ta * 1e6);
	}
	failed = !r.ok || (!load_only && (r.accepted != cfg->rows || s1.calls != cfg->rows ||
					  s1.repeats != 0));
	if (!keep) {
		unlink(list);
		unlink(journal);
		unlink(wal);
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct bench_cfg cfg = { 20000, 16, 0, "", "." };
	const char *mode = "all";
	struct bench_server_stats s0, s1;
	struct run_result anchor;
	struct run_usage use;
	pid_t server;
	int status, failed = 0, keep = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--keep") == 0) {
			keep = 1;
			continue;
		}
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
	if (cfg.rows == 0 || cfg.rows > 10000000 || cfg.concurrency == 0 || cfg.concurrency > 1024)
		return usage();

	if (strcmp(mode, "server") == 0) {
		int fd = bench_server_listen(&cfg.port);

		if (fd < 0) {
			perror("listen on 127.0.0.1");
			return 1;
		}
		printf("serving on http://127.0.0.1:%d/api-service/v1 (GET /__stats, POST /__reset)\n",
		       cfg.port);
		fflush(stdout);
		return bench_server_serve(fd);
	}
	if (strcmp(mode, "all") != 0 && strcmp(mode, "anchor") != 0 &&
	    strcmp(mode, "dial") != 0 && strcmp(mode, "load") != 0)
		return usage();

	server = bench_server_spawn(&cfg.port);
	if (server < 0)
		return 1;
	snprintf(cfg.base_url, sizeof cfg.base_url, "http://127.0.0.1:%d/api-service/v1", cfg.port);
	printf("phonenorm %s; %" PRIu64 " rows/calls per run, concurrency %u, rate unlimited; "
	       "server: bench_dial_server, 127.0.0.1, 1 thread\n",
	       phn_version(), cfg.rows, cfg.concurrency);
	print_head();

	memset(&anchor, 0, sizeof anchor);
	if (strcmp(mode, "all") == 0 || strcmp(mode, "anchor") == 0) {
		if (bench_server_reset(cfg.port) || bench_server_stats(&s0, cfg.port)) {
			failed = 1;
		} else {
			run_child(&anchor, &use, run_anchor, &cfg);
			failed |= bench_server_stats(&s1, cfg.port) != 0;
			if (!failed)
				print_run(&anchor, &use, &s0, &s1);
			failed |= !anchor.ok || s1.calls != cfg.rows || anchor.accepted != cfg.rows;
		}
	}
	if (!failed && strcmp(mode, "anchor") != 0)
		failed |= dial_phase(&cfg, strcmp(mode, "load") == 0, keep, &anchor);

	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	if (failed)
		fprintf(stderr, "bench_dial: a run failed or did not make every call exactly once\n");
	return failed;
}
