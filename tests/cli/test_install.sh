#!/bin/sh
# The installed package works for a downstream user:
#  1. find_package(phonenorm): the shared and the static target, each building
#     and running a program (consumer/CMakeLists.txt, PHN_CONSUMER=full);
#  2. the same with every dependency's CMake and pkg-config files out of
#     sight: the shared target is found and works, the static one is "not
#     found" under QUIET rather than a configure error (PHN_CONSUMER=shared);
#     and the shared target's file names no dependency at all;
#  3. pkg-config: --cflags is the package's own include directory only (the
#     public headers include no dependency's), --libs links the shared
#     library, --static --libs links the static one (from a prefix that holds
#     only libphonenorm.a), each program built as C99 -pedantic -Werror.
# EXTRA_FLAGS (optional) go to every compile and link of a consumer: the
# sanitizer flags of a PHN_SANITIZE build.
# usage: test_install.sh PREFIX SOURCE_DIR WORK_DIR CC CMAKE [EXTRA_FLAGS]
set -eu
prefix=$1 src=$2 work=$3 cc=$4 cmake=$5 extra=${6:-}
rm -rf "$work" && mkdir -p "$work"
pass=0
ok() { pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; exit 1; }
expect_run() { # program label
	out=$(LD_LIBRARY_PATH="$prefix/lib" "$1") || fail "$2 exited non-zero"
	case "$out" in
	*" valid +966501234567") ok ;;
	*) fail "$2 printed '$out'" ;;
	esac
}

# 1. find_package with the dependencies present.
"$cmake" -S "$src/consumer" -B "$work/full" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" -DCMAKE_EXE_LINKER_FLAGS="$extra" \
	-DPHN_CONSUMER=full >"$work/full.log" 2>&1 ||
	{ cat "$work/full.log"; fail "consumer (full) does not configure"; }
"$cmake" --build "$work/full" >>"$work/full.log" 2>&1 ||
	{ cat "$work/full.log"; fail "consumer (full) does not build"; }
expect_run "$work/full/consumer_shared" "cmake shared consumer"
expect_run "$work/full/consumer_static" "cmake static consumer"

# 2. find_package with the dependencies hidden.
cmakedir=$(dirname "$(find "$prefix" -name phonenormConfig.cmake | head -n 1)")
if grep -nE 'find_dependency|PhoneNumber::|ICU::|CURL::|CJSON|Threads::|SQLite::|OpenSSL::' "$cmakedir/phonenormTargets.cmake"; then
	fail "phonenormTargets.cmake (the shared library) names a dependency"
fi
ok
PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH= \
"$cmake" -S "$src/consumer" -B "$work/shared" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" -DCMAKE_EXE_LINKER_FLAGS="$extra" \
	-DPHN_CONSUMER=shared \
	-DCMAKE_DISABLE_FIND_PACKAGE_PhoneNumber=ON -DCMAKE_DISABLE_FIND_PACKAGE_ICU=ON \
	-DCMAKE_DISABLE_FIND_PACKAGE_CURL=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
	-DCMAKE_DISABLE_FIND_PACKAGE_SQLite3=ON -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON \
	>"$work/shared.log" 2>&1 ||
	{ cat "$work/shared.log"; fail "consumer (dependencies hidden) does not configure"; }
grep -q "static target not found, as it should" "$work/shared.log" || fail "no not-found check ran"
ok
"$cmake" --build "$work/shared" >>"$work/shared.log" 2>&1 ||
	{ cat "$work/shared.log"; fail "consumer (dependencies hidden) does not build"; }
expect_run "$work/shared/consumer_shared" "cmake shared consumer, dependencies hidden"

# 3. pkg-config.
pcdir=$(dirname "$(find "$prefix" -name phonenorm.pc | head -n 1)")
PKG_CONFIG_PATH="$pcdir" pkg-config --exists phonenorm || fail "pkg-config does not find phonenorm"
own_inc=$(cd "$prefix/include" && pwd -P)
for flag in $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags phonenorm); do
	case "$flag" in
	-I*) [ "$(cd "${flag#-I}" && pwd -P)" = "$own_inc" ] || fail "pkg-config --cflags adds $flag" ;;
	*) fail "pkg-config --cflags adds $flag" ;;
	esac
done
ok
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs phonenorm)
# shellcheck disable=SC2086
"$cc" -std=c99 -pedantic -Werror $extra "$src/consumer/main.c" $flags -o "$work/pc_shared" ||
	fail "pkg-config --cflags --libs does not link"
expect_run "$work/pc_shared" "pkg-config shared consumer"

# A prefix with the static library only, so -lphonenorm can only mean it.
sp="$work/static-prefix"
mkdir -p "$sp/lib/pkgconfig"
cp -R "$prefix/include" "$sp/include"
cp "$prefix/lib/libphonenorm.a" "$sp/lib/"
cp "$pcdir/phonenorm.pc" "$sp/lib/pkgconfig/"
sflags=$(PKG_CONFIG_PATH="$sp/lib/pkgconfig" pkg-config --static --cflags --libs phonenorm)
case " $sflags " in *" -DPHN_STATIC "*) ok ;; *) fail "pkg-config --static --cflags lacks -DPHN_STATIC: $sflags" ;; esac
# shellcheck disable=SC2086
"$cc" -std=c99 -pedantic -Werror $extra "$src/consumer/main.c" $sflags -o "$work/pc_static" ||
	fail "pkg-config --static --cflags --libs does not link: $sflags"
if readelf -d "$work/pc_static" | grep -q 'libphonenorm'; then
	fail "the pkg-config static consumer needs libphonenorm.so"
fi
expect_run "$work/pc_static" "pkg-config static consumer"
echo "$pass passed, 0 failed"
