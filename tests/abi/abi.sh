#!/bin/sh
# The ABI baseline of libphonenorm and the check against it, with Debian's
# abigail-tools (abidw, abidiff). Only what the public headers declare
# counts: exported functions and the types reachable from them that are
# defined under the headers directory (an opaque handle's hidden layout does
# not). Both need a library built with -g (RelWithDebInfo or Debug).
#
#   abi.sh dump  LIB HEADERS OUT        write the baseline OUT from LIB
#   abi.sh check BASELINE LIB HEADERS   compare LIB with the baseline
#
# check exits 0 when LIB keeps every function and type of the baseline
# unchanged (new functions, new types and new enum values at the end pass),
# 1 on any other change, 77 (skipped) when abidiff is missing or LIB has no
# debug information.
set -u
mode=${1:-}

have_debug_info() {
	readelf -S "$1" 2>/dev/null | grep -q '\.debug_info'
}

case "$mode" in
dump)
	[ $# -eq 4 ] || { echo "usage: abi.sh dump LIB HEADERS OUT" >&2; exit 2; }
	lib=$2 headers=$3 out=$4
	command -v abidw >/dev/null || { echo "abidw not found (Debian: apt-get install abigail-tools)" >&2; exit 1; }
	have_debug_info "$lib" || {
		echo "$lib has no debug information: configure with -DCMAKE_BUILD_TYPE=RelWithDebInfo (or Debug)" >&2
		exit 1
	}
	# No build paths in the file (--no-corpus-path, --no-comp-dir-path,
	# --short-locs), nor the distribution's library versions
	# (--no-elf-needed); only the exported interfaces and the public types.
	# Locations stay (as file names): abidiff tells public types from
	# private ones by the file that declares them.
	abidw --no-corpus-path --no-comp-dir-path --short-locs \
		--drop-private-types --drop-undefined-syms --exported-interfaces-only \
		--type-id-style hash --no-elf-needed --headers-dir "$headers" --out-file "$out" "$lib" || exit 1
	echo "wrote $out"
	;;
check)
	[ $# -eq 4 ] || { echo "usage: abi.sh check BASELINE LIB HEADERS" >&2; exit 2; }
	base=$2 lib=$3 headers=$4
	command -v abidiff >/dev/null || { echo "SKIP: abidiff not found (Debian: apt-get install abigail-tools)"; exit 77; }
	have_debug_info "$lib" || {
		echo "SKIP: $lib has no debug information; abi_check needs a -g build (RelWithDebInfo or Debug)"
		exit 77
	}
	[ -f "$base" ] || { echo "FAIL: no baseline $base (cmake --build build --target abi-baseline)"; exit 1; }
	# --no-added-syms: new functions and variables are not changes.
	# abidiff's exit status is a bit set: 1 error, 2 usage error,
	# 4 ABI change, 8 incompatible ABI change; any of them fails the check.
	report=$(abidiff --no-corpus-path --no-added-syms --exported-interfaces-only \
		--hd1 "$headers" --hd2 "$headers" "$base" "$lib" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ABI of $(basename "$lib") matches $(basename "$base") (additions allowed)"
		exit 0
	fi
	printf '%s\n' "$report"
	[ $((rc & 1)) -ne 0 ] && echo "FAIL: abidiff could not compare (exit $rc)"
	[ $((rc & 2)) -ne 0 ] && echo "FAIL: abidiff usage error (exit $rc)"
	[ $((rc & 8)) -ne 0 ] && echo "FAIL: incompatible ABI change: something the baseline has is gone or changed"
	[ $((rc & 12)) -eq 4 ] && echo "FAIL: ABI change to an existing function or type"
	echo "If the change is intended (before 1.0, or a struct grown at its end by the growth rule), regenerate the baseline in the same commit: cmake --build build --target abi-baseline"
	exit 1
	;;
*)
	echo "usage: abi.sh dump LIB HEADERS OUT | abi.sh check BASELINE LIB HEADERS" >&2
	exit 2
	;;
esac
