/*
 * Internals of the dispatch layer, shared by its source files only.
 */
#ifndef PHN_DISPATCH_INTERNAL_H
#define PHN_DISPATCH_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "phonenorm/dispatch.h"
#include "phonenorm/number.h"
#include "phonenorm/version.h"

#define PHN_DISPATCH_USER_AGENT "phonenorm/" PHN_VERSION

/* Bodies above this are cut: the API's answers are a few hundred bytes. */
#define PHN_DISPATCH_BODY_MAX (1024 * 1024)

/* Response headers (all lines, interim answers included) above this end the
 * transfer: "response header too large". libcurl's own limit for one line
 * is 100 KiB (CURL_MAX_HTTP_HEADER). */
#define PHN_DISPATCH_HEADER_MAX (64 * 1024)

/* Index of the Authorization header in every request's header list. */
#define PHN_REQUEST_AUTH_HEADER 0

/*
 * A request that passed validation: what goes on the wire. The dry run
 * reads it through the public getters, the transfer through the same
 * getters plus the real Authorization line, so the two cannot differ.
 */
struct phn_dispatch_request {
	phn_dispatch_kind kind;
	char *url;  /* malloc'd: what goes on the wire */
	char *shown_url; /* malloc'd: url with d's token masked, what getters give */
	char *body; /* malloc'd, NUL-terminated compact JSON */
	size_t body_len;
	int has_token; /* the handle had a token when the request was built */
	char number[PHN_E164_MAX + 1]; /* E.164 sent, "" for invoices */
};

typedef struct phn_dispatch_request phn_request;

typedef struct phn_buf {
	char *ptr;
	size_t len;
	size_t cap;
} phn_buf;

/* One request on its way: queued, then on the wire, then finished. */
typedef struct phn_xfer {
	struct phn_xfer *next;
	struct phn_xfer *prev;
	phn_dispatch *d;
	uint64_t id;
	phn_request *req;
	phn_dispatch_done_cb done;
	void *payload;
	CURL *easy;
	struct curl_slist *headers;
	phn_buf response;
	int truncated;
	int sent; /* the request's first bytes were handed to the socket */
	size_t header_bytes;   /* response header bytes so far */
	int header_too_large;  /* on_header stopped the transfer at PHN_DISPATCH_HEADER_MAX */
	int body_started;      /* on_body has run: the headers were all read */
	char *retry_after;
	char curl_error[CURL_ERROR_SIZE];
} phn_xfer;

struct phn_dispatch {
	char *base_url;
	int base_loopback; /* the base URL's host is 127.0.0.0/8, localhost or ::1 */
	char *token;
	size_t token_len;
	char *auth_header; /* "Authorization: Bearer <token>" */
	long connect_timeout_ms;
	long timeout_ms;
	unsigned int max_in_flight;
	phn_dispatch_trace_cb trace;
	void *trace_payload;
	int curl_global; /* curl_global_init() succeeded and needs a cleanup */
	int in_callback;
	CURLM *multi;
	phn_xfer *queued_head; /* FIFO of requests not yet on the wire */
	phn_xfer *queued_tail;
	phn_xfer *active; /* requests on the wire, any order */
	size_t n_queued;
	size_t n_active;
	uint64_t next_id;
};

/*
 * Set the thread's last error (phn_error_last()) with every copy of d's
 * token masked, and return rc. d may be NULL.
 */
int phn_dispatch__error(const phn_dispatch *d, int rc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/*
 * Copy s[0..len) with every occurrence of d's token replaced by "****".
 * Returns a malloc'd, NUL-terminated string (its length in *outlen if not
 * NULL), NULL when out of memory.
 */
char *phn_dispatch__scrub(const phn_dispatch *d, const char *s, size_t len, size_t *outlen);

/*
 * phn_dispatch__scrub() for text that may hold a piece of the token. Every
 * copy is masked as written and as decoded (JSON \" \\ \/ \u00XX escapes,
 * %XX percent escapes; the bytes that spell a copy become "****").
 * PHN_SCRUB_CUT_END: the text was cut at its end (a body at its size
 * limit, a header line folded onto the next): its last 4 or more decoded
 * characters that begin the token are masked too, and an escape left
 * unfinished by the cut with them. PHN_SCRUB_CUT_START: the text continues
 * something cut (a folded header's next line): 4 or more leading characters
 * (after white space) that end the token are masked. So no piece of the
 * token longer than 3 characters shows at a cut.
 */
#define PHN_SCRUB_CUT_END 1u
#define PHN_SCRUB_CUT_START 2u
char *phn_dispatch__scrub_cut(const phn_dispatch *d, const char *s, size_t len,
			      unsigned int flags, size_t *outlen);

/* Quote user text for an error message between q characters: d's token
 * masked first, then at most 60 bytes, controls as '?'. d may be NULL. */
void phn_dispatch__quote(const phn_dispatch *d, char *dst, size_t cap, const char *s, char q);

/* Validate a request and build it. On error *out is NULL and the thread's
 * last error says why. */
int phn_dispatch__build_call(phn_request **out, const phn_dispatch *d,
			     const phn_dispatch_call *call);
int phn_dispatch__build_contact(phn_request **out, const phn_dispatch *d,
				const phn_dispatch_contact *contact);
int phn_dispatch__build_invoice(phn_request **out, const phn_dispatch *d,
				const phn_dispatch_invoice *invoice);

/* Path of an endpoint below the base URL, "/contact"; NULL for an unknown kind. */
const char *phn_dispatch__path(phn_dispatch_kind kind);

/* d's base URL followed by the path of kind, malloc'd; NULL when out of memory. */
char *phn_dispatch__url(const phn_dispatch *d, phn_dispatch_kind kind);

/*
 * Build the result of a finished transfer: classify, parse the body, mask
 * the token. *out is one block; free with phn_dispatch_result_free().
 */
int phn_dispatch__result_build(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code);

/*
 * The pure part of phn_dispatch__result_build(): the same result from the
 * facts it reads off the easy handle and the clock (status 0: no status
 * line; location: a 3xx's redirect URL or NULL; now in Unix seconds, for
 * an HTTP-date Retry-After). x->easy is not used. The fuzz target tests/fuzz/fuzz_dispatch_response.c enters here.
 */
int phn_dispatch__result_parse(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code, long status, const char *location,
			       int64_t elapsed_ms, int64_t now);

/*
 * The memory of a result: this header, then its details, their loc_parts
 * arrays and every string, in one allocation (result.c lays it out). A
 * result pointer is the block's, so getters reach the details from it.
 */
typedef struct phn_result_block {
	phn_dispatch_result pub;
	const phn_dispatch_detail *details;
} phn_result_block;

/*
 * Fill *b with the result to report when phn_dispatch__result_build() ran
 * out of memory: how the request ended, without its body. Allocates
 * nothing; its strings live as long as x.
 */
void phn_dispatch__result_fallback(phn_result_block *b, phn_xfer *x);

/* Free a transfer and its easy handle (already removed from any multi). */
void phn_dispatch__xfer_free(phn_xfer *x);

/* Outcome class of an HTTP status (a response arrived). */
phn_dispatch_outcome phn_dispatch__classify_status(long status);

/* Longest wait a Retry-After gives (one year): a server cannot make a
 * caller's "now + seconds" overflow, and nobody waits longer. */
#define PHN_DISPATCH_RETRY_AFTER_MAX ((int64_t)366 * 24 * 3600)

/*
 * Seconds a Retry-After value (delta-seconds or an HTTP date) asks to wait
 * at Unix time now: 0..PHN_DISPATCH_RETRY_AFTER_MAX (a past date is 0,
 * longer waits are the cap), -1 when NULL, empty or unreadable. Pure: the
 * same value and now always give the same answer.
 */
int64_t phn_dispatch__retry_after_seconds(const char *value, int64_t now);

/* Growable buffer; 0 on success, -1 when out of memory. */
int phn_buf_append(phn_buf *b, const char *s, size_t len);
void phn_buf_free(phn_buf *b);

#endif /* PHN_DISPATCH_INTERNAL_H */
