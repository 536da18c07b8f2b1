#!/usr/bin/env python3
"""Generate a campaign-style phone list for the `phonenorm clean` benchmark.

    clean_gen.py ROWS OUT.csv [--seed N] [--foreign F] [--extensions F]

Columns: id,name,amount,due_date,phone,country. About 70% Saudi and 30% US
numbers, each written in one of many real-world formats (local, +, 00,
spaces, dashes, brackets, Arabic-Indic digits, extensions); about 20% of the
rows repeat an earlier number in another format and about 5% are garbage.
Names sometimes hold a comma and are quoted, as CRM exports do. The output
is the same for the same ROWS and seed.

--foreign F makes a share F of the rows numbers of twelve other countries
(+44, +49, +33, +39 with its leading zero, +7, +91, +971, +20, +234, +81, +61
and the +1 island Jamaica), written with + or 00, or nationally with their
country in the country column; --extensions F appends an extension to a
share F of the number rows (x45, ext. 45, ext 45, #45, " extension 45").
Both 0 by default, and then the list is byte for byte what it always was.
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


# (calling code, region, trunk prefix, national significant number prefixes,
# digits after the prefix): ranges that are valid numbers of each country.
FOREIGN = [("44", "GB", "0", ["7400", "7700", "20 7946", "161 496"], 6),
           ("49", "DE", "0", ["30 ", "151 ", "89 "], 7),
           ("33", "FR", "0", ["6 ", "1 ", "7 "], 8),
           ("39", "IT", "", ["06 ", "02 ", "333 "], 7),
           ("7", "RU", "8", ["495 ", "916 ", "812 "], 7),
           ("91", "IN", "0", ["98", "99", "70"], 8),
           ("971", "AE", "0", ["50 ", "55 ", "4 "], 7),
           ("20", "EG", "0", ["10 ", "11 ", "12 "], 8),
           ("234", "NG", "0", ["803 ", "805 "], 7),
           ("81", "JP", "0", ["90 ", "3 "], 8),
           ("61", "AU", "0", ["4 ", "2 "], 8),
           ("1", "JM", "1", ["876 "], 7)]
EXTENSIONS = [" x%d", " ext. %d", " ext %d", " #%d", " extension %d", "x%d"]


def foreign_text(r):
    cc, region, trunk, prefixes, digits = r.choice(FOREIGN)
    nsn = r.choice(prefixes) + "".join(str(r.randrange(10)) for _ in range(digits))
    k = r.randrange(4)
    if k == 0:
        return "+%s %s" % (cc, nsn), "SA"
    if k == 1:
        return "00%s%s" % (cc, nsn.replace(" ", "")), "SA"
    if k == 2:
        return "+%s%s" % (cc, nsn.replace(" ", "")), ""
    return trunk + nsn, region


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
    ap.add_argument("--foreign", type=float, default=0.0)
    ap.add_argument("--extensions", type=float, default=0.0)
    args = ap.parse_args()
    messy = args.foreign > 0 or args.extensions > 0
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
            if messy:
                # Drawn only for a messy list: the default one stays as it was.
                y = r.random()
                if y < args.foreign:
                    phone, country = foreign_text(r)
                elif y < args.foreign + args.extensions and x >= 0.05:
                    phone = phone.split(" ext. ")[0] + r.choice(EXTENSIONS) % r.randrange(1, 9999)
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
