#!/usr/bin/env python3
"""The campaign journal from the outside: a dry run sends nothing and never
creates or changes the journal; another list or other clean options against
a journal are refused; a second dialer on a journal is refused while the
first runs; `phonenorm report` counts equal the journal's and its CSV/JSON
exports carry every row; the token is never in the journal or the output.

usage: test_dial_journal.py PATH/TO/phonenorm
"""
import glob
import hashlib
import json
import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402


def files_of(db):
    """{path: sha256} of the journal and its -wal/-journal files (not -shm:
    SQLite's shared-memory index, which any reader writes read marks into)."""
    out = {}
    for p in glob.glob(glob.escape(db) + "*"):
        if p.endswith("-shm") or (p.endswith("-wal") and os.path.getsize(p) == 0):
            continue  # an empty WAL (a reader leaves one) is no change
        with open(p, "rb") as f:
            out[p] = hashlib.sha256(f.read()).hexdigest()
    return out


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()

    def tearDown(self):
        self.tmp.cleanup()

    def small(self, name="l.csv", count=6, start=0, extra=()):
        listp = self.tmp.path(name)
        rows = [["R%d" % i, "First%d" % i, dt.sa_number(start + i)] for i in range(count)]
        rows += [list(r) for r in extra]
        dt.write_csv(listp, ["id", "first_name", "phone"], rows)
        return listp


class DryRun(Base):
    def test_dry_run_sends_nothing_creates_nothing(self):
        listp = self.small(extra=[["BAD", "x", "12345"], ["DUP", "y", dt.local_sa(dt.sa_number(0))]])
        db = self.tmp.path("dry.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "2", live=False)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(dt.server_requests(), [], "a dry run sent something")
        self.assertEqual(glob.glob(glob.escape(db) + "*"), [], "a dry run created the journal")
        self.assertIn("Bearer ****", out + err)
        self.assertNotIn(dt.TOKEN, out + err)
        self.assertIn(dt.sa_number(0), out, "the first requests are shown")
        self.assertRegex(out, r"to call:\s+6\n")
        self.assertRegex(out, r"skipped:\s+2\n")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "2", "--json", live=False)
        self.assertEqual(rc, 0, out + err)
        plans = [json.loads(l) for l in out.splitlines() if '"plan"' in l]
        self.assertEqual(len(plans), 1, out)
        plan = plans[0]
        self.assertEqual((plan["rows"], plan["to_call"], plan["skipped"], plan["journal_exists"]), (8, 6, 2, False))
        self.assertEqual(plan["skipped_by_reason"].get("duplicate"), 1, plan)
        self.assertEqual(plan["requests"][0]["headers"]["Authorization"], "Bearer ****")
        self.assertEqual(plan["requests"][0]["body"]["numberToCall"], dt.sa_number(0))
        self.assertEqual(dt.server_requests(), [])
        self.assertEqual(glob.glob(glob.escape(db) + "*"), [])

    def test_dry_run_on_existing_journal_changes_nothing(self):
        listp = self.small(count=8)
        db = self.tmp.path("c.db")
        dt.SRV.fault({"status": 500})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 1, out + err)
        dt.SRV.reset()
        rows = dt.journal_rows(db)
        before = files_of(db)
        rc, out, err = dt.dial(listp, db, "-c", "SA", live=False)
        self.assertEqual(rc, 0, out + err)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--retry-unknown", live=False)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(files_of(db), before, "a dry run changed the journal's files")
        self.assertEqual(dt.journal_rows(db), rows)
        self.assertEqual(dt.server_requests(), [])


class Mismatch(Base):
    def test_other_list_or_options_refused(self):
        listp = self.small(count=4)
        db = self.tmp.path("c.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 0, out + err)
        sent = len(dt.server_requests())
        rows = dt.journal_rows(db)
        other = self.small("other.csv", count=4, start=1)
        same_bytes = self.tmp.path("copy.csv")
        shutil.copyfile(listp, same_bytes)
        supp = self.tmp.path("dnc.txt")
        with open(supp, "w") as f:
            f.write(dt.sa_number(2) + "\n")
        cases = [
            ([other, "-c", "SA"], "list"),
            ([listp, "-c", "US"], "option"),
            ([listp, "-c", "SA", "--keep-possible"], "option"),
            ([listp, "-c", "SA", "--types", "mobile"], "option"),
            ([listp, "-c", "SA", "--first-name-column", "id"], "option"),
            ([listp, "-c", "SA", "--tag", "who=first_name"], "option"),
            ([listp, "-c", "SA", "--invoice", "number=id,date=id"], "option"),
        ]
        for args, word in cases:
            with self.subTest(args=args[1:]):
                for live in (True, False):
                    rc, out, err = dt.dial(args[0], db, *args[1:], live=live)
                    self.assertEqual(rc, 2, out + err)
                    self.assertIn(word, err.lower())
                    self.assertIn("c.db", err, "the message names the journal")
        # The list appended to (a new row) is another list too.
        listp_before = self.tmp.path("before.csv")
        shutil.copyfile(listp, listp_before)
        with open(listp, "a") as f:
            f.write("R9,Late,%s\n" % dt.sa_number(50))
        rc, out, err = dt.dial(listp, db, "-c", "SA")
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(len(dt.server_requests()), sent)
        self.assertEqual(dt.journal_rows(db), rows)
        # The same bytes under another name are the same list; pacing,
        # windows and the template may change between runs.
        rc, out, err = dt.dial(same_bytes, db, "-c", "SA", "--rate", "3", "--concurrency", "1",
                               "--window", "09:00-20:00", "--days", "all", "--max-retries", "2",
                               "--template", "550e8400-e29b-41d4-a716-446655440000", "--timeout", "5")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(dt.server_requests()), sent)
        # A do-not-call list that grew is never refused (fix: it used to be
        # taken as other options): it applies to rows still to be called;
        # these are all accepted already, so nothing changes.
        rc, out, err = dt.dial(listp_before, db, "-c", "SA", "--suppress", supp)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(dt.server_requests()), sent)

    def test_changed_do_not_call_list(self):
        """A number added to the --suppress file between runs is never
        called: the run either refuses the changed list (exit 2) or
        suppresses the number. (The journal kept only the number of
        suppressed entries: a file with another number in place of one was
        taken as the same.)"""
        listp = self.small("dnc.csv", count=3, start=700)
        dnc = self.tmp.path("dnc.txt")
        with open(dnc, "w") as f:
            f.write(dt.sa_number(700) + "\n")
        db = self.tmp.path("dnc.db")
        # At night in Riyadh: loaded, nothing sent.
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--suppress", dnc, "--no-wait", now="2026-03-09T00:00:00Z")
        self.assertEqual((rc, dt.counts(db)), (5, {"suppressed": 1, "waiting": 2}), out + err)
        with open(dnc, "w") as f:
            f.write(dt.sa_number(701) + "\n")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--suppress", dnc, "--rate", "0")
        called = [r["number"] for r in dt.server_requests(brief=True)]
        self.assertNotIn(dt.sa_number(701), called, "a number on the do-not-call list was called")
        self.assertIn(rc, (0, 2), out + err)
        # (fix) the run suppresses it, says so, and never un-suppresses 700.
        self.assertEqual(rc, 0, out + err)
        self.assertIn("do-not-call list changed", err)
        self.assertEqual(called, [dt.sa_number(702)])
        self.assertEqual(dt.counts(db), {"suppressed": 2, "accepted": 1})

    def test_same_options_written_differently(self):
        """-c sa is -c SA (clean takes either): the same campaign, not a
        mismatch."""
        listp = self.small("same.csv", count=3)
        db = self.tmp.path("same.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 0, out + err)
        for args in (["--region", "SA"], ["-c", "sa"]):
            with self.subTest(args=args):
                rc, out, err = dt.dial(listp, db, *args, "--rate", "0")
                self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(dt.server_requests()), 3)

    def test_not_a_journal(self):
        listp = self.small(count=2)
        bogus = self.tmp.path("bogus.db")
        with open(bogus, "w") as f:
            f.write("id,phone\n1,2\n")
        rc, out, err = dt.dial(listp, bogus, "-c", "SA")
        self.assertNotEqual(rc, 0)
        self.assertIn("journal", err)
        self.assertEqual(dt.server_requests(), [])
        with open(bogus) as f:
            self.assertEqual(f.read(), "id,phone\n1,2\n", "a file that is not a journal was changed")


class Lock(Base):
    def test_second_dialer_refused(self):
        listp = self.small(count=8)
        db = self.tmp.path("c.db")
        dt.set_mode(latency=[0.4, 0.4])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "1")
        try:
            self.assertTrue(dt.wait_for(lambda: dt.server_requests(brief=True), 30), "the first dialer sent nothing")
            n = len(dt.server_requests(brief=True))
            rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "4", timeout=30)
            self.assertNotEqual(rc, 0, out + err)
            self.assertIn(str(p.pid), err, "the message names the pid holding the journal")
            self.assertIn("c.db", err)
            self.assertLessEqual(len(dt.server_requests(brief=True)), n + 1,
                                 "the second dialer sent requests")
            # A report reads the journal while the dialer runs.
            rc, out, err = dt.report(db)
            self.assertEqual(rc, 0, err)
        finally:
            out, err = p.communicate(timeout=60)
            dt.no_sanitizer_report(err.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 0, out + err)
        self.assertEqual(dt.counts(db), {"accepted": 8})
        problems = dt.check_campaign(db)
        self.assertEqual(problems, [], "\n".join(problems))


class JsonEvents(Base):
    def test_events_match_the_journal(self):
        """--json: one "row" event per ended request, each as the journal
        recorded it; the summary's counters are the journal's."""
        listp = self.small(count=12, extra=[["BAD", "x", "12345"]])
        db = self.tmp.path("j.db")
        dt.SRV.fault({"number": dt.sa_number(1), "status": 500},
                     {"number": dt.sa_number(2), "status": 422},
                     {"number": dt.sa_number(3), "status": 429, "retry_after": "0"})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--json")
        self.assertEqual(rc, 1, out + err)
        events = [json.loads(l) for l in out.splitlines()]
        attempts = {a["dispatch_id"]: a for a in dt.journal_attempts(db)}
        rows = [e for e in events if e["event"] == "row"]
        self.assertEqual(len(rows), len(attempts))
        self.assertEqual(len(rows), len(dt.server_requests()))
        for e in rows:
            a = attempts[e["dispatch_id"]]
            self.assertEqual((e["line"], e["step"], e["outcome"], e["http_status"]),
                             (a["line"], a["step"], a["outcome"], a["http_status"]), e)
        final = dt.journal_rows(db)
        last = {}
        for e in rows:
            last[e["line"]] = e
        for line, e in last.items():
            self.assertEqual(e["state"], final[line]["state"], e)
            self.assertEqual(e.get("call_id"), final[line]["call_id"], e)
        summary = [e for e in events if e["event"] == "summary"]
        self.assertEqual(len(summary), 1, events[-3:])
        c = dt.counts(db)
        for k in ("accepted", "rejected", "unknown", "failed"):
            self.assertEqual(summary[0][k], c.get(k, 0), (k, summary[0]))
        self.assertEqual(summary[0]["exit"], 1)
        self.assertEqual(summary[0]["rows"], 13)


class RetryUnknown(Base):
    """--retry-unknown re-sends unknown rows in ITS run only: rows it did not
    get to (stopped by a signal, a kill, or a closed window with --no-wait)
    are not sent by a later run without --retry-unknown. Their first call
    may have been placed (here it was: the server placed it and dropped the
    answer), so a plain run must leave them unknown."""

    def unknown_campaign(self, name, count=6):
        listp = self.small(name + ".csv", count=count, start=200 + 10 * len(name))
        db = self.tmp.path(name + ".db")
        dt.set_mode(share=1.0, seed=1, kinds={"accept-drop": 1})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual((rc, dt.counts(db)), (1, {"unknown": count}), out + err)
        dt.SRV.control("DELETE", "/mode")
        return listp, db

    def plain_run_sends_nothing_unasked(self, listp, db, resent, *args):
        """resent: the numbers the --retry-unknown run did send again."""
        before = len(dt.server_requests(brief=True))
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", *args)
        again = [r["number"] for r in dt.server_requests(brief=True)[before:]]
        self.assertEqual(again, [], "a run without --retry-unknown called rows whose outcome was unknown")
        states = {r["e164"]: r["state"] for r in dt.journal_rows(db).values()}
        for n, st in states.items():
            if n not in resent:
                self.assertEqual(st, "unknown", n)

    def test_interrupted_by_sigint(self):
        listp, db = self.unknown_campaign("sigint")
        dt.set_mode(latency=[0.2, 0.2])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "1", "--concurrency", "1", "--retry-unknown")
        self.assertTrue(dt.wait_for(lambda: len(dt.server_requests(brief=True)) >= 7, 20))
        p.send_signal(__import__("signal").SIGINT)
        out, err = p.communicate(timeout=60)
        dt.no_sanitizer_report(err.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 130, out + err)
        dt.SRV.control("DELETE", "/mode")
        resent = {r["number"] for r in dt.server_requests(brief=True)[6:]}
        self.plain_run_sends_nothing_unasked(listp, db, resent)

    def test_killed(self):
        listp, db = self.unknown_campaign("killed")
        dt.set_mode(latency=[3.0, 3.0])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "1", "--concurrency", "1", "--retry-unknown")
        self.assertTrue(dt.wait_for(lambda: len(dt.server_requests(brief=True)) >= 7, 20))
        dt.kill9(p)
        dt.settle()
        dt.SRV.control("DELETE", "/mode")
        resent = {r["number"] for r in dt.server_requests(brief=True)[6:]}
        self.plain_run_sends_nothing_unasked(listp, db, resent)

    def test_max_attempts_reached(self):
        """Unknown rows already at --max-attempts are not re-sent by
        --retry-unknown, and end final (unknown, or failed for max attempts),
        not 'pending' for ever (exit 5 on every later run)."""
        listp, db = self.unknown_campaign("maxatt", count=2)
        dt.set_mode(share=1.0, seed=1, kinds={"accept-drop": 1})
        for _ in range(2):
            rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--retry-unknown", "--max-attempts", "3")
            self.assertEqual(rc, 1, out + err)
        self.assertEqual({r["attempts"] for r in dt.journal_rows(db).values()}, {3})
        sent = len(dt.server_requests(brief=True))
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--retry-unknown", "--max-attempts", "3")
        self.assertEqual(len(dt.server_requests(brief=True)), sent, "sent past --max-attempts")
        states = {r["state"] for r in dt.journal_rows(db).values()}
        self.assertLessEqual(states, {"unknown", "failed"}, "rows at --max-attempts: %s" % states)
        self.assertEqual(rc, 1, out + err)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(len(dt.server_requests(brief=True)), sent)
        # Nor does a later run that allows more attempts, without
        # --retry-unknown: each of these rows' three calls may have been placed.
        dt.SRV.control("DELETE", "/mode")
        for more in ("5", "0"):
            rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--max-attempts", more)
            self.assertEqual(len(dt.server_requests(brief=True)), sent,
                             "--max-attempts %s without --retry-unknown re-sent rows whose outcome was unknown" % more)

    def test_throttled_until_failed(self):
        """The --retry-unknown run is throttled until its retries are used
        up: the rows are 'failed', and failed rows are re-queued by later
        runs; a plain run must still not call them."""
        listp, db = self.unknown_campaign("throttled", count=2)
        dt.set_mode(share=1.0, seed=1, kinds={"429": 1}, retry_after="0")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--retry-unknown", "--max-retries", "1",
                               "--max-attempts", "0")
        self.assertEqual(rc, 1, out + err)
        dt.SRV.control("DELETE", "/mode")
        self.plain_run_sends_nothing_unasked(listp, db, set(), "--max-attempts", "0")

    def test_window_closed_no_wait(self):
        listp, db = self.unknown_campaign("night")
        # 03:00 in Riyadh: nothing can be re-sent now.
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--retry-unknown", "--no-wait", now="2026-03-09T00:00:00Z")
        self.assertEqual(rc, 5, out + err)
        # (fix) a plain dry run does not count them to call; with --retry-unknown it does.
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--json", live=False)
        plan = json.loads(out.splitlines()[-1])
        self.assertEqual(plan["to_call"], 0, plan)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--json", "--retry-unknown", live=False)
        plan = json.loads(out.splitlines()[-1])
        self.assertEqual(plan["to_call"], 6, plan)
        self.plain_run_sends_nothing_unasked(listp, db, set())


class Progress(Base):
    def test_progress_on_a_terminal_only(self):
        """The progress line (sent, accepted, failed, unknown, waiting,
        rate, ETA) goes to stderr when it is a terminal, and not otherwise."""
        import pty
        import select
        import subprocess
        listp = self.small("prog.csv", count=8, start=900)
        master, slave = pty.openpty()
        p = subprocess.Popen(dt.dial_args(listp, self.tmp.path("p.db"), "-c", "SA", "--rate", "4"), env=dt.env(),
                             stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    break
                if not data:
                    break
                seen += data
            elif p.poll() is not None:
                break
        p.wait(timeout=60)
        os.close(master)
        p.stdout.close()
        self.assertEqual(p.returncode, 0, seen)
        text = seen.decode("utf-8", "replace")
        for word in ("sent", "accepted", "failed", "unknown", "waiting", "ETA", "/s"):
            self.assertIn(word, text)
        self.assertIn("\r", text)
        rc, out, err = dt.dial(listp, self.tmp.path("q.db"), "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("\r", err)
        self.assertNotIn("ETA", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)


class WriteErrors(Base):
    def test_stdout_full(self):
        """Standard output that takes nothing (/dev/full): exit 3, said on
        stderr; the journal still holds every outcome."""
        import subprocess
        listp = self.small("full.csv", count=4, start=800)
        for args, live in ((["--json"], True), ([], False)):
            with self.subTest(args=args, live=live):
                db = self.tmp.path("full%d.db" % live)
                with open("/dev/full", "wb") as full:
                    p = subprocess.run(dt.dial_args(listp, db, "-c", "SA", "--rate", "0", *args, live=live),
                                       env=dt.env(), stdout=full, stderr=subprocess.PIPE, timeout=60)
                err = dt.no_sanitizer_report(p.stderr.decode("utf-8", "replace"))
                self.assertEqual(p.returncode, 3, err)
                self.assertIn("write error on standard output", err)
                if live:
                    self.assertEqual(dt.check_campaign(db), [])
                    self.assertNotIn("pending", dt.counts(db))
        with open("/dev/full", "wb") as full:
            p = subprocess.run([dt.BIN, "report", self.tmp.path("full1.db")], env=dt.env(), stdout=full,
                               stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 3)


class Report(Base):
    def campaign(self):
        extra = [["BAD", "x", "12345"], ["DUP", "y", dt.local_sa(dt.sa_number(0))],
                 ["Q", "=cmd|' /C calc'!A0", dt.sa_number(40)], ["Z", "Comma, \"Quoted\"", dt.sa_number(41)]]
        listp = self.small(count=10, extra=extra)
        db = self.tmp.path("c.db")
        dt.SRV.fault({"number": dt.sa_number(1), "status": 500},
                     {"number": dt.sa_number(2), "status": 422},
                     {"number": dt.sa_number(3), "status": 429, "retry_after": "0", "times": 20})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--max-retries", "1", "--retry-cap", "1")
        self.assertEqual(rc, 1, out + err)
        return listp, db

    def test_summary_counts(self):
        listp, db = self.campaign()
        want = dt.counts(db)
        self.assertEqual(set(want), {"accepted", "unknown", "rejected", "failed", "invalid", "duplicate"})
        rc, out, err = dt.report(db)
        self.assertEqual(rc, 0, err)
        for state, n in want.items():
            m = re.search(r"^\s*%s\b\D*(\d+)" % state, out, re.M | re.I)
            self.assertTrue(m, "the summary has no %s line:\n%s" % (state, out))
            self.assertEqual(int(m.group(1)), n, "%s:\n%s" % (state, out))
        m = re.search(r"^\s*rows\b\D*(\d+)", out, re.M | re.I)
        self.assertTrue(m and int(m.group(1)) == 14, out)
        self.assertNotIn(dt.TOKEN, out)

    def test_exports_carry_every_row(self):
        listp, db = self.campaign()
        rows = dt.journal_rows(db)
        rc, out, err = dt.report(db, "--csv", "-")
        self.assertEqual(rc, 0, err)
        csv_rows = dt.parse_csv(out)
        self.assertEqual(len(csv_rows), len(rows))
        rc, out, err = dt.report(db, "--json", "-")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out) if out.lstrip().startswith(("[", "{")) and "\n{" not in out.strip() else None
        items = doc if isinstance(doc, list) else \
            (next(v for v in doc.values() if isinstance(v, list)) if isinstance(doc, dict)
             else [json.loads(l) for l in out.splitlines() if l.strip()])
        self.assertEqual(len(items), len(rows))
        for (line, row), c, j in zip(sorted(rows.items()), csv_rows, items):
            self.assertIn(row["state"], c.values(), c)
            self.assertEqual(j.get("state"), row["state"], j)
            self.assertEqual(j.get("line"), line, j)
            if row["e164"]:
                self.assertIn(row["e164"], c.values())
            if row["call_id"]:
                self.assertIn(row["call_id"], c.values())
                self.assertIn(row["call_id"], json.dumps(j))
        # Into files, through temp file + rename; the journal never changes.
        before = files_of(db)
        csvp, jsonp = self.tmp.path("out.csv"), self.tmp.path("out.json")
        rc, out, err = dt.report(db, "--csv", csvp, "--json", jsonp)
        self.assertEqual(rc, 0, err)
        with open(csvp) as f:
            self.assertEqual(len(dt.parse_csv(f.read())), len(rows))
        self.assertEqual(files_of(db), before)
        # An export never overwrites its journal.
        rc, out, err = dt.report(db, "--csv", db)
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(files_of(db), before)

    def test_spreadsheet_safety(self):
        listp = self.small(count=1, extra=[["F1", "x", "=1+1"], ["F2", "y", "@SUM(A1)"]])
        db = self.tmp.path("f.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = dt.report(db, "--csv", "-")
        self.assertEqual(rc, 0, err)
        inputs = [r["input"] for r in dt.parse_csv(out)]
        self.assertEqual(inputs[1:], ["=1+1", "@SUM(A1)"])
        rc, out, err = dt.report(db, "--csv", "-", "--safe-for-spreadsheets")
        self.assertEqual(rc, 0, err)
        inputs = [r["input"] for r in dt.parse_csv(out)]
        self.assertEqual(inputs, [dt.sa_number(0), "'=1+1", "'@SUM(A1)"])

    def test_token_never_stored(self):
        listp, db = self.campaign()
        for p in glob.glob(glob.escape(db) + "*"):
            with open(p, "rb") as f:
                self.assertNotIn(dt.TOKEN.encode(), f.read(), p)

    def test_report_missing_or_bogus(self):
        rc, out, err = dt.report(self.tmp.path("none.db"))
        self.assertEqual(rc, 2, out + err)
        self.assertFalse(os.path.exists(self.tmp.path("none.db")), "report created a journal")

    def test_empty_journal_from_a_kill(self):
        """A kill -9 at the start can leave a 0-byte journal: report says so
        (exit 2, the next live run takes it over), a dry run plans as if
        there were no journal, and the live run takes it over."""
        listp = self.small(count=3)
        db = self.tmp.path("empty.db")
        open(db, "w").close()
        rc, out, err = dt.report(db)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("is empty", err)
        self.assertIn("takes it over", err)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--json", live=False)
        self.assertEqual(rc, 0, out + err)
        plan = json.loads(out.splitlines()[-1])
        self.assertEqual((plan["to_call"], plan["journal_exists"]), (3, False), plan)
        self.assertEqual(os.path.getsize(db), 0, "a dry run changed the journal")
        self.assertEqual(dt.server_requests(), [])
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(dt.server_requests()), 3)
        rc, out, err = dt.report(db)
        self.assertEqual(rc, 0, out + err)


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
