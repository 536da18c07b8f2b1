"""The installed phonenorm.so (cmake --install into the staging prefix of
the install_stage fixture): in ${CMAKE_INSTALL_LIBDIR} beside the library,
loaded by name through the dynamic loader, and finding libphonenorm.so.0
through its $ORIGIN RPATH wherever the directory is moved."""
import glob
import os
import shutil
import unittest

from sqlite_shell import rows, shell, tmpdir

LIBDIR = os.path.join(os.environ["PHN_STAGE"], os.environ["PHN_LIBDIR"])
CHECK = "SELECT phn_e164('0501234567', 'SA') AS e, phn_metadata() AS md"
WANT = {"e": "+966501234567", "md": "9.0.35 bundled (libphonenumber 8.12.57)"}
# The loader's search path from the environment must not help: only the
# module's own RPATH (or the path given) may find things.
NO_PATH = {"LD_LIBRARY_PATH": "", "PHONENORM_METADATA": ""}


class Installed(unittest.TestCase):
    def test_installed_beside_the_library(self):
        self.assertTrue(os.path.isfile(os.path.join(LIBDIR, "phonenorm.so")))
        self.assertTrue(glob.glob(os.path.join(LIBDIR, "libphonenorm.so.*")))

    def test_load_by_name(self):
        # `.load phonenorm`: sqlite3 dlopen()s "phonenorm", then "phonenorm.so",
        # through the loader's search path (here LD_LIBRARY_PATH; for the /usr
        # prefix, the system's library directory).
        got = rows(self, CHECK, env={"LD_LIBRARY_PATH": LIBDIR, "PHONENORM_METADATA": ""},
                   prelude=".load phonenorm\n", ext=None)
        self.assertEqual(got, [WANT])
        p = shell("SELECT 1;\n", ext="phonenorm", env=NO_PATH)
        self.assertNotEqual(p.returncode, 0)

    def test_relocated_prefix(self):
        with tmpdir() as d:
            moved = os.path.join(d, "lib")
            os.mkdir(moved)
            for f in glob.glob(os.path.join(LIBDIR, "*phonenorm.so*")):
                shutil.copy2(f, moved, follow_symlinks=False)
            got = rows(self, CHECK, env=NO_PATH, prelude=f".load {moved}/phonenorm\n", ext=None)
            self.assertEqual(got, [WANT])
            # Without the library beside it, the module does not load: it
            # was $ORIGIN that found it, not a path baked in at build time.
            for f in glob.glob(os.path.join(moved, "libphonenorm.so*")):
                os.remove(f)
            p = shell("SELECT 1;\n", ext=f"{moved}/phonenorm", env=NO_PATH)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("libphonenorm.so", p.stderr)


if __name__ == "__main__":
    unittest.main()
