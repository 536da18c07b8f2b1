/*
 * The options that say how a list is read and cleaned, shared by
 * `phonenorm clean` and `phonenorm dial` so that dial cleans a list exactly
 * as clean does: same names, same checks, same library options.
 */
#ifndef PHN_CLI_CLEAN_OPTS_H
#define PHN_CLI_CLEAN_OPTS_H

#include <getopt.h>
#include <stddef.h>

#include <phonenorm.h>

/* getopt_long values of the shared options (short ones: -c, -d, -j). */
enum {
	CLI_OPT_COLUMN = 256, CLI_OPT_REGION_COLUMN, CLI_OPT_HEADER, CLI_OPT_NO_HEADER,
	CLI_OPT_TEXT, CLI_OPT_KEEP_POSSIBLE = 264, CLI_OPT_TYPES, CLI_OPT_SUPPRESS,
	CLI_OPT_MAX_RECORD_BYTES = 320
};

/* The entries of a struct option array. */
#define CLI_CLEAN_OPTIONS \
	{ "region", required_argument, NULL, 'c' }, \
	{ "column", required_argument, NULL, CLI_OPT_COLUMN }, \
	{ "region-column", required_argument, NULL, CLI_OPT_REGION_COLUMN }, \
	{ "header", no_argument, NULL, CLI_OPT_HEADER }, \
	{ "no-header", no_argument, NULL, CLI_OPT_NO_HEADER }, \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "text", no_argument, NULL, CLI_OPT_TEXT }, \
	{ "keep-possible", no_argument, NULL, CLI_OPT_KEEP_POSSIBLE }, \
	{ "types", required_argument, NULL, CLI_OPT_TYPES }, \
	{ "suppress", required_argument, NULL, CLI_OPT_SUPPRESS }, \
	{ "threads", required_argument, NULL, 'j' }, \
	{ "max-record-bytes", required_argument, NULL, CLI_OPT_MAX_RECORD_BYTES }

/* Their help, in two blocks. */
#define CLI_CLEAN_INPUT_HELP \
	"  -c, --region REGION        region for local numbers (SA, US, ...)\n" \
	"      --column NAME|INDEX    the phone column, by header name or 1-based index;\n" \
	"                             default: guessed from the header (phone, mobile,\n" \
	"                             msisdn, number, numberToCall, ...) and reported\n" \
	"      --region-column NAME|INDEX  a column whose region code (SA, US, ...)\n" \
	"                             overrides -c for its row; blank cells use -c\n" \
	"      --header, --no-header  the first line is / is not a header (default for\n" \
	"                             CSV: a header when every field looks like a name,\n" \
	"                             none a number or digits; reported; --text: none)\n" \
	"  -d, --delimiter CHAR       field separator: ',', ';', 'tab', '|'; default:\n" \
	"                             sniffed from the first lines (',' when unsure)\n" \
	"      --text                 plain text: one number per line, no quoting\n" \
	"      --max-record-bytes N   longest row read whole (default 1M; 1K to 1G, K/M/G\n" \
	"                             suffixes); a longer row is rejected as\n" \
	"                             too_long_record, its first N bytes kept\n"

#define CLI_CLEAN_POLICY_HELP \
	"      --keep-possible        keep numbers of the right length in ranges the\n" \
	"                             metadata does not know (newer ranges, e.g. Saudi\n" \
	"                             057x mobiles)\n" \
	"      --types LIST           keep only these types (comma-separated): mobile,\n" \
	"                             fixed_line, fixed_line_or_mobile (US and CA numbers),\n" \
	"                             toll_free, premium_rate, shared_cost, voip,\n" \
	"                             personal_number, pager, uan, voicemail\n" \
	"      --suppress FILE        a do-not-call list (CSV or one number per line,\n" \
	"                             read with -c); its numbers are rejected as\n" \
	"                             'suppressed'\n"

struct cli_clean_opts {
	const char *region;
	const char *column;
	const char *region_column;
	phn_clean_header header;
	char delimiter;
	int delimiter_given; /* -d or --text: no sniffing */
	int text;
	int keep_possible;
	unsigned int types;
	const char *suppress;
	unsigned int threads;
	size_t max_record; /* 0: the library's default (1 MiB) */
};

void cli_clean_opts_init(struct cli_clean_opts *o);

/* Take option c (with optarg) if it is one of the shared ones: 1 when taken,
 * 0 when it is not one, -1 after a usage error (printed). */
int cli_clean_opts_take(struct cli_clean_opts *o, const char *cmd, int c, const char *arg);

/* Checks once every option is in (the region is known; --text has no
 * --region-column). PHN_EXIT_OK or PHN_EXIT_USAGE (printed). */
int cli_clean_opts_check(const struct cli_clean_opts *o, const char *cmd);

/* The library's reader and cleaner options of *o (column names point into
 * the command line; suppress is left NULL). PHN_EXIT_OK or PHN_EXIT_USAGE. */
int cli_clean_opts_apply(const struct cli_clean_opts *o, const char *cmd, phn_csv_options *co,
			 phn_clean_options *cl);

/* "NAME" or a 1-based index into *name / *index (0-based). */
int cli_column_arg(const char *cmd, const char *opt, const char *arg, const char **name,
		   int *index);

/* The --suppress list, cleaned like any list (keeping possible numbers).
 * PHN_EXIT_OK or PHN_EXIT_USAGE (printed). */
int cli_load_suppress(phn_cleaner **out, const char *cmd, const struct cli_clean_opts *o,
		      int quiet);

#endif /* PHN_CLI_CLEAN_OPTS_H */
