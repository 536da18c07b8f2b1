/*
 * The body of a webhook event (a verified Svix delivery, see
 * ../shared/api/webhooks.md) read into the fields the journal keeps
 * (struct jevent, journal.h). Outside input that was signed by the provider,
 * so trusted for its origin, never for its shape: unknown fields are
 * ignored, a field of the wrong type counts as absent, and only a body that
 * is not one JSON object is an error.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHN_CAMPAIGN_RESULT_H
#define PHN_CAMPAIGN_RESULT_H

#include <stddef.h>

#include "campaign/journal.h"

#define RESULT_TYPE_ENDED "phone_call.ended"
#define RESULT_TYPE_UNKNOWN "unknown"

/*
 * Parse body[0..len) and set ev->type, ev->dispatch_id and the result fields
 * (delivery_status, provider_status, ended_reason, call_output, sentiment,
 * provider_call_id: NULL when absent or not strings; duration_s: -1 when
 * absent or not a number >= 0), and ev->payload/payload_len to body/len;
 * the other fields of ev are left alone.
 *
 * The type: the top-level "type" string if there is one, and then the fields
 * are read from "data" when it is an object (else from the top level);
 * otherwise "phone_call.ended" when the top level has "deliveryStatus" or
 * "providerCallId" (the provider's events carry no type); otherwise
 * "unknown". The dispatch id is metadata.requestMetadata
 * .phonenorm_dispatch_id (a string) of the same object.
 *
 * The strings live in one allocation returned in *buf (free() it; NULL on
 * failure). Errors: PHN_EINVAL (not one JSON object, possibly followed by
 * white space), PHN_ENOMEM. Safe from any thread.
 */
int result_parse(struct jevent *ev, char **buf, const char *body, size_t len);

#endif /* PHN_CAMPAIGN_RESULT_H */
