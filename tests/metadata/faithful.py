#!/usr/bin/env python3
"""Faithfulness proof for tools/metadata/convert.py (issue 11).

1. Dumps the bytes libphonenumber.so.8 returns from its own compiled-in accessors
   (i18n::phonenumbers::metadata_get/size, short_metadata_get/size,
   alternate_format_get/size; dlsym'ed via ctypes) and compares them byte for byte with the
   converter applied to the v8.12.57 XML shipped in tests/metadata/v8.12.57/. On a difference
   it prints the first differing offset and the decoded field path on both sides.
2. Converts the fresher XML (default ../shared/upstream/v9.0.35, or --fresh DIR), checks the
   output parses back with a small stdlib protobuf decoder (whole input consumed, wire types as
   the schema says, required fields present) and that the new ranges are in it: SA mobile
   0574 / 0579[2-8], US area codes 227 / 472 / 983 -- and that SA 811 (UAN) is gone. The same
   checks against the v8.12.57 output must come out the other way round (the test is not
   vacuous).

Python 3 stdlib only. Exit status 0 when everything holds. When no fresher XML is found (neither
--fresh, default data/metadata, nor ../shared/upstream/v9.0.35) part 2 is skipped with a note,
unless --require-fresh is given.
"""
import argparse
import ctypes
import ctypes.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "metadata"))
import convert  # noqa: E402

ACCESSORS = {
    # kind: (xml file, getter symbol, size symbol)
    "metadata": ("PhoneNumberMetadata.xml",
                 "_ZN4i18n12phonenumbers12metadata_getEv",
                 "_ZN4i18n12phonenumbers13metadata_sizeEv"),
    "short": ("ShortNumberMetadata.xml",
              "_ZN4i18n12phonenumbers18short_metadata_getEv",
              "_ZN4i18n12phonenumbers19short_metadata_sizeEv"),
    "alternate": ("PhoneNumberAlternateFormats.xml",
                  "_ZN4i18n12phonenumbers20alternate_format_getEv",
                  "_ZN4i18n12phonenumbers21alternate_format_sizeEv"),
}

# ---------------------------------------------------------------- schema (phonemetadata.proto)
# field number -> (name, kind) ; kind: message name, "string", "int32", "bool"
NUMBER_FORMAT = {1: ("pattern", "string"), 2: ("format", "string"),
                 3: ("leading_digits_pattern", "string"),
                 4: ("national_prefix_formatting_rule", "string"),
                 5: ("domestic_carrier_code_formatting_rule", "string"),
                 6: ("national_prefix_optional_when_formatting", "bool")}
PHONE_NUMBER_DESC = {2: ("national_number_pattern", "string"), 6: ("example_number", "string"),
                     9: ("possible_length", "int32"),
                     10: ("possible_length_local_only", "int32")}
PHONE_METADATA = {
    1: ("general_desc", "Desc"), 2: ("fixed_line", "Desc"), 3: ("mobile", "Desc"),
    4: ("toll_free", "Desc"), 5: ("premium_rate", "Desc"), 6: ("shared_cost", "Desc"),
    7: ("personal_number", "Desc"), 8: ("voip", "Desc"), 9: ("id", "string"),
    10: ("country_code", "int32"), 11: ("international_prefix", "string"),
    12: ("national_prefix", "string"), 13: ("preferred_extn_prefix", "string"),
    15: ("national_prefix_for_parsing", "string"),
    16: ("national_prefix_transform_rule", "string"),
    17: ("preferred_international_prefix", "string"),
    18: ("same_mobile_and_fixed_line_pattern", "bool"), 19: ("number_format", "Format"),
    20: ("intl_number_format", "Format"), 21: ("pager", "Desc"),
    22: ("main_country_for_code", "bool"), 23: ("leading_digits", "string"),
    24: ("no_international_dialling", "Desc"), 25: ("uan", "Desc"),
    26: ("leading_zero_possible", "bool"), 27: ("emergency", "Desc"),
    28: ("voicemail", "Desc"), 29: ("short_code", "Desc"), 30: ("standard_rate", "Desc"),
    31: ("carrier_specific", "Desc"), 32: ("mobile_number_portable_region", "bool"),
    33: ("sms_services", "Desc")}
COLLECTION = {1: ("metadata", "Metadata")}
SCHEMAS = {"Desc": PHONE_NUMBER_DESC, "Format": NUMBER_FORMAT, "Metadata": PHONE_METADATA,
           "Collection": COLLECTION}
REQUIRED = {"Format": (1, 2), "Metadata": (9,)}


class DecodeError(Exception):
    pass


def read_varint(buf, pos, end):
    shift = result = 0
    while True:
        if pos >= end:
            raise DecodeError("truncated varint at %d" % pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint too long at %d" % pos)


def decode(buf, msg="Collection", start=0, end=None, path="", spans=None):
    """Decode buf[start:end] as msg. Returns a dict name -> value or [values].

    When spans is a list, appends (start, end, path) for every field so an offset can be
    mapped back to the field that holds it.
    """
    if end is None:
        end = len(buf)
    schema = SCHEMAS[msg]
    out = {}
    counts = {}
    pos = start
    while pos < end:
        fstart = pos
        key, pos = read_varint(buf, pos, end)
        num, wt = key >> 3, key & 7
        if num not in schema:
            raise DecodeError("%s: unknown field %d at %d" % (path or msg, num, fstart))
        name, kind = schema[num]
        idx = counts.get(num, 0)
        counts[num] = idx + 1
        fpath = "%s.%s[%d]" % (path, name, idx) if path else "%s[%d]" % (name, idx)
        if kind in ("int32", "bool"):
            if wt != 0:
                raise DecodeError("%s: wire type %d, want 0" % (fpath, wt))
            v, pos = read_varint(buf, pos, end)
            if kind == "int32":
                v = v - (1 << 64) if v >= 1 << 63 else v
            else:
                v = bool(v)
        else:
            if wt != 2:
                raise DecodeError("%s: wire type %d, want 2" % (fpath, wt))
            ln, pos = read_varint(buf, pos, end)
            if pos + ln > end:
                raise DecodeError("%s: length %d overruns at %d" % (fpath, ln, pos))
            if kind == "string":
                v = bytes(buf[pos:pos + ln]).decode("utf-8")
            else:
                label = fpath
                v = decode(buf, kind, pos, pos + ln, label, spans)
                if kind == "Metadata":
                    rid = v.get("id", [""])[0]
                    cc = v.get("country_code", [None])[0]
                    label = "%s{id=%r cc=%s}" % (fpath, rid, cc)
                    if spans is not None:  # relabel the spans of this region for readability
                        for i in range(len(spans) - 1, -1, -1):
                            s, e, p = spans[i]
                            if s < pos:
                                break
                            spans[i] = (s, e, label + p[len(fpath):])
                    fpath = label
            pos += ln
        if spans is not None:
            spans.append((fstart, pos, fpath))
        out.setdefault(name, []).append(v)
    if pos != end:
        raise DecodeError("%s: overran its end" % (path or msg))
    for num in REQUIRED.get(msg, ()):
        if num not in counts:
            raise DecodeError("%s: required field %s missing" % (path or msg, schema[num][0]))
    return out


def field_at(buf, offset):
    """The innermost field path holding byte `offset` (or a note when undecodable)."""
    spans = []
    try:
        decode(buf, spans=spans)
    except DecodeError as e:
        note = " (bytes do not decode: %s)" % e
    else:
        note = ""
    best = None
    for s, e, p in spans:
        if s <= offset < e and (best is None or e - s < best[1] - best[0]):
            best = (s, e, p)
    if best is None:
        return "<no field>" + note
    return "%s [bytes %d..%d]%s" % (best[2], best[0], best[1], note)


# ---------------------------------------------------------------- the library's own bytes

def library_bytes(kind, libname):
    lib = ctypes.CDLL(libname)
    _, get_sym, size_sym = ACCESSORS[kind]
    get = getattr(lib, get_sym)
    get.restype = ctypes.c_void_p
    get.argtypes = []
    size = getattr(lib, size_sym)
    size.restype = ctypes.c_int
    size.argtypes = []
    return ctypes.string_at(get(), size())


def convert_file(path, kind):
    with open(path, "rb") as f:
        xml = f.read()
    return convert.convert(xml, is_short=(kind == "short"), is_alternate=(kind == "alternate"))


def compare(kind, ours, theirs):
    if ours == theirs:
        print("ok   %-9s byte-identical (%d bytes)" % (kind, len(ours)))
        return True
    n = min(len(ours), len(theirs))
    off = next((i for i in range(n) if ours[i] != theirs[i]), n)
    print("FAIL %-9s converter %d bytes, library %d bytes; first difference at offset %d"
          % (kind, len(ours), len(theirs), off))
    print("     converter: %s" % field_at(ours, off))
    print("     library:   %s" % field_at(theirs, off))
    lo = max(0, off - 16)
    print("     converter bytes: %r" % ours[lo:off + 24])
    print("     library bytes:   %r" % theirs[lo:off + 24])
    return False


# ---------------------------------------------------------------- fresh-data checks

def regions(collection):
    out = {}
    for m in collection.get("metadata", []):
        out.setdefault(m.get("id", [""])[0], m)
    return out


def desc_matches(meta, typ, national_number):
    d = meta.get(typ)
    if not d:
        return False
    pat = d[0].get("national_number_pattern")
    if not pat:
        return False
    lengths = d[0].get("possible_length") or \
        meta["general_desc"][0].get("possible_length", [])
    if -1 in lengths or len(national_number) not in lengths:
        return False
    return re.fullmatch(pat[0], national_number) is not None


# (region, national number, type it must match, label)
NEW_NUMBERS = [("SA", "574123456", "mobile", "SA 0574 mobile (+966 57 412 3456)"),
               ("SA", "579512345", "mobile", "SA 0579[2-8] mobile (+966 57 951 2345)"),
               ("SA", "579812345", "mobile", "SA 0579[2-8] mobile (+966 57 981 2345)"),
               ("US", "2272345678", "fixed_line", "US 227 fixed line (+1 227 234 5678)"),
               ("US", "2272345678", "mobile", "US 227 mobile (+1 227 234 5678)"),
               ("US", "4722345678", "fixed_line", "US 472 fixed line (+1 472 234 5678)"),
               ("US", "9832345678", "fixed_line", "US 983 fixed line (+1 983 234 5678)"),
               ("US", "9832345678", "mobile", "US 983 mobile (+1 983 234 5678)")]
REMOVED_NUMBERS = [("SA", "8110123456", "uan", "SA 811 UAN (+966 811 012 3456)")]


def range_checks(coll, fresh):
    """fresh=True: new ranges present, removed absent; fresh=False: the other way round."""
    regs = regions(coll)
    ok = True
    for region, nn, typ, label in NEW_NUMBERS:
        got = desc_matches(regs[region], typ, nn)
        if got != fresh:
            ok = False
        print("%s %s %s" % ("ok  " if got == fresh else "FAIL", label,
                            "present" if got else "absent"))
    for region, nn, typ, label in REMOVED_NUMBERS:
        got = desc_matches(regs[region], typ, nn)
        if got == fresh:
            ok = False
        print("%s %s %s" % ("ok  " if got != fresh else "FAIL", label,
                            "present" if got else "absent"))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default="libphonenumber.so.8")
    ap.add_argument("--old", default=os.path.join(HERE, "v8.12.57"))
    ap.add_argument("--fresh", default=os.path.join(ROOT, "data", "metadata"),
                    help="folder with the fresher XML (default data/metadata, falling back to "
                         "../shared/upstream/v9.0.35)")
    ap.add_argument("--require-fresh", action="store_true")
    ap.add_argument("--dump", help="write the library's and converter's bytes to this folder")
    args = ap.parse_args()

    ok = True
    old_meta = None
    print("== faithfulness: converter(v8.12.57 XML) vs %s accessors" % args.lib)
    for kind, (xml_name, _, _) in ACCESSORS.items():
        theirs = library_bytes(kind, args.lib)
        ours = convert_file(os.path.join(args.old, xml_name), kind)
        if args.dump:
            os.makedirs(args.dump, exist_ok=True)
            for who, b in (("library", theirs), ("converter", ours)):
                with open(os.path.join(args.dump, "%s.%s.bin" % (kind, who)), "wb") as f:
                    f.write(b)
        ok &= compare(kind, ours, theirs)
        decode(theirs)  # the library's own bytes must decode with our schema, too
        if kind == "metadata":
            old_meta = decode(ours)

    print("== the v8.12.57 output lacks the new ranges (checks are not vacuous)")
    ok &= range_checks(old_meta, fresh=False)

    fresh = args.fresh
    if not os.path.exists(os.path.join(fresh, "PhoneNumberMetadata.xml")):
        fallback = os.path.join(os.path.dirname(ROOT), "shared", "upstream", "v9.0.35")
        if os.path.exists(os.path.join(fallback, "PhoneNumberMetadata.xml")):
            fresh = fallback
        elif args.require_fresh:
            print("FAIL no fresh XML in %s" % fresh)
            return 1
        else:
            print("skip no fresh XML in %s" % fresh)
            return 0 if ok else 1
    print("== fresh data: converter(%s)" % fresh)
    for kind, (xml_name, _, _) in ACCESSORS.items():
        b = convert_file(os.path.join(fresh, xml_name), kind)
        try:
            coll = decode(b)
        except DecodeError as e:
            print("FAIL %-9s does not parse back: %s" % (kind, e))
            ok = False
            continue
        print("ok   %-9s parses back: %d bytes, %d territories"
              % (kind, len(b), len(coll.get("metadata", []))))
        if kind == "metadata":
            ok &= range_checks(coll, fresh=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
