#!/usr/bin/env python3
"""Write the seed inputs of the fuzz targets into tests/fuzz/corpus/<target>/
(seed_*: from the test tables, so each target starts from meaningful input;
the fuzzers' merged finds sit beside them). Run from anywhere; idempotent."""
import codecs, json, os, re, sys, warnings

warnings.simplefilter("ignore", DeprecationWarning)  # escape_decode on "\\u"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed_" + re.sub(r"[^A-Za-z0-9_.-]", "_", name)), "wb") as f:
        f.write(data)


def unescape(s):  # the C escapes of csv_cases.txt
    return codecs.escape_decode(s.encode("latin-1", "backslashreplace"))[0]


# number: byte 0 = region (0 none, 2 "sa", 3 "us", 5 "ZZ", others: known regions)
REGION_BYTE = {"": 0, "SA": 2, "US": 3}
with open(os.path.join(ROOT, "tests/number/cases.tsv"), encoding="utf-8") as f:
    for i, line in enumerate(f):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        region, text = cols[0], cols[1]
        b = REGION_BYTE.get(region, 10 + (i * 7) % 240)
        put("number", "case%03d" % i, bytes([b]) + text.encode("utf-8"))
put("number", "batch_lines", b"\x02" + "0501234567\n+966 50 123 4567\n٠٥٠١٢٣٤٥٦٧\nfoo\n\n+1 202-555-0123 x45".encode())

# csv: every case of tests/list/csv_cases.txt, byte 0 from its options
opts, name = {}, None
def flush_case(name, opts, data):
    if name is None:
        return
    delim = {",": 0, ";": 1, "tab": 2, "none": 3}[opts.get("delimiter", ",")]
    b = delim | (4 if "max_record" in opts else 0) | (8 if opts.get("check") == "0" else 0)
    for hdr in range(3):
        put("csv", "%s_h%d" % (name, hdr), bytes([b | hdr << 4 | (64 if hdr == 1 else 0)]) + data)
data = b""
with open(os.path.join(ROOT, "tests/list/csv_cases.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("case "):
            flush_case(name, opts, data)
            name, opts, data = line[5:].strip(), {}, b""
        elif line.startswith("options "):
            for kv in line[8:].split():
                k, v = kv.split("=", 1)
                opts[k] = v
        elif line.startswith("input "):
            data = unescape(line[6:])
flush_case(name, opts, data)

# dispatch_response: byte 0 flags (kind, cut, sent, Retry-After, transport
# error), bytes 1-2 status, [Retry-After "\n"], body; 0x01 is the token.
def resp(name, status, body, kind=0, sent=8, retry=None, cut=0, err=0):
    flags = kind | cut | sent | (16 if retry is not None else 0) | err
    head = bytes([flags, status >> 8, status & 255])
    if retry is not None:
        head += retry.encode() + b"\n"
    if not isinstance(body, bytes):
        body = json.dumps(body, separators=(",", ":")).encode() if not isinstance(body, str) else body.encode()
    put("dispatch_response", name, head + body)

resp("201_call", 201, {"callId": "call-abc123", "status": "initiated", "contactUuid": "c-1"})
resp("201_numeric_id", 201, b'{"callId":12345678901234567890123,"status":"queued","contactUuid":7}')
resp("201_contact", 201, {"uuid": "550e8400-e29b-41d4-a716-446655440000"}, kind=1)
resp("201_invoice", 201, {"uuid": "inv-1"}, kind=2)
resp("404_detail", 404, {"detail": "Contact not found"})
resp("401", 401, {"detail": "Invalid token \x01"})
resp("429_retry", 429, {"message": "slow down"}, retry="120")
resp("503_date", 503, "", retry="Wed, 21 Oct 2037 07:28:00 GMT")
resp("500_html", 500, "<html>oops</html>")
resp("100_continue", 100, "")
resp("302", 302, "", retry="5")
resp("no_status_sent", 0, "", err=32)
resp("no_status_not_sent", 0, "", sent=0, err=32)
resp("cut_body", 201, '{"callId":"call-', cut=4)
resp("token_in_body", 201, b'{"callId":"\x01","status":"x\x01y"}')
resp("token_escaped", 422, b'{"detail":[{"loc":["body","\\u0074ok"],"msg":"\x01","type":"t"}]}')
resp("token_split_loc", 422, b'{"detail":[{"loc":["tok-8f3Zq","Secret_77"],"msg":"m","type":"t"}]}')
with open(os.path.join(ROOT, "tests/dispatch/cases/outcomes.json"), encoding="utf-8") as f:
    for i, case in enumerate(json.load(f)["cases"]):
        fault = case.get("fault") or {}
        body = fault.get("body", "")
        status = fault.get("status", case.get("http_status") or 0)
        if not isinstance(status, int):
            continue
        resp("outcomes%02d" % i, status % 1000, body, retry=(fault.get("headers") or {}).get("Retry-After"))

# retry_after: 5 bytes of "now" (big endian), then the value
NOW = (1700000000).to_bytes(5, "big")
for i, v in enumerate(["0", "120", "86400", "99999999999999999999999", "-5", "1.5", " 12", "12 ",
                       "Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2037 07:28:00 GMT",
                       "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                       "Fri, 31 Dec 9999 23:59:59 GMT", "Tue, 14 Nov 2023 22:13:21 GMT", "", "soon"]):
    put("retry_after", "v%02d" % i, NOW + v.encode())
put("retry_after", "far_now", (2**40 - 1).to_bytes(5, "big") + b"Wed, 21 Oct 2037 07:28:00 GMT")

# options: byte 0 = command (0 clean, 1 call, 2 contact create, 3 invoice create), argv NUL-separated
def opt(name, which, *argv):
    put("options", name, bytes([which]) + b"\0".join(a.encode() for a in argv))
opt("clean_basic", 0, "list.csv", "-c", "SA", "-o", "out.csv")
opt("clean_all", 0, "-c", "sa", "--column", "phone", "--region-column", "2", "--header", "-d", ";",
    "--keep-possible", "--types", "mobile,fixed_line", "--suppress", "dnc.csv", "--rejects", "r.csv",
    "--duplicates", "d.csv", "--report", "rep.json", "-j", "2", "-q", "--no-progress", "in.csv")
opt("clean_text", 0, "--text", "--no-header", "-d", "tab", "-")
opt("clean_bad_threads", 0, "-j", "999", "x")
opt("clean_cluster", 0, "-qj4", "-cSA", "--thr=0", "a", "b")
opt("clean_help", 0, "-h")
opt("clean_missing_arg", 0, "--column")
opt("call_basic", 1, "-c", "SA", "0501234567", "--first-name", "Ali", "--tag", "k=v", "--meta", "a=b")
opt("call_json", 1, "--tags-json", "{\"a\":1}", "--meta-json", "{}", "--timeout", "2.5", "-n", "--json", "-v", "+966501234567")
opt("call_token_file", 1, "--token-file", "S3CRET-path", "--api-url", "http://127.0.0.1:9", "x")
opt("call_token_abbrev", 1, "--tok", "S3CRET-value", "x")
opt("call_token_eq", 1, "--toke=S3CRET-value", "x")
opt("call_token_file_missing", 1, "x", "--token-file")
opt("call_conflict", 1, "--tag", "a=b", "--tags-json", "{}", "x")
opt("call_flags", 1, "--update-existing", "--no-create", "--create", "--no-update-existing", "--email", "a@b", "--contact-uuid", "u", "--template", "t", "--last-name", "L", "x")
opt("contact", 2, "--name", "N", "--phone", "0501234567", "-c", "SA", "--email", "e", "--role", "r")
opt("invoice", 3, "--contact-uuid", "u", "--date", "2024-01-01", "--due-date", "2024-02-01", "--number", "1", "--total", "100.0")
opt("invoice_region", 3, "-c", "SA")
opt("call_bad_timeout", 1, "--timeout", "nan", "x")
opt("dial_dry", 4, "list.csv", "--journal", "c.db", "-c", "SA", "--first-name-column", "name")
opt("dial_all", 4, "list.csv", "--journal=c.db", "--live", "--rate", "2.5", "--concurrency", "8",
    "--max-retries", "3", "--max-attempts", "2", "--retry-cap", "30", "--window", "09:00-21:00",
    "--days", "sun-thu", "--no-wait", "--retry-unknown", "--json", "-q", "--tag", "k=col",
    "--meta", "m=2", "--template", "t", "--update-existing", "--no-create", "--timezone-column", "tz",
    "--email-column", "e", "--last-name-column", "3", "--contact-uuid-column", "cu",
    "--invoice", "number=n,date=d,dueDate=dd,total=t", "--api-url", "http://127.0.0.1:9",
    "--token-file", "S3CRET-path", "--timeout", "5", "--suppress", "dnc.csv", "--types", "mobile",
    "--keep-possible", "-d", ";", "-j", "2", "--max-record-bytes", "64K")
opt("dial_token", 4, "list.csv", "--journal", "c.db", "--token", "S3CRET-value")
opt("dial_token_abbrev", 4, "--token-f=S3CRET-path", "list.csv", "--journal", "c.db")
opt("dial_bad_window", 4, "l.csv", "--journal", "j", "--window", "25:00-21:00", "--days", "funday")
opt("dial_invoice_no_date", 4, "l.csv", "--journal", "j", "--invoice", "number=a,total=b")
opt("dial_tag_reserved", 4, "l.csv", "--journal", "j", "--tag", "phonenorm_x=a", "--meta", "=b")
opt("dial_stdin", 4, "-", "--journal", "j")
opt("dial_no_journal", 4, "l.csv", "--rate", "-1", "--concurrency", "0")
opt("dial_help", 4, "--help")
opt("dial_test_now", 4, "2026-03-08T06:59:00Z", "2026-03-08T06:59Z", "1796630400000", "2026-13-40T99:99:99Z", "2026-03-08T06:59:60.5+00:00", "9999999999999999999999")

# find: byte 0 = (region index << 2) | leniency; region index 0 none, 2 "sa",
# 3 "us", 4.. junk, 9.. a known region. Texts: tests/find/texts.tsv at every leniency.
FIND_REGION = {"-": 0, "SA": 2, "US": 3}
with open(os.path.join(ROOT, "tests/find/texts.tsv"), encoding="utf-8") as f:
    for i, line in enumerate(f):
        if line.startswith("#") or not line.strip():
            continue
        region, _, text = line.rstrip("\n").partition("\t")
        text = text.replace("\\n", "\n").replace("\\t", "\t")
        r = FIND_REGION.get(region, 9 + i % 8)
        for lev in range(4):
            put("find", "text%03d_%d" % (i, lev), bytes([(r << 2) | lev]) + text.encode("utf-8"))
put("find", "bad_utf8", b"\x09+966501234567 \xff\xfe")
put("find", "bad_region", bytes([5 << 2 | 1]) + b"+966501234567")
put("find", "bad_leniency", b"\xfd+966501234567")
put("find", "many", b"\x0d" + b"(202) 555-0110, " * 200)
