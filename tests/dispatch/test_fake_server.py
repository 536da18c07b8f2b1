#!/usr/bin/env python3
"""The fake call API behaves like the documented one; the dispatch tests rely on it.

Raw HTTP with the standard library (no phonenorm involved), against 127.0.0.1 only.
"""
import http.client
import json
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakeapi  # noqa: E402

CALL = "/api-service/v1/ai/phone-calls/action/call"
SRV = None


def post(path, body, token=fakeapi.TOKEN, raw=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", SRV.port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    try:
        conn.request("POST", path, body=raw if raw is not None else json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
    finally:
        conn.close()
    return r.status, (json.loads(data) if data else None), r


class FakeServer(unittest.TestCase):
    def setUp(self):
        SRV.reset()

    def test_auth(self):
        st, body, r = post(CALL, {"numberToCall": "+966501234567"}, token=None)
        self.assertEqual(st, 401)
        self.assertEqual(body, {"detail": "Not authenticated"})
        self.assertEqual(r.getheader("WWW-Authenticate"), "Bearer")
        st, body, _ = post(CALL, {"numberToCall": "+966501234567"}, token="nope")
        self.assertEqual(st, 401)
        self.assertEqual(len(SRV.requests()), 2, "unauthenticated requests are recorded too")

    def test_call_201_creates_contact_then_finds_it(self):
        st, body, _ = post(CALL, {"numberToCall": "+966501234567", "firstName": "John"})
        self.assertEqual(st, 201)
        self.assertEqual(set(body), {"callId", "status", "contactUuid"})
        self.assertEqual(body["status"], "initiated")
        st2, body2, _ = post(CALL, {"numberToCall": "+966501234567"})
        self.assertEqual(body2["contactUuid"], body["contactUuid"])
        self.assertNotEqual(body2["callId"], body["callId"])
        contacts = SRV.control("GET", "/contacts")["contacts"]
        self.assertEqual(len(contacts), 1)
        self.assertEqual(contacts[0]["firstName"], "John")

    def test_update_existing(self):
        SRV.control("POST", "/contacts", {"phoneNumber": "+966501234567", "firstName": "Old"})
        post(CALL, {"numberToCall": "+966501234567", "firstName": "New"})
        self.assertEqual(SRV.control("GET", "/contacts")["contacts"][0]["firstName"], "Old")
        post(CALL, {"numberToCall": "+966501234567", "firstName": "New", "updateExisting": True})
        self.assertEqual(SRV.control("GET", "/contacts")["contacts"][0]["firstName"], "New")

    def test_create_if_not_exists_false(self):
        st, body, _ = post(CALL, {"numberToCall": "+966501234567", "createIfNotExists": False})
        self.assertEqual((st, body), (404, {"detail": "Contact not found"}))
        self.assertEqual(SRV.control("GET", "/contacts")["contacts"], [])

    def test_contact_uuid_and_fallback(self):
        c = SRV.control("POST", "/contacts", {"phoneNumber": "+966509999999"})
        _, body, _ = post(CALL, {"numberToCall": "+966501234567", "contactUuid": c["uuid"]})
        self.assertEqual(body["contactUuid"], c["uuid"])
        _, body, _ = post(CALL, {"numberToCall": "+966501234567",
                                 "contactUuid": "9bfa828a-3c2d-430c-bdc7-f74d90334524"})
        self.assertNotIn(body["contactUuid"], (c["uuid"], "9bfa828a-3c2d-430c-bdc7-f74d90334524"))

    def test_422_shapes(self):
        st, body, _ = post(CALL, {"countryCode": "sa", "contactUuid": "template-uuid-here",
                                  "updateExisting": "yes", "metadata": [], "firstName": 5})
        self.assertEqual(st, 422)
        got = {(e["type"], tuple(e["loc"])) for e in body["detail"]}
        self.assertEqual(got, {("missing", ("body", "numberToCall")),
                               ("string_pattern_mismatch", ("body", "countryCode")),
                               ("uuid_parsing", ("body", "contactUuid")),
                               ("bool_type", ("body", "updateExisting")),
                               ("dict_type", ("body", "metadata")),
                               ("string_type", ("body", "firstName"))})
        for e in body["detail"]:
            self.assertTrue(e["msg"])
        st, body, _ = post(CALL, {"numberToCall": "x" * 101})
        self.assertEqual(body["detail"][0]["type"], "string_too_long")
        st, body, _ = post(CALL, None, raw="{not json")
        self.assertEqual((st, body["detail"][0]["type"]), (422, "json_invalid"))

    def test_contact_and_invoice(self):
        st, c, _ = post("/api-service/v1/contact", {"name": "John Doe", "phoneNumber": "+966501234567",
                                                   "email": "john.doe@example.com", "role": "PRIMARY"})
        self.assertEqual(st, 201)
        self.assertEqual(c["phoneNumber"], "+966501234567")
        inv = {"number": "1", "date": "2025-01-01", "dueDate": "2025-01-15", "total": 100.0,
               "contactUuid": c["uuid"]}
        st, body, _ = post("/api-service/v1/invoice", inv)
        self.assertEqual(st, 201)
        self.assertEqual((body["contactUuid"], body["total"]), (c["uuid"], 100.0))
        st, body, _ = post("/api-service/v1/invoice", dict(inv, date="2999-01-01"))
        self.assertEqual((st, body["detail"][0]["loc"]), (422, ["body", "date"]))
        st, body, _ = post("/api-service/v1/invoice", dict(inv, contactUuid="9bfa828a-3c2d-430c-bdc7-f74d90334524"))
        self.assertEqual(st, 404)
        st, body, _ = post("/api-service/v1/contact", {"phoneNumber": "+966501234567"})
        self.assertEqual((st, body["detail"][0]["loc"]), (422, ["body", "name"]))

    def test_faults(self):
        SRV.fault({"status": 429, "retry_after": "5"}, {"number": "+966500000001", "status": 500})
        st, _, r = post(CALL, {"numberToCall": "+966501234567"})
        self.assertEqual((st, r.getheader("Retry-After")), (429, "5"))
        st, _, _ = post(CALL, {"numberToCall": "+966501234567"})
        self.assertEqual(st, 201, "a fault applies once")
        st, _, _ = post(CALL, {"numberToCall": "+966500000001"})
        self.assertEqual(st, 500, "a fault matched by number")
        SRV.fault({"drop": True})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            post(CALL, {"numberToCall": "+966501234567"})
        SRV.fault({"delay": 1.0})
        t = time.monotonic()
        with self.assertRaises(socket.timeout):
            post(CALL, {"numberToCall": "+966501234567"}, timeout=0.3)
        self.assertLess(time.monotonic() - t, 1.0)
        reqs = SRV.requests()
        self.assertEqual([r["status"] for r in reqs[:4]], [429, 201, 500, 0])
        self.assertEqual(reqs[0]["json"], {"numberToCall": "+966501234567"})
        self.assertEqual(reqs[0]["headers"]["authorization"], "Bearer " + fakeapi.TOKEN)


class Modes(unittest.TestCase):
    """The dial tests' modes: a seeded fault mix, the truth, a revoked
    token, an outage (refused connections)."""

    def setUp(self):
        SRV.reset()

    def call(self, number, dispatch_id, timeout=10):
        body = {"numberToCall": number, "metadata": {"phonenorm_dispatch_id": dispatch_id}}
        try:
            return post(CALL, body, timeout=timeout)[0]
        except (http.client.RemoteDisconnected, ConnectionError, socket.timeout) as e:
            return type(e).__name__

    def test_mix_truth(self):
        kinds = {k: 1 for k in ("429", "429-date", "503", "503-ra", "500", "502", "504", "timeout",
                                "drop", "accept-drop", "422")}
        SRV.control("PUT", "/mode", {"share": 0.7, "seed": 3, "kinds": kinds, "timeout_delay": 0.3,
                                     "ambiguous_effect": 1.0})
        got = {}
        for i in range(60):
            got["d%d" % i] = self.call("+9665012345%02d" % i, "d%d" % i, timeout=0.2)
        reqs = {r["dispatch_id"]: r for r in SRV.requests()}
        self.assertEqual(len(reqs), 60)
        seen = set()
        for d, answer in got.items():
            r = reqs[d]
            seen.add(r["fault"])
            self.assertGreaterEqual(r["answered_at"] or r["arrived"], r["arrived"])
            if r["fault"] is None:
                self.assertEqual((answer, r["status"], r["effect"], r["delivered"]), (201, 201, True, True))
            elif r["fault"] in ("429", "429-date", "503", "503-ra", "422", "500", "502", "504"):
                self.assertEqual(answer, int(r["fault"][:3]), d)
                self.assertEqual(r["effect"], r["fault"] in ("500", "502", "504"))
                if r["fault"] == "422":
                    self.assertIn("fake refusal of +9665012345", r["response"])
            elif r["fault"] in ("drop", "accept-drop", "timeout"):
                self.assertIsInstance(answer, str, d)
                self.assertEqual(r["effect"], r["fault"] != "drop")
                self.assertFalse(r["delivered"])
        self.assertGreaterEqual(len(seen), 8, seen)
        time.sleep(0.4)  # the last timeouts end
        truth = SRV.control("GET", "/truth")
        placed = sum(len(v["calls_placed"]) for v in truth["numbers"].values())
        self.assertEqual(placed, sum(1 for r in reqs.values() if r["effect"]))
        accepted = [d for v in truth["numbers"].values() for d in v["calls_accepted"]]
        self.assertEqual(sorted(accepted), sorted(d for d, a in got.items() if a == 201))
        brief = SRV.control("GET", "/requests?brief=1&since=58")["requests"]
        self.assertEqual([r["seq"] for r in brief], [59, 60])
        self.assertNotIn("body", brief[0])
        # The same seed and order draw the same faults.
        first = [reqs["d%d" % i]["fault"] for i in range(60)]
        SRV.reset()
        SRV.control("PUT", "/mode", {"share": 0.7, "seed": 3, "kinds": kinds, "timeout_delay": 0.3,
                                     "ambiguous_effect": 1.0})
        for i in range(10):
            self.call("+9665012345%02d" % i, "d%d" % i, timeout=0.2)
        self.assertEqual([r["fault"] for r in SRV.requests()], first[:10])
        time.sleep(0.4)

    def test_auth_fail_at_and_latency(self):
        SRV.control("PUT", "/mode", {"auth_fail_at": 3, "latency": [0.05, 0.06]})
        t = time.monotonic()
        answers = [self.call("+966501234567", "a%d" % i) for i in range(5)]
        self.assertGreaterEqual(time.monotonic() - t, 0.25)
        self.assertEqual(answers, [201, 201, 401, 401, 401])
        SRV.control("DELETE", "/mode")
        self.assertEqual(self.call("+966501234567", "a5"), 201)

    def test_outage_refuses(self):
        SRV.control("PUT", "/mode", {"share": 1.0, "kinds": {"refuse": 1}, "outage": 0.5})
        self.assertEqual(self.call("+966501234567", "o1"), 201)
        with self.assertRaises(ConnectionRefusedError):
            post(CALL, {"numberToCall": "+966501234567"})
        time.sleep(0.7)
        SRV.control("DELETE", "/mode")
        self.assertEqual(self.call("+966501234567", "o2"), 201)
        self.assertEqual([r["dispatch_id"] for r in SRV.requests()], ["o1", "o2"])
        self.assertEqual(len(SRV.control("GET", "/truth")["outages"]), 1)


if __name__ == "__main__":
    with fakeapi.FakeServer() as SRV:
        result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() else 1)
