#!/usr/bin/env python3
"""Generate a campaign-style phone list for the `phonenorm clean` benchmark.

    clean_gen.py ROWS OUT.csv [--seed N]

Columns: id,name,amount,due_date,phone,country. About 70% Saudi and 30% US
numbers, each written in one of many real-world formats (local, +, 00,
spaces, dashes, brackets, Arabic-Indic digits, extensions); about 20% of the
rows repeat an earlier number in another format and about 5% are garbage.
Names sometimes hold a comma and are quoted, as CRM exports do. The output
is the same for the same ROWS and seed.
"""
import argparse
import random
from array import array

AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
US_AREAS = [201, 202, 206, 212, 213, 214, 303, 305, 310, 312, 404, 415, 503, 512, 602,
            617, 646, 702, 713, 718, 773, 805, 818, 917]
FIRST = ["Fahad", "Noura", "Khalid", "Sara", "Mohammed", "Reem", "Abdullah", "Lama", "John",
         "Emily", "David", "Grace", "Carlos", "Hannah", "Omar", "Maha", "Turki", "Hessa"]
LAST = ["Al-Otaibi", "Al-Harbi", "Al-Qahtani", "Al-Dosari", "Al-Shehri", "Al-Mutairi",
        "Carter", "Miller", "Nguyen", "Kim", "Ramirez", "Lee", "Al-Ghamdi", "Al-Zahrani"]
GARBAGE = ["n/a", "", "12345", "unknown", "+999 123 4567", "05012", "call office",
           "0000", "-", "050123456789012"]
SA_PREFIX = [50, 53, 54, 55, 56, 58, 59, 11, 12, 13]


def sa_format(nsn, r):
    """nsn: 9-digit national significant number as a string."""
    k = r.randrange(9)
    if k == 0:
        return "0" + nsn
    if k == 1:
        return "0%s %s %s" % (nsn[:2], nsn[2:5], nsn[5:])
    if k == 2:
        return "+966" + nsn
    if k == 3:
        return "+966 %s %s %s" % (nsn[:2], nsn[2:5], nsn[5:])
    if k == 4:
        return "00966" + nsn
    if k == 5:
        return "966" + nsn
    if k == 6:
        return ("0" + nsn).translate(AR)
    if k == 7:
        return "(0%s) %s-%s" % (nsn[:2], nsn[2:5], nsn[5:])
    return "0%s-%s-%s" % (nsn[:2], nsn[2:5], nsn[5:])


def us_format(d, r):
    """d: 10-digit US number as a string."""
    a, e, l = d[:3], d[3:6], d[6:]
    k = r.randrange(7)
    if k == 0:
        return "(%s) %s-%s" % (a, e, l)
    if k == 1:
        return "%s-%s-%s" % (a, e, l)
    if k == 2:
        return "%s.%s.%s" % (a, e, l)
    if k == 3:
        return "+1 %s %s %s" % (a, e, l)
    if k == 4:
        return "1-%s-%s-%s" % (a, e, l)
    if k == 5:
        return "%s%s%s ext. %d" % (a, e, l, r.randrange(1, 999))
    return a + e + l


def number_text(code, r):
    """code: SA numbers are the 9-digit NSN, US ones 10 digits + 10**10."""
    if code >= 10 ** 10:
        return us_format(str(code - 10 ** 10), r), "US"
    return sa_format(str(code), r), "SA"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args()
    r = random.Random(args.seed)
    seen = array("q")
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = f.write
        w("id,name,amount,due_date,phone,country\n")
        for i in range(args.rows):
            x = r.random()
            if x < 0.05:
                phone, country = r.choice(GARBAGE), "SA"
            elif x < 0.25 and seen:
                phone, country = number_text(seen[r.randrange(len(seen))], r)
            else:
                if r.random() < 0.7:
                    code = r.choice(SA_PREFIX) * 10 ** 7 + r.randrange(10 ** 7)
                else:
                    code = 10 ** 10 + r.choice(US_AREAS) * 10 ** 7 + \
                        r.randrange(2, 10) * 10 ** 6 + r.randrange(10 ** 6)
                seen.append(code)
                phone, country = number_text(code, r)
            name = "%s %s" % (r.choice(FIRST), r.choice(LAST))
            if r.random() < 0.1:
                name = '"%s, %s"' % (r.choice(LAST), r.choice(FIRST))
            if "," in phone or '"' in phone:
                phone = '"%s"' % phone.replace('"', '""')
            w("%d,%s,%d.%02d,2026-12-%02d,%s,%s\n" % (
                i + 1, name, r.randrange(10, 20000), r.randrange(100), r.randrange(1, 29),
                phone, country if r.random() < 0.9 or country == "US" else ""))


if __name__ == "__main__":
    main()
