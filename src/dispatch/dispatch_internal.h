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

/* Index of the Authorization header in every request's header list. */
#define PHN_REQUEST_AUTH_HEADER 0

/*
 * A request that passed validation: what goes on the wire. The dry run
 * reads it through the public getters, the transfer through the same
 * getters plus the real Authorization line, so the two cannot differ.
 */
struct phn_dispatch_request {
	phn_dispatch_kind kind;
	char *url;  /* malloc'd */
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
	char *retry_after;
	char curl_error[CURL_ERROR_SIZE];
} phn_xfer;

struct phn_dispatch {
	char *base_url;
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

/* Quote user text for an error message between q characters: at most 60
 * bytes, controls as '?'. */
void phn_dispatch__quote(char *dst, size_t cap, const char *s, char q);

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
 * line; now in Unix seconds, for an HTTP-date Retry-After). x->easy is not
 * used. The fuzz target tests/fuzz/fuzz_dispatch_response.c enters here.
 */
int phn_dispatch__result_parse(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code, long status, int64_t elapsed_ms, int64_t now);

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
