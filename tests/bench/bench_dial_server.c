/*
 * The dial benchmark's HTTP/1.1 server (see bench_dial_server.h): one
 * thread, level-triggered epoll, non-blocking sockets, a read and a write
 * buffer per connection. Requests are parsed just enough to answer them:
 * request line, Content-Length, Connection: close, Expect: 100-continue.
 * Pipelined requests are answered in order.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include "bench_dial_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define API "/api-service/v1"
#define MAX_REQUEST (1u << 20) /* a request larger than this closes the connection */

struct conn {
	struct conn *prev, *next; /* every open connection, to free them at the end */
	int fd;
	int closing;     /* close once out is written */
	int continued;   /* "100 Continue" sent for the request being read */
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off, out_cap;
};

/* Counters and the set of numbers seen (open addressing, 0 = empty). */
static struct bench_server_stats st;
static uint64_t *seen;
static size_t seen_cap, seen_len;
static uint64_t next_id;
static struct conn *conns;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* Add key (non-zero) to the set; 1 if it was new, 0 if seen, -1 on ENOMEM. */
static int seen_add(uint64_t key)
{
	size_t i;

	if (2 * (seen_len + 1) > seen_cap) {
		size_t cap = seen_cap ? 2 * seen_cap : 1u << 16;
		uint64_t *n = calloc(cap, sizeof *n);

		if (!n)
			return -1;
		for (size_t j = 0; j < seen_cap; j++) {
			if (!seen[j])
				continue;
			for (i = mix(seen[j]) & (cap - 1); n[i]; i = (i + 1) & (cap - 1))
				;
			n[i] = seen[j];
		}
		free(seen);
		seen = n;
		seen_cap = cap;
	}
	for (i = mix(key) & (seen_cap - 1); seen[i]; i = (i + 1) & (seen_cap - 1))
		if (seen[i] == key)
			return 0;
	seen[i] = key;
	seen_len++;
	return 1;
}

/* The digits of the JSON string value of "key" in body, as a number
 * (E.164 has at most 15 digits); 0 when absent. */
static uint64_t number_of(const char *body, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = memmem(body, len, key, klen), *end = body + len;
	uint64_t v = 0;

	if (!p)
		return 0;
	for (p += klen; p < end && (*p == ' ' || *p == ':' || *p == '"'); p++)
		;
	for (; p < end && *p != '"'; p++)
		if (*p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

static int out_append(struct conn *c, const char *s, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *o;

		while (cap < c->out_len + n)
			cap *= 2;
		if (!(o = realloc(c->out, cap)))
			return -1;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
	return 0;
}

static int reply(struct conn *c, int status, const char *reason, const char *body)
{
	char head[256];
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n%s\r\n",
			 status, reason, blen, c->closing ? "Connection: close\r\n" : "");

	return out_append(c, head, (size_t)n) || out_append(c, body, blen) ? -1 : 0;
}

/* A UUIDv4-shaped text from a counter: unique per server run. */
static void fake_uuid(char dst[37], uint64_t n)
{
	uint64_t h = mix(n + 0x9e3779b97f4a7c15ull);

	snprintf(dst, 37, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(h >> 32),
		 (unsigned)(h >> 16) & 0xffffu, (unsigned)h & 0xfffu, (unsigned)(n >> 48) & 0xfffu,
		 (unsigned long long)(n & 0xffffffffffffull));
}

static int answer(struct conn *c, const char *method, const char *path, size_t plen,
		  const char *body, size_t blen)
{
	char out[512], uuid[37];
	int is_post = strcmp(method, "POST") == 0;

#define PATH_IS(lit) (plen == sizeof(lit) - 1 && memcmp(path, lit, plen) == 0)
	if (is_post && PATH_IS(API "/ai/phone-calls/action/call")) {
		uint64_t num = number_of(body, blen, "\"numberToCall\"");
		int fresh = num ? seen_add(num) : 0;

		if (fresh < 0)
			return -1;
		st.requests++;
		st.calls++;
		st.distinct += fresh == 1;
		st.repeats += fresh == 0;
		fake_uuid(uuid, ++next_id);
		snprintf(out, sizeof out,
			 "{\"callId\":\"call-%012llx\",\"status\":\"initiated\",\"contactUuid\":\"%s\"}",
			 (unsigned long long)next_id, uuid);
		return reply(c, 201, "Created", out);
	}
	if (is_post && PATH_IS(API "/contact")) {
		uint64_t num = number_of(body, blen, "\"phoneNumber\"");

		st.requests++;
		st.contacts++;
		fake_uuid(uuid, ++next_id);
		snprintf(out, sizeof out,
			 "{\"uuid\":\"%s\",\"phoneNumber\":\"+%llu\",\"role\":\"PRIMARY\"}", uuid,
			 (unsigned long long)num);
		return reply(c, 201, "Created", out);
	}
	if (is_post && PATH_IS(API "/invoice")) {
		st.requests++;
		st.invoices++;
		fake_uuid(uuid, ++next_id);
		snprintf(out, sizeof out, "{\"uuid\":\"%s\",\"number\":\"%llu\",\"total\":1.0}", uuid,
			 (unsigned long long)next_id);
		return reply(c, 201, "Created", out);
	}
	if (strcmp(method, "GET") == 0 && PATH_IS("/__stats")) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		st.cpu_ms = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000u +
			    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000u;
		snprintf(out, sizeof out,
			 "{\"requests\":%llu,\"calls\":%llu,\"contacts\":%llu,\"invoices\":%llu,"
			 "\"distinct\":%llu,\"repeats\":%llu,\"connections\":%llu,\"cpu_ms\":%llu}",
			 (unsigned long long)st.requests, (unsigned long long)st.calls,
			 (unsigned long long)st.contacts, (unsigned long long)st.invoices,
			 (unsigned long long)st.distinct, (unsigned long long)st.repeats,
			 (unsigned long long)st.connections, (unsigned long long)st.cpu_ms);
		return reply(c, 200, "OK", out);
	}
	if (is_post && PATH_IS("/__reset")) {
		memset(&st, 0, sizeof st);
		if (seen)
			memset(seen, 0, seen_cap * sizeof *seen);
		seen_len = 0;
		return reply(c, 200, "OK", "{}");
	}
#undef PATH_IS
	st.requests++;
	return reply(c, 404, "Not Found", "{\"detail\":\"Not Found\"}");
}

/* Does the header block [h, h+n) have "name: value" (value compared
 * case-insensitively, as a prefix)? */
static int has_header(const char *h, size_t n, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
			const char *v = p + nl + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if ((size_t)(eol - v) >= vl && strncasecmp(v, value, vl) == 0)
				return 1;
		}
		p = eol + 2;
	}
	return 0;
}

static long content_length(const char *h, size_t n)
{
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
			return strtol(p + 15, NULL, 10);
		p = eol + 2;
	}
	return 0;
}

/* Answer every complete request in c->in. -1: close the connection. */
static int handle_input(struct conn *c)
{
	size_t off = 0;

	while (off < c->in_len && !c->closing) {
		char *req = c->in + off, *hend, method[8];
		size_t avail = c->in_len - off, hlen, mlen;
		const char *path, *sp;
		long clen;

		hend = memmem(req, avail, "\r\n\r\n", 4);
		if (!hend) {
			if (avail > 65536)
				return -1;
			break;
		}
		hlen = (size_t)(hend - req) + 4;
		sp = memchr(req, ' ', hlen);
		if (!sp || (mlen = (size_t)(sp - req)) >= sizeof method)
			return -1;
		memcpy(method, req, mlen);
		method[mlen] = '\0';
		path = sp + 1;
		sp = memchr(path, ' ', (size_t)(hend - path));
		if (!sp)
			return -1;
		clen = content_length(req, hlen);
		if (clen < 0 || (size_t)clen > MAX_REQUEST || has_header(req, hlen, "Transfer-Encoding", ""))
			return -1;
		if (avail < hlen + (size_t)clen) {
			if (!c->continued && has_header(req, hlen, "Expect", "100-continue")) {
				static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

				if (out_append(c, cont, sizeof cont - 1))
					return -1;
				c->continued = 1;
			}
			break;
		}
		if (has_header(req, hlen, "Connection", "close"))
			c->closing = 1;
		if (answer(c, method, path, (size_t)(sp - path), req + hlen, (size_t)clen))
			return -1;
		c->continued = 0;
		off += hlen + (size_t)clen;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	return 0;
}

/* Write what is pending; 1 when all is out, 0 when the socket is full, -1 on error. */
static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 1;
}

static void conn_close(int ep, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Read, answer, write. -1: the connection is done. */
static int conn_event(int ep, struct conn *c, uint32_t events)
{
	int r;

	if (events & EPOLLIN) {
		for (;;) {
			ssize_t n;

			if (c->in_cap - c->in_len < 4096) {
				size_t cap = c->in_cap ? 2 * c->in_cap : 16384;
				char *in;

				if (cap > MAX_REQUEST + 65536 || !(in = realloc(c->in, cap)))
					return -1;
				c->in = in;
				c->in_cap = cap;
			}
			n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
			if (n == 0)
				return -1;
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				return -1;
			}
			c->in_len += (size_t)n;
			if ((size_t)n < 4096)
				break; /* drained for now: answer before reading more */
		}
		if (handle_input(c))
			return -1;
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		return -1;
	}
	r = flush_out(c);
	if (r < 0 || (r == 1 && c->closing))
		return -1;
	{
		struct epoll_event ev = { .events = EPOLLIN | (r == 0 ? EPOLLOUT : 0), .data.ptr = c };

		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return 0;
}

int bench_server_listen(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int bench_server_serve(int listen_fd)
{
	struct epoll_event evs[64], ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct sigaction sa;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev))
		return 1;
	while (!stop) {
		int n = epoll_wait(ep, evs, 64, 500);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c) {
				if (conn_event(ep, c, evs[i].events))
					conn_close(ep, c);
				continue;
			}
			for (;;) {
				int one = 1, fd = accept4(listen_fd, NULL, NULL,
							  SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (fd < 0)
					break;
				if (!(c = calloc(1, sizeof *c))) {
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				c->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
					close(fd);
					free(c);
					continue;
				}
				c->next = conns;
				if (conns)
					conns->prev = c;
				conns = c;
				st.connections++;
			}
		}
	}
	while (conns)
		conn_close(ep, conns);
	close(ep);
	close(listen_fd);
	free(seen);
	seen = NULL;
	seen_cap = seen_len = 0;
	return 0;
}

pid_t bench_server_spawn(int *port)
{
	int fd = bench_server_listen(port);
	pid_t pid;

	if (fd < 0) {
		perror("bench server: listen on 127.0.0.1");
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exit(bench_server_serve(fd)); /* exit(): LeakSanitizer checks the server too */
	close(fd);
	if (pid < 0)
		perror("bench server: fork");
	return pid;
}

/* One request on a fresh connection; the body of the answer into buf. */
static int control(char *buf, size_t cap, int port, const char *method, const char *path)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char req[128];
	size_t len = 0;
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n", method, path);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char *body;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) ||
	    send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		perror("bench server: control request");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (len += (size_t)r) == cap - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (strncmp(buf, "HTTP/1.1 200", 12) != 0 || !(body = strstr(buf, "\r\n\r\n"))) {
		fprintf(stderr, "bench server: %s %s: unexpected answer\n", method, path);
		return -1;
	}
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return 0;
}

static uint64_t field(const char *json, const char *key)
{
	const char *p = strstr(json, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

int bench_server_stats(struct bench_server_stats *out, int port)
{
	char buf[1024];

	if (control(buf, sizeof buf, port, "GET", "/__stats"))
		return -1;
	out->requests = field(buf, "\"requests\":");
	out->calls = field(buf, "\"calls\":");
	out->contacts = field(buf, "\"contacts\":");
	out->invoices = field(buf, "\"invoices\":");
	out->distinct = field(buf, "\"distinct\":");
	out->repeats = field(buf, "\"repeats\":");
	out->connections = field(buf, "\"connections\":");
	out->cpu_ms = field(buf, "\"cpu_ms\":");
	return 0;
}

int bench_server_reset(int port)
{
	char buf[256];

	return control(buf, sizeof buf, port, "POST", "/__reset");
}

/* ---- the generated campaign ------------------------------------------- */

static const char *const us_areas[] = { "212", "312", "303", "213" };

void bench_row_number(char dst[32], uint64_t i)
{
	if (i % 5 == 4) {
		uint64_t k = i / 5, rest = k / 4;

		snprintf(dst, 32, "+1%s%03u%04u", us_areas[k % 4], (unsigned)(220 + rest / 10000 % 80),
			 (unsigned)(rest % 10000));
	} else {
		snprintf(dst, 32, "+96650%07u", (unsigned)(i % 10000000u));
	}
}

int bench_write_list(const char *path, uint64_t rows)
{
	FILE *f = fopen(path, "w");
	char number[32];

	if (!f) {
		perror(path);
		return -1;
	}
	fputs("id,first_name,phone\n", f);
	for (uint64_t i = 0; i < rows; i++) {
		bench_row_number(number, i);
		fprintf(f, "%" PRIu64 ",Bench,%s\n", i + 1, number);
	}
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}
