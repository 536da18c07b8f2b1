"""Shared machinery of the end-to-end tests of the webhook receiver
(test_webhook_loop.py, test_webhook_load.py, test_webhook_hostile.py): the
real `phonenorm webhook` as a process, signed deliveries over plain sockets
or http.client, and the journal's events/refusals tables read with Python's
sqlite3 (read-only).

The fake call API and the dial side come from tests/dial/dialtest.py
(lists, PHONENORM_TEST_NOW, `phonenorm dial` and `report`, journal reads);
signatures from svix_sign.py, the stdlib signer written from the contract.
"""
import datetime
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dial"))
sys.path.insert(0, os.path.join(HERE, "..", "dispatch"))
import dialtest as dt  # noqa: E402
import fakeapi  # noqa: E402
import svix_sign  # noqa: E402

PATH = "/webhooks/calls"


def _window_day():
    """The first Saudi calling day (Sunday to Thursday) after today (UTC).
    The dialer's test clock is put on that day, AFTER the real clock: events
    are stamped with the real time (svix-timestamp), and a redial compares
    result time + gap with the dialer's clock, as in real life."""
    d = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
    while d.weekday() in (4, 5):      # Friday, Saturday
        d += datetime.timedelta(days=1)
    return d.isoformat()


# 12:00 in Riyadh on that day: inside the Saudi window (10:00-16:00).
NOON = _window_day() + "T09:00:00Z"
# 05:00 in Riyadh that day: before the window opens, so a live dial loads
# its list into a new journal, sends nothing and ends (--no-wait, exit 5).
# The receiver needs a journal that exists.
BEFORE_WINDOW = _window_day() + "T02:00:00Z"
# Time allowances are stretched under sanitizers/valgrind (PHN_TEST_SLOW=N).
SLOW = float(os.environ.get("PHN_TEST_SLOW", "1"))


def write_secret(tmp, name="secret", secret=None):
    secret = secret or svix_sign.new_secret()
    p = tmp.path(name)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return secret, p


def make_journal(tmp, count, name="c.db", start=0):
    """A list of count Saudi numbers and a journal holding it, nothing sent
    (the list is loaded by a live run before the window opens)."""
    listp = tmp.path(name + ".csv")
    nums = [dt.sa_number(start + i) for i in range(count)]
    dt.write_csv(listp, ["id", "phone"], [["R%d" % i, n] for i, n in enumerate(nums)])
    db = tmp.path(name)
    rc, out, err = dt.dial(listp, db, "-c", "SA", "--no-wait", now=BEFORE_WINDOW)
    if rc != 5:
        raise AssertionError("loading the list into a new journal: exit %d (want 5: waiting)\n%s%s"
                             % (rc, out, err))
    return listp, db, nums


class Receiver:
    """`phonenorm webhook` on 127.0.0.1 (port 0: a free one), ready once its
    --ready-file names the port."""

    def __init__(self, tmp, db, secret_file, *args, port=0, name="recv"):
        self.tmp, self.db, self.secret_file, self.args = tmp, db, secret_file, list(args)
        self.name = name
        self.incarnation = 0
        self.port = None
        self.proc = None
        self.outputs = []   # (rc, stderr) of every process that ended
        self.start(port)

    def start(self, port=None, timeout=20.0):
        port = self.port if port is None else port
        self.incarnation += 1
        ready = self.tmp.path("%s.ready%d" % (self.name, self.incarnation))
        self.err_path = self.tmp.path("%s.err%d" % (self.name, self.incarnation))
        cmd = [dt.BIN, "webhook", "--journal", self.db, "--listen", "127.0.0.1:%d" % (port or 0),
               "--secret-file", self.secret_file, "--ready-file", ready] + self.args
        deadline = time.monotonic() + timeout * SLOW
        while True:
            self.errf = open(self.err_path, "wb")
            env = fakeapi.clean_env()
            env.pop("PHONENORM_WEBHOOK_SECRET", None)
            self.started_ms = int(time.time() * 1000)
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.errf, env=env)
            while time.monotonic() < deadline and self.proc.poll() is None and not os.path.exists(ready):
                time.sleep(0.01)
            if os.path.exists(ready):
                break
            if self.proc.poll() is None:
                self.kill9()
                raise AssertionError("phonenorm webhook did not get ready in %.0f s:\n%s"
                                     % (timeout * SLOW, self.stderr()))
            # A restart on the same port can race the old socket's end: retry
            # "cannot listen" (exit 3) until the deadline.
            self.errf.close()
            if self.proc.returncode != 3 or time.monotonic() >= deadline:
                raise AssertionError("phonenorm webhook exited %d at start:\n%s"
                                     % (self.proc.returncode, self.stderr()))
            time.sleep(0.1)
        with open(ready) as f:
            text = f.read()
        self.port = int(text.strip())
        if port:
            assert self.port == port, "restarted on port %d, asked for %d" % (self.port, port)
        return self

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)
        self.errf.close()
        self.outputs.append((self.proc.returncode, self.stderr()))

    def stop(self, timeout=30.0):
        """SIGTERM; (exit code, stderr: its summary)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError("phonenorm webhook did not stop within %.0f s of SIGTERM:\n%s"
                                 % (timeout * SLOW, self.outputs[-1][1]))
        self.errf.close()
        err = dt.no_sanitizer_report(self.stderr())
        self.outputs.append((self.proc.returncode, err))
        return self.proc.returncode, err

    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, PATH)


def summary_counts(text):
    """The counters of the receiver's final summary on stderr: every
    '<number> <words>' or '<words>: <number>' pair of its summary line(s),
    keyed by the words ('events', 'applied', 'other types', ...)."""
    out = {}
    for line in text.splitlines():
        if "listening on" in line:
            continue
        for n, words in re.findall(r"(\d+)\s+([a-z][a-z _-]*[a-z])", line):
            words = words.strip().replace("_", " ").replace("-", " ")
            out.setdefault(words, int(n))
            # "6168 events recorded": under "events" too.
            out.setdefault(words.split()[0], int(n))
        for words, n in re.findall(r"([a-z][a-z _-]*[a-z])\s*[:=]\s*(\d+)", line):
            out.setdefault(words.strip().replace("_", " ").replace("-", " "), int(n))
    return out


# ---- deliveries -----------------------------------------------------------

def signed_headers(secret, body, msg_id=None, ts=None):
    h = svix_sign.headers(secret, body, msg_id=msg_id, timestamp=ts)
    h["Content-Type"] = "application/json"
    return h


def post(port, body, headers, path=PATH, method="POST", timeout=10.0):
    """One request on a fresh connection: (status, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOW)
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        c.close()


def ended_event(dispatch_id, delivery="pass", output="INTERESTED", sentiment="NEUTRAL",
                duration=42, number="+966501000000", extra=None):
    """A phone_call.ended payload as the contract describes it."""
    ev = {
        "providerCallId": "0b7f2f56-9d57-4c4e-9d0c-%012d" % (abs(hash(dispatch_id)) % 10 ** 12),
        "numberFrom": "+14155550100",
        "numberTo": number,
        "providerStatus": "pass" if delivery == "pass" else "fail",
        "deliveryStatus": delivery,
        "duration": duration,
        "summary": None,
        "endedReason": "customer-ended-call" if delivery == "pass" else "no-answer",
        "callOutput": output,
        "callOutputReasoning": "test",
        "sentimentOutput": sentiment,
        "sentimentOutputReasoning": "test",
        "transcription": "",
        "recordingUrl": "https://example.invalid/r.wav",
        "metadata": {"requestMetadata": {"phonenorm_dispatch_id": dispatch_id}},
    }
    ev.update(extra or {})
    return ev


def body_of(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


# ---- the journal's receiver tables ------------------------------------------

def _ro(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    c.row_factory = sqlite3.Row
    c.execute("PRAGMA busy_timeout=10000")
    return c


def journal_events(db):
    """{svix_id: event row as a dict}."""
    with _ro(db) as c:
        return {r["svix_id"]: dict(r) for r in c.execute("SELECT * FROM events")}


def journal_event_ids(db):
    with _ro(db) as c:
        return [r[0] for r in c.execute("SELECT svix_id FROM events")]


def journal_refusals(db):
    with _ro(db) as c:
        return {r["reason"]: r["count"] for r in c.execute("SELECT reason, count FROM refusals")}


RESULT_COLUMNS = ("delivery_status", "provider_status", "duration", "ended_reason", "call_output",
                  "sentiment", "provider_call_id", "result_at", "result_event")


def latest_call_attempts(db):
    """{line: its latest call attempt (by run, then start)}."""
    out = {}
    for a in dt.journal_attempts(db):
        if a["step"] == "call":
            out[a["line"]] = a
    return out


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def report_json(db):
    """`phonenorm report --summary-json -` and `--json -`: (the summary
    object, [the export's row objects])."""
    rc, out, err = dt.report(db, "--summary-json", "-")
    if rc != 0:
        raise AssertionError("phonenorm report --summary-json - exit %d:\n%s" % (rc, err))
    summary = json.loads(out)
    rc, out, err = dt.report(db, "--json", "-")
    if rc != 0:
        raise AssertionError("phonenorm report --json - exit %d:\n%s" % (rc, err))
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return summary, rows


def main(argv):
    """`prog PATH/TO/phonenorm [unittest args]`: the fake API runs for the
    whole program (dialtest's SRV)."""
    import unittest
    dt.BIN = os.path.abspath(argv[1])
    del argv[1]
    with fakeapi.FakeServer() as srv:
        dt.SRV = srv
        result = unittest.main(argv=argv, exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1
