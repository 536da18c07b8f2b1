"""phonenorm.so in the real sqlite3 shell: the functions, NULL, errors,
INTEGER input, indexes, generated columns, views, the metadata that answers,
and the sample campaign cleaned in SQL against `phonenorm clean`."""
import csv
import json
import os
import unittest

from sqlite_shell import CLI, SAMPLE, cli, ok, rows, shell, tmpdir, value

SA = "'0501234567', 'SA'"
ONE_ARG = ["phn_e164", "phn_status", "phn_type", "phn_region", "phn_key", "phn_valid"]


def quote(s):
    return "'" + s.replace("'", "''") + "'"


class Functions(unittest.TestCase):
    def test_valid_number(self):
        r = rows(self, f"""SELECT phn_e164({SA}) AS e164, phn_status({SA}) AS status,
            phn_type({SA}) AS type, phn_region({SA}) AS region, phn_key({SA}) AS key,
            typeof(phn_key({SA})) AS key_type, phn_valid({SA}) AS valid,
            typeof(phn_valid({SA})) AS valid_type,
            phn_format({SA}, 'international') AS intl, phn_format({SA}, 'national') AS nat,
            phn_format({SA}, 'rfc3966') AS rfc, phn_format({SA}, 'E164') AS e""")[0]
        self.assertEqual(r["e164"], "+966501234567")
        self.assertEqual(r["status"], "valid")
        self.assertEqual(r["type"], "mobile")
        self.assertEqual(r["region"], "SA")
        self.assertEqual(r["key_type"], "integer")
        self.assertEqual(r["valid"], 1)
        self.assertEqual(r["valid_type"], "integer")
        self.assertEqual(r["e"], "+966501234567")
        # The same answers as the CLI (the C API) for the same number.
        info = json.loads(cli("info", "-c", "SA", "--json", "0501234567").stdout)
        self.assertEqual(r["key"], int(info["key"]))
        self.assertEqual(r["intl"], info["international"])
        self.assertEqual(r["nat"], info["national"])
        self.assertEqual(r["rfc"], info["rfc3966"])

    def test_key_equals_c_key(self):
        # Numbers with and without an extension, several countries: phn_key
        # is the C key (`phonenorm info` prints phn_number.key).
        for number, region in [("+1 646 555 0134 ext. 12", "US"), ("646 555 0134 x 40", "US"),
                               ("+49 30 901820", ""), ("٠٥٥٢٣٤٥٦٧٨", "SA"),
                               ("800-555-0100", "US"), ("+234 803 123 4567", "")]:
            args = ["info", "--json", number] + (["-c", region] if region else [])
            info = json.loads(cli(*args).stdout)
            self.assertEqual(value(self, f"phn_key({quote(number)}, {quote(region)})"),
                             int(info["key"]), number)
            self.assertEqual(value(self, f"phn_e164({quote(number)}, {quote(region)})"),
                             info["e164"], number)

    def test_one_argument_form(self):
        # Without a region only international forms parse; '' is no region.
        self.assertEqual(value(self, "phn_e164('+966 50 123 4567')"), "+966501234567")
        self.assertIsNone(value(self, "phn_e164('0501234567')"))
        self.assertEqual(value(self, "phn_e164('+966501234567', '')"), "+966501234567")
        self.assertEqual(value(self, "phn_region('+1 212 555 0198')"), "US")

    def test_region_case_insensitive(self):
        self.assertEqual(value(self, "phn_e164('0504445566', 'sa')"), "+966504445566")

    def test_invalid_number_is_data(self):
        r = rows(self, """SELECT phn_e164('0501234', 'SA') AS e164, phn_status('0501234', 'SA') AS s,
            phn_valid('0501234', 'SA') AS v, phn_type('0501234', 'SA') AS t,
            phn_region('0501234', 'SA') AS r, phn_key('0501234', 'SA') AS k,
            phn_format('0501234', 'SA', 'national') AS f,
            phn_status('n/a', 'SA') AS s2, phn_e164('n/a', 'SA') AS e2,
            phn_status('+999 123 4567') AS s3, phn_status('') AS s4""")[0]
        self.assertEqual(r, {"e164": None, "s": "local_only", "v": 0, "t": None, "r": None,
                             "k": None, "f": None, "s2": "not_a_number", "e2": None,
                             "s3": "invalid_country_code", "s4": "not_a_number"})
        # Not UTF-8 (a BLOB): data too, not an error.
        self.assertEqual(value(self, "phn_status(x'ff30353031', 'SA')"), "not_a_number")

    def test_valid_agrees_with_status(self):
        for text in ["0501234567", "0501234", "n/a", "0574 123 456", "+999 123 4567"]:
            r = rows(self, f"SELECT phn_valid({quote(text)}, 'SA') AS v, "
                           f"phn_status({quote(text)}, 'SA') AS s")[0]
            self.assertEqual(r["v"], 1 if r["s"] == "valid" else 0, text)

    def test_null_in_null_out(self):
        # Every function, every argument position, also where the other
        # arguments would be an error (NULL is checked first).
        exprs = []
        for fn in ONE_ARG:
            exprs += [f"{fn}(NULL)", f"{fn}(NULL, 'SA')", f"{fn}('0501234567', NULL)",
                      f"{fn}(NULL, 'ZZ')", f"{fn}(NULL, NULL)"]
        exprs += ["phn_format(NULL, 'SA', 'e164')", "phn_format('0501234567', NULL, 'e164')",
                  "phn_format('0501234567', 'SA', NULL)", "phn_format(NULL, NULL, NULL)",
                  "phn_format('0501234567', NULL, 'fancy')", "phn_format(NULL, 'ZZ', 'e164')"]
        r = rows(self, "SELECT " + ", ".join(f"{e} IS NULL AS c{i}" for i, e in enumerate(exprs)))[0]
        for i, e in enumerate(exprs):
            self.assertEqual(r[f"c{i}"], 1, e)

    def test_integer_and_real_values(self):
        # An INTEGER is read as SQLite's text for it: 0501234567 imported into
        # an INTEGER column is 501234567, still the national number in SA;
        # 00966... loses its 00 and is found by its country code.
        self.assertEqual(value(self, "phn_e164(501234567, 'SA')"), "+966501234567")
        self.assertEqual(value(self, "phn_e164(966501234567, 'SA')"), "+966501234567")
        self.assertIsNone(value(self, "phn_e164(966501234567)"))
        # A REAL is "501234567.0": not the number it was (store phones as TEXT).
        self.assertEqual(value(self, "CAST(501234567.0 AS TEXT)"), "501234567.0")
        self.assertIsNone(value(self, "phn_e164(501234567.0, 'SA')"))
        self.assertEqual(value(self, "phn_status(501234567.0, 'SA')"), "possible")
        # .import into a table whose phone column has INTEGER affinity.
        with tmpdir() as d:
            src = os.path.join(d, "ints.csv")
            with open(src, "w") as f:
                f.write("0501234567,SA\n00966551239876,SA\n0501234,SA\n")
            got = rows(self, "SELECT typeof(phone) AS t, phone, phn_e164(phone, region) AS e "
                             "FROM p ORDER BY rowid",
                       prelude=f"CREATE TABLE p(phone INTEGER, region TEXT);\n"
                               f".import --csv {src} p\n")
        self.assertEqual([(g["t"], g["phone"], g["e"]) for g in got],
                         [("integer", 501234567, "+966501234567"),
                          ("integer", 966551239876, "+966551239876"),
                          ("integer", 501234, None)])

    def test_errors(self):
        cases = [
            ("phn_e164('0501234567', 'ZZ')", "phn_e164: unknown region 'ZZ'"),
            ("phn_status('0501234567', 'USA')", "phn_status: unknown region 'USA'"),
            ("phn_valid('0501234567', 'zz')", "phn_valid: unknown region 'zz'"),
            ("phn_key('x', 'Z')", "phn_key: unknown region 'Z'"),
            ("phn_type('0501234567', 'ZZ')", "phn_type: unknown region 'ZZ'"),
            ("phn_region('0501234567', 'ZZ')", "phn_region: unknown region 'ZZ'"),
            ("phn_format('0501234567', 'SA', 'fancy')",
             "phn_format: 'fancy' is not a format (e164, international, national, rfc3966)"),
            ("phn_format('0501234567', 'ZZ', 'e164')", "phn_format: unknown region 'ZZ'"),
        ]
        for expr, msg in cases:
            p = shell(f"SELECT {expr};\nSELECT 'not reached';\n")
            self.assertNotEqual(p.returncode, 0, expr)
            self.assertIn(msg, p.stderr, expr)
            self.assertNotIn("not reached", p.stdout, expr)
        # The library's own words, as the CLI prints them for -c ZZ.
        lib = cli("info", "-c", "ZZ", "0501234567").stderr.splitlines()[0]
        self.assertTrue(lib.startswith("phonenorm info: unknown region 'ZZ'"), lib)
        p = shell("SELECT phn_e164('0501234567', 'ZZ');\n")
        self.assertIn("phn_e164: " + lib[len("phonenorm info: "):], p.stderr)
        # An error for a bad region even when the number is not valid: the
        # region is checked first, so a column of regions is checked whole.
        p = shell("SELECT phn_status('n/a', 'ZZ');\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown region", p.stderr)


class Schema(unittest.TestCase):
    def test_expression_index_is_used(self):
        out = ok(self, """CREATE TABLE c(id INTEGER PRIMARY KEY, phone TEXT);
INSERT INTO c(phone) VALUES ('0501234567'), ('+966 55 234 5678'), ('0501234'), ('050 123 4567');
CREATE INDEX c_e164 ON c(phn_e164(phone, 'SA'));
EXPLAIN QUERY PLAN SELECT id FROM c WHERE phn_e164(phone, 'SA') = '+966501234567';
SELECT group_concat(id) FROM c WHERE phn_e164(phone, 'SA') = '+966501234567';
""")
        self.assertRegex(out, r"SEARCH c USING (COVERING )?INDEX c_e164 \(<expr>=\?\)")
        self.assertEqual(out.strip().splitlines()[-1], "1,4")

    def test_unique_generated_column(self):
        for kind in ("STORED", "VIRTUAL"):
            out = ok(self, f"""CREATE TABLE clean(phone TEXT, region TEXT,
  e164 TEXT GENERATED ALWAYS AS (phn_e164(phone, region)) {kind});
CREATE UNIQUE INDEX clean_e164 ON clean(e164);
INSERT OR IGNORE INTO clean(phone, region) VALUES ('0501234567', 'SA'),
  ('+966 50 123 4567', 'SA'), ('00966501234567', 'US'), ('0501234', 'SA'), ('n/a', 'SA'),
  ('(202) 555-0143', 'US');
SELECT count(*), count(e164), count(DISTINCT e164) FROM clean;
SELECT group_concat(e164) FROM (SELECT e164 FROM clean WHERE e164 IS NOT NULL ORDER BY e164);
""")
            # Numbers that are not valid (NULL: 0501234, n/a, 00966... read in
            # the US, whose international prefix is 011) are all kept, never
            # equal to each other; the second +966501234567 is ignored.
            self.assertEqual(out.splitlines(), ["5|2|2", "+12025550143,+966501234567"], kind)

    def test_view_and_trusted_schema(self):
        # SQLITE_INNOCUOUS: the functions work in a view and an index even
        # with trusted_schema off; phn_metadata() too (innocuous, but not
        # deterministic: an index may not use it).
        out = ok(self, """PRAGMA trusted_schema = OFF;
CREATE TABLE c(phone TEXT);
INSERT INTO c VALUES ('0501234567'), ('0501234');
CREATE VIEW v AS SELECT phone, phn_e164(phone, 'SA') AS e164, phn_status(phone, 'SA') AS status,
  phn_metadata() AS md FROM c;
CREATE INDEX ci ON c(phn_key(phone, 'SA'));
SELECT e164, status FROM v ORDER BY phone;
SELECT count(DISTINCT md) FROM v;
""")
        self.assertEqual(out.splitlines(), ["|local_only", "+966501234567|valid", "1"])

    def test_metadata_not_in_index(self):
        p = shell("CREATE TABLE c(phone TEXT);\nCREATE INDEX ci ON c(phn_metadata());\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("non-deterministic functions prohibited in index expressions", p.stderr)


class Metadata(unittest.TestCase):
    """The SQL-extension load path of issue 11: when sqlite3 dlopens
    phonenorm.so, the library's metadata accessors must still be the ones
    that answer (the bundled data, newer than libphonenumber's own)."""

    def test_bundled_by_default(self):
        r = rows(self, "SELECT phn_metadata() AS md, phn_status('0574 123 456', 'SA') AS s",
                 env={"PHONENORM_METADATA": ""})[0]
        self.assertEqual(r["md"], "9.0.35 bundled (libphonenumber 8.12.57)")
        # A range only the bundled data knows: valid.
        self.assertEqual(r["s"], "valid")

    def test_system_on_request(self):
        r = rows(self, "SELECT phn_metadata() AS md, phn_status('0574 123 456', 'SA') AS s",
                 env={"PHONENORM_METADATA": "system"})[0]
        self.assertTrue(r["md"].startswith("8.12.57 system (libphonenumber 8.12.57)"), r["md"])
        self.assertEqual(r["s"], "possible")

    def test_metadata_update_needs_reindex(self):
        # What the README says to do after a metadata update, played with the
        # two collections: built under the system data (0574 is not a known
        # range there), opened under the bundled data (it is).
        with tmpdir() as d:
            db = os.path.join(d, "md.db")
            ok(self, """CREATE TABLE t(phone TEXT,
  s TEXT GENERATED ALWAYS AS (phn_e164(phone, 'SA')) STORED,
  v TEXT GENERATED ALWAYS AS (phn_e164(phone, 'SA')) VIRTUAL);
CREATE INDEX ti ON t(phn_e164(phone, 'SA'));
INSERT INTO t(phone) VALUES ('0574 123 456'), ('0501234567');
""", db=db, env={"PHONENORM_METADATA": "system"})
            bundled = {"PHONENORM_METADATA": ""}
            look = ("SELECT (SELECT count(*) FROM t WHERE phn_e164(phone, 'SA') = '+966574123456')"
                    " AS by_index, (SELECT s FROM t WHERE rowid = 1) AS stored, "
                    "(SELECT v FROM t WHERE rowid = 1) AS virtual")
            # Stale: the index and the STORED column hold the old answer.
            self.assertEqual(rows(self, look, db=db, env=bundled),
                             [{"by_index": 0, "stored": None, "virtual": "+966574123456"}])
            self.assertIn("missing from index ti", ok(self, "PRAGMA integrity_check;\n", db=db,
                                                     env=bundled))
            # REINDEX, then an UPDATE that recomputes the STORED column.
            ok(self, "REINDEX;\nUPDATE t SET phone = phone;\n", db=db, env=bundled)
            self.assertEqual(rows(self, look, db=db, env=bundled),
                             [{"by_index": 1, "stored": "+966574123456",
                               "virtual": "+966574123456"}])
            self.assertEqual(ok(self, "PRAGMA integrity_check;\n", db=db, env=bundled), "ok\n")

    def test_same_as_cli(self):
        for md in ("bundled", "system"):
            info = json.loads(cli("info", "-c", "SA", "--json", "0574 123 456",
                                  env={"PHONENORM_METADATA": md}).stdout)
            got = value(self, "phn_metadata()", env={"PHONENORM_METADATA": md})
            self.assertTrue(got.startswith(f"{info['metadata_version']} {info['metadata_source']} "
                                           f"(libphonenumber {info['engine_version']})"), got)
            self.assertEqual(value(self, "phn_status('0574 123 456', 'SA')",
                                   env={"PHONENORM_METADATA": md}), info["status"], md)


# The CLI's region rule in SQL: a blank cell takes the default region (-c SA),
# a cell that is not a region rejects the row (here: NULL, so no number). The
# sample's one bad cell is 'USA'; phn_e164 would stop the statement on it.
REGION = "CASE WHEN country = '' THEN 'SA' WHEN length(country) = 2 THEN country END"


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


class Campaign(unittest.TestCase):
    """The bundled sample cleaned in sqlite3 against `phonenorm clean -c SA
    --region-column country` on the same file: the same clean set."""

    def clean_cli(self, d, path):
        out = os.path.join(d, "clean.csv")
        p = cli("clean", "-c", "SA", "--region-column", "country", path, "-o", out, "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        return read_csv(out)

    def import_sql(self, path, db):
        p = shell(f".import --csv {path} c\n", db=db, args=())
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def distinct(self, db):
        got = rows(self, f"SELECT DISTINCT phn_e164(phone, {REGION}) AS e FROM c "
                         f"WHERE e IS NOT NULL", db=db)
        es = [g["e"] for g in got]
        self.assertEqual(len(es), len(set(es)))
        return set(es)

    def test_repaired_sample_same_clean_set(self):
        # sqlite3's .import reads an unclosed quote to the end of the file;
        # the CLI rejects that row (line 44, C-1042) as malformed_csv and goes
        # on. Without that line both read the same rows.
        with tmpdir() as d:
            with open(SAMPLE, encoding="utf-8") as f:
                lines = f.readlines()
            self.assertTrue(lines[43].startswith('C-1042,"Badr'))
            repaired = os.path.join(d, "repaired.csv")
            with open(repaired, "w", encoding="utf-8") as f:
                f.writelines(lines[:43] + lines[44:])
            full = self.clean_cli(d, SAMPLE)
            want = self.clean_cli(d, repaired)
            self.assertEqual([r["e164"] for r in full], [r["e164"] for r in want])
            self.assertEqual(len(want), 32)
            want_set = {r["e164"] for r in want}
            self.assertEqual(len(want_set), 32)

            db = os.path.join(d, "c.db")
            self.import_sql(repaired, db)
            self.assertEqual(value(self, "count(*)", "FROM c", db=db), 49)
            self.assertEqual(self.distinct(db), want_set)

            # Row by row: each clean row of the CLI has the same E.164 in SQL.
            got = {r["customer_id"]: r["e"] for r in rows(
                self, f"SELECT customer_id, phn_e164(phone, {REGION}) AS e FROM c", db=db)}
            for r in want:
                self.assertEqual(got[r["customer_id"]], r["e164"], r["customer_id"])

            # Dedupe by phn_key: as many keys as clean numbers (the CLI's key).
            self.assertEqual(value(self, f"count(DISTINCT phn_key(phone, {REGION}))",
                                   "FROM c", db=db), 32)

            # A UNIQUE index on a generated column, filled with INSERT OR IGNORE.
            out = ok(self, f"""CREATE TABLE clean(customer_id TEXT, phone TEXT, region TEXT,
  e164 TEXT GENERATED ALWAYS AS (phn_e164(phone, region)) STORED);
CREATE UNIQUE INDEX clean_e164 ON clean(e164);
INSERT OR IGNORE INTO clean(customer_id, phone, region)
  SELECT customer_id, phone, {REGION} FROM c ORDER BY rowid;
.mode json
SELECT customer_id, e164 FROM clean WHERE e164 IS NOT NULL ORDER BY rowid;
""", db=db)
            unique = json.loads(out)
            # The same rows as the CLI keeps (first of each number), in order.
            self.assertEqual([(u["customer_id"], u["e164"]) for u in unique],
                             [(r["customer_id"], r["e164"]) for r in want])

    def test_sample_as_is(self):
        # The bundled file itself: sqlite3 warns about the unclosed quote and
        # keeps 42 rows (C-1042's name swallows the rest of the file); what it
        # kept cleans to what the CLI makes of the same first 43 lines.
        with tmpdir() as d:
            db = os.path.join(d, "c.db")
            p = self.import_sql(SAMPLE, db)
            self.assertIn('unterminated "-quoted field', p.stderr)
            self.assertEqual(value(self, "count(*)", "FROM c", db=db), 42)
            with open(SAMPLE, encoding="utf-8") as f:
                head = f.readlines()[:43]
            cut = os.path.join(d, "head.csv")
            with open(cut, "w", encoding="utf-8") as f:
                f.writelines(head)
            want = {r["e164"] for r in self.clean_cli(d, cut)}
            full = {r["e164"] for r in self.clean_cli(d, SAMPLE)}
            got = self.distinct(db)
            self.assertEqual(got, want)
            self.assertLess(len(got), len(full))
            self.assertTrue(got < full)


if __name__ == "__main__":
    unittest.main()
