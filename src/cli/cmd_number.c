/*
 * phonenorm validate | format | info: one number at a time.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "cli.h"

enum { OPT_JSON = 256, OPT_FROM, OPT_HELP, OPT_METADATA, OPT_FASTPATH };

/* What one input turned into, and which code answered. */
struct parsed {
	phn_number num;
	int bad_utf8;
	phn_parse_path path;
};

static void parse_one(struct parsed *p, const char *text, size_t len, const char *region)
{
	int rc;

	phn_number_init(&p->num, PHN_NUMBER_VERSION);
	p->bad_utf8 = 0;
	p->path = PHN_PATH_ENGINE;
	rc = phn_number_parse_traced(&p->num, text, len, region, &p->path);
	/* The region was checked up front, so the only per-input error is text
	 * that is not UTF-8: report it as what it is, not a number. */
	if (rc == PHN_EINVAL)
		p->bad_utf8 = 1;
	else if (rc != PHN_OK)
		cli_error("cannot parse: %s", phn_strerror(rc));
}

static const char *reason_of(const struct parsed *p)
{
	return p->bad_utf8 ? "not valid UTF-8 text" : phn_status_describe(p->num.status);
}

/* Writes the output for one input; ctx is the command's own state. */
typedef void (*emit_fn)(void *ctx, const char *text, size_t len, const struct parsed *p);

/*
 * The loop every number command shares: each input (operand or stdin line)
 * is parsed with region and handed to emit. Returns the command's exit code:
 * 0 when every number was valid, 1 when some was not, 2 on a read error,
 * 3 when standard output failed.
 */
static int for_each_number(const char *cmd, int argc, char **argv, const char *region,
			   emit_fn emit, void *ctx)
{
	cli_inputs in;
	struct parsed p;
	const char *text;
	size_t len;
	int r, all_valid = 1;

	cli_inputs_init(&in, argc, argv, optind);
	while ((r = cli_inputs_next(&in, &text, &len)) > 0) {
		parse_one(&p, text, len, region);
		if (p.num.status != PHN_STATUS_VALID)
			all_valid = 0;
		emit(ctx, text, len, &p);
		/* Output nobody receives is no reason to read on (yes | ... > /dev/full). */
		if (ferror(stdout))
			break;
	}
	cli_inputs_dispose(&in);
	if (cli_stdout_flush() != 0)
		return PHN_EXIT_WRITE;
	if (r < 0) {
		cli_error("%s: reading standard input failed", cmd);
		return PHN_EXIT_USAGE;
	}
	return all_valid ? PHN_EXIT_OK : PHN_EXIT_NEGATIVE;
}

/* The JSON members every command shares, without the braces. */
static void json_number_fields(FILE *out, const char *text, size_t len, const struct parsed *p)
{
	const phn_number *n = &p->num;

	fputs("\"input\":", out);
	cli_json_string_n(out, text, len);
	fprintf(out, ",\"status\":\"%s\",\"valid\":%s", phn_status_name(n->status),
		n->status == PHN_STATUS_VALID ? "true" : "false");
	if (n->status != PHN_STATUS_VALID) {
		fputs(",\"reason\":", out);
		cli_json_string(out, reason_of(p));
	}
	if (n->e164[0]) {
		fprintf(out, ",\"e164\":\"%s\",\"country_code\":%d,\"national_number\":\"", n->e164,
			n->country_code);
		for (int i = 0; i < n->leading_zeros; i++)
			fputc('0', out);
		fprintf(out, "%" PRIu64 "\"", n->national_number);
		fputs(",\"region\":", out);
		if (n->region[0])
			cli_json_string(out, n->region);
		else
			fputs("null", out);
		fputs(",\"extension\":", out);
		if (n->extension[0])
			cli_json_string(out, n->extension);
		else
			fputs("null", out);
	} else {
		fputs(",\"e164\":null", out);
	}
	fprintf(out, ",\"type\":\"%s\"", phn_type_name(n->type));
}

static const char validate_help[] =
	"usage: phonenorm validate [-c REGION] [--json] [NUMBER...]\n"
	"\n"
	"Check each number and print one line per number:\n"
	"  STATUS<TAB>E164<TAB>INPUT       (E164 is '-' when the text holds no number)\n"
	"Numbers come from the arguments, or from standard input one per line.\n"
	"INPUT is escaped so it stays one field on one line: backslash, tab, newline\n"
	"and carriage return as \\\\, \\t, \\n, \\r; other control characters and bytes\n"
	"that are not UTF-8 as \\xHH. --json output is exact.\n"
	"\n"
	"Options:\n"
	"  -c, --region REGION  ISO 3166-1 alpha-2 region for local numbers (SA, us, ...)\n"
	"      --json           one JSON object per line instead of text\n"
	"  -h, --help           show this help\n"
	"\n"
	"Statuses: valid, possible, local_only, not_a_number, invalid_country_code,\n"
	"too_short, too_long, invalid_length, needs_region.\n"
	"Exit status: 0 all valid, 1 some not valid, 2 usage or input error,\n"
	"3 standard output could not be written.\n";

static const struct option number_options[] = {
	{ "region", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, 'f' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "language", required_argument, NULL, 'l' },
	{ "metadata", no_argument, NULL, OPT_METADATA },
	{ "fastpath", no_argument, NULL, OPT_FASTPATH },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct number_opts {
	const char *region;
	const char *format;
	const char *from;
	const char *language;
	int json;
	int metadata; /* info --metadata */
	int fastpath; /* info --fastpath */
};

/* Shared option parsing; "allowed" lists the short letters the command takes. */
static int parse_number_options(struct number_opts *o, int argc, char **argv, const char *cmd,
				const char *help, const char *allowed, int *done)
{
	int c;

	memset(o, 0, sizeof *o);
	*done = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:f:l:h", number_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			*done = 1;
			return PHN_EXIT_OK;
		}
		if (c == ':')
			return cli_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		if (c == '?' || (c < 256 && !strchr(allowed, c)) ||
		    (c == OPT_FROM && !strchr(allowed, 'F')) ||
		    ((c == OPT_METADATA || c == OPT_FASTPATH) && !strchr(allowed, 'M')))
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		switch (c) {
		case 'c': o->region = optarg; break;
		case 'f': o->format = optarg; break;
		case 'l': o->language = optarg; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_METADATA: o->metadata = 1; break;
		case OPT_FASTPATH: o->fastpath = 1; break;
		default: break;
		}
	}
	if (cli_check_region(cmd, o->region) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	return PHN_EXIT_OK;
}

static void emit_validate(void *ctx, const char *text, size_t len, const struct parsed *p)
{
	const struct number_opts *o = ctx;

	if (o->json) {
		fputc('{', stdout);
		json_number_fields(stdout, text, len, p);
		fputs("}\n", stdout);
	} else {
		printf("%s\t%s\t", phn_status_name(p->num.status), p->num.e164[0] ? p->num.e164 : "-");
		cli_escape_n(stdout, text, len);
		fputc('\n', stdout);
	}
}

int cli_cmd_validate(int argc, char **argv)
{
	struct number_opts o;
	int rc, done;

	rc = parse_number_options(&o, argc, argv, "validate", validate_help, "c", &done);
	if (rc != PHN_EXIT_OK || done)
		return rc;
	return for_each_number("validate", argc, argv, o.region, emit_validate, &o);
}

static const char format_help[] =
	"usage: phonenorm format [-c REGION] [-f FORMAT] [--from REGION] [--json] [NUMBER...]\n"
	"\n"
	"Print each number in one format, one line per number. A number that is not\n"
	"valid or possible gives an empty line (so lines stay aligned with the input)\n"
	"and a diagnostic on standard error. Text output is escaped as validate's.\n"
	"\n"
	"Options:\n"
	"  -c, --region REGION  ISO 3166-1 alpha-2 region for local numbers\n"
	"  -f, --format FORMAT  e164 (default), intl, national, rfc3966, or dialout\n"
	"      --from REGION    with -f dialout: the region the number is dialled from\n"
	"      --json           one JSON object per line instead of text\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 all valid, 1 some not valid, 2 usage or input error,\n"
	"3 standard output could not be written.\n";

struct format_name {
	const char *name;
	int format; /* a phn_format, or -1 for dialout */
};

static const struct format_name format_names[] = {
	{ "e164", PHN_FORMAT_E164 },
	{ "intl", PHN_FORMAT_INTERNATIONAL },
	{ "international", PHN_FORMAT_INTERNATIONAL },
	{ "national", PHN_FORMAT_NATIONAL },
	{ "rfc3966", PHN_FORMAT_RFC3966 },
	{ "dialout", -1 },
};

/* Format into buf[cap]; 0 on success. */
static int format_number(char *buf, size_t cap, const phn_number *num, int format,
			 const char *from)
{
	if (format < 0)
		return phn_number_format_out_of_country(buf, cap, NULL, num, from);
	return phn_number_format(buf, cap, NULL, num, (phn_format)format);
}

struct format_ctx {
	const struct number_opts *o;
	int format;
};

static void emit_format(void *ctx, const char *text, size_t len, const struct parsed *p)
{
	const struct format_ctx *f = ctx;
	char buf[128];
	int ok;

	ok = (p->num.status == PHN_STATUS_VALID || p->num.status == PHN_STATUS_POSSIBLE) &&
	     format_number(buf, sizeof buf, &p->num, f->format, f->o->from) == PHN_OK;
	if (!ok) {
		buf[0] = '\0';
		fputs("phonenorm: format: ", stderr);
		cli_escape_n(stderr, text, len);
		fprintf(stderr, ": %s\n", reason_of(p));
	}
	if (f->o->json) {
		fputc('{', stdout);
		json_number_fields(stdout, text, len, p);
		fputs(",\"formatted\":", stdout);
		if (ok)
			cli_json_string(stdout, buf);
		else
			fputs("null", stdout);
		fputs("}\n", stdout);
	} else {
		cli_escape(stdout, buf);
		fputc('\n', stdout);
	}
}

int cli_cmd_format(int argc, char **argv)
{
	struct number_opts o;
	struct format_ctx f = { &o, -2 };
	int rc, done;

	rc = parse_number_options(&o, argc, argv, "format", format_help, "cfF", &done);
	if (rc != PHN_EXIT_OK || done)
		return rc;
	if (!o.format)
		o.format = "e164";
	for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
		if (strcmp(o.format, format_names[i].name) == 0)
			f.format = format_names[i].format;
	}
	if (f.format == -2)
		return cli_usage_error("format", "unknown format '%s' (use e164, intl, national, "
				       "rfc3966 or dialout)", o.format);
	if (f.format == -1 && (!o.from || !o.from[0]))
		return cli_usage_error("format", "-f dialout needs --from REGION");
	if (f.format != -1 && o.from)
		return cli_usage_error("format", "--from only goes with -f dialout");
	if (o.from && cli_check_region("format", o.from) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	return for_each_number("format", argc, argv, o.region, emit_format, &f);
}

static const char info_help[] =
	"usage: phonenorm info [-c REGION] [-l LANGUAGE] [--from REGION] [--json] [NUMBER...]\n"
	"       phonenorm info --metadata [--json]\n"
	"       phonenorm info --fastpath [--json]\n"
	"\n"
	"Print everything the library knows about each number: status, every format,\n"
	"country code, national number, region, type, extension, short-number and\n"
	"emergency facts, geographic description, the metadata version and which\n"
	"code parsed it (the compiled fast path or libphonenumber). The input is\n"
	"shown escaped as in validate.\n"
	"\n"
	"Options:\n"
	"  -c, --region REGION    ISO 3166-1 alpha-2 region the number was dialled in\n"
	"  -l, --language LANG    language of the description (en, ar, de, ...; default en)\n"
	"      --from REGION      also show how to dial the number from REGION\n"
	"      --json             one JSON object per number instead of text\n"
	"      --metadata         only the metadata that answers: requested and actual\n"
	"                         source for numbers, short numbers and alternate formats,\n"
	"                         upstream version, commit and date, libphonenumber\n"
	"                         version, and why it is not as requested (if so; then\n"
	"                         the exit status is 1). PHONENORM_METADATA=bundled|system\n"
	"                         chooses (default bundled).\n"
	"      --fastpath         only the compiled fast path: on or off and why, the\n"
	"                         libphonenumber version it was verified against, the\n"
	"                         territories it handles, and the time to compile them\n"
	"                         all (it compiles them to say; a run compiles only the\n"
	"                         ones it meets). PHONENORM_FASTPATH=0 turns it off.\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 all valid, 1 some not valid, 2 usage or input error,\n"
	"3 standard output could not be written.\n";

static const char *yes_no(int v)
{
	return v ? "yes" : "no";
}

/* "label" then value, escaped, and a newline. */
static void print_field(const char *label, const char *value)
{
	fputs(label, stdout);
	cli_escape(stdout, value);
	fputc('\n', stdout);
}

static const char *path_name(phn_parse_path path)
{
	switch (path) {
	case PHN_PATH_FAST: return "fast";
	case PHN_PATH_FALLBACK: return "fallback";
	default: return "engine";
	}
}

/* Which code parsed the number, and why libphonenumber when it did. */
static void print_path_text(const struct parsed *p)
{
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;

	if (p->bad_utf8)
		return;
	if (p->path == PHN_PATH_FAST) {
		puts("parsed by:       fast path (libphonenumber's metadata, compiled)");
	} else if (p->path == PHN_PATH_FALLBACK) {
		puts("parsed by:       libphonenumber (outside what the fast path handles)");
	} else {
		fputs("parsed by:       libphonenumber (fast path off", stdout);
		if (phn_fastpath_get_info(&fi) == PHN_OK && fi.reason[0]) {
			fputs(": ", stdout);
			cli_escape(stdout, fi.reason);
		}
		fputs(")\n", stdout);
	}
}

static void print_info_text(const char *text, size_t len, const struct parsed *p,
			    const phn_info *info, int have_info, const char *loc, const char *from)
{
	const phn_number *n = &p->num;
	char buf[128];

	fputs("input:           ", stdout);
	cli_escape_n(stdout, text, len);
	printf("\nstatus:          %s (%s)\n", phn_status_name(n->status), reason_of(p));
	if (n->e164[0]) {
		printf("e164:            %s\n", n->e164);
		if (format_number(buf, sizeof buf, n, PHN_FORMAT_INTERNATIONAL, NULL) == PHN_OK)
			print_field("international:   ", buf);
		if (format_number(buf, sizeof buf, n, PHN_FORMAT_NATIONAL, NULL) == PHN_OK)
			print_field("national:        ", buf);
		if (format_number(buf, sizeof buf, n, PHN_FORMAT_RFC3966, NULL) == PHN_OK)
			print_field("rfc3966:         ", buf);
		if (from && format_number(buf, sizeof buf, n, -1, from) == PHN_OK) {
			printf("dial from %-2s:    ", from);
			print_field("", buf);
		}
		printf("country code:    %d\n", n->country_code);
		printf("national number: %.*s%" PRIu64 "\n", n->leading_zeros, "0000000000",
		       n->national_number);
		printf("region:          %s\n", n->region[0] ? n->region : "-");
		printf("type:            %s\n", phn_type_name(n->type));
		print_field("extension:       ", n->extension[0] ? n->extension : "-");
		printf("key:             %" PRIu64 "\n", n->key);
	}
	if (have_info) {
		printf("short number:    %s\n", yes_no(info->is_short_number));
		if (info->is_short_number)
			printf("short cost:      %s\n", phn_short_cost_name(info->short_cost));
		printf("emergency:       %s\n", yes_no(info->is_emergency));
		printf("reaches emergency: %s\n", yes_no(info->connects_to_emergency));
		printf("geographic:      %s\n", yes_no(info->is_geographic));
		print_field("description:     ", loc[0] ? loc : "-");
	}
	{
		phn_metadata_info mi = PHN_METADATA_INFO_INIT;

		if (phn_metadata_get_info(&mi) == PHN_OK)
			printf("metadata:        %s %s (libphonenumber %s)\n", mi.upstream_version,
			       phn_metadata_source_name(mi.source), mi.engine_version);
	}
	print_path_text(p);
}

static void print_info_json(const char *text, size_t len, const struct parsed *p,
			    const phn_info *info, int have_info, const char *loc, const char *from)
{
	const phn_number *n = &p->num;
	static const struct { const char *key; int format; } forms[] = {
		{ "international", PHN_FORMAT_INTERNATIONAL },
		{ "national", PHN_FORMAT_NATIONAL },
		{ "rfc3966", PHN_FORMAT_RFC3966 },
	};
	char buf[128];

	fputc('{', stdout);
	json_number_fields(stdout, text, len, p);
	if (n->e164[0]) {
		for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
			if (format_number(buf, sizeof buf, n, forms[i].format, NULL) != PHN_OK)
				continue;
			printf(",\"%s\":", forms[i].key);
			cli_json_string(stdout, buf);
		}
		if (from && format_number(buf, sizeof buf, n, -1, from) == PHN_OK) {
			fputs(",\"dialout\":", stdout);
			cli_json_string(stdout, buf);
		}
		printf(",\"key\":\"%" PRIu64 "\"", n->key);
	}
	if (have_info) {
		printf(",\"short_number\":%s,\"emergency\":%s,\"connects_to_emergency\":%s",
		       info->is_short_number ? "true" : "false",
		       info->is_emergency ? "true" : "false",
		       info->connects_to_emergency ? "true" : "false");
		printf(",\"short_cost\":\"%s\",\"geographic\":%s,\"description\":",
		       phn_short_cost_name(info->short_cost), info->is_geographic ? "true" : "false");
		cli_json_string(stdout, loc);
	}
	{
		phn_metadata_info mi = PHN_METADATA_INFO_INIT;

		if (phn_metadata_get_info(&mi) == PHN_OK) {
			fputs(",\"metadata_version\":", stdout);
			cli_json_string(stdout, mi.upstream_version);
			fputs(",\"metadata_source\":", stdout);
			cli_json_string(stdout, phn_metadata_source_name(mi.source));
			fputs(",\"engine_version\":", stdout);
			cli_json_string(stdout, mi.engine_version);
		}
	}
	if (!p->bad_utf8)
		printf(",\"parse_path\":\"%s\"", path_name(p->path));
	fputs("}\n", stdout);
}

struct info_ctx {
	const struct number_opts *o;
	int count;
	char *loc; /* the geocoder's description, grown to fit */
	size_t loc_cap;
};

/* The geocoder's description of num, whole, in c->loc; "" when it fails. */
static const char *location_of(struct info_ctx *c, const phn_number *num)
{
	size_t needed = 0;
	int rc;

	for (;;) {
		rc = phn_number_location(c->loc, c->loc_cap, &needed, num, c->o->language);
		if (rc != PHN_EBUFS)
			break;
		char *p = realloc(c->loc, needed + 1);
		if (!p)
			break;
		c->loc = p;
		c->loc_cap = needed + 1;
	}
	return rc == PHN_OK ? c->loc : "";
}

static void emit_info(void *ctx, const char *text, size_t len, const struct parsed *p)
{
	struct info_ctx *c = ctx;
	phn_info info = PHN_INFO_INIT;
	const char *loc = "";
	int have_info;

	have_info = p->num.e164[0] && phn_number_info(&info, &p->num, c->o->region) == PHN_OK;
	if (have_info)
		loc = location_of(c, &p->num);
	if (c->o->json) {
		print_info_json(text, len, p, &info, have_info, loc, c->o->from);
	} else {
		if (c->count > 0)
			fputc('\n', stdout);
		print_info_text(text, len, p, &info, have_info, loc, c->o->from);
	}
	c->count++;
}

/* info --metadata: the whole phn_metadata_info. */
static int print_metadata(int json)
{
	phn_metadata_info mi = PHN_METADATA_INFO_INIT;

	if (phn_metadata_get_info(&mi) != PHN_OK) {
		cli_error("info: cannot tell which metadata answers: %s", phn_error_last());
		return PHN_EXIT_NEGATIVE;
	}
	if (json) {
		static const char *const keys[] = { "requested", "source", "short_source",
						    "alternate_source" };
		const phn_metadata_source v[] = { mi.requested, mi.source, mi.short_source,
						  mi.alternate_source };
		const char *const skeys[] = { "upstream_version", "upstream_commit",
					      "upstream_date", "engine_version", "reason" };
		const char *const sv[] = { mi.upstream_version, mi.upstream_commit,
					   mi.upstream_date, mi.engine_version, mi.reason };

		for (size_t i = 0; i < 4; i++) {
			printf("%s\"%s\":", i ? "," : "{", keys[i]);
			cli_json_string(stdout, phn_metadata_source_name(v[i]));
		}
		printf(",\"as_requested\":%s", mi.as_requested ? "true" : "false");
		for (size_t i = 0; i < 5; i++) {
			printf(",\"%s\":", skeys[i]);
			cli_json_string(stdout, sv[i]);
		}
		fputs("}\n", stdout);
	} else {
		printf("requested:         %s\n", phn_metadata_source_name(mi.requested));
		printf("numbers:           %s\n", phn_metadata_source_name(mi.source));
		printf("short numbers:     %s\n", phn_metadata_source_name(mi.short_source));
		printf("alternate formats: %s\n", phn_metadata_source_name(mi.alternate_source));
		printf("as requested:      %s\n", yes_no(mi.as_requested));
		printf("upstream version:  %s\n", mi.upstream_version);
		printf("upstream commit:   %s\n", mi.upstream_commit[0] ? mi.upstream_commit : "-");
		printf("upstream date:     %s\n", mi.upstream_date[0] ? mi.upstream_date : "-");
		printf("libphonenumber:    %s\n", mi.engine_version);
		print_field("reason:            ", mi.reason[0] ? mi.reason : "-");
	}
	return mi.as_requested ? PHN_EXIT_OK : PHN_EXIT_NEGATIVE;
}

/* info --fastpath: the whole phn_fastpath_info, after compiling every
 * territory (so that the figures say what that costs here). */
static int print_fastpath(int json)
{
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;
	int rc = phn_fastpath_compile_all();

	if (rc != PHN_OK || phn_fastpath_get_info(&fi) != PHN_OK) {
		cli_error("info: cannot tell the fast path's state: %s", phn_error_last());
		return PHN_EXIT_NEGATIVE;
	}
	if (json) {
		printf("{\"enabled\":%s,\"reason\":", fi.enabled ? "true" : "false");
		cli_json_string(stdout, fi.reason);
		fputs(",\"verified_engine\":", stdout);
		cli_json_string(stdout, fi.verified_engine);
		printf(",\"territories\":%d,\"territories_handled\":%d,"
		       "\"territories_compiled\":%d,\"compile_seconds\":%.6f}\n", fi.territories,
		       fi.territories_handled, fi.territories_compiled, fi.compile_seconds);
	} else {
		printf("fast path:           %s\n", fi.enabled ? "on" : "off");
		print_field("reason:              ", fi.reason[0] ? fi.reason : "-");
		print_field("verified against:    libphonenumber ", fi.verified_engine);
		printf("territories:         %d\n", fi.territories);
		printf("handled as region:   %d (the others fall back)\n", fi.territories_handled);
		printf("compiled:            %d in %.3f s\n", fi.territories_compiled,
		       fi.compile_seconds);
	}
	return PHN_EXIT_OK;
}

int cli_cmd_info(int argc, char **argv)
{
	struct number_opts o;
	struct info_ctx c = { &o, 0, NULL, 0 };
	int rc, done;

	rc = parse_number_options(&o, argc, argv, "info", info_help, "clFM", &done);
	if (rc != PHN_EXIT_OK || done)
		return rc;
	if (o.metadata || o.fastpath) {
		if (optind < argc || o.region || o.language || o.from || (o.metadata && o.fastpath))
			return cli_usage_error("info", "%s takes no numbers and no other "
					       "option than --json",
					       o.metadata ? "--metadata" : "--fastpath");
		return o.metadata ? print_metadata(o.json) : print_fastpath(o.json);
	}
	if (o.from && cli_check_region("info", o.from) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	if (o.language) {
		/* Check the language once, on a number that surely has a description. */
		phn_number probe = PHN_NUMBER_INIT;
		size_t needed;

		phn_number_parse(&probe, "+12025550110", NULL);
		if (phn_number_location(NULL, 0, &needed, &probe, o.language) == PHN_EINVAL)
			return cli_usage_error("info", "invalid language '%s' (expected a code "
					       "such as en, ar or de)", o.language);
	}
	rc = for_each_number("info", argc, argv, o.region, emit_info, &c);
	free(c.loc);
	return rc;
}
