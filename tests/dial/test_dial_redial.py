#!/usr/bin/env python3
"""`phonenorm dial --redial undelivered [--redial-after DURATION]`: a list
dialled live against the fake call API, phone_call.ended results written
into the journal through the library's receiver, then redial runs under a
moved test clock (PHONENORM_TEST_NOW). Checked against the server's record
of the calls it received: exactly the rows whose latest call was not
delivered and whose gap has passed are called again, never the ones
awaiting a result or delivered; --max-attempts, --redial-after and the
calling window apply; a dry run changes nothing and says what is due.

usage: test_dial_redial.py PATH/TO/phonenorm PATH/TO/record_events
"""
import calendar
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402
import looptest as lt  # noqa: E402

T0 = dt.MONDAY_RIYADH_NOON       # 09:00Z, 12:00 in Riyadh (window 10:00-16:00 sun-thu)


def at(hhmm):
    """An ISO instant on T0's day."""
    return "2026-03-09T%s:00Z" % hhmm


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def content(db):
    """Every table of the journal, row by row (the file's bytes are no measure:
    SQLite's last connection to close checkpoints the WAL into it)."""
    out = {}
    with dt._connect(db) as c:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for n in names:
            out[n] = sorted(tuple(r) for r in c.execute('SELECT * FROM "%s"' % n))
    return out


class Redial(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()
        self.list = self.tmp.path("l.csv")
        dt.write_csv(self.list, ["id", "phone"], [["R%d" % i, dt.sa_number(i)] for i in range(8)])
        self.db = self.tmp.path("c.db")
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--rate", "0", now=T0)
        self.assertEqual(rc, 0, err)
        self.rows = dt.journal_rows(self.db)
        self.lines = sorted(self.rows)
        self.num = {i: self.rows[line]["e164"] for i, line in enumerate(self.lines)}
        # 0-2 not delivered (09:01Z), 3 not delivered later (09:30Z),
        # 4-5 delivered, 6-7 no result yet.
        self.results({0: "fail", 1: "fail", 2: "fail", 4: "pass", 5: "pass"}, at("09:01"))
        self.results({3: "fail"}, at("09:30"))
        self.seen = len(dt.server_requests(brief=True))

    def tearDown(self):
        self.tmp.cleanup()

    def results(self, which, when):
        calls = lt.latest_calls(self.db)
        ev = []
        for i, delivery in which.items():
            line = self.lines[i]
            ev.append((lt.svix_id(), epoch(when),
                       lt.ended(calls[line]["dispatch_id"], self.num[i], delivery,
                                duration=40 if delivery == "pass" else 0)))
        self.assertEqual(lt.record(self.db, ev), ["applied"] * len(ev))

    def called(self):
        """{row index: calls received since the last look}."""
        reqs = dt.server_requests(brief=True)
        nums = lt.call_numbers(reqs[self.seen:])
        self.seen = len(reqs)
        back = {v: k for k, v in self.num.items()}
        out = {}
        for n in nums:
            out[back[n]] = out.get(back[n], 0) + 1
        return out

    def check_journal(self):
        """The journal against the server (dt.check_campaign forbids two calls
        to one number, which a redial makes on purpose): every call attempt
        reached the server once with its dispatch id and got a 201, and each
        row's attempts count its calls."""
        reqs = [r for r in dt.server_requests(brief=True) if r["path"].endswith(dt.CALL_SUFFIX)]
        by_id = {r["dispatch_id"]: r for r in reqs}
        self.assertEqual(len(by_id), len(reqs), "a dispatch id was sent twice")
        rows = dt.journal_rows(self.db)
        per_line = {}
        for a in dt.journal_attempts(self.db):
            if a["step"] != "call":
                continue
            per_line[a["line"]] = per_line.get(a["line"], 0) + 1
            r = by_id.get(a["dispatch_id"])
            self.assertIsNotNone(r, "attempt %s never reached the server" % a["dispatch_id"])
            self.assertEqual((r["number"], r["status"], a["outcome"]),
                             (rows[a["line"]]["e164"], 201, "accepted"))
        for line, row in rows.items():
            self.assertEqual(row["attempts"], per_line.get(line, 0), "line %d" % line)
            self.assertEqual(row["state"], "accepted", "line %d" % line)

    def redial(self, now, *args, live=True):
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--rate", "0", "--json",
                               "--redial", "undelivered", *args, now=now, live=live)
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        return rc, lines, err

    def test_usage_errors(self):
        for args, text in ((["--redial-after", "2h"], "--redial undelivered"),
                           (["--redial", "everything"], "'undelivered'"),
                           (["--redial", "undelivered", "--redial-after", "5x"], "duration"),
                           (["--redial", "undelivered", "--redial-after", "2"], "duration"),
                           (["--redial", "undelivered", "--redial-after", "1.5h"], "duration"),
                           (["--redial", "undelivered", "--redial-after", "-1h"], "duration"),
                           (["--redial", "undelivered", "--redial-after", "h"], "duration"),
                           (["--redial", "undelivered", "--redial-after", "400d"], "365 days"),
                           (["--redial"], "needs an argument")):
            rc, out, err = dt.dial(self.list, self.db, "-c", "SA", *args, now=at("11:02"))
            self.assertEqual(rc, 2, (args, out, err))
            self.assertIn(text, err, args)
        self.assertEqual(self.called(), {}, "a usage error sent something")
        for d in ("90s", "30m", "2h", "1d", "0"):
            rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--redial", "undelivered",
                                   "--redial-after", d, now=at("11:02"), live=False)
            self.assertEqual(rc, 0, (d, err))
        rc, out, err = dt.dial(self.list, self.db, "--help", live=False)
        self.assertIn("--redial undelivered", out)
        self.assertIn("--redial-after DURATION", out)

    def test_dry_run_counts_and_changes_nothing(self):
        before = content(self.db)
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--redial", "undelivered",
                               "--redial-after", "2h", now=at("11:02"), live=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("redial:       3 undelivered rows due now, 1 not before "
                      "2026-03-09T11:30:00Z\n", out)
        self.assertRegex(out, r"to call: +3\n")
        self.assertRegex(out, r"\n  accepted: 5\n")
        rc, plan, err = self.redial(at("11:02"), "--redial-after", "2h", live=False)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(plan), 1)
        p = plan[0]
        self.assertEqual(p["redial"], {"due": 3, "later": 1, "next_due_at": "2026-03-09T11:30:00Z",
                                       "after_s": 7200})
        self.assertEqual((p["to_call"], p["done"]), (3, 5))
        self.assertEqual(sorted(r["line"] for r in p["requests"]),
                         sorted(self.lines[i] for i in range(3)))
        # The default gap is 1 hour: 09:30Z + 1h is past at 11:02Z.
        rc, plan, err = self.redial(at("11:02"), live=False)
        self.assertEqual(plan[0]["redial"]["due"], 4)
        # Without --redial nothing is due.
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--json", now=at("11:02"),
                               live=False)
        self.assertEqual(json.loads(out)["redial"], None)
        self.assertEqual(json.loads(out)["to_call"], 0)
        self.assertEqual(content(self.db), before, "a dry run changed the journal")
        self.assertEqual(self.called(), {}, "a dry run sent something")

    def test_redial_loop(self):
        # 11:02Z, gap 2h: rows 0-2 are due, row 3 (09:30Z) is not yet.
        rc, ev, err = self.redial(at("11:02"), "--redial-after", "2h")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.called(), {0: 1, 1: 1, 2: 1})
        self.assertIn({"event": "redial", "rows": 3}, ev)
        self.assertEqual(ev[-1]["event"], "summary")
        self.assertEqual(ev[-1]["redialed"], 3)
        rows = dt.journal_rows(self.db)
        for i in range(3):
            r = rows[self.lines[i]]
            self.assertEqual((r["state"], r["attempts"], r["delivery_status"]), ("accepted", 2, None),
                             "row %d after its redial awaits the new call's result" % i)
        self.check_journal()
        # Gap 0: row 3 is due at once; the new calls of 0-2 await their results.
        rc, ev, err = self.redial(at("11:03"), "--redial-after", "0")
        self.assertEqual(rc, 0, err)
        self.assertEqual(ev[-1]["redialed"], 1)
        self.assertEqual(self.called(), {3: 1},
                         "gap 0 calls row 3 (not delivered) and nothing awaiting")
        # The second calls of 0 and 1 are not delivered again, 2's is.
        self.results({0: "fail", 1: "fail", 2: "pass"}, at("11:05"))
        # --max-attempts 2: rows 0 and 1 used theirs.
        rc, plan, err = self.redial(at("11:40"), "--redial-after", "30m", "--max-attempts", "2",
                                    live=False)
        self.assertEqual(plan[0]["redial"]["due"], 0, plan)
        self.assertEqual(plan[0]["redial"]["later"], 0, plan)
        rc, ev, err = self.redial(at("11:40"), "--redial-after", "30m", "--max-attempts", "2")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.called(), {})
        # --max-attempts 3, gap 2h: 11:05Z + 2h is 13:05Z.
        rc, plan, err = self.redial(at("11:41"), "--redial-after", "2h", "--max-attempts", "3",
                                    live=False)
        self.assertEqual(plan[0]["redial"], {"due": 0, "later": 2,
                                             "next_due_at": "2026-03-09T13:05:00Z",
                                             "after_s": 7200})
        rc, ev, err = self.redial(at("11:41"), "--redial-after", "2h", "--max-attempts", "3")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.called(), {})
        # Gap 30m: both go out, their third attempt.
        rc, ev, err = self.redial(at("11:42"), "--redial-after", "30m", "--max-attempts", "3")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.called(), {0: 1, 1: 1})
        self.assertEqual(ev[-1]["redialed"], 2)
        rows = dt.journal_rows(self.db)
        self.assertEqual([rows[self.lines[i]]["attempts"] for i in range(8)],
                         [3, 3, 2, 2, 1, 1, 1, 1])
        # Rows 6 and 7 (no result) and 4, 5 (delivered) were never called again.
        self.check_journal()

    def test_calling_window_applies(self):
        # 14:00Z is 17:00 in Riyadh: the window (10:00-16:00) is closed.
        rc, ev, err = self.redial(at("14:00"), "--redial-after", "1h", "--no-wait")
        self.assertEqual(rc, 5, err)
        self.assertEqual(ev[-1]["redialed"], 4)
        self.assertEqual(self.called(), {}, "called outside the calling window")
        rows = dt.journal_rows(self.db)
        self.assertEqual(sorted(rows[self.lines[i]]["state"] for i in range(4)), ["waiting"] * 4)
        # Next morning (Tuesday 07:00Z = 10:00 Riyadh) a plain run calls them.
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--rate", "0",
                               now="2026-03-10T07:00:00Z")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.called(), {0: 1, 1: 1, 2: 1, 3: 1})

    def test_text_output(self):
        rc, out, err = dt.dial(self.list, self.db, "-c", "SA", "--rate", "0", "--redial",
                               "undelivered", now=at("11:02"))
        self.assertEqual(rc, 0, err)
        self.assertIn("--redial undelivered: 4 rows whose call was not delivered are called again",
                      err)
        self.assertIn("; 4 rows redialed)", err)


if __name__ == "__main__":
    sys.exit(lt.main(sys.argv))
