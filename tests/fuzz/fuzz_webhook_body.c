/*
 * Fuzz target for what the webhook server checks after a good signature
 * (src/webhook/body.c, internal to the webhook layer): the Content-Type
 * and the body. Input: "<Content-Type>\n<body>" (no newline: all of it is
 * the body, with no Content-Type).
 *
 * Properties: the answer is NULL, "not_utf8" or "not_json", the same twice.
 * "not_utf8" exactly when a reference decoder (here) finds the body
 * malformed; an accepted body is one JSON object to cJSON with nothing but
 * white space around it, no NUL and no nesting deeper than 64; a body
 * cJSON takes for an object with shallow nesting is accepted. A type is
 * JSON exactly when, after leading blanks and in lower case, it is
 * "application/json" followed by the end, blanks, or ';'.
 */
#include "webhook/webhook_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well-formed UTF-8 (RFC 3629): no overlongs, surrogates or > U+10FFFF. */
static int utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (i + k >= n) /* its continuation bytes are s[i + 1 .. i + k] */
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

static int max_depth(const char *s, size_t n)
{
	int d = 0, m = 0, in_str = 0;

	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"') {
			in_str = 1;
		} else if (s[i] == '{' || s[i] == '[') {
			if (++d > m)
				m = d;
		} else if (s[i] == '}' || s[i] == ']') {
			d--;
		}
	}
	return m;
}

static int json_type_ref(const char *ct)
{
	char low[17];
	size_t i;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strlen(ct) < 16)
		return 0;
	for (i = 0; i < 16; i++)
		low[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] - 'A' + 'a' : ct[i]);
	low[16] = '\0';
	if (strcmp(low, "application/json") != 0)
		return 0;
	ct += 16;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	const uint8_t *b = nl ? nl + 1 : data;
	size_t len = nl ? size - (size_t)(nl + 1 - data) : size;
	char *body, *ct = NULL;
	const char *r1, *r2;

	if (nl) {
		size_t n = (size_t)(nl - data);

		if (!(ct = malloc(n + 1)))
			abort();
		memcpy(ct, data, n);
		ct[n] = '\0';
		if (phn_webhook__is_json_type(ct) != json_type_ref(ct))
			abort();
	} else if (phn_webhook__is_json_type(NULL) != 0) {
		abort();
	}

	if (!(body = malloc(len + 1)))
		abort();
	memcpy(body, b, len);
	body[len] = '\0';
	r1 = phn_webhook__body_refusal(body, len);
	r2 = phn_webhook__body_refusal(body, len);
	if (r1 != r2 && (!r1 || !r2 || strcmp(r1, r2) != 0))
		abort();
	if (r1 && strcmp(r1, "not_utf8") != 0 && strcmp(r1, "not_json") != 0)
		abort();
	if ((r1 && strcmp(r1, "not_utf8") == 0) != !utf8_ok((const uint8_t *)body, len))
		abort();
	if (!r1 || strcmp(r1, "not_utf8") != 0) {
		const char *end = NULL;
		cJSON *j = cJSON_ParseWithLengthOpts(body, len + 1, &end, 1);
		int object = j && cJSON_IsObject(j) && end == body + len;
		int clean = !memchr(body, '\0', len) && max_depth(body, len) <= 64;

		cJSON_Delete(j);
		if (!r1 && !(object && clean))
			abort();
		if (r1 && object && clean)
			abort();
	}
	free(body);
	free(ct);
	return 0;
}
