#!/usr/bin/python3
"""Benchmark the PostgreSQL extension: normalize a campaign list in one
CREATE TABLE AS with 0, 1 and 2 parallel workers, beside `phonenorm clean`
with --threads 1 and 2 on the same rows, in the same run. Prints figures;
asserts only that everything ran and that SQL and the CLI agree on the
number of rows with a valid number.

    pg_bench.py --build BUILD [--rows N] [--repeat N] [--workdir DIR]

BUILD is a CMake build tree with the extension built (target phonenorm_pg).
The list comes from clean_gen.py (fixed seed, kept in --workdir). The server
is a throwaway one from bindings/postgresql/tests/pgserver.py (a temporary
mirror install on a unix socket, run as nobody when this runs as root).

In SQL, a row's region is its country cell, or SA when the cell is blank:
what `phonenorm clean -c SA --region-column country` does. The CREATE TABLE
AS writes id, phone and E.164 of every row; `phonenorm clean` also dedupes
and writes its CSV (to /dev/null here). With N workers the leader scans too,
so N workers are N + 1 processes. Each figure is the best of --repeat runs,
taking turns.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../.."))
sys.path.insert(0, os.path.join(ROOT, "bindings/postgresql/tests"))
from pgserver import Server  # noqa: E402


def cache_get(build, name):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    raise SystemExit("%s: no %s in CMakeCache.txt (configure with PostgreSQL found)" % (build, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/phonenorm-pg-bench")
    a = ap.parse_args()

    build = os.path.abspath(a.build)
    module = os.path.join(build, "bindings/postgresql/pgxs/phonenorm.so")
    pg_config = cache_get(build, "PHN_PG_CONFIG")
    pg_bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                               check=True).stdout.strip()
    cli = os.path.join(build, "src/cli/phonenorm")
    lib = os.path.realpath(os.path.join(build, "src/libphonenorm.so"))
    soname = "libphonenorm.so." + os.path.basename(lib).split(".so.")[1].split(".")[0]
    for p in (module, cli, lib):
        if not os.path.exists(p):
            raise SystemExit("%s missing: build the tree (cmake --build %s)" % (p, build))

    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.workdir, "rows-%d.csv" % a.rows)
    if not os.path.exists(data):
        subprocess.run([sys.executable, os.path.join(HERE, "clean_gen.py"), str(a.rows), data],
                       check=True)

    print("uptime before: " + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    pg = Server(pg_bindir, module, os.path.join(ROOT, "bindings/postgresql"), lib, soname)
    try:
        pg.initdb()
        # wal_level=minimal: the CREATE TABLE AS writes no WAL, as a bulk
        # load into a fresh table would; the figures are about the functions.
        pg.start(shared_buffers="512MB", wal_level="minimal", max_wal_senders=0,
                 max_wal_size="4GB", jit="off")
        pg.psql("CREATE EXTENSION phonenorm;\n"
                "CREATE TABLE rows (id bigint, name text, amount numeric, due_date date, "
                "phone text, country text);\n"
                "\\copy rows FROM '%s' WITH (FORMAT csv, HEADER true)\n"
                "VACUUM ANALYZE rows" % data.replace("'", "''"))
        n = pg.value("SELECT count(*) FROM rows")
        print("PostgreSQL %s, %s rows, metadata %s" % (
            pg.value("SHOW server_version"), n, pg.value("SELECT phn_metadata()")))

        ctas = ("CREATE TABLE out AS SELECT id, phone, "
                "phn_e164(phone, coalesce(nullif(country, ''), 'SA')) AS e164 FROM rows")
        # What the planner picks by itself (default parallel costs), thanks
        # to the functions' declared COST.
        own = "\n".join(r[0] for r in pg.psql("SET max_parallel_workers_per_gather = 2; "
                                                "EXPLAIN " + ctas))
        m = re.search(r"Workers Planned: (\d+)", own)
        print("planner's own choice, default costs, up to 2 workers: %s workers planned"
              % (m.group(1) if m else "0 (serial)"))
        best, plans, valid = {}, {}, set()
        for rep in range(a.repeat):
            for w in (0, 1, 2):
                sets = ("SET max_parallel_workers_per_gather = %d; SET parallel_setup_cost = 0; "
                        "SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;" % w)
                t = time.monotonic()
                plan = "\n".join(r[0] for r in pg.psql(
                    "BEGIN; %s EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) %s; COMMIT;" % (sets, ctas)))
                dt = time.monotonic() - t
                planned = re.search(r"Workers Planned: (\d+)", plan)
                launched = re.search(r"Workers Launched: (\d+)", plan)
                plans[w] = "%s planned, %s launched" % (planned.group(1) if planned else "0",
                                                        launched.group(1) if launched else "0")
                valid.add(pg.value("SELECT count(e164) FROM out"))
                pg.psql("DROP TABLE out")
                best[("sql", w)] = min(best.get(("sql", w), dt), dt)
            for th in (1, 2):
                t = time.monotonic()
                r = subprocess.run([cli, "clean", "-q", "-c", "SA", "--region-column", "country",
                                    "--threads", str(th), data, "-o", "/dev/null",
                                    "--report", os.path.join(a.workdir, "report.json")],
                                   capture_output=True, text=True)
                dt = time.monotonic() - t
                if r.returncode not in (0, 1):
                    raise SystemExit("phonenorm clean failed: " + r.stderr)
                best[("cli", th)] = min(best.get(("cli", th), dt), dt)
        if len(valid) != 1:
            raise SystemExit("the runs disagree on the valid rows: %s" % valid)
        with open(os.path.join(a.workdir, "report.json")) as f:
            rep = json.load(f)
        sql_valid, cli_valid = int(valid.pop()), rep["clean"] + rep["duplicates"]
        print("rows with a valid number: SQL %d, phonenorm clean %d (clean + duplicates)"
              % (sql_valid, cli_valid))
        if sql_valid != cli_valid:
            raise SystemExit("SQL and phonenorm clean disagree on the valid rows")
        print()
        print("| what | workers/threads (EXPLAIN) | best of %d, s | rows/s |" % a.repeat)
        print("|---|---|---:|---:|")
        for w in (0, 1, 2):
            s = best[("sql", w)]
            print("| CREATE TABLE AS ... phn_e164() | %d (%s) | %.2f | %.0f |"
                  % (w, plans[w], s, int(n) / s))
        for th in (1, 2):
            s = best[("cli", th)]
            print("| phonenorm clean --threads %d | %d | %.2f | %.0f |" % (th, th, s, int(n) / s))
    finally:
        pg.cleanup()
    print()
    print("uptime after: " + subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
