#!/usr/bin/env python3
"""The self-check's failure report when libphonenorm is loaded by ctypes
(dlopen) into a process where an LD_PRELOADed object defines
libphonenumber's metadata accessors (serving libphonenumber's own data):
bundled is requested, the system data answers, and the report says whose
accessors answered. Run by ctest (metadata_selfcheck_preload_python) with
LD_PRELOAD, PHONENORM_LIBRARY and PYTHONPATH set.

usage: preload_check.py OVERRIDE_BASENAME
"""
import sys

import phonenorm


def main():
    name = sys.argv[1]
    n = phonenorm.parse("+966579512345")
    info = phonenorm.metadata_info()
    print(info)
    want = ("metadata_get(), short_metadata_get(), alternate_format_get(): %s's answer instead "
            "of phonenorm's (earlier in the symbol lookup order) with libphonenumber's own data "
            "(system)" % name)
    problems = []
    if n.status != phonenorm.Status.POSSIBLE:
        problems.append("+966579512345 is %s, want possible (the system data answers)" % n.status)
    if (info.requested, info.source, info.short_source, info.alternate_source) != \
            ("bundled", "system", "system", "system"):
        problems.append("sources %s" % ((info.requested, info.source, info.short_source,
                                         info.alternate_source),))
    if info.as_requested or want not in info.reason:
        problems.append("reason %r lacks %r" % (info.reason, want))
    if phonenorm.metadata_version() != info.engine_version:
        problems.append("metadata_version() %s" % phonenorm.metadata_version())
    for p in problems:
        print("FAIL:", p)
    print("preload self-check: %s" % ("FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
