/*
 * A webhook event's body into struct jevent (result.h), with cJSON.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "phonenorm/common.h"
#include "campaign/result.h"
#include "text/error.h"

/* A duration beyond this (about 31,700 years) is not a call's. */
#define DURATION_MAX_S 1e12

enum field {
	F_TYPE,
	F_DISPATCH_ID,
	F_DELIVERY_STATUS,
	F_PROVIDER_STATUS,
	F_ENDED_REASON,
	F_CALL_OUTPUT,
	F_SENTIMENT,
	F_PROVIDER_CALL_ID,
	F_COUNT
};

static const char *str_item(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

static const cJSON *obj_item(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsObject(it) ? it : NULL;
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	}
	return 1;
}

int result_parse(struct jevent *ev, char **buf, const char *body, size_t len)
{
	const char *v[F_COUNT] = { NULL };
	const char *end = NULL;
	const cJSON *fields, *meta, *num;
	cJSON *root;
	size_t total = 0;
	char *p;

	if (!ev || !buf || (!body && len))
		return phn_error_set(PHN_EINVAL, "result_parse: %s is NULL",
				     !ev ? "ev" : !buf ? "buf" : "body");
	*buf = NULL;
	root = body && len ? cJSON_ParseWithLengthOpts(body, len, &end, 0) : NULL;
	if (!cJSON_IsObject(root) || !end || end < body || end > body + len ||
	    !only_space(end, body + len)) {
		cJSON_Delete(root);
		return phn_error_set(PHN_EINVAL, "the event is not a JSON object");
	}
	fields = root;
	if ((v[F_TYPE] = str_item(root, "type")) != NULL) {
		if (obj_item(root, "data"))
			fields = obj_item(root, "data");
	} else if (cJSON_HasObjectItem(root, "deliveryStatus") ||
		   cJSON_HasObjectItem(root, "providerCallId")) {
		v[F_TYPE] = RESULT_TYPE_ENDED;
	} else {
		v[F_TYPE] = RESULT_TYPE_UNKNOWN;
	}
	meta = obj_item(obj_item(fields, "metadata"), "requestMetadata");
	v[F_DISPATCH_ID] = str_item(meta, "phonenorm_dispatch_id");
	v[F_DELIVERY_STATUS] = str_item(fields, "deliveryStatus");
	v[F_PROVIDER_STATUS] = str_item(fields, "providerStatus");
	v[F_ENDED_REASON] = str_item(fields, "endedReason");
	v[F_CALL_OUTPUT] = str_item(fields, "callOutput");
	v[F_SENTIMENT] = str_item(fields, "sentimentOutput");
	v[F_PROVIDER_CALL_ID] = str_item(fields, "providerCallId");
	num = cJSON_GetObjectItemCaseSensitive(fields, "duration");
	ev->duration_s = -1;
	if (cJSON_IsNumber(num) && isfinite(num->valuedouble) && num->valuedouble >= 0 &&
	    num->valuedouble <= DURATION_MAX_S)
		ev->duration_s = (int64_t)num->valuedouble;

	/* Copies: the tree goes before the caller uses them. */
	for (int i = 0; i < F_COUNT; i++)
		total += v[i] ? strlen(v[i]) + 1 : 0;
	if (!(*buf = malloc(total ? total : 1))) {
		cJSON_Delete(root);
		return phn_error_code(PHN_ENOMEM);
	}
	p = *buf;
	for (int i = 0; i < F_COUNT; i++) {
		size_t n;

		if (!v[i])
			continue;
		n = strlen(v[i]) + 1;
		memcpy(p, v[i], n);
		v[i] = p;
		p += n;
	}
	cJSON_Delete(root);
	ev->type = v[F_TYPE];
	ev->dispatch_id = v[F_DISPATCH_ID];
	ev->delivery_status = v[F_DELIVERY_STATUS];
	ev->provider_status = v[F_PROVIDER_STATUS];
	ev->ended_reason = v[F_ENDED_REASON];
	ev->call_output = v[F_CALL_OUTPUT];
	ev->sentiment = v[F_SENTIMENT];
	ev->provider_call_id = v[F_PROVIDER_CALL_ID];
	ev->payload = body;
	ev->payload_len = len;
	return PHN_OK;
}
