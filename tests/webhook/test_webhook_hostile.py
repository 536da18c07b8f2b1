#!/usr/bin/env python3
"""Hostile input against the real `phonenorm webhook` (a journal of its own,
--request-deadline 2): a 10 MB body (413 at once, before the body is read:
announced by Content-Length, and streamed chunked), slowloris (one byte a
second, in the headers and in the body: dropped about 2 s after the
connection started), 10,000 headers (a 4xx), invalid UTF-8, deeply nested
JSON, a non-JSON body, a truncated one (all correctly signed: 400), a wrong
path (404), wrong methods (405 with Allow: POST), no signature and a bad one
(401). After each, a valid signed event still gets its 200; at the end the
journal holds exactly the valid events and its refusals table counts every
refusal under its reason.

usage: test_webhook_hostile.py PATH/TO/phonenorm
"""
import json
import os
import socket
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import dt, svix_sign  # noqa: E402

DEADLINE = 2.0          # --request-deadline of the receiver under test
MB10 = 10 * 1024 * 1024


class Hostile(unittest.TestCase):
    """One receiver for the whole class: it must survive every test."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = dt.Tmp()
        cls.listp, cls.db, _ = e2e.make_journal(cls.tmp, 3)
        cls.secret, sf = e2e.write_secret(cls.tmp)
        cls.rx = e2e.Receiver(cls.tmp, cls.db, sf, "--request-deadline", "%d" % DEADLINE)
        cls.valid = []          # svix ids answered 200
        cls.refused = {}        # reason -> count this test program caused
        cls.lock = threading.Lock()

    @classmethod
    def tearDownClass(cls):
        if cls.rx.alive():
            cls.rx.stop()
        cls.tmp.cleanup()

    # ---- helpers ------------------------------------------------------------

    def expect_refusal(self, reason, n=1):
        with self.lock:
            self.refused[reason] = self.refused.get(reason, 0) + n

    def still_serving(self):
        """A valid signed event (an orphan: no attempt has its dispatch id)
        gets its 200 right after the hostile request."""
        body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        h = e2e.signed_headers(self.secret, body)
        st, resp, _ = e2e.post(self.rx.port, body, h)
        self.assertEqual(st, 200, "a valid event after the hostile request: %d %r\n%s"
                         % (st, resp, self.rx.stderr()[-2000:]))
        self.assertTrue(self.rx.alive(), "the receiver died:\n" + self.rx.stderr()[-3000:])
        with self.lock:
            self.valid.append(h["svix-id"])

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.rx.port), timeout=10 * e2e.SLOW)
        return s

    def read_response(self, s, timeout):
        """(status or None if the connection ended without one, seconds
        waited, raw bytes)."""
        s.settimeout(timeout)
        t0 = time.monotonic()
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
        except socket.timeout:
            raise AssertionError("no answer and no close within %.1f s (got %r)" % (timeout, data[:200]))
        waited = time.monotonic() - t0
        if not data.startswith(b"HTTP/1."):
            return None, waited, data
        return int(data.split(b" ", 2)[1]), waited, data

    def signed_request_head(self, body_for_sig, extra="", path=e2e.PATH, length=None):
        h = e2e.signed_headers(self.secret, body_for_sig)
        lines = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % self.rx.port]
        lines += ["%s: %s" % kv for kv in h.items()]
        if length is not None:
            lines.append("Content-Length: %d" % length)
        if extra:
            lines.append(extra)
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def signed_post(self, body, **kw):
        h = e2e.signed_headers(self.secret, body)
        return e2e.post(self.rx.port, body, h, **kw)

    # ---- bodies too large ------------------------------------------------------

    def test_10mb_body_announced(self):
        """Content-Length 10 MB: 413 right after the headers, the body unread;
        the rest of the body cannot be pushed into a closed connection."""
        s = self.connect()
        try:
            s.sendall(self.signed_request_head(b"{}", length=MB10))
            s.sendall(b"{" + b" " * 65535)
            st, waited, raw = self.read_response(s, 5 * e2e.SLOW)
            self.assertEqual(st, 413, raw[:300])
            self.assertLess(waited, 3 * e2e.SLOW, "the 413 took %.1f s" % waited)
            sent = 65536 + self.push(s, MB10 - 65536)
            self.assertLess(sent, MB10, "the server took the whole 10 MB body after its 413")
        finally:
            s.close()
        self.expect_refusal("too_large")
        self.still_serving()

    def test_10mb_body_expect_continue(self):
        """Content-Length 10 MB and Expect: 100-continue (curl's way): 413
        after the headers, no 100 Continue, no body sent at all."""
        s = self.connect()
        try:
            s.sendall(self.signed_request_head(b"{}", length=MB10, extra="Expect: 100-continue"))
            st, waited, raw = self.read_response(s, 5 * e2e.SLOW)
            self.assertEqual(st, 413, raw[:300])
            self.assertLess(waited, 3 * e2e.SLOW, "the 413 took %.1f s" % waited)
        finally:
            s.close()
        self.expect_refusal("too_large")
        self.still_serving()

    def test_slightly_oversized_event(self):
        """A 1.5 MB event (over the 1 MiB cap, under twice it) written whole
        before reading, as HTTP libraries do: the sender reads a 413."""
        ev = e2e.ended_event(str(uuid.uuid4()), extra={"transcription": "x" * (1536 * 1024)})
        st, resp, _ = self.signed_post(e2e.body_of(ev))
        self.assertEqual(st, 413, resp[:300])
        self.expect_refusal("too_large")
        self.still_serving()

    def push(self, s, n, chunked=False):
        """Send up to n more bytes (or until the peer closes); how many went."""
        s.settimeout(5 * e2e.SLOW)
        block = b" " * 65536
        sent = 0
        try:
            while sent < n:
                if chunked:
                    s.sendall(b"10000\r\n" + block + b"\r\n")
                else:
                    s.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        return sent

    def test_10mb_body_chunked(self):
        """No Content-Length, 10 MB streamed in chunks: refused once past the
        cap (1 MiB), promptly, without reading all of it. libmicrohttpd
        0.9.x cannot queue an answer in the middle of an upload, so the
        refusal may be the connection closed instead of a 413."""
        s = self.connect()
        result = {}

        def send():
            result["sent"] = self.push(s, MB10, chunked=True)
            result["done"] = time.monotonic()

        try:
            s.sendall(self.signed_request_head(b"{}", extra="Transfer-Encoding: chunked"))
            t0 = time.monotonic()
            th = threading.Thread(target=send)
            th.start()
            st, waited, raw = self.read_response(s, 10 * e2e.SLOW)
            th.join(30)
            self.assertIn(st, (413, None), raw[:300])
            self.assertLess(time.monotonic() - t0, 5 * e2e.SLOW)
            self.assertLess(result.get("sent", MB10), MB10, "the server read the whole 10 MB chunked body")
        finally:
            s.close()
        self.expect_refusal("too_large")
        self.still_serving()

    # ---- slowloris ------------------------------------------------------------

    def slow(self, head, body=b""):
        """Send head quickly, then body one byte a second (or, with no
        body, head one byte a second): seconds from the connection's start
        to the server dropping it."""
        s = self.connect()
        t0 = time.monotonic()
        try:
            s.settimeout(1.0)
            if body:
                s.sendall(head)
                drip = body
            else:
                drip = head
            for i in range(len(drip)):
                try:
                    s.sendall(drip[i:i + 1])
                    data = s.recv(4096)
                    if not data or data.startswith(b"HTTP/1."):
                        return time.monotonic() - t0, data
                except socket.timeout:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    return time.monotonic() - t0, b""
                if time.monotonic() - t0 > 20 * e2e.SLOW:
                    break
            self.fail("the slow connection was still open after %.0f s (deadline %d s)"
                      % (time.monotonic() - t0, DEADLINE))
        finally:
            s.close()

    def check_dropped(self, took, data):
        if data:
            # An answer instead of a bare close is fine if it is a 408.
            self.assertTrue(data.startswith(b"HTTP/1.1 408") or data.startswith(b"HTTP/1.0 408"), data[:200])
        self.assertGreaterEqual(took, DEADLINE - 0.5, "dropped after %.1f s, before the deadline" % took)
        self.assertLess(took, DEADLINE + 3.0 * e2e.SLOW, "dropped only after %.1f s (deadline %d s)"
                        % (took, DEADLINE))

    def test_slowloris_headers(self):
        head = self.signed_request_head(b"{}", length=2)
        took, data = self.slow(head)
        self.check_dropped(took, data)
        self.expect_refusal("header_deadline")
        self.still_serving()

    def test_slowloris_body(self):
        body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        head = self.signed_request_head(body, length=len(body))
        took, data = self.slow(head, body)
        self.check_dropped(took, data)
        self.expect_refusal("header_deadline")
        self.still_serving()

    def test_connection_flood(self):
        """More idle connections than --max-connections (a receiver of its
        own, 32): each is dropped at the request deadline, so a valid event
        gets its 200 within about the deadline even while flooded."""
        listp, db, _ = e2e.make_journal(self.tmp, 1, name="flood.db", start=100)
        rx = e2e.Receiver(self.tmp, db, self.rx.secret_file, "--request-deadline", "%d" % DEADLINE,
                          "--max-connections", "32", "--quiet", name="flood")
        socks = []
        try:
            for _ in range(64):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", rx.port), timeout=5))
                except OSError:
                    break
            t0 = time.monotonic()
            body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
            st = None
            while time.monotonic() - t0 < DEADLINE + 5 * e2e.SLOW:
                try:
                    st, _, _ = e2e.post(rx.port, body, e2e.signed_headers(self.secret, body), timeout=2)
                except OSError:
                    st = None
                if st == 200:
                    break
                time.sleep(0.1)
            took = time.monotonic() - t0
            self.assertEqual(st, 200, "no 200 within %.1f s of a flood of idle connections" % took)
            # The idle ones were dropped by the server, not kept for ever.
            open_ = 0
            for s in socks:
                s.settimeout(0.5 * e2e.SLOW)
                try:
                    if s.recv(1) != b"":
                        open_ += 1
                except socket.timeout:
                    open_ += 1
                except OSError:
                    pass
            self.assertEqual(open_, 0, "%d idle connections still open %.1f s after they were made"
                             % (open_, time.monotonic() - t0))
        finally:
            for s in socks:
                s.close()
            rc, err = rx.stop()
        self.assertEqual(rc, 0, err)
        self.still_serving()

    # ---- headers ------------------------------------------------------------------

    def test_10000_headers(self):
        body = b"{}"
        head = self.signed_request_head(body, length=len(body))[:-2]
        pad = "".join("X-Pad-%05d: %s\r\n" % (i, "v" * 8) for i in range(10000)).encode()
        s = self.connect()
        try:
            def send():
                try:
                    s.sendall(head + pad + b"\r\n" + body)
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    pass
            th = threading.Thread(target=send)
            th.start()
            st, waited, raw = self.read_response(s, 10 * e2e.SLOW)
            th.join(30)
            self.assertIsNotNone(st, "10,000 headers: the connection was closed without an answer")
            self.assertTrue(400 <= st < 500, "10,000 headers: %r" % raw[:300])
            self.assertLess(waited, 5 * e2e.SLOW)
        finally:
            s.close()
        self.expect_refusal("too_many_headers")
        self.still_serving()

    # ---- signed bodies that are not a JSON object ----------------------------------

    def bad_body(self, body, reason, status=400):
        st, resp, _ = self.signed_post(body)
        self.assertEqual(st, status, "%r...: %d %r" % (body[:40], st, resp[:300]))
        self.expect_refusal(reason)
        self.still_serving()

    def test_invalid_utf8(self):
        ev = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        self.bad_body(ev.replace(b'"test"', b'"t\xff\xfe\xc0\x80t"', 1), "not_utf8")

    def test_deeply_nested_arrays(self):
        self.bad_body(b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}", "not_json")

    def test_deeply_nested_objects(self):
        self.bad_body(b'{"a":' * 50000 + b"1" + b"}" * 50000, "not_json")

    def test_not_json(self):
        self.bad_body(b"deliveryStatus=pass&duration=3", "not_json")

    def test_truncated_json(self):
        ev = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        self.bad_body(ev[:-5], "not_json")

    def test_json_but_not_one_object(self):
        for body in (b"[]", b"null", b"\"phone_call.ended\"", b"{} {}", b"", b"{\"a\":1}x"):
            with self.subTest(body=body):
                self.bad_body(body, "not_json")

    def test_not_json_content_type(self):
        body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        h = e2e.signed_headers(self.secret, body)
        h["Content-Type"] = "text/plain"
        st, resp, _ = e2e.post(self.rx.port, body, h)
        self.assertEqual(st, 415, resp)
        self.expect_refusal("unsupported_media")
        self.still_serving()

    def test_strange_svix_ids(self):
        """Odd but correctly signed svix-ids: either stored exactly as sent
        (200) or refused with a 4xx; never anything else."""
        for msg_id in ("msg_" + "A" * 2000, "msg 'quoted' \"double\" ;,=", "msg_\u00e9\u4e2d"):
            with self.subTest(msg_id=msg_id[:20]):
                body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
                h = e2e.signed_headers(self.secret, body, msg_id=msg_id)
                # Raw bytes: http.client would refuse the non-Latin-1 id itself.
                head = ["POST %s HTTP/1.1" % e2e.PATH, "Host: x", "Content-Length: %d" % len(body)]
                head += ["%s: %s" % kv for kv in h.items()]
                s = self.connect()
                try:
                    s.sendall(("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + body)
                    st, waited, data = self.read_response(s, 10 * e2e.SLOW)
                finally:
                    s.close()
                self.assertIsNotNone(st, data[:200])
                self.assertTrue(st == 200 or 400 <= st < 500, data[:300])
                if st == 200:
                    with self.lock:
                        self.valid.append(msg_id)
                else:
                    # Counted under the reason its answer names.
                    try:
                        reason = json.loads(data.split(b"\r\n\r\n", 1)[1])["error"]
                    except (ValueError, KeyError, IndexError):
                        reason = "?"
                    self.expect_refusal(reason)
        self.still_serving()

    def test_pipelined(self):
        """Three signed events written in one go on one keep-alive
        connection (HTTP/1.1 pipelining): three 200s, in order."""
        reqs, ids = b"", []
        for _ in range(3):
            body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
            h = e2e.signed_headers(self.secret, body)
            ids.append(h["svix-id"])
            head = ["POST %s HTTP/1.1" % e2e.PATH, "Host: x", "Content-Length: %d" % len(body)]
            head += ["%s: %s" % kv for kv in h.items()]
            reqs += ("\r\n".join(head) + "\r\n\r\n").encode() + body
        s = self.connect()
        try:
            s.sendall(reqs)
            s.settimeout(10 * e2e.SLOW)
            data = b""
            while data.count(b"HTTP/1.1 ") < 3:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        self.assertEqual(data.count(b"HTTP/1.1 200"), 3, data[:600])
        with self.lock:
            self.valid.extend(ids)
        self.still_serving()

    # ---- routes and signatures ----------------------------------------------------------

    def test_wrong_path(self):
        st, resp, _ = self.signed_post(b"{}", path="/webhooks/other")
        self.assertEqual(st, 404, resp)
        self.expect_refusal("not_found")
        self.still_serving()

    def test_wrong_methods(self):
        for method in ("GET", "PUT"):
            st, resp, hdrs = self.signed_post(b"{}", method=method)
            self.assertEqual(st, 405, "%s: %r" % (method, resp))
            allow = {k.lower(): v for k, v in hdrs.items()}.get("allow", "")
            self.assertIn("POST", allow, "%s: 405 without Allow: POST" % method)
            self.expect_refusal("method_not_allowed")
        self.still_serving()

    def test_unsigned(self):
        body = e2e.body_of(e2e.ended_event(str(uuid.uuid4())))
        st, resp, _ = e2e.post(self.rx.port, body, {"Content-Type": "application/json"})
        self.assertEqual(st, 401, resp)
        self.expect_refusal("missing_header")
        h = e2e.signed_headers(svix_sign.new_secret(), body)
        st, resp, _ = e2e.post(self.rx.port, body, h)
        self.assertEqual(st, 401, resp)
        self.expect_refusal("bad_signature")
        self.still_serving()

    def test_healthz(self):
        st, resp, _ = e2e.post(self.rx.port, None, {}, path="/healthz", method="GET")
        self.assertEqual(st, 200, resp)

    # ---- last: what the journal says ------------------------------------------------------

    def test_zz_journal(self):
        """(Runs last.) Only the valid events reached the journal; every
        refusal is counted under its reason once the receiver stops."""
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)
        ids = e2e.journal_event_ids(self.db)
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(sorted(ids), sorted(self.valid),
                         "events in the journal other than the valid ones: %s"
                         % sorted(set(ids) - set(self.valid)))
        self.assertNotIn(self.secret, err)
        got = e2e.journal_refusals(self.db)
        want = dict(self.refused)
        self.assertEqual(got, want, "refusals table %s, the requests refused %s" % (got, want))
        # The stored events are the orphans the tests sent: no row got a result.
        for line, row in dt.journal_rows(self.db).items():
            self.assertIsNone(row.get("delivery_status"), row)


if __name__ == "__main__":
    sys.exit(e2e.main(sys.argv))
