#!/usr/bin/env python3
"""phn_e164 over a table in the real sqlite3 shell beside `phonenorm clean`.

    sqlite_bench.py --sqlite3 /usr/bin/sqlite3 --ext BUILD/bindings/sqlite/phonenorm \
        --phonenorm BUILD/src/cli/phonenorm [--rows 1000000] [--repeat 3]

The list is clean_gen.py's (the `phonenorm clean` benchmark's), imported
once with `.import --csv` into a table. Each SQL figure is one sqlite3
process that loads the extension and runs one CREATE TABLE ... AS SELECT
(synchronous=OFF, journal_mode=OFF: the CLI does not fsync its CSV either);
the CLI figure is `phonenorm clean --threads 1` on the same CSV. Best wall
time of --repeat runs; CPU is user+system of that run. Prints figures only:
nothing here passes or fails on time.
"""
import argparse
import csv
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The CLI's region rule (-c SA --region-column country): a blank cell takes SA.
REGION = "CASE WHEN country = '' THEN 'SA' WHEN length(country) = 2 THEN country END"


def timed(cmd, stdin=None, env=None):
    """(stdout, wall s, cpu s, peak MiB) of cmd under /usr/bin/time."""
    p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M"] + cmd, input=stdin,
                       capture_output=True, text=True, env=env)
    m = re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$", p.stderr)
    if p.returncode != 0 or not m:
        sys.exit("sqlite_bench: %s failed (exit %d):\n%s" % (cmd[0], p.returncode, p.stderr))
    return (p.stdout, float(m.group(1)), float(m.group(2)) + float(m.group(3)),
            int(m.group(4)) / 1024.0)


def last(out):
    """The count line: the last one (the journal_mode pragma prints too)."""
    return out.strip().splitlines()[-1]


def best(runs):
    return min(runs, key=lambda r: r[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sqlite3", default="/usr/bin/sqlite3")
    ap.add_argument("--ext", required=True, help="the extension, without .so")
    ap.add_argument("--phonenorm", required=True)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/phonenorm-sqlite-bench")
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    src = os.path.join(args.workdir, "list-%d.csv" % args.rows)
    db = os.path.join(args.workdir, "list-%d.db" % args.rows)
    if not os.path.exists(src):
        subprocess.run([sys.executable, os.path.join(HERE, "clean_gen.py"), str(args.rows), src],
                       check=True)
    if os.path.exists(db):
        os.remove(db)
    _, imp_wall, _, _ = timed([args.sqlite3, "-bail", db], ".import --csv %s c\n" % src)
    env = dict(os.environ)
    env.setdefault("PHONENORM_METADATA", "bundled")

    def sql(body):
        script = (".load %s\nPRAGMA synchronous = OFF;\nPRAGMA journal_mode = OFF;\n"
                  "DROP TABLE IF EXISTS out;\n%s;\nSELECT count(*), count(e164) FROM out;\n"
                  % (args.ext, body))
        return best([timed([args.sqlite3, "-bail", db], script, env)
                     for _ in range(args.repeat)])

    results = [
        ("sqlite3: copy, no phonenorm (CTAS)",
         sql("CREATE TABLE out AS SELECT id, phone AS e164 FROM c")),
        ("sqlite3: phn_e164(phone, region) (CTAS)",
         sql("CREATE TABLE out AS SELECT id, phn_e164(phone, %s) AS e164 FROM c" % REGION)),
        ("sqlite3: SELECT DISTINCT phn_e164 (CTAS)",
         sql("CREATE TABLE out AS SELECT DISTINCT phn_e164(phone, %s) AS e164 FROM c "
             "WHERE e164 IS NOT NULL" % REGION)),
    ]
    clean = os.path.join(args.workdir, "clean.csv")
    cli = best([timed([args.phonenorm, "clean", "-q", "--threads", "1", "-c", "SA",
                       "--region-column", "country", src, "-o", clean], env=env)
                for _ in range(args.repeat)])
    with open(clean, newline="", encoding="utf-8-sig") as f:
        cli_clean = sum(1 for _ in csv.reader(f)) - 1

    n = args.rows
    print("phonenorm SQLite extension vs phonenorm clean: %d rows, best of %d, metadata %s"
          % (n, args.repeat, env["PHONENORM_METADATA"]))
    print("(.import --csv of the list, not counted below: %.2f s)" % imp_wall)
    print("%-44s %8s %8s %12s %9s  %s" % ("", "wall s", "cpu s", "rows/s", "peak MiB",
                                          "rows out, non-NULL"))
    for name, (out, wall, cpu, mib) in results:
        print("%-44s %8.2f %8.2f %12.0f %9.1f  %s" % (name, wall, cpu, n / wall if wall else 0,
                                                      mib, last(out).replace("|", ", ")))
    _, wall, cpu, mib = cli
    print("%-44s %8.2f %8.2f %12.0f %9.1f  %d clean" % ("phonenorm clean --threads 1", wall, cpu,
                                                         n / wall if wall else 0, mib, cli_clean))
    distinct = int(last(results[2][1][0]).split("|")[0])
    if distinct != cli_clean:
        sys.exit("sqlite_bench: %d distinct E.164 in SQL, %d clean rows from the CLI"
                 % (distinct, cli_clean))


if __name__ == "__main__":
    main()
