#!/bin/sh
# Valgrind memcheck over the CLI tests: every phonenorm command the CLI tests
# run (validate/format/info, find/example/regions, clean and its options, call --dry-run and call
# against the fake server on 127.0.0.1, the webhook receiver's options,
# signals and hostile input) runs under memcheck. The tests themselves are
# the ones ctest runs (tests/cli/test_cli.py, tests/cli/test_find_cli.py, tests/list/test_clean_cli.py,
# tests/dispatch/test_cli_dispatch.py, tests/webhook/test_webhook_cli.py,
# tests/webhook/test_webhook_hostile.py), given a `phonenorm` that is a
# wrapper around valgrind and the real binary.
#
# Passes when every test passes and every run has zero memcheck errors and
# zero definitely-lost blocks. memcheck.supp names dependency-internal,
# process-lifetime allocations only (suppressed by the dependency's frames).
#
# usage: tests/valgrind/memcheck.sh [BUILD_DIR [WORK_DIR]]
#   BUILD_DIR  a normal build (not PHN_SANITIZE: ASan and valgrind do not mix);
#              default build/. WORK_DIR defaults to BUILD_DIR/valgrind.
# Exit: 0 clean, 1 a finding or a failed test (logs listed), 2 usage, 77 no valgrind.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
[ -f "$build/CMakeCache.txt" ] || { echo "memcheck.sh: $build is not a CMake build directory" >&2; exit 2; }
build=$(cd "$build" && pwd)
work=${2:-$build/valgrind}
python=${PHN_PYTHON3:-/usr/bin/python3}
command -v valgrind >/dev/null 2>&1 || { echo "memcheck.sh: valgrind not found (apt-get install valgrind)"; exit 77; }
if grep -q '^PHN_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt"; then
	echo "memcheck.sh: $build is a sanitizer build; give a normal one" >&2
	exit 2
fi

rm -rf "$work"
mkdir -p "$work/logs"
# test_cli.py wants an install prefix (bin/phonenorm, the man page).
cmake --install "$build" --prefix "$work/stage" >/dev/null
real="$work/stage/bin/phonenorm.real"
mv "$work/stage/bin/phonenorm" "$real" # same directory: its $ORIGIN rpath holds
wrapper="$work/stage/bin/phonenorm"
# valgrind cannot start a program with fd 0 closed (its own files take the
# slot), so the one test of a closed standard input runs the binary as is.
cat >"$wrapper" <<WRAP
#!/bin/sh
( exec 9<&0 ) 2>/dev/null || exec "$real" "\$@"
exec valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --num-callers=40 --child-silent-after-fork=yes \\
	--suppressions="$here/memcheck.supp" --gen-suppressions=all \\
	--log-file="$work/logs/%p.log" "$real" "\$@"
WRAP
chmod +x "$wrapper"

# Streams (CI has 2 cores): the clean tests, the longest, beside the others.
run_test() { # name command...
	name=$1
	shift
	start=$(date +%s)
	if "$@" >"$work/$name.out" 2>&1; then
		echo "memcheck: $name passed ($(($(date +%s) - start)) s)"
	else
		echo "memcheck: $name FAILED ($(($(date +%s) - start)) s); its output:"
		cat "$work/$name.out"
		: >"$work/$name.failed"
	fi
}
total_start=$(date +%s)
run_test list_clean_cli "$python" "$src/tests/list/test_clean_cli.py" "$wrapper" "$src/data" \
	"$src/tests/list" &
# The webhook receiver (its dials too): a third stream, since these tests
# mostly wait (slowloris, signals). PHN_TEST_SLOW stretches the hostile
# test's time limits (slowloris deadline, readiness) for valgrind.
(
	run_test webhook_hostile env PHN_TEST_SLOW=5 "$python" "$src/tests/webhook/test_webhook_hostile.py" \
		"$wrapper"
	run_test webhook_cli "$python" "$src/tests/webhook/test_webhook_cli.py" "$wrapper"
) &
run_test cli_number "$python" "$src/tests/cli/test_cli.py" "$work/stage"
run_test cli_find "$python" "$src/tests/cli/test_find_cli.py" "$work/stage"
run_test dispatch_cli "$python" "$src/tests/dispatch/test_cli_dispatch.py" "$wrapper"
wait
failed_tests=$(cd "$work" && for f in *.failed; do [ -e "$f" ] && printf ' %s' "${f%.failed}"; done; true)

runs=0 bad=0
for log in "$work"/logs/*.log; do
	[ -e "$log" ] || continue
	runs=$((runs + 1))
	if ! grep -q "ERROR SUMMARY: 0 errors" "$log"; then
		bad=$((bad + 1))
		echo "==== $log"
		cat "$log"
	fi
done
echo "memcheck: $runs phonenorm runs, $bad with errors, definite leaks or no summary;" \
	"$(($(date +%s) - total_start)) s; logs in $work/logs"
[ "$runs" -gt 0 ] || { echo "memcheck: no phonenorm run was seen"; exit 1; }
if [ -n "$failed_tests" ] || [ "$bad" -ne 0 ]; then
	[ -z "$failed_tests" ] || echo "memcheck: failed tests:$failed_tests"
	exit 1
fi
echo "memcheck: clean"
