#!/usr/bin/python3
"""Differential test: phonenorm (libphonenumber C++) against python-phonenumbers.

Debian's python3-phonenumbers and libphonenumber-dev are both 8.12.57: the
same metadata in two independent ports. This runner

1. generates the corpus (gen_inputs.py, fixed seed) and appends the inputs of
   the known-divergence list (known_divergences.json);
2. pipes it through diff_driver (the C library, public API only) while
   reference.py classifies every input with python-phonenumbers under the
   same rules;
3. checks that the corpus is as varied as the issue requires;
4. compares status, e164, type, region and extension of every input, and
   checks that each known divergence still diverges exactly as documented.

It prints a summary and exits 1 on any mismatch, stale known divergence or
too-uniform corpus (2 on a usage or driver failure). The inputs, both sides'
outputs and the mismatches are left in --workdir for inspection.
"""

import argparse
import collections
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import unicodedata

sys.dont_write_bytecode = True  # never write __pycache__ into the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen_inputs  # noqa: E402
import reference  # noqa: E402

FIELDS = ("status", "e164", "type", "region", "extension")
MIN_INPUTS = 100000
MIN_REGIONS = 20
MIN_PER_STATUS = 50
MIN_NON_ASCII_DIGITS = 500
SHOW_MISMATCHES = 20


def die(message):
    """Stop on a usage or setup failure (exit 2), as opposed to a finding (1)."""
    print(message, file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--driver", required=True, help="path to the diff_driver program")
    ap.add_argument("--workdir", default=".", help="where to write inputs and outputs")
    ap.add_argument("--count", type=int, default=gen_inputs.DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=gen_inputs.DEFAULT_SEED)
    ap.add_argument("--known", default=os.path.join(HERE, "known_divergences.json"),
                    help="the documented C++/Python divergences")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes for the Python reference")
    return ap.parse_args(argv)


def load_known(path):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["divergences"]
    known = {}
    for e in entries:
        key = (e["region"], e["input"])
        if key in known:
            die("run_diff: %s lists %r twice" % (path, key))
        if e["python"] == e["cpp"]:
            die("run_diff: %s: %r does not diverge" % (path, key))
        known[key] = e
    return known


def _classify_chunk(rows):
    return [reference.classify(region, text) for region, text in rows]


def run_reference(rows, jobs):
    pairs = [(region, text) for _, region, text in rows]
    if jobs <= 1:
        return _classify_chunk(pairs)
    size = 2000
    chunks = [pairs[i:i + size] for i in range(0, len(pairs), size)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return [r for part in pool.imap(_classify_chunk, chunks) for r in part]


def driver_metadata_version(driver):
    try:
        proc = subprocess.run([driver, "--metadata-version"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    except OSError as e:
        die("run_diff: cannot run %s: %s" % (driver, e))
    if proc.returncode != 0:
        die("run_diff: %s --metadata-version failed: %s"
                         % (driver, proc.stderr.decode("utf-8", "replace").strip()))
    return proc.stdout.decode("utf-8").strip()


def run_driver(driver, tsv_path, out_path, result):
    """Run diff_driver on tsv_path; leave its lines (or an error) in result."""
    try:
        _run_driver(driver, tsv_path, out_path, result)
    except (OSError, UnicodeError) as e:
        result["error"] = "running diff_driver failed: %s" % e


def _run_driver(driver, tsv_path, out_path, result):
    with open(tsv_path, "rb") as fin, open(out_path, "wb") as fout:
        proc = subprocess.run([driver], stdin=fin, stdout=fout, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        result["error"] = "diff_driver exited with %d: %s" % (
            proc.returncode, proc.stderr.decode("utf-8", "replace").strip())
        return
    with open(out_path, "rb") as f:
        # Invalid UTF-8 from the library is a finding, not a crash: keep the
        # bad bytes visible (as \\xNN) so the field simply mismatches.
        lines = f.read().decode("utf-8", "backslashreplace").split("\n")
    if lines[-1] != "":
        result["error"] = "diff_driver output does not end in a newline"
        return
    result["lines"] = [tuple(line.split("\t")) for line in lines[:-1]]


def same(ref, got):
    """Compare a reference tuple with a driver tuple; return the differing fields."""
    if len(got) != len(FIELDS):
        return ["fields"]
    if ref[0] == reference.ERROR_PREFIX:
        ok = got[0].startswith(reference.ERROR_PREFIX) and not any(got[1:])
        return [] if ok else ["status"]
    return [FIELDS[i] for i in range(len(FIELDS)) if ref[i] != got[i]]


def has_non_ascii_digit(text):
    return any(ord(c) > 127 and unicodedata.decimal(c, None) is not None for c in text)


def print_counts(title, counter, per_line=8):
    print("%s:" % title)
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    for i in range(0, len(items), per_line):
        print("   " + "  ".join("%s=%d" % (k or "(none)", v) for k, v in items[i:i + per_line]))


def print_region_counts(rows):
    known = collections.Counter()
    bad = collections.Counter()
    none = 0
    for _, region, _ in rows:
        if not region:
            none += 1
        elif region.upper() in reference.KNOWN_REGIONS:
            known[region.upper()] += 1
        else:
            bad[region] += 1
    named = gen_inputs.REQUIRED_REGIONS + gen_inputs.EXTRA_REGIONS
    print_counts("region given (any case), the generator's named regions",
                 collections.Counter({r: known[r] for r in named}), per_line=12)
    others = [r for r in known if r not in named]
    print("   other regions: %d inputs over %d regions; no region: %d; "
          "unknown region (must fail): %d over %d strings"
          % (sum(known[r] for r in others), len(others), none, sum(bad.values()), len(bad)))


def check_variety(rows, refs):
    """The issue's floor on the corpus: return a list of failures."""
    failures = []
    if len(rows) < MIN_INPUTS:
        failures.append("only %d inputs, need %d" % (len(rows), MIN_INPUTS))
    regions = {r.upper() for _, r, _ in rows if r} & reference.KNOWN_REGIONS
    if len(regions) < MIN_REGIONS:
        failures.append("only %d regions, need %d" % (len(regions), MIN_REGIONS))
    statuses = collections.Counter(r[0] for r in refs)
    for name in reference.STATUS_NAMES:
        if statuses[name] < MIN_PER_STATUS:
            failures.append("status %s occurs %d times, need %d"
                            % (name, statuses[name], MIN_PER_STATUS))
    non_ascii = sum(1 for _, _, text in rows if has_non_ascii_digit(text))
    if non_ascii < MIN_NON_ASCII_DIGITS:
        failures.append("only %d inputs with non-ASCII digits, need %d"
                        % (non_ascii, MIN_NON_ASCII_DIGITS))
    return failures, len(regions), non_ascii


def main(argv=None):
    args = parse_args(argv)
    t0 = time.monotonic()
    os.makedirs(args.workdir, exist_ok=True)
    known = load_known(args.known)
    c_version = driver_metadata_version(args.driver)
    if c_version != phonenumbers_version():
        # Two releases differ in metadata: comparing them tests nothing.
        print("run_diff: phonenorm uses libphonenumber %s but python-phonenumbers is %s"
              % (c_version, phonenumbers_version()))
        return 2

    rows = gen_inputs.generate(args.count, args.seed)
    generated = len(rows)
    in_corpus = {(region, text) for _, region, text in rows}
    for key in sorted(known):
        if key not in in_corpus:
            rows.append(("known_divergence",) + key)
    tsv_path = os.path.join(args.workdir, "diff_inputs.tsv")
    gen_inputs.write_tsv(rows, tsv_path)
    t_gen = time.monotonic() - t0

    # The C side runs in its own process while Python classifies.
    driver_result = {}
    driver_thread = threading.Thread(target=run_driver, args=(
        args.driver, tsv_path, os.path.join(args.workdir, "diff_driver.out"), driver_result))
    driver_thread.start()
    t1 = time.monotonic()
    refs = run_reference(rows, args.jobs)
    t_ref = time.monotonic() - t1
    driver_thread.join()
    t_all = time.monotonic() - t0
    if "error" in driver_result:
        print("run_diff: " + driver_result["error"])
        return 2
    got = driver_result["lines"]
    if len(got) != len(rows):
        print("run_diff: diff_driver wrote %d lines for %d inputs" % (len(got), len(rows)))
        return 2

    mismatches = []
    known_seen = []
    stale = []
    mismatch_classes = collections.Counter()
    for (cat, region, text), ref, out in zip(rows, refs, got):
        diff = same(ref, out)
        entry = known.get((region, text))
        if entry is not None:
            if tuple(entry["python"]) != ref:
                diff = ["python changed"]
            elif not diff:
                stale.append((entry, out))
                continue
            elif list(out) == entry["cpp"]:
                if entry not in known_seen:
                    known_seen.append(entry)
                continue
        if diff:
            mismatches.append((cat, region, text, ref, out, diff))
            mismatch_classes[(ref[0], out[0] if out else "", ",".join(diff))] += 1

    failures, n_regions, n_non_ascii = check_variety(rows[:generated], refs[:generated])

    print("differential test: phonenorm (libphonenumber %s) vs python-phonenumbers %s"
          % (c_version, phonenumbers_version()))
    print("inputs: %d generated (seed %d) + %d from the known-divergence list"
          % (generated, args.seed, len(rows) - generated))
    print("regions given: %d distinct known regions; inputs with non-ASCII digits: %d"
          % (n_regions, n_non_ascii))
    print_counts("status (python-phonenumbers; 'error' = unknown region)",
                 collections.Counter(r[0].rstrip(":") for r in refs))
    errors = collections.Counter(o[0] for o in got if o and o[0].startswith("error:"))
    for text, n in sorted(errors.items()):
        print("   phonenorm said %r %d times" % (text, n))
    print_counts("type of valid numbers", collections.Counter(r[2] for r in refs if r[0] == "valid"))
    print_region_counts(rows)
    print_counts("generator category", collections.Counter(c for c, _, _ in rows))
    print("time: generate %.1fs, reference %.1fs (%d jobs), total %.1fs"
          % (t_gen, t_ref, args.jobs, t_all))

    print("known divergences (C++ and Python ports of libphonenumber differ): %d of %d seen"
          % (len(known_seen), len(known)))
    for e in known_seen:
        print("   %s %r: python %s, c++ %s" % (e["region"] or "(none)", e["input"],
                                               e["python"][0], e["cpp"][0]))
    for e, out in stale:
        print("   STALE: %s %r no longer diverges (both %s): remove it from %s"
              % (e["region"] or "(none)", e["input"], out[0], args.known))

    if mismatches:
        with open(os.path.join(args.workdir, "diff_mismatches.txt"), "w",
                  encoding="utf-8") as f:
            for cat, region, text, ref, out, diff in mismatches:
                f.write("%r\t%r\t%s\t%r\t%r\n" % (region, text, ",".join(diff), ref, out))
        print("MISMATCHES: %d (all in %s)" % (
            len(mismatches), os.path.join(args.workdir, "diff_mismatches.txt")))
        for (ref_status, got_status, fields), n in mismatch_classes.most_common():
            print("   %6d  python %s, phonenorm %s; differs in %s" % (
                n, ref_status, got_status, fields))
        for cat, region, text, ref, out, diff in mismatches[:SHOW_MISMATCHES]:
            print("   [%s] region=%r input=%r differs in %s" % (cat, region, text, ",".join(diff)))
            print("       python:    %s" % "\t".join(ref))
            print("       phonenorm: %s" % "\t".join(out))
    else:
        print("mismatches: 0")
    for failure in failures:
        print("CORPUS TOO UNIFORM: " + failure)

    ok = not mismatches and not stale and not failures
    print("RESULT: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def phonenumbers_version():
    import phonenumbers
    return phonenumbers.__version__


if __name__ == "__main__":
    sys.exit(main())
