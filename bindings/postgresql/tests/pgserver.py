"""A throwaway PostgreSQL server for the tests and the benchmark.

The server runs from a mirror of the Debian install in a temporary directory:
the binaries are copied (PostgreSQL resolves its own executable's real path
and finds share/ and lib/ relative to it), everything else is symlinked, and
the extension's control file, SQL script and module are added. Nothing is
written to the system's directories. It listens only on a unix socket in the
temporary directory (listen_addresses = ''). Run as root, the server runs as
nobody (PostgreSQL refuses root); the caller's environment is passed through
to the postmaster and so to every backend (LD_PRELOAD and ASAN_OPTIONS in the
asan build, PHONENORM_METADATA).
"""
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time

MAJOR = "15"


class SQLError(Exception):
    def __init__(self, sqlstate, message, stderr):
        super().__init__("%s: %s" % (sqlstate, message))
        self.sqlstate = sqlstate
        self.message = message
        self.stderr = stderr


class Server:
    def __init__(self, pg_bindir, module, source, library, soname, tmp_parent=None):
        self.pg_bindir = pg_bindir
        self.module = module
        self.library = library
        self.soname = soname
        self.source = source
        self.tmp = tempfile.mkdtemp(prefix="phn-pg-", dir=tmp_parent)
        os.chmod(self.tmp, 0o755)
        self.as_root = os.geteuid() == 0
        self.user = "nobody" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self.bindir = os.path.join(self.tmp, "usr/lib/postgresql", MAJOR, "bin")
        self.data = os.path.join(self.tmp, "data")
        self.sock = os.path.join(self.tmp, "sock")
        self.logdir = os.path.join(self.tmp, "log")
        self.log = os.path.join(self.logdir, "server.log")
        self.running = False
        self._mirror()

    # -- setup ------------------------------------------------------------
    def _mirror(self):
        real_lib = os.path.realpath(os.path.join(self.pg_bindir, "../lib"))
        share = subprocess.run([os.path.join(self.pg_bindir, "pg_config"), "--sharedir"],
                               capture_output=True, text=True, check=True).stdout.strip()
        os.makedirs(self.bindir)
        for prog in ("postgres", "initdb", "pg_ctl", "pg_config"):
            shutil.copy2(os.path.join(self.pg_bindir, prog), self.bindir)
        lib = os.path.join(self.tmp, "usr/lib/postgresql", MAJOR, "lib")
        os.makedirs(lib)
        for e in os.listdir(real_lib):
            os.symlink(os.path.join(real_lib, e), os.path.join(lib, e))
        # Copies of the module and of libphonenorm, found first through
        # LD_LIBRARY_PATH (the module's RUNPATH names the build tree, which
        # nobody may not be allowed to enter, as under /root in CI).
        shutil.copy2(self.module, os.path.join(lib, "phonenorm.so"))
        self.libdir = os.path.join(self.tmp, "phonenorm-lib")
        os.mkdir(self.libdir)
        shutil.copy2(self.library, os.path.join(self.libdir, self.soname))
        tshare = os.path.join(self.tmp, "usr/share/postgresql", MAJOR)
        os.makedirs(os.path.join(tshare, "extension"))
        for e in os.listdir(share):
            if e != "extension":
                os.symlink(os.path.join(share, e), os.path.join(tshare, e))
        for e in os.listdir(os.path.join(share, "extension")):
            os.symlink(os.path.join(share, "extension", e), os.path.join(tshare, "extension", e))
        for f in ("phonenorm.control", "phonenorm--1.0.sql"):
            shutil.copy2(os.path.join(self.source, f), os.path.join(tshare, "extension", f))
        # The mirror really is where the copied server looks.
        got = subprocess.run([os.path.join(self.bindir, "pg_config"), "--sharedir", "--pkglibdir"],
                             capture_output=True, text=True, check=True).stdout.split()
        if got != [tshare, lib]:
            raise RuntimeError("the mirrored server looks in %s, not %s" % (got, [tshare, lib]))
        for d in (self.data, self.sock, self.logdir):
            os.mkdir(d, 0o700)
            if self.as_root:
                os.chown(d, pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)

    def _run_server_tool(self, args, env=None, **kw):
        extra = {}
        if self.as_root:
            extra = dict(user="nobody", group=pwd.getpwnam("nobody").pw_gid, extra_groups=[])
        return subprocess.run(args, env=env, cwd=self.tmp, **extra, **kw)

    def initdb(self):
        r = self._run_server_tool([os.path.join(self.bindir, "initdb"), "-D", self.data,
                                   "-U", self.user, "--auth=trust", "-E", "UTF8",
                                   "--locale=C.UTF-8", "--no-sync"],
                                  capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("initdb failed:\n" + r.stdout + r.stderr)

    def start(self, env=None, **settings):
        opts = {"listen_addresses": "''", "unix_socket_directories": "'%s'" % self.sock,
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                "max_worker_processes": "8", "max_parallel_workers": "8",
                "log_min_messages": "warning"}
        opts.update({k: str(v) for k, v in settings.items()})
        o = " ".join("-c %s=%s" % (k, v) for k, v in opts.items())
        e = dict(os.environ if env is None else env)
        e["LD_LIBRARY_PATH"] = self.libdir + (":" + e["LD_LIBRARY_PATH"]
                                              if e.get("LD_LIBRARY_PATH") else "")
        r = self._run_server_tool([os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                   "-l", self.log, "-o", o, "-w", "-t", "60", "start"],
                                  env=e, capture_output=True, text=True)
        self.running = True  # even on failure: stop() cleans up what started
        if r.returncode != 0:
            raise RuntimeError("pg_ctl start failed:\n%s%s\n%s" % (r.stdout, r.stderr, self.log_text()))

    def stop(self):
        if not self.running:
            return
        r = self._run_server_tool([os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                   "-m", "fast", "-w", "-t", "30", "stop"],
                                  capture_output=True, text=True)
        if r.returncode != 0:
            self._kill_postmaster()
        self.running = False

    def _kill_postmaster(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline())
            os.kill(pid, 9)
            time.sleep(0.5)
        except (OSError, ValueError):
            pass

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # -- queries ------------------------------------------------------------
    def psql(self, sql, db="postgres", stdin_file=None):
        """Run sql; return the rows as lists of strings (NULL as None).
        Raise SQLError with the SQLSTATE on the first error."""
        script = "\\set ON_ERROR_STOP 1\n\\set VERBOSITY verbose\n\\pset null '<<NULL>>'\n" + sql + "\n"
        args = [os.path.join(self.pg_bindir, "psql"), "-X", "-q", "-A", "-t", "-F", "\x1f",
                "-h", self.sock, "-U", self.user, "-d", db]
        # The test's strings are UTF-8, whatever the locale ctest runs in.
        env = dict(os.environ, PGCLIENTENCODING="UTF8")
        r = subprocess.run(args, input=script, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            m = re.search(r"ERROR:\s+([0-9A-Z]{5}): (.*)", r.stderr)
            if m:
                raise SQLError(m.group(1), m.group(2), r.stderr)
            raise RuntimeError("psql failed (%d): %s\n%s" % (r.returncode, r.stderr, self.log_text()))
        rows = []
        for line in r.stdout.splitlines():
            if line == "":
                continue
            rows.append([None if v == "<<NULL>>" else v for v in line.split("\x1f")])
        return rows

    def value(self, sql, db="postgres"):
        rows = self.psql(sql, db)
        if len(rows) != 1 or len(rows[0]) != 1:
            raise AssertionError("expected one value from %r, got %r" % (sql, rows))
        return rows[0][0]
