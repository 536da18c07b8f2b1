#!/bin/sh
# The fast path's long differential run: 5,000,000 generated inputs (or $1)
# per metadata collection, every field compared with libphonenumber alone.
# Not in ctest (about 5 minutes per collection on a 2-core machine); ctest's
# fastpath_diff runs 320,000 per collection.
#
# usage: tests/number/fastpath_diff_long.sh [COUNT] [BUILD_DIR]
set -eu
count=${1:-5000000}
build=${2:-build}
bin="$build/tests/number/fastpath_diff"
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 2; }
status=0
for md in bundled system; do
	echo "== PHONENORM_METADATA=$md, $count inputs"
	PHONENORM_METADATA=$md "$bin" --count "$count" --seed 5000000 --min-fast 0.5 || status=1
done
exit $status
