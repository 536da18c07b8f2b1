#!/usr/bin/env python3
"""fastpath_diff on a list made by tests/bench/clean_gen.py (the phone and
country columns of ROWS rows), for the metadata in the environment.

    fastpath_diff_list.py FASTPATH_DIFF CLEAN_GEN [ROWS] [SEED]
"""
import csv
import os
import subprocess
import sys
import tempfile


def main():
    diff, gen = sys.argv[1], sys.argv[2]
    rows = sys.argv[3] if len(sys.argv) > 3 else "100000"
    seed = sys.argv[4] if len(sys.argv) > 4 else "20261201"
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = os.path.join(tmp, "list.csv")
        tsv_path = os.path.join(tmp, "list.tsv")
        subprocess.run([sys.executable, gen, rows, csv_path, "--seed", seed], check=True)
        with open(csv_path, encoding="utf-8", newline="") as f, \
                open(tsv_path, "w", encoding="utf-8") as out:
            r = csv.reader(f)
            next(r)
            for row in r:
                phone = row[4].replace("\t", " ").replace("\n", " ")
                out.write("%s\t%s\n" % (row[5], phone))
        # Every row of this list is in the fast path's grammar: demand it.
        return subprocess.run([diff, "--count", "0", "--file", tsv_path,
                               "--min-fast", "0.99"]).returncode


if __name__ == "__main__":
    sys.exit(main())
