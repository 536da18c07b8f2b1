#!/usr/bin/env python3
"""phonenorm report: the summary and the exports of a real journal (built by
test_journal's fixture), checked against what the journal holds, read here
with Python's own sqlite3; and the refusals and exit codes.

usage: test_report_cli.py PHONENORM TEST_JOURNAL
"""
import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

PHN, FIXTURE = sys.argv[1], sys.argv[2]
failures = 0
checks = 0

COLUMNS = ["line", "state", "reason", "duplicate_of", "input", "e164", "region", "type",
           "zones", "attempts", "next_at", "call_id", "contact_uuid", "invoice_uuid",
           "last_dispatch_id", "last_step", "last_outcome", "last_http_status", "last_detail",
           "last_at", "fields", "delivery_status", "provider_status", "duration", "ended_reason",
           "call_output", "sentiment", "provider_call_id", "result_at", "result_event"]


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def run(*args, stdin=None):
    p = subprocess.run([PHN, "report", *args], capture_output=True, stdin=stdin)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def iso(ms):
    if not ms:
        return None
    import datetime
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def expected_rows(db):
    """Every row as the report must export it, straight from the tables."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    out = []
    for r in con.execute(
            "SELECT line, state, reason, duplicate_of, input, e164, region, type, zones, "
            "attempts, next_at, call_id, contact_uuid, invoice_uuid, fields_json, "
            "delivery_status, provider_status, duration, ended_reason, call_output, sentiment, "
            "provider_call_id, result_at, result_event FROM rows ORDER BY line"):
        a = con.execute("SELECT dispatch_id, step, outcome, http_status, detail, "
                        "coalesce(finished_at, started_at) FROM attempts WHERE line = ? "
                        "ORDER BY rowid DESC LIMIT 1", (r[0],)).fetchone() or (None,) * 6
        out.append({
            "line": r[0], "state": r[1], "reason": r[2], "duplicate_of": r[3] or None,
            "input": r[4], "e164": r[5], "region": r[6], "type": r[7], "zones": r[8],
            "attempts": r[9], "next_at": iso(r[10]), "call_id": r[11], "contact_uuid": r[12],
            "invoice_uuid": r[13], "last_dispatch_id": a[0], "last_step": a[1],
            "last_outcome": a[2], "last_http_status": a[3], "last_detail": a[4],
            "last_at": iso(a[5]), "fields": r[14], "delivery_status": r[15],
            "provider_status": r[16], "duration": r[17], "ended_reason": r[18],
            "call_output": r[19], "sentiment": r[20], "provider_call_id": r[21],
            "result_at": iso(r[22]), "result_event": r[23]})
    con.close()
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="phn-report-")
    db = os.path.join(tmp, "campaign.db")
    subprocess.run([FIXTURE, "fixture", db], check=True)
    before = sha(db)
    want = expected_rows(db)
    check(len(want) == 10, "the fixture has 10 rows")
    check(want[0]["delivery_status"] == "fail" and want[0]["duration"] == 42
          and want[0]["result_event"] == "msg_2fixture", "line 2 has its call result")

    # The summary.
    rc, out, err = run(db)
    check(rc == 0, "report exits 0: %d %s" % (rc, err))
    check("rows:      10\n" in out, "rows in the summary:\n" + out)
    for state in ("pending", "sending", "accepted", "rejected", "failed", "unknown", "waiting",
                  "suppressed", "duplicate", "invalid"):
        check(any(l.split() == [state, "1"] for l in out.splitlines()), "state " + state)
    check("attempts:  6 (5 calls)" in out, "attempts")
    check("runs:      2 (1 without an end" in out, "runs")
    check('campaign "dec".csv' in out and "(sha256 9f86d081" in out, "list name and hash")
    check("(schema 2)" in out, "schema version")

    # Exports: CSV and JSON Lines, equal to the tables.
    csv_path, json_path = os.path.join(tmp, "rows.csv"), os.path.join(tmp, "rows.jsonl")
    rc, out, err = run(db, "--csv", csv_path, "--json", json_path)
    check(rc == 0, "exports exit 0: " + err)
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    check(rows[0] == COLUMNS, "CSV header: %r" % rows[0])
    check(len(rows) == 11, "CSV has every row")
    with open(json_path, encoding="utf-8") as f:
        objs = [json.loads(l) for l in f]
    check(len(objs) == 10, "JSON has every row")
    for w, c, j in zip(want, rows[1:], objs):
        check(list(j.keys()) == COLUMNS, "JSON keys in column order")
        for k in COLUMNS:
            v = w[k]
            check(j[k] == v, "JSON line %s %s: %r != %r" % (w["line"], k, j[k], v))
            cv = c[COLUMNS.index(k)]
            check(cv == ("" if v is None else str(v)),
                  "CSV line %s %s: %r != %r" % (w["line"], k, cv, v))
    check(sha(db) == before, "the report does not change the journal")
    check(sorted(os.listdir(tmp)) == ["campaign.db", "rows.csv", "rows.jsonl"],
          "no -wal/-shm or temporary file left: %r" % os.listdir(tmp))

    # Formulas neutralised as clean does; numbers left alone.
    rc, out, err = run(db, "--csv", "-", "--safe-for-spreadsheets")
    check(rc == 0, "safe export")
    rows = list(csv.reader(io.StringIO(out)))
    by_line = {r[0]: r for r in rows[1:]}
    check(by_line["7"][4] == "'=cmd|' /C calc'!A0", "formula cell: %r" % by_line["7"][4])
    check(by_line["8"][4] == "'-5+5", "-5+5 neutralised: %r" % by_line["8"][4])
    check(by_line["2"][5] == "+966501234567", "e164 left as a number")
    check(by_line["2"][COLUMNS.index("call_output")] == "'=NO_ANSWER",
          "a call result neutralised too: %r" % by_line["2"][COLUMNS.index("call_output")])
    check(rows[0] == COLUMNS, "CSV on stdout holds only the CSV")
    check("rows:      10" in err, "the summary goes to stderr when the CSV takes stdout")
    rc, out, err = run(db, "--csv", "-")
    rows = list(csv.reader(io.StringIO(out)))
    check({r[0]: r for r in rows[1:]}["7"][4] == "=cmd|' /C calc'!A0", "raw without the flag")

    # JSON: exact escaping of control characters.
    rc, out, err = run(db, "--json", "-", "-q")
    check(rc == 0 and err == "", "quiet JSON")
    objs = [json.loads(l) for l in out.splitlines()]
    check(objs[1]["last_detail"] == 'numberToCall: "invalid", see\ndocs\x1b[31m',
          "detail round-trips: %r" % objs[1]["last_detail"])
    check("\x1b" not in out, "no raw ESC in the JSON")

    # A dialer writing at the same time: the report reads a snapshot.
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE rows SET state = 'accepted' WHERE line = 10")
    rc, out, err = run(db)
    check(rc == 0 and "accepted              1" in out, "report beside a writer: %s %s" % (out, err))
    con.execute("COMMIT")
    rc, out, err = run(db)
    check(rc == 0 and "accepted              2" in out, "report after the commit: " + out)
    # Escaping of what the journal says, on the terminal.
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('list_name', 'a\x1b[31mb\nc')")
    con.close()
    rc, out, err = run(db)
    check("list:      a\\x1b[31mb\\nc (sha256" in out, "list name escaped: %r" % out)

    # Refusals and exit codes.
    rc, out, err = run(os.path.join(tmp, "missing.db"))
    check(rc == 2 and "does not exist" in err, "missing journal: %d %s" % (rc, err))
    check(not os.path.exists(os.path.join(tmp, "missing.db")), "not created")
    text = os.path.join(tmp, "list.csv")
    with open(text, "w") as f:
        f.write("phone\n0501234567\n")
    rc, out, err = run(text)
    check(rc == 2 and "not a phonenorm journal" in err, "a CSV file: %s" % err)
    other = os.path.join(tmp, "other.db")
    c2 = sqlite3.connect(other)
    c2.execute("CREATE TABLE t(x)")
    c2.commit()
    c2.close()
    rc, out, err = run(other)
    check(rc == 2 and "not a phonenorm journal" in err, "another program's database: " + err)
    newer = os.path.join(tmp, "newer.db")
    subprocess.run([FIXTURE, "fixture", newer], check=True)
    c2 = sqlite3.connect(newer)
    c2.execute("PRAGMA user_version = 7")
    c2.commit()
    c2.close()
    rc, out, err = run(newer)
    check(rc == 2 and "schema version 7 is newer than this phonenorm (2)" in err,
          "newer schema: " + err)
    before = sha(db)
    rc, out, err = run(db, "--csv", db)
    check(rc == 2 and "is the journal" in err, "output over the journal: " + err)
    rc, out, err = run(db, "--json", os.path.join(tmp, ".", "campaign.db"))
    check(rc == 2 and "is the journal" in err, "the journal by another name")
    rc, out, err = run(db, "--csv", db + "-wal")
    check(rc == 2, "output over the WAL file")
    check(sha(db) == before, "the journal is untouched")
    rc, out, err = run(db, "--csv", "-", "--json", "-")
    check(rc == 2 and "standard output" in err, "two exports on stdout")
    rc, out, err = run(db, "--csv", os.path.join(tmp, "x"), "--json", os.path.join(tmp, "x"))
    check(rc == 2 and "same file" in err, "two exports in one file")
    rc, out, err = run()
    check(rc == 2 and "which journal" in err, "no journal")
    rc, out, err = run(db, db)
    check(rc == 2, "two journals")
    rc, out, err = run(db, "--bogus")
    check(rc == 2 and "unknown option" in err, "unknown option")
    rc, out, err = run(db, "--csv")
    check(rc == 2, "--csv without a file")
    rc, out, err = run(db, "--csv", os.path.join(tmp, "nodir", "x.csv"))
    check(rc == 2, "an output in a missing directory")
    if os.path.exists("/dev/full"):
        rc, out, err = run(db, "--csv", "/dev/full")
        check(rc == 3 and "failed" in err, "write error: %d %s" % (rc, err))
    old = os.path.join(tmp, "old.csv")
    with open(old, "w") as f:
        f.write("keep me\n")
    rc, out, err = run(newer, "--csv", old)
    check(rc == 2 and open(old).read() == "keep me\n", "a failed report leaves outputs as they were")
    rc, out, err = run("--help")
    check(rc == 0 and "usage: phonenorm report" in out, "--help")
    p = subprocess.run([PHN, "--help"], capture_output=True, text=True)
    check("report" in p.stdout, "report listed in phonenorm --help")

    print("%d passed, %d failed" % (checks - failures, failures))
    if failures == 0:
        import shutil
        shutil.rmtree(tmp)
    else:
        print("files kept in", tmp, file=sys.stderr)
    return 1 if failures else 0


sys.exit(main())
