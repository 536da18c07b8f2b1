#!/usr/bin/python3
"""`make install` of the PGXS Makefile, as phonenorm_pg_install runs it,
into a DESTDIR: exactly the files PostgreSQL looks for, where pg_config says,
and a module whose RUNPATH is the installed library's directory (not the
build tree, which the server's user may not enter and which goes away).

    test_pg_install.py --pg-config PG_CONFIG --rpath LIBDIR --workdir DIR -- MAKE...
"""
import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import unittest

ARGS = None


def pg_config(what):
    return subprocess.run([ARGS.pg_config, "--" + what], capture_output=True, text=True,
                          check=True).stdout.strip()


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(ARGS.workdir, ignore_errors=True)
        cls.build = os.path.join(ARGS.workdir, "build")
        cls.dest = os.path.join(ARGS.workdir, "dest")
        os.makedirs(cls.build)
        r = subprocess.run(ARGS.make + ["install", "DESTDIR=" + cls.dest], cwd=cls.build,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("make install failed:\n" + r.stdout + r.stderr)
        cls.pkglib = cls.dest + pg_config("pkglibdir")
        cls.ext = os.path.join(cls.dest + pg_config("sharedir"), "extension")

    def test_files_where_postgres_looks(self):
        got = sorted(os.path.relpath(os.path.join(d, f), self.dest)
                     for d, _, fs in os.walk(self.dest) for f in fs)
        want = [os.path.relpath(os.path.join(self.ext, f), self.dest)
                for f in ("phonenorm--1.0.sql", "phonenorm.control")]
        want.append(os.path.relpath(os.path.join(self.pkglib, "phonenorm.so"), self.dest))
        bitcode = [g for g in got if "/bitcode/" in g]
        # JIT bitcode, when PGXS emits it: only under bitcode/phonenorm.
        for b in bitcode:
            self.assertRegex(b, r"/bitcode/(phonenorm/[^/]+\.bc|phonenorm\.index\.bc)$")
        self.assertEqual(sorted(set(got) - set(bitcode)), sorted(want))
        src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for f in ("phonenorm--1.0.sql", "phonenorm.control"):
            self.assertTrue(filecmp.cmp(os.path.join(src, f), os.path.join(self.ext, f),
                                        shallow=False), f)

    def test_module_runpath_is_the_installed_library(self):
        r = subprocess.run(["readelf", "-d", os.path.join(self.pkglib, "phonenorm.so")],
                           capture_output=True, text=True, check=True)
        m = re.search(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*)\]", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertEqual(m.group(1), ARGS.rpath)
        self.assertIn("[libphonenorm.so.", r.stdout)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-config", required=True)
    ap.add_argument("--rpath", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("make", nargs="+")
    ARGS = ap.parse_args()
    unittest.main(argv=[sys.argv[0], "-v"])


if __name__ == "__main__":
    main()
