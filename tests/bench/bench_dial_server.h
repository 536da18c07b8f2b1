/*
 * A tiny HTTP/1.1 server for the dial benchmark: the call API's three POST
 * endpoints answered at once, on 127.0.0.1 only, keep-alive, one thread,
 * epoll. It exists so that the benchmark measures the dialer, not a Python
 * fake: it answers a request in a few microseconds.
 *
 *   POST /api-service/v1/ai/phone-calls/action/call  201 {callId, status, contactUuid}
 *   POST /api-service/v1/contact                     201 {uuid, phoneNumber, role}
 *   POST /api-service/v1/invoice                     201 {uuid, number, contactUuid}
 *   GET  /__stats   200 {"requests":..,"calls":..,"distinct":..,"cpu_ms":..}
 *   POST /__reset   200, zeroes the counters and forgets the numbers seen
 *   anything else   404 {"detail":"Not Found"}
 *
 * "distinct" counts the distinct numberToCall values of the calls (a set of
 * the E.164 digits); "repeats" the calls whose number was seen before.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHN_BENCH_DIAL_SERVER_H
#define PHN_BENCH_DIAL_SERVER_H

#include <stdint.h>
#include <sys/types.h>

/* Bind a listening socket on 127.0.0.1, port 0 (the kernel picks). Returns
 * the fd and sets *port, or -1 with errno. */
int bench_server_listen(int *port);

/* Serve on listen_fd until SIGTERM/SIGINT (or a fatal epoll error).
 * Returns 0 on a clean stop, 1 otherwise. */
int bench_server_serve(int listen_fd);

/* Fork a child process that serves on a fresh 127.0.0.1 port.
 * Returns the child's pid (and *port), or -1. */
pid_t bench_server_spawn(int *port);

/* The counters of a running server, read over HTTP (GET /__stats). */
struct bench_server_stats {
	uint64_t requests;    /* every request, control requests excluded */
	uint64_t calls;       /* POST .../action/call */
	uint64_t contacts;    /* POST /contact */
	uint64_t invoices;    /* POST /invoice */
	uint64_t distinct;    /* distinct numberToCall values */
	uint64_t repeats;     /* calls whose number was already seen */
	uint64_t connections; /* connections accepted */
	uint64_t cpu_ms;      /* the server process's user+system CPU time */
};

/* GET /__stats or POST /__reset on 127.0.0.1:port, with a plain socket.
 * Return 0, or -1 (message on stderr). */
int bench_server_stats(struct bench_server_stats *out, int port);
int bench_server_reset(int port);

#endif /* PHN_BENCH_DIAL_SERVER_H */
