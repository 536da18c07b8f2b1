/*
 * Benchmark: parse + validate + format a large generated list with the
 * phonenorm C API, side by side in one run with the raw libphonenumber C++
 * loop doing the same work (bench_number_raw.cc). Prints throughput of each,
 * the ratio, and peak memory. Not a test: it asserts nothing about time.
 *
 * usage: bench_number [COUNT (default 200000)] [ROUNDS (default 3)]
 *        bench_number --fastpath [COUNT (default 1000000)] [ROUNDS (default 5)]
 *
 * --fastpath: the compiled fast path. First its start-up cost in this fresh
 * process (the metadata and the gate; compiling the territories a run needs,
 * here SA and US, on first use; compiling all of them), then one
 * phn_number_parse() per input on inputs in the formats it handles, side by
 * side with libphonenumber doing the same work (Parse, type, region, E.164,
 * the possible-number reason), in us/number, with the share of inputs that
 * fell back. Run it again with PHONENORM_FASTPATH=0 for the engine alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <phonenorm.h>

#include "bench_number.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A national significant number template per region: prefix + digit count. */
struct region_tpl {
	const char *region;
	const char *cc;
	const char *trunk;   /* national prefix, "" if none */
	const char *idd;     /* international prefix as written from this region */
	const char *const prefixes[4];
	int digits;          /* digits after the prefix */
};

static const struct region_tpl regions[] = {
	{ "SA", "966", "0", "00", { "50", "55", "11", "12" }, 7 },
	{ "US", "1", "1", "011", { "202", "415", "212", "617" }, 7 },
	{ "GB", "44", "0", "00", { "20", "7400", "161", "121" }, 7 },
	{ "DE", "49", "0", "00", { "30", "151", "89", "40" }, 7 },
	{ "IN", "91", "0", "00", { "98", "99", "70", "80" }, 8 },
	{ "AE", "971", "0", "00", { "50", "55", "4", "2" }, 7 },
	{ "EG", "20", "0", "00", { "10", "11", "12", "2" }, 8 },
	{ "FR", "33", "0", "00", { "6", "1", "7", "4" }, 8 },
};

/* A random national significant number of r: one of its prefixes, then
 * r->digits random digits. */
static void random_nsn(char nsn[32], const struct region_tpl *r)
{
	int n = snprintf(nsn, 32, "%s", r->prefixes[rnd(4)]);

	for (int i = 0; i < r->digits; i++)
		nsn[n++] = (char)('0' + rnd(10));
	nsn[n] = '\0';
}

static char *make_input(const struct region_tpl *r)
{
	char nsn[32], *out = malloc(64);

	random_nsn(nsn, r);
	switch (rnd(20)) {
	case 0: snprintf(out, 64, "n/a %u", rnd(1000)); break;        /* garbage */
	case 1: snprintf(out, 64, "%.*s", 4, nsn); break;             /* too short */
	case 2: case 3: case 4: snprintf(out, 64, "+%s %s", r->cc, nsn); break;
	case 5: case 6: snprintf(out, 64, "%s%s%s", r->idd, r->cc, nsn); break;
	case 7: snprintf(out, 64, "(%s%.*s) %s", r->trunk, 3, nsn, nsn + 3); break;
	case 8: snprintf(out, 64, "%s%.*s-%.*s-%s", r->trunk, 3, nsn, 3, nsn + 3, nsn + 6); break;
	default: snprintf(out, 64, "%s%s", r->trunk, nsn); break;
	}
	return out;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void api_loop(struct bench_tally *t, const struct bench_input *in, size_t n)
{
	phn_number num = PHN_NUMBER_INIT;
	char intl[64];
	size_t len;

	for (size_t i = 0; i < n; i++) {
		if (phn_number_parse(&num, in[i].text, in[i].region) != PHN_OK || !num.e164[0])
			continue;
		t->parsed++;
		t->format_bytes += strlen(num.e164);
		if (num.status == PHN_STATUS_VALID) {
			t->valid++;
			t->types += (size_t)num.type;
			if (phn_number_format(intl, sizeof intl, &len, &num, PHN_FORMAT_INTERNATIONAL) == PHN_OK)
				t->format_bytes += len;
		} else {
			t->possible += num.status == PHN_STATUS_POSSIBLE;
		}
		t->region_bytes += strlen(num.region);
	}
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

typedef void (*loop_fn)(struct bench_tally *, const struct bench_input *, size_t);

struct loop {
	const char *name;
	loop_fn run;
	double best;
	struct bench_tally tally;
};

/* ---- --fastpath ------------------------------------------------------- */

/* An input in a format the fast path handles: digits, spaces, dashes,
 * brackets, dots, a leading +, the international or trunk prefix. */
static char *make_fast_input(const struct region_tpl *r)
{
	char nsn[32], *out = malloc(64);

	random_nsn(nsn, r);
	switch (rnd(8)) {
	case 0: snprintf(out, 64, "+%s%s", r->cc, nsn); break;
	case 1: snprintf(out, 64, "+%s %.*s %s", r->cc, 3, nsn, nsn + 3); break;
	case 2: snprintf(out, 64, "%s%s%s", r->idd, r->cc, nsn); break;
	case 3: snprintf(out, 64, "(%s%.*s) %s", r->trunk, 3, nsn, nsn + 3); break;
	case 4: snprintf(out, 64, "%s%.*s-%.*s-%s", r->trunk, 3, nsn, 3, nsn + 3, nsn + 6); break;
	case 5: snprintf(out, 64, "%s%.*s.%s", r->trunk, 3, nsn, nsn + 3); break;
	default: snprintf(out, 64, "%s%s", r->trunk, nsn); break;
	}
	return out;
}

static void parse_loop(struct bench_tally *t, const struct bench_input *in, size_t n)
{
	phn_number num = PHN_NUMBER_INIT;

	for (size_t i = 0; i < n; i++) {
		if (phn_number_parse(&num, in[i].text, in[i].region) != PHN_OK || !num.e164[0])
			continue;
		t->parsed++;
		t->format_bytes += strlen(num.e164);
		if (num.status == PHN_STATUS_VALID) {
			t->valid++;
			t->types += (size_t)num.type;
		} else {
			t->possible += num.status == PHN_STATUS_POSSIBLE;
		}
		t->region_bytes += strlen(num.region);
	}
}

static void print_compile_state(const char *when, double wall)
{
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;

	phn_fastpath_get_info(&fi);
	printf("  %-44s %8.2f ms wall; %3d of %d territories compiled, %8.2f ms compiling\n",
	       when, wall * 1e3, fi.territories_compiled, fi.territories,
	       fi.compile_seconds * 1e3);
}

/* phn_number_parse() and the raw loop on in[0..n), best of rounds each
 * (the raw loop, ~50 times slower, on a tenth of them); 1 if both agree. */
static int time_pair(const char *what, const struct bench_input *in, size_t n, int rounds)
{
	struct bench_tally tp, tr, tp10 = { 0 };
	double t0, dt, best_p = 1e30, best_r = 1e30;
	size_t n10 = n / 10 ? n / 10 : n;

	parse_loop(&tp, in, n < 20000 ? n : 20000); /* warm */
	for (int r = 0; r < rounds; r++) {
		memset(&tp, 0, sizeof tp);
		t0 = now();
		parse_loop(&tp, in, n);
		if ((dt = now() - t0) < best_p)
			best_p = dt;
		memset(&tr, 0, sizeof tr);
		t0 = now();
		bench_raw_parse_loop(&tr, in, n10);
		if ((dt = (now() - t0) * ((double)n / (double)n10)) < best_r)
			best_r = dt;
	}
	parse_loop(&tp10, in, n10);
	printf("  %s (%zu):\n", what, n);
	printf("    %-38s %8.3f us/number %12.0f numbers/s\n", "phonenorm phn_number_parse()",
	       best_p / (double)n * 1e6, (double)n / best_p);
	printf("    %-38s %8.3f us/number %12.0f numbers/s (timed on %zu)\n",
	       "raw libphonenumber, the same answers", best_r / (double)n * 1e6,
	       (double)n / best_r, n10);
	printf("    speed-up %.1fx; answers agree: %s\n", best_r / best_p,
	       memcmp(&tp10, &tr, sizeof tr) == 0 ? "yes" : "NO");
	return memcmp(&tp10, &tr, sizeof tr) == 0;
}

static int fastpath_main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	struct bench_input *in;
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;
	phn_metadata_info mi = PHN_METADATA_INFO_INIT;
	phn_number num = PHN_NUMBER_INIT;
	struct bench_input *fast;
	size_t paths[3] = { 0, 0, 0 }, nfast = 0;
	double t0;
	int ok = 1;

	if (n == 0 || rounds < 1 || !(in = malloc(n * sizeof *in))) {
		fprintf(stderr, "usage: bench_number --fastpath [COUNT] [ROUNDS]\n");
		return 2;
	}
	/* Start-up, in this fresh process, before anything else. */
	t0 = now();
	phn_fastpath_get_info(&fi);
	phn_metadata_get_info(&mi);
	printf("phonenorm %s, libphonenumber %s, metadata %s %s; fast path %s%s%s\n",
	       phn_version(), mi.engine_version, mi.upstream_version,
	       phn_metadata_source_name(mi.source), fi.enabled ? "on" : "off",
	       fi.enabled ? "" : ": ", fi.reason);
	printf("start-up (this process, cold):\n");
	print_compile_state("metadata loaded, fast path decided", now() - t0);
	t0 = now();
	phn_number_parse(&num, "0501234567", "SA");
	print_compile_state("first SA number (compiles what it needs)", now() - t0);
	t0 = now();
	phn_number_parse(&num, "(202) 555-0110", "US");
	print_compile_state("first US number (compiles what it needs)", now() - t0);
	t0 = now();
	phn_fastpath_compile_all();
	print_compile_state("phn_fastpath_compile_all() (the rest)", now() - t0);

	for (size_t i = 0; i < n; i++) {
		const struct region_tpl *r = &regions[rnd(sizeof regions / sizeof regions[0])];
		in[i].text = make_fast_input(r);
		in[i].region = r->region;
	}
	/* The inputs the fast path answers, apart: the figure is for those
	 * (the others cost what libphonenumber costs). */
	if (!(fast = malloc(n * sizeof *fast))) {
		fprintf(stderr, "bench_number: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		phn_parse_path path = PHN_PATH_ENGINE;

		phn_number_parse_traced(&num, in[i].text, strlen(in[i].text), in[i].region, &path);
		paths[(unsigned)path < 3 ? path : 0]++;
		if (path == PHN_PATH_FAST)
			fast[nfast++] = in[i];
	}
	printf("single phn_number_parse(), %zu inputs in fast-path formats over 8 regions "
	       "(SA US GB DE IN AE EG FR), best of %d rounds:\n", n, rounds);
	printf("  answered by the fast path %zu, fell back %zu (%.2f%%), engine alone %zu\n",
	       paths[PHN_PATH_FAST], paths[PHN_PATH_FALLBACK],
	       100.0 * (double)paths[PHN_PATH_FALLBACK] / (double)n, paths[PHN_PATH_ENGINE]);
	ok &= time_pair("every input", in, n, rounds);
	if (nfast > 0 && nfast < n)
		ok &= time_pair("the inputs the fast path answered", fast, nfast, rounds);
	for (size_t i = 0; i < n; i++)
		free((void *)in[i].text);
	free(in);
	free(fast);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	struct bench_input *in = malloc(n * sizeof *in);
	struct loop loops[] = {
		{ "raw libphonenumber (C++)", bench_raw_loop, 1e30, { 0 } },
		{ "raw, tight (C++)", bench_raw_loop_tight, 1e30, { 0 } },
		{ "phonenorm C API", api_loop, 1e30, { 0 } },
	};
	const size_t nloops = sizeof loops / sizeof loops[0];
	struct loop *api = &loops[2];
	long rss_inputs;
	int agree = 1;

	if (argc > 1 && strcmp(argv[1], "--fastpath") == 0) {
		free(in);
		return fastpath_main(argc, argv);
	}
	if (!in || n == 0 || rounds < 1) {
		fprintf(stderr, "usage: bench_number [COUNT] [ROUNDS]\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		const struct region_tpl *r = &regions[rnd(sizeof regions / sizeof regions[0])];
		in[i].text = make_input(r);
		in[i].region = r->region;
	}
	rss_inputs = peak_rss_kib();

	/* Warm every path (metadata, regex caches), then alternate the loops so
	 * that none gets a quieter moment of the machine; keep each one's best. */
	for (size_t l = 0; l < nloops; l++)
		loops[l].run(&loops[l].tally, in, n < 20000 ? n : 20000);
	for (int r = 0; r < rounds; r++) {
		for (size_t l = 0; l < nloops; l++) {
			double t0, dt;

			memset(&loops[l].tally, 0, sizeof loops[l].tally);
			t0 = now();
			loops[l].run(&loops[l].tally, in, n);
			dt = now() - t0;
			if (dt < loops[l].best)
				loops[l].best = dt;
		}
	}
	for (size_t l = 0; l < nloops; l++)
		agree &= memcmp(&loops[l].tally, &api->tally, sizeof api->tally) == 0;

	{
		phn_metadata_info mi = PHN_METADATA_INFO_INIT;

		phn_metadata_get_info(&mi);
		printf("phonenorm %s, libphonenumber %s, metadata %s %s; %zu inputs over 8 regions, "
		       "best of %d rounds\n", phn_version(), mi.engine_version, mi.upstream_version,
		       phn_metadata_source_name(mi.source), n, rounds);
	}
	printf("work per input: parse, validate, type, region, E.164; international for valid ones\n");
	printf("%-26s %9s %12s %16s\n", "loop", "seconds", "numbers/s", "C API time/this");
	for (size_t l = 0; l < nloops; l++)
		printf("%-26s %9.3f %12.0f %16.3f\n", loops[l].name, loops[l].best, n / loops[l].best,
		       api->best / loops[l].best);
	printf("C API overhead over the tight raw loop: %+.1f%%\n",
	       (api->best / loops[1].best - 1) * 100);
	printf("results: %zu parsed, %zu valid, %zu possible; all loops agree: %s\n",
	       api->tally.parsed, api->tally.valid, api->tally.possible, agree ? "yes" : "NO");
	printf("peak RSS: %ld KiB after generating inputs, %ld KiB at the end\n", rss_inputs,
	       peak_rss_kib());
	for (size_t i = 0; i < n; i++)
		free((void *)in[i].text);
	free(in);
	return agree ? 0 : 1;
}
