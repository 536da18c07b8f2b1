/*
 * phonenorm dial: a campaign. Clean a list as `phonenorm clean` does, keep
 * every row in a journal, and trigger one AI call per clean row at a safe
 * pace, inside calling hours, resumable after anything. The library does
 * the work (phn_dialer_*, campaign.h); this file is options and output.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <phonenorm.h>

#include "clean_opts.h"
#include "cli.h"

/* Exit codes of dial, beyond cli.h's 0/1/2 (see the help). */
#define DIAL_EXIT_JOURNAL 3 /* the journal could not be written during the run */
#define DIAL_EXIT_AUTH 4    /* 401/403 (or no token): stopped at once */
#define DIAL_EXIT_LEFT 5    /* rows left waiting for their window or pending */

#define DIAL_ENV_TEST_NOW "PHONENORM_TEST_NOW"

static const char dial_help[] =
	"usage: phonenorm dial LIST.csv --journal CAMPAIGN.db [OPTIONS]\n"
	"\n"
	"Dial a campaign: clean LIST.csv exactly as 'phonenorm clean' does, keep every\n"
	"row in the journal CAMPAIGN.db (SQLite; created on the first --live run), and\n"
	"trigger one AI call per clean row through the call API, paced, only inside\n"
	"the callee's calling hours. Without --live it is a dry run: it prints the\n"
	"plan and sends nothing (the journal is neither created nor changed).\n"
	"Running it again with the same journal resumes: accepted rows are never\n"
	"sent again, rows that were in flight when a run died become 'unknown'.\n"
	"The --suppress (do-not-call) list may change between runs: rows newly on it\n"
	"that are still to be called become 'suppressed' (never the other way). An\n"
	"empty journal (a dial killed at its start) is taken over by --live.\n"
	"\n"
	"Input (as phonenorm clean; stored in the journal, a later run must match):\n"
	CLI_CLEAN_INPUT_HELP
	"\n"
	"Policy (as phonenorm clean):\n"
	CLI_CLEAN_POLICY_HELP
	"  -j, --threads N            threads for parsing the list (default 1; 0: one per\n"
	"                             CPU); the journal is the same for any N\n"
	"\n"
	"Request fields from columns (NAME or 1-based INDEX; blank cells are not sent):\n"
	"      --first-name-column C  firstName (default: a first_name/firstName column)\n"
	"      --last-name-column C   lastName (default: last_name, surname)\n"
	"      --email-column C       email (default: email, e-mail)\n"
	"      --contact-uuid-column C  contactUuid (default: contact_uuid, contactUuid)\n"
	"      --timezone-column C    the row's IANA time zone (America/Chicago); blank or\n"
	"                             unknown cells use the number's own zones\n"
	"      --tag KEY=COLUMN       a promptTags entry from a column (repeatable)\n"
	"      --meta KEY=COLUMN      a metadata entry from a column (repeatable)\n"
	"      --template UUID        aiSettingsTemplateId of every call\n"
	"      --update-existing      updateExisting true\n"
	"      --no-create            createIfNotExists false\n"
	"      --invoice number=COL,date=COL,dueDate=COL,total=COL\n"
	"                             the \"Call to Number\" flow: per row, create the\n"
	"                             contact (POST /contact, role PRIMARY), then an\n"
	"                             invoice for it, then the call with its contactUuid;\n"
	"                             each step is journaled, a resumed run never makes a\n"
	"                             second contact or invoice (date= is required)\n"
	"\n"
	"Sending:\n"
	"      --live                 send (default: dry run)\n"
	"      --rate R               requests per second, every step counted (default 5;\n"
	"                             0: no limit); any one-second span sees at most R+1\n"
	"      --concurrency N        requests in flight at once (default 16, 1 to 1024)\n"
	"      --max-retries N        retries per row and run of a throttled (429/503) or\n"
	"                             never-sent request (default 5)\n"
	"      --retry-cap SECONDS    longest wait before a retry (default 120): a longer\n"
	"                             Retry-After is cut to it, and the run says so\n"
	"      --max-attempts N       call attempts per row over every run (default 3;\n"
	"                             0: no limit); a row that used them up is\n"
	"                             'failed' (an 'unknown' one stays unknown)\n"
	"      --retry-unknown        re-send rows whose outcome is unknown (the call may\n"
	"                             have been placed: check first); for this run\n"
	"                             only: rows it does not re-send stay unknown\n"
	"      --window HH:MM-HH:MM   calling hours in the callee's local time (default:\n"
	"                             the region's, see README; +1 numbers are always\n"
	"                             held to 08:00-21:00, US TCPA)\n"
	"      --days SPEC            calling days: sun-thu, mon,wed,fri, all (default:\n"
	"                             the region's); each of --window and --days\n"
	"                             replaces only its half of the region's default\n"
	"      --no-wait              do not wait for a window to open: rows stay\n"
	"                             'waiting' for the next run (exit 5)\n"
	"      --redial undelivered   call again the rows whose call was accepted but\n"
	"                             not delivered (the phone_call.ended result that\n"
	"                             'phonenorm webhook' recorded says deliveryStatus\n"
	"                             fail): a new attempt within --max-attempts, the\n"
	"                             calling window and the pace; rows still awaiting\n"
	"                             a result are never redialed\n"
	"      --redial-after DURATION  not before this long after the result (default\n"
	"                             1h): 90s, 30m, 2h, 1d, or 0; needs --redial\n"
	"\n"
	"Connection (as phonenorm call):\n"
	"      --api-url URL          API base (default: $PHONENORM_API_URL, else\n"
	"                             " PHN_DISPATCH_DEFAULT_URL ")\n"
	"      --token-file PATH      the bearer token's file (default: $PHONENORM_API_TOKEN,\n"
	"                             then the file named by $PHONENORM_API_TOKEN_FILE);\n"
	"                             there is no option that takes the token itself\n"
	"      --timeout SECONDS      per request (default 30)\n"
	"\n"
	"Output:\n"
	"      --json                 JSON lines on standard output: the plan, or one\n"
	"                             event per line (loading, loaded, recovered,\n"
	"                             suppressed, redial, row, wait, retry_capped,\n"
	"                             stopping, progress, summary)\n"
	"  -q, --quiet                nothing on standard error but errors (and a\n"
	"                             Retry-After cut by --retry-cap)\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Progress (sent, accepted, failed, unknown, waiting, rate, ETA) shows on\n"
	"standard error when it is a terminal (TERM=dumb: plain lines). For tests,\n"
	"$" DIAL_ENV_TEST_NOW " (ISO 8601 UTC, 2026-03-08T06:59:00Z, or epoch ms) sets the\n"
	"clock the windows are judged by; it is refused unless the API URL is\n"
	"loopback (127.0.0.1, localhost, ::1).\n"
	"\n"
	"Exit status: 0 every dialable row is final and accepted; 1 finished, but some\n"
	"rows are rejected, failed or unknown; 2 usage error, unreadable list, or the\n"
	"journal refused (another list or other clean options, in use by another\n"
	"dial, not a journal); 3 the journal (or standard output) could not be\n"
	"written during the run;\n"
	"4 stopped at once: the API refused the token (401/403) or there is none;\n"
	"5 rows left waiting for their calling window (--no-wait, or a window that\n"
	"does not open within 14 days) or pending;\n"
	"130/143 interrupted by SIGINT/SIGTERM (in-flight requests are recorded; run\n"
	"again to resume).\n";

enum {
	OPT_JOURNAL = 600, OPT_FIRST_NAME_COL, OPT_LAST_NAME_COL, OPT_EMAIL_COL, OPT_CUUID_COL,
	OPT_TZ_COL, OPT_TAG, OPT_META, OPT_TEMPLATE, OPT_UPDATE, OPT_NO_CREATE, OPT_INVOICE,
	OPT_LIVE, OPT_RATE, OPT_CONCURRENCY, OPT_MAX_RETRIES, OPT_MAX_ATTEMPTS, OPT_RETRY_CAP,
	OPT_WINDOW, OPT_DAYS, OPT_NO_WAIT, OPT_RETRY_UNKNOWN, OPT_JSON, OPT_API_URL,
	OPT_TOKEN_FILE, OPT_TIMEOUT, OPT_REDIAL, OPT_REDIAL_AFTER
};

static const struct option dial_options[] = {
	CLI_CLEAN_OPTIONS,
	{ "journal", required_argument, NULL, OPT_JOURNAL },
	{ "first-name-column", required_argument, NULL, OPT_FIRST_NAME_COL },
	{ "last-name-column", required_argument, NULL, OPT_LAST_NAME_COL },
	{ "email-column", required_argument, NULL, OPT_EMAIL_COL },
	{ "contact-uuid-column", required_argument, NULL, OPT_CUUID_COL },
	{ "timezone-column", required_argument, NULL, OPT_TZ_COL },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "meta", required_argument, NULL, OPT_META },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "update-existing", no_argument, NULL, OPT_UPDATE },
	{ "no-create", no_argument, NULL, OPT_NO_CREATE },
	{ "invoice", required_argument, NULL, OPT_INVOICE },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "max-retries", required_argument, NULL, OPT_MAX_RETRIES },
	{ "max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS },
	{ "retry-cap", required_argument, NULL, OPT_RETRY_CAP },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "retry-unknown", no_argument, NULL, OPT_RETRY_UNKNOWN },
	{ "redial", required_argument, NULL, OPT_REDIAL },
	{ "redial-after", required_argument, NULL, OPT_REDIAL_AFTER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "api-url", required_argument, NULL, OPT_API_URL },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define DIAL_MAX_PAIRS 64

struct dial_args {
	struct cli_clean_opts in;
	const char *list;
	const char *journal;
	const char *first_name_col, *last_name_col, *email_col, *cuuid_col, *tz_col;
	phn_dispatch_kv tags[DIAL_MAX_PAIRS];
	size_t ntags;
	phn_dispatch_kv meta[DIAL_MAX_PAIRS];
	size_t nmeta;
	const char *template_id;
	int update_existing, no_create;
	const char *inv_number, *inv_date, *inv_due, *inv_total;
	char *invoice_buf; /* --invoice split in place, owned */
	int live;
	double rate;
	unsigned int concurrency, max_retries, max_attempts;
	int64_t retry_cap_ms;
	const char *window, *days;
	phn_call_window win;
	int has_window;
	int no_wait, retry_unknown, json, quiet;
	int redial_undelivered;
	const char *redial_after; /* as given, for messages */
	int64_t redial_after_ms;  /* -1: the default */
	const char *api_url, *token_file;
	int64_t timeout_ms;
};

static void args_dispose(struct dial_args *a)
{
	free(a->invoice_buf);
	a->invoice_buf = NULL;
}

static int parse_uint(const char *opt, const char *arg, unsigned long lo, unsigned long hi,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < lo || v > hi)
		return cli_usage_error("dial", "%s takes a whole number from %lu to %lu, not '%s'",
				       opt, lo, hi, arg);
	*out = (unsigned int)v;
	return PHN_EXIT_OK;
}

static int parse_seconds(const char *opt, const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= lo && v <= hi))
		return cli_usage_error("dial", "%s takes a number from %g to %g, not '%s'", opt, lo,
				       hi, arg);
	*out = v;
	return PHN_EXIT_OK;
}

/*
 * A duration for --redial-after: a whole number and a unit, s, m, h or d
 * ("90s", "30m", "2h", "1d"), or "0". At most 365 days.
 */
static int parse_duration(const char *opt, const char *arg, int64_t *ms)
{
	char *end;
	unsigned long long v;
	int64_t unit;

	if (strcmp(arg, "0") == 0) {
		*ms = 0;
		return PHN_EXIT_OK;
	}
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] < '0' || arg[0] > '9' || !end[0] || end[1])
		goto bad;
	switch (end[0]) {
	case 's': unit = 1000; break;
	case 'm': unit = 60 * 1000; break;
	case 'h': unit = 3600 * 1000; break;
	case 'd': unit = 86400 * 1000; break;
	default: goto bad;
	}
	if (v > 365ULL * 86400 * 1000 / (unsigned long long)unit)
		return cli_usage_error("dial", "%s '%s': at most 365 days", opt, arg);
	*ms = (int64_t)v * unit;
	return PHN_EXIT_OK;
bad:
	return cli_usage_error("dial", "%s takes a duration: a whole number with s, m, h or d "
			       "(90s, 30m, 2h, 1d), or 0; not '%s'", opt, arg);
}

/* KEY=COLUMN, split in place. */
static int add_pair(phn_dispatch_kv *arr, size_t *n, char *arg, const char *opt)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return cli_usage_error("dial", "%s takes KEY=COLUMN, got '%s'", opt, arg);
	if (*n >= DIAL_MAX_PAIRS)
		return cli_usage_error("dial", "%s: at most %d of them", opt, DIAL_MAX_PAIRS);
	for (size_t i = 0; i < *n; i++)
		if ((size_t)(eq - arg) == strlen(arr[i].key) && strncmp(arr[i].key, arg, (size_t)(eq - arg)) == 0)
			return cli_usage_error("dial", "%s: key '%.*s' given twice", opt,
					       (int)(eq - arg), arg);
	if (strncmp(arg, "phonenorm_", 10) == 0)
		return cli_usage_error("dial", "%s: keys starting with phonenorm_ are the dialer's "
				       "own", opt);
	*eq = '\0';
	arr[*n].key = arg;
	arr[*n].value = eq + 1;
	(*n)++;
	return PHN_EXIT_OK;
}

/* --invoice number=COL,date=COL,dueDate=COL,total=COL (date= required). */
static int parse_invoice(struct dial_args *a, const char *arg)
{
	char *save = NULL, *tok;

	free(a->invoice_buf);
	a->inv_number = a->inv_date = a->inv_due = a->inv_total = NULL;
	if (!(a->invoice_buf = strdup(arg)))
		return cli_usage_error("dial", "out of memory");
	for (tok = strtok_r(a->invoice_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char **slot = NULL;

		if (!eq || !eq[1])
			return cli_usage_error("dial", "--invoice takes FIELD=COLUMN pairs "
					       "(number, date, dueDate, total), got '%s'", tok);
		*eq = '\0';
		if (strcmp(tok, "number") == 0)
			slot = &a->inv_number;
		else if (strcmp(tok, "date") == 0)
			slot = &a->inv_date;
		else if (strcmp(tok, "dueDate") == 0 || strcmp(tok, "due_date") == 0)
			slot = &a->inv_due;
		else if (strcmp(tok, "total") == 0)
			slot = &a->inv_total;
		else
			return cli_usage_error("dial", "--invoice: '%s' is not a field (number, date, "
					       "dueDate, total)", tok);
		if (*slot)
			return cli_usage_error("dial", "--invoice: '%s' given twice", tok);
		*slot = eq + 1;
	}
	if (!a->inv_date)
		return cli_usage_error("dial", "--invoice needs date=COLUMN (the invoice date)");
	return PHN_EXIT_OK;
}

static int take_option(struct dial_args *a, int c, char **argv)
{
	double d;

	switch (c) {
	case ':':
		if (optopt > 0x20 && optopt < 0x7f)
			return cli_usage_error("dial", "option '-%c' needs an argument", optopt);
		return cli_usage_error("dial", "option '%.*s' needs an argument",
				       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
	case '?':
		if (optopt > 0x20 && optopt < 0x7f)
			return cli_usage_error("dial", "unknown option '-%c'", optopt);
		return cli_usage_error("dial", "unknown option '%.*s'",
				       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
	case OPT_JOURNAL: a->journal = optarg; break;
	case OPT_REDIAL:
		if (strcmp(optarg, "undelivered") != 0)
			return cli_usage_error("dial", "--redial takes 'undelivered' (rows whose call "
					       "was not delivered), not '%s'", optarg);
		a->redial_undelivered = 1;
		break;
	case OPT_REDIAL_AFTER:
		a->redial_after = optarg;
		return parse_duration("--redial-after", optarg, &a->redial_after_ms);
	case OPT_FIRST_NAME_COL: a->first_name_col = optarg; break;
	case OPT_LAST_NAME_COL: a->last_name_col = optarg; break;
	case OPT_EMAIL_COL: a->email_col = optarg; break;
	case OPT_CUUID_COL: a->cuuid_col = optarg; break;
	case OPT_TZ_COL: a->tz_col = optarg; break;
	case OPT_TAG: return add_pair(a->tags, &a->ntags, optarg, "--tag");
	case OPT_META: return add_pair(a->meta, &a->nmeta, optarg, "--meta");
	case OPT_TEMPLATE: a->template_id = optarg; break;
	case OPT_UPDATE: a->update_existing = 1; break;
	case OPT_NO_CREATE: a->no_create = 1; break;
	case OPT_INVOICE: return parse_invoice(a, optarg);
	case OPT_LIVE: a->live = 1; break;
	case OPT_RATE: return parse_seconds("--rate", optarg, 0, 100000, &a->rate);
	case OPT_CONCURRENCY: return parse_uint("--concurrency", optarg, 1, 1024, &a->concurrency);
	case OPT_MAX_RETRIES: return parse_uint("--max-retries", optarg, 0, 100, &a->max_retries);
	case OPT_MAX_ATTEMPTS: return parse_uint("--max-attempts", optarg, 0, 1000, &a->max_attempts);
	case OPT_RETRY_CAP:
		if (parse_seconds("--retry-cap", optarg, 0.001, 86400, &d) != PHN_EXIT_OK)
			return PHN_EXIT_USAGE;
		a->retry_cap_ms = (int64_t)(d * 1000 + 0.5);
		if (a->retry_cap_ms < 1)
			a->retry_cap_ms = 1;
		break;
	case OPT_WINDOW: a->window = optarg; break;
	case OPT_DAYS: a->days = optarg; break;
	case OPT_NO_WAIT: a->no_wait = 1; break;
	case OPT_RETRY_UNKNOWN: a->retry_unknown = 1; break;
	case OPT_JSON: a->json = 1; break;
	case OPT_API_URL: a->api_url = optarg; break;
	case OPT_TOKEN_FILE: a->token_file = optarg; break;
	case OPT_TIMEOUT:
		if (parse_seconds("--timeout", optarg, 0.001, 86400, &d) != PHN_EXIT_OK)
			return PHN_EXIT_USAGE;
		a->timeout_ms = (int64_t)(d * 1000 + 0.5);
		if (a->timeout_ms < 1)
			a->timeout_ms = 1;
		break;
	case 'q': a->quiet = 1; break;
	default:
		return cli_usage_error("dial", "unknown option '%.*s'",
				       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
	}
	return PHN_EXIT_OK;
}

static int parse_args(struct dial_args *a, int argc, char **argv, int *done)
{
	static const char shortopts[] = ":c:d:j:qh";
	int c, taken, rc;

	memset(a, 0, sizeof *a);
	cli_clean_opts_init(&a->in);
	a->rate = 5;
	a->concurrency = 16;
	a->max_retries = 5;
	a->max_attempts = 3;
	a->retry_cap_ms = 120000;
	a->redial_after_ms = -1;
	*done = 0;
	opterr = 0;
	optind = 1;
	if ((rc = cli_refuse_abbreviations("dial", argc, argv, dial_options, shortopts)) !=
	    PHN_EXIT_OK)
		return rc;
	while ((c = getopt_long(argc, argv, shortopts, dial_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(dial_help, stdout);
			*done = 1;
			return PHN_EXIT_OK;
		}
		if ((taken = cli_clean_opts_take(&a->in, "dial", c, optarg)) < 0)
			return PHN_EXIT_USAGE;
		if (!taken && (rc = take_option(a, c, argv)) != PHN_EXIT_OK)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error("dial", "give the LIST to dial (a CSV file)");
	if (optind + 1 < argc)
		return cli_usage_error("dial", "one LIST at a time ('%s' is extra)", argv[optind + 1]);
	a->list = argv[optind];
	if (strcmp(a->list, "-") == 0)
		return cli_usage_error("dial", "the list must be a file (the journal keeps its "
				       "hash to resume), not standard input");
	if (!a->journal)
		return cli_usage_error("dial", "give the campaign's journal: --journal CAMPAIGN.db");
	if (a->redial_after && !a->redial_undelivered)
		return cli_usage_error("dial", "--redial-after %s: say what to redial too "
				       "(--redial undelivered)", a->redial_after);
	if (cli_clean_opts_check(&a->in, "dial") != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	if (a->window || a->days) {
		phn_call_window_init(&a->win, PHN_CALL_WINDOW_VERSION);
		/* Checked here for the message; each half replaces that half of
		 * the region's default (the library does it per row). */
		if (phn_call_window_parse(&a->win, a->window, a->days) != PHN_OK)
			return cli_usage_error("dial", "%s", phn_error_last());
		a->has_window = 1;
	}
	return PHN_EXIT_OK;
}

/* ---- the test clock --------------------------------------------------- */

/* ISO 8601 UTC ("2026-03-08T06:59:00Z", seconds and fraction optional) or
 * epoch milliseconds. */
static int parse_test_now(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, n = 0;
	double sec = 0;
	char *end;
	struct tm tm;

	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		*ms = (int64_t)strtoll(s, &end, 10);
		return errno || *ms <= 0 ? -1 : 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		return -1;
	s += n;
	if (*s == ':') {
		sec = strtod(s + 1, &end);
		s = end;
	}
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	*ms = (int64_t)timegm(&tm) * 1000 + (int64_t)(sec * 1000 + 0.5);
	return *ms > 0 ? 0 : -1;
}

/* ---- output --------------------------------------------------------------- */

static void iso_time(char *buf, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void human_duration(char *buf, size_t cap, double s)
{
	if (s < 0)
		snprintf(buf, cap, "?");
	else if (s < 60)
		snprintf(buf, cap, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, cap, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, cap, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

struct ui {
	const struct dial_args *a;
	phn_dialer *dl;
	int progress;   /* a terminal: a progress line */
	int dumb;       /* TERM=dumb: plain lines, no cursor control */
	int shown;      /* the progress line is on screen */
	int64_t last_plain;
};

static void clear_line(struct ui *u)
{
	if (u->shown && !u->dumb) {
		fputs("\r\033[K", stderr);
		u->shown = 0;
	}
}

static void json_time(const char *key, int64_t ms)
{
	char t[40];

	if (ms <= 0) {
		printf(",\"%s\":null", key);
		return;
	}
	iso_time(t, sizeof t, ms);
	printf(",\"%s\":\"%s\"", key, t);
}

static void json_opt_string(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	if (v)
		cli_json_string(stdout, v);
	else
		fputs("null", stdout);
}

static void json_counts(const phn_dial_progress *p)
{
	printf(",\"rows\":%" PRIu64 ",\"pending\":%" PRIu64 ",\"waiting\":%" PRIu64
	       ",\"in_flight\":%" PRIu64 ",\"accepted\":%" PRIu64 ",\"rejected\":%" PRIu64
	       ",\"failed\":%" PRIu64 ",\"unknown\":%" PRIu64 ",\"skipped\":%" PRIu64
	       ",\"sent\":%" PRIu64 ",\"retries\":%" PRIu64 ",\"redialed\":%" PRIu64
	       ",\"rate\":%.2f", p->rows, p->pending, p->waiting, p->in_flight, p->accepted,
	       p->rejected, p->failed, p->unknown, p->skipped, p->sent, p->retries, p->redialed,
	       p->rate);
	if (p->eta_seconds >= 0)
		printf(",\"eta_seconds\":%.1f", p->eta_seconds);
	else
		fputs(",\"eta_seconds\":null", stdout);
	json_time("now", p->now_ms);
}

static void json_event(const phn_dial_event *ev)
{
	static const char *const names[] = { "loaded", "recovered", "progress", "row", "wait",
					     "retry_capped", "stopping", "loading", "suppressed",
					     "redial" };

	printf("{\"event\":\"%s\"", (unsigned)ev->kind < sizeof names / sizeof names[0]
	       ? names[ev->kind] : "other");
	switch (ev->kind) {
	case PHN_DIAL_EVENT_LOADING:
	case PHN_DIAL_EVENT_LOADED:
	case PHN_DIAL_EVENT_RECOVERED:
	case PHN_DIAL_EVENT_SUPPRESSED:
	case PHN_DIAL_EVENT_REDIAL:
		printf(",\"rows\":%" PRIu64, ev->count);
		break;
	case PHN_DIAL_EVENT_ROW:
		printf(",\"line\":%" PRIu64, ev->line);
		json_opt_string("step", ev->step);
		json_opt_string("dispatch_id", ev->dispatch_id);
		json_opt_string("outcome", ev->outcome);
		printf(",\"http_status\":%d", ev->http_status);
		json_opt_string("state", ev->state);
		json_opt_string("call_id", ev->call_id);
		json_opt_string("detail", ev->detail);
		json_time("next_at", ev->at_ms);
		break;
	case PHN_DIAL_EVENT_WAIT:
		json_time("until", ev->at_ms);
		json_opt_string("region", ev->region);
		printf(",\"rows\":%" PRIu64, ev->count);
		break;
	case PHN_DIAL_EVENT_RETRY_CAPPED:
		printf(",\"line\":%" PRIu64 ",\"retry_after_s\":%" PRId64 ",\"cap_s\":%g",
		       ev->line, ev->retry_after_s, (double)ev->cap_ms / 1000.0);
		json_time("until", ev->at_ms);
		break;
	case PHN_DIAL_EVENT_STOPPING:
		printf(",\"reason\":\"%s\"", ev->http_status ? "auth_failed" : "stop");
		printf(",\"http_status\":%d", ev->http_status);
		json_opt_string("detail", ev->detail);
		break;
	default:
		break;
	}
	if (ev->kind == PHN_DIAL_EVENT_PROGRESS)
		json_counts(ev->progress);
	fputs("}\n", stdout);
	fflush(stdout);
}

static void progress_line(struct ui *u, const phn_dial_progress *p)
{
	char eta[32];

	human_duration(eta, sizeof eta, p->eta_seconds);
	if (u->dumb) {
		if (p->now_ms - u->last_plain < 5000)
			return;
		u->last_plain = p->now_ms;
	} else {
		fputs("\r\033[K", stderr);
	}
	fprintf(stderr, "sent %" PRIu64 "  accepted %" PRIu64 "  rejected %" PRIu64
		"  failed %" PRIu64 "  unknown %" PRIu64 "  waiting %" PRIu64 "  pending %" PRIu64
		"  %.1f/s  ETA %s", p->sent, p->accepted, p->rejected, p->failed, p->unknown,
		p->waiting, p->pending, p->rate, eta);
	if (u->dumb)
		fputc('\n', stderr);
	u->shown = !u->dumb;
}

static void text_event(struct ui *u, const phn_dial_event *ev)
{
	char t[40];

	switch (ev->kind) {
	case PHN_DIAL_EVENT_PROGRESS:
		if (u->progress)
			progress_line(u, ev->progress);
		return;
	case PHN_DIAL_EVENT_LOADING:
		if (u->progress && !u->dumb) {
			fprintf(stderr, "\r\033[Kloading the list into the journal: %" PRIu64 " rows",
				ev->count);
			u->shown = 1;
		} else if (u->progress) {
			fprintf(stderr, "phonenorm dial: loading: %" PRIu64 " rows\n", ev->count);
		}
		return;
	case PHN_DIAL_EVENT_RECOVERED:
		clear_line(u);
		fprintf(stderr, "phonenorm dial: %" PRIu64 " rows were in flight when the last run "
			"ended: now 'unknown' (the call may have been placed; --retry-unknown "
			"re-sends them)\n", ev->count);
		return;
	case PHN_DIAL_EVENT_SUPPRESSED:
		clear_line(u);
		fprintf(stderr, "phonenorm dial: --suppress: the do-not-call list changed since the "
			"last run: %" PRIu64 " rows still to be called are on it now and are "
			"suppressed (never called)\n", ev->count);
		return;
	case PHN_DIAL_EVENT_REDIAL:
		clear_line(u);
		fprintf(stderr, "phonenorm dial: --redial undelivered: %" PRIu64 " rows whose call "
			"was not delivered are called again\n", ev->count);
		return;
	case PHN_DIAL_EVENT_WAIT:
		clear_line(u);
		if (ev->at_ms <= 0) {
			fprintf(stderr, "phonenorm dial: the calling window of %s does not open within "
				"14 days\n", ev->region ? ev->region : "some rows");
			return;
		}
		iso_time(t, sizeof t, ev->at_ms);
		if (ev->region)
			fprintf(stderr, "phonenorm dial: calling window closed for %s numbers; it "
				"opens at %s\n", ev->region[0] ? ev->region : "region-less", t);
		else if (!(u->a->no_wait))
			fprintf(stderr, "phonenorm dial: waiting until %s (%" PRIu64 " rows to go)\n",
				t, ev->count);
		return;
	case PHN_DIAL_EVENT_RETRY_CAPPED:
		clear_line(u);
		fprintf(stderr, "phonenorm dial: line %" PRIu64 ": Retry-After %" PRId64 " s capped "
			"at %g s (--retry-cap)\n", ev->line, ev->retry_after_s,
			(double)ev->cap_ms / 1000.0);
		return;
	case PHN_DIAL_EVENT_STOPPING:
		clear_line(u);
		if (ev->http_status) {
			fprintf(stderr, "phonenorm dial: HTTP %d: the API refused the token; stopping "
				"(nothing more is sent): ", ev->http_status);
			cli_escape(stderr, ev->detail);
			fputc('\n', stderr);
		} else {
			fprintf(stderr, "phonenorm dial: stopping: waiting for the requests in flight "
				"(at most 10 s)\n");
		}
		return;
	default:
		return;
	}
}

static volatile sig_atomic_t got_signal;
static phn_dialer *volatile signal_dialer;

static void on_signal(int sig)
{
	if (got_signal)
		_exit(128 + sig); /* a second one: at once (the journal stays consistent) */
	got_signal = sig;
	if (signal_dialer)
		phn_dialer_stop(signal_dialer);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int on_event(const phn_dial_event *ev, void *payload)
{
	struct ui *u = payload;

	if (!u->a->live)
		return 0; /* a dry run prints the plan only */
	if (u->a->json)
		json_event(ev);
	else if (!u->a->quiet || ev->kind == PHN_DIAL_EVENT_RETRY_CAPPED)
		text_event(u, ev); /* a cut Retry-After is always said */
	return got_signal != 0;
}

/* ---- the dry run ------------------------------------------------------- */

static int print_plan(const struct dial_args *a, const phn_dial_plan *p, int journal_exists)
{
	uint64_t rows, to_call, done, skipped, count, line, redial_due, redial_later;
	int64_t redial_next;
	const phn_dispatch_request *req;
	const char *reason, *region;
	double eta;
	int64_t opens;
	int open;
	char t[40], dur[32];

	phn_dial_plan_counts(&rows, &to_call, &done, &skipped, &eta, p);
	phn_dial_plan_redial(&redial_due, &redial_later, &redial_next, p);
	human_duration(dur, sizeof dur, eta);
	if (a->json) {
		printf("{\"event\":\"plan\",\"dry_run\":true,\"rows\":%" PRIu64 ",\"to_call\":%" PRIu64
		       ",\"done\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"journal_exists\":%s",
		       rows, to_call, done, skipped, journal_exists == 1 ? "true" : "false");
		fputs(",\"skipped_by_reason\":{", stdout);
		for (size_t i = 0; phn_dial_plan_skipped(&reason, &count, p, i) == PHN_OK; i++) {
			printf("%s", i ? "," : "");
			cli_json_string(stdout, reason);
			printf(":%" PRIu64, count);
		}
		putchar('}');
		if (a->redial_undelivered) {
			printf(",\"redial\":{\"due\":%" PRIu64 ",\"later\":%" PRIu64, redial_due,
			       redial_later);
			json_time("next_due_at", redial_next);
			printf(",\"after_s\":%" PRId64 "}", a->redial_after_ms < 0 ? (int64_t)3600
			       : a->redial_after_ms / 1000);
		} else {
			fputs(",\"redial\":null", stdout);
		}
		printf(",\"rate\":%g,\"concurrency\":%u", a->rate, a->concurrency);
		if (eta >= 0)
			printf(",\"eta_seconds\":%.1f", eta);
		else
			fputs(",\"eta_seconds\":null", stdout);
		fputs(",\"windows\":[", stdout);
		for (size_t i = 0; phn_dial_plan_window(&region, &count, &open, &opens, p, i) == PHN_OK;
		     i++) {
			printf("%s{\"region\":", i ? "," : "");
			cli_json_string(stdout, region);
			printf(",\"rows\":%" PRIu64 ",\"open\":%s", count, open ? "true" : "false");
			json_time("opens_at", opens);
			putchar('}');
		}
		fputs("],\"requests\":[", stdout);
		for (size_t i = 0; (req = phn_dial_plan_request(&line, p, i)) != NULL; i++) {
			printf("%s", i ? "," : "");
			printf("{\"line\":%" PRIu64 ",", line);
			cli_request_json_fields(stdout, req);
			putchar('}');
		}
		fputs("]}\n", stdout);
		return PHN_EXIT_OK;
	}
	printf("phonenorm dial: dry run: nothing is sent (add --live to send)\n");
	printf("list:         %s, %" PRIu64 " rows\n", a->list, rows);
	printf("journal:      %s (%s)\n", a->journal,
	       journal_exists == 1 ? "exists: the run resumes it"
	       : journal_exists == 2 ? "is empty (a dial stopped before creating it): --live "
				       "takes it over"
				     : "does not exist: --live creates it");
	printf("to call:      %" PRIu64 "\n", to_call);
	printf("done before:  %" PRIu64 "\n", done);
	if (a->redial_undelivered) {
		printf("redial:       %" PRIu64 " undelivered rows due now", redial_due);
		if (redial_later) {
			iso_time(t, sizeof t, redial_next);
			printf(", %" PRIu64 " not before %s", redial_later, t);
		}
		putchar('\n');
	}
	printf("skipped:      %" PRIu64 "\n", skipped);
	for (size_t i = 0; phn_dial_plan_skipped(&reason, &count, p, i) == PHN_OK; i++) {
		fputs("  ", stdout);
		cli_escape(stdout, reason);
		printf(": %" PRIu64 "\n", count);
	}
	printf("calling windows:\n");
	for (size_t i = 0; phn_dial_plan_window(&region, &count, &open, &opens, p, i) == PHN_OK; i++) {
		if (open)
			printf("  %-5s %8" PRIu64 " rows  open now\n", region, count);
		else if (opens > 0) {
			iso_time(t, sizeof t, opens);
			printf("  %-5s %8" PRIu64 " rows  closed, opens at %s\n", region, count, t);
		} else
			printf("  %-5s %8" PRIu64 " rows  closed, not open within 14 days\n", region,
			       count);
	}
	if (a->rate > 0)
		printf("pace:         %g requests/s, %u in flight: about %s%s\n", a->rate,
		       a->concurrency, dur, a->inv_date ? " (3 requests per row)" : "");
	else
		printf("pace:         no rate limit, %u in flight\n", a->concurrency);
	for (size_t i = 0; (req = phn_dial_plan_request(&line, p, i)) != NULL; i++) {
		if (i == 0)
			printf("first requests (token masked):\n");
		printf("line %" PRIu64 ":\n", line);
		cli_request_text(stdout, req, "  ", 0);
	}
	return PHN_EXIT_OK;
}

/* ---- the run --------------------------------------------------------------- */

static void print_summary(const struct dial_args *a, const phn_dial_progress *p,
			  const char *result, int status)
{
	if (a->json) {
		printf("{\"event\":\"summary\",\"result\":\"%s\",\"exit\":%d", result, status);
		json_counts(p);
		fputs("}\n", stdout);
		fflush(stdout);
		return;
	}
	if (a->quiet)
		return;
	fprintf(stderr, "phonenorm dial: %s: %" PRIu64 " rows: %" PRIu64 " accepted, %" PRIu64
		" rejected, %" PRIu64 " failed, %" PRIu64 " unknown, %" PRIu64 " waiting, %" PRIu64
		" pending, %" PRIu64 " skipped; %" PRIu64 " requests sent in this run (%" PRIu64
		" retries", result, p->rows, p->accepted, p->rejected, p->failed, p->unknown,
		p->waiting, p->pending, p->skipped, p->sent, p->retries);
	if (a->redial_undelivered)
		fprintf(stderr, "; %" PRIu64 " rows redialed", p->redialed);
	fputs(")\n", stderr);
}

static int exit_for_open_error(int rc)
{
	(void)rc;
	return PHN_EXIT_USAGE; /* nothing was sent, nothing changed but the lock */
}

int cli_cmd_dial(int argc, char **argv)
{
	struct dial_args a;
	phn_dial_options o = PHN_DIAL_OPTIONS_INIT;
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options cl = PHN_CLEAN_OPTIONS_INIT;
	phn_dispatch_options dopts = PHN_DISPATCH_OPTIONS_INIT;
	phn_dial_progress p = PHN_DIAL_PROGRESS_INIT;
	phn_dial_end end = PHN_DIAL_END_DONE;
	phn_cleaner *sup = NULL;
	phn_dialer *dl = NULL;
	phn_dial_plan *plan = NULL;
	struct ui u;
	const char *env, *term, *result;
	int rc, done, status = PHN_EXIT_OK, journal_exists;

	if ((rc = parse_args(&a, argc, argv, &done)) != PHN_EXIT_OK || done) {
		args_dispose(&a);
		return rc;
	}
	memset(&u, 0, sizeof u);
	u.a = &a;
	if (cli_clean_opts_apply(&a.in, "dial", &co, &cl) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	if (a.in.suppress && cli_load_suppress(&sup, "dial", &a.in, a.quiet) != PHN_EXIT_OK) {
		status = PHN_EXIT_USAGE;
		goto out;
	}
	cl.suppress = sup ? phn_cleaner_dedupe_set(sup) : NULL;
	dopts.base_url = a.api_url;
	dopts.token_file = a.token_file;
	dopts.flags = PHN_DISPATCH_USE_ENV;
	dopts.timeout_ms = a.timeout_ms;

	o.flags = (a.live ? 0 : PHN_DIAL_DRY_RUN) | (a.no_wait ? PHN_DIAL_NO_WAIT : 0) |
		  (a.retry_unknown ? PHN_DIAL_RETRY_UNKNOWN : 0);
	o.list_path = a.list;
	o.csv = &co;
	o.clean = &cl;
	o.dispatch = &dopts;
	o.first_name_column = a.first_name_col;
	o.last_name_column = a.last_name_col;
	o.email_column = a.email_col;
	o.contact_uuid_column = a.cuuid_col;
	o.timezone_column = a.tz_col;
	o.tags = a.tags;
	o.tags_count = a.ntags;
	o.meta = a.meta;
	o.meta_count = a.nmeta;
	o.template_id = a.template_id;
	o.update_existing = a.update_existing ? PHN_DISPATCH_TRUE : PHN_DISPATCH_UNSET;
	o.create_if_not_exists = a.no_create ? PHN_DISPATCH_FALSE : PHN_DISPATCH_UNSET;
	o.invoice_number_column = a.inv_number;
	o.invoice_date_column = a.inv_date;
	o.invoice_due_date_column = a.inv_due;
	o.invoice_total_column = a.inv_total;
	o.rate = a.rate;
	o.concurrency = a.concurrency;
	o.max_retries = a.max_retries;
	o.max_attempts = a.max_attempts;
	o.retry_cap_ms = a.retry_cap_ms;
	o.window_hours = a.window;
	o.window_days = a.days;
	o.on_event = on_event;
	o.payload = &u;
	o.redial_flags = a.redial_undelivered ? PHN_DIAL_REDIAL_UNDELIVERED : 0;
	o.redial_after_ms = a.redial_after_ms;
	if ((env = getenv(DIAL_ENV_TEST_NOW)) != NULL && env[0] &&
	    parse_test_now(env, &o.test_now_ms) != 0) {
		status = cli_usage_error("dial", "$%s: '%s' is neither ISO 8601 UTC "
					 "(2026-03-08T06:59:00Z) nor epoch milliseconds",
					 DIAL_ENV_TEST_NOW, env);
		goto out;
	}
	u.progress = a.live && !a.quiet && !a.json && isatty(2);
	term = getenv("TERM");
	u.dumb = !term || !term[0] || strcmp(term, "dumb") == 0;
	{
		/* 0 bytes: a dial killed at its start; --live takes it over. */
		struct stat jst;

		journal_exists = stat(a.journal, &jst) == 0 ? (jst.st_size > 0 ? 1 : 2) : 0;
	}
	catch_signals();

	if (phn_dialer_open(&dl, a.journal, &o) != PHN_OK) {
		rc = phn_error_last_code();
		clear_line(&u);
		cli_error("dial: %s", phn_error_last());
		status = got_signal ? 128 + got_signal : exit_for_open_error(rc);
		goto out;
	}
	if (!a.live) {
		if (phn_dialer_plan(&plan, dl) != PHN_OK) {
			cli_error("dial: %s", phn_error_last());
			status = PHN_EXIT_USAGE;
			goto out;
		}
		status = print_plan(&a, plan, journal_exists);
		goto out;
	}
	signal_dialer = dl;
	if (got_signal)
		phn_dialer_stop(dl);
	rc = phn_dialer_run(dl);
	signal_dialer = NULL;
	clear_line(&u);
	if (u.progress && u.dumb == 0)
		fflush(stderr);
	phn_dialer_summary(&p, &end, dl);
	if (rc == PHN_EAUTH) {
		cli_error("dial: %s", phn_error_last());
		status = DIAL_EXIT_AUTH;
		result = "auth_failed";
	} else if (rc != PHN_OK) {
		cli_error("dial: %s", phn_error_last());
		status = DIAL_EXIT_JOURNAL;
		result = "error";
	} else if (got_signal) {
		status = 128 + got_signal;
		result = "interrupted";
	} else if (end == PHN_DIAL_END_AUTH_FAILED) {
		status = DIAL_EXIT_AUTH;
		result = "auth_failed";
	} else if (end == PHN_DIAL_END_STOPPED) {
		status = 128 + SIGTERM;
		result = "interrupted";
	} else if (end == PHN_DIAL_END_LEFT || p.pending || p.waiting) {
		status = DIAL_EXIT_LEFT;
		result = "left";
	} else if (p.rejected || p.failed || p.unknown) {
		status = PHN_EXIT_NEGATIVE;
		result = "done";
	} else {
		result = "done";
	}
	print_summary(&a, &p, result, status);
	if (got_signal && !a.quiet && !a.json)
		fprintf(stderr, "phonenorm dial: interrupted by %s; in-flight requests were "
			"recorded; run again to resume\n", got_signal == SIGINT ? "SIGINT" : "SIGTERM");
out:
	phn_dial_plan_free(plan);
	phn_dialer_free(dl);
	phn_cleaner_free(sup);
	args_dispose(&a);
	return status;
}
