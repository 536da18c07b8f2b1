#!/usr/bin/env python3
"""Load with crashes: 50 concurrent senders (threads, http.client, keep-alive)
deliver 20,000 signed events to `phonenorm webhook` on a real journal (a
live dial of 300 rows): 18,000 phone_call.ended events for the 300 real
dispatch ids (60 each: results that supersede one another; a tenth in the
{"type", "data"} envelope), 500 orphans,
500 events of another type, and 1,000 redeliveries of events already sent.
The receiver is killed with SIGKILL twice during the run and restarted on
the same port, then stopped with SIGTERM (gracefully) and restarted once more; the senders retry as Svix does (connection errors and
non-2xx, a fresh svix-timestamp per attempt). Then:
  - every event that got a 200 is in the journal's events table (read with
    sqlite3, read-only); the table holds no svix-id twice and nothing that
    was not sent;
  - an event's time is the svix-timestamp of one of its deliveries, and of
    its first one when that first one got the 200;
  - each attempt's (and row's) result is the latest (event time, svix-id) of
    ITS events in the journal;
  - `phonenorm report` and the last receiver's summary agree with the table.

usage: test_webhook_load.py PATH/TO/phonenorm
"""
import collections
import http.client
import json
import os
import queue
import random
import socket
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import dt, svix_sign  # noqa: E402

ROWS = 300
PER_ATTEMPT = 60
ORPHANS = 500
OTHER = 500
REDELIVERIES = 1000
SENDERS = 50
TOTAL = ROWS * PER_ATTEMPT + ORPHANS + OTHER + REDELIVERIES   # 20,000 deliveries
OUTPUTS = ["INTERESTED", "NOT_INTERESTED", "CALL_BACK", "VOICEMAIL", "WRONG_NUMBER"]
SENTIMENTS = ["NEUTRAL", "POSITIVE", "NEGATIVE"]


class Sender(threading.Thread):
    """Takes deliveries from the queue and posts them on one keep-alive
    connection; on a connection error or a non-2xx it reconnects and
    retries the same event (fresh timestamp, fresh signature)."""

    def __init__(self, load):
        super().__init__(daemon=True)
        self.load = load
        self.conn = None

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.load.port, timeout=30 * e2e.SLOW)

    def run(self):
        ld = self.load
        while True:
            try:
                item = ld.q.get_nowait()
            except queue.Empty:
                break
            msg_id, body = item
            tries = 0
            while True:
                ts = int(time.time())
                h = e2e.signed_headers(ld.secret, body, msg_id=msg_id, ts=ts)
                with ld.lock:
                    ld.stamps[msg_id].append(ts)
                    nth = len(ld.stamps[msg_id])
                try:
                    if self.conn is None:
                        self.connect()
                    self.conn.request("POST", e2e.PATH, body=body, headers=h)
                    r = self.conn.getresponse()
                    r.read()
                    status = r.status
                    if r.getheader("Connection", "").lower() == "close":
                        self.conn.close()
                        self.conn = None
                except (OSError, http.client.HTTPException):
                    status = None
                    if self.conn is not None:
                        self.conn.close()
                    self.conn = None
                with ld.lock:
                    ld.deliveries += 1
                    if status == 200:
                        ld.ok[msg_id].append(ts)
                        # The very first delivery of this id, and none
                        # other sent while it was on its way: its time is
                        # the event's.
                        if nth == 1 and len(ld.stamps[msg_id]) == 1:
                            ld.first_ok.add(msg_id)
                        ld.ok_count += 1
                    elif status is None:
                        ld.conn_errors += 1
                    else:
                        ld.statuses[status] += 1
                if status == 200:
                    break
                if status is not None and status != 503:
                    with ld.lock:
                        ld.refused.append((msg_id, status))
                    break
                tries += 1
                time.sleep(min(0.05 * 2 ** tries, 0.5) * random.uniform(0.5, 1.0))
                if time.monotonic() > ld.give_up:
                    with ld.lock:
                        ld.gave_up.append(msg_id)
                    break
        if self.conn is not None:
            self.conn.close()


class Load(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()
        self.rx = None

    def tearDown(self):
        if self.rx is not None and self.rx.alive():
            self.rx.kill9()
        self.tmp.cleanup()

    def plan(self, dispatch):
        """The 20,000 deliveries, shuffled: [(svix id, body)]."""
        rng = random.Random(20)
        items = []
        self.kind = {}
        for d, number in dispatch:
            for _ in range(PER_ATTEMPT):
                delivery = rng.choice(["pass", "pass", "fail"])
                ev = e2e.ended_event(d, delivery=delivery, output=rng.choice(OUTPUTS),
                                     sentiment=rng.choice(SENTIMENTS), duration=rng.randrange(0, 600),
                                     number=number)
                ev["providerCallId"] = str(uuid.UUID(int=rng.getrandbits(128)))
                if rng.random() < 0.1:
                    # The enveloped form: the fields under "data".
                    ev = {"type": "phone_call.ended", "data": ev}
                items.append((svix_sign.new_msg_id(), e2e.body_of(ev), ev))
        for _ in range(ORPHANS):
            ev = e2e.ended_event(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
            items.append((svix_sign.new_msg_id(), e2e.body_of(ev), ev))
        for _ in range(OTHER):
            d, number = rng.choice(dispatch)
            ev = {"type": "phone_call.started", "data": {"numberTo": number,
                                                         "metadata": {"requestMetadata":
                                                                      {"phonenorm_dispatch_id": d}}}}
            items.append((svix_sign.new_msg_id(), e2e.body_of(ev), ev))
        rng.shuffle(items)
        self.payload = {i: ev for i, _, ev in items}
        self.body = {i: b for i, b, _ in items}
        out = [(i, b) for i, b, _ in items]
        # Redeliveries: the same svix-id and body again, later in the run.
        for _ in range(REDELIVERIES):
            k = rng.randrange(len(items) // 2)
            out.insert(rng.randrange(k + 1, len(out) + 1), out[k])
        self.assertEqual(len(out), TOTAL)
        return out

    def test_load_with_kills(self):
        listp = self.tmp.path("l.csv")
        nums = [dt.sa_number(i) for i in range(ROWS)]
        dt.write_csv(listp, ["id", "phone"], [["R%d" % i, n] for i, n in enumerate(nums)])
        db = self.tmp.path("c.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        rows = dt.journal_rows(db)
        latest = e2e.latest_call_attempts(db)
        dispatch = sorted((a["dispatch_id"], rows[line]["e164"]) for line, a in latest.items())
        self.assertEqual(len(dispatch), ROWS)
        line_of = {a["dispatch_id"]: line for line, a in latest.items()}

        self.secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf, "--quiet")
        self.port = self.rx.port
        items = self.plan(dispatch)
        self.q = queue.Queue()
        for it in items:
            self.q.put(it)
        self.lock = threading.Lock()
        self.stamps = collections.defaultdict(list)   # svix id -> every timestamp sent
        self.ok = collections.defaultdict(list)       # svix id -> timestamps answered 200
        self.first_ok = set()                         # first delivery answered 200
        self.statuses = collections.Counter()
        self.refused, self.gave_up = [], []
        self.deliveries = self.ok_count = self.conn_errors = 0
        self.give_up = time.monotonic() + 150 * e2e.SLOW

        t0 = time.monotonic()
        senders = [Sender(self) for _ in range(SENDERS)]
        for s in senders:
            s.start()
        # `phonenorm report` reads the journal all along (read-only, also
        # right after a kill -9): it never fails for the receiver's sake.
        reports = []

        def reader():
            while any(s.is_alive() for s in senders):
                reports.append(dt.report(db, "--summary-json", "-"))
                time.sleep(0.3)
        rd = threading.Thread(target=reader, daemon=True)
        rd.start()
        kills = []
        for frac in (1 / 3, 2 / 3):
            e2e.wait_for(lambda: self.ok_count >= TOTAL * frac or self.q.empty(), 150)
            self.rx.kill9()
            kills.append(self.ok_count)
            time.sleep(0.3)
            self.rx.start()
        # And a graceful stop (SIGTERM) under the same load: the requests in
        # progress finish, the summary counts what this one recorded.
        e2e.wait_for(lambda: self.ok_count >= TOTAL * 5 // 6 or self.q.empty(), 150)
        term_started = self.rx.started_ms
        term_rc, term_summary = self.rx.stop()
        self.assertEqual(term_rc, 0, term_summary)
        self.rx.start()
        for s in senders:
            s.join(200 * e2e.SLOW)
        took = time.monotonic() - t0
        self.assertFalse(any(s.is_alive() for s in senders), "senders still running")
        rd.join(60)
        self.assertGreater(len(reports), 3)
        for rc, out, err in reports:
            self.assertEqual(rc, 0, "a report during the load: " + err)
        seen = [json.loads(out)["results"]["events"] for rc, out, err in reports]
        self.assertEqual(seen, sorted(seen), "the events count of successive reports went down")
        rc, summary = self.rx.stop()
        self.assertEqual(rc, 0, summary)
        print("load: %d deliveries (%d answered 200, %d connection errors, other %s) in %.1f s, "
              "killed at %s" % (self.deliveries, self.ok_count, self.conn_errors, dict(self.statuses),
                               took, kills), file=sys.stderr)
        self.assertEqual(self.refused, [], "deliveries refused (not 200/503)")
        self.assertEqual(self.gave_up, [], "deliveries never answered 200")
        self.assertGreater(self.conn_errors, 0, "the kills cost no delivery: they came too late?")
        for rc, err in self.rx.outputs[:2]:
            self.assertEqual(rc, -9)

        events = e2e.journal_events(db)
        ids = e2e.journal_event_ids(db)
        self.assertEqual(len(ids), len(set(ids)), "a svix-id twice in the events table")
        # Every event answered 200 is in the journal; nothing else is.
        self.assertEqual(set(self.ok) - set(events), set(), "answered 200, not in the journal")
        self.assertEqual(set(events) - set(self.payload), set())
        self.assertEqual(len(events), len(self.payload))  # every event got a 200 in the end
        bad = []
        for i, e in events.items():
            if e["event_time"] % 1000 or e["event_time"] // 1000 not in self.stamps[i]:
                bad.append("%s: event_time %s, timestamps sent %s" % (i, e["event_time"], self.stamps[i]))
            elif i in self.first_ok and e["event_time"] != self.stamps[i][0] * 1000:
                bad.append("%s: first delivery (ts %d) answered 200, event_time %d"
                           % (i, self.stamps[i][0], e["event_time"]))
            p = self.payload[i]
            stored = e["payload"] if isinstance(e["payload"], bytes) else e["payload"].encode()
            if stored != self.body[i]:
                bad.append("%s: payload stored %r..., sent %r..." % (i, stored[:60], self.body[i][:60]))
            typ = p.get("type", "phone_call.ended")
            if e["type"] != typ:
                bad.append("%s: type %r, sent %r" % (i, e["type"], typ))
            d = (p.get("data", p).get("metadata") or {}).get("requestMetadata", {}).get("phonenorm_dispatch_id")
            if e["dispatch_id"] != d:
                bad.append("%s: dispatch_id %r, sent %r" % (i, e["dispatch_id"], d))
            if e["line"] != line_of.get(d):
                bad.append("%s: line %r, its dispatch id is line %r" % (i, e["line"], line_of.get(d)))
        self.assertEqual(bad, [], "\n".join(bad[:20]))

        # Each attempt's result is the latest (event time, svix-id) of ITS events.
        attempts = {a["dispatch_id"]: a for a in dt.journal_attempts(db)}
        rows = dt.journal_rows(db)
        mine = collections.defaultdict(list)
        for i, e in events.items():
            if e["type"] == "phone_call.ended" and e["dispatch_id"] in attempts:
                mine[e["dispatch_id"]].append((e["event_time"], i))
        for d, _ in dispatch:
            self.assertTrue(mine[d], d)
            t, win = max(mine[d])
            p = self.payload[win]
            p = p.get("data", p)
            want = {"result_event": win, "delivery_status": p["deliveryStatus"],
                    "provider_status": p["providerStatus"], "duration": p["duration"],
                    "ended_reason": p["endedReason"], "call_output": p["callOutput"],
                    "sentiment": p["sentimentOutput"], "provider_call_id": p["providerCallId"]}
            for src, rec in (("attempt", attempts[d]), ("row", rows[line_of[d]])):
                got = {k: rec.get(k) for k in want}
                if got != want:
                    bad.append("%s of %s: %s, want %s" % (src, d, got, want))
                elif rec.get("result_at") != t:
                    bad.append("%s of %s: result_at %s, winning event time %d" % (src, d, rec.get("result_at"), t))
        self.assertEqual(bad, [], "%d wrong results:\n%s" % (len(bad), "\n".join(bad[:20])))

        # The report and the last receiver's summary agree with the table.
        n_orphans = sum(1 for e in events.values() if e["type"] == "phone_call.ended" and e["line"] is None)
        n_other = sum(1 for e in events.values() if e["type"] != "phone_call.ended")
        self.assertEqual((n_orphans, n_other), (ORPHANS, OTHER))
        summ, _ = e2e.report_json(db)
        self.assertIsNotNone(summ, "report --json - gave no summary with \"results\"")
        res = summ["results"]
        delivered = sum(1 for r in rows.values() if r["delivery_status"] == "pass")
        want = {"accepted": ROWS, "delivered": delivered, "not_delivered": ROWS - delivered, "awaiting_result": 0,
                "events": len(events), "orphans": ORPHANS, "other_types": OTHER}
        self.assertEqual({k: res.get(k) for k in want}, want, res)
        last = [e for e in events.values() if e["received_at"] >= self.rx.started_ms]
        counts = e2e.summary_counts(summary)
        self.assertEqual(counts.get("events"), len(last), "the last receiver's summary: %r (%d events "
                         "received since it started)" % (summary, len(last)))
        self.assertEqual(sum(counts.get(k, 0) for k in ("applied", "superseded", "orphans", "other types")),
                         len(last), summary)
        self.assertEqual(counts.get("orphans"),
                         sum(1 for e in last if e["type"] == "phone_call.ended" and e["line"] is None), summary)
        mine = [e for e in events.values() if term_started <= e["received_at"] < self.rx.started_ms]
        counts = e2e.summary_counts(term_summary)
        self.assertEqual(counts.get("events"), len(mine), "the summary after SIGTERM under load: %r (%d events "
                         "received in its lifetime)" % (term_summary, len(mine)))


if __name__ == "__main__":
    sys.exit(e2e.main(sys.argv))
