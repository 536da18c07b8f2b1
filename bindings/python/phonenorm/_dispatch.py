"""Dispatch: hand clean numbers to the outbound AI call API
(include/phonenorm/dispatch.h)."""

from __future__ import annotations

import ctypes
import json
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _lib
from ._number import _NamedEnum, _show, _wrong_type


class DispatchKind(_NamedEnum):
    """Which endpoint a request belongs to (phn_dispatch_kind)."""
    CALL = ("call", 0)          # POST /ai/phone-calls/action/call
    CONTACT = ("contact", 1)    # POST /contact
    INVOICE = ("invoice", 2)    # POST /invoice


class DispatchOutcome(_NamedEnum):
    """How a request ended (phn_dispatch_outcome): what to do next."""
    ACCEPTED = ("accepted", 0)
    REJECTED = ("rejected", 1)
    AUTH_FAILED = ("auth_failed", 2)
    NOT_FOUND = ("not_found", 3)
    THROTTLED = ("throttled", 4)
    AMBIGUOUS = ("ambiguous", 5)
    NOT_SENT = ("not_sent", 6)

    @property
    def description(self) -> str:
        """An English sentence that explains the outcome."""
        return _lib.text(_lib.dispatch_outcome_describe(self.code))


@dataclass(frozen=True)
class Detail:
    """One entry of a 422 body's "detail" array."""
    loc: str                    # "body.numberToCall"
    loc_parts: Tuple[str, ...]  # ("body", "numberToCall")
    msg: str
    type: str


@dataclass(frozen=True)
class DispatchResult:
    """What one request gave (phn_dispatch_result): plain data. Strings the
    API did not send are None."""
    id: int
    kind: Union[DispatchKind, int]
    outcome: Union[DispatchOutcome, int]
    http_status: int            # 0 when no response arrived
    number: Optional[str]       # the E.164 number sent
    call_id: Optional[str]
    status: Optional[str]
    contact_uuid: Optional[str]
    uuid: Optional[str]
    details: Tuple[Detail, ...]
    message: Optional[str]
    body: str                   # the response body ("" when none), token masked
    body_truncated: bool
    retry_after: Optional[str]
    retry_after_seconds: Optional[int]  # None when absent
    error: str                  # one line a person can read
    elapsed_ms: int

    @property
    def accepted(self) -> bool:
        """True when the outcome is ACCEPTED."""
        return self.outcome is DispatchOutcome.ACCEPTED

    @classmethod
    def _from_c(cls, rp: Any) -> "DispatchResult":
        """From a phn_dispatch_result pointer (read now: it may not outlive the call)."""
        def s(b: Optional[bytes]) -> Optional[str]:
            return None if b is None else b.decode("utf-8", "replace")
        r = rp.contents
        details: List[Detail] = []
        for i in range(r.details_count):
            d = _lib.dispatch_result_detail(rp, i).contents
            details.append(Detail(loc=s(d.loc) or "",
                                  loc_parts=tuple(_lib.text(d.loc_parts[j])  # never NULL
                                                  for j in range(d.loc_count)),
                                  msg=s(d.msg) or "", type=s(d.type) or ""))
        body = ctypes.string_at(r.body, r.body_len) if r.body and r.body_len else b""
        return cls(id=r.id, kind=DispatchKind.from_code(r.kind),
                   outcome=DispatchOutcome.from_code(r.outcome), http_status=r.http_status,
                   number=s(r.number), call_id=s(r.call_id), status=s(r.status),
                   contact_uuid=s(r.contact_uuid), uuid=s(r.uuid), details=tuple(details),
                   message=s(r.message), body=body.decode("utf-8", "replace"),
                   body_truncated=bool(r.body_truncated), retry_after=s(r.retry_after),
                   retry_after_seconds=None if r.retry_after_seconds < 0
                   else r.retry_after_seconds,
                   error=s(r.error) or "", elapsed_ms=r.elapsed_ms)


@dataclass(frozen=True)
class DispatchRequest:
    """A validated request as it would go out (phn_dispatch_request): what a
    dry run shows. The Authorization value is masked ("Bearer ****"), None
    when the client has no token."""
    kind: Union[DispatchKind, int]
    method: str
    url: str
    #: (name, value) pairs, in the order they are sent
    headers: Tuple[Tuple[str, Optional[str]], ...]
    body: str           # the exact JSON body

    @classmethod
    def _from_c(cls, rp: Any) -> "DispatchRequest":
        headers: List[Tuple[str, Optional[str]]] = []
        for i in range(_lib.dispatch_request_header_count(rp)):
            name, value = _lib.c_char_p(), _lib.c_char_p()
            _lib.check(_lib.dispatch_request_header(ctypes.byref(name), ctypes.byref(value), rp, i))
            headers.append((_lib.text(name.value),
                            None if value.value is None else _lib.text(value.value)))
        n = _lib.c_size(0)
        body = ctypes.string_at(_lib.dispatch_request_body(ctypes.byref(n), rp), n.value)
        return cls(kind=DispatchKind.from_code(_lib.dispatch_request_kind(rp)),
                   method=_lib.text(_lib.dispatch_request_method(rp)),
                   url=_lib.text(_lib.dispatch_request_url(rp)), headers=tuple(headers),
                   body=body.decode("utf-8"))


#: A done(result) callback; what it returns is ignored.
_Done = Callable[[DispatchResult], Any]


def user_agent() -> str:
    """The User-Agent sent with every request, "phonenorm/VERSION"."""
    return _lib.text(_lib.dispatch_user_agent())


def _str(value: Optional[str], what: str, secret: bool = False) -> Optional[bytes]:
    """None -> NULL; str -> UTF-8 bytes (a NUL inside is refused: C would cut
    the string there). The error names the refused value unless it is a
    secret (the token), whose errors give its type only."""
    if value is None:
        return None
    if not isinstance(value, str):
        if secret:
            raise TypeError("%s must be str or None, not %s" % (what, type(value).__name__))
        raise _wrong_type(what, "str or None", value)
    if "\0" in value:
        shown = what if secret else "%s %s" % (what, _show(value))
        raise _lib.error(_lib.PHN_EINVAL, "%s contains a NUL character" % shown)
    return value.encode("utf-8", "surrogatepass")


def _bool3(value: Optional[bool], what: str) -> int:
    if value is None:
        return 0
    if value is True:
        return 2
    if value is False:
        return 1
    raise _wrong_type(what, "True, False or None (not sent)", value)


#: A promptTags/metadata argument: a dict, or a JSON object as str.
_JSONObject = Union[Dict[str, Any], str, None]


def _object(value: _JSONObject, what: str,
            keep: List[Any]) -> Tuple[Any, int, Optional[bytes]]:
    """A promptTags/metadata argument as (kv array, count, json bytes).
    A dict of strings goes as pairs, any other dict as JSON text, a str as
    the JSON text it is."""
    if value is None:
        return None, 0, None
    if isinstance(value, str):
        return None, 0, _str(value, what)
    if not isinstance(value, dict):
        raise _wrong_type(what, "a dict, a JSON object as str, or None", value)
    if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        arr = (_lib.phn_dispatch_kv * max(len(value), 1))()
        for i, (k, v) in enumerate(value.items()):
            arr[i].key = _str(k, what + " key")
            arr[i].value = _str(v, what + " value")
        keep.append(arr)
        return arr, len(value), None
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise _lib.error(_lib.PHN_EINVAL, "%s is not JSON: %s" % (what, e)) from None
    return None, 0, _str(text, what)


def _allow_possible(value: bool) -> int:
    """allow_possible=True: also send a number that is only possible
    (PHN_DISPATCH_ALLOW_POSSIBLE); by default only valid numbers go out."""
    if value is not True and value is not False:
        raise _wrong_type("allow_possible", "True or False", value)
    return _lib.PHN_DISPATCH_ALLOW_POSSIBLE if value else 0


def _call(number: Optional[str], country_code: Optional[str] = None,
          first_name: Optional[str] = None, last_name: Optional[str] = None,
          email: Optional[str] = None, contact_uuid: Optional[str] = None,
          template_id: Optional[str] = None, prompt_tags: _JSONObject = None,
          metadata: _JSONObject = None, update_existing: Optional[bool] = None,
          create_if_not_exists: Optional[bool] = None,
          allow_possible: bool = False) -> Tuple[int, Any]:
    keep: List[Any] = []
    c = _lib.phn_dispatch_call()
    _lib.check(_lib.dispatch_call_init(ctypes.byref(c), _lib.PHN_DISPATCH_CALL_VERSION))
    c.number = _str(number, "number")
    c.country_code = _str(country_code, "country_code")
    c.first_name = _str(first_name, "first_name")
    c.last_name = _str(last_name, "last_name")
    c.email = _str(email, "email")
    c.contact_uuid = _str(contact_uuid, "contact_uuid")
    c.template_id = _str(template_id, "template_id")
    c.prompt_tags, c.prompt_tags_count, c.prompt_tags_json = _object(prompt_tags, "prompt_tags",
                                                                     keep)
    c.metadata, c.metadata_count, c.metadata_json = _object(metadata, "metadata", keep)
    c.update_existing = _bool3(update_existing, "update_existing")
    c.create_if_not_exists = _bool3(create_if_not_exists, "create_if_not_exists")
    c.flags = _allow_possible(allow_possible)
    c._keep = keep
    return 0, c


def _contact(phone_number: Optional[str], country_code: Optional[str] = None,
             name: Optional[str] = None, email: Optional[str] = None,
             role: Optional[str] = None, allow_possible: bool = False) -> Tuple[int, Any]:
    c = _lib.phn_dispatch_contact()
    _lib.check(_lib.dispatch_contact_init(ctypes.byref(c), _lib.PHN_DISPATCH_CONTACT_VERSION))
    c.phone_number = _str(phone_number, "phone_number")
    c.country_code = _str(country_code, "country_code")
    c.name = _str(name, "name")
    c.email = _str(email, "email")
    c.role = _str(role, "role")
    c.flags = _allow_possible(allow_possible)
    return 1, c


def _invoice(date: Optional[str], contact_uuid: Optional[str], number: Optional[str] = None,
             due_date: Optional[str] = None,
             total: Union[str, int, float, None] = None) -> Tuple[int, Any]:
    c = _lib.phn_dispatch_invoice()
    _lib.check(_lib.dispatch_invoice_init(ctypes.byref(c), _lib.PHN_DISPATCH_INVOICE_VERSION))
    c.date = _str(date, "date")
    c.contact_uuid = _str(contact_uuid, "contact_uuid")
    c.number = _str(number, "number")
    c.due_date = _str(due_date, "due_date")
    if total is None or isinstance(total, str):
        text = total
    else:
        if isinstance(total, bool) or not isinstance(total, (int, float)):
            raise _wrong_type("total", "a decimal str, an int, a float or None", total)
        text = repr(total)
    c.total = _str(text, "total")
    return 2, c


class Dispatch:
    """A client of the outbound AI call API (phn_dispatch).

    base_url: None is the documented API. http:// is accepted only for
    loopback hosts. token: None reads token_file. The environment is read
    only when asked: from_env=True takes $PHONENORM_API_URL,
    $PHONENORM_API_TOKEN and the file named by $PHONENORM_API_TOKEN_FILE for
    what the arguments leave None (as the phonenorm CLI does). Without a
    token, dry runs (describe_call, call_json ...) work and sending raises
    AuthError.
    trace, if given, is called with each line of the HTTP trace (the token
    shows as ****).

    Requests: send_call/send_contact/send_invoice wait for one request and
    return its DispatchResult; submit_* queue requests that go out
    max_in_flight at a time during poll() or run(). What the API answered
    (a 422, a 503, a refused connection) is a result, never an exception;
    exceptions mean nothing was sent (InvalidArgumentError for a request
    that breaks the API's schema, RegionError, AuthError), and carry the
    library's one-line explanation (phn_error_last()) in .detail.

    One thread at a time per client (calls are serialised by a lock).
    """

    #: The documented API base, used when base_url is None.
    DEFAULT_URL: str = "https://api.dev.uselevers.com/api-service/v1"

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None, *,
                 token_file: Optional[str] = None, from_env: bool = False,
                 connect_timeout_ms: int = 0, timeout_ms: int = 0, max_in_flight: int = 0,
                 trace: Optional[Callable[[str], Any]] = None) -> None:
        self._d: Any = None
        self._lock = threading.RLock()
        self._in_callback = False
        self._errors: List[BaseException] = []
        self._waiting: Dict[int, Optional[_Done]] = {}
        self._finished: List[DispatchResult] = []
        self._next_payload = 1
        for v, what in ((connect_timeout_ms, "connect_timeout_ms"), (timeout_ms, "timeout_ms"),
                        (max_in_flight, "max_in_flight")):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError("%s must be an int, 0 (the default) or more, not %s"
                                 % (what, _show(v)))
        if trace is not None and not callable(trace):
            raise _wrong_type("trace", "callable or None", trace)
        o = _lib.phn_dispatch_options()
        _lib.check(_lib.dispatch_options_init(ctypes.byref(o), _lib.PHN_DISPATCH_OPTIONS_VERSION))
        o.base_url = _str(base_url, "base_url")
        o.token = _str(token, "token", secret=True)
        o.token_file = _str(token_file, "token_file")
        o.flags = _lib.PHN_DISPATCH_USE_ENV if from_env else 0
        o.connect_timeout_ms = min(connect_timeout_ms, 1 << 31)
        o.timeout_ms = min(timeout_ms, 1 << 31)
        o.max_in_flight = min(max_in_flight, 1 << 20)
        self._trace_user = trace
        if trace is not None:
            self._trace_fn = _lib.phn_dispatch_trace_cb(self._on_trace)
            o.trace = self._trace_fn
        self._done_fn = _lib.phn_dispatch_done_cb(self._on_done)
        d = ctypes.POINTER(_lib.phn_dispatch)()
        _lib.check(_lib.dispatch_new(ctypes.byref(d), ctypes.byref(o)))
        self._d = d

    # ---- callbacks (run inside C calls, on this thread) ----

    def _on_trace(self, line: Optional[bytes], _payload: Optional[int]) -> None:
        trace = self._trace_user    # not None: only registered with a trace
        try:
            trace(_lib.text(line))  # type: ignore[misc]
        except BaseException as e:  # noqa: B902 - re-raised after the C call
            self._errors.append(e)

    def _on_done(self, result_p: Any, payload: Optional[int]) -> None:
        self._in_callback = True
        try:
            result = DispatchResult._from_c(result_p)
            done = self._waiting.pop(payload or 0, None)
            if done is None:
                self._finished.append(result)
            else:
                done(result)
        except BaseException as e:  # noqa: B902 - re-raised after the C call
            self._errors.append(e)
        finally:
            self._in_callback = False

    def _raise_callback_error(self) -> None:
        if self._errors:
            e = self._errors[0]
            del self._errors[:]
            raise e

    # ---- plumbing ----

    def _handle(self) -> Any:
        if self._d is None:
            raise ValueError("operation on a closed Dispatch")
        return self._d

    def _describe(self, built: Tuple[int, Any]) -> DispatchRequest:
        kind, req = built
        with self._lock:
            d = self._handle()
            out = ctypes.POINTER(_lib.phn_dispatch_request)()
            _lib.check(_lib.dispatch_describe[kind](ctypes.byref(out), d, ctypes.byref(req)))
            try:
                return DispatchRequest._from_c(out)
            finally:
                _lib.dispatch_request_free(out)

    def _send(self, built: Tuple[int, Any]) -> DispatchResult:
        kind, req = built
        with self._lock:
            d = self._handle()
            out = ctypes.POINTER(_lib.phn_dispatch_result)()
            try:
                _lib.check(_lib.dispatch_send[kind](ctypes.byref(out), d, ctypes.byref(req)))
                result = DispatchResult._from_c(out)
            finally:
                _lib.dispatch_result_free(out if out else None)
            self._raise_callback_error()
            return result

    def _submit(self, built: Tuple[int, Any], done: Optional[_Done]) -> int:
        kind, req = built
        if done is not None and not callable(done):
            raise _wrong_type("done", "callable or None", done)
        with self._lock:
            d = self._handle()
            payload = self._next_payload
            self._next_payload += 1
            self._waiting[payload] = done
            rid = _lib.c_u64(0)
            rc = _lib.dispatch_submit[kind](ctypes.byref(rid), d, ctypes.byref(req),
                                            self._done_fn, payload)
            if rc < 0:
                del self._waiting[payload]
                _lib.check(rc)
            return rid.value

    # ---- public API ----

    @property
    def has_token(self) -> bool:
        """True when the client has a token to send (else sending raises AuthError)."""
        with self._lock:
            return bool(_lib.dispatch_has_token(self._handle()))

    @property
    def pending(self) -> int:
        """Requests queued or in flight."""
        with self._lock:
            return _lib.dispatch_pending(self._handle())

    def url(self, kind: Union[DispatchKind, str]) -> str:
        """The full URL of an endpoint: "call", "contact" or "invoice"."""
        k = DispatchKind(kind)  # type: ignore[call-arg]  # a lookup by value, not __new__
        with self._lock:
            d = self._handle()
            return _lib.read_sized(lambda dst, cap, need: _lib.dispatch_url(
                dst, cap, need, d, k.code))

    def describe_call(self, number: str, country_code: Optional[str] = None,
                      **fields: Any) -> DispatchRequest:
        """Validate a call request and return the DispatchRequest that
        send_call would put on the wire (method, URL, headers with the token
        masked, body), without sending anything. fields: first_name,
        last_name, email, contact_uuid, template_id, prompt_tags (dict of
        str, or JSON text), metadata (dict or JSON text), update_existing and
        create_if_not_exists (True, False, None: not sent), allow_possible
        (True: also a number that is only possible; default False). The
        number must be valid; country_code is sent only when it is the
        number's own region, and a number of another country is refused."""
        return self._describe(_call(number, country_code, **fields))

    def describe_contact(self, phone_number: str, country_code: Optional[str] = None,
                         **fields: Any) -> DispatchRequest:
        """As describe_call, for POST /contact (fields: name, email, role,
        allow_possible); country_code is only the region to read the number in."""
        return self._describe(_contact(phone_number, country_code, **fields))

    def describe_invoice(self, date: str, contact_uuid: str, **fields: Any) -> DispatchRequest:
        """As describe_call, for POST /invoice (fields: number, due_date, total)."""
        return self._describe(_invoice(date, contact_uuid, **fields))

    def call_json(self, number: str, country_code: Optional[str] = None, **fields: Any) -> str:
        """The exact JSON body describe_call shows."""
        return self.describe_call(number, country_code, **fields).body

    def contact_json(self, phone_number: str, country_code: Optional[str] = None,
                     **fields: Any) -> str:
        """The exact JSON body describe_contact shows."""
        return self.describe_contact(phone_number, country_code, **fields).body

    def invoice_json(self, date: str, contact_uuid: str, **fields: Any) -> str:
        """The exact JSON body describe_invoice shows."""
        return self.describe_invoice(date, contact_uuid, **fields).body

    def send_call(self, number: str, country_code: Optional[str] = None,
                  **fields: Any) -> DispatchResult:
        """Send one call request and wait: returns its DispatchResult."""
        return self._send(_call(number, country_code, **fields))

    def send_contact(self, phone_number: str, country_code: Optional[str] = None,
                     **fields: Any) -> DispatchResult:
        return self._send(_contact(phone_number, country_code, **fields))

    def send_invoice(self, date: str, contact_uuid: str, **fields: Any) -> DispatchResult:
        return self._send(_invoice(date, contact_uuid, **fields))

    def submit_call(self, number: str, country_code: Optional[str] = None,
                    done: Optional[_Done] = None, **fields: Any) -> int:
        """Validate a call request now and queue it; returns its id. done(result)
        is called during poll()/run() when it ends; without done, the result
        is returned by poll()/run() instead."""
        return self._submit(_call(number, country_code, **fields), done)

    def submit_contact(self, phone_number: str, country_code: Optional[str] = None,
                       done: Optional[_Done] = None, **fields: Any) -> int:
        return self._submit(_contact(phone_number, country_code, **fields), done)

    def submit_invoice(self, date: str, contact_uuid: str,
                       done: Optional[_Done] = None, **fields: Any) -> int:
        return self._submit(_invoice(date, contact_uuid, **fields), done)

    def poll(self, timeout_ms: int = 0) -> List[DispatchResult]:
        """Move queued requests onto the wire, wait up to timeout_ms for
        network activity and finish what ended. Returns the results of the
        requests that ended without a done callback."""
        if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms < 0:
            raise ValueError("timeout_ms must be an int, 0 or more, not %s" % _show(timeout_ms))
        return self._drive(lambda d: _lib.dispatch_poll(None, d, min(timeout_ms, 1 << 30)))

    def run(self) -> List[DispatchResult]:
        """poll() until nothing is queued or in flight; returns the results
        of the requests that had no done callback, in the order they ended."""
        return self._drive(_lib.dispatch_run)

    def _drive(self, step: Callable[[Any], int]) -> List[DispatchResult]:
        with self._lock:
            if self._in_callback:
                raise RuntimeError("poll() and run() cannot be called from a done callback")
            d = self._handle()
            rc = step(d)
            finished, self._finished = self._finished, []
            self._raise_callback_error()
            if rc < 0:
                _lib.check(rc)
            return finished

    def close(self) -> None:
        """Free the client. Requests still queued or in flight are abandoned
        without their callbacks."""
        with self._lock:
            if self._in_callback:
                raise RuntimeError("a Dispatch cannot be closed from its own callback")
            if self._d is not None:
                _lib.dispatch_free(self._d)
                self._d = None
                self._waiting.clear()

    def __enter__(self) -> "Dispatch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_d", None) is not None:
            try:
                _lib.dispatch_free(self._d)
            except (AttributeError, TypeError):  # interpreter shutdown
                pass
            self._d = None

    def __repr__(self) -> str:
        if self._d is None:
            return "<phonenorm.Dispatch closed>"
        return "<phonenorm.Dispatch %s>" % self.url("call")
