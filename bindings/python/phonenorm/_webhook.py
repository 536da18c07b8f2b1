"""Webhooks: verify the call API's Svix-signed deliveries
(include/phonenorm/webhook.h, verification), for a program that has its own
HTTP server (Flask, Django, aiohttp...) and wants the same check as
``phonenorm webhook``.

    >>> v = phonenorm.verify_webhook(secret, request.headers, request.get_data())
    >>> if v is not phonenorm.WebhookVerdict.OK: return 401
"""

from __future__ import annotations

import ctypes
import time
from typing import Any, Mapping, Optional, Union

from . import _lib
from ._number import _NamedEnum, _wrong_type


class _phn_webhook_secrets(ctypes.Structure):
    pass


_P = ctypes.POINTER
_secrets_parse = _lib._fn("phn_webhook_secrets_parse", ctypes.c_int,
                          _P(_P(_phn_webhook_secrets)), ctypes.c_char_p)
_secrets_free = _lib._fn("phn_webhook_secrets_free", None, _P(_phn_webhook_secrets))
_verify = _lib._fn("phn_webhook_verify", ctypes.c_int, _P(_phn_webhook_secrets),
                   ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                   ctypes.c_size_t, ctypes.c_int64, ctypes.c_int64)


class WebhookVerdict(_NamedEnum):
    """The verdict on one delivery (phn_webhook_verdict). Anything but OK
    means: do not trust the body (answer 401)."""
    OK = ("ok", 0)
    MISSING_HEADER = ("missing_header", 1)      # svix-id, -timestamp or -signature absent/empty
    BAD_TIMESTAMP = ("bad_timestamp", 2)        # svix-timestamp is not a decimal integer
    STALE_TIMESTAMP = ("stale_timestamp", 3)    # older than now - tolerance
    FUTURE_TIMESTAMP = ("future_timestamp", 4)  # newer than now + tolerance
    BAD_SIGNATURE = ("bad_signature", 5)        # no v1 entry matches


def _header(headers: Any, name: str) -> Optional[bytes]:
    """The value of header name, matched without regard to case, from a
    mapping (a dict, http.client / email.message headers, a framework's
    header object); None when absent."""
    value = None
    get = getattr(headers, "get", None)
    if get is not None:
        value = get(name)
    if value is None:
        items = getattr(headers, "items", None)
        if items is None:
            raise _wrong_type("headers", "a mapping of header names to values", headers)
        for k, v in items():
            if isinstance(k, bytes):
                k = k.decode("latin-1")
            if isinstance(k, str) and k.lower() == name:
                value = v
                break
    if value is None:
        return None
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        raw = value.encode("latin-1", "replace")  # HTTP header bytes
    else:
        raise _wrong_type("header %s" % name, "str or bytes", value)
    return raw.split(b"\0", 1)[0]


def verify_webhook(secret: str, headers: Mapping[str, Any],
                   body: Union[bytes, bytearray, memoryview, str],
                   now: Optional[float] = None, tolerance: int = 300) -> WebhookVerdict:
    """Verify one delivery as the call API's contract says: the svix-id,
    svix-timestamp and svix-signature headers (looked up without regard to
    case) against the raw body bytes exactly as received (a str body is
    taken as its UTF-8 bytes). secret: the endpoint's "whsec_..." secret, or
    several separated by white space while rotating (any one matching is
    enough). now: the receiver's clock in Unix seconds (default: time.time());
    tolerance: seconds the timestamp may be away from now (0 means 300).

    Returns the verdict; raises InvalidArgumentError for a malformed secret
    (the message never holds the secret) and TypeError for wrong types."""
    if not isinstance(secret, str):
        raise TypeError("secret must be str (whsec_...), not %s" % type(secret).__name__)
    if "\0" in secret:
        raise ValueError("secret holds a NUL character")
    if isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
    else:
        raise _wrong_type("body", "bytes", body)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise ValueError("tolerance must be a non-negative int of seconds, not %r" % (tolerance,))
    if now is None:
        now = time.time()
    elif isinstance(now, bool) or not isinstance(now, (int, float)):
        raise _wrong_type("now", "Unix seconds (int or float)", now)
    ids = (_header(headers, "svix-id"), _header(headers, "svix-timestamp"),
           _header(headers, "svix-signature"))

    secrets = _P(_phn_webhook_secrets)()
    _lib.check(_secrets_parse(ctypes.byref(secrets), secret.encode("utf-8")))
    try:
        verdict = _verify(secrets, ids[0], ids[1], ids[2], raw, len(raw), int(now // 1),
                          tolerance)
    finally:
        _secrets_free(secrets)
    result = WebhookVerdict.from_code(verdict)
    if not isinstance(result, WebhookVerdict):
        # a verdict added to the C library later: never taken as OK
        return WebhookVerdict.BAD_SIGNATURE
    return result
