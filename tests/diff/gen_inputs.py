#!/usr/bin/python3
"""Generate the input corpus of the differential test.

Writes a TSV file, one input per line: REGION<TAB>TEXT (REGION empty = no
region; TEXT may itself contain tabs, never a line break). The corpus is
deterministic: the same seed and count give the same bytes, whatever
PYTHONHASHSEED is (nothing here iterates over a set or dict of strings
without sorting it first).

The inputs start from libphonenumber's own example numbers (every type of
every region in REGIONS, the non-geographic entities, a sample of all other
regions) and are then mutated the ways real lists are dirty: national,
international, E.164, IDD and RFC 3966 forms; any separators; Arabic-Indic,
Extended Arabic-Indic, full-width and other digit scripts; vanity letters;
extensions; digits added or removed; wrong country codes; junk around the
number; and plain garbage. Every TEXT is at most MAX_CHARS characters.

With --labels, a second file gets the generator category of each line, so
the runner can tell which mutation an input came from.
"""

import argparse
import random
import re
import sys

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberFormat, PhoneNumberType

# python-phonenumbers compiles its per-region patterns through re's cache of
# 512 entries; a corpus over every region thrashes it and runs twice as slow.
# A bigger cache changes no result.
re._MAXCACHE = max(re._MAXCACHE, 20000)

DEFAULT_SEED = 20260102
DEFAULT_COUNT = 120000

# libphonenumber C++ counts its 250-character input limit in bytes, Python in
# characters; the call API caps numbers at 100 anyway. Staying at or under
# 100 characters keeps both ports on the same side of the limit.
MAX_CHARS = 100

# Regions the issue requires, then more that have interesting numbering
# plans (national prefixes, local-only lengths, carrier codes, leading zeros).
REQUIRED_REGIONS = [
    "SA", "US", "GB", "DE", "FR", "IN", "BR", "AE", "EG", "IT", "JP", "CN",
    "MX", "NG", "PK", "ID", "AU", "CA", "ES", "TR", "RU", "KR", "ZA", "AR",
]
EXTRA_REGIONS = [
    "AT", "BE", "CH", "CL", "CO", "GR", "HK", "IE", "IL", "IR", "KE", "KW",
    "MA", "MY", "NL", "NO", "NZ", "PE", "PH", "PL", "PT", "QA", "SE", "SG",
    "TH", "TW", "UA", "VE", "VN", "SM", "VA", "GG", "PR", "KZ", "BY", "HU",
]
# Strings that are not regions the library knows: each must give an error.
BAD_REGIONS = ["XX", "ZZ", "001", "UK", "EU", "S", "SAU", "U1", "AA", "usa"]

TYPES = [
    PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]

# Digit scripts: (name, code point of zero). The first three are the ones
# real lists contain; the others are rarer Nd digits both ports must accept.
SCRIPTS = [
    ("arabic_indic", 0x0660),
    ("ext_arabic_indic", 0x06F0),
    ("fullwidth", 0xFF10),
]
RARE_SCRIPTS = [
    ("devanagari", 0x0966),
    ("bengali", 0x09E6),
    ("thai", 0x0E50),
]

SEPARATORS = [
    " ", " ", " ", "-", "-", ".", "/", "\u00a0", "", " - ", "  ", "\u2010",
    "\u2013", "\u2212", "\u3000", "\uff0d", "\u30fc", "~", "\u00ad", "\u200b",
    "\u2060", "\uff0e", "\uff0f", " / ", ". ",
]
PARENS = [("(", ")"), ("(", ") "), ("\uff08", "\uff09"), ("[", "]"), ("\uff3b", "\uff3d")]

EXTENSION_FORMATS = [
    " x{}", "x{}", " X{}", " ext. {}", " ext.{}", " ext {}", " Ext: {}", " extn {}",
    " extension {}", " EXT {}", "#{}", " #{}", ";ext={}", ",,{}", ";{}", ", {}",
    " ext\u00a0{}", " \uff58{}", " \uff45\uff58\uff54\uff4e {}", " \u0434\u043e\u0431 {}",
    " anexo {}", " extensi\u00f3n {}", " int {}", " - {}#", " ~{}", " \uff03{}",
    ",{}", " x. {}", "\tx{}",
]

LEADING_JUNK = [
    "Tel: ", "tel.", "Phone: ", "Mobile - ", "Mob ", "Cell:", "Fax ", "T ", "ph#",
    "call ", "Call me at ", "\u0647\u0627\u062a\u0641: ", "\u062c\u0648\u0627\u0644 ",
    "T\u00e9l. ", "Telefon ", "Handy: ", "\u96fb\u8a71 ", "\u260e ", "\u2116 ", "No. ",
    "<", "\"", "'", "* ", "- ", "...", "(", "[", ":", "=", "#", "abc", "N/A ",
    "\u0422\u0435\u043b. ", "\u0939\u0948\u0932\u094b ", "WhatsApp ", "\u200f",
]
TRAILING_JUNK = [
    " (home)", " (mobile)", " !!", "...", " / ", " ", ",", ";", ".", " - ", ")",
    "\"", " \u0645\u0646\u0632\u0644", " (Büro)", " only", " call after 5pm", " *",
    " #", "#", " --", " \u260e", " ok", " \u200f", "\u3002",
]

VANITY_WORDS = [
    "1-800-FLOWERS", "1-800-GOT-JUNK", "1 800 CALL ATT", "1-800-CONTACTS",
    "+1-800-MY-APPLE", "1-888-NEW-CARS", "0800 REVERSE", "1-800-Flowers",
    "(800) PICK-UPS", "800-DIAL-NOW", "+44 800 FLOWERS", "1800 MICROSOFT",
    "1-800-GO-FEDEX", "+61 1300 TAXIS", "0800-CALL-ME", "1 877 kars4kids",
]
KEYPAD = {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
    "8": "TUV", "9": "WXYZ",
}

GARBAGE_POOL = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \u00a0"
    "\u00e9\u00fc\u00df\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u4e2d\u6587"
    "\u0416\u0436\u00bf\u00a1\u20ac\u00a3\u2013\u2014\u2026\u3000\uff0b\uff0d"
)
GARBAGE_FIXED = [
    "", " ", "   ", "\t", "-", "+", "++", "+ ", "#", "*", "0", "00", "+0", "000",
    "N/A", "n/a", "none", "null", "NULL", "unknown", "-", "--", "()", "( )",
    "tel:", "tel:+", "+()", "...", "x", "ext. 45", "#45", ";ext=45", "\u00a0",
    "\uff0b", "\u0660", "\u06f0\u06f1", "\uff10\uff11\uff12", "+\uff10",
]

# Words written around RFC 3966 numbers.
RFC_SUFFIXES = [";phone-context=+966", ";phone-context=example.com", ";isub=123",
                ";phone-context=+1;isub=1", ";phone-context=", ";ext=12;isub=3"]


class Generator:
    """Builds the corpus. All randomness comes from one seeded Random."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.all_regions = sorted(phonenumbers.SUPPORTED_REGIONS)
        self.core_regions = REQUIRED_REGIONS + EXTRA_REGIONS
        self.non_geo = sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
        assigned = set(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
        self.unassigned_codes = [c for c in range(1, 1000) if c not in assigned]
        self.examples = {}
        for region in self.all_regions:
            self.examples[region] = self._region_examples(region)
        self.examples["001"] = self._non_geo_examples()

    # --- sources of numbers -------------------------------------------------

    def _region_examples(self, region):
        """(country code, national significant number) of every example."""
        found = []
        for num_type in TYPES:
            num = phonenumbers.example_number_for_type(region, num_type)
            if num is not None:
                found.append((num.country_code, phonenumbers.national_significant_number(num)))
        num = phonenumbers.invalid_example_number(region)
        if num is not None:
            found.append((num.country_code, phonenumbers.national_significant_number(num)))
        return found

    def _non_geo_examples(self):
        found = []
        for code in self.non_geo:
            meta = PhoneMetadata.metadata_for_nongeo_region(code)
            for desc in (meta.mobile, meta.toll_free, meta.shared_cost, meta.voip,
                         meta.voicemail, meta.uan, meta.premium_rate):
                if desc is not None and desc.example_number:
                    found.append((code, desc.example_number))
        return found

    def pick_region(self):
        """Mostly the named regions, sometimes any region at all."""
        r = self.rnd.random()
        if r < 0.80:
            return self.rnd.choice(self.core_regions)
        if r < 0.85:
            return "001"
        return self.rnd.choice(self.all_regions)

    def pick_number(self, region):
        """An example number of region, often with its last digits changed."""
        code, nsn = self.rnd.choice(self.examples[region])
        r = self.rnd.random()
        if r < 0.35:
            return code, nsn
        # Changing only the tail keeps the number in its range most of the time.
        k = min(len(nsn) - 1, self.rnd.randint(1, 4))
        tail = "".join(self.rnd.choice("0123456789") for _ in range(k))
        return code, nsn[:len(nsn) - k] + tail

    def mutate_length(self, nsn):
        """Add or remove digits: too short, too long, odd lengths."""
        digits = list(nsn)
        if self.rnd.random() < 0.5 and len(digits) > 1:
            for _ in range(self.rnd.randint(1, min(4, len(digits) - 1))):
                del digits[self.rnd.randrange(len(digits))]
        else:
            for _ in range(self.rnd.randint(1, 5)):
                digits.insert(self.rnd.randint(0, len(digits)), self.rnd.choice("0123456789"))
        return "".join(digits)

    # --- renderings -----------------------------------------------------------

    @staticmethod
    def number_object(code, nsn):
        num = PhoneNumber(country_code=code, national_number=int(nsn))
        zeros = len(nsn) - len(nsn.lstrip("0"))
        if zeros and len(nsn) > 1:
            num.italian_leading_zero = True
            num.number_of_leading_zeros = min(zeros, len(nsn) - 1)
        return num

    def own_region(self, code):
        """The main region of a country code ("001" for non-geographic codes)."""
        return phonenumbers.region_code_for_country_code(code)

    def idd_prefix(self, dial_region):
        meta = PhoneMetadata.metadata_for_region(dial_region)
        prefix = meta.preferred_international_prefix or meta.international_prefix or ""
        if not prefix.isdigit():
            # A pattern such as "0(?:0|11)": use the plain prefix lists know.
            prefix = self.rnd.choice(["00", "011", "810", "010", "001", "0011", "000"])
        return prefix

    def render(self, code, nsn, home):
        """Write code+nsn in one of the forms people write; return (region, text).

        home is the region the number came from ("001" for non-geographic).
        The region given with it is the home region, another one, none, or the
        home region in lower case.
        """
        num = self.number_object(code, nsn)
        form = self.rnd.choices(
            ["e164", "e164_noplus", "intl", "national", "national_digits", "nsn",
             "idd", "out_of_country", "rfc3966", "mobile_dialing"],
            [12, 5, 14, 16, 8, 6, 10, 8, 3, 4])[0]
        geo_home = home if home != "001" else self.rnd.choice(self.core_regions)
        if form == "e164":
            return self.region_for_plus(geo_home), "+%d%s" % (code, nsn)
        if form == "e164_noplus":
            return self.region_for_national(geo_home), "%d%s" % (code, nsn)
        if form == "intl":
            text = phonenumbers.format_number(num, PhoneNumberFormat.INTERNATIONAL)
            return self.region_for_plus(geo_home), text
        if form == "national":
            text = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
            return self.region_for_national(geo_home), text
        if form == "national_digits":
            text = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
            text = "".join(c for c in text if c.isdigit())
            return self.region_for_national(geo_home), text
        if form == "nsn":
            return self.region_for_national(geo_home), nsn
        if form == "idd":
            dial = self.rnd.choice(self.core_regions)
            prefix = self.rnd.choice([self.idd_prefix(dial), "00", "011"])
            sep = self.rnd.choice(["", " ", "-", " "])
            text = "%s%s%d%s%s" % (prefix, sep, code, sep, nsn)
            return self.maybe_none(dial, 0.1), text
        if form == "out_of_country":
            dial = self.rnd.choice(self.core_regions)
            text = phonenumbers.format_out_of_country_calling_number(num, dial)
            return self.maybe_none(dial, 0.1), text
        if form == "rfc3966":
            text = phonenumbers.format_number(num, PhoneNumberFormat.RFC3966)
            if self.rnd.random() < 0.3:
                text += self.rnd.choice(RFC_SUFFIXES)
            return self.region_for_plus(geo_home), text
        dial = self.rnd.choice([geo_home, self.rnd.choice(self.core_regions)])
        text = phonenumbers.format_number_for_mobile_dialing(num, dial, self.rnd.random() < 0.5)
        return dial, text

    def maybe_none(self, region, p_none):
        return "" if self.rnd.random() < p_none else self.case(region)

    def case(self, region):
        """Regions are case-insensitive: write some in lower or mixed case."""
        r = self.rnd.random()
        if r < 0.05:
            return region.lower()
        if r < 0.07:
            return region[0] + region[1:].lower()
        return region

    def region_for_plus(self, home):
        """Numbers with + need no region; give one anyway most of the time."""
        r = self.rnd.random()
        if r < 0.35:
            return ""
        if r < 0.80:
            return self.case(home)
        return self.case(self.rnd.choice(self.core_regions))

    def region_for_national(self, home):
        r = self.rnd.random()
        if r < 0.10:
            return ""
        if r < 0.85:
            return self.case(home)
        return self.case(self.rnd.choice(self.core_regions))

    # --- text mutations -------------------------------------------------------

    def reseparate(self, text):
        """Regroup the digits of text with other separators and brackets."""
        plus = ""
        body = text
        while body[:1] in ("+", "\uff0b"):
            plus += body[0]
            body = body[1:]
        if not body or not all(c.isdigit() or c in " -.()/\u00a0" for c in body):
            return text
        digits = "".join(c for c in body if c.isdigit())
        groups = []
        i = 0
        while i < len(digits):
            n = self.rnd.randint(1, 5)
            groups.append(digits[i:i + n])
            i += n
        if len(groups) > 1 and self.rnd.random() < 0.3:
            j = self.rnd.randrange(len(groups) - 1)
            left, right = self.rnd.choice(PARENS)
            groups[j] = left + groups[j] + right
        sep = self.rnd.choice(SEPARATORS)
        out = []
        for g in groups:
            if out:
                out.append(sep if self.rnd.random() < 0.85 else self.rnd.choice(SEPARATORS))
            out.append(g)
        lead = self.rnd.choice(["", "", "", " "]) if plus else ""
        return plus + lead + "".join(out)

    def rescript(self, text, rare=False):
        """Write the digits of text in another digit script (all or some)."""
        name, zero = self.rnd.choice(RARE_SCRIPTS if rare else SCRIPTS)
        mode = self.rnd.random()
        out = []
        for c in text:
            if "0" <= c <= "9" and (mode < 0.7 or self.rnd.random() < 0.5):
                out.append(chr(zero + ord(c) - ord("0")))
            else:
                out.append(c)
        text = "".join(out)
        if self.rnd.random() < 0.3:
            text = text.replace("+", "\uff0b")
        return text

    def vanity(self, text):
        """Replace some trailing digits by keypad letters (1-800-FLOWERS)."""
        positions = [i for i, c in enumerate(text) if c in KEYPAD]
        if not positions:
            return text
        n = self.rnd.randint(1, min(8, len(positions)))
        chars = list(text)
        lower = self.rnd.random() < 0.25
        for i in positions[-n:]:
            letter = self.rnd.choice(KEYPAD[chars[i]])
            chars[i] = letter.lower() if lower else letter
        return "".join(chars)

    def extension(self):
        n = self.rnd.choices([1, 2, 3, 4, 5, 6, 7, 9, 10, 15, 16, 20, 21, 25],
                             [6, 10, 10, 10, 6, 4, 3, 2, 2, 1, 1, 1, 1, 1])[0]
        digits = "".join(self.rnd.choice("0123456789") for _ in range(n))
        if self.rnd.random() < 0.08:
            digits = self.rescript(digits)
        return self.rnd.choice(EXTENSION_FORMATS).format(digits)

    # --- categories -----------------------------------------------------------

    def one(self):
        """One input: (category, region, text)."""
        cat = self.rnd.choices(
            ["plain", "separators", "script", "rare_script", "vanity", "vanity_word",
             "extension", "length", "wrong_cc", "junk", "garbage", "random_digits",
             "bad_region", "combo"],
            [14, 14, 9, 1.5, 4, 0.5, 9, 10, 4, 6, 5, 9, 1, 10])[0]

        if cat == "garbage":
            return cat, self.maybe_none(self.rnd.choice(self.core_regions), 0.3), self.garbage()
        if cat == "random_digits":
            return (cat, self.maybe_none(self.rnd.choice(self.all_regions), 0.25),
                    self.random_digits())
        if cat == "vanity_word":
            text = self.rnd.choice(VANITY_WORDS)
            region = self.rnd.choice(["US", "CA", "GB", "AU", "", "us", "DE"])
            return cat, region, self.reseparate(text) if self.rnd.random() < 0.2 else text
        if cat == "wrong_cc":
            return cat, self.maybe_none(self.rnd.choice(self.core_regions), 0.4), self.wrong_cc()

        home = self.pick_region()
        code, nsn = self.pick_number(home)
        if cat in ("length", "combo") and self.rnd.random() < 0.8:
            nsn = self.mutate_length(nsn)
        region, text = self.render(code, nsn, home)

        if cat in ("separators", "combo") and self.rnd.random() < 0.8:
            text = self.reseparate(text)
        if cat == "vanity" or (cat == "combo" and self.rnd.random() < 0.1):
            text = self.vanity(text)
        if cat == "extension" or (cat == "combo" and self.rnd.random() < 0.3):
            text += self.extension()
        if cat == "script" or (cat == "combo" and self.rnd.random() < 0.2):
            text = self.rescript(text)
        if cat == "rare_script":
            text = self.rescript(text, rare=True)
        if cat == "junk" or (cat == "combo" and self.rnd.random() < 0.2):
            if self.rnd.random() < 0.7:
                text = self.rnd.choice(LEADING_JUNK) + text
            if self.rnd.random() < 0.5:
                text += self.rnd.choice(TRAILING_JUNK)
        if cat == "bad_region":
            region = self.rnd.choice(BAD_REGIONS)
        return cat, region, text

    def garbage(self):
        r = self.rnd.random()
        if r < 0.25:
            return self.rnd.choice(GARBAGE_FIXED)
        n = self.rnd.randint(1, 30)
        text = "".join(self.rnd.choice(GARBAGE_POOL) for _ in range(n))
        if r < 0.6:
            # A few digits in the garbage: too few for a number, or just enough.
            for _ in range(self.rnd.randint(1, 6)):
                i = self.rnd.randint(0, len(text))
                text = text[:i] + self.rnd.choice("0123456789") + text[i:]
        return text

    def random_digits(self):
        n = self.rnd.choice(list(range(0, 21)) + [24, 30, 40])
        digits = "".join(self.rnd.choice("0123456789") for _ in range(n))
        prefix = self.rnd.choices(["", "+", "00", "0", "011", "+0", "\uff0b"],
                                  [50, 25, 8, 8, 3, 3, 3])[0]
        text = prefix + digits
        if self.rnd.random() < 0.2:
            text = self.reseparate(text)
        if self.rnd.random() < 0.1:
            text = self.rescript(text)
        return text

    def wrong_cc(self):
        code = self.rnd.choice(["999", "0", "00", "000", "990", "80", "42", "295"] +
                               [str(c) for c in self.rnd.sample(self.unassigned_codes, 3)])
        nsn = "".join(self.rnd.choice("0123456789") for _ in range(self.rnd.randint(4, 12)))
        plus = self.rnd.choices(["+", "\uff0b", "00", "+ ", "++"], [70, 5, 15, 5, 5])[0]
        text = plus + code + self.rnd.choice(["", " ", "-"]) + nsn
        if self.rnd.random() < 0.2:
            text = self.reseparate(text)
        return text


def generate(count=DEFAULT_COUNT, seed=DEFAULT_SEED):
    """Return count inputs as (category, region, text) tuples."""
    gen = Generator(seed)
    out = []
    while len(out) < count:
        cat, region, text = gen.one()
        if len(text) > MAX_CHARS or "\n" in text or "\r" in text:
            continue
        out.append((cat, region, text))
    return out


def write_tsv(rows, path, labels_path=None):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for _, region, text in rows:
            f.write("%s\t%s\n" % (region, text))
    if labels_path:
        with open(labels_path, "w", encoding="utf-8", newline="\n") as f:
            for cat, _, _ in rows:
                f.write(cat + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="TSV file to write (REGION<TAB>TEXT)")
    ap.add_argument("--labels", help="also write one category per line here")
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    rows = generate(args.count, args.seed)
    write_tsv(rows, args.out, args.labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
