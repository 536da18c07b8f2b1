/*
 * phonenorm/webhook.h: receive the call API's signed webhooks.
 *
 * The call API reports how a call went (phone_call.ended) as an HTTP POST
 * signed with Svix ("Standard Webhooks"). This layer verifies such
 * deliveries (phn_webhook_verify, usable on its own by a program that has
 * its own HTTP server) and runs a small HTTP server on libmicrohttpd that
 * verifies every delivery and hands the verified ones to a handler
 * (phn_webhook_server_*). What is done with a verified event (the campaign
 * journal: phn_campaign_receiver_* in campaign.h) is the handler's business.
 *
 * The contract: headers svix-id, svix-timestamp (Unix seconds) and
 * svix-signature (space-separated "v1,<base64>" entries; any one matching is
 * enough; other versions are ignored). Signed content: the exact bytes
 * "<svix-id>.<svix-timestamp>.<raw body>"; signature: base64 of
 * HMAC-SHA256 keyed with the base64-decoded part of the secret after
 * "whsec_". Compared in constant time; a timestamp more than the tolerance
 * (default 300 s) away from the receiver's clock is refused.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_WEBHOOK_H
#define PHONENORM_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- verification ---------------------------------------------------- */

/* One or more signing secrets (more than one while the receiver's own
 * secret is being rotated: a delivery signed with any of them passes). The
 * key bytes are wiped when freed. Thread safety: read-only after parse;
 * any number of threads may verify with one set at once. */
typedef struct phn_webhook_secrets phn_webhook_secrets;

/*
 * Parse secrets from text: one or more "whsec_<base64>" separated by white
 * space (a secret file's contents, or an environment variable's value).
 * Empty lines and lines starting with '#' are skipped. A secret without the
 * "whsec_" prefix is taken as base64 whole (as the svix libraries do).
 * Errors: PHN_EINVAL (NULL, no secret, bad base64, a key shorter than 16
 * bytes or longer than 1024) with a message that never contains the secret
 * ("webhook secret 2 of 2 is not valid base64"), PHN_ENOMEM.
 */
PHN_EXTERN int phn_webhook_secrets_parse(phn_webhook_secrets **out, const char *text);
/* How many secrets the set holds. */
PHN_EXTERN size_t phn_webhook_secrets_count(const phn_webhook_secrets *s);
PHN_EXTERN void phn_webhook_secrets_free(phn_webhook_secrets *s); /* NULL is fine */

/* The verdict on one delivery. Values only grow. */
typedef enum phn_webhook_verdict {
	PHN_WEBHOOK_OK = 0,
	PHN_WEBHOOK_MISSING_HEADER = 1,   /* svix-id, -timestamp or -signature absent or empty */
	PHN_WEBHOOK_BAD_TIMESTAMP = 2,    /* svix-timestamp is not a decimal integer */
	PHN_WEBHOOK_STALE_TIMESTAMP = 3,  /* older than now - tolerance */
	PHN_WEBHOOK_FUTURE_TIMESTAMP = 4, /* newer than now + tolerance */
	PHN_WEBHOOK_BAD_SIGNATURE = 5     /* no v1 entry matches, or the header is unparseable */
} phn_webhook_verdict;

/* "ok", "missing_header", "bad_timestamp", "stale_timestamp",
 * "future_timestamp", "bad_signature"; NULL for an unknown value. */
PHN_EXTERN const char *phn_webhook_verdict_name(phn_webhook_verdict v);

/*
 * Verify one delivery: the three header values (NUL-terminated, NULL when
 * absent) and the raw body bytes exactly as received. now_s: the receiver's
 * clock (Unix seconds); tolerance_s: 0 means 300. The signature is checked
 * before the timestamp's age, so a stale but correctly signed delivery is
 * STALE/FUTURE and a badly signed one is BAD_SIGNATURE whatever its age.
 * Never allocates on the heap for bodies of any size; no error state.
 */
PHN_EXTERN phn_webhook_verdict phn_webhook_verify(const phn_webhook_secrets *s,
						  const char *svix_id,
						  const char *svix_timestamp,
						  const char *svix_signature,
						  const void *body, size_t body_len,
						  int64_t now_s, int64_t tolerance_s);

/*
 * Sign as a sender does, with the set's first secret: writes
 * "v1,<base64 signature>" and a NUL to out (PHN_WEBHOOK_SIGNATURE_MAX bytes
 * are always enough). For test senders, benchmarks and programs that relay
 * events. Errors: PHN_EINVAL, PHN_EBUFS.
 */
#define PHN_WEBHOOK_SIGNATURE_MAX 48
PHN_EXTERN int phn_webhook_sign(const phn_webhook_secrets *s, const char *svix_id,
				int64_t timestamp_s, const void *body, size_t body_len,
				char *out, size_t cap);

/* ---- the HTTP server ------------------------------------------------- */

/* A verified delivery, handed to the handler. Valid during the call. */
typedef struct phn_webhook_event {
	const char *svix_id;   /* the idempotency key, as sent */
	int64_t timestamp_s;   /* svix-timestamp of this delivery attempt */
	const char *body;      /* the raw body: a JSON object in valid UTF-8, NUL-terminated */
	size_t body_len;
	int64_t received_ms;   /* when the body was complete (Unix ms) */
} phn_webhook_event;

/*
 * Store one verified event. Called on the connection's thread, from several
 * threads at once; it may block (a group commit). Return 0 only when the
 * event is durably stored (or was already: a redelivery): the server then
 * answers 200. A negative PHN_E* answers 503 with Retry-After so that the
 * sender tries again later; the server logs phn_error_last() of that thread.
 */
typedef int (*phn_webhook_handler)(void *payload, const phn_webhook_event *ev);

/*
 * Told of every request that was refused, with the HTTP status sent and a
 * static reason, one of: a verdict name ("missing_header", "bad_timestamp",
 * "stale_timestamp", "future_timestamp", "bad_signature"), "not_json",
 * "not_utf8", "too_large", "not_found", "method_not_allowed",
 * "too_many_headers", "unsupported_media" (a Content-Type that is not JSON),
 * "bad_request" (another malformed request, answered by the HTTP layer
 * itself), "header_deadline" (the request did not arrive in time; status 0:
 * the connection was dropped). May be called from several threads at once;
 * must not block for long.
 */
typedef void (*phn_webhook_refusal_cb)(void *payload, int http_status, const char *reason);

typedef struct phn_webhook_server_options {
	unsigned int version;
	/* "127.0.0.1:8787" (default, NULL), "[::1]:8787", "0.0.0.0:8787",
	 * "localhost:8787"; port 0 picks a free port (phn_webhook_server_port). */
	const char *listen;
	const char *path;        /* the only path that takes events; NULL: "/webhooks/calls" */
	const phn_webhook_secrets *secrets; /* required; not copied: keep it until stop */
	int64_t tolerance_s;     /* 0: 300 */
	size_t max_body;         /* bytes; 0: 1 MiB. Larger: 413, before reading it all */
	/* A connection idle this long is closed; 0: 30 s. */
	unsigned int idle_timeout_s;
	/* The whole request (headers and body) must arrive within this from the
	 * connection's start, or it is dropped (slowloris); 0: 10 s. */
	unsigned int request_deadline_s;
	unsigned int max_connections; /* 0: 256; more are refused at accept */
	const char *tls_cert_file;    /* both set: HTTPS (if libmicrohttpd has TLS) */
	const char *tls_key_file;
	phn_webhook_handler on_event;     /* required */
	phn_webhook_refusal_cb on_refusal; /* NULL: none */
	void *payload;
} phn_webhook_server_options;

#define PHN_WEBHOOK_SERVER_OPTIONS_VERSION 1
#define PHN_WEBHOOK_SERVER_OPTIONS_INIT { PHN_WEBHOOK_SERVER_OPTIONS_VERSION, NULL, NULL, NULL, \
		0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL }

/* Initialise as the _INIT macro does. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_webhook_server_options_init(phn_webhook_server_options *opts,
					       unsigned int version);

typedef struct phn_webhook_server phn_webhook_server;

/*
 * Start serving on threads of its own; returns once the socket listens.
 * Routes: POST <path> takes events; GET /healthz answers 200 "ok"; any
 * other method on <path> is 405 (with Allow: POST), any other path 404.
 * Errors: PHN_EINVAL (bad listen address or options), PHN_EIO (cannot
 * bind: "webhook server: cannot listen on 127.0.0.1:8787: Address already
 * in use"), PHN_ENOTFOUND (a TLS file), PHN_EINTERNAL (no TLS support).
 */
PHN_EXTERN int phn_webhook_server_start(phn_webhook_server **out,
					const phn_webhook_server_options *opts);

/* The port it listens on. */
PHN_EXTERN int phn_webhook_server_port(const phn_webhook_server *srv);

/* Counters since start. New fields are only appended. */
typedef struct phn_webhook_server_stats {
	unsigned int version;
	uint64_t requests;     /* every request answered or dropped */
	uint64_t accepted;     /* answered 200 */
	uint64_t refused;      /* answered 4xx or dropped */
	uint64_t failed;       /* answered 503: the handler failed */
} phn_webhook_server_stats;

#define PHN_WEBHOOK_SERVER_STATS_VERSION 1
#define PHN_WEBHOOK_SERVER_STATS_INIT { PHN_WEBHOOK_SERVER_STATS_VERSION, 0, 0, 0, 0 }

PHN_EXTERN int phn_webhook_server_stats_get(phn_webhook_server_stats *out,
					    const phn_webhook_server *srv);

/* Stop accepting, let requests in progress finish (their handlers
 * return), close everything and free. NULL is fine. */
PHN_EXTERN void phn_webhook_server_stop(phn_webhook_server *srv);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_WEBHOOK_H */
