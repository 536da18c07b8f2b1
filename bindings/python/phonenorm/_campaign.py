"""Campaign: dial a list through the call API, paced, inside calling hours,
with a crash-proof SQLite journal (include/phonenorm/campaign.h, the dialer).
"""

from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from . import _lib
from ._dispatch import DispatchRequest
from ._number import _wrong_type

_EVENT_KINDS = ("loaded", "recovered", "progress", "row", "wait", "retry_capped", "stopping",
                "loading", "suppressed", "redial")
_ENDS = ("done", "left", "auth_failed", "stopped")
_COUNTERS = ("rows", "pending", "waiting", "in_flight", "accepted", "rejected", "failed",
             "unknown", "skipped", "sent", "retries", "rate", "eta_seconds", "now_ms",
             "redialed")


def _b(value: Optional[str], what: str) -> Optional[bytes]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong_type(what, "str or None", value)
    if "\0" in value:
        raise ValueError("%s holds a NUL character" % what)
    return value.encode("utf-8")


def _counters(p: Any) -> Dict[str, Any]:
    d = {k: getattr(p, k) for k in _COUNTERS}
    if d["eta_seconds"] < 0:
        d["eta_seconds"] = None
    return d


@dataclass(frozen=True)
class CampaignPlan:
    """What a run would do (phn_dialer_plan): nothing was sent or written."""
    rows: int
    to_call: int
    done: int
    skipped: int
    #: seconds the run takes at the rate; None with no rate limit
    eta_seconds: Optional[float]
    skipped_by_reason: Dict[str, int] = field(default_factory=dict)
    #: (region, rows, open now, opens_at_ms or None)
    windows: Tuple[Tuple[str, int, bool, Optional[int]], ...] = ()
    #: (line, request) of the first requests, token masked
    requests: Tuple[Tuple[int, DispatchRequest], ...] = ()
    #: with redial_undelivered: rows not delivered that are due now (in
    #: to_call), the ones due later, and when the first of those is due (ms)
    redial_due: int = 0
    redial_later: int = 0
    redial_next_due_ms: Optional[int] = None


class Campaign:
    """A campaign: the list at list_path and the journal file at journal.

    dry_run=True (the default) sends nothing and never creates or changes
    the journal: only plan() is allowed. Otherwise opening takes the
    journal's dial lock (another dialer on it raises InputOutputError),
    recovers after a crash and loads the list (cleaned as phonenorm clean
    does) or checks it is the list and options the journal was made with
    (InvalidArgumentError otherwise).

    Columns are header names or, all digits, 1-based indexes. tags/meta map
    a promptTags/metadata key to a column. invoice maps number, date,
    dueDate, total to columns (date required) and turns on the contact ->
    invoice -> call flow. window "09:00-21:00" and days "sun-thu" replace
    that half of each region's default calling window (+1 numbers stay
    within 08:00-21:00).
    The token: token, token_file, or with from_env=True $PHONENORM_API_TOKEN
    and $PHONENORM_API_TOKEN_FILE. on_event(dict) receives events during
    run() ("kind": loaded, recovered, progress, row, wait, retry_capped,
    stopping, loading, suppressed, redial, plus their fields and the
    counters); returning True asks the run to stop. test_now_ms sets the
    windows' clock (loopback API only).

    redial_undelivered=True calls again the rows whose call was accepted but
    not delivered (the phone_call.ended result the webhook receiver recorded
    says deliveryStatus "fail"), not before redial_after seconds after that
    result (None: one hour; 0: at once), within max_attempts, the calling
    windows and the pace; rows awaiting a result are never redialed. The
    counters' "redialed" says how many rows a run requeued.

    One thread at a time; stop() may be called from another thread.
    """

    def __init__(self, journal: str, list_path: str, *, dry_run: bool = True,
                 region: Optional[str] = None, phone_column: Optional[str] = None,
                 keep_possible: bool = False,
                 first_name_column: Optional[str] = None, last_name_column: Optional[str] = None,
                 email_column: Optional[str] = None, contact_uuid_column: Optional[str] = None,
                 timezone_column: Optional[str] = None,
                 tags: Optional[Mapping[str, str]] = None,
                 meta: Optional[Mapping[str, str]] = None,
                 template_id: Optional[str] = None, update_existing: Optional[bool] = None,
                 create_if_not_exists: Optional[bool] = None,
                 invoice: Optional[Mapping[str, str]] = None,
                 rate: float = 5.0, concurrency: int = 16, max_retries: int = 5,
                 retry_cap: float = 120.0, max_attempts: int = 3,
                 window: Optional[str] = None, days: Optional[str] = None,
                 no_wait: bool = False, retry_unknown: bool = False,
                 base_url: Optional[str] = None, token: Optional[str] = None,
                 token_file: Optional[str] = None, from_env: bool = False,
                 timeout_ms: int = 0, test_now_ms: int = 0,
                 redial_undelivered: bool = False, redial_after: Optional[float] = None,
                 on_event: Optional[Callable[[Dict[str, Any]], Any]] = None) -> None:
        self._dl: Any = None
        self._errors: List[BaseException] = []
        if on_event is not None and not callable(on_event):
            raise _wrong_type("on_event", "callable or None", on_event)
        for v, what in ((concurrency, "concurrency"), (max_retries, "max_retries"),
                        (max_attempts, "max_attempts"), (timeout_ms, "timeout_ms"),
                        (test_now_ms, "test_now_ms")):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError("%s must be an int, 0 or more, not %r" % (what, v))
        if redial_after is not None:
            if isinstance(redial_after, bool) or not isinstance(redial_after, (int, float)) \
                    or not redial_after >= 0:
                raise ValueError("redial_after must be seconds, 0 or more, not %r" % (redial_after,))
            if not redial_undelivered:
                raise ValueError("redial_after needs redial_undelivered=True")
        self._on_event_user = on_event
        keep: List[Any] = []   # what the C options point to, alive during open

        csv = _lib.phn_csv_options()
        _lib.check(_lib.csv_options_init(ctypes.byref(csv), _lib.PHN_CSV_OPTIONS_VERSION))
        csv.sniff_delimiter = 1
        clean = _lib.phn_clean_options()
        _lib.check(_lib.clean_options_init(ctypes.byref(clean), _lib.PHN_CLEAN_OPTIONS_VERSION))
        clean.region = _b(region, "region")
        if phone_column is not None:
            if phone_column.isdigit():
                clean.phone_column_index = int(phone_column) - 1
            else:
                clean.phone_column = _b(phone_column, "phone_column")
        clean.keep_possible = 1 if keep_possible else 0
        d = _lib.phn_dispatch_options()
        _lib.check(_lib.dispatch_options_init(ctypes.byref(d), _lib.PHN_DISPATCH_OPTIONS_VERSION))
        d.base_url = _b(base_url, "base_url")
        d.token = _b(token, "token")
        d.token_file = _b(token_file, "token_file")
        d.flags = _lib.PHN_DISPATCH_USE_ENV if from_env else 0
        d.timeout_ms = timeout_ms

        o = _lib.phn_dial_options()
        _lib.check(_lib.dial_options_init(ctypes.byref(o), _lib.PHN_DIAL_OPTIONS_VERSION))
        o.flags = ((_lib.PHN_DIAL_DRY_RUN if dry_run else 0) |
                   (_lib.PHN_DIAL_NO_WAIT if no_wait else 0) |
                   (_lib.PHN_DIAL_RETRY_UNKNOWN if retry_unknown else 0))
        o.list_path = _b(list_path, "list_path")
        o.csv = ctypes.pointer(csv)
        o.clean = ctypes.pointer(clean)
        o.dispatch = ctypes.pointer(d)
        o.first_name_column = _b(first_name_column, "first_name_column")
        o.last_name_column = _b(last_name_column, "last_name_column")
        o.email_column = _b(email_column, "email_column")
        o.contact_uuid_column = _b(contact_uuid_column, "contact_uuid_column")
        o.timezone_column = _b(timezone_column, "timezone_column")
        for pairs, what in ((tags, "tags"), (meta, "meta")):
            if not pairs:
                continue
            arr = (_lib.phn_dispatch_kv * len(pairs))()
            for i, (k, v) in enumerate(pairs.items()):
                arr[i].key = _b(k, what + " key")
                arr[i].value = _b(v, what + " column")
            keep.append(arr)
            setattr(o, what, ctypes.cast(arr, ctypes.POINTER(_lib.phn_dispatch_kv)))
            setattr(o, what + "_count", len(pairs))
        o.template_id = _b(template_id, "template_id")
        o.update_existing = 0 if update_existing is None else 2 if update_existing else 1
        o.create_if_not_exists = (0 if create_if_not_exists is None
                                  else 2 if create_if_not_exists else 1)
        if invoice:
            unknown = set(invoice) - {"number", "date", "dueDate", "total"}
            if unknown:
                raise ValueError("invoice: unknown field(s) %s (number, date, dueDate, total)"
                                 % ", ".join(sorted(unknown)))
            o.invoice_number_column = _b(invoice.get("number"), "invoice number")
            o.invoice_date_column = _b(invoice.get("date"), "invoice date")
            o.invoice_due_date_column = _b(invoice.get("dueDate"), "invoice dueDate")
            o.invoice_total_column = _b(invoice.get("total"), "invoice total")
        o.rate = float(rate)
        o.concurrency = concurrency
        o.max_retries = max_retries
        o.retry_cap_ms = max(1, int(round(float(retry_cap) * 1000)))
        o.max_attempts = max_attempts
        o.window_hours = _b(window, "window")
        o.window_days = _b(days, "days")
        o.test_now_ms = test_now_ms
        o.redial_flags = _lib.PHN_DIAL_REDIAL_UNDELIVERED if redial_undelivered else 0
        o.redial_after_ms = -1 if redial_after is None else int(round(float(redial_after) * 1000))
        self._event_fn = _lib.phn_dial_event_cb(self._on_event)
        o.on_event = self._event_fn
        dl = ctypes.POINTER(_lib.phn_dialer)()
        rc = _lib.dialer_open(ctypes.byref(dl), _b(journal, "journal"), ctypes.byref(o))
        self._raise_callback_error()
        _lib.check(rc)
        self._dl = dl
        self.dry_run = bool(dry_run)

    # ---- events ----

    def _on_event(self, ev_p: Any, _payload: Optional[int]) -> int:
        if self._on_event_user is None:
            return 0
        try:
            ev = ev_p.contents
            d: Dict[str, Any] = {"kind": _EVENT_KINDS[ev.kind] if 0 <= ev.kind < len(_EVENT_KINDS)
                                 else ev.kind}
            if ev.kind == 3:
                d.update(line=ev.line, step=_lib.text(ev.step),
                         dispatch_id=_lib.text(ev.dispatch_id), outcome=_lib.text(ev.outcome),
                         http_status=ev.http_status, state=_lib.text(ev.state),
                         detail=None if ev.detail is None else _lib.text(ev.detail),
                         call_id=None if ev.call_id is None else _lib.text(ev.call_id),
                         next_at_ms=ev.at_ms or None)
            elif ev.kind == 4:
                d.update(at_ms=ev.at_ms or None, count=ev.count,
                         region=None if ev.region is None else _lib.text(ev.region))
            elif ev.kind == 5:
                d.update(line=ev.line, retry_after_s=ev.retry_after_s, cap_ms=ev.cap_ms,
                         at_ms=ev.at_ms)
            elif ev.kind == 6:
                d.update(http_status=ev.http_status,
                         detail=None if ev.detail is None else _lib.text(ev.detail))
            elif ev.kind in (0, 1, 7, 8, 9):
                d.update(count=ev.count)
            d.update(_counters(ev.progress.contents))
            return 1 if self._on_event_user(d) is True else 0
        except BaseException as e:  # noqa: B902 - re-raised after the C call
            self._errors.append(e)
            return 1

    def _raise_callback_error(self) -> None:
        if self._errors:
            e = self._errors[0]
            del self._errors[:]
            raise e

    def _handle(self) -> Any:
        if self._dl is None:
            raise ValueError("operation on a closed Campaign")
        return self._dl

    # ---- the API ----

    @property
    def campaign_id(self) -> str:
        """The journal's campaign id (metadata.phonenorm_campaign); "" in a
        dry run without a journal."""
        return _lib.text(_lib.dialer_campaign_id(self._handle()))

    def plan(self) -> CampaignPlan:
        """The plan of a run: sends nothing, changes nothing."""
        dl = self._handle()
        p = ctypes.POINTER(_lib.phn_dial_plan)()
        _lib.check(_lib.dialer_plan(ctypes.byref(p), dl))
        try:
            rows, to_call, done, skipped = (_lib.c_u64(), _lib.c_u64(), _lib.c_u64(),
                                            _lib.c_u64())
            eta = ctypes.c_double()
            _lib.check(_lib.dial_plan_counts(ctypes.byref(rows), ctypes.byref(to_call),
                                             ctypes.byref(done), ctypes.byref(skipped),
                                             ctypes.byref(eta), p))
            reasons: Dict[str, int] = {}
            i = 0
            while True:
                name, n = _lib.c_char_p(), _lib.c_u64()
                if _lib.dial_plan_skipped(ctypes.byref(name), ctypes.byref(n), p, i) < 0:
                    break
                reasons[_lib.text(name.value)] = n.value
                i += 1
            windows = []
            i = 0
            while True:
                region, n, is_open, opens = (_lib.c_char_p(), _lib.c_u64(), _lib.c_int(),
                                             ctypes.c_int64())
                if _lib.dial_plan_window(ctypes.byref(region), ctypes.byref(n),
                                         ctypes.byref(is_open), ctypes.byref(opens), p, i) < 0:
                    break
                windows.append((_lib.text(region.value), n.value, bool(is_open.value),
                                opens.value or None))
                i += 1
            requests = []
            i = 0
            while True:
                line = _lib.c_u64()
                rp = _lib.dial_plan_request(ctypes.byref(line), p, i)
                if not rp:
                    break
                requests.append((line.value, DispatchRequest._from_c(rp)))
                i += 1
            due, later, next_due = _lib.c_u64(), _lib.c_u64(), ctypes.c_int64()
            _lib.check(_lib.dial_plan_redial(ctypes.byref(due), ctypes.byref(later),
                                             ctypes.byref(next_due), p))
            _lib.error_clear()
            return CampaignPlan(rows=rows.value, to_call=to_call.value, done=done.value,
                                skipped=skipped.value,
                                eta_seconds=None if eta.value < 0 else eta.value,
                                skipped_by_reason=reasons, windows=tuple(windows),
                                requests=tuple(requests), redial_due=due.value,
                                redial_later=later.value,
                                redial_next_due_ms=next_due.value or None)
        finally:
            _lib.dial_plan_free(p)

    def run(self) -> Dict[str, Any]:
        """Send (not in a dry run): returns the counters and "end" (done,
        left, auth_failed, stopped). Outcomes of requests are data; errors
        (no token: AuthError; the journal failed: InputOutputError) raise."""
        dl = self._handle()
        rc = _lib.dialer_run(dl)
        self._raise_callback_error()
        _lib.check(rc)
        return self.summary()

    def summary(self) -> Dict[str, Any]:
        """The counters now, and how the last run ended ("end")."""
        p = _lib.phn_dial_progress()
        p.version = _lib.PHN_DIAL_PROGRESS_VERSION
        end = _lib.c_int(0)
        _lib.check(_lib.dialer_summary(ctypes.byref(p), ctypes.byref(end), self._handle()))
        d = _counters(p)
        d["end"] = _ENDS[end.value] if 0 <= end.value < len(_ENDS) else end.value
        return d

    @staticmethod
    def report(journal: "str | os.PathLike[str]") -> Dict[str, Any]:
        """What a campaign journal says (`phonenorm report --summary-json`),
        as a dict: rows, "states", attempts, runs, and "results" (the call
        results the webhook receiver recorded: accepted, delivered,
        not_delivered, awaiting_result, talk_time_s, average_talk_time_s,
        events, orphans, other_types, the "call_output" and "sentiment"
        histograms, "refused" by reason, refused_total). Written by the C
        library's one writer of that summary; the journal is only read
        (never locked), also while a dial or the receiver writes it."""
        path = os.fspath(journal)
        if not isinstance(path, str):
            raise _wrong_type("journal", "str or os.PathLike[str]", journal)
        r = ctypes.POINTER(_lib.phn_campaign_report)()
        _lib.check(_lib.campaign_report_open(ctypes.byref(r), _b(path, "journal")))
        chunks: List[bytes] = []

        def write(data: Optional[int], n: int, _payload: Optional[int]) -> int:
            chunks.append(ctypes.string_at(data, n))
            return 0

        cb = _lib.phn_write_cb(write)
        try:
            _lib.check(_lib.campaign_report_write_summary(r, cb, None))
        finally:
            _lib.campaign_report_free(r)
        return json.loads(b"".join(chunks).decode("utf-8"))

    def stop(self) -> None:
        """Ask a running run() to stop (any thread): nothing more is sent,
        requests in flight end and are recorded."""
        if self._dl is not None:
            _lib.dialer_stop(self._dl)

    def close(self) -> None:
        """Close the journal and release the dial lock (idempotent)."""
        if self._dl is not None:
            _lib.dialer_free(self._dl)
            self._dl = None

    def __enter__(self) -> "Campaign":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

