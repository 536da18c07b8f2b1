"""phonenorm.find(), example_number(), regions(): the binding's side of
phn_number_find and the region/example calls (issue 11).

Run by ctest (python_binding) with PHONENORM_LIBRARY pointing at the build.
Expectations hold for both the bundled and the system metadata.
"""
import ctypes
import json
import os
import subprocess
import unittest

import phonenorm
from phonenorm import _find

AR_TEXT = "مرحبا اتصل على ٠٥٠١٢٣٤٥٦٧ أو +966 50 123 4567 شكرا"
US_TEXT = ("Call (202) 555-0110 or ＋１ ２０２ ５５５ ０１１１ on 2024-01-05 at 12:30, "
           "pay $1,234.56. Desk: 202-555-0112 ext. 45 😀 +44 20 7946 0958")


class FindTest(unittest.TestCase):
    def test_str_offsets_are_code_points(self):
        ms = phonenorm.find(AR_TEXT, "SA")
        self.assertEqual([m.raw for m in ms], ["٠٥٠١٢٣٤٥٦٧", "+966 50 123 4567"])
        for m in ms:
            self.assertEqual(AR_TEXT[m.start:m.end], m.raw)
            self.assertEqual(str(m), "+966501234567")
            self.assertIs(m.number.status, phonenorm.Status.VALID)
        self.assertEqual(ms[0].start, 15)

    def test_astral_characters_and_full_width(self):
        ms = phonenorm.find(US_TEXT, "us")
        self.assertEqual([m.raw for m in ms],
                         ["(202) 555-0110", "＋１ ２０２ ５５５ ０１１１", "202-555-0112 ext. 45",
                          "+44 20 7946 0958"])
        for m in ms:
            self.assertEqual(US_TEXT[m.start:m.end], m.raw)
        self.assertEqual(ms[2].number.extension, "45")
        self.assertEqual(ms[3].number.region, "GB")

    def test_bytes_give_byte_offsets(self):
        data = AR_TEXT.encode()
        ms = phonenorm.find(data, "SA")
        self.assertEqual(ms[0].start, 27)
        self.assertEqual(ms[0].raw, "٠٥٠١٢٣٤٥٦٧".encode())
        for m in ms:
            self.assertEqual(data[m.start:m.end], m.raw)
        self.assertEqual(len(phonenorm.find(bytearray(data), "SA")), 2)

    def test_number_is_what_parse_gives(self):
        for m in phonenorm.find(US_TEXT, "US"):
            self.assertEqual(m.number, phonenorm.parse(m.raw, "US"))

    def test_no_region_finds_international_numbers_only(self):
        self.assertEqual([m.raw for m in phonenorm.find(AR_TEXT)], ["+966 50 123 4567"])
        self.assertEqual([m.raw for m in phonenorm.find(AR_TEXT, "")], ["+966 50 123 4567"])

    def test_leniencies(self):
        text = "Google: 650 2530000 or 650 253 0000 or 65 02 53 00 00"
        counts = {l: len(phonenorm.find(text, "US", l))
                  for l in ("valid", "strict_grouping", "exact_grouping")}
        self.assertEqual(counts, {"valid": 3, "strict_grouping": 2, "exact_grouping": 1})
        self.assertEqual(len(phonenorm.find(text, "US", "STRICT")), 2)
        self.assertEqual(len(phonenorm.find(text, "US", phonenorm.Leniency.EXACT_GROUPING)), 1)
        ms = phonenorm.find("call +1 202 000 0000", None, "possible")
        self.assertEqual(len(ms), 1)
        self.assertIs(ms[0].number.status, phonenorm.Status.POSSIBLE)
        self.assertEqual(phonenorm.find("call +1 202 000 0000"), [])

    def test_decoys_are_not_numbers(self):
        self.assertEqual(phonenorm.find("on 2024-01-05 at 12:30 pay $1,234.56", "US"), [])

    def test_errors(self):
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.find("x", "XX")
        with self.assertRaises(ValueError):
            phonenorm.find("x", "US", "lenient")
        with self.assertRaises(TypeError):
            phonenorm.find(5, "US")
        with self.assertRaises(TypeError):
            phonenorm.find("x", "US", 2)
        with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
            phonenorm.find(b"+966501234567 \xff")
        self.assertIn("UTF-8", str(cm.exception))
        with self.assertRaises(phonenorm.InvalidArgumentError):
            phonenorm.find("+966501234567 \udc80")
        with self.assertRaises(phonenorm.InvalidArgumentError) as cm:
            phonenorm.find(" " * (phonenorm.FIND_TEXT_MAX + 1))
        self.assertIn("PHN_FIND_TEXT_MAX", str(cm.exception))
        self.assertEqual(phonenorm.find(""), [])

    def test_many_matches_in_a_long_text(self):
        line = "é +966 50 123 4567, (202) 555-0110 — "
        text = line * 1500
        ms = phonenorm.find(text, "US")
        self.assertEqual(len(ms), 3000)
        for m in ms[::97]:
            self.assertEqual(text[m.start:m.end], m.raw)


class ExampleTest(unittest.TestCase):
    def test_sa_mobile(self):
        n = phonenorm.example_number("sa", "mobile")
        self.assertTrue(n.e164.startswith("+9665") and len(n.e164) == 13)
        self.assertIs(n.type, phonenorm.NumberType.MOBILE)
        self.assertEqual(phonenorm.example_number("SA", phonenorm.NumberType.MOBILE), n)
        any_type = phonenorm.example_number("SA")
        self.assertIs(any_type.status, phonenorm.Status.VALID)
        self.assertEqual(any_type.country_code, 966)

    def test_missing_example_is_none(self):
        self.assertIsNone(phonenorm.example_number("US", "pager"))

    def test_every_region_every_type(self):
        seen = 0
        for region, code in phonenorm.regions().items():
            for t in phonenorm.NumberType:
                n = phonenorm.example_number(region, t)
                if n is None:
                    continue
                seen += 1
                self.assertEqual(n.country_code, code, (region, t))
                self.assertEqual(phonenorm.parse(n.e164), n)
        self.assertGreater(seen, 1000)

    def test_non_geo(self):
        codes = phonenorm.non_geo_country_codes()
        self.assertIn(800, codes)
        self.assertEqual(codes, sorted(set(codes)))
        for c in codes:
            n = phonenorm.example_number_non_geo(c)
            self.assertEqual((n.country_code, n.region), (c, "001"))
        self.assertEqual(phonenorm.example_number_non_geo(800).e164, "+80012345678")
        self.assertIsNone(phonenorm.example_number_non_geo(966))
        self.assertIsNone(phonenorm.example_number_non_geo(2**40))
        with self.assertRaises(TypeError):
            phonenorm.example_number_non_geo("800")

    def test_errors(self):
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.example_number("XX", "mobile")
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.example_number("", "mobile")
        with self.assertRaises(TypeError):
            phonenorm.example_number(None)
        with self.assertRaises(ValueError):
            phonenorm.example_number("SA", "cellphone")
        with self.assertRaises(TypeError):
            phonenorm.example_number("SA", 2)


class RegionsTest(unittest.TestCase):
    def test_regions(self):
        r = phonenorm.regions()
        self.assertGreater(len(r), 200)
        self.assertEqual(list(r), sorted(r))
        self.assertEqual((r["SA"], r["US"], r["GB"]), (966, 1, 44))
        for region, code in r.items():
            self.assertEqual(phonenorm.region_country_code(region), code)

    def test_cli_agrees(self):
        cli = os.environ.get("PHONENORM_CLI")
        if not cli:
            self.skipTest("PHONENORM_CLI is not set (ctest sets it)")
        out = subprocess.run([cli, "regions", "--json"], check=True, capture_output=True,
                             text=True, timeout=60).stdout
        rows = [json.loads(l) for l in out.splitlines()]
        geo = {o["region"]: o["country_code"] for o in rows if o["region"] != "001"}
        self.assertEqual(geo, phonenorm.regions())
        self.assertEqual([o["country_code"] for o in rows if o["region"] == "001"],
                         phonenorm.non_geo_country_codes())


class MatchLayoutTest(unittest.TestCase):
    """phn_match's ctypes mirror is the C struct."""

    def test_layout(self):
        probe = os.environ.get("PHONENORM_LAYOUT_PROBE")
        if not probe:
            self.skipTest("PHONENORM_LAYOUT_PROBE is not set (ctest sets it)")
        c = json.loads(subprocess.run([probe], check=True, capture_output=True, text=True,
                                      timeout=60).stdout)["phn_match"]
        self.assertEqual(ctypes.sizeof(_find.phn_match), c["size"])
        self.assertEqual([f[0] for f in _find.phn_match._fields_], list(c["fields"]))
        for name, offset in c["fields"].items():
            self.assertEqual(getattr(_find.phn_match, name).offset, offset, name)


if __name__ == "__main__":
    unittest.main()
