#!/bin/sh
# abi_exports: what libphonenorm.so exports besides its phn_* API is exactly
# libphonenumber's six metadata accessors (i18n::phonenumbers::
# {metadata,short_metadata,alternate_format}_{get,size}), under the names
# libphonenumber itself defines, so its calls find phonenorm's bundled data
# (issue 11). A seventh foreign symbol (a C++ symbol leaking past
# -fvisibility=hidden) or a missing or misspelt accessor fails. Weak
# instantiations of std:: templates are not counted: libstdc++ declares
# namespace std with default visibility, so an out-of-line instantiation
# (std::set<std::string>::_M_erase in the ASan build) is exported whatever
# -fvisibility says; it is vague linkage, not phonenorm's interface. Needs
# only binutils' nm, so it runs where abigail-tools (abi_check) do not.
#
# usage: exports.sh LIBPHONENORM LIBPHONENUMBER
set -u
[ $# -eq 2 ] || { echo "usage: exports.sh LIBPHONENORM LIBPHONENUMBER" >&2; exit 2; }
lib=$1 pn=$2
command -v nm >/dev/null || { echo "SKIP: nm not found (binutils)"; exit 77; }
defined() {
	nm -D --defined-only "$1" |
		awk '!($(NF-1) ~ /^[WVu]$/ && $NF ~ /^_Z(N|NK|T[VIS])?St/) { print $NF }' | sort -u
}
want=$(defined "$pn" | grep -E '^_ZN4i18n12phonenumbers[0-9]+(metadata|short_metadata|alternate_format)_(get|size)Ev$')
got=$(defined "$lib" | grep -v '^phn_')
n=$(printf '%s\n' "$want" | grep -c .)
if [ "$n" -ne 6 ]; then
	echo "FAIL: $pn defines $n metadata accessors, expected 6 (a libphonenumber that renamed them?):"
	printf '%s\n' "$want"
	exit 1
fi
if [ "$got" != "$want" ]; then
	echo "FAIL: $lib exports, besides phn_*:"
	printf '%s\n' "$got"
	echo "expected exactly libphonenumber's accessors:"
	printf '%s\n' "$want"
	exit 1
fi
echo "$(basename "$lib") exports phn_* and exactly libphonenumber's six metadata accessors"
