/*
 * phonenorm find | example | regions: numbers in free text, the metadata's
 * example numbers, and the regions with their calling codes.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "cli.h"

enum { OPT_JSON = 256, OPT_LENIENCY, OPT_NON_GEO };

/* The number's members shared by find's and example's JSON, without braces. */
static void json_number(FILE *out, const phn_number *n)
{
	fprintf(out, "\"e164\":\"%s\",\"status\":\"%s\",\"number_type\":\"%s\","
		"\"country_code\":%d,\"national_number\":\"",
		n->e164, phn_status_name(n->status), phn_type_name(n->type), n->country_code);
	for (int i = 0; i < n->leading_zeros; i++)
		fputc('0', out);
	fprintf(out, "%" PRIu64 "\",\"region\":", n->national_number);
	if (n->region[0])
		cli_json_string(out, n->region);
	else
		fputs("null", out);
	fputs(",\"extension\":", out);
	if (n->extension[0])
		cli_json_string(out, n->extension);
	else
		fputs("null", out);
}

/* ---- find --------------------------------------------------------------- */

static const char find_help[] =
	"usage: phonenorm find [-c REGION] [--leniency LENIENCY] [--json] [TEXT...]\n"
	"\n"
	"Find the phone numbers in free text (a notes column, a message body) as\n"
	"libphonenumber's PhoneNumberMatcher does. The texts are the arguments, or\n"
	"the lines of standard input when there are none or the only one is '-'.\n"
	"One line per number found:\n"
	"  LINE<TAB>START<TAB>END<TAB>E164<TAB>TYPE<TAB>EXTENSION<TAB>RAW\n"
	"LINE is the line number on standard input (or the argument's position, 1\n"
	"for the first TEXT); START and END are byte offsets of the number in that\n"
	"line (END exclusive; a UTF-8 byte order mark on line 1 is not counted);\n"
	"EXTENSION is '-' when there is none; RAW is the number as written, escaped\n"
	"as validate escapes its input. --json writes one JSON object per number\n"
	"and line (JSON Lines): line, start, end, raw, e164, status, number_type,\n"
	"country_code, national_number, region, extension.\n"
	"\n"
	"Options:\n"
	"  -c, --region REGION    region for numbers written without + or 00 (SA, us,\n"
	"                         ...); without it only international numbers are found\n"
	"  -l, --leniency LEVEL   possible, valid (default), strict_grouping or\n"
	"                         exact_grouping (strict and exact for short)\n"
	"      --json             JSON Lines instead of text\n"
	"  -h, --help             show this help\n"
	"\n"
	"Dates, amounts and times are not numbers; digits of any script count.\n"
	"A line that is not UTF-8 or longer than 64 KiB is skipped with a message.\n"
	"Exit status: 0 some number found, 1 none found, 2 usage or input error\n"
	"(also a skipped line), 3 standard output could not be written.\n";

static const struct option find_options[] = {
	{ "region", required_argument, NULL, 'c' },
	{ "leniency", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct find_ctx {
	const char *text;
	unsigned long line;
	int json;
	unsigned long found;
};

static int emit_match(const phn_match *m, void *ctx)
{
	struct find_ctx *f = ctx;
	const phn_number *n = &m->number;

	f->found++;
	if (f->json) {
		printf("{\"line\":%lu,\"start\":%zu,\"end\":%zu,\"raw\":", f->line, m->start,
		       m->start + m->length);
		cli_json_string_n(stdout, f->text + m->start, m->length);
		fputc(',', stdout);
		json_number(stdout, n);
		fputs("}\n", stdout);
	} else {
		printf("%lu\t%zu\t%zu\t%s\t%s\t", f->line, m->start, m->start + m->length, n->e164,
		       phn_type_name(n->type));
		cli_escape(stdout, n->extension[0] ? n->extension : "-");
		fputc('\t', stdout);
		cli_escape_n(stdout, f->text + m->start, m->length);
		fputc('\n', stdout);
	}
	/* Output nobody receives is no reason to search on. */
	return ferror(stdout) ? 1 : 0;
}

int cli_cmd_find(int argc, char **argv)
{
	struct find_ctx f = { NULL, 0, 0, 0 };
	const char *region = NULL;
	phn_leniency leniency = PHN_LENIENCY_VALID;
	cli_inputs in;
	const char *text;
	size_t len;
	int c, r, first, skipped = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:l:h", find_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(find_help, stdout);
			return PHN_EXIT_OK;
		case 'c':
			region = optarg;
			break;
		case 'l':
			if (phn_leniency_from_name(&leniency, optarg) != PHN_OK)
				return cli_usage_error("find", "unknown leniency '%s' (use possible, "
						       "valid, strict_grouping or exact_grouping)",
						       optarg);
			break;
		case OPT_JSON:
			f.json = 1;
			break;
		case ':':
			return cli_usage_error("find", "option '%s' needs an argument",
					       argv[optind - 1]);
		default:
			return cli_usage_error("find", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (cli_check_region("find", region) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	first = optind;
	if (argc - first == 1 && strcmp(argv[first], "-") == 0)
		first = argc;

	cli_inputs_init(&in, argc, argv, first);
	while ((r = cli_inputs_next(&in, &text, &len)) > 0) {
		int rc;

		f.line++;
		f.text = text;
		rc = phn_number_find(text, len, region, leniency, emit_match, &f);
		if (rc != PHN_OK) {
			/* The region and leniency were checked: what is left is the line. */
			cli_error("find: %s %lu skipped: %s", in.from_stdin ? "line" : "argument",
				  f.line, phn_error_last());
			skipped = 1;
		}
		if (ferror(stdout))
			break;
	}
	cli_inputs_dispose(&in);
	if (cli_stdout_flush() != 0)
		return PHN_EXIT_WRITE;
	if (r < 0) {
		cli_error("find: reading standard input failed");
		return PHN_EXIT_USAGE;
	}
	if (skipped)
		return PHN_EXIT_USAGE;
	return f.found ? PHN_EXIT_OK : PHN_EXIT_NEGATIVE;
}

/* ---- example ------------------------------------------------------------- */

static const char example_help[] =
	"usage: phonenorm example -c REGION [--json] [TYPE]\n"
	"       phonenorm example --non-geo CODE [--json]\n"
	"\n"
	"Print the metadata's example number of a type for a region, or of every\n"
	"type the region has one for when TYPE is not given (fixed_line_or_mobile,\n"
	"which libphonenumber answers with the fixed_line example, only when asked\n"
	"for), one line each:\n"
	"  TYPE<TAB>E164<TAB>INTERNATIONAL<TAB>NATIONAL\n"
	"TYPE is the type asked for; the example's own classification can be wider\n"
	"(a US fixed_line example is a fixed_line_or_mobile number). --non-geo\n"
	"prints the example of a non-geographic calling code (800, 882, ...; see\n"
	"'phonenorm regions'), TYPE being its own type. --json writes one JSON\n"
	"object per line: region, type, e164, international, national, status,\n"
	"number_type, country_code, national_number, extension.\n"
	"\n"
	"Types: fixed_line, mobile, fixed_line_or_mobile, toll_free, premium_rate,\n"
	"shared_cost, voip, personal_number, pager, uan, voicemail.\n"
	"\n"
	"Options:\n"
	"  -c, --region REGION  ISO 3166-1 alpha-2 region (SA, us, ...)\n"
	"      --non-geo CODE   a non-geographic calling code instead of a region\n"
	"      --json           one JSON object per line instead of text\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 printed, 1 the region has no example of TYPE, 2 usage error\n"
	"(unknown region, type or non-geographic code), 3 standard output could not\n"
	"be written.\n";

static const struct option example_options[] = {
	{ "region", required_argument, NULL, 'c' },
	{ "non-geo", required_argument, NULL, OPT_NON_GEO },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_example(const char *type_name, const phn_number *n, int json)
{
	char intl[64] = "", national[64] = "";

	phn_number_format(intl, sizeof intl, NULL, n, PHN_FORMAT_INTERNATIONAL);
	phn_number_format(national, sizeof national, NULL, n, PHN_FORMAT_NATIONAL);
	if (json) {
		fputs("{\"type\":", stdout);
		cli_json_string(stdout, type_name);
		fputs(",\"international\":", stdout);
		cli_json_string(stdout, intl);
		fputs(",\"national\":", stdout);
		cli_json_string(stdout, national);
		fputc(',', stdout);
		json_number(stdout, n);
		fputs("}\n", stdout);
	} else {
		printf("%s\t%s\t", type_name, n->e164);
		cli_escape(stdout, intl);
		fputc('\t', stdout);
		cli_escape(stdout, national);
		fputc('\n', stdout);
	}
}

/* A decimal calling code: 1 to 3 digits. */
static int parse_code(int *out, const char *s)
{
	char *end;
	long v;

	if (!s[0] || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
		return -1;
	v = strtol(s, &end, 10);
	*out = (int)v;
	return v > 0 ? 0 : -1;
}

int cli_cmd_example(int argc, char **argv)
{
	const char *region = NULL, *non_geo = NULL;
	phn_type type = PHN_TYPE_UNKNOWN;
	phn_number n = PHN_NUMBER_INIT;
	int c, rc, json = 0, have_type = 0, printed = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", example_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(example_help, stdout);
			return PHN_EXIT_OK;
		case 'c': region = optarg; break;
		case OPT_NON_GEO: non_geo = optarg; break;
		case OPT_JSON: json = 1; break;
		case ':':
			return cli_usage_error("example", "option '%s' needs an argument",
					       argv[optind - 1]);
		default:
			return cli_usage_error("example", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("example", "one TYPE at most ('%s' is extra)", argv[optind + 1]);
	if (argc - optind == 1) {
		if (phn_type_from_name(&type, argv[optind]) != PHN_OK || type == PHN_TYPE_UNKNOWN)
			return cli_usage_error("example", "unknown number type '%s' (use fixed_line, "
					       "mobile, toll_free, ...; see --help)", argv[optind]);
		have_type = 1;
	}

	if (non_geo) {
		int code;

		if (region || have_type)
			return cli_usage_error("example", "--non-geo takes neither -c nor a TYPE");
		rc = parse_code(&code, non_geo) != 0 ? PHN_ENOTFOUND
						      : phn_number_example_non_geo(&n, code);
		if (rc == PHN_ENOTFOUND || rc == PHN_EINVAL)
			return cli_usage_error("example", "'%s' is not a non-geographic calling code "
					       "(see 'phonenorm regions')", non_geo);
		if (rc != PHN_OK) {
			cli_error("example: %s", phn_error_last());
			return PHN_EXIT_USAGE;
		}
		print_example(phn_type_name(n.type), &n, json);
		return cli_stdout_flush() != 0 ? PHN_EXIT_WRITE : PHN_EXIT_OK;
	}

	if (!region || !region[0])
		return cli_usage_error("example", "-c REGION (or --non-geo CODE) is required");
	if (cli_check_region("example", region) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	for (int t = PHN_TYPE_FIXED_LINE; t <= PHN_TYPE_VOICEMAIL; t++) {

		if (have_type && t != (int)type)
			continue;
		/* libphonenumber answers fixed_line_or_mobile with the fixed-line
		 * example: listing it again says nothing. Asked for, it is shown. */
		if (!have_type && t == PHN_TYPE_FIXED_LINE_OR_MOBILE)
			continue;
		rc = phn_number_example(&n, region, (phn_type)t);
		if (rc == PHN_ENOTFOUND)
			continue;
		if (rc != PHN_OK) {
			cli_error("example: %s", phn_error_last());
			return PHN_EXIT_USAGE;
		}
		print_example(phn_type_name((phn_type)t), &n, json);
		printed++;
	}
	if (cli_stdout_flush() != 0)
		return PHN_EXIT_WRITE;
	if (!printed) {
		char upper[3];

		phn_region_canonical(upper, region);
		if (have_type)
			cli_error("example: %s has no %s example number", upper, phn_type_name(type));
		else
			cli_error("example: %s has no example numbers", upper);
		return PHN_EXIT_NEGATIVE;
	}
	return PHN_EXIT_OK;
}

/* ---- regions ------------------------------------------------------------- */

static const char regions_help[] =
	"usage: phonenorm regions [--json]\n"
	"\n"
	"List the regions the metadata knows with their country calling codes, one\n"
	"per line, sorted by region:\n"
	"  REGION<TAB>CODE\n"
	"then the non-geographic calling codes (+800, +882, ...) as region 001.\n"
	"--json writes one JSON object per line: {\"region\":\"SA\",\"country_code\":966}.\n"
	"\n"
	"Options:\n"
	"      --json  one JSON object per line instead of text\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 printed, 2 usage error, 3 standard output could not be\n"
	"written.\n";

static const struct option regions_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_region(const char *region, int code, int json)
{
	if (json)
		printf("{\"region\":\"%s\",\"country_code\":%d}\n", region, code);
	else
		printf("%s\t%d\n", region, code);
}

int cli_cmd_regions(int argc, char **argv)
{
	const char *const *regions;
	const int *codes;
	size_t nregions, ncodes;
	int c, json = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", regions_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(regions_help, stdout);
			return PHN_EXIT_OK;
		case OPT_JSON: json = 1; break;
		default:
			return cli_usage_error("regions", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("regions", "no arguments expected ('%s')", argv[optind]);
	if (phn_region_list(&regions, &nregions) != PHN_OK ||
	    phn_non_geo_country_codes(&codes, &ncodes) != PHN_OK) {
		cli_error("regions: %s", phn_error_last());
		return PHN_EXIT_USAGE;
	}
	for (size_t i = 0; i < nregions && !ferror(stdout); i++)
		print_region(regions[i], phn_region_country_code(regions[i]), json);
	for (size_t i = 0; i < ncodes && !ferror(stdout); i++)
		print_region("001", codes[i], json);
	return cli_stdout_flush() != 0 ? PHN_EXIT_WRITE : PHN_EXIT_OK;
}
