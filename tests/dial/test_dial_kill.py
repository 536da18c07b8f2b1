#!/usr/bin/env python3
"""kill -9 of `phonenorm dial --live` at random points, then resume, again
and again: the server never accepts one number twice (nor places a call
twice), no row is ever left without a state, and every `unknown` row is one
whose request the server received or might have (killed after the durable
'sending' mark).

The number of kill/resume cycles is PHN_DIAL_KILL_CYCLES (default 20, the
suite; tests/dial/soak.sh runs 100), the seed PHN_DIAL_KILL_SEED (default:
random, printed so a failure can be replayed), the list's clean rows
PHN_DIAL_KILL_ROWS (40), --concurrency PHN_DIAL_KILL_CONCURRENCY (4).

usage: test_dial_kill.py PATH/TO/phonenorm
"""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402

CYCLES = int(os.environ.get("PHN_DIAL_KILL_CYCLES", "20"))
SEED = int(os.environ.get("PHN_DIAL_KILL_SEED", str(random.randrange(1 << 30))))
ROWS = int(os.environ.get("PHN_DIAL_KILL_ROWS", "40"))
CONCURRENCY = os.environ.get("PHN_DIAL_KILL_CONCURRENCY", "4")


class KillResume(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        self.rng = random.Random(SEED)
        print("\nPHN_DIAL_KILL_SEED=%d cycles %d" % (SEED, CYCLES), flush=True)

    def tearDown(self):
        self.tmp.cleanup()

    def campaign(self, k, invoice):
        """A fresh small list (and journal) for campaign k."""
        listp, db = self.tmp.path("list%d.csv" % k), self.tmp.path("c%d.db" % k)
        rows = []
        for i in range(ROWS):
            n = dt.sa_number(100000 * (k + 1) + i)
            rows.append(["R%d" % i, "First%d" % i, "Last%d" % i, n, "INV-%d" % i, "2026-01-01",
                         "2026-02-01", "%d.50" % (100 + i)])
        rows.append(["BAD", "x", "y", "12345", "", "", "", ""])
        rows.append(["DUP", "x", "y", dt.local_sa(dt.sa_number(100000 * (k + 1))), "", "", "", ""])
        dt.write_csv(listp, ["id", "first_name", "last_name", "phone", "inv", "inv_date", "due", "total"], rows)
        args = ["-c", "SA", "--rate", "0", "--concurrency", CONCURRENCY, "--max-retries", "20", "--retry-cap", "1", "--max-attempts", "0",
                "--timeout", "2", "-q"]
        if invoice:
            args += ["--invoice", "number=inv,date=inv_date,dueDate=due,total=total"]
        return listp, db, args, len(rows)

    def test_kill_9_and_resume(self):
        cycles_done, campaigns, k = 0, 0, 0
        while cycles_done < CYCLES:
            invoice = k % 3 == 2  # every third campaign runs the contact/invoice/call flow
            listp, db, args, nrows = self.campaign(k, invoice)
            dt.SRV.reset()
            # A fast server with a little latency and a few throttles and
            # lost answers, so kills land before, during and after requests.
            dt.set_mode(latency=[0.0, 0.03], share=0.1, seed=SEED + k,
                        kinds={"429": 2, "503": 1, "500": 1, "accept-drop": 1, "drop": 1},
                        retry_after="0", ambiguous_effect=0.5)
            kills = 0
            while True:
                p = dt.start_dial(listp, db, *args)
                if cycles_done < CYCLES and kills < 6:
                    time.sleep(self.rng.uniform(0.0, 0.8))
                    if p.poll() is None:
                        rc, out, err = dt.kill9(p)
                        kills += 1
                        cycles_done += 1
                        dt.settle()
                        problems = []
                        if os.path.exists(db):
                            # A report reads a journal a dialer died on (first:
                            # before anything recovers its WAL).
                            rc, out, err = dt.report(db)
                            if rc != 0 and not (rc == 2 and "is empty" in err and "takes it over" in err):
                                problems.append("phonenorm report after the kill: exit %d: %s" % (rc, err))
                        problems += self.check(db, nrows, ended=False)
                        self.assertEqual(problems, [], "after kill %d of campaign %d (seed %d):\n%s"
                                         % (kills, k, SEED, "\n".join(problems[:20])))
                        continue
                out, err = p.communicate(timeout=110)
                dt.no_sanitizer_report(err.decode("utf-8", "replace"))
                rc = p.returncode
                if rc in (0, 1):
                    break
                self.fail("dial ended with %d (campaign %d, seed %d):\n%s%s"
                          % (rc, k, SEED, out.decode(), err.decode()))
            dt.settle()
            problems = self.check(db, nrows, ended=True)
            self.assertEqual(problems, [], "campaign %d (seed %d), after %d kills:\n%s"
                             % (k, SEED, kills, "\n".join(problems[:20])))
            rows = dt.journal_rows(db)
            self.assertFalse([l for l, r in rows.items() if r["state"] in ("pending", "sending", "waiting")],
                             "rows left unfinished after a run that ended")
            if invoice:
                self.check_invoice_flow(db)
            campaigns += 1
            k += 1
        print("%d kills over %d campaigns" % (cycles_done, campaigns))

    def check(self, db, nrows, ended):
        if not os.path.exists(db):
            return []  # killed before the journal existed
        try:
            meta = dt.journal_meta(db)
        except dt.sqlite3.OperationalError:
            # Killed as it created the file, before the schema committed: an
            # empty database that the next live run takes over.
            return [] if not dt.server_requests(brief=True) else ["requests sent, journal has no schema"]
        loaded = meta.get("loaded") == "1"
        problems = dt.check_campaign(db, rows_in_list=nrows if loaded else None, ended=ended, killed=True)
        if not loaded and dt.server_requests(brief=True):
            problems.append("requests were sent before the list was wholly in the journal")
        return problems

    def check_invoice_flow(self, db):
        """One contact and at most one invoice per number, however often the run died."""
        truth = dt.SRV.control("GET", "/truth")["numbers"]
        for number, t in truth.items():
            self.assertLessEqual(len(t["contacts_created"]), 1, "%s: %d contacts" % (number, len(t["contacts_created"])))
            self.assertLessEqual(len(t["invoices_created"]), 1, "%s: %d invoices" % (number, len(t["invoices_created"])))


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
