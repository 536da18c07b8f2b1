#!/usr/bin/env python3
"""Start and drive fake_call_api.py from tests.

As a module: FakeServer() starts the server on 127.0.0.1, .control() talks to
its /_control endpoints, .stop() ends it.

As a program, it wraps a test binary:

  fakeapi.py [--tls] [--token TOKEN] -- COMMAND [ARGS...]

starts the server, runs COMMAND with PHN_TEST_API_URL (the API base) and
PHN_TEST_CONTROL_URL (the /_control base) in its environment, stops the
server and exits with COMMAND's status. --tls serves HTTPS with a
self-signed certificate made for the run (needs the openssl tool; exit 77,
ctest's "skipped", without it).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_call_api.py")
TOKEN = "test-token-1234"
SKIP = 77


def clean_env(extra=None):
    """The environment for anything that talks to the fake server: no proxy
    may take loopback traffic elsewhere, and no real API setting leaks in."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and not k.startswith("PHONENORM_API_")}
    env.update(extra or {})
    return env


def make_cert(directory):
    """A throwaway self-signed certificate for 127.0.0.1; None without openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class FakeServer:
    def __init__(self, tokens=(TOKEN,), tls=None):
        cmd = [sys.executable, SERVER]
        for t in tokens:
            cmd += ["--token", t]
        if tls:
            cmd += ["--tls", tls[0], tls[1]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=clean_env())
        line = self.proc.stdout.readline().decode()
        if not line.startswith("port "):
            self.proc.kill()
            raise RuntimeError("fake server did not start: %r" % line)
        self.port = int(line.split()[1])
        scheme = "https" if tls else "http"
        self.base = "%s://127.0.0.1:%d/api-service/v1" % (scheme, self.port)
        # Control always goes over plain HTTP on the same port only when not TLS.
        self.control_base = "%s://127.0.0.1:%d/_control" % (scheme, self.port)
        self._tls = tls

    def control(self, method, path, obj=None):
        data = None if obj is None else json.dumps(obj).encode()
        req = urllib.request.Request(self.control_base + path, data=data, method=method)
        ctx = None
        if self._tls:
            import ssl
            ctx = ssl.create_default_context(cafile=self._tls[0])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ctx))
        with opener.open(req, timeout=30) as r:
            return json.loads(r.read() or b"{}")

    def requests(self):
        return self.control("GET", "/requests")["requests"]

    def fault(self, *faults):
        return self.control("POST", "/faults", list(faults))

    def reset(self):
        return self.control("POST", "/reset", {})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    tls = "--tls" in argv[:argv.index("--")] if "--" in argv else False
    tokens = [TOKEN]
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        sys.stderr.write(__doc__)
        return 2
    head, cmd = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    if "--token" in head:
        tokens = [head[head.index("--token") + 1]]
    with tempfile.TemporaryDirectory() as tmp:
        pair = None
        if tls:
            pair = make_cert(tmp)
            if pair is None:
                print("SKIP: the openssl tool is needed to make a test certificate")
                return SKIP
        with FakeServer(tokens, pair) as srv:
            env = clean_env({"PHN_TEST_API_URL": srv.base, "PHN_TEST_CONTROL_URL": srv.control_base,
                             "PHN_TEST_TOKEN": tokens[0]})
            if pair:
                env["PHN_TEST_CA_FILE"] = pair[0]
            return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
