#!/bin/sh
# abi_check_selftest: proves abi.sh's flags on a tiny library. Builds
# selftest/t.c plain, takes its baseline with `abi.sh dump`, then builds each
# variant of selftest.txt and checks that `abi.sh check` passes or fails it
# as the table says.
# usage: selftest.sh CC SOURCE_DIR WORK_DIR
set -u
cc=$1 src=$2 work=$3
command -v abidw >/dev/null && command -v abidiff >/dev/null ||
	{ echo "SKIP: abigail-tools (abidw, abidiff) not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
build() { # out-dir [-DMACRO]
	mkdir -p "$1"
	"$cc" -std=c99 -g -O2 -fPIC -shared -fvisibility=hidden ${2:+"$2"} -I"$src/selftest" \
		"$src/selftest/t.c" -Wl,-soname,libt.so.1 -o "$1/libt.so"
}
build "$work/base" || exit 1
sh "$src/abi.sh" dump "$work/base/libt.so" "$src/selftest" "$work/base.abi" >/dev/null || exit 1
pass=0 fail=0
while read -r variant expect what; do
	case "$variant" in ''|'#'*) continue ;; esac
	build "$work/$variant" "-D$variant" || exit 1
	if sh "$src/abi.sh" check "$work/base.abi" "$work/$variant/libt.so" "$src/selftest" >"$work/$variant.log" 2>&1; then
		got=pass
	else
		got=fail
	fi
	if [ "$got" = "$expect" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL: $variant ($what) should $expect the check, it did $got:"
		cat "$work/$variant.log"
		fail=$((fail + 1))
	fi
done < "$src/selftest.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
