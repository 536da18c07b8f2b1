/*
 * The fast path's safety case: every field of the phn_number that
 * phn_number_parse_traced() gives (fast path, falling back to
 * libphonenumber) must equal what libphonenumber alone gives
 * (phn_shim_parse, the engine path of phn_number_parse_n), for every input.
 * Run once per metadata collection (PHONENORM_METADATA=bundled, system).
 *
 * usage: fastpath_diff [--count N] [--seed S] [--file LIST.tsv]
 *                      [--expect-engine] [--min-fast SHARE] [--show-fallback N] [--quiet]
 *   --file            also every line "REGION<TAB>TEXT" of LIST.tsv (REGION
 *                     may be empty)
 *   --expect-engine   the fast path must be off (PHONENORM_FASTPATH=0):
 *                     every parse says PHN_PATH_ENGINE
 *   --min-fast SHARE  fail when fewer inputs than SHARE (0..1) took the fast
 *                     path (so a gate that silently turns it off is seen)
 *   --show-fallback N print the first N inputs that fell back
 * Prints the counts (inputs, fast, fallback, per status) and the first
 * mismatches; exit 1 on any mismatch.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <phonenorm.h>

#include "fp_gen.h"
#include "number/shim.h"
#include "text/text.h"
#include "same_number.h"

static unsigned long long total, fast, fallback, engine, mismatches, statuses[16], with_ext;
static int quiet, expect_engine;
static unsigned long long show_fallback;

static void show(const char *who, const phn_number *n)
{
	fprintf(stderr, "    %-7s status=%s type=%s cc=%d nn=%" PRIu64 " lz=%d key=%" PRIu64
		" region='%s' e164='%s' ext='%s'\n", who, phn_status_name(n->status),
		phn_type_name(n->type), n->country_code, n->national_number, n->leading_zeros,
		n->key, n->region, n->e164, n->extension);
}

static void check(const char *text, const char *region)
{
	phn_number got = PHN_NUMBER_INIT, want = PHN_NUMBER_INIT;
	phn_parse_path path = PHN_PATH_ENGINE;
	size_t len = strlen(text);
	int rc1, rc2;

	total++;
	rc1 = phn_number_parse_traced(&got, text, len, region, &path);
	rc2 = phn_shim_parse(&want, text, len, region && region[0] ? region : NULL);
	if (path == PHN_PATH_FAST) {
		fast++;
	} else if (path == PHN_PATH_FALLBACK) {
		if (++fallback <= show_fallback)
			printf("fallback [%s] region=%s\n", text, region ? region : "(none)");
	} else {
		engine++;
	}
	if (rc1 == PHN_OK && got.status < 16)
		statuses[got.status]++;
	if (got.extension[0])
		with_ext++;
	if (rc1 != rc2 || !same_number(&got, &want) || (expect_engine && path != PHN_PATH_ENGINE)) {
		mismatches++;
		if (mismatches <= 30) {
			fprintf(stderr, "MISMATCH [%s] region=%s path=%d rc=%d/%d\n", text,
				region ? region : "(none)", (int)path, rc1, rc2);
			show("traced", &got);
			show("engine", &want);
		}
	}
}

static void run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t'), *nl;
		if (!tab)
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')))
			*nl = '\0';
		/* What phn_number_parse_n() hands on at all: UTF-8, at most
		 * PHN_INPUT_MAX characters. */
		long chars = phn_text_utf8_count(tab + 1, strlen(tab + 1));
		if (chars >= 0 && chars <= PHN_INPUT_MAX)
			check(tab + 1, line[0] ? line : NULL);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	unsigned long long count = 320000, seed = 20261207;
	double min_fast = 0;
	const char *file = NULL;
	phn_fastpath_info info = PHN_FASTPATH_INFO_INIT;
	phn_metadata_info md = PHN_METADATA_INFO_INIT;
	struct fpg g;
	char text[512];
	struct timespec t0, t1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--min-fast") == 0 && i + 1 < argc)
			min_fast = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--expect-engine") == 0)
			expect_engine = 1;
		else if (strcmp(argv[i], "--show-fallback") == 0 && i + 1 < argc)
			show_fallback = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else {
			fprintf(stderr, "usage: %s [--count N] [--seed S] [--file LIST.tsv] "
				"[--expect-engine] [--min-fast SHARE] [--show-fallback N] [--quiet]\n", argv[0]);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (fpg_init(&g, seed) != 0) {
		fprintf(stderr, "cannot load the example numbers: %s\n", phn_error_last());
		return 2;
	}
	phn_metadata_get_info(&md);
	phn_fastpath_get_info(&info);
	printf("metadata: %s %s; fast path: %s%s%s; %d territories, %d read in\n",
	       phn_metadata_source_name(md.source), md.upstream_version,
	       info.enabled ? "on" : "off", info.enabled ? "" : " -- ", info.reason,
	       info.territories, info.territories_handled);
	if (expect_engine && (info.enabled || !strstr(info.reason, "PHONENORM_FASTPATH"))) {
		fprintf(stderr, "the fast path must be off by PHONENORM_FASTPATH (--expect-engine): "
			"enabled %d, reason '%s'\n", info.enabled, info.reason);
		return 1;
	}
	for (unsigned long long i = 0; i < count; i++) {
		const char *region = NULL;
		fpg_one(&g, text, &region);
		check(text, region);
		if (!quiet && count >= 1000000 && (i + 1) % 1000000 == 0)
			fprintf(stderr, "  %llu inputs, %llu mismatches\n", i + 1, mismatches);
	}
	if (file)
		run_file(file);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	phn_fastpath_get_info(&info);
	printf("inputs %llu: fast %llu (%.1f%%), fallback %llu, engine %llu; with extension %llu\n",
	       total, fast, total ? 100.0 * fast / total : 0, fallback, engine, with_ext);
	printf("status:");
	for (int s = 0; s <= PHN_STATUS_NEEDS_REGION; s++)
		printf(" %s=%llu", phn_status_name((phn_status)s), statuses[s]);
	printf("\ncompiled %d territories in %.3f s; %.1f s in all\n", info.territories_compiled,
	       info.compile_seconds,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("mismatches %llu\n", mismatches);
	fpg_free(&g);
	if (mismatches)
		return 1;
	/* The info the CLI and the report show: consistent with what ran. */
	if (phn_fastpath_compile_all() != PHN_OK || phn_fastpath_get_info(&info) != PHN_OK ||
	    strcmp(info.verified_engine, "8.12.57") != 0 ||
	    (info.enabled && (info.reason[0] || info.territories_handled <= 0 ||
			      info.territories_handled > info.territories ||
			      info.territories_compiled != info.territories)) ||
	    (!info.enabled && (!info.reason[0] || info.territories_compiled != 0))) {
		fprintf(stderr, "phn_fastpath_get_info after compile_all: enabled %d reason '%s' "
			"engine '%s' territories %d handled %d compiled %d\n", info.enabled,
			info.reason, info.verified_engine, info.territories, info.territories_handled,
			info.territories_compiled);
		return 1;
	}
	if (total && (double)fast / (double)total < min_fast) {
		fprintf(stderr, "only %.1f%% took the fast path (--min-fast %.1f%%)\n",
			100.0 * fast / total, 100 * min_fast);
		return 1;
	}
	return 0;
}
