#!/bin/sh
# Refresh data/timezones/map_data.txt from libphonenumber.
#
#   tools/refresh-timezones.sh TAG        fetch resources/timezones/map_data.txt at TAG
#                                         (e.g. v9.0.36) from GitHub with curl
#   tools/refresh-timezones.sh FILE       take a local copy of that file
#
# The new file is checked with the parser the library's build uses
# (src/number/tzparse.c, compiled here with the host's cc), then replaces
# the old one atomically. Nothing changes if the check fails.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/data/timezones/map_data.txt"
src=${1:-}
if [ -z "$src" ] || [ "$#" -ne 1 ]; then
	echo "usage: $0 TAG|FILE" >&2
	exit 2
fi

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT INT TERM

if [ -f "$src" ]; then
	cp "$src" "$tmpdir/map_data.txt"
else
	case "$src" in
	v[0-9]*.[0-9]*.[0-9]*) ;;
	*) echo "$0: '$src' is neither a file nor a tag such as v9.0.36" >&2; exit 2 ;;
	esac
	url="https://raw.githubusercontent.com/google/libphonenumber/$src/resources/timezones/map_data.txt"
	echo "fetching $url"
	curl --fail --silent --show-error --location --proto '=https' --max-time 60 \
		-o "$tmpdir/map_data.txt" "$url"
fi

${CC:-cc} -std=c11 -O1 -o "$tmpdir/phn_tzgen" \
	"$here/src/number/tzgen.c" "$here/src/number/tzparse.c"
"$tmpdir/phn_tzgen" --check "$tmpdir/map_data.txt"

if ! head -n 20 "$tmpdir/map_data.txt" | grep -q 'Licensed under the Apache License, Version 2.0'; then
	echo "$0: the new file has lost its Apache-2.0 header; refusing it" >&2
	exit 1
fi

if [ -f "$dest" ] && cmp -s "$tmpdir/map_data.txt" "$dest"; then
	echo "data/timezones/map_data.txt is already this file"
	exit 0
fi
if [ -f "$dest" ]; then
	diff -u "$dest" "$tmpdir/map_data.txt" | grep '^[-+][0-9]' | sed 's/^/  /' | head -n 50 || true
fi
# Same directory, then rename: a reader sees the old file or the new one.
cp "$tmpdir/map_data.txt" "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
sha=$(sha256sum "$dest" | cut -d' ' -f1)
echo "replaced data/timezones/map_data.txt (sha256 $sha)"
echo "now: update data/timezones/README.md (tag, commit, date), rebuild, run ctest, commit"
