#!/usr/bin/env bash
# Build phonenorm's libFuzzer targets with clang (ASan + UBSan) into
# build-fuzz/ and fuzz each one, then merge what it found into a minimal
# corpus under tests/fuzz/corpus/<target>/ (commit that; ctest replays it).
#
#   tests/fuzz/run_fuzzers.sh [-t SECONDS] [-n RUNS] [-j PARALLEL] [-B] [TARGET...]
#
# Each target runs until RUNS executions (default 2000000) or SECONDS
# (default 900), whichever comes first; PARALLEL targets at a time
# (default 1). Crashes land in build-fuzz/fuzz-out/<target>/ as crash-*
# files: add each one to the corpus with its fix. -B skips the build (fuzz
# the binaries already in build-fuzz/). Needs clang and libFuzzer
# (Debian: clang, libclang-rt-<version>-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."

secs=900 runs=2000000 par=1 build=1
while getopts "t:n:j:B" o; do
  case $o in
    t) secs=$OPTARG ;; n) runs=$OPTARG ;; j) par=$OPTARG ;; B) build=0 ;;
    *) echo "usage: $0 [-t SECONDS] [-n RUNS] [-j PARALLEL] [-B] [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
# Default: every target, one per tests/fuzz/fuzz_<target>.c (a list kept
# here fell behind as targets were added).
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do
    t=${f#tests/fuzz/fuzz_}
    targets+=("${t%.c}")
  done
fi

if [ $build = 1 ]; then
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DPHN_FUZZ=ON -DPHN_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_one() {
  local t=$1 out=build-fuzz/fuzz-out/$1 corpus=tests/fuzz/corpus/$1
  mkdir -p "$out/new" "$corpus"
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # Fuzz into a scratch directory, starting from the committed corpus.
  "build-fuzz/tests/fuzz/fuzz_$t" "$out/new" "$corpus" "${dict[@]}" \
    -max_total_time="$secs" -runs="$runs" -print_final_stats=1 \
    -artifact_prefix="$out/" -close_fd_mask=1 >"$out/log" 2>&1 || true
  # Add to the committed corpus only the inputs that add coverage.
  "build-fuzz/tests/fuzz/fuzz_$t" -merge=1 "$corpus" "$out/new" \
    >"$out/merge.log" 2>&1 || true
  echo "== $t: $(grep -E '^stat::number_of_executed_units' "$out/log" | tail -1) \
$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$out/log" | tail -1) \
crashes: $(ls "$out" | grep -c -E '^(crash|leak|timeout|oom)-' || true)"
}
export -f run_one
export secs runs
printf '%s\n' "${targets[@]}" | xargs -P "$par" -I{} bash -c 'run_one {}'
echo "New corpus files are in tests/fuzz/corpus/<target>/; logs in build-fuzz/fuzz-out/<target>/"
