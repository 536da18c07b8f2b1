/*
 * The webhook HTTP server through the public API (phonenorm/webhook.h): a
 * server on 127.0.0.1:0 with an in-memory handler, spoken to over raw
 * sockets so that each request is exactly what the test says (a slowloris
 * drip, 10,000 headers, a 10 MB body that is never sent in full). Every
 * route and status, the refusal callback's reasons, handler failure, the
 * request deadline, concurrency, stop with a handler in progress, and the
 * start options (listen addresses, TLS files), HTTPS, the connection
 * limit and the idle timeout.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check.h"
#include "phonenorm.h"
#include "phonenorm/webhook.h"

#define SECRET "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
#define PATH "/webhooks/calls"

/* ---- the in-memory handler -------------------------------------------- */

struct sink {
	pthread_mutex_t lock;
	unsigned int events;
	char last_id[128];
	int64_t last_ts;
	char *last_body;
	size_t last_len;
	int fail;            /* return PHN_EIO */
	unsigned int sleep_ms;
	int in_handler;      /* set while a handler runs */
	unsigned int refusals;
	char reasons[4096];  /* "status:reason " appended */
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int on_event(void *payload, const phn_webhook_event *ev)
{
	struct sink *s = payload;
	int fail;

	pthread_mutex_lock(&s->lock);
	s->in_handler++;
	fail = s->fail;
	pthread_mutex_unlock(&s->lock);
	if (s->sleep_ms)
		sleep_ms(s->sleep_ms);
	pthread_mutex_lock(&s->lock);
	s->in_handler--;
	if (!fail) {
		s->events++;
		snprintf(s->last_id, sizeof(s->last_id), "%s", ev->svix_id);
		s->last_ts = ev->timestamp_s;
		free(s->last_body);
		s->last_body = malloc(ev->body_len + 1);
		memcpy(s->last_body, ev->body, ev->body_len + 1);
		s->last_len = ev->body_len;
	}
	pthread_mutex_unlock(&s->lock);
	if (fail) {
		/* what a failing journal does: an error message on this thread */
		phn_webhook_secrets *x = NULL;

		phn_webhook_secrets_parse(&x, "whsec_!"); /* sets phn_error_last() */
		return PHN_EIO;
	}
	return 0;
}

static void on_refusal(void *payload, int status, const char *reason)
{
	struct sink *s = payload;
	size_t n;

	pthread_mutex_lock(&s->lock);
	s->refusals++;
	n = strlen(s->reasons);
	if (n + 64 < sizeof(s->reasons))
		snprintf(s->reasons + n, sizeof(s->reasons) - n, "%d:%s ", status, reason);
	pthread_mutex_unlock(&s->lock);
}

static int has_reason(struct sink *s, const char *what)
{
	int yes;

	pthread_mutex_lock(&s->lock);
	yes = strstr(s->reasons, what) != NULL;
	pthread_mutex_unlock(&s->lock);
	return yes;
}

/* ---- raw HTTP ----------------------------------------------------------- */

static int dial(int port)
{
	struct sockaddr_in a;
	struct timeval tv = { 15, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = send(fd, c, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read until the peer closes (requests say Connection: close). */
static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);

		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return n;
}

static int status_of(const char *resp)
{
	int st = 0;

	if (sscanf(resp, "HTTP/1.%*d %d", &st) != 1)
		return 0;
	return st;
}

struct resp {
	int status;
	char text[8192];
};

/* One request on a fresh connection. */
static void http(struct resp *r, int port, const char *head, const void *body, size_t len)
{
	int fd = dial(port);

	r->status = 0;
	r->text[0] = '\0';
	if (fd < 0)
		return;
	if (send_all(fd, head, strlen(head)) == 0 && (len == 0 || send_all(fd, body, len) == 0))
		read_all(fd, r->text, sizeof(r->text));
	close(fd);
	r->status = status_of(r->text);
}

/* A signed POST of body to path, with extra header lines (each "\r\n"
 * terminated) and the timestamp offset from now. */
static void post_signed(struct resp *r, int port, const phn_webhook_secrets *sec, const char *id,
			const char *body, size_t len, const char *ctype, const char *extra,
			int64_t ts_offset)
{
	char sig[PHN_WEBHOOK_SIGNATURE_MAX], head[2048];
	int64_t ts = (int64_t)time(NULL) + ts_offset;

	phn_webhook_sign(sec, id, ts, body, len, sig, sizeof(sig));
	snprintf(head, sizeof(head),
		 "POST " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s%s%s"
		 "svix-id: %s\r\nsvix-timestamp: %lld\r\nsvix-signature: %s\r\n%s"
		 "Content-Length: %zu\r\n\r\n",
		 ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "", id,
		 (long long)ts, sig, extra ? extra : "", len);
	http(r, port, head, body, len);
}

static phn_webhook_server *start(struct sink *s, const phn_webhook_secrets *sec,
				 unsigned int deadline_s, size_t max_body)
{
	phn_webhook_server_options o = PHN_WEBHOOK_SERVER_OPTIONS_INIT;
	phn_webhook_server *srv = NULL;
	int rc;

	o.listen = "127.0.0.1:0";
	o.secrets = sec;
	o.on_event = on_event;
	o.on_refusal = on_refusal;
	o.payload = s;
	o.request_deadline_s = deadline_s;
	o.max_body = max_body;
	rc = phn_webhook_server_start(&srv, &o);
	CHECK_MSG(rc == PHN_OK, "start: %s", phn_error_last());
	if (srv)
		CHECK(phn_webhook_server_port(srv) > 0);
	return srv;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_routes(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server *srv = start(&s, sec, 0, 0);
	phn_webhook_server_stats st = PHN_WEBHOOK_SERVER_STATS_INIT;
	struct resp r;
	const char *ok = "{\"type\":\"phone_call.ended\",\"deliveryStatus\":\"pass\",\"x\":\"é\"}";
	int port;

	if (!srv)
		return;
	port = phn_webhook_server_port(srv);

	http(&r, port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.text, "\r\n\r\nok") != NULL);
	http(&r, port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 200);
	http(&r, port, "POST /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
	     NULL, 0);
	CHECK_INT(r.status, 405);
	CHECK(strstr(r.text, "Allow: GET, HEAD") != NULL);
	http(&r, port, "GET " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 405);
	CHECK(strstr(r.text, "Allow: POST") != NULL);
	CHECK(strstr(r.text, "{\"error\":\"method_not_allowed\"}") != NULL);
	http(&r, port, "PUT " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
	     NULL, 0);
	CHECK_INT(r.status, 405);
	http(&r, port, "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 404);
	CHECK(strstr(r.text, "{\"error\":\"not_found\"}") != NULL);
	http(&r, port, "POST /webhooks/calls/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
	     NULL, 0);
	CHECK_INT(r.status, 404);
	CHECK(has_reason(&s, "404:not_found"));
	CHECK(has_reason(&s, "405:method_not_allowed"));

	/* A good delivery: 200, the handler sees exactly what was sent. */
	post_signed(&r, port, sec, "msg_good1", ok, strlen(ok), "application/json", NULL, 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.text, "{\"ok\":true}") != NULL);
	CHECK_INT(s.events, 1);
	CHECK_STR(s.last_id, "msg_good1");
	CHECK(s.last_body && s.last_len == strlen(ok) && memcmp(s.last_body, ok, s.last_len) == 0);
	CHECK(s.last_ts > 0 && llabs((long long)(s.last_ts - time(NULL))) < 5);
	/* Content-Type variants that are JSON, and some that are not. */
	post_signed(&r, port, sec, "msg_good2", ok, strlen(ok), "application/json; charset=utf-8",
		    NULL, 0);
	CHECK_INT(r.status, 200);
	post_signed(&r, port, sec, "msg_good3", ok, strlen(ok), "Application/JSON", NULL, 0);
	CHECK_INT(r.status, 200);
	post_signed(&r, port, sec, "msg_ct1", ok, strlen(ok), "text/plain", NULL, 0);
	CHECK_INT(r.status, 415);
	CHECK(strstr(r.text, "{\"error\":\"unsupported_media\"}") != NULL);
	post_signed(&r, port, sec, "msg_ct2", ok, strlen(ok), NULL, NULL, 0);
	CHECK_INT(r.status, 415);
	post_signed(&r, port, sec, "msg_ct3", ok, strlen(ok), "application/jsonx", NULL, 0);
	CHECK_INT(r.status, 415);
	CHECK(has_reason(&s, "415:unsupported_media"));
	CHECK_INT(s.events, 3);

	/* Signatures: each verdict is a 401 with its name, never the input. */
	{
		char head[1024];
		long long t = (long long)time(NULL);

		snprintf(head, sizeof(head),
			 "POST " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "Content-Type: application/json\r\nsvix-id: msg_bad\r\n"
			 "svix-timestamp: %lld\r\nsvix-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"
			 "Content-Length: 2\r\n\r\n{}", t);
		http(&r, port, head, NULL, 0);
		CHECK_INT(r.status, 401);
		CHECK(strstr(r.text, "{\"error\":\"bad_signature\"}") != NULL);
		CHECK(strstr(r.text, "msg_bad") == NULL);
		http(&r, port, "POST " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		     "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", NULL, 0);
		CHECK_INT(r.status, 401);
		CHECK(strstr(r.text, "{\"error\":\"missing_header\"}") != NULL);
		snprintf(head, sizeof(head),
			 "POST " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "Content-Type: application/json\r\nsvix-id: m\r\nsvix-timestamp: soon\r\n"
			 "svix-signature: v1,x\r\nContent-Length: 2\r\n\r\n{}");
		http(&r, port, head, NULL, 0);
		CHECK_INT(r.status, 401);
		CHECK(strstr(r.text, "bad_timestamp") != NULL);
	}
	post_signed(&r, port, sec, "msg_stale", ok, strlen(ok), "application/json", NULL, -301);
	CHECK_INT(r.status, 401);
	CHECK(strstr(r.text, "{\"error\":\"stale_timestamp\"}") != NULL);
	post_signed(&r, port, sec, "msg_future", ok, strlen(ok), "application/json", NULL, 400);
	CHECK_INT(r.status, 401);
	CHECK(strstr(r.text, "future_timestamp") != NULL);
	CHECK(has_reason(&s, "401:bad_signature"));
	CHECK(has_reason(&s, "401:missing_header"));
	CHECK(has_reason(&s, "401:bad_timestamp"));
	CHECK(has_reason(&s, "401:stale_timestamp"));
	CHECK(has_reason(&s, "401:future_timestamp"));

	/* Signed but not a JSON object in valid UTF-8: 400. */
	{
		const char *bad[] = { "not json", "[1,2]", "\"s\"", "{\"a\":1} x", "{\"a\":1}{}",
				      "{\"a\":", "", "null" };
		char deep[400];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			post_signed(&r, port, sec, "msg_nj", bad[i], strlen(bad[i]),
				    "application/json", NULL, 0);
			CHECK_MSG(r.status == 400 && strstr(r.text, "not_json"), "body '%s': %d",
				  bad[i], r.status);
		}
		/* a NUL inside */
		post_signed(&r, port, sec, "msg_nul", "{\"a\":1}\0{}", 10, "application/json",
			    NULL, 0);
		CHECK_INT(r.status, 400);
		/* nested 100 deep */
		for (i = 0; i < 100; i++)
			deep[i] = '[';
		for (; i < 200; i++)
			deep[i] = ']';
		memcpy(deep, "{\"a\":", 5);
		deep[199] = '}';
		post_signed(&r, port, sec, "msg_deep", deep, 200, "application/json", NULL, 0);
		CHECK_INT(r.status, 400);
		CHECK(strstr(r.text, "not_json") != NULL);
		/* nested 30 deep is fine */
		memset(deep, 0, sizeof(deep));
		strcpy(deep, "{\"a\":");
		for (i = 0; i < 30; i++)
			strcat(deep, "[");
		for (i = 0; i < 30; i++)
			strcat(deep, "]");
		strcat(deep, "}");
		post_signed(&r, port, sec, "msg_deep_ok", deep, strlen(deep), "application/json",
			    NULL, 0);
		CHECK_INT(r.status, 200);
		/* invalid UTF-8: a lone continuation byte, an overlong slash */
		post_signed(&r, port, sec, "msg_u8a", "{\"a\":\"\x80\"}", 9, "application/json",
			    NULL, 0);
		CHECK_INT(r.status, 400);
		CHECK(strstr(r.text, "{\"error\":\"not_utf8\"}") != NULL);
		post_signed(&r, port, sec, "msg_u8b", "{\"a\":\"\xc0\xaf\"}", 10,
			    "application/json", NULL, 0);
		CHECK_INT(r.status, 400);
		CHECK(has_reason(&s, "400:not_utf8"));
		CHECK(has_reason(&s, "400:not_json"));
	}
	CHECK_INT(s.events, 4);

	/* Handler failure: 503 with Retry-After, nothing counted as stored. */
	s.fail = 1;
	post_signed(&r, port, sec, "msg_fail", ok, strlen(ok), "application/json", NULL, 0);
	CHECK_INT(r.status, 503);
	CHECK(strstr(r.text, "Retry-After: ") != NULL);
	CHECK(strstr(r.text, "{\"error\":\"unavailable\"}") != NULL);
	s.fail = 0;
	post_signed(&r, port, sec, "msg_fail", ok, strlen(ok), "application/json", NULL, 0);
	CHECK_INT(r.status, 200);

	/* Keep-alive: two requests on one connection. */
	{
		char sig[PHN_WEBHOOK_SIGNATURE_MAX], head[1024], buf[4096];
		long long t = (long long)time(NULL);
		int fd = dial(port), i;
		size_t got = 0;

		phn_webhook_sign(sec, "msg_ka", t, "{}", 2, sig, sizeof(sig));
		snprintf(head, sizeof(head),
			 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			 "svix-id: msg_ka\r\nsvix-timestamp: %lld\r\nsvix-signature: %s\r\n"
			 "Content-Length: 2\r\n\r\n{}", t, sig);
		for (i = 0; i < 2; i++) {
			send_all(fd, head, strlen(head));
			got = 0;
			while (got < sizeof(buf) - 1) {
				ssize_t k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

				if (k <= 0)
					break;
				got += (size_t)k;
				buf[got] = '\0';
				if (strstr(buf, "{\"ok\":true}"))
					break;
			}
			buf[got] = '\0';
			CHECK_MSG(status_of(buf) == 200, "keep-alive request %d", i);
		}
		close(fd);
	}

	CHECK_INT(phn_webhook_server_stats_get(&st, srv), PHN_OK);
	CHECK_INT(st.accepted, s.events);
	CHECK_INT(st.failed, 1);
	CHECK_INT(st.refused, s.refusals);
	CHECK_INT(st.requests, st.accepted + st.refused + st.failed + 2 /* healthz */);
	{
		phn_webhook_server_stats bad = { 99, 0, 0, 0, 0 };

		CHECK_INT(phn_webhook_server_stats_get(&bad, srv), PHN_EVERSION);
		CHECK_INT(phn_webhook_server_stats_get(NULL, srv), PHN_EINVAL);
	}
	phn_webhook_server_stop(srv);
	free(s.last_body);
}

/* Over the cap: 413, the body never stored. 10 MB declared (over twice the
 * cap), or "Expect: 100-continue": 413 right after the headers, the body
 * never read, and the connection closed under a sender that goes on. A
 * body less than twice the cap written in full before reading (as most
 * HTTP libraries do) is thrown away and gets a readable 413. */
static void test_too_large(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server *srv = start(&s, sec, 0, 4096);
	const size_t ten_mb = 10u * 1024u * 1024u;
	char buf[4096], head[512];
	char *big;
	int port, fd, i;
	size_t sent;
	int64_t t0;

	if (!srv)
		return;
	port = phn_webhook_server_port(srv);

	/* 10 MB declared: refused after the headers; the rest cannot be pushed */
	snprintf(head, sizeof(head),
		 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n", ten_mb);
	fd = dial(port);
	t0 = now_ms();
	send_all(fd, head, strlen(head));
	memset(buf, 'a', sizeof(buf));
	send_all(fd, buf, sizeof(buf));
	read_all(fd, buf, sizeof(buf));
	CHECK_INT(status_of(buf), 413);
	CHECK(strstr(buf, "{\"error\":\"too_large\"}") != NULL);
	CHECK_MSG(now_ms() - t0 < 5000, "413 took %lld ms", (long long)(now_ms() - t0));
	big = malloc(65536);
	memset(big, ' ', 65536);
	for (sent = 4096; sent < ten_mb; sent += 65536)
		if (send_all(fd, big, 65536) != 0)
			break;
	CHECK_MSG(sent < ten_mb, "the server took the whole body after its 413");
	close(fd);

	/* 10 MB with Expect: 100-continue: 413 instead of 100, no body sent */
	snprintf(head, sizeof(head),
		 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n", ten_mb);
	fd = dial(port);
	send_all(fd, head, strlen(head));
	read_all(fd, buf, sizeof(buf));
	close(fd);
	CHECK_INT(status_of(buf), 413);
	CHECK(strstr(buf, "100 Continue") == NULL);

	/* 8,000 bytes (under twice the 4 KB cap) sent in full before reading:
	 * thrown away, then a clean 413 */
	memset(big, 'x', 8000);
	memcpy(big, "{\"a\":\"", 6);
	snprintf(head, sizeof(head),
		 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Content-Length: 8000\r\n\r\n");
	fd = dial(port);
	CHECK(send_all(fd, head, strlen(head)) == 0 && send_all(fd, big, 8000) == 0);
	read_all(fd, buf, sizeof(buf));
	close(fd);
	CHECK_INT(status_of(buf), 413);
	CHECK(strstr(buf, "{\"error\":\"too_large\"}") != NULL);
	free(big);

	/* Chunked, no Content-Length: 6 KB against a 4 KB cap */
	fd = dial(port);
	snprintf(head, sizeof(head),
		 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n");
	send_all(fd, head, strlen(head));
	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < 6; i++)
		if (send_all(fd, "400\r\n", 5) || send_all(fd, buf, 1024) || send_all(fd, "\r\n", 2))
			break;
	send_all(fd, "0\r\n\r\n", 5);
	read_all(fd, buf, sizeof(buf));
	close(fd);
	CHECK_MSG(status_of(buf) == 413, "chunked over the cap: '%.40s'", buf);
	/* chunked far past twice the cap: the connection is closed */
	fd = dial(port);
	send_all(fd, head, strlen(head));
	memset(buf, 'a', sizeof(buf));
	for (i = 0; i < 10240; i++)
		if (send_all(fd, "400\r\n", 5) || send_all(fd, buf, 1024) || send_all(fd, "\r\n", 2))
			break;
	CHECK_MSG(i < 10240, "the server read 10 MB of chunks");
	close(fd);
	CHECK_INT(s.refusals, 5);
	CHECK(has_reason(&s, "0:too_large"));
	CHECK(has_reason(&s, "413:too_large"));
	CHECK_INT(s.events, 0);

	/* A body at the cap passes; one byte more does not. */
	{
		char *body = malloc(4097);
		struct resp r;

		memset(body, ' ', 4097);
		body[0] = '{';
		body[4095] = '}';
		post_signed(&r, port, sec, "msg_cap", body, 4096, "application/json", NULL, 0);
		CHECK_INT(r.status, 200);
		body[4095] = ' ';
		body[4096] = '}';
		post_signed(&r, port, sec, "msg_cap1", body, 4097, "application/json", NULL, 0);
		CHECK_INT(r.status, 413);
		free(body);
	}
	phn_webhook_server_stop(srv);
	free(s.last_body);
}

/* Slowloris: a byte every 200 ms is never idle, but the deadline drops it. */
static void test_deadline(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server *srv = start(&s, sec, 1, 0);
	const char *drip = "POST " PATH " HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	int port, fd, closed = 0;
	int64_t t0;
	size_t i;
	struct resp r;

	if (!srv)
		return;
	port = phn_webhook_server_port(srv);
	fd = dial(port);
	t0 = now_ms();
	for (i = 0; i < strlen(drip) && now_ms() - t0 < 8000; i++) {
		char c;

		if (send(fd, drip + i, 1, MSG_NOSIGNAL) != 1) {
			closed = 1;
			break;
		}
		sleep_ms(200);
		/* has the server closed it? */
		if (recv(fd, &c, 1, MSG_DONTWAIT) == 0) {
			closed = 1;
			break;
		}
	}
	close(fd);
	CHECK_MSG(closed, "the slow connection was not dropped in %lld ms",
		  (long long)(now_ms() - t0));
	CHECK_MSG(now_ms() - t0 < 3500, "dropped after %lld ms", (long long)(now_ms() - t0));
	printf("slowloris: dropped %lld ms after connecting (deadline 1 s)\n",
	       (long long)(now_ms() - t0));
	CHECK(has_reason(&s, "0:header_deadline"));

	/* The same for a slow body after quick headers. */
	{
		char sig[PHN_WEBHOOK_SIGNATURE_MAX], head[1024];
		long long t = (long long)time(NULL);

		phn_webhook_sign(sec, "msg_slow", t, "{}", 2, sig, sizeof(sig));
		snprintf(head, sizeof(head),
			 "POST " PATH " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			 "svix-id: msg_slow\r\nsvix-timestamp: %lld\r\nsvix-signature: %s\r\n"
			 "Content-Length: 200\r\n\r\n", t, sig);
		fd = dial(port);
		send_all(fd, head, strlen(head));
		t0 = now_ms();
		closed = 0;
		for (i = 0; i < 200 && now_ms() - t0 < 8000; i++) {
			char c;

			if (send(fd, " ", 1, MSG_NOSIGNAL) != 1) {
				closed = 1;
				break;
			}
			sleep_ms(200);
			if (recv(fd, &c, 1, MSG_DONTWAIT) == 0) {
				closed = 1;
				break;
			}
		}
		close(fd);
		CHECK_MSG(closed && now_ms() - t0 < 3500, "slow body: closed %d after %lld ms",
			  closed, (long long)(now_ms() - t0));
	}
	/* And the server still serves. */
	http(&r, port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 200);
	phn_webhook_server_stop(srv);
	free(s.last_body);
}

/* 10,000 headers: libmicrohttpd's 431, reported as too_many_headers. */
static void test_many_headers(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server *srv = start(&s, sec, 0, 0);
	size_t cap = 10000 * 24 + 256, n = 0;
	char *req = malloc(cap);
	struct resp r;
	int i, port, fd;

	if (!srv) {
		free(req);
		return;
	}
	port = phn_webhook_server_port(srv);
	n += (size_t)snprintf(req + n, cap - n, "POST " PATH " HTTP/1.1\r\nHost: x\r\n");
	for (i = 0; i < 10000; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-H%d: v\r\n", i);
	n += (size_t)snprintf(req + n, cap - n, "Content-Length: 2\r\n\r\n{}");
	fd = dial(port);
	send_all(fd, req, n); /* may fail half-way: the server closed it */
	read_all(fd, r.text, sizeof(r.text));
	close(fd);
	r.status = status_of(r.text);
	CHECK_MSG(r.status == 431, "10,000 headers: %d", r.status);
	/* the refusal is reported when the connection closes */
	for (i = 0; i < 50 && !has_reason(&s, "431:too_many_headers"); i++)
		sleep_ms(20);
	CHECK_MSG(has_reason(&s, "431:too_many_headers"), "reasons: %s", s.reasons);
	http(&r, port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 200);
	phn_webhook_server_stop(srv);
	free(req);
	free(s.last_body);
}

struct sender {
	int port;
	const phn_webhook_secrets *sec;
	int id, n, ok;
};

static void *sender_main(void *p)
{
	struct sender *sd = p;
	int i;

	for (i = 0; i < sd->n; i++) {
		struct resp r;
		char id[64], body[128];

		snprintf(id, sizeof(id), "msg_%d_%d", sd->id, i);
		snprintf(body, sizeof(body), "{\"sender\":%d,\"i\":%d}", sd->id, i);
		post_signed(&r, sd->port, sd->sec, id, body, strlen(body), "application/json", NULL,
			    0);
		if (r.status == 200)
			sd->ok++;
	}
	return NULL;
}

/* 50 senders at once, a handler that blocks 10 ms (a group commit). */
static void test_concurrency(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER, .sleep_ms = 10 };
	phn_webhook_server *srv = start(&s, sec, 0, 0);
	struct sender sd[50];
	pthread_t th[50];
	int i, total = 0;
	int64_t t0;

	if (!srv)
		return;
	t0 = now_ms();
	for (i = 0; i < 50; i++) {
		sd[i] = (struct sender){ phn_webhook_server_port(srv), sec, i, 40, 0 };
		pthread_create(&th[i], NULL, sender_main, &sd[i]);
	}
	for (i = 0; i < 50; i++) {
		pthread_join(th[i], NULL);
		total += sd[i].ok;
	}
	CHECK_INT(total, 2000);
	CHECK_INT(s.events, 2000);
	printf("concurrency: 2000 events from 50 senders in %lld ms (handler sleeps 10 ms)\n",
	       (long long)(now_ms() - t0));
	phn_webhook_server_stop(srv);
	free(s.last_body);
}

struct slow_req {
	int port;
	const phn_webhook_secrets *sec;
	int status;
};

static void *slow_main(void *p)
{
	struct slow_req *sr = p;
	struct resp r;

	post_signed(&r, sr->port, sr->sec, "msg_stop", "{}", 2, "application/json", NULL, 0);
	sr->status = r.status;
	return NULL;
}

/* Stop while a handler runs: it finishes and its 200 goes out. */
static void test_stop_inflight(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER, .sleep_ms = 300 };
	phn_webhook_server *srv = start(&s, sec, 0, 0);
	struct slow_req sr;
	pthread_t th;
	int i, busy = 0;

	if (!srv)
		return;
	sr = (struct slow_req){ phn_webhook_server_port(srv), sec, 0 };
	pthread_create(&th, NULL, slow_main, &sr);
	for (i = 0; i < 200 && !busy; i++) {
		sleep_ms(5);
		pthread_mutex_lock(&s.lock);
		busy = s.in_handler;
		pthread_mutex_unlock(&s.lock);
	}
	CHECK(busy);
	phn_webhook_server_stop(srv);
	pthread_join(th, NULL);
	CHECK_INT(sr.status, 200);
	CHECK_INT(s.events, 1);
	free(s.last_body);
}

static int count_fds(void)
{
	int n = 0, fd;

	for (fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static void test_options(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server_options o;
	phn_webhook_server *srv = NULL, *srv2 = NULL;
	char addr[64];
	int rc;

	CHECK_INT(phn_webhook_server_options_init(&o, PHN_WEBHOOK_SERVER_OPTIONS_VERSION), PHN_OK);
	CHECK_INT(phn_webhook_server_options_init(&o, 2), PHN_EVERSION);
	CHECK_INT(phn_webhook_server_options_init(NULL, 1), PHN_EINVAL);
	phn_webhook_server_options_init(&o, 1);
	o.secrets = sec;
	o.on_event = on_event;
	o.payload = &s;

	const char *bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536",
			      "::1:80", "[::1]80", "[::1", ":80", "127.0.0.1:-1", "127.0.0.1:8 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.listen = bad[i];
		rc = phn_webhook_server_start(&srv, &o);
		CHECK_MSG(rc == PHN_EINVAL && srv == NULL, "listen '%s': %d", bad[i], rc);
		CHECK(strstr(phn_error_last(), "webhook server") != NULL);
	}
	o.listen = "no-such-host.invalid:80";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);

	/* localhost and IPv6 loopback, port 0 */
	o.listen = "localhost:0";
	rc = phn_webhook_server_start(&srv, &o);
	CHECK_MSG(rc == PHN_OK, "localhost: %s", phn_error_last());
	phn_webhook_server_stop(srv);
	srv = NULL;
	o.listen = "[::1]:0";
	rc = phn_webhook_server_start(&srv, &o);
	if (rc == PHN_OK) {
		CHECK(phn_webhook_server_port(srv) > 0);
		phn_webhook_server_stop(srv);
		srv = NULL;
	} else {
		printf("IPv6 loopback not available here: %s\n", phn_error_last());
	}

	/* a port in use */
	o.listen = "127.0.0.1:0";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_OK);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", phn_webhook_server_port(srv));
	o.listen = addr;
	rc = phn_webhook_server_start(&srv2, &o);
	CHECK_INT(rc, PHN_EIO);
	CHECK_MSG(strstr(phn_error_last(), "cannot listen on 127.0.0.1:") &&
		  strstr(phn_error_last(), "Address already in use"), "%s", phn_error_last());
	phn_webhook_server_stop(srv);
	srv = NULL;
	o.listen = "127.0.0.1:0";

	/* required and malformed options */
	o.secrets = NULL;
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);
	o.secrets = sec;
	o.on_event = NULL;
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);
	o.on_event = on_event;
	o.path = "webhooks";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);
	o.path = "/healthz";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);
	o.path = "/a b";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL);
	o.path = NULL;
	o.tls_cert_file = "/nonexistent/cert.pem";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EINVAL); /* a key is needed too */
	o.tls_key_file = "/nonexistent/key.pem";
	rc = phn_webhook_server_start(&srv, &o);
	CHECK_MSG(rc == PHN_ENOTFOUND || rc == PHN_EINTERNAL, "TLS files: %d %s", rc,
		  phn_error_last());
	o.tls_cert_file = o.tls_key_file = NULL;
	o.version = 0;
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_EVERSION);
	o.version = 1;
	CHECK_INT(phn_webhook_server_start(NULL, &o), PHN_EINVAL);
	CHECK_INT(phn_webhook_server_start(&srv, NULL), PHN_EINVAL);
	CHECK(srv == NULL);
	phn_webhook_server_stop(NULL);
	CHECK_INT(phn_webhook_server_port(NULL), 0);

	/* start and stop leave no descriptor behind (the listener, the
	 * watchdog's duplicates of connection sockets) */
	{
		int before = count_fds(), after, k, fds[3];
		struct resp r;

		o.listen = "127.0.0.1:0";
		CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_OK);
		for (k = 0; k < 3; k++)
			fds[k] = dial(phn_webhook_server_port(srv));
		http(&r, phn_webhook_server_port(srv),
		     "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
		CHECK_INT(r.status, 200);
		phn_webhook_server_stop(srv);
		srv = NULL;
		for (k = 0; k < 3; k++)
			close(fds[k]);
		after = count_fds();
		CHECK_MSG(after == before, "descriptors: %d before, %d after", before, after);
	}

	/* a custom path */
	o.path = "/hooks/other";
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_OK);
	if (srv) {
		struct resp r;

		http(&r, phn_webhook_server_port(srv),
		     "GET /hooks/other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
		CHECK_INT(r.status, 405);
		http(&r, phn_webhook_server_port(srv),
		     "GET " PATH " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
		CHECK_INT(r.status, 404);
		phn_webhook_server_stop(srv);
	}
}

/* A self-signed test certificate for 127.0.0.1 (EC P-256, valid to 2126):
 * test material only, written to a temporary directory for the run. */
static const char test_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBjzCCATagAwIBAgIUYoPyfVibCLRo4aq1mgf5YKFHdJUwCgYIKoZIzj0EAwIw\n"
	"FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzAzNTEzOFoYDzIxMjYxMTEz\n"
	"MDM1MTM4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
	"PQMBBwNCAAQuAoPcPQ/ZoUBpfL0emC1hAQVFGGxKbak8a4ySZsk4E6lBuyaebzfV\n"
	"nXfogZw8GwVhAmQBTLI2rsMgm/SqD1S+o2QwYjAdBgNVHQ4EFgQU/lzVh+H+ArUu\n"
	"jeScLX79lBMA+z8wHwYDVR0jBBgwFoAU/lzVh+H+ArUujeScLX79lBMA+z8wDwYD\n"
	"VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC\n"
	"IHB6d+IaEzpNe9I3B3iP72jREqRCaR++r8fFmKCw+AemAiBhVfam1yc4VHi3DsOq\n"
	"YFTsQIz6+ZP7qtw5qsxYRjcZWA==\n"
	"-----END CERTIFICATE-----\n";
static const char test_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI3aBXO8DVQWL+ecJ\n"
	"C6mE31bJPIv5ZvsEXFvDslq4vfqhRANCAAQuAoPcPQ/ZoUBpfL0emC1hAQVFGGxK\n"
	"bak8a4ySZsk4E6lBuyaebzfVnXfogZw8GwVhAmQBTLI2rsMgm/SqD1S+\n"
	"-----END PRIVATE KEY-----\n";

static size_t sink_write(char *ptr, size_t size, size_t n, void *p)
{
	char *buf = p;
	size_t have = strlen(buf), add = size * n;

	if (have + add < 1024) {
		memcpy(buf + have, ptr, add);
		buf[have + add] = '\0';
	}
	return size * n;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* HTTPS with libmicrohttpd's TLS: a signed delivery over TLS, verified
 * against the certificate by libcurl. */
static void test_tls(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server_options o = PHN_WEBHOOK_SERVER_OPTIONS_INIT;
	phn_webhook_server *srv = NULL;
	char dir[] = "/tmp/phn_webhook_tls_XXXXXX", cert[64], key[64], url[128], resp[1024] = "";
	char sig[PHN_WEBHOOK_SIGNATURE_MAX], h1[64], h2[64], h3[80];
	struct curl_slist *hdr = NULL;
	long long t = (long long)time(NULL);
	long code = 0;
	CURL *c;
	int rc;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	CHECK(write_file(cert, test_cert) == 0 && write_file(key, test_key) == 0);
	o.listen = "127.0.0.1:0";
	o.secrets = sec;
	o.on_event = on_event;
	o.payload = &s;
	o.tls_cert_file = cert;
	o.tls_key_file = key;
	rc = phn_webhook_server_start(&srv, &o);
	if (rc == PHN_EINTERNAL) {
		/* a libmicrohttpd without TLS: the error says so */
		CHECK(strstr(phn_error_last(), "without TLS") != NULL);
		printf("libmicrohttpd has no TLS here: %s\n", phn_error_last());
		goto out;
	}
	CHECK_MSG(rc == PHN_OK, "TLS start: %s", phn_error_last());
	if (!srv)
		goto out;
	phn_webhook_sign(sec, "msg_tls", t, "{}", 2, sig, sizeof(sig));
	snprintf(h1, sizeof(h1), "svix-id: msg_tls");
	snprintf(h2, sizeof(h2), "svix-timestamp: %lld", t);
	snprintf(h3, sizeof(h3), "svix-signature: %s", sig);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, h1);
	hdr = curl_slist_append(hdr, h2);
	hdr = curl_slist_append(hdr, h3);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d" PATH, phn_webhook_server_port(srv));
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, cert);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	rc = (int)curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	CHECK_MSG(rc == CURLE_OK, "curl: %s", curl_easy_strerror((CURLcode)rc));
	CHECK_INT(code, 200);
	CHECK(strstr(resp, "{\"ok\":true}") != NULL);
	CHECK_INT(s.events, 1);
	/* plain HTTP to the TLS port is not served */
	{
		struct resp r;

		http(&r, phn_webhook_server_port(srv),
		     "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
		CHECK(r.status != 200);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	phn_webhook_server_stop(srv);
	/* a key that is not a key */
	CHECK(write_file(key, "not a key\n") == 0);
	rc = phn_webhook_server_start(&srv, &o);
	CHECK_MSG(rc == PHN_EINVAL && srv == NULL, "a bad key starts: %d", rc);
	CHECK(strstr(phn_error_last(), "webhook server") != NULL);
	printf("bad TLS key: %s\n", phn_error_last());
out:
	unlink(cert);
	unlink(key);
	rmdir(dir);
	free(s.last_body);
}

/* max_connections: one more is closed at accept; the idle timeout closes
 * a connection that says nothing. */
static void test_limits(const phn_webhook_secrets *sec)
{
	struct sink s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phn_webhook_server_options o = PHN_WEBHOOK_SERVER_OPTIONS_INIT;
	phn_webhook_server *srv = NULL;
	int a, b, extra, port;
	char c;
	int64_t t0;
	struct resp r;

	o.listen = "127.0.0.1:0";
	o.secrets = sec;
	o.on_event = on_event;
	o.on_refusal = on_refusal;
	o.payload = &s;
	o.max_connections = 2;
	o.idle_timeout_s = 1;
	o.request_deadline_s = 30;
	CHECK_INT(phn_webhook_server_start(&srv, &o), PHN_OK);
	if (!srv)
		return;
	port = phn_webhook_server_port(srv);
	a = dial(port);
	b = dial(port);
	sleep_ms(100);
	extra = dial(port);
	CHECK(extra >= 0 && recv(extra, &c, 1, 0) <= 0); /* closed at once */
	close(extra);
	t0 = now_ms();
	CHECK(recv(a, &c, 1, 0) <= 0); /* idle: closed by the server */
	CHECK_MSG(now_ms() - t0 < 4000, "idle close after %lld ms", (long long)(now_ms() - t0));
	close(a);
	close(b);
	sleep_ms(200);
	http(&r, port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", NULL, 0);
	CHECK_INT(r.status, 200);
	phn_webhook_server_stop(srv);
}

int main(int argc, char **argv)
{
	phn_webhook_secrets *sec = NULL;
	const char *only = argc > 1 ? argv[1] : NULL;

	if (phn_webhook_secrets_parse(&sec, SECRET) != PHN_OK) {
		fprintf(stderr, "secret: %s\n", phn_error_last());
		return 1;
	}
#define RUN(name) \
	do { \
		if (!only || strcmp(only, #name) == 0) \
			test_##name(sec); \
	} while (0)
	RUN(routes);
	RUN(too_large);
	RUN(deadline);
	RUN(many_headers);
	RUN(concurrency);
	RUN(stop_inflight);
	RUN(options);
	RUN(tls);
	RUN(limits);
	phn_webhook_secrets_free(sec);
	return check_report();
}
