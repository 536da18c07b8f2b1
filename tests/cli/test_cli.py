#!/usr/bin/env python3
"""CLI tests for phonenorm validate / format / info, run on the installed binary.

usage: test_cli.py PREFIX   (the install prefix holding bin/phonenorm)
"""
import json
import os
import subprocess
import sys
import unittest

PREFIX = None


def run(*args, stdin=None):
    """Run the installed phonenorm; returns (exit code, stdout, stderr) as text."""
    p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                       input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_env(env, *args, stdin=None):
    """run() with PHONENORM_METADATA set to env (None: unset)."""
    e = dict(os.environ)
    e.pop("PHONENORM_METADATA", None)
    if env is not None:
        e["PHONENORM_METADATA"] = env
    p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                       input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_bytes(*args, stdin=None):
    """Like run(), output as bytes (so bytes that are not UTF-8 show)."""
    p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                       input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr


def run_full(*args, stdin=None):
    """Run with standard output on /dev/full; returns (exit code, stderr)."""
    with open("/dev/full", "wb") as full:
        p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                           input=stdin.encode() if isinstance(stdin, str) else stdin,
                           stdout=full, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stderr.decode()


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


# Bytes no text output may carry raw: C0 controls but tab and newline (the
# tests count fields and lines), DEL and 8-bit C1 controls (CSI is 0x9b).
RAW_CONTROLS = [bytes([c]) for c in range(0x20) if c not in (0x09, 0x0A)] + [b"\x7f", b"\xc2\x9b", b"\xc2\x85"]


class Global(unittest.TestCase):
    def test_version(self):
        rc, out, err = run_env(None, "--version")
        self.assertEqual(rc, 0)
        self.assertEqual(err, "")
        self.assertRegex(out, r"^phonenorm \d+\.\d+\.\d+ \(libphonenumber (8\.\d+\.\d+), "
                         r"metadata \d+\.\d+\.\d+ bundled\)\n$")
        self.assertNotIn("metadata 8.12.57", out)
        rc, out, err = run_env("system", "--version")
        self.assertEqual(rc, 0)
        self.assertEqual(err, "")
        # The system data is the engine's own: both versions are the same.
        self.assertRegex(out, r"^phonenorm \d+\.\d+\.\d+ \(libphonenumber (8\.\d+\.\d+), "
                         r"metadata \1 system\)\n$")

    def test_help_lists_commands(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        for cmd in ("validate", "format", "info"):
            self.assertIn(cmd, out)

    def test_no_command_is_usage_error(self):
        rc, out, err = run()
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("usage:", err)

    def test_unknown_command(self):
        rc, out, err = run("frobnicate")
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("'frobnicate' is not a command", err)

    def test_each_command_has_help(self):
        for cmd in ("validate", "format", "info"):
            rc, out, err = run(cmd, "--help")
            self.assertEqual(rc, 0, cmd)
            self.assertTrue(out.startswith("usage: phonenorm " + cmd), out)
            self.assertEqual(err, "")

    def test_man_page_installed(self):
        path = os.path.join(PREFIX, "share", "man", "man1", "phonenorm.1")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        self.assertIn(".TH PHONENORM 1", page)
        for cmd in ("validate", "format", "info", "clean", "call", "contact create",
                    "invoice create"):
            self.assertIn(".B " + cmd, page)
        self.assertIn("PHONENORM_API_TOKEN", page)


class Validate(unittest.TestCase):
    def test_saudi_forms_all_valid(self):
        forms = ["0501234567", "501234567", "966501234567", "00966501234567",
                 "+966 50 123 4567", "05-0123-4567", "٠٥٠١٢٣٤٥٦٧", "０５０１２３４５６７"]
        rc, out, err = run("validate", "-c", "SA", *forms)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), len(forms))
        for line, form in zip(lines, forms):
            self.assertEqual(line.split("\t"), ["valid", "+966501234567", form])

    def test_region_is_case_insensitive(self):
        rc, out, _ = run("validate", "-c", "us", "(202) 555-0110")
        self.assertEqual(rc, 0)
        self.assertEqual(out, "valid\t+12025550110\t(202) 555-0110\n")

    def test_some_invalid_exits_1(self):
        rc, out, _ = run("validate", "-c", "SA", "0501234567", "12", "hello")
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            "valid\t+966501234567\t0501234567",
            "too_short\t+96612\t12",
            "not_a_number\t-\thello",
        ])

    def test_needs_region(self):
        rc, out, _ = run("validate", "0501234567", "+966501234567")
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines()[0], "needs_region\t-\t0501234567")
        self.assertEqual(out.splitlines()[1], "valid\t+966501234567\t+966501234567")

    def test_unknown_region_is_usage_error(self):
        rc, out, err = run("validate", "-c", "XX", "0501234567")
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("unknown region 'XX'", err)

    def test_unknown_option_and_missing_argument(self):
        rc, out, err = run("validate", "--bogus", "1")
        self.assertEqual(rc, 2)
        self.assertIn("unknown option '--bogus'", err)
        rc, out, err = run("validate", "-c")
        self.assertEqual(rc, 2)
        self.assertIn("needs an argument", err)

    def test_options_after_numbers(self):
        rc, out, _ = run("validate", "0501234567", "-c", "SA")
        self.assertEqual(rc, 0)
        self.assertEqual(out, "valid\t+966501234567\t0501234567\n")

    def test_stdin_one_per_line(self):
        # LF and CRLF line ends, a BOM on the first line, an empty line:
        # every input line gives exactly one output line, in order.
        data = "\ufeff0501234567\r\n(050) 123-4567\n\n+1 202 555 0110\n".encode()
        rc, out, _ = run("validate", "-c", "SA", stdin=data)
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            "valid\t+966501234567\t0501234567",
            "valid\t+966501234567\t(050) 123-4567",
            "not_a_number\t-\t",
            "valid\t+12025550110\t+1 202 555 0110",
        ])

    def test_stdin_all_valid_exits_0(self):
        rc, out, _ = run("validate", "-c", "SA", stdin="0501234567\n0551234567\n")
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), 2)

    def test_invalid_utf8_line(self):
        rc, out, _ = run("validate", "--json", "-c", "SA", stdin=b"05\xff01234567\n0501234567\n")
        self.assertEqual(rc, 1)
        first, second = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(first["status"], "not_a_number")
        self.assertEqual(first["reason"], "not valid UTF-8 text")
        self.assertEqual(first["input"], "05\ufffd01234567")
        self.assertEqual(second["status"], "valid")

    def test_json_parses_back(self):
        rc, out, _ = run("validate", "--json", "-c", "US",
                         "(202) 555-0110 ext. 45", "1-800-FLOWERS", "+999 123", "12")
        self.assertEqual(rc, 1)
        objs = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(objs), 4)
        self.assertEqual(objs[0]["e164"], "+12025550110")
        self.assertEqual(objs[0]["extension"], "45")
        self.assertEqual(objs[0]["region"], "US")
        self.assertEqual(objs[0]["country_code"], 1)
        self.assertEqual(objs[0]["national_number"], "2025550110")
        self.assertIs(objs[0]["valid"], True)
        self.assertEqual(objs[1]["e164"], "+18003569377")
        self.assertEqual(objs[1]["type"], "toll_free")
        self.assertEqual(objs[2]["status"], "invalid_country_code")
        self.assertIsNone(objs[2]["e164"])
        self.assertEqual(objs[3]["status"], "too_short")
        self.assertEqual(objs[3]["reason"], "too short for its country")
        self.assertIs(objs[3]["valid"], False)

    def test_json_escapes_awkward_input(self):
        rc, out, _ = run("validate", "--json", "-c", "SA", 'a"b\\c\td')
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(out)["input"], 'a"b\\c\td')

    def test_italian_leading_zero_in_json(self):
        rc, out, _ = run("validate", "--json", "-c", "IT", "06 1234 5678")
        self.assertEqual(rc, 0)
        obj = json.loads(out)
        self.assertEqual(obj["national_number"], "0612345678")
        self.assertEqual(obj["e164"], "+390612345678")


class Format(unittest.TestCase):
    def test_each_format(self):
        want = {"e164": "+966501234567", "intl": "+966 50 123 4567",
                "international": "+966 50 123 4567", "national": "050 123 4567",
                "rfc3966": "tel:+966-50-123-4567"}
        for fmt, expected in want.items():
            rc, out, _ = run("format", "-c", "SA", "-f", fmt, "0501234567")
            self.assertEqual(rc, 0, fmt)
            self.assertEqual(out, expected + "\n", fmt)

    def test_default_is_e164(self):
        rc, out, _ = run("format", "-c", "US", "(202) 555-0110")
        self.assertEqual((rc, out), (0, "+12025550110\n"))

    def test_dialout(self):
        rc, out, _ = run("format", "-c", "SA", "-f", "dialout", "--from", "us", "0501234567")
        self.assertEqual((rc, out), (0, "011 966 50 123 4567\n"))

    def test_dialout_needs_from(self):
        rc, out, err = run("format", "-f", "dialout", "+966501234567")
        self.assertEqual(rc, 2)
        self.assertIn("needs --from", err)
        rc, out, err = run("format", "--from", "US", "+966501234567")
        self.assertEqual(rc, 2)
        rc, out, err = run("format", "-f", "dialout", "--from", "QQ", "+966501234567")
        self.assertEqual(rc, 2)
        self.assertIn("unknown region 'QQ'", err)

    def test_unknown_format(self):
        rc, out, err = run("format", "-f", "pretty", "+966501234567")
        self.assertEqual(rc, 2)
        self.assertIn("unknown format 'pretty'", err)

    def test_extension_kept_out_of_e164(self):
        rc, out, _ = run("format", "-c", "US", "-f", "rfc3966", "202-555-0110 x45")
        self.assertEqual(out, "tel:+1-202-555-0110;ext=45\n")
        rc, out, _ = run("format", "-c", "US", "202-555-0110 x45")
        self.assertEqual(out, "+12025550110\n")

    def test_invalid_keeps_lines_aligned(self):
        rc, out, err = run("format", "-c", "SA", stdin="0501234567\nnope\n0551234567\n")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "+966501234567\n\n+966551234567\n")
        self.assertIn("nope: not a phone number", err)

    def test_json(self):
        rc, out, _ = run("format", "--json", "-f", "national", "-c", "GB", "+44 20 7946 0958")
        self.assertEqual(rc, 0)
        obj = json.loads(out)
        self.assertEqual(obj["formatted"], "020 7946 0958")
        self.assertEqual(obj["region"], "GB")


class Info(unittest.TestCase):
    def test_text(self):
        rc, out, _ = run("info", "-c", "US", "(202) 555-0110 ext. 45", "--from", "SA")
        self.assertEqual(rc, 0)
        fields = dict(l.split(":", 1) for l in out.splitlines())
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        self.assertEqual(fields["e164"], "+12025550110")
        self.assertEqual(fields["international"], "+1 202-555-0110 ext. 45")
        self.assertEqual(fields["dial from SA"], "00 1 202-555-0110 ext. 45")
        self.assertEqual(fields["region"], "US")
        self.assertEqual(fields["extension"], "45")
        self.assertEqual(fields["description"], "Washington D.C.")
        self.assertEqual(fields["emergency"], "no")
        self.assertRegex(fields["metadata"],
                         r"^\d+\.\d+\.\d+ (bundled|system) \(libphonenumber 8\.\d+\.\d+\)$")

    def test_emergency_json(self):
        rc, out, _ = run("info", "--json", "-c", "US", "911")
        self.assertEqual(rc, 1)  # 911 is not a valid (dialable) E.164 number
        obj = json.loads(out)
        self.assertIs(obj["emergency"], True)
        self.assertIs(obj["short_number"], True)
        self.assertEqual(obj["short_cost"], "toll_free")

    def test_language(self):
        rc, out, _ = run("info", "--json", "-l", "ar", "+966501234567")
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["description"], "المملكة العربية السعودية")
        rc, out, err = run("info", "-l", "not a language", "+966501234567")
        self.assertEqual(rc, 2)
        self.assertIn("invalid language", err)

    def test_stdin_multiple(self):
        rc, out, _ = run("info", "--json", "-c", "SA", stdin="0501234567\n0112345678\n")
        self.assertEqual(rc, 0)
        types = [json.loads(l)["type"] for l in out.splitlines()]
        self.assertEqual(types, ["mobile", "fixed_line"])

    def test_not_a_number(self):
        rc, out, _ = run("info", "-c", "SA", "hello")
        self.assertEqual(rc, 1)
        self.assertIn("status:          not_a_number (not a phone number)", out)


def run_fastpath(value, *args, stdin=None):
    """run() with PHONENORM_FASTPATH set to value (None: unset)."""
    e = dict(os.environ)
    e.pop("PHONENORM_FASTPATH", None)
    if value is not None:
        e["PHONENORM_FASTPATH"] = value
    p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                       input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, env=e)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class FastPath(unittest.TestCase):
    """Issue 12: info says which code parsed a number and what the compiled
    fast path is doing; the answers are the same whoever parses."""

    # (input, region, path when the fast path is on)
    CASES = [("0501234567", "SA", "fast"), ("+966 50 123 4567", "SA", "fast"),
             ("(202) 555-0110", "US", "fast"), ("٠٥٠١٢٣٤٥٦٧", "SA", "fast"),
             ("1-800-FLOWERS", "US", "fallback"), ("0312345678", "JP", "fallback"),
             ("hello", "SA", "fast")]

    def state(self, value=None):
        rc, out, err = run_fastpath(value, "info", "--fastpath", "--json")
        self.assertEqual((rc, err), (0, ""))
        return json.loads(out)

    def test_info_fastpath(self):
        on = self.state()
        self.assertEqual(on["verified_engine"], "8.12.57")
        self.assertEqual(set(on), {"enabled", "reason", "verified_engine", "territories",
                                   "territories_handled", "territories_compiled",
                                   "compile_seconds"})
        if on["enabled"]:
            self.assertEqual(on["reason"], "")
            # --fastpath compiles every territory to say what that costs.
            self.assertTrue(0 < on["territories_compiled"] <= on["territories"])
            self.assertTrue(0 < on["territories_handled"] <= on["territories"])
        off = self.state("0")
        self.assertIs(off["enabled"], False)
        self.assertIn("PHONENORM_FASTPATH", off["reason"])
        self.assertEqual(off["territories_compiled"], 0)
        rc, out, err = run_fastpath(None, "info", "--fastpath")
        self.assertEqual(rc, 0)
        fields = {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in out.splitlines())}
        self.assertEqual(fields["fast path"], "on" if on["enabled"] else "off")
        self.assertEqual(fields["verified against"], "libphonenumber 8.12.57")
        rc, out, err = run("info", "--fastpath", "+966501234567")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("--fastpath takes no numbers", err)
        self.assertEqual(run("info", "--fastpath", "--metadata")[0], 2)
        self.assertEqual(run("validate", "--fastpath")[0], 2)

    def test_parse_path_per_number(self):
        enabled = self.state()["enabled"]
        for text, region, path in self.CASES:
            rc, out, _ = run_fastpath(None, "info", "--json", "-c", region, text)
            got = json.loads(out)
            rc0, out0, _ = run_fastpath("0", "info", "--json", "-c", region, text)
            engine = json.loads(out0)
            self.assertEqual(rc, rc0, text)
            self.assertEqual(got.pop("parse_path"), path if enabled else "engine", text)
            self.assertEqual(engine.pop("parse_path"), "engine", text)
            self.assertEqual(got, engine, text)  # every other field: the same answer
        rc, out, _ = run_fastpath(None, "info", "-c", "SA", "0501234567")
        self.assertIn("parsed by:       %s" % ("fast path" if enabled else "libphonenumber"),
                      out)
        rc, out, _ = run_fastpath("0", "info", "-c", "SA", "0501234567")
        self.assertRegex(out, r"parsed by: +libphonenumber \(fast path off: .*PHONENORM_FASTPATH")


class Metadata(unittest.TestCase):
    """Issue 11: the bundled upstream data answers by default; PHONENORM_METADATA
    picks libphonenumber's own; a bad value is refused."""

    # Valid only with the bundled (v9.0.35) data: new SA mobile ranges (0574,
    # 0579[2-8]) and new US area codes (227, 472, 983).
    FRESH = [("+966574123456", "mobile"), ("+966579512345", "mobile"),
             ("+12272345678", "fixed_line_or_mobile"), ("+14722345678", "fixed_line_or_mobile"),
             ("+19832345678", "fixed_line_or_mobile")]
    # Valid only with libphonenumber 8.12.57's data: SA 811 (UAN), removed since.
    OLD = [("+9668110123456", "uan")]

    def info(self, env, number):
        rc, out, err = run_env(env, "info", "--json", number)
        self.assertEqual(err, "")
        return rc, json.loads(out)

    def test_bundled_by_default(self):
        for env in (None, "bundled", "BUNDLED"):
            for number, kind in self.FRESH:
                rc, obj = self.info(env, number)
                self.assertEqual((rc, obj["status"], obj["type"]), (0, "valid", kind), number)
                self.assertEqual(obj["metadata_source"], "bundled")
                self.assertNotEqual(obj["metadata_version"], obj["engine_version"])
            for number, kind in self.OLD:
                rc, obj = self.info(env, number)
                self.assertEqual((rc, obj["status"]), (1, "possible"), number)

    def test_system(self):
        for number, kind in self.FRESH:
            rc, obj = self.info("system", number)
            self.assertEqual((rc, obj["status"], obj["type"]), (1, "possible", "unknown"), number)
            self.assertEqual(obj["metadata_source"], "system")
            self.assertEqual(obj["metadata_version"], obj["engine_version"])
        for number, kind in self.OLD:
            rc, obj = self.info("system", number)
            self.assertEqual((rc, obj["status"], obj["type"]), (0, "valid", kind), number)

    def test_validate(self):
        numbers = [n for n, _ in self.FRESH]
        rc, out, _ = run_env(None, "validate", *numbers)
        self.assertEqual(rc, 0)
        self.assertEqual([l.split("\t")[0] for l in out.splitlines()], ["valid"] * len(numbers))
        rc, out, _ = run_env("system", "validate", *numbers)
        self.assertEqual(rc, 1)
        self.assertEqual([l.split("\t")[0] for l in out.splitlines()], ["possible"] * len(numbers))

    def test_info_metadata(self):
        rc, out, err = run_env(None, "info", "--metadata")
        self.assertEqual((rc, err), (0, ""))
        fields = {k.strip(): v.strip() for k, v in
                  (l.split(":", 1) for l in out.splitlines())}
        self.assertEqual(fields["requested"], "bundled")
        self.assertEqual(fields["numbers"], "bundled")
        self.assertEqual(fields["short numbers"], "bundled")
        self.assertEqual(fields["alternate formats"], "bundled")
        self.assertEqual(fields["as requested"], "yes")
        self.assertRegex(fields["upstream commit"], r"^[0-9a-f]{40}$")
        self.assertRegex(fields["upstream date"], r"^\d{4}-\d\d-\d\d$")
        self.assertEqual(fields["reason"], "-")
        rc, out, err = run_env("system", "info", "--metadata", "--json")
        self.assertEqual((rc, err), (0, ""))
        obj = json.loads(out)
        self.assertEqual({k: obj[k] for k in ("requested", "source", "short_source",
                                              "alternate_source")},
                         dict.fromkeys(("requested", "source", "short_source",
                                        "alternate_source"), "system"))
        self.assertIs(obj["as_requested"], True)
        self.assertEqual(obj["upstream_version"], obj["engine_version"])
        self.assertEqual((obj["upstream_commit"], obj["reason"]), ("", ""))
        # A bad value is refused before anything; --metadata takes no numbers.
        self.assertEqual(run_env("new", "info", "--metadata")[0], 2)
        rc, out, err = run_env(None, "info", "--metadata", "+966501234567")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("--metadata takes no numbers", err)
        self.assertEqual(run("validate", "--metadata", "+966501234567")[0], 2)

    def test_bad_value_refused(self):
        for bad in ("fresh", "system ", "8.12.57"):
            rc, out, err = run_env(bad, "validate", "+966574123456")
            self.assertEqual(rc, 2, bad)
            self.assertEqual(out, "")
            self.assertIn("PHONENORM_METADATA='%s' is neither 'bundled' nor 'system'" % bad, err)
        rc, out, err = run_env("nope", "--version")
        self.assertEqual((rc, out), (2, ""))
        # Empty means unset.
        rc, out, err = run_env("", "validate", "+966574123456")
        self.assertEqual((rc, err), (0, ""))


class Escaping(unittest.TestCase):
    """Input controls are shown escaped in text output (issue 8, defect 6)."""

    # (input, how validate shows it): every control, a backslash, bytes
    # that are not UTF-8 and a C1 control (CSI); ordinary text unchanged.
    CASES = [
        (b"05\t01\n234567", rb"05\t01\n234567"),
        (b"\x1b[2J\x1b]0;title\x07", rb"\x1b[2J\x1b]0;title\x07"),
        (b"a\\tb\rc", rb"a\\tb\rc"),
        (b"\x7f\x01\x1f", rb"\x7f\x01\x1f"),
        (b"\xc2\x9b31m\xff\xe2\x82", rb"\xc2\x9b31m\xff\xe2\x82"),
        ("٠٥٠١ é\u202f".encode(), "٠٥٠١ é\u202f".encode()),
    ]

    def check_clean(self, data):
        for raw in RAW_CONTROLS:
            self.assertNotIn(raw, data)

    def test_validate_argv(self):
        args = [c[0] for c in self.CASES]
        rc, out, err = run_bytes("validate", "-c", "SA", *args)
        self.assertEqual(rc, 1, err)
        lines = out.split(b"\n")
        self.assertEqual(lines.pop(), b"")
        self.assertEqual(len(lines), len(args), out)
        self.check_clean(out)
        for line, (given, shown) in zip(lines, self.CASES):
            fields = line.split(b"\t")
            self.assertEqual(len(fields), 3, line)
            self.assertEqual(fields[2], shown)
            self.assertEqual(unescape(fields[2]), given)

    def test_validate_stdin(self):
        # A line from standard input holds no newline, but NUL, tab, ESC...
        rc, out, _ = run_bytes("validate", "-c", "SA", stdin=b"0501234567\t\x00\x1b[1m\n0501234567\n")
        self.assertEqual(out, b"not_a_number\t-\t0501234567\\t\\x00\\x1b[1m\n"
                              b"valid\t+966501234567\t0501234567\n")

    def test_format_and_info(self):
        rc, out, err = run_bytes("format", "-c", "SA", "x\x1b[2J\ty", "0501234567")
        self.assertEqual(rc, 1)
        self.assertEqual(out, b"\n+966501234567\n")
        self.assertEqual(err, b"phonenorm: format: x\\x1b[2J\\ty: not a phone number\n")
        rc, out, err = run_bytes("info", "-c", "SA", "0501234567\n\x1b[31mstatus: valid")
        self.assertEqual(rc, 1)
        self.check_clean(out)
        self.assertIn(b"input:           0501234567\\n\\x1b[31mstatus: valid\n", out)
        self.assertEqual(out.count(b"\nstatus:"), 1)

    def test_diagnostics(self):
        cases = [
            (["validate", "-c", "\x1b[2J"], b"unknown region '\\x1b[2J'"),
            (["format", "-f", "e164\nphonenorm: fake"], b"unknown format 'e164\\nphonenorm: fake'"),
            (["validate", "--bo\tgus"], b"unknown option '--bo\\tgus'"),
            (["info", "-l", "e\x1bn", "1"], b"invalid language 'e\\x1bn'"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                rc, out, err = run_bytes(*args)
                self.assertEqual(rc, 2)
                self.assertIn(msg, err)
                self.check_clean(err)
                self.assertEqual(err.count(b"\n"), 2, err)

    def test_json_is_exact(self):
        # Every C0 control, DEL and C1 controls go into JSON escaped; the
        # string reads back exactly. NUL only comes from standard input.
        text = "".join(chr(c) for c in range(1, 0x20) if c != 0x0A) + "\x7f\x85\x9b\\\"é"
        rc, out, _ = run_bytes("validate", "--json", stdin=("\x00" + text + "\n").encode())
        self.assertEqual(rc, 1)
        self.check_clean(out)
        self.assertEqual(json.loads(out)["input"], "\x00" + text)
        rc, out, _ = run_bytes("format", "--json", text)
        self.check_clean(out)
        self.assertEqual(json.loads(out)["input"], text)


class WriteErrors(unittest.TestCase):
    """Standard output that cannot be written is an error (issue 8, defect 5)."""

    MSG = "phonenorm: write error on standard output: No space left on device\n"

    def test_dev_full(self):
        cases = [
            ["validate", "-c", "SA", "0501234567"],
            ["validate", "--json", "-c", "SA", "0501234567", "12"],
            ["format", "-c", "SA", "0501234567"],
            ["format", "--json", "-f", "intl", "+966501234567"],
            ["info", "-c", "SA", "0501234567"],
            ["info", "--json", "+966501234567"],
            ["validate", "--help"],
            ["info", "--help"],
            ["--help"],
            ["--version"],
        ]
        for args in cases:
            with self.subTest(args=args):
                rc, err = run_full(*args)
                self.assertEqual(rc, 3, err)
                self.assertEqual(err, self.MSG)

    def test_stdin_stops_at_the_error(self):
        # Read no further than the first failed write, whatever the input size.
        rc, err = run_full("validate", "-c", "SA", stdin=b"0501234567\n" * 200000)
        self.assertEqual(rc, 3)
        self.assertEqual(err, self.MSG)

    def test_usage_error_keeps_its_status(self):
        rc, err = run_full("validate", "-c", "XX", "1")
        self.assertEqual(rc, 2)
        self.assertNotIn("write error", err)


if __name__ == "__main__":
    PREFIX = sys.argv.pop(1)
    unittest.main(verbosity=1)
