"""Which metadata answers, through the binding (issue 11): libphonenorm
loaded by ctypes (dlopen) must answer with its bundled data like a linked
program, and say so. Run by ctest's python_binding with the rest."""

import ctypes
import json
import os
import subprocess
import sys
import unittest

import phonenorm
from phonenorm import _metadata

# (E.164, type with the bundled data); none is valid with the system data.
FRESH = [("+966574123456", "mobile"), ("+966579512345", "mobile"),
         ("+12272345678", "fixed_line_or_mobile"), ("+14722345678", "fixed_line_or_mobile"),
         ("+19832345678", "fixed_line_or_mobile")]
# Valid (UAN) only with libphonenumber 8.12.57's own data.
OLD = "+9668110123456"

# A fresh interpreter: the choice is fixed per process.
CHILD = r"""
import json, sys, phonenorm
if len(sys.argv) > 1:
    phonenorm.select_metadata(sys.argv[1])
n = [phonenorm.parse(e) for e in %r + [%r]]
i = phonenorm.metadata_info()
print(json.dumps({"numbers": [[x.status.value, x.type.value] for x in n],
                  "source": i.source.value, "short": i.short_source.value,
                  "alternate": i.alternate_source.value, "requested": i.requested.value,
                  "as_requested": i.as_requested, "reason": i.reason,
                  "version": i.upstream_version, "engine": i.engine_version,
                  "metadata_version": phonenorm.metadata_version()}))
""" % ([e for e, _ in FRESH], OLD)


def child(env_value=None, *args):
    env = dict(os.environ)
    env.pop("PHONENORM_METADATA", None)
    if env_value is not None:
        env["PHONENORM_METADATA"] = env_value
    p = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("child failed: %s" % p.stderr)
    return json.loads(p.stdout)


class MetadataTest(unittest.TestCase):
    def test_bundled_by_default(self):
        r = child()
        self.assertEqual(r["numbers"], [["valid", t] for _, t in FRESH] + [["possible", "unknown"]])
        self.assertEqual((r["requested"], r["source"], r["short"], r["alternate"]),
                         ("bundled",) * 4)
        self.assertTrue(r["as_requested"])
        self.assertEqual(r["reason"], "")
        self.assertEqual(r["metadata_version"], r["version"])
        self.assertNotEqual(r["version"], r["engine"])

    def test_system_by_environment(self):
        r = child("system")
        self.assertEqual(r["numbers"], [["possible", "unknown"]] * len(FRESH) + [["valid", "uan"]])
        self.assertEqual((r["source"], r["short"], r["alternate"]), ("system",) * 3)
        self.assertEqual(r["version"], r["engine"])
        self.assertTrue(r["as_requested"])

    def test_select_wins_over_environment(self):
        r = child("bundled", "system")
        self.assertEqual((r["requested"], r["source"]), ("system", "system"))
        r = child("system", "bundled")
        self.assertEqual((r["requested"], r["source"]), ("bundled", "bundled"))
        self.assertEqual(r["numbers"][0], ["valid", "mobile"])

    def test_bad_environment_value(self):
        r = child("fresh")
        self.assertEqual((r["requested"], r["source"]), ("bundled", "bundled"))
        self.assertFalse(r["as_requested"])
        self.assertIn("PHONENORM_METADATA='fresh' is neither 'bundled' nor 'system'", r["reason"])

    def test_in_this_process(self):
        info = phonenorm.metadata_info()
        self.assertIsInstance(info, phonenorm.MetadataInfo)
        self.assertIs(info.source, phonenorm.MetadataSource.BUNDLED if
                      os.environ.get("PHONENORM_METADATA", "") != "system" else
                      phonenorm.MetadataSource.SYSTEM)
        self.assertRegex(info.upstream_version, r"^\d+\.\d+\.\d+$")
        self.assertEqual(phonenorm.metadata_version(), info.upstream_version)
        # In use now: the same choice is fine, the other is too late.
        phonenorm.select_metadata(info.requested)
        other = "system" if info.requested == "bundled" else "bundled"
        with self.assertRaises(phonenorm.StateError) as cm:
            phonenorm.select_metadata(other)
        self.assertEqual(cm.exception.code, -12)
        self.assertIn("already in use", str(cm.exception))
        for bad in ("fresh", "", None, 1):
            with self.assertRaises(phonenorm.InvalidArgumentError):
                phonenorm.select_metadata(bad)
        self.assertEqual(phonenorm.metadata_info(), info)

    def test_layout(self):
        probe = os.environ.get("PHONENORM_LAYOUT_PROBE")
        if not probe:
            self.skipTest("PHONENORM_LAYOUT_PROBE is not set (ctest sets it)")
        c = json.loads(subprocess.run([probe], check=True, capture_output=True, text=True,
                                      timeout=60).stdout)["phn_metadata_info"]
        py = _metadata.phn_metadata_info
        self.assertEqual(ctypes.sizeof(py), c["size"])
        self.assertEqual([f[0] for f in py._fields_], list(c["fields"]))
        for field, offset in c["fields"].items():
            self.assertEqual(getattr(py, field).offset, offset, field)


if __name__ == "__main__":
    unittest.main()
