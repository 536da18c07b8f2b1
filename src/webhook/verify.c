/*
 * Svix ("Standard Webhooks") signatures: the secret set, verification and
 * signing. Verification works on the raw bytes as received, before any
 * parsing of the body, and never allocates in proportion to the body.
 */
#include "webhook/webhook_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "text/error.h"

#define KEY_MIN 16
#define KEY_MAX 1024
#define MAC_LEN 32
#define DEFAULT_TOLERANCE_S 300

struct phn_webhook_secrets {
	size_t n;
	struct key {
		size_t len;
		unsigned char *bytes;
	} keys[];
};

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (p && n--)
		*v++ = 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Standard base64 (RFC 4648 section 4) of s[0..len) into out[cap]; padding
 * is optional (secrets are often shown without it), but when present it
 * must be right. Returns the decoded length, or -1 for anything malformed
 * or longer than cap. Data-independent enough for a secret: no table
 * lookups indexed by its bytes.
 */
long phn_webhook_b64_decode(unsigned char *out, size_t cap, const char *s, size_t len)
{
	size_t i, o = 0, pad = 0;
	uint32_t acc = 0;
	int nacc = 0;

	while (pad < 2 && len > 0 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	if (pad && (len + pad) % 4 != 0)
		return -1;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		if (++nacc == 4) {
			if (o + 3 > cap)
				return -1;
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			nacc = 0;
		}
	}
	if (nacc == 2) {
		/* The unused low bits must be zero: one encoding per value. */
		if (acc & 0xf)
			return -1;
		if (o + 1 > cap)
			return -1;
		out[o++] = (unsigned char)(acc >> 4);
	} else if (nacc == 3) {
		if (acc & 0x3)
			return -1;
		if (o + 2 > cap)
			return -1;
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return (long)o;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Walk the secrets in text: calls fn for each token (lines whose first
 * non-blank is '#' are comments). Returns the count, or fn's first
 * non-zero return.
 */
static int each_token(const char *text, int (*fn)(const char *tok, size_t len, size_t idx, void *p),
		      void *p, size_t *count)
{
	const char *s = text;
	size_t n = 0;

	while (*s) {
		const char *eol = strchr(s, '\n');
		const char *end = eol ? eol : s + strlen(s);
		const char *t = s;

		while (t < end && is_space(*t))
			t++;
		if (t < end && *t != '#') {
			while (t < end) {
				const char *b = t;
				int rc;

				while (t < end && !is_space(*t))
					t++;
				if (fn && (rc = fn(b, (size_t)(t - b), n, p)) != 0)
					return rc;
				n++;
				while (t < end && is_space(*t))
					t++;
			}
		}
		s = eol ? eol + 1 : end;
	}
	*count = n;
	return 0;
}

struct parse_ctx {
	phn_webhook_secrets *set;
	size_t total;
};

static int parse_one(const char *tok, size_t len, size_t idx, void *p)
{
	struct parse_ctx *ctx = p;
	unsigned char buf[KEY_MAX + 3];
	long n;

	if (len > 6 && memcmp(tok, "whsec_", 6) == 0) {
		tok += 6;
		len -= 6;
	}
	if (len > (KEY_MAX + 2) / 3 * 4 + 4)
		return phn_error_set(PHN_EINVAL, "webhook secret %zu of %zu is longer than %d bytes",
				     idx + 1, ctx->total, KEY_MAX);
	n = phn_webhook_b64_decode(buf, sizeof(buf), tok, len);
	if (n < 0) {
		wipe(buf, sizeof(buf));
		return phn_error_set(PHN_EINVAL, "webhook secret %zu of %zu is not valid base64",
				     idx + 1, ctx->total);
	}
	if (n < KEY_MIN || n > KEY_MAX) {
		wipe(buf, sizeof(buf));
		return phn_error_set(PHN_EINVAL,
				     "webhook secret %zu of %zu has a %ld-byte key (%d to %d bytes expected)",
				     idx + 1, ctx->total, n, KEY_MIN, KEY_MAX);
	}
	ctx->set->keys[idx].bytes = malloc((size_t)n);
	if (!ctx->set->keys[idx].bytes) {
		wipe(buf, sizeof(buf));
		return phn_error_code(PHN_ENOMEM);
	}
	memcpy(ctx->set->keys[idx].bytes, buf, (size_t)n);
	ctx->set->keys[idx].len = (size_t)n;
	ctx->set->n = idx + 1;
	wipe(buf, sizeof(buf));
	return 0;
}

int phn_webhook_secrets_parse(phn_webhook_secrets **out, const char *text)
{
	struct parse_ctx ctx;
	size_t n = 0, done;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_webhook_secrets_parse: out is NULL");
	*out = NULL;
	if (!text)
		return phn_error_set(PHN_EINVAL, "phn_webhook_secrets_parse: text is NULL");
	each_token(text, NULL, NULL, &n);
	if (n == 0)
		return phn_error_set(PHN_EINVAL, "no webhook secret found (expected whsec_<base64>)");
	if (n > 64)
		return phn_error_set(PHN_EINVAL, "%zu webhook secrets: at most 64 are accepted", n);
	ctx.set = calloc(1, sizeof(*ctx.set) + n * sizeof(ctx.set->keys[0]));
	if (!ctx.set)
		return phn_error_code(PHN_ENOMEM);
	ctx.total = n;
	rc = each_token(text, parse_one, &ctx, &done);
	if (rc) {
		phn_webhook_secrets_free(ctx.set);
		return rc;
	}
	*out = ctx.set;
	return PHN_OK;
}

size_t phn_webhook_secrets_count(const phn_webhook_secrets *s)
{
	return s ? s->n : 0;
}

void phn_webhook_secrets_free(phn_webhook_secrets *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		wipe(s->keys[i].bytes, s->keys[i].len);
		free(s->keys[i].bytes);
	}
	free(s);
}

const char *phn_webhook_verdict_name(phn_webhook_verdict v)
{
	switch (v) {
	case PHN_WEBHOOK_OK:
		return "ok";
	case PHN_WEBHOOK_MISSING_HEADER:
		return "missing_header";
	case PHN_WEBHOOK_BAD_TIMESTAMP:
		return "bad_timestamp";
	case PHN_WEBHOOK_STALE_TIMESTAMP:
		return "stale_timestamp";
	case PHN_WEBHOOK_FUTURE_TIMESTAMP:
		return "future_timestamp";
	case PHN_WEBHOOK_BAD_SIGNATURE:
		return "bad_signature";
	}
	return NULL;
}

/* One EVP_MAC for the process: fetching it is the expensive part. */
static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/*
 * HMAC-SHA256(key, id "." ts "." body) into mac. The content is fed in
 * pieces: nothing is copied, whatever the body's size. 0 on success.
 */
static int sign_content(unsigned char mac[MAC_LEN], EVP_MAC_CTX *ctx, const struct key *k,
			const char *id, const char *ts, const void *body, size_t body_len)
{
	OSSL_PARAM params[2];
	size_t outl = 0;
	char digest[] = "SHA256";

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, k->bytes, k->len, params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) != 1 ||
	    (body_len && EVP_MAC_update(ctx, body, body_len) != 1) ||
	    EVP_MAC_final(ctx, mac, &outl, MAC_LEN) != 1 || outl != MAC_LEN)
		return -1;
	return 0;
}

static EVP_MAC_CTX *mac_ctx_new(void)
{
	pthread_once(&hmac_once, hmac_fetch);
	return hmac_alg ? EVP_MAC_CTX_new(hmac_alg) : NULL;
}

/* Decimal Unix seconds, optionally signed; 0 on success. */
static int parse_ts(const char *s, int64_t *out)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0;

	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (!s[i])
		return -1;
	for (; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

#define MAX_KEYS 64

phn_webhook_verdict phn_webhook_verify(const phn_webhook_secrets *s, const char *svix_id,
				       const char *svix_timestamp, const char *svix_signature,
				       const void *body, size_t body_len, int64_t now_s,
				       int64_t tolerance_s)
{
	unsigned char macs[MAX_KEYS][MAC_LEN];
	EVP_MAC_CTX *ctx;
	const char *p;
	int64_t ts;
	size_t i, nkeys;
	int matched = 0;

	if (!svix_id || !*svix_id || !svix_timestamp || !*svix_timestamp || !svix_signature ||
	    !*svix_signature)
		return PHN_WEBHOOK_MISSING_HEADER;
	if (parse_ts(svix_timestamp, &ts) != 0)
		return PHN_WEBHOOK_BAD_TIMESTAMP;
	if (!s || s->n == 0 || (!body && body_len))
		return PHN_WEBHOOK_BAD_SIGNATURE;
	if (tolerance_s <= 0)
		tolerance_s = DEFAULT_TOLERANCE_S;

	nkeys = s->n < MAX_KEYS ? s->n : MAX_KEYS;
	ctx = mac_ctx_new();
	if (!ctx)
		return PHN_WEBHOOK_BAD_SIGNATURE;
	for (i = 0; i < nkeys; i++) {
		if (sign_content(macs[i], ctx, &s->keys[i], svix_id, svix_timestamp, body,
				 body_len) != 0) {
			EVP_MAC_CTX_free(ctx);
			wipe(macs, sizeof(macs));
			return PHN_WEBHOOK_BAD_SIGNATURE;
		}
	}
	EVP_MAC_CTX_free(ctx);

	/* Space-separated "v1,<base64>" entries; other versions are skipped,
	 * anything malformed simply does not match. Every v1 entry is compared
	 * with every key, without an early exit. */
	p = svix_signature;
	while (*p) {
		const char *b, *comma;
		size_t len;

		while (*p == ' ')
			p++;
		b = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - b);
		if (!len)
			continue;
		comma = memchr(b, ',', len);
		/* Exactly the 44 padded characters a sender writes, as the Svix
		 * libraries compare them. */
		if (comma && comma - b == 2 && b[0] == 'v' && b[1] == '1' && len == 3 + 44) {
			unsigned char sig[MAC_LEN + 3];
			long n = phn_webhook_b64_decode(sig, sizeof(sig), comma + 1,
							len - 3);

			if (n == MAC_LEN) {
				for (i = 0; i < nkeys; i++)
					matched |= CRYPTO_memcmp(sig, macs[i], MAC_LEN) == 0;
			}
		}
	}
	wipe(macs, sizeof(macs));
	if (!matched)
		return PHN_WEBHOOK_BAD_SIGNATURE;
	/* Age after the signature. The differences are taken unsigned: exact
	 * for any two int64 values in order, where a signed one may overflow. */
	if (ts < now_s && (uint64_t)now_s - (uint64_t)ts > (uint64_t)tolerance_s)
		return PHN_WEBHOOK_STALE_TIMESTAMP;
	if (ts > now_s && (uint64_t)ts - (uint64_t)now_s > (uint64_t)tolerance_s)
		return PHN_WEBHOOK_FUTURE_TIMESTAMP;
	return PHN_WEBHOOK_OK;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t phn_webhook_b64_encode(char *out, const unsigned char *in, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];

		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);

		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

int phn_webhook_sign(const phn_webhook_secrets *s, const char *svix_id, int64_t timestamp_s,
		     const void *body, size_t body_len, char *out, size_t cap)
{
	unsigned char mac[MAC_LEN];
	char ts[24];
	EVP_MAC_CTX *ctx;
	int rc;

	if (!s || s->n == 0)
		return phn_error_set(PHN_EINVAL, "phn_webhook_sign: no secret");
	if (!svix_id || !*svix_id)
		return phn_error_set(PHN_EINVAL, "phn_webhook_sign: the message id is empty");
	if (!body && body_len)
		return phn_error_set(PHN_EINVAL, "phn_webhook_sign: body is NULL");
	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_webhook_sign: out is NULL");
	/* "v1," + 44 base64 characters + NUL */
	if (cap < 3 + 44 + 1) {
		if (cap)
			out[0] = '\0';
		return phn_error_set(PHN_EBUFS, "phn_webhook_sign: %zu bytes needed, %zu given",
				     (size_t)48, cap);
	}
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp_s);
	ctx = mac_ctx_new();
	if (!ctx)
		return phn_error_set(PHN_EINTERNAL, "phn_webhook_sign: OpenSSL has no HMAC");
	rc = sign_content(mac, ctx, &s->keys[0], svix_id, ts, body, body_len);
	EVP_MAC_CTX_free(ctx);
	if (rc != 0)
		return phn_error_set(PHN_EINTERNAL, "phn_webhook_sign: HMAC-SHA256 failed");
	memcpy(out, "v1,", 3);
	phn_webhook_b64_encode(out + 3, mac, MAC_LEN);
	wipe(mac, sizeof(mac));
	return PHN_OK;
}
