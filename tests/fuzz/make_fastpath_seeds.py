#!/usr/bin/env python3
"""Write the seed corpus of fuzz_fastpath into tests/fuzz/corpus/fastpath/
(seed_*: realistic numbers of many countries in many formats; the
fuzzer's merged finds and minimised divergences sit beside them).

Each file is one byte (the region: index into REGIONS, read from
regions[] of fuzz_fastpath.c) then the text. Run from anywhere;
idempotent (deterministic)."""
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fastpath")


def read_regions():
    """regions[] of fuzz_fastpath.c, in its order (byte 0 < 128 of an input
    is regions[b % len]): read from the C file, so there is one list."""
    with open(os.path.join(HERE, "fuzz_fastpath.c"), encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"regions\[\] = \{(.*?)\n\};", src, re.S)
    if not m:
        sys.exit("make_fastpath_seeds.py: regions[] not found in fuzz_fastpath.c")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return [None if t == "NULL" else t.strip('"') for t in re.findall(r'NULL|"[A-Z]{2}"', body)]


REGIONS = read_regions()

# region, calling code, trunk prefix ("" none), international prefix, NSNs
NUMBERS = [
    ("SA", 966, "0", "00", ["512345678", "112345678", "920012345", "800123456"]),
    ("US", 1, "1", "011", ["2015550123", "2125551234", "8005550199", "9005550123"]),
    ("CA", 1, "1", "011", ["5062345678", "4165550123"]),
    ("AG", 1, "1", "011", ["2684601234", "2684641234"]),
    ("JM", 1, "1", "011", ["8765230123", "8762101234"]),
    ("PR", 1, "1", "011", ["7872345678"]),
    ("GB", 44, "0", "00", ["7400123456", "1212345678", "2079460000", "8001234567"]),
    ("GG", 44, "0", "00", ["1481256789", "7781123456"]),
    ("IT", 39, "", "00", ["0212345678", "3123456789", "0612345678", "800123456"]),
    ("VA", 39, "", "00", ["0669812345"]),
    ("RU", 7, "8", "810", ["9123456789", "3011234567", "4951234567"]),
    ("KZ", 7, "8", "810", ["7123456789", "7710009998"]),
    ("DE", 49, "0", "00", ["15123456789", "30123456", "6912345678"]),
    ("IN", 91, "0", "00", ["8123456789", "1123456789", "9876543210"]),
    ("BR", 55, "0", "00", ["11961234567", "1123456789"]),
    ("AR", 54, "0", "00", ["91123456789", "1123456789"]),
    ("MX", 52, "01", "00", ["2001234567", "12221234567", "5512345678"]),
    ("FR", 33, "0", "00", ["123456789", "612345678"]),
    ("ES", 34, "", "00", ["810123456", "612345678"]),
    ("NL", 31, "0", "00", ["101234567", "612345678"]),
    ("AU", 61, "0", "0011", ["212345678", "412345678"]),
    ("NZ", 64, "0", "00", ["32345678", "211234567"]),
    ("JP", 81, "0", "010", ["312345678", "9012345678"]),
    ("CN", 86, "0", "00", ["1012345678", "13123456789"]),
    ("HK", 852, "", "001", ["21234567", "51234567"]),
    ("SG", 65, "", "000", ["61234567", "81234567"]),
    ("AE", 971, "0", "00", ["22345678", "501234567"]),
    ("EG", 20, "0", "00", ["234567890", "1001234567"]),
    ("TR", 90, "0", "00", ["2123456789", "5012345678"]),
    ("IL", 972, "0", "01", ["21234567", "502345678"]),
    ("ZA", 27, "0", "00", ["101234567", "711234567"]),
    ("NG", 234, "0", "009", ["8021234567", "12345678"]),
    ("PK", 92, "0", "00", ["2123456789", "3012345678"]),
    ("ID", 62, "0", "001", ["218350123", "812345678"]),
    ("KR", 82, "0", "001", ["22123456", "1020000000"]),
    ("CH", 41, "0", "00", ["212345678", "781234567"]),
    ("GA", 241, "", "00", ["06031234", "1441234"]),
    ("CI", 225, "", "00", ["2123456789", "0123456789"]),
    ("SN", 221, "", "00", ["301012345", "701234567"]),
    ("CW", 599, "", "00", ["94351234", "95181234"]),
    ("BQ", 599, "", "00", ["7151234"]),
    ("RE", 262, "0", "00", ["262161234", "692123456"]),
    ("YT", 262, "0", "00", ["269601234", "639012345"]),
    ("GP", 590, "0", "00", ["590201234", "690001234"]),
    ("NO", 47, "", "00", ["21234567", "40612345"]),
    ("SJ", 47, "", "00", ["79123456"]),
    ("FI", 358, "0", "00", ["1312345678", "412345678"]),
    ("AX", 358, "0", "00", ["181234567"]),
    ("UZ", 998, "", "00", ["669050123", "912345678"]),
    ("BY", 375, "8", "810", ["152450911", "294911911"]),
    ("IR", 98, "0", "00", ["2123456789", "9123456789"]),
    ("CO", 57, "0", "00", ["6012345678", "3211234567"]),
    ("TH", 66, "0", "001", ["21234567", "812345678"]),
    ("PL", 48, "", "00", ["123456789", "512345678"]),
    ("AT", 43, "0", "00", ["1234567890", "664123456"]),
    # international / national prefixes that are regular expressions
    ("LT", 370, "8", "00", ["31234567", "61234567"]),
    ("KH", 855, "0", "001", ["23756789", "91234567"]),
    ("UG", 256, "0", "000", ["312345678", "712345678"]),
    ("TZ", 255, "0", "005", ["222345678", "621234567"]),
    ("MU", 230, "", "020", ["54480123", "52512345"]),
    ("CL", 56, "", "1230", ["221234567", "961234567"]),
    ("PE", 51, "0", "1911", ["11234567", "912345678"]),
    ("CR", 506, "", "00", ["22123456", "83123456"]),
    ("LU", 352, "", "00", ["27123456", "628123456"]),
    ("BO", 591, "0", "0012", ["22123456", "71234567"]),
    ("TW", 886, "0", "002", ["221234567", "912345678"]),
    ("UY", 598, "0", "00", ["21231234", "94231234"]),
    ("KP", 850, "0", "00", ["21234567", "1921234567"]),
    ("HU", 36, "06", "00", ["12345678", "201234567"]),
    (None, 800, "", "", ["12345678"]),
    (None, 808, "", "", ["12345678"]),
    (None, 870, "", "", ["301234567"]),
    (None, 881, "", "", ["612345678"]),
    (None, 882, "", "", ["2345678901"]),
    (None, 883, "", "", ["510012345"]),
    (None, 888, "", "", ["12345678901"]),
    (None, 979, "", "", ["123456789"]),
]

ARABIC = {str(i): chr(0x660 + i) for i in range(10)}
PERSIAN = {str(i): chr(0x6F0 + i) for i in range(10)}
WIDE = {str(i): chr(0xFF10 + i) for i in range(10)}


def groups(s, sep=" "):
    out, i = [], 0
    while len(s) - i > 4:
        out.append(s[i:i + 3])
        i += 3
    out.append(s[i:])
    return sep.join(x for x in out if x)


def digits(s, table):
    return "".join(table.get(c, c) for c in s)


def variants(rng, region, cc, trunk, idd, nsn):
    """(region, text) pairs: formats a person or a CRM export would write."""
    c = str(cc)
    out = [
        (None, "+" + c + nsn),
        (region, "+" + c + " " + groups(nsn)),
        (region, "+" + c + "-" + groups(nsn, "-")),
        (None, "+" + c + " (" + nsn[:3] + ") " + groups(nsn[3:])),
        ("US", "011 " + c + " " + groups(nsn)),
        ("SA", "00" + c + nsn),
        ("RU", "810 " + c + " " + nsn),
        ("AU", "0011 " + c + " " + nsn),
        ("SA", "+00" + c + nsn),
        (region, "++" + c + nsn),
        (None, "Tel: +" + c + " " + groups(nsn)),
        (None, "tel:+" + c + "-" + groups(nsn, "-")),
        (region, "+" + c + " " + groups(nsn) + rng.choice([" x123", " ext. 45", " ext 7",
                                                             "#45", " extension 12", " X 9"])),
        (None, digits("+" + c + nsn, rng.choice([ARABIC, PERSIAN, WIDE]))),
        (region, "+" + c + nsn[:-1]),
        (region, "+" + c + nsn + "1"),
        (rng.choice(["US", "GB", "DE", "IN", "BR", "MX"]), "+" + c + " " + nsn),
    ]
    if region:
        national = trunk + nsn
        out += [
            (region, national),
            (region, groups(national)),
            (region, "(" + national[:3] + ") " + groups(national[3:], "-")),
            (region, groups(national, ".")),
            (region, idd + c + nsn if idd else c + nsn),
            (region, c + nsn),
            (region, c + trunk + nsn),
            (region, "+" + c + trunk + nsn),
            (region, digits(national, ARABIC)),
            (region, digits(groups(national), WIDE)),
            (region, national + rng.choice([" x12", " ext.3456", " #7", " ext: 99"])),
            (region, "Mobile: " + national),
            (None, national),
            ("US" if region != "US" else "GB", national),
        ]
    return out


def main():
    # --all DIR: every variant of every number (~3,700 files) into DIR, a
    # bigger starting corpus for a long run; by default a sample of four
    # variants per number into the committed corpus.
    out, every = OUT, False
    if len(sys.argv) == 3 and sys.argv[1] == "--all":
        out, every = sys.argv[2], True
    rng = random.Random(12)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.startswith("seed_"):
            os.remove(os.path.join(out, f))
    seen = set()
    for region, cc, trunk, idd, nsns in NUMBERS:
        for nsn in nsns:
            vs = variants(rng, region, cc, trunk, idd, nsn)
            if not every:
                vs = rng.sample(vs, 4)
            for reg, text in vs:
                if (reg, text) in seen:
                    continue
                seen.add((reg, text))
                data = bytes([REGIONS.index(reg)]) + text.encode("utf-8")
                name = "seed_%s_%s" % (reg or "none", re.sub(r"[^A-Za-z0-9+.-]", "_", text))
                name = name[:80]
                n, k = name, 2
                while os.path.exists(os.path.join(out, n)):
                    n, k = "%s_%d" % (name, k), k + 1
                with open(os.path.join(out, n), "wb") as f:
                    f.write(data)
    # Shapes the design note names: viability, prefixes, shared codes.
    extra = [
        ("SA", "12"), ("SA", "1"), ("SA", "+12"), ("SA", "12+345"), ("SA", "+ 966 50 123 4567"),
        ("SA", "00 0966501234567"), ("SA", "+00966501234567"), ("SA", "0966501234567"),
        ("US", "011"), ("US", "0110"), ("US", "011 0 966 50"), ("US", "1-800-FLOWERS"),
        ("US", "(201) 555-0123 / x45"), ("US", "201.555.0123 - 503#"), ("US", "2015550123;ext=45"),
        ("US", "tel:2015550123;phone-context=+1"), ("US", "+1 201 555 0123,,45"),
        ("IT", "+39 06 1234 5678"), ("IT", "00390000000"), ("GB", "+44 (0) 20 7946 0000"),
        ("GB", "\u00a0020\u00a07946\u00a00000"), ("DE", "+49 (0)30 123456"), (None, "abc"),
        (None, ""), ("SA", "   "), ("SA", "#45"), ("SA", "x"), ("RU", "8 (912) 345-67-89"),
        ("RU", "8-10-966-50-123-4567"), ("IN", "+91-98765-43210"), ("IN", "091 98765 43210"),
        ("MX", "044 55 1234 5678"), ("AR", "011 15 2345-6789"), ("BR", "(11) 96123-4567"),
        ("BR", "0 21 11 96123 4567"), ("AG", "268-460-1234"), ("AG", "460 1234"),
        (None, "+1 268 460 1234"), (None, "+7 7123456789"), (None, "+44 1481 256789"),
        (None, "+262 269601234"), (None, "+599 7151234"), (None, "+800 1234 5678"),
        ("CR", "1900 2212 3456"), ("LU", "1500 27 12 34 56"), ("CN", "12500 10 1234 5678"),
        ("AU", "1831 2 1234 5678"), ("IL", "012 966 50 123 4567"), ("IL", "014 44 20 7946 0000"),
        ("TW", "019 1 201 555 0123"), ("CO", "00444 1 2015550123"), ("CO", "009 44 7400 123456"),
        ("CL", "1230 1 201 555 0123"), ("PE", "1911 966 50 123 4567"), ("BO", "0010 1 2015550123"),
        ("TH", "008 44 7400123456"), ("HU", "06 20 123 4567"), ("KP", "99 44 7400 123456"),
        ("SA", "\uff0b\uff19\uff16\uff16\uff15\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17"),
    ]
    for i, (reg, text) in enumerate(extra):
        with open(os.path.join(out, "seed_shape%02d" % i), "wb") as f:
            f.write(bytes([REGIONS.index(reg)]) + text.encode("utf-8"))
    print(len(os.listdir(out)), "files in", out)


if __name__ == "__main__":
    main()
