"""The installed package works with no environment: run as
`python3 -I check_installed.py STAGE PYDIR` after `cmake --install --prefix STAGE`.
-I keeps PYTHONPATH and the user's site out, so the source tree is not used."""
import os
import sys

stage, pydir = sys.argv[1], sys.argv[2]
site = pydir if os.path.isabs(pydir) else os.path.join(stage, pydir)
os.environ.pop("PHONENORM_LIBRARY", None)
sys.path.insert(0, site)

import phonenorm  # noqa: E402

failures = []
pkg = os.path.realpath(os.path.dirname(phonenorm.__file__))
if pkg != os.path.realpath(os.path.join(site, "phonenorm")):
    failures.append("imported %s, not the installed package in %s" % (pkg, site))
lib = os.path.realpath(phonenorm.library_path())
if not os.path.isfile(lib) or not lib.startswith(os.path.realpath(stage) + os.sep):
    failures.append("loaded %s, not the library installed under %s" % (lib, stage))
n = phonenorm.parse("٠٥٠١٢٣٤٥٦٧", "SA")
if (n.e164, n.status, n.format("intl")) != ("+966501234567", "valid", "+966 50 123 4567"):
    failures.append("parse gave %r" % (n,))
if not os.path.isfile(os.path.join(pkg, "py.typed")):
    failures.append("no py.typed in %s: type checkers would ignore the hints" % pkg)
if phonenorm.version() != phonenorm.__version__:
    failures.append("library %s, binding %s" % (phonenorm.version(), phonenorm.__version__))
for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed (package %s, library %s)"
      % (5 - len(failures), len(failures), pkg, lib))
sys.exit(1 if failures else 0)
