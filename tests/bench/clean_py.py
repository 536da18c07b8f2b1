#!/usr/bin/python3
"""The same loop as clean_raw.cc in Python with python3-phonenumbers: csv
reader, parse with the row's region (country column, else SA),
is_valid_number, number_type, format E164, dedupe in a set. Prints counts.

    clean_py.py FILE.csv [PHONE_COLUMN [COUNTRY_COLUMN]]
"""
import csv
import sys
import time

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


def main():
    path = sys.argv[1]
    pc = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    cc = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    t0 = time.monotonic()
    rows = clean = rejected = dups = 0
    seen = set()
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for fields in r:
            if not fields:
                continue
            rows += 1
            if len(fields) <= pc:
                rejected += 1
                continue
            region = fields[cc] if len(fields) > cc and fields[cc] else "SA"
            try:
                n = phonenumbers.parse(fields[pc], region)
            except NumberParseException:
                rejected += 1
                continue
            if not phonenumbers.is_valid_number(n):
                rejected += 1
                continue
            phonenumbers.number_type(n)
            e164 = phonenumbers.format_number(n, PhoneNumberFormat.E164)
            if e164 in seen:
                dups += 1
            else:
                seen.add(e164)
                clean += 1
    print("rows %d clean %d rejected %d duplicates %d seconds %.3f"
          % (rows, clean, rejected, dups, time.monotonic() - t0))


if __name__ == "__main__":
    main()
