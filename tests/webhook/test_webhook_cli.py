#!/usr/bin/env python3
"""webhook_cli: `phonenorm webhook` as a user meets it: options and usage
errors, the signing secret (environment, file, missing, not valid, never
printed, never on the command line), the journal (missing, not a journal),
the ready file, a port in use, signals and the summary, --quiet, --path, and
a redelivered event (200, nothing changes).

usage: test_webhook_cli.py PATH/TO/phonenorm
"""
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import whtest  # noqa: E402
import svix_sign  # noqa: E402

LISTENING = re.compile(r"^phonenorm webhook: listening on http://127\.0\.0\.1:(\d+)/webhooks/calls "
                       r"\(journal (.*)\)$", re.M)
SUMMARY = re.compile(r"^phonenorm webhook: stopped by (SIGTERM|SIGINT): (\d+) events recorded "
                     r"\((\d+) applied, (\d+) superseded, (\d+) orphans, (\d+) other types\), "
                     r"(\d+) duplicates, (\d+) refused; ", re.M)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="phn-whcli-")
        cls.db = whtest.make_journal(cls.tmp, rows=3)
        cls.dispatch = whtest.call_dispatch_ids(cls.db)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def assert_secret_absent(self, secret, *texts):
        for part in whtest.secret_parts(secret):
            for t in texts:
                self.assertNotIn(part, t)


class Usage(Base):
    def test_help(self):
        rc, out, err = whtest.run_webhook(["--help"])
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("usage: phonenorm webhook --journal CAMPAIGN.db"), out)
        for opt in ("--listen", "--path", "--secret-file", "--tolerance", "--max-body", "--idle-timeout",
                    "--request-deadline", "--max-connections", "--tls-cert", "--tls-key", "--ready-file",
                    "--quiet", "PHONENORM_WEBHOOK_SECRET", "Exit status"):
            self.assertIn(opt, out)
        self.assertEqual(err, "")

    def test_listed_in_global_help(self):
        p = whtest.run_webhook([])  # a usage error: no journal
        self.assertEqual(p[0], 2)
        import subprocess
        out = subprocess.run([whtest.BIN, "--help"], stdout=subprocess.PIPE, text=True).stdout
        self.assertRegex(out, r"\n  webhook +receive signed call results")

    def test_usage_errors(self):
        secret = svix_sign.new_secret()
        env = whtest.receiver_env(secret=secret)
        cases = [
            ([], "give the campaign's journal"),
            (["--journal"], "needs an argument"),
            (["--journal", self.db, "extra.db"], "no operands"),
            (["--journal", self.db, "--frobnicate"], "unknown option '--frobnicate'"),
            (["--journal", self.db, "-x"], "unknown option '-x'"),
            (["--journal", self.db, "--tolerance", "abc"], "--tolerance takes"),
            (["--journal", self.db, "--tolerance", "0"], "--tolerance takes"),
            (["--journal", self.db, "--tolerance", "-5"], "--tolerance takes"),
            (["--journal", self.db, "--max-body", "0"], "--max-body takes"),
            (["--journal", self.db, "--max-body", "1G"], "--max-body takes"),
            (["--journal", self.db, "--max-body", "12Q"], "--max-body takes"),
            (["--journal", self.db, "--idle-timeout", "0"], "--idle-timeout takes"),
            (["--journal", self.db, "--request-deadline", "x"], "--request-deadline takes"),
            (["--journal", self.db, "--max-connections", "0"], "--max-connections takes"),
            (["--journal", self.db, "--tls-cert", self.db], "--tls-cert and --tls-key go together"),
            (["--journal", self.db, "--tls-key", self.db], "--tls-cert and --tls-key go together"),
            (["--journal", self.db, "--tls-cert", self.path("no.pem"), "--tls-key", self.path("no.key")],
             "cannot read the TLS file"),
            (["--journal", self.db, "--listen", "nonsense"], "no :PORT"),
            (["--journal", self.db, "--listen", "127.0.0.1:99999"], "port"),
            (["--journal", self.db, "--path", "no-slash"], ""),
            (["--journal", self.db, "--jour", self.db], "never abbreviated"),
            (["--journal", self.db, "--quiet=yes"], "option '--quiet' takes no value"),
            (["--journal", self.db, "--tolerance"], "option '--tolerance' needs an argument"),
            (["--journal", self.db, "-qZ"], "unknown option '-Z'"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                rc, out, err = whtest.run_webhook(args, env=env)
                self.assertEqual(rc, 2, err)
                self.assertEqual(out, "")
                self.assertIn(msg, err)
                self.assert_secret_absent(secret, out, err)

    def test_no_secret_option(self):
        # A secret never goes on the command line: refused with its own
        # message, and the value is not echoed.
        secret = svix_sign.new_secret()
        env = whtest.receiver_env(secret=secret)
        for args in (["--secret", secret], ["--secret=" + secret], ["--secre=" + secret],
                     ["--secret-fil=" + secret]):
            with self.subTest(args=args[0][:9]):
                rc, out, err = whtest.run_webhook(["--journal", self.db] + args, env=env)
                self.assertEqual(rc, 2, err)
                self.assert_secret_absent(secret, out, err)
                self.assertIn("--secre", err)


class Secret(Base):
    def test_missing_secret_exit_4(self):
        rc, out, err = whtest.run_webhook(["--journal", self.db], env=whtest.receiver_env())
        self.assertEqual(rc, 4, err)
        self.assertIn("PHONENORM_WEBHOOK_SECRET", err)
        self.assertIn("--secret-file", err)
        rc, out, err = whtest.run_webhook(["--journal", self.db],
                                          env=whtest.receiver_env(secret=""))
        self.assertEqual(rc, 4, err)

    def test_secret_file_missing_exit_4(self):
        rc, out, err = whtest.run_webhook(["--journal", self.db, "--secret-file", self.path("nope")])
        self.assertEqual(rc, 4, err)
        self.assertIn("cannot read the --secret-file: No such file or directory", err)
        rc, out, err = whtest.run_webhook(["--journal", self.db, "--secret-file", self.tmp])
        self.assertEqual(rc, 4, err)
        self.assertIn("directory", err)
        # A secret typed where its file's path goes is not echoed.
        secret = svix_sign.new_secret()
        rc, out, err = whtest.run_webhook(["--journal", self.db, "--secret-file", secret])
        self.assertEqual(rc, 4, err)
        self.assert_secret_absent(secret, out, err)
        # Nor one pasted as an operand, or before a bad short option.
        for args in ([secret], [secret, "-\x01"], [secret, "-Z"]):
            rc, out, err = whtest.run_webhook(["--journal", self.db] + args,
                                              env=whtest.receiver_env(secret=secret))
            self.assertEqual(rc, 2, err)
            self.assert_secret_absent(secret, out, err)

    def test_bad_secret_exit_4(self):
        bad = ["whsec_!!!!not-base64!!!!", "whsec_" + "QUJD",  # 3 bytes: too short
               "   ", "# only a comment"]
        for i, secret in enumerate(bad):
            for via in ("env", "file"):
                with self.subTest(secret=i, via=via):
                    if via == "env":
                        rc, out, err = whtest.run_webhook(["--journal", self.db],
                                                          env=whtest.receiver_env(secret=secret))
                    else:
                        f = whtest.write_secret_file(self.path("bad%d" % i), secret)
                        rc, out, err = whtest.run_webhook(["--journal", self.db, "--secret-file", f])
                    self.assertEqual(rc, 4, err)
                    self.assertIn("not usable", err)
                    if secret.strip() and not secret.startswith("#"):
                        self.assert_secret_absent(secret, out, err)
        # One good, one bad: refused whole (a typo in a rotation is found now).
        good = svix_sign.new_secret()
        f = whtest.write_secret_file(self.path("mixed"), good, "whsec_%%%%")
        rc, out, err = whtest.run_webhook(["--journal", self.db, "--secret-file", f])
        self.assertEqual(rc, 4, err)
        self.assert_secret_absent(good, out, err)

    def test_secret_checked_before_journal(self):
        # No secret and no journal: the secret is reported (nothing is opened).
        rc, out, err = whtest.run_webhook(["--journal", self.path("none.db")], env=whtest.receiver_env())
        self.assertEqual(rc, 4, err)
        self.assertFalse(os.path.exists(self.path("none.db")))

    def test_secret_file_mode_warning(self):
        secret = svix_sign.new_secret()
        rc_ = whtest.Receiver(self.db, secret)
        try:
            rc_.start()
            code, out, err = rc_.stop()
            self.assertEqual(code, 0, err)
            self.assertNotIn("warning", err)
            rc_.secret_mode = 0o644
            rc_.spawn()
            self.wait_listening(rc_)
            code, out, err = rc_.stop()
            self.assertEqual(code, 0, err)
            self.assertIn("warning: the secret file is accessible by group or others (mode 0644)", err)
            self.assert_secret_absent(secret, out, err)
        finally:
            rc_.cleanup()

    def wait_listening(self, rc_):
        end = time.monotonic() + 20
        while time.monotonic() < end and not os.path.exists(rc_.ready_file):
            self.assertIsNone(rc_.proc.poll(), rc_.stderr())
            time.sleep(0.01)

    def test_secret_never_shown(self):
        """Not in ps (the command line), stdout, stderr, the ready file, the
        log lines of refusals or the summary; from the file and from the
        environment."""
        for via in ("file", "env"):
            with self.subTest(via=via):
                secret = svix_sign.new_secret()
                with whtest.Receiver(self.db, secret, via=via) as rc_:
                    with open("/proc/%d/cmdline" % rc_.proc.pid, "rb") as f:
                        cmdline = f.read().decode("utf-8", "replace")
                    self.assert_secret_absent(secret, cmdline)
                    # Refusals of every kind are logged: none shows it.
                    body = json.dumps(whtest.ended_event(self.dispatch[0]))
                    h = whtest.signed(secret, body)
                    whtest.post(rc_.url, body + " ", h)
                    whtest.post(rc_.url, body, dict(h, **{"svix-timestamp": "1"}))
                    whtest.post(rc_.url, "x", whtest.signed(secret, "x"))
                    h2 = whtest.signed(secret, body)
                    h2["svix-signature"] = secret
                    whtest.post(rc_.url, body, h2)
                    with open(rc_.ready_file) as f:
                        ready = f.read()
                    code, out, err = rc_.stop()
                self.assertEqual(code, 0, err)
                self.assertIn("refused a delivery: HTTP 401 (bad_signature)", err)
                self.assert_secret_absent(secret, cmdline, out, err, ready)


class Journal(Base):
    def test_missing_journal_exit_2(self):
        secret = svix_sign.new_secret()
        missing = self.path("missing.db")
        rc, out, err = whtest.run_webhook(["--journal", missing], env=whtest.receiver_env(secret=secret))
        self.assertEqual(rc, 2, err)
        self.assertIn("journal '%s' does not exist" % missing, err)
        self.assertIn("phonenorm dial", err)
        self.assertFalse(os.path.exists(missing), "the receiver created a journal")

    def test_not_a_journal_exit_2(self):
        secret = svix_sign.new_secret()
        for name, content in (("text.db", b"this is not a journal\n" * 100), ("empty.db", b"")):
            with self.subTest(name=name):
                p = self.path(name)
                with open(p, "wb") as f:
                    f.write(content)
                rc, out, err = whtest.run_webhook(["--journal", p], env=whtest.receiver_env(secret=secret))
                self.assertEqual(rc, 2, err)
                self.assertIn("phonenorm webhook:", err)
                with open(p, "rb") as f:
                    self.assertEqual(f.read(), content, "the receiver changed a file that is no journal")


class Running(Base):
    def test_ready_file_and_listening_line(self):
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret) as rc_:
            with open(rc_.ready_file) as f:
                text = f.read()
            self.assertRegex(text, r"^\d+\n$")
            port = int(text)
            self.assertEqual(port, rc_.port)
            self.assertEqual([n for n in os.listdir(os.path.dirname(rc_.ready_file))
                              if n.startswith("ready.")], [], "a temporary ready file was left")
            m = LISTENING.search(rc_.stderr())
            self.assertIsNotNone(m, rc_.stderr())
            self.assertEqual(int(m.group(1)), port)
            self.assertEqual(m.group(2), self.db)
            st, body, _ = whtest.post(port, b"", method="GET", path="/healthz")
            self.assertEqual((st, body), (200, b"ok\n"))
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "")

    def test_port_in_use_exit_3(self):
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret) as first:
            second = whtest.Receiver(self.db, secret, listen="127.0.0.1:%d" % first.port)
            try:
                second.spawn()
                code, out, err = second.wait(30)
            finally:
                second.cleanup()
            self.assertEqual(code, 3, err)
            self.assertIn("cannot listen on 127.0.0.1:%d" % first.port, err)
            self.assertFalse(os.path.exists(second.ready_file))
            # The first one still serves.
            st, _, _ = whtest.post(first.port, b"", method="GET", path="/healthz")
            self.assertEqual(st, 200)
            code, out, err = first.stop()
            self.assertEqual(code, 0, err)
        # A port taken by another program (not a receiver) too.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        try:
            rc, out, err = whtest.run_webhook(["--journal", self.db, "--listen",
                                               "127.0.0.1:%d" % s.getsockname()[1]],
                                              env=whtest.receiver_env(secret=secret))
            self.assertEqual(rc, 3, err)
        finally:
            s.close()

    def test_non_loopback_warning(self):
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret, listen="0.0.0.0:0") as rc_:
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("warning: listening on 0.0.0.0 without TLS", err)
        self.assertIn("reverse proxy", err)
        with whtest.Receiver(self.db, secret) as rc_:
            code, out, err = rc_.stop()
        self.assertNotIn("warning", err)

    def test_sigterm_and_sigint_exit_0_with_summary(self):
        for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
            with self.subTest(sig=name):
                secret = svix_sign.new_secret()
                with whtest.Receiver(self.db, secret) as rc_:
                    st, data = whtest.deliver(rc_, secret, whtest.ended_event(self.dispatch[1]))
                    self.assertEqual(st, 200, data)
                    st, data = whtest.deliver(rc_, svix_sign.new_secret(), whtest.ended_event(self.dispatch[1]))
                    self.assertEqual(st, 401, data)
                    code, out, err = rc_.stop(sig)
                self.assertEqual(code, 0, err)
                m = SUMMARY.search(err)
                self.assertIsNotNone(m, err)
                self.assertEqual(m.group(1), name)
                self.assertEqual((m.group(2), m.group(8)), ("1", "1"), err)
                self.assertEqual(out, "")

    def test_quiet(self):
        secret = svix_sign.new_secret()
        body = json.dumps(whtest.ended_event(self.dispatch[0]))
        for quiet in (False, True):
            with self.subTest(quiet=quiet):
                with whtest.Receiver(self.db, secret, quiet=quiet) as rc_:
                    st, _, _ = whtest.post(rc_.url, body, whtest.signed(svix_sign.new_secret(), body))
                    self.assertEqual(st, 401)
                    st, _, _ = whtest.post(rc_.port, body, method="GET")
                    self.assertEqual(st, 405)
                    st, _, _ = whtest.post(rc_.port, body, path="/elsewhere")
                    self.assertEqual(st, 404)
                    code, out, err = rc_.stop()
                self.assertEqual(code, 0, err)
                lines = [l for l in err.splitlines() if "refused a delivery" in l]
                if quiet:
                    self.assertEqual(lines, [])
                else:
                    self.assertEqual(lines, ["phonenorm webhook: refused a delivery: HTTP 401 (bad_signature)",
                                             "phonenorm webhook: refused a delivery: HTTP 405 (method_not_allowed)",
                                             "phonenorm webhook: refused a delivery: HTTP 404 (not_found)"])
                self.assertIsNotNone(SUMMARY.search(err), err)  # the summary even when quiet

    def test_custom_path(self):
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret, path="/hooks/phonenorm-42") as rc_:
            body = json.dumps(whtest.ended_event(self.dispatch[0]))
            st, _, _ = whtest.post(rc_.port, body, whtest.signed(secret, body))  # the default path
            self.assertEqual(st, 404)
            st, data, _ = whtest.post(rc_.url, body, whtest.signed(secret, body))
            self.assertEqual(st, 200, data)
            self.assertIn("/hooks/phonenorm-42 (journal", rc_.stderr())
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)

    def test_redelivery_changes_nothing(self):
        secret = svix_sign.new_secret()
        d = self.dispatch[2]
        with whtest.Receiver(self.db, secret) as rc_:
            mid = svix_sign.new_msg_id()
            first = whtest.ended_event(d, delivered=True, callOutput="FIRST", duration=77)
            st, data = whtest.deliver(rc_, secret, first, msg_id=mid)
            self.assertEqual(st, 200, data)
            before_ev, before_rows = whtest.events(self.db), whtest.rows(self.db)
            before_att = whtest.attempts(self.db)
            self.assertEqual(before_ev[mid]["dispatch_id"], d)
            # The same svix-id again: later, and even with another body
            # (a sender must not do that; the id is the key either way).
            for body in (first, whtest.ended_event(d, delivered=False, callOutput="SECOND")):
                st, data = whtest.deliver(rc_, secret, body, msg_id=mid, timestamp=int(time.time()) + 5)
                self.assertEqual(st, 200, data)
            self.assertEqual(whtest.events(self.db), before_ev)
            self.assertEqual(whtest.rows(self.db), before_rows)
            self.assertEqual(whtest.attempts(self.db), before_att)
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        m = SUMMARY.search(err)
        self.assertIsNotNone(m, err)
        self.assertEqual((m.group(2), m.group(7)), ("1", "2"), err)


class Options(Base):
    """The server options reach the server."""

    def test_tolerance(self):
        secret = svix_sign.new_secret()
        body = json.dumps(whtest.ended_event(self.dispatch[0]))
        with whtest.Receiver(self.db, secret, args=["--tolerance", "10"]) as rc_:
            for age, want in ((60, 401), (-60, 401), (3, 200)):
                st, data, _ = whtest.post(rc_.url, body, whtest.signed(secret, body,
                                                                       timestamp=int(time.time()) - age))
                self.assertEqual(st, want, "age %d: %s" % (age, data))
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("HTTP 401 (stale_timestamp)", err)
        self.assertIn("HTTP 401 (future_timestamp)", err)

    def test_max_body(self):
        secret = svix_sign.new_secret()
        small = json.dumps(whtest.ended_event(self.dispatch[0]))
        big = json.dumps(whtest.ended_event(self.dispatch[0], transcription="x" * 3000))
        with whtest.Receiver(self.db, secret, args=["--max-body", "2K"]) as rc_:
            st, _, _ = whtest.post(rc_.url, big, whtest.signed(secret, big))
            self.assertEqual(st, 413)
            st, data, _ = whtest.post(rc_.url, small, whtest.signed(secret, small))
            self.assertEqual(st, 200, data)
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("HTTP 413 (too_large)", err)

    def test_request_deadline(self):
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret, args=["--request-deadline", "1"]) as rc_:
            s = socket.create_connection(("127.0.0.1", rc_.port), timeout=10)
            try:
                s.sendall(b"POST /webhooks/calls HTTP/1.1\r\nHost: x\r\n")
                t0 = time.monotonic()
                end = t0 + 8
                closed = False
                while time.monotonic() < end:
                    try:
                        s.sendall(b"X")  # one byte a second: slowloris
                        s.settimeout(1.0)
                        if s.recv(4096) == b"":
                            closed = True
                            break
                    except socket.timeout:
                        continue
                    except OSError:
                        closed = True
                        break
                self.assertTrue(closed, "a request that never ends was not dropped")
                self.assertLess(time.monotonic() - t0, 5)
            finally:
                s.close()
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("dropped a connection (header_deadline)", err)

    def test_tls(self):
        cert = whtest.fakeapi.make_cert(self.tmp)
        if cert is None:
            self.skipTest("no openssl tool to make a test certificate")
        import http.client
        import ssl
        secret = svix_sign.new_secret()
        with whtest.Receiver(self.db, secret, listen="0.0.0.0:0",
                             args=["--tls-cert", cert[0], "--tls-key", cert[1]]) as rc_:
            err = rc_.stderr()
            self.assertIn("listening on https://0.0.0.0:%d/webhooks/calls" % rc_.port, err)
            self.assertNotIn("warning", err)  # not loopback, but TLS
            ctx = ssl.create_default_context(cafile=cert[0])
            body = json.dumps(whtest.ended_event(self.dispatch[0]))
            conn = http.client.HTTPSConnection("127.0.0.1", rc_.port, context=ctx, timeout=10)
            h = whtest.signed(secret, body)
            h["Content-Type"] = "application/json"
            conn.request("POST", "/webhooks/calls", body=body, headers=h)
            r = conn.getresponse()
            self.assertEqual(r.status, 200, r.read())
            conn.close()
            self.assertIn(h["svix-id"], whtest.events(self.db))
            code, out, err = rc_.stop()
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    sys.exit(whtest.main(sys.argv))
