#!/usr/bin/python3
"""Differential test of phn_number_timezones() against python3-phonenumbers.

python-phonenumbers 8.12.57 (Debian) ports PhoneNumberToTimeZonesMapper with its own
copy of the prefix data, older than the v9.0.35 map_data.txt phonenorm embeds. So:

1. the rules must agree exactly: for every input, phonenorm's zones equal the answer of
   python-phonenumbers' own rule functions (number_type, is_number_type_geographical,
   longest prefix) run on data/timezones/map_data.txt;
2. against python-phonenumbers' time_zones_for_number() itself, every difference must
   come from a data divergence listed in known_divergences.json, and that list must be
   exactly the difference of the two data tables (nothing missing, nothing stale).

The corpus (fixed seed): every region's example number of every type with random
variants, the non-geographic entities, numbers built on every prefix of both tables,
and invalid or merely possible numbers (which have no zones). Exit 1 on any failure.
"""

import argparse
import json
import random
import subprocess
import sys

import phonenumbers
from phonenumbers import PhoneNumberType, PhoneNumberFormat, NumberParseException
from phonenumbers import timezone as pytz
from phonenumbers.tzdata import TIMEZONE_DATA

TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
         PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
         PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN,
         PhoneNumberType.VOICEMAIL]


def load_map(path):
    table = {}
    for line in open(path, encoding="ascii"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        prefix, zones = line.split("|")
        table[prefix] = sorted(zones.split("&"))
    return table


def longest(table, digits):
    for n in range(len(digits), 0, -1):
        if digits[:n] in table:
            return digits[:n]
    return None


def v9_rule(table, num):
    """PhoneNumberToTimeZonesMapper.getTimeZonesForNumber on table: (zones, prefix)."""
    ntype = phonenumbers.number_type(num)
    if ntype == PhoneNumberType.UNKNOWN:
        return [], None
    if not phonenumbers.is_number_type_geographical(ntype, num.country_code):
        key = longest(table, str(num.country_code))
    else:
        key = longest(table, phonenumbers.format_number(num, PhoneNumberFormat.E164)[1:])
    return (list(table[key]), key) if key else ([], None)


def py_prefix(num):
    """The prefix python-phonenumbers' own lookup used (its data), or None."""
    ntype = phonenumbers.number_type(num)
    if ntype == PhoneNumberType.UNKNOWN:
        return None
    if not phonenumbers.is_number_type_geographical(ntype, num.country_code):
        cc = str(num.country_code)
        for n in range(len(cc), 0, -1):
            if cc[:n] in TIMEZONE_DATA:
                return cc[:n]
        return None
    return longest(TIMEZONE_DATA, phonenumbers.format_number(num, PhoneNumberFormat.E164)[1:])


def corpus(rng, v9):
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for t in TYPES:
            ex = phonenumbers.example_number_for_type(region, t)
            if ex is None:
                continue
            e164 = phonenumbers.format_number(ex, PhoneNumberFormat.E164)
            out.append(("", e164))
            out.append((region, phonenumbers.format_number(ex, PhoneNumberFormat.NATIONAL)))
            for _ in range(4):
                k = rng.randint(2, 4)
                out.append(("", e164[:-k] + "".join(rng.choice("0123456789") for _ in range(k))))
    for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        ex = phonenumbers.example_number_for_non_geo_entity(cc)
        if ex is not None:
            out.append(("", phonenumbers.format_number(ex, PhoneNumberFormat.E164)))
    # Numbers on every prefix of both tables: a few completions each that
    # python-phonenumbers finds valid, plus one of any validity.
    for prefix in sorted(set(v9) | set(TIMEZONE_DATA)):
        found = 0
        for _ in range(40):
            total = rng.randint(max(len(prefix) + 1, 8), 13)
            digits = prefix + "".join(rng.choice("0123456789") for _ in range(total - len(prefix)))
            try:
                num = phonenumbers.parse("+" + digits, None)
            except NumberParseException:
                continue
            if phonenumbers.is_valid_number(num):
                out.append(("", "+" + digits))
                found += 1
                if found == 3:
                    break
        out.append(("", "+" + prefix + "".join(rng.choice("0123456789") for _ in range(6))))
    # Noise: unknown types have no zones.
    for _ in range(300):
        out.append(("", "+" + "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 16)))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--divergences", required=True)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()

    v9 = load_map(args.data)
    py = {k: sorted(v) for k, v in TIMEZONE_DATA.items()}
    failures = []

    # 3. The divergence list is exactly the data difference, entry by entry.
    listed = {d["prefix"]: d for d in json.load(open(args.divergences))["divergences"]}
    actual = {k for k in set(v9) | set(py) if v9.get(k) != py.get(k)}
    for k in sorted(actual - set(listed)):
        failures.append("data divergence at prefix %s not in %s: python %s, v9 %s"
                        % (k, args.divergences, py.get(k), v9.get(k)))
    for k in sorted(set(listed) - actual):
        failures.append("stale divergence %s: both tables now agree" % k)
    for k in sorted(actual & set(listed)):
        d = listed[k]
        if d["python"] != py.get(k, []) or d["cpp"] != v9.get(k, []) or not d.get("reason"):
            failures.append("divergence %s documents %s/%s, the data says %s/%s"
                            % (k, d["python"], d["cpp"], py.get(k, []), v9.get(k, [])))

    rng = random.Random(args.seed)
    inputs = corpus(rng, v9)
    feed = "".join("%s\t%s\n" % (r, t) for r, t in inputs)
    res = subprocess.run([args.driver], input=feed, capture_output=True, text=True)
    if res.returncode != 0:
        print("driver failed: " + res.stderr, file=sys.stderr)
        return 2
    lines = res.stdout.split("\n")[:-1]
    if len(lines) != len(inputs):
        print("driver gave %d lines for %d inputs" % (len(lines), len(inputs)), file=sys.stderr)
        return 2

    stats = {"inputs": len(inputs), "with zones": 0, "several zones": 0, "country level": 0,
             "none": 0, "differ from python 8.12.57 (listed data)": 0}
    regions = set()
    for (region, text), line in zip(inputs, lines):
        status, ctype, e164, czones = line.split("\t")
        cz = [] if czones == "-" else czones.split("&")
        try:
            num = phonenumbers.parse(text, region or None)
        except NumberParseException:
            num = None
        if num is None:
            want, key, pyz, pkey = [], None, [], None
        else:
            want, key = v9_rule(v9, num)
            pyz = [z for z in pytz.time_zones_for_number(num) if z != "Etc/Unknown"]
            pyz = sorted(pyz)
            pkey = py_prefix(num)
        if cz != want:
            failures.append("rule mismatch %r %r: phonenorm %s (%s %s), rules on v9.0.35 %s (prefix %s)"
                            % (region, text, cz or "-", status, ctype, want or "-", key))
            continue
        if cz:
            stats["with zones"] += 1
            regions.add(phonenumbers.region_code_for_number(num))
            if len(cz) > 1:
                stats["several zones"] += 1
            if key == str(num.country_code):
                stats["country level"] += 1
        else:
            stats["none"] += 1
        if cz != pyz:
            if key in listed or pkey in listed:
                stats["differ from python 8.12.57 (listed data)"] += 1
            else:
                failures.append("unexplained difference %r %r: phonenorm %s (prefix %s), "
                                "python-phonenumbers %s (prefix %s)"
                                % (region, text, cz or "-", key, pyz or "-", pkey))

    stats["regions with zones"] = len(regions)
    for k, v in stats.items():
        print("%-45s %d" % (k, v))
    for need, least in (("with zones", 5000), ("several zones", 200), ("country level", 300),
                        ("none", 300), ("regions with zones", 200)):
        if stats[need] < least:
            failures.append("corpus too uniform: %s is %d, want >= %d" % (need, stats[need], least))
    for f in failures[:50]:
        print("FAIL " + f)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("ok: phonenorm equals the mapper's rules on v9.0.35 for every input; "
          "every difference from python-phonenumbers 8.12.57 is a listed data divergence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
