"""A Svix ("Standard Webhooks") signer written from the contract in
../shared/api/webhooks.md with Python's standard library only: the second,
independent signer of the tests (the first is the official svix npm
package, tests/webhook/svix-signer/). Used by the fake call API to sign the
phone_call.ended events it sends, and by the tests.

    secret    "whsec_" + base64(key)
    content   b"<svix-id>.<svix-timestamp>.<raw body>"
    signature "v1," + base64(HMAC-SHA256(key, content))
"""
import base64
import hashlib
import hmac
import os
import time


def new_secret(nbytes=24):
    """A fresh random secret, as the provider's dashboard gives one."""
    return "whsec_" + base64.b64encode(os.urandom(nbytes)).decode("ascii")


def _key(secret):
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret, validate=True)


def sign(secret, msg_id, timestamp, body):
    """The "v1,<base64>" signature entry of body (bytes) for msg_id and
    timestamp (int seconds)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    content = b"%s.%d.%s" % (msg_id.encode("utf-8"), int(timestamp), body)
    mac = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def new_msg_id():
    """A message id shaped like the provider's: msg_ + 24 base62-ish chars."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    raw = os.urandom(24)
    return "msg_" + "".join(alphabet[b % 62] for b in raw)


def headers(secret, body, msg_id=None, timestamp=None, secrets=()):
    """The three svix-* headers of one delivery. secrets: more secrets to
    sign with as well (a rotation: several space-separated entries)."""
    msg_id = msg_id or new_msg_id()
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    sigs = [sign(s, msg_id, timestamp, body) for s in (secret,) + tuple(secrets)]
    return {
        "svix-id": msg_id,
        "svix-timestamp": str(timestamp),
        "svix-signature": " ".join(sigs),
    }
