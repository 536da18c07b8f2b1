/*
 * Fuzz target for the dispatch response parser: what the server controls
 * (HTTP status, Retry-After, body) in, a phn_dispatch_result out, through
 * phn_dispatch__result_parse() (result.c), the pure part of building a result.
 *
 * Input: byte 0 = kind (bits 0-1), body cut (bit 2), request sent (bit 3),
 * a Retry-After header (bit 4), a transport error after the answer (bit 5),
 * a redirect Location holding the token (bit 6);
 * bytes 1-2 = HTTP status (big endian, modulo 1000: 0 is "no status line");
 * then, with bit 4, the Retry-After value up to the first '\n'; the rest is
 * the body. Every 0x01 byte in the value or the body becomes the handle's
 * token, so the token is planted anywhere, whole or inside JSON strings.
 *
 * Properties: no crash or leak; every string is NUL-terminated; the
 * strings read from the JSON body (ids, message, details) are valid UTF-8; the token
 * never appears in any string of the result (or of its copy); the outcome
 * follows the status class; Retry-After is -1 exactly when absent or
 * unreadable, else 0..PHN_DISPATCH_RETRY_AFTER_MAX; a copy equals the original.
 */
#define _GNU_SOURCE /* memmem */
#include "dispatch/dispatch_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A JWT-like token: dots inside, as real bearer tokens have. */
#define TOKEN "tok-8f3Zq.Secret_77"

static phn_dispatch *handle(void)
{
	static phn_dispatch *d;
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;

	if (!d) {
		o.base_url = "http://127.0.0.1:9";
		o.token = TOKEN;
		if (phn_dispatch_new(&d, &o) != PHN_OK)
			abort();
	}
	return d;
}

/* s with every 0x01 replaced by the token. */
static char *plant(const uint8_t *s, size_t len, size_t *outlen)
{
	const size_t tlen = sizeof TOKEN - 1;
	char *out = malloc(len * tlen + 1), *p = out;

	if (!out)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (s[i] == 1) {
			memcpy(p, TOKEN, tlen);
			p += tlen;
		} else {
			*p++ = (char)s[i];
		}
	}
	*p = '\0';
	*outlen = (size_t)(p - out);
	return out;
}

/* Well-formed UTF-8 (no overlongs, no surrogates); NULL is fine. Written
 * here rather than taken from src/text, so the oracle is not the code. */
static int utf8_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (s && *s) {
		unsigned int cp, min;
		size_t n;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xE0) == 0xC0) {
			n = 2; cp = *s & 0x1F; min = 0x80;
		} else if ((*s & 0xF0) == 0xE0) {
			n = 3; cp = *s & 0x0F; min = 0x800;
		} else if ((*s & 0xF8) == 0xF0) {
			n = 4; cp = *s & 0x07; min = 0x10000;
		} else {
			return 0;
		}
		for (size_t i = 1; i < n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		s += n;
	}
	return 1;
}

static void no_token(const char *s, size_t len)
{
	if (s && len >= sizeof TOKEN - 1 && memmem(s, len, TOKEN, sizeof TOKEN - 1)) {
		fprintf(stderr, "token in result string: %.*s\n", (int)len, s);
		abort();
	}
}

static void check_strings(const phn_dispatch_result *r)
{
	const char *const ids[] = { r->call_id, r->status, r->contact_uuid, r->uuid, r->message };

	if (!r->error || !r->body || r->body[r->body_len] != '\0')
		abort();
	/* body, retry_after and error keep the server's bytes; the rest is UTF-8. */
	if (!utf8_ok(r->number))
		abort();
	no_token(r->body, r->body_len);
	no_token(r->error, strlen(r->error));
	if (r->retry_after)
		no_token(r->retry_after, strlen(r->retry_after));
	if (r->number)
		no_token(r->number, strlen(r->number));
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		if (ids[i])
			no_token(ids[i], strlen(ids[i]));
		if (!utf8_ok(ids[i]))
			abort();
	}
	for (size_t i = 0; i < r->details_count; i++) {
		const phn_dispatch_detail *x = phn_dispatch_result_detail(r, i);

		if (!x || !x->loc || !x->msg || !x->type)
			abort();
		no_token(x->loc, strlen(x->loc));
		no_token(x->msg, strlen(x->msg));
		no_token(x->type, strlen(x->type));
		if (!utf8_ok(x->loc) || !utf8_ok(x->msg) || !utf8_ok(x->type))
			abort();
		for (size_t j = 0; j < x->loc_count; j++) {
			no_token(x->loc_parts[j], strlen(x->loc_parts[j]));
			if (!utf8_ok(x->loc_parts[j]))
				abort();
		}
	}
	if (phn_dispatch_result_detail(r, r->details_count))
		abort();
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_copy(const phn_dispatch_result *r)
{
	phn_dispatch_result *c = NULL;

	if (phn_dispatch_result_copy(&c, r) != PHN_OK)
		abort();
	if (c->outcome != r->outcome || c->http_status != r->http_status ||
	    c->body_len != r->body_len || memcmp(c->body, r->body, r->body_len + 1) != 0 ||
	    !same_str(c->call_id, r->call_id) || !same_str(c->status, r->status) ||
	    !same_str(c->contact_uuid, r->contact_uuid) || !same_str(c->uuid, r->uuid) ||
	    !same_str(c->message, r->message) || !same_str(c->error, r->error) ||
	    !same_str(c->retry_after, r->retry_after) ||
	    c->retry_after_seconds != r->retry_after_seconds ||
	    c->details_count != r->details_count)
		abort();
	for (size_t i = 0; i < r->details_count; i++) {
		const phn_dispatch_detail *x = phn_dispatch_result_detail(r, i);
		const phn_dispatch_detail *y = phn_dispatch_result_detail(c, i);

		if (!same_str(x->loc, y->loc) || !same_str(x->msg, y->msg) ||
		    !same_str(x->type, y->type) || x->loc_count != y->loc_count)
			abort();
		for (size_t j = 0; j < x->loc_count; j++)
			if (!same_str(x->loc_parts[j], y->loc_parts[j]))
				abort();
	}
	phn_dispatch_result_free(c);
}

/* The outcome a status (0: none arrived) must give. */
static void check_outcome(const phn_dispatch_result *r, long status, int sent)
{
	phn_dispatch_outcome o = r->outcome, want;

	if (status == 0)
		want = sent ? PHN_DISPATCH_AMBIGUOUS : PHN_DISPATCH_NOT_SENT;
	else if (status >= 200 && status < 300)
		want = PHN_DISPATCH_ACCEPTED;
	else if (status == 401 || status == 403)
		want = PHN_DISPATCH_AUTH_FAILED;
	else if (status == 404)
		want = PHN_DISPATCH_NOT_FOUND;
	else if (status == 429 || status == 503)
		want = PHN_DISPATCH_THROTTLED;
	else if (status >= 400 && status < 500)
		want = PHN_DISPATCH_REJECTED;
	else
		/* 5xx, 1xx, 3xx and unknown classes: the call may have been placed. */
		want = PHN_DISPATCH_AMBIGUOUS;
	if (o != want) {
		fprintf(stderr, "status %ld gave %s, not %s\n", status, phn_dispatch_outcome_name(o),
			phn_dispatch_outcome_name(want));
		abort();
	}
	if (r->http_status != (int)status)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const phn_dispatch_kind kinds[4] = { PHN_DISPATCH_KIND_CALL, PHN_DISPATCH_KIND_CONTACT,
						    PHN_DISPATCH_KIND_INVOICE, PHN_DISPATCH_KIND_CALL };
	const int64_t now = 1700000000; /* 2023-11-14T22:13:20Z */
	phn_dispatch_result *r = NULL;
	phn_request req;
	phn_xfer x;
	const uint8_t *ra = NULL, *nl;
	size_t ra_len = 0, blen, blen2;
	long status;
	int flags;

	if (size < 3)
		return 0;
	flags = data[0];
	status = (long)(((unsigned)data[1] << 8 | data[2]) % 1000);
	data += 3;
	size -= 3;
	if (flags & 16) {
		nl = memchr(data, '\n', size);
		ra = data;
		ra_len = nl ? (size_t)(nl - data) : size;
		data += nl ? ra_len + 1 : size;
		size -= nl ? ra_len + 1 : size;
	}

	memset(&req, 0, sizeof req);
	req.kind = kinds[flags & 3];
	snprintf(req.number, sizeof req.number, "+966501234567");
	memset(&x, 0, sizeof x);
	x.id = 7;
	x.req = &req;
	x.truncated = (flags >> 2) & 1;
	x.sent = (flags >> 3) & 1;
	x.response.ptr = plant(data, size, &blen);
	x.response.len = blen;
	x.response.cap = blen + 1;
	if (ra)
		x.retry_after = plant(ra, ra_len, &blen2);
	if (flags & 32)
		snprintf(x.curl_error, sizeof x.curl_error, "Recv failure: Connection reset by peer");

	/* A redirect's Location, token and all, when the status is a 3xx. */
	if (phn_dispatch__result_parse(&r, handle(), &x,
				       (flags & 32) ? CURLE_RECV_ERROR : CURLE_OK, status,
				       (flags & 64) ? "https://evil.example/" TOKEN "/x" : NULL, 12,
				       now) != PHN_OK || !r)
		abort();
	check_outcome(r, status, x.sent);
	check_strings(r);
	if (!x.retry_after != !r->retry_after)
		abort();
	if (r->retry_after_seconds < -1 || r->retry_after_seconds > PHN_DISPATCH_RETRY_AFTER_MAX ||
	    (r->retry_after_seconds >= 0 && !r->retry_after))
		abort();
	if (r->retry_after_seconds !=
	    (x.retry_after ? phn_dispatch__retry_after_seconds(x.retry_after, now) : -1))
		abort();
	check_copy(r);
	phn_dispatch_result_free(r);
	free(x.response.ptr);
	free(x.retry_after);
	return 0;
}
