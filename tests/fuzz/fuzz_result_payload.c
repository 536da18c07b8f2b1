/*
 * Fuzz target for a webhook event's body (result_parse, src/campaign/
 * result.c: the receiver's parser of a verified delivery). Two uses of each
 * input:
 *
 *  1. the bytes as a body: result_parse never crashes; PHN_OK or PHN_EINVAL
 *     only (and *buf NULL then); on PHN_OK the type is one of the three
 *     cases (the top-level "type" string, "phone_call.ended", "unknown"),
 *     checked against cJSON's own reading; the strings are readable; the
 *     duration is -1 or >= 0; the same body twice gives the same fields.
 *  2. the bytes as the recipe of a valid payload (typed envelope with "data"
 *     or the provider's flat form, fields present, absent, null or of a
 *     wrong type, unknown fields around them), printed by cJSON: its fields
 *     come back exactly.
 *
 * The journal's internals (campaign/result.h): the same documented exception
 * as fuzz_journal (tests/layers/layers.txt).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <phonenorm.h>
#include "campaign/result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...) \
	do { \
		fprintf(stderr, "fuzz_result_payload: " __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} while (0)

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---- 1. any bytes --------------------------------------------------------- */

static void check_any(const uint8_t *data, size_t size)
{
	struct jevent e, e2;
	char *buf = (char *)1, *buf2 = NULL;
	int rc;

	memset(&e, 0, sizeof e);
	rc = result_parse(&e, &buf, (const char *)data, size);
	if (rc != PHN_OK) {
		if (rc != PHN_EINVAL || buf != NULL)
			FAIL("rc %d, buf %p on failure", rc, (void *)buf);
		return;
	}
	if (!e.type || e.payload != (const char *)data || e.payload_len != size)
		FAIL("no type or payload");
	if (e.duration_s < -1)
		FAIL("duration %lld", (long long)e.duration_s);
	/* Readable, NUL-terminated (ASan sees an overrun). */
	{
		const char *s[] = { e.type, e.dispatch_id, e.delivery_status, e.provider_status,
				    e.ended_reason, e.call_output, e.sentiment, e.provider_call_id };
		size_t total = 0;

		for (size_t i = 0; i < sizeof s / sizeof *s; i++)
			total += s[i] ? strlen(s[i]) : 0;
		(void)total;
	}
	/* The type is one of the three cases, as cJSON reads the body. */
	{
		cJSON *root = cJSON_ParseWithLength((const char *)data, size);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "type");

		if (!cJSON_IsObject(root))
			FAIL("accepted a body that is not an object");
		if (cJSON_IsString(t) && t->valuestring) {
			if (strcmp(e.type, t->valuestring) != 0)
				FAIL("type '%s', the body says '%s'", e.type, t->valuestring);
		} else if (cJSON_HasObjectItem(root, "deliveryStatus") ||
			   cJSON_HasObjectItem(root, "providerCallId")) {
			if (strcmp(e.type, RESULT_TYPE_ENDED) != 0)
				FAIL("type '%s' for a flat phone_call.ended", e.type);
		} else if (strcmp(e.type, RESULT_TYPE_UNKNOWN) != 0) {
			FAIL("type '%s' where it is unknown", e.type);
		}
		cJSON_Delete(root);
	}
	/* Deterministic. */
	memset(&e2, 0, sizeof e2);
	if (result_parse(&e2, &buf2, (const char *)data, size) != PHN_OK ||
	    !same(e.type, e2.type) || !same(e.dispatch_id, e2.dispatch_id) ||
	    !same(e.delivery_status, e2.delivery_status) ||
	    !same(e.call_output, e2.call_output) || e.duration_s != e2.duration_s)
		FAIL("two parses differ");
	free(buf);
	free(buf2);
}

/* ---- 2. a payload made from the bytes -------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t n;
};

static unsigned next(struct cursor *c)
{
	if (!c->n)
		return 0;
	c->n--;
	return *c->p++;
}

/* A string of 0..31 bytes of the input (NUL becomes 'a'); into buf. */
static const char *take_str(struct cursor *c, char *buf)
{
	unsigned len = next(c) % 32;

	for (unsigned i = 0; i < len; i++) {
		unsigned b = next(c);

		buf[i] = (char)(b ? b : 'a');
	}
	buf[len] = '\0';
	return buf;
}

enum form { PRESENT, ABSENT, NULLED, WRONG };

/* Add name to obj as the recipe says; the value it must read back as. */
static const char *add_str(struct cursor *c, cJSON *obj, const char *name, char *buf)
{
	switch ((enum form)(next(c) % 4)) {
	case PRESENT:
		cJSON_AddStringToObject(obj, name, take_str(c, buf));
		return buf;
	case ABSENT:
		return NULL;
	case NULLED:
		cJSON_AddNullToObject(obj, name);
		return NULL;
	case WRONG:
		if (next(c) & 1)
			cJSON_AddNumberToObject(obj, name, (double)next(c));
		else
			cJSON_AddItemToObject(obj, name, cJSON_CreateArray());
		return NULL;
	}
	return NULL;
}

static void check_made(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	char type[33], dispatch[33], s[6][33], junk[35];
	static const char *const names[6] = { "deliveryStatus", "providerStatus", "endedReason",
					      "callOutput", "sentimentOutput", "providerCallId" };
	const char *want[6], *want_dispatch, *want_type;
	int64_t want_duration = -1;
	unsigned shape = next(&c);
	cJSON *root = cJSON_CreateObject(), *fields = root, *meta, *req;
	struct jevent e;
	char *body, *buf = NULL;

	if (!root)
		abort();
	if (shape & 1) {
		/* Typed: {"type": T, "data": {...}} */
		take_str(&c, type);
		cJSON_AddStringToObject(root, "type", type);
		fields = cJSON_AddObjectToObject(root, "data");
		want_type = type;
	}
	if (next(&c) & 1) {
		/* An unknown field ("x_" + bytes: never one of the known names). */
		junk[0] = 'x';
		junk[1] = '_';
		take_str(&c, junk + 2);
		cJSON_AddStringToObject(fields, junk, "ignored");
	}
	for (int i = 0; i < 6; i++)
		want[i] = add_str(&c, fields, names[i], s[i]);
	switch (next(&c) % 4) {
	case 0:
		want_duration = (int64_t)next(&c) << 8;
		want_duration |= (int64_t)next(&c);
		cJSON_AddNumberToObject(fields, "duration", (double)want_duration);
		break;
	case 1:
		cJSON_AddStringToObject(fields, "duration", "12");
		break;
	case 2:
		cJSON_AddNumberToObject(fields, "duration", -1.0 - (double)next(&c));
		break;
	}
	meta = cJSON_AddObjectToObject(fields, "metadata");
	req = cJSON_AddObjectToObject(meta, "requestMetadata");
	want_dispatch = add_str(&c, req, "phonenorm_dispatch_id", dispatch);
	if (!(shape & 1)) {
		/* The provider's form: typed by its result fields. */
		want_type = cJSON_HasObjectItem(root, "deliveryStatus") ||
				    cJSON_HasObjectItem(root, "providerCallId")
			    ? RESULT_TYPE_ENDED
			    : RESULT_TYPE_UNKNOWN;
	}
	if (!(body = cJSON_PrintUnformatted(root)))
		abort();
	memset(&e, 0, sizeof e);
	if (result_parse(&e, &buf, body, strlen(body)) != PHN_OK)
		FAIL("a valid payload refused: %s", body);
	if (!same(e.type, want_type) || !same(e.dispatch_id, want_dispatch) ||
	    !same(e.delivery_status, want[0]) || !same(e.provider_status, want[1]) ||
	    !same(e.ended_reason, want[2]) || !same(e.call_output, want[3]) ||
	    !same(e.sentiment, want[4]) || !same(e.provider_call_id, want[5]) ||
	    e.duration_s != want_duration)
		FAIL("fields differ for %s", body);
	free(buf);
	cJSON_free(body);
	cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_any(data, size);
	check_made(data, size);
	return 0;
}
