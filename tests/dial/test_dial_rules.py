#!/usr/bin/env python3
"""The dialer's rules, each against the fake call API: a 401/403 mid-run stops
at once, 422 rows carry the server's detail, Retry-After (seconds and HTTP
date, capped) is honoured, retries end in 'failed', the rate limit holds over
any one-second window (server timestamps), SIGTERM lets requests in flight
end and records them.

usage: test_dial_rules.py PATH/TO/phonenorm
"""
import email.utils
import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402


def numbers_list(tmp, name, count, start=0):
    listp = tmp.path(name)
    nums = [dt.sa_number(start + i) for i in range(count)]
    dt.write_csv(listp, ["id", "name", "phone"], [["R%d" % i, "N %d" % i, n] for i, n in enumerate(nums)])
    return listp, nums


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()

    def tearDown(self):
        self.tmp.cleanup()

    def by_number(self, reqs):
        out = {}
        for r in reqs:
            out.setdefault(r["number"], []).append(r)
        return out


class Auth(Base):
    def run_401(self, concurrency):
        listp, nums = numbers_list(self.tmp, "l.csv", 30)
        db = self.tmp.path("c%d.db" % concurrency)
        dt.set_mode(auth_fail_at=10, latency=[0.0, 0.01])
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", str(concurrency))
        dt.settle()
        reqs = dt.server_requests()
        self.assertEqual(rc, 4, "a 401 stops the run with exit 4\n" + out + err)
        first = min(r["seq"] for r in reqs if r["status"] == 401)
        self.assertEqual(first, 10)
        after = [r for r in reqs if r["seq"] > first]
        # Only what was already in flight when the 401 came back may follow it.
        self.assertLessEqual(len(after), concurrency - 1, "requests sent after the 401: %d" % len(after))
        self.assertNotIn(dt.TOKEN, out + err)
        rows = dt.journal_rows(db)
        c = dt.counts(db)
        self.assertEqual(c.get("accepted", 0), sum(1 for r in reqs if r["status"] == 201), c)
        self.assertEqual(c.get("rejected", 0) + c.get("failed", 0) + c.get("unknown", 0), 0,
                         "a 401 is no verdict on the row: %s" % c)
        self.assertEqual(c.get("pending", 0), 30 - c.get("accepted", 0), c)
        problems = dt.check_campaign(db, reqs)
        self.assertEqual(problems, [], "\n".join(problems))
        # The token fixed: the resume calls the rest, each once.
        dt.SRV.control("DELETE", "/mode")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", str(concurrency))
        self.assertEqual(rc, 0, out + err)
        reqs = dt.server_requests()
        self.assertEqual(dt.counts(db), {"accepted": 30})
        problems = dt.check_campaign(db, reqs)
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertEqual(sorted(n for n, rs in self.by_number(reqs).items()
                                if any(r["status"] == 201 for r in rs)), sorted(nums))
        return rows

    def test_401_stops_at_once_serial(self):
        self.run_401(1)

    def test_401_stops_at_once_concurrent(self):
        self.run_401(4)

    def test_403_stops(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 10)
        db = self.tmp.path("c.db")
        dt.SRV.fault({"number": nums[3], "status": 403, "body": {"detail": "Not enough permissions"}})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "1")
        self.assertEqual(rc, 4, out + err)
        reqs = dt.server_requests()
        self.assertEqual(len(reqs), 4)
        self.assertEqual(dt.journal_rows(db)[5]["state"], "pending")

    def test_wrong_token(self):
        listp, _ = numbers_list(self.tmp, "l.csv", 5)
        db = self.tmp.path("c.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--concurrency", "3", token="wrong-token-5678")
        self.assertEqual(rc, 4, out + err)
        self.assertLessEqual(len(dt.server_requests()), 3)
        self.assertNotIn("wrong-token-5678", out + err)


class Rejected(Base):
    def test_422_detail_in_journal_and_report(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 6)
        db = self.tmp.path("c.db")
        detail = [{"type": "value_error", "loc": ["body", "numberToCall"],
                   "msg": "Value error, this number opted out on the partner side", "input": nums[1]}]
        dt.SRV.fault({"number": nums[1], "status": 422, "body": {"detail": detail}},
                     {"number": nums[4], "status": 400, "body": {"detail": "Campaign quota exhausted"}})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 1, out + err)
        reqs = dt.server_requests()
        per = self.by_number(reqs)
        self.assertEqual(len(per[nums[1]]), 1, "a 422 is final: not retried")
        self.assertEqual(len(per[nums[4]]), 1, "a 400 is final: not retried")
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        self.assertEqual(rows[nums[1]]["state"], "rejected")
        self.assertEqual(rows[nums[1]]["http_status"], 422)
        self.assertIn("this number opted out on the partner side", rows[nums[1]]["detail"])
        self.assertIn("numberToCall", rows[nums[1]]["detail"])
        self.assertEqual(rows[nums[4]]["state"], "rejected")
        self.assertIn("Campaign quota exhausted", rows[nums[4]]["detail"])
        for fmt in ("--csv", "--json"):
            rc, out, err = dt.report(db, fmt, "-")
            self.assertEqual(rc, 0, err)
            self.assertIn("this number opted out on the partner side", out, fmt)
            self.assertIn("Campaign quota exhausted", out, fmt)
        rows_csv = dt.parse_csv(dt.report(db, "--csv", "-")[1])
        hit = [r for r in rows_csv if nums[1] in r.values()]
        self.assertEqual(len(hit), 1)
        self.assertTrue(any("opted out" in v for v in hit[0].values()), hit)
        problems = dt.check_campaign(db, reqs)
        self.assertEqual(problems, [], "\n".join(problems))


class Bodies(Base):
    def test_mapping_into_requests(self):
        """Columns become request fields (names, email, promptTags,
        metadata beside phonenorm's own keys); blank cells are not sent;
        --template, --update-existing, --no-create go with every call; every
        attempt has its own dispatch id and the journal's campaign id."""
        listp = self.tmp.path("map.csv")
        dt.write_csv(listp, ["First Name", "surname", "e-mail", "phone", "amount", "project"], [
            ["Ali", "Saleh", "ali@example.com", dt.sa_number(600), "$500.00", "p-1"],
            ["", "", "", dt.sa_number(601), "", ""],
        ])
        db = self.tmp.path("map.db")
        dt.SRV.fault({"number": dt.sa_number(601), "status": 429, "retry_after": "0"})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--tag", "amount=amount",
                               "--meta", "project_id=project", "--template",
                               "550e8400-e29b-41d4-a716-446655440000", "--update-existing", "--no-create")
        # --no-create: the fake API has no such contacts and answers 404.
        self.assertEqual(rc, 1, out + err)
        reqs = dt.server_requests()
        first = [dict(r["json"]) for r in reqs if r["number"] == dt.sa_number(600)]
        self.assertEqual(len(first), 1)
        meta = first[0].pop("metadata")
        self.assertEqual(first[0], {"numberToCall": dt.sa_number(600), "countryCode": "SA", "firstName": "Ali",
                                    "lastName": "Saleh", "email": "ali@example.com",
                                    "aiSettingsTemplateId": "550e8400-e29b-41d4-a716-446655440000",
                                    "updateExisting": True, "createIfNotExists": False,
                                    "promptTags": {"amount": "$500.00"}})
        campaign = dt.journal_meta(db)["campaign_id"]
        self.assertEqual(meta["project_id"], "p-1")
        self.assertEqual(meta["phonenorm_campaign"], campaign)
        second = [r["json"] for r in reqs if r["number"] == dt.sa_number(601)]
        self.assertEqual(len(second), 2, "429 then the retry")
        for body in second:
            self.assertNotIn("firstName", body)
            self.assertNotIn("promptTags", body)
            self.assertNotIn("project_id", body["metadata"])
        ids = [r["json"]["metadata"]["phonenorm_dispatch_id"] for r in reqs]
        self.assertEqual(len(set(ids)), len(ids), "a dispatch id per attempt")
        attempts = {a["dispatch_id"] for a in dt.journal_attempts(db)}
        self.assertEqual(set(ids), attempts)
        rc, out, err = dt.dial(listp, self.tmp.path("bad.db"), "-c", "SA", "--meta", "phonenorm_dispatch_id=project")
        self.assertEqual(rc, 2, out + err)


class Answers(Base):
    """Every kind of answer to one call (tests/dial/answers.json): the row's
    state, how many requests its number got, its detail; the other row of
    the list is called as usual."""

    def test_answers(self):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "answers.json")) as f:
            cases = json.load(f)
        for i, case in enumerate(cases):
            with self.subTest(fault=case["fault"]):
                dt.SRV.reset()
                listp, nums = numbers_list(self.tmp, "a%d.csv" % i, 2, start=100 * i)
                db = self.tmp.path("a%d.db" % i)
                dt.SRV.fault(dict(case["fault"], number=nums[0]))
                rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "1",
                                       "--max-attempts", "0", *case.get("args", []))
                dt.settle()
                want_rc = case.get("rc", {"accepted": 0, "pending": 5}.get(case["state"], 1))
                self.assertEqual(rc, want_rc, out + err)
                rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
                row = rows[nums[0]]
                self.assertEqual(row["state"], case["state"], row)
                per = self.by_number(dt.server_requests())
                self.assertEqual(len(per[nums[0]]), case["requests"])
                if "call_id" in case:
                    self.assertEqual(row["call_id"], case["call_id"])
                if "detail" in case:
                    self.assertIn(case["detail"], row["detail"] or "")
                if want_rc != 4:
                    self.assertEqual(rows[nums[1]]["state"], "accepted")
                problems = dt.check_campaign(db)
                self.assertEqual(problems, [], "\n".join(problems))


class RetryAfter(Base):
    def test_seconds_date_and_cap(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 4)
        db = self.tmp.path("c.db")
        date = email.utils.formatdate(time.time() + 3, usegmt=True)
        dt.SRV.fault({"number": nums[0], "status": 429, "retry_after": "2"},
                     {"number": nums[1], "status": 503, "retry_after": date},
                     {"number": nums[2], "status": 429, "retry_after": "3600"},
                     {"number": nums[3], "status": 503})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "4",
                               "--retry-cap", "3", "--max-retries", "3")
        self.assertEqual(rc, 0, out + err)
        per = self.by_number(dt.server_requests())
        for n in nums:
            self.assertEqual([r["status"] for r in per[n]][-1], 201, n)
            self.assertEqual(len(per[n]), 2, "%s: %s" % (n, [r["status"] for r in per[n]]))
        gap = per[nums[0]][1]["arrived"] - per[nums[0]][0]["answered_at"]
        self.assertGreaterEqual(gap, 1.95, "Retry-After: 2 honoured")
        when = email.utils.parsedate_to_datetime(date).timestamp()
        self.assertGreaterEqual(per[nums[1]][1]["arrived"], when - 0.05, "Retry-After as an HTTP date")
        gap = per[nums[2]][1]["arrived"] - per[nums[2]][0]["answered_at"]
        self.assertGreaterEqual(gap, 2.95, "Retry-After 3600 capped at --retry-cap 3")
        self.assertIn("3600", out + err, "the capped Retry-After is said")
        self.assertEqual(dt.counts(db), {"accepted": 4})

    def test_retries_used_up_fail(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 3)
        db = self.tmp.path("c.db")
        dt.SRV.fault({"number": nums[1], "status": 429, "retry_after": "0", "times": 50})
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--max-retries", "2", "--retry-cap", "1", "--max-attempts", "0")
        self.assertEqual(rc, 1, out + err)
        per = self.by_number(dt.server_requests())
        self.assertEqual(len(per[nums[1]]), 3, "1 try + 2 retries")
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        self.assertEqual(rows[nums[1]]["state"], "failed")
        self.assertEqual(rows[nums[0]]["state"], "accepted")

    def test_max_attempts_over_runs(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 2)
        db = self.tmp.path("c.db")
        dt.SRV.fault({"number": nums[0], "status": 429, "retry_after": "0", "times": 50})
        for _ in range(3):
            dt.dial(listp, db, "-c", "SA", "--rate", "0", "--max-retries", "1", "--retry-cap", "1",
                    "--max-attempts", "3")
        per = self.by_number(dt.server_requests())
        self.assertEqual(len(per[nums[0]]), 3, "--max-attempts 3 over every run")
        self.assertEqual(len(per[nums[1]]), 1)
        self.assertEqual({r["e164"]: r["state"] for r in dt.journal_rows(db).values()}[nums[0]], "failed")


class Rate(Base):
    def max_window(self, times):
        times = sorted(times)
        best, j = 0, 0
        for i in range(len(times)):
            while times[i] - times[j] >= 1.0:
                j += 1
            best = max(best, i - j + 1)
        return best

    def run_rate(self, rate, concurrency, extra=(), rows=60, mode=None):
        listp, nums = numbers_list(self.tmp, "l.csv", rows)
        db = self.tmp.path("c.db")
        if mode:
            dt.set_mode(**mode)
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", str(rate), "--concurrency",
                               str(concurrency), "--retry-cap", "1", "--max-attempts", "0", *extra)
        self.assertEqual(rc, 0, out + err)
        reqs = dt.server_requests()
        worst = self.max_window([r["arrived"] for r in reqs])
        print("rate %s concurrency %d: %d requests, at most %d in one second" % (rate, concurrency, len(reqs), worst))
        self.assertLessEqual(worst, int(rate) + 1)
        return reqs

    def test_rate_20(self):
        self.run_rate(20, 4)

    def test_rate_10_with_throttling(self):
        # Retries after a 429 with Retry-After: 0 still take their token.
        reqs = self.run_rate(10, 8, rows=30, mode={"share": 0.3, "seed": 5, "kinds": {"429": 1},
                                                   "retry_after": "0"})
        self.assertGreater(len(reqs), 30)

    def test_rate_counts_every_step(self):
        listp = self.tmp.path("inv.csv")
        dt.write_csv(listp, ["name", "phone", "inv", "date", "total"],
                     [["P %d" % i, dt.sa_number(500 + i), "I%d" % i, "2026-01-01", "10.0"] for i in range(12)])
        db = self.tmp.path("inv.db")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "8", "--concurrency", "4", "--first-name-column",
                               "name", "--invoice", "number=inv,date=date,total=total")
        self.assertEqual(rc, 0, out + err)
        reqs = dt.server_requests()
        self.assertEqual(len(reqs), 36)
        self.assertLessEqual(self.max_window([r["arrived"] for r in reqs]), 9)

    def test_concurrency_bound(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 16)
        db = self.tmp.path("c.db")
        dt.set_mode(latency=[0.2, 0.2])
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "3")
        self.assertEqual(rc, 0, out + err)
        self.assertLessEqual(dt.SRV.control("GET", "/stats")["max_in_flight"], 3)


class Signals(Base):
    def test_sigterm_finishes_in_flight(self):
        listp, nums = numbers_list(self.tmp, "l.csv", 20)
        db = self.tmp.path("c.db")
        dt.set_mode(latency=[0.6, 0.6])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "2")
        self.assertTrue(dt.wait_for(lambda: len(dt.server_requests(brief=True)) >= 2, 20))
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        dt.no_sanitizer_report(err.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 143, out + err)
        dt.settle()
        reqs = dt.server_requests()
        problems = dt.check_campaign(db, reqs)
        self.assertEqual(problems, [], "\n".join(problems))
        c = dt.counts(db)
        # The requests in flight were let finish: their rows are accepted.
        self.assertEqual(c.get("accepted", 0), len(reqs), c)
        self.assertEqual(c.get("pending", 0), 20 - len(reqs), c)
        self.assertEqual(c.get("unknown", 0), 0, c)
        runs = dt.journal_runs(db)
        self.assertTrue(runs[-1]["ended_at"], runs)

    def test_sigint_then_second_signal(self):
        """SIGINT: exit 130. A second signal while requests are still in
        flight ends the run at once; those rows are 'sending' and the next
        run makes them 'unknown' (the server did receive them)."""
        listp, nums = numbers_list(self.tmp, "l.csv", 10)
        db = self.tmp.path("c.db")
        dt.set_mode(latency=[3.0, 3.0])
        p = dt.start_dial(listp, db, "-c", "SA", "--rate", "0", "--concurrency", "2")
        self.assertTrue(dt.wait_for(lambda: len(dt.server_requests(brief=True)) >= 2, 20))
        t = time.monotonic()
        p.send_signal(signal.SIGINT)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        dt.no_sanitizer_report(err.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 130, out + err)
        self.assertLess(time.monotonic() - t, 2.5, "the second signal did not end the run at once")
        dt.settle()
        dt.SRV.control("DELETE", "/mode")
        rc, out, err = dt.dial(listp, db, "-c", "SA", "--rate", "0")
        self.assertEqual(rc, 1, out + err)
        c = dt.counts(db)
        self.assertEqual(c, {"unknown": 2, "accepted": 8}, c)
        problems = dt.check_campaign(db, killed=True)
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
