#!/usr/bin/env python3
"""The whole campaign loop against the fake call API with its webhooks on:
`phonenorm dial --live` of 1,000 rows while `phonenorm webhook` receives the
fake's signed phone_call.ended events (30% not delivered, 10% delivered
twice, 10% with a later second event sent before the first, 20 orphans, 5
events of another type, deliveries retried on failure). Once the fake has
nothing left to deliver:
  - `phonenorm report` (summary and --json export) says what the fake's
    truth says: delivered, not delivered, awaiting 0, orphans, other types,
    the callOutput and sentiment histograms, talk time; every row's result
    columns are the "final" event of its dispatch id;
  - the journal holds every event the fake saw acknowledged, once;
  - `phonenorm dial --redial undelivered --redial-after 0 --live` calls
    exactly the rows whose final deliveryStatus was fail, once each, and
    nothing else; their new results arrive and replace the old ones.

usage: test_webhook_loop.py PATH/TO/phonenorm
  PHN_KEEP_TMP=DIR copies each test's files (journal, list, receiver logs)
  to DIR at its end, for a look at a failure.
"""
import collections
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import dt  # noqa: E402

ROWS = 1000
WEBHOOKS = {"seed": 10, "fail_ratio": 0.3, "duplicate_ratio": 0.1, "out_of_order_ratio": 0.1,
            "orphans": 20, "other_types": 5, "senders": 8, "retry": True}


def truth():
    return dt.SRV.control("GET", "/webhooks/truth")


def calls_since(seq):
    return [r for r in dt.server_requests(brief=True)
            if r["seq"] > seq and r["path"].endswith(dt.CALL_SUFFIX)]


class Loop(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()
        self.rx = None

    def tearDown(self):
        try:
            dt.SRV.control("DELETE", "/webhooks")
        except Exception:
            pass
        if self.rx is not None and self.rx.alive():
            self.rx.kill9()
        if os.environ.get("PHN_KEEP_TMP"):
            import shutil
            shutil.rmtree(os.environ["PHN_KEEP_TMP"], ignore_errors=True)
            shutil.copytree(self.tmp.dir, os.environ["PHN_KEEP_TMP"])
        self.tmp.cleanup()

    def wait_delivered(self, dispatch_ids, timeout=120.0):
        """Until the fake has nothing pending and a final event for each of
        dispatch_ids; its truth."""
        def done():
            t = truth()
            if t["pending"] == 0 and all(d in t["by_dispatch"] and t["by_dispatch"][d].get("final")
                                         for d in dispatch_ids):
                return t
            return None
        t = e2e.wait_for(done, timeout, step=0.25)
        if t is None:
            t = truth()
            missing = [d for d in dispatch_ids if d not in t["by_dispatch"]]
            self.fail("the fake still has %d deliveries pending after %.0f s (%d dispatch ids "
                      "without events); receiver:\n%s" % (t["pending"], timeout, len(missing),
                                                          self.rx.stderr()[-3000:]))
        return t

    def check_results(self, db, t, rows_n=ROWS):
        """The journal, the report and its export against the fake's truth."""
        by_d = t["by_dispatch"]
        events = e2e.journal_events(db)
        # Every event the fake saw acknowledged is in the journal, and the
        # journal holds nothing the fake did not send.
        sent = set(t["orphans"]) | set(t["other_types"])
        for v in by_d.values():
            sent |= set(v["events"])
        acked = set(t["acked"])
        self.assertEqual(acked - set(events), set(), "acknowledged events missing from the journal")
        self.assertEqual(set(events) - sent, set(), "events in the journal the fake never sent")
        self.assertEqual(set(events), sent, "after every delivery ended, journal events != sent")
        self.assertEqual(sorted(events[i]["svix_id"] for i in t["orphans"]), sorted(t["orphans"]))
        for i in t["orphans"]:
            self.assertIsNone(events[i]["line"], "orphan %s matched line %s" % (i, events[i]["line"]))

        rows = dt.journal_rows(db)
        latest = e2e.latest_call_attempts(db)
        accepted = [line for line, r in rows.items() if r["state"] == "accepted"]
        self.assertEqual(len(accepted), rows_n, "rows not accepted: %s"
                         % sorted((r["line"], r["state"]) for r in rows.values() if r["state"] != "accepted")[:10])
        final = {}
        for line in accepted:
            d = latest[line]["dispatch_id"]
            self.assertIn(d, by_d, "row %d: its latest attempt %s got no event from the fake" % (line, d))
            self.assertEqual(by_d[d]["number"], rows[line]["e164"])
            final[line] = by_d[d]["final"]

        # Row result columns (journal and export) = the fake's final event.
        summary, export = e2e.report_json(db)
        self.assertEqual(len(export), len(rows))
        by_line = {x["line"]: x for x in export}
        bad = []
        for line, f in final.items():
            for src, rec in (("journal", rows[line]), ("export", by_line[line])):
                got = (rec.get("delivery_status"), rec.get("call_output"), rec.get("sentiment"),
                       rec.get("duration"), rec.get("result_event"))
                want = (f["delivery_status"], f["call_output"], f["sentiment"], f["duration"], f["svix_id"])
                if got != want:
                    bad.append("row %d (%s): %s %s, truth %s" % (line, latest[line]["dispatch_id"], src,
                                                                   got, want))
        self.assertEqual(bad, [], "%d result mismatches:\n%s" % (len(bad), "\n".join(bad[:20])))

        # The report's counts.
        delivered = sum(1 for f in final.values() if f["delivery_status"] == "pass")
        not_delivered = sum(1 for f in final.values() if f["delivery_status"] == "fail")
        self.assertIsNotNone(summary, "report --json - gave no summary object with \"results\"")
        res = summary["results"]
        want = {"accepted": rows_n, "delivered": delivered, "not_delivered": not_delivered, "awaiting_result": 0,
                "events": len(sent), "orphans": len(t["orphans"]), "other_types": len(t["other_types"])}
        got = {k: res.get(k) for k in want}
        self.assertEqual(got, want, "report results %s" % res)
        talk = sum(f["duration"] or 0 for f in final.values())
        if "talk_time_s" in res:
            # attempts.duration summed: a row's earlier attempts count too.
            self.assertGreaterEqual(res["talk_time_s"], talk)
        for column, key in (("call_output", "call_output"), ("sentiment", "sentiment")):
            want_h = collections.Counter(f[key] for f in final.values() if f[key] is not None)
            h = histogram(res, column)
            self.assertEqual(h, dict(want_h), "%s histogram" % column)

        # The text summary carries the same figures.
        rc, out, err = dt.report(db)
        self.assertEqual(rc, 0, err)
        for label, rx, n in (("delivered", r"^\s*delivered\s+(\d+)", delivered),
                             ("not delivered", r"^\s*not delivered\s+(\d+)", not_delivered),
                             ("orphans", r"orphans\D*(\d+)", len(t["orphans"]))):
            m = re.search(rx, out, re.M | re.I)
            self.assertTrue(m, "no %s figure in the report:\n%s" % (label, out))
            self.assertEqual(int(m.group(1)), n, out)
        return final

    def test_loop(self):
        t0 = time.monotonic()
        listp, db, nums = e2e.make_journal(self.tmp, ROWS)
        secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf)
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret))

        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON, timeout=150)
        self.assertEqual(rc, 0, out + err)
        print("dial of %d rows: %.1f s" % (ROWS, time.monotonic() - t0), file=sys.stderr)
        problems = dt.check_campaign(db)
        self.assertEqual(problems, [], "\n".join(problems))
        ids = [a["dispatch_id"] for a in e2e.latest_call_attempts(db).values()]
        self.assertEqual(len(ids), ROWS)
        t = self.wait_delivered(ids)
        print("all events delivered: %.1f s" % (time.monotonic() - t0), file=sys.stderr)
        self.assertTrue(t["orphans"] and t["other_types"], "the fake sent no orphans or other types")
        final = self.check_results(db, t)
        fails = {line for line, f in final.items() if f["delivery_status"] == "fail"}
        self.assertTrue(100 < len(fails) < 500, "fail_ratio 0.3 gave %d of %d" % (len(fails), ROWS))
        # Some events really came twice or out of order, and the receiver
        # kept them all (superseded ones too).
        multi = [d for d, v in t["by_dispatch"].items() if len(v["events"]) > 1]
        self.assertGreater(len(multi), 20, "the fake sent no second events")

        # The dry run tells how many are due; nothing changes.
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               live=False, now=e2e.NOON)
        m = re.search(r"redial:\s+(\d+) undelivered rows? due now", out + err)
        self.assertTrue(m, "the dry run does not say how many rows are due:\n" + out + err)
        self.assertEqual(int(m.group(1)), len(fails), out + err)

        # The redial calls exactly the undelivered rows, each once.
        rows = dt.journal_rows(db)
        want_numbers = sorted(rows[line]["e164"] for line in fails)
        seq = max((r["seq"] for r in dt.server_requests(brief=True)), default=0)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               "--rate", "0", now=e2e.NOON, timeout=150)
        self.assertEqual(rc, 0, out + err)
        called = sorted(r["number"] for r in calls_since(seq))
        self.assertEqual(len(called), len(set(called)), "a number called twice by the redial")
        self.assertEqual(called, want_numbers,
                         "redialed but not undelivered: %s; undelivered, not redialed: %s"
                         % (sorted(set(called) - set(want_numbers))[:10],
                            sorted(set(want_numbers) - set(called))[:10]))
        # A redialed number has two calls placed and accepted, on purpose;
        # any other number must still have one.
        twice = tuple("number %s accepted 2 times" % n for n in want_numbers)
        problems = [p for p in dt.check_campaign(db, retry_unknown=True) if not p.startswith(twice)]
        self.assertEqual(problems, [], "\n".join(problems))
        latest = e2e.latest_call_attempts(db)
        for line in fails:
            self.assertEqual(latest[line]["run_id"], max(a["run_id"] for a in latest.values()),
                             "row %d was not given a new attempt" % line)
        # The redialed rows' new results arrive and replace the old ones.
        ids = [a["dispatch_id"] for a in latest.values()]
        t = self.wait_delivered(ids)
        final2 = self.check_results(db, t)
        for line in set(final) - fails:
            self.assertEqual(final2[line], final[line], "row %d was not redialed, its result changed" % line)

        # Undelivered again: not before the gap (a week: later than the
        # test clock, whatever day it is), and never past --max-attempts.
        fails2 = {line for line, f in final2.items() if f["delivery_status"] == "fail"}
        self.assertTrue(fails2 and fails2 <= fails, "undelivered after the redial: %d" % len(fails2))
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "7d",
                               live=False, now=e2e.NOON)
        m = re.search(r"redial:\s+(\d+) undelivered rows? due now, (\d+) not before", out + err)
        self.assertTrue(m, out + err)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (0, len(fails2)), out + err)
        seq = max((r["seq"] for r in dt.server_requests(brief=True)), default=0)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "7d",
                               "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(calls_since(seq), [], "redialed before the gap: " + out + err)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               "--max-attempts", "2", "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(calls_since(seq), [], "redialed past --max-attempts 2: " + out + err)
        self.assertEqual(dt.counts(db), {"accepted": ROWS})
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)
        self.assertNotIn(secret, err)
        print("loop: %.1f s" % (time.monotonic() - t0), file=sys.stderr)

    def test_swallowed_201(self):
        """The fake places the call and sends its events, but the 201 never
        reaches the dialer (the connection is closed under it): the row is
        'unknown' to the dialer, and the event, whether it arrives before or
        after the dialer records that, makes it accepted with its result."""
        n = 60
        listp, db, nums = e2e.make_journal(self.tmp, n)
        secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf)
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret, orphans=2,
                                                 other_types=2))
        dt.set_mode(share=0.4, seed=3, kinds={"accept-drop": 1}, paths=[dt.CALL_SUFFIX])
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON, timeout=150)
        self.assertIn(rc, (0, 1), out + err)
        print(err.strip().splitlines()[-1], file=sys.stderr)
        swallowed = [r for r in dt.server_requests(brief=True) if r["fault"] == "accept-drop"]
        self.assertGreater(len(swallowed), 5, "no 201 was swallowed")
        ids = [a["dispatch_id"] for a in e2e.latest_call_attempts(db).values()]
        t = self.wait_delivered(ids)
        self.check_results(db, t, rows_n=n)
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)

    def test_dialer_killed(self):
        """kill -9 of the dialer while calls are in flight and the receiver
        records their events: the next run's recovery makes a 'sending' row
        whose call has a result accepted (the call went out), unknown only
        one with no call at the server; the rest is called once; every row
        with a call ends with the fake's final result."""
        n = 300
        listp, db, nums = e2e.make_journal(self.tmp, n)
        secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf)
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret))
        dt.set_mode(latency=[0.05, 0.3])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON)
        e2e.wait_for(lambda: len(dt.server_requests(brief=True)) >= n // 3, 60, step=0.02)
        dt.kill9(p)
        dt.settle()
        placed = {r["dispatch_id"] for r in dt.server_requests(brief=True) if r["effect"]}
        self.wait_delivered(placed)
        sending = [r for r in dt.journal_rows(db).values() if r["state"] == "sending"]
        dt.set_mode()
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON, timeout=150)
        self.assertIn(rc, (0, 1), out + err)
        # A row recovered as accepted from its event never saw the 201: no
        # call_id (the event does not carry it).
        lost = tuple("row %d: call_id None," % r["line"] for r in sending)
        problems = [p for p in dt.check_campaign(db, killed=True) if not p.startswith(lost)]
        self.assertEqual(problems, [], "\n".join(problems))
        latest = e2e.latest_call_attempts(db)
        t = self.wait_delivered([a["dispatch_id"] for a in latest.values()
                                 if dt.journal_rows(db)[a["line"]]["state"] != "unknown"])
        rows = dt.journal_rows(db)
        by_d = t["by_dispatch"]
        bad = []
        for line, row in rows.items():
            d = latest[line]["dispatch_id"]
            if row["state"] == "unknown":
                if d in by_d:
                    bad.append("row %d unknown, but its call %s was placed and has events" % (line, d))
                continue
            if row["state"] != "accepted":
                bad.append("row %d is %s" % (line, row["state"]))
                continue
            f = by_d[d]["final"]
            got = (row["delivery_status"], row["call_output"], row["duration"], row["result_event"])
            want = (f["delivery_status"], f["call_output"], f["duration"], f["svix_id"])
            if got != want:
                bad.append("row %d: %s, truth %s" % (line, got, want))
        self.assertEqual(bad, [], "%d problems (%d rows were 'sending' at the kill):\n%s"
                         % (len(bad), len(sending), "\n".join(bad[:20])))
        print("dialer killed: %d rows were sending, %d unknown in the end"
              % (len(sending), sum(1 for r in rows.values() if r["state"] == "unknown")), file=sys.stderr)
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)

    def test_receiver_killed(self):
        """kill -9 of the receiver twice while the dial runs and events
        flow; it is restarted on its port and the fake retries: in the end
        the journal and the report are what the fake's truth says. (No
        out-of-order pairs here: an event whose 200 died with the receiver
        is retried with a later timestamp, which would make the fake's idea
        of the latest of two events inexact.)"""
        n = 400
        listp, db, nums = e2e.make_journal(self.tmp, n)
        secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf, "--quiet")
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret,
                                                 out_of_order_ratio=0.0))
        dt.set_mode(latency=[0.02, 0.1])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "8", now=e2e.NOON)
        for k in (1, 2):
            e2e.wait_for(lambda: len(dt.server_requests(brief=True)) >= n * k // 3, 60, step=0.02)
            self.rx.kill9()
            time.sleep(0.5)
            self.rx.start()
        out, err = p.communicate(timeout=150)
        self.assertEqual(p.returncode, 0, err.decode())
        ids = [a["dispatch_id"] for a in e2e.latest_call_attempts(db).values()]
        t = self.wait_delivered(ids)
        self.assertGreater(t["statuses"].get("0", 0), 0, "the kills cost no delivery: %s" % t["statuses"])
        self.check_results(db, t, rows_n=n)
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)

    def test_awaiting_not_redialed(self):
        """Rows whose results have not arrived yet are never redialed; once
        they arrive, exactly the undelivered ones are."""
        n = 40
        listp, db, nums = e2e.make_journal(self.tmp, n)
        secret, sf = e2e.write_secret(self.tmp)
        self.rx = e2e.Receiver(self.tmp, db, sf)
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret, fail_ratio=0.5,
                                                 delay=[0, 0]))
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        ids = [a["dispatch_id"] for a in e2e.latest_call_attempts(db).values()]
        t = self.wait_delivered(ids)
        # A second round with delayed results: redial the undelivered now,
        # while the new calls' results are still on their way.
        dt.SRV.control("PUT", "/webhooks", dict(WEBHOOKS, url=self.rx.url(), secret=secret, fail_ratio=0.5,
                                                 seed=11, delay=[4, 6], orphans=0, other_types=0))
        rows = dt.journal_rows(db)
        fails = sorted(rows[a["line"]]["e164"] for a in e2e.latest_call_attempts(db).values()
                       if t["by_dispatch"][a["dispatch_id"]]["final"]["delivery_status"] == "fail")
        self.assertTrue(fails)
        seq = max((r["seq"] for r in dt.server_requests(brief=True)), default=0)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(sorted(r["number"] for r in calls_since(seq)), fails)
        summ, _ = e2e.report_json(db)
        self.assertEqual(summ["results"]["awaiting_result"], len(fails), summ["results"])
        # Redial again at once: the redialed rows await their results.
        seq = max(r["seq"] for r in dt.server_requests(brief=True))
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(calls_since(seq), [], "rows awaiting a result were redialed")
        # (The fake's truth is of its current session: the redialed calls.)
        latest = e2e.latest_call_attempts(db)
        redialed = [a for a in latest.values() if rows[a["line"]]["e164"] in fails]
        t = self.wait_delivered([a["dispatch_id"] for a in redialed], timeout=60)
        summ, _ = e2e.report_json(db)
        self.assertEqual(summ["results"]["awaiting_result"], 0, summ["results"])
        fails2 = sorted(rows[a["line"]]["e164"] for a in redialed
                        if t["by_dispatch"][a["dispatch_id"]]["final"]["delivery_status"] == "fail")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--redial", "undelivered", "--redial-after", "0",
                               "--rate", "0", now=e2e.NOON)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(sorted(r["number"] for r in calls_since(seq)), fails2)
        rc, err = self.rx.stop()
        self.assertEqual(rc, 0, err)


def histogram(res, column):
    """The report's histogram of column as {value: count}, whatever the
    shape: {"call_output": {v: n}} or [{"value": v, "count": n}] under
    call_output / histograms.call_output."""
    h = res.get(column)
    if h is None:
        h = (res.get("histograms") or {}).get(column)
    if h is None and column == "sentiment":
        h = res.get("sentiment_output")
    if isinstance(h, dict):
        return {k: int(v) for k, v in h.items()}
    if isinstance(h, list):
        out = {}
        for e in h:
            if isinstance(e, dict):
                out[e.get("value")] = int(e.get("count", e.get("n", 0)))
            else:
                out[e[0]] = int(e[1])
        return out
    raise AssertionError("no %s histogram in the report's results: %s" % (column, res))


if __name__ == "__main__":
    sys.exit(e2e.main(sys.argv))
