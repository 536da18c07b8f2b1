/*
 * phonenorm call | contact create | invoice create: one request to the AI
 * call API through the public dispatch API. This file only does options and
 * output; the library validates, normalizes, sends and keeps the token.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "cli.h"

/* Exit codes beyond cli.h's 0/1/2, shared by the three commands. */
#define EXIT_NOT_SENT 3  /* never reached the API: safe to run again */
#define EXIT_AMBIGUOUS 4 /* went out, no clear answer: the call may have been placed */
#define EXIT_THROTTLED 5 /* 429/503: run again after Retry-After */

#define COMMON_HELP \
	"Connection:\n" \
	"      --api-url URL          API base (default: $PHONENORM_API_URL, else\n" \
	"                             " PHN_DISPATCH_DEFAULT_URL ")\n" \
	"      --token-file PATH      read the bearer token from the first line of PATH\n" \
	"                             (default: $PHONENORM_API_TOKEN, then the file named\n" \
	"                             by $PHONENORM_API_TOKEN_FILE); there is no option\n" \
	"                             that takes the token itself\n" \
	"      --timeout SECONDS      give up on the request after this long (default 30)\n" \
	"\n" \
	"Output:\n" \
	"  -n, --dry-run              validate and print the request (token masked);\n" \
	"                             send nothing; needs no token\n" \
	"      --json                 print the result (or the dry-run request) as JSON\n" \
	"  -v, --verbose              trace the HTTP exchange on standard error (the\n" \
	"                             Authorization header shows as 'Bearer ****')\n" \
	"  -h, --help                 show this help\n" \
	"\n" \
	"Result: one line OUTCOME<TAB>HTTP_STATUS<TAB>ID<TAB>SUMMARY on standard output,\n" \
	"where OUTCOME is accepted, rejected, auth_failed, not_found, throttled,\n" \
	"ambiguous or not_sent, and ID is the callId (calls) or uuid (contacts,\n" \
	"invoices), '-' when there is none. Text from the server or the request is\n" \
	"escaped there and on standard error: backslash, tab, newline and carriage\n" \
	"return as \\\\, \\t, \\n, \\r; other control characters and bytes that are\n" \
	"not UTF-8 as \\xHH. --json output is exact.\n" \
	"\n" \
	"Exit status: 0 accepted; 1 the API said no (rejected, auth_failed, not_found);\n" \
	"2 usage error or a request refused locally (nothing was sent); 3 not sent\n" \
	"(connection refused, DNS, TLS: safe to run again); 4 ambiguous (5xx, a 1xx\n" \
	"with no final answer, a 3xx (redirects are never followed), timeout or\n" \
	"connection lost after sending: the call may have been placed, check before\n" \
	"running again); 5 throttled (429/503: run again after Retry-After);\n" \
	"6 the result could not be written to standard output: it is printed on\n" \
	"standard error instead (the request may have been sent: read it there).\n"

static const char call_help[] =
	"usage: phonenorm call [OPTIONS] NUMBER\n"
	"\n"
	"Trigger one AI phone call to NUMBER (POST /ai/phone-calls/action/call).\n"
	"NUMBER is normalized first and sent as E.164; a number that is not valid is\n"
	"refused before anything is sent. Only the fields you give are sent; the\n"
	"API's defaults apply to the rest.\n"
	"\n"
	"Request:\n"
	"  -c, --region REGION        read NUMBER in this region and send it as\n"
	"                             countryCode (ISO 3166-1 alpha-2, e.g. SA) when it\n"
	"                             is the number's region; a number of another\n"
	"                             country (-c SA \"+1 202...\") is refused\n"
	"      --allow-possible       also send a number that is only possible (right\n"
	"                             length, range not known to be assigned)\n"
	"      --first-name NAME      firstName\n"
	"      --last-name NAME       lastName\n"
	"      --email EMAIL          email\n"
	"      --contact-uuid UUID    contactUuid: link the call to this contact\n"
	"      --template UUID        aiSettingsTemplateId\n"
	"      --tag KEY=VALUE        a promptTags entry (repeatable; values are strings)\n"
	"      --tags-json JSON       promptTags as a JSON object of strings\n"
	"      --meta KEY=VALUE       a metadata entry (repeatable; string values)\n"
	"      --meta-json JSON       metadata as any JSON object\n"
	"      --update-existing      updateExisting true (--no-update-existing: false)\n"
	"      --no-create            createIfNotExists false: 404 when no contact has\n"
	"                             this number (--create: true)\n"
	"\n"
	COMMON_HELP;

static const char contact_help[] =
	"usage: phonenorm contact create [OPTIONS] --phone NUMBER\n"
	"\n"
	"Create a contact (POST /contact) and print its uuid. With 'phonenorm invoice\n"
	"create' and 'phonenorm call --contact-uuid', this is the documented\n"
	"\"Call to Number\" flow.\n"
	"\n"
	"Request:\n"
	"      --name NAME            name (\"John Doe\")\n"
	"      --phone NUMBER         phoneNumber, normalized and sent as E.164\n"
	"  -c, --region REGION        region to read a local --phone in (not sent)\n"
	"      --allow-possible       also send a number that is only possible\n"
	"      --email EMAIL          email\n"
	"      --role ROLE            role (the documented flow uses PRIMARY)\n"
	"\n"
	COMMON_HELP;

static const char invoice_help[] =
	"usage: phonenorm invoice create [OPTIONS] --contact-uuid UUID --date YYYY-MM-DD\n"
	"\n"
	"Create an invoice for a contact (POST /invoice) and print its uuid.\n"
	"\n"
	"Request:\n"
	"      --contact-uuid UUID    contactUuid, the contact the invoice belongs to\n"
	"      --date YYYY-MM-DD      invoice date: today (UTC) or earlier\n"
	"      --due-date YYYY-MM-DD  dueDate\n"
	"      --number TEXT          invoice number (\"1\")\n"
	"      --total AMOUNT         total, a decimal number (100.0), sent as a number\n"
	"\n"
	COMMON_HELP;

enum {
	OPT_JSON = 256, OPT_API_URL, OPT_TOKEN_FILE, OPT_TIMEOUT, OPT_FIRST_NAME, OPT_LAST_NAME,
	OPT_EMAIL, OPT_CONTACT_UUID, OPT_TEMPLATE, OPT_TAG, OPT_TAGS_JSON, OPT_META, OPT_META_JSON,
	OPT_UPDATE, OPT_NO_UPDATE, OPT_CREATE, OPT_NO_CREATE, OPT_NAME, OPT_PHONE, OPT_ROLE,
	OPT_DATE, OPT_DUE_DATE, OPT_NUMBER, OPT_TOTAL, OPT_ALLOW_POSSIBLE
};

#define COMMON_OPTIONS \
	{ "api-url", required_argument, NULL, OPT_API_URL }, \
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "dry-run", no_argument, NULL, 'n' }, \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }

static const struct option call_options[] = {
	{ "region", required_argument, NULL, 'c' },
	{ "first-name", required_argument, NULL, OPT_FIRST_NAME },
	{ "last-name", required_argument, NULL, OPT_LAST_NAME },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "contact-uuid", required_argument, NULL, OPT_CONTACT_UUID },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "tags-json", required_argument, NULL, OPT_TAGS_JSON },
	{ "meta", required_argument, NULL, OPT_META },
	{ "meta-json", required_argument, NULL, OPT_META_JSON },
	{ "update-existing", no_argument, NULL, OPT_UPDATE },
	{ "no-update-existing", no_argument, NULL, OPT_NO_UPDATE },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "no-create", no_argument, NULL, OPT_NO_CREATE },
	{ "allow-possible", no_argument, NULL, OPT_ALLOW_POSSIBLE },
	COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const struct option contact_options[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "region", required_argument, NULL, 'c' },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "allow-possible", no_argument, NULL, OPT_ALLOW_POSSIBLE },
	COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static const struct option invoice_options[] = {
	{ "contact-uuid", required_argument, NULL, OPT_CONTACT_UUID },
	{ "date", required_argument, NULL, OPT_DATE },
	{ "due-date", required_argument, NULL, OPT_DUE_DATE },
	{ "number", required_argument, NULL, OPT_NUMBER },
	{ "total", required_argument, NULL, OPT_TOTAL },
	COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Everything the three commands may be given. */
struct args {
	const char *cmd; /* "call", "contact create", "invoice create" */
	const char *api_url;
	const char *token_file;
	int64_t timeout_ms;
	int dry_run;
	int json;
	int verbose;
	char region[3];
	int has_region;
	phn_dispatch_call call;
	phn_dispatch_contact contact;
	phn_dispatch_invoice invoice;
	phn_dispatch_kv *tags;
	phn_dispatch_kv *meta;
};

/* "phonenorm call: ..." on standard error. */
static void cmd_error(const struct args *a, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void cmd_error(const struct args *a, const char *fmt, ...)
{
	va_list ap;

	/* Messages quote the request and the server: escaped, like all text. */
	fprintf(stderr, "phonenorm %s: ", a->cmd);
	va_start(ap, fmt);
	cli_escape_vprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void args_dispose(struct args *a)
{
	free(a->tags);
	free(a->meta);
}

/* Append "KEY=VALUE" (split in place at the first '=') to a pair array. */
static int add_pair(struct args *a, phn_dispatch_kv **arr, size_t *count, char *arg,
		    const char *opt)
{
	char *eq = strchr(arg, '=');
	phn_dispatch_kv *p;

	if (!eq)
		return cli_usage_error(a->cmd, "%s takes KEY=VALUE, got '%s'", opt, arg);
	if ((p = realloc(*arr, (*count + 1) * sizeof(*p))) == NULL) {
		cmd_error(a, "out of memory");
		return PHN_EXIT_USAGE;
	}
	*eq = '\0';
	p[*count].key = arg;
	p[*count].value = eq + 1;
	*arr = p;
	(*count)++;
	return PHN_EXIT_OK;
}

static int parse_timeout(struct args *a, const char *s)
{
	char *end;
	double secs = strtod(s, &end);

	if (end == s || *end || !(secs > 0) || secs > 86400)
		return cli_usage_error(a->cmd, "--timeout takes seconds, e.g. 10 or 2.5; got '%s'", s);
	a->timeout_ms = (int64_t)(secs * 1000 + 0.5);
	if (a->timeout_ms < 1)
		a->timeout_ms = 1;
	return PHN_EXIT_OK;
}

static int set_region(struct args *a, const char *region)
{
	if (cli_check_region(a->cmd, region) != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	/* The API wants capitals; -c sa is the user's shorthand for SA. */
	if (phn_region_canonical(a->region, region) != PHN_OK)
		return cli_usage_error(a->cmd, "unknown region '%s'", region);
	a->has_region = 1;
	return PHN_EXIT_OK;
}

/* What getopt_long could not match. Name the option, not its value:
 * "--tok=SECRET" must not echo. */
static int bad_option(const struct args *a, int c, const char *arg)
{
	char shortopt[3] = { '-', '\0', '\0' };

	/* For a short option inside a cluster getopt has not moved past the
	 * cluster, so arg may be the argument before it (a token file's path):
	 * name the option from optopt instead. optopt is 0 for long options. */
	if ((c == '?' || c == ':') && optopt != 0) {
		if (optopt < 0x21 || optopt > 0x7e)
			return cli_usage_error(a->cmd, "unknown option character");
		shortopt[1] = (char)optopt;
		arg = shortopt;
	}
	if (c == ':')
		return cli_usage_error(a->cmd, "option '%s' needs an argument", arg);
	if (c == '?')
		return cli_usage_error(a->cmd, "unknown or ambiguous option '%.*s'",
				       (int)strcspn(arg, "="), arg);
	return cli_usage_error(a->cmd, "unknown option '%s'", arg);
}

/* Connection and output options shared by the three commands; 1 if c is one. */
static int common_option(struct args *a, int c)
{
	switch (c) {
	case OPT_API_URL: a->api_url = optarg; return 1;
	case OPT_TOKEN_FILE: a->token_file = optarg; return 1;
	case 'n': a->dry_run = 1; return 1;
	case OPT_JSON: a->json = 1; return 1;
	case 'v': a->verbose = 1; return 1;
	default: return 0;
	}
}

/* A request field given as text; 1 if c is one. */
static int field_option(struct args *a, int c)
{
	switch (c) {
	case OPT_FIRST_NAME: a->call.first_name = optarg; return 1;
	case OPT_LAST_NAME: a->call.last_name = optarg; return 1;
	case OPT_EMAIL: a->call.email = a->contact.email = optarg; return 1;
	case OPT_CONTACT_UUID: a->call.contact_uuid = a->invoice.contact_uuid = optarg; return 1;
	case OPT_TEMPLATE: a->call.template_id = optarg; return 1;
	case OPT_UPDATE: a->call.update_existing = PHN_DISPATCH_TRUE; return 1;
	case OPT_NO_UPDATE: a->call.update_existing = PHN_DISPATCH_FALSE; return 1;
	case OPT_CREATE: a->call.create_if_not_exists = PHN_DISPATCH_TRUE; return 1;
	case OPT_NO_CREATE: a->call.create_if_not_exists = PHN_DISPATCH_FALSE; return 1;
	case OPT_NAME: a->contact.name = optarg; return 1;
	case OPT_PHONE: a->contact.phone_number = optarg; return 1;
	case OPT_ROLE: a->contact.role = optarg; return 1;
	case OPT_DATE: a->invoice.date = optarg; return 1;
	case OPT_DUE_DATE: a->invoice.due_date = optarg; return 1;
	case OPT_NUMBER: a->invoice.number = optarg; return 1;
	case OPT_TOTAL: a->invoice.total = optarg; return 1;
	case OPT_ALLOW_POSSIBLE:
		a->call.flags |= PHN_DISPATCH_ALLOW_POSSIBLE;
		a->contact.flags |= PHN_DISPATCH_ALLOW_POSSIBLE;
		return 1;
	default: return 0;
	}
}

/* --tag/--tags-json and --meta/--meta-json: pairs or a JSON object, not both. */
static int object_option(struct args *a, int c)
{
	phn_dispatch_call *call = &a->call;

	switch (c) {
	case OPT_TAG:
		if (call->prompt_tags_json)
			return cli_usage_error(a->cmd, "--tag and --tags-json cannot be combined");
		if (add_pair(a, &a->tags, &call->prompt_tags_count, optarg, "--tag") != PHN_EXIT_OK)
			return PHN_EXIT_USAGE;
		call->prompt_tags = a->tags;
		return PHN_EXIT_OK;
	case OPT_TAGS_JSON:
		if (a->tags)
			return cli_usage_error(a->cmd, "--tag and --tags-json cannot be combined");
		call->prompt_tags_json = optarg;
		return PHN_EXIT_OK;
	case OPT_META:
		if (call->metadata_json)
			return cli_usage_error(a->cmd, "--meta and --meta-json cannot be combined");
		if (add_pair(a, &a->meta, &call->metadata_count, optarg, "--meta") != PHN_EXIT_OK)
			return PHN_EXIT_USAGE;
		call->metadata = a->meta;
		return PHN_EXIT_OK;
	default: /* OPT_META_JSON */
		if (a->meta)
			return cli_usage_error(a->cmd, "--meta and --meta-json cannot be combined");
		call->metadata_json = optarg;
		return PHN_EXIT_OK;
	}
}

/* One option getopt_long returned (not -h). */
static int apply_option(struct args *a, int c, const struct option *opts, char **argv)
{
	switch (c) {
	case ':':
	case '?':
		return bad_option(a, c, argv[optind - 1]);
	case OPT_TIMEOUT:
		return parse_timeout(a, optarg);
	case 'c':
		if (opts == invoice_options)
			return cli_usage_error(a->cmd, "unknown option '-c'");
		return set_region(a, optarg);
	case OPT_TAG:
	case OPT_TAGS_JSON:
	case OPT_META:
	case OPT_META_JSON:
		return object_option(a, c);
	default:
		if (common_option(a, c) || field_option(a, c))
			return PHN_EXIT_OK;
		return bad_option(a, c, argv[optind - 1]);
	}
}

/* Parse a command's options into *a; *done is 1 when --help was printed. */
static int parse(struct args *a, int argc, char **argv, const struct option *opts,
		 const char *help, int *done)
{
	int c, rc;

	*done = 0;
	opterr = 0;
	optind = 1;
	if ((rc = cli_refuse_abbreviations(a->cmd, argc, argv, opts, "c:")) != PHN_EXIT_OK)
		return rc;
	while ((c = getopt_long(argc, argv, ":c:nvh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			*done = 1;
			return PHN_EXIT_OK;
		}
		if ((rc = apply_option(a, c, opts, argv)) != PHN_EXIT_OK)
			return rc;
	}
	if (a->has_region) {
		a->call.country_code = a->region;
		a->contact.country_code = a->region;
	}
	return PHN_EXIT_OK;
}

static void on_trace(const char *line, void *payload)
{
	(void)payload;
	cli_escape(stderr, line); /* server headers, as they came */
	fputc('\n', stderr);
}

/* The CLI's policy, not the library's: PHONENORM_API_* fill what the options leave out. */
static int open_client(phn_dispatch **d, const struct args *a)
{
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;

	o.base_url = a->api_url;
	o.token_file = a->token_file;
	o.flags = PHN_DISPATCH_USE_ENV;
	o.timeout_ms = a->timeout_ms;
	if (a->verbose)
		o.trace = on_trace;
	if (phn_dispatch_new(d, &o) != PHN_OK) {
		cmd_error(a, "%s", phn_error_last());
		return PHN_EXIT_USAGE;
	}
	return PHN_EXIT_OK;
}

static int exit_for(phn_dispatch_outcome outcome)
{
	switch (outcome) {
	case PHN_DISPATCH_ACCEPTED: return PHN_EXIT_OK;
	case PHN_DISPATCH_REJECTED:
	case PHN_DISPATCH_AUTH_FAILED:
	case PHN_DISPATCH_NOT_FOUND: return PHN_EXIT_NEGATIVE;
	case PHN_DISPATCH_NOT_SENT: return EXIT_NOT_SENT;
	case PHN_DISPATCH_THROTTLED: return EXIT_THROTTLED;
	case PHN_DISPATCH_AMBIGUOUS: return EXIT_AMBIGUOUS;
	}
	return EXIT_AMBIGUOUS;
}

/* Validate the request with the library and get what it would send. */
static int describe(phn_dispatch_request **req, phn_dispatch *d, const struct args *a,
		    phn_dispatch_kind kind)
{
	switch (kind) {
	case PHN_DISPATCH_KIND_CONTACT: return phn_dispatch_describe_contact(req, d, &a->contact);
	case PHN_DISPATCH_KIND_INVOICE: return phn_dispatch_describe_invoice(req, d, &a->invoice);
	default: return phn_dispatch_describe_call(req, d, &a->call);
	}
}

static int send_request(phn_dispatch_result **res, phn_dispatch *d, const struct args *a,
			phn_dispatch_kind kind)
{
	switch (kind) {
	case PHN_DISPATCH_KIND_CONTACT: return phn_dispatch_send_contact(res, d, &a->contact);
	case PHN_DISPATCH_KIND_INVOICE: return phn_dispatch_send_invoice(res, d, &a->invoice);
	default: return phn_dispatch_send_call(res, d, &a->call);
	}
}

/* --dry-run: print the library's description of the request; send nothing. */
static int dry_run(phn_dispatch *d, const struct args *a, phn_dispatch_kind kind)
{
	phn_dispatch_request *req;

	if (describe(&req, d, a, kind) != PHN_OK) {
		cmd_error(a, "%s", phn_error_last());
		return PHN_EXIT_USAGE;
	}
	if (a->json) {
		fputs("{\"dry_run\":true,", stdout);
		cli_request_json_fields(stdout, req);
		fputs("}\n", stdout);
	} else {
		cli_request_text(stdout, req, "", 1);
	}
	phn_dispatch_request_free(req);
	return PHN_EXIT_OK;
}

static void json_member(FILE *out, const char *name, const char *value, int *first)
{
	fprintf(out, "%s\"%s\":", *first ? "" : ",", name);
	*first = 0;
	if (value)
		cli_json_string(out, value);
	else
		fputs("null", out);
}

static void print_detail_json(FILE *out, const phn_dispatch_detail *x)
{
	size_t j;

	fputs("{\"loc\":[", out);
	for (j = 0; j < x->loc_count; j++) {
		if (j)
			fputc(',', out);
		cli_json_string(out, x->loc_parts[j]);
	}
	fputs("],\"msg\":", out);
	cli_json_string(out, x->msg);
	fputs(",\"type\":", out);
	cli_json_string(out, x->type);
	fputc('}', out);
}

static void print_json(FILE *out, const phn_dispatch_result *r)
{
	int first = 1;
	size_t i;

	fputc('{', out);
	json_member(out, "outcome", phn_dispatch_outcome_name(r->outcome), &first);
	json_member(out, "kind", phn_dispatch_kind_name(r->kind), &first);
	fprintf(out, ",\"http_status\":%d", r->http_status);
	json_member(out, "number", r->number, &first);
	json_member(out, "call_id", r->call_id, &first);
	json_member(out, "status", r->status, &first);
	json_member(out, "contact_uuid", r->contact_uuid, &first);
	json_member(out, "uuid", r->uuid, &first);
	json_member(out, "message", r->message, &first);
	fputs(",\"details\":[", out);
	for (i = 0; i < r->details_count; i++) {
		if (i)
			fputc(',', out);
		print_detail_json(out, phn_dispatch_result_detail(r, i));
	}
	fputc(']', out);
	json_member(out, "retry_after", r->retry_after, &first);
	fprintf(out, ",\"retry_after_seconds\":%" PRId64, r->retry_after_seconds);
	json_member(out, "error", r->error, &first);
	fprintf(out, ",\"elapsed_ms\":%" PRId64 ",\"body\":", r->elapsed_ms);
	cli_json_string_n(out, r->body, r->body_len);
	fprintf(out, ",\"body_truncated\":%s}\n", r->body_truncated ? "true" : "false");
}

/* OUTCOME<TAB>HTTP_STATUS<TAB>ID<TAB>SUMMARY: what the server said is
 * escaped, so it can neither add a field or a line nor drive the terminal. */
static void print_line(FILE *out, const phn_dispatch_result *r)
{
	const char *id = r->call_id ? r->call_id : r->uuid ? r->uuid : "-";

	fprintf(out, "%s\t%d\t", phn_dispatch_outcome_name(r->outcome), r->http_status);
	cli_escape(out, id);
	fputc('\t', out);
	cli_escape(out, r->error);
	fputc('\n', out);
}

static void print_result(FILE *out, const struct args *a, const phn_dispatch_result *r)
{
	if (a->json)
		print_json(out, r);
	else
		print_line(out, r);
}

/* After a text result: why it was not accepted, on standard error. */
static void print_diagnostics(const struct args *a, const phn_dispatch_result *r)
{
	size_t i;

	if (r->outcome == PHN_DISPATCH_ACCEPTED)
		return;
	for (i = 0; i < r->details_count; i++) {
		const phn_dispatch_detail *x = phn_dispatch_result_detail(r, i);

		fputs("  ", stderr);
		cli_escape(stderr, x->loc);
		fputs(": ", stderr);
		cli_escape(stderr, x->msg);
		fputs(" (", stderr);
		cli_escape(stderr, x->type);
		fputs(")\n", stderr);
	}
	cmd_error(a, "%s", phn_dispatch_outcome_describe(r->outcome));
}

static int run(struct args *a, phn_dispatch_kind kind)
{
	phn_dispatch_result *res = NULL;
	phn_dispatch *d = NULL;
	int rc;

	if ((rc = open_client(&d, a)) != PHN_EXIT_OK)
		return rc;
	if (a->dry_run) {
		rc = dry_run(d, a, kind);
		phn_dispatch_free(d);
		return rc;
	}
	if (send_request(&res, d, a, kind) != PHN_OK) {
		/* Nothing was sent: the request broke a rule, or there is no token. */
		cmd_error(a, "%s", phn_error_last());
		phn_dispatch_free(d);
		return PHN_EXIT_USAGE;
	}
	print_result(stdout, a, res);
	rc = exit_for(res->outcome);
	if (cli_stdout_flush() != 0) {
		/* The request went out (or not) all the same: its result, a callId
		 * perhaps, must not be lost with standard output. */
		cmd_error(a, "the result, which standard output did not take:");
		print_result(stderr, a, res);
		rc = CLI_EXIT_RESULT_LOST;
	}
	if (!a->json)
		print_diagnostics(a, res);
	phn_dispatch_result_free(res);
	phn_dispatch_free(d);
	return rc;
}

static void args_init(struct args *a, const char *cmd)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	phn_dispatch_call_init(&a->call, PHN_DISPATCH_CALL_VERSION);
	phn_dispatch_contact_init(&a->contact, PHN_DISPATCH_CONTACT_VERSION);
	phn_dispatch_invoice_init(&a->invoice, PHN_DISPATCH_INVOICE_VERSION);
}

int cli_cmd_call(int argc, char **argv)
{
	struct args a;
	int rc, done;

	args_init(&a, "call");
	rc = parse(&a, argc, argv, call_options, call_help, &done);
	if (rc == PHN_EXIT_OK && !done) {
		if (optind >= argc)
			rc = cli_usage_error("call", "give the NUMBER to call");
		else if (optind + 1 < argc)
			rc = cli_usage_error("call", "one NUMBER per call; got '%s' after it",
					     argv[optind + 1]);
		else {
			a.call.number = argv[optind];
			rc = run(&a, PHN_DISPATCH_KIND_CALL);
		}
	}
	args_dispose(&a);
	return rc;
}

/* "contact create ..." and "invoice create ...": the verb comes first. */
static int create_command(int argc, char **argv, const char *cmd, const struct option *opts,
			  const char *help, phn_dispatch_kind kind)
{
	struct args a;
	int rc, done;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? PHN_EXIT_USAGE : PHN_EXIT_OK;
	}
	if (strcmp(argv[1], "create") != 0)
		return cli_usage_error(cmd, "unknown action '%s' (the only one is 'create')", argv[1]);
	args_init(&a, kind == PHN_DISPATCH_KIND_CONTACT ? "contact create" : "invoice create");
	rc = parse(&a, argc - 1, argv + 1, opts, help, &done);
	if (rc == PHN_EXIT_OK && !done) {
		if (optind < argc - 1)
			rc = cli_usage_error(a.cmd, "unexpected argument '%s'", argv[optind + 1]);
		else
			rc = run(&a, kind);
	}
	args_dispose(&a);
	return rc;
}

int cli_cmd_contact(int argc, char **argv)
{
	return create_command(argc, argv, "contact", contact_options, contact_help,
			      PHN_DISPATCH_KIND_CONTACT);
}

int cli_cmd_invoice(int argc, char **argv)
{
	return create_command(argc, argv, "invoice", invoice_options, invoice_help,
			      PHN_DISPATCH_KIND_INVOICE);
}
