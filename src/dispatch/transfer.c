/*
 * Transfers on libcurl: one request per easy handle, synchronously or many
 * at once on the handle's multi.
 */
#include "dispatch/dispatch_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/error.h"
#include "text/text.h"

/*
 * One trace line, masked on its own final text: curl hands headers over
 * line by line, so a token folded across two header lines arrives as the
 * end of one line and the start of the next; both ends count as cuts.
 */
static void trace_line(phn_xfer *x, const char *prefix, const char *line, size_t len)
{
	phn_dispatch *d = x->d;
	char head[32];
	phn_buf b = { NULL, 0, 0 };
	char *masked;
	size_t mlen;

	if (x->id)
		snprintf(head, sizeof(head), "[%llu] %s", (unsigned long long)x->id, prefix);
	else
		snprintf(head, sizeof(head), "%s", prefix);
	masked = phn_dispatch__scrub_cut(d, line, len, PHN_SCRUB_CUT_END | PHN_SCRUB_CUT_START,
					 &mlen);
	if (masked && !phn_buf_append(&b, head, strlen(head)) && !phn_buf_append(&b, masked, mlen))
		d->trace(b.ptr, d->trace_payload);
	phn_buf_free(&b);
	free(masked);
}

static void trace_lines(phn_xfer *x, const char *prefix, const char *data, size_t size,
			int outgoing)
{
	static const char auth[] = "authorization:";
	const char *end = data + size, *nl;

	while (data < end) {
		size_t len;

		nl = memchr(data, '\n', (size_t)(end - data));
		len = nl ? (size_t)(nl - data) : (size_t)(end - data);
		if (len > 0 && data[len - 1] == '\r')
			len--;
		if (outgoing && len >= sizeof(auth) - 1) {
			char name[sizeof(auth)];

			memcpy(name, data, sizeof(auth) - 1);
			name[sizeof(auth) - 1] = '\0';
			if (phn_text_ascii_casecmp(name, auth) == 0) {
				static const char masked[] = "Authorization: Bearer ****";
				trace_line(x, prefix, masked, sizeof(masked) - 1);
				len = 0;
			}
		}
		if (len > 0)
			trace_line(x, prefix, data, len);
		data = nl ? nl + 1 : end;
	}
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	phn_xfer *x = userp;
	char line[64];

	(void)h;
	/* curl reports outgoing bytes here only once the socket took them. */
	if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT)
		x->sent = 1;
	if (!x->d->trace)
		return 0;
	switch (type) {
	case CURLINFO_TEXT:
		trace_lines(x, "* ", data, size, 0);
		break;
	case CURLINFO_HEADER_OUT:
		trace_lines(x, "> ", data, size, 1);
		break;
	case CURLINFO_HEADER_IN:
		trace_lines(x, "< ", data, size, 0);
		break;
	case CURLINFO_DATA_OUT:
	case CURLINFO_DATA_IN:
		/* Bodies are in the result (masked as a whole); a chunk here could
		 * split a token copy in two and slip past the mask. */
		snprintf(line, sizeof(line), "[%zu bytes of body]", size);
		trace_line(x, type == CURLINFO_DATA_OUT ? "> " : "< ", line, strlen(line));
		break;
	default:
		break;
	}
	return 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	static const char name[] = "retry-after:";
	phn_xfer *x = userp;
	size_t len = size * nmemb, n = sizeof(name) - 1;
	char head[sizeof(name)];

	x->header_bytes += len;
	if (x->header_bytes > PHN_DISPATCH_HEADER_MAX) {
		x->header_too_large = 1;
		return 0; /* ends the transfer */
	}
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx) starts: forget the previous one's. */
		free(x->retry_after);
		x->retry_after = NULL;
		return len;
	}
	if (len <= n)
		return len;
	memcpy(head, data, n);
	head[n] = '\0';
	if (phn_text_ascii_casecmp(head, name) == 0) {
		const char *v = data + n, *e = data + len;
		char *copy;

		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((copy = malloc((size_t)(e - v) + 1)) == NULL)
			return 0;
		memcpy(copy, v, (size_t)(e - v));
		copy[e - v] = '\0';
		free(x->retry_after);
		x->retry_after = copy;
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	phn_xfer *x = userp;
	size_t len = size * nmemb, room;

	x->body_started = 1;
	room = x->response.len < PHN_DISPATCH_BODY_MAX ? PHN_DISPATCH_BODY_MAX - x->response.len : 0;
	if (len > room)
		x->truncated = 1;
	if (room && phn_buf_append(&x->response, data, len < room ? len : room))
		return 0;
	return len;
}

/* A transfer that owns req from now on. */
static phn_xfer *xfer_new(phn_dispatch *d, phn_request *req, uint64_t id,
			  phn_dispatch_done_cb done, void *payload)
{
	phn_xfer *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->d = d;
	x->id = id;
	x->req = req;
	x->done = done;
	x->payload = payload;
	return x;
}

void phn_dispatch__xfer_free(phn_xfer *x)
{
	struct curl_slist *h;

	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	/* curl copied the Authorization header; wipe that copy too. */
	for (h = x->headers; h; h = h->next)
		if (h->data) {
			volatile char *p = h->data;
			while (*p)
				*p++ = 0;
		}
	curl_slist_free_all(x->headers);
	phn_dispatch_request_free(x->req);
	phn_buf_free(&x->response);
	free(x->retry_after);
	free(x);
}

static int append_header(phn_xfer *x, const char *line)
{
	struct curl_slist *l = curl_slist_append(x->headers, line);

	if (!l)
		return -1;
	x->headers = l;
	return 0;
}

/*
 * The request's headers as its description lists them, with the real
 * token where the description shows "Bearer ****".
 */
static int set_headers(phn_xfer *x)
{
	size_t i, n = phn_dispatch_request_header_count(x->req);

	for (i = 0; i < n; i++) {
		const char *name, *value;
		char line[256];

		phn_dispatch_request_header(&name, &value, x->req, i);
		if (i == PHN_REQUEST_AUTH_HEADER) {
			if (append_header(x, x->d->auth_header))
				return -1;
			continue;
		}
		if ((size_t)snprintf(line, sizeof(line), "%s: %s", name, value) >= sizeof(line) ||
		    append_header(x, line))
			return -1;
	}
	/* Not a header that goes out: it stops libcurl from adding
	 * "Expect: 100-continue", a round trip for bodies this small. */
	return append_header(x, "Expect:");
}

#define SETOPT(opt, val) \
	do { \
		if (curl_easy_setopt(h, opt, val) != CURLE_OK) \
			goto fail; \
	} while (0)

static int xfer_setup(phn_xfer *x)
{
	phn_dispatch *d = x->d;
	CURL *h;

	if ((h = x->easy = curl_easy_init()) == NULL)
		return phn_dispatch__error(d, PHN_ENOMEM, "libcurl could not create a transfer");
	if (set_headers(x))
		goto fail;

	SETOPT(CURLOPT_URL, x->req->url); /* the description shows it masked */
	SETOPT(CURLOPT_HTTPHEADER, x->headers);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req->body_len);
	SETOPT(CURLOPT_POSTFIELDS, x->req->body);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, d->connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, d->timeout_ms);
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	/*
	 * A fresh connection per request: on a reused connection that dies
	 * before the answer, libcurl silently sends the request again, and a
	 * second POST /call can place a second call to a person.
	 */
	SETOPT(CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(CURLOPT_FORBID_REUSE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* Verbose feeds on_debug, which tells "sent" from "not sent" even
	 * when no trace is wanted. */
	SETOPT(CURLOPT_VERBOSE, 1L);
	SETOPT(CURLOPT_DEBUGFUNCTION, on_debug);
	SETOPT(CURLOPT_DEBUGDATA, x);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, x);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, x);
	SETOPT(CURLOPT_ERRORBUFFER, x->curl_error);
	SETOPT(CURLOPT_PRIVATE, x);
	return PHN_OK;
fail:
	return phn_dispatch__error(d, PHN_EINTERNAL, "libcurl refused to set up the transfer");
}

typedef int (*build_fn)(phn_request **out, const phn_dispatch *d, const void *in);

static int build_call(phn_request **out, const phn_dispatch *d, const void *in)
{
	return phn_dispatch__build_call(out, d, in);
}

static int build_contact(phn_request **out, const phn_dispatch *d, const void *in)
{
	return phn_dispatch__build_contact(out, d, in);
}

static int build_invoice(phn_request **out, const phn_dispatch *d, const void *in)
{
	return phn_dispatch__build_invoice(out, d, in);
}

/* What sending one request and submitting one share: describe (build and
 * validate) it, then check the handle can send it (a token). */
static int prepare(phn_request **req, phn_dispatch *d, build_fn build, const void *in)
{
	int rc;

	if ((rc = build(req, d, in)) != PHN_OK)
		return rc;
	if (!d->token) {
		phn_dispatch_request_free(*req);
		*req = NULL;
		return phn_error_set(PHN_EAUTH,
			"no API token: set $" PHN_DISPATCH_ENV_TOKEN " or $" PHN_DISPATCH_ENV_TOKEN_FILE
			", or give a token or token file in the options");
	}
	return PHN_OK;
}

static int send_one(phn_dispatch_result **out, phn_dispatch *d, build_fn build, const void *in)
{
	phn_request *req;
	phn_xfer *x;
	CURLcode code;
	int rc;

	if (out)
		*out = NULL;
	if (!out || !d)
		return phn_error_set(PHN_EINVAL, "%s must not be NULL", out ? "the handle" : "out");
	if ((rc = prepare(&req, d, build, in)) != PHN_OK)
		return rc;
	if ((x = xfer_new(d, req, 0, NULL, NULL)) == NULL) {
		phn_dispatch_request_free(req);
		return phn_error_code(PHN_ENOMEM);
	}
	if ((rc = xfer_setup(x)) == PHN_OK) {
		code = curl_easy_perform(x->easy);
		rc = phn_dispatch__result_build(out, d, x, code);
	}
	phn_dispatch__xfer_free(x);
	return rc;
}

int phn_dispatch_send_call(phn_dispatch_result **out, phn_dispatch *d,
			   const phn_dispatch_call *call)
{
	return send_one(out, d, build_call, call);
}

int phn_dispatch_send_contact(phn_dispatch_result **out, phn_dispatch *d,
			      const phn_dispatch_contact *contact)
{
	return send_one(out, d, build_contact, contact);
}

int phn_dispatch_send_invoice(phn_dispatch_result **out, phn_dispatch *d,
			      const phn_dispatch_invoice *invoice)
{
	return send_one(out, d, build_invoice, invoice);
}

/* ---- multi ------------------------------------------------------------ */

static int submit(uint64_t *id, phn_dispatch *d, build_fn build, const void *in,
		  phn_dispatch_done_cb done, void *payload)
{
	phn_request *req;
	phn_xfer *x;
	int rc;

	if (id)
		*id = 0;
	if (!d)
		return phn_error_set(PHN_EINVAL, "the dispatch handle is NULL");
	if ((rc = prepare(&req, d, build, in)) != PHN_OK)
		return rc;
	if (!d->multi && (d->multi = curl_multi_init()) == NULL) {
		phn_dispatch_request_free(req);
		return phn_error_set(PHN_ENOMEM, "libcurl could not create a multi handle");
	}
	if ((x = xfer_new(d, req, d->next_id, done, payload)) == NULL) {
		phn_dispatch_request_free(req);
		return phn_error_code(PHN_ENOMEM);
	}
	d->next_id++;
	if (d->queued_tail)
		d->queued_tail->next = x;
	else
		d->queued_head = x;
	d->queued_tail = x;
	d->n_queued++;
	if (id)
		*id = x->id;
	return PHN_OK;
}

int phn_dispatch_submit_call(uint64_t *id, phn_dispatch *d, const phn_dispatch_call *call,
			     phn_dispatch_done_cb done, void *payload)
{
	return submit(id, d, build_call, call, done, payload);
}

int phn_dispatch_submit_contact(uint64_t *id, phn_dispatch *d,
				const phn_dispatch_contact *contact, phn_dispatch_done_cb done,
				void *payload)
{
	return submit(id, d, build_contact, contact, done, payload);
}

int phn_dispatch_submit_invoice(uint64_t *id, phn_dispatch *d,
				const phn_dispatch_invoice *invoice, phn_dispatch_done_cb done,
				void *payload)
{
	return submit(id, d, build_invoice, invoice, done, payload);
}

static void active_unlink(phn_dispatch *d, phn_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		d->active = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
	d->n_active--;
}

/* Hand a finished transfer to its callback, exactly once, then free it. */
static void complete(phn_dispatch *d, phn_xfer *x, CURLcode code)
{
	phn_dispatch_result *res = NULL;
	phn_result_block fallback;

	if (phn_dispatch__result_build(&res, d, x, code) != PHN_OK) {
		/* No memory for the full result: still report how it ended. */
		phn_dispatch__result_fallback(&fallback, x);
		res = &fallback.pub;
	}
	if (x->done)
		x->done(res, x->payload);
	if (res != &fallback.pub)
		phn_dispatch_result_free(res);
	phn_dispatch__xfer_free(x);
}

/* Put queued requests on the wire up to max_in_flight. */
static void start_queued(phn_dispatch *d)
{
	while (d->queued_head && d->n_active < d->max_in_flight) {
		phn_xfer *x = d->queued_head;
		const char *why = NULL;

		d->queued_head = x->next;
		if (!d->queued_head)
			d->queued_tail = NULL;
		d->n_queued--;
		x->next = NULL;
		if (xfer_setup(x) != PHN_OK)
			why = phn_error_last();
		else if (curl_multi_add_handle(d->multi, x->easy) != CURLM_OK)
			why = "libcurl could not start the transfer";
		if (why) {
			/* Too late for an error code: it becomes the request's result. */
			size_t n = strlen(why);

			if (n >= sizeof(x->curl_error))
				n = sizeof(x->curl_error) - 1;
			memcpy(x->curl_error, why, n);
			x->curl_error[n] = '\0';
			complete(d, x, CURLE_FAILED_INIT);
			continue;
		}
		x->next = d->active;
		if (d->active)
			d->active->prev = x;
		d->active = x;
		d->n_active++;
	}
}

static void read_done(phn_dispatch *d)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
		phn_xfer *x = NULL;
		CURLcode code;

		if (msg->msg != CURLMSG_DONE)
			continue;
		code = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(d->multi, msg->easy_handle);
		if (!x)
			continue;
		active_unlink(d, x);
		complete(d, x, code);
	}
}

int phn_dispatch_poll(size_t *remaining, phn_dispatch *d, int timeout_ms)
{
	int running = 0, rc = PHN_OK;

	if (remaining)
		*remaining = d ? d->n_queued + d->n_active : 0;
	if (!d || timeout_ms < 0)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_poll: %s",
				     d ? "timeout_ms is negative" : "the handle is NULL");
	if (d->in_callback)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_poll() called from a completion callback");
	if (!d->multi)
		return PHN_OK;
	d->in_callback = 1;
	start_queued(d);
	if (d->n_active > 0) {
		if (curl_multi_perform(d->multi, &running) != CURLM_OK)
			rc = PHN_EINTERNAL;
		read_done(d);
		start_queued(d);
	}
	if (rc == PHN_OK && d->n_active > 0 && timeout_ms > 0) {
		if (curl_multi_poll(d->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK ||
		    curl_multi_perform(d->multi, &running) != CURLM_OK)
			rc = PHN_EINTERNAL;
		read_done(d);
		start_queued(d);
	}
	d->in_callback = 0;
	if (remaining)
		*remaining = d->n_queued + d->n_active;
	if (rc != PHN_OK)
		return phn_error_set(rc, "libcurl's multi interface failed");
	return PHN_OK;
}

int phn_dispatch_run(phn_dispatch *d)
{
	size_t left = 0;
	int rc;

	if (!d)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_run: the handle is NULL");
	do {
		if ((rc = phn_dispatch_poll(&left, d, 1000)) != PHN_OK)
			return rc;
	} while (left > 0);
	return PHN_OK;
}

size_t phn_dispatch_pending(const phn_dispatch *d)
{
	return d ? d->n_queued + d->n_active : 0;
}
