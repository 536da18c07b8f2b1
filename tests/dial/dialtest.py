"""Shared machinery of the dial tests: the fake call API, lists, running
`phonenorm dial` and `phonenorm report`, reading a journal, and the check
that compares a journal with what the server really did.

The server is tests/dispatch/fake_call_api.py (a real HTTP server on
127.0.0.1); its /_control/requests records say, per request, the dispatch id
(metadata.phonenorm_dispatch_id), the fault that hit it, whether the server
did the work ("effect": the call placed) and whether the answer was
delivered. The journal is read with Python's sqlite3 module, read-only: the
schema is the one the README documents (rows, attempts, runs, meta).
"""
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dispatch"))
import fakeapi  # noqa: E402

TOKEN = fakeapi.TOKEN
BIN = None          # set by main(): the phonenorm binary
SRV = None          # the running fake server (one per test program)

# A Monday, 12:00 in Riyadh, inside any sensible Saudi calling window.
MONDAY_RIYADH_NOON = "2026-03-09T09:00:00Z"

FINAL = {"accepted", "rejected", "failed", "unknown", "suppressed", "duplicate", "invalid"}
STATES = FINAL | {"pending", "sending", "waiting"}
NEVER_DIALLED = {"suppressed", "duplicate", "invalid"}
# What the fake answers to a request whose outcome the client cannot know.
AMBIGUOUS_FAULTS = {"500", "502", "504", "timeout", "drop", "accept-drop"}
THROTTLE_FAULTS = {"429", "429-date", "503", "503-ra"}
CALL_SUFFIX = "/ai/phone-calls/action/call"


def sa_number(i):
    """A distinct valid Saudi mobile number in E.164 for each i < 10,000,000."""
    return "+96650%07d" % (1000000 + i)


def local_sa(e164):
    """The national form of a Saudi number: 05x xxx xxxx."""
    d = e164[4:]
    return "0%s %s %s" % (d[:2], d[2:5], d[5:])


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)


class Tmp:
    """A temporary directory for one test's files."""

    def __init__(self):
        self._d = tempfile.TemporaryDirectory(prefix="phn-dial-")
        self.dir = self._d.name

    def path(self, name):
        return os.path.join(self.dir, name)

    def cleanup(self):
        self._d.cleanup()


def env(now=MONDAY_RIYADH_NOON, token=TOKEN, url=None, extra=None):
    e = fakeapi.clean_env({"PHONENORM_API_URL": url or SRV.base})
    if token is not None:
        e["PHONENORM_API_TOKEN"] = token
    if now is not None:
        e["PHONENORM_TEST_NOW"] = now
    e.update(extra or {})
    return e


def dial_args(listp, db, *args, live=True):
    a = [BIN, "dial", listp, "--journal", db]
    if live:
        a.append("--live")
    return a + list(args)


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def no_sanitizer_report(err):
    """Under the asan preset an error report may come with an exit code a
    test expects (1): fail on the report itself."""
    for mark in SANITIZER_MARKS:
        if mark in err:
            raise AssertionError("sanitizer report from phonenorm:\n" + err)
    return err


def dial(listp, db, *args, live=True, now=MONDAY_RIYADH_NOON, token=TOKEN, url=None, extra_env=None,
         timeout=110):
    """Run phonenorm dial to its end: (exit code, stdout, stderr)."""
    try:
        p = subprocess.run(dial_args(listp, db, *args, live=live),
                           env=env(now, token, url, extra_env), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("phonenorm dial %s did not end within %d s:\n%s"
                             % (" ".join(args), timeout, (e.stderr or b"").decode("utf-8", "replace")[-2000:]))
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        no_sanitizer_report(p.stderr.decode("utf-8", "replace"))


def start_dial(listp, db, *args, live=True, now=MONDAY_RIYADH_NOON, token=TOKEN, extra_env=None):
    """Start phonenorm dial; the caller waits or kills it."""
    return subprocess.Popen(dial_args(listp, db, *args, live=live), env=env(now, token, None, extra_env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill9(proc):
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def report(db, *args, timeout=60):
    p = subprocess.run([BIN, "report", db, *args], env=env(now=None), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        no_sanitizer_report(p.stderr.decode("utf-8", "replace"))


# ---- the journal, read directly -------------------------------------------

def _connect(db):
    # Read-write (never create, never written to): after a kill -9 the WAL
    # needs recovery, which a read-only connection cannot do.
    c = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=10)
    c.row_factory = sqlite3.Row
    c.execute("PRAGMA busy_timeout=10000")
    return c


def journal_rows(db):
    """{line: row as a dict}."""
    with _connect(db) as c:
        return {r["line"]: dict(r) for r in c.execute("SELECT * FROM rows ORDER BY line")}


def journal_attempts(db):
    """[attempt as a dict] in the order they started: run by run. Not by
    started_at alone: under PHONENORM_TEST_NOW every run's clock starts at
    the same instant, so a later run's attempts carry earlier times than
    most of the first run's (a row's --retry-unknown call would sort before
    the call it replaced)."""
    with _connect(db) as c:
        return [dict(r) for r in c.execute("SELECT * FROM attempts ORDER BY run_id, started_at, rowid")]


def journal_meta(db):
    with _connect(db) as c:
        return {r["key"]: r["value"] for r in c.execute("SELECT key, value FROM meta")}


def journal_runs(db):
    with _connect(db) as c:
        return [dict(r) for r in c.execute("SELECT * FROM runs ORDER BY id")]


# ---- the server's side -----------------------------------------------------

def server_requests(brief=False):
    return SRV.control("GET", "/requests?brief=1" if brief else "/requests")["requests"]


def set_mode(**mode):
    return SRV.control("PUT", "/mode", mode)


def wait_for(pred, timeout=30.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def settle(timeout=10.0):
    """Wait until no request is in flight at the server (timeouts ending)."""
    wait_for(lambda: SRV.control("GET", "/stats")["in_flight"] == 0, timeout)


# ---- the check --------------------------------------------------------------

def check_campaign(db, reqs=None, *, rows_in_list=None, ended=True, retry_unknown=False,
                   killed=False, outages=None):
    """Compare the journal with what the server saw. Returns a list of
    problems (empty: consistent).

    ended: the last run ended by itself (no row may be 'sending').
    killed: some run was killed (-9): a request the server answered may be
    'unknown' in the journal (the answer died with the process), and an
    'unknown' row may have no request at the server (killed after the
    durable 'sending' mark, before the request left).
    retry_unknown: a run re-sent unknown rows, so one number may have two
    calls placed (never two answered 201s).
    """
    if reqs is None:
        reqs = server_requests()
    if outages is None:
        outages = SRV.control("GET", "/truth")["outages"]
    rows = journal_rows(db)
    attempts = journal_attempts(db)
    problems = []
    by_id = {a["dispatch_id"]: a for a in attempts}
    row_attempts = {}
    for a in attempts:
        row_attempts.setdefault(a["line"], []).append(a)
    seen = {}      # dispatch id -> server record
    for r in reqs:
        d = r.get("dispatch_id")
        if r["path"].endswith(CALL_SUFFIX):
            if not d:
                problems.append("server: call request #%d carries no phonenorm_dispatch_id" % r["seq"])
                continue
            if d in seen:
                problems.append("server: dispatch id %s sent twice (#%d, #%d)" % (d, seen[d]["seq"], r["seq"]))
            seen[d] = r
            if d not in by_id:
                problems.append("server: dispatch id %s (#%d, %s) is not in the journal's attempts: "
                                "it left before it was durably marked" % (d, r["seq"], r["number"]))
            elif rows.get(by_id[d]["line"], {}).get("e164") != r["number"]:
                problems.append("server: dispatch id %s called %s, its journal row %s is %s"
                                % (d, r["number"], by_id[d]["line"], rows.get(by_id[d]["line"], {}).get("e164")))
    if rows_in_list is not None and len(rows) != rows_in_list:
        problems.append("journal holds %d rows, the list has %d" % (len(rows), rows_in_list))

    # Per number: never two answered 201s, never two placed calls (unless
    # --retry-unknown re-sent an ambiguous one).
    placed, answered = {}, {}
    for d, r in seen.items():
        if r["effect"]:
            placed.setdefault(r["number"], []).append(d)
        if 200 <= (r["status"] or 0) < 300 and r["delivered"]:
            answered.setdefault(r["number"], []).append(d)
    for n, ds in answered.items():
        if len(ds) > 1:
            problems.append("number %s accepted %d times (dispatch ids %s)" % (n, len(ds), ds))
    if not retry_unknown:
        for n, ds in placed.items():
            if len(ds) > 1:
                problems.append("number %s: %d calls placed (dispatch ids %s)" % (n, len(ds), ds))

    steps = {}     # (number, step) -> server records of contact/invoice requests
    for r in reqs:
        if not r["path"].endswith(CALL_SUFFIX):
            step = "contact" if r["path"].endswith("/contact") else "invoice"
            steps.setdefault((r["number"], step), []).append(r)

    def ambiguous(r):
        """A request the server received whose answer did not tell the client."""
        if killed:
            return True  # any answer may have died with the process
        st = r["status"]
        if r["fault"] in AMBIGUOUS_FAULTS or st is None or st <= 0:
            return True  # no answer, or raw bytes (1xx, 3xx, a cut body...)
        if 200 <= st < 300:
            return not r["delivered"]
        return not (400 <= st < 500 or st == 503)  # 5xx but 503, 1xx, 3xx, 600

    # The dialer's clock may be a test clock (PHONENORM_TEST_NOW): its offset
    # from the server's, from the attempts the server saw (a request leaves
    # right after its durable mark). Per run: each run's test clock starts
    # at the same instant, so each run has its own offset.
    run_offsets = {}
    for a in attempts:
        if a["dispatch_id"] in seen and a["started_at"]:
            run_offsets.setdefault(a["run_id"], []).append(
                seen[a["dispatch_id"]]["arrived"] - a["started_at"] / 1000.0)
    for run, offs in run_offsets.items():
        offs.sort()
        run_offsets[run] = offs[len(offs) // 2]
    all_offsets = sorted(run_offsets.values())
    default_offset = all_offsets[len(all_offsets) // 2] if all_offsets else 0.0

    def timed_out(a):
        """The client gave up waiting (--timeout): an answer the server wrote
        late, even a 201, never reached it. Legitimately unknown."""
        return a["outcome"] == "ambiguous" and "timed out" in (a["detail"] or "")

    def might_have(a):
        """An attempt whose request the server received or might have."""
        if a["step"] != "call":
            # Contact and invoice bodies carry no dispatch id: by number.
            number = rows.get(a["line"], {}).get("e164")
            if any(ambiguous(r) for r in steps.get((number, a["step"]), [])):
                return True
            r = None
        else:
            r = seen.get(a["dispatch_id"])
        if r is not None:
            return ambiguous(r) or timed_out(a)
        if a["outcome"] == "interrupted" or (killed and a["outcome"] is None):
            return True
        # A connection caught by an outage as it was being set up.
        t = (a["started_at"] or 0) / 1000.0 + run_offsets.get(a["run_id"], default_offset)
        return any(s - 1.0 <= t <= e + 1.0 for s, e in outages)

    if ended:
        for a in attempts:
            if not a["outcome"]:
                problems.append("attempt %s (row %d, %s) has no outcome after a run that ended"
                                % (a["dispatch_id"], a["line"], a["step"]))
            elif a["outcome"] == "interrupted" and rows.get(a["line"], {}).get("state") in \
                    ("pending", "waiting", "failed") and not retry_unknown:
                problems.append("row %d: its attempt %s was interrupted (may have been sent) but the "
                                "row is %s" % (a["line"], a["dispatch_id"], rows[a["line"]]["state"]))

    for line, row in rows.items():
        st = row["state"]
        mine = row_attempts.get(line, [])
        calls = [a for a in mine if a["step"] == "call"]
        if st not in STATES:
            problems.append("row %d has no valid state (%r)" % (line, st))
            continue
        if st in NEVER_DIALLED and mine:
            problems.append("row %d is %s but has %d attempts" % (line, st, len(mine)))
        if st == "sending" and ended:
            problems.append("row %d left 'sending' after a run that ended" % line)
        if st == "accepted":
            ok = [a for a in calls if a["dispatch_id"] in seen and 200 <= (seen[a["dispatch_id"]]["status"] or 0) < 300
                  or (a["dispatch_id"] in seen and seen[a["dispatch_id"]]["status"] == -1 and
                      (seen[a["dispatch_id"]]["response"] or "").startswith("HTTP/1.1 2"))]
            if not ok:
                problems.append("row %d (%s) accepted, but the server answered 2xx to none of its calls"
                                % (line, row["e164"]))
            else:
                try:
                    resp = json.loads(seen[ok[-1]["dispatch_id"]]["response"])
                except ValueError:
                    resp = {}
                if not isinstance(resp, dict):
                    resp = {}
                if row["call_id"] != resp.get("callId"):
                    problems.append("row %d: call_id %r, the server's answer had %r"
                                    % (line, row["call_id"], resp["callId"]))
        if st == "unknown":
            if not any(might_have(a) for a in mine):
                problems.append("row %d (%s) is unknown, but none of its requests reached the server "
                                "or might have (an answer that said what happened came back): %s"
                                % (line, row["e164"], [(a["dispatch_id"], a["outcome"], a["detail"])
                                                       for a in mine]))
        if st == "rejected":
            last = seen.get(calls[-1]["dispatch_id"]) if calls else None
            if last is None:
                # Refused before sending (local validation) is a rejection too.
                if not calls or (calls[-1]["http_status"] or 0) != 0:
                    problems.append("row %d rejected, no request of it at the server" % line)
            elif not 400 <= (last["status"] or 0) < 500:
                problems.append("row %d rejected, the server answered %s" % (line, last["status"]))
            elif last["fault"] == "422":
                text = (row.get("detail") or "") + " " + (calls[-1].get("detail") or "")
                if "fake refusal of %s" % row["e164"] not in text:
                    problems.append("row %d rejected without the server's detail: %r" % (line, text))
        if st == "failed":
            for a in calls:
                r = seen.get(a["dispatch_id"])
                if r is not None and r["fault"] not in THROTTLE_FAULTS and r["status"] not in (429, 503):
                    problems.append("row %d failed, but its attempt %s got %s (%s)"
                                    % (line, a["dispatch_id"], r["status"], r["fault"]))
    # Every answered 201 belongs to an accepted row (or, after a kill, an
    # unknown one): nothing the server accepted is ever lost or re-sent.
    for n, ds in answered.items():
        for d in ds:
            a = by_id.get(d)
            if a is None:
                continue
            st = rows[a["line"]]["state"]
            if st == "accepted" or (killed and st in ("unknown", "sending")) or \
                    (st == "unknown" and timed_out(a)):
                continue
            problems.append("the server accepted %s (dispatch id %s), its row %d is %s"
                            % (n, d, a["line"], st))
    # A placed call (even behind a 500 or a dropped answer) must never leave
    # its row retryable: pending, waiting or failed rows would call again.
    for n, ds in placed.items():
        for d in ds:
            a = by_id.get(d)
            if a is not None and rows[a["line"]]["state"] in ("pending", "waiting", "failed"):
                problems.append("the server placed a call to %s (%s, %s), its row %d is %s: it would "
                                "be called again" % (n, d, seen[d]["fault"] or seen[d]["status"],
                                                    a["line"], rows[a["line"]]["state"]))
    return problems


def counts(db):
    out = {}
    for r in journal_rows(db).values():
        out[r["state"]] = out.get(r["state"], 0) + 1
    return out


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def main(argv):
    """Entry point of a test program: `prog PATH/TO/phonenorm [unittest args]`."""
    global BIN, SRV
    import unittest
    BIN = os.path.abspath(argv[1])
    del argv[1]
    with fakeapi.FakeServer() as srv:
        SRV = srv
        result = unittest.main(argv=argv, exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1
