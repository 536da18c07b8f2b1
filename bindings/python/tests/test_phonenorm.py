"""Tests of the Python binding, run by ctest (test python_binding) as

    PHONENORM_LIBRARY=build/src/libphonenorm.so.0 PYTHONPATH=bindings/python \
        python3 -m unittest discover -s bindings/python/tests -v

ctest also sets PHONENORM_LAYOUT_PROBE (a C program that prints the C struct
layouts), PHONENORM_CLI (the phonenorm program) and PHONENORM_SAMPLE
(data/campaign.csv); the tests that need them are skipped without them.
"""

import ctypes
import dataclasses
import http.server
import io
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import unittest

import phonenorm
from phonenorm import _lib


class LoadingTest(unittest.TestCase):
    def test_versions(self):
        self.assertRegex(phonenorm.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(phonenorm.version(), phonenorm.__version__)
        self.assertRegex(phonenorm.metadata_version(), r"^\d+\.\d+\.\d+$")

    def test_library_path_is_the_one_asked_for(self):
        want = os.environ.get("PHONENORM_LIBRARY")
        if not want:
            self.skipTest("PHONENORM_LIBRARY is not set")
        self.assertEqual(os.path.realpath(phonenorm.library_path()), os.path.realpath(want))

    def test_bad_library_path_is_a_clear_import_error(self):
        env = dict(os.environ, PHONENORM_LIBRARY="/nonexistent/libphonenorm.so.0",
                   PYTHONDONTWRITEBYTECODE="1")
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(phonenorm.__file__)))
        p = subprocess.run([sys.executable, "-c", "import phonenorm"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ImportError", p.stderr)
        self.assertIn("PHONENORM_LIBRARY", p.stderr)
        self.assertIn("/nonexistent/libphonenorm.so.0", p.stderr)


class LayoutTest(unittest.TestCase):
    """The ctypes structs are the C structs: same size, same offsets."""

    STRUCTS = ["phn_number", "phn_info", "phn_csv_options", "phn_csv_record",
               "phn_clean_options", "phn_clean_row", "phn_clean_summary",
               "phn_clean_writer_options", "phn_clean_report_options",
               "phn_dispatch_options", "phn_dispatch_kv", "phn_dispatch_call",
               "phn_dispatch_contact", "phn_dispatch_invoice", "phn_dispatch_detail",
               "phn_dispatch_result", "phn_call_window", "phn_dial_progress",
               "phn_dial_event", "phn_dial_options"]

    @classmethod
    def setUpClass(cls):
        probe = os.environ.get("PHONENORM_LAYOUT_PROBE")
        if not probe:
            raise unittest.SkipTest("PHONENORM_LAYOUT_PROBE is not set (ctest sets it)")
        cls.c = json.loads(subprocess.run([probe], check=True, capture_output=True,
                                          text=True, timeout=60).stdout)

    def test_every_struct_matches(self):
        for name in self.STRUCTS:
            with self.subTest(struct=name):
                py = getattr(_lib, name)
                c = self.c[name]
                self.assertEqual(ctypes.sizeof(py), c["size"])
                self.assertEqual([f[0] for f in py._fields_], list(c["fields"]))
                for field, offset in c["fields"].items():
                    self.assertEqual(getattr(py, field).offset, offset, field)

    def test_versions_and_constants(self):
        for name, v in self.c["versions"].items():
            self.assertEqual(getattr(_lib, name.upper() + "_VERSION"), v, name)
        for name, v in self.c["enums"].items():
            self.assertEqual(getattr(_lib, name), v, name)


class ParseTest(unittest.TestCase):
    SA_FORMS = ["0501234567", "050 123 4567", "(050) 123-4567", "+966501234567",
                "+966 50 123 4567", "00966 50 123 4567", "966501234567", "501234567",
                "٠٥٠١٢٣٤٥٦٧",          # Arabic-Indic
                "۰۵۰۱۲۳۴۵۶۷",          # Extended Arabic-Indic (Persian, Urdu)
                "٠٠٩٦٦٥٠١٢٣٤٥٦٧",      # Arabic-Indic with the international prefix
                "０５０１２３４５６７"]   # full-width

    def test_saudi_forms_all_give_one_number(self):
        for text in self.SA_FORMS:
            with self.subTest(text=text):
                n = phonenorm.parse(text, "SA")
                self.assertEqual(n.status, phonenorm.Status.VALID)
                self.assertEqual(n.e164, "+966501234567")
                self.assertEqual(n.type, phonenorm.NumberType.MOBILE)
                self.assertEqual(n.country_code, 966)
                self.assertEqual(n.national_number, "501234567")
                self.assertEqual(n.region, "SA")
                self.assertEqual(n.extension, "")
                self.assertEqual(n.key, 966501234567)
                self.assertTrue(n.is_valid)

    def test_us_forms(self):
        for text in ["(202) 555-0110", "202-555-0110", "+1 202 555 0110", "1 (202) 555-0110",
                     "011 1 202 555 0110"]:
            with self.subTest(text=text):
                n = phonenorm.parse(text, "us")  # region is case-insensitive
                self.assertEqual((n.status, n.e164, n.region, n.type),
                                 ("valid", "+12025550110", "US", "fixed_line_or_mobile"))
        vanity = phonenorm.parse("1-800-FLOWERS", "US")
        self.assertEqual((vanity.e164, vanity.type), ("+18003569377", "toll_free"))

    def test_international_forms_ignore_the_region(self):
        for region in (None, "US", "SA", "DE"):
            self.assertEqual(phonenorm.parse("+966 50 123 4567", region).e164, "+966501234567")

    def test_extensions(self):
        for text, region, ext in [("(202) 555-0110 ext. 45", "US", "45"),
                                  ("202-555-0110 x45", "US", "45"),
                                  ("+1 202 555 0110;ext=123", None, "123"),
                                  ("0501234567 ext 9", "SA", "9")]:
            with self.subTest(text=text):
                n = phonenorm.parse(text, region)
                self.assertTrue(n.is_valid)
                self.assertEqual(n.extension, ext)
        n = phonenorm.parse("(202) 555-0110 ext. 45", "US")
        self.assertEqual(n.e164, "+12025550110")  # E.164 never carries the extension

    def test_extension_digits_come_back_ascii(self):
        for text in ("0501234567 x٤٥", "0501234567 ext. ۴۵", "0501234567 x４５"):
            with self.subTest(text=text):
                n = phonenorm.parse(text, "SA")
                self.assertEqual((n.e164, n.extension), ("+966501234567", "45"))

    def test_each_status(self):
        S = phonenorm.Status
        cases = [
            ("0501234567", "SA", S.VALID, "+966501234567"),
            ("+882 1234 5678", None, S.POSSIBLE, "+88212345678"),
            ("2025550", "US", S.LOCAL_ONLY, "+12025550"),
            ("hello", "SA", S.NOT_A_NUMBER, ""),
            ("", "SA", S.NOT_A_NUMBER, ""),
            ("+999 123 4567", None, S.INVALID_COUNTRY_CODE, ""),
            ("0501", "SA", S.TOO_SHORT, "+9660501"),
            ("05012345678901", "SA", S.TOO_LONG, "+9665012345678901"),
            ("+61 11111111111", None, S.INVALID_LENGTH, "+6111111111111"),
            ("0501234567", None, S.NEEDS_REGION, ""),
        ]
        for text, region, status, e164 in cases:
            with self.subTest(text=text, region=region):
                n = phonenorm.parse(text, region)
                self.assertIs(n.status, status)
                self.assertEqual(n.e164, e164)
                self.assertEqual(n.is_valid, status is S.VALID)
                self.assertEqual(n.is_possible, status in (S.VALID, S.POSSIBLE))
                if status is not S.VALID:
                    self.assertIs(n.type, phonenorm.NumberType.UNKNOWN)
                if not e164:
                    self.assertEqual((n.key, n.country_code, n.national_number, n.region),
                                     (0, 0, "", ""))
        self.assertEqual({c[2] for c in cases}, set(S))  # every status is covered

    def test_status_and_type_names_are_the_c_names(self):
        for enum, c_name in ((phonenorm.Status, _lib.status_name),
                             (phonenorm.NumberType, _lib.type_name),
                             (phonenorm.ShortCost, _lib.short_cost_name),
                             (phonenorm.RowOutcome, _lib.row_outcome_name),
                             (phonenorm.RejectReason, _lib.reject_reason_name),
                             (phonenorm.DispatchOutcome, _lib.dispatch_outcome_name),
                             (phonenorm.DispatchKind, _lib.dispatch_kind_name)):
            codes = [m.code for m in enum]
            self.assertEqual(codes, list(range(len(codes))), enum)
            for m in enum:
                self.assertEqual(m.value, c_name(m.code).decode(), m)
            # one past the last is not a known value in C: the enums are complete
            self.assertEqual(c_name(len(codes)), b"unknown", enum)
        self.assertIn("short", phonenorm.Status.TOO_SHORT.description.lower())
        self.assertEqual(str(phonenorm.Status.VALID), "valid")
        self.assertEqual(phonenorm.Status.VALID, "valid")
        self.assertEqual(f"{phonenorm.NumberType.MOBILE}", "mobile")

    def test_leading_zeros_survive(self):
        n = phonenorm.parse("+39 06 1234 5678")
        self.assertEqual((n.status, n.region, n.national_number, n.e164),
                         ("valid", "IT", "0612345678", "+390612345678"))
        self.assertEqual(n.key, 390612345678)

    def test_non_geographic_region(self):
        n = phonenorm.parse("+800 1234 5678")
        self.assertEqual((n.status, n.region, n.type), ("valid", "001", "toll_free"))

    def test_key_equality_is_e164_equality(self):
        texts = ["0501234567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧", "0501234568", "+390612345678",
                 "+39612345678", "+3906 1234 5678", "(202) 555-0110", "+1 202 555 0110 x9",
                 "+12025550111", "0112345678", "+966112345678", "+88212345678", "2025550"]
        nums = [phonenorm.parse(t, "SA" if t.startswith("0") else "US") for t in texts]
        self.assertTrue(all(n.key for n in nums))
        for a in nums:
            self.assertEqual(int(a.e164[1:]), a.key)
            for b in nums:
                self.assertEqual(a.key == b.key, a.e164 == b.e164, (a.e164, b.e164))
        # the Italian leading zero makes a different number
        self.assertNotEqual(phonenorm.parse("+390612345678").key,
                            phonenorm.parse("+39612345678").key)

    def test_number_is_frozen_hashable_and_picklable(self):
        n = phonenorm.parse("(202) 555-0110 ext. 45", "US")
        with self.assertRaises(dataclasses.FrozenInstanceError):
            n.e164 = "+1"
        self.assertEqual(n, phonenorm.parse("+1 202-555-0110 x45"))
        self.assertNotEqual(n, phonenorm.parse("+1 202-555-0110 x46"))
        self.assertEqual(len({n, phonenorm.parse("+1 202-555-0110 x45")}), 1)
        m = pickle.loads(pickle.dumps(n))
        self.assertEqual(m, n)
        self.assertEqual(m.format("intl"), "+1 202-555-0110 ext. 45")
        d = n.as_dict()
        self.assertEqual(d["e164"], "+12025550110")
        self.assertEqual(d["status"], "valid")
        self.assertEqual(json.loads(json.dumps(d))["extension"], "45")

    def test_normalize(self):
        self.assertEqual(phonenorm.normalize("٠٥٠١٢٣٤٥٦٧", "SA"), "+966501234567")
        self.assertIsNone(phonenorm.normalize("0501234", "SA"))
        self.assertIsNone(phonenorm.normalize("hello"))
        self.assertIsNone(phonenorm.normalize("+882 1234 5678"))
        self.assertEqual(phonenorm.normalize("+882 1234 5678", keep_possible=True),
                         "+88212345678")

    def test_regions(self):
        self.assertTrue(phonenorm.region_is_known("sa"))
        self.assertFalse(phonenorm.region_is_known("XX"))
        self.assertFalse(phonenorm.region_is_known(None))
        self.assertEqual(phonenorm.region_country_code("SA"), 966)
        self.assertEqual(phonenorm.region_country_code("us"), 1)
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.region_country_code("XX")


class FormatTest(unittest.TestCase):
    def test_formats(self):
        n = phonenorm.parse("0501234567", "SA")
        self.assertEqual(n.format(), "+966501234567")
        self.assertEqual(n.format("e164"), "+966501234567")
        self.assertEqual(n.format("intl"), "+966 50 123 4567")
        self.assertEqual(n.format("international"), "+966 50 123 4567")
        self.assertEqual(n.format("NATIONAL"), "050 123 4567")
        self.assertEqual(n.format("rfc3966"), "tel:+966-50-123-4567")

    def test_extension_in_every_form_but_e164(self):
        n = phonenorm.parse("(202) 555-0110 ext. 45", "US")
        self.assertEqual(n.format("e164"), "+12025550110")
        self.assertEqual(n.format("intl"), "+1 202-555-0110 ext. 45")
        self.assertEqual(n.format("national"), "(202) 555-0110 ext. 45")
        self.assertEqual(n.format("rfc3966"), "tel:+1-202-555-0110;ext=45")

    def test_out_of_country(self):
        n = phonenorm.parse("0501234567", "SA")
        self.assertEqual(n.format_out_of_country("US"), "011 966 50 123 4567")
        self.assertEqual(n.format_out_of_country("gb"), "00 966 50 123 4567")
        self.assertEqual(n.format_out_of_country("SA"), "050 123 4567")
        with self.assertRaises(phonenorm.RegionError):
            n.format_out_of_country("XX")
        with self.assertRaises(TypeError):
            n.format_out_of_country(None)

    def test_bad_format_and_no_number(self):
        n = phonenorm.parse("0501234567", "SA")
        with self.assertRaises(ValueError):
            n.format("dialout")
        with self.assertRaises(TypeError):
            n.format(1)
        bad = phonenorm.parse("hello", "SA")
        with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
            bad.format("intl")
        self.assertEqual(cm.exception.code, -1)
        with self.assertRaises(phonenorm.InvalidArgumentError):
            bad.format_out_of_country("US")

    def test_a_number_not_made_by_parse_cannot_be_formatted(self):
        fake = phonenorm.Number(status=phonenorm.Status.VALID, type=phonenorm.NumberType.MOBILE,
                                e164="+966501234567", country_code=966,
                                national_number="501234567", region="SA", extension="",
                                key=966501234567)
        with self.assertRaises(phonenorm.InvalidArgumentError):
            fake.format("intl")


class InfoTest(unittest.TestCase):
    def test_emergency_and_short_numbers(self):
        info = phonenorm.parse("911", "US").info("US")
        self.assertTrue(info.is_short_number)
        self.assertTrue(info.is_emergency)
        self.assertTrue(info.connects_to_emergency)
        self.assertIs(info.short_cost, phonenorm.ShortCost.TOLL_FREE)
        info = phonenorm.parse("112", "SA").info("sa")
        self.assertTrue(info.is_emergency)
        mobile = phonenorm.parse("0501234567", "SA").info()
        self.assertFalse(mobile.is_short_number)
        self.assertFalse(mobile.is_emergency)

    def test_geocoder_in_two_languages(self):
        n = phonenorm.parse("011 234 5678", "SA")
        en = n.info()
        self.assertTrue(en.is_geographic)
        self.assertIn("Riyadh", en.description)
        ar = n.info(language="ar")
        self.assertIn("الرياض", ar.description)
        self.assertEqual(phonenorm.parse("+1 202 555 0110").info().description, "Washington D.C.")

    def test_info_errors(self):
        n = phonenorm.parse("0501234567", "SA")
        with self.assertRaises(phonenorm.RegionError):
            n.info("XX")
        with self.assertRaises(TypeError):
            n.info(language=5)
        self.assertIsInstance(n.info(language=None).description, str)
        with self.assertRaises(dataclasses.FrozenInstanceError):
            n.info().is_emergency = True


class ErrorTest(unittest.TestCase):
    def test_unknown_region_raises_region_error(self):
        for region in ("XX", "ZZ", "Saudi", "S", "٠١", "S\0A"):
            with self.subTest(region=region):
                with self.assertRaises(phonenorm.RegionError) as cm:
                    phonenorm.parse("0501234567", region)
                e = cm.exception
                self.assertIsInstance(e, phonenorm.Error)
                self.assertIsInstance(e, ValueError)
                self.assertEqual(e.code, -4)
                self.assertEqual(e.message, _lib.strerror(-4).decode())
                self.assertIn("region", str(e))

    def test_empty_region_is_no_region(self):
        self.assertEqual(phonenorm.parse("0501234567", "").status, "needs_region")

    def test_bad_types_raise_type_error(self):
        for bad in (None, 501234567, 5.0, ["0501234567"], object()):
            with self.subTest(text=bad):
                with self.assertRaises(TypeError):
                    phonenorm.parse(bad, "SA")
                with self.assertRaises(TypeError):
                    phonenorm.normalize(bad, "SA")
        with self.assertRaises(TypeError):
            phonenorm.parse("0501234567", 966)

    def test_bytes_are_utf8(self):
        n = phonenorm.parse("٠٥٠١٢٣٤٥٦٧".encode(), "SA")
        self.assertEqual(n.e164, "+966501234567")
        self.assertEqual(phonenorm.parse(bytearray(b"0501234567"), "SA").e164, "+966501234567")

    def test_invalid_utf8_is_an_invalid_argument(self):
        for bad in (b"\xff\xfe050", b"050\xc0\x80", b"\xed\xa0\x80", "050\udcff",
                    os.fsdecode(b"050\xff")):
            with self.subTest(text=bad):
                with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
                    phonenorm.parse(bad, "SA")
                self.assertEqual(cm.exception.code, -1)
                self.assertIsInstance(cm.exception, ValueError)

    def test_nul_and_huge_inputs_do_not_crash(self):
        self.assertEqual(phonenorm.parse("\0", "SA").status, "not_a_number")
        # the whole text reaches C, NUL included: no silent cut at the NUL
        self.assertEqual(phonenorm.parse("0501234567\0junk", "SA").status, "not_a_number")
        self.assertEqual(phonenorm.parse(b"0501234567\0", "SA").status, "not_a_number")
        # Over 250 characters (libphonenumber's own limit) is too long, at once.
        self.assertEqual(phonenorm.parse("x" * 5_000_000, "SA").status, "too_long")
        self.assertEqual(phonenorm.parse("+" + "١" * 2000, "SA").status, "too_long")
        long_digits = phonenorm.parse("9" * 1000, "SA")
        self.assertIsInstance(long_digits.status, phonenorm.Status)
        self.assertFalse(long_digits.is_valid)
        padded = "+966 50 123 4567" + " " * 100_000
        self.assertEqual(phonenorm.parse(padded).status, "too_long")
        self.assertEqual(phonenorm.parse(padded[:250]).e164, "+966501234567")

    def test_error_hierarchy(self):
        self.assertTrue(issubclass(phonenorm.InputOutputError, OSError))
        self.assertTrue(issubclass(phonenorm.NotFoundError, LookupError))
        self.assertTrue(issubclass(phonenorm.OutOfMemoryError, MemoryError))
        e = pickle.loads(pickle.dumps(phonenorm.RegionError(-4, "unknown region", "'XX'")))
        self.assertEqual((e.code, e.message, e.detail), (-4, "unknown region", "'XX'"))
        self.assertEqual(str(e), "'XX'")
        self.assertEqual(str(phonenorm.RegionError(-4, "unknown region")), "unknown region")
        # The C library's phn_error_last() names the bad value.
        with self.assertRaises(phonenorm.RegionError) as cm:
            phonenorm.parse("0501234567", "XX")
        self.assertIn("unknown region 'XX'", str(cm.exception))
        self.assertEqual(cm.exception.code, -4)
        # codes the binding does not know yet still give an Error
        unknown = _lib.error(-99)
        self.assertIs(type(unknown), phonenorm.Error)
        self.assertEqual(unknown.message, "unknown error")


class ParseManyTest(unittest.TestCase):
    def inputs(self):
        base = ParseTest.SA_FORMS + ["0501234", "hello", "", "+999 123 4567", "0501",
                                     "05012345678901", "(202) 555-0110 ext. 45", "+882 1234 5678",
                                     "+39 06 1234 5678", "1-800-FLOWERS", "0112345678"]
        # enough texts for the batch call to use several threads
        return [t if i % 7 else t + " " for i, t in enumerate(base * 40)]

    def test_batch_equals_single_parse(self):
        texts = self.inputs()
        self.assertGreater(len(texts), 600)
        single = [phonenorm.parse(t, "SA") for t in texts]
        for threads in (1, 2, 0):
            with self.subTest(threads=threads):
                got = phonenorm.parse_many(texts, "SA", threads=threads)
                self.assertEqual(len(got), len(texts))
                self.assertEqual(got, single)
                # the hidden C copy is the same too: formatting works on batch results
                self.assertEqual([g.format("intl") for g in got if g.e164][:3],
                                 [s.format("intl") for s in single if s.e164][:3])

    def test_batch_accepts_any_iterable_and_bytes(self):
        got = phonenorm.parse_many(iter(["0501234567", b"+12025550110"]), region="sa")
        self.assertEqual([n.e164 for n in got], ["+966501234567", "+12025550110"])
        self.assertEqual(phonenorm.parse_many([]), [])
        self.assertEqual(phonenorm.parse_many((), "SA", threads=4), [])

    def test_per_item_problems_are_data(self):
        got = phonenorm.parse_many([None, b"\xff\xfe", "0501234567", "hello", "x" * 100_000],
                                   "SA", threads=2)
        self.assertEqual([str(n.status) for n in got],
                         ["not_a_number", "not_a_number", "valid", "not_a_number",
                          "too_long"])

    def test_batch_errors(self):
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.parse_many(["0501234567"], "XX")
        with self.assertRaises(TypeError):
            phonenorm.parse_many("0501234567")
        with self.assertRaises(TypeError):
            phonenorm.parse_many(["0501234567", 501234567])
        with self.assertRaises(TypeError):
            phonenorm.parse_many(None)
        with self.assertRaises(ValueError):
            phonenorm.parse_many(["1"], threads=-1)
        with self.assertRaises(TypeError):
            phonenorm.parse_many(["1"], threads=1.5)


class DedupeSetTest(unittest.TestCase):
    def test_semantics(self):
        s = phonenorm.DedupeSet(region="SA")
        self.assertEqual(len(s), 0)
        self.assertTrue(s.add("0501234567", 2))
        self.assertFalse(s.add("+966 50 123 4567", 3))         # same E.164
        self.assertFalse(s.add("٠٥٠١٢٣٤٥٦٧"))
        self.assertEqual(s.insert("00966501234567", 9), (False, 2))  # first value kept
        self.assertEqual(s.insert("0551234567", 7), (True, 7))
        self.assertEqual(len(s), 2)
        self.assertIn("+966501234567", s)
        self.assertIn(phonenorm.parse("0551234567", "SA"), s)
        self.assertIn(966501234567, s)
        self.assertNotIn("0561234567", s)
        self.assertNotIn("hello", s)
        self.assertNotIn(b"\xff", s)
        self.assertNotIn(None, s)
        self.assertEqual(s.get("050 123 4567"), 2)
        self.assertIsNone(s.get("0561234567"))
        self.assertEqual(s.get("0561234567", -1), -1)
        self.assertGreater(s.memory, 0)
        # extensions do not make another number: one person to call
        self.assertFalse(s.add("0501234567 ext. 12"))

    def test_update_and_constructor(self):
        s = phonenorm.DedupeSet(["+12025550110", "(202) 555-0110", "+966501234567"],
                                region="US")
        self.assertEqual(len(s), 2)
        self.assertEqual(s.update(["+12025550110", "+12025550111"], start_value=10), 1)
        self.assertEqual(s.get("+12025550111"), 11)
        self.assertRegex(repr(s), "3 numbers")

    def test_errors(self):
        s = phonenorm.DedupeSet()
        with self.assertRaises(phonenorm.InvalidArgumentError):
            s.add("hello")
        with self.assertRaises(phonenorm.InvalidArgumentError):
            s.add("0501234567")             # no region: needs_region, no key
        with self.assertRaises(phonenorm.InvalidArgumentError):
            s.add(0)
        with self.assertRaises(ValueError):
            s.add(-5)
        with self.assertRaises(ValueError):
            s.add(1 << 64)
        with self.assertRaises(ValueError):
            s.add("+966501234567", value=-1)
        with self.assertRaises(TypeError):
            s.add(None)
        with self.assertRaises(TypeError):
            s.add(True)
        with self.assertRaises(TypeError):
            s.add(3.5)
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.DedupeSet(region="XX")
        with self.assertRaises(TypeError):
            phonenorm.DedupeSet("+966501234567")
        self.assertEqual(len(s), 0)         # nothing half-added
        s.close()
        s.close()                            # twice is fine
        with self.assertRaises(ValueError):
            len(s)
        with self.assertRaises(ValueError):
            s.add("+966501234567")
        self.assertRegex(repr(s), "closed")

    def test_context_manager_and_threads(self):
        texts = ["+9665%08d" % i for i in range(2000)]
        with phonenorm.DedupeSet(expected=1000) as s:
            def worker(offset):
                for t in texts[offset:] + texts[:offset]:
                    s.add(t)
            threads = [threading.Thread(target=worker, args=(k * 500,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(len(s), 2000)
        self.assertRegex(repr(s), "closed")


CAMPAIGN = (
    "id,name,phone,country\r\n"
    "1,Fahad,0501234567,SA\r\n"            # line 2 clean
    "2,\"Noura, H\",+966 55 234 5678,SA\r\n"   # line 3 clean (quoted comma)
    "3,Dup,٠٥٠١٢٣٤٥٦٧,SA\r\n"             # line 4 duplicate of 2
    "4,Short,0501234,SA\r\n"              # line 5 rejected local_only
    "5,None,n/a,SA\r\n"                   # line 6 rejected not_a_number
    "6,Empty,,SA\r\n"                     # line 7 rejected empty
    "7,US,(202) 555-0110,US\r\n"          # line 8 clean (region column)
    "8,US dup,+1 202 555 0110 x9,\r\n"    # line 9 duplicate of 8 (extension ignored)
    "9,DNC,0561234567,SA\r\n"             # line 10 suppressed
    "10,Bad region,0501234567,XX\r\n"     # line 11 rejected bad_region
    "11,Fields,0502222222\r\n"            # line 12 rejected field_count
)


class CleanTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.input = os.path.join(self.dir, "campaign.csv")
        with open(self.input, "w", encoding="utf-8", newline="") as f:
            f.write(CAMPAIGN)
        self.dnc = phonenorm.DedupeSet(["0561234567"], region="SA")

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_clean(self, tag, **kw):
        paths = [self.path("%s-%s.csv" % (tag, k)) for k in ("clean", "rejects", "dups")]
        kw.setdefault("region", "SA")
        kw.setdefault("region_column", "country")
        kw.setdefault("suppress", self.dnc)
        summary = phonenorm.clean(self.input, *paths, **kw)
        files = []
        for p in paths:
            with open(p, "rb") as f:
                files.append(f.read().decode("utf-8"))
        return summary, files

    def test_rows_in_equals_clean_plus_rejected_plus_duplicates(self):
        s, (clean, rejects, dups) = self.run_clean("t1")
        self.assertEqual(s["rows"], 11)
        self.assertEqual(s["rows"], s["clean"] + s["rejected"] + s["duplicates"])
        self.assertEqual((s["clean"], s["rejected"], s["duplicates"]), (3, 6, 2))
        self.assertEqual(s["rejected_by_reason"]["local_only"], 1)
        self.assertEqual(s["rejected_by_reason"]["not_a_number"], 1)
        self.assertEqual(s["rejected_by_reason"]["empty"], 1)
        self.assertEqual(s["rejected_by_reason"]["suppressed"], 1)
        self.assertEqual(s["rejected_by_reason"]["bad_region"], 1)
        self.assertEqual(s["rejected_by_reason"]["field_count"], 1)
        self.assertEqual(sum(s["rejected_by_reason"].values()), s["rejected"])
        self.assertEqual(s["by_type"]["mobile"], 2)
        self.assertEqual(s["by_type"]["fixed_line_or_mobile"], 1)
        self.assertEqual(s["by_region"], {"SA": 2, "US": 1})
        self.assertTrue(s["has_header"])
        self.assertEqual(s["phone_column"], {"index": 3, "name": "phone", "guessed": True})
        self.assertEqual(s["region_column"], 4)
        self.assertEqual((s["input"], s["region"], s["threads"]), (self.input, "SA", 1))

        clean_lines = clean.split("\r\n")
        self.assertEqual(clean_lines[0], "id,name,phone,country,e164,number_type")
        self.assertEqual(clean_lines[1:4], [
            "1,Fahad,0501234567,SA,+966501234567,mobile",
            "2,\"Noura, H\",+966 55 234 5678,SA,+966552345678,mobile",
            "7,US,(202) 555-0110,US,+12025550110,fixed_line_or_mobile"])
        self.assertEqual(clean_lines[4:], [""])
        rej = [line.split(",") for line in rejects.split("\r\n")[1:-1]]
        self.assertEqual([(r[-2], r[-1]) for r in rej],
                         [("local_only", "5"), ("not_a_number", "6"), ("empty", "7"),
                          ("suppressed", "10"), ("bad_region", "11"), ("field_count", "12")])
        self.assertEqual(rejects.split("\r\n")[0], "id,name,phone,country,reject_reason,line")
        # rows are written back as they were read: a short row stays short
        self.assertEqual(rejects.split("\r\n")[5:], [
            "10,Bad region,0501234567,XX,bad_region,11",
            "11,Fields,0502222222,field_count,12", ""])
        self.assertEqual(dups.split("\r\n")[1:], [
            "3,Dup,٠٥٠١٢٣٤٥٦٧,SA,+966501234567,2",
            "8,US dup,+1 202 555 0110 x9,,+12025550110,8", ""])

    def test_threads_give_the_same_result(self):
        big = CAMPAIGN + "".join("%d,N%d,05%08d,SA\r\n" % (100 + i, i, i % 3000)
                                 for i in range(5000))
        with open(self.input, "w", encoding="utf-8", newline="") as f:
            f.write(big)
        s1, f1 = self.run_clean("one", threads=1)
        s2, f2 = self.run_clean("two", threads=2)
        s4, f4 = self.run_clean("four", threads=4)
        self.assertEqual(s1["rows"], 5011)
        self.assertEqual(s1["duplicates"], 2 + 2000)
        for k in ("seconds", "threads"):
            for s in (s1, s2, s4):
                del s[k]
        self.assertEqual(s1, s2)
        self.assertEqual(s1, s4)
        self.assertEqual(f1, f2)
        self.assertEqual(f1, f4)

    def test_on_row_sees_every_row_in_order(self):
        rows = []
        s = phonenorm.clean(self.input, region="SA", region_column=4, suppress=self.dnc,
                            on_row=rows.append)
        self.assertEqual(rows[0].outcome, phonenorm.RowOutcome.HEADER)
        self.assertEqual(rows[0].fields, ("id", "name", "phone", "country"))
        data = rows[1:]
        self.assertEqual(len(data), s["rows"])
        self.assertEqual([r.line for r in data], list(range(2, 13)))
        self.assertEqual(data[1].fields[1], "Noura, H")
        self.assertEqual(data[1].raw, b'2,"Noura, H",+966 55 234 5678,SA')
        self.assertEqual(data[2].outcome, "duplicate")
        self.assertEqual(data[2].duplicate_of, 2)
        self.assertEqual(data[2].number.e164, "+966501234567")
        self.assertEqual(data[3].reason, phonenorm.RejectReason.LOCAL_ONLY)
        self.assertEqual(data[8].reason, phonenorm.RejectReason.SUPPRESSED)
        counts = {o: sum(r.outcome == o for r in data) for o in ("clean", "rejected", "duplicate")}
        self.assertEqual(counts, {"clean": s["clean"], "rejected": s["rejected"],
                                  "duplicate": s["duplicates"]})

    def test_file_objects_in_and_out(self):
        out, rej = io.BytesIO(), io.BytesIO()
        with open(self.input, "rb") as f:
            s = phonenorm.clean(f, out, rej, region="SA", region_column="country",
                                suppress=self.dnc)
        s_path, (clean, rejects, _) = self.run_clean("path")
        self.assertEqual(s["input"], self.input)      # the file's name
        for k in ("seconds",):
            del s[k], s_path[k]
        self.assertEqual(s, s_path)
        self.assertEqual(out.getvalue().decode(), clean)
        self.assertEqual(rej.getvalue().decode(), rejects)
        # text streams in and out: the same characters
        tout, trej = io.StringIO(newline=""), io.StringIO(newline="")
        s_text = phonenorm.clean(io.StringIO(CAMPAIGN, newline=""), tout, trej, region="SA",
                                 region_column="country", suppress=self.dnc)
        self.assertEqual(s_text["input"], "-")
        self.assertEqual((s_text["rows"], s_text["clean"]), (s_path["rows"], s_path["clean"]))
        self.assertEqual(tout.getvalue(), clean)
        self.assertEqual(trej.getvalue(), rejects)
        with open(self.input, encoding="utf-8", newline="") as f:
            out = io.BytesIO()
            phonenorm.clean(f, out, region="SA", region_column="country", suppress=self.dnc)
        self.assertEqual(out.getvalue().decode(), clean)
        # a text stream's characters beyond ASCII reach C as UTF-8, whole
        many = "phone\n" + "٠٥٠١٢٣٤٥٦٧\n" * 20000
        s = phonenorm.clean(io.StringIO(many), region="SA")
        self.assertEqual((s["rows"], s["clean"], s["duplicates"]), (20000, 1, 19999))

    def test_options(self):
        s = phonenorm.clean(self.input, region="SA", region_column="country", types=["mobile"])
        # the US number, and its repeat (filtered before dedupe)
        self.assertEqual(s["rejected_by_reason"]["type_not_allowed"], 2)
        self.assertEqual((s["clean"], s["duplicates"]), (3, 1))   # no suppress set here
        self.assertEqual(s["by_type"]["fixed_line_or_mobile"], 0)
        s = phonenorm.clean(self.input, region="SA", phone_column="phone")
        self.assertFalse(s["phone_column"]["guessed"])
        self.assertIsNone(s["region_column"])
        self.assertEqual(s["rejected_by_reason"]["bad_region"], 0)          # no region column
        # column numbers count from 1, as the CLI's --column
        s = phonenorm.clean(self.input, region="SA", header=False, phone_column=3)
        self.assertFalse(s["has_header"])
        self.assertEqual(s["rows"], 12)
        self.assertEqual(s["phone_column"], {"index": 3, "name": None, "guessed": False})
        s = phonenorm.clean(self.input, region="SA", phone_column=3, region_column=4)
        self.assertEqual((s["phone_column"]["index"], s["region_column"]), (3, 4))
        self.assertEqual(s["clean"], 4)
        # keep_possible adds a number_status column and keeps possible numbers
        with open(self.input, "w", encoding="utf-8") as f:
            f.write("phone\n+882 1234 5678\n0501234567\n")
        out = io.BytesIO()
        s = phonenorm.clean(self.input, out, keep_possible=True, region="SA")
        self.assertEqual((s["clean"], s["possible_kept"]), (2, 1))
        self.assertEqual(out.getvalue().decode().splitlines(), [
            "phone,e164,number_type,number_status",
            "+882 1234 5678,+88212345678,unknown,possible",
            "0501234567,+966501234567,mobile,valid"])
        s = phonenorm.clean(self.input, region="SA")
        self.assertEqual(s["rejected_by_reason"]["not_valid"], 1)

    def test_safe_for_spreadsheets(self):
        with open(self.input, "w", encoding="utf-8") as f:
            f.write("name,phone\n=cmd(),=0551234567\nAli,+966501234567\n")
        out = io.BytesIO()
        phonenorm.clean(self.input, out, region="SA")
        self.assertEqual(out.getvalue().decode().splitlines()[1],
                         "=cmd(),=0551234567,+966551234567,mobile")
        out = io.BytesIO()
        phonenorm.clean(self.input, out, region="SA", safe_for_spreadsheets=True)
        self.assertEqual(out.getvalue().decode().splitlines(), [
            "name,phone,e164,number_type",
            "\"'=cmd()\",\"'=0551234567\",+966551234567,mobile",
            "Ali,+966501234567,+966501234567,mobile"])

    def test_text_mode_and_delimiter(self):
        with open(self.input, "w", encoding="utf-8") as f:
            f.write("0501234567\n\n\"050 123 4567\"\nhello, world\n+12025550110\n")
        out, rej, dup = io.BytesIO(), io.BytesIO(), io.BytesIO()
        s = phonenorm.clean(self.input, out, rej, dup, region="SA", text=True)
        self.assertEqual((s["rows"], s["clean"], s["rejected"], s["duplicates"]), (4, 2, 1, 1))
        self.assertEqual(s["blank_lines"], 1)
        self.assertFalse(s["has_header"])
        self.assertEqual(out.getvalue().decode().splitlines(),
                         ["0501234567,+966501234567,mobile",
                          "+12025550110,+12025550110,fixed_line_or_mobile"])
        # a line is one field, whatever it holds; written back as one CSV field
        self.assertEqual(rej.getvalue().decode(), '"hello, world",not_a_number,4\n')
        self.assertEqual(dup.getvalue().decode(), '"""050 123 4567""",+966501234567,1\n')
        with open(self.input, "w", encoding="utf-8") as f:
            f.write("name;phone\nA;0501234567\nB;050 123 4567\n")
        out = io.BytesIO()
        s = phonenorm.clean(self.input, out, region="SA", delimiter=";")
        self.assertEqual((s["clean"], s["duplicates"]), (1, 1))
        self.assertEqual(out.getvalue().decode().splitlines()[1],
                         "A;0501234567;+966501234567;mobile")

    def test_errors(self):
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.clean(self.input, region="XX")
        with self.assertRaises(phonenorm.NotFoundError) as cm:
            phonenorm.clean(self.input, region="SA", phone_column="tel")
        self.assertIn("tel", cm.exception.detail)
        with self.assertRaises(phonenorm.InputOutputError) as cm:
            phonenorm.clean(self.path("missing.csv"))
        self.assertIsInstance(cm.exception, OSError)
        self.assertIn("missing.csv", str(cm.exception))
        with self.assertRaises(OSError):
            phonenorm.clean(self.input, self.path("no/such/dir/out.csv"), region="SA")
        for bad in (dict(delimiter=",,"), dict(delimiter='"'), dict(threads=-1),
                    dict(types=[]), dict(types=["cellphone"]), dict(header="yes"),
                    dict(phone_column=-1), dict(phone_column=0), dict(phone_column=""),
                    dict(region_column=0), dict(max_record=-5)):
            with self.subTest(**bad):
                with self.assertRaises(ValueError) as cm:
                    phonenorm.clean(self.input, region="SA", **bad)
                # the message names the bad value (a list's bad item)
                v = list(bad.values())[0]
                self.assertIn(repr(v[0] if isinstance(v, list) and v else v),
                              str(cm.exception))
        with self.assertRaises(phonenorm.NotFoundError) as cm:
            phonenorm.clean(self.input, region="SA", phone_column=9)
        self.assertIn("no column 9", cm.exception.detail)
        for bad in (dict(suppress=["0501234567"]), dict(phone_column=1.0), dict(on_row=5),
                    dict(types=[5])):
            with self.subTest(**{k: repr(v) for k, v in bad.items()}):
                with self.assertRaises(TypeError):
                    phonenorm.clean(self.input, region="SA", **bad)
        with self.assertRaises(TypeError):
            phonenorm.clean(None)
        with self.assertRaises(TypeError) as cm:
            phonenorm.clean(self.input, 5)
        self.assertIn("5", str(cm.exception))
        with self.assertRaises(phonenorm.InputOutputError) as cm:
            phonenorm.clean(self.path("missing.csv"))
        self.assertEqual(cm.exception.detail, "open '%s': No such file or directory"
                         % self.path("missing.csv"))

    def test_exceptions_from_on_row_stop_the_run(self):
        seen = []

        def on_row(row):
            seen.append(row.line)
            if row.line == 4:
                raise KeyError("stop here")

        out = self.path("partial.csv")
        with self.assertRaises(KeyError):
            phonenorm.clean(self.input, out, region="SA", on_row=on_row)
        self.assertEqual(seen, [1, 2, 3, 4])
        with open(out, "rb") as f:
            self.assertEqual(len(f.read().splitlines()), 3)   # header and two clean rows

        class Broken(io.RawIOBase):
            def readable(self):
                return True

            def read(self, n=-1):
                raise RuntimeError("disk on fire")

        with self.assertRaises(RuntimeError):
            phonenorm.clean(Broken(), region="SA")

    def test_bom_and_malformed_rows_are_kept_verbatim(self):
        with open(self.input, "wb") as f:
            f.write(b"\xef\xbb\xbfphone,note\n0501234567,ok\n\"0551234567,unterminated\n"
                    b"05\xff,bad\n")
        out, rej = io.BytesIO(), io.BytesIO()
        s = phonenorm.clean(self.input, out, rej, region="SA")
        self.assertEqual(s["rows"], s["clean"] + s["rejected"] + s["duplicates"])
        self.assertTrue(out.getvalue().startswith(b"\xef\xbb\xbfphone,note,e164,number_type\n"))
        self.assertTrue(rej.getvalue().startswith(b"\xef\xbb\xbfphone,note,reject_reason,line\n"))
        self.assertIn(b"\"\"\"0551234567,unterminated\",malformed_csv,3\n", rej.getvalue())
        self.assertIn(b"05\xff,bad,bad_text,4\n", rej.getvalue())

    def test_same_bytes_as_the_cli(self):
        cli, sample = os.environ.get("PHONENORM_CLI"), os.environ.get("PHONENORM_SAMPLE")
        if not cli or not sample:
            self.skipTest("PHONENORM_CLI and PHONENORM_SAMPLE are not set (ctest sets them)")
        c = [self.path("cli-%s.csv" % k) for k in ("clean", "rejects", "dups")]
        p = subprocess.run([cli, "clean", "-q", "-c", "SA", "--region-column", "country", sample,
                            "-o", c[0], "--rejects", c[1], "--duplicates", c[2], "--report",
                            self.path("report.json")], timeout=120)
        self.assertIn(p.returncode, (0, 1))
        for threads in (1, 3):
            py = [self.path("py%d-%s.csv" % (threads, k)) for k in ("clean", "rejects", "dups")]
            s = phonenorm.clean(sample, *py, region="SA", region_column="country",
                                threads=threads)
            for a, b in zip(c, py):
                with open(a, "rb") as fa, open(b, "rb") as fb:
                    self.assertEqual(fa.read(), fb.read(), b)
            with open(self.path("report.json"), encoding="utf-8") as f:
                report = json.load(f)
            # the summary is the report: same keys, same values but the timing
            self.assertEqual(sorted(s), sorted(report))
            for k in report:
                if k not in ("seconds", "threads"):
                    self.assertEqual(s[k], report[k], k)
            self.assertEqual(s["threads"], threads)
        # report= writes the CLI's report.json, byte for byte but the timing
        mine = self.path("py-report.json")
        phonenorm.clean(sample, region="SA", region_column="country", report=mine)
        with open(self.path("report.json"), "rb") as fa, open(mine, "rb") as fb:
            cut = re.compile(rb'"seconds": [0-9.]+')
            self.assertEqual(cut.sub(b"", fa.read()), cut.sub(b"", fb.read()))

    def test_max_record_bytes_same_as_the_cli(self):
        """Issue 8: a row over the limit is one too_long_record row, cut with a
        note, the same bytes as `phonenorm clean --max-record-bytes`."""
        cli = os.environ.get("PHONENORM_CLI")
        if not cli:
            self.skipTest("PHONENORM_CLI is not set (ctest sets them)")
        src = self.path("long.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write('phone,note\n0501234567,"' + "x\n" * 3000 + '"\n0551234567,y\n')
        c = [self.path("cli-%s.csv" % k) for k in ("clean", "rejects", "dups")]
        p = subprocess.run([cli, "clean", "-q", "-c", "SA", src, "--max-record-bytes", "2K",
                            "-o", c[0], "--rejects", c[1], "--duplicates", c[2]], timeout=60)
        self.assertEqual(p.returncode, 0)  # the run completed (exit 1 only with --strict)
        py = [self.path("py-%s.csv" % k) for k in ("clean", "rejects", "dups")]
        s = phonenorm.clean(src, *py, region="SA", max_record_bytes=2048)
        self.assertEqual((s["rows"], s["rejected_by_reason"]["too_long_record"]), (2, 1))
        for a, b in zip(c, py):
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read(), b)
        with open(py[1], "rb") as f:
            self.assertTrue(f.read().endswith(b",too_long_record,2,cut_at_byte=2048 of 6013 bytes\n"))
        with self.assertRaises(ValueError):
            phonenorm.clean(src, region="SA", max_record_bytes=-1)
        with self.assertRaises(phonenorm.Error) as e:
            phonenorm.clean(src, region="SA", max_record_bytes=1 << 31)
        self.assertIn("max_record", str(e.exception))

    def test_sniffed_delimiter_and_header_guess_same_as_the_cli(self):
        """Issue 8: without a delimiter, ; TAB | are sniffed as the CLI does;
        the header guess and its row are in the summary."""
        cli = os.environ.get("PHONENORM_CLI")
        if not cli:
            self.skipTest("PHONENORM_CLI is not set (ctest sets them)")
        src = self.path("semi.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write("Name;Mobile\n\"A; B\";0501234567\nC;0551234567\n")
        subprocess.run([cli, "clean", "-q", "-c", "SA", src, "-o", self.path("cli.csv"),
                        "--report", self.path("cli.json")], timeout=60, check=True)
        s = phonenorm.clean(src, self.path("py.csv"), region="SA")
        with open(self.path("cli.csv"), "rb") as fa, open(self.path("py.csv"), "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        self.assertEqual((s["delimiter"], s["delimiter_sniffed"]), (";", True))
        self.assertEqual((s["header_guessed"], s["first_row"]), (True, "Name;Mobile"))
        with open(self.path("cli.json"), encoding="utf-8") as f:
            rep = json.load(f)
        for k in ("delimiter", "delimiter_sniffed", "header_guessed", "first_row"):
            self.assertEqual(s[k], rep[k], k)
        s = phonenorm.clean(src, region="SA", delimiter=",", header=None)
        self.assertFalse(s["delimiter_sniffed"])
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write("n/a\n0501234567\n")
        s = phonenorm.clean(src, region="SA", text=True)
        self.assertEqual((s["rows"], s["has_header"], s["header_guessed"]), (2, False, False))


# ---- dispatch -----------------------------------------------------------

TOKEN = "tok-secret-1234"
#: The contactUuid the fake's accepted call returns (a redial sends it back: a UUID).
CONTACT_UUID = "c0ffee00-0000-4000-8000-000000000001"


class FakeCallAPI(http.server.BaseHTTPRequestHandler):
    """The call API's three endpoints, answering by the number sent."""

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        self.server.requests.append((self.path, dict(self.headers), body))
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            # echo what came, as careless servers do: the client must mask it
            return self.reply(401, {"detail": "Not authenticated: %s"
                                    % self.headers.get("Authorization")})
        if self.path == "/ai/phone-calls/action/call":
            n = body.get("numberToCall")
            if n == "+966501234567":
                return self.reply(201, {"callId": "call-abc123", "status": "queued",
                                        "contactUuid": CONTACT_UUID})
            if n == "+966552345678":
                return self.reply(422, {"detail": [{"loc": ["body", "numberToCall"],
                                                    "msg": "not allowed", "type": "value_error"}]})
            if n == "+966563456789":
                return self.reply(429, {"detail": "slow down"}, [("Retry-After", "7")])
            if n == "+966504444444":
                return self.reply(503, {"detail": "maintenance"})
            return self.reply(500, {"detail": "internal error"})
        if self.path in ("/contact", "/invoice"):
            return self.reply(201, {"uuid": self.path[1:] + "-uuid"})
        return self.reply(404, {"detail": "Not Found"})


class DispatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeCallAPI)
        cls.server.requests = []
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = "http://127.0.0.1:%d" % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def client(self, **kw):
        kw.setdefault("token", TOKEN)
        return phonenorm.Dispatch(self.url, timeout_ms=10000, **kw)

    def test_dry_run_bodies(self):
        sent_before = len(self.server.requests)
        with self.client() as d:
            self.assertEqual(d.url("call"), self.url + "/ai/phone-calls/action/call")
            self.assertEqual(d.url("contact"), self.url + "/contact")
            body = json.loads(d.call_json("٠٥٠١٢٣٤٥٦٧", "SA", first_name="فهد",
                                          prompt_tags={"amount": "1250.00"},
                                          metadata={"invoice": 12345678901234567890,
                                                    "tags": ["a"]},
                                          update_existing=True, create_if_not_exists=False))
            self.assertEqual(body["numberToCall"], "+966501234567")
            self.assertEqual(body["countryCode"], "SA")
            self.assertEqual(body["firstName"], "فهد")
            self.assertEqual(body["promptTags"], {"amount": "1250.00"})
            self.assertEqual(body["metadata"], {"invoice": 12345678901234567890, "tags": ["a"]})
            self.assertIs(body["updateExisting"], True)
            self.assertIs(body["createIfNotExists"], False)
            self.assertNotIn("email", body)
            self.assertEqual(json.loads(d.call_json("+966501234567", metadata='{"a": 1}'))
                             ["metadata"], {"a": 1})
            self.assertEqual(json.loads(d.contact_json("0501234567", "SA", name="N",
                                                       role="PRIMARY")),
                             {"name": "N", "phoneNumber": "+966501234567", "role": "PRIMARY"})
            inv = json.loads(d.invoice_json("2024-01-02", "123e4567-e89b-12d3-a456-426614174000",
                                            number="1", total=100.5))
            self.assertEqual(inv["total"], 100.5)
            self.assertEqual(inv["number"], "1")
        self.assertEqual(len(self.server.requests), sent_before)   # nothing was sent

    def test_invalid_requests_raise_with_the_reason(self):
        with self.client() as d:
            with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
                d.call_json("0501", "SA")
            self.assertIn("numberToCall", cm.exception.detail)
            self.assertEqual(phonenorm._lib.text(phonenorm._lib.error_last()), cm.exception.detail)
            with self.assertRaises(phonenorm.RegionError):
                d.call_json("0501234567", "XX")
            with self.assertRaises(phonenorm.InvalidArgumentError):
                d.call_json("+966501234567", prompt_tags={"n": 5})  # strings only
            with self.assertRaises(phonenorm.InvalidArgumentError):
                d.call_json("+966501234567", contact_uuid="not-a-uuid")
            with self.assertRaises(phonenorm.InvalidArgumentError):
                d.call_json("+966501234567", first_name="a\0b")
            with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
                d.call_json(None)                       # None is "not set": C says why
            self.assertIn("numberToCall", cm.exception.detail)
            with self.assertRaises(TypeError):
                d.call_json(501234567, "SA")
            with self.assertRaises(TypeError):
                d.call_json("+966501234567", update_existing="yes")
            with self.assertRaises(TypeError):
                d.call_json("+966501234567", nickname="x")
            with self.assertRaises(ValueError):
                d.url("sms")
            with self.assertRaises(phonenorm.InvalidArgumentError):
                d.invoice_json("2024-13-45", "123e4567-e89b-12d3-a456-426614174000")
            with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
                d.send_call("0501", "SA")
            self.assertIn("numberToCall", str(cm.exception))
        with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
            phonenorm.Dispatch("http://example.com", token=TOKEN)
        self.assertIn("http:// is allowed only for loopback hosts", cm.exception.detail)
        with self.assertRaises(phonenorm.InputOutputError) as cm:
            phonenorm.Dispatch(self.url, token_file="/nonexistent/token")
        self.assertEqual(cm.exception.detail,
                         "the token file: No such file or directory")

    def test_send_outcomes_are_data(self):
        with self.client() as d:
            r = d.send_call("0501234567", "SA")
            self.assertTrue(r.accepted)
            self.assertEqual((r.outcome, r.http_status, r.call_id, r.status, r.contact_uuid),
                             ("accepted", 201, "call-abc123", "queued", CONTACT_UUID))
            self.assertEqual(r.number, "+966501234567")
            self.assertEqual(r.kind, phonenorm.DispatchKind.CALL)
            self.assertEqual(json.loads(r.body)["callId"], "call-abc123")
            r = d.send_call("0552345678", "SA")
            self.assertEqual((r.outcome, r.http_status), ("rejected", 422))
            self.assertEqual(r.details, (phonenorm.Detail(
                loc="body.numberToCall", loc_parts=("body", "numberToCall"), msg="not allowed",
                type="value_error"),))
            r = d.send_call("0563456789", "SA")
            self.assertEqual((r.outcome, r.retry_after, r.retry_after_seconds),
                             ("throttled", "7", 7))
            self.assertEqual(r.message, "slow down")
            r = d.send_call("0504444444", "SA")
            self.assertEqual((r.outcome, r.http_status), ("throttled", 503))
            r = d.send_call("+12025550110")
            self.assertEqual((r.outcome, r.http_status), ("ambiguous", 500))
            self.assertTrue(r.outcome.description)
            self.assertEqual(d.send_contact("0501234567", "SA", name="N").uuid, "contact-uuid")
            self.assertEqual(d.send_invoice("2024-01-02", "123e4567-e89b-12d3-a456-426614174000",
                                            total="10.5").uuid, "invoice-uuid")
        calls = [req for req in self.server.requests if req[0] == "/ai/phone-calls/action/call"]
        self.assertGreaterEqual(len(calls), 4)
        self.assertEqual(calls[0][1]["Authorization"], "Bearer " + TOKEN)
        self.assertEqual(calls[0][1]["User-Agent"], phonenorm.user_agent())

    def test_refused_connection_and_no_token(self):
        with phonenorm.Dispatch("http://127.0.0.1:9", token=TOKEN,
                                connect_timeout_ms=2000) as d:
            r = d.send_call("0501234567", "SA")
            self.assertEqual((r.outcome, r.http_status), ("not_sent", 0))
            self.assertTrue(r.error)
        with phonenorm.Dispatch(self.url) as d:
            self.assertFalse(d.has_token)
            self.assertIn("+966501234567", d.call_json("0501234567", "SA"))  # dry runs work
            with self.assertRaises(phonenorm.AuthError):
                d.send_call("0501234567", "SA")
        with self.client(token="wrong") as d:
            r = d.send_call("0501234567", "SA")
            self.assertEqual(r.outcome, "auth_failed")
            self.assertNotIn("wrong", r.body + r.error)

    def test_environment_only_when_asked(self):
        env = {"PHONENORM_API_TOKEN": TOKEN, "PHONENORM_API_URL": self.url}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with phonenorm.Dispatch() as d:
                self.assertFalse(d.has_token)      # a Python app never picks one up silently
                self.assertEqual(d.url("contact"), phonenorm.Dispatch.DEFAULT_URL + "/contact")
            with phonenorm.Dispatch(from_env=True) as d:
                self.assertTrue(d.has_token)
                self.assertEqual(d.url("contact"), self.url + "/contact")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_possible_numbers_only_when_allowed(self):
        # issue 8: -c US 0501234567 is only possible (+10501234567): refused by default
        with self.client() as d:
            with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
                d.describe_call("0501234567", "US")
            self.assertIn("only possible", str(cm.exception))
            self.assertEqual(json.loads(d.describe_call("0501234567", "US", allow_possible=True).body),
                             {"numberToCall": "+10501234567", "countryCode": "US"})
            self.assertEqual(json.loads(d.describe_contact("0501234567", "US", name="X",
                                                           allow_possible=True).body),
                             {"name": "X", "phoneNumber": "+10501234567"})
            with self.assertRaises(phonenorm.InvalidArgumentError):
                d.describe_call("+1 202-555-0123", "SA")
            with self.assertRaises(TypeError):
                d.describe_call("0501234567", "US", allow_possible=1)

    def test_describe_is_what_goes_out(self):
        with self.client() as d:
            req = d.describe_call("0501234567", "SA", first_name="N")
            self.assertEqual((req.kind, req.method, req.url),
                             ("call", "POST", self.url + "/ai/phone-calls/action/call"))
            self.assertEqual(req.headers, (("Authorization", "Bearer ****"),
                                           ("Content-Type", "application/json"),
                                           ("Accept", "application/json"),
                                           ("User-Agent", phonenorm.user_agent())))
            before = len(self.server.requests)
            d.send_call("0501234567", "SA", first_name="N")
            path, headers, body = self.server.requests[before]
        self.assertEqual(self.url + path, req.url)
        self.assertEqual(json.loads(req.body), body)
        for name, value in req.headers:
            want = "Bearer " + TOKEN if name == "Authorization" else value
            self.assertEqual(headers[name], want, name)
        with phonenorm.Dispatch(self.url) as d:
            self.assertEqual(d.describe_contact("0501234567", "SA").headers[0],
                             ("Authorization", None))

    def test_token_never_comes_back(self):
        lines = []
        with self.client(token="wrong-" + TOKEN, trace=lines.append) as d:
            r = d.send_call("0501234567", "SA")
        self.assertEqual(r.http_status, 401)
        self.assertNotIn(TOKEN, r.body)             # the server echoes it: masked
        self.assertIn("****", r.body)
        self.assertTrue(lines)
        self.assertTrue(any("Authorization: Bearer ****" in line for line in lines))
        self.assertFalse(any(TOKEN in line for line in lines))

    def test_submit_poll_and_run(self):
        done = []
        with self.client(max_in_flight=2) as d:
            ids = [d.submit_call(n, "SA", done=done.append)
                   for n in ("0501234567", "0552345678", "0563456789")]
            quiet = d.submit_contact("0501234567", "SA", name="N")
            self.assertEqual(sorted(ids + [quiet]), list(range(1, 5)))
            self.assertEqual(d.pending, 4)
            results = d.run()
            self.assertEqual(d.pending, 0)
        self.assertEqual(sorted(r.id for r in done), ids)
        self.assertEqual({r.id: str(r.outcome) for r in done},
                         dict(zip(ids, ["accepted", "rejected", "throttled"])))
        self.assertEqual([(r.id, r.kind, r.uuid) for r in results],
                         [(quiet, "contact", "contact-uuid")])

    def test_callback_errors_and_reentry(self):
        with self.client() as d:
            def bad(result):
                raise ValueError("callback failed")
            d.submit_call("0501234567", "SA", done=bad)
            with self.assertRaises(ValueError):
                d.run()
            self.assertEqual(d.pending, 0)

            def reenter(result):
                d.run()
            d.submit_call("0501234567", "SA", done=reenter)
            with self.assertRaises(RuntimeError):
                d.run()

            chained = []

            def chain(result):
                chained.append(result)
                if len(chained) == 1:
                    d.submit_call("0501234567", "SA", done=chain)  # allowed
            d.submit_call("0501234567", "SA", done=chain)
            d.run()
            self.assertEqual(len(chained), 2)
            with self.assertRaises(ValueError):
                d.poll(timeout_ms=-1)
        with self.assertRaises(ValueError):
            d.send_call("0501234567", "SA")        # closed
        self.assertRegex(repr(d), "closed")


# ---- campaign -----------------------------------------------------------

#: 2026-12-07 (a Monday) 08:00 UTC: 11:00 in Riyadh, inside the Saudi window.
MONDAY_0800_MS = 1796630400000


class CampaignTest(unittest.TestCase):
    """phonenorm.Campaign (the dialer) against the in-process fake API."""

    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeCallAPI)
        cls.server.requests = []
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = "http://127.0.0.1:%d" % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.list = os.path.join(self.dir.name, "list.csv")
        self.db = os.path.join(self.dir.name, "campaign.db")
        with open(self.list, "w", encoding="utf-8") as f:
            f.write("first_name,phone,plan\nFahad,0501234567,gold\nNoura,0552345678,silver\n"
                    "X,12,\nAgain,050 123 4567,\n")

    def tearDown(self):
        self.dir.cleanup()

    def campaign(self, **kw):
        kw.setdefault("region", "SA")
        kw.setdefault("base_url", self.url)
        kw.setdefault("token", TOKEN)
        kw.setdefault("test_now_ms", MONDAY_0800_MS)
        kw.setdefault("tags", {"plan": "plan"})
        return phonenorm.Campaign(self.db, self.list, **kw)

    def test_dry_run_plan(self):
        before = len(self.server.requests)
        with self.campaign(rate=2) as c:
            p = c.plan()
            with self.assertRaises(phonenorm.InvalidArgumentError):
                c.run()
        self.assertEqual((p.rows, p.to_call, p.done, p.skipped), (4, 2, 0, 2))
        self.assertEqual(p.skipped_by_reason, {"invalid:too_short": 1, "duplicate": 1})
        self.assertAlmostEqual(p.eta_seconds, 1.0)
        self.assertEqual(p.windows, (("SA", 2, True, None),))
        line, req = p.requests[0]
        self.assertEqual(line, 2)
        self.assertIn(("Authorization", "Bearer ****"), req.headers)
        body = json.loads(req.body)
        self.assertEqual(body["numberToCall"], "+966501234567")
        self.assertEqual(body["firstName"], "Fahad")
        self.assertEqual(body["promptTags"], {"plan": "gold"})
        self.assertIn("phonenorm_dispatch_id", body["metadata"])
        self.assertFalse(os.path.exists(self.db))
        self.assertEqual(len(self.server.requests), before)

    def test_live_run_resume_and_lock(self):
        events = []
        with self.campaign(dry_run=False, rate=0, on_event=events.append) as c:
            self.assertEqual(len(c.campaign_id), 36)
            with self.assertRaises(phonenorm.InputOutputError):
                self.campaign(dry_run=False)
            s = c.run()
        self.assertEqual((s["accepted"], s["rejected"], s["skipped"], s["end"]),
                         (1, 1, 2, "done"))
        rows = [e for e in events if e["kind"] == "row"]
        self.assertEqual(sorted(e["http_status"] for e in rows), [201, 422])
        self.assertIn("not allowed", [e for e in rows if e["http_status"] == 422][0]["detail"])
        self.assertTrue(all(len(e["dispatch_id"]) == 36 for e in rows))
        self.assertEqual(events[0]["kind"], "loaded")
        before = len(self.server.requests)
        with self.campaign(dry_run=False, rate=0) as c:
            self.assertEqual(c.run()["sent"], 0)
        self.assertEqual(len(self.server.requests), before)
        with self.assertRaises(phonenorm.InvalidArgumentError):
            self.campaign(dry_run=False, tags={"plan": "first_name"})

    def test_event_callback_errors_and_stop(self):
        def boom(ev):
            if ev["kind"] == "row":
                raise KeyError("from the callback")
        with self.campaign(dry_run=False, rate=0, concurrency=1, on_event=boom) as c:
            with self.assertRaises(KeyError):
                c.run()
            self.assertEqual(c.summary()["end"], "stopped")

    def record_result(self, dispatch_id, number, delivery, ts_s):
        """A phone_call.ended event into the journal through the C library's
        receiver (phn_campaign_receiver_*), as the webhook server writes it."""
        lib = phonenorm._lib.lib
        lib.phn_campaign_receiver_open.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p]
        lib.phn_campaign_receiver_record.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_int64, ctypes.POINTER(ctypes.c_int)]
        lib.phn_campaign_receiver_close.argtypes = [ctypes.c_void_p]
        rc = ctypes.c_void_p()
        self.assertEqual(lib.phn_campaign_receiver_open(ctypes.byref(rc), self.db.encode()), 0)
        body = json.dumps({"providerCallId": "0f8e6a1e-2b7c-4d2a-9a51-3c1b2e9d7f10",
                           "numberTo": number, "providerStatus": delivery,
                           "deliveryStatus": delivery, "duration": 0 if delivery == "fail" else 33,
                           "endedReason": "no-answer", "callOutput": "NO_ANSWER",
                           "sentimentOutput": "NEUTRAL",
                           "metadata": {"requestMetadata": {"phonenorm_dispatch_id": dispatch_id}}
                           }).encode()
        out = ctypes.c_int(-1)
        try:
            self.assertEqual(lib.phn_campaign_receiver_record(
                rc, b"msg_py_" + dispatch_id.encode(), ts_s, body, len(body), ts_s * 1000,
                ctypes.byref(out)), 0)
        finally:
            lib.phn_campaign_receiver_close(rc)
        self.assertEqual(out.value, 0)  # PHN_RECEIVER_APPLIED

    def test_report_and_redial_undelivered(self):
        events = []
        with self.campaign(dry_run=False, rate=0, on_event=events.append) as c:
            c.run()
        r = phonenorm.Campaign.report(self.db)
        self.assertEqual(r["states"]["accepted"], 1)
        self.assertEqual((r["results"]["accepted"], r["results"]["awaiting_result"]), (1, 1))
        sent = [e for e in events if e["kind"] == "row" and e["http_status"] == 201][0]
        ts = MONDAY_0800_MS // 1000 + 60
        self.record_result(sent["dispatch_id"], "+966501234567", "fail", ts)
        r = phonenorm.Campaign.report(self.db)
        self.assertEqual((r["results"]["not_delivered"], r["results"]["awaiting_result"],
                          r["results"]["call_output"]), (1, 0, {"NO_ANSWER": 1}))
        with self.assertRaises(ValueError):
            self.campaign(redial_after=60)
        with self.campaign(redial_undelivered=True, redial_after=3600,
                           test_now_ms=MONDAY_0800_MS + 1800 * 1000) as c:
            p = c.plan()
        self.assertEqual((p.redial_due, p.redial_later, p.redial_next_due_ms, p.to_call),
                         (0, 1, ts * 1000 + 3600 * 1000, 0))
        before = len(self.server.requests)
        events = []
        with self.campaign(dry_run=False, rate=0, redial_undelivered=True, redial_after=3600,
                           test_now_ms=MONDAY_0800_MS + 7200 * 1000, on_event=events.append) as c:
            s = c.run()
        self.assertEqual(s["redialed"], 1)
        self.assertIn("redial", [e["kind"] for e in events])
        calls = [q[2] for q in self.server.requests[before:] if q[0].endswith("/action/call")]
        self.assertEqual([q["numberToCall"] for q in calls], ["+966501234567"])
        r = phonenorm.Campaign.report(self.db)
        self.assertEqual((r["results"]["accepted"], r["results"]["awaiting_result"],
                          r["call_attempts"]), (1, 1, 3))


if __name__ == "__main__":
    unittest.main()
