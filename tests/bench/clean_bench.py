#!/usr/bin/python3
"""Benchmark `phonenorm clean` against the raw libphonenumber C++ loop and
python3-phonenumbers doing the same work, in one run, and measure peak memory
on a large list. Prints figures; asserts only that every tool ran and that
they agree on the counts.

    clean_bench.py --phonenorm PATH --raw PATH [--rows N] [--big-rows N]
                   [--workdir DIR] [--no-python] [--repeat N] [--no-messy]
                   [--engine-runs N]

Two lists, each side by side: the benchmark list (clean_gen.py's default)
and a messier one (--foreign 0.1 --extensions 0.1: a tenth of the rows are
numbers of twelve other countries, a tenth carry an extension). For each:
the raw loop, `phonenorm clean --threads 1` and `--threads 2` (taking turns,
best of --repeat), `phonenorm clean --threads 1` with the fast path off
(PHONENORM_FASTPATH=0: libphonenumber alone, as before the fast path;
--engine-runs times, 0 to skip) and, on the first list, python3-phonenumbers
(once). The fallback column is the share of parsed rows the fast path handed
to libphonenumber (report.json's fast_path.fallback_share).

phonenorm runs with PHONENORM_METADATA=system by default (--metadata): the
raw loop and python3-phonenumbers answer with libphonenumber 8.12.57's own
data, and the counts must agree, so every tool does the same work. The fast
path compiles whichever data answers; --metadata bundled times the default.

Each tool runs under /usr/bin/time, which gives wall time, CPU time and the
peak resident set size. The lists come from clean_gen.py (fixed seed) and are
kept in --workdir between runs.
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def generate(rows, path, extra=()):
    stamp = path + ".rows"
    want = " ".join([str(rows)] + list(extra))
    if os.path.exists(path) and os.path.exists(stamp) and open(stamp).read() == want:
        return
    subprocess.run([PY, os.path.join(HERE, "clean_gen.py"), str(rows), path] + list(extra),
                   check=True)
    with open(stamp, "w") as f:
        f.write(want)


def timed(cmd, env=None):
    """Run cmd under /usr/bin/time; (stdout, wall s, cpu s, peak MiB)."""
    fmt = "TIME %e %U %S %M"
    p = subprocess.run(["/usr/bin/time", "-f", fmt] + cmd, capture_output=True, text=True,
                       env=env)
    m = re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", p.stderr)
    if p.returncode not in (0, 1) or not m:
        sys.exit("clean_bench: %s failed (exit %d):\n%s" % (cmd[0], p.returncode, p.stderr))
    wall, user, sys_, kb = float(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4))
    return p.stdout, wall, user + sys_, kb / 1024.0


def counts_from_line(out):
    m = re.search(r"rows (\d+) clean (\d+) rejected (\d+) duplicates (\d+)", out)
    if not m:
        sys.exit("clean_bench: no counts in: " + out)
    return tuple(int(x) for x in m.groups())


def clean_cmd(args, src, work, threads):
    return [args.phonenorm, "clean", "-q", "-c", "SA", "--region-column", "country",
            "-j", str(threads), src, "-o", os.path.join(work, "clean.csv"),
            "--rejects", os.path.join(work, "rejects.csv"),
            "--duplicates", os.path.join(work, "duplicates.csv"),
            "--report", os.path.join(work, "report.json")]


def run_clean(args, src, work, threads, fastpath=True):
    env = dict(os.environ)
    env.pop("PHONENORM_FASTPATH", None)
    env["PHONENORM_METADATA"] = args.metadata
    if not fastpath:
        env["PHONENORM_FASTPATH"] = "0"
    _, wall, cpu, mib = timed(clean_cmd(args, src, work, threads), env)
    with open(os.path.join(work, "report.json")) as f:
        rep = json.load(f)
    counts = (rep["rows"], rep["clean"], rep["rejected"], rep["duplicates"])
    if counts[0] != counts[1] + counts[2] + counts[3]:
        sys.exit("clean_bench: invariant broken: %r" % (counts,))
    fp = rep.get("fast_path", {})
    return counts, wall, cpu, mib, fp


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


RAW = "raw libphonenumber C++ loop"
PYTHON = "python3-phonenumbers loop"
ENGINE = "clean -j 1, fast path off"


def bench_list(args, title, src, with_python):
    """One list, every tool side by side; returns 1 if the counts differ."""
    print()
    print("%s: %s (%.1f MB); load average %s at start" % (
        title, os.path.basename(src), os.path.getsize(src) / 1e6, loadavg()))
    # The machine may be shared: run the fast tools --repeat times, taking
    # turns so that a busy spell hits all of them, and keep each one's best.
    best = {}

    def keep(name, counts, wall, cpu, mib, fp=None):
        if name not in best or wall < best[name][2]:
            best[name] = (name, counts, wall, cpu, mib, fp or {})

    for _ in range(args.repeat):
        out, wall, cpu, mib = timed([args.raw, src, "4", "5"])
        keep(RAW, counts_from_line(out), wall, cpu, mib)
        for threads in (1, 2):
            keep("phonenorm clean --threads %d" % threads,
                 *run_clean(args, src, args.workdir, threads))
    for _ in range(args.engine_runs):
        keep(ENGINE, *run_clean(args, src, args.workdir, 1, fastpath=False))
    if with_python:
        out, wall, cpu, mib = timed([PY, os.path.join(HERE, "clean_py.py"), src, "4", "5"])
        keep(PYTHON, counts_from_line(out), wall, cpu, mib)
    order = [RAW, PYTHON, ENGINE, "phonenorm clean --threads 1", "phonenorm clean --threads 2"]
    results = [best[n] for n in order if n in best]
    raw_counts = results[0][1]
    raw_wall, raw_cpu = results[0][2], results[0][3]
    print()
    print("| %-30s | %8s | %8s | %10s | %8s | %8s | %8s | %9s |" % (
        "tool", "wall s", "CPU s", "rows/s", "vs raw", "CPU/raw", "peak MiB", "fell back"))
    print("|%s|%s|%s|%s|%s|%s|%s|%s|" % ("-" * 32, "-" * 10, "-" * 10, "-" * 12, "-" * 10,
                                         "-" * 10, "-" * 10, "-" * 11))
    for name, counts, wall, cpu, mib, fp in results:
        share = fp.get("fallback_share")
        print("| %-30s | %8.2f | %8.2f | %10.0f | %7.2fx | %7.2fx | %8.1f | %9s |" % (
            name, wall, cpu, counts[0] / wall if wall else 0, raw_wall / wall if wall else 0,
            raw_cpu / cpu if cpu else 0, mib,
            "%.2f%%" % (100 * share) if share is not None else "-"))
    print()
    fast = best.get("phonenorm clean --threads 1", (None,) * 6)[5]
    if fast:
        print("fast path %s: %d rows parsed, %d answered by it, %d fell back to "
              "libphonenumber (%s)" % (
                  "on" if fast.get("enabled") else "OFF (%s)" % fast.get("reason"),
                  fast.get("parsed", 0), fast.get("fast", 0), fast.get("fallback", 0),
                  "%.2f%%" % (100 * fast["fallback_share"])
                  if fast.get("fallback_share") is not None else "-"))
    print("best of %d runs (python and fast path off: %d and %d). vs raw: raw wall time / "
          "tool wall time (higher is faster); CPU/raw: the same for CPU seconds (user + "
          "system)." % (args.repeat, 1 if with_python else 0, args.engine_runs))
    bad = [r for r in results if r[1] != raw_counts and args.metadata == "system"]
    print("counts (rows, clean, rejected, duplicates): %r, %s" % (
        raw_counts, "the same for every tool" if all(r[1] == raw_counts for r in results)
        else "DIFFERENT: %r%s" % ([(r[0], r[1]) for r in results if r[1] != raw_counts],
                                  "" if bad else " (expected: the bundled data is newer than "
                                  "the raw loop's)")))
    print("load average at end: %s" % loadavg())
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phonenorm", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--big-rows", type=int, default=10000000)
    ap.add_argument("--workdir", default="/tmp/phonenorm-clean-bench")
    ap.add_argument("--no-python", action="store_true")
    ap.add_argument("--no-messy", action="store_true",
                    help="skip the list with 10%% foreign numbers and 10%% extensions")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the raw loop and of clean; the best counts (python: 1)")
    ap.add_argument("--metadata", choices=("system", "bundled"), default="system",
                    help="PHONENORM_METADATA for phonenorm (system: the data the raw loop "
                    "and python3-phonenumbers use, so the counts can agree)")
    ap.add_argument("--engine-runs", type=int, default=1,
                    help="runs of clean --threads 1 with PHONENORM_FASTPATH=0 (0: none)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    src = os.path.join(args.workdir, "list-%d.csv" % args.rows)
    generate(args.rows, src)
    print("phonenorm clean benchmark: %d rows a list; %d CPUs; phonenorm with "
          "PHONENORM_METADATA=%s" % (args.rows, os.cpu_count(), args.metadata))
    bad = bench_list(args, "benchmark list (mixed SA/US formats, ~20% duplicates, ~5% "
                     "garbage)", src, not args.no_python)
    if not args.no_messy:
        messy = os.path.join(args.workdir, "messy-%d.csv" % args.rows)
        generate(args.rows, messy, ["--foreign", "0.1", "--extensions", "0.1"])
        bad |= bench_list(args, "messier list (the same plus 10% foreign numbers of 12 "
                          "countries and 10% extensions)", messy, False)
    if bad:
        sys.exit(1)

    if args.big_rows > 0:
        big = os.path.join(args.workdir, "list-%d.csv" % args.big_rows)
        generate(args.big_rows, big)
        print()
        print("peak memory, %d rows (%.0f MB file), output to files:" % (
            args.big_rows, os.path.getsize(big) / 1e6))
        for threads in (1, 2):
            counts, wall, cpu, mib, _ = run_clean(args, big, args.workdir, threads)
            print("  phonenorm clean --threads %d: %8.1f MiB peak, %.1f s, %.0f rows/s, "
                  "%d unique numbers kept" % (threads, mib, wall, counts[0] / wall, counts[1]))
        for name in ("clean.csv", "rejects.csv", "duplicates.csv"):
            os.remove(os.path.join(args.workdir, name))
        print("load average at end: %s" % loadavg())


if __name__ == "__main__":
    main()
