#!/usr/bin/python3
"""Compare the npm package's phone-number metadata with phonenorm's bundled data.

Both are built from upstream's PhoneNumberMetadata.xml by upstream's rules:
phonenorm's by tools/metadata/convert.py (protobuf bytes), the npm package's by
upstream's BuildMetadataJsonFromXml (arrays indexed by phonemetadata.proto
field number). This module decodes both into the same form, field by field,
so the differential test can tell a number that differs because the data
differs (the npm release carries a later upstream version) from one that
differs because the two ports behave differently.

Python 3 stdlib only. As a program: npm_meta.py --xml PhoneNumberMetadata.xml
--json <(node npm/reference.js --metadata) prints the regions that differ.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "metadata"))
sys.path.insert(0, HERE)
import convert  # noqa: E402
import faithful  # noqa: E402  (its schema-aware protobuf decoder)


def from_bytes(data):
    """{region id: decoded PhoneMetadata} of convert.py's output."""
    coll = faithful.decode(data)
    return {_key(m): m for m in coll.get("metadata", [])}


def _key(m):
    """Regions by id; the non-geographic entities (id 001) by calling code, as jspb keys them."""
    rid = m["id"][0]
    return str(m["country_code"][0]) if rid == "001" else rid


def _from_array(arr, msg):
    """A jspb array (index = field number) as faithful.decode() returns it."""
    schema = faithful.SCHEMAS[msg]
    out = {}
    for num, (name, kind) in schema.items():
        if num >= len(arr) or arr[num] is None:
            continue
        v = arr[num]
        values = v if isinstance(v, list) and kind in ("string", "int32", "bool") else [v]
        if kind in ("Desc", "Format", "Metadata"):
            values = v if kind == "Format" else [v]
            values = [_from_array(x, kind) for x in values]
        elif kind == "bool":
            values = [bool(x) for x in values]
        out[name] = values
    return out


def from_json(countries):
    """{region id: decoded PhoneMetadata} of the package's countryToMetadata."""
    return {_key(m): m for m in (_from_array(arr, "Metadata") for arr in countries.values())}


# Fields that differ between the two builds of the same XML by construction and
# change nothing that is compared:
# - mobile_number_portable_region: upstream's JSON builder (BuildMetadataJsonFromXml)
#   does not write field 32, so the package never has it; the JS port reads it
#   only in isMobileNumberPortableRegion(), which the test does not call.
# - example_number (any type): sample data, read by no parse or validity rule.
IGNORED = {"mobile_number_portable_region"}


def _repeated(name):
    return name in ("possible_length", "possible_length_local_only", "leading_digits_pattern",
                    "number_format", "intl_number_format")


def _diff(a, b, path, out):
    for name in sorted(set(a) | set(b)):
        va, vb = a.get(name), b.get(name)
        p = "%s.%s" % (path, name) if path else name
        if va is None or vb is None:
            # A field only one side sets: jspb leaves out what the Java builder
            # leaves unset, as protobuf does; a set default counts as different.
            out.append(p)
            continue
        if len(va) != len(vb):
            out.append(p)
            continue
        for i, (x, y) in enumerate(zip(va, vb)):
            if isinstance(x, dict) and isinstance(y, dict):
                _diff(x, y, "%s[%d]" % (p, i) if _repeated(name) else p, out)
            elif x != y:
                out.append(p)
                break


def compare(ours, theirs):
    """{region: [differing field paths]} over every region of either side."""
    result = {}
    for rid in sorted(set(ours) | set(theirs)):
        if rid not in ours or rid not in theirs:
            result[rid] = ["(region only in %s)" % ("npm" if rid in theirs else "phonenorm")]
            continue
        fields = []
        _diff(ours[rid], theirs[rid], "", fields)
        fields = [f for f in fields if f not in IGNORED and not f.endswith(".example_number")]
        if fields:
            result[rid] = fields
    return result


def load(xml_path, countries):
    """(phonenorm's collection, the package's collection), decoded alike."""
    with open(xml_path, "rb") as f:
        ours = from_bytes(convert.convert(f.read()))
    return ours, from_json(countries)


def compare_files(xml_path, countries):
    ours, theirs = load(xml_path, countries)
    return compare(ours, theirs), len(ours)


def to_jspb(decoded, msg="Metadata"):
    """A decoded message back as a jspb array (index = field number), the
    package's form, so the JS port can be run on phonenorm's data."""
    schema = faithful.SCHEMAS[msg]
    top = max(n for n, (name, _) in schema.items() if name in decoded) if decoded else 0
    arr = [None] * (top + 1)
    for num, (name, kind) in schema.items():
        if name not in decoded:
            continue
        values = decoded[name]
        if kind in ("Desc", "Format"):
            values = [to_jspb(v, kind) for v in values]
        elif kind == "bool":
            values = [1 if v else 0 for v in values]  # the JSON builder's form of a bool
        repeated = _repeated(name)
        arr[num] = values if repeated else values[0]
    return arr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xml", required=True)
    ap.add_argument("--json", required=True, help="output of npm/reference.js --metadata")
    args = ap.parse_args(argv)
    with open(args.json, encoding="utf-8") as f:
        countries = json.load(f)
    diff, n = compare_files(args.xml, countries)
    print("%d regions, %d differ" % (n, len(diff)))
    for rid, fields in diff.items():
        print("%s: %s" % (rid, ", ".join(fields)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
