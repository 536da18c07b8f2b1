/*
 * Internal side of the webhook layer (include/phonenorm/webhook.h).
 */
#ifndef PHN_WEBHOOK_INTERNAL_H
#define PHN_WEBHOOK_INTERNAL_H

#include <stddef.h>

#include "phonenorm/webhook.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Standard base64 with optional padding into out[cap]: the decoded length,
 * or -1 when s is malformed or the result does not fit. */
long phn_webhook_b64_decode(unsigned char *out, size_t cap, const char *s, size_t len);

/* Standard padded base64 of in[0..len) into out (4 * ceil(len / 3) + 1
 * bytes, NUL included); returns the length without the NUL. */
size_t phn_webhook_b64_encode(char *out, const unsigned char *in, size_t len);

/* 1 if a Content-Type value is application/json (any case, parameters
 * allowed), else 0 (NULL too). */
int phn_webhook__is_json_type(const char *ct);

/*
 * Why a verified body is refused: "not_utf8", "not_json" (not one JSON
 * object, a NUL inside, nested deeper than 64), or NULL when it is fine.
 * body[len] must be a NUL.
 */
const char *phn_webhook__body_refusal(const char *body, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PHN_WEBHOOK_INTERNAL_H */
