/*
 * Results: classify how a request ended and read the API's answer.
 */
#include "dispatch/dispatch_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#define ERROR_LINE_MAX 600
#define DETAILS_IN_ERROR 3

static const char *const outcome_names[] = {
	"accepted", "rejected", "auth_failed", "not_found", "throttled", "ambiguous", "not_sent",
};

static const char *const outcome_sentences[] = {
	"the API accepted the request",
	"the API rejected the request; sending it again as is will fail again",
	"the API refused the token (missing, wrong or without the right)",
	"the API found nothing to act on (e.g. no contact and createIfNotExists false)",
	"the API is throttling or unavailable; retry after the time it asked for",
	"the request went out but no clear answer came back; the call may or may not have been placed",
	"the request never reached the API; it is safe to send again",
};

const char *phn_dispatch_outcome_name(phn_dispatch_outcome outcome)
{
	if ((unsigned)outcome < sizeof(outcome_names) / sizeof(outcome_names[0]))
		return outcome_names[outcome];
	return "unknown";
}

const char *phn_dispatch_outcome_describe(phn_dispatch_outcome outcome)
{
	if ((unsigned)outcome < sizeof(outcome_sentences) / sizeof(outcome_sentences[0]))
		return outcome_sentences[outcome];
	return "unknown outcome";
}

const char *phn_dispatch_kind_name(phn_dispatch_kind kind)
{
	switch (kind) {
	case PHN_DISPATCH_KIND_CALL: return "call";
	case PHN_DISPATCH_KIND_CONTACT: return "contact";
	case PHN_DISPATCH_KIND_INVOICE: return "invoice";
	}
	return "unknown";
}

phn_dispatch_outcome phn_dispatch__classify_status(long status)
{
	if (status >= 200 && status < 300)
		return PHN_DISPATCH_ACCEPTED;
	if (status == 401 || status == 403)
		return PHN_DISPATCH_AUTH_FAILED;
	if (status == 404)
		return PHN_DISPATCH_NOT_FOUND;
	if (status == 429 || status == 503)
		return PHN_DISPATCH_THROTTLED;
	if (status >= 500)
		return PHN_DISPATCH_AMBIGUOUS;
	return PHN_DISPATCH_REJECTED;
}

long phn_dispatch__retry_after_seconds(const char *value, int64_t now)
{
	const char *p = value;
	long secs = 0;
	time_t when;

	if (!value || !*value)
		return -1;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++) {
			if (secs > (0x7FFFFFFFL - 9) / 10)
				return -1;
			secs = secs * 10 + (*p - '0');
		}
		return *p ? -1 : secs;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -1;
	return (int64_t)when > now ? (long)((int64_t)when - now) : 0;
}

static int set_str(const char **field, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return -1;
	memcpy(p, s, len);
	p[len] = '\0';
	*field = p;
	return 0;
}

static int set_masked(const char **field, phn_dispatch *d, const char *s)
{
	char *p;

	if (!s)
		return 0;
	if ((p = phn_dispatch__scrub(d, s, strlen(s), NULL)) == NULL)
		return -1;
	*field = p;
	return 0;
}

/* A string, or a number printed as the API wrote it, from a JSON member. */
static int take_scalar(const char **field, phn_dispatch *d, const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	char buf[64];

	if (cJSON_IsString(item))
		return set_masked(field, d, item->valuestring);
	if (cJSON_IsNumber(item)) {
		if (item->valuedouble == (double)(long long)item->valuedouble)
			snprintf(buf, sizeof(buf), "%lld", (long long)item->valuedouble);
		else
			snprintf(buf, sizeof(buf), "%.17g", item->valuedouble);
		return set_str(field, buf, strlen(buf));
	}
	return 0;
}

static int take_details(phn_dispatch_result *r, phn_dispatch *d, const cJSON *arr)
{
	phn_dispatch_detail *det;
	const cJSON *entry;
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;

	if (n == 0)
		return 0;
	if ((det = calloc(n, sizeof(*det))) == NULL)
		return -1;
	r->details = det;
	r->details_count = n;
	cJSON_ArrayForEach(entry, arr) {
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(entry, "loc"), *part;
		phn_buf joined = { NULL, 0, 0 };
		const char **parts;
		size_t np = cJSON_IsArray(loc) ? (size_t)cJSON_GetArraySize(loc) : 0, j = 0;

		if (take_scalar(&det[i].msg, d, entry, "msg") ||
		    take_scalar(&det[i].type, d, entry, "type"))
			return -1;
		if ((parts = calloc(np + 1, sizeof(*parts))) == NULL)
			return -1;
		det[i].loc_parts = parts;
		det[i].loc_count = np;
		if (np) {
			cJSON_ArrayForEach(part, loc) {
				char buf[64];
				const char *s = buf;

				if (cJSON_IsString(part))
					s = part->valuestring;
				else if (cJSON_IsNumber(part))
					snprintf(buf, sizeof(buf), "%d", part->valueint);
				else
					s = "?";
				if (set_masked(&parts[j], d, s) ||
				    (j && phn_buf_append(&joined, ".", 1)) ||
				    phn_buf_append(&joined, parts[j], strlen(parts[j]))) {
					phn_buf_free(&joined);
					return -1;
				}
				j++;
			}
		}
		det[i].loc = joined.ptr ? joined.ptr : NULL;
		if (!det[i].loc && set_str(&det[i].loc, "", 0))
			return -1;
		i++;
	}
	return 0;
}

static void parse_body(phn_dispatch_result *r, phn_dispatch *d, int *oom)
{
	cJSON *json, *detail;

	if (!r->body_len || r->body_truncated)
		return;
	if ((json = cJSON_ParseWithLength(r->body, r->body_len)) == NULL)
		return;
	if (cJSON_IsObject(json)) {
		if (take_scalar(&r->call_id, d, json, "callId") ||
		    take_scalar(&r->status, d, json, "status") ||
		    take_scalar(&r->contact_uuid, d, json, "contactUuid") ||
		    take_scalar(&r->uuid, d, json, "uuid"))
			*oom = 1;
		detail = cJSON_GetObjectItemCaseSensitive(json, "detail");
		if (cJSON_IsArray(detail)) {
			if (take_details(r, d, detail))
				*oom = 1;
		} else if (cJSON_IsString(detail)) {
			if (set_masked(&r->message, d, detail->valuestring))
				*oom = 1;
		} else if (take_scalar(&r->message, d, json, "message")) {
			*oom = 1;
		}
	}
	cJSON_Delete(json);
}

static const char *transport_reason(CURLcode code, int sent)
{
	if (code == CURLE_OPERATION_TIMEDOUT)
		return sent ? "timed out waiting for the answer" : "timed out before the request went out";
	if (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR || code == CURLE_PARTIAL_FILE)
		return "the connection was lost after the request went out";
	if (code == CURLE_SEND_ERROR)
		return "the connection failed while the request was going out";
	if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY)
		return "the host name could not be resolved";
	if (code == CURLE_COULDNT_CONNECT)
		return "could not connect";
	if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
	    code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM)
		return "TLS failed (the server's certificate did not verify or the handshake failed)";
	return sent ? "the transfer failed after the request went out" : "the request could not be sent";
}

/* Make the body printable on one line for the error summary. */
static void append_snippet(phn_buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 200; i++) {
		char c = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
		phn_buf_append(b, &c, 1);
	}
	if (len > 200)
		phn_buf_append(b, "...", 3);
}

static int build_error(phn_dispatch_result *r, phn_dispatch *d, CURLcode code, int sent,
		       const char *curl_error)
{
	phn_buf b = { NULL, 0, 0 };
	char line[ERROR_LINE_MAX];
	char *masked;
	size_t i;

	if (r->http_status > 0) {
		if (r->outcome == PHN_DISPATCH_ACCEPTED) {
			snprintf(line, sizeof(line), "HTTP %d accepted", r->http_status);
			phn_buf_append(&b, line, strlen(line));
			if (r->call_id) {
				snprintf(line, sizeof(line), ": callId %s, status %s, contactUuid %s",
					 r->call_id, r->status ? r->status : "-",
					 r->contact_uuid ? r->contact_uuid : "-");
				phn_buf_append(&b, line, strlen(line));
			} else if (r->uuid) {
				snprintf(line, sizeof(line), ": %s uuid %s",
					 phn_dispatch_kind_name(r->kind), r->uuid);
				phn_buf_append(&b, line, strlen(line));
			}
		} else {
			snprintf(line, sizeof(line), "HTTP %d (%s)", r->http_status,
				 phn_dispatch_outcome_name(r->outcome));
			phn_buf_append(&b, line, strlen(line));
			if (r->details_count) {
				for (i = 0; i < r->details_count && i < DETAILS_IN_ERROR; i++) {
					snprintf(line, sizeof(line), "%s %s: %s", i ? ";" : ":",
						 r->details[i].loc, r->details[i].msg ? r->details[i].msg : "");
					phn_buf_append(&b, line, strlen(line));
				}
				if (r->details_count > DETAILS_IN_ERROR) {
					snprintf(line, sizeof(line), "; and %zu more",
						 r->details_count - DETAILS_IN_ERROR);
					phn_buf_append(&b, line, strlen(line));
				}
			} else if (r->message) {
				phn_buf_append(&b, ": ", 2);
				phn_buf_append(&b, r->message, strlen(r->message));
			} else if (r->body_len) {
				phn_buf_append(&b, ": ", 2);
				append_snippet(&b, r->body, r->body_len);
			}
			if (r->retry_after) {
				snprintf(line, sizeof(line), " (Retry-After: %s)", r->retry_after);
				phn_buf_append(&b, line, strlen(line));
			}
		}
		if (code != CURLE_OK) {
			snprintf(line, sizeof(line), "; then: %s",
				 curl_error[0] ? curl_error : curl_easy_strerror(code));
			phn_buf_append(&b, line, strlen(line));
		}
	} else {
		snprintf(line, sizeof(line), "%s: %s", transport_reason(code, sent),
			 curl_error[0] ? curl_error : curl_easy_strerror(code));
		phn_buf_append(&b, line, strlen(line));
	}
	if (!b.ptr)
		return -1;
	masked = phn_dispatch__scrub(d, b.ptr, b.len, NULL);
	phn_buf_free(&b);
	if (!masked)
		return -1;
	r->error = masked;
	return 0;
}

int phn_dispatch__result_build(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code)
{
	phn_dispatch_result *r;
	curl_off_t total_us = 0;
	long status = 0;
	size_t blen = 0;
	char *body;
	int oom = 0;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return phn_dispatch__error(d, PHN_ENOMEM, "out of memory while reading the response");
	r->version = PHN_DISPATCH_RESULT_VERSION;
	r->id = x->id;
	r->kind = x->req.kind;
	r->retry_after_seconds = -1;
	if (x->easy) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	}
	r->http_status = (int)status;
	r->elapsed_ms = (long)(total_us / 1000);
	/*
	 * A status line decides, even if the body was then cut short: the API
	 * has answered. Without one, whether the request left the process
	 * decides between "may have been placed" and "safe to resend".
	 */
	if (status > 0)
		r->outcome = phn_dispatch__classify_status(status);
	else
		r->outcome = x->sent ? PHN_DISPATCH_AMBIGUOUS : PHN_DISPATCH_NOT_SENT;

	if (x->req.kind != PHN_DISPATCH_KIND_INVOICE && set_str(&r->number, x->req.number,
								strlen(x->req.number)))
		goto nomem;
	body = phn_dispatch__scrub(d, x->response.ptr ? x->response.ptr : "", x->response.len,
				   &blen);
	if (!body)
		goto nomem;
	r->body = body;
	r->body_len = blen;
	r->body_truncated = x->truncated;
	if (x->retry_after) {
		if (set_masked(&r->retry_after, d, x->retry_after))
			goto nomem;
		r->retry_after_seconds = phn_dispatch__retry_after_seconds(x->retry_after,
									   (int64_t)time(NULL));
	}
	parse_body(r, d, &oom);
	if (oom || build_error(r, d, code, x->sent, x->curl_error))
		goto nomem;
	*out = r;
	return PHN_OK;
nomem:
	phn_dispatch_result_free(r);
	return phn_dispatch__error(d, PHN_ENOMEM, "out of memory while reading the response");
}

static void free_details(phn_dispatch_detail *det, size_t n)
{
	size_t i, j;

	if (!det)
		return;
	for (i = 0; i < n; i++) {
		free((char *)det[i].loc);
		free((char *)det[i].msg);
		free((char *)det[i].type);
		if (det[i].loc_parts) {
			for (j = 0; j < det[i].loc_count; j++)
				free((char *)det[i].loc_parts[j]);
			free((void *)det[i].loc_parts);
		}
	}
	free(det);
}

void phn_dispatch_result_free(phn_dispatch_result *r)
{
	if (!r)
		return;
	free((char *)r->number);
	free((char *)r->call_id);
	free((char *)r->status);
	free((char *)r->contact_uuid);
	free((char *)r->uuid);
	free_details((phn_dispatch_detail *)r->details, r->details_count);
	free((char *)r->message);
	free((char *)r->body);
	free((char *)r->retry_after);
	free((char *)r->error);
	free(r);
}

static int copy_str(const char **dst, const char *src)
{
	return src ? set_str(dst, src, strlen(src)) : 0;
}

int phn_dispatch_result_copy(phn_dispatch_result **out, const phn_dispatch_result *src)
{
	phn_dispatch_result *r;
	phn_dispatch_detail *det;
	size_t i, j;

	if (!out || !src)
		return PHN_EINVAL;
	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return PHN_ENOMEM;
	*r = *src;
	r->number = r->call_id = r->status = r->contact_uuid = r->uuid = NULL;
	r->message = r->body = r->retry_after = r->error = NULL;
	r->details = NULL;
	r->details_count = 0;
	if (copy_str(&r->number, src->number) || copy_str(&r->call_id, src->call_id) ||
	    copy_str(&r->status, src->status) || copy_str(&r->contact_uuid, src->contact_uuid) ||
	    copy_str(&r->uuid, src->uuid) || copy_str(&r->message, src->message) ||
	    copy_str(&r->retry_after, src->retry_after) || copy_str(&r->error, src->error))
		goto nomem;
	if (set_str(&r->body, src->body ? src->body : "", src->body ? src->body_len : 0))
		goto nomem;
	if (src->details_count) {
		if ((det = calloc(src->details_count, sizeof(*det))) == NULL)
			goto nomem;
		r->details = det;
		r->details_count = src->details_count;
		for (i = 0; i < src->details_count; i++) {
			const phn_dispatch_detail *s = &src->details[i];
			const char **parts;

			if (copy_str(&det[i].loc, s->loc) || copy_str(&det[i].msg, s->msg) ||
			    copy_str(&det[i].type, s->type))
				goto nomem;
			if ((parts = calloc(s->loc_count + 1, sizeof(*parts))) == NULL)
				goto nomem;
			det[i].loc_parts = parts;
			det[i].loc_count = s->loc_count;
			for (j = 0; j < s->loc_count; j++)
				if (copy_str(&parts[j], s->loc_parts[j]))
					goto nomem;
		}
	}
	*out = r;
	return PHN_OK;
nomem:
	phn_dispatch_result_free(r);
	return PHN_ENOMEM;
}
