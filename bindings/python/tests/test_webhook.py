"""phonenorm.verify_webhook: the Svix check of include/phonenorm/webhook.h
from Python, against signatures made by tests/webhook/svix_sign.py (the
contract's stdlib signer) and the Svix documentation's own example."""

import email.message
import os
import sys
import unittest

import phonenorm
from phonenorm import WebhookVerdict, verify_webhook

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "webhook"))
import svix_sign  # noqa: E402

SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
OTHER = "whsec_dGhpcyBpcyBhIHNlY29uZCBzZWNyZXQga2V5IQ=="
BODY = b'{"type":"phone_call.ended","deliveryStatus":"pass","x":"\xc3\xa9"}'
NOW = 1700000000


class VerifyWebhookTest(unittest.TestCase):
    def test_svix_documentation_example(self):
        headers = {"svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "svix-timestamp": "1614265330",
                   "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
        v = verify_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers,
                           b'{"test": 2432232314}', now=1614265330)
        self.assertIs(v, WebhookVerdict.OK)
        self.assertEqual(v, "ok")

    def test_signed_by_the_stdlib_signer(self):
        h = svix_sign.headers(SECRET, BODY, timestamp=NOW)
        self.assertIs(verify_webhook(SECRET, h, BODY, now=NOW), WebhookVerdict.OK)
        # header names in any case; bytearray / memoryview bodies
        upper = {k.upper(): v for k, v in h.items()}
        self.assertIs(verify_webhook(SECRET, upper, bytearray(BODY), now=NOW), WebhookVerdict.OK)
        self.assertIs(verify_webhook(SECRET, upper, memoryview(BODY), now=NOW + 300),
                      WebhookVerdict.OK)
        # an email.message / http.client style header object
        m = email.message.Message()
        for k, v in h.items():
            m[k.title()] = v
        self.assertIs(verify_webhook(SECRET, m, BODY, now=NOW), WebhookVerdict.OK)
        # a str body is its UTF-8 bytes
        self.assertIs(verify_webhook(SECRET, h, BODY.decode("utf-8"), now=NOW), WebhookVerdict.OK)

    def test_rotation(self):
        both = svix_sign.headers(SECRET, BODY, timestamp=NOW, secrets=(OTHER,))
        self.assertIs(verify_webhook(OTHER, both, BODY, now=NOW), WebhookVerdict.OK)
        one = svix_sign.headers(OTHER, BODY, timestamp=NOW)
        self.assertIs(verify_webhook(SECRET + "\n" + OTHER, one, BODY, now=NOW), WebhookVerdict.OK)
        self.assertIs(verify_webhook(SECRET, one, BODY, now=NOW), WebhookVerdict.BAD_SIGNATURE)

    def test_refusals(self):
        h = svix_sign.headers(SECRET, BODY, timestamp=NOW)
        self.assertIs(verify_webhook(SECRET, h, BODY + b" ", now=NOW), WebhookVerdict.BAD_SIGNATURE)
        self.assertIs(verify_webhook(OTHER, h, BODY, now=NOW), WebhookVerdict.BAD_SIGNATURE)
        swapped = dict(h, **{"svix-id": "msg_other"})
        self.assertIs(verify_webhook(SECRET, swapped, BODY, now=NOW), WebhookVerdict.BAD_SIGNATURE)
        self.assertIs(verify_webhook(SECRET, h, BODY, now=NOW + 301),
                      WebhookVerdict.STALE_TIMESTAMP)
        self.assertIs(verify_webhook(SECRET, h, BODY, now=NOW - 301),
                      WebhookVerdict.FUTURE_TIMESTAMP)
        self.assertIs(verify_webhook(SECRET, h, BODY, now=NOW + 10, tolerance=5),
                      WebhookVerdict.STALE_TIMESTAMP)
        for missing in ("svix-id", "svix-timestamp", "svix-signature"):
            partial = {k: v for k, v in h.items() if k != missing}
            self.assertIs(verify_webhook(SECRET, partial, BODY, now=NOW),
                          WebhookVerdict.MISSING_HEADER)
        self.assertIs(verify_webhook(SECRET, dict(h, **{"svix-timestamp": "soon"}), BODY, now=NOW),
                      WebhookVerdict.BAD_TIMESTAMP)
        self.assertIs(verify_webhook(SECRET, dict(h, **{"svix-signature": "garbage"}), BODY,
                                     now=NOW), WebhookVerdict.BAD_SIGNATURE)
        other_version = dict(h, **{"svix-signature": h["svix-signature"].replace("v1,", "v2,")})
        self.assertIs(verify_webhook(SECRET, other_version, BODY, now=NOW),
                      WebhookVerdict.BAD_SIGNATURE)

    def test_now_defaults_to_the_clock(self):
        h = svix_sign.headers(SECRET, BODY)
        self.assertIs(verify_webhook(SECRET, h, BODY), WebhookVerdict.OK)

    def test_bad_secret_and_types(self):
        with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
            verify_webhook("whsec_not*base64", {}, b"")
        self.assertIn("not valid base64", str(cm.exception))
        self.assertNotIn("not*base64", str(cm.exception))
        with self.assertRaises(phonenorm.InvalidArgumentError):
            verify_webhook("", {}, b"")
        with self.assertRaises(TypeError):
            verify_webhook(b"whsec_x", {}, b"")
        with self.assertRaises(TypeError):
            verify_webhook(SECRET, {}, 5)
        with self.assertRaises(TypeError):
            verify_webhook(SECRET, 5, b"")
        with self.assertRaises(ValueError):
            verify_webhook(SECRET, {}, b"", tolerance=-1)


if __name__ == "__main__":
    unittest.main()
