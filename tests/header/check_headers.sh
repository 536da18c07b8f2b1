#!/bin/sh
# Every public header must compile alone, as C99 with -pedantic -Werror and
# as C++11, so users can include any of them in any order (libgit2's rule).
# usage: check_headers.sh CC CXX INCLUDE_DIR WORK_DIR
set -u
cc=$1 cxx=$2 inc=$3 work=$4
mkdir -p "$work"
pass=0 fail=0
for h in "$inc"/phonenorm.h "$inc"/phonenorm/*.h; do
	rel=${h#"$inc"/}
	src="$work/$(echo "$rel" | tr '/.' '__').c"
	printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$rel" "$rel" > "$src"
	if "$cc" -std=c99 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$src" -o "$src.o"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $rel does not compile alone as C99 -pedantic -Werror"; fail=$((fail + 1))
	fi
	cp "$src" "$src.cpp"
	if "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$src.cpp" -o "$src.cpp.o"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $rel does not compile alone as C++11"; fail=$((fail + 1))
	fi
done
# No dependency type may leak into the public API.
if grep -nE '#include *<(phonenumbers|google|unicode|curl|cjson|cJSON|sqlite3)' "$inc"/phonenorm.h "$inc"/phonenorm/*.h; then
	echo "FAIL: a public header includes a dependency's header"; fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
