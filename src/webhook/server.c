/*
 * The webhook HTTP server on libmicrohttpd: one thread per connection (a
 * handler may block on a group commit), every delivery verified on its raw
 * bytes before anything looks at them, a body cap that never stores more
 * than the cap (see DRAIN_FACTOR), and a watchdog that drops connections
 * whose request does not arrive in time (libmicrohttpd's own timeout only
 * counts idle time, which one byte a second defeats).
 */
#define _POSIX_C_SOURCE 200809L

#include "webhook/webhook_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "text/error.h"
#include "text/text.h"

#define DEFAULT_LISTEN "127.0.0.1:8787"
#define DEFAULT_PATH "/webhooks/calls"
#define DEFAULT_MAX_BODY (1024u * 1024u)
#define DEFAULT_IDLE_S 30u
#define DEFAULT_DEADLINE_S 10u
#define DEFAULT_MAX_CONNECTIONS 256u
/* Request line and headers live in libmicrohttpd's per-connection pool: a
 * request whose headers do not fit is answered 431 by libmicrohttpd. */
#define CONNECTION_MEMORY (32u * 1024u)
#define RETRY_AFTER_S "5"
#define WATCHDOG_TICK_MS 100
#define TLS_FILE_MAX (1024 * 1024)
#define BODY_PREALLOC (64u * 1024u)
/*
 * A body over the cap is never stored, and mostly never read: a declared
 * length over twice the cap, or any over the cap with "Expect:
 * 100-continue", is answered 413 right after the headers and the
 * connection closed (libmicrohttpd shuts the socket in both directions, so
 * a sender still writing gets a reset). A body only somewhat over the cap
 * (up to twice) is read and thrown away first, so that a sender that writes
 * its whole body before reading (most HTTP libraries) sees its 413.
 */
#define DRAIN_FACTOR 2u
/* How long stop waits for the answers of requests in progress. */
#define STOP_GRACE_S 30
/* 413 (libmicrohttpd renames the constant between versions) */
#define HTTP_TOO_LARGE 413u

/* A connection, from accept to close: what the watchdog needs. */
struct conn {
	struct conn *prev, *next;
	/* A duplicate of the connection's socket: shutting it down ends the
	 * connection, and it cannot be reused for another file while we hold
	 * it, whatever libmicrohttpd does with its own descriptor. */
	int fd;
	int64_t deadline_ms;  /* monotonic; 0: none (a complete request is being answered) */
	int in_request;       /* a request line arrived, not answered yet */
	int handled;          /* the access handler saw the current request */
	int dropped;          /* shut down by the watchdog */
};

enum route { ROUTE_EVENT, ROUTE_HEALTH, ROUTE_OTHER };

/* One request (libmicrohttpd's con_cls). */
struct req {
	struct conn *conn;
	enum route route;
	int refused;  /* a response was queued before the body arrived */
	int busy;     /* complete: counted in the server's busy */
	int discard;  /* over the cap: the rest is read and thrown away, then 413 */
	size_t discarded;
	char *body;
	size_t len, cap;
};

struct phn_webhook_server {
	struct MHD_Daemon *mhd;
	const phn_webhook_secrets *secrets;
	char *path;
	int64_t tolerance_s;
	size_t max_body;
	int64_t idle_ms, deadline_ms;
	phn_webhook_handler on_event;
	phn_webhook_refusal_cb on_refusal;
	void *payload;
	int port;
	char *tls_cert, *tls_key;
	size_t tls_key_len;

	pthread_mutex_t lock; /* conns, stopping, start_err */
	pthread_cond_t wake;  /* the watchdog's */
	pthread_cond_t idle;  /* busy went to 0 */
	struct conn *conns;
	unsigned int busy;    /* complete requests being answered */
	int stopping;
	pthread_t watchdog;
	int watchdog_started;
	int starting;
	char start_err[256];

	atomic_uint_least64_t requests, accepted, refused, failed;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (p && n--)
		*v++ = 0;
}

/* ---- responses ---------------------------------------------------------- */

/* Error bodies are static text: nothing of the request is ever echoed. */
static enum MHD_Result send_static(struct MHD_Connection *c, unsigned int status,
				   const char *body, const char *ctype, const char *hname,
				   const char *hvalue)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	/* A sender of an oversized body gets no second request on it. */
	if (status == HTTP_TOO_LARGE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static void count_refusal(phn_webhook_server *srv, int status, const char *reason)
{
	atomic_fetch_add(&srv->requests, 1);
	atomic_fetch_add(&srv->refused, 1);
	if (srv->on_refusal)
		srv->on_refusal(srv->payload, status, reason);
}

/* The JSON error bodies, one per reason. */
static const char *error_body(const char *reason)
{
	static const struct {
		const char *reason, *body;
	} bodies[] = {
		{ "missing_header", "{\"error\":\"missing_header\"}\n" },
		{ "bad_timestamp", "{\"error\":\"bad_timestamp\"}\n" },
		{ "stale_timestamp", "{\"error\":\"stale_timestamp\"}\n" },
		{ "future_timestamp", "{\"error\":\"future_timestamp\"}\n" },
		{ "bad_signature", "{\"error\":\"bad_signature\"}\n" },
		{ "not_json", "{\"error\":\"not_json\"}\n" },
		{ "not_utf8", "{\"error\":\"not_utf8\"}\n" },
		{ "too_large", "{\"error\":\"too_large\"}\n" },
		{ "not_found", "{\"error\":\"not_found\"}\n" },
		{ "method_not_allowed", "{\"error\":\"method_not_allowed\"}\n" },
		{ "unsupported_media", "{\"error\":\"unsupported_media\"}\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		if (strcmp(bodies[i].reason, reason) == 0)
			return bodies[i].body;
	return "{\"error\":\"refused\"}\n";
}

static enum MHD_Result refuse(phn_webhook_server *srv, struct MHD_Connection *c, struct req *rq,
			      unsigned int status, const char *reason, const char *allow)
{
	if (rq)
		rq->refused = 1;
	count_refusal(srv, (int)status, reason);
	return send_static(c, status, error_body(reason), "application/json",
			   allow ? MHD_HTTP_HEADER_ALLOW : NULL, allow);
}

/* ---- connection tracking (the request deadline) -------------------------- */

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? (struct conn *)ci->socket_context : NULL;
}

/* A complete request is being answered: no deadline while the handler
 * runs, and stop waits for its answer to go out. */
static void request_complete(phn_webhook_server *srv, struct req *rq)
{
	pthread_mutex_lock(&srv->lock);
	if (rq->conn)
		rq->conn->deadline_ms = 0;
	if (!rq->busy) {
		rq->busy = 1;
		srv->busy++;
	}
	pthread_mutex_unlock(&srv->lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	phn_webhook_server *srv = cls;
	struct conn *cn;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		*socket_context = NULL;
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return; /* served, without a deadline: better than refusing */
		cn->fd = ci ? fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0) : -1;
		cn->deadline_ms = mono_ms() + srv->deadline_ms;
		pthread_mutex_lock(&srv->lock);
		cn->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = cn;
		srv->conns = cn;
		pthread_mutex_unlock(&srv->lock);
		*socket_context = cn;
		return;
	}

	/* MHD_CONNECTION_NOTIFY_CLOSED */
	cn = *socket_context;
	if (!cn)
		return;
	*socket_context = NULL;
	pthread_mutex_lock(&srv->lock);
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		srv->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	pthread_mutex_unlock(&srv->lock);
	if (cn->fd >= 0)
		close(cn->fd);
	free(cn);
}

/* A request line arrived: the request's deadline runs from the connection's
 * start for the first request, from this moment for a later one. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	phn_webhook_server *srv = cls;
	struct conn *cn = conn_of(c);

	(void)uri;
	if (cn) {
		int64_t d = mono_ms() + srv->deadline_ms;

		pthread_mutex_lock(&srv->lock);
		cn->in_request = 1;
		cn->handled = 0;
		if (!cn->deadline_ms || d < cn->deadline_ms)
			cn->deadline_ms = d;
		pthread_mutex_unlock(&srv->lock);
	}
	return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	phn_webhook_server *srv = cls;
	struct req *rq = *con_cls;
	struct conn *cn = rq ? rq->conn : conn_of(c);

	(void)toe;
	/* A request libmicrohttpd answered on its own, before our handler saw
	 * it: headers that do not fit its pool (431), a malformed request. */
	if (!rq && cn) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
		unsigned int status = ci ? ci->http_status : 0;
		int report;

		pthread_mutex_lock(&srv->lock);
		report = cn->in_request && !cn->handled && !cn->dropped;
		pthread_mutex_unlock(&srv->lock);
		if (report && status == MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE)
			count_refusal(srv, (int)status, "too_many_headers");
		else if (report && (status == HTTP_TOO_LARGE || status == MHD_HTTP_URI_TOO_LONG))
			count_refusal(srv, (int)status, "too_large");
		else if (report && status >= 400)
			count_refusal(srv, (int)status, "bad_request");
	}
	if (rq) {
		if (rq->busy) {
			pthread_mutex_lock(&srv->lock);
			if (--srv->busy == 0)
				pthread_cond_broadcast(&srv->idle);
			pthread_mutex_unlock(&srv->lock);
		}
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
	if (cn) {
		/* Kept alive: the next request has the idle timeout to start
		 * and then the deadline (tightened when its request line comes). */
		pthread_mutex_lock(&srv->lock);
		cn->in_request = 0;
		cn->handled = 0;
		cn->deadline_ms = mono_ms() + srv->idle_ms + srv->deadline_ms;
		pthread_mutex_unlock(&srv->lock);
	}
}

static void *watchdog_main(void *arg)
{
	phn_webhook_server *srv = arg;
	struct timespec until;

	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping) {
		int64_t now = mono_ms();
		unsigned int dropped = 0;
		struct conn *cn;

		for (cn = srv->conns; cn; cn = cn->next) {
			if (cn->dropped || cn->fd < 0 || !cn->deadline_ms || now < cn->deadline_ms)
				continue;
			cn->dropped = 1;
			shutdown(cn->fd, SHUT_RDWR);
			dropped++;
		}
		if (dropped) {
			pthread_mutex_unlock(&srv->lock);
			while (dropped--)
				count_refusal(srv, 0, "header_deadline");
			pthread_mutex_lock(&srv->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WATCHDOG_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* ---- the request ---------------------------------------------------------- */

static enum MHD_Result finish_event(phn_webhook_server *srv, struct MHD_Connection *c,
				    struct req *rq)
{
	const char *id, *ts, *sig;
	phn_webhook_verdict verdict;
	phn_webhook_event ev;
	static const char empty[] = "";
	const char *body = rq->body ? rq->body : empty;
	const char *bad;
	int64_t received = wall_ms();
	int rc;

	request_complete(srv, rq);
	id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "svix-id");
	ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "svix-timestamp");
	sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "svix-signature");
	/* The raw bytes, before anything parses them. */
	verdict = phn_webhook_verify(srv->secrets, id, ts, sig, body, rq->len, received / 1000,
				     srv->tolerance_s);
	if (verdict != PHN_WEBHOOK_OK)
		return refuse(srv, c, rq, MHD_HTTP_UNAUTHORIZED, phn_webhook_verdict_name(verdict),
			      NULL);
	if ((bad = phn_webhook__body_refusal(body, rq->len)) != NULL)
		return refuse(srv, c, rq, MHD_HTTP_BAD_REQUEST, bad, NULL);

	memset(&ev, 0, sizeof(ev));
	ev.svix_id = id;
	/* verify accepted it: a decimal integer that fits */
	ev.timestamp_s = strtoll(ts, NULL, 10);
	ev.body = body;
	ev.body_len = rq->len;
	ev.received_ms = received;
	rc = srv->on_event(srv->payload, &ev);
	atomic_fetch_add(&srv->requests, 1);
	if (rc == 0) {
		atomic_fetch_add(&srv->accepted, 1);
		return send_static(c, MHD_HTTP_OK, "{\"ok\":true}\n", "application/json", NULL,
				   NULL);
	}
	atomic_fetch_add(&srv->failed, 1);
	/* The handler's own message when it left one for this failure. */
	fprintf(stderr, "phonenorm webhook: event not stored (answered 503): %s\n",
		phn_error_last_code() == rc && *phn_error_last() ? phn_error_last() :
		phn_strerror(rc));
	return send_static(c, MHD_HTTP_SERVICE_UNAVAILABLE, "{\"error\":\"unavailable\"}\n",
			   "application/json", MHD_HTTP_HEADER_RETRY_AFTER, RETRY_AFTER_S);
}

static int expects_continue(struct MHD_Connection *c)
{
	const char *e = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

	return e && phn_text_ascii_casecmp(e, "100-continue") == 0;
}

/* The first call for a request: route it, and refuse what can be refused
 * from the headers alone, before any of the body is read. */
static enum MHD_Result start_request(phn_webhook_server *srv, struct MHD_Connection *c,
				     struct req *rq, const char *url, const char *method)
{
	const char *cl;

	if (strcmp(url, "/healthz") == 0) {
		rq->route = ROUTE_HEALTH;
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return refuse(srv, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
				      "GET, HEAD");
		return MHD_YES;
	}
	if (strcmp(url, srv->path) != 0) {
		rq->route = ROUTE_OTHER;
		return refuse(srv, c, rq, MHD_HTTP_NOT_FOUND, "not_found", NULL);
	}
	rq->route = ROUTE_EVENT;
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return refuse(srv, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "POST");
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == ERANGE || n > (unsigned long long)srv->max_body * DRAIN_FACTOR ||
		    (n > srv->max_body && expects_continue(c)))
			return refuse(srv, c, rq, HTTP_TOO_LARGE, "too_large", NULL);
		if (n > srv->max_body) {
			rq->discard = 1;
			n = 0;
		}
		/* Sized up front for the usual small event; a large declared
		 * length grows as the bytes really arrive. */
		if (n > 0 && end != cl) {
			size_t cap = n < BODY_PREALLOC ? (size_t)n + 1 : BODY_PREALLOC;

			rq->body = malloc(cap);
			if (!rq->body)
				return MHD_NO;
			rq->cap = cap;
		}
	}
	if (!phn_webhook__is_json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_TYPE)))
		return refuse(srv, c, rq, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media", NULL);
	return MHD_YES;
}

/* Append a piece of the body; 0, or -1 when it would pass the cap. */
static int body_append(phn_webhook_server *srv, struct req *rq, const char *data, size_t n)
{
	if (n > srv->max_body - rq->len)
		return -1;
	if (rq->len + n + 1 > rq->cap) {
		size_t cap = rq->cap ? rq->cap : 4096;
		char *p;

		while (cap < rq->len + n + 1)
			cap *= 2;
		if (cap > srv->max_body + 1)
			cap = srv->max_body + 1;
		p = realloc(rq->body, cap);
		if (!p)
			return -2;
		rq->body = p;
		rq->cap = cap;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	rq->body[rq->len] = '\0';
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	phn_webhook_server *srv = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		rq->conn = conn_of(c);
		if (rq->conn) {
			pthread_mutex_lock(&srv->lock);
			rq->conn->handled = 1;
			pthread_mutex_unlock(&srv->lock);
		}
		return start_request(srv, c, rq, url, method);
	}
	if (rq->refused) {
		/* Answered already; libmicrohttpd closes the connection rather
		 * than read the rest. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		int rc = 0;

		*upload_data_size = 0;
		if (rq->route != ROUTE_EVENT)
			return MHD_YES;
		if (!rq->discard && (rc = body_append(srv, rq, upload_data, n)) == -1) {
			/* No Content-Length (chunked) and past the cap. */
			rq->discard = 1;
			rq->discarded = rq->len;
			free(rq->body);
			rq->body = NULL;
			rq->len = rq->cap = 0;
		} else if (rc < 0) {
			return MHD_NO;
		}
		if (rq->discard) {
			rq->discarded += n;
			if (rq->discarded > srv->max_body * DRAIN_FACTOR) {
				/* Not worth reading on: just close. */
				rq->refused = 1;
				count_refusal(srv, 0, "too_large");
				return MHD_NO;
			}
		}
		return MHD_YES;
	}
	if (rq->discard) {
		request_complete(srv, rq);
		return refuse(srv, c, rq, HTTP_TOO_LARGE, "too_large", NULL);
	}
	if (rq->route == ROUTE_HEALTH) {
		request_complete(srv, rq);
		atomic_fetch_add(&srv->requests, 1);
		return send_static(c, MHD_HTTP_OK, "ok\n", "text/plain; charset=utf-8", NULL, NULL);
	}
	return finish_event(srv, c, rq);
}

/* ---- start and stop ------------------------------------------------------- */

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	phn_webhook_server *srv = cls;

	pthread_mutex_lock(&srv->lock);
	if (srv->starting && !srv->start_err[0]) {
		size_t n;

		vsnprintf(srv->start_err, sizeof(srv->start_err), fmt, ap);
		n = strlen(srv->start_err);
		while (n && (srv->start_err[n - 1] == '\n' || srv->start_err[n - 1] == '.'))
			srv->start_err[--n] = '\0';
	}
	pthread_mutex_unlock(&srv->lock);
}

int phn_webhook_server_options_init(phn_webhook_server_options *opts, unsigned int version)
{
	int rc = phn_error_check_version(opts, version, PHN_WEBHOOK_SERVER_OPTIONS_VERSION,
					 "phn_webhook_server_options");
	phn_webhook_server_options init = PHN_WEBHOOK_SERVER_OPTIONS_INIT;

	if (rc)
		return rc;
	*opts = init;
	opts->version = version;
	return PHN_OK;
}

/*
 * "host:port", "[v6]:port": the host (into host[cap]) and the port. The
 * host is a name or an address for getaddrinfo.
 */
static int parse_listen(const char *addr, char *host, size_t cap, unsigned int *port)
{
	const char *colon, *h = addr, *hend;
	char *end;
	unsigned long p;

	if (addr[0] == '[') {
		hend = strchr(addr, ']');
		if (!hend || hend[1] != ':')
			return phn_error_set(PHN_EINVAL,
					     "webhook server: listen address '%s' is not [IPv6]:PORT",
					     addr);
		h = addr + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return phn_error_set(PHN_EINVAL,
					     "webhook server: listen address '%s' has no :PORT",
					     addr);
		hend = colon;
		if (memchr(addr, ':', (size_t)(colon - addr)))
			return phn_error_set(PHN_EINVAL,
					     "webhook server: listen address '%s': put an IPv6 address in brackets ([::1]:8787)",
					     addr);
	}
	if (hend == h)
		return phn_error_set(PHN_EINVAL, "webhook server: listen address '%s' has no host",
				     addr);
	if ((size_t)(hend - h) >= cap)
		return phn_error_set(PHN_EINVAL, "webhook server: listen host is too long");
	if (colon[1] < '0' || colon[1] > '9')
		return phn_error_set(PHN_EINVAL, "webhook server: listen address '%s' has no valid port",
				     addr);
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (*end || errno || p > 65535)
		return phn_error_set(PHN_EINVAL,
				     "webhook server: port in '%s' is not a number from 0 to 65535",
				     addr);
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	*port = (unsigned int)p;
	return PHN_OK;
}

/* A listening socket on the first address of addr that binds. */
static int open_listener(int *out, int *port, const char *addr)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], portstr[8];
	unsigned int p = 0;
	int rc, gai, fd = -1, err = 0;

	if ((rc = parse_listen(addr, host, sizeof(host), &p)) != 0)
		return rc;
	snprintf(portstr, sizeof(portstr), "%u", p);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0)
		return phn_error_set(PHN_EINVAL, "webhook server: cannot resolve '%s': %s", host,
				     gai_strerror(gai));
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		freeaddrinfo(res);
		return phn_error_set_errno(PHN_EIO, err ? err : EADDRNOTAVAIL,
					   "webhook server: cannot listen on %s", addr);
	}
	{
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		*port = (int)p;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
			if (ss.ss_family == AF_INET)
				*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			else if (ss.ss_family == AF_INET6)
				*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	freeaddrinfo(res);
	*out = fd;
	return PHN_OK;
}

/* A whole small file (a PEM), NUL-terminated. */
static int read_pem(char **out, size_t *len, const char *path, const char *what)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;

	if (!f)
		return phn_error_set_errno(errno == ENOENT ? PHN_ENOTFOUND : PHN_EIO, errno,
					   "webhook server: %s '%s'", what, path);
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > TLS_FILE_MAX) {
		fclose(f);
		return phn_error_set(PHN_EIO, "webhook server: %s '%s' is empty or too large", what,
				     path);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return phn_error_code(PHN_ENOMEM);
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (n != (size_t)st.st_size) {
		wipe(buf, (size_t)st.st_size);
		free(buf);
		return phn_error_set(PHN_EIO, "webhook server: cannot read %s '%s'", what, path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PHN_OK;
}

static void server_free(phn_webhook_server *srv)
{
	if (!srv)
		return;
	free(srv->path);
	free(srv->tls_cert);
	if (srv->tls_key) {
		wipe(srv->tls_key, srv->tls_key_len);
		free(srv->tls_key);
	}
	pthread_cond_destroy(&srv->wake);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

static int check_options(const phn_webhook_server_options *o)
{
	int rc;

	if (!o)
		return phn_error_set(PHN_EINVAL, "phn_webhook_server_start: options are NULL");
	rc = phn_error_check_version(o, o->version, PHN_WEBHOOK_SERVER_OPTIONS_VERSION,
				     "phn_webhook_server_options");
	if (rc)
		return rc;
	if (!o->secrets || phn_webhook_secrets_count(o->secrets) == 0)
		return phn_error_set(PHN_EINVAL, "webhook server: no signing secret");
	if (!o->on_event)
		return phn_error_set(PHN_EINVAL, "webhook server: no event handler");
	if (o->tolerance_s < 0)
		return phn_error_set(PHN_EINVAL, "webhook server: the tolerance must not be negative");
	if (o->max_body > (size_t)1 << 30)
		return phn_error_set(PHN_EINVAL, "webhook server: a body cap over 1 GiB");
	if (o->path) {
		const char *p;

		if (o->path[0] != '/' || strlen(o->path) > 1024)
			return phn_error_set(PHN_EINVAL,
					     "webhook server: the path must start with '/'");
		if (strcmp(o->path, "/healthz") == 0)
			return phn_error_set(PHN_EINVAL,
					     "webhook server: /healthz is the health check, not an event path");
		for (p = o->path; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == 0x7f)
				return phn_error_set(PHN_EINVAL,
						     "webhook server: the path has a space, control character, '?' or '#'");
	}
	if ((o->tls_cert_file == NULL) != (o->tls_key_file == NULL))
		return phn_error_set(PHN_EINVAL,
				     "webhook server: TLS needs both a certificate and a key file");
	if (o->max_connections > 10000)
		return phn_error_set(PHN_EINVAL, "webhook server: at most 10000 connections");
	return PHN_OK;
}

int phn_webhook_server_start(phn_webhook_server **out, const phn_webhook_server_options *opts)
{
	phn_webhook_server *srv;
	const char *addr = DEFAULT_LISTEN;
	unsigned int flags, idle_s, max_conn;
	int rc, fd = -1;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_webhook_server_start: out is NULL");
	*out = NULL;
	if ((rc = check_options(opts)) != 0)
		return rc;
	if (opts->listen)
		addr = opts->listen;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return phn_error_code(PHN_ENOMEM);
	pthread_mutex_init(&srv->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&srv->wake, &ca);
		pthread_cond_init(&srv->idle, &ca);
		pthread_condattr_destroy(&ca);
	}
	srv->secrets = opts->secrets;
	srv->path = phn_text_dup(opts->path ? opts->path : DEFAULT_PATH);
	srv->tolerance_s = opts->tolerance_s ? opts->tolerance_s : 300;
	srv->max_body = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
	idle_s = opts->idle_timeout_s ? opts->idle_timeout_s : DEFAULT_IDLE_S;
	srv->idle_ms = (int64_t)idle_s * 1000;
	srv->deadline_ms = (int64_t)(opts->request_deadline_s ? opts->request_deadline_s :
				     DEFAULT_DEADLINE_S) * 1000;
	max_conn = opts->max_connections ? opts->max_connections : DEFAULT_MAX_CONNECTIONS;
	srv->on_event = opts->on_event;
	srv->on_refusal = opts->on_refusal;
	srv->payload = opts->payload;
	if (!srv->path) {
		server_free(srv);
		return phn_error_code(PHN_ENOMEM);
	}

	flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
		MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (opts->tls_cert_file) {
		size_t cert_len;

		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			server_free(srv);
			return phn_error_set(PHN_EINTERNAL,
					     "webhook server: this libmicrohttpd was built without TLS; serve HTTP on loopback behind an HTTPS reverse proxy");
		}
		rc = read_pem(&srv->tls_cert, &cert_len, opts->tls_cert_file, "TLS certificate");
		if (!rc)
			rc = read_pem(&srv->tls_key, &srv->tls_key_len, opts->tls_key_file,
				      "TLS key");
		if (rc) {
			server_free(srv);
			return rc;
		}
		flags |= MHD_USE_TLS;
	}

	if ((rc = open_listener(&fd, &srv->port, addr)) != 0) {
		server_free(srv);
		return rc;
	}

	/* The TLS options go in an option array, so one start serves both:
	 * without TLS the array is only its end. */
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	srv->starting = 1;
	srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, /* first: see its doc */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_CONNECTION_LIMIT, max_conn,
		MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_ARRAY, srv->tls_cert ? tls : tls + 2,
		MHD_OPTION_END);
	pthread_mutex_lock(&srv->lock);
	srv->starting = 0;
	pthread_mutex_unlock(&srv->lock);
	if (!srv->mhd) {
		close(fd);
		rc = phn_error_set(srv->tls_cert ? PHN_EINVAL : PHN_EINTERNAL,
				   "webhook server: libmicrohttpd cannot start on %s%s%s", addr,
				   srv->start_err[0] ? ": " : "", srv->start_err);
		server_free(srv);
		return rc;
	}
	if (pthread_create(&srv->watchdog, NULL, watchdog_main, srv) != 0) {
		MHD_stop_daemon(srv->mhd);
		server_free(srv);
		return phn_error_set(PHN_EINTERNAL, "webhook server: cannot start a thread");
	}
	srv->watchdog_started = 1;
	*out = srv;
	return PHN_OK;
}

int phn_webhook_server_port(const phn_webhook_server *srv)
{
	return srv ? srv->port : 0;
}

int phn_webhook_server_stats_get(phn_webhook_server_stats *out, const phn_webhook_server *srv)
{
	int rc;
	phn_webhook_server *s = (phn_webhook_server *)srv;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_webhook_server_stats_get: out is NULL");
	rc = phn_error_check_version(out, out->version, PHN_WEBHOOK_SERVER_STATS_VERSION,
				     "phn_webhook_server_stats");
	if (rc)
		return rc;
	if (!srv)
		return phn_error_set(PHN_EINVAL, "phn_webhook_server_stats_get: server is NULL");
	out->requests = atomic_load(&s->requests);
	out->accepted = atomic_load(&s->accepted);
	out->refused = atomic_load(&s->refused);
	out->failed = atomic_load(&s->failed);
	return PHN_OK;
}

void phn_webhook_server_stop(phn_webhook_server *srv)
{
	MHD_socket lfd;
	struct timespec until;

	if (!srv)
		return;
	/* No new connections; then the answers of complete requests go out
	 * (their handlers may be in a group commit) before every connection
	 * is shut. MHD_stop_daemon waits for the connection threads. The
	 * watchdog runs until then, so a stuck client cannot hold up the stop
	 * past its deadline. */
	lfd = MHD_quiesce_daemon(srv->mhd);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += STOP_GRACE_S;
	pthread_mutex_lock(&srv->lock);
	while (srv->busy > 0)
		if (pthread_cond_timedwait(&srv->idle, &srv->lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&srv->lock);
	MHD_stop_daemon(srv->mhd);
	if (srv->watchdog_started) {
		pthread_mutex_lock(&srv->lock);
		srv->stopping = 1;
		pthread_cond_signal(&srv->wake);
		pthread_mutex_unlock(&srv->lock);
		pthread_join(srv->watchdog, NULL);
	}
	server_free(srv);
}
