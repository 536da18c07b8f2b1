"""Run the real sqlite3 shell with phonenorm.so loaded, for the tests.

Environment (set by bindings/sqlite/CMakeLists.txt): PHN_SQLITE3 (the
shell), PHN_SQLITE_EXT (the extension, without .so, as `.load` takes it),
PHONENORM_CLI, PHONENORM_SAMPLE, PHN_STAGE, PHN_LIBDIR, PHN_TMP.
"""
import json
import os
import subprocess
import tempfile

SQLITE3 = os.environ["PHN_SQLITE3"]
EXT = os.environ["PHN_SQLITE_EXT"]
CLI = os.environ["PHONENORM_CLI"]
SAMPLE = os.environ["PHONENORM_SAMPLE"]


def tmpdir():
    base = os.environ.get("PHN_TMP")
    if base:
        os.makedirs(base, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=base, prefix="sqlite-")


def shell(script, db=":memory:", ext=EXT, env=None, args=("-bail",)):
    """Feed script to `sqlite3 [args] db` after `.load ext`; return the
    CompletedProcess (text, stdout and stderr captured)."""
    full = (".load " + ext + "\n" if ext else "") + script
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([SQLITE3, *args, db], input=full, capture_output=True,
                          text=True, env=e, timeout=120)


def ok(testcase, script, **kw):
    """shell() that must succeed without a word on stderr; returns stdout."""
    p = shell(script, **kw)
    testcase.assertEqual(p.returncode, 0, "sqlite3 failed:\n" + p.stderr)
    testcase.assertEqual(p.stderr, "")
    return p.stdout


def rows(testcase, select, prelude="", **kw):
    """The rows of one SELECT as a list of dicts (the shell's JSON mode:
    NULL is None, INTEGER an int); kw as shell()'s."""
    out = ok(testcase, prelude + ".mode json\n" + select.rstrip(";") + ";\n", **kw)
    return json.loads(out) if out.strip() else []


def value(testcase, expr, tail="", **kw):
    """The value of one SQL expression (SELECT expr [tail])."""
    return rows(testcase, "SELECT " + expr + " AS v " + tail, **kw)[0]["v"]


def cli(*args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=e, timeout=120)
    return p
