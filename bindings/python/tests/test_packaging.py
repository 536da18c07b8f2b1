"""The in-tree PEP 517 backend (build_backend/phonenorm_build.py) on its own:
wheel and sdist contents, RECORD hashes, metadata. ctest's python_pip_install
runs pip itself over it."""

import base64
import hashlib
import importlib
import os
import sys
import tarfile
import tempfile
import unittest
import zipfile

import phonenorm

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "build_backend"))
backend = importlib.import_module("phonenorm_build")
sys.path.pop(0)


class BackendTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_version_comes_from_the_package(self):
        self.assertEqual(backend.read_version(), phonenorm.__version__)

    def test_toml_subset_reader_agrees_with_tomllib(self):
        try:
            import tomllib
        except ImportError:
            self.skipTest("no tomllib before Python 3.11")
        with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
            data = f.read()
        self.assertEqual(backend._read_toml_subset(data.decode()), tomllib.loads(data.decode()))

    def test_wheel(self):
        name = backend.build_wheel(self.tmp.name)
        self.assertEqual(name, "phonenorm-%s-py3-none-any.whl" % phonenorm.__version__)
        with zipfile.ZipFile(os.path.join(self.tmp.name, name)) as z:
            names = z.namelist()
            self.assertIn("phonenorm/py.typed", names)
            self.assertIn("phonenorm/_number.py", names)
            self.assertNotIn("phonenorm/_install.py", names)
            self.assertFalse([n for n in names if "tests" in n or "build_backend" in n])
            info = "phonenorm-%s.dist-info/" % phonenorm.__version__
            meta = z.read(info + "METADATA").decode()
            self.assertIn("Name: phonenorm\n", meta)
            self.assertIn("Version: %s\n" % phonenorm.__version__, meta)
            self.assertIn("Requires-Python: >=3.7\n", meta)
            self.assertIn("Classifier: Typing :: Typed\n", meta)
            self.assertIn("# phonenorm for Python", meta)
            self.assertIn("Root-Is-Purelib: true", z.read(info + "WHEEL").decode())
            record = z.read(info + "RECORD").decode().splitlines()
            self.assertEqual(sorted(r.split(",")[0] for r in record), sorted(names))
            for line in record:
                path, digest, size = line.split(",")
                if path.endswith("RECORD"):
                    continue
                data = z.read(path)
                want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                self.assertEqual(digest, "sha256=" + want.decode(), path)
                self.assertEqual(int(size), len(data), path)
        # the same bytes every time (fixed timestamps, sorted entries)
        first = open(os.path.join(self.tmp.name, name), "rb").read()
        os.remove(os.path.join(self.tmp.name, name))
        backend.build_wheel(self.tmp.name)
        self.assertEqual(open(os.path.join(self.tmp.name, name), "rb").read(), first)

    def test_library_config_setting(self):
        lib = os.path.join(self.tmp.name, "libphonenorm.so.0")
        open(lib, "wb").close()
        name = backend.build_wheel(os.path.join(self.tmp.name, "w"), {"library": lib})
        with zipfile.ZipFile(os.path.join(self.tmp.name, "w", name)) as z:
            self.assertEqual(z.read("phonenorm/_install.py").decode().splitlines()[-1],
                             "LIBRARY = %r" % lib)
        with self.assertRaises(FileNotFoundError) as cm:
            backend.build_wheel(self.tmp.name, {"library": "/nonexistent/libphonenorm.so.0"})
        self.assertIn("/nonexistent/libphonenorm.so.0", str(cm.exception))

    def test_sdist(self):
        name = backend.build_sdist(self.tmp.name)
        base = "phonenorm-%s" % phonenorm.__version__
        self.assertEqual(name, base + ".tar.gz")
        with tarfile.open(os.path.join(self.tmp.name, name)) as t:
            names = t.getnames()
            for want in ("pyproject.toml", "README.md", "PKG-INFO", "phonenorm/py.typed",
                         "build_backend/phonenorm_build.py", "phonenorm/__init__.py"):
                self.assertIn(base + "/" + want, names)
            self.assertIn("Version: %s" % phonenorm.__version__,
                          t.extractfile(base + "/PKG-INFO").read().decode())

    def test_hooks_ask_for_nothing(self):
        self.assertEqual(backend.get_requires_for_build_wheel(), [])
        self.assertEqual(backend.get_requires_for_build_sdist(), [])
        info = backend.prepare_metadata_for_build_wheel(self.tmp.name)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp.name, info, "METADATA")))


if __name__ == "__main__":
    unittest.main()
