/*
 * Which metadata answers (issue 11): phn_metadata_*, the numbers whose
 * answer depends on it (ranges.tsv), the choice and its errors, and the
 * self-check's report. Built three ways by CMakeLists.txt: linked against
 * libphonenorm.so, against libphonenorm.a (the static archive must keep the
 * accessors), and with its own definitions of libphonenumber's accessors
 * (test_metadata_override.c), which must make the self-check say so.
 *
 * usage: test_metadata RANGES.tsv EXPECT [--select bundled|system]
 *                      [--reason TEXT]...
 *   EXPECT   bundled | system: the data that must answer (for all three kinds)
 *   --select call phn_metadata_select() before anything else
 *   --reason the self-check's reason must contain TEXT (as_requested is 0);
 *            may be repeated; without it, as_requested must be 1 and the
 *            reason ""
 * The expected bundled version comes from data/metadata/VERSION
 * (PHN_TEST_BUNDLED_VERSION), the engine's from CMake (PHN_TEST_ENGINE_VERSION).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"

static phn_metadata_source expect;

static int source_from(const char *s, phn_metadata_source *out)
{
	if (strcmp(s, "bundled") == 0)
		*out = PHN_METADATA_BUNDLED;
	else if (strcmp(s, "system") == 0)
		*out = PHN_METADATA_SYSTEM;
	else
		return -1;
	return 0;
}

static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;

	fields[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			fields[n++] = p + 1;
		}
	}
	return n;
}

static void check_row(char **f, int lineno)
{
	const char *want = expect == PHN_METADATA_BUNDLED ? f[3] : f[4];
	const char *region = strcmp(f[2], "-") == 0 ? NULL : f[2];
	phn_number n = PHN_NUMBER_INIT;
	char got[96];

	CHECK_MSG(phn_number_parse(&n, f[1], region) == PHN_OK, "line %d", lineno);
	if (strcmp(f[0], "number") == 0) {
		snprintf(got, sizeof got, "%s %s", phn_status_name(n.status), phn_type_name(n.type));
	} else {
		phn_info info = PHN_INFO_INIT;

		CHECK_MSG(phn_number_info(&info, &n, region) == PHN_OK, "line %d", lineno);
		snprintf(got, sizeof got, "%s", info.is_short_number ? "short" : "not_short");
	}
	CHECK_MSG(strcmp(got, want) == 0, "ranges.tsv:%d: %s (%s) is '%s' with %s data, want '%s'",
		  lineno, f[1], f[2], got, phn_metadata_source_name(expect), want);
}

static int run_table(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0, rows = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *fields[6];
		size_t len = strlen(line);

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || len == 0)
			continue;
		if (split_tabs(line, fields, 6) != 5) {
			fprintf(stderr, "%s:%d: expected 5 fields\n", path, lineno);
			check_failures++;
			continue;
		}
		check_row(fields, lineno);
		rows++;
	}
	fclose(f);
	return rows;
}

int main(int argc, char **argv)
{
	phn_metadata_info info = PHN_METADATA_INFO_INIT, again;
	phn_metadata_source chosen = PHN_METADATA_BUNDLED, other;
	const char *reason[8];
	int select = 0, rows, nreason = 0;

	if (argc < 3 || source_from(argv[2], &expect) != 0) {
		fprintf(stderr, "usage: test_metadata RANGES.tsv bundled|system [--select bundled|system] "
				"[--reason TEXT]\n");
		return 2;
	}
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--select") == 0 && source_from(argv[i + 1], &chosen) == 0) {
			select = 1;
		} else if (strcmp(argv[i], "--reason") == 0 && nreason < 8) {
			reason[nreason++] = argv[i + 1];
		} else {
			fprintf(stderr, "test_metadata: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}

	/* Before first use: any choice may be made and remade; bad ones refused. */
	CHECK_INT(phn_metadata_select((phn_metadata_source)7), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "unknown metadata source 7") != NULL);
	if (select) {
		other = chosen == PHN_METADATA_BUNDLED ? PHN_METADATA_SYSTEM : PHN_METADATA_BUNDLED;
		CHECK_INT(phn_metadata_select(other), PHN_OK);
		CHECK_INT(phn_metadata_select(chosen), PHN_OK);
	}

	/* Names and the info struct's own contract. */
	CHECK_STR(phn_metadata_source_name(PHN_METADATA_BUNDLED), "bundled");
	CHECK_STR(phn_metadata_source_name(PHN_METADATA_SYSTEM), "system");
	CHECK_STR(phn_metadata_source_name((phn_metadata_source)9), "unknown");
	CHECK_INT(phn_metadata_info_init(NULL, PHN_METADATA_INFO_VERSION), PHN_EINVAL);
	CHECK_INT(phn_metadata_info_init(&again, 0), PHN_EVERSION);
	CHECK_INT(phn_metadata_info_init(&again, PHN_METADATA_INFO_VERSION + 1), PHN_EVERSION);
	CHECK_INT(phn_metadata_get_info(NULL), PHN_EINVAL);
	again.version = 0;
	CHECK_INT(phn_metadata_get_info(&again), PHN_EVERSION);

	/* First use: the numbers. */
	rows = run_table(argv[1]);
	CHECK_MSG(rows >= 10, "%d rows in %s", rows, argv[1]);

	/* What the self-check found. */
	CHECK_INT(phn_metadata_get_info(&info), PHN_OK);
	printf("requested %s; source %s, short %s, alternate %s; as requested %d; upstream %s %s %s; "
	       "engine %s; reason: %s\n", phn_metadata_source_name(info.requested),
	       phn_metadata_source_name(info.source), phn_metadata_source_name(info.short_source),
	       phn_metadata_source_name(info.alternate_source), info.as_requested,
	       info.upstream_version, info.upstream_commit, info.upstream_date, info.engine_version,
	       info.reason[0] ? info.reason : "-");
	CHECK_INT(info.version, PHN_METADATA_INFO_VERSION);
	CHECK_INT(info.source, expect);
	CHECK_INT(info.short_source, expect);
	CHECK_INT(info.alternate_source, expect);
	CHECK_STR(info.engine_version, PHN_TEST_ENGINE_VERSION);
	CHECK_STR(phn_metadata_version(), info.upstream_version);
	if (expect == PHN_METADATA_BUNDLED) {
		CHECK_STR(info.upstream_version, PHN_TEST_BUNDLED_VERSION);
		CHECK_INT(strlen(info.upstream_commit), 40);
		CHECK_INT(strlen(info.upstream_date), 10);
	} else {
		CHECK_STR(info.upstream_version, PHN_TEST_ENGINE_VERSION);
		CHECK_STR(info.upstream_commit, "");
		CHECK_STR(info.upstream_date, "");
	}
	if (nreason > 0) {
		CHECK_INT(info.as_requested, 0);
		for (int i = 0; i < nreason; i++)
			CHECK_MSG(strstr(info.reason, reason[i]) != NULL, "reason '%s' lacks '%s'",
				  info.reason, reason[i]);
	} else {
		CHECK_INT(info.as_requested, 1);
		CHECK_STR(info.reason, "");
		CHECK_INT(info.requested, expect);
	}
	if (select)
		CHECK_INT(info.requested, chosen);

	/* The choice is fixed now: the same one is fine, the other is too late. */
	CHECK_INT(phn_metadata_select(info.requested), PHN_OK);
	other = info.requested == PHN_METADATA_BUNDLED ? PHN_METADATA_SYSTEM : PHN_METADATA_BUNDLED;
	CHECK_INT(phn_metadata_select(other), PHN_ESTATE);
	CHECK_MSG(strstr(phn_error_last(), "already in use") != NULL &&
			  strstr(phn_error_last(), phn_metadata_source_name(info.source)) != NULL,
		  "message: %s", phn_error_last());
	/* ... and nothing changed. */
	phn_metadata_info_init(&again, PHN_METADATA_INFO_VERSION);
	CHECK_INT(phn_metadata_get_info(&again), PHN_OK);
	CHECK(memcmp(&again, &info, sizeof info) == 0);
	return check_report();
}
