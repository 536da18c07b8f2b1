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

/* ---- the generated campaign, shared by bench_dial and bench_webhook ----
 * Row i (0-based) is a valid number that no other row has: four in five are
 * Saudi mobiles (+966 50 ...: one zone, Asia/Riyadh), one in five a US
 * number in New York, Chicago, Denver or Los Angeles. dst gets the E.164. */
void bench_row_number(char dst[32], uint64_t i);

/* The list of the dialer runs: a header (id,first_name,phone) and one row
 * per call. Returns 0, or -1 (message on stderr). */
int bench_write_list(const char *path, uint64_t rows);

/* Monday 2026-12-07 16:30 UTC with the window 00:00-24:00 every day: the
 * Saudi rows are open, and the US rows, whose window is always narrowed to
 * 08:00-21:00 local (TCPA), are too: 11:30 in New York, 10:30 in Chicago,
 * 09:30 in Denver, 08:30 in Los Angeles. Every row is dialled at once; each
 * zone set is still checked through ICU as in a real run. (The default
 * windows never hold for Riyadh and New York at the same instant.) */
#define BENCH_NOW_MS INT64_C(1796661000000)

#endif /* PHN_BENCH_DIAL_SERVER_H */
