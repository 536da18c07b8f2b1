#!/usr/bin/python3
"""Generate the inputs of the metadata_npm_diff test (Python 3 stdlib only).

Writes a TSV file, one input per line: REGION<TAB>TEXT, where REGION is the
default region the text is parsed with (never empty here: a region that both
sides know). Deterministic: the same metadata XML, seed and count give the
same bytes, whatever PYTHONHASHSEED is.

The numbers come from the upstream metadata XML that phonenorm's bundled data
is converted from (PhoneNumberMetadata.xml; the same upstream version the npm
package carries): every type's example number of each region, and random
digits around them (the last digits changed, one digit short or long, random
digits of the region's lengths), plus the ranges issue 11 is about (SA 0574,
0579[2-8], the removed 811; the new US area codes). Each number is then
written the ways lists write it: +cc, 00cc / 011cc / the region's own
international prefix, the national trunk prefix (0, 1, 8...), the bare
national number, cc without +; separators, parentheses, dots; some in
Arabic-Indic, Extended Arabic-Indic or full-width digits; a small share
with an extension, a label or note around it, keypad letters or as a tel:
URI; and a default region that is the number's own, another one, or one of
a +1 island.
"""

import argparse
import random
import re
import sys
import xml.etree.ElementTree as ET

DEFAULT_SEED = 20261207
DEFAULT_COUNT = 110000

# Both sides count libphonenumber's 250-character input limit differently
# (C++ in UTF-8 bytes, JavaScript in UTF-16 units); at most 70 characters is
# at most 210 bytes, so every input stays on the same side of it.
MAX_CHARS = 70

# The regions the issue names first, then +1 islands and more plans with
# national prefixes, leading zeros, or local-only lengths.
CORE_REGIONS = [
    "SA", "US", "GB", "DE", "FR", "IT", "IN", "NG", "BR", "MX", "AE", "EG",
    "PK", "CN", "JP", "AU", "CA", "RU", "TR", "ES", "ZA", "ID", "KR",
]
ISLANDS = ["JM", "BS", "BB", "TT", "PR", "DO", "AG", "KY", "BM", "GU"]
EXTRA_REGIONS = [
    "AR", "NL", "BE", "CH", "AT", "SE", "NO", "PL", "KE", "MA", "QA", "KW",
    "OM", "BH", "JO", "IL", "IR", "SG", "MY", "PH", "TH", "VN", "NZ", "CO",
    "CL", "PE", "UA", "KZ", "HU", "SM", "VA", "GG", "IE", "PT", "GR",
]

TYPE_TAGS = ["fixedLine", "mobile", "tollFree", "premiumRate", "sharedCost",
             "personalNumber", "voip", "pager", "uan", "voicemail"]

# Issue 11's ranges: national significant numbers without the trunk prefix.
# (country code, region, prefix, total NSN length)
SPECIAL_RANGES = [
    (966, "SA", "574", 9),
    (966, "SA", "5792", 9), (966, "SA", "5793", 9), (966, "SA", "5794", 9),
    (966, "SA", "5795", 9), (966, "SA", "5796", 9), (966, "SA", "5797", 9),
    (966, "SA", "5798", 9),
    (966, "SA", "5799", 9),   # not in the new range: must stay invalid
    (966, "SA", "811", 10),   # removed UAN range
    (966, "SA", "8110", 10),
]
# The 22 US area codes opened since 8.12.57 (design note), 472 and 983 only
# with some next digits: random exchanges cover both sides of that.
NEW_US_AREA_CODES = ["227", "235", "274", "324", "327", "329", "350", "353", "363",
                     "369", "472", "557", "645", "686", "728", "730", "738", "748",
                     "821", "835", "975", "983"]

DIGIT_SCRIPTS = [0x0660, 0x06F0, 0xFF10]  # Arabic-Indic, Extended Arabic-Indic, full-width
SEPARATORS = [" ", " ", " ", "-", "-", ".", "/", "\u00a0", " - ", "\u2013", "\uff0d"]
PARENS = [("(", ")"), ("(", ") "), ("[", "]"), ("\uff08", "\uff09")]
# How lists dirty a number: extensions, labels and notes around it, keypad
# letters, tel: URIs (a small share, so the numbers themselves dominate).
EXTENSIONS = [" ext. {}", " x{}", "x{}", " ext {}", ";ext={}", " #{}", "#{}", " extension {}",
              ",{}", " anexo {}", " \u0434\u043e\u0431. {}", " \uff58{}"]
LEADING = ["Tel: ", "tel. ", "Mobile: ", "Phone ", "\u062c\u0648\u0627\u0644: ", "T\u00e9l ",
           "(", "* ", "- ", "\u260e ", "No. "]
TRAILING = [" (home)", " (mobile)", ".", ",", ";", " ", " - ", ")", " only", " \u0645\u0646\u0632\u0644"]
KEYPAD = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
          "8": "TUV", "9": "WXYZ"}


def _text(elem, tag):
    child = elem.find(tag)
    if child is None or child.text is None:
        return None
    return re.sub(r"\s+", "", child.text)


def _lengths(desc, general_lengths):
    pl = desc.find("possibleLengths")
    if pl is None or not pl.get("national"):
        return general_lengths
    return _expand(pl.get("national"))


def _expand(spec):
    out = []
    for part in spec.split(","):
        part = part.strip()
        if part.startswith("["):
            lo, hi = part[1:-1].split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part and part != "-1":
            out.append(int(part))
    return sorted(set(out))


def load_metadata(xml_path):
    """{region: {cc, idd, np, examples: [(type, nsn)], lengths}} from the XML."""
    root = ET.parse(xml_path).getroot()
    regions = {}
    for terr in root.iter("territory"):
        rid = terr.get("id")
        info = {
            "cc": int(terr.get("countryCode")),
            "idd": terr.get("preferredInternationalPrefix") or terr.get("internationalPrefix") or "",
            "np": terr.get("nationalPrefix") or "",
            "examples": [],
            "lengths": set(),
        }
        for tag in TYPE_TAGS:
            desc = terr.find(tag)
            if desc is None:
                continue
            ex = _text(desc, "exampleNumber")
            if ex:
                info["examples"].append((tag, ex))
            info["lengths"].update(_lengths(desc, []))
        info["lengths"] = sorted(info["lengths"])
        if rid != "001" and info["examples"]:
            regions[rid] = info
    return regions


class Generator:
    """All randomness comes from one seeded Random; iteration orders are fixed."""

    def __init__(self, meta, seed):
        self.meta = meta
        self.rnd = random.Random(seed)
        missing = [r for r in CORE_REGIONS + ISLANDS + EXTRA_REGIONS if r not in meta]
        if missing:
            raise SystemExit("npm_gen: regions missing from the metadata XML: %s" % missing)
        self.named = CORE_REGIONS + ISLANDS + EXTRA_REGIONS
        self.all_regions = sorted(meta)

    # --- numbers ------------------------------------------------------------

    def digits(self, n):
        return "".join(self.rnd.choice("0123456789") for _ in range(n))

    def pick_home(self):
        r = self.rnd.random()
        if r < 0.62:
            return self.rnd.choice(CORE_REGIONS)
        if r < 0.72:
            return self.rnd.choice(ISLANDS)
        if r < 0.90:
            return self.rnd.choice(EXTRA_REGIONS)
        return self.rnd.choice(self.all_regions)

    def number(self):
        """(category, home region, national significant number)."""
        r = self.rnd.random()
        if r < 0.06:
            cc, home, prefix, length = self.rnd.choice(SPECIAL_RANGES)
            return "sa-range", home, prefix + self.digits(length - len(prefix))
        if r < 0.10:
            area = self.rnd.choice(NEW_US_AREA_CODES)
            exchange = self.rnd.choice("23456789") + self.digits(2)
            if self.rnd.random() < 0.1:
                exchange = self.rnd.choice("01") + self.digits(2)  # never valid
            return "us-new-area", "US", area + exchange + self.digits(4)
        home = self.pick_home()
        info = self.meta[home]
        tag, ex = self.rnd.choice(info["examples"])
        r = self.rnd.random()
        if r < 0.25:
            return "example_" + tag, home, ex
        if r < 0.65:
            k = self.rnd.randint(1, min(4, len(ex) - 1))
            return "tail_" + tag, home, ex[:len(ex) - k] + self.digits(k)
        if r < 0.75:
            return "short", home, ex[:-1] if len(ex) > 1 else ex
        if r < 0.85:
            return "long", home, ex + self.digits(1)
        # Random digits of one of the region's lengths, starting like an example.
        length = self.rnd.choice(info["lengths"] or [len(ex)])
        keep = min(length, self.rnd.randint(0, 3))
        return "random_" + tag, home, (ex[:keep] + self.digits(length))[:length]

    # --- renderings ---------------------------------------------------------

    def other_region(self, home):
        r = self.rnd.random()
        if r < 0.5:
            return self.rnd.choice(self.named)
        if r < 0.7 and self.meta[home]["cc"] == 1:
            return self.rnd.choice(["US", "CA"] + ISLANDS)
        return self.rnd.choice(self.all_regions)

    def idd_for(self, dial):
        idd = self.meta[dial]["idd"]
        if not idd.isdigit():
            idd = self.rnd.choice(["00", "011"])
        return idd

    def render(self, home, nsn):
        """(prefix shape, default region, text): as a person or a CRM writes it."""
        info = self.meta[home]
        cc = str(info["cc"])
        shape = self.rnd.choices(
            ["plus", "plus", "idd", "00", "011", "trunk", "bare", "cc_noplus"],
            [22, 6, 10, 6, 4, 24, 22, 6])[0]
        if shape == "plus":
            region = home if self.rnd.random() < 0.5 else self.other_region(home)
            return shape, region, ["+", cc, nsn]
        if shape == "idd":
            dial = home if self.rnd.random() < 0.2 else self.other_region(home)
            return shape, dial, [self.idd_for(dial), cc, nsn]
        if shape in ("00", "011"):
            dial = self.rnd.choice([home, self.other_region(home), "US", "GB", "SA"])
            return shape, dial, [shape, cc, nsn]
        if shape == "trunk":
            region = home if self.rnd.random() < 0.85 else self.other_region(home)
            np = info["np"] if info["np"] and self.rnd.random() < 0.9 else self.rnd.choice("01")
            return shape, region, [np, nsn]
        if shape == "bare":
            region = home if self.rnd.random() < 0.85 else self.other_region(home)
            return shape, region, ["", nsn]
        region = home if self.rnd.random() < 0.7 else self.other_region(home)
        return shape, region, ["", cc, nsn]

    def group(self, digits):
        """Split digits into groups of 1-5 (3-4 mostly), as formats do."""
        out, i = [], 0
        while i < len(digits):
            n = self.rnd.choices([1, 2, 3, 4, 5], [1, 4, 8, 6, 1])[0]
            out.append(digits[i:i + n])
            i += n
        return out

    def write(self, parts):
        """Join [prefix, (cc,) nsn] with separators, parentheses, dots."""
        style = self.rnd.random()
        if style < 0.35:
            return "".join(parts)
        sep = self.rnd.choice(SEPARATORS)
        head = parts[:-1]
        groups = self.group(parts[-1])
        if self.rnd.random() < 0.25 and len(groups) > 1:
            left, right = self.rnd.choice(PARENS)
            groups[0] = left + groups[0] + right
        pieces = [p for p in head if p]
        if head and head[0] == "+" and len(pieces) > 1:
            pieces = ["+" + pieces[1]] + pieces[2:]
        if head and head[0] in ("0", "1", "8") and len(head) == 1 and self.rnd.random() < 0.4:
            # trunk prefix inside the parentheses: (0) 20 ... or (020) ...
            left, right = self.rnd.choice(PARENS)
            pieces = [left + head[0] + right]
        return sep.join(pieces + groups)

    def rescript(self, text):
        zero = self.rnd.choice(DIGIT_SCRIPTS)
        every = self.rnd.random() < 0.7
        out = []
        for c in text:
            if "0" <= c <= "9" and (every or self.rnd.random() < 0.5):
                out.append(chr(zero + ord(c) - ord("0")))
            else:
                out.append(c)
        text = "".join(out)
        if zero == 0xFF10 and self.rnd.random() < 0.5:
            text = text.replace("+", "\uff0b")
        return text

    def dirty(self, text, parts):
        """One of the ways lists dirty a number; returns (kind, text)."""
        kind = self.rnd.choice(["ext", "ext", "label", "label", "vanity", "tel"])
        if kind == "ext":
            digits = self.digits(self.rnd.choice([1, 2, 3, 4, 5, 6]))
            return kind, text + self.rnd.choice(EXTENSIONS).format(digits)
        if kind == "label":
            if self.rnd.random() < 0.8:
                text = self.rnd.choice(LEADING) + text
            if self.rnd.random() < 0.6:
                text += self.rnd.choice(TRAILING)
            return kind, text
        if kind == "vanity":
            pos = [i for i, c in enumerate(text) if c in KEYPAD]
            chars = list(text)
            for i in pos[-self.rnd.randint(1, 7):] if pos else []:
                chars[i] = self.rnd.choice(KEYPAD[chars[i]])
            return kind, "".join(chars)
        if parts[0] == "+":
            groups = self.group(parts[2])
            return kind, "tel:+" + "-".join([parts[1]] + groups)
        return kind, "tel:" + "".join(parts) + ";phone-context=+" + str(self.rnd.choice([1, 44, 966]))

    def one(self):
        cat, home, nsn = self.number()
        shape, region, parts = self.render(home, nsn)
        text = self.write(parts)
        if self.rnd.random() < 0.06:
            text = self.rescript(text)
            cat += "+script"
        if self.rnd.random() < 0.08:
            kind, text = self.dirty(text, parts)
            cat += "+" + kind
        return "%s/%s" % (cat, shape), region, text


def generate(meta, count=DEFAULT_COUNT, seed=DEFAULT_SEED):
    """count inputs as (category, region, text); the same for the same arguments."""
    gen = Generator(meta, seed)
    out = []
    while len(out) < count:
        cat, region, text = gen.one()
        if len(text) <= MAX_CHARS:
            out.append((cat, region, text))
    return out


def write_tsv(rows, path):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for _, region, text in rows:
            f.write("%s\t%s\n" % (region, text))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xml", required=True, help="upstream PhoneNumberMetadata.xml")
    ap.add_argument("--out", required=True, help="TSV file to write (REGION<TAB>TEXT)")
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    write_tsv(generate(load_metadata(args.xml), args.count, args.seed), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
