/*
 * What the server checks of a delivery's headers and body once its
 * signature is good: the Content-Type, UTF-8, one JSON object, not nested
 * too deep. Apart from the server so that the fuzzer reaches it.
 */
#include "webhook/webhook_internal.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "text/text.h"

/* Deeper JSON than this is refused before cJSON recurses into it. */
#define MAX_JSON_DEPTH 64

int phn_webhook__is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t i;

	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (i = 0; i < sizeof(want) - 1; i++) {
		char c = ct[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return 0;
	}
	ct += i;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Nesting of arrays and objects, strings skipped: cJSON recurses once per
 * level, so a deep body is refused before it gets there. */
static int json_depth_ok(const char *s, size_t len)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_JSON_DEPTH)
				return 0;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 1;
}

const char *phn_webhook__body_refusal(const char *body, size_t len)
{
	const char *end = NULL;
	cJSON *j;
	int ok;

	if (!phn_text_utf8_valid(body, len))
		return "not_utf8";
	/* A NUL is valid UTF-8 but never valid JSON text; cJSON would stop
	 * at it and take what follows for the end of the input. */
	if (memchr(body, '\0', len) || !json_depth_ok(body, len))
		return "not_json";
	/* body[len] is the NUL: parse it too, so that only white space may
	 * follow the object. */
	j = cJSON_ParseWithLengthOpts(body, len + 1, &end, 1);
	ok = j && cJSON_IsObject(j) && end == body + len;
	cJSON_Delete(j);
	return ok ? NULL : "not_json";
}
