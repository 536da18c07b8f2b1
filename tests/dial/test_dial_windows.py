#!/usr/bin/env python3
"""Calling windows with an injected clock (PHONENORM_TEST_NOW, honoured only
with a loopback API): Saudi Arabia (one zone, no DST, a Sunday-Thursday
week), US numbers in Eastern, Pacific and Hawaii time and an area code that
spans two zones (605: America/Denver and America/North_Dakota/Center),
across both 2026 DST changes; --days; the federal 08:00-21:00 cap on +1
numbers; --timezone-column. Rows outside the window stay 'waiting' with
--no-wait (next_at = when it opens, checked against Python's zoneinfo, not
against ICU) and are called by a later run whose clock is inside.

usage: test_dial_windows.py PATH/TO/phonenorm
"""
import datetime
import os
import sys
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dialtest as dt  # noqa: E402

UTC = datetime.timezone.utc
ZONES = {
    "E": ["America/New_York"], "P": ["America/Los_Angeles"], "H": ["Pacific/Honolulu"],
    "T": ["America/Denver", "America/North_Dakota/Center"], "S": ["Asia/Riyadh"],
}
PREFIX = {"E": "+1202555", "P": "+1415555", "H": "+1808555", "T": "+1605555"}


def number(kind, i):
    if kind == "S":
        return dt.sa_number(700 + i)
    return "%s%04d" % (PREFIX[kind], 100 + i)


def utc(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def ms(d):
    return int(d.timestamp() * 1000)


def is_open(zones, when, start, end, days):
    """days: set of weekday numbers, 0 = Sunday."""
    for z in zones:
        local = when.astimezone(zoneinfo.ZoneInfo(z))
        minute = local.hour * 60 + local.minute
        if (local.isoweekday() % 7) not in days or not start <= minute < end:
            return False
    return True


def opens_at(zones, now, start=8 * 60, end=21 * 60, days=frozenset(range(7))):
    """The first minute at or after now when the window holds in every zone."""
    t = now.replace(second=0, microsecond=0)
    if t < now:
        t += datetime.timedelta(minutes=1)
    for _ in range(14 * 24 * 60):
        if is_open(zones, t, start, end, days):
            return t
        t += datetime.timedelta(minutes=1)
    return None


class Windows(unittest.TestCase):
    def setUp(self):
        self.tmp = dt.Tmp()
        dt.SRV.reset()

    def tearDown(self):
        self.tmp.cleanup()

    def make(self, kinds, name="l.csv", region="US", tz=None):
        listp = self.tmp.path(name)
        rows, self.kind_of = [], {}
        for j, k in enumerate(kinds):
            for i in range(2 * j, 2 * j + 2) if kinds.count(k) > 1 else range(2):
                n = number(k, i)
                self.kind_of[n] = k
                row = ["%s%d" % (k, i), n]
                if tz is not None:
                    row.append(tz.get(n, ""))
                rows.append(row)
        dt.write_csv(listp, ["id", "phone"] + (["tz"] if tz is not None else []), rows)
        return listp, self.tmp.path(name + ".db")

    def called(self, since):
        return sorted({self.kind_of[r["number"]] for r in dt.server_requests()[since:]})

    def states(self, db):
        out = {}
        for r in dt.journal_rows(db).values():
            out.setdefault(self.kind_of[r["e164"]], set()).add((r["state"], r["next_at"] or 0))
        return out

    def step(self, listp, db, now, expect_called, expect_rc, *args, region="US"):
        since = len(dt.server_requests(brief=True))
        rc, out, err = dt.dial(listp, db, "-c", region, "--rate", "0", "--no-wait", *args, now=now)
        self.assertEqual(rc, expect_rc, "at %s\n%s%s" % (now, out, err))
        self.assertEqual(self.called(since), sorted(expect_called), "called at %s" % now)
        return out + err

    def assert_waiting(self, db, kind, now, **window):
        """Every row of kind waits, next_at when Python says its window opens."""
        want = opens_at(ZONES[kind], utc(now), **window)
        got = self.states(db)[kind]
        self.assertEqual(got, {("waiting", ms(want))},
                         "%s rows at %s: want waiting until %s" % (kind, now, want.isoformat()))

    def test_us_dst_start_day(self):
        """2026-03-08, the US spring forward: at 12:30Z New York is already on
        EDT (08:30, open; on a fixed EST offset it would be 07:30, closed)."""
        listp, db = self.make("EPHT")
        now = "2026-03-08T12:30:00Z"
        out = self.step(listp, db, now, "E", 5)
        for k in "PHT":
            self.assert_waiting(db, k, now)
        self.assertEqual(opens_at(ZONES["T"], utc(now)), utc("2026-03-08T14:00:00Z"))
        self.assertEqual(opens_at(ZONES["P"], utc(now)), utc("2026-03-08T15:00:00Z"))
        self.assertEqual(opens_at(ZONES["H"], utc(now)), utc("2026-03-08T18:00:00Z"))
        self.step(listp, db, "2026-03-08T14:00:30Z", "T", 5)
        self.step(listp, db, "2026-03-08T15:00:30Z", "P", 5)
        self.step(listp, db, "2026-03-08T17:59:00Z", "", 5)
        self.step(listp, db, "2026-03-08T18:00:30Z", "H", 0)
        self.assertEqual(dt.counts(db), {"accepted": 8})
        problems = dt.check_campaign(db)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_us_day_before_dst_and_dst_end(self):
        listp, db = self.make("E", "before.csv")
        self.step(listp, db, "2026-03-07T12:30:00Z", "", 5)   # 07:30 EST: closed
        self.assert_waiting(db, "E", "2026-03-07T12:30:00Z")
        self.assertEqual(opens_at(ZONES["E"], utc("2026-03-07T12:30:00Z")), utc("2026-03-07T13:00:00Z"))
        listp, db = self.make("E", "end.csv")
        self.step(listp, db, "2026-11-01T12:30:00Z", "", 5)   # fall back: 07:30 EST, closed
        self.assert_waiting(db, "E", "2026-11-01T12:30:00Z")
        self.step(listp, db, "2026-11-01T13:00:30Z", "E", 0)
        listp, db = self.make("E", "eve.csv")
        self.step(listp, db, "2026-10-31T12:30:00Z", "E", 0)  # still EDT: 08:30, open

    def test_two_zone_area_code_evening(self):
        """605 is open only while both Denver and Central time are inside
        08:00-21:00: at 02:30Z Central is at 21:30."""
        listp, db = self.make("ET")
        self.step(listp, db, "2026-03-09T01:30:00Z", "T", 5)  # New York 21:30: closed
        self.assert_waiting(db, "E", "2026-03-09T01:30:00Z")
        listp, db = self.make("T", "late.csv")
        self.step(listp, db, "2026-03-09T02:30:00Z", "", 5)
        self.assert_waiting(db, "T", "2026-03-09T02:30:00Z")

    def test_timezone_column_narrows_two_zones(self):
        tz = {number("T", 0): "America/Chicago"}
        listp, db = self.make("T", "tz.csv", tz=tz)
        # 13:30Z: Chicago 08:30 (open), Denver 07:30 (closed).
        self.step(listp, db, "2026-03-09T13:30:00Z", "T", 5, "--timezone-column", "tz")
        rows = {r["e164"]: r for r in dt.journal_rows(db).values()}
        self.assertEqual(rows[number("T", 0)]["state"], "accepted")
        self.assertEqual(rows[number("T", 1)]["state"], "waiting")

    def test_federal_cap_and_user_window(self):
        listp, db = self.make("E", "cap.csv")
        # --window 06:00-23:00 is cut to 08:00-21:00 for +1 numbers.
        self.step(listp, db, "2026-03-09T11:00:00Z", "", 5, "--window", "06:00-23:00")
        self.assert_waiting(db, "E", "2026-03-09T11:00:00Z")
        self.step(listp, db, "2026-03-09T02:30:00Z", "", 5, "--window", "06:00-23:00")  # 22:30 EDT
        listp, db = self.make("E", "narrow.csv")
        self.step(listp, db, "2026-03-09T13:30:00Z", "", 5, "--window", "10:00-12:00")  # 09:30 EDT
        self.assert_waiting(db, "E", "2026-03-09T13:30:00Z", start=600, end=720)
        self.step(listp, db, "2026-03-09T14:00:30Z", "E", 0, "--window", "10:00-12:00")

    def test_days(self):
        listp, db = self.make("E", "days.csv")
        # Sunday noon in New York, --days mon-fri: Monday 08:00 EDT.
        days = ("--window", "08:00-21:00", "--days", "mon-fri")
        self.step(listp, db, "2026-03-08T16:00:00Z", "", 5, *days)
        self.assert_waiting(db, "E", "2026-03-08T16:00:00Z", days={1, 2, 3, 4, 5})
        self.step(listp, db, "2026-03-09T12:00:30Z", "E", 0, *days)
        # Friday 20:59 EDT is inside, Saturday 12:00 is not.
        listp, db = self.make("E", "fri.csv")
        self.step(listp, db, "2026-03-14T00:59:00Z", "E", 0, *days)
        listp, db = self.make("E", "sat.csv")
        self.step(listp, db, "2026-03-14T16:00:00Z", "", 5, *days)
        self.assert_waiting(db, "E", "2026-03-14T16:00:00Z", days={1, 2, 3, 4, 5})

    def test_saudi_week(self):
        listp, db = self.make("S", "sa.csv")
        # Friday 13:00 in Riyadh: not a working day with --days sun-thu.
        args = ("--window", "09:00-21:00", "--days", "sun-thu")
        self.step(listp, db, "2026-03-06T10:00:00Z", "", 5, *args, region="SA")
        self.assert_waiting(db, "S", "2026-03-06T10:00:00Z", start=540, end=1260, days={0, 1, 2, 3, 4})
        self.assertEqual(opens_at(ZONES["S"], utc("2026-03-06T10:00:00Z"), 540, 1260, {0, 1, 2, 3, 4}),
                         utc("2026-03-08T06:00:00Z"))
        self.step(listp, db, "2026-03-07T12:00:00Z", "", 5, *args, region="SA")  # Saturday
        self.step(listp, db, "2026-03-08T06:00:30Z", "S", 0, *args, region="SA")

    def test_saudi_default_window(self):
        """The Saudi default (README): 10:00-16:00, Sunday to Thursday."""
        sa = dict(start=600, end=960, days={0, 1, 2, 3, 4})
        listp, db = self.make("S", "sadef.csv")
        # 03:00 on a Monday in Riyadh: opens at 10:00 (07:00Z).
        self.step(listp, db, "2026-03-09T00:00:00Z", "", 5, region="SA")
        self.assert_waiting(db, "S", "2026-03-09T00:00:00Z", **sa)
        # Friday noon: the weekend; it opens on Sunday at 10:00.
        self.step(listp, db, "2026-03-06T09:00:00Z", "", 5, region="SA")
        self.assert_waiting(db, "S", "2026-03-06T09:00:00Z", **sa)
        self.assertEqual(opens_at(ZONES["S"], utc("2026-03-06T09:00:00Z"), **sa), utc("2026-03-08T07:00:00Z"))
        self.step(listp, db, "2026-03-08T06:59:00Z", "", 5, region="SA")
        # Monday 16:00 in Riyadh: closed until Tuesday 10:00.
        self.step(listp, db, "2026-03-09T13:00:00Z", "", 5, region="SA")
        self.assert_waiting(db, "S", "2026-03-09T13:00:00Z", **sa)
        self.step(listp, db, dt.MONDAY_RIYADH_NOON, "S", 0, region="SA")

    def test_window_or_days_alone_keep_the_other_half(self):
        """--days alone keeps the region's hours, --window alone its days."""
        listp, db = self.make("E", "daysonly.csv")
        # Sunday noon in New York, --days mon-fri: Monday 08:00 EDT (US hours kept).
        self.step(listp, db, "2026-03-08T16:00:00Z", "", 5, "--days", "mon-fri")
        self.assert_waiting(db, "E", "2026-03-08T16:00:00Z", days={1, 2, 3, 4, 5})
        listp, db = self.make("S", "sahours.csv")
        # Friday 12:00 in Riyadh, --window 09:00-12:00: the Saudi days are kept.
        self.step(listp, db, "2026-03-06T08:00:00Z", "", 5, "--window", "09:00-12:00", region="SA")
        self.assert_waiting(db, "S", "2026-03-06T08:00:00Z", start=540, end=720, days={0, 1, 2, 3, 4})
        listp, db = self.make("S", "sadays.csv")
        # Saturday 13:00 in Riyadh, --days fri,sat: open with the Saudi hours.
        self.step(listp, db, "2026-03-07T10:00:00Z", "S", 0, "--days", "fri,sat", region="SA")
        listp, db = self.make("S", "sadays2.csv")
        # Saturday 17:00: after the Saudi default's 16:00; next Friday 10:00.
        self.step(listp, db, "2026-03-07T14:00:00Z", "", 5, "--days", "fri,sat", region="SA")
        self.assert_waiting(db, "S", "2026-03-07T14:00:00Z", start=600, end=960, days={5, 6})

    def test_waits_for_the_window(self):
        """Without --no-wait the run waits (the test clock runs on) and calls."""
        listp, db = self.make("E", "wait.csv")
        t = time.time()
        rc, out, err = dt.dial(listp, db, "-c", "US", "--rate", "0", now="2026-03-08T11:59:57Z")
        self.assertEqual(rc, 0, out + err)
        reqs = dt.server_requests()
        self.assertEqual(len(reqs), 2)
        self.assertGreaterEqual(min(r["arrived"] for r in reqs) - t, 2.5, "called before 08:00 EDT")

    def test_window_closes_mid_run(self):
        """At 20:59:57 in New York with one call a second, the calls stop at
        21:00: the window is checked as each request goes out."""
        listp, db = self.make("E" * 5, "closing.csv")
        self.step(listp, db, "2026-03-09T00:59:57Z", "E", 5, "--rate", "1")
        states = sorted(r["state"] for r in dt.journal_rows(db).values())
        accepted = states.count("accepted")
        self.assertIn(accepted, (2, 3), states)
        self.assertEqual(states.count("waiting"), 10 - accepted, states)
        self.assertEqual({r["next_at"] for r in dt.journal_rows(db).values() if r["state"] == "waiting"},
                         {ms(utc("2026-03-09T12:00:00Z"))})

    def test_window_that_never_opens(self):
        """--window 22:00-23:00 leaves nothing of 08:00-21:00 for +1 numbers:
        a live run must not wait 14 days but end with the rows left (exit 5,
        the contract's "not open within 14 days"). Several runs: whether it
        waited depended on a millisecond passing (dialer.c: the rows are put
        at now + 14 days + 1 ms, then compared with a later now)."""
        for k in range(12):
            listp, db = self.make("E", "never%d.csv" % k)
            rc, out, err = dt.dial(listp, db, "-c", "US", "--window", "22:00-23:00",
                                   now="2026-03-08T11:00:00Z", timeout=8)
            self.assertIn(rc, (2, 5), out + err)
            # (fix) -c US: refused up front, naming the legal hours
            self.assertEqual(rc, 2, out + err)
            self.assertIn("08:00-21:00", err)
            self.assertFalse(os.path.exists(db))
            # Without -c the +1 rows find out per row: the run ends, rows left.
            rc, out, err = dt.dial(listp, db, "--window", "22:00-23:00",
                                   now="2026-03-08T11:00:00Z", timeout=8)
            self.assertEqual(rc, 5, out + err)
            self.assertIn("does not open within 14 days", err)
            self.assertEqual(set(dt.counts(db)), {"waiting"}, dt.counts(db))
        self.assertEqual(dt.server_requests(), [])

    def test_test_clock_forms(self):
        """Epoch milliseconds work as ISO 8601 does; a bad value is refused."""
        listp, db = self.make("E", "ms.csv")
        now = str(ms(utc("2026-03-07T12:30:00Z")))
        self.step(listp, db, now, "", 5)
        self.assert_waiting(db, "E", "2026-03-07T12:30:00Z")
        for bad in ("yesterday", "2026-03-07T12:30:00", "2026-13-07T12:30:00Z", "-5"):
            with self.subTest(bad=bad):
                rc, out, err = dt.dial(listp, db, "-c", "US", "--no-wait", now=bad)
                self.assertEqual(rc, 2, out + err)
                self.assertIn("PHONENORM_TEST_NOW", err)
        self.assertEqual(dt.server_requests(), [])

    def test_test_clock_needs_loopback(self):
        """The test clock steers a loopback API only: a host that merely
        starts like one (127.0.0.1.nip.io resolves wherever its owner
        wants) is not loopback."""
        listp, db = self.make("E", "remote.csv")
        for url in ("https://api.example.com/api-service/v1", "https://127.0.0.1.nip.io/api-service/v1",
                    "https://127.evil.example/api-service/v1", "https://localhost.example.com/api-service/v1"):
            # Dry runs only: nothing may leave this machine, not even a DNS query.
            with self.subTest(url=url):
                rc, out, err = dt.dial(listp, db, "-c", "US", live=False, now="2026-03-08T12:30:00Z", url=url)
                self.assertEqual(rc, 2, out + err)
                self.assertIn("PHONENORM_TEST_NOW", err)
                self.assertFalse(os.path.exists(db))


if __name__ == "__main__":
    sys.exit(dt.main(sys.argv))
