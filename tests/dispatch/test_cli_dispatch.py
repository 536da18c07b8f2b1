#!/usr/bin/env python3
"""CLI tests for phonenorm call / contact create / invoice create, run on the
built binary against the fake call API on 127.0.0.1.

usage: test_cli_dispatch.py PATH/TO/phonenorm
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakeapi  # noqa: E402

import subprocess  # noqa: E402

BIN = None
SRV = None
TOKEN = fakeapi.TOKEN
OUTPUTS = []  # every stdout and stderr any test saw, for the token check


def run(*args, token=TOKEN, url=None, extra_env=None):
    env = fakeapi.clean_env({"PHONENORM_API_URL": url or SRV.base})
    if token is not None:
        env["PHONENORM_API_TOKEN"] = token
    env.update(extra_env or {})
    p = subprocess.run([BIN, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    out, err = p.stdout.decode(), p.stderr.decode()
    OUTPUTS.append((args, out, err))
    return p.returncode, out, err


def run_bytes(*args, stdout=subprocess.PIPE):
    """run() with output as bytes; stdout may be a file (/dev/full)."""
    env = fakeapi.clean_env({"PHONENORM_API_URL": SRV.base, "PHONENORM_API_TOKEN": TOKEN})
    p = subprocess.run([BIN, *args], env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=60)
    out = p.stdout if p.stdout is not None else b""
    OUTPUTS.append((args, out.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")))
    return p.returncode, out, p.stderr


def run_full(*args):
    """Run with standard output on /dev/full: (exit code, stderr as text)."""
    with open("/dev/full", "wb") as full:
        rc, _, err = run_bytes(*args, stdout=full)
    return rc, err.decode()


def unescape(b):
    r"""Reverse the CLI's text escaping (\\ \t \n \r \xHH) to the bytes."""
    out, i = bytearray(), 0
    simple = {ord("\\"): b"\\", ord("t"): b"\t", ord("n"): b"\n", ord("r"): b"\r"}
    while i < len(b):
        if b[i] != ord("\\"):
            out.append(b[i])
            i += 1
        elif b[i + 1] == ord("x"):
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        else:
            out += simple[b[i + 1]]
            i += 2
    return bytes(out)


# No text output may carry these raw (tabs and newlines are counted apart).
RAW_CONTROLS = [bytes([c]) for c in range(0x20) if c not in (0x09, 0x0A)] + [b"\x7f", b"\xc2\x9b"]


def refused_url():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d/api-service/v1" % port


class DryRun(unittest.TestCase):
    def setUp(self):
        SRV.reset()

    def test_text_shows_request_with_masked_token(self):
        rc, out, err = run("call", "--dry-run", "-c", "sa", "050 123 4567", "--first-name", "John",
                           "--tag", "amount=$500.00", "--meta", "project_id=proj_123", "--update-existing")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out,
                         "POST %s/ai/phone-calls/action/call\n"
                         "Authorization: Bearer ****\n"
                         "Content-Type: application/json\n"
                         "Accept: application/json\n"
                         "User-Agent: phonenorm/%s\n"
                         "\n"
                         '{"numberToCall":"+966501234567","countryCode":"SA","firstName":"John",'
                         '"updateExisting":true,"promptTags":{"amount":"$500.00"},'
                         '"metadata":{"project_id":"proj_123"}}\n' % (SRV.base, self.version()))
        self.assertEqual(SRV.requests(), [], "a dry run sent something")

    def version(self):
        rc, out, _ = run("--version")
        return out.split()[1]

    def test_json_and_no_token(self):
        rc, out, err = run("call", "-n", "--json", "+966501234567", "--meta-json", '{"n": 12345678901234567890}',
                           token=None)
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertIsNone(doc["headers"]["Authorization"])
        self.assertEqual(doc["url"], SRV.base + "/ai/phone-calls/action/call")
        self.assertIn('"metadata":{"n":12345678901234567890}', out)
        rc, out, _ = run("call", "-n", "+966501234567", token=None)
        self.assertIn("Authorization: (no token", out)

    def test_allow_possible(self):
        rc, out, err = run("call", "-n", "--json", "-c", "US", "0501234567", "--allow-possible")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["body"], {"numberToCall": "+10501234567", "countryCode": "US"})
        rc, out, err = run("contact", "create", "-n", "--json", "--name", "X", "-c", "US",
                           "--phone", "0501234567", "--allow-possible")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["body"], {"name": "X", "phoneNumber": "+10501234567"})
        # A Canadian number read in US: countryCode is not its region, so not sent.
        rc, out, err = run("call", "-n", "--json", "-c", "US", "(416) 234-5678")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["body"], {"numberToCall": "+14162345678"})

    def test_contact_and_invoice_dry_run(self):
        rc, out, _ = run("contact", "create", "-n", "--name", "John Doe", "--phone", "+966501234567",
                         "--email", "john.doe@example.com", "--role", "PRIMARY")
        self.assertEqual(rc, 0)
        self.assertTrue(out.endswith('{"name":"John Doe","phoneNumber":"+966501234567",'
                                     '"email":"john.doe@example.com","role":"PRIMARY"}\n'), out)
        rc, out, _ = run("invoice", "create", "-n", "--number", "1", "--date", "2025-01-01", "--due-date",
                         "2025-01-15", "--total", "100.0", "--contact-uuid", "9bfa828a-3c2d-430c-bdc7-f74d90334524")
        self.assertEqual(rc, 0)
        self.assertTrue(out.endswith('{"number":"1","date":"2025-01-01","dueDate":"2025-01-15","total":100.0,'
                                     '"contactUuid":"9bfa828a-3c2d-430c-bdc7-f74d90334524"}\n'), out)


class Send(unittest.TestCase):
    def setUp(self):
        SRV.reset()

    def test_accepted_text(self):
        rc, out, err = run("call", "+966501234567", "--first-name", "John", "--last-name", "Doe",
                           "--email", "john.doe@example.com", "--template", "550e8400-e29b-41d4-a716-446655440000",
                           "--tag", "amount=$500.00", "--tag", "due_date=January 15, 2026", "--no-create",
                           "--contact-uuid", "9bfa828a-3c2d-430c-bdc7-f74d90334524")
        # --no-create and an unknown contact: the fake API answers 404.
        self.assertEqual(rc, 1, out + err)
        self.assertTrue(out.startswith("not_found\t404\t-\t"), out)
        body = SRV.requests()[0]["body"]
        self.assertEqual(body, '{"numberToCall":"+966501234567","firstName":"John","lastName":"Doe",'
                               '"email":"john.doe@example.com","contactUuid":"9bfa828a-3c2d-430c-bdc7-f74d90334524",'
                               '"aiSettingsTemplateId":"550e8400-e29b-41d4-a716-446655440000",'
                               '"createIfNotExists":false,'
                               '"promptTags":{"amount":"$500.00","due_date":"January 15, 2026"}}')
        rc, out, err = run("call", "+966501234567")
        self.assertEqual(rc, 0, err)
        outcome, status, call_id, summary = out.rstrip("\n").split("\t")
        self.assertEqual((outcome, status), ("accepted", "201"))
        self.assertEqual(json.loads(SRV.requests()[1]["response"])["callId"], call_id)
        self.assertIn("status initiated", summary)
        self.assertEqual(err, "")

    def test_accepted_json(self):
        rc, out, err = run("call", "--json", "+966501234567")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        resp = json.loads(SRV.requests()[0]["response"])
        self.assertEqual((doc["outcome"], doc["http_status"], doc["number"]), ("accepted", 201, "+966501234567"))
        self.assertEqual((doc["call_id"], doc["contact_uuid"], doc["status"]),
                         (resp["callId"], resp["contactUuid"], "initiated"))

    def test_exit_codes(self):
        cases = [
            ({"status": 422, "body": {"detail": [{"loc": ["body", "numberToCall"], "msg": "bad", "type": "x"}]}},
             [], 1, "rejected"),
            ({"status": 403}, [], 1, "auth_failed"),
            ({"status": 429, "retry_after": "9"}, [], 5, "throttled"),
            ({"status": 503}, [], 5, "throttled"),
            ({"status": 500}, [], 4, "ambiguous"),
            ({"status": 502}, [], 4, "ambiguous"),
            ({"drop": True}, [], 4, "ambiguous"),
            ({"wire": "HTTP/1.1 100 Continue\r\n\r\n"}, [], 4, "ambiguous"),
            ({"wire": "HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"}, [], 4, "ambiguous"),
            ({"delay": 2.0}, ["--timeout", "0.4"], 4, "ambiguous"),
        ]
        for fault, extra, code, outcome in cases:
            with self.subTest(fault=fault):
                SRV.reset()
                SRV.fault(fault)
                rc, out, err = run("call", "--json", "+966501234567", *extra)
                doc = json.loads(out)
                self.assertEqual((rc, doc["outcome"]), (code, outcome), err)
                self.assertEqual(len(SRV.requests()), 1)
                if fault.get("retry_after"):
                    self.assertEqual((doc["retry_after"], doc["retry_after_seconds"]), ("9", 9))
                if fault.get("status") == 422:
                    self.assertEqual(doc["details"], [{"loc": ["body", "numberToCall"], "msg": "bad", "type": "x"}])
        SRV.reset()
        rc, out, err = run("call", "+966501234567", token="wrong-token-9999")
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith("auth_failed\t401\t"), out)
        rc, out, err = run("call", "+966501234567", url=refused_url())
        self.assertEqual(rc, 3, out + err)
        self.assertTrue(out.startswith("not_sent\t0\t-\tcould not connect"), out)
        self.assertIn("safe to send again", err)

    def test_clear_messages(self):
        # issue 8: a huge response header is not "out of memory"; a 404 that is
        # not the API's JSON points at the URL; the API's own 404 keeps its words.
        SRV.fault({"wire": "HTTP/1.1 201 Created\r\nX-Big: {pad:204800}\r\nContent-Length: 2\r\n\r\n{}"})
        rc, out, err = run("call", "+966501234567")
        self.assertIn("response header too large", out)
        self.assertNotIn("Out of memory", out)
        SRV.fault({"status": 404, "raw": "<html>Not Found</html>"})
        rc, out, err = run("call", "+966501234567", url=SRV.base + "/" + TOKEN)
        self.assertEqual(rc, 1)
        self.assertIn("the API URL may be wrong (%s/****/ai/phone-calls/action/call)" % SRV.base, out)
        SRV.fault({"status": 404, "body": {"detail": "Contact not found"}})
        rc, out, err = run("call", "+966501234567")
        self.assertEqual(out, "not_found\t404\t-\tHTTP 404 (not_found): Contact not found\n")

    def test_422_text_lists_details(self):
        SRV.fault({"status": 422, "body": {"detail": [
            {"loc": ["body", "countryCode"], "msg": "String should match pattern '^[A-Z]{2}$'",
             "type": "string_pattern_mismatch"}]}})
        rc, out, err = run("call", "+966501234567")
        self.assertEqual(rc, 1)
        self.assertIn("  body.countryCode: String should match pattern '^[A-Z]{2}$' (string_pattern_mismatch)", err)

    def test_refused_locally_sends_nothing(self):
        cases = [
            (["call", "+96612341234"], "too_short"),
            (["call", "0501234567"], "needs_region"),
            # issue 8: read in the wrong region, only possible; a +1 number with -c SA
            (["call", "-c", "US", "0501234567"], "gives +10501234567, which is only possible"),
            (["call", "-c", "SA", "+1 202-555-0123"], "is a +1 number (US), not a number of countryCode SA"),
            (["contact", "create", "--name", "X", "-c", "US", "--phone", "0501234567"], "only possible"),
            (["call", "+966501234567", "--contact-uuid", "nope"], "contactUuid \"nope\" is not a UUID"),
            (["call", "+966501234567", "--template", "template-uuid-here"], "aiSettingsTemplateId"),
            (["call", "+966501234567", "--tags-json", '{"amount": 500}'], "must be a string"),
            (["call", "+966501234567", "--meta-json", "[1]"], "must be a JSON object"),
            (["call", "+966501234567", "--tag", "=x"], "empty key"),
            (["call", "+966501234567", "--tag", "novalue"], "--tag takes KEY=VALUE"),
            (["call", "+966501234567", "--meta", "a=1", "--meta-json", "{}"], "cannot be combined"),
            (["call", "+966501234567", "-c", "XX"], "unknown region 'XX'"),
            (["call", "+966501234567", "+966501234568"], "one NUMBER per call"),
            (["call", "+966501234567", "--timeout", "soon"], "--timeout takes seconds"),
            (["call", "+966501234567", "--token", "abc"], "there is no --token option"),
            (["call", "+966501234567", "--tok=abc"], "there is no --token option"),
            (["invoice", "create", "--to=abc"], "unknown option '--to'"),
            # issue 8: no abbreviation names the token file (or anything else)
            (["call", "+966501234567", "--to", "abc"], "write --token-file in full"),
            (["call", "+966501234567", "--token-f", "abc"], "there is no --token option"),
            (["call", "--t=abc", "+966501234567"], "write --token-file in full"),
            (["call", "+966501234567", "--first", "abc"], "unknown option '--first' (options are never abbreviated)"),
            (["contact", "create", "--na", "abc", "--phone", "+966501234567"], "unknown option '--na'"),
            (["call", "+966501234567", "--token-file", "/nonexistent/abc"], "the token file: No such file"),
            # an unknown short option in a cluster after the token file's path
            # names itself, not the previous argument (found by fuzz_options)
            (["call", "--token-file", "S3CRET-path", "-27.0.0.1:9", "x"], "unknown or ambiguous option '-2'"),
            (["invoice", "create", "--contact-uuid", "9bfa828a-3c2d-430c-bdc7-f74d90334524",
              "--date", "2999-12-31"], "is in the future"),
            (["invoice", "create", "--date", "2025-01-01"], "contactUuid is required"),
            (["contact", "create", "--name", "X"], "phoneNumber is required"),
            (["contact", "delete"], "unknown action 'delete'"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual(rc, 2, out + err)
                self.assertIn(msg, err)
                self.assertNotIn("abc", err, "a would-be token was echoed")
                self.assertEqual(out, "")
        rc, out, err = run("call", "+966501234567", token=None)
        self.assertEqual(rc, 2)
        self.assertIn("no API token", err)
        self.assertEqual(SRV.requests(), [], "a refused request reached the server")

    def test_option_values_are_not_taken_for_options(self):
        # A value that looks like an option is still the value of the option before it.
        rc, out, err = run("call", "-n", "--json", "--first-name", "--to", "+966501234567")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["body"]["firstName"], "--to")
        rc, out, err = run("call", "-n", "--json", "-c", "--SA", "+966501234567")
        self.assertEqual(rc, 2)
        self.assertIn("unknown region", err)

    def test_token_in_urls_is_masked(self):
        # issue 8: a token in PHONENORM_API_URL (path, percent-encoded, userinfo, query)
        rc, out, err = run("call", "-n", "+966501234567", url=SRV.base + "/" + TOKEN)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("POST %s/****/ai/phone-calls/action/call\n" % SRV.base), out)
        enc = "".join("%%%02X" % ord(ch) for ch in TOKEN)
        rc, out, err = run("call", "-n", "--json", "+966501234567", url=SRV.base + "/" + enc)
        self.assertEqual(json.loads(out)["url"], SRV.base + "/****/ai/phone-calls/action/call")
        rc, out, err = run("call", "-v", "+966501234567", url=SRV.base + "/" + TOKEN)
        self.assertIn("/****/ai/phone-calls/action/call", err)
        self.assertEqual(SRV.requests()[-1]["path"], "/api-service/v1/%s/ai/phone-calls/action/call" % TOKEN)
        for url, shown in (("https://user:pw-secret@api.example.com/v1", "'https://****@api.example.com/v1'"),
                           ("https://api.example.com/v1?key=pw-secret", "'https://api.example.com/v1?****'"),
                           ("ftp://x.example.com/" + TOKEN, "'ftp://x.example.com/****'")):
            rc, out, err = run("call", "-n", "+966501234567", url=url)
            self.assertEqual(rc, 2)
            self.assertIn(shown, err)
            self.assertNotIn("secret", err)
        # The message cuts a URL at 60 bytes: the cut falls inside the token.
        rc, out, err = run("call", "-n", "+966501234567", url="ftp://x.example.com/" + "a" * 34 + TOKEN)
        self.assertIn("a" * 34 + "****", err)
        self.assertNotIn("a" + TOKEN[:4], err)

    def test_cleartext_to_a_remote_host_is_refused(self):
        rc, out, err = run("call", "-n", "+966501234567", "--api-url", "http://api.example.com/v1")
        self.assertEqual(rc, 2)
        self.assertIn("not loopback", err)

    def test_help(self):
        for args in (["call", "--help"], ["contact", "create", "--help"], ["invoice", "--help"]):
            rc, out, err = run(*args)
            self.assertEqual(rc, 0)
            self.assertTrue(out.startswith("usage: phonenorm " + args[0]), out)
            self.assertIn("Exit status:", out)


class Forged(unittest.TestCase):
    """What the server sends cannot forge result lines (issue 8, defect 6)."""

    CALL_ID = "call-1\taccepted\t201\tforged\naccepted\x1b[2J\x1b]0;pwned\x07\\"
    UUID = "9bfa828a-3c2d-430c-bdc7-f74d90334524"

    def setUp(self):
        SRV.reset()

    def assert_one_line(self, out, fields=4):
        self.assertEqual(out.count(b"\n"), 1, out)
        self.assertTrue(out.endswith(b"\n"), out)
        self.assertEqual(len(out.split(b"\t")), fields, out)
        for raw in RAW_CONTROLS:
            self.assertNotIn(raw, out)

    def test_call_id_and_status(self):
        body = {"callId": self.CALL_ID, "status": "initiated\nnot_sent\t0", "contactUuid": self.UUID}
        SRV.fault({"status": 201, "body": body})
        rc, out, err = run_bytes("call", "+966501234567")
        self.assertEqual(rc, 0, err)
        self.assert_one_line(out)
        outcome, status, call_id, summary = out.rstrip(b"\n").split(b"\t")
        self.assertEqual((outcome, status), (b"accepted", b"201"))
        self.assertEqual(unescape(call_id), self.CALL_ID.encode())
        self.assertIn(b"status initiated\\nnot_sent\\t0", summary)
        self.assertEqual(err, b"")
        SRV.fault({"status": 201, "body": body})
        rc, out, err = run_bytes("call", "--json", "+966501234567")
        doc = json.loads(out)
        self.assertEqual((doc["call_id"], doc["status"]), (body["callId"], body["status"]))
        for raw in RAW_CONTROLS:
            self.assertNotIn(raw, out)

    def test_contact_uuid(self):
        SRV.fault({"status": 201, "path": "/contact", "body": {"uuid": "u\n\x1b[1mu", "name": "J"}})
        rc, out, err = run_bytes("contact", "create", "--name", "J", "--phone", "+966501234567")
        self.assertEqual(rc, 0, err)
        self.assert_one_line(out)
        self.assertEqual(out.split(b"\t")[2], b"u\\n\\x1b[1mu")

    def test_retry_after(self):
        # Header bytes go out as Latin-1: 0x9b, a C1 CSI, is a byte that is not UTF-8.
        SRV.fault({"status": 429, "retry_after": "\x1b]8;;http://evil\x1b\\\tx\x9b"})
        rc, out, err = run_bytes("call", "+966501234567")
        self.assertEqual(rc, 5, err)
        self.assert_one_line(out)
        self.assertIn(b"(Retry-After: \\x1b]8;;http://evil\\x1b\\\\\\tx\\x9b)", out)
        for raw in RAW_CONTROLS + [b"\t"]:
            self.assertNotIn(raw, err)

    def test_details_and_message_on_stderr(self):
        SRV.fault({"status": 422, "body": {"detail": [
            {"loc": ["body", "x\ny"], "msg": "bad\n\x1b[31mphonenorm call: forged", "type": "t\tz"}]}})
        rc, out, err = run_bytes("call", "+966501234567")
        self.assertEqual(rc, 1)
        self.assert_one_line(out)
        self.assertIn(b"  body.x\\ny: bad\\n\\x1b[31mphonenorm call: forged (t\\tz)\n", err)
        self.assertEqual(err.count(b"\n"), 2, err)
        for raw in RAW_CONTROLS + [b"\t"]:
            self.assertNotIn(raw, err)
        SRV.fault({"status": 400, "body": {"message": "no\r\nway\x1b[0m"}})
        rc, out, err = run_bytes("call", "+966501234567")
        self.assert_one_line(out)
        self.assertIn(b"no\\r\\nway\\x1b[0m", out)

    def test_trace_is_escaped(self):
        SRV.fault({"status": 201, "headers": {"X-Evil": "a\x1b[2Jb\tc"},
                   "body": {"callId": "c", "status": "initiated", "contactUuid": self.UUID}})
        rc, out, err = run_bytes("call", "-v", "+966501234567")
        self.assertEqual(rc, 0, err)
        self.assertIn(b"X-Evil: a\\x1b[2Jb\\tc", err)
        for raw in RAW_CONTROLS:
            self.assertNotIn(raw, err)


class WriteErrors(unittest.TestCase):
    """A result that cannot be printed is not lost (issue 8, defect 5)."""

    MSG = "phonenorm: write error on standard output: No space left on device\n"

    def setUp(self):
        SRV.reset()

    def test_accepted_call_on_dev_full(self):
        rc, err = run_full("call", "+966501234567")
        self.assertEqual(rc, 6, err)
        call_id = json.loads(SRV.requests()[0]["response"])["callId"]
        self.assertTrue(err.startswith(self.MSG), err)
        self.assertIn("phonenorm call: the result, which standard output did not take:\n"
                      "accepted\t201\t%s\t" % call_id, err)
        rc, err = run_full("call", "--json", "+966501234567")
        self.assertEqual(rc, 6, err)
        call_id = json.loads(SRV.requests()[1]["response"])["callId"]
        doc = json.loads(err.splitlines()[2])
        self.assertEqual((doc["outcome"], doc["call_id"]), ("accepted", call_id))

    def test_other_outcomes_and_commands(self):
        SRV.fault({"status": 500})
        rc, err = run_full("call", "+966501234567")
        self.assertEqual(rc, 6, err)
        self.assertIn("\nambiguous\t500\t-\t", err)
        self.assertIn("may or may not have been placed", err)
        rc, err = run_full("contact", "create", "--name", "J", "--phone", "+966501234567")
        self.assertEqual(rc, 6, err)
        self.assertIn("\naccepted\t201\t", err)
        for args in (["call", "-n", "+966501234567"], ["call", "--help"], ["invoice", "--help"]):
            with self.subTest(args=args):
                rc, err = run_full(*args)
                self.assertEqual((rc, err), (6, self.MSG))


class Flow(unittest.TestCase):
    """Seed 004: create contact, create invoice, call a number for that contact."""

    def test_call_to_number(self):
        SRV.reset()
        rc, out, err = run("contact", "create", "--name", "John Doe", "--phone", "+966501234567",
                           "--email", "john.doe@example.com", "--role", "PRIMARY")
        self.assertEqual(rc, 0, err)
        outcome, status, contact_uuid, _ = out.rstrip("\n").split("\t")
        self.assertEqual((outcome, status, len(contact_uuid)), ("accepted", "201", 36))
        rc, out, err = run("invoice", "create", "--number", "1", "--date", "2025-01-01", "--due-date",
                           "2025-01-15", "--total", "100.0", "--contact-uuid", contact_uuid)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("accepted\t201\t"), out)
        rc, out, err = run("call", "--json", "+1 202-555-0123", "--contact-uuid", contact_uuid)
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual((doc["contact_uuid"], doc["number"]), (contact_uuid, "+12025550123"))
        bodies = [r["body"] for r in SRV.requests()]
        self.assertEqual(bodies, [
            '{"name":"John Doe","phoneNumber":"+966501234567","email":"john.doe@example.com","role":"PRIMARY"}',
            '{"number":"1","date":"2025-01-01","dueDate":"2025-01-15","total":100.0,"contactUuid":"%s"}' % contact_uuid,
            '{"numberToCall":"+12025550123","contactUuid":"%s"}' % contact_uuid,
        ])


class Token(unittest.TestCase):
    """Runs last (by name): checks every output every test produced."""

    def test_z_token_never_printed(self):
        SRV.reset()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "token")
            with open(path, "w") as f:
                f.write(TOKEN + "\n")
            rc, out, err = run("call", "-v", "+966501234567", "--token-file", path, token=None)
            self.assertEqual(rc, 0, err)
            self.assertIn("> Authorization: Bearer ****", err)
            self.assertIn("< HTTP/1.1 201", err)
            for fault in ({"echo_auth": True, "status": 401}, {"drop": True}, {"status": 422}):
                SRV.fault(fault)
                run("call", "-v", "+966501234567", "--token-file", path, token=None)
                SRV.fault(fault)
                run("call", "-v", "--json", "+966501234567")
            run("call", "-v", "+966501234567", url=refused_url())
            run("call", "-n", "-v", "+966501234567")
            run("call", "-n", "--json", "+966501234567")
            run("contact", "create", "-v", "--name", "J", "--phone", "+966501234567")
        sent = [r["headers"].get("authorization") for r in SRV.requests()]
        self.assertGreaterEqual(len(sent), 8)
        self.assertTrue(all(s == "Bearer " + TOKEN for s in sent), "the token did not go out")
        echoed = [o for o in OUTPUTS if "credentials Bearer ****" in o[1] + o[2]]
        self.assertTrue(echoed, "the echo fault did not reach the output masked")
        for args, out, err in OUTPUTS:
            self.assertNotIn(TOKEN, out, "token on stdout of %r" % (args,))
            self.assertNotIn(TOKEN, err, "token on stderr of %r" % (args,))
        self.assertGreater(len(OUTPUTS), 40)


if __name__ == "__main__":
    BIN = os.path.abspath(sys.argv.pop(1))
    with fakeapi.FakeServer() as SRV:
        result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() else 1)
