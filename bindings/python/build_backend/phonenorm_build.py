"""A PEP 517 build backend for the phonenorm package, standard library only.

phonenorm is pure Python (ctypes), so a wheel is a zip of phonenorm/*.py and
py.typed plus the .dist-info files; this module writes it with zipfile,
hashlib and base64, and the sdist with tarfile. It needs no setuptools and no
wheel package, so `pip install bindings/python` works on any python3 that has
pip (Debian's /usr/bin/python3 included), offline, with or without build
isolation. It runs on Python 3.7 and newer.

Metadata comes from pyproject.toml's [project] table (tomllib where there is
one, else a reader for the small subset of TOML that file uses) and the
version from phonenorm/__init__.py, its one source.

One config setting: `library=PATH` (pip install --config-settings
library=/opt/x/lib/libphonenorm.so.0 bindings/python) writes
phonenorm/_install.py into the wheel, so the installed package loads that
library first, as `cmake --install` does for its own copy.
"""

import base64
import gzip
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "phonenorm"
# Reproducible archives: SOURCE_DATE_EPOCH when set, else the zip epoch.
_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold


def _timestamp():
    try:
        return max(int(os.environ["SOURCE_DATE_EPOCH"]), _EPOCH)
    except (KeyError, ValueError):
        return _EPOCH


# ---- pyproject.toml ------------------------------------------------------


def _toml_value(text):
    """One value of the TOML subset pyproject.toml uses: a basic string, an
    array of strings, an inline table of strings."""
    text = text.strip()
    if text.startswith('"'):
        m = re.match(r'"((?:[^"\\]|\\.)*)"\s*$', text)
        if not m:
            raise ValueError("pyproject.toml: cannot read the string %s" % text)
        return m.group(1).encode("latin-1", "backslashreplace").decode("unicode_escape")
    if text.startswith("["):
        inner = text[1:text.rindex("]")]
        return [_toml_value(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', inner)]
    if text.startswith("{"):
        inner = text[1:text.rindex("}")]
        return {k.strip(): _toml_value(v)
                for k, v in re.findall(r'([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*")', inner)}
    raise ValueError("pyproject.toml: this backend reads only strings, arrays and inline "
                     "tables of strings, not %s" % text)


def _uncomment(line):
    """line without a # comment (a # inside a string stays)."""
    return re.match(r'(?:[^"#]|"(?:[^"\\]|\\.)*")*', line).group(0).strip()


def _read_toml_subset(text):
    tables, current = {}, None
    lines = iter(text.splitlines())
    for line in lines:
        stripped = _uncomment(line)
        if not stripped:
            continue
        m = re.match(r"\[([A-Za-z0-9_.-]+)\]$", stripped)
        if m:
            current = tables.setdefault(m.group(1), {})
            continue
        key, _, value = stripped.partition("=")
        value = value.strip()
        if value.startswith("[") and "]" not in value:
            while "]" not in value:
                value += " " + _uncomment(next(lines))
        if current is None:
            continue
        current[key.strip()] = _toml_value(value)
    return tables


def read_pyproject(path=None):
    """pyproject.toml as a dict of tables (tomllib's answer where it exists)."""
    path = path or os.path.join(HERE, "pyproject.toml")
    with open(path, "rb") as f:
        data = f.read()
    try:
        import tomllib
    except ImportError:
        return _read_toml_subset(data.decode("utf-8"))
    return tomllib.loads(data.decode("utf-8"))


def read_version():
    with open(os.path.join(HERE, PACKAGE, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__(?:\s*:\s*str)?\s*=\s*"([^"]+)"', f.read(), re.M)
    if not m:
        raise RuntimeError("no __version__ in %s/__init__.py" % PACKAGE)
    return m.group(1)


def _project():
    project = dict(read_pyproject()["project"])
    project["version"] = read_version()
    return project


def _metadata(project):
    """The core metadata file (METADATA in a wheel, PKG-INFO in an sdist)."""
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"],
             "Version: " + project["version"]]
    if project.get("description"):
        lines.append("Summary: " + project["description"])
    if project.get("requires-python"):
        lines.append("Requires-Python: " + project["requires-python"])
    lic = project.get("license") or {}
    if lic.get("text"):
        lines.append("License: " + lic["text"])
    lines += ["Classifier: " + c for c in project.get("classifiers", [])]
    body = ""
    readme = project.get("readme")
    if readme:
        lines.append("Description-Content-Type: text/markdown")
        with open(os.path.join(HERE, readme), encoding="utf-8") as f:
            body = f.read()
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8")


# ---- files ---------------------------------------------------------------


def _package_files():
    """(archive name, bytes) of the package: its modules and py.typed, never
    an _install.py left in the source tree (that one is made per install)."""
    pkg = os.path.join(HERE, PACKAGE)
    out = []
    for name in sorted(os.listdir(pkg)):
        if (name.endswith(".py") and name != "_install.py") or name == "py.typed":
            with open(os.path.join(pkg, name), "rb") as f:
                out.append((PACKAGE + "/" + name, f.read()))
    return out


def _install_module(config_settings):
    """phonenorm/_install.py for a `library=PATH` config setting, else None."""
    library = (config_settings or {}).get("library")
    if not library:
        return None
    if isinstance(library, list):
        library = library[-1]
    library = os.path.abspath(os.path.expanduser(library))
    if not os.path.isfile(library):
        raise FileNotFoundError("config setting library=%r: no such file" % library)
    return ("# Written by phonenorm's build backend (pip --config-settings library=...).\n"
            "LIBRARY = %r\n" % library).encode("utf-8")


def _dist_info(project):
    return "%s-%s.dist-info" % (project["name"].replace("-", "_"), project["version"])


def _dist_info_files(project):
    wheel = ("Wheel-Version: 1.0\nGenerator: phonenorm_build\nRoot-Is-Purelib: true\n"
             "Tag: py3-none-any\n").encode("ascii")
    return [("METADATA", _metadata(project)), ("WHEEL", wheel),
            ("top_level.txt", (PACKAGE + "\n").encode("ascii"))]


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _zip_entry(name, mode):
    info = zipfile.ZipInfo(name, time.gmtime(_timestamp())[:6])
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# ---- PEP 517 hooks ----------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project = _project()
    info = _dist_info(project)
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for name, data in _dist_info_files(project):
        with open(os.path.join(metadata_directory, info, name), "wb") as f:
            f.write(data)
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    info = _dist_info(project)
    files = _package_files()
    install = _install_module(config_settings)
    if install is not None:
        files.append((PACKAGE + "/_install.py", install))
    files += [(info + "/" + name, data) for name, data in _dist_info_files(project)]
    record = [_record_line(name, data) for name, data in files] + [info + "/RECORD,,"]
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))

    filename = "%s-%s-py3-none-any.whl" % (project["name"].replace("-", "_"), project["version"])
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for name, data in files:
            z.writestr(_zip_entry(name, 0o644), data)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (project["name"], project["version"])
    files = [("pyproject.toml", None), ("README.md", None),
             ("build_backend/phonenorm_build.py", None)]
    files += [(name, data) for name, data in _package_files()]
    files.append(("PKG-INFO", _metadata(project)))

    filename = base + ".tar.gz"
    os.makedirs(sdist_directory, exist_ok=True)
    # The gzip header holds a time as well: fix it too, for reproducible bytes.
    with open(os.path.join(sdist_directory, filename), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=_timestamp(), filename="") as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name, data in files:
                    if data is None:
                        with open(os.path.join(HERE, name), "rb") as f:
                            data = f.read()
                    ti = tarfile.TarInfo(base + "/" + name)
                    ti.size, ti.mtime, ti.mode = len(data), _timestamp(), 0o644
                    tar.addfile(ti, io.BytesIO(data))
    return filename
