#!/bin/sh
# The installed package works for a downstream user: find_package(phonenorm)
# with both targets, and pkg-config, each building and running a program.
# usage: test_install.sh PREFIX SOURCE_DIR WORK_DIR CC CMAKE
set -eu
prefix=$1 src=$2 work=$3 cc=$4 cmake=$5
rm -rf "$work" && mkdir -p "$work"
pass=0

"$cmake" -S "$src/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >"$work/cmake.log"
"$cmake" --build "$work/cmake" >>"$work/cmake.log"
for t in consumer_shared consumer_static; do
	out=$(LD_LIBRARY_PATH="$prefix/lib" "$work/cmake/$t")
	case "$out" in
	*" valid +966501234567") pass=$((pass + 1)) ;;
	*) echo "FAIL: $t printed '$out'"; exit 1 ;;
	esac
done

libdir=$(dirname "$(find "$prefix" -name phonenorm.pc | head -n 1)")
PKG_CONFIG_PATH="$libdir" pkg-config --exists phonenorm
flags=$(PKG_CONFIG_PATH="$libdir" pkg-config --cflags --libs phonenorm)
# shellcheck disable=SC2086
"$cc" -std=c99 -pedantic -Werror "$src/consumer/main.c" $flags -o "$work/pc_consumer"
out=$(LD_LIBRARY_PATH="$libdir/.." "$work/pc_consumer")
case "$out" in
*" valid +966501234567") pass=$((pass + 1)) ;;
*) echo "FAIL: pkg-config consumer printed '$out'"; exit 1 ;;
esac
echo "$pass passed, 0 failed"
