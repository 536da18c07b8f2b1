#!/usr/bin/python3
"""Tests of `phonenorm clean`, run on the real binary.

    test_clean_cli.py PHONENORM DATA_DIR TESTS_DIR

Generated CSVs (with quoted fields, embedded newlines, CRLF, BOM, blank lines
and malformed rows) check the invariant rows in = clean + rejected +
duplicates, that every input row lands in exactly one output, byte-identical
round trips, 1 vs N threads, the options and the report. Standard library only.
"""
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

PHONENORM = DATA = HERE = None


def run(args, stdin=None, check_rc=None):
    p = subprocess.run([PHONENORM, "clean"] + args, input=stdin, capture_output=True)
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError("exit %d, want %d: %s\n%s" % (
            p.returncode, check_rc, " ".join(args), p.stderr.decode(errors="replace")))
    return p


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_csv(path, bom=False):
    with open(path, "rb") as f:
        data = f.read()
    if bom:
        assert data.startswith(b"\xef\xbb\xbf"), path + " lacks the BOM"
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


csv.field_size_limit(1 << 30)
ROOT = tempfile.TemporaryDirectory(prefix="phonenorm-clean-")


class Tmp:
    def __init__(self):
        self.dir = tempfile.mkdtemp(dir=ROOT.name)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return p


# ---- a generator of messy lists --------------------------------------------

SA_FORMS = ["0{a}{b}", "+966 {a} {b}", "00966{a}{b}", "966{a}{b}", "({a0}) {b}", "0{a}-{b}"]
GOOD_SA = ["50", "53", "54", "55", "56", "58", "59"]


def sa_number(r, pool):
    if pool and r.random() < 0.25:
        a, b = r.choice(pool)
    else:
        a, b = r.choice(GOOD_SA), "%07d" % r.randrange(10 ** 7)
        pool.append((a, b))
    form = r.choice(SA_FORMS)
    return form.format(a=a, b=b, a0="0" + a)


def gen_rows(r, n, eol="\n"):
    """Rows of `id,name,phone,country,note`, as bytes, with an id per row
    (r<N>) that survives any outcome; returns (text, {id: kind-of-row})."""
    pool, out, kinds = [], [], {}
    out.append("id,name,phone,country,note" + eol)
    for i in range(1, n + 1):
        rid = "r%d" % i
        x = r.random()
        note = r.choice(["", "ok", 'has "quotes"', "has, comma", "two\nlines", "x\r\ny"])
        qnote = '"%s"' % note.replace('"', '""') if re.search(r'[",\r\n]', note) else note
        name = r.choice(["Ali", '"Doe, Jane"', "Sara"])
        if x < 0.04:
            # unterminated quote: must be one rejected row, never merged
            out.append('%s,"%s,0501234567,SA,%s' % (rid, "Broken", "x") + eol)
            kinds[rid] = "malformed"
        elif x < 0.07:
            out.append("%s,%s,0501234567" % (rid, name) + eol)  # field count
            kinds[rid] = "fieldcount"
        elif x < 0.09:
            out.append('%s,"bad"quote,0501234567,SA,' % rid + eol)
            kinds[rid] = "malformed"
        elif x < 0.14:
            out.append("%s,%s,%s,SA,%s" % (rid, name, r.choice(["n/a", "", "123", "+999 1"]),
                                          qnote) + eol)
            kinds[rid] = "bad"
        elif x < 0.24:
            out.append("%s,%s,(212) 555-%04d,US,%s" % (rid, name, r.randrange(10000), qnote) + eol)
            kinds[rid] = "number"
        else:
            out.append("%s,%s,%s,%s,%s" % (rid, name, sa_number(r, pool),
                                           r.choice(["SA", "", "sa"]), qnote) + eol)
            kinds[rid] = "number"
        if r.random() < 0.02:
            out.append(eol)  # blank line: skipped, not a row
    return "".join(out), kinds


def ids_in(rows, malformed_ok=False):
    ids = []
    for rec in rows:
        m = re.match(r'"?(r\d+)', rec[0])
        assert m, "row without an id: %r" % (rec,)
        ids.append(m.group(1))
    return ids


class Invariant(unittest.TestCase):
    def check_file(self, text, kinds, extra=(), bom=False, eol="\n"):
        t = Tmp()
        data = ("\ufeff" if bom else "") + text
        src = t.write("in.csv", data)
        run(["-c", "SA", "--region-column", "country", src, "-o", t.path("clean.csv"),
             "--rejects", t.path("rej.csv"), "--duplicates", t.path("dup.csv"),
             "--report", t.path("rep.json"), "-q"] + list(extra))
        rep = load_json(t.path("rep.json"))
        n = len(kinds)
        self.assertEqual(rep["rows"], n)
        self.assertEqual(rep["rows"], rep["clean"] + rep["rejected"] + rep["duplicates"])
        self.assertEqual(rep["rejected"], sum(rep["rejected_by_reason"].values()))
        self.assertEqual(rep["clean"], sum(rep["by_type"].values()))
        self.assertEqual(rep["clean"], sum(rep["by_region"].values()))
        clean = read_csv(t.path("clean.csv"), bom)
        rej = read_csv(t.path("rej.csv"), bom)
        dup = read_csv(t.path("dup.csv"), bom)
        self.assertEqual(clean[0][-2:], ["e164", "number_type"])
        self.assertEqual(rej[0][-2:], ["reject_reason", "line"])
        self.assertEqual(dup[0][-2:], ["e164", "duplicate_of_line"])
        self.assertEqual(len(clean) - 1, rep["clean"])
        self.assertEqual(len(rej) - 1, rep["rejected"])
        self.assertEqual(len(dup) - 1, rep["duplicates"])
        # every input row is in exactly one output
        got = ids_in(clean[1:]) + ids_in(rej[1:]) + ids_in(dup[1:])
        self.assertEqual(sorted(got), sorted(kinds))
        # malformed rows are rejected as such, never merged into a neighbour
        reasons = {i: rec[-2] for i, rec in zip(ids_in(rej[1:]), rej[1:])}
        for rid, kind in kinds.items():
            if kind == "malformed":
                self.assertEqual(reasons.get(rid), "malformed_csv", rid)
            elif kind == "fieldcount":
                self.assertEqual(reasons.get(rid), "field_count", rid)
        # each duplicate points at the line of the kept row with its number
        raw = slurp(t.path("in.csv"))
        line_of = {m.group(1).decode(): raw.count(b"\n", 0, m.start(1)) + 1
                   for m in re.finditer(rb"(?:^|\n)(?:\xef\xbb\xbf)?(r\d+),", raw)}
        kept = {rec[-2]: rec[0] for rec in clean[1:]}
        for rec in dup[1:]:
            self.assertIn(rec[-2], kept, "duplicate of a number not kept")
            self.assertEqual(int(rec[-1]), line_of[kept[rec[-2]]], rec)
        # line endings are kept
        with open(t.path("clean.csv"), "rb") as f:
            out = f.read()
        if eol == "\r\n":
            self.assertTrue(out.split(b"\n")[0].endswith(b"\r"))
        else:
            self.assertFalse(out.split(b"\n")[0].endswith(b"\r"))
        return rep, raw, out + slurp(t.path("rej.csv")) + slurp(t.path("dup.csv"))

    def test_many_generated_files(self):
        for seed in range(12):
            r = random.Random(seed)
            eol = "\r\n" if seed % 3 == 0 else "\n"
            text, kinds = gen_rows(r, r.choice([1, 5, 50, 400, 3000]), eol)
            with self.subTest(seed=seed):
                self.check_file(text, kinds, bom=seed % 4 == 1, eol=eol,
                                extra=["-j", str(1 + seed % 3)])

    def test_round_trip_is_byte_identical(self):
        r = random.Random(99)
        text, kinds = gen_rows(r, 300)
        rep, raw, out = self.check_file(text, kinds)
        # every well-formed row comes out starting with its input bytes,
        # quoting, embedded newlines and all
        body = raw.split(b"\n", 1)[1]
        tricky = 0
        for line in re.finditer(rb'(?m)^r\d+,[^\n]*"(?:two\nlines|x\r\ny|has, comma|has ""quotes"")"',
                                body):
            self.assertIn(line.group(0), out)
            tricky += 1
        self.assertGreater(tricky, 5)

    def test_threads_same_bytes(self):
        r = random.Random(7)
        text, kinds = gen_rows(r, 20000)
        t = Tmp()
        src = t.write("in.csv", text)
        outs = []
        for j in ("1", "2", "4"):
            run(["-c", "SA", "--region-column", "country", "-j", j, src,
                 "-o", t.path("c" + j), "--rejects", t.path("r" + j),
                 "--duplicates", t.path("d" + j), "-q"])
            outs.append(tuple(slurp(t.path(p + j)) for p in "crd"))
        self.assertEqual(outs[0], outs[1])
        self.assertEqual(outs[0], outs[2])
        self.assertGreater(len(outs[0][0]), 100000)


class FastPath(unittest.TestCase):
    """Issue 12: the compiled fast path gives the same bytes in every output
    as libphonenumber alone (PHONENORM_FASTPATH=0), on one thread or more,
    and the report and the summary count which code parsed the rows."""

    def clean(self, t, src, tag, threads, fastpath):
        env = dict(os.environ)
        env.pop("PHONENORM_FASTPATH", None)
        if fastpath is not None:
            env["PHONENORM_FASTPATH"] = fastpath
        p = subprocess.run([PHONENORM, "clean", "-c", "SA", "--region-column", "country",
                            "-j", threads, src, "-o", t.path("c" + tag),
                            "--rejects", t.path("r" + tag), "--duplicates", t.path("d" + tag),
                            "--report", t.path("rep" + tag)], capture_output=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        return (tuple(slurp(t.path(k + tag)) for k in "crd"), load_json(t.path("rep" + tag)),
                p.stderr.decode())

    def test_same_bytes_and_counts(self):
        r = random.Random(12)
        text, kinds = gen_rows(r, 6000)
        t = Tmp()
        src = t.write("in.csv", text)
        runs = {(j, fp): self.clean(t, src, j + str(fp), j, fp)
                for j in ("1", "2") for fp in (None, "0")}
        base = runs[("1", "0")][0]
        self.assertGreater(len(base[0]), 50000)
        for key, (outs, rep, err) in runs.items():
            self.assertEqual(outs, base, key)
            fp = rep["fast_path"]
            self.assertEqual(set(fp), {"enabled", "reason", "parsed", "fast", "fallback",
                                       "engine", "fallback_share"})
            self.assertEqual(fp["fast"] + fp["fallback"] + fp["engine"], fp["parsed"], key)
            # every row is parsed but the blank, bad-region and malformed ones
            self.assertLessEqual(fp["parsed"], rep["rows"])
            self.assertGreater(fp["parsed"], rep["rows"] // 2)
            if key[1] == "0":
                self.assertIs(fp["enabled"], False)
                self.assertIn("PHONENORM_FASTPATH", fp["reason"])
                self.assertEqual((fp["fast"], fp["fallback"], fp["fallback_share"]),
                                 (0, 0, None))
                self.assertIn("fast path:   off (", err)
            elif fp["enabled"]:
                self.assertEqual((fp["reason"], fp["engine"]), ("", 0))
                self.assertGreater(fp["fast"], fp["fallback"])
                self.assertAlmostEqual(fp["fallback_share"],
                                       fp["fallback"] / fp["parsed"], 5)
                self.assertRegex(err, r"fast path: +%d rows parsed, %d answered by it, %d fell "
                                 r"back to libphonenumber \(\d+\.\d\d%%\)"
                                 % (fp["fast"] + fp["fallback"], fp["fast"], fp["fallback"]))
        self.assertEqual(runs[("1", None)][1]["fast_path"]["parsed"],
                         runs[("1", "0")][1]["fast_path"]["parsed"])


class Campaign(unittest.TestCase):
    def setUp(self):
        self.t = Tmp()
        self.src = os.path.join(DATA, "campaign.csv")
        self.expected = {}
        with open(os.path.join(HERE, "campaign_expected.tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                cid, outcome, detail = line.rstrip("\n").split("\t")
                self.expected[cid] = (outcome, detail)

    def clean(self, *extra, rc=0):
        t = self.t
        p = run(["-c", "SA", "--region-column", "country", self.src, "-o", t.path("c.csv"),
                 "--rejects", t.path("r.csv"), "--duplicates", t.path("d.csv"),
                 "--report", t.path("rep.json")] + list(extra), check_rc=rc)
        return (p, read_csv(t.path("c.csv")), read_csv(t.path("r.csv")),
                read_csv(t.path("d.csv")), load_json(t.path("rep.json")))

    def test_every_row_as_expected(self):
        p, clean, rej, dup, rep = self.clean()
        got = {}
        for rec in clean[1:]:
            got[rec[0]] = ("clean", rec[-2])
        for rec in rej[1:]:
            got[rec[0][:6]] = ("rejected", rec[-2])
        for rec in dup[1:]:
            got[rec[0]] = ("duplicate", rec[-1])
        self.assertEqual(got, self.expected)
        self.assertEqual(rep["rows"], 50)
        self.assertEqual((rep["clean"], rep["rejected"], rep["duplicates"]), (32, 10, 8))
        self.assertEqual(rep["by_region"], {"DE": 1, "NG": 1, "SA": 23, "US": 7})
        self.assertEqual(rep["by_type"]["mobile"], 20)
        self.assertEqual(rep["rejected_by_reason"]["malformed_csv"], 1)
        self.assertEqual(rep["phone_column"], {"index": 5, "name": "phone", "guessed": True})
        self.assertEqual(rep["region_column"], 6)
        self.assertTrue(rep["has_header"])
        err = p.stderr.decode()
        self.assertIn("phone column 5 'phone' (guessed from the header)", err)
        self.assertIn("50 rows in = 32 clean + 10 rejected + 8 duplicates", err)
        self.assertNotIn("\r", err)  # no progress bar when stderr is not a terminal

    def test_rejects_keep_the_row_and_give_line(self):
        p, clean, rej, dup, rep = self.clean()
        row = [r for r in rej if r[0] == "C-1013"][0]
        self.assertEqual(row, ["C-1013", "Nouf Al-Subaie", "5400.00", "2026-12-18", "n/a", "SA",
                               "", "not_a_number", "15"])
        broken = [r for r in rej if r[0].startswith("C-1042")][0]
        self.assertEqual(broken[1:], ["malformed_csv", "44"])
        self.assertTrue(broken[0].startswith('C-1042,"Badr Al-Mansour'))

    def test_extension_duplicates(self):
        p, clean, rej, dup, rep = self.clean()
        d = [r for r in dup if r[0] == "C-1026"][0]
        self.assertEqual(d[-2:], ["+16465550134", "27"])

    def test_keep_possible(self):
        p, clean, rej, dup, rep = self.clean("--keep-possible")
        self.assertEqual(clean[0][-3:], ["e164", "number_type", "number_status"])
        kept = {r[0]: r for r in clean}
        # 0574 is a mobile range since upstream v8.13.22: valid with the bundled data.
        self.assertEqual(kept["C-1015"][-3:], ["+966574123456", "mobile", "valid"])
        self.assertEqual(kept["C-1033"][-1], "possible")
        self.assertEqual(kept["C-1001"][-1], "valid")
        self.assertEqual(rep["possible_kept"], 1)
        self.assertEqual(rep["rejected_by_reason"]["not_valid"], 0)

    def test_types(self):
        p, clean, rej, dup, rep = self.clean("--types", "mobile,fixed_line_or_mobile")
        self.assertTrue(all(r[-1] in ("mobile", "fixed_line_or_mobile") for r in clean[1:]))
        reasons = {r[0]: r[-2] for r in rej[1:]}
        self.assertEqual(reasons["C-1008"], "type_not_allowed")  # Riyadh fixed line
        self.assertEqual(reasons["C-1027"], "type_not_allowed")  # toll-free
        # 4 fixed lines, 1 toll-free, 1 shared cost
        self.assertEqual(rep["rejected_by_reason"]["type_not_allowed"], 6)
        self.assertEqual(rep["rows"], rep["clean"] + rep["rejected"] + rep["duplicates"])
        run(["--types", "mobile,landline", self.src], check_rc=2)

    def test_suppress(self):
        dnc = self.t.write("dnc.txt", "+966 50 123 4567\n(202) 555-0143\n٠٥٣٣٣٣٤٤٤٤\nnot a number\n")
        p, clean, rej, dup, rep = self.clean("--suppress", dnc)
        reasons = {r[0]: r[-2] for r in rej[1:]}
        # C-1001 and C-1011 carry the same suppressed number: both suppressed,
        # neither is a duplicate of the other.
        for cid in ("C-1001", "C-1011", "C-1019"):
            self.assertEqual(reasons[cid], "suppressed")
        self.assertEqual(rep["rejected_by_reason"]["suppressed"], 3)
        # US rows read the suppress list with -c SA: "(202) ..." is no number there
        self.assertIn("C-1021", [r[0] for r in clean])
        self.assertIn("1 of 4 entries are not phone numbers", p.stderr.decode())
        self.assertEqual(rep["rows"], rep["clean"] + rep["rejected"] + rep["duplicates"])

    def test_column_options(self):
        for col in ("phone", "PHONE", "5"):
            p, clean, rej, dup, rep = self.clean("--column", col)
            self.assertEqual(rep["clean"], 32)
            self.assertFalse(rep["phone_column"]["guessed"])
        p, clean, rej, dup, rep = self.clean("--region-column", "6")
        self.assertEqual(rep["region_column"], 6)
        # without the region column the US local numbers need... a US reading
        p = run(["-c", "SA", self.src, "--report", self.t.path("x.json"), "-o", os.devnull],
                check_rc=0)
        self.assertLess(load_json(self.t.path("x.json"))["by_region"].get("US", 0), 7)

    def test_errors_exit_2(self):
        for args, text in (
                (["--column", "tel", self.src], "no column named 'tel'"),
                (["--column", "12", self.src], "no column 12"),
                (["--region-column", "land", self.src], "no region column named 'land'"),
                (["/nonexistent/x.csv"], "open '/nonexistent/x.csv': No such file or directory"),
                (["-c", "XX", self.src], "unknown region 'XX'"),
                (["--suppress", "/nonexistent/dnc", self.src],
                 "--suppress /nonexistent/dnc: open '/nonexistent/dnc': No such file"),
                (["-j", "x", self.src], "--threads"),
                (["--bogus", self.src], "unknown option"),
                (["-o", "/nonexistent/dir/out.csv", self.src], "cannot write")):
            p = run(args, check_rc=2)
            self.assertIn(text, p.stderr.decode(), args)
        nophone = self.t.write("n.csv", "name,email\nAli,a@b.c\n")
        p = run([nophone], check_rc=2)
        self.assertIn("cannot tell which column holds the phone numbers", p.stderr.decode())
        badhead = self.t.write("b.csv", 'name,"phone\n1,2\n')
        run([badhead], check_rc=2)

    def test_help(self):
        p = run(["--help"], check_rc=0)
        for opt in ("--column", "--region-column", "--keep-possible", "--types", "--suppress",
                    "--rejects", "--duplicates", "--report", "--threads", "rows in = clean"):
            self.assertIn(opt, p.stdout.decode())


class Progress(unittest.TestCase):
    DATA = ("id,phone\n" + "".join("%d,05%08d\n" % (i, 50000000 + i)
                                   for i in range(40000))).encode()

    def on_terminal(self, extra, term):
        import pty
        # The bar is drawn after 0.25 s; the fast path cleans these 40,000
        # rows in about 0.05 s, so libphonenumber alone parses them here.
        env = dict(os.environ, TERM=term, PHONENORM_FASTPATH="0")
        master, slave = pty.openpty()
        try:
            p = subprocess.run([PHONENORM, "clean", "-c", "SA", "-o", os.devnull] + extra,
                               input=self.DATA, stderr=slave, stdout=subprocess.DEVNULL,
                               env=env)
            os.close(slave)
            slave = None
            seen = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            os.close(master)
            if slave is not None:
                os.close(slave)
        self.assertEqual(p.returncode, 0)
        return seen

    def test_bar_only_on_a_terminal(self):
        seen = self.on_terminal([], "xterm")
        self.assertIn(b"rows/s", seen)
        self.assertIn(b"\x1b[K", seen)
        # the same run with stderr on a pipe prints no bar
        p = subprocess.run([PHONENORM, "clean", "-c", "SA", "-o", os.devnull, "-q"],
                           input=self.DATA, capture_output=True)
        self.assertEqual(p.stderr, b"")

    def test_quiet_silences_the_bar(self):
        self.assertEqual(self.on_terminal(["-q"], "xterm"), b"")

    def test_dumb_terminal_gets_no_cursor_control(self):
        seen = self.on_terminal([], "dumb")
        self.assertIn(b"40000 rows in", seen)  # the summary still shows
        self.assertNotIn(b"\x1b", seen)
        self.assertNotIn(b"\r\r", seen.replace(b"\r\n", b"\n"))
        self.assertNotIn(b"\r", seen.replace(b"\r\n", b"\n"))


class Inputs(unittest.TestCase):
    def test_stdin_plain_text(self):
        src = slurp(os.path.join(DATA, "sample-numbers.txt"))
        p = run(["-c", "SA", "--text", "-q"], stdin=src)
        self.assertIn(p.returncode, (0, 1))
        out = list(csv.reader(io.StringIO(p.stdout.decode(), newline="")))
        lines = [l for l in src.decode("utf-8-sig").splitlines() if l]
        self.assertTrue(all(len(r) == 3 for r in out))
        self.assertLessEqual(len(out), len(lines))
        self.assertIn(["0501234567", "+966501234567", "mobile"], out)

    def test_headerless_csv_and_text_with_commas(self):
        t = Tmp()
        src = t.write("h.csv", "Ali,0501234567\nBob,0551234567\n")
        p = run(["-c", "SA", src, "--report", t.path("r.json")], check_rc=0)
        rep = load_json(t.path("r.json"))
        self.assertFalse(rep["has_header"])
        self.assertEqual(rep["rows"], 2)
        self.assertEqual(p.stdout.decode().splitlines()[0], "Ali,0501234567,+966501234567,mobile")
        p = run(["-c", "SA", "-o", "-", src], check_rc=0)
        self.assertEqual(p.stdout.decode().splitlines()[1], "Bob,0551234567,+966551234567,mobile")
        p = run(["-c", "SA", "-q", "/"], check_rc=2)  # a directory is no input
        self.assertIn("'/' is a directory, not a file", p.stderr.decode())
        # plain text: a line with a comma or a quote is one value, quoted on output
        src = t.write("t.txt", 'phone\n"0501234567"\n0551234567, ext 5\n')
        p = run(["-c", "SA", "--text", "--header", src], check_rc=0)
        lines = p.stdout.decode().splitlines()
        self.assertEqual(lines[0], "phone,e164,number_type")
        self.assertEqual(lines[1], '"""0501234567""",+966501234567,mobile')
        self.assertEqual(lines[2], '"0551234567, ext 5",+966551234567,mobile')
        # a one-column list takes its only column whatever the header says
        src = t.write("u.txt", "Numbers to call\n0501234567\n")
        p = run(["-c", "SA", "--text", "--header", src], check_rc=0)
        self.assertEqual(p.stdout.decode().splitlines(),
                         ["Numbers to call,e164,number_type", "0501234567,+966501234567,mobile"])

    def test_semicolon_and_bom_header(self):
        t = Tmp()
        src = t.write("s.csv", "\ufeffName;Mobile No.;Land\r\n\"Doe; J\";050 123 4567;SA\r\n")
        p = run(["-d", ";", src, "--region-column", "land"], check_rc=0)
        self.assertEqual(p.stdout,
                         "\ufeffName;Mobile No.;Land;e164;number_type\r\n"
                         "\"Doe; J\";050 123 4567;SA;+966501234567;mobile\r\n".encode())
        self.assertIn("phone column 2 'Mobile No.' (guessed from the header)", p.stderr.decode())


SMALL = "id,phone\nr1,0501234567\nr2,n/a\nr3,0501234567\n"


def listing(d):
    return sorted(os.listdir(d))


class Outputs(unittest.TestCase):
    """Outputs never destroy an input or each other; they replace old files
    only when the whole run succeeded (issue 8, defects 1, 2, 12, 15)."""

    def test_output_over_the_input_is_refused(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        dnc = t.write("dnc.txt", "0509999999\n")
        os.symlink("list.csv", t.path("link.csv"))
        for opt in ("-o", "--rejects", "--duplicates", "--report"):
            for target in (src, t.path("link.csv"), os.path.join(t.dir, ".", "list.csv")):
                with self.subTest(opt=opt, target=target):
                    p = run(["-c", "SA", src, opt, target, "-o", t.path("c.csv")]
                            if opt != "-o" else ["-c", "SA", src, opt, target], check_rc=2)
                    self.assertIn("is the input; refusing to write over it", p.stderr.decode())
                    self.assertEqual(slurp(src), SMALL.encode())
        # standard input redirected from the output file
        with open(src, "rb") as f:
            p = subprocess.run([PHONENORM, "clean", "-c", "SA", "-o", src], stdin=f,
                               capture_output=True)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("(standard input)", p.stderr.decode())
        self.assertEqual(slurp(src), SMALL.encode())
        # standard output appended to the input
        with open(src, "ab") as f:
            p = subprocess.run([PHONENORM, "clean", "-c", "SA", src], stdout=f,
                               stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(slurp(src), SMALL.encode())
        # the do-not-call list is an input too
        p = run(["-c", "SA", src, "--suppress", dnc, "--rejects", dnc, "-o", os.devnull],
                check_rc=2)
        self.assertIn("is the --suppress file", p.stderr.decode())
        self.assertEqual(slurp(dnc), b"0509999999\n")
        self.assertEqual(listing(t.dir), ["dnc.txt", "link.csv", "list.csv"])

    def test_two_outputs_on_one_file_are_refused(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        a = t.path("a.csv")
        for args in (["-o", a, "--rejects", a],
                     ["-o", a, "--rejects", os.path.join(t.dir, ".", "a.csv")],
                     ["-o", a, "--duplicates", os.path.join(t.dir, "..",
                                                            os.path.basename(t.dir), "a.csv")],
                     ["--rejects", a, "--report", a, "-o", os.devnull]):
            with self.subTest(args=args):
                p = run(["-c", "SA", src] + args, check_rc=2)
                self.assertIn("are the same file", p.stderr.decode())
                self.assertFalse(os.path.exists(a))
        # an existing file, through a symlink
        t.write("a.csv", "keep\n")
        os.symlink("a.csv", t.path("l.csv"))
        p = run(["-c", "SA", src, "-o", a, "--rejects", t.path("l.csv")], check_rc=2)
        self.assertIn("are the same file", p.stderr.decode())
        self.assertEqual(slurp(a), b"keep\n")
        # standard output for two outputs
        for args in (["-o", "-", "--report", "-"], ["--report", "-"],
                     ["-o", a, "--rejects", "-", "--duplicates", "-"],
                     ["--json", "-o", "-"]):
            with self.subTest(args=args):
                p = run(["-c", "SA", src] + args, check_rc=2)
                self.assertIn("standard output", p.stderr.decode())
                self.assertEqual(p.stdout, b"")
        # /dev/null may take any number of outputs
        run(["-c", "SA", src, "-o", os.devnull, "--rejects", os.devnull, "-q"], check_rc=0)

    def test_a_failed_run_leaves_old_outputs(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        for name in ("c.csv", "r.csv", "rep.json"):
            t.write(name, "old " + name)
        before = listing(t.dir)
        p = run(["-c", "SA", src, "--column", "nosuch", "-o", t.path("c.csv"),
                 "--rejects", t.path("r.csv"), "--report", t.path("rep.json"),
                 "--duplicates", t.path("d.csv")], check_rc=2)
        self.assertIn("no column named 'nosuch'", p.stderr.decode())
        for name in ("c.csv", "r.csv", "rep.json"):
            self.assertEqual(slurp(t.path(name)), ("old " + name).encode())
        self.assertEqual(listing(t.dir), before)  # no d.csv, no temporary file

    def test_success_replaces_in_place_keeping_modes_and_links(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        t.write("c.csv", "old")
        os.chmod(t.path("c.csv"), 0o600)
        t.write("real.csv", "old")
        os.symlink("real.csv", t.path("r.csv"))
        p = subprocess.run([PHONENORM, "clean", "-c", "SA", src, "-o", t.path("c.csv"),
                            "--rejects", t.path("r.csv"), "--duplicates", t.path("d.csv"),
                            "-q"], capture_output=True, preexec_fn=lambda: os.umask(0o027))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(slurp(t.path("c.csv")),
                         b"id,phone,e164,number_type\nr1,0501234567,+966501234567,mobile\n")
        self.assertEqual(os.stat(t.path("c.csv")).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(t.path("d.csv")).st_mode & 0o777, 0o640)  # umask 027
        self.assertTrue(os.path.islink(t.path("r.csv")))
        self.assertEqual(slurp(t.path("real.csv")),
                         b"id,phone,reject_reason,line\nr2,n/a,not_a_number,3\n")
        self.assertEqual(listing(t.dir), ["c.csv", "d.csv", "list.csv", "r.csv", "real.csv"])

    def test_write_failure_exit_3(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        p = run(["-c", "SA", src, "-o", "/dev/full", "-q"], check_rc=3)
        self.assertIn("No space left on device", p.stderr.decode())

    def interrupt(self, sig, twice=False):
        import signal
        import time
        t = Tmp()
        t.write("c.csv", "old clean")
        args = [PHONENORM, "clean", "-c", "SA", "-o", t.path("c.csv"),
                "--rejects", t.path("r.csv"), "--report", t.path("rep.json"), "-q"]
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        rows = "".join("r%d,05%08d\n" % (i, 50000000 + i) for i in range(20000)).encode()
        try:
            p.stdin.write(b"id,phone\n" + rows)
            p.stdin.flush()
            deadline = time.monotonic() + 20
            while len(listing(t.dir)) < 4 and time.monotonic() < deadline:
                time.sleep(0.02)  # the three temporary files are there
            self.assertEqual(len(listing(t.dir)), 4, listing(t.dir))
            time.sleep(0.2)
            p.send_signal(sig)
            if twice:  # blocked reading: the second signal ends it at once
                time.sleep(0.2)
                p.send_signal(sig)
            else:
                p.stdin.write(rows)
            p.stdin.close()
        except BrokenPipeError:
            pass
        err = p.stderr.read().decode()
        rc = p.wait(timeout=30)
        self.assertEqual(rc, 128 + sig, err)
        self.assertEqual(slurp(t.path("c.csv")), b"old clean")
        self.assertEqual(listing(t.dir), ["c.csv"])
        return err

    def test_sigint_leaves_old_outputs_and_no_temporary_file(self):
        import signal
        err = self.interrupt(signal.SIGINT)
        self.assertIn("interrupted", err)

    def test_sigterm(self):
        import signal
        self.interrupt(signal.SIGTERM)

    def test_second_sigint_while_blocked(self):
        import signal
        self.interrupt(signal.SIGINT, twice=True)

    def test_report_on_stdout(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        p = run(["-c", "SA", src, "-o", t.path("c.csv"), "--report", "-", "-q"], check_rc=0)
        rep = json.loads(p.stdout.decode())
        self.assertEqual((rep["rows"], rep["clean"], rep["rejected"], rep["duplicates"]),
                         (3, 1, 1, 1))

    def test_exit_status_and_strict(self):
        t = Tmp()
        src = t.write("list.csv", SMALL)
        run(["-c", "SA", src, "-q"], check_rc=0)  # rejected rows are no failure
        run(["-c", "SA", src, "-q", "--strict"], check_rc=1)
        good = t.write("good.csv", "id,phone\nr1,0501234567\nr3,0501234567\n")
        run(["-c", "SA", good, "-q", "--strict"], check_rc=0)  # duplicates are not rejections
        p = run(["--help"], check_rc=0)
        for opt in ("--strict", "--json", "--safe-for-spreadsheets", "130"):
            self.assertIn(opt, p.stdout.decode())

    def test_json_rows(self):
        src = os.path.join(DATA, "campaign.csv")
        t = Tmp()
        p = run(["-c", "SA", "--region-column", "country", src, "--json", "-q"], check_rc=0)
        rows = [json.loads(line) for line in p.stdout.decode().splitlines()]
        self.assertEqual(len(rows), 50)
        for r in rows:
            self.assertEqual(sorted(r), ["duplicate_of", "e164", "line", "outcome", "phone",
                                         "reason"])
        self.assertEqual([r["outcome"] for r in rows].count("clean"), 32)
        self.assertEqual([r["outcome"] for r in rows].count("rejected"), 10)
        self.assertEqual([r["outcome"] for r in rows].count("duplicate"), 8)
        c1013 = [r for r in rows if r["line"] == 15][0]
        self.assertEqual(c1013, {"line": 15, "outcome": "rejected", "reason": "not_a_number",
                                 "phone": "n/a", "e164": None, "duplicate_of": None})
        self.assertEqual(rows[0]["e164"], "+966501234567")
        dup = [r for r in rows if r["outcome"] == "duplicate"][0]
        self.assertIsInstance(dup["duplicate_of"], int)
        # with -o FILE the clean CSV is written as well
        p2 = run(["-c", "SA", "--region-column", "country", src, "--json", "-q",
                  "-o", t.path("c.csv")], check_rc=0)
        self.assertEqual(p2.stdout, p.stdout)
        self.assertEqual(len(read_csv(t.path("c.csv"))), 33)  # header + 32 clean


FORMULAS = ('id,name,phone,amount\n'
            '1,"=HYPERLINK(""http://x"")",0501234567,-5400.00\n'
            '2,Ali,=0551234567,100\n'
            '3,@SUM(A1),+966 53 111 2233,+12\n'
            '4,"\ttab",0541234567,1\n'
            '5,Sara,0501234567,-1+2\n'
            '6,-cmd,n/a,0\n'
            '7,"\rcr",+966561234567,2\n')


class Spreadsheets(unittest.TestCase):
    """--safe-for-spreadsheets neutralises formula cells (issue 8, defect 7)."""

    def outputs(self, extra):
        t = Tmp()
        src = t.write("f.csv", FORMULAS)
        run(["-c", "SA", src, "-o", t.path("c.csv"), "--rejects", t.path("r.csv"),
             "--duplicates", t.path("d.csv"), "-q"] + extra, check_rc=0)
        return [slurp(t.path(n)).decode() for n in ("c.csv", "r.csv", "d.csv")]

    def test_default_is_byte_exact(self):
        c, r, d = self.outputs([])
        self.assertIn('1,"=HYPERLINK(""http://x"")",0501234567,-5400.00,+966501234567,mobile\n', c)
        self.assertIn("2,Ali,=0551234567,100,+966551234567,mobile\n", c)
        self.assertIn("6,-cmd,n/a,0,not_a_number,7\n", r)

    def test_formula_cells_are_neutralised(self):
        c, r, d = self.outputs(["--safe-for-spreadsheets"])
        self.assertEqual(c.split("\n"), [l.rstrip("\n") for l in [
            "id,name,phone,amount,e164,number_type\n",
            '1,"\'=HYPERLINK(""http://x"")",0501234567,-5400.00,+966501234567,mobile\n',
            '2,Ali,"\'=0551234567",100,+966551234567,mobile\n',
            '3,"\'@SUM(A1)","\'+966 53 111 2233",+12,+966531112233,mobile\n',
            '4,"\'\ttab",0541234567,1,+966541234567,mobile\n',
            '7,"\'\rcr",+966561234567,2,+966561234567,mobile\n', '']])
        self.assertEqual(r, "id,name,phone,amount,reject_reason,line\n"
                            "6,\"'-cmd\",n/a,0,not_a_number,7\n")
        self.assertEqual(d, "id,name,phone,amount,e164,duplicate_of_line\n"
                            "5,Sara,0501234567,\"'-1+2\",+966501234567,2\n")
        # every cell of the result reads back with the quote kept, none
        # starts a formula
        for text in (c, r, d):
            for rec in csv.reader(io.StringIO(text, newline="")):
                for cell in rec:
                    self.assertFalse(cell[:1] in ("=", "@", "\t", "\r") or
                                     (cell[:1] in "+-" and cell[:1] and
                                      not re.fullmatch(r"[+-][0-9]+(\.[0-9]+)?", cell)), cell)

    def test_plain_text_and_header(self):
        t = Tmp()
        src = t.write("t.txt", "=phones\n=0551234567\n+966501234567\n")
        p = run(["-c", "SA", "--text", "--header", src, "--safe-for-spreadsheets"], check_rc=0)
        self.assertEqual(p.stdout.decode().splitlines(), [
            "\"'=phones\",e164,number_type",
            "\"'=0551234567\",+966551234567,mobile",
            "+966501234567,+966501234567,mobile"])


class InputHardening(unittest.TestCase):
    """Issue 8, the input side: long rows, header guessing, odd inputs."""

    def test_unquoted_row_over_the_limit_is_one_too_long_record(self):
        t = Tmp()
        big = "0501234567," + "x" * (1536 * 1024)
        src = t.write("big.csv", "phone,note\n" + big + "\n0551234567,y\n")
        p = run(["-c", "SA", src, "--rejects", t.path("rej.csv"), "--report",
                 t.path("r.json")], check_rc=0)
        rep = load_json(t.path("r.json"))
        self.assertEqual(rep["rows"], 2)
        self.assertEqual(rep["rejected_by_reason"]["too_long_record"], 1)
        self.assertEqual(rep["rejected_by_reason"]["malformed_csv"], 0)
        rows = read_csv(t.path("rej.csv"))
        self.assertEqual(rows[0], ["phone", "note", "reject_reason", "line"])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][0], big[:1024 * 1024])
        self.assertEqual(rows[1][1:], ["too_long_record", "2",
                                       "cut_at_byte=1048576 of %d bytes" % len(big)])
        self.assertEqual(p.stdout.decode().splitlines()[1],
                         "0551234567,y,+966551234567,mobile")

    def test_quoted_multiline_field_over_the_limit_is_one_record(self):
        t = Tmp()
        field = "x\n" * 600000  # 1.2 MB, 600,000 lines
        src = t.write("ml.csv", 'phone,note\n0501234567,"' + field + '"\n0551234567,y\n')
        for threads in ("1", "2"):
            p = run(["-c", "SA", src, "-j", threads, "--rejects", t.path("rej.csv"),
                     "--report", t.path("r.json")], check_rc=0)
            rep = load_json(t.path("r.json"))
            self.assertEqual((rep["rows"], rep["clean"], rep["rejected"]), (2, 1, 1))
            self.assertEqual(rep["rejected_by_reason"]["too_long_record"], 1)
            rows = read_csv(t.path("rej.csv"))
            self.assertEqual([r[-3:] for r in rows[1:]],
                             [["too_long_record", "2", "cut_at_byte=1048576 of %d bytes"
                               % (len(field) + 13)]])
            # the next row is read whole, on its real line
            self.assertEqual(p.stdout.decode().splitlines()[1:],
                             ["0551234567,y,+966551234567,mobile"])

    def test_max_record_bytes_option(self):
        t = Tmp()
        src = t.write("m.csv", "phone,note\n0501234567," + "y" * 3000 + "\n0551234567,z\n")
        p = run(["-c", "SA", src, "--max-record-bytes", "2K", "--rejects", t.path("rej.csv")],
                check_rc=0)
        rows = read_csv(t.path("rej.csv"))
        self.assertEqual(rows[1][-1], "cut_at_byte=2048 of 3011 bytes")
        run(["-c", "SA", src, "--max-record-bytes", "4K"], check_rc=0)
        for bad in ("0", "100", "2G", "-5", "1x", "", "99999999999999999999"):
            p = run(["-c", "SA", src, "--max-record-bytes", bad], check_rc=2)
            self.assertIn("--max-record-bytes takes a size from 1K to 1G", p.stderr.decode())

    def test_text_never_has_a_header_unless_told(self):
        t = Tmp()
        src = t.write("n.txt", "n/a\n0501234567\n")
        p = run(["-c", "SA", "--text", src, "--rejects", t.path("rej.csv"), "--report",
                 t.path("r.json")], check_rc=0)
        rep = load_json(t.path("r.json"))
        self.assertEqual((rep["rows"], rep["has_header"], rep["header_guessed"]),
                         (2, False, False))
        self.assertEqual(read_csv(t.path("rej.csv"))[0], ["n/a", "not_a_number", "1"])
        self.assertEqual(p.stdout.decode(), "0501234567,+966501234567,mobile\n")

    def test_headerless_csv_keeps_its_first_number(self):
        t = Tmp()
        # no -c: the numbers need a region, yet they are data, not a header
        src = t.write("h.csv", "0501234567\n+966551234567\n")
        p = run([src, "--report", t.path("r.json")], check_rc=0)
        rep = load_json(t.path("r.json"))
        self.assertEqual((rep["rows"], rep["has_header"]), (2, False))
        self.assertEqual(rep["rejected_by_reason"]["needs_region"], 1)
        self.assertIn("line 1 is data, not a header: 0501234567", p.stderr.decode())
        # a header is reported with the row it took, escaped and cut
        src = t.write("g.csv", "phone,note\x1b[31m" + "x" * 80 + "\n0501234567,y\n")
        p = run(["-c", "SA", src, "--report", t.path("r.json")], check_rc=0)
        rep = load_json(t.path("r.json"))
        self.assertTrue(rep["header_guessed"] and rep["has_header"])
        want = "phone,note\\x1b[31m" + "x" * 45 + "..."
        self.assertEqual(rep["first_row"], want)
        self.assertIn("line 1 taken as the header: " + want, p.stderr.decode())

    def test_odd_inputs_have_clear_messages(self):
        import gzip
        import zipfile
        t = Tmp()
        gz = t.path("l.csv.gz")
        with gzip.open(gz, "wb") as f:
            f.write(b"phone\n0501234567\n")
        p = run(["-c", "SA", gz], check_rc=2)
        self.assertIn("looks like gzip: decompress it first", p.stderr.decode())
        xl = t.path("l.xlsx")
        with zipfile.ZipFile(xl, "w") as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
        p = run(["-c", "SA", xl], check_rc=2)
        self.assertIn("looks like a zip archive (an .xlsx workbook?): export it as CSV first",
                      p.stderr.decode())
        p = run(["-c", "SA"], stdin="phone\n0501234567\n".encode("utf-16-le"), check_rc=2)
        self.assertIn("looks like UTF-16 without a byte order mark", p.stderr.decode())
        p = subprocess.run([PHONENORM, "clean", "-c", "SA"], stdin=subprocess.DEVNULL,
                           capture_output=True, preexec_fn=lambda: os.close(0))
        self.assertEqual(p.returncode, 2)
        self.assertIn("standard input is closed", p.stderr.decode())
        # UTF-16 with a byte order mark is read (the output is UTF-8)
        for enc in ("utf-16", "utf-16-be"):
            data = "phone;name\r\n0501234567;\u0639\u0644\u064a\r\n".encode(enc)
            if enc == "utf-16-be":
                data = b"\xfe\xff" + data
            src = t.write("u16.csv", data)
            p = run(["-c", "SA", src, "-d", ";"], check_rc=0)
            self.assertEqual(p.stdout.decode("utf-8-sig").splitlines(),
                             ["phone;name;e164;number_type",
                              "0501234567;\u0639\u0644\u064a;+966501234567;mobile"])

    def test_delimiter_is_sniffed_and_reported(self):
        t = Tmp()
        for delim, name in ((";", "';'"), ("\t", "'tab'"), ("|", "'|'")):
            src = t.write("s.csv", "Name%sMobile\n\"A, B\"%s0501234567\n" % (delim, delim))
            p = run(["-c", "SA", src, "--report", t.path("r.json")], check_rc=0)
            self.assertEqual(p.stdout.decode().splitlines(),
                             ["Name%sMobile%se164%snumber_type" % (delim, delim, delim),
                              "\"A, B\"%s0501234567%s+966501234567%smobile" % (delim, delim,
                                                                               delim)])
            self.assertIn("delimiter %s (sniffed from the first lines" % name,
                          p.stderr.decode())
            rep = load_json(t.path("r.json"))
            self.assertEqual((rep["delimiter"], rep["delimiter_sniffed"]), (delim, True))
        # -d wins over the sniffer; a comma file says nothing
        src = t.write("c.csv", "Name,Mobile\nA;B,0501234567\n")
        p = run(["-c", "SA", src], check_rc=0)
        self.assertNotIn("delimiter", p.stderr.decode())
        p = run(["-c", "SA", "-d", ",", src, "--report", t.path("r.json")], check_rc=0)
        self.assertFalse(load_json(t.path("r.json"))["delimiter_sniffed"])


if __name__ == "__main__":
    PHONENORM, DATA, HERE = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        unittest.main(argv=sys.argv[:1] + sys.argv[4:], verbosity=2)
    finally:
        ROOT.cleanup()
