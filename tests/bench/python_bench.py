#!/usr/bin/python3
"""Benchmark the Python binding against python3-phonenumbers, in one run, on
the same generated inputs; prints figures and asserts only that every loop
gives the same E.164 answers.

    PHONENORM_LIBRARY=build/src/libphonenorm.so.0 \\
        /usr/bin/python3 tests/bench/python_bench.py [--count N] [--rounds N]

The inputs are bench_number's mix (tests/bench/bench_number.c): numbers of
SA, US, GB, DE, IN, AE, EG and FR written nationally, with + or with the
region's international prefix, brackets and dashes, plus garbage and
too-short text, grouped by region (one normalize_many call per region, as a
caller with one list per country makes). Every loop answers, for each input,
its E.164 form if the number is valid, else None:

  python-phonenumbers   phonenumbers.parse + is_valid_number + format_number(E164)
  phonenorm.parse       one call per text (parse, then .e164 if .is_valid)
  parse_many            one C call per region, Number objects back
  normalize_many -j1/-j2  one C call per region, E.164 strings back
  raw C batch -j1/-j2   phn_number_parse_batch through ctypes alone, inputs
                        encoded beforehand: the ceiling for any binding

phonenorm's C call does more than that loop (it also finds the type and the
region of every number). Each loop runs in a process of its own (so that
its peak RSS is its own) that makes the inputs, warms up on 2,000 of them
and then times the whole list; the loops take turns, `--rounds` times, and
the best time of each is kept. Use a quiet machine: on a shared one, take
the ratios rather than the absolute rates.
"""
import argparse
import ctypes
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING = os.path.join(os.path.dirname(os.path.dirname(HERE)), "bindings", "python")

# region, country code, trunk prefix, international prefix, NSN prefixes,
# digits after the prefix: bench_number.c's table.
REGIONS = [
    ("SA", "966", "0", "00", ("50", "55", "11", "12"), 7),
    ("US", "1", "1", "011", ("202", "415", "212", "617"), 7),
    ("GB", "44", "0", "00", ("20", "7400", "161", "121"), 7),
    ("DE", "49", "0", "00", ("30", "151", "89", "40"), 7),
    ("IN", "91", "0", "00", ("98", "99", "70", "80"), 8),
    ("AE", "971", "0", "00", ("50", "55", "4", "2"), 7),
    ("EG", "20", "0", "00", ("10", "11", "12", "2"), 8),
    ("FR", "33", "0", "00", ("6", "1", "7", "4"), 8),
]

LOOPS = ["python-phonenumbers", "phonenorm.parse", "parse_many -j1", "normalize_many -j1",
         "normalize_many -j2", "raw C batch -j1", "raw C batch -j2"]


def make_inputs(count, seed):
    """{region: [text, ...]}, the same for the same count and seed."""
    r = random.Random(seed)
    groups = {reg[0]: [] for reg in REGIONS}
    for _ in range(count):
        region, cc, trunk, idd, prefixes, digits = REGIONS[r.randrange(len(REGIONS))]
        nsn = r.choice(prefixes) + "".join(r.choice("0123456789") for _ in range(digits))
        k = r.randrange(20)
        if k == 0:
            text = "n/a %d" % r.randrange(1000)
        elif k == 1:
            text = nsn[:4]
        elif k <= 4:
            text = "+%s %s" % (cc, nsn)
        elif k <= 6:
            text = idd + cc + nsn
        elif k == 7:
            text = "(%s%s) %s" % (trunk, nsn[:3], nsn[3:])
        elif k == 8:
            text = "%s%s-%s-%s" % (trunk, nsn[:3], nsn[3:6], nsn[6:])
        else:
            text = trunk + nsn
        groups[region].append(text)
    return groups


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---- the loops: each takes the groups, returns [E.164 or None] in order ----


def loop_phonenumbers(groups):
    import phonenumbers
    parse, valid, fmt = (phonenumbers.parse, phonenumbers.is_valid_number,
                         phonenumbers.format_number)
    e164, failed = phonenumbers.PhoneNumberFormat.E164, phonenumbers.NumberParseException
    out = []
    for region, texts in groups.items():
        for t in texts:
            try:
                m = parse(t, region)
            except failed:
                out.append(None)
                continue
            out.append(fmt(m, e164) if valid(m) else None)
    return out


def loop_parse(groups):
    import phonenorm
    out = []
    for region, texts in groups.items():
        for t in texts:
            n = phonenorm.parse(t, region)
            out.append(n.e164 if n.is_valid else None)
    return out


def loop_parse_many(groups):
    import phonenorm
    out = []
    for region, texts in groups.items():
        out += [n.e164 if n.is_valid else None for n in phonenorm.parse_many(texts, region)]
    return out


def loop_normalize_many(groups, threads):
    import phonenorm
    out = []
    for region, texts in groups.items():
        out += phonenorm.normalize_many(texts, region, threads=threads)
    return out


class RawBatch:
    """phn_number_parse_batch through ctypes and nothing else: the inputs are
    encoded and the pointer arrays built before the clock starts."""

    class Number(ctypes.Structure):  # include/phonenorm/number.h, frozen
        _fields_ = [("version", ctypes.c_uint), ("status", ctypes.c_int), ("type", ctypes.c_int),
                    ("country_code", ctypes.c_int), ("national_number", ctypes.c_uint64),
                    ("leading_zeros", ctypes.c_int), ("key", ctypes.c_uint64),
                    ("region", ctypes.c_char * 4), ("e164", ctypes.c_char * 22),
                    ("extension", ctypes.c_char * 25)]

    def __init__(self, groups, library):
        lib = ctypes.CDLL(library)
        self.batch = lib.phn_number_parse_batch
        self.batch.restype = ctypes.c_int
        self.batch.argtypes = [ctypes.POINTER(self.Number), ctypes.POINTER(ctypes.c_char_p),
                               ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t,
                               ctypes.c_char_p, ctypes.c_uint]
        init = self.Number()
        lib.phn_number_init(ctypes.byref(init), 1)
        self.init = bytes(init)
        self.jobs = []
        for region, texts in groups.items():
            enc = [t.encode() for t in texts]
            n = len(enc)
            self.jobs.append((region.encode(), n, (ctypes.c_char_p * n)(*enc),
                              (ctypes.c_size_t * n)(*map(len, enc)), (self.Number * n)()))
        self.reset()

    def run(self, threads):
        for region, n, texts, lens, results in self.jobs:
            if self.batch(results, texts, lens, n, region, threads) != 0:
                raise RuntimeError("phn_number_parse_batch failed")

    def reset(self):
        for _, n, _, _, results in self.jobs:
            ctypes.memmove(results, self.init * n, len(self.init) * n)

    def answers(self):
        return [r.e164.decode() if r.status == 0 else None
                for _, _, _, _, results in self.jobs for r in results]


def library_path(args):
    lib = args.library or os.environ.get("PHONENORM_LIBRARY")
    if not lib:
        sys.exit("python_bench: give --library or set PHONENORM_LIBRARY "
                 "(e.g. build/src/libphonenorm.so.0)")
    return os.path.abspath(lib)


def child(args):
    """Time one loop in this process; print one JSON line."""
    os.environ["PHONENORM_LIBRARY"] = library_path(args)
    sys.path.insert(0, BINDING)
    groups = make_inputs(args.count, args.seed)
    warm = make_inputs(min(args.count, 2000), args.seed + 1)
    name = args.child
    if name.startswith("raw C batch"):
        threads = int(name[-1])
        raw = RawBatch(groups, os.environ["PHONENORM_LIBRARY"])
        RawBatch(warm, os.environ["PHONENORM_LIBRARY"]).run(threads)
        t0 = time.perf_counter()
        raw.run(threads)
        seconds = time.perf_counter() - t0
        answers = raw.answers()
    else:
        fn = {"python-phonenumbers": loop_phonenumbers, "phonenorm.parse": loop_parse,
              "parse_many -j1": loop_parse_many,
              "normalize_many -j1": lambda g: loop_normalize_many(g, 1),
              "normalize_many -j2": lambda g: loop_normalize_many(g, 2)}[name]
        fn(warm)
        t0 = time.perf_counter()
        answers = fn(groups)
        seconds = time.perf_counter() - t0
    digest = hashlib.sha256(json.dumps(answers).encode()).hexdigest()
    print(json.dumps({"seconds": seconds, "digest": digest, "count": len(answers),
                      "valid": sum(a is not None for a in answers), "rss_kib": peak_rss_kib()}))


def run_child(args, name):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--count",
           str(args.count), "--seed", str(args.seed), "--library", library_path(args)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("python_bench: %s failed:\n%s" % (name, p.stderr))
    return json.loads(p.stdout.splitlines()[-1])


def show_differences(args, a, b):
    """Up to five inputs on which loops a and b disagree (run in-process)."""
    os.environ["PHONENORM_LIBRARY"] = library_path(args)
    sys.path.insert(0, BINDING)
    groups = make_inputs(args.count, args.seed)
    texts = [(r, t) for r, ts in groups.items() for t in ts]
    run = {"python-phonenumbers": loop_phonenumbers, "phonenorm.parse": loop_parse}
    ra = run.get(a, lambda g: loop_normalize_many(g, 1))(groups)
    rb = run.get(b, lambda g: loop_normalize_many(g, 1))(groups)
    diff = [(t, x, y) for t, x, y in zip(texts, ra, rb) if x != y]
    print("  %d inputs differ between %s and %s, e.g.:" % (len(diff), a, b))
    for (region, text), x, y in diff[:5]:
        print("    %s %-24r %s: %r, %s: %r" % (region, text, a, x, b, y))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100000, help="inputs (default 100000)")
    ap.add_argument("--rounds", type=int, default=3, help="best of N (default 3)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--library", help="libphonenorm.so.0 (default: $PHONENORM_LIBRARY)")
    ap.add_argument("--skip", action="append", default=[], help="a loop to leave out")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    loops = [n for n in LOOPS if n not in args.skip]
    best = {}
    for _ in range(max(args.rounds, 1)):
        for name in loops:  # take turns, so none gets only quiet moments
            got = run_child(args, name)
            if name not in best or got["seconds"] < best[name]["seconds"]:
                best[name] = got

    sys.path.insert(0, BINDING)
    os.environ["PHONENORM_LIBRARY"] = library_path(args)
    import phonenorm
    try:
        import phonenumbers
        pn_version = phonenumbers.__version__
    except ImportError:
        pn_version = "not installed"
    md = phonenorm.metadata_info()
    print("phonenorm %s (libphonenumber %s, metadata %s %s), python-phonenumbers %s, Python %s, "
          "%d CPUs, load %.2f" % (phonenorm.version(), md.engine_version, md.upstream_version,
                                  md.source, pn_version, sys.version.split()[0],
                                  os.cpu_count() or 0, os.getloadavg()[0]))
    print("%d inputs over 8 regions (%d valid), best of %d rounds, each loop in its own "
          "process" % (args.count, best[loops[0]]["valid"], args.rounds))
    ref = best.get("python-phonenumbers")
    print("%-22s %9s %12s %16s %14s" % ("loop", "seconds", "numbers/s", "x phonenumbers",
                                         "peak RSS MiB"))
    for name in loops:
        b = best[name]
        ratio = "%.2f" % (ref["seconds"] / b["seconds"]) if ref else "-"
        print("%-22s %9.3f %12.0f %16s %14.1f" % (name, b["seconds"], args.count / b["seconds"],
                                                  ratio, b["rss_kib"] / 1024.0))
    digests = {best[n]["digest"] for n in loops}
    agree = len(digests) == 1
    print("all loops give the same E.164 for every input: %s" % ("yes" if agree else "NO"))
    if not agree:
        first = loops[0]
        for name in loops[1:]:
            if best[name]["digest"] != best[first]["digest"]:
                show_differences(args, first, name)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
