/*
 * phonenorm: hand clean numbers to the outbound AI phone-call API.
 *
 * A phn_dispatch handle talks to the call API over HTTPS: it triggers calls
 * (POST /ai/phone-calls/action/call), creates contacts (POST /contact) and
 * invoices (POST /invoice). Requests go out one at a time (phn_dispatch_send_*)
 * or many at once on one thread (phn_dispatch_submit_* then phn_dispatch_poll
 * or phn_dispatch_run).
 *
 * What the API answered is data, never an error: every request that left the
 * process gives a phn_dispatch_result with the HTTP status, the parsed body
 * and an outcome class (accepted, rejected, throttled, ambiguous ...). The
 * functions return negative PHN_E* codes only when nothing was sent: bad
 * arguments, a request that fails local validation, no token, no memory.
 * Every such return also leaves one line that says why in phn_error_last()
 * (common.h), valid until the next failing phonenorm call on the same
 * thread. PHN_ENETWORK is never returned: a request the network failed is
 * a result (PHN_DISPATCH_NOT_SENT or PHN_DISPATCH_AMBIGUOUS).
 *
 * The bearer token never leaves the library: it is not in any string the
 * library returns (results, error messages, request descriptions and
 * URLs, the trace). Every copy of it, as written, JSON-escaped (\u0074) or
 * percent-encoded (%74), is replaced by "****" in the final text of each
 * string; where the library or the server cut a text (a body at its 1 MiB
 * limit, a header folded over two trace lines) no piece of the token
 * longer than 3 characters is left at the cut. A token inside the base URL
 * (its path) is sent but shown masked.
 *
 * Thread safety: a handle belongs to one thread at a time (curl's rule). Two
 * handles may be used from two threads at once. Results and request
 * descriptions are plain data that any thread may read.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_DISPATCH_H
#define PHONENORM_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The documented API base, used when no base URL is given. */
#define PHN_DISPATCH_DEFAULT_URL "https://api.dev.uselevers.com/api-service/v1"

/* Environment variables phn_dispatch_new() reads with PHN_DISPATCH_USE_ENV. */
#define PHN_DISPATCH_ENV_URL "PHONENORM_API_URL"
#define PHN_DISPATCH_ENV_TOKEN "PHONENORM_API_TOKEN"
#define PHN_DISPATCH_ENV_TOKEN_FILE "PHONENORM_API_TOKEN_FILE"

/* A client of the call API. Opaque; one thread at a time. */
typedef struct phn_dispatch phn_dispatch;

/*
 * Receives one line of the HTTP trace (connection steps, request and
 * response headers, body sizes), without its newline. The Authorization
 * header reads "Authorization: Bearer ****". line is valid during the call.
 */
typedef void (*phn_dispatch_trace_cb)(const char *line, void *payload);

/*
 * phn_dispatch_options.flags. PHN_DISPATCH_USE_ENV: read PHONENORM_API_URL,
 * PHONENORM_API_TOKEN and PHONENORM_API_TOKEN_FILE for what the options
 * leave NULL. Off by default: a library caller (a Python app) never picks
 * up a token it did not ask for; the phonenorm CLI sets it.
 */
#define PHN_DISPATCH_USE_ENV (1u << 0)

typedef struct phn_dispatch_options {
	unsigned int version;
	/*
	 * Base URL the paths are appended to. NULL: $PHONENORM_API_URL (with
	 * PHN_DISPATCH_USE_ENV), else PHN_DISPATCH_DEFAULT_URL. http:// is
	 * accepted only for loopback hosts (127.0.0.0/8, localhost, ::1): a
	 * bearer token never crosses a network in clear. TLS peer and host
	 * verification are always on for https.
	 */
	const char *base_url;
	/*
	 * The bearer token, copied. NULL: read token_file; if that is NULL too
	 * and flags has PHN_DISPATCH_USE_ENV, $PHONENORM_API_TOKEN, then the
	 * file named by $PHONENORM_API_TOKEN_FILE. A file holds the token on
	 * its first line; surrounding white space is dropped. No token is fine
	 * for describing requests (dry runs); sending then fails with PHN_EAUTH.
	 */
	const char *token;
	const char *token_file;
	unsigned int flags;         /* PHN_DISPATCH_USE_ENV; other bits: PHN_EINVAL */
	int64_t connect_timeout_ms; /* 0: 10000 */
	int64_t timeout_ms;         /* whole request, 0: 30000 */
	/* Requests on the wire at once in the multi interface; more wait in a
	 * queue and do not start their timeout until they go out. 0: 16. */
	unsigned int max_in_flight;
	phn_dispatch_trace_cb trace; /* NULL: no trace */
	void *trace_payload;
} phn_dispatch_options;

#define PHN_DISPATCH_OPTIONS_VERSION 1
#define PHN_DISPATCH_OPTIONS_INIT { PHN_DISPATCH_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, \
		NULL, NULL }

/* Initialise *opts as PHN_DISPATCH_OPTIONS_INIT does; version may be 1 to
 * PHN_DISPATCH_OPTIONS_VERSION. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_dispatch_options_init(phn_dispatch_options *opts, unsigned int version);

/*
 * Create a client. opts may be NULL for all defaults (no environment read).
 * Every string is copied.
 *
 * Errors (*out is then NULL and phn_error_last() says why, never showing
 * the token or the token file's path, and showing a URL with its userinfo,
 * query and fragment as "****"): PHN_EINVAL (malformed or non-loopback
 * http:// base URL, unknown flags, negative timeouts, a token with
 * characters an HTTP header cannot carry), PHN_EIO (token file cannot be
 * read or is empty: "the token file: No such file or directory"; "the
 * file named by $PHONENORM_API_TOKEN_FILE: ..."), PHN_EVERSION,
 * PHN_ENOMEM, PHN_EINTERNAL (libcurl could not start).
 *
 * Uses curl_global_init(): with libcurl older than 7.84, create the first
 * handle before other threads use libcurl.
 */
PHN_EXTERN int phn_dispatch_new(phn_dispatch **out, const phn_dispatch_options *opts);

/*
 * Free a client and everything it owns; NULL is fine. Requests still queued
 * or in flight are abandoned without their callbacks: one already on the wire
 * may or may not have been acted on by the server. Wipes the token.
 */
PHN_EXTERN void phn_dispatch_free(phn_dispatch *d);

/* 1 if d has a token to send, 0 otherwise (also for NULL). */
PHN_EXTERN int phn_dispatch_has_token(const phn_dispatch *d);

/*
 * 1 if d's API base URL names a loopback host: a dotted quad in 127.0.0.0/8,
 * "localhost" (any case) or ::1, the same check that allows http:// for a
 * local test server; 0 otherwise (also for NULL). A name that only starts
 * like one ("127.0.0.1.example") is not loopback.
 */
PHN_EXTERN int phn_dispatch_is_loopback(const phn_dispatch *d);

/* The User-Agent sent with every request, "phonenorm/VERSION". Static. */
PHN_EXTERN const char *phn_dispatch_user_agent(void);

/* ---- requests -------------------------------------------------------- */

/* A boolean field that may also be left out of the request. */
typedef enum phn_dispatch_bool {
	PHN_DISPATCH_UNSET = 0, /* not sent: the API's default applies */
	PHN_DISPATCH_FALSE = 1,
	PHN_DISPATCH_TRUE = 2
} phn_dispatch_bool;

/* One key/value pair of promptTags or metadata. Both must be UTF-8, key not "". */
typedef struct phn_dispatch_kv {
	const char *key;
	const char *value;
} phn_dispatch_kv;

/*
 * POST /ai/phone-calls/action/call. Every pointer may be NULL, meaning "not
 * set": a field is sent only when it is set. Strings are UTF-8; the library
 * reads them during the call and keeps nothing.
 */
typedef struct phn_dispatch_call {
	unsigned int version;
	/* Required, 1..100 characters as written. Parsed with phn_number_parse()
	 * in country_code; it must be valid (or possible, with
	 * PHN_DISPATCH_ALLOW_POSSIBLE in flags) and carry no extension.
	 * numberToCall is sent as its E.164 form. */
	const char *number;
	/*
	 * ISO 3166-1 alpha-2 in capitals, "SA": the region number is read in.
	 * It is sent as countryCode only when it is the number's own region
	 * (or the number, being only possible, has no region of its own).
	 * A number of another country calling code (-c SA with "+1 202 ...")
	 * is refused with PHN_EINVAL: in a campaign it is most likely a
	 * mistake, and the API would get a country that is not the number's.
	 * A number of the same calling code but another region (a Canadian
	 * +1 number read in US) goes out without countryCode.
	 */
	const char *country_code;
	const char *first_name;   /* firstName */
	const char *last_name;    /* lastName */
	const char *email;        /* email */
	const char *contact_uuid; /* contactUuid: 8-4-4-4-12 hex digits */
	const char *template_id;  /* aiSettingsTemplateId: a UUID as well */
	/*
	 * promptTags, string values only (the API substitutes only strings).
	 * Either pairs (prompt_tags not NULL; a count of 0 sends {}) or a JSON
	 * object in prompt_tags_json whose values are all strings; not both.
	 */
	const phn_dispatch_kv *prompt_tags;
	size_t prompt_tags_count;
	const char *prompt_tags_json;
	/*
	 * metadata, any JSON object. Either string pairs or metadata_json, sent
	 * as written (minus white space, so large integers keep every digit);
	 * not both.
	 */
	const phn_dispatch_kv *metadata;
	size_t metadata_count;
	const char *metadata_json;
	phn_dispatch_bool update_existing;      /* updateExisting (API default false) */
	phn_dispatch_bool create_if_not_exists; /* createIfNotExists (API default true) */
	/* Version 2: PHN_DISPATCH_ALLOW_POSSIBLE; other bits: PHN_EINVAL.
	 * A version 1 struct has no flags: possible numbers are refused. */
	unsigned int flags;
} phn_dispatch_call;

/*
 * phn_dispatch_call.flags and phn_dispatch_contact.flags.
 * PHN_DISPATCH_ALLOW_POSSIBLE: also send a number that is only possible
 * (the right length, in a range not known to be assigned: "-c US
 * 0501234567" gives +10501234567). Off by default: such a number is
 * usually a number read in the wrong region.
 */
#define PHN_DISPATCH_ALLOW_POSSIBLE (1u << 0)

#define PHN_DISPATCH_CALL_VERSION 2
#define PHN_DISPATCH_CALL_INIT { PHN_DISPATCH_CALL_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, \
		NULL, NULL, 0, NULL, NULL, 0, NULL, PHN_DISPATCH_UNSET, PHN_DISPATCH_UNSET, 0 }

/*
 * POST /contact (flow "Call to Number"): name, phoneNumber, email, role,
 * each sent only when set. phone_number is required and is sent as E.164,
 * read in country_code (which is not sent, so a number of another country
 * is fine) and valid, or possible with PHN_DISPATCH_ALLOW_POSSIBLE.
 */
typedef struct phn_dispatch_contact {
	unsigned int version;
	const char *name;
	const char *phone_number;
	const char *country_code;
	const char *email;
	const char *role; /* "PRIMARY" in the documented flow */
	unsigned int flags; /* version 2: PHN_DISPATCH_ALLOW_POSSIBLE */
} phn_dispatch_contact;

#define PHN_DISPATCH_CONTACT_VERSION 2
#define PHN_DISPATCH_CONTACT_INIT { PHN_DISPATCH_CONTACT_VERSION, NULL, NULL, NULL, NULL, NULL, 0 }

/*
 * POST /invoice: number, date, dueDate, total, contactUuid. date and
 * contact_uuid are required; the others are sent when set.
 */
typedef struct phn_dispatch_invoice {
	unsigned int version;
	const char *number;       /* invoice number, a string: "1" */
	const char *date;         /* YYYY-MM-DD, a real date, not after today (UTC) */
	const char *due_date;     /* dueDate, YYYY-MM-DD */
	const char *total;        /* decimal text "100.0", sent as a JSON number as written */
	const char *contact_uuid; /* contactUuid: the contact's uuid */
} phn_dispatch_invoice;

#define PHN_DISPATCH_INVOICE_VERSION 1
#define PHN_DISPATCH_INVOICE_INIT { PHN_DISPATCH_INVOICE_VERSION, NULL, NULL, NULL, NULL, NULL }

/* Initialise a request as its _INIT macro does; version may be 1 to the
 * struct's _VERSION. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_dispatch_call_init(phn_dispatch_call *call, unsigned int version);
PHN_EXTERN int phn_dispatch_contact_init(phn_dispatch_contact *contact, unsigned int version);
PHN_EXTERN int phn_dispatch_invoice_init(phn_dispatch_invoice *invoice, unsigned int version);

/* Which endpoint a request or result belongs to. */
typedef enum phn_dispatch_kind {
	PHN_DISPATCH_KIND_CALL = 0,    /* POST /ai/phone-calls/action/call */
	PHN_DISPATCH_KIND_CONTACT = 1, /* POST /contact */
	PHN_DISPATCH_KIND_INVOICE = 2  /* POST /invoice */
} phn_dispatch_kind;

/*
 * Write the full URL of an endpoint of d into dst[cap], d's token masked
 * ("****") if the base URL holds it. needed (if not NULL) gets its length.
 * Errors: PHN_EINVAL, PHN_EBUFS.
 */
PHN_EXTERN int phn_dispatch_url(char *dst, size_t cap, size_t *needed, const phn_dispatch *d,
				phn_dispatch_kind kind);

/*
 * A validated request: exactly what phn_dispatch_send_*() puts on the wire
 * for the same input (the transfer is built from this description).
 * Opaque; read it with the phn_dispatch_request_*() getters below.
 */
typedef struct phn_dispatch_request phn_dispatch_request;

/*
 * Validate a request and describe it without sending anything (dry runs).
 * On PHN_OK *out belongs to the caller: free it with
 * phn_dispatch_request_free(). It does not refer to d or to the input.
 *
 * Errors (*out is NULL): PHN_EINVAL (NULL arguments, or the request breaks
 * a rule of the API's schema; phn_error_last() names the field and the
 * rule), PHN_EVERSION, PHN_EREGION (country_code is not a known region),
 * PHN_ENOMEM.
 */
PHN_EXTERN int phn_dispatch_describe_call(phn_dispatch_request **out, const phn_dispatch *d,
					  const phn_dispatch_call *call);
PHN_EXTERN int phn_dispatch_describe_contact(phn_dispatch_request **out, const phn_dispatch *d,
					     const phn_dispatch_contact *contact);
PHN_EXTERN int phn_dispatch_describe_invoice(phn_dispatch_request **out, const phn_dispatch *d,
					     const phn_dispatch_invoice *invoice);

/* Free a description; NULL is fine. */
PHN_EXTERN void phn_dispatch_request_free(phn_dispatch_request *req);

/* The getters below give NULL, 0 or PHN_DISPATCH_KIND_CALL for a NULL req. */

/* The endpoint the request goes to. */
PHN_EXTERN phn_dispatch_kind phn_dispatch_request_kind(const phn_dispatch_request *req);

/* "POST". Static. */
PHN_EXTERN const char *phn_dispatch_request_method(const phn_dispatch_request *req);

/* The full URL, d's token masked ("****") if the base URL holds it (the
 * request itself goes to the real URL); lives as long as req. */
PHN_EXTERN const char *phn_dispatch_request_url(const phn_dispatch_request *req);

/* Number of headers the request sends, in order (today: Authorization,
 * Content-Type, Accept, User-Agent). */
PHN_EXTERN size_t phn_dispatch_request_header_count(const phn_dispatch_request *req);

/*
 * Header i (0 <= i < phn_dispatch_request_header_count()): its name and its
 * value, both living as long as req. The Authorization value is always
 * masked, "Bearer ****"; it is NULL when the handle had no token (sending
 * would fail with PHN_EAUTH). Either output may be NULL.
 * Errors: PHN_EINVAL (NULL req, i out of range).
 */
PHN_EXTERN int phn_dispatch_request_header(const char **name, const char **value,
					   const phn_dispatch_request *req, size_t i);

/*
 * The exact JSON body, NUL-terminated; len (if not NULL) gets its length.
 * Lives as long as req.
 */
PHN_EXTERN const char *phn_dispatch_request_body(size_t *len, const phn_dispatch_request *req);

/* ---- results --------------------------------------------------------- */

/* How a request ended: what a caller (a campaign runner) does next. */
typedef enum phn_dispatch_outcome {
	/* 2xx: the API took the request (201 for a call: it is being placed). */
	PHN_DISPATCH_ACCEPTED = 0,
	/* Any 4xx not named below (422 validation, 400, 409 ...): final, do
	 * not retry as is. */
	PHN_DISPATCH_REJECTED = 1,
	/* 401 or 403: the token is missing, wrong or lacks rights. */
	PHN_DISPATCH_AUTH_FAILED = 2,
	/* 404: e.g. no contact matches and createIfNotExists was false. A 404
	 * whose body is not the API's JSON {"detail": ...} (an HTML page, an
	 * empty body) usually means a wrong base URL: result->error says so. */
	PHN_DISPATCH_NOT_FOUND = 3,
	/* 429 or 503: come back later; see retry_after_seconds. */
	PHN_DISPATCH_THROTTLED = 4,
	/*
	 * The request went out and no answer says it was refused: the call may
	 * or may not have been placed. 500, 502, 504 and any other 5xx; a 1xx
	 * with no final answer after it; any 3xx (redirects are never
	 * followed); a status outside 100..599; a timeout, a lost connection or
	 * a response header too large after the request went out.
	 */
	PHN_DISPATCH_AMBIGUOUS = 5,
	/* Nothing reached the server: connection refused, DNS, TLS failure,
	 * timeout while connecting. Safe to retry. */
	PHN_DISPATCH_NOT_SENT = 6
} phn_dispatch_outcome;

/*
 * What one request gave. Only the library creates results (there is no
 * _INIT or _init(): a caller never allocates one, copies one by value or
 * puts one in an array), so new fields are appended at the end. version is
 * the PHN_DISPATCH_RESULT_VERSION of the library that made the result: read
 * a field added in version N only when version >= N.
 *
 * Every string is NUL-terminated, or NULL when absent. Strings read from
 * the JSON body (ids, status, message, details) are UTF-8: bytes that are
 * not show as U+FFFD. body, retry_after and error keep the server's bytes
 * as they came (escape them before showing them); the result and
 * all its strings are one block of memory that lives until the result is
 * freed (or, in a phn_dispatch_done_cb, until the callback returns).
 * Identifiers the API sends as JSON numbers (a numeric callId) are kept as
 * the digits it wrote, never converted through a floating-point double.
 */
typedef struct phn_dispatch_result {
	unsigned int version;
	uint64_t id; /* the id phn_dispatch_submit_*() gave; 0 for phn_dispatch_send_*() */
	phn_dispatch_kind kind;
	phn_dispatch_outcome outcome;
	int http_status; /* 0 when no response arrived */
	/* The E.164 number that was sent: numberToCall, or a contact's phoneNumber. */
	const char *number;
	/* From a 2xx body: callId, status, contactUuid (calls) and uuid (contacts,
	 * invoices). */
	const char *call_id;
	const char *status;
	const char *contact_uuid;
	const char *uuid;
	/* A 422's "detail" entries, read with phn_dispatch_result_detail(); a
	 * string "detail" (404 ...) is in message. */
	size_t details_count;
	const char *message;
	/* The response body as received (token copies masked); "" when none.
	 * Kept up to 1 MiB; body_truncated is 1 when more arrived. Response
	 * headers are limited to 64 KiB in all (and 100 KiB per line by
	 * libcurl): more ends the transfer, and error says "response header
	 * too large"; a status line that came before still decides the
	 * outcome. */
	const char *body;
	size_t body_len;
	int body_truncated;
	/* Retry-After as sent, and in seconds from now (an HTTP date is
	 * converted, a past one is 0; at most one year: longer waits are
	 * capped); NULL and -1 when absent or unreadable. */
	const char *retry_after;
	int64_t retry_after_seconds;
	/* One line a person can read (a 404 that is not the API's JSON
	 * {"detail": ...} adds "the API URL may be wrong (URL)"):
	 * "accepted: callId call-abc123",
	 * "HTTP 422: body.countryCode: String should match pattern ...",
	 * "Failed to connect to 127.0.0.1 port 9: Connection refused". Never NULL. */
	const char *error;
	int64_t elapsed_ms; /* from going on the wire to the end */
} phn_dispatch_result;

#define PHN_DISPATCH_RESULT_VERSION 1

/*
 * One entry of a 422 body's "detail" array (FastAPI's ValidationError).
 * Library-owned like the result: it grows at the end, version is the
 * library's PHN_DISPATCH_DETAIL_VERSION.
 */
typedef struct phn_dispatch_detail {
	unsigned int version;
	/* loc joined with '.', integers as the API wrote them: "body.numberToCall". */
	const char *loc;
	const char *const *loc_parts; /* the same, one element each, loc_count of them */
	size_t loc_count;
	const char *msg;  /* "" when absent */
	const char *type; /* "" when absent */
} phn_dispatch_detail;

#define PHN_DISPATCH_DETAIL_VERSION 1

/*
 * Detail i of a result (0 <= i < result->details_count); NULL when i is out
 * of range or result is NULL. Lives as long as the result.
 */
PHN_EXTERN const phn_dispatch_detail *phn_dispatch_result_detail(const phn_dispatch_result *result,
								 size_t i);

/*
 * Deep copy of a result (for keeping one a callback saw). *out belongs to the
 * caller. Errors (*out NULL): PHN_EINVAL, PHN_ENOMEM.
 */
PHN_EXTERN int phn_dispatch_result_copy(phn_dispatch_result **out,
					const phn_dispatch_result *result);

/* Free a result from phn_dispatch_send_*() or phn_dispatch_result_copy(); NULL is fine. */
PHN_EXTERN void phn_dispatch_result_free(phn_dispatch_result *result);

/* Static name of an outcome: "accepted", "rejected", "auth_failed",
 * "not_found", "throttled", "ambiguous", "not_sent"; "unknown" otherwise. */
PHN_EXTERN const char *phn_dispatch_outcome_name(phn_dispatch_outcome outcome);

/* Static English sentence that explains an outcome to a person. */
PHN_EXTERN const char *phn_dispatch_outcome_describe(phn_dispatch_outcome outcome);

/* Static name of a kind: "call", "contact", "invoice"; "unknown" otherwise. */
PHN_EXTERN const char *phn_dispatch_kind_name(phn_dispatch_kind kind);

/* ---- one request at a time ------------------------------------------- */

/*
 * Validate, send and wait for one request. On PHN_OK *out holds the result,
 * whatever the outcome (a refused connection is a result too); free it with
 * phn_dispatch_result_free(). On error *out is NULL and nothing was sent.
 *
 * Errors (phn_error_last() says why): those of phn_dispatch_describe_call(),
 * PHN_EAUTH (d has no token), PHN_EINTERNAL (libcurl failed to set up the
 * transfer).
 */
PHN_EXTERN int phn_dispatch_send_call(phn_dispatch_result **out, phn_dispatch *d,
				      const phn_dispatch_call *call);
PHN_EXTERN int phn_dispatch_send_contact(phn_dispatch_result **out, phn_dispatch *d,
					 const phn_dispatch_contact *contact);
PHN_EXTERN int phn_dispatch_send_invoice(phn_dispatch_result **out, phn_dispatch *d,
					 const phn_dispatch_invoice *invoice);

/* ---- many requests in flight on one thread ---------------------------- */

/*
 * Receives a finished request of the multi interface. result is valid only
 * during the call (copy it with phn_dispatch_result_copy() to keep it);
 * payload is the one given to phn_dispatch_submit_*(). The callback may
 * submit more requests on d; it must not free d or call phn_dispatch_poll()
 * or phn_dispatch_run().
 */
typedef void (*phn_dispatch_done_cb)(const phn_dispatch_result *result, void *payload);

/*
 * Validate a request now and queue it; it goes out during phn_dispatch_poll()
 * or phn_dispatch_run(), at most max_in_flight at a time, and ends in exactly
 * one call of done. id (if not NULL) gets the request's id, also found in
 * its result: unique within d, starting at 1. cb may be NULL.
 *
 * Errors: as phn_dispatch_send_call(); on error nothing is queued and *id is 0.
 */
PHN_EXTERN int phn_dispatch_submit_call(uint64_t *id, phn_dispatch *d, const phn_dispatch_call *call,
					phn_dispatch_done_cb done, void *payload);
PHN_EXTERN int phn_dispatch_submit_contact(uint64_t *id, phn_dispatch *d,
					   const phn_dispatch_contact *contact,
					   phn_dispatch_done_cb done, void *payload);
PHN_EXTERN int phn_dispatch_submit_invoice(uint64_t *id, phn_dispatch *d,
					   const phn_dispatch_invoice *invoice,
					   phn_dispatch_done_cb done, void *payload);

/*
 * Move queued requests onto the wire, wait up to timeout_ms (0: do not wait)
 * for network activity, and call the callbacks of the requests that ended.
 * remaining (if not NULL) gets how many are still queued or in flight.
 * Returns at once when there is nothing to do.
 * Errors: PHN_EINVAL (also when called from a completion callback),
 * PHN_EINTERNAL (libcurl's multi interface failed).
 */
PHN_EXTERN int phn_dispatch_poll(size_t *remaining, phn_dispatch *d, int timeout_ms);

/* phn_dispatch_poll() until no request is queued or in flight. */
PHN_EXTERN int phn_dispatch_run(phn_dispatch *d);

/* Requests queued or in flight on d; 0 for NULL. */
PHN_EXTERN size_t phn_dispatch_pending(const phn_dispatch *d);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_DISPATCH_H */
