/*
 * phonenorm report: what a campaign journal says. The summary on standard
 * output; --csv / --json export every row with its outcome through the
 * library's one writer (phn_campaign_report_write). Read-only: never takes
 * the dial lock, so it may run while `phonenorm dial` works on the journal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <phonenorm.h>

#include "cli.h"
#include "outfile.h"

static const char report_help[] =
	"usage: phonenorm report [OPTIONS] CAMPAIGN.db\n"
	"\n"
	"Show what a campaign journal (written by 'phonenorm dial --journal') says:\n"
	"the list it holds, how many rows are in each state, the attempts and the\n"
	"runs, and the call results that 'phonenorm webhook' recorded: of the\n"
	"accepted calls, how many were delivered, not delivered or still await a\n"
	"result; the talk time; the callOutput and sentiment histograms; the\n"
	"events (orphans, other types) and the deliveries refused, by reason.\n"
	"With --csv or --json, export every row with its outcome. The journal\n"
	"is only read (never locked): a report may run while a dial is running.\n"
	"\n"
	"Options:\n"
	"      --csv FILE             every row as CSV: line, state, reason,\n"
	"                             duplicate_of, input, e164, region, type, zones,\n"
	"                             attempts, next_at, call_id, contact_uuid,\n"
	"                             invoice_uuid, last_dispatch_id, last_step,\n"
	"                             last_outcome, last_http_status, last_detail,\n"
	"                             last_at, fields, then the call result of the\n"
	"                             row's latest call: delivery_status,\n"
	"                             provider_status, duration, ended_reason,\n"
	"                             call_output, sentiment, provider_call_id,\n"
	"                             result_at, result_event\n"
	"      --json FILE            the same as JSON Lines (one object per row)\n"
	"      --summary-json FILE    the summary as one JSON object (with a\n"
	"                             \"results\" object: the call results)\n"
	"                             FILE may be '-' (standard output; the text\n"
	"                             summary then goes to standard error). Files are written\n"
	"                             beside their destination and renamed into place\n"
	"                             only when complete. An output that is the journal\n"
	"                             (or its -wal/-shm file) is refused.\n"
	"      --safe-for-spreadsheets  in the CSV, a cell starting with =, +, -, @,\n"
	"                             tab or CR (and not simply a number) is written\n"
	"                             quoted with a ' first, as 'phonenorm clean' does\n"
	"  -q, --quiet                no summary\n"
	"  -h, --help                 show this help\n"
	"\n"
	"States: pending, sending (a request may be on the wire), accepted, rejected,\n"
	"failed, unknown (sent, outcome unknown: never re-sent without\n"
	"'dial --retry-unknown'), waiting (for its calling window), suppressed,\n"
	"duplicate, invalid.\n"
	"\n"
	"Exit status: 0 done, 2 usage error or a journal that cannot be read (missing,\n"
	"not a journal, corrupt, newer schema), 3 an output could not be written.\n"
	"An empty journal (0 bytes: a dial was killed before it created the journal;\n"
	"nothing was loaded or sent) exits 2 and says so: the next 'phonenorm dial\n"
	"--live' takes it over.\n";

enum { OPT_CSV = 256, OPT_JSON, OPT_SUMMARY_JSON, OPT_SAFE };

static const struct option report_options[] = {
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "summary-json", required_argument, NULL, OPT_SUMMARY_JSON },
	{ "safe-for-spreadsheets", no_argument, NULL, OPT_SAFE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct export {
	const char *opt;
	const char *path; /* NULL: not asked for */
	phn_campaign_format format;
	cli_outfile file;
	int err;
};

static int write_file(const void *data, size_t len, void *payload)
{
	struct export *e = payload;

	if (fwrite(data, 1, len, e->file.f) == len)
		return 0;
	e->err = errno ? errno : -1;
	return -1;
}

static void format_time(char *dst, size_t cap, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !gmtime_r(&secs, &tm) || tm.tm_year > 8099 ||
	    strftime(dst, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(dst, cap, "%" PRId64, ms);
}

/* "2h03m20s", "4m05s", "35s". */
static void talk_time(char *dst, size_t cap, uint64_t s)
{
	if (s >= 3600)
		snprintf(dst, cap, "%" PRIu64 "h%02um%02us", s / 3600, (unsigned)(s / 60 % 60),
			 (unsigned)(s % 60));
	else if (s >= 60)
		snprintf(dst, cap, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
	else
		snprintf(dst, cap, "%us", (unsigned)s);
}

static int print_bar(const char *value, uint64_t n, void *payload)
{
	FILE *f = payload;
	int w = 16;

	fputs("    ", f);
	/* Labels come from the events: escaped, and padded by what was shown. */
	w -= (int)strlen(value);
	cli_escape(f, value);
	fprintf(f, "%*s %8" PRIu64 "\n", w > 0 ? w : 0, "", n);
	return 0;
}

static int count_values(const char *value, uint64_t n, void *payload)
{
	(void)value;
	(void)n;
	++*(size_t *)payload;
	return 0;
}

static void print_results(FILE *f, const phn_campaign_summary *s, const phn_campaign_report *r)
{
	static const char *const hist[][2] = { { "call_output", "callOutput" },
					       { "sentiment", "sentiment" } };
	const char *reason;
	uint64_t n;
	int64_t last;
	char t[64];

	fprintf(f, "results:   of %" PRIu64 " accepted calls (phone_call.ended events from "
		"'phonenorm webhook')\n", s->accepted);
	fprintf(f, "  %-16s %8" PRIu64 "\n", "delivered", s->delivered);
	fprintf(f, "  %-16s %8" PRIu64 "\n", "not delivered", s->not_delivered);
	fprintf(f, "  %-16s %8" PRIu64 "\n", "awaiting result", s->awaiting_result);
	talk_time(t, sizeof t, s->talk_time_s);
	fprintf(f, "talk time: %s (%" PRIu64 " s)", t, s->talk_time_s);
	if (s->delivered)
		fprintf(f, ", %.1f s per delivered call", (double)s->talk_time_s / (double)s->delivered);
	fputc('\n', f);
	for (size_t h = 0; h < 2; h++) {
		size_t values = 0;

		phn_campaign_report_histogram(r, hist[h][0], count_values, &values);
		if (!values)
			continue;
		fprintf(f, "%s:\n", hist[h][1]);
		phn_campaign_report_histogram(r, hist[h][0], print_bar, f);
	}
	fprintf(f, "events:    %" PRIu64 " kept (orphans, matching no call of this journal: %"
		PRIu64 "; other event types: %" PRIu64 ")\n", s->events, s->orphans, s->other_types);
	fprintf(f, "refused:   %" PRIu64 " deliveries\n", s->refused);
	for (size_t i = 0; phn_campaign_report_refusal(&reason, &n, &last, r, i) == PHN_OK; i++) {
		int w = 16 - (int)strlen(reason);

		fputs("    ", f);
		cli_escape(f, reason);
		fprintf(f, "%*s %8" PRIu64, w > 0 ? w : 0, "", n);
		if (last) {
			format_time(t, sizeof t, last);
			fprintf(f, "  (last %s)", t);
		}
		fputc('\n', f);
	}
}

static void print_summary(FILE *f, const char *path, const phn_campaign_report *r)
{
	phn_campaign_summary s = PHN_CAMPAIGN_SUMMARY_INIT;
	char t1[64], t2[64];
	uint64_t n;

	phn_campaign_report_summary(&s, r);
	fputs("journal:   ", f);
	cli_escape(f, path);
	fprintf(f, " (schema %d)\n", s.schema_version);
	fputs("list:      ", f);
	cli_escape(f, s.list_name[0] ? s.list_name : "-");
	if (s.list_sha256[0]) {
		fputs(" (sha256 ", f);
		cli_escape(f, s.list_sha256);
		fputc(')', f);
	}
	fputc('\n', f);
	if (s.campaign_id[0]) {
		fputs("campaign:  ", f);
		cli_escape(f, s.campaign_id);
		fputc('\n', f);
	}
	if (s.created_at) {
		format_time(t1, sizeof t1, s.created_at);
		fprintf(f, "created:   %s\n", t1);
	}
	fprintf(f, "rows:      %" PRIu64 "%s\n", s.rows,
		s.loaded ? "" : " (the list did not finish loading; the next dial loads it again)");
	for (int st = 0; phn_campaign_report_count(&n, r, (phn_campaign_state)st) == PHN_OK; st++) {
		if (n)
			fprintf(f, "  %-12s %10" PRIu64 "\n",
				phn_campaign_state_name((phn_campaign_state)st), n);
	}
	fprintf(f, "attempts:  %" PRIu64 " (%" PRIu64 " calls)\n", s.attempts, s.call_attempts);
	fprintf(f, "runs:      %" PRIu64, s.runs);
	if (s.runs_unfinished)
		fprintf(f, " (%" PRIu64 " without an end: crashed, or running now)", s.runs_unfinished);
	fputc('\n', f);
	if (s.runs) {
		format_time(t1, sizeof t1, s.last_run_started_at);
		fprintf(f, "last run:  started %s", t1);
		if (s.last_run_ended_at) {
			format_time(t2, sizeof t2, s.last_run_ended_at);
			fprintf(f, ", ended %s", t2);
		} else {
			fputs(", no end recorded", f);
		}
		if (s.last_run_result[0]) {
			fputs(", ", f);
			cli_escape(f, s.last_run_result);
		}
		fputc('\n', f);
	}
	print_results(f, &s, r);
}

/* The journal and the files SQLite keeps beside it. */
static int is_journal(const cli_file_id *out, const char *journal)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	int same = 0;

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0] && !same; i++) {
		cli_file_id id;
		size_t n = strlen(journal) + 10;
		char *p = malloc(n);

		if (!p)
			return 0;
		snprintf(p, n, "%s%s", journal, suffixes[i]);
		if (cli_file_id_of_path(&id, p) == 0) {
			same = cli_file_id_same(out, &id);
			cli_file_id_dispose(&id);
		}
		free(p);
	}
	return same;
}

int cli_cmd_report(int argc, char **argv)
{
	const char *cmd = "report";
	struct export ex[3]; /* --csv, --json, --summary-json */
	phn_campaign_report *r = NULL;
	const char *path;
	int c, quiet = 0, safe = 0, status = PHN_EXIT_OK, to_stdout = 0;
	FILE *sumf;

	cli_outfile_command(cmd);
	memset(ex, 0, sizeof ex);
	ex[0].opt = "--csv";
	ex[0].format = PHN_CAMPAIGN_FORMAT_CSV;
	ex[1].opt = "--json";
	ex[1].format = PHN_CAMPAIGN_FORMAT_JSON;
	ex[2].opt = "--summary-json";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", report_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(report_help, stdout);
			return PHN_EXIT_OK;
		case ':':
			return cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		case OPT_CSV: ex[0].path = optarg; break;
		case OPT_JSON: ex[1].path = optarg; break;
		case OPT_SUMMARY_JSON: ex[2].path = optarg; break;
		case OPT_SAFE: safe = 1; break;
		case 'q': quiet = 1; break;
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "which journal? (phonenorm report CAMPAIGN.db)");
	if (optind < argc - 1)
		return cli_usage_error(cmd, "one journal at most ('%s' is extra)", argv[optind + 1]);
	path = argv[optind];
	for (int i = 0; i < 3; i++) {
		for (int k = i + 1; k < 3; k++) {
			if (ex[i].path && ex[k].path && strcmp(ex[i].path, "-") == 0 &&
			    strcmp(ex[k].path, "-") == 0)
				return cli_usage_error(cmd, "%s - and %s - both write to standard "
						       "output; give one of them a file", ex[i].opt,
						       ex[k].opt);
		}
	}

	/* Where the exports go, checked before anything is opened. */
	for (int i = 0; i < 3; i++) {
		if (!ex[i].path)
			continue;
		if (cli_outfile_init(&ex[i].file, ex[i].path) != 0) {
			status = PHN_EXIT_USAGE;
			goto out;
		}
		if (!ex[i].file.is_stdout && is_journal(&ex[i].file.id, path)) {
			cli_error("report: %s '%s' is the journal (or a file of it); refusing to "
				  "write over it", ex[i].opt, ex[i].path);
			status = PHN_EXIT_USAGE;
			goto out;
		}
		to_stdout |= ex[i].file.is_stdout;
	}
	for (int i = 0; i < 3; i++) {
		for (int k = i + 1; k < 3; k++) {
			if (!ex[i].path || !ex[k].path || ex[i].file.is_stdout ||
			    ex[k].file.is_stdout || !cli_file_id_same(&ex[i].file.id, &ex[k].file.id))
				continue;
			cli_error("report: %s '%s' and %s '%s' are the same file", ex[i].opt,
				  ex[i].path, ex[k].opt, ex[k].path);
			status = PHN_EXIT_USAGE;
			goto out;
		}
	}
	if (phn_campaign_report_open(&r, path) != PHN_OK) {
		cli_error("report: %s", phn_error_last());
		status = PHN_EXIT_USAGE;
		goto out;
	}
	cli_catch_signals();
	for (int i = 0; i < 3; i++) {
		int rc;

		if (!ex[i].path)
			continue;
		if (cli_outfile_open(&ex[i].file) != 0) {
			status = PHN_EXIT_WRITE;
			goto out;
		}
		setvbuf(ex[i].file.f, NULL, _IOFBF, 1 << 20);
		if (i == 2)
			rc = phn_campaign_report_write_summary(r, write_file, &ex[i]);
		else
			rc = phn_campaign_report_write(r, ex[i].format, write_file, &ex[i],
						       safe ? PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS : 0);
		if (rc == PHN_EIO && ex[i].err) {
			cli_error("report: writing %s%s%s failed%s%s", ex[i].file.is_stdout ? "" : "'",
				  ex[i].file.name, ex[i].file.is_stdout ? "" : "'",
				  ex[i].err > 0 ? ": " : "", ex[i].err > 0 ? strerror(ex[i].err) : "");
			status = PHN_EXIT_WRITE;
			goto out;
		}
		if (rc != PHN_OK) {
			/* The journal could not be read through. */
			cli_error("report: %s", phn_error_last());
			status = PHN_EXIT_USAGE;
			goto out;
		}
		if (cli_interrupted()) {
			cli_error("report: interrupted; no output file was changed");
			status = 128 + cli_interrupted();
			goto out;
		}
	}
	/* Everything is written: only now do the files take their places. */
	for (int i = 0; i < 3; i++) {
		if (ex[i].path && cli_outfile_commit(&ex[i].file) != 0)
			status = PHN_EXIT_WRITE;
	}
	if (status == PHN_EXIT_OK && !quiet) {
		sumf = to_stdout ? stderr : stdout;
		print_summary(sumf, path, r);
		if (sumf == stdout && cli_stdout_flush() != 0)
			status = PHN_EXIT_WRITE;
	}
out:
	for (int i = 0; i < 3; i++) {
		if (ex[i].path)
			cli_outfile_dispose(&ex[i].file);
	}
	phn_campaign_report_free(r);
	return status;
}
