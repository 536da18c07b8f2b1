#!/usr/bin/env python3
"""`phonenorm report` with call results: a list dialled live against the fake
call API, phone_call.ended events written into the journal through the
library's receiver (delivered, not delivered, out of order, a redelivery,
orphans, another event type, refused deliveries), then the report's text
summary, its --summary-json "results" object and the --csv/--json exports
must say exactly what was written.

usage: test_report_results.py PATH/TO/phonenorm PATH/TO/record_events
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402
import looptest as lt  # noqa: E402

RESULT_COLUMNS = ["delivery_status", "provider_status", "duration", "ended_reason", "call_output",
                  "sentiment", "provider_call_id", "result_at", "result_event"]


def iso_ms(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


class ReportResults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = dt.Tmp()
        dt.SRV.reset()
        cls.list = cls.tmp.path("l.csv")
        rows = [["R%d" % i, "First%d" % i, dt.sa_number(i)] for i in range(12)]
        rows.append(["BAD", "x", "12345"])
        dt.write_csv(cls.list, ["id", "first_name", "phone"], rows)
        cls.db = cls.tmp.path("c.db")
        rc, out, err = dt.dial(cls.list, cls.db, "-c", "SA", "--rate", "0", "--json")
        assert rc == 0, (rc, out, err)
        cls.calls = lt.latest_calls(cls.db)          # line -> attempt
        cls.rows = dt.journal_rows(cls.db)
        lines = sorted(cls.calls)
        assert len(lines) == 12, lines
        cid = dt.journal_meta(cls.db)["campaign_id"]
        t0 = int(time.time()) - 600
        ev, cls.final = [], {}                       # line -> the payload that wins

        def add(i, delivery, dur, out_label, sent, ts, sid=None):
            line = lines[i]
            p = lt.ended(cls.calls[line]["dispatch_id"], cls.rows[line]["e164"], delivery,
                         duration=dur, call_output=out_label, sentiment=sent, campaign=cid)
            sid = sid or lt.svix_id()
            ev.append((sid, ts, p))
            return sid, ts, p

        # 0-4 delivered, 5-7 not delivered.
        labels = ["INTERESTED", "INTERESTED", "CALLBACK", "INTERESTED", "NOT_INTERESTED"]
        sents = ["POSITIVE", "NEUTRAL", "NEUTRAL", "POSITIVE", "NEGATIVE"]
        for i in range(5):
            sid, ts, p = add(i, "pass", 30 + 10 * i, labels[i], sents[i], t0 + i)
            cls.final[lines[i]] = (sid, ts, p)
        for i in range(5, 8):
            sid, ts, p = add(i, "fail", 0, "NO_ANSWER", "NEUTRAL", t0 + i,)
            cls.final[lines[i]] = (sid, ts, p)
        # 8: out of order: the later event (delivered) arrives first, the
        # earlier one (not delivered) after it and loses.
        late = add(8, "pass", 95, "CALLBACK", "POSITIVE", t0 + 100)
        add(8, "fail", 0, "NO_ANSWER", "NEUTRAL", t0 + 8)
        cls.final[lines[8]] = late
        # 9: delivered, and the same delivery again (a retry: same svix-id).
        first = add(9, "pass", 12, "INTERESTED", "NEUTRAL", t0 + 9)
        ev.append((first[0], t0 + 9 + 30, first[2]))
        cls.final[lines[9]] = first
        # 10, 11: no event yet (awaiting). Orphans and another type:
        for k in range(2):
            ev.append((lt.svix_id(), t0 + 20 + k,
                       lt.ended("00000000-0000-4000-8000-00000000000%d" % k, "+966500000000",
                                "pass", duration=7, call_output="ELSEWHERE")))
        ev.append((lt.svix_id(), t0 + 30, {"type": "phone_call.started",
                                           "data": {"numberTo": cls.rows[lines[10]]["e164"]}}))
        ev += [("!refused", "bad_signature"), ("!refused", "bad_signature"), ("!refused", "stale_timestamp")]
        cls.outcomes = lt.record(cls.db, ev)
        cls.lines = lines

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_receiver_outcomes(self):
        self.assertEqual(self.outcomes,
                         ["applied"] * 8 + ["applied", "superseded"] + ["applied", "duplicate"]
                         + ["orphan", "orphan", "other_type"])

    def expected(self):
        finals = list(self.final.values())
        delivered = sum(1 for _, _, p in finals if p["deliveryStatus"] == "pass")
        hist_out, hist_sent = {}, {}
        for _, _, p in finals:
            hist_out[p["callOutput"]] = hist_out.get(p["callOutput"], 0) + 1
            hist_sent[p["sentimentOutput"]] = hist_sent.get(p["sentimentOutput"], 0) + 1
        talk = sum(p["duration"] for _, _, p in finals)
        return {"accepted": 12, "delivered": delivered, "not_delivered": len(finals) - delivered,
                "awaiting_result": 12 - len(finals), "talk_time_s": talk,
                "average_talk_time_s": round(talk / delivered, 1),
                "events": 14, "orphans": 2, "other_types": 1,
                "call_output": hist_out, "sentiment": hist_sent,
                "refused": {"bad_signature": 2, "stale_timestamp": 1}, "refused_total": 3}

    def test_summary_json(self):
        rc, out, err = dt.report(self.db, "--summary-json", "-", "-q")
        self.assertEqual(rc, 0, err)
        s = json.loads(out)
        self.assertEqual(s["rows"], 13)
        self.assertEqual(s["states"]["accepted"], 12)
        self.assertEqual(s["states"]["invalid"], 1)
        self.assertEqual(s["schema_version"], 2)
        exp = self.expected()
        self.assertEqual(s["results"], exp)
        self.assertEqual(exp["delivered"], 7)
        self.assertEqual(exp["not_delivered"], 3)
        self.assertEqual(exp["awaiting_result"], 2)
        # Histogram order: count descending, then value.
        self.assertEqual(list(s["results"]["call_output"]),
                         sorted(exp["call_output"], key=lambda k: (-exp["call_output"][k], k)))

    def test_text_summary(self):
        rc, out, err = dt.report(self.db)
        self.assertEqual(rc, 0, err)
        exp = self.expected()
        self.assertRegex(out, r"results: +of 12 accepted calls")
        self.assertRegex(out, r"\n  delivered +7\n")
        self.assertRegex(out, r"\n  not delivered +3\n")
        self.assertRegex(out, r"\n  awaiting result +2\n")
        self.assertIn("(%d s), %.1f s per delivered call" % (exp["talk_time_s"],
                                                               exp["average_talk_time_s"]), out)
        for label, n in exp["call_output"].items():
            self.assertRegex(out, r"\n    %s +%d\n" % (label, n))
        for label, n in exp["sentiment"].items():
            self.assertRegex(out, r"\n    %s +%d\n" % (label, n))
        self.assertIn("callOutput:\n", out)
        self.assertIn("sentiment:\n", out)
        self.assertIn("events:    14 kept (orphans, matching no call of this journal: 2; "
                      "other event types: 1)\n", out)
        self.assertIn("refused:   3 deliveries", out)
        self.assertRegex(out, r"\n    bad_signature +2  \(last ")
        self.assertRegex(out, r"\n    stale_timestamp +1  \(last ")

    def check_row(self, line, got, as_json):
        none = None if as_json else ""
        if line not in self.final:
            for c in RESULT_COLUMNS:
                self.assertEqual(got[c], none, "line %d %s" % (line, c))
            return
        sid, ts, p = self.final[line]
        want = {"delivery_status": p["deliveryStatus"], "provider_status": p["providerStatus"],
                "duration": p["duration"] if as_json else str(p["duration"]),
                "ended_reason": p["endedReason"], "call_output": p["callOutput"],
                "sentiment": p["sentimentOutput"], "provider_call_id": p["providerCallId"],
                "result_at": iso_ms(ts * 1000), "result_event": sid}
        self.assertEqual({c: got[c] for c in RESULT_COLUMNS}, want, "line %d" % line)

    def test_exports_carry_the_result_columns(self):
        csvp, jsonp = self.tmp.path("out.csv"), self.tmp.path("out.jsonl")
        rc, out, err = dt.report(self.db, "--csv", csvp, "--json", jsonp, "-q")
        self.assertEqual(rc, 0, err)
        with open(csvp) as f:
            text = f.read()
        header = text.split("\n", 1)[0].split(",")
        self.assertEqual(header[-9:], RESULT_COLUMNS)
        self.assertEqual(header[:2], ["line", "state"])
        rows = dt.parse_csv(text)
        self.assertEqual(len(rows), 13)
        for r in rows:
            self.check_row(int(r["line"]), r, False)
        with open(jsonp) as f:
            objs = [json.loads(x) for x in f]
        self.assertEqual(len(objs), 13)
        for o in objs:
            self.assertEqual(list(o)[-9:], RESULT_COLUMNS)
            self.check_row(o["line"], o, True)

    def test_report_is_read_only(self):
        before = dt.journal_rows(self.db)
        rc, out, err = dt.report(self.db, "--summary-json", self.tmp.path("s.json"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(dt.journal_rows(self.db), before)
        with open(self.tmp.path("s.json")) as f:
            self.assertEqual(json.load(f)["results"]["delivered"], 7)
        self.assertIn("results:", out)  # the text summary still on stdout

    def test_summary_json_usage(self):
        rc, out, err = dt.report(self.db, "--summary-json", "-", "--json", "-")
        self.assertEqual(rc, 2)
        self.assertIn("both write to standard output", err)


class NoResults(unittest.TestCase):
    """A journal the receiver never saw: every accepted row awaits a result."""

    def test_all_awaiting(self):
        tmp = dt.Tmp()
        try:
            dt.SRV.reset()
            listp = tmp.path("l.csv")
            dt.write_csv(listp, ["phone"], [[dt.sa_number(100 + i)] for i in range(3)])
            db = tmp.path("n.db")
            rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
            self.assertEqual(rc, 0, err)
            rc, out, err = dt.report(db, "--summary-json", "-", "-q")
            self.assertEqual(rc, 0, err)
            r = json.loads(out)["results"]
            self.assertEqual((r["accepted"], r["delivered"], r["not_delivered"],
                              r["awaiting_result"], r["events"], r["refused_total"]),
                             (3, 0, 0, 3, 0, 0))
            self.assertIsNone(r["average_talk_time_s"])
            self.assertEqual(r["call_output"], {})
            rc, out, err = dt.report(db)
            self.assertRegex(out, r"awaiting result +3\n")
            self.assertNotIn("callOutput:", out)
        finally:
            tmp.cleanup()

    def test_schema_1_journal(self):
        """A journal of the previous release (schema 1, never opened by a
        receiver): read as it is, its accepted calls all await results."""
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "campaign", "data",
                           "journal_v1.db")
        tmp = dt.Tmp()
        try:
            db = tmp.path("v1.db")
            with open(src, "rb") as f, open(db, "wb") as g:
                g.write(f.read())
            rc, out, err = dt.report(db, "--summary-json", "-", "-q")
            self.assertEqual(rc, 0, err)
            s = json.loads(out)
            self.assertEqual(s["schema_version"], 1)
            self.assertGreater(s["states"]["accepted"], 0)
            r = s["results"]
            self.assertEqual((r["accepted"], r["awaiting_result"], r["delivered"], r["events"]),
                             (s["states"]["accepted"], s["states"]["accepted"], 0, 0))
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(lt.main(sys.argv))
