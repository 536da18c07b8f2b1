#!/usr/bin/env python3
"""CLI tests for phonenorm find / example / regions (issue 11), run on the
installed binary. Expectations hold for both the bundled and the system
metadata.

usage: test_find_cli.py PREFIX   (the install prefix holding bin/phonenorm)
"""
import json
import os
import subprocess
import sys
import unittest

PREFIX = None

US_TEXT = ("Call (202) 555-0110 or ＋１ ２０２ ５５５ ０１１１ on 2024-01-05 at 12:30, "
           "pay $1,234.56. Desk: 202-555-0112 ext. 45")


def run(*args, stdin=None):
    """Run the installed phonenorm; (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                       input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode()


def run_full(*args, stdin=None):
    with open("/dev/full", "wb") as full:
        p = subprocess.run([os.path.join(PREFIX, "bin", "phonenorm"), *args],
                           input=stdin.encode() if isinstance(stdin, str) else stdin,
                           stdout=full, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stderr.decode()


class Find(unittest.TestCase):
    def test_text_lines_and_byte_offsets(self):
        rc, out, err = run("find", "-c", "US", US_TEXT, "nothing", "+966 50 123 4567")
        self.assertEqual(rc, 0, err)
        rows = [l.split(b"\t") for l in out.splitlines()]
        data = US_TEXT.encode()
        self.assertEqual([r[0] for r in rows], [b"1", b"1", b"1", b"3"])
        for r in rows[:3]:
            start, end = int(r[1]), int(r[2])
            self.assertEqual(data[start:end], r[6])
        self.assertEqual(rows[0][3:], [b"+12025550110", b"fixed_line_or_mobile", b"-",
                                       b"(202) 555-0110"])
        self.assertEqual(rows[1][3], b"+12025550111")
        self.assertEqual(rows[2][5:], [b"45", b"202-555-0112 ext. 45"])
        self.assertEqual(rows[3], [b"3", b"0", b"16", b"+966501234567", b"mobile", b"-",
                                   b"+966 50 123 4567"])

    def test_stdin_json_lines_with_line_numbers(self):
        text = "مرحبا ٠٥٠١٢٣٤٥٦٧\nno number, 2024-01-05\r\nCall 011 234 5678 or 0501234568\n"
        rc, out, err = run("find", "-c", "sa", "--json", stdin=text)
        self.assertEqual(rc, 0, err)
        objs = [json.loads(l) for l in out.decode().splitlines()]
        self.assertEqual([(o["line"], o["raw"]) for o in objs],
                         [(1, "٠٥٠١٢٣٤٥٦٧"), (3, "011 234 5678"), (3, "0501234568")])
        lines = text.encode().split(b"\n")
        for o in objs:
            self.assertEqual(lines[o["line"] - 1][o["start"]:o["end"]].decode(), o["raw"])
        self.assertEqual(objs[0]["e164"], "+966501234567")
        self.assertEqual(objs[0]["status"], "valid")
        self.assertEqual(objs[0]["number_type"], "mobile")
        self.assertEqual(objs[0]["country_code"], 966)
        self.assertEqual(objs[0]["national_number"], "501234567")
        self.assertEqual(objs[0]["region"], "SA")
        self.assertIsNone(objs[0]["extension"])
        # "-" reads standard input too.
        rc2, out2, _ = run("find", "-c", "sa", "--json", "-", stdin=text)
        self.assertEqual((rc2, out2), (rc, out))

    def test_leniency(self):
        text = "Google: 650 2530000 or 650 253 0000 or 65 02 53 00 00"
        counts = {}
        for lev in ("possible", "valid", "strict_grouping", "exact_grouping", "strict", "EXACT"):
            rc, out, err = run("find", "-c", "US", "--leniency", lev, text)
            self.assertEqual(rc, 0, err)
            counts[lev] = len(out.splitlines())
        self.assertEqual(counts, {"possible": 3, "valid": 3, "strict_grouping": 2,
                                  "exact_grouping": 1, "strict": 2, "EXACT": 1})
        rc, out, _ = run("find", "-l", "exact", "-c", "US", text)
        self.assertEqual(out.split(b"\t")[-1], b"650 253 0000\n")

    def test_none_found_exits_1(self):
        rc, out, err = run("find", "-c", "US", "on 2024-01-05 at 12:30 pay $1,234.56")
        self.assertEqual((rc, out, err), (1, b"", ""))
        # No region: only international numbers.
        rc, out, _ = run("find", "call 0501234567 or +966501234568")
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), 1)

    def test_control_characters_hide_nothing(self):
        # libphonenumber's matcher alone finds nothing in a line holding
        # an escape sequence or a C1 control; phonenorm still finds the number.
        text = b"\x1b[1mcall\x1b[0m +1 650 253 0000 \xc2\x85\n"
        rc, out, err = run("find", "--json", stdin=text)
        self.assertEqual((rc, err), (0, ""))
        m = json.loads(out)
        self.assertEqual((m["e164"], m["start"]), ("+16502530000", 13))

    def test_raw_is_escaped_in_text_but_exact_in_json(self):
        text = "+1 202 555 0110\tx45 and +966\u200e50 123 4567"
        rc, out, _ = run("find", text)
        self.assertEqual(rc, 0)
        for line in out.splitlines():
            self.assertEqual(len(line.split(b"\t")), 7)

    def test_bad_input(self):
        rc, out, err = run("find", "-c", "SA", stdin=b"0501234567\n\xff 0501234568\n0501234569\n")
        self.assertEqual(rc, 2)
        self.assertEqual(len(out.splitlines()), 2)
        self.assertIn("line 2 skipped", err)
        self.assertIn("UTF-8", err)
        rc, out, err = run("find", "-c", "XX", "x")
        self.assertEqual((rc, out), (2, b""))
        self.assertIn("unknown region 'XX'", err)
        rc, out, err = run("find", "--leniency", "lenient", "x")
        self.assertEqual((rc, out), (2, b""))
        self.assertIn("unknown leniency 'lenient'", err)
        rc, _, err = run("find", "--bogus")
        self.assertEqual(rc, 2)
        self.assertIn("unknown option", err)
        rc, _, err = run("find", "-c")
        self.assertEqual(rc, 2)
        self.assertIn("needs an argument", err)

    def test_line_over_the_cap_is_skipped(self):
        big = b"+966501234567 " + b" " * (64 * 1024) + b"\n+966501234568\n"
        rc, out, err = run("find", stdin=big)
        self.assertEqual(rc, 2)
        self.assertEqual(out, b"2\t0\t13\t+966501234568\tmobile\t-\t+966501234568\n")
        self.assertIn("line 1 skipped", err)

    def test_write_error(self):
        rc, err = run_full("find", "+966501234567")
        self.assertEqual(rc, 3)
        self.assertIn("write error", err)


class Example(unittest.TestCase):
    def test_one_type(self):
        rc, out, err = run("example", "-c", "sa", "mobile")
        self.assertEqual(rc, 0, err)
        f = out.decode().rstrip("\n").split("\t")
        self.assertEqual(f[0], "mobile")
        self.assertTrue(f[1].startswith("+9665") and len(f[1]) == 13, f)
        self.assertTrue(f[2].startswith("+966 5"), f)
        self.assertTrue(f[3].startswith("05"), f)

    def test_every_type_and_json(self):
        rc, out, err = run("example", "-c", "US", "--json")
        self.assertEqual(rc, 0, err)
        objs = [json.loads(l) for l in out.decode().splitlines()]
        types = [o["type"] for o in objs]
        self.assertIn("fixed_line", types)
        self.assertIn("toll_free", types)
        self.assertNotIn("pager", types)
        self.assertNotIn("fixed_line_or_mobile", types)
        for o in objs:
            self.assertEqual(o["country_code"], 1)
            self.assertEqual(o["status"], "valid")
            self.assertTrue(o["e164"].startswith("+1"))
        rc, out, _ = run("example", "-c", "US")
        self.assertEqual(len(out.splitlines()), len(objs))

    def test_missing_type_exits_1(self):
        rc, out, err = run("example", "-c", "US", "pager")
        self.assertEqual((rc, out), (1, b""))
        self.assertIn("US has no pager example", err)

    def test_non_geo(self):
        rc, out, err = run("example", "--non-geo", "800")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(b"\t")[:2], [b"toll_free", b"+80012345678"])
        rc, out, err = run("example", "--non-geo", "800", "--json")
        self.assertEqual(json.loads(out)["region"], "001")
        for bad in ("966", "0", "80a", "", "99999"):
            rc, out, err = run("example", "--non-geo", bad)
            self.assertEqual((rc, out), (2, b""), bad)
            self.assertIn("not a non-geographic calling code", err)

    def test_usage_errors(self):
        for args, msg in [((), "-c REGION"), (("-c", "XX"), "unknown region"),
                          (("-c", "SA", "cellphone"), "unknown number type"),
                          (("-c", "SA", "unknown"), "unknown number type"),
                          (("-c", "SA", "mobile", "pager"), "one TYPE at most"),
                          (("--non-geo", "800", "-c", "SA"), "neither"),
                          (("--non-geo", "800", "mobile"), "neither")]:
            rc, out, err = run("example", *args)
            self.assertEqual((rc, out), (2, b""), args)
            self.assertIn(msg, err, args)


class Regions(unittest.TestCase):
    def test_text_and_json_agree(self):
        rc, out, err = run("regions")
        self.assertEqual(rc, 0, err)
        rows = [l.split("\t") for l in out.decode().splitlines()]
        geo = [r for r in rows if r[0] != "001"]
        self.assertGreater(len(geo), 200)
        self.assertEqual([r[0] for r in geo], sorted(r[0] for r in geo))
        self.assertIn(["SA", "966"], rows)
        self.assertIn(["US", "1"], rows)
        self.assertIn(["001", "800"], rows)
        # Non-geographic codes come last.
        self.assertEqual(rows[-1][0], "001")
        rc, out, _ = run("regions", "--json")
        objs = [json.loads(l) for l in out.decode().splitlines()]
        self.assertEqual([[o["region"], str(o["country_code"])] for o in objs], rows)

    def test_usage_errors(self):
        rc, out, err = run("regions", "SA")
        self.assertEqual((rc, out), (2, b""))
        rc, out, err = run("regions", "--bogus")
        self.assertEqual((rc, out), (2, b""))

    def test_help_and_man_page(self):
        for cmd in ("find", "example", "regions"):
            rc, out, err = run(cmd, "--help")
            self.assertEqual(rc, 0)
            self.assertTrue(out.startswith(b"usage: phonenorm " + cmd.encode()))
            rc, out, _ = run("--help")
            self.assertIn(cmd.encode(), out)
        with open(os.path.join(PREFIX, "share", "man", "man1", "phonenorm.1"),
                  encoding="utf-8") as f:
            page = f.read()
        for cmd in ("find", "example", "regions"):
            self.assertIn(".B phonenorm " + cmd, page)
            self.assertIn(".B " + cmd + "\n", page)


if __name__ == "__main__":
    PREFIX = sys.argv.pop(1)
    unittest.main(verbosity=1)
