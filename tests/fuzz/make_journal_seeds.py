#!/usr/bin/env python3
"""Seeds of the journal fuzz target (tests/fuzz/corpus/journal/): a real
journal made by tests/campaign/test_journal's fixture, the same with 512-byte
pages (small inputs mutate faster), and damaged or foreign variants of it.

usage: make_journal_seeds.py BUILD/tests/campaign/test_journal OUTDIR
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

fixture, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
tmp = tempfile.mkdtemp()


def fresh(name):
    p = os.path.join(tmp, name)
    subprocess.run([fixture, "fixture", p], check=True)
    return p


def small(src, name, sql=None):
    """A copy with 512-byte pages (rollback journal mode), after sql."""
    p = os.path.join(tmp, name)
    shutil.copy(src, p)
    con = sqlite3.connect(p, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    if sql:
        con.executescript(sql)
    con.execute("PRAGMA page_size=512")
    con.execute("VACUUM")
    con.close()
    return p


def save(src, name, data=None):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if data is not None else open(src, "rb").read())


full = fresh("full.db")
save(full, "fixture_wal.db")
base = small(full, "small.db")
save(base, "small.db")
variants = {
    "newer_schema.db": "PRAGMA user_version = 7;",
    "unknown_state.db": "UPDATE rows SET state = 'dialled' WHERE line = 5;",
    "null_state.db": "PRAGMA writable_schema = 0; UPDATE rows SET state = 'pending';"
                     "UPDATE rows SET attempts = -5, next_at = 9223372036854775807 WHERE line = 3;",
    "all_sending.db": "UPDATE rows SET state = 'sending'; DELETE FROM attempts WHERE line > 5;",
    "view.db": "DROP TABLE attempts; CREATE VIEW attempts AS SELECT 1 AS dispatch_id;",
    "no_column.db": "ALTER TABLE rows DROP COLUMN zones;",
    "other_app.db": "PRAGMA application_id = 1;",
    "odd_values.db": "UPDATE rows SET line = -line WHERE line = 4;"
                     "UPDATE rows SET input = x'ff00fe41', e164 = 12, fields_json = x'c3' "
                     "WHERE line = 6;"
                     "UPDATE attempts SET http_status = -1, finished_at = -62167219200001;"
                     "INSERT INTO runs(started_at) VALUES (253402300800000);",
    "trigger.db": "CREATE TRIGGER t AFTER UPDATE ON rows BEGIN DELETE FROM rows; END;",
}
for name, sql in variants.items():
    save(small(full, name, sql), name)
data = open(base, "rb").read()
save(None, "truncated.db", data[:len(data) // 2])
flipped = bytearray(data)
for i in range(700, len(flipped), 997):
    flipped[i] ^= 0x5A
save(None, "flipped.db", bytes(flipped))
save(None, "empty.db", b"")
save(None, "text.db", b"phone\n0501234567\n")
shutil.rmtree(tmp)
