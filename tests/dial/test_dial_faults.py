#!/usr/bin/env python3
"""A 1,000-row campaign against the fake call API with ~20% of the requests
hit by a fault of every kind (throttled, 5xx, timeouts, dropped connections,
calls placed behind a lost answer, 422, refused connections): every row ends
in a final state that matches what the server saw, and no number is called
twice. Then a resume sends nothing for a final row, and --retry-unknown
re-sends the unknown rows only.

usage: test_dial_faults.py PATH/TO/phonenorm
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402

# Throttling pauses the whole run (the API asked the client to slow down):
# Retry-After 0 for most, so that the test stays short.
KINDS = {"429": 3, "429-date": 0.5, "503": 1, "503-ra": 1, "500": 2, "502": 1, "504": 1,
         "timeout": 1, "drop": 2, "accept-drop": 2, "422": 3, "refuse": 0.4}
PACING = ["--rate", "0", "--concurrency", "8", "--max-retries", "8", "--retry-cap", "1", "--max-attempts", "0",
          "--timeout", "2"]


class FaultMix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = dt.Tmp()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def make_list(self):
        """950 clean numbers (some written nationally), 20 invalid, 20
        duplicates, 10 suppressed: 1,000 rows."""
        rows, self.expect = [], {"invalid": 0, "duplicate": 0, "suppressed": 0}
        suppress = []
        for i in range(950):
            n = dt.sa_number(i)
            rows.append(["C%04d" % i, "Name %d" % i, dt.local_sa(n) if i % 7 == 0 else n])
        for i in range(20):
            rows.insert(50 * i + 3, ["X%02d" % i, "Bad %d" % i, ["12345", "not a number", "+96612"][i % 3]])
            self.expect["invalid"] += 1
        for i in range(20):
            rows.insert(50 * i + 20, ["D%02d" % i, "Dup %d" % i, dt.local_sa(dt.sa_number(i * 40))])
            self.expect["duplicate"] += 1
        for i in range(10):
            n = dt.sa_number(2000 + i)
            suppress.append(n)
            rows.insert(97 * i + 11, ["S%02d" % i, "Sup %d" % i, n])
            self.expect["suppressed"] += 1
        self.listp = self.tmp.path("list.csv")
        dt.write_csv(self.listp, ["id", "name", "phone"], rows)
        self.supp = self.tmp.path("dnc.txt")
        with open(self.supp, "w") as f:
            f.write("\n".join(suppress) + "\n")
        self.db = self.tmp.path("campaign.db")
        return len(rows)

    def test_faults_then_resume_then_retry_unknown(self):
        n = self.make_list()
        self.assertEqual(n, 1000)
        dt.SRV.reset()
        dt.set_mode(share=0.2, seed=9, kinds=KINDS, retry_after="0", timeout_delay=3.5, outage=0.3,
                    ambiguous_effect=0.5)
        t = time.monotonic()
        rc, out, err = dt.dial(self.listp, self.db, "-c", "SA", "--suppress", self.supp, *PACING, "-q")
        print("first run: %.1f s, %s" % (time.monotonic() - t, dt.counts(self.db)))
        dt.settle()
        reqs = dt.server_requests()
        faults = {r["fault"] for r in reqs if r["fault"]}
        self.assertEqual(faults, set(KINDS), "the run did not meet every fault kind")
        hit = sum(1 for r in reqs if r["fault"])
        self.assertGreater(hit, 120, "fewer faults than asked")
        self.assertEqual(rc, 1, "some rows are rejected or unknown: exit 1\n" + out + err)
        problems = dt.check_campaign(self.db, reqs, rows_in_list=1000)
        self.assertEqual(problems, [], "\n".join(problems[:30]))
        c = dt.counts(self.db)
        for k, v in self.expect.items():
            self.assertEqual(c.get(k, 0), v, "%s rows: %s" % (k, c))
        self.assertEqual(c.get("pending", 0) + c.get("waiting", 0) + c.get("sending", 0), 0, c)
        self.assertGreater(c.get("unknown", 0), 10, c)
        self.assertGreater(c.get("rejected", 0), 10, c)
        self.assertGreater(c.get("accepted", 0), 700, c)
        # No never-dialled number reached the server; a dialled number it
        # never saw was caught by an outage (refused, or reset as the port
        # closed: checked above) and is failed or unknown.
        jrows = dt.journal_rows(self.db).values()
        dialled = {r["e164"] for r in jrows if r["state"] not in dt.NEVER_DIALLED}
        received = {r["number"] for r in reqs}
        self.assertLessEqual(received, dialled)
        missing = {r["e164"]: r["state"] for r in jrows if r["e164"] in dialled - received}
        self.assertTrue(set(missing.values()) <= {"unknown", "failed"}, missing)
        self.assertLess(len(missing), 20, missing)

        # The report says the same as the journal.
        rc, out, err = dt.report(self.db, "--json", "-")
        self.assertEqual(rc, 0, err)
        before = dt.journal_rows(self.db)

        # A resume: final rows are never sent again.
        dt.SRV.control("DELETE", "/mode")
        seen = len(reqs)
        rc, out, err = dt.dial(self.listp, self.db, "-c", "SA", "--suppress", self.supp, *PACING, "-q")
        self.assertIn(rc, (0, 1), out + err)
        print("resume: %s" % dt.counts(self.db))
        reqs2 = dt.server_requests()
        rows = dt.journal_rows(self.db)
        attempts = {a["dispatch_id"]: a for a in dt.journal_attempts(self.db)}
        for r in reqs2[seen:]:
            line = attempts[r["dispatch_id"]]["line"] if r["dispatch_id"] in attempts else None
            self.assertIsNotNone(line, r)
            self.assertIn(before[line]["state"], ("failed", "pending"),
                          "row %d (%s) was sent again by a resume" % (line, before[line]["state"]))
        for line, row in before.items():
            if row["state"] in ("accepted", "rejected", "unknown") or row["state"] in dt.NEVER_DIALLED:
                self.assertEqual(rows[line]["state"], row["state"], line)
                self.assertEqual(rows[line]["call_id"], row["call_id"], line)
        problems = dt.check_campaign(self.db, reqs2, rows_in_list=1000)
        self.assertEqual(problems, [], "\n".join(problems[:30]))

        # --retry-unknown: exactly the unknown rows go out again, once each.
        unknown = {line for line, r in rows.items() if r["state"] == "unknown"}
        seen = len(reqs2)
        rc, out, err = dt.dial(self.listp, self.db, "-c", "SA", "--suppress", self.supp, *PACING, "-q",
                               "--retry-unknown")
        self.assertEqual(rc, 1, "rejected rows remain: exit 1\n%s\n%s%s" % (dt.counts(self.db), out, err))
        reqs3 = dt.server_requests()
        attempts = {a["dispatch_id"]: a for a in dt.journal_attempts(self.db)}
        again = [attempts[r["dispatch_id"]]["line"] for r in reqs3[seen:]]
        self.assertEqual(sorted(again), sorted(unknown))
        problems = dt.check_campaign(self.db, reqs3, rows_in_list=1000, retry_unknown=True)
        self.assertEqual(problems, [], "\n".join(problems[:30]))
        c = dt.counts(self.db)
        self.assertEqual(c.get("unknown", 0), 0, c)

    def test_late_answer_then_retry_unknown(self):
        """A call the server accepts after the client gave up (--timeout) is
        unknown; --retry-unknown calls it again and the row is accepted with
        the second call's id. The journal's check must take the retry as the
        row's last call although its started_at is the earlier one: the test
        clock (PHONENORM_TEST_NOW) starts every run at the same instant. (The
        fault mix meets this when a loaded machine answers a plain call late:
        dial_faults failed about once in 8 runs under ctest -j2.)"""
        listp = self.tmp.path("late.csv")
        nums = [dt.sa_number(6000 + i) for i in range(30)]
        dt.write_csv(listp, ["id", "phone"], [["L%d" % i, n] for i, n in enumerate(nums)])
        db = self.tmp.path("late.db")
        dt.SRV.reset()
        dt.SRV.control("POST", "/faults", [{"number": nums[-1], "delay": 2.5}])
        args = ["-c", "SA", "--rate", "0", "--concurrency", "1", "--timeout", "1", "-q"]
        rc, out, err = dt.dial(listp, db, *args)
        self.assertEqual(rc, 1, out + err)
        dt.settle()
        self.assertEqual(dt.counts(db), {"accepted": 29, "unknown": 1})
        late = [r for r in dt.server_requests() if r["number"] == nums[-1]]
        self.assertEqual([r["status"] for r in late], [201], late)
        rc, out, err = dt.dial(listp, db, *args, "--retry-unknown")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(dt.counts(db), {"accepted": 30})
        attempts = dt.journal_attempts(db)
        mine = [a for a in attempts if a["line"] == attempts[-1]["line"]]
        self.assertEqual([a["run_id"] for a in mine], [1, 2], mine)
        self.assertGreater(mine[0]["started_at"], mine[1]["started_at"], mine)
        self.assertEqual(dt.check_campaign(db, retry_unknown=True), [])

    def test_checker_has_teeth(self):
        """The journal/server comparison flags each broken promise: a wrong
        call id, a placed call whose row would be called again, a request
        the journal has no attempt for, a second 201 for one number, a 422
        without its detail, a row left 'sending'."""
        import sqlite3
        listp = self.tmp.path("teeth.csv")
        dt.write_csv(listp, ["id", "phone"], [["T%d" % i, dt.sa_number(5000 + i)] for i in range(40)])
        db = self.tmp.path("teeth.db")
        dt.SRV.reset()
        dt.set_mode(share=0.5, seed=4, kinds={"accept-drop": 1, "422": 1})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "-q")
        self.assertEqual(rc, 1, out + err)
        reqs = dt.server_requests()
        self.assertEqual(dt.check_campaign(db, reqs), [])
        rows = dt.journal_rows(db)
        acc = next(l for l, r in rows.items() if r["state"] == "accepted")
        unk = next(l for l, r in rows.items() if r["state"] == "unknown")
        rej = next(l for l, r in rows.items() if r["state"] == "rejected")
        cases = [
            ("UPDATE rows SET call_id = 'call-forged' WHERE line = %d" % acc, "call_id"),
            ("UPDATE rows SET state = 'pending' WHERE line = %d" % unk, "would be called again"),
            ("DELETE FROM attempts WHERE line = %d" % acc, "durably marked"),
            ("UPDATE rows SET detail = 'x', http_status = 422 WHERE line = %d; "
             "UPDATE attempts SET detail = 'x' WHERE line = %d" % (rej, rej), "server's detail"),
            ("UPDATE rows SET state = 'sending' WHERE line = %d" % acc, "left 'sending'"),
            ("UPDATE rows SET state = 'failed' WHERE line = %d" % acc, "its row %d is failed" % acc),
        ]
        for sql, want in cases:
            with self.subTest(sql=sql):
                copy = self.tmp.path("teeth-%d.db" % cases.index((sql, want)))
                src, dst = sqlite3.connect(db), sqlite3.connect(copy)
                src.backup(dst)
                src.close()
                dst.executescript(sql)
                dst.close()
                problems = dt.check_campaign(copy, reqs)
                self.assertTrue(any(want in p for p in problems), problems)
        twice = dict(next(r for r in reqs if r["status"] == 201), seq=10 ** 6, dispatch_id="forged-id")
        problems = dt.check_campaign(db, reqs + [twice])
        self.assertTrue(any("accepted 2 times" in p for p in problems), problems)
        self.assertTrue(any("forged-id" in p and "durably marked" in p for p in problems), problems)


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
