"""Shared machinery of the webhook tests: run `phonenorm webhook` (start,
wait until it listens, stop with a signal, kill -9 and restart on the same
port), deliver signed requests to it, drive the fake call API's webhook
sender, make a real journal with `phonenorm dial --live`, and read the
journal back with Python's sqlite3.

Import it by path from a test program:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__))))
    import whtest
    ...
    sys.exit(whtest.main(sys.argv))      # argv[1]: the phonenorm binary

main() starts one fake call API for the program (whtest.SRV, also set as
dialtest.SRV) and runs the unittest cases. Every receiver listens on
127.0.0.1:0 (its own free port) with its own temp secret file and ready
file, so tests can run beside other programs' tests.
"""
import http.client
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for _d in (HERE, os.path.join(HERE, "..", "dispatch"), os.path.join(HERE, "..", "dial")):
    if _d not in sys.path:
        sys.path.insert(0, _d)
import svix_sign  # noqa: E402
import fakeapi    # noqa: E402
import dialtest   # noqa: E402

BIN = None      # the phonenorm binary (main() sets it)
SRV = None      # the fake call API of the program (main() starts it)
TOKEN = fakeapi.TOKEN
PATH = "/webhooks/calls"
MONDAY_RIYADH_NOON = dialtest.MONDAY_RIYADH_NOON
SANITIZER_MARKS = dialtest.SANITIZER_MARKS

# Exit codes of `phonenorm webhook`.
EXIT_STOPPED = 0
EXIT_USAGE = 2
EXIT_LISTEN = 3
EXIT_SECRET = 4


def no_sanitizer_report(err):
    return dialtest.no_sanitizer_report(err)


def receiver_env(extra=None, secret=None):
    """The environment of a receiver: no proxy, no API setting, and no
    PHONENORM_WEBHOOK_SECRET unless secret is given."""
    env = fakeapi.clean_env()
    env.pop("PHONENORM_WEBHOOK_SECRET", None)
    if secret is not None:
        env["PHONENORM_WEBHOOK_SECRET"] = secret
    env.update(extra or {})
    return env


def write_secret_file(path, *secrets, mode=0o600):
    """A secret file as a user keeps one: one secret a line, mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write("".join(s + "\n" for s in secrets))
    os.chmod(path, mode)
    return path


def secret_parts(secret):
    """The strings that must never show in output: the secret, and its key
    part (after whsec_), whole."""
    parts = [secret]
    if secret.startswith("whsec_"):
        parts.append(secret[len("whsec_"):])
    return parts


class Receiver:
    """One `phonenorm webhook` process.

        rc = Receiver(journal, secret)             # the secret in a 0600 file
        rc = Receiver(journal, secret, via="env")  # in PHONENORM_WEBHOOK_SECRET
        rc.start()          # waits for the ready file; rc.port, rc.url
        rc.stop()           # SIGTERM, wait: (exit code, stdout, stderr)
        rc.kill9(); rc.start()   # restarted on the same port

    secrets: more secrets (a rotation on the receiver's side: all in the
    file, or space-separated in the variable). args: more options. stdout
    and stderr go to files (a busy receiver's log never blocks on a pipe).
    """

    def __init__(self, journal, secret=None, secrets=(), via="file", args=(), env=None,
                 listen="127.0.0.1:0", path=PATH, binary=None, quiet=False):
        self.journal = journal
        self.secrets = ([secret] if secret else []) + list(secrets)
        self.via = via
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.listen = listen
        self.path = path
        self.binary = binary or BIN
        self.quiet = quiet
        self.secret_mode = 0o600
        self._tmp = tempfile.mkdtemp(prefix="phn-wh-")
        self.secret_file = os.path.join(self._tmp, "secret")
        self.ready_file = os.path.join(self._tmp, "ready")
        self.proc = None
        self.port = None
        self.runs = 0
        self._out = self._err = None

    @property
    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, self.path)

    def argv(self):
        a = [self.binary, "webhook", "--journal", self.journal, "--listen", self.listen,
             "--ready-file", self.ready_file]
        if self.path != PATH:
            a += ["--path", self.path]
        if self.via == "file" and self.secrets:
            a += ["--secret-file", self.secret_file]
        if self.quiet:
            a.append("--quiet")
        return a + self.args

    def spawn(self):
        """Start the process without waiting (for tests of failures)."""
        if self.via == "file" and self.secrets:
            write_secret_file(self.secret_file, *self.secrets, mode=self.secret_mode)
        secret = " ".join(self.secrets) if self.via == "env" and self.secrets else None
        try:
            os.unlink(self.ready_file)
        except FileNotFoundError:
            pass
        self.runs += 1
        for f in (self._out, self._err):
            if f is not None:
                f.close()
        self._out = open(os.path.join(self._tmp, "stdout.%d" % self.runs), "w+b")
        self._err = open(os.path.join(self._tmp, "stderr.%d" % self.runs), "w+b")
        self.proc = subprocess.Popen(self.argv(), env=receiver_env(self.extra_env, secret),
                                     stdout=self._out, stderr=self._err)
        return self.proc

    def start(self, timeout=30.0):
        """Start and wait until it listens (its ready file holds the port).
        A restart after kill9() listens on the same port again (retried for
        a while if the port is not free yet)."""
        end = time.monotonic() + timeout
        while True:
            self.spawn()
            while time.monotonic() < end:
                if os.path.exists(self.ready_file):
                    with open(self.ready_file) as f:
                        text = f.read()
                    if text.endswith("\n"):
                        self.port = int(text)
                        if self.listen.endswith(":0"):
                            self.listen = "127.0.0.1:%d" % self.port
                        return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)
            rc = self.proc.poll()
            if rc == EXIT_LISTEN and time.monotonic() < end:
                time.sleep(0.2)  # the port of the killed one is not free yet
                continue
            if rc is None:
                self.proc.kill()
                self.proc.wait()
            raise AssertionError("phonenorm webhook did not start (exit %s):\n%s"
                                 % (rc, self.stderr()[-3000:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stdout(self):
        self._out.flush()
        self._out.seek(0)
        return self._out.read().decode("utf-8", "replace")

    def stderr(self):
        self._err.flush()
        self._err.seek(0)
        return self._err.read().decode("utf-8", "replace")

    def wait(self, timeout=60):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("phonenorm webhook did not end within %d s:\n%s"
                                 % (timeout, self.stderr()[-3000:]))
        return rc, self.stdout(), no_sanitizer_report(self.stderr())

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Send sig and wait: (exit code, stdout, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill9(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        return self.proc.returncode

    def cleanup(self):
        """Stop a receiver still running (SIGTERM first: under valgrind a
        process killed with SIGKILL leaves a log without its summary), then
        remove its files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self._out, self._err):
            if f is not None:
                f.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def run_webhook(args, env=None, timeout=30, binary=None):
    """Run `phonenorm webhook ARGS` expecting it to end by itself (usage
    errors and the like): (exit code, stdout, stderr)."""
    try:
        p = subprocess.run([binary or BIN, "webhook"] + list(args), env=env or receiver_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("phonenorm webhook %s did not end within %d s: %s"
                             % (" ".join(args), timeout, (e.stderr or b"")[-2000:]))
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        no_sanitizer_report(p.stderr.decode("utf-8", "replace"))


# ---- delivering ------------------------------------------------------------

def post(url_or_port, body, headers=None, method="POST", path=PATH, timeout=30):
    """One raw HTTP request: (status, body bytes, {header: value}). url_or_port:
    a receiver's URL or port. body: bytes or str; headers are sent as given
    (Content-Type: application/json unless headers has one)."""
    if isinstance(url_or_port, int):
        host, port = "127.0.0.1", url_or_port
    else:
        u = url_or_port.split("://", 1)[1]
        hostport, _, rest = u.partition("/")
        host, _, port = hostport.rpartition(":")
        port = int(port)
        path = "/" + rest
    if isinstance(body, str):
        body = body.encode("utf-8")
    h = {"Content-Type": "application/json"}
    for k, v in (headers or {}).items():
        h = {kk: vv for kk, vv in h.items() if kk.lower() != k.lower()}
        h[k] = v
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={k: v for k, v in h.items() if v is not None})
        r = conn.getresponse()
        data = r.read()
        return r.status, data, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def signed(secret, body, msg_id=None, timestamp=None, secrets=()):
    """The three svix headers of a delivery (tests/webhook/svix_sign.py)."""
    return svix_sign.headers(secret, body, msg_id=msg_id, timestamp=timestamp, secrets=secrets)


def deliver(receiver, secret, body, msg_id=None, timestamp=None, secrets=(), extra=None):
    """POST body signed with secret to a Receiver: (status, body)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    h = signed(secret, body, msg_id, timestamp, secrets)
    h.update(extra or {})
    st, data, _ = post(receiver.url, body, h)
    return st, data


def ended_event(dispatch_id, number="+966501000001", delivered=True, **fields):
    """A phone_call.ended payload as the contract has it, for dispatch_id."""
    p = {"providerCallId": "0b9c5f1e-3d6a-4a51-9b8e-2f1c7d4e5a60", "numberFrom": "+12025550143",
         "numberTo": number, "providerStatus": "pass" if delivered else "fail",
         "deliveryStatus": "pass" if delivered else "fail", "duration": 42 if delivered else 0,
         "summary": None, "endedReason": "customer-ended-call" if delivered else "no-answer",
         "callOutput": "INTERESTED" if delivered else "NOT_REACHED", "callOutputReasoning": "test",
         "sentimentOutput": "POSITIVE" if delivered else "NEUTRAL", "sentimentOutputReasoning": "test",
         "transcription": "", "recordingUrl": "https://recordings.example/x.mp3",
         "metadata": {"requestMetadata": {"phonenorm_dispatch_id": dispatch_id}}}
    p.update(fields)
    return p


# ---- the fake call API's webhooks -----------------------------------------

def start_fake(tokens=(TOKEN,)):
    """A fake call API of its own (fakeapi.FakeServer); the caller stops it."""
    return fakeapi.FakeServer(tokens)


def configure_webhooks(receiver_or_url, secret, srv=None, **conf):
    """Start the fake's webhook sender towards a Receiver (or a URL), see
    fake_call_api.py for conf (seed, fail_ratio, duplicate_ratio, ...)."""
    srv = srv or SRV
    url = receiver_or_url if isinstance(receiver_or_url, str) else receiver_or_url.url
    c = dict(conf)
    c["url"] = url
    c["secret"] = secret
    return srv.control("PUT", "/webhooks", c)


def stop_webhooks(srv=None):
    return (srv or SRV).control("DELETE", "/webhooks")


def webhook_truth(srv=None):
    return (srv or SRV).control("GET", "/webhooks/truth")


def wait_webhooks(srv=None, timeout=120.0):
    """Wait until the fake has no delivery left to make; returns its truth.
    Fails when it still has some after timeout."""
    end = time.monotonic() + timeout
    while True:
        t = webhook_truth(srv)
        if t["pending"] == 0:
            return t
        if time.monotonic() > end:
            raise AssertionError("the fake still has %d webhook deliveries pending after %d s "
                                 "(statuses %s)" % (t["pending"], timeout, t["statuses"]))
        time.sleep(0.05)


# ---- a real journal ----------------------------------------------------------

def dial_env(srv=None, now=MONDAY_RIYADH_NOON):
    srv = srv or SRV
    e = fakeapi.clean_env({"PHONENORM_API_URL": srv.base, "PHONENORM_API_TOKEN": TOKEN})
    if now is not None:
        e["PHONENORM_TEST_NOW"] = now
    return e


def write_list(path, rows, first=0):
    """A Saudi list of rows distinct numbers (dialtest.sa_number(first + i))."""
    dialtest.write_csv(path, ["name", "phone"],
                       [["Person %d" % i, dialtest.local_sa(dialtest.sa_number(first + i))]
                        for i in range(rows)])
    return path


def make_journal(directory, rows=5, srv=None, args=("--rate", "0"), name="campaign.db", timeout=120):
    """Dial a list of rows Saudi numbers live against the fake: the journal
    path. Fails unless every row was accepted."""
    listp = write_list(os.path.join(directory, name + ".csv"), rows)
    db = os.path.join(directory, name)
    p = subprocess.run([BIN, "dial", listp, "--journal", db, "-c", "SA", "--live", "-q"] + list(args),
                       env=dial_env(srv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    err = no_sanitizer_report(p.stderr.decode("utf-8", "replace"))
    if p.returncode != 0:
        raise AssertionError("phonenorm dial --live exited %d:\n%s" % (p.returncode, err[-3000:]))
    return db


# ---- the journal, read back ------------------------------------------------

def connect(db):
    """A read-only connection (never creates, never writes). After a kill
    -9 a WAL journal needs recovery, which read-only cannot do: then a
    read-write connection that is not written to."""
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        c.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        c = sqlite3.connect("file:%s?mode=rw" % db, uri=True, timeout=10)
    c.row_factory = sqlite3.Row
    c.execute("PRAGMA busy_timeout=10000")
    return c


def query(db, sql, args=()):
    c = connect(db)
    try:
        return [dict(r) for r in c.execute(sql, args)]
    finally:
        c.close()


def events(db):
    """{svix_id: event row} of the journal's events table."""
    return {r["svix_id"]: r for r in query(db, "SELECT * FROM events")}


def refusals(db):
    """{reason: count} of the journal's refusals table."""
    return {r["reason"]: r["count"] for r in query(db, "SELECT reason, count FROM refusals")}


def rows(db):
    return {r["line"]: r for r in query(db, "SELECT * FROM rows ORDER BY line")}


def attempts(db):
    return query(db, "SELECT * FROM attempts ORDER BY run_id, started_at, rowid")


def call_dispatch_ids(db):
    """The dispatch ids of the journal's call attempts, in order."""
    return [a["dispatch_id"] for a in attempts(db) if a["step"] == "call"]


def file_mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def main(argv, fake=True):
    """Entry point of a test program: `prog PATH/TO/phonenorm [unittest args]`."""
    global BIN, SRV
    import unittest
    BIN = os.path.abspath(argv[1])
    dialtest.BIN = BIN
    del argv[1]
    if not fake:
        result = unittest.main(argv=argv, exit=False, verbosity=2).result
        return 0 if result.wasSuccessful() else 1
    with fakeapi.FakeServer() as srv:
        SRV = dialtest.SRV = srv
        result = unittest.main(argv=argv, exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1
