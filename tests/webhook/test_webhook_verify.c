/*
 * Svix signature verification through the public API (phonenorm/webhook.h):
 * vectors from the Svix documentation and from tests/webhook/svix_sign.py
 * (the contract's stdlib signer), rotation, other version prefixes, garbage
 * headers, the timestamp window and every verdict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "phonenorm.h"
#include "phonenorm/webhook.h"

/* The Svix documentation's own example (also svix_sign.py's output). */
#define SVIX_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SVIX_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SVIX_TS "1614265330"
#define SVIX_BODY "{\"test\": 2432232314}"
#define SVIX_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* python3 -c 'import svix_sign as s; print(s.sign(SECRET, ID, 1700000000, BODY))' */
#define PY_SECRET_A "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
#define PY_SECRET_B "whsec_dGhpcyBpcyBhIHNlY29uZCBzZWNyZXQga2V5IQ=="
#define PY_ID "msg_2Lq9nqFBbsTA9Wq2RBmHKbWAeCY"
#define PY_TS 1700000000
#define PY_BODY "{\"type\":\"phone_call.ended\",\"deliveryStatus\":\"pass\"}"
#define PY_SIG_A "v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA="
#define PY_SIG_B "v1,HpusO4BukcIR8lMLHBDzZjbfI2fKNqauF020D9Z9KM8="
#define PY_SIG_EMPTY "v1,ll3dCNfN2E/NdIQ2lDLcMTg4uKGnQ1Z6CIH4YP58h7k=" /* SVIX_SECRET, "msg_x", empty body */

static phn_webhook_secrets *parse_ok(const char *text, size_t want)
{
	phn_webhook_secrets *s = NULL;
	int rc = phn_webhook_secrets_parse(&s, text);

	CHECK_MSG(rc == PHN_OK, "parse: %s", phn_error_last());
	if (s)
		CHECK_INT(phn_webhook_secrets_count(s), want);
	return s;
}

static phn_webhook_verdict v(const phn_webhook_secrets *s, const char *id, const char *ts,
			     const char *sig, const char *body, int64_t now)
{
	return phn_webhook_verify(s, id, ts, sig, body, body ? strlen(body) : 0, now, 0);
}

static void test_secrets(void)
{
	phn_webhook_secrets *s = NULL;
	int rc;

	s = parse_ok(SVIX_SECRET, 1);
	phn_webhook_secrets_free(s);
	/* a file: comments, blank lines, CRLF, two secrets on two lines */
	s = parse_ok("# rotated on 2026-12-01\r\n\n  " PY_SECRET_A "\r\n" PY_SECRET_B "\n", 2);
	phn_webhook_secrets_free(s);
	/* several on one line (an environment variable), base64 without prefix */
	s = parse_ok(PY_SECRET_A " MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 2);
	phn_webhook_secrets_free(s);
	/* padding is optional */
	s = parse_ok("whsec_dGhpcyBpcyBhIHNlY29uZCBzZWNyZXQga2V5IQ", 1);
	phn_webhook_secrets_free(s);
	phn_webhook_secrets_free(NULL);
	CHECK_INT(phn_webhook_secrets_count(NULL), 0);

	struct {
		const char *text;
		const char *msg; /* a part of the message */
	} bad[] = {
		{ "", "no webhook secret" },
		{ "   \n# only a comment\n", "no webhook secret" },
		{ "whsec_", "secret 1 of 1 is not valid base64" },
		{ "whsec_!!!!" , "secret 1 of 1 is not valid base64" },
		{ PY_SECRET_A " whsec_abc$def", "secret 2 of 2 is not valid base64" },
		{ "whsec_AAAA", "secret 1 of 1 has a 3-byte key" },                 /* too short */
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS=", "not valid base64" },   /* bad padding */
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx=", "not valid base64" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = (phn_webhook_secrets *)1;
		rc = phn_webhook_secrets_parse(&s, bad[i].text);
		CHECK_MSG(rc == PHN_EINVAL, "case %zu: rc %d", i, rc);
		CHECK(s == NULL);
		CHECK_MSG(strstr(phn_error_last(), bad[i].msg) != NULL, "case %zu: \"%s\"", i,
			  phn_error_last());
		/* never the secret itself */
		CHECK(strstr(phn_error_last(), "abc$def") == NULL);
		CHECK(strstr(phn_error_last(), "MfKQ") == NULL);
	}
	/* a key longer than 1024 bytes */
	{
		size_t n = 6 + 1400;
		char *big = malloc(n + 1);

		memcpy(big, "whsec_", 6);
		memset(big + 6, 'A', n - 6);
		big[n] = '\0';
		CHECK_INT(phn_webhook_secrets_parse(&s, big), PHN_EINVAL);
		CHECK(strstr(phn_error_last(), "longer than 1024") != NULL);
		free(big);
	}
	CHECK_INT(phn_webhook_secrets_parse(NULL, SVIX_SECRET), PHN_EINVAL);
	CHECK_INT(phn_webhook_secrets_parse(&s, NULL), PHN_EINVAL);
}

static void test_vectors(void)
{
	phn_webhook_secrets *svix = parse_ok(SVIX_SECRET, 1);
	phn_webhook_secrets *a = parse_ok(PY_SECRET_A, 1);
	phn_webhook_secrets *b = parse_ok(PY_SECRET_B, 1);
	phn_webhook_secrets *ab = parse_ok(PY_SECRET_A "\n" PY_SECRET_B, 2);
	char ts[32];

	snprintf(ts, sizeof(ts), "%d", PY_TS);
	CHECK_INT(v(svix, SVIX_ID, SVIX_TS, SVIX_SIG, SVIX_BODY, 1614265330), PHN_WEBHOOK_OK);
	CHECK_INT(v(svix, "msg_x", ts, PY_SIG_EMPTY, "", PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(b, PY_ID, ts, PY_SIG_B, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_B, PY_BODY, PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);

	/* Rotation, sender side: two entries, either key verifies. */
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_B " " PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(b, PY_ID, ts, PY_SIG_B " " PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(svix, PY_ID, ts, PY_SIG_B " " PY_SIG_A, PY_BODY, PY_TS),
		  PHN_WEBHOOK_BAD_SIGNATURE);
	/* Rotation, receiver side: two secrets, one entry matching either. */
	CHECK_INT(v(ab, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(ab, PY_ID, ts, PY_SIG_B, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(ab, SVIX_ID, SVIX_TS, SVIX_SIG, SVIX_BODY, 1614265330),
		  PHN_WEBHOOK_BAD_SIGNATURE);

	/* Other version prefixes are ignored, whatever they carry. */
	CHECK_INT(v(a, PY_ID, ts, "v1a,abc v2,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA= "
		    PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_OK);
	CHECK_INT(v(a, PY_ID, ts, "v2,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=", PY_BODY,
		    PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, PY_ID, ts, "V1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=", PY_BODY,
		    PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	/* Extra spaces between entries are fine. */
	CHECK_INT(v(a, PY_ID, ts, "  v1,xyz   " PY_SIG_A "  ", PY_BODY, PY_TS), PHN_WEBHOOK_OK);

	/* Tampering: body, id, timestamp, secret. */
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, "{\"type\":\"phone_call.ended\",\"deliveryStatus\":\"fail\"}",
		    PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY " ", PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, "msg_2Lq9nqFBbsTA9Wq2RBmHKbWAeCZ", ts, PY_SIG_A, PY_BODY, PY_TS),
		  PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, PY_ID, "1700000001", PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, PY_ID, "01700000000", PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	/* Body with a NUL inside: the length counts, not strlen. */
	{
		const char body[] = "{\"a\":1}\0tail";
		char sig[PHN_WEBHOOK_SIGNATURE_MAX];

		CHECK_INT(phn_webhook_sign(a, PY_ID, PY_TS, body, sizeof(body) - 1, sig,
					   sizeof(sig)), PHN_OK);
		CHECK_INT(phn_webhook_verify(a, PY_ID, ts, sig, body, sizeof(body) - 1, PY_TS, 0),
			  PHN_WEBHOOK_OK);
		CHECK_INT(phn_webhook_verify(a, PY_ID, ts, sig, body, 7, PY_TS, 0),
			  PHN_WEBHOOK_BAD_SIGNATURE);
	}

	phn_webhook_secrets_free(svix);
	phn_webhook_secrets_free(a);
	phn_webhook_secrets_free(b);
	phn_webhook_secrets_free(ab);
}

static void test_garbage(void)
{
	phn_webhook_secrets *a = parse_ok(PY_SECRET_A, 1);
	const char *garbage[] = {
		"garbage", "v1", "v1,", "v1, ", ",", " ", "v1,====", "v1,@@@@", "t=1700000000,v1=abc",
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA",    /* no padding: 43 chars */
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA==",  /* wrong padding */
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=A",  /* trailing junk */
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=,v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=",
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=\tv1,x", /* tab is no separator */
		"v1,NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPB=",   /* one bit off */
		"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	char ts[32];

	snprintf(ts, sizeof(ts), "%d", PY_TS);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		CHECK_MSG(v(a, PY_ID, ts, garbage[i], PY_BODY, PY_TS) == PHN_WEBHOOK_BAD_SIGNATURE,
			  "garbage %zu", i);
	/* A signature that is right but with a comma-list form: no match. */
	CHECK_INT(v(a, PY_ID, ts, "v1=NycXSAxLwsYD7rdPeSwpaf8XirxEmgL2HU5/mouhZPA=", PY_BODY, PY_TS),
		  PHN_WEBHOOK_BAD_SIGNATURE);

	/* Missing headers: NULL or empty, any of the three. */
	CHECK_INT(v(a, NULL, ts, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);
	CHECK_INT(v(a, "", ts, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);
	CHECK_INT(v(a, PY_ID, NULL, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);
	CHECK_INT(v(a, PY_ID, "", PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);
	CHECK_INT(v(a, PY_ID, ts, NULL, PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);
	CHECK_INT(v(a, PY_ID, ts, "", PY_BODY, PY_TS), PHN_WEBHOOK_MISSING_HEADER);

	/* Timestamps that are not decimal integers. */
	const char *badts[] = { "x", "1700000000.5", " 1700000000", "1700000000 ", "+1700000000",
				"1e9", "-", "0x10", "99999999999999999999999", "١٧٠٠" };
	for (size_t i = 0; i < sizeof(badts) / sizeof(badts[0]); i++)
		CHECK_MSG(v(a, PY_ID, badts[i], PY_SIG_A, PY_BODY, PY_TS) ==
			  PHN_WEBHOOK_BAD_TIMESTAMP, "timestamp %zu", i);

	/* No secret set: nothing verifies. */
	CHECK_INT(v(NULL, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS), PHN_WEBHOOK_BAD_SIGNATURE);
	phn_webhook_secrets_free(a);
}

static void test_window(void)
{
	phn_webhook_secrets *a = parse_ok(PY_SECRET_A, 1);
	char ts[32];

	snprintf(ts, sizeof(ts), "%d", PY_TS);
	/* default tolerance 300 s, inclusive */
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS + 300), PHN_WEBHOOK_OK);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS - 300), PHN_WEBHOOK_OK);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS + 301), PHN_WEBHOOK_STALE_TIMESTAMP);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, PY_TS - 301), PHN_WEBHOOK_FUTURE_TIMESTAMP);
	/* a bad signature is BAD_SIGNATURE whatever its age */
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_B, PY_BODY, PY_TS + 3600), PHN_WEBHOOK_BAD_SIGNATURE);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_B, PY_BODY, PY_TS - 3600), PHN_WEBHOOK_BAD_SIGNATURE);
	/* an explicit tolerance */
	CHECK_INT(phn_webhook_verify(a, PY_ID, ts, PY_SIG_A, PY_BODY, strlen(PY_BODY), PY_TS + 10,
				     10), PHN_WEBHOOK_OK);
	CHECK_INT(phn_webhook_verify(a, PY_ID, ts, PY_SIG_A, PY_BODY, strlen(PY_BODY), PY_TS + 11,
				     10), PHN_WEBHOOK_STALE_TIMESTAMP);
	CHECK_INT(phn_webhook_verify(a, PY_ID, ts, PY_SIG_A, PY_BODY, strlen(PY_BODY), PY_TS - 11,
				     10), PHN_WEBHOOK_FUTURE_TIMESTAMP);
	/* extreme clocks do not overflow */
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, INT64_MAX), PHN_WEBHOOK_STALE_TIMESTAMP);
	CHECK_INT(v(a, PY_ID, ts, PY_SIG_A, PY_BODY, INT64_MIN), PHN_WEBHOOK_FUTURE_TIMESTAMP);
	CHECK_INT(phn_webhook_verify(a, PY_ID, ts, PY_SIG_A, PY_BODY, strlen(PY_BODY), PY_TS,
				     INT64_MAX), PHN_WEBHOOK_OK);
	phn_webhook_secrets_free(a);
}

static void test_sign_and_names(void)
{
	phn_webhook_secrets *svix = parse_ok(SVIX_SECRET "\n" PY_SECRET_A, 2);
	char sig[PHN_WEBHOOK_SIGNATURE_MAX];
	char small[47];

	CHECK_INT(phn_webhook_sign(svix, SVIX_ID, 1614265330, SVIX_BODY, strlen(SVIX_BODY), sig,
				   sizeof(sig)), PHN_OK);
	CHECK_STR(sig, SVIX_SIG); /* the first secret signs */
	CHECK_INT(phn_webhook_sign(svix, "msg_x", PY_TS, NULL, 0, sig, sizeof(sig)), PHN_OK);
	CHECK_STR(sig, PY_SIG_EMPTY);
	CHECK_INT(phn_webhook_sign(svix, SVIX_ID, 1614265330, SVIX_BODY, strlen(SVIX_BODY), small,
				   sizeof(small)), PHN_EBUFS);
	CHECK_INT(phn_webhook_sign(NULL, SVIX_ID, 1, "", 0, sig, sizeof(sig)), PHN_EINVAL);
	CHECK_INT(phn_webhook_sign(svix, "", 1, "", 0, sig, sizeof(sig)), PHN_EINVAL);
	CHECK_INT(phn_webhook_sign(svix, NULL, 1, "", 0, sig, sizeof(sig)), PHN_EINVAL);
	CHECK_INT(phn_webhook_sign(svix, "m", 1, NULL, 3, sig, sizeof(sig)), PHN_EINVAL);
	CHECK_INT(phn_webhook_sign(svix, "m", 1, "", 0, NULL, 48), PHN_EINVAL);
	phn_webhook_secrets_free(svix);

	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_OK), "ok");
	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_MISSING_HEADER), "missing_header");
	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_BAD_TIMESTAMP), "bad_timestamp");
	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_STALE_TIMESTAMP), "stale_timestamp");
	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_FUTURE_TIMESTAMP), "future_timestamp");
	CHECK_STR(phn_webhook_verdict_name(PHN_WEBHOOK_BAD_SIGNATURE), "bad_signature");
	CHECK(phn_webhook_verdict_name((phn_webhook_verdict)6) == NULL);
	CHECK(phn_webhook_verdict_name((phn_webhook_verdict)-1) == NULL);
}

/* Sign-then-verify round trips over many bodies and ids, and a single
 * flipped byte anywhere never verifies. */
static void test_roundtrip(void)
{
	phn_webhook_secrets *s = parse_ok(PY_SECRET_B, 1);
	unsigned char body[300];
	char sig[PHN_WEBHOOK_SIGNATURE_MAX], id[32];
	unsigned int seed = 12345;
	int ok = 1, flips_ok = 1;

	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)round % sizeof(body);

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			body[i] = (unsigned char)(seed >> 16);
		}
		snprintf(id, sizeof(id), "msg_%d", round);
		if (phn_webhook_sign(s, id, PY_TS + round, body, len, sig, sizeof(sig)) != PHN_OK) {
			ok = 0;
			continue;
		}
		char ts[32];

		snprintf(ts, sizeof(ts), "%d", PY_TS + round);
		if (phn_webhook_verify(s, id, ts, sig, body, len, PY_TS, 1000) != PHN_WEBHOOK_OK)
			ok = 0;
		if (len) {
			size_t at = (size_t)round * 7 % len;

			body[at] ^= 0x01;
			if (phn_webhook_verify(s, id, ts, sig, body, len, PY_TS, 1000) !=
			    PHN_WEBHOOK_BAD_SIGNATURE)
				flips_ok = 0;
			body[at] ^= 0x01;
		}
	}
	CHECK(ok);
	CHECK(flips_ok);
	phn_webhook_secrets_free(s);
}

int main(void)
{
	test_secrets();
	test_vectors();
	test_garbage();
	test_window();
	test_sign_and_names();
	test_roundtrip();
	return check_report();
}
