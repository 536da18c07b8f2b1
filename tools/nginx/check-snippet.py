#!/usr/bin/python3
"""Check the README's nginx snippet (tools/nginx/phonenorm-webhook.conf) for real.

Runs Debian's nginx on loopback with the snippet from phonenorm-webhook.conf
(only the listen address, the certificate paths and the upstream port are
substituted), a self-signed certificate made with openssl, and behind it:
  --backend echo      a Python server that checks that the svix-* headers and
                      the body arrive byte for byte as sent
  --backend receiver  the real `phonenorm webhook --journal J` (needs --phonenorm
                      and --journal, a dialled journal; --dispatch-id an attempt's id)
Signed deliveries go through nginx over HTTPS (HTTP/1.1 with Python, HTTP/2
with curl); a tampered one must get 401, a 2 MiB body 413 (from nginx), GET 405.

usage: tools/nginx/check-snippet.py --backend echo|receiver [--phonenorm BIN --journal J
       --dispatch-id ID] [--svix-sign tests/webhook/svix_sign.py dir]
"""
import argparse
import hashlib
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


class Echo(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        Echo.seen.append({k.lower(): v for k, v in self.headers.items()} |
                         {"_sha": hashlib.sha256(body).hexdigest(), "_path": self.path})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["echo", "receiver"], required=True)
    ap.add_argument("--phonenorm")
    ap.add_argument("--journal")
    ap.add_argument("--dispatch-id", default="00000000-0000-4000-8000-000000000000")
    ap.add_argument("--svix-sign", default=os.path.join(HERE, "..", "..", "tests", "webhook"))
    ap.add_argument("--site", default=os.path.join(HERE, "phonenorm-webhook.conf"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, a.svix_sign)
    import svix_sign

    d = tempfile.mkdtemp(prefix="phonenorm-nginx.")
    os.chmod(d, 0o755)
    procs = []
    try:
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        secret = svix_sign.new_secret()
        # The backend.
        if a.backend == "echo":
            srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
            up = srv.server_address[1]
            threading.Thread(target=srv.serve_forever, daemon=True).start()
        else:
            ready = os.path.join(d, "ready")
            env = dict(os.environ, PHONENORM_WEBHOOK_SECRET=secret)
            rx = subprocess.Popen([a.phonenorm, "webhook", "--journal", a.journal, "--listen",
                                   "127.0.0.1:0", "--ready-file", ready], env=env,
                                  stderr=open(os.path.join(d, "receiver.log"), "w"))
            procs.append(rx)
            for _ in range(100):
                if os.path.exists(ready):
                    break
                time.sleep(0.05)
            else:
                fail("the receiver did not start: " + open(os.path.join(d, "receiver.log")).read())
            up = int(open(ready).read())
        # nginx with the snippet.
        site = open(a.site).read()
        port = free_port()
        subs = [("    listen 443 ssl http2;\n", "    listen 127.0.0.1:%d ssl http2;\n" % port),
                ("    listen [::]:443 ssl http2;\n", ""),
                ("/etc/letsencrypt/live/hooks.example.com/fullchain.pem", cert),
                ("/etc/letsencrypt/live/hooks.example.com/privkey.pem", key),
                ("server 127.0.0.1:8787;", "server 127.0.0.1:%d;" % up)]
        for old, new in subs:
            if site.count(old) != 1:
                fail("the snippet does not have exactly one %r" % old)
            site = site.replace(old, new)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write("%sworker_processes 1;\ndaemon off;\npid %s/nginx.pid;\n"
                    "error_log %s/error.log info;\nevents { worker_connections 256; }\n"
                    "http {\n  access_log %s/access.log;\n  client_body_temp_path %s/body;\n"
                    "  proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fcgi;\n"
                    "  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n%s\n}\n"
                    % ("user nobody nogroup;\n" if os.getuid() == 0 else "",
                       d, d, d, d, d, d, d, d, site))
        t = subprocess.run(["nginx", "-t", "-p", d, "-c", conf], capture_output=True, text=True)
        if t.returncode:
            fail("nginx -t: " + t.stderr)
        print("nginx -t:", t.stderr.strip().splitlines()[-1])
        ng = subprocess.Popen(["nginx", "-p", d, "-c", conf])
        procs.append(ng)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        ctx = ssl.create_default_context(cafile=cert)

        def post(body, hdrs, path="/webhooks/calls", method="POST"):
            c = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=30)
            c.request(method, path, body=body, headers=hdrs)
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, data

        body = json.dumps({"providerCallId": "3f1c2f4e-1111-4a4a-9b9b-222233334444",
                           "numberFrom": "+966115550100", "numberTo": "+966500000001",
                           "providerStatus": "pass", "deliveryStatus": "pass", "duration": 42,
                           "summary": "ok", "endedReason": "customer-ended-call",
                           "callOutput": "INTERESTED", "callOutputReasoning": "said yes",
                           "sentimentOutput": "POSITIVE", "sentimentOutputReasoning": "warm",
                           "transcription": "AI: hello \u0645\u0631\u062d\u0628\u0627\nUser: hi",
                           "recordingUrl": "https://recordings.example.invalid/x.mp3",
                           "metadata": {"requestMetadata": {"phonenorm_dispatch_id": a.dispatch_id}}},
                          ensure_ascii=False).encode("utf-8")
        h = svix_sign.headers(secret, body, secrets=(svix_sign.new_secret(),))
        h["Content-Type"] = "application/json"
        st, _ = post(body, h)
        print("signed event through nginx (HTTP/1.1): %d" % st)
        if st != 200:
            fail("expected 200")
        st, _ = post(body, h)
        print("the same svix-id again (redelivery): %d" % st)
        if st != 200:
            fail("expected 200")
        # HTTP/2 with curl.
        h2 = svix_sign.headers(secret, body)
        bodyf = os.path.join(d, "body.json")
        open(bodyf, "wb").write(body)
        cmd = ["curl", "-sS", "--http2", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
               "https://localhost:%d/webhooks/calls" % port, "-H", "Content-Type: application/json",
               "--data-binary", "@" + bodyf]
        for k, v in h2.items():
            cmd += ["-H", "%s: %s" % (k, v)]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        print("signed event through nginx (curl, HTTP version %s): %s" % (out.split()[-1], out.split()[0]))
        if not out.startswith("200"):
            fail("expected 200")
        bad = dict(h, **{"svix-id": svix_sign.new_msg_id()})
        st, _ = post(body, bad)
        print("swapped svix-id: %d" % st)
        if a.backend == "receiver" and st != 401:
            fail("expected 401")
        big = b'{"x":"' + b"a" * (2 << 20) + b'"}'
        st, _ = post(big, dict(svix_sign.headers(secret, big), **{"Content-Type": "application/json"}))
        print("2 MiB body: %d (nginx's client_max_body_size)" % st)
        if st != 413:
            fail("expected 413")
        st, _ = post(None, {}, method="GET")
        print("GET /webhooks/calls: %d" % st)
        st, _ = post(body, h, path="/other")
        print("POST /other: %d" % st)
        if st != 404:
            fail("expected 404")
        if a.backend == "echo":
            want = {k.lower(): v for k, v in h.items()}
            got = Echo.seen[0]
            for k in ("svix-id", "svix-timestamp", "svix-signature", "content-type"):
                if got.get(k) != want[k]:
                    fail("header %s changed: %r -> %r" % (k, want[k], got.get(k)))
            if got["_sha"] != hashlib.sha256(body).hexdigest() or got["_path"] != "/webhooks/calls":
                fail("body or path changed")
            e2 = Echo.seen[2]
            for k, v in h2.items():
                if e2.get(k) != v:
                    fail("HTTP/2: header %s changed" % k)
            print("echo backend: svix-* headers, Content-Type, path and body (sha256) arrived unchanged "
                  "(HTTP/1.1 and HTTP/2)")
        else:
            db = sqlite3.connect("file:%s?mode=ro" % a.journal, uri=True)
            n = db.execute("SELECT count(*) FROM events WHERE svix_id IN (?, ?)",
                           (h["svix-id"], h2["svix-id"])).fetchone()[0]
            line = db.execute("SELECT line FROM events WHERE svix_id = ?", (h["svix-id"],)).fetchone()
            db.close()
            print("journal: %d of the 2 events stored (the redelivery not twice); line %r" % (n, line))
            if n != 2:
                fail("expected both events in the journal")
        print("OK: the nginx snippet works")
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGQUIT if p.args[0] == "nginx" else signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if a.backend == "receiver" and os.path.exists(os.path.join(d, "receiver.log")):
            print("receiver stderr:\n" + open(os.path.join(d, "receiver.log")).read())
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
