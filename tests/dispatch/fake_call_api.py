#!/usr/bin/env python3
"""A local stand-in for the outbound AI call API, for phonenorm's dispatch tests.

It behaves like the documented API (../../../shared/seeds, the OpenAPI schema
call-api.openapi.yaml) on 127.0.0.1 only:

  POST /api-service/v1/ai/phone-calls/action/call   201 {callId, status, contactUuid}
  POST /api-service/v1/contact                       201 {uuid, name, phoneNumber, ...}
  POST /api-service/v1/invoice                       201 {uuid, number, total, contactUuid}

Bearer auth (401 without a known token), FastAPI/pydantic-style 422 bodies
({"detail": [{"type", "loc", "msg", "input"}]}), contacts found by phone
number or created (createIfNotExists false gives 404; updateExisting updates
names and email; a contactUuid that does not exist falls back to the number).

Every request to the API paths is recorded. Tests drive the server through
/_control (no auth, never recorded):

  GET    /_control/requests     {"requests": [...]} in arrival order
  DELETE /_control/requests     forget them
  POST   /_control/faults       a fault object or a list of them, queued
  DELETE /_control/faults       drop queued faults
  GET    /_control/stats        {"in_flight", "max_in_flight", "requests"}
  GET    /_control/contacts     {"contacts": [...]}
  POST   /_control/contacts     add a contact directly {"phoneNumber", "firstName", ...}
  POST   /_control/reset        forget requests, faults, contacts, invoices, stats, mode,
                                stop webhooks
  PUT    /_control/mode         set the mode (below); DELETE /_control/mode ends it
  GET    /_control/truth        what the server really did, per number and per dispatch id
  GET    /_control/requests?brief=1&since=N   records without headers and bodies,
                                only those with seq > N

Each record has "seq", "method", "path", "headers", "body", "json", "time"
(when it was read whole), "arrived" (when its headers were read: the rate
check's clock), "answered_at", "status" (0: dropped, -1: raw wire bytes,
-2: timed out on purpose), "number" (numberToCall or phoneNumber; for an
invoice, the phoneNumber of its contact), "dispatch_id"
(metadata.phonenorm_dispatch_id), "fault" (the fault kind that hit it, or
null), "effect" (the server did what was asked: the call placed, the contact
or invoice created) and "delivered" (an answer was written whole).

A fault applies to the next request that matches it ("path": a suffix of the
path, "number": the numberToCall or phoneNumber), "times" times (default 1):

  {"status": 429, "retry_after": "2"}          answer with that status (and body/headers)
  {"status": 422, "body": {...}, "headers": {...}}
  {"delay": 3.0}                                wait, then answer normally (or with status)
  {"drop": true}                                read the request, close without answering
  {"echo_auth": true, "status": 401}            put the Authorization header in the body
  {"wire": "HTTP/1.1 100 Continue\r\n\r\n"}      read the request, write these bytes (latin-1)
                                                as the whole answer, close the connection;
                                                "{token}" is replaced by the request's bearer
                                                token, "{pad:N}" by N bytes of 'x'

The mode (PUT /_control/mode, a JSON object; every key optional):

  "latency": [LO, HI]        every API request waits uniform(LO, HI) seconds first
  "share": 0.2, "seed": 7    that share of API requests (seeded, reproducible
  "kinds": {KIND: WEIGHT}    for a given arrival order) gets a fault of a kind
  "paths": [SUFFIX, ...]     drawn by weight; only on these path suffixes
  "retry_after": "1"         the Retry-After of "429"/"503-ra" (seconds or a date)
  "timeout_delay": 2.0       how long "timeout" keeps the request before closing
  "outage": 0.3              how long "refuse" keeps the port closed
  "ambiguous_effect": 0.5    chance that a 500/502/504/timeout did the work first
  "auth_fail_at": N          from the Nth API request on (seq >= N), answer 401
                             (the token was revoked)

Kinds: "429" (429 + Retry-After), "429-date" (an HTTP-date Retry-After),
"503" (no Retry-After), "503-ra", "500", "502", "504", "timeout" (read the
request, keep it timeout_delay seconds, close without an answer), "drop"
(read it, close without doing anything), "accept-drop" (do it, 201 ready,
then close without answering: real for the server, ambiguous for the
client), "422" (a pydantic-style detail naming the number), "refuse" (answer
this request, then close the listening port for "outage" seconds and drop
idle connections: the next connections are refused, nothing of them is
received). Queued faults (POST /_control/faults) go first.

Webhooks (off until configured; nothing above changes while off). Like the
real API, the fake reports how each call went as a signed phone_call.ended
event POSTed to a receiver (the contract: ../../../shared/api/webhooks.md):

  PUT    /_control/webhooks          start a session (stops the previous one):
      {"url": "http://127.0.0.1:PORT/webhooks/calls",   required
       "secret": "whsec_...",          required (or "secrets": [...]: every one
                                       signs each delivery, a rotation)
       "seed": 1,                      outcomes are drawn from an RNG seeded with
                                       (seed, number, nth call of that number in
                                       the session): the arrival order of the
                                       calls does not change them
       "fail_ratio": 0.3,              share of calls with deliveryStatus "fail"
       "duplicate_ratio": 0.0,         share of events delivered twice (same
                                       svix-id; the second after the first ends)
       "out_of_order_ratio": 0.0,      share of calls that get a second event with
                                       another result and a later svix-timestamp,
                                       delivered BEFORE the first one
       "out_of_order_gap": 30,         seconds between the two (the first one's
                                       timestamps lag the clock by this much)
       "orphans": 0,                   events for dispatch ids of no journal (half
                                       with a random phonenorm_dispatch_id, half
                                       with another tool's metadata), queued at once
       "other_types": 0,               for the first N calls placed, a
                                       {"type": "phone_call.started", "data": {...}}
                                       event carrying the call's metadata too
       "senders": 8,                   sender threads (concurrent deliveries)
       "retry": true,                  retry a connection error or non-2xx answer
                                       (backoff 0.2 s doubling to 2 s) until a 2xx;
                                       false: one attempt per delivery
       "delay": 0,                     seconds (or [LO, HI]) from the call to its event
       "timeout": 10}                  seconds per HTTP attempt
  DELETE /_control/webhooks          stop sending (the truth stays readable)
  GET    /_control/webhooks          the session's configuration (no secret)
  GET    /_control/webhooks/truth    {"queued": events, "deliveries": jobs (events
      + duplicates), "pending": jobs not over, "in_flight", "attempts", "statuses":
      {"200": n, "0": connection errors, ...}, "acked": [svix ids with a 2xx],
      "given_up": [ids never acked, retry false], "by_dispatch": {dispatch_id:
      {"number", "final": {"delivery_status", "provider_status", "call_output",
      "sentiment", "duration", "ended_reason", "provider_call_id", "svix_id",
      "timestamp"} | null, "events": [ids of its phone_call.ended events]}},
      "orphans": [ids], "other_types": [ids]}
  GET    /_control/webhooks/deliveries  every attempt: {"svix_id", "timestamp",
      "status", "at"}

Every call the fake places gets its events, including a call whose 201 a
fault swallowed (the provider still sends them). Each attempt is signed
afresh with tests/webhook/svix_sign.py and a fresh svix-timestamp (the
clock, minus the event's lag). "final" is, of a call's events that got a 2xx,
the one with the greatest (svix-timestamp of its first 2xx delivery, svix-id):
what a receiver must end with (exact unless a receiver stored a delivery
whose 200 was lost, e.g. killed right after its commit). POST /_control/reset
stops the session too. svix ids are random (unique across sessions);
outcomes are what the seed reproduces.

usage: fake_call_api.py [--token TOKEN]... [--tls CERT KEY] [--port-file PATH]
Prints "port N" on standard output once it listens on 127.0.0.1:N.
"""
import argparse
import collections
import datetime
import heapq
import http.client
import http.server
import email.utils
import json
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid

BASE = "/api-service/v1"
CALL_PATH = BASE + "/ai/phone-calls/action/call"
CONTACT_PATH = BASE + "/contact"
INVOICE_PATH = BASE + "/invoice"
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class State:
    def __init__(self, tokens):
        self.lock = threading.RLock()
        self.tokens = set(tokens)
        self.reset()

    def reset(self):
        wh = getattr(self, "webhooks", None)
        if wh is not None:
            wh.stop()
        self.webhooks = None       # the current webhook session (PUT /_control/webhooks)
        self.last_webhooks = None  # the last one, stopped or not: its truth stays readable
        self.requests = []
        self.faults = []
        self.contacts = []
        self.invoices = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.seq = 0
        self.set_mode({})
        self.outages = []  # [start, end] of each closed-port spell

    def set_mode(self, mode):
        self.mode = dict(mode)
        self.rng = random.Random(self.mode.get("seed", 0))
        kinds = self.mode.get("kinds") or {}
        self.kinds = sorted(kinds.items())
        self.outage_until = 0.0

    def draw(self, path):
        """The fault kind of the mix for this request, or None; hold the lock."""
        m = self.mode
        if not m.get("share") or not self.kinds:
            return None
        paths = m.get("paths")
        if paths and not any(path.endswith(p) for p in paths):
            return None
        if self.rng.random() >= float(m["share"]):
            return None
        total = sum(w for _, w in self.kinds)
        x = self.rng.random() * total
        for kind, w in self.kinds:
            x -= w
            if x < 0:
                return kind
        return self.kinds[-1][0]

    def take_fault(self, path, number):
        with self.lock:
            for f in self.faults:
                if "path" in f and not path.endswith(f["path"]):
                    continue
                if "number" in f and f["number"] != number:
                    continue
                f["times"] = f.get("times", 1) - 1
                if f["times"] <= 0:
                    self.faults.remove(f)
                return dict(f)
        return None


# ---- pydantic-style validation -------------------------------------------

def err(kind, loc, msg, value, ctx=None):
    e = {"type": kind, "loc": ["body"] + loc, "msg": msg, "input": value}
    if ctx:
        e["ctx"] = ctx
    return e


def check_str(errors, body, key, required=False, nullable=True, min_len=None, max_len=None):
    if key not in body:
        if required:
            errors.append(err("missing", [key], "Field required", body))
        return
    v = body[key]
    if v is None and nullable and not required:
        return
    if not isinstance(v, str):
        errors.append(err("string_type", [key], "Input should be a valid string", v))
        return
    if min_len is not None and len(v) < min_len:
        errors.append(err("string_too_short", [key],
                          "String should have at least %d character%s" % (min_len, "" if min_len == 1 else "s"),
                          v, {"min_length": min_len}))
    elif max_len is not None and len(v) > max_len:
        errors.append(err("string_too_long", [key],
                          "String should have at most %d characters" % max_len, v, {"max_length": max_len}))


def check_uuid(errors, body, key, required=False):
    if key not in body:
        if required:
            errors.append(err("missing", [key], "Field required", body))
        return
    v = body[key]
    if v is None and not required:
        return
    if not isinstance(v, str):
        errors.append(err("uuid_type", [key], "UUID input should be a string, bytes or UUID object", v))
        return
    try:
        uuid.UUID(v)
    except ValueError:
        errors.append(err("uuid_parsing", [key],
                          "Input should be a valid UUID, unable to parse string as a UUID", v,
                          {"error": "invalid UUID"}))


def check_bool(errors, body, key):
    if key in body and not isinstance(body[key], bool):
        errors.append(err("bool_type", [key], "Input should be a valid boolean", body[key]))


def check_dict(errors, body, key):
    if key in body and body[key] is not None and not isinstance(body[key], dict):
        errors.append(err("dict_type", [key], "Input should be a valid dictionary", body[key]))


def check_date(errors, body, key, required, not_future):
    if key not in body:
        if required:
            errors.append(err("missing", [key], "Field required", body))
        return
    v = body[key]
    if not isinstance(v, str) or not DATE_RE.match(v):
        errors.append(err("date_from_datetime_parsing", [key],
                          "Input should be a valid date in the format YYYY-MM-DD", v))
        return
    try:
        d = datetime.date.fromisoformat(v)
    except ValueError:
        errors.append(err("date_from_datetime_parsing", [key],
                          "Input should be a valid date in the format YYYY-MM-DD", v))
        return
    if not_future and d > datetime.datetime.now(datetime.timezone.utc).date():
        errors.append(err("value_error", [key],
                          "Value error, the invoice date must be today or in the past", v))


def validate_call(body):
    errors = []
    check_bool(errors, body, "updateExisting")
    check_str(errors, body, "numberToCall", required=True, min_len=1, max_len=100)
    for key in ("firstName", "lastName", "email"):
        check_str(errors, body, key)
    check_dict(errors, body, "metadata")
    check_dict(errors, body, "promptTags")
    check_uuid(errors, body, "contactUuid")
    check_uuid(errors, body, "aiSettingsTemplateId")
    if "countryCode" in body and body["countryCode"] is not None:
        v = body["countryCode"]
        if not isinstance(v, str):
            errors.append(err("string_type", ["countryCode"], "Input should be a valid string", v))
        elif len(v) != 2:
            check_str(errors, body, "countryCode", min_len=2, max_len=2)
        elif not COUNTRY_RE.match(v):
            errors.append(err("string_pattern_mismatch", ["countryCode"],
                              "String should match pattern '^[A-Z]{2}$'", v, {"pattern": "^[A-Z]{2}$"}))
    check_bool(errors, body, "createIfNotExists")
    return errors


def validate_contact(body):
    errors = []
    check_str(errors, body, "name", required=True, nullable=False, min_len=1)
    check_str(errors, body, "phoneNumber", required=True, nullable=False, min_len=1, max_len=100)
    check_str(errors, body, "email")
    check_str(errors, body, "role")
    return errors


def validate_invoice(body):
    errors = []
    check_str(errors, body, "number", required=True, nullable=False, min_len=1)
    check_date(errors, body, "date", True, True)
    check_date(errors, body, "dueDate", False, False)
    if "total" not in body:
        errors.append(err("missing", ["total"], "Field required", body))
    elif isinstance(body["total"], bool) or not isinstance(body["total"], (int, float)):
        errors.append(err("float_type", ["total"], "Input should be a valid number", body["total"]))
    check_uuid(errors, body, "contactUuid", required=True)
    return errors


# ---- the handler -------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "fake-call-api/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.server.state.lock:
            self.server.handlers.add(self)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.state.lock:
                self.server.handlers.discard(self)

    def handle_one_request(self):
        self.busy = False
        super().handle_one_request()

    @property
    def state(self):
        return self.server.state

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, status, obj=None, headers=None, raw=None):
        data = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode())
        rec = getattr(self, "record", None)
        if rec is not None:
            # Recorded (and no longer counted in flight) before the answer
            # leaves, so a client that has its answer always finds it in
            # /_control/requests, and the next request it sends never
            # overlaps this one in the stats.
            with self.state.lock:
                rec["status"] = status
                rec["response"] = data.decode("utf-8", "replace")
                rec["answered_at"] = time.time()
                self.leave()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if rec is not None:
                rec["delivered"] = True
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout fault): nothing left to do
        return status, data

    # -- control --
    def control(self, method):
        st = self.state
        raw = self.read_body()
        path = self.path.split("?")[0]
        self.record = None
        with st.lock:
            if path == "/_control/requests" and method == "GET":
                q = urllib.parse.parse_qs(self.path.partition("?")[2])
                since = int(q.get("since", ["0"])[0])
                reqs = [r for r in st.requests if r["seq"] > since]
                if q.get("brief", ["0"])[0] == "1":
                    reqs = [{k: v for k, v in r.items() if k not in ("headers", "body", "json", "response")}
                            for r in reqs]
                return self.reply(200, {"requests": reqs})
            if path == "/_control/mode" and method in ("PUT", "POST"):
                st.set_mode(json.loads(raw or b"{}"))
                return self.reply(200, {"mode": st.mode})
            if path == "/_control/mode" and method == "DELETE":
                st.set_mode({})
                return self.reply(200, {})
            if path == "/_control/mode" and method == "GET":
                return self.reply(200, {"mode": st.mode})
            if path == "/_control/truth" and method == "GET":
                return self.reply(200, truth(st))
            if path == "/_control/requests" and method == "DELETE":
                st.requests = []
                return self.reply(200, {})
            if path == "/_control/faults" and method == "POST":
                faults = json.loads(raw or b"[]")
                st.faults.extend(faults if isinstance(faults, list) else [faults])
                return self.reply(200, {"queued": len(st.faults)})
            if path == "/_control/faults" and method == "DELETE":
                st.faults = []
                return self.reply(200, {})
            if path == "/_control/stats" and method == "GET":
                return self.reply(200, {"in_flight": st.in_flight, "max_in_flight": st.max_in_flight,
                                        "requests": len(st.requests)})
            if path == "/_control/contacts" and method == "GET":
                return self.reply(200, {"contacts": st.contacts})
            if path == "/_control/contacts" and method == "POST":
                c = json.loads(raw)
                c.setdefault("uuid", str(uuid.uuid4()))
                st.contacts.append(c)
                return self.reply(201, c)
            if path == "/_control/webhooks" and method in ("PUT", "POST"):
                try:
                    conf = json.loads(raw or b"{}")
                    wh = Webhooks(conf)
                except (ValueError, TypeError, KeyError) as e:
                    return self.reply(400, {"detail": "webhooks: %s" % e})
                if st.webhooks is not None:
                    st.webhooks.stop()
                st.webhooks = st.last_webhooks = wh
                wh.start()
                return self.reply(200, {"webhooks": wh.public_config()})
            if path == "/_control/webhooks" and method == "DELETE":
                if st.webhooks is not None:
                    st.webhooks.stop()
                st.webhooks = None
                return self.reply(200, {})
            if path == "/_control/webhooks" and method == "GET":
                wh = st.webhooks
                return self.reply(200, {"webhooks": wh.public_config() if wh else None})
            if path == "/_control/webhooks/truth" and method == "GET":
                wh = st.last_webhooks
                return self.reply(200, wh.truth() if wh else Webhooks.empty_truth())
            if path == "/_control/webhooks/deliveries" and method == "GET":
                wh = st.last_webhooks
                return self.reply(200, {"deliveries": wh.deliveries() if wh else []})
            if path == "/_control/reset" and method == "POST":
                st.reset()
                return self.reply(200, {})
        return self.reply(404, {"detail": "Not Found"})

    # -- the API --
    def api(self, method):
        st = self.state
        raw = self.read_body()
        path = self.path.split("?")[0]
        try:
            parsed = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        number = None
        dispatch_id = None
        if isinstance(parsed, dict):
            number = parsed.get("numberToCall", parsed.get("phoneNumber"))
            meta = parsed.get("metadata")
            if isinstance(meta, dict):
                dispatch_id = meta.get("phonenorm_dispatch_id")
        with st.lock:
            if number is None and isinstance(parsed, dict) and path.endswith("/invoice"):
                c = self.find_contact("uuid", parsed.get("contactUuid"))
                number = c.get("phoneNumber") if c else None
            st.seq += 1
            rec = {"seq": st.seq, "method": method, "path": path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": raw.decode("utf-8", "replace"), "json": parsed,
                   "time": time.time(), "arrived": getattr(self, "arrived", time.time()),
                   "answered_at": None, "status": None, "number": number,
                   "dispatch_id": dispatch_id, "fault": None, "effect": False, "delivered": False}
            st.requests.append(rec)
            self.record = rec
            self.counted = True
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
        try:
            self.answer(method, path, raw, parsed, number)
        finally:
            with st.lock:
                self.leave()

    def leave(self):
        """End this request's count in the in-flight stats (once); hold the lock."""
        if getattr(self, "counted", False):
            self.counted = False
            self.state.in_flight -= 1

    def answer(self, method, path, raw, body, number):
        st = self.state
        fault = st.take_fault(path, number)
        mode = st.mode
        if mode.get("latency"):
            lo, hi = mode["latency"]
            with st.lock:
                pause = st.rng.uniform(float(lo), float(hi))
            time.sleep(pause)
        if fault is None:
            with st.lock:
                auth_at = mode.get("auth_fail_at")
                if auth_at and self.record["seq"] >= int(auth_at):
                    self.record["fault"] = "401"
                    revoked = True
                else:
                    revoked = False
                    kind = st.draw(path)
                    effect = kind in ("500", "502", "504", "timeout") and \
                        st.rng.random() < float(mode.get("ambiguous_effect", 0.5))
            if revoked:
                return self.reply(401, {"detail": "Invalid authentication credentials"},
                                  {"WWW-Authenticate": "Bearer"})
            if kind is not None:
                self.record["fault"] = kind
                return self.mixed(kind, effect, method, path, raw, body, number)
        if fault:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("drop"):
                with st.lock:
                    self.record["status"] = 0
                    self.record["response"] = None
                    self.leave()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return 0, None
            if "wire" in fault:
                return self.wire(fault["wire"])
            if fault.get("echo_auth"):
                auth = self.headers.get("Authorization", "")
                return self.reply(fault.get("status", 401),
                                  {"detail": "credentials %s were refused" % auth},
                                  {"X-Echo-Authorization": auth})
            if "status" in fault:
                headers = dict(fault.get("headers", {}))
                if "retry_after" in fault:
                    headers["Retry-After"] = str(fault["retry_after"])
                if "raw" in fault:
                    return self.reply(fault["status"], headers=headers, raw=fault["raw"].encode())
                try:
                    default = {"detail": http.HTTPStatus(fault["status"]).phrase}
                except ValueError:  # a status outside the standard ones (600)
                    default = {"detail": "status %d" % fault["status"]}
                return self.reply(fault["status"], fault.get("body", default), headers)

        return self.serve_api(method, path, raw, body, number)

    def serve_api(self, method, path, raw, body, number):
        st = self.state
        auth = self.headers.get("Authorization")
        if not auth or not auth.startswith("Bearer "):
            return self.reply(401, {"detail": "Not authenticated"}, {"WWW-Authenticate": "Bearer"})
        if auth[len("Bearer "):] not in st.tokens:
            return self.reply(401, {"detail": "Invalid authentication credentials"},
                              {"WWW-Authenticate": "Bearer"})
        routes = {CALL_PATH: (validate_call, self.do_call), CONTACT_PATH: (validate_contact, self.do_contact),
                  INVOICE_PATH: (validate_invoice, self.do_invoice)}
        if path not in routes:
            return self.reply(404, {"detail": "Not Found"})
        if method != "POST":
            return self.reply(405, {"detail": "Method Not Allowed"})
        if body is None:
            if not raw:
                return self.reply(422, {"detail": [err("missing", [], "Field required", None)]})
            return self.reply(422, {"detail": [{"type": "json_invalid", "loc": ["body", 0],
                                                "msg": "JSON decode error", "input": {},
                                                "ctx": {"error": "Expecting value"}}]})
        if not isinstance(body, dict):
            return self.reply(422, {"detail": [err("model_attributes_type", [],
                                                   "Input should be a valid dictionary or object to extract fields from",
                                                   body)]})
        validate, act = routes[path]
        errors = validate(body)
        if errors:
            return self.reply(422, {"detail": errors})
        return act(body)

    def mark_effect(self):
        rec = getattr(self, "record", None)
        if rec is not None:
            rec["effect"] = True

    def act_quietly(self, method, path, raw, body, number):
        """Do the work of a valid request (the call placed, ...) without
        answering: the answer is what the fault then sends, or nothing."""
        saved = self.reply
        got = {}

        def hold(status, obj=None, headers=None, raw=None):
            got["status"] = status
            got["obj"] = obj
            return status, None
        self.reply = hold
        try:
            self.serve_api(method, path, raw, body, number)
        finally:
            self.reply = saved
        return got

    def close_without_answer(self, status):
        with self.state.lock:
            self.record["status"] = status
            self.record["response"] = None
            self.record["answered_at"] = time.time()
            self.leave()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return status, None

    def mixed(self, kind, effect, method, path, raw, body, number):
        """Answer with a fault of the mix (see the module's doc)."""
        st = self.state
        mode = st.mode
        ra = str(mode.get("retry_after", "1"))
        if kind == "429":
            return self.reply(429, {"detail": "Too Many Requests"}, {"Retry-After": ra})
        if kind == "429-date":
            when = email.utils.formatdate(time.time() + float(ra) + 1, usegmt=True)
            return self.reply(429, {"detail": "Too Many Requests"}, {"Retry-After": when})
        if kind == "503":
            return self.reply(503, {"detail": "Service Unavailable"})
        if kind == "503-ra":
            return self.reply(503, {"detail": "Service Unavailable"}, {"Retry-After": ra})
        if kind == "422":
            detail = [{"type": "value_error", "loc": ["body", "numberToCall"],
                       "msg": "Value error, fake refusal of %s" % number, "input": number}]
            return self.reply(422, {"detail": detail})
        if kind in ("500", "502", "504", "timeout", "drop", "accept-drop"):
            if kind == "accept-drop" or effect:
                self.act_quietly(method, path, raw, body, number)
            if kind in ("500", "502", "504"):
                return self.reply(int(kind), {"detail": http.HTTPStatus(int(kind)).phrase})
            if kind == "timeout":
                time.sleep(float(mode.get("timeout_delay", 2.0)))
                return self.close_without_answer(-2)
            return self.close_without_answer(0)
        if kind == "refuse":
            self.server.begin_outage(float(mode.get("outage", 0.3)), self)
            self.close_connection = True
            return self.serve_api(method, path, raw, body, number)
        return self.reply(500, {"detail": "fake: unknown fault kind %s" % kind})

    def wire(self, text):
        """Write raw bytes as the answer and close: malformed or odd responses."""
        auth = self.headers.get("Authorization", "")
        text = text.replace("{token}", auth[len("Bearer "):] if auth.startswith("Bearer ") else "")
        text = re.sub(r"\{pad:(\d+)\}", lambda m: "x" * int(m.group(1)), text)
        data = text.encode("latin-1")
        with self.state.lock:
            self.record["status"] = -1
            self.record["response"] = text
            self.leave()
        self.close_connection = True
        try:
            self.wfile.write(data)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return -1, data

    def find_contact(self, key, value):
        for c in self.state.contacts:
            if c.get(key) == value:
                return c
        return None

    def do_call(self, body):
        st = self.state
        with st.lock:
            contact = None
            if body.get("contactUuid"):
                contact = self.find_contact("uuid", body["contactUuid"])
            if contact is None:
                contact = self.find_contact("phoneNumber", body["numberToCall"])
                if contact is not None and body.get("updateExisting") is True:
                    for key in ("firstName", "lastName", "email"):
                        if body.get(key) is not None:
                            contact[key] = body[key]
            if contact is None:
                if body.get("createIfNotExists") is False:
                    return self.reply(404, {"detail": "Contact not found"})
                contact = {"uuid": str(uuid.uuid4()), "phoneNumber": body["numberToCall"]}
                for key in ("firstName", "lastName", "email"):
                    if body.get(key) is not None:
                        contact[key] = body[key]
                st.contacts.append(contact)
            call_id = "call-" + uuid.uuid4().hex[:12]
            self.mark_effect()
        answer = self.reply(201, {"callId": call_id, "status": "initiated", "contactUuid": contact["uuid"]})
        # The call was placed (whether or not its 201 reached the client): it
        # ends later, and its phone_call.ended goes to the webhook endpoint.
        wh = st.webhooks
        if wh is not None:
            rec = getattr(self, "record", None)
            wh.call_placed(body["numberToCall"], body.get("metadata"),
                           rec["dispatch_id"] if rec is not None else None)
        return answer

    def do_contact(self, body):
        st = self.state
        contact = {"uuid": str(uuid.uuid4()), "name": body["name"], "phoneNumber": body["phoneNumber"]}
        for key in ("email", "role"):
            if body.get(key) is not None:
                contact[key] = body[key]
        with st.lock:
            st.contacts.append(contact)
            self.mark_effect()
        return self.reply(201, contact)

    def do_invoice(self, body):
        st = self.state
        with st.lock:
            if self.find_contact("uuid", body["contactUuid"]) is None:
                return self.reply(404, {"detail": "Contact not found"})
            inv = {"uuid": str(uuid.uuid4()), "number": body["number"], "total": body["total"],
                   "contactUuid": body["contactUuid"]}
            st.invoices.append(dict(inv, date=body["date"], dueDate=body.get("dueDate")))
            self.mark_effect()
        return self.reply(201, inv)

    def dispatch(self, method):
        self.busy = True
        self.arrived = time.time()
        if self.path.startswith("/_control/"):
            self.control(method)
        else:
            self.api(method)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")


def truth(st):
    """What the server really did, per number: for tests that compare a
    client's record (a dial journal) with the server's. Hold the lock."""
    numbers = {}
    for r in st.requests:
        e = numbers.setdefault(r["number"] or "", {
            "requests": [], "calls_received": [], "calls_placed": [], "calls_accepted": [],
            "contacts_created": [], "invoices_created": []})
        step = "call" if r["path"] == CALL_PATH else "contact" if r["path"] == CONTACT_PATH else \
            "invoice" if r["path"] == INVOICE_PATH else "other"
        e["requests"].append({"seq": r["seq"], "step": step, "dispatch_id": r["dispatch_id"],
                              "status": r["status"], "fault": r["fault"], "effect": r["effect"],
                              "delivered": r["delivered"], "arrived": r["arrived"],
                              "answered_at": r["answered_at"]})
        if step == "call":
            e["calls_received"].append(r["dispatch_id"])
            if r["effect"]:
                e["calls_placed"].append(r["dispatch_id"])
            if r["status"] == 201 and r["delivered"]:
                e["calls_accepted"].append(r["dispatch_id"])
        elif step == "contact" and r["effect"]:
            e["contacts_created"].append(r["dispatch_id"])
        elif step == "invoice" and r["effect"]:
            e["invoices_created"].append(r["dispatch_id"])
    return {"numbers": numbers, "outages": st.outages, "requests": len(st.requests),
            "contacts": len(st.contacts), "invoices": len(st.invoices)}


# ---- webhooks: signed phone_call.ended events to a receiver ----------------

_svix_sign = None


def svix_sign():
    """tests/webhook/svix_sign.py, loaded by path the first time webhooks are
    configured (the fake runs without it otherwise)."""
    global _svix_sign
    if _svix_sign is None:
        import importlib.util
        import os
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webhook", "svix_sign.py")
        spec = importlib.util.spec_from_file_location("svix_sign", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _svix_sign = mod
    return _svix_sign


CALL_OUTPUTS = ["INTERESTED", "NOT_INTERESTED", "CALL_BACK_LATER", "PAYMENT_PROMISED", "WRONG_PERSON"]
NOT_REACHED_OUTPUTS = ["NOT_REACHED", "VOICEMAIL"]
SENTIMENTS = ["NEUTRAL", "POSITIVE", "NEGATIVE"]
ENDED_DELIVERED = ["customer-ended-call", "assistant-ended-call", "silence-timed-out"]
ENDED_NOT_DELIVERED = ["no-answer", "busy", "voicemail", "failed-to-connect"]
NUMBER_FROM = "+12025550143"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _rng_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _msg_id():
    # Unique across sessions and resets (a journal keeps every svix-id it
    # saw: a repeated id would be a duplicate there); outcomes, not ids,
    # are what the seed makes reproducible.
    raw = uuid.uuid4().bytes + uuid.uuid4().bytes
    return "msg_" + "".join(BASE62[b % 62] for b in raw[:24])


class WhEvent:
    """One event (one svix-id) and what happened to its deliveries."""

    def __init__(self, kind, payload, dispatch_id=None, number=None, offset=0.0):
        self.id = _msg_id()
        self.kind = kind              # "ended", "orphan", "other_type"
        self.payload = payload
        self.body = json.dumps(payload).encode("utf-8")
        self.dispatch_id = dispatch_id
        self.number = number
        self.offset = offset          # seconds its svix-timestamps lag the clock
        self.first_ack_ts = None      # svix-timestamp of its first 2xx delivery
        self.acks = 0
        self.attempts = 0
        self.given_up = 0


class WhJob:
    """One delivery of an event (a duplicate is a second job, same event)."""

    def __init__(self, ev, not_before=0.0):
        self.ev = ev
        self.not_before = not_before
        self.done = False


class Webhooks:
    """A webhook session: PUT /_control/webhooks starts one (stopping the
    previous one), DELETE or a reset stops it. See the module's doc."""

    KEYS = {"url", "secret", "secrets", "seed", "fail_ratio", "duplicate_ratio", "out_of_order_ratio",
            "out_of_order_gap", "orphans", "other_types", "senders", "retry", "delay", "timeout"}

    def __init__(self, conf):
        if not isinstance(conf, dict):
            raise ValueError("the configuration must be a JSON object")
        unknown = set(conf) - self.KEYS
        if unknown:
            raise ValueError("unknown keys %s" % sorted(unknown))
        url = urllib.parse.urlsplit(conf["url"])
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("url must be http(s)://HOST:PORT/PATH")
        self.url = url
        secrets = list(conf.get("secrets") or [])
        if conf.get("secret"):
            secrets.insert(0, conf["secret"])
        if not secrets:
            raise ValueError("secret is required")
        for sec in secrets:
            svix_sign()._key(sec)  # raises ValueError when not base64
        self.secrets = secrets
        self.seed = conf.get("seed", 0)
        self.fail_ratio = float(conf.get("fail_ratio", 0.3))
        self.duplicate_ratio = float(conf.get("duplicate_ratio", 0.0))
        self.out_of_order_ratio = float(conf.get("out_of_order_ratio", 0.0))
        self.out_of_order_gap = float(conf.get("out_of_order_gap", 30))
        self.orphans = int(conf.get("orphans", 0))
        self.other_types = int(conf.get("other_types", 0))
        self.senders = max(1, int(conf.get("senders", 8)))
        self.retry = bool(conf.get("retry", True))
        delay = conf.get("delay", 0)
        self.delay = (float(delay[0]), float(delay[1])) if isinstance(delay, list) else (float(delay),) * 2
        self.timeout = float(conf.get("timeout", 10))
        self.conf = conf
        self.cond = threading.Condition()
        self.stopped = False
        self.ready = collections.deque()   # jobs to deliver now, in order
        self.later = []                    # heap of (not_before, n, job)
        self.held = {}                     # event id -> jobs waiting for that event's first delivery
        self.events = []                   # every event, in queue order
        self.by_dispatch = {}              # dispatch id -> {"number", "events": [WhEvent]}
        self.calls_by_number = {}
        self.jobs = 0
        self.jobs_done = 0
        self.in_flight = 0
        self.other_types_sent = 0
        self.n = 0
        self.log = []                      # every attempt: svix_id, timestamp, status, at
        self.statuses = {}
        self.threads = []

    def public_config(self):
        c = {k: v for k, v in self.conf.items() if k not in ("secret", "secrets")}
        c["secrets"] = len(self.secrets)
        return c

    # -- queueing (hold self.cond) --
    def _push(self, job):
        self.jobs += 1
        if job.not_before > time.time():
            self.n += 1
            heapq.heappush(self.later, (job.not_before, self.n, job))
        else:
            self.ready.append(job)
        self.cond.notify()

    def _hold(self, after, job):
        self.jobs += 1
        self.held.setdefault(after.id, []).append(job)

    def _release(self, ev):
        for job in self.held.pop(ev.id, []):
            self.jobs -= 1  # counted again by _push
            self._push(job)

    def _ended_payload(self, rng, number, metadata, provider_call_id, delivered):
        if delivered:
            duration = rng.randint(8, 420)
            ended = rng.choice(ENDED_DELIVERED)
            output = rng.choice(CALL_OUTPUTS)
            sentiment = rng.choice(SENTIMENTS)
            provider = "pass"
            summary = "The callee answered and talked for %d seconds." % duration
        else:
            duration = rng.choice([0, 0, rng.randint(1, 25)])
            ended = rng.choice(ENDED_NOT_DELIVERED)
            output = rng.choice(NOT_REACHED_OUTPUTS)
            sentiment = "NEUTRAL"
            provider = rng.choice(["fail", "fail", "pass"])
            summary = None
        return {
            "providerCallId": provider_call_id,
            "numberFrom": NUMBER_FROM,
            "numberTo": number,
            "providerStatus": provider,
            "deliveryStatus": "pass" if delivered else "fail",
            "duration": duration,
            "summary": summary,
            "endedReason": ended,
            "callOutput": output,
            "callOutputReasoning": "fake: drawn from the seeded outcome mix",
            "sentimentOutput": sentiment,
            "sentimentOutputReasoning": "fake: drawn from the seeded outcome mix",
            "transcription": "AI: Hello, this is a test call.\nUser: ..." if delivered else "",
            "recordingUrl": "https://recordings.fake-call-api.test/%s.mp3" % provider_call_id,
            "metadata": {"requestMetadata": metadata},
        }

    def call_placed(self, number, metadata, dispatch_id):
        """Queue the events of a call the fake placed. Outcomes come from an
        RNG seeded with (seed, number, how many calls that number had in
        this session), so they do not depend on the order calls arrive in."""
        metadata = metadata if isinstance(metadata, dict) else {}
        with self.cond:
            if self.stopped:
                return
            k = self.calls_by_number.get(number, 0)
            self.calls_by_number[number] = k + 1
            rng = random.Random("%s:%s:%d" % (self.seed, number, k))
            pcid = _rng_uuid(rng)
            delivered = rng.random() >= self.fail_ratio
            dup = rng.random() < self.duplicate_ratio
            ooo = rng.random() < self.out_of_order_ratio
            lo, hi = self.delay
            not_before = time.time() + (rng.uniform(lo, hi) if hi > 0 else 0.0)
            first = WhEvent("ended", self._ended_payload(rng, number, metadata, pcid, delivered),
                            dispatch_id, number, self.out_of_order_gap if ooo else 0.0)
            entry = self.by_dispatch.setdefault(dispatch_id or "", {"number": number, "events": []})
            if ooo:
                # A later event for the same call, with another result,
                # delivered before the first: the later one must win.
                again = rng.random() >= self.fail_ratio
                payload = self._ended_payload(rng, number, metadata, pcid, again)
                while payload["callOutput"] == first.payload["callOutput"]:
                    payload = self._ended_payload(rng, number, metadata, pcid, again)
                second = WhEvent("ended", payload, dispatch_id, number)
                self.events += [second, first]
                entry["events"] += [first, second]
                self._push(WhJob(second, not_before))
                self._hold(second, WhJob(first))
            else:
                self.events.append(first)
                entry["events"].append(first)
                self._push(WhJob(first, not_before))
            if dup:
                # The same svix-id again once the first delivery is over.
                self._hold(first, WhJob(first))
            if self.other_types_sent < self.other_types:
                self.other_types_sent += 1
                started = WhEvent("other_type", {"type": "phone_call.started", "data": {
                    "providerCallId": pcid, "numberFrom": NUMBER_FROM, "numberTo": number,
                    "metadata": {"requestMetadata": metadata}}}, dispatch_id, number)
                self.events.append(started)
                self._push(WhJob(started, not_before))

    def _queue_orphans(self):
        with self.cond:
            for i in range(self.orphans):
                rng = random.Random("%s:orphan:%d" % (self.seed, i))
                if i % 2 == 0:   # an old campaign's, or another phonenorm's
                    md = {"phonenorm_dispatch_id": _rng_uuid(rng), "phonenorm_campaign": _rng_uuid(rng)}
                else:            # another tool's call
                    md = {"crm_ticket": "T-%06d" % rng.randint(0, 999999)}
                number = "+1202555%04d" % rng.randint(0, 9999)
                ev = WhEvent("orphan", self._ended_payload(rng, number, md, _rng_uuid(rng),
                                                           rng.random() >= self.fail_ratio), None, number)
                self.events.append(ev)
                self._push(WhJob(ev))

    # -- delivery --
    def start(self):
        self._queue_orphans()
        for i in range(self.senders):
            t = threading.Thread(target=self._sender, name="webhook-sender-%d" % i, daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def _next_job(self):
        with self.cond:
            while not self.stopped:
                now = time.time()
                while self.later and self.later[0][0] <= now:
                    self.ready.append(heapq.heappop(self.later)[2])
                if self.ready:
                    self.in_flight += 1
                    return self.ready.popleft()
                wait = self.later[0][0] - now if self.later else 0.5
                self.cond.wait(min(0.5, max(0.001, wait)))
            return None

    def _connect(self):
        host, port = self.url.hostname, self.url.port
        if self.url.scheme == "https":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(host, port or 443, timeout=self.timeout, context=ctx)
        return http.client.HTTPConnection(host, port or 80, timeout=self.timeout)

    def _post(self, conn, ev):
        """One attempt: (status or 0 on a connection error, conn to reuse or None)."""
        ts = int(time.time() - ev.offset)
        sign = svix_sign()
        headers = {"Content-Type": "application/json", "User-Agent": "fake-call-api-webhooks/1",
                   "svix-id": ev.id, "svix-timestamp": str(ts),
                   "svix-signature": " ".join(sign.sign(s, ev.id, ts, ev.body) for s in self.secrets)}
        path = self.url.path or "/"
        if self.url.query:
            path += "?" + self.url.query
        try:
            if conn is None:
                conn = self._connect()
            conn.request("POST", path, body=ev.body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            if resp.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            return 0, ts, None
        return status, ts, conn

    def _sender(self):
        conn = None
        while True:
            job = self._next_job()
            if job is None:
                break
            ev = job.ev
            backoff = 0.2
            while True:
                status, ts, conn = self._post(conn, ev)
                with self.cond:
                    ev.attempts += 1
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                    self.log.append({"svix_id": ev.id, "timestamp": ts, "status": status, "at": time.time()})
                    ok = 200 <= status < 300
                    if ok:
                        ev.acks += 1
                        if ev.first_ack_ts is None:
                            ev.first_ack_ts = ts
                    if ok or not self.retry or self.stopped:
                        if not ok:
                            ev.given_up += 1
                        job.done = True
                        self.jobs_done += 1
                        self.in_flight -= 1
                        self._release(ev)
                        break
                # Retried like the real sender, sooner: 0.2 s doubling to 2 s.
                end = time.time() + backoff
                while time.time() < end and not self.stopped:
                    time.sleep(min(0.05, max(0.0, end - time.time())))
                backoff = min(2.0, backoff * 2)
        if conn is not None:
            conn.close()

    # -- what happened --
    @staticmethod
    def empty_truth():
        return {"queued": 0, "deliveries": 0, "pending": 0, "in_flight": 0, "attempts": 0, "statuses": {},
                "acked": [], "given_up": [], "by_dispatch": {}, "orphans": [], "other_types": []}

    def truth(self):
        with self.cond:
            by_dispatch = {}
            for d, entry in self.by_dispatch.items():
                acked = [e for e in entry["events"] if e.first_ack_ts is not None]
                final = None
                if acked:
                    win = max(acked, key=lambda e: (e.first_ack_ts, e.id))
                    p = win.payload
                    final = {"delivery_status": p["deliveryStatus"], "provider_status": p["providerStatus"],
                             "call_output": p["callOutput"], "sentiment": p["sentimentOutput"],
                             "duration": p["duration"], "ended_reason": p["endedReason"],
                             "provider_call_id": p["providerCallId"], "svix_id": win.id,
                             "timestamp": win.first_ack_ts}
                by_dispatch[d] = {"number": entry["number"], "final": final,
                                  "events": [e.id for e in entry["events"]]}
            return {
                "queued": len(self.events),
                "deliveries": self.jobs,
                "pending": self.jobs - self.jobs_done,
                "in_flight": self.in_flight,
                "attempts": sum(self.statuses.values()),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "acked": sorted(e.id for e in self.events if e.acks),
                "given_up": sorted(e.id for e in self.events if e.given_up and not e.acks),
                "by_dispatch": by_dispatch,
                "orphans": [e.id for e in self.events if e.kind == "orphan"],
                "other_types": [e.id for e in self.events if e.kind == "other_type"],
            }

    def deliveries(self):
        with self.cond:
            return list(self.log)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflows under a dialer's fresh
    # connection per request: Linux then drops the handshake and the client
    # waits a second or more to connect again.
    request_queue_size = 128
    tls_context = None

    def server_activate(self):
        super().server_activate()
        self.handlers = set()
        self.outage_lock = threading.Lock()
        self.outage_end = 0.0
        self.listener_closed = threading.Event()

    def handle_error(self, request, client_address):
        # A client killed mid-request (the dial tests' kill -9) resets its
        # connection: nothing to report. Anything else is printed as usual.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def begin_outage(self, seconds, trigger):
        """Close the listening port for seconds (the main loop does it) and
        drop every idle keep-alive connection but trigger's: new
        connections are refused, as when the API is down."""
        with self.outage_lock:
            self.listener_closed.clear()
            self.outage_end = time.time() + seconds
        self.listener_closed.wait(2.0)
        with self.state.lock:
            self.state.outages.append([time.time(), self.outage_end])
            idle = [h for h in self.handlers if h is not trigger and not getattr(h, "busy", False)]
        for h in idle:
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def serve(self):
        self.timeout = 0.02
        port = self.server_address[1]
        while True:
            with self.outage_lock:
                end = self.outage_end
            if end:
                self.socket.close()
                self.listener_closed.set()
                while time.time() < end:
                    time.sleep(min(0.01, max(0.0, end - time.time())))
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
                s.listen(self.request_queue_size)
                if self.tls_context is not None:
                    s = self.tls_context.wrap_socket(s, server_side=True)
                self.socket = s
                with self.outage_lock:
                    if self.outage_end == end:
                        self.outage_end = 0.0
                continue
            self.handle_request()


def main():
    ap = argparse.ArgumentParser(description="local fake of the AI call API")
    ap.add_argument("--token", action="append", default=[], help="a bearer token to accept")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate")
    ap.add_argument("--port-file", help="also write the port to this file")
    args = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = State(args.token or ["test-token-1234"])
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.tls_context = ctx
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write("%d\n" % port)
    print("port %d" % port, flush=True)
    try:
        srv.serve()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    sys.exit(main())
