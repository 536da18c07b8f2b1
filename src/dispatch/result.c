/*
 * Results: classify how a request ended and read the API's answer.
 *
 * A result is one block of memory (phn_result_block): the public struct,
 * its details, their loc_parts arrays and every string. A builder collects
 * the strings as offsets into one text buffer; seal() lays the block out
 * and turns the offsets into pointers. Building from a response and
 * copying a result both go through the builder, so the list of string
 * fields exists once (field_offset[]).
 */
#include "dispatch/dispatch_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "text/error.h"

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
	if (status >= 400 && status < 500)
		return PHN_DISPATCH_REJECTED;
	/*
	 * A 1xx with no final answer after it, a 3xx (redirects are never
	 * followed: a POST that places a call is not replayed elsewhere), any
	 * other 5xx and a status no class covers: the request went out and
	 * nothing says it was refused, so the call may have been placed.
	 */
	return PHN_DISPATCH_AMBIGUOUS;
}

int64_t phn_dispatch__retry_after_seconds(const char *value, int64_t now)
{
	const char *p = value;
	int64_t secs = 0;
	time_t when;

	if (!value || !*value)
		return -1;
	if (*p >= '0' && *p <= '9') {
		/* Any run of digits is a delay; past the cap it stays the cap. */
		for (; *p >= '0' && *p <= '9'; p++) {
			secs = secs * 10 + (*p - '0');
			if (secs > PHN_DISPATCH_RETRY_AFTER_MAX)
				secs = PHN_DISPATCH_RETRY_AFTER_MAX + 1;
		}
		if (*p)
			return -1;
		return secs > PHN_DISPATCH_RETRY_AFTER_MAX ? PHN_DISPATCH_RETRY_AFTER_MAX : secs;
	}
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return -1;
	if ((int64_t)when <= now)
		return 0;
	/* Both are sane Unix times here (curl_getdate stops at year 9999). */
	if ((int64_t)when - now > PHN_DISPATCH_RETRY_AFTER_MAX)
		return PHN_DISPATCH_RETRY_AFTER_MAX;
	return (int64_t)when - now;
}

/* ---- raw JSON text ---------------------------------------------------
 *
 * cJSON keeps numbers only as doubles, which cannot hold a 20-digit id.
 * These read the text of a value as the API wrote it, walking the same
 * body cJSON has already accepted as JSON, in the same member order.
 */

typedef struct raw {
	const char *p; /* the value's first byte */
	size_t len;
} raw;

typedef struct raw_iter {
	const char *p;
	const char *end;
	int object;
} raw_iter;

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* p at an opening quote: the byte after the closing one, NULL if none. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && (*p == '{' || *p == '[')) {
		while (p < end) {
			if (*p == '"') {
				if ((p = skip_string(p, end)) == NULL)
					return NULL;
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return NULL;
	}
	while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
	       *p != '\r' && *p != '\n')
		p++;
	return p;
}

/* Start walking the members of an object or the elements of an array. */
static int raw_enter(raw_iter *it, raw v)
{
	if (!v.p || v.len < 2 || (v.p[0] != '{' && v.p[0] != '['))
		return 0;
	it->object = v.p[0] == '{';
	it->p = v.p + 1;
	it->end = v.p + v.len - 1;
	return 1;
}

/* The next member (key: its text between the quotes) or element; 0 at the end. */
static int raw_next(raw *key, raw *val, raw_iter *it)
{
	const char *p = skip_ws(it->p, it->end), *e;

	if (p < it->end && *p == ',')
		p = skip_ws(p + 1, it->end);
	if (p >= it->end)
		return 0;
	if (it->object) {
		if (*p != '"' || (e = skip_string(p, it->end)) == NULL)
			return 0;
		if (key) {
			key->p = p + 1;
			key->len = (size_t)(e - p) - 2;
		}
		p = skip_ws(e, it->end);
		if (p >= it->end || *p != ':')
			return 0;
		p = skip_ws(p + 1, it->end);
	}
	if ((e = skip_value(p, it->end)) == NULL)
		return 0;
	val->p = p;
	val->len = (size_t)(e - p);
	it->p = e;
	return 1;
}

/*
 * The first member named key, as cJSON_GetObjectItemCaseSensitive() finds
 * it. Keys are compared as written: a key spelled with \u escapes is not
 * found, and its number is left out rather than guessed.
 */
static int raw_member(raw *val, raw obj, const char *key)
{
	size_t klen = strlen(key);
	raw_iter it;
	raw k;

	if (!raw_enter(&it, obj) || !it.object)
		return 0;
	while (raw_next(&k, val, &it))
		if (k.len == klen && memcmp(k.p, key, klen) == 0)
			return 1;
	return 0;
}

static int raw_is_number(raw v)
{
	return v.p && v.len > 0 && (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9'));
}

/* ---- the result builder ---------------------------------------------- */

enum {
	F_NUMBER, F_CALL_ID, F_STATUS, F_CONTACT_UUID, F_UUID, F_MESSAGE, F_BODY, F_RETRY_AFTER,
	F_ERROR, F_COUNT
};

/* Every string field of phn_dispatch_result, the one list of them. */
static const size_t field_offset[F_COUNT] = {
	[F_NUMBER] = offsetof(phn_dispatch_result, number),
	[F_CALL_ID] = offsetof(phn_dispatch_result, call_id),
	[F_STATUS] = offsetof(phn_dispatch_result, status),
	[F_CONTACT_UUID] = offsetof(phn_dispatch_result, contact_uuid),
	[F_UUID] = offsetof(phn_dispatch_result, uuid),
	[F_MESSAGE] = offsetof(phn_dispatch_result, message),
	[F_BODY] = offsetof(phn_dispatch_result, body),
	[F_RETRY_AFTER] = offsetof(phn_dispatch_result, retry_after),
	[F_ERROR] = offsetof(phn_dispatch_result, error),
};

static const char **field(phn_dispatch_result *r, int f)
{
	return (const char **)(void *)((char *)r + field_offset[f]);
}

static const char *field_of(const phn_dispatch_result *r, int f)
{
	return *(const char *const *)(const void *)((const char *)r + field_offset[f]);
}

#define NONE ((size_t)-1)

typedef struct staged_detail {
	size_t loc, msg, type; /* offsets into the text */
	size_t first_part;     /* index into parts */
	size_t nparts;
} staged_detail;

typedef struct builder {
	const phn_dispatch *d;    /* whose token is masked; NULL: strings go in as they are */
	phn_dispatch_result head; /* the scalar fields */
	size_t str[F_COUNT];      /* offsets into text, NONE when absent */
	phn_buf text;             /* every string, each followed by a NUL */
	staged_detail *det;
	size_t ndet, det_cap;
	int api_detail; /* the body was an object with a "detail" array or string */
	size_t *parts; /* offsets of loc parts, all details' in order */
	size_t nparts, parts_cap;
	int oom;
} builder;

static void builder_init(builder *b, const phn_dispatch *d)
{
	size_t f;

	memset(b, 0, sizeof(*b));
	b->d = d;
	for (f = 0; f < F_COUNT; f++)
		b->str[f] = NONE;
}

static void builder_dispose(builder *b)
{
	phn_buf_free(&b->text);
	free(b->det);
	free(b->parts);
}

/* Append s[0..len) and a NUL; its offset, or NONE when out of memory. */
static size_t put_text(builder *b, const char *s, size_t len)
{
	size_t off = b->text.len;

	if (b->oom || phn_buf_append(&b->text, s, len) || phn_buf_append(&b->text, "", 1)) {
		b->oom = 1;
		return NONE;
	}
	return off;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), 0 if there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2; cp = s[0] & 0x1Fu; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3; cp = s[0] & 0x0Fu; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4; cp = s[0] & 0x07u; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : len;
}

/*
 * As put_text(), with every byte that is not part of well-formed UTF-8 as
 * U+FFFD: the result promises UTF-8 strings, and cJSON passes a string's
 * bytes (and lone \ud800 escapes) through unchecked.
 */
static size_t put_utf8(builder *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t off = b->text.len, i = 0, n;

	if (b->oom)
		return NONE;
	while (i < len) {
		for (n = 0; i + n < len && (p[i + n] < 0x80 || utf8_seq(p + i + n, len - i - n));)
			n += utf8_seq(p + i + n, len - i - n);
		if (phn_buf_append(&b->text, s + i, n) ||
		    (i + n < len && phn_buf_append(&b->text, "\xEF\xBF\xBD", 3))) {
			b->oom = 1;
			return NONE;
		}
		i += n + (i + n < len);
	}
	if (phn_buf_append(&b->text, "", 1)) {
		b->oom = 1;
		return NONE;
	}
	return off;
}

/* As put_text() (put_utf8() when utf8), with every copy of the token
 * replaced by "****". */
static size_t put_masked_as(builder *b, const char *s, size_t len, int utf8)
{
	char *masked;
	size_t off;

	if (!b->d)
		return utf8 ? put_utf8(b, s, len) : put_text(b, s, len);
	if ((masked = phn_dispatch__scrub(b->d, s, len, &len)) == NULL) {
		b->oom = 1;
		return NONE;
	}
	off = utf8 ? put_utf8(b, masked, len) : put_text(b, masked, len);
	free(masked);
	return off;
}

/* Text as the server sent it (Retry-After, the error line): the CLI shows
 * its bytes escaped, so they are kept. */
static size_t put_masked(builder *b, const char *s, size_t len)
{
	return put_masked_as(b, s, len, 0);
}

/* A string read from the JSON body: UTF-8, as the result promises. */
static size_t put_json_text(builder *b, const char *s, size_t len)
{
	return put_masked_as(b, s, len, 1);
}

static void set_field(builder *b, int f, const char *s)
{
	if (s)
		b->str[f] = put_masked(b, s, strlen(s));
}

/* A field staged so far; valid until the next string is added. */
static const char *get(const builder *b, int f)
{
	return b->str[f] == NONE ? NULL : b->text.ptr + b->str[f];
}

static staged_detail *new_detail(builder *b)
{
	staged_detail *det;

	if (b->ndet == b->det_cap) {
		size_t cap = b->det_cap ? b->det_cap * 2 : 4;

		if ((det = realloc(b->det, cap * sizeof(*det))) == NULL) {
			b->oom = 1;
			return NULL;
		}
		b->det = det;
		b->det_cap = cap;
	}
	det = &b->det[b->ndet++];
	det->loc = det->msg = det->type = NONE;
	det->first_part = b->nparts;
	det->nparts = 0;
	return det;
}

static void add_part(builder *b, staged_detail *det, size_t off)
{
	if (b->nparts == b->parts_cap) {
		size_t cap = b->parts_cap ? b->parts_cap * 2 : 8, *p;

		if ((p = realloc(b->parts, cap * sizeof(*p))) == NULL) {
			b->oom = 1;
			return;
		}
		b->parts = p;
		b->parts_cap = cap;
	}
	b->parts[b->nparts++] = off;
	det->nparts++;
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* Lay the staged result out in one block: header, details, loc parts, text. */
static int seal(phn_dispatch_result **out, builder *b)
{
	const size_t det_off = align_up(sizeof(phn_result_block), _Alignof(phn_dispatch_detail));
	const size_t parts_off = align_up(det_off + b->ndet * sizeof(phn_dispatch_detail),
					  _Alignof(const char *));
	const size_t text_off = parts_off + b->nparts * sizeof(const char *);
	phn_result_block *blk;
	phn_dispatch_detail *details;
	const char **parts;
	char *text;
	size_t i, f;

	*out = NULL;
	if (b->oom || (blk = malloc(text_off + b->text.len)) == NULL)
		return PHN_ENOMEM;
	details = (phn_dispatch_detail *)(void *)((char *)blk + det_off);
	parts = (const char **)(void *)((char *)blk + parts_off);
	text = (char *)blk + text_off;
	if (b->text.len)
		memcpy(text, b->text.ptr, b->text.len);
	blk->pub = b->head;
	blk->pub.version = PHN_DISPATCH_RESULT_VERSION;
	blk->pub.details_count = b->ndet;
	for (f = 0; f < F_COUNT; f++)
		*field(&blk->pub, (int)f) = b->str[f] == NONE ? NULL : text + b->str[f];
	for (i = 0; i < b->nparts; i++)
		parts[i] = text + b->parts[i];
	for (i = 0; i < b->ndet; i++) {
		const staged_detail *s = &b->det[i];

		details[i].version = PHN_DISPATCH_DETAIL_VERSION;
		details[i].loc = text + s->loc;
		details[i].loc_parts = parts + s->first_part;
		details[i].loc_count = s->nparts;
		details[i].msg = text + s->msg;
		details[i].type = text + s->type;
	}
	blk->details = b->ndet ? details : NULL;
	*out = &blk->pub;
	return PHN_OK;
}

/* ---- reading the API's answer ---------------------------------------- */

/* A string, or a number as the API wrote it; NONE for anything else. */
static size_t scalar_text(builder *b, const cJSON *item, raw text)
{
	if (cJSON_IsString(item))
		return put_json_text(b, item->valuestring, strlen(item->valuestring));
	if (cJSON_IsNumber(item) && raw_is_number(text))
		return put_json_text(b, text.p, text.len);
	return NONE;
}

static size_t member_text(builder *b, const cJSON *obj, raw robj, const char *key)
{
	raw v = { NULL, 0 };

	raw_member(&v, robj, key);
	return scalar_text(b, cJSON_GetObjectItemCaseSensitive(obj, key), v);
}

static void take_loc(builder *b, staged_detail *det, const cJSON *loc, raw rloc)
{
	phn_buf joined = { NULL, 0, 0 };
	const cJSON *part;
	raw_iter it;
	raw rv = { NULL, 0 };
	int walk = raw_enter(&it, rloc);

	cJSON_ArrayForEach(part, loc) {
		size_t off;

		if (!(walk && raw_next(NULL, &rv, &it)))
			rv.p = NULL;
		if ((off = scalar_text(b, part, rv)) == NONE)
			off = put_text(b, "?", 1);
		if (off == NONE)
			break;
		add_part(b, det, off);
		if ((det->nparts > 1 && phn_buf_append(&joined, ".", 1)) ||
		    phn_buf_append(&joined, b->text.ptr + off, strlen(b->text.ptr + off)))
			b->oom = 1;
	}
	/* Each part is masked, but a token with a dot in it (a JWT) can be
	 * whole again once the parts are joined: mask the joined form too. */
	det->loc = put_json_text(b, joined.ptr ? joined.ptr : "", joined.len);
	phn_buf_free(&joined);
}

static void take_details(builder *b, const cJSON *arr, raw rarr)
{
	const cJSON *entry;
	raw_iter it;
	raw rv = { NULL, 0 };
	int walk = raw_enter(&it, rarr);

	cJSON_ArrayForEach(entry, arr) {
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(entry, "loc");
		staged_detail *det;
		raw rloc = { NULL, 0 };

		if (!(walk && raw_next(NULL, &rv, &it)))
			rv.p = NULL;
		if ((det = new_detail(b)) == NULL)
			return;
		raw_member(&rloc, rv, "loc");
		if (cJSON_IsArray(loc))
			take_loc(b, det, loc, rloc);
		if (det->loc == NONE)
			det->loc = put_text(b, "", 0);
		if ((det->msg = member_text(b, entry, rv, "msg")) == NONE)
			det->msg = put_text(b, "", 0);
		if ((det->type = member_text(b, entry, rv, "type")) == NONE)
			det->type = put_text(b, "", 0);
	}
}

static void parse_body(builder *b, const char *body, size_t len)
{
	raw doc = { NULL, 0 }, rdetail = { NULL, 0 };
	const char *p = skip_ws(body, body + len), *e;
	cJSON *json, *detail;

	if ((json = cJSON_ParseWithLength(body, len)) == NULL)
		return;
	if (cJSON_IsObject(json) && (e = skip_value(p, body + len)) != NULL) {
		doc.p = p;
		doc.len = (size_t)(e - p);
		b->str[F_CALL_ID] = member_text(b, json, doc, "callId");
		b->str[F_STATUS] = member_text(b, json, doc, "status");
		b->str[F_CONTACT_UUID] = member_text(b, json, doc, "contactUuid");
		b->str[F_UUID] = member_text(b, json, doc, "uuid");
		detail = cJSON_GetObjectItemCaseSensitive(json, "detail");
		b->api_detail = cJSON_IsArray(detail) || cJSON_IsString(detail);
		if (cJSON_IsArray(detail)) {
			raw_member(&rdetail, doc, "detail");
			take_details(b, detail, rdetail);
		} else if (cJSON_IsString(detail)) {
			b->str[F_MESSAGE] = put_json_text(b, detail->valuestring,
							  strlen(detail->valuestring));
		} else {
			b->str[F_MESSAGE] = member_text(b, json, doc, "message");
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

static void append_answer(phn_buf *o, const builder *b, const char *location, const char *url)
{
	const phn_dispatch_result *r = &b->head;
	char line[ERROR_LINE_MAX];
	size_t i;

	if (r->outcome == PHN_DISPATCH_ACCEPTED) {
		snprintf(line, sizeof(line), "HTTP %d accepted", r->http_status);
		phn_buf_append(o, line, strlen(line));
		if (get(b, F_CALL_ID)) {
			snprintf(line, sizeof(line), ": callId %s, status %s, contactUuid %s",
				 get(b, F_CALL_ID), get(b, F_STATUS) ? get(b, F_STATUS) : "-",
				 get(b, F_CONTACT_UUID) ? get(b, F_CONTACT_UUID) : "-");
			phn_buf_append(o, line, strlen(line));
		} else if (get(b, F_UUID)) {
			snprintf(line, sizeof(line), ": %s uuid %s", phn_dispatch_kind_name(r->kind),
				 get(b, F_UUID));
			phn_buf_append(o, line, strlen(line));
		}
		return;
	}
	snprintf(line, sizeof(line), "HTTP %d (%s)", r->http_status,
		 phn_dispatch_outcome_name(r->outcome));
	phn_buf_append(o, line, strlen(line));
	if (r->http_status >= 100 && r->http_status < 200) {
		static const char why[] = ": an interim answer and no final one";
		phn_buf_append(o, why, sizeof(why) - 1);
	} else if (r->http_status >= 300 && r->http_status < 400) {
		static const char why[] = ": a redirect, not followed";
		phn_buf_append(o, why, sizeof(why) - 1);
		if (location && *location) {
			phn_buf_append(o, " (to ", 5);
			append_snippet(o, location, strlen(location));
			phn_buf_append(o, ")", 1);
		}
		return;
	}
	if (r->http_status == 404 && !b->api_detail) {
		/* Not the API's {"detail": ...}: a web server's own 404 page. */
		snprintf(line, sizeof(line), ": not the API's JSON answer, so the API URL may be wrong "
			 "(%s)", url ? url : "?");
		phn_buf_append(o, line, strlen(line));
		if (r->body_len) {
			phn_buf_append(o, ": ", 2);
			append_snippet(o, get(b, F_BODY), r->body_len);
		}
	} else if (b->ndet) {
		for (i = 0; i < b->ndet && i < DETAILS_IN_ERROR; i++) {
			snprintf(line, sizeof(line), "%s %s: %s", i ? ";" : ":",
				 b->text.ptr + b->det[i].loc, b->text.ptr + b->det[i].msg);
			phn_buf_append(o, line, strlen(line));
		}
		if (b->ndet > DETAILS_IN_ERROR) {
			snprintf(line, sizeof(line), "; and %zu more", b->ndet - DETAILS_IN_ERROR);
			phn_buf_append(o, line, strlen(line));
		}
	} else if (get(b, F_MESSAGE)) {
		phn_buf_append(o, ": ", 2);
		phn_buf_append(o, get(b, F_MESSAGE), strlen(get(b, F_MESSAGE)));
	} else if (r->body_len) {
		phn_buf_append(o, ": ", 2);
		append_snippet(o, get(b, F_BODY), r->body_len);
	}
	if (get(b, F_RETRY_AFTER)) {
		snprintf(line, sizeof(line), " (Retry-After: %s)", get(b, F_RETRY_AFTER));
		phn_buf_append(o, line, strlen(line));
	}
}

/* The one line a person reads (result->error), masked like everything else. */
static void build_error(builder *b, CURLcode code, int sent, const char *curl_error,
			const char *location, const char *url)
{
	phn_buf o = { NULL, 0, 0 };
	char line[ERROR_LINE_MAX];

	if (b->head.http_status > 0) {
		append_answer(&o, b, location, url);
		if (code != CURLE_OK) {
			snprintf(line, sizeof(line), "; then: %s",
				 curl_error[0] ? curl_error : curl_easy_strerror(code));
			phn_buf_append(&o, line, strlen(line));
		}
	} else {
		snprintf(line, sizeof(line), "%s: %s", transport_reason(code, sent),
			 curl_error[0] ? curl_error : curl_easy_strerror(code));
		phn_buf_append(&o, line, strlen(line));
	}
	if (!o.ptr)
		b->oom = 1;
	else
		b->str[F_ERROR] = put_masked(b, o.ptr, o.len);
	phn_buf_free(&o);
}

int phn_dispatch__result_build(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code)
{
	curl_off_t total_us = 0;
	const char *location = NULL;
	long status = 0;

	if (x->easy) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us);
		if (status >= 300 && status < 400)
			curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &location);
	}
	return phn_dispatch__result_parse(out, d, x, code, status, location,
					  (int64_t)(total_us / 1000), (int64_t)time(NULL));
}

int phn_dispatch__result_parse(phn_dispatch_result **out, phn_dispatch *d, phn_xfer *x,
			       CURLcode code, long status, const char *location,
			       int64_t elapsed_ms, int64_t now)
{
	size_t blen = 0;
	char *body;
	builder b;
	int rc;

	*out = NULL;
	builder_init(&b, d);
	b.head.id = x->id;
	b.head.kind = x->req->kind;
	b.head.retry_after_seconds = -1;
	b.head.http_status = (int)status;
	b.head.elapsed_ms = elapsed_ms;
	/*
	 * A status line decides, even if the body was then cut short: the API
	 * has answered. Without one, whether the request left the process
	 * decides between "may have been placed" and "safe to resend".
	 */
	if (status > 0)
		b.head.outcome = phn_dispatch__classify_status(status);
	else
		b.head.outcome = x->sent ? PHN_DISPATCH_AMBIGUOUS : PHN_DISPATCH_NOT_SENT;

	if (x->req->kind != PHN_DISPATCH_KIND_INVOICE)
		b.str[F_NUMBER] = put_text(&b, x->req->number, strlen(x->req->number));
	/* The masked body is parsed from its own copy: the builder's text moves. */
	/* A body cut at the size limit may end in the first part of a token copy. */
	body = phn_dispatch__scrub_cut(d, x->response.ptr ? x->response.ptr : "", x->response.len,
				       x->truncated ? PHN_SCRUB_CUT_END : 0, &blen);
	if (!body) {
		b.oom = 1;
	} else {
		b.str[F_BODY] = put_text(&b, body, blen);
		b.head.body_len = blen;
		b.head.body_truncated = x->truncated;
		if (blen && !x->truncated)
			parse_body(&b, body, blen);
		free(body);
	}
	if (x->retry_after) {
		set_field(&b, F_RETRY_AFTER, x->retry_after);
		b.head.retry_after_seconds = phn_dispatch__retry_after_seconds(x->retry_after, now);
	}
	/*
	 * Headers over phonenorm's limit, or one line over libcurl's (which
	 * libcurl 7.x reports as out of memory, 8.x as too large): say so.
	 */
	if (x->header_too_large || (!x->body_started && (code == CURLE_OUT_OF_MEMORY
#if LIBCURL_VERSION_NUM >= 0x080600
				  || code == CURLE_TOO_LARGE
#endif
				  )))
		snprintf(x->curl_error, sizeof(x->curl_error),
			 "response header too large (over %d bytes in all, or one line over "
			 "libcurl's %d)", PHN_DISPATCH_HEADER_MAX, CURL_MAX_HTTP_HEADER);
	build_error(&b, code, x->sent, x->curl_error, location,
		    phn_dispatch_request_url(x->req));
	rc = seal(out, &b);
	builder_dispose(&b);
	if (rc != PHN_OK)
		return phn_dispatch__error(d, rc, "out of memory while reading the response");
	return PHN_OK;
}

void phn_dispatch__result_fallback(phn_result_block *b, phn_xfer *x)
{
	long status = 0;

	memset(b, 0, sizeof(*b));
	b->pub.version = PHN_DISPATCH_RESULT_VERSION;
	b->pub.id = x->id;
	b->pub.kind = x->req->kind;
	b->pub.outcome = x->sent ? PHN_DISPATCH_AMBIGUOUS : PHN_DISPATCH_NOT_SENT;
	if (x->req->kind != PHN_DISPATCH_KIND_INVOICE)
		b->pub.number = x->req->number;
	b->pub.body = "";
	b->pub.retry_after_seconds = -1;
	b->pub.error = "out of memory while reading the response";
	if (x->easy) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		b->pub.http_status = (int)status;
		if (status > 0)
			b->pub.outcome = phn_dispatch__classify_status(status);
	}
}

const phn_dispatch_detail *phn_dispatch_result_detail(const phn_dispatch_result *result, size_t i)
{
	if (!result || i >= result->details_count)
		return NULL;
	/* Every result the library hands out is the head of a phn_result_block. */
	return &((const phn_result_block *)(const void *)result)->details[i];
}

void phn_dispatch_result_free(phn_dispatch_result *result)
{
	free(result);
}

int phn_dispatch_result_copy(phn_dispatch_result **out, const phn_dispatch_result *src)
{
	builder b;
	size_t f, i, j;
	int rc;

	if (!out || !src)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_result_copy: %s is NULL",
				     out ? "the result" : "out");
	builder_init(&b, NULL);
	b.head = *src;
	for (f = 0; f < F_COUNT; f++) {
		const char *s = field_of(src, (int)f);

		if (s)
			b.str[f] = put_text(&b, s, f == F_BODY ? src->body_len : strlen(s));
	}
	for (i = 0; i < src->details_count; i++) {
		const phn_dispatch_detail *sd = phn_dispatch_result_detail(src, i);
		staged_detail *det = new_detail(&b);

		if (!det)
			break;
		for (j = 0; j < sd->loc_count; j++)
			add_part(&b, det, put_text(&b, sd->loc_parts[j], strlen(sd->loc_parts[j])));
		det->loc = put_text(&b, sd->loc, strlen(sd->loc));
		det->msg = put_text(&b, sd->msg, strlen(sd->msg));
		det->type = put_text(&b, sd->type, strlen(sd->type));
	}
	rc = seal(out, &b);
	builder_dispose(&b);
	if (rc != PHN_OK)
		return phn_error_code(rc);
	return PHN_OK;
}
