#!/usr/bin/python3
"""Differential test: phonenorm's default (bundled) metadata against npm google-libphonenumber.

phonenorm answers with libphonenumber 8.12.57's C++ code on the bundled
upstream metadata (data/metadata, v9.0.35). google-libphonenumber 3.2.47 is
Google's JavaScript port with its own copy of upstream's metadata of the same
era: an independent implementation to compare against. This runner

1. checks the setup: node and the pinned package (tools/install-npm.sh
   installs it), no LD_PRELOAD, and that phonenorm's data in force is the
   upstream version this test was written for (phn_metadata_version(), and
   sentinel numbers that only the fresh data calls valid);
2. compares the two metadata collections field by field (npm_meta.py): the
   regions whose data differ must be exactly the ones listed in
   npm_allowlist.json (a later upstream release in the package);
3. generates the inputs (npm_gen.py, fixed seed), runs them through
   tests/diff/diff_driver (the C library's public API) and npm/reference.js
   (the same rules on the JS API), and compares status (parse error, valid,
   or why not), E.164, type, region and extension of every input;
4. explains each difference, and proves each explanation on that input:
   - a listed port divergence (a rule here with its reason in
     npm_allowlist.json): ANSWER_RULES judge the two answers; TEXT_RULES
     rewrite the input into what the C++ port must see to behave as the JS
     port does, and phonenorm on the rewritten text must give exactly the
     npm answer;
   - the listed metadata differences: the JS port rerun with phonenorm's
     data for those regions (npm_meta.to_jspb, the package's own form;
     for every region whose data are the same it reproduces the package's
     arrays exactly) must give exactly phonenorm's answer;
   - or both at once. Anything else fails, and so does a listed divergence
     or metadata difference that no longer occurs (stale).

Exit status: 0 pass, 1 a finding (mismatch, stale entry, corpus too small),
2 a setup failure (missing node or package, wrong data in force, a side
crashed).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import npm_gen  # noqa: E402
import npm_meta  # noqa: E402

FIELDS = ("status", "e164", "type", "region", "extension")
NPM_DIR = os.path.join(HERE, "npm")
MIN_INPUTS = 100000
MIN_REGIONS = 20
MIN_NON_ASCII_DIGITS = 500
SHOW = 15
# E.164 prefixes of issue 11's ranges: among the numbers of a right length
# (status valid or possible), each must occur at least MIN_PER_RANGE times
# with the same answer on both sides, and always valid (new ranges) or never
# valid (the removed one). US 227 with an exchange 2-9 (0 and 1 never are).
RANGE_FLOORS = [
    ("SA 0574", ("+966574",)),
    ("SA 0579[2-8]", tuple("+966579%d" % d for d in range(2, 9))),
    ("US 227", tuple("+1227%d" % d for d in range(2, 10))),
    ("removed SA 811", ("+966811",)),
]
MIN_PER_RANGE = 100

# Numbers whose answer depends on the data in force: (region, text, the
# answer with fresh data as diff_driver prints status and type).
SENTINELS = [
    ("SA", "+966579512345", ("valid", "mobile")),        # 0579[2-8], v9.0.23
    ("SA", "+966574123456", ("valid", "mobile")),        # 0574, v8.13.22
    ("US", "+12272345678", ("valid", "fixed_line_or_mobile")),
    ("SA", "+9668110123456", ("possible", "unknown")),   # SA 811 UAN, removed
]


def die(message):
    print("npm_diff: " + message, file=sys.stderr)
    print("RESULT: FAIL (setup)")
    sys.exit(2)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--driver", required=True, help="tests/diff/diff_driver")
    ap.add_argument("--xml", required=True,
                    help="the PhoneNumberMetadata.xml phonenorm's bundled data is built from")
    ap.add_argument("--node", default="node")
    ap.add_argument("--workdir", default=".")
    ap.add_argument("--count", type=int, default=npm_gen.DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=npm_gen.DEFAULT_SEED)
    ap.add_argument("--allowlist", default=os.path.join(HERE, "npm_allowlist.json"))
    ap.add_argument("--allow-preload", action="store_true",
                    help="development only: accept LD_PRELOAD (an override of the metadata "
                         "accessors) and a phn_metadata_version() that does not match; the "
                         "sentinel numbers must still show the fresh data. ctest never passes it.")
    return ap.parse_args(argv)


# ------------------------------------------------------------------ setup checks

def check_node(node):
    try:
        proc = subprocess.run([node, os.path.join(NPM_DIR, "reference.js"), "--info"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        die("cannot run node (%s): install Debian's nodejs, or run tools/install-npm.sh, "
            "which installs it and the package" % e)
    if proc.returncode != 0:
        die("the npm side does not start: %s\nThe package is installed by tools/install-npm.sh "
            "(npm ci in tests/metadata/npm; CI runs it)."
            % proc.stderr.decode("utf-8", "replace").strip())
    info = json.loads(proc.stdout)
    with open(os.path.join(NPM_DIR, "package-lock.json"), encoding="utf-8") as f:
        lock = json.load(f)
    pinned = lock["packages"]["node_modules/google-libphonenumber"]["version"]
    if info["version"] != pinned:
        die("node_modules has google-libphonenumber %s, package-lock.json pins %s: "
            "run tools/install-npm.sh" % (info["version"], pinned))
    return info


def xml_version(xml_path):
    """The upstream version of the XML: VERSION next to it (data/metadata), or vX.Y.Z dir."""
    vfile = os.path.join(os.path.dirname(os.path.abspath(xml_path)), "VERSION")
    if os.path.exists(vfile):
        with open(vfile, encoding="utf-8") as f:
            for line in f:
                if line.startswith("version="):
                    return line.split("=", 1)[1].strip()
    base = os.path.basename(os.path.dirname(os.path.abspath(xml_path)))
    return base[1:] if base.startswith("v") else None


def run_js_lines(node, override, rows):
    """npm/reference.js on rows, with the metadata of some regions replaced."""
    data = "".join("%s\t%s\n" % (r, t) for r, t in rows).encode("utf-8")
    proc = subprocess.run([node, os.path.join(NPM_DIR, "reference.js"), "--metadata-override",
                           override], input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        die("reference.js --metadata-override failed: %s"
            % proc.stderr.decode("utf-8", "replace").strip())
    return [tuple(l.split("\t")) for l in proc.stdout.decode("utf-8").split("\n")[:-1]]


def run_driver_lines(driver, rows):
    data = "".join("%s\t%s\n" % (r, t) for r, t in rows).encode("utf-8")
    proc = subprocess.run([driver], input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        die("diff_driver failed: %s" % proc.stderr.decode("utf-8", "replace").strip())
    return [tuple(l.split("\t")) for l in proc.stdout.decode("utf-8").split("\n")[:-1]]


def check_data_in_force(args, allow):
    """phonenorm must answer with the data the allow-list was written for."""
    preload = os.environ.get("LD_PRELOAD", "")
    if preload and not args.allow_preload:
        die("LD_PRELOAD is set (%s): this test checks the library's own default data; "
            "unset it (or pass --allow-preload for a development run)" % preload)
    if args.allow_preload and not preload:
        die("--allow-preload without LD_PRELOAD: nothing to allow; drop the option")
    want = allow["metadata_version"]
    xml_ver = xml_version(args.xml)
    if xml_ver != want:
        die("%s is upstream %s, but %s was written for %s: re-derive the allow-list for the "
            "new data (run this test, read every difference)" % (args.xml, xml_ver,
                                                                 args.allowlist, want))
    proc = subprocess.run([args.driver, "--metadata-version"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode != 0:
        die("diff_driver --metadata-version failed: %s"
            % proc.stderr.decode("utf-8", "replace").strip())
    got = proc.stdout.decode("utf-8").strip()
    notes = []
    if got != want:
        if not args.allow_preload:
            die("phonenorm's metadata in force is %r (phn_metadata_version()), this test "
                "compares upstream %s: the library does not answer with its bundled data "
                "(PHONENORM_METADATA=system set? the override not in effect?)" % (got, want))
        notes.append("phn_metadata_version() says %r, accepted for this development run "
                     "(--allow-preload, LD_PRELOAD=%s); the sentinels below decide" % (got, preload))
    answers = run_driver_lines(args.driver, [(r, t) for r, t, _ in SENTINELS])
    for (region, text, want_ans), ans in zip(SENTINELS, answers):
        if (ans[0], ans[2]) != want_ans:
            die("sentinel %s %s is %s/%s, with upstream %s data it is %s/%s: phonenorm does "
                "not answer with the fresh data" % (region, text, ans[0], ans[2], want,
                                                    want_ans[0], want_ans[1]))
    return got, notes


# ------------------------------------------------------------------ port divergences

def rule_js_double_nsn(ref, got):
    """E.164 differs only in the last digits of a national number above 2^53.

    Both strings are "+" and the same number of digits; the C++ national number
    (uint64) is exact, the JS one is the nearest IEEE double of it."""
    if [f for f in range(len(FIELDS)) if ref[f] != got[f]] != [1]:
        return False
    js, cc = ref[1], got[1]
    if not (js.startswith("+") and cc.startswith("+") and len(js) == len(cc)):
        return False
    # The same country code (1-3 digits) and a national number of at most 17
    # digits (libphonenumber's longest) on both sides; try each split.
    for k in (1, 2, 3):
        if js[1:1 + k] != cc[1:1 + k]:
            break
        a, b = js[1 + k:], cc[1 + k:]
        if (len(b) <= 17 and a.isdigit() and b.isdigit() and int(b) > 2 ** 53
                and float(int(a)) == float(int(b))):
            return True
    return False


# The digits the JS port knows besides ASCII (its VALID_DIGITS_ / DIGIT_MAPPINGS):
# full-width, Arabic-Indic, Extended Arabic-Indic. C++ knows every \p{Nd}.
JS_DIGIT_ZEROS = (0xFF10, 0x0660, 0x06F0)
# The JS port's UNWANTED_END_CHAR_PATTERN_ (C++: [^\p{N}\p{L}#]+$).
JS_UNWANTED_END = re.compile("[^0-9\uff10-\uff19\u0660-\u0669\u06f0-\u06f9A-Za-z#]+$")


def _js_digit(c):
    return any(z <= ord(c) <= z + 9 for z in JS_DIGIT_ZEROS)


def fix_alpha_non_ascii_digits(text):
    """The text with the JS-known non-ASCII digits written in ASCII, or None.

    Applies when the text is an alpha number for libphonenumber (3 or more
    ASCII letters: VALID_ALPHA_PHONE_PATTERN) and holds such digits."""
    if sum(1 for c in text if c.isascii() and c.isalpha()) < 3:
        return None
    if not any(_js_digit(c) for c in text):
        return None
    return "".join(chr(ord("0") + ord(c) - next(z for z in JS_DIGIT_ZEROS if z <= ord(c) <= z + 9))
                   if _js_digit(c) else c for c in text)


def fix_non_ascii_letters_at_end(text):
    """The text without the trailing run the JS port strips as unwanted, or None.

    Applies when that run holds a letter or number outside the JS port's
    ASCII-only classes (e.g. an Arabic word), which C++ keeps."""
    m = JS_UNWANTED_END.search(text)
    if m is None:
        return None
    if not any(unicodedata.category(c)[0] in "LN" for c in m.group()):
        return None
    return text[:m.start()]


# Port divergences (ids as in npm_allowlist.json, which holds the reasons).
# ANSWER_RULES explain a difference from the two answers alone. TEXT_RULES
# name the inputs a known difference applies to and rewrite them into what
# the C++ port must see to answer as the JS port does; the runner proves
# each explanation by running phonenorm on the rewritten text and requiring
# exactly the npm answer to the original.
ANSWER_RULES = {
    "js_double_national_number": rule_js_double_nsn,
}
TEXT_RULES = {
    "js_alpha_number_keeps_non_ascii_digits": fix_alpha_non_ascii_digits,
    "js_ascii_only_letters_at_end": fix_non_ascii_letters_at_end,
}
PORT_RULES = set(ANSWER_RULES) | set(TEXT_RULES)


# ------------------------------------------------------------------ comparison

def run_side(cmd, tsv_path, out_path, result, name):
    try:
        with open(tsv_path, "rb") as fin, open(out_path, "wb") as fout:
            proc = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            result["error"] = "%s exited with %d: %s" % (
                name, proc.returncode, proc.stderr.decode("utf-8", "replace").strip())
            return
        with open(out_path, "rb") as f:
            lines = f.read().decode("utf-8", "backslashreplace").split("\n")
        if lines[-1] != "":
            result["error"] = "%s output does not end in a newline" % name
            return
        result["lines"] = [tuple(line.split("\t")) for line in lines[:-1]]
    except OSError as e:
        result["error"] = "running %s failed: %s" % (name, e)


def validity_regions(meta_diff):
    """Regions whose differing fields can change a compared answer.

    Formatting rules (number_format, intl_number_format) are read by neither
    parse, validity, type nor E.164 formatting."""
    out = set()
    for rid, fields in meta_diff.items():
        if any(not f.startswith(("number_format", "intl_number_format")) for f in fields):
            out.add(rid)
    return out


def has_non_ascii_digit(text):
    return any(ord(c) > 127 and unicodedata.decimal(c, None) is not None for c in text)


def print_counts(title, counter, per_line=8):
    print("%s:" % title)
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    for i in range(0, len(items), per_line):
        print("   " + "  ".join("%s=%d" % (k or "(none)", v) for k, v in items[i:i + per_line]))


def main(argv=None):
    args = parse_args(argv)
    t0 = time.monotonic()
    os.makedirs(args.workdir, exist_ok=True)
    with open(args.allowlist, encoding="utf-8") as f:
        allow = json.load(f)
    for rid in allow["port_divergences"]:
        if rid not in PORT_RULES:
            die("%s lists port divergence %r, which npm_diff.py has no rule for"
                % (args.allowlist, rid))
    # Only listed rules explain anything: a rule without its reason is off.
    answer_rules = {k: v for k, v in ANSWER_RULES.items() if k in allow["port_divergences"]}
    text_rules = {k: v for k, v in TEXT_RULES.items() if k in allow["port_divergences"]}
    if not os.path.exists(args.xml):
        die("%s is missing: the metadata XML phonenorm's bundled data is built from" % args.xml)

    info = check_node(args.node)
    c_version, notes = check_data_in_force(args, allow)

    # 2. the data itself
    proc = subprocess.run([args.node, os.path.join(NPM_DIR, "reference.js"), "--metadata"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        die("reference.js --metadata failed: %s" % proc.stderr.decode("utf-8", "replace"))
    ours, theirs = npm_meta.load(args.xml, json.loads(proc.stdout))
    meta_diff, n_meta = npm_meta.compare(ours, theirs), len(ours)
    listed = {rid: sorted(v.split(", ")) for rid, v in allow["metadata_differences"].items()}
    failures = []
    for rid, fields in sorted(meta_diff.items()):
        if listed.get(rid) != sorted(fields):
            failures.append("metadata of %s differs from upstream %s in %s%s" % (
                rid, allow["metadata_version"], ", ".join(fields),
                "" if rid not in listed else " (listed: %s)" % ", ".join(listed[rid])))
    for rid in sorted(set(listed) - set(meta_diff)):
        failures.append("STALE: metadata of %s no longer differs: remove it from %s"
                        % (rid, args.allowlist))
    # Only listed differences explain answers.
    data_regions = validity_regions({r: f for r, f in meta_diff.items() if r in listed})

    # 3. the inputs through both sides
    meta = npm_gen.load_metadata(args.xml)
    rows = npm_gen.generate(meta, args.count, args.seed)
    tsv = os.path.join(args.workdir, "npm_inputs.tsv")
    npm_gen.write_tsv(rows, tsv)
    t_gen = time.monotonic() - t0
    c_res, js_res = {}, {}
    t1 = time.monotonic()
    threads = [
        threading.Thread(target=run_side, args=([args.driver], tsv, os.path.join(
            args.workdir, "npm_phonenorm.out"), c_res, "diff_driver")),
        threading.Thread(target=run_side, args=([args.node, os.path.join(NPM_DIR, "reference.js")],
                                                tsv, os.path.join(args.workdir, "npm_js.out"),
                                                js_res, "reference.js")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_run = time.monotonic() - t1
    for res in (c_res, js_res):
        if "error" in res:
            die(res["error"])
    got, refs = c_res["lines"], js_res["lines"]
    if len(got) != len(rows) or len(refs) != len(rows):
        die("%d inputs, phonenorm wrote %d lines, reference.js %d" % (len(rows), len(got),
                                                                      len(refs)))

    # 4. every difference explained
    mismatches = []
    by_data = collections.Counter()
    by_rule = collections.Counter()
    rule_examples = {}
    identical = 0
    pending = []  # (row, npm answer, phonenorm answer) not yet explained
    port_inputs = 0
    for (cat, region, text), ref, out in zip(rows, refs, got):
        if ref == out:
            identical += 1
            continue
        rule = next((rid for rid, pred in answer_rules.items() if pred(ref, out)), None)
        if rule is not None:
            port_inputs += 1
            by_rule[rule] += 1
            rule_examples.setdefault(rule, (region, text, ref, out))
            continue
        pending.append(((cat, region, text), ref, out))

    # Text rules: rewrite the input, rerun phonenorm on it.
    proofs = []
    for row, ref, out in pending:
        fixed, used = row[2], []
        for rid, fix in text_rules.items():
            new = fix(fixed)
            if new is not None and new != fixed:
                fixed, used = new, used + [rid]
        proofs.append((row, ref, out, fixed, used))
    reruns = iter(run_driver_lines(args.driver, [(p[0][1], p[3]) for p in proofs if p[4]]))
    proofs = [p + ((next(reruns) if p[4] else None),) for p in proofs]
    # Data: rerun the JS port on phonenorm's data for the listed regions.
    override = os.path.join(args.workdir, "npm_override.json")
    with open(override, "w", encoding="utf-8") as f:
        json.dump({rid: npm_meta.to_jspb(ours[rid]) for rid in sorted(data_regions)}, f)
    js_ours = iter(run_js_lines(args.node, override, [(p[0][1], p[0][2]) for p in proofs]))

    for (cat, region, text), ref, out, fixed, used, again in proofs:
        ref_ours = next(js_ours)
        # Pairs (npm side, phonenorm side, what explains the step from the
        # plain pair): the rewrite alone, the data alone, or both.
        pairs = []
        if used:
            pairs.append((ref, again, used, False))
        pairs.append((ref_ours, out, [], True))
        if used:
            pairs.append((ref_ours, again, used, True))
        explained = None
        for a, b, rules, data in pairs:
            extra = [] if a == b else [rid for rid, pred in answer_rules.items() if pred(a, b)]
            if a == b or extra:
                explained = (rules + extra, data)
                break
        if explained is None:
            diff = [FIELDS[i] for i in range(len(FIELDS)) if i >= len(out) or ref[i] != out[i]]
            diff.append("(npm on phonenorm's data: %s)" % "/".join(ref_ours))
            if used:
                diff.append("(rewritten by %s to %r, phonenorm: %s)" % (
                    "+".join(used), fixed, "/".join(again)))
            mismatches.append((cat, region, text, ref, out, diff))
            continue
        rules, data = explained
        if rules:
            port_inputs += 1
            for rid in rules:
                by_rule[rid] += 1
                rule_examples.setdefault(rid, (region, text, ref, out))
        if data:
            named = sorted(({ref[3], out[3], region.upper()} - {""}) & data_regions)
            by_data["/".join(named) or "?"] += 1
    for rid in sorted(allow["port_divergences"]):
        if by_rule[rid] == 0:
            failures.append("STALE: port divergence %r occurs no more: remove it from %s"
                            % (rid, args.allowlist))

    # the corpus floor
    regions_given = {r for _, r, _ in rows}
    non_ascii = sum(1 for _, _, t in rows if has_non_ascii_digit(t))
    if len(rows) < MIN_INPUTS:
        failures.append("only %d inputs, need %d" % (len(rows), MIN_INPUTS))
    if len(regions_given) < MIN_REGIONS:
        failures.append("only %d regions, need %d" % (len(regions_given), MIN_REGIONS))
    if non_ascii < MIN_NON_ASCII_DIGITS:
        failures.append("only %d inputs with non-ASCII digits, need %d"
                        % (non_ascii, MIN_NON_ASCII_DIGITS))
    # Issue 11's ranges must be in the corpus, answered alike by both sides.
    new_ranges = collections.Counter()
    for (_, _, _), ref, out in zip(rows, refs, got):
        if ref != out or ref[0] not in ("valid", "possible"):
            continue
        for name, prefixes in RANGE_FLOORS:
            if ref[1].startswith(prefixes):
                new_ranges[(name, ref[0] == "valid")] += 1
    for name, _ in RANGE_FLOORS:
        want_valid = not name.startswith("removed")
        n_ok, n_bad = new_ranges[(name, want_valid)], new_ranges[(name, not want_valid)]
        if n_ok < MIN_PER_RANGE or n_bad:
            failures.append("range %s: %d inputs %s on both sides (need %d), %d %s"
                            % (name, n_ok, "valid" if want_valid else "not valid", MIN_PER_RANGE,
                               n_bad, "not valid" if want_valid else "valid"))
    same_data = [r for r in npm_gen.CORE_REGIONS if r not in data_regions]
    if len(same_data) < MIN_REGIONS:
        failures.append("only %d of the core regions have the same data on both sides, need %d"
                        % (len(same_data), MIN_REGIONS))

    # report
    print("metadata_npm_diff: phonenorm (libphonenumber 8.12.57 C++, metadata %s) vs npm "
          "google-libphonenumber %s (JavaScript port)" % (c_version, info["version"]))
    for n in notes:
        print("NOTE: " + n)
    print("metadata: %d entries compared field by field with the package's; %d differ "
          "(%d in fields that can change an answer): %s"
          % (n_meta, len(meta_diff), len(data_regions), " ".join(sorted(meta_diff))))
    print("inputs: %d (seed %d) over %d default regions; %d with non-ASCII digits"
          % (len(rows), args.seed, len(regions_given), non_ascii))
    print("issue 11 ranges (same answer on both sides): %s" % "  ".join(
        "%s valid=%d not=%d" % (name, new_ranges[(name, True)], new_ranges[(name, False)])
        for name, _ in RANGE_FLOORS))
    print("core regions with identical data on both sides (%d): %s"
          % (len(same_data), " ".join(same_data)))
    print_counts("status (npm side)", collections.Counter(r[0] for r in refs))
    print_counts("type of valid numbers (npm side)",
                 collections.Counter(r[2] for r in refs if r[0] == "valid"))
    print_counts("number source", collections.Counter(c.split("/")[0].split("+")[0].split("_")[0]
                                                      for c, _, _ in rows))
    print_counts("type of the example number it came from", collections.Counter(
        c.split("/")[0].split("+")[0].split("_", 1)[1] for c, _, _ in rows
        if c.split("_")[0] in ("example", "tail", "random")))
    print_counts("written as", collections.Counter(c.split("/")[1] for c, _, _ in rows))
    print_counts("dirtied with", collections.Counter(
        x for c, _, _ in rows for x in c.split("/")[0].split("+")[1:]))
    print("identical answers: %d of %d" % (identical, len(rows)))
    print("explained by metadata that differs (npm carries later upstream data; proved: the JS "
          "port on phonenorm's data for those regions answers as phonenorm): %d"
          % sum(by_data.values()))
    if by_data:
        print("   " + "  ".join("%s=%d" % kv for kv in sorted(by_data.items())))
    print("explained by port divergences (listed in %s): %d inputs; per rule (an input may need two):"
          % (os.path.basename(args.allowlist), port_inputs))
    for rid in sorted(allow["port_divergences"]):
        ex = rule_examples.get(rid)
        print("   %s: %d, e.g. %s" % (rid, by_rule[rid], "-" if ex is None else
                                      "%s %r: npm %s %s, phonenorm %s %s"
                                      % (ex[0], ex[1], ex[2][0], ex[2][1], ex[3][0], ex[3][1])))
    print("time: generate %.1fs, both sides %.1fs, total %.1fs"
          % (t_gen, t_run, time.monotonic() - t0))
    if mismatches:
        path = os.path.join(args.workdir, "npm_mismatches.txt")
        with open(path, "w", encoding="utf-8") as f:
            for cat, region, text, ref, out, diff in mismatches:
                f.write("%s\t%r\t%r\t%s\tnpm=%r\tphonenorm=%r\n"
                        % (cat, region, text, ",".join(diff), ref, out))
        classes = collections.Counter((m[3][0], m[4][0], ",".join(d for d in m[5] if d[0] != "("))
                                      for m in mismatches)
        print("MISMATCHES: %d (all in %s)" % (len(mismatches), path))
        for (a, b, fields), n in classes.most_common():
            print("   %6d  npm %s, phonenorm %s; differs in %s" % (n, a, b, fields))
        for cat, region, text, ref, out, diff in mismatches[:SHOW]:
            print("   [%s] region=%s input=%r differs in %s" % (cat, region, text, ",".join(diff)))
            print("       npm:       %s" % "\t".join(ref))
            print("       phonenorm: %s" % "\t".join(out))
    else:
        print("unexplained mismatches: 0")
    for failure in failures:
        print("FAIL: " + failure)
    ok = not mismatches and not failures
    print("RESULT: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
