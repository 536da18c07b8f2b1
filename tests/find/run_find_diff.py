#!/usr/bin/env python3
"""phn_number_find against python3-phonenumbers' PhoneNumberMatcher.

Both are ports of the same libphonenumber release (8.12.57) and, with
PHONENORM_METADATA=system (ctest sets it), read the same metadata. Every
text runs at every leniency on both sides; each match must agree on start
(the C byte offset is the byte length of Python's text[:start]), the raw
string (the bytes at the C offsets are Python's raw_string in UTF-8), the
E.164 form and the extension digits.

The texts: texts.tsv (hand-written) plus --count generated ones (seeded,
reproducible): several numbers per text from 20 regions' example numbers in
every format, separators, Arabic-Indic, Extended Arabic-Indic and full-width
digits, international prefixes, extensions, numbers glued to letters; mixed
with decoys (dates, times, amounts, order ids, card-like digit runs, IPs,
versions) and words in English and Arabic.

Genuine divergences between the two ports are listed, with what differs,
in known_divergences.json (by region and text): a mismatch not listed fails,
and so does a listed text that no longer diverges (the list is stale).

usage: run_find_diff.py --driver FIND_DRIVER --texts texts.tsv
                        [--known known_divergences.json] [--count N] [--seed S]
"""
import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

REGIONS = ["SA", "US", "GB", "DE", "FR", "IN", "AE", "EG", "BR", "JP", "IT", "AU", "CN", "RU",
           "MX", "ES", "NG", "PK", "TR", "KR"]
TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE]
SCRIPTS = [0x30, 0x660, 0x6F0, 0xFF10]  # ASCII, Arabic-Indic, Extended Arabic-Indic, full-width
WORDS = ["call", "me", "at", "or", "phone", "mobile", "tel", "fax", "office", "on", "and",
         "Customer", "order", "paid", "the", "number", "is", "اتصل", "على", "رقم", "الجوال",
         "أو", "شكرا", "مرحبا", "ext", "x", "#", "Nr.", "電話"]
SEPARATORS = [" ", " ", ", ", "; ", " / ", " — ", "\n", " (", ") ", ": ", ". ", " - ", "\t"]


def example_numbers():
    out = []
    for r in REGIONS:
        for t in TYPES:
            n = phonenumbers.example_number_for_type(r, t)
            if n is not None:
                out.append((r, n))
    return out


def to_script(s, base):
    if base == 0x30:
        return s
    return "".join(chr(base + ord(c) - 0x30) if "0" <= c <= "9" else c for c in s)


def render_number(rng, region, num):
    n = phonenumbers.PhoneNumber()
    n.merge_from(num)
    if rng.random() < 0.5:
        # Other digits in the same range: some still valid, some not.
        digits = list(str(n.national_number))
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(max(1, len(digits) - 4), len(digits))
            digits[i] = str(rng.randint(0, 9))
        n.national_number = int("".join(digits))
    fmt = rng.choice([PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL,
                      PhoneNumberFormat.NATIONAL, PhoneNumberFormat.NATIONAL,
                      PhoneNumberFormat.RFC3966])
    s = phonenumbers.format_number(n, fmt)
    if fmt == PhoneNumberFormat.RFC3966 and rng.random() < 0.7:
        s = s[len("tel:"):]
    roll = rng.random()
    if roll < 0.15:
        s = s.replace(" ", "-")
    elif roll < 0.25:
        s = s.replace(" ", ".").replace("-", ".")
    elif roll < 0.35:
        s = s.replace(" ", "").replace("-", "")
    elif roll < 0.42:
        parts = s.split(" ")
        s = " ".join(parts[:1] + ["(%s)" % parts[1]] + parts[2:]) if len(parts) > 2 else s
    if s.startswith("+") and rng.random() < 0.2:
        s = "00" + s[1:]
    if s.startswith("+") and rng.random() < 0.1:
        s = "＋" + s[1:]
    roll = rng.random()
    if roll < 0.08:
        s += rng.choice([" ext. ", " x", " x ", ";ext=", " extension ", " #"]) + \
            str(rng.randint(1, 9999))
    s = to_script(s, rng.choice(SCRIPTS + [0x30, 0x30]))
    roll = rng.random()
    if roll < 0.06:
        s = rng.choice(["abc", "x", "Tel", "ID"]) + s
    elif roll < 0.12:
        s = s + rng.choice(["abc", "x", "kg", "%"])
    return s


def decoy(rng):
    y, m, d = rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    k = rng.randrange(14)
    if k == 0:
        return "%04d-%02d-%02d" % (y, m, d)
    if k == 1:
        return "%02d/%02d/%04d" % (d, m, y)
    if k == 2:
        return "%d/%d/%d" % (m, d, y % 100)
    if k == 3:
        return "%02d:%02d" % (hh, mm) + (":%02d" % ss if rng.random() < 0.5 else "")
    if k == 4:
        return "%04d-%02d-%02d %02d:%02d:%02d" % (y, m, d, hh, mm, ss)
    if k == 5:
        return rng.choice(["$", "SAR ", "€", "£", "₹"]) + "{:,}".format(rng.randint(100, 10**7)) + \
            ".%02d" % rng.randint(0, 99)
    if k == 6:
        return "{:,}".format(rng.randint(10**5, 10**9)).replace(",", ".") + ",%02d €" % rng.randint(0, 99)
    if k == 7:
        return rng.choice(["#", "ORD-", "INV-", "No. ", "ID:"]) + str(rng.randint(10**5, 10**12))
    if k == 8:
        return " ".join("%04d" % rng.randint(0, 9999) for _ in range(4))
    if k == 9:
        return "-".join("%04d" % rng.randint(0, 9999) for _ in range(4))
    if k == 10:
        return ".".join(str(rng.randint(0, 255)) for _ in range(4))
    if k == 11:
        return "v%d.%d.%d" % (rng.randint(0, 20), rng.randint(0, 20), rng.randint(0, 99))
    if k == 12:
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 20)))
    groups = [str(rng.randint(1, 999)) for _ in range(rng.randint(2, 5))]
    return rng.choice([" ", "-", ".", "/"]).join(groups)


def generate(count, seed):
    rng = random.Random(seed)
    examples = example_numbers()
    texts = []
    for _ in range(count):
        pieces, first_region = [], None
        for _ in range(rng.randint(2, 7)):
            roll = rng.random()
            if roll < 0.45:
                region, num = rng.choice(examples)
                first_region = first_region or region
                pieces.append(render_number(rng, region, num))
            elif roll < 0.75:
                pieces.append(decoy(rng))
            else:
                pieces.append(rng.choice(WORDS))
        text = ""
        for p in pieces:
            text += p + rng.choice(SEPARATORS)
        roll = rng.random()
        if roll < 0.6:
            region = first_region or "US"
        elif roll < 0.8:
            region = rng.choice(REGIONS)
        else:
            region = None
        texts.append((region, text))
    return texts


def read_texts(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            region, _, text = line.partition("\t")
            text = text.replace("\\n", "\n").replace("\\t", "\t")
            out.append((None if region == "-" else region, text))
    return out


def python_side(item):
    """Every leniency's matches as (leniency, start_byte, length, e164, ext)."""
    region, text = item
    out = []
    for lev in range(4):
        for m in PhoneNumberMatcher(text, region, leniency=lev, max_tries=65535):
            start = len(text[:m.start].encode("utf-8"))
            raw = m.raw_string.encode("utf-8")
            ext = m.number.extension
            ext = phonenumbers.normalize_digits_only(ext) if ext else "-"
            out.append((lev, start, len(raw),
                        phonenumbers.format_number(m.number, PhoneNumberFormat.E164), ext, raw))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--known", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "known_divergences.json"))
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()

    if os.environ.get("PHONENORM_METADATA") != "system":
        print("run_find_diff: PHONENORM_METADATA must be 'system' (python3-phonenumbers is "
              "8.12.57, the system data)", file=sys.stderr)
        return 2
    texts = read_texts(args.texts)
    hand = len(texts)
    texts += generate(args.count, args.seed)

    payload = "".join("%s\t%s\n" % (r or "-", t.encode("utf-8").hex()) for r, t in texts)
    driver = subprocess.Popen([args.driver], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    with multiprocessing.Pool(2) as pool:
        py = pool.map(python_side, texts, chunksize=50)
    c_out, _ = driver.communicate(payload)
    if driver.returncode != 0:
        print("run_find_diff: find_driver exited with %d" % driver.returncode, file=sys.stderr)
        return 1

    c_matches = [[] for _ in texts]
    errors = 0
    for line in c_out.splitlines():
        f = line.split("\t")
        rec, lev = int(f[0]), int(f[1])
        if f[2] == "ERR":
            errors += 1
            print("record %d leniency %d: phn_number_find failed with %s: %r"
                  % (rec, lev, f[3], texts[rec]), file=sys.stderr)
            continue
        c_matches[rec].append((lev, int(f[2]), int(f[3]), f[4], f[5]))

    with open(args.known, encoding="utf-8") as f:
        known_doc = json.load(f)
    known = {(e["region"], e["text"]): e["category"] for e in known_doc["entries"]}
    for cat in known.values():
        if cat not in known_doc["categories"]:
            print("known_divergences.json: category %r is not explained" % cat, file=sys.stderr)
            return 1
    seen_known = set()

    mismatches = allowed = 0
    per_leniency = [0, 0, 0, 0]
    non_ascii = with_ext = 0
    for i, (region, text) in enumerate(texts):
        data = text.encode("utf-8")
        want = [(lev, s, n, e, x) for lev, s, n, e, x, _ in py[i]]
        for lev, s, n, e, x, raw in py[i]:
            if data[s:s + n] != raw:
                mismatches += 1
                print("record %d: Python's raw string %r is not at its offset" % (i, raw),
                      file=sys.stderr)
        if c_matches[i] != want and (region, text) in known:
            allowed += 1
            seen_known.add((region, text))
        elif c_matches[i] != want:
            mismatches += 1
            print("MISMATCH record %d region %s text %r\n  C:      %r\n  Python: %r"
                  % (i, region, text, c_matches[i], want), file=sys.stderr)
        for lev, s, n, e, x in c_matches[i]:
            per_leniency[lev] += 1
            if any(b >= 0x80 for b in data[s:s + n]):
                non_ascii += 1
            if x != "-":
                with_ext += 1

    print("find_diff: %d texts (%d hand-written, %d generated), matches per leniency "
          "possible/valid/strict/exact: %s; %d with non-ASCII characters, %d with extensions; "
          "%d known divergences (%d categories), %d mismatches, %d errors"
          % (len(texts), hand, len(texts) - hand, "/".join(map(str, per_leniency)), non_ascii,
             with_ext, allowed, len(set(known.values())), mismatches, errors))
    stale = [k for k in known if k not in seen_known]
    for region, text in stale:
        print("STALE known divergence (both sides now agree, or the text is no longer "
              "generated): region %s text %r" % (region, text), file=sys.stderr)
    # The comparison must have had something to compare at every level.
    weak = (per_leniency[3] < 200 or not (per_leniency[0] > per_leniency[1] > per_leniency[2]
                                          > per_leniency[3]) or non_ascii < 50 or with_ext < 10)
    if weak:
        print("find_diff: the generated texts no longer exercise every leniency, script and "
              "extensions (see the counts above)", file=sys.stderr)
    return 1 if mismatches or errors or weak or stale else 0


if __name__ == "__main__":
    sys.exit(main())
