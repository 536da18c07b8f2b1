"""`pip install bindings/python` works offline and the result finds its library.

    python3 check_pip_install.py SOURCE_DIR LIBRARY WORK_DIR

run by ctest (python_pip_install) with Debian's /usr/bin/python3. Two installs,
both with --no-index, so nothing can come from the network:

1. `pip install --target WORK/target SOURCE_DIR` with pip's default build
   isolation: the in-tree backend needs nothing that python3 lacks. The
   package is then imported with PHONENORM_LIBRARY pointing at LIBRARY.
2. a venv (python3 -m venv, offline: Debian's python3-venv carries pip),
   `pip install --config-settings library=LIBRARY SOURCE_DIR`: the installed
   package loads that library with no environment at all (python -I).
"""
import os
import shutil
import subprocess
import sys

src, library, work = (os.path.abspath(a) for a in sys.argv[1:4])
failures = []
checks = 0

ENV = dict(os.environ, PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
           PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
ENV.pop("PYTHONPATH", None)
ENV.pop("PHONENORM_LIBRARY", None)
PIP = ["-m", "pip", "install", "--no-index", "--root-user-action=ignore", "--quiet"]

# What the installed package must do, run by the Python under test.
PROBE = r"""
import json, os, sys, typing
import phonenorm
here = os.path.dirname(phonenorm.__file__)
n = phonenorm.parse("٠٥٠١٢٣٤٥٦٧", "SA")
print(json.dumps({
    "package": os.path.realpath(here),
    "library": os.path.realpath(phonenorm.library_path()),
    "typed": os.path.isfile(os.path.join(here, "py.typed")),
    "str": str(n),
    "many": phonenorm.normalize_many(["050 123 4567", "0501234", None], "SA"),
    "version": [phonenorm.__version__, phonenorm.version()],
    "hints": str(typing.get_type_hints(phonenorm.normalize_many)["return"]),
}))
"""


def run(cmd, env=ENV, **kw):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout,
                                                       p.stderr))
    return p.stdout


def check(what, got, want):
    global checks
    checks += 1
    if got != want:
        failures.append("%s: got %r, want %r" % (what, got, want))


def probe(python, pkg_dir, env, prefix=()):
    import json
    out = json.loads(run([python, "-I", "-c", "\n".join(prefix) + PROBE], env=env,
                         cwd=work))
    check("package imported from", out["package"], os.path.realpath(pkg_dir))
    check("library loaded", out["library"], os.path.realpath(library))
    check("py.typed installed", out["typed"], True)
    check("str(number)", out["str"], "+966501234567")
    check("normalize_many", out["many"], ["+966501234567", None, None])
    check("binding and library versions", out["version"][0], out["version"][1])
    check("type hints", out["hints"], "typing.List[typing.Optional[str]]")


def listing(top):
    return sorted(os.path.relpath(os.path.join(d, f), top)
                  for d, dirs, files in os.walk(top) for f in files + dirs
                  if "__pycache__" not in os.path.join(d, f))


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
before = listing(src)

# 1. --target, default build isolation, library from the environment.
target = os.path.join(work, "target")
run([sys.executable] + PIP + ["--target", target, src])
probe(sys.executable, os.path.join(target, "phonenorm"),
      dict(ENV, PHONENORM_LIBRARY=library), ["import sys; sys.path.insert(0, %r)" % target])
check("files in the wheel",
      sorted(f for f in os.listdir(os.path.join(target, "phonenorm")) if f != "__pycache__"),
      sorted(f for f in os.listdir(os.path.join(src, "phonenorm"))
             if (f.endswith(".py") and f != "_install.py") or f == "py.typed"))

# 2. a venv, the library's path given at install time, no environment after.
venv = os.path.join(work, "venv")
run([sys.executable, "-m", "venv", venv])
vpy = os.path.join(venv, "bin", "python")
run([vpy] + PIP + ["--config-settings", "library=" + library, src])
site = run([vpy, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
probe(vpy, os.path.join(site, "phonenorm"), ENV)

check("source tree after the builds", listing(src), before)

for f in failures:
    print("FAIL:", f)
print("%d passed, %d failed" % (checks - len(failures), len(failures)))
sys.exit(1 if failures else 0)
