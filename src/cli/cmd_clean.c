/*
 * phonenorm clean: turn a CSV export (or a plain list) into one callable
 * list: every number in E.164, each number once, every dropped row accounted
 * for. Built on the public list API; this file only does options and output.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <phonenorm.h>

#include "clean_opts.h"
#include "cli.h"
#include "outfile.h"

static const char clean_help[] =
	"usage: phonenorm clean [OPTIONS] [FILE]\n"
	"\n"
	"Clean a phone list: read a CSV file (or standard input when FILE is absent\n"
	"or '-'), normalize the phone column to E.164, drop bad numbers and\n"
	"duplicates, and write the clean CSV: every original column, unchanged and\n"
	"in order, plus 'e164' and 'number_type'. Every input row ends up in exactly\n"
	"one place: rows in = clean + rejected + duplicates.\n"
	"\n"
	"Input:\n"
	"  -c, --region REGION        region for local numbers (SA, US, ...)\n"
	"      --column NAME|INDEX    the phone column, by header name or 1-based index;\n"
	"                             default: guessed from the header (phone, mobile,\n"
	"                             msisdn, number, numberToCall, ...) and reported\n"
	"      --region-column NAME|INDEX  a column whose region code (SA, US, ...)\n"
	"                             overrides -c for its row; blank cells use -c\n"
	"      --header, --no-header  the first line is / is not a header (default for\n"
	"                             CSV: a header when every field looks like a name,\n"
	"                             none a number or digits; reported; --text: none)\n"
	"  -d, --delimiter CHAR       field separator: ',', ';', 'tab', '|'; default:\n"
	"                             sniffed from the first lines (',' when unsure)\n"
	"      --text                 plain text: one number per line, no quoting\n"
	"      --max-record-bytes N   longest row read whole (default 1M; 1K to 1G, K/M/G\n"
	"                             suffixes); a longer row is rejected as\n"
	"                             too_long_record, its first N bytes kept\n"
	"\n"
	"Policy:\n"
	"      --keep-possible        keep numbers of the right length in ranges the\n"
	"                             metadata does not know (newer ranges, e.g. Saudi\n"
	"                             057x mobiles); adds a 'number_status' column\n"
	"      --types LIST           keep only these types (comma-separated): mobile,\n"
	"                             fixed_line, fixed_line_or_mobile (US and CA numbers),\n"
	"                             toll_free, premium_rate, shared_cost, voip,\n"
	"                             personal_number, pager, uan, voicemail\n"
	"      --suppress FILE        a do-not-call list (CSV or one number per line,\n"
	"                             read with -c); its numbers are rejected as\n"
	"                             'suppressed'\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE          the clean CSV (default or '-': standard output)\n"
	"      --rejects FILE         rejected rows, unchanged, plus 'reject_reason'\n"
	"                             and 'line'\n"
	"      --duplicates FILE      duplicate rows plus 'e164' and 'duplicate_of_line'\n"
	"                             (the line of the first occurrence, which is kept)\n"
	"      --report FILE          the summary as JSON\n"
	"                             Each FILE may be '-' (standard output, for one\n"
	"                             output at most). Files are written beside their\n"
	"                             destination and renamed into place only when the\n"
	"                             run succeeds: a failed or interrupted run leaves\n"
	"                             old files as they were. An output that is the\n"
	"                             input, the --suppress file or another output is\n"
	"                             refused (exit 2).\n"
	"      --json                 one JSON object per row on standard output (line,\n"
	"                             outcome, reason, phone, e164, duplicate_of)\n"
	"                             instead of the clean CSV, which is then written\n"
	"                             only with -o FILE\n"
	"      --safe-for-spreadsheets  neutralise formulas: a cell starting with =, +,\n"
	"                             -, @, tab or CR (and not simply a number) is\n"
	"                             written quoted with a ' first (default: every\n"
	"                             original byte as read)\n"
	"      --strict               exit 1 when some row was rejected\n"
	"  -j, --threads N            threads for parsing (default 1; 0: one per CPU);\n"
	"                             the output is the same for any N\n"
	"  -q, --quiet                no summary and no progress bar on standard error\n"
	"      --no-progress          no progress bar (it only shows when standard error\n"
	"                             is a terminal and the input is large)\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Rows with the same number are duplicates even when their extensions differ:\n"
	"for calling, it is one person. The first occurrence is kept.\n"
	"\n"
	"Reject reasons: malformed_csv, field_count, empty, bad_text, bad_region,\n"
	"not_a_number, invalid_country_code, too_short, too_long, invalid_length,\n"
	"needs_region, local_only, not_valid, type_not_allowed, suppressed,\n"
	"too_long_record.\n"
	"\n"
	"Exit status: 0 the run completed (rejected rows are not an error), 1 some\n"
	"rows rejected with --strict, 2 usage error, unreadable input, missing column\n"
	"or an output that would overwrite an input, 3 an output could not be\n"
	"written, 130/143 interrupted (SIGINT/SIGTERM; outputs left as they were).\n";

/* Beside the shared read-and-clean options (clean_opts.h). */
enum { OPT_REJECTS = 261, OPT_DUPLICATES, OPT_REPORT, OPT_NO_PROGRESS = 267 };

/* Output options. */
enum { OPT_JSON = 512, OPT_SAFE_FOR_SPREADSHEETS, OPT_STRICT };

static const struct option clean_options[] = {
	CLI_CLEAN_OPTIONS,
	{ "output", required_argument, NULL, 'o' },
	{ "rejects", required_argument, NULL, OPT_REJECTS },
	{ "duplicates", required_argument, NULL, OPT_DUPLICATES },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	/* outputs */
	{ "json", no_argument, NULL, OPT_JSON },
	{ "safe-for-spreadsheets", no_argument, NULL, OPT_SAFE_FOR_SPREADSHEETS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ NULL, 0, NULL, 0 },
};

struct clean_args {
	struct cli_clean_opts in; /* how the list is read and cleaned (shared with dial) */
	const char *output;
	const char *rejects;
	const char *duplicates;
	const char *report;
	int quiet;
	int no_progress;
	const char *input; /* NULL: stdin */
	/* outputs */
	int json;
	int safe_for_spreadsheets;
	int strict;
};
/* One output file and the library's writer of it. */
struct sink {
	const char *opt;  /* "-o", "--rejects", ... for messages */
	const char *path; /* NULL: not written */
	cli_outfile file;
	phn_clean_writer *w;
	int err;          /* errno of a failed write, -1 if unknown */
};

struct progress {
	int on;
	int dumb;         /* TERM=dumb: plain lines, no cursor control */
	uint64_t size; /* 0: unknown */
	struct timespec start, last;
	uint64_t rows;
	int shown;
};

struct run {
	const phn_csv_reader *reader;
	const phn_cleaner *cleaner;
	struct sink out, rejects, dups, report;
	struct progress prog;
	int json;
	int phone_column; /* for --json; -2 until known */
	int stopped;      /* the callback stopped the run: a signal, a write */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int parse_args(struct clean_args *a, int argc, char **argv, int *done)
{
	const char *cmd = "clean";
	int c, taken;

	memset(a, 0, sizeof *a);
	cli_clean_opts_init(&a->in);
	*done = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:d:o:j:qh", clean_options, NULL)) != -1) {
		if ((taken = cli_clean_opts_take(&a->in, cmd, c, optarg)) < 0)
			return PHN_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'h':
			fputs(clean_help, stdout);
			*done = 1;
			return PHN_EXIT_OK;
		case ':':
			return cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		case '?':
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		case 'o': a->output = optarg; break;
		case OPT_REJECTS: a->rejects = optarg; break;
		case OPT_DUPLICATES: a->duplicates = optarg; break;
		case OPT_REPORT: a->report = optarg; break;
		case 'q': a->quiet = 1; break;
		case OPT_NO_PROGRESS: a->no_progress = 1; break;
		case OPT_JSON: a->json = 1; break;
		case OPT_SAFE_FOR_SPREADSHEETS: a->safe_for_spreadsheets = 1; break;
		case OPT_STRICT: a->strict = 1; break;
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc - 1)
		return cli_usage_error(cmd, "one input file at most ('%s' is extra)", argv[optind + 1]);
	if (optind < argc && strcmp(argv[optind], "-") != 0)
		a->input = argv[optind];
	return cli_clean_opts_check(&a->in, cmd);
}

/* ---- writing: the library decides the bytes, we only move them --------- */

static int write_file(const void *data, size_t len, void *payload)
{
	struct sink *s = payload;

	if (fwrite(data, 1, len, s->file.f) == len)
		return 0;
	s->err = errno ? errno : -1;
	return -1;
}

/* Resolve where a sink goes (nothing is opened). */
static int sink_init(struct sink *s, const char *opt, const char *path)
{
	memset(s, 0, sizeof *s);
	s->opt = opt;
	s->path = path;
	if (!path)
		return PHN_EXIT_OK;
	return cli_outfile_init(&s->file, path) == 0 ? PHN_EXIT_OK : PHN_EXIT_USAGE;
}

static int sink_open(struct sink *s, phn_clean_output output, const phn_clean_writer_options *wo)
{
	if (!s->path)
		return PHN_EXIT_OK;
	if (cli_outfile_open(&s->file) != 0)
		return PHN_EXIT_USAGE;
	setvbuf(s->file.f, NULL, _IOFBF, 1 << 20);
	if (output && phn_clean_writer_new(&s->w, output, write_file, s, wo) != PHN_OK) {
		cli_error("clean: %s", phn_error_last());
		return PHN_EXIT_USAGE;
	}
	return PHN_EXIT_OK;
}

/* Hand the writer's last bytes to the file; 1 if writing failed. */
static int sink_finish(struct sink *s)
{
	int bad = 0;

	if (s->w) {
		bad = phn_clean_writer_finish(s->w) != PHN_OK;
		phn_clean_writer_free(s->w);
		s->w = NULL;
	}
	if (s->file.f && (bad || s->err || ferror(s->file.f))) {
		cli_error("clean: writing %s%s%s failed%s%s", s->file.is_stdout ? "" : "'",
			  s->file.name, s->file.is_stdout ? "" : "'", s->err > 0 ? ": " : "",
			  s->err > 0 ? strerror(s->err) : "");
		bad = 1;
	}
	return bad;
}

static void sink_discard(struct sink *s)
{
	phn_clean_writer_free(s->w);
	s->w = NULL;
	if (s->path)
		cli_outfile_dispose(&s->file);
}

static void progress_update(struct progress *p, const phn_csv_reader *r, int final)
{
	double t, rate;

	if (!p->on)
		return;
	if (final) {
		if (p->shown && !p->dumb)
			fputs("\r\033[K", stderr);
		return;
	}
	if ((p->rows & 4095) != 0 || seconds_since(&p->last) < (p->dumb ? 5.0 : 0.25))
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	t = seconds_since(&p->start);
	rate = t > 0 ? (double)p->rows / t : 0;
	if (p->dumb) {
		/* No cursor control: a plain line now and then. */
		fprintf(stderr, "phonenorm clean: %" PRIu64 " rows, %.0f rows/s", p->rows, rate);
		if (p->size > 0)
			fprintf(stderr, ", %.1f%%",
				100.0 * (double)phn_csv_reader_offset(r) / (double)p->size);
		fputc('\n', stderr);
	} else if (p->size > 0) {
		double frac = (double)phn_csv_reader_offset(r) / (double)p->size;
		int width = 30, fill = (int)(frac * width);
		fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %" PRIu64 " rows  %.0f rows/s ", fill,
			"##############################", width - fill, "", frac * 100.0, p->rows,
			rate);
	} else {
		fprintf(stderr, "\r%" PRIu64 " rows  %.0f rows/s ", p->rows, rate);
	}
	p->shown = 1;
}

/* --json: one object per row, keys always present (null when not known). */
static void json_row(struct run *run, const phn_clean_row *row)
{
	const phn_csv_record *rec = row->record;
	int col;

	if (run->phone_column == -2) {
		phn_clean_summary s = PHN_CLEAN_SUMMARY_INIT;

		phn_cleaner_summary(&s, run->cleaner);
		run->phone_column = s.phone_column;
	}
	col = run->phone_column;
	printf("{\"line\":%" PRIu64 ",\"outcome\":\"%s\",\"reason\":", rec->line,
	       phn_row_outcome_name(row->outcome));
	if (row->outcome == PHN_ROW_REJECTED)
		printf("\"%s\"", phn_reject_reason_name(row->reason));
	else
		fputs("null", stdout);
	fputs(",\"phone\":", stdout);
	if (col >= 0 && (size_t)col < rec->nfields &&
	    (rec->problem == PHN_CSV_OK || rec->problem == PHN_CSV_FIELD_COUNT))
		cli_json_string_n(stdout, rec->fields[col], rec->lens[col]);
	else
		fputs("null", stdout);
	fputs(",\"e164\":", stdout);
	if (row->number && row->number->e164[0])
		cli_json_string(stdout, row->number->e164);
	else
		fputs("null", stdout);
	if (row->outcome == PHN_ROW_DUPLICATE)
		printf(",\"duplicate_of\":%" PRIu64 "}\n", row->duplicate_of);
	else
		fputs(",\"duplicate_of\":null}\n", stdout);
}

static int on_row(const phn_clean_row *row, void *payload)
{
	struct run *run = payload;
	struct sink *sinks[3] = { &run->out, &run->rejects, &run->dups };

	/* Stop between rows: the outputs are then discarded whole. */
	if (cli_interrupted()) {
		run->stopped = 1;
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		if (sinks[i]->w && phn_clean_writer_row(sinks[i]->w, row) != PHN_OK) {
			run->stopped = 1;
			return 1;
		}
	}
	if (run->json && row->outcome != PHN_ROW_HEADER)
		json_row(run, row);
	if (row->outcome != PHN_ROW_HEADER) {
		run->prog.rows++;
		progress_update(&run->prog, run->reader, 0);
	}
	return 0;
}

/* ---- summary ----------------------------------------------------------- */

/* Which code parsed the rows: the compiled fast path, or libphonenumber
 * (when the fast path declined a row, or is off). */
static void print_fast_path(FILE *f, const phn_cleaner *c)
{
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;
	uint64_t n[3] = { 0, 0, 0 };

	for (unsigned int p = 0; p < 3; p++)
		phn_cleaner_count(&n[p], c, PHN_CLEAN_COUNT_PARSE_PATH, p);
	if (phn_fastpath_get_info(&fi) != PHN_OK || !fi.enabled) {
		fprintf(f, "fast path:   off (%s)\n", fi.reason[0] ? fi.reason : phn_error_last());
		return;
	}
	if (n[PHN_PATH_FAST] + n[PHN_PATH_FALLBACK] == 0) {
		fputs("fast path:   on, no row parsed\n", f);
		return;
	}
	fprintf(f, "fast path:   %" PRIu64 " rows parsed, %" PRIu64 " answered by it, %" PRIu64
		" fell back to libphonenumber (%.2f%%)\n",
		n[PHN_PATH_FAST] + n[PHN_PATH_FALLBACK], n[PHN_PATH_FAST], n[PHN_PATH_FALLBACK],
		100.0 * (double)n[PHN_PATH_FALLBACK] /
			(double)(n[PHN_PATH_FAST] + n[PHN_PATH_FALLBACK]));
}

static void print_summary(FILE *f, const phn_clean_summary *s, const phn_cleaner *c,
			  double secs)
{
	char region[4];
	uint64_t n;
	int first = 1;

	fprintf(f, "rows in:     %10" PRIu64 "\n", s->rows);
	fprintf(f, "clean:       %10" PRIu64, s->clean);
	if (s->clean_possible)
		fprintf(f, "  (%" PRIu64 " possible, kept by --keep-possible)", s->clean_possible);
	fprintf(f, "\nrejected:    %10" PRIu64 "\n", s->rejected);
	for (unsigned int r = 1; phn_cleaner_count(&n, c, PHN_CLEAN_COUNT_REJECTED, r) == PHN_OK;
	     r++) {
		if (n)
			fprintf(f, "  %-22s %8" PRIu64 "\n",
				phn_reject_reason_name((phn_reject_reason)r), n);
	}
	fprintf(f, "duplicates:  %10" PRIu64 "\n", s->duplicates);
	fputs("by region:  ", f);
	for (size_t i = 0; phn_cleaner_region_count(region, &n, c, i) == PHN_OK; i++) {
		fprintf(f, "%s %s %" PRIu64, first ? "" : ",", region[0] ? region : "none", n);
		first = 0;
	}
	fputs(first ? " -\nby type:    " : "\nby type:    ", f);
	first = 1;
	for (unsigned int t = 0; phn_cleaner_count(&n, c, PHN_CLEAN_COUNT_CLEAN_TYPE, t) == PHN_OK;
	     t++) {
		if (n) {
			fprintf(f, "%s %s %" PRIu64, first ? "" : ",", phn_type_name((phn_type)t), n);
			first = 0;
		}
	}
	fputs(first ? " -\n" : "\n", f);
	print_fast_path(f, c);
	if (s->blank_lines)
		fprintf(f, "blank lines skipped: %" PRIu64 "\n", s->blank_lines);
	fprintf(f, "%" PRIu64 " rows in = %" PRIu64 " clean + %" PRIu64 " rejected + %" PRIu64
		" duplicates%s; %.2f s, %.0f rows/s\n", s->rows, s->clean, s->rejected,
		s->duplicates, s->rows == s->clean + s->rejected + s->duplicates ? "" : " (MISMATCH)",
		secs, secs > 0 ? (double)s->rows / secs : 0.0);
}

/* What was guessed about the input: a sniffed delimiter, the header row. */
static void print_input_guesses(FILE *f, const phn_clean_summary *s, const phn_csv_reader *r)
{
	char d = phn_csv_reader_delimiter(r);

	if (phn_csv_reader_delimiter_sniffed(r))
		fprintf(f, "phonenorm clean: delimiter '%s' (sniffed from the first lines; -d sets "
			"it)\n", d == '\t' ? "tab" : (char[2]){ d, '\0' });
	if (s->header_guessed)
		fprintf(f, "phonenorm clean: line 1 %s: %s (--header or --no-header decide)\n",
			s->has_header ? "taken as the header" : "is data, not a header",
			s->first_row);
}

/* The report into its (already open) output; 1 if it could not be made. */
static int write_report(struct sink *out, const struct clean_args *a, const phn_cleaner *c,
			double secs)
{
	phn_clean_report_options ro = PHN_CLEAN_REPORT_OPTIONS_INIT;
	size_t need = 0;
	char *json = NULL;

	ro.input = a->input;
	ro.seconds = secs;
	if (phn_cleaner_report_json(NULL, 0, &need, c, &ro) != PHN_EBUFS ||
	    !(json = malloc(need + 1)) ||
	    phn_cleaner_report_json(json, need + 1, NULL, c, &ro) != PHN_OK) {
		cli_error("clean: the report: %s", json ? phn_error_last() : strerror(ENOMEM));
		free(json);
		return 1;
	}
	write_file(json, need, out);
	free(json);
	return sink_finish(out);
}

/* ---- inputs ------------------------------------------------------------ */

static int open_reader(phn_csv_reader **r, const char *path, const phn_csv_options *o)
{
	int rc = path ? phn_csv_reader_open(r, path, o) : phn_csv_reader_from_fd(r, 0, o);

	if (rc != PHN_OK) {
		cli_error("clean: %s", phn_error_last());
		return PHN_EXIT_USAGE;
	}
	return PHN_EXIT_OK;
}

/* ---- outputs are checked before anything is opened -------------------- */

/* "-o 'x.csv'", "--report standard output" */
static void sink_label(char *buf, size_t cap, const struct sink *s)
{
	if (s->file.is_stdout && s->opt[0] == '-')
		snprintf(buf, cap, "%s -", s->opt);
	else if (s->file.is_stdout)
		snprintf(buf, cap, "%s (standard output, as no -o was given)", s->opt);
	else
		snprintf(buf, cap, "%s '%s'", s->opt, s->path);
}

/*
 * Refuse an output that is the input, the --suppress file or another output
 * (device and inode, or the resolved name of a file not there yet): writing
 * would empty the input before it is read, or mix two outputs in one file.
 */
static int check_outputs(const struct clean_args *a, struct sink *const *sinks, size_t n)
{
	cli_file_id in, sup;
	char l1[512], l2[512];
	const struct sink *to_stdout = NULL;
	int have_in, have_sup, rc = PHN_EXIT_OK;

	have_in = a->input ? cli_file_id_of_path(&in, a->input) == 0
			   : cli_file_id_of_fd(&in, 0) == 0;
	have_sup = a->in.suppress && cli_file_id_of_path(&sup, a->in.suppress) == 0;
	for (size_t i = 0; i < n && rc == PHN_EXIT_OK; i++) {
		const struct sink *s = sinks[i];

		if (!s->path)
			continue;
		sink_label(l1, sizeof l1, s);
		if (s->file.is_stdout && a->json) {
			cli_error("clean: %s and --json both write to standard output; give the "
				  "clean CSV a file with -o FILE", l1);
			rc = PHN_EXIT_USAGE;
		} else if (s->file.is_stdout && to_stdout) {
			sink_label(l2, sizeof l2, to_stdout);
			cli_error("clean: %s and %s both write to standard output; give one of "
				  "them a file", l2, l1);
			rc = PHN_EXIT_USAGE;
		} else if (have_in && cli_file_id_same(&s->file.id, &in)) {
			cli_error("clean: %s is the input%s; refusing to write over it", l1,
				  a->input ? "" : " (standard input)");
			rc = PHN_EXIT_USAGE;
		} else if (have_sup && cli_file_id_same(&s->file.id, &sup)) {
			cli_error("clean: %s is the --suppress file; refusing to write over it", l1);
			rc = PHN_EXIT_USAGE;
		}
		for (size_t j = 0; j < i && rc == PHN_EXIT_OK; j++) {
			if (sinks[j]->path && !(s->file.is_stdout && sinks[j]->file.is_stdout) &&
			    cli_file_id_same(&s->file.id, &sinks[j]->file.id)) {
				sink_label(l2, sizeof l2, sinks[j]);
				cli_error("clean: %s and %s are the same file", l2, l1);
				rc = PHN_EXIT_USAGE;
			}
		}
		if (s->file.is_stdout)
			to_stdout = s;
	}
	if (have_in)
		cli_file_id_dispose(&in);
	if (have_sup)
		cli_file_id_dispose(&sup);
	return rc;
}

int cli_cmd_clean(int argc, char **argv)
{
	struct clean_args a;
	struct run run;
	struct sink *sinks[4];
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s = PHN_CLEAN_SUMMARY_INIT;
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_cleaner *sup = NULL, *c = NULL;
	phn_csv_reader *r = NULL;
	struct timespec t0;
	struct stat st;
	const char *term;
	int rc, done, sig, status = PHN_EXIT_OK, werr = 0;
	double secs;

	if ((rc = parse_args(&a, argc, argv, &done)) != PHN_EXIT_OK || done)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&run, 0, sizeof run);
	run.json = a.json;
	run.phone_column = -2;
	sinks[0] = &run.out;
	sinks[1] = &run.rejects;
	sinks[2] = &run.dups;
	sinks[3] = &run.report;

	/* A closed standard input: say so before any open() can take fd 0. */
	if (!a.input && fcntl(0, F_GETFD) < 0 && errno == EBADF) {
		cli_error("clean: standard input is closed (give a FILE or '-' with input)");
		return PHN_EXIT_USAGE;
	}
	/* Where each output goes, checked before anything is read or opened. */
	if (sink_init(&run.out, a.output ? "-o" : "the clean CSV",
		      a.output ? a.output : a.json ? NULL : "-") ||
	    sink_init(&run.rejects, "--rejects", a.rejects) ||
	    sink_init(&run.dups, "--duplicates", a.duplicates) ||
	    sink_init(&run.report, "--report", a.report) ||
	    check_outputs(&a, sinks, 4) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	cli_catch_signals();

	if (a.in.suppress && cli_load_suppress(&sup, "clean", &a.in, a.quiet) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	if (cli_clean_opts_apply(&a.in, "clean", &co, &o) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	if (open_reader(&r, a.input, &co) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	run.reader = r;

	o.suppress = sup ? phn_cleaner_dedupe_set(sup) : NULL;
	if (phn_cleaner_new(&c, &o) != PHN_OK) {
		cli_error("clean: %s", phn_error_last());
		status = PHN_EXIT_USAGE;
		goto out;
	}
	run.cleaner = c;
	wo.delimiter = co.delimiter;
	wo.columns = a.in.keep_possible ? PHN_CLEAN_COLUMN_NUMBER_STATUS : 0;
	wo.reader = r;
	wo.flags = a.safe_for_spreadsheets ? PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS : 0;
	if (sink_open(&run.out, PHN_CLEAN_OUTPUT_CLEAN, &wo) ||
	    sink_open(&run.rejects, PHN_CLEAN_OUTPUT_REJECTS, &wo) ||
	    sink_open(&run.dups, PHN_CLEAN_OUTPUT_DUPLICATES, &wo) ||
	    sink_open(&run.report, 0, NULL)) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	run.prog.on = !a.no_progress && !a.quiet && isatty(2);
	if (run.prog.on) {
		int fd = a.input ? -1 : 0;
		if (a.input ? stat(a.input, &st) == 0 : fstat(fd, &st) == 0)
			run.prog.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		/* Small files are done before a bar could help. */
		if (run.prog.size > 0 && run.prog.size < (8u << 20))
			run.prog.on = 0;
		term = getenv("TERM");
		run.prog.dumb = !term || !term[0] || strcmp(term, "dumb") == 0;
		clock_gettime(CLOCK_MONOTONIC, &run.prog.start);
		run.prog.last = run.prog.start;
	}

	rc = phn_cleaner_run(c, r, on_row, &run);
	progress_update(&run.prog, r, 1);
	secs = seconds_since(&t0);
	phn_cleaner_summary(&s, c);
	if ((sig = cli_interrupted()) != 0) {
		cli_error("clean: interrupted by %s; no output file was changed%s",
			  sig == SIGINT ? "SIGINT" : "SIGTERM",
			  run.out.file.is_stdout || a.json ? " (standard output got part of the rows)"
							   : "");
		status = 128 + sig;
		goto out;
	}
	/* A write failed (the writer stopped the run), or the run itself did. */
	for (int i = 0; i < 3; i++)
		werr |= sink_finish(sinks[i]);
	if (werr) {
		status = PHN_EXIT_WRITE;
		goto out;
	}
	if (rc != PHN_OK) {
		cli_error("clean: %s", phn_error_last());
		status = PHN_EXIT_USAGE;
		goto out;
	}
	if (!a.quiet) {
		print_input_guesses(stderr, &s, r);
		if (s.phone_column >= 0)
			fprintf(stderr, "phonenorm clean: phone column %d%s%s%s (%s)\n",
				s.phone_column + 1, s.has_header ? " '" : "",
				s.has_header ? s.phone_column_name : "", s.has_header ? "'" : "",
				s.phone_column_guessed ? (s.has_header ? "guessed from the header"
								       : "guessed from the first row")
						       : "given");
		print_summary(stderr, &s, c, secs);
	}
	if (run.report.path && write_report(&run.report, &a, c, secs)) {
		status = PHN_EXIT_WRITE;
		goto out;
	}
	if (a.json && cli_stdout_flush() != 0) {
		status = PHN_EXIT_WRITE;
		goto out;
	}
	if ((sig = cli_interrupted()) != 0) {
		cli_error("clean: interrupted; no output file was changed");
		status = 128 + sig;
		goto out;
	}
	/* Everything is written: only now do the files take their places. */
	for (int i = 0; i < 4; i++) {
		if (sinks[i]->path && cli_outfile_commit(&sinks[i]->file) != 0)
			werr = 1;
	}
	if (werr)
		status = PHN_EXIT_WRITE;
	else
		status = a.strict && s.rejected ? PHN_EXIT_NEGATIVE : PHN_EXIT_OK;
out:
	for (int i = 0; i < 4; i++)
		sink_discard(sinks[i]);
	phn_cleaner_free(c);
	phn_cleaner_free(sup);
	phn_csv_reader_free(r);
	return status;
}
