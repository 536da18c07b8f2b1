/*
 * phonenorm webhook: receive the call API's signed phone_call.ended events
 * into a campaign journal. The library does the work: the webhook layer's
 * server verifies every delivery (phn_webhook_server_*), the journal's
 * receiver stores the verified ones durably before the 200 goes out
 * (phn_campaign_receiver_*). This file is the glue: options, the secret,
 * signals, the log lines and the summary.
 *
 * The signing secret comes from $PHONENORM_WEBHOOK_SECRET or --secret-file,
 * never from an option's value (ps, shell history), and is never printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <phonenorm.h>

#include "cli.h"

#define WEBHOOK_ENV_SECRET "PHONENORM_WEBHOOK_SECRET"
#define WEBHOOK_EXIT_LISTEN 3
#define WEBHOOK_EXIT_SECRET 4
#define SECRET_FILE_MAX (64 * 1024)

static const char webhook_help[] =
	"usage: phonenorm webhook --journal CAMPAIGN.db [OPTIONS]\n"
	"\n"
	"Receive the call API's phone_call.ended webhooks and record each call's\n"
	"result in a campaign journal (made by 'phonenorm dial --journal'), so that\n"
	"'phonenorm report' shows who was reached and 'phonenorm dial --redial\n"
	"undelivered' calls the others again. Runs beside 'phonenorm dial' on the\n"
	"same journal, until SIGINT or SIGTERM.\n"
	"\n"
	"Every delivery is verified as Svix signs it (HMAC-SHA256 over\n"
	"id.timestamp.body, any one of several 'v1,' signatures, 5-minute timestamp\n"
	"tolerance) before anything is stored; it is answered 200 only once the event\n"
	"is durably in the journal. A redelivery (same svix-id) answers 200 and\n"
	"changes nothing. Refused: 401 bad or missing signature, stale or future\n"
	"timestamp; 400 not JSON (or not UTF-8); 413 body over --max-body; 415 not\n"
	"JSON content; 404 another path; 405 another method (GET /healthz answers\n"
	"200 'ok'). 503 (with Retry-After) if the journal could not be written.\n"
	"\n"
	"Options:\n"
	"      --journal FILE         the campaign journal (must exist: 'phonenorm dial\n"
	"                             --live' creates it)\n"
	"      --listen HOST:PORT     where to listen (default 127.0.0.1:8787; port 0\n"
	"                             picks a free one; [::1]:PORT for IPv6). Keep it on\n"
	"                             loopback behind an HTTPS reverse proxy: any other\n"
	"                             address without TLS gets a warning\n"
	"      --path PATH            the path that takes events (default\n"
	"                             /webhooks/calls)\n"
	"      --secret-file FILE     the endpoint's signing secret(s) (whsec_...), one\n"
	"                             per line; several while a secret is rotated (a\n"
	"                             delivery signed with any one passes). Else\n"
	"                             $PHONENORM_WEBHOOK_SECRET (several: separated by\n"
	"                             spaces). There is no option that takes a secret\n"
	"      --tolerance SECONDS    accepted clock difference of svix-timestamp\n"
	"                             (default 300)\n"
	"      --max-body SIZE        largest body taken (default 1M; K and M suffixes,\n"
	"                             1K to 64M); larger: 413\n"
	"      --idle-timeout SECONDS close a connection idle this long (default 30)\n"
	"      --request-deadline SECONDS  a request (headers and body) must arrive\n"
	"                             within this, or the connection is dropped\n"
	"                             (slow senders; default 10)\n"
	"      --max-connections N    connections at once (default 256, at most 10000)\n"
	"      --tls-cert FILE        serve HTTPS with this certificate (PEM) ...\n"
	"      --tls-key FILE         ... and key (both or neither)\n"
	"      --ready-file FILE      once listening, write the port and a newline to\n"
	"                             FILE (written whole: a new file renamed into place)\n"
	"  -q, --quiet                no log line per refused delivery\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Standard error: 'phonenorm webhook: listening on URL (journal FILE)' once\n"
	"listening; one line per refused delivery (its HTTP status and reason; never\n"
	"the body, never the secret) unless --quiet; on SIGINT/SIGTERM the server\n"
	"stops taking connections, lets the requests in progress finish, and a summary\n"
	"line gives the events recorded (applied, superseded, orphans, other types),\n"
	"the duplicates and the refused deliveries. A second signal exits at once\n"
	"(every event answered 200 is already in the journal).\n"
	"\n"
	"Exit status: 0 stopped by SIGINT/SIGTERM, 2 usage error, or a journal that\n"
	"is missing or cannot be used, 3 cannot listen (address in use, no\n"
	"permission), 4 no signing secret, or one that is not valid.\n";

enum {
	OPT_JOURNAL = 256, OPT_LISTEN, OPT_PATH, OPT_SECRET_FILE, OPT_TOLERANCE, OPT_MAX_BODY,
	OPT_IDLE, OPT_DEADLINE, OPT_MAX_CONN, OPT_TLS_CERT, OPT_TLS_KEY, OPT_READY,
	/* -q and -h in their long form: values >= 256 too, so that an optopt
	 * below 256 always means a short option (see parse_args) */
	OPT_QUIET, OPT_HELP
};

static const struct option webhook_options[] = {
	{ "journal", required_argument, NULL, OPT_JOURNAL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "secret-file", required_argument, NULL, OPT_SECRET_FILE },
	{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "request-deadline", required_argument, NULL, OPT_DEADLINE },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct webhook_args {
	const char *journal;
	const char *listen;
	const char *path;
	const char *secret_file;
	const char *tls_cert;
	const char *tls_key;
	const char *ready_file;
	unsigned long tolerance;
	unsigned long max_body;
	unsigned long idle;
	unsigned long deadline;
	unsigned long max_conn;
	int quiet;
};

/* The receiver's state, shared with the server's threads. */
struct webhook_ctx {
	phn_campaign_receiver *rc;
	int quiet;
	/* Counted here rather than read from the server: the server's
	 * counters cannot be read after phn_webhook_server_stop, which is
	 * what finishes the requests in progress, and the summary must
	 * include those. Deliveries only (events and refusals; not
	 * GET /healthz). */
	atomic_uint_least64_t requests, failed;
};

static void log_line(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* ---- options ------------------------------------------------------------ */

/* A whole decimal number in [lo, hi]; -1 if s is not one. */
static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "1048576", "512K", "1M" (K/KB/KiB, M/MB/MiB: powers of 1024). */
static int parse_size(const char *s, unsigned long *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (mul > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0 || strcmp(end, "b") == 0))
		end += strlen(end);
	if (*end || v > (64ull << 20) / mul)
		return -1;
	v *= mul;
	if (v < 1024 || v > (64ull << 20))
		return -1;
	*out = (unsigned long)v;
	return 0;
}

static int bad_value(const char *opt, const char *what)
{
	return cli_usage_error("webhook", "%s takes %s", opt, what);
}

/* "--secret VALUE" / "--secret=VALUE" get their own message (before the
 * abbreviation check would call it an abbreviation of --secret-file), and
 * never show the value. */
static int refuse_secret_option(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		size_t n;

		if (strcmp(w, "--") == 0)
			break;
		if (strncmp(w, "--", 2) != 0)
			continue;
		n = strcspn(w + 2, "=");
		if (n == 6 && strncmp(w + 2, "secret", 6) == 0)
			return cli_usage_error("webhook", "there is no --secret option: a secret on the "
					       "command line shows in ps and shell history; set $%s or "
					       "use --secret-file FILE", WEBHOOK_ENV_SECRET);
	}
	return PHN_EXIT_OK;
}

static int parse_args(struct webhook_args *a, int argc, char **argv, int *done)
{
	static const char shortopts[] = ":qh";
	int c, rc;

	memset(a, 0, sizeof *a);
	a->listen = "127.0.0.1:8787";
	a->path = "/webhooks/calls";
	a->tolerance = 300;
	a->max_body = 1024 * 1024;
	a->idle = 30;
	a->deadline = 10;
	a->max_conn = 256;
	*done = 0;
	opterr = 0;
	optind = 1;
	if ((rc = refuse_secret_option(argc, argv)) != PHN_EXIT_OK)
		return rc;
	if ((rc = cli_refuse_abbreviations("webhook", argc, argv, webhook_options, shortopts)) !=
	    PHN_EXIT_OK)
		return rc;
	while ((c = getopt_long(argc, argv, shortopts, webhook_options, NULL)) != -1) {
		switch (c) {
		case 'h':
		case OPT_HELP:
			fputs(webhook_help, stdout);
			*done = 1;
			return PHN_EXIT_OK;
		case 'q':
		case OPT_QUIET: a->quiet = 1; break;
		case OPT_JOURNAL: a->journal = optarg; break;
		case OPT_LISTEN: a->listen = optarg; break;
		case OPT_PATH: a->path = optarg; break;
		case OPT_SECRET_FILE: a->secret_file = optarg; break;
		case OPT_TLS_CERT: a->tls_cert = optarg; break;
		case OPT_TLS_KEY: a->tls_key = optarg; break;
		case OPT_READY: a->ready_file = optarg; break;
		case OPT_TOLERANCE:
			if (parse_ulong(optarg, 1, 86400, &a->tolerance))
				return bad_value("--tolerance", "whole seconds from 1 to 86400");
			break;
		case OPT_MAX_BODY:
			if (parse_size(optarg, &a->max_body))
				return bad_value("--max-body", "a size from 1K to 64M (bytes, or with a "
						 "K or M suffix)");
			break;
		case OPT_IDLE:
			if (parse_ulong(optarg, 1, 3600, &a->idle))
				return bad_value("--idle-timeout", "whole seconds from 1 to 3600");
			break;
		case OPT_DEADLINE:
			if (parse_ulong(optarg, 1, 3600, &a->deadline))
				return bad_value("--request-deadline", "whole seconds from 1 to 3600");
			break;
		case OPT_MAX_CONN:
			if (parse_ulong(optarg, 1, 10000, &a->max_conn))
				return bad_value("--max-connections", "a number from 1 to 10000");
			break;
		default:
			/* A short option (optopt < 256, not 0) is named from optopt:
			 * inside a cluster getopt has not moved past it, and
			 * argv[optind - 1] may be the argument before (a secret
			 * pasted there). A long one (optopt its value, >= 256, or
			 * 0 when unknown) is argv[optind - 1], named without its
			 * value. */
			if (optopt != 0 && optopt < 256) { /* glibc: a byte >= 0x80 is negative */
				if (optopt < 0x21 || optopt > 0x7e)
					return cli_usage_error("webhook", "unknown option character");
				if (c == ':')
					return cli_usage_error("webhook", "option '-%c' needs an argument",
							       optopt);
				return cli_usage_error("webhook", "unknown option '-%c'", optopt);
			}
			if (c == ':')
				return cli_usage_error("webhook", "option '%.*s' needs an argument",
						       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			if (optopt)
				return cli_usage_error("webhook", "option '%.*s' takes no value",
						       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			return cli_usage_error("webhook", "unknown option '%.*s'",
					       (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
		}
	}
	/* Not quoted: a secret pasted as an operand must not be echoed. */
	if (optind < argc)
		return cli_usage_error("webhook", "no operands are taken (the journal is given "
				       "with --journal FILE; the secret never on the command line)");
	if (!a->journal)
		return cli_usage_error("webhook", "give the campaign's journal: --journal CAMPAIGN.db");
	if (!*a->journal)
		return cli_usage_error("webhook", "--journal takes a file name");
	if (!!a->tls_cert != !!a->tls_key)
		return cli_usage_error("webhook", "--tls-cert and --tls-key go together");
	if (a->ready_file && !*a->ready_file)
		return cli_usage_error("webhook", "--ready-file takes a file name");
	if (a->tls_cert && (access(a->tls_cert, R_OK) != 0 || access(a->tls_key, R_OK) != 0)) {
		const char *f = access(a->tls_cert, R_OK) != 0 ? a->tls_cert : a->tls_key;

		return cli_usage_error("webhook", "cannot read the TLS file '%s': %s", f,
				       strerror(errno));
	}
	return PHN_EXIT_OK;
}

/* ---- the secret --------------------------------------------------------- */

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* The secret file's contents (NUL-terminated, the caller wipes and frees),
 * or NULL after saying why: without the contents, and without the path
 * (as for a token file: a secret typed where the path goes stays unseen). */
static char *read_secret_file(const char *path)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_line("cannot read the --secret-file: %s", strerror(errno));
		return NULL;
	}
	/* st is only set when fstat succeeds: test it only then. */
	if (fstat(fd, &st) != 0) {
		int e = errno;

		log_line("cannot read the --secret-file: %s", strerror(e));
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		log_line("the --secret-file is a directory");
		close(fd);
		return NULL;
	}
	/* As ssh does for a private key, but only a warning: a secret others
	 * on the machine can read is no longer a secret. */
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		fprintf(stderr, "phonenorm webhook: warning: the secret file is accessible by group "
			"or others (mode %04o): chmod 600 it\n", (unsigned int)(st.st_mode & 07777));
	if (!(buf = malloc(SECRET_FILE_MAX + 1))) {
		log_line("out of memory");
		close(fd);
		return NULL;
	}
	for (;;) {
		n = read(fd, buf + len, SECRET_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > SECRET_FILE_MAX)
			break;
	}
	close(fd);
	if (n < 0 || len > SECRET_FILE_MAX) {
		if (n < 0)
			log_line("cannot read the --secret-file: %s", strerror(errno));
		else
			log_line("the --secret-file is larger than %d KiB: not a secret file",
				 SECRET_FILE_MAX / 1024);
		wipe(buf, len < SECRET_FILE_MAX + 1 ? len : SECRET_FILE_MAX + 1);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* The signing secrets from --secret-file, else the environment; exit 4
 * (after saying why) when there are none or they do not parse. */
static int load_secrets(phn_webhook_secrets **out, const struct webhook_args *a)
{
	const char *env = getenv(WEBHOOK_ENV_SECRET);
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (a->secret_file) {
		if (!(text = read_secret_file(a->secret_file)))
			return WEBHOOK_EXIT_SECRET;
	} else if (env && *env) {
		if (!(text = strdup(env))) {
			log_line("out of memory");
			return WEBHOOK_EXIT_SECRET;
		}
	} else {
		log_line("no signing secret: set $%s or give --secret-file FILE (the "
			  "endpoint's whsec_... secret from the provider's dashboard)", WEBHOOK_ENV_SECRET);
		return WEBHOOK_EXIT_SECRET;
	}
	/* Nothing this process starts needs it (it has no children, but a
	 * debugger or a crash report reading the environment is spared). */
	if (env)
		unsetenv(WEBHOOK_ENV_SECRET);
	len = strlen(text);
	rc = phn_webhook_secrets_parse(out, text);
	wipe(text, len);
	free(text);
	if (rc != PHN_OK) {
		/* The library's message never holds the secret. */
		log_line("the signing secret %s is not usable: %s",
			  a->secret_file ? "in --secret-file" : "in $" WEBHOOK_ENV_SECRET,
			  phn_error_last());
		*out = NULL;
		return WEBHOOK_EXIT_SECRET;
	}
	return PHN_EXIT_OK;
}

/* ---- the server's callbacks ------------------------------------------- */

/* "phonenorm webhook: <message>" to stderr in one write, so lines from
 * several threads never interleave. The text is escaped (it may quote a
 * file name or a server's message). */
static void log_line(const char *fmt, ...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	va_list ap;

	if (!(m = open_memstream(&buf, &len)))
		return;
	fputs("phonenorm webhook: ", m);
	va_start(ap, fmt);
	cli_escape_vprintf(m, fmt, ap);
	va_end(ap);
	fputc('\n', m);
	if (fclose(m) == 0 && buf)
		fwrite(buf, 1, len, stderr);
	free(buf);
}

static int on_event(void *payload, const phn_webhook_event *ev)
{
	struct webhook_ctx *ctx = payload;

	int rc;

	/* A failure answers 503 (the sender retries); the server logs it. */
	rc = phn_campaign_receiver_record(ctx->rc, ev->svix_id, ev->timestamp_s, ev->body,
					  ev->body_len, ev->received_ms, NULL);
	atomic_fetch_add(&ctx->requests, 1);
	if (rc != 0)
		atomic_fetch_add(&ctx->failed, 1);
	return rc;
}

static void on_refusal(void *payload, int http_status, const char *reason)
{
	struct webhook_ctx *ctx = payload;

	phn_campaign_receiver_refused(ctx->rc, reason);
	atomic_fetch_add(&ctx->requests, 1);
	if (ctx->quiet)
		return;
	if (http_status)
		log_line("refused a delivery: HTTP %d (%s)", http_status, reason);
	else
		log_line("dropped a connection (%s)", reason);
}

/* ---- listening ---------------------------------------------------------- */

/* The host part of HOST:PORT / [V6]:PORT, in dst. */
static void listen_host(char *dst, size_t cap, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, listen, n);
	dst[n] = '\0';
}

static int is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
	       strcmp(host, "localhost") == 0;
}

/* PORT and a newline in path, written whole: a temporary file beside it,
 * renamed into place (a reader never sees half of it). */
static int write_ready_file(const char *path, int port)
{
	char *tmp;
	size_t n = strlen(path) + 32;
	FILE *f;
	int ok;

	if (!(tmp = malloc(n)))
		return -1;
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w"))) {
		log_line("cannot write the ready file '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	ok = fprintf(f, "%d\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		log_line("cannot write the ready file '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int exit_for_start_error(int rc)
{
	switch (rc) {
	case PHN_EIO: return WEBHOOK_EXIT_LISTEN;
	case PHN_ENOMEM: return WEBHOOK_EXIT_LISTEN;
	default: return PHN_EXIT_USAGE; /* bad address or options, TLS files, no TLS */
	}
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* After the first signal, a second one ends the process at once: every
 * event answered 200 is already durable, nothing acknowledged is lost. */
static void on_second_signal(int sig)
{
	_exit(128 + sig);
}

static void print_summary(int sig, const phn_receiver_stats *s, struct webhook_ctx *ctx)
{
	fprintf(stderr, "phonenorm webhook: stopped by %s: %" PRIu64 " events recorded (%" PRIu64
		" applied, %" PRIu64 " superseded, %" PRIu64 " orphans, %" PRIu64 " other types), %"
		PRIu64 " duplicates, %" PRIu64 " refused; %" PRIu64 " requests, %" PRIu64
		" failed (503)\n", signal_name(sig), s->events, s->applied, s->superseded, s->orphans,
		s->other_types, s->duplicates, s->refused, (uint64_t)atomic_load(&ctx->requests),
		(uint64_t)atomic_load(&ctx->failed));
}

int cli_cmd_webhook(int argc, char **argv)
{
	struct webhook_args a;
	struct webhook_ctx ctx = { NULL, 0, 0, 0 };
	phn_webhook_secrets *secrets = NULL;
	phn_webhook_server_options o = PHN_WEBHOOK_SERVER_OPTIONS_INIT;
	phn_webhook_server *srv = NULL;
	phn_receiver_stats rs = PHN_RECEIVER_STATS_INIT;
	struct stat st;
	struct sigaction sa;
	sigset_t set;
	char host[256], listen[300];
	int done, rc, status, port, sig = 0;

	if ((status = parse_args(&a, argc, argv, &done)) != PHN_EXIT_OK || done)
		return status;
	/* SIGINT and SIGTERM are taken by sigwait() below: blocked now, before
	 * any thread exists (the receiver's writer, the server's), so that
	 * every thread inherits the mask and the signal can only come to
	 * sigwait. One that arrives while starting waits there. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((status = load_secrets(&secrets, &a)) != PHN_EXIT_OK)
		return status;
	ctx.quiet = a.quiet;

	/* The journal must exist: the receiver never creates one (a typo
	 * would otherwise collect results no report ever finds). */
	if (stat(a.journal, &st) != 0) {
		if (errno == ENOENT)
			log_line("journal '%s' does not exist: run 'phonenorm dial --live "
				  "--journal %s' first (it creates the journal)", a.journal, a.journal);
		else
			log_line("journal '%s': %s", a.journal, strerror(errno));
		status = PHN_EXIT_USAGE;
		goto out;
	}
	if ((rc = phn_campaign_receiver_open(&ctx.rc, a.journal)) != PHN_OK) {
		log_line("%s", phn_error_last());
		status = PHN_EXIT_USAGE;
		goto out;
	}

	o.listen = a.listen;
	o.path = a.path;
	o.secrets = secrets;
	o.tolerance_s = (int64_t)a.tolerance;
	o.max_body = a.max_body;
	o.idle_timeout_s = (unsigned int)a.idle;
	o.request_deadline_s = (unsigned int)a.deadline;
	o.max_connections = (unsigned int)a.max_conn;
	o.tls_cert_file = a.tls_cert;
	o.tls_key_file = a.tls_key;
	o.on_event = on_event;
	o.on_refusal = on_refusal;
	o.payload = &ctx;
	if ((rc = phn_webhook_server_start(&srv, &o)) != PHN_OK) {
		log_line("%s", phn_error_last());
		status = exit_for_start_error(rc);
		goto out;
	}
	port = phn_webhook_server_port(srv);
	listen_host(host, sizeof host, a.listen);
	snprintf(listen, sizeof listen, "%s:%d", host, port);
	/* The server's threads may log already: each line in one write. */
	log_line("listening on %s://%s%s (journal %s)", a.tls_cert ? "https" : "http", listen,
		 a.path, a.journal);
	if (!a.tls_cert && !is_loopback(host))
		log_line("warning: listening on %s without TLS: the call API sends only to HTTPS; "
			 "put this behind an HTTPS reverse proxy (see the README) or give "
			 "--tls-cert/--tls-key", host);
	if (a.ready_file && write_ready_file(a.ready_file, port) != 0) {
		status = PHN_EXIT_USAGE;
		goto out;
	}

	while (sigwait(&set, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
		;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_second_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (!a.quiet)
		log_line("%s: stopping (the requests in progress finish)", signal_name(sig));
	/* The stop returns once the requests in progress are answered: the
	 * counts read after it include them. */
	phn_webhook_server_stop(srv);
	srv = NULL;
	phn_campaign_receiver_stats(&rs, ctx.rc);
	status = PHN_EXIT_OK;
out:
	phn_webhook_server_stop(srv);
	phn_campaign_receiver_close(ctx.rc);
	phn_webhook_secrets_free(secrets);
	if (sig)
		print_summary(sig, &rs, &ctx);
	return status;
}
