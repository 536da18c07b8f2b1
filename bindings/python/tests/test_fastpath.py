"""The compiled fast path through the binding (issue 12): fastpath_info(),
fastpath_compile_all(), parse_traced() and the clean report's fast_path
counts. Every parse gives the same Number whoever answers; these check that
the binding says who did. Run by ctest's python_binding with the rest."""

import ctypes
import io
import json
import os
import subprocess
import sys
import unittest

import phonenorm
from phonenorm import _fastpath

# Inputs the fast path handles when it is on (plain digits and separators,
# SA and US as the default region, or a leading +; text without a digit) ...
FAST = [("0501234567", "SA"), ("+966 50 123 4567", None), ("(202) 555-0110", "US"),
        ("٠٥٠١٢٣٤٥٦٧", "SA"), ("+49 30 1234567", None), ("call me", "SA")]
# ... and inputs it leaves to libphonenumber (letters after the number
# starts: vanity numbers; a region whose prefixes it does not read: JP).
FALLBACK = [("1-800-FLOWERS", "US"), ("0312345678", "JP")]

CHILD = r"""
import json, sys, phonenorm
i = phonenorm.fastpath_info()
n, p = phonenorm.parse_traced("0501234567", "SA")
print(json.dumps({"enabled": i.enabled, "reason": i.reason, "path": p.value,
                  "e164": n.e164}))
"""


def child(fastpath=None):
    env = dict(os.environ)
    env.pop("PHONENORM_FASTPATH", None)
    if fastpath is not None:
        env["PHONENORM_FASTPATH"] = fastpath
    p = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("child failed: %s" % p.stderr)
    return json.loads(p.stdout)


class FastPathTest(unittest.TestCase):
    def test_info(self):
        i = phonenorm.fastpath_info()
        self.assertIsInstance(i, phonenorm.FastPathInfo)
        self.assertEqual(i.verified_engine, "8.12.57")
        if i.enabled:
            self.assertEqual(i.reason, "")
            self.assertGreater(i.territories, 200)
            self.assertTrue(0 < i.territories_handled <= i.territories)
        else:
            self.assertNotEqual(i.reason, "")
        self.assertGreaterEqual(i.territories_compiled, 0)
        self.assertGreaterEqual(i.compile_seconds, 0.0)

    def test_parse_traced_same_number_as_parse(self):
        on = phonenorm.fastpath_info().enabled
        for text, region in FAST + FALLBACK:
            n, path = phonenorm.parse_traced(text, region)
            self.assertEqual(n, phonenorm.parse(text, region), text)
            self.assertIsInstance(path, phonenorm.ParsePath)
            if not on:
                self.assertIs(path, phonenorm.ParsePath.ENGINE, text)
            elif (text, region) in FAST:
                self.assertIs(path, phonenorm.ParsePath.FAST, text)
            else:
                self.assertIs(path, phonenorm.ParsePath.FALLBACK, text)
        self.assertEqual(phonenorm.ParsePath.FAST, "fast")
        with self.assertRaises(phonenorm.RegionError):
            phonenorm.parse_traced("0501234567", "XX")
        with self.assertRaises(phonenorm.InvalidArgumentError):
            phonenorm.parse_traced(b"\xff", "SA")

    def test_compile_all(self):
        phonenorm.fastpath_compile_all()
        phonenorm.fastpath_compile_all()  # idempotent
        i = phonenorm.fastpath_info()
        if i.enabled:
            self.assertTrue(0 < i.territories_compiled <= i.territories)
            self.assertGreater(i.compile_seconds, 0.0)
        else:
            self.assertEqual(i.territories_compiled, 0)

    def test_switched_off(self):
        default, off = child(), child("0")
        self.assertFalse(off["enabled"])
        self.assertIn("PHONENORM_FASTPATH", off["reason"])
        self.assertEqual(off["path"], "engine")
        self.assertEqual(off["e164"], default["e164"])
        self.assertEqual(default["path"], "fast" if default["enabled"] else "engine")

    def test_clean_report_counts(self):
        data = "phone,country\n" + "".join(
            "%s,%s\n" % (t, r or "") for t, r in FAST + FALLBACK) + ",SA\n"
        out, rej = io.StringIO(), io.StringIO()
        s = phonenorm.clean(io.StringIO(data, newline=""), out, rej, region="SA",
                            region_column="country")
        fp = s["fast_path"]
        on = phonenorm.fastpath_info().enabled
        self.assertIs(fp["enabled"], on)
        # The blank phone is never parsed; every other row is, by one path.
        self.assertEqual(fp["parsed"], len(FAST) + len(FALLBACK))
        self.assertEqual(fp["fast"] + fp["fallback"] + fp["engine"], fp["parsed"])
        if on:
            self.assertEqual((fp["fast"], fp["fallback"], fp["engine"]),
                             (len(FAST), len(FALLBACK), 0))
            self.assertAlmostEqual(fp["fallback_share"], len(FALLBACK) / fp["parsed"], 5)
        else:
            self.assertEqual((fp["fast"], fp["fallback"], fp["engine"]), (0, 0, fp["parsed"]))
            self.assertIsNone(fp["fallback_share"])

    def test_layout(self):
        probe = os.environ.get("PHONENORM_LAYOUT_PROBE")
        if not probe:
            self.skipTest("PHONENORM_LAYOUT_PROBE is not set (ctest sets it)")
        c = json.loads(subprocess.run([probe], check=True, capture_output=True, text=True,
                                      timeout=60).stdout)["phn_fastpath_info"]
        py = _fastpath.phn_fastpath_info
        self.assertEqual(ctypes.sizeof(py), c["size"])
        self.assertEqual([f[0] for f in py._fields_], list(c["fields"]))
        for field, offset in c["fields"].items():
            self.assertEqual(getattr(py, field).offset, offset, field)


if __name__ == "__main__":
    unittest.main()
