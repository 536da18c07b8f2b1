/*
 * Fuzz target for Svix webhook verification (phonenorm/webhook.h, public
 * API). Input: "<svix-id>\n<svix-timestamp>\n<svix-signature>\n<body>"; a
 * missing line is an absent header (NULL), the body is every byte after
 * the third newline (NULs included). The whole input is also parsed as a
 * secret file.
 *
 * Properties: verify never crashes and gives a known verdict, the same
 * twice; with a header absent or empty it is MISSING_HEADER. A signature made by
 * phn_webhook_sign over the same id, timestamp and body verifies OK (also
 * beside the fuzzed entries, as in a rotation) and, with any single byte of
 * the body changed, BAD_SIGNATURE. Secrets parsed from the input sign and
 * verify their own deliveries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonenorm.h"
#include "phonenorm/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static phn_webhook_secrets *fixed;

/* The next line of data as a fresh C string (it stops at a NUL inside, as a
 * header value would); NULL when there is no newline left. */
static char *take_line(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n;
	char *s;

	if (!nl)
		return NULL;
	n = (size_t)(nl - *data);
	if (!(s = malloc(n + 1)))
		abort();
	memcpy(s, *data, n);
	s[n] = '\0';
	*size -= n + 1;
	*data = nl + 1;
	return s;
}

static void check_roundtrip(const phn_webhook_secrets *s, const char *id, const char *sig_in,
			    const uint8_t *body, size_t len)
{
	char sig[PHN_WEBHOOK_SIGNATURE_MAX], ts[24], both[4096];
	int64_t t = 1700000000 + (int64_t)(len % 1000);
	uint8_t *copy;

	if (phn_webhook_sign(s, id, t, body, len, sig, sizeof(sig)) != PHN_OK)
		abort();
	if (strlen(sig) != 47 || memcmp(sig, "v1,", 3) != 0)
		abort();
	snprintf(ts, sizeof(ts), "%lld", (long long)t);
	if (phn_webhook_verify(s, id, ts, sig, body, len, t, 0) != PHN_WEBHOOK_OK)
		abort();
	/* beside whatever the input's signature header holds, in either
	 * order: entries are separated by spaces, so ours stays whole */
	if (sig_in && strlen(sig_in) < sizeof(both) - 64) {
		snprintf(both, sizeof(both), "%s %s", sig_in, sig);
		if (phn_webhook_verify(s, id, ts, both, body, len, t, 0) != PHN_WEBHOOK_OK)
			abort();
		snprintf(both, sizeof(both), "%s %s", sig, sig_in);
		if (phn_webhook_verify(s, id, ts, both, body, len, t, 0) != PHN_WEBHOOK_OK)
			abort();
	}
	/* the window */
	if (phn_webhook_verify(s, id, ts, sig, body, len, t + 301, 0) !=
	    PHN_WEBHOOK_STALE_TIMESTAMP)
		abort();
	if (phn_webhook_verify(s, id, ts, sig, body, len, t - 301, 0) !=
	    PHN_WEBHOOK_FUTURE_TIMESTAMP)
		abort();
	if (!len)
		return;
	/* any single-byte change of the body fails */
	if (!(copy = malloc(len)))
		abort();
	memcpy(copy, body, len);
	copy[len / 2] ^= (uint8_t)(1u + body[0] % 255u);
	if (phn_webhook_verify(s, id, ts, sig, copy, len, t, 0) != PHN_WEBHOOK_BAD_SIGNATURE)
		abort();
	copy[len / 2] = body[len / 2];
	copy[len - 1] ^= 0x80;
	if (phn_webhook_verify(s, id, ts, sig, copy, len, t, 0) != PHN_WEBHOOK_BAD_SIGNATURE)
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t left = size;
	char *id, *ts = NULL, *sig = NULL, *text;
	phn_webhook_verdict v1, v2;
	phn_webhook_secrets *parsed = NULL;

	if (!fixed && phn_webhook_secrets_parse(&fixed, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\n"
				  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") != PHN_OK)
		abort();

	id = take_line(&p, &left);
	if (id)
		ts = take_line(&p, &left);
	if (ts)
		sig = take_line(&p, &left);
	if (!sig) {
		/* fewer than three lines: headers missing, the rest is no body */
		p = data + size;
		left = 0;
	}

	v1 = phn_webhook_verify(fixed, id, ts, sig, p, left, 1700000000, 0);
	v2 = phn_webhook_verify(fixed, id, ts, sig, p, left, 1700000000, 0);
	if (v1 != v2 || !phn_webhook_verdict_name(v1))
		abort();
	if ((!id || !*id || !ts || !*ts || !sig || !*sig) && v1 != PHN_WEBHOOK_MISSING_HEADER)
		abort();
	if (id && *id)
		check_roundtrip(fixed, id, sig, p, left);

	/* the whole input as a secret file */
	if (!(text = malloc(size + 1)))
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (phn_webhook_secrets_parse(&parsed, text) == PHN_OK) {
		if (phn_webhook_secrets_count(parsed) < 1)
			abort();
		check_roundtrip(parsed, "msg_fuzz", NULL, data, size);
		phn_webhook_secrets_free(parsed);
	} else if (parsed) {
		abort();
	}
	free(text);
	free(id);
	free(ts);
	free(sig);
	return 0;
}
