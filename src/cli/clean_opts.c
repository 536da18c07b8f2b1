/*
 * The options of how a list is read and cleaned, shared by clean and dial.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clean_opts.h"
#include "cli.h"

void cli_clean_opts_init(struct cli_clean_opts *o)
{
	memset(o, 0, sizeof *o);
	o->delimiter = ',';
	o->threads = 1;
	o->header = PHN_CLEAN_HEADER_AUTO;
}

int cli_column_arg(const char *cmd, const char *opt, const char *arg, const char **name,
		   int *index)
{
	char *end;
	long v;

	*name = NULL;
	*index = -1;
	if (!arg || !arg[0])
		return cli_usage_error(cmd, "%s needs a column name or number", opt);
	if (arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		v = strtol(arg, &end, 10);
		if (*end == '\0') {
			if (errno || v < 1 || v > 1000000)
				return cli_usage_error(cmd, "%s %s: column numbers start at 1", opt, arg);
			*index = (int)(v - 1);
			return PHN_EXIT_OK;
		}
	}
	*name = arg;
	return PHN_EXIT_OK;
}

static int parse_types(const char *cmd, const char *list, unsigned int *mask)
{
	char buf[256], *save = NULL, *tok;

	*mask = 0;
	if (strlen(list) >= sizeof buf)
		return cli_usage_error(cmd, "--types list is too long");
	strcpy(buf, list);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		phn_type t;
		if (phn_type_from_name(&t, tok) != PHN_OK)
			return cli_usage_error(cmd, "--types: '%s' is not a number type (mobile, "
					       "fixed_line, fixed_line_or_mobile, toll_free, ...)", tok);
		*mask |= PHN_TYPE_BIT(t);
	}
	if (*mask == 0)
		return cli_usage_error(cmd, "--types needs at least one type");
	return PHN_EXIT_OK;
}

/* A size in bytes, with an optional K, M or G (binary) suffix, from 1K to 1G. */
static int parse_size(const char *cmd, const char *opt, const char *arg, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': mult = 1ull << 10; end++; break;
		case 'm': case 'M': mult = 1ull << 20; end++; break;
		case 'g': case 'G': mult = 1ull << 30; end++; break;
		default: break;
		}
	}
	if (errno || end == arg || *end || arg[0] == '-' || v > (1ull << 30) / mult ||
	    v * mult < 1024)
		return cli_usage_error(cmd, "%s takes a size from 1K to 1G (bytes, or with a K, M "
				       "or G suffix), not '%s'", opt, arg);
	*out = (size_t)(v * mult);
	return PHN_EXIT_OK;
}

int cli_clean_opts_take(struct cli_clean_opts *o, const char *cmd, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case 'c': o->region = arg; return 1;
	case CLI_OPT_COLUMN: o->column = arg; return 1;
	case CLI_OPT_REGION_COLUMN: o->region_column = arg; return 1;
	case CLI_OPT_HEADER: o->header = PHN_CLEAN_HEADER_YES; return 1;
	case CLI_OPT_NO_HEADER: o->header = PHN_CLEAN_HEADER_NO; return 1;
	case 'd':
		o->delimiter_given = 1;
		if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
			o->delimiter = '\t';
		else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r')
			o->delimiter = arg[0];
		else
			return cli_usage_error(cmd, "--delimiter takes one character or 'tab'"), -1;
		return 1;
	case CLI_OPT_TEXT: o->text = 1; return 1;
	case CLI_OPT_KEEP_POSSIBLE: o->keep_possible = 1; return 1;
	case CLI_OPT_TYPES:
		return parse_types(cmd, arg, &o->types) == PHN_EXIT_OK ? 1 : -1;
	case CLI_OPT_SUPPRESS: o->suppress = arg; return 1;
	case 'j':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v < 0 || v > 256)
			return cli_usage_error(cmd, "--threads takes a number from 0 to 256"), -1;
		if (v == 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);
			v = n > 0 ? n : 1;
		}
		o->threads = (unsigned int)v;
		return 1;
	case CLI_OPT_MAX_RECORD_BYTES:
		return parse_size(cmd, "--max-record-bytes", arg, &o->max_record) == PHN_EXIT_OK ? 1
												  : -1;
	default:
		return 0;
	}
}

int cli_clean_opts_check(const struct cli_clean_opts *o, const char *cmd)
{
	if (cli_check_region(cmd, o->region) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	if (o->text && o->region_column)
		return cli_usage_error(cmd, "--text input has one column: no --region-column");
	return PHN_EXIT_OK;
}

int cli_clean_opts_apply(const struct cli_clean_opts *o, const char *cmd, phn_csv_options *co,
			 phn_clean_options *cl)
{
	co->delimiter = o->text ? '\0' : o->delimiter;
	co->max_record = o->max_record;
	co->sniff_delimiter = !o->text && !o->delimiter_given;
	cl->region = o->region;
	cl->header = o->header;
	cl->keep_possible = o->keep_possible;
	cl->types = o->types;
	cl->threads = o->threads;
	if ((o->column && cli_column_arg(cmd, "--column", o->column, &cl->phone_column,
					 &cl->phone_column_index) != PHN_EXIT_OK) ||
	    (o->region_column && cli_column_arg(cmd, "--region-column", o->region_column,
						&cl->region_column,
						&cl->region_column_index) != PHN_EXIT_OK))
		return PHN_EXIT_USAGE;
	return PHN_EXIT_OK;
}

int cli_load_suppress(phn_cleaner **out, const char *cmd, const struct cli_clean_opts *a,
		      int quiet)
{
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_summary s = PHN_CLEAN_SUMMARY_INIT;
	phn_csv_reader *r;
	int rc;

	*out = NULL;
	co.check_field_count = 0;
	if (phn_csv_reader_open(&r, a->suppress, &co) != PHN_OK) {
		cli_error("%s: --suppress %s: %s", cmd, a->suppress, phn_error_last());
		return PHN_EXIT_USAGE;
	}
	o.region = a->region;
	o.keep_possible = 1;
	if ((rc = phn_cleaner_new(out, &o)) == PHN_OK)
		rc = phn_cleaner_run(*out, r, NULL, NULL);
	phn_csv_reader_free(r);
	if (rc != PHN_OK) {
		cli_error("%s: --suppress %s: %s", cmd, a->suppress, phn_error_last());
		phn_cleaner_free(*out);
		*out = NULL;
		return PHN_EXIT_USAGE;
	}
	phn_cleaner_summary(&s, *out);
	if (s.rejected && !quiet)
		fprintf(stderr, "phonenorm %s: --suppress %s: %" PRIu64 " of %" PRIu64
			" entries are not phone numbers and were ignored\n", cmd, a->suppress,
			s.rejected, s.rows);
	return PHN_EXIT_OK;
}
