#!/usr/bin/env python3
"""Convert upstream libphonenumber XML metadata into serialized PhoneMetadataCollection bytes.

Python 3 stdlib only. Reimplements the rules of upstream's Java BuildMetadataFromXml (full build:
example numbers kept) and writes the protobuf wire format by hand, fields in field-number order
(protobuf-java's order), only fields that the Java builder would have *set* (proto2 presence).
The output must be byte-identical to what libphonenumber 8.12.57's compiled-in
metadata_get()/short_metadata_get()/alternate_format_get() return for the v8.12.57 XML;
tests/metadata/faithful.py proves that.

Usage: convert.py INPUT.xml OUTPUT.bin [--short | --alternate]
       (kind is guessed from the file name when not given)

The input XML is upstream's data (Apache-2.0, The Libphonenumber Authors).
"""
import re
import sys
import xml.dom.minidom

# Java's \s in java.util.regex: [ \t\n\x0B\f\r]
_JAVA_WS = re.compile(r"[ \t\n\x0b\f\r]")


def strip_ws(s):
    return _JAVA_WS.sub("", s)


# ---------------------------------------------------------------- DOM helpers (Java semantics)

def by_tag(el, tag):
    """Element.getElementsByTagName: all descendants in document order."""
    return el.getElementsByTagName(tag)


def first_text(el):
    """getFirstChild().getNodeValue(), not trimmed."""
    c = el.firstChild
    if c is None:
        raise ValueError("<%s> has no text" % el.tagName)
    return c.nodeValue


def has_attr(el, name):
    return el.hasAttribute(name)


def attr(el, name):
    return el.getAttribute(name) if el.hasAttribute(name) else ""


def java_replace_first(s, literal, repl):
    i = s.find(literal)
    if i < 0:
        return s
    return s[:i] + repl + s[i + len(literal):]


# ---------------------------------------------------------------- protobuf wire encoding

def varint(n):
    if n < 0:
        n += 1 << 64  # int32 negatives are sign-extended to 64 bits: 10 bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(field, n):
    return varint(field << 3) + varint(n)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return varint((field << 3) | 2) + varint(len(data)) + data


class Msg:
    """A proto2 message as {field number: value | [values]}; only set fields are present."""

    def __init__(self):
        self.f = {}

    def set(self, n, v):
        self.f[n] = v

    def add(self, n, v):
        self.f.setdefault(n, []).append(v)

    def has(self, n):
        return n in self.f

    def get(self, n, default=None):
        return self.f.get(n, default)

    def clear(self, n):
        self.f.pop(n, None)

    def copy(self):
        m = Msg()
        for k, v in self.f.items():
            m.f[k] = list(v) if isinstance(v, list) else v
        return m

    def encode(self):
        out = bytearray()
        for n in sorted(self.f):
            vals = self.f[n]
            if not isinstance(vals, list):
                vals = [vals]
            for v in vals:
                if isinstance(v, Msg):
                    out += f_bytes(n, v.encode())
                elif isinstance(v, bool):
                    out += f_varint(n, 1 if v else 0)
                elif isinstance(v, int):
                    out += f_varint(n, v)
                else:
                    out += f_bytes(n, v)
        return bytes(out)


# Field numbers (phonemetadata.proto)
NF_PATTERN, NF_FORMAT, NF_LEADING, NF_NP_RULE, NF_CC_RULE, NF_NP_OPTIONAL = 1, 2, 3, 4, 5, 6
PD_PATTERN, PD_EXAMPLE, PD_LENGTH, PD_LOCAL_ONLY = 2, 6, 9, 10
PM = dict(general_desc=1, fixed_line=2, mobile=3, toll_free=4, premium_rate=5, shared_cost=6,
          personal_number=7, voip=8, id=9, country_code=10, international_prefix=11,
          national_prefix=12, preferred_extn_prefix=13, national_prefix_for_parsing=15,
          national_prefix_transform_rule=16, preferred_international_prefix=17,
          same_mobile_and_fixed_line_pattern=18, number_format=19, intl_number_format=20,
          pager=21, main_country_for_code=22, leading_digits=23, no_international_dialling=24,
          uan=25, emergency=27, voicemail=28, short_code=29, standard_rate=30,
          carrier_specific=31, mobile_number_portable_region=32, sms_services=33)

# XML tag -> field, in the order BuildMetadataFromXml sets them (order is irrelevant for bytes).
REGULAR_TYPES = [("fixedLine", "fixed_line"), ("mobile", "mobile"), ("sharedCost", "shared_cost"),
                 ("voip", "voip"), ("personalNumber", "personal_number"), ("pager", "pager"),
                 ("uan", "uan"), ("voicemail", "voicemail"),
                 ("noInternationalDialling", "no_international_dialling"),
                 ("tollFree", "toll_free"), ("premiumRate", "premium_rate")]
SHORT_TYPES = [("standardRate", "standard_rate"), ("shortCode", "short_code"),
               ("carrierSpecific", "carrier_specific"), ("emergency", "emergency"),
               ("tollFree", "toll_free"), ("premiumRate", "premium_rate"),
               ("smsServices", "sms_services")]
# Types whose possible lengths do not feed the general description (regular metadata).
DESCS_WITHOUT_MATCHING_TYPES = ("noInternationalDialling",)


# ---------------------------------------------------------------- possible lengths

def parse_lengths(s):
    out = set()
    for part in s.split(","):
        if not part:
            raise ValueError("empty possible length in %r" % s)
        if part[0] == "[":
            if part[-1] != "]":
                raise ValueError("bad range %r" % part)
            lo, hi = part[1:-1].split("-")
            lo, hi = int(lo), int(hi)
            if lo >= hi:
                raise ValueError("bad range %r" % part)
            out.update(range(lo, hi + 1))
        else:
            out.add(int(part))
    return out


def populate_lengths(el, lengths, local_only, skip=()):
    for pl in by_tag(el, "possibleLengths"):
        if skip and _inside_any(pl, skip):
            continue
        lengths.update(parse_lengths(attr(pl, "national")))
        if has_attr(pl, "localOnly"):
            lo = parse_lengths(attr(pl, "localOnly"))
            local_only.update(lo)


def _inside_any(node, skip_nodes):
    p = node.parentNode
    while p is not None:
        if any(p is s for s in skip_nodes):
            return True
        p = p.parentNode
    return False


def set_possible_lengths(lengths, local_only, parent, desc):
    desc.clear(PD_LENGTH)
    desc.clear(PD_LOCAL_ONLY)
    parent_lengths = parent.get(PD_LENGTH, []) if parent is not None else None
    if parent is None or sorted(lengths) != list(parent_lengths):
        for n in sorted(lengths):
            if parent is None or n in parent_lengths:
                desc.add(PD_LENGTH, n)
            else:
                raise ValueError("length %d not covered by the general description" % n)
    for n in sorted(local_only):
        if n not in lengths:
            if (parent is None or n in parent.get(PD_LOCAL_ONLY, [])
                    or n in parent_lengths):
                desc.add(PD_LOCAL_ONLY, n)
            else:
                raise ValueError("local-only length %d not covered" % n)


def general_desc_lengths(general, territory, is_short):
    lengths, local_only = set(), set()
    gd = by_tag(territory, "generalDesc")
    if gd.length:
        populate_lengths(gd[0], lengths, local_only)
        if lengths or local_only:
            raise ValueError("generalDesc must not carry possibleLengths")
    if not is_short:
        skip = []
        for tag in DESCS_WITHOUT_MATCHING_TYPES:
            nodes = by_tag(territory, tag)
            if nodes.length:
                skip.append(nodes[0])
        populate_lengths(territory, lengths, local_only, skip)
    else:
        sc = by_tag(territory, "shortCode")
        if sc.length:
            populate_lengths(sc[0], lengths, local_only)
        if local_only:
            raise ValueError("short number metadata has localOnly lengths")
    set_possible_lengths(lengths, local_only, None, general)


def number_desc(parent, territory, tag):
    nodes = by_tag(territory, tag)
    desc = Msg()
    if nodes.length == 0:
        # -1 never matches; an empty list would mean "as the general description".
        desc.add(PD_LENGTH, -1)
        return desc
    if nodes.length > 1:
        raise ValueError("several <%s>" % tag)
    el = nodes[0]
    if parent is not None:
        lengths, local_only = set(), set()
        populate_lengths(el, lengths, local_only)
        set_possible_lengths(lengths, local_only, parent, desc)
    pat = by_tag(el, "nationalNumberPattern")
    if pat.length:
        desc.set(PD_PATTERN, strip_ws(first_text(pat[0])))
    ex = by_tag(el, "exampleNumber")
    if ex.length:
        desc.set(PD_EXAMPLE, first_text(ex[0]))
    return desc


# ---------------------------------------------------------------- formats

def np_formatting_rule(el, national_prefix):
    rule = attr(el, "nationalPrefixFormattingRule")
    rule = java_replace_first(rule, "$NP", national_prefix)
    return java_replace_first(rule, "$FG", "$1")


def carrier_code_rule(el, national_prefix):
    rule = attr(el, "carrierCodeFormattingRule")
    rule = java_replace_first(rule, "$FG", "$1")
    return java_replace_first(rule, "$NP", national_prefix)


def set_leading_digits(nf_el, fmt):
    for ld in by_tag(nf_el, "leadingDigits"):
        fmt.add(NF_LEADING, strip_ws(first_text(ld)))


def load_formats(meta, territory, national_prefix, np_rule, np_optional):
    cc_rule = ""
    if has_attr(territory, "carrierCodeFormattingRule"):
        cc_rule = carrier_code_rule(territory, national_prefix)
    explicit_intl = False
    nfs = by_tag(territory, "numberFormat")
    if not nfs.length:
        return
    for nf in nfs:
        fmt = Msg()
        if has_attr(nf, "nationalPrefixFormattingRule"):
            fmt.set(NF_NP_RULE, np_formatting_rule(nf, national_prefix))
        elif np_rule != "":
            fmt.set(NF_NP_RULE, np_rule)
        if has_attr(nf, "nationalPrefixOptionalWhenFormatting"):
            fmt.set(NF_NP_OPTIONAL,
                    attr(nf, "nationalPrefixOptionalWhenFormatting").lower() == "true")
        elif np_optional:
            # Inherited only when it differs from the default (false).
            fmt.set(NF_NP_OPTIONAL, True)
        if has_attr(nf, "carrierCodeFormattingRule"):
            fmt.set(NF_CC_RULE, carrier_code_rule(nf, national_prefix))
        elif cc_rule != "":
            fmt.set(NF_CC_RULE, cc_rule)
        # national format
        set_leading_digits(nf, fmt)
        fmt.set(NF_PATTERN, attr(nf, "pattern"))
        f = by_tag(nf, "format")
        if f.length != 1:
            raise ValueError("numberFormat needs exactly one <format>")
        fmt.set(NF_FORMAT, first_text(f[0]))
        meta.add(PM["number_format"], fmt)
        # international format
        intl_nodes = by_tag(nf, "intlFormat")
        if intl_nodes.length > 1:
            raise ValueError("several <intlFormat>")
        if intl_nodes.length == 0:
            intl = fmt.copy()
        else:
            intl = Msg()
            intl.set(NF_PATTERN, attr(nf, "pattern"))
            set_leading_digits(nf, intl)
            v = first_text(intl_nodes[0])
            if v != "NA":
                intl.set(NF_FORMAT, v)
            explicit_intl = True
        if intl.has(NF_FORMAT):
            meta.add(PM["intl_number_format"], intl)
    if not explicit_intl:
        meta.clear(PM["intl_number_format"])


# ---------------------------------------------------------------- territories

def territory_metadata(region, el, national_prefix):
    m = Msg()
    m.set(PM["id"], region)
    if has_attr(el, "countryCode"):
        m.set(PM["country_code"], int(attr(el, "countryCode")))
    if has_attr(el, "leadingDigits"):
        m.set(PM["leading_digits"], attr(el, "leadingDigits"))
    if has_attr(el, "internationalPrefix"):
        m.set(PM["international_prefix"], attr(el, "internationalPrefix"))
    if has_attr(el, "preferredInternationalPrefix"):
        m.set(PM["preferred_international_prefix"], attr(el, "preferredInternationalPrefix"))
    if has_attr(el, "nationalPrefixForParsing"):
        m.set(PM["national_prefix_for_parsing"], strip_ws(attr(el, "nationalPrefixForParsing")))
        if has_attr(el, "nationalPrefixTransformRule"):
            m.set(PM["national_prefix_transform_rule"], attr(el, "nationalPrefixTransformRule"))
    if national_prefix != "":
        m.set(PM["national_prefix"], national_prefix)
        if not m.has(PM["national_prefix_for_parsing"]):
            m.set(PM["national_prefix_for_parsing"], national_prefix)
    if has_attr(el, "preferredExtnPrefix"):
        m.set(PM["preferred_extn_prefix"], attr(el, "preferredExtnPrefix"))
    if has_attr(el, "mainCountryForCode"):
        m.set(PM["main_country_for_code"], True)
    if has_attr(el, "mobileNumberPortableRegion"):
        m.set(PM["mobile_number_portable_region"], True)
    return m


def relevant_desc_patterns(m, el, is_short):
    general = number_desc(None, el, "generalDesc")
    general_desc_lengths(general, el, is_short)
    m.set(PM["general_desc"], general)
    if not is_short:
        for tag, name in REGULAR_TYPES:
            m.set(PM[name], number_desc(general, el, tag))
        same = (m.get(PM["mobile"]).get(PD_PATTERN, "") ==
                m.get(PM["fixed_line"]).get(PD_PATTERN, ""))
        if same:
            m.set(PM["same_mobile_and_fixed_line_pattern"], True)
    else:
        for tag, name in SHORT_TYPES:
            m.set(PM[name], number_desc(general, el, tag))


def country_metadata(region, el, is_short, is_alternate):
    national_prefix = attr(el, "nationalPrefix")
    m = territory_metadata(region, el, national_prefix)
    np_rule = np_formatting_rule(el, national_prefix)
    load_formats(m, el, national_prefix, np_rule,
                 has_attr(el, "nationalPrefixOptionalWhenFormatting"))
    if not is_alternate:
        relevant_desc_patterns(m, el, is_short)
    return m


def convert(xml_bytes, is_short=False, is_alternate=False):
    doc = xml.dom.minidom.parseString(xml_bytes)
    out = bytearray()
    for t in doc.documentElement.getElementsByTagName("territory"):
        region = attr(t, "id")
        m = country_metadata(region, t, is_short, is_alternate)
        out += f_bytes(1, m.encode())
    return bytes(out)


def kind_from_name(path):
    name = path.rsplit("/", 1)[-1]
    if name.startswith("ShortNumberMetadata"):
        return True, False
    if name.startswith("PhoneNumberAlternateFormats"):
        return False, True
    return False, False


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    is_short, is_alt = kind_from_name(args[0])
    if "--short" in flags:
        is_short, is_alt = True, False
    if "--alternate" in flags:
        is_short, is_alt = False, True
    if "--regular" in flags:
        is_short, is_alt = False, False
    with open(args[0], "rb") as f:
        data = convert(f.read(), is_short, is_alt)
    with open(args[1], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
