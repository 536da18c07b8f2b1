#!/usr/bin/env bash
# Line coverage of each fuzz target's corpus: builds the replay drivers with
# clang source-based coverage into build-cov/ and prints, per target, the
# llvm-cov summary of the files that target exercises.
#   tests/fuzz/coverage.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(number csv dispatch_response retry_after options window tzdata)
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S . -B build-cov -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHN_BUILD_BENCHMARKS=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null

cmake --build build-cov -j2 --target $(printf 'fuzz_%s_replay ' "${targets[@]}") >/dev/null
cov=$(command -v llvm-cov-14 || command -v llvm-cov)
prof=$(command -v llvm-profdata-14 || command -v llvm-profdata)
for t in "${targets[@]}"; do
  case $t in
    number) files="src/number/number.c src/number/batch.c src/number/shim.cc" ;;
    csv) files="src/list/csv.c src/list/cleaner.c src/list/run.c src/list/records.c src/list/classify.c src/list/columns.c src/list/dedupe.c src/list/writer.c" ;;
    dispatch_response) files="src/dispatch/result.c" ;;
    retry_after) files="src/dispatch/result.c" ;;
    options) files="src/cli/cmd_clean.c src/cli/cmd_call.c" ;;
    window) files="src/campaign/window.c" ;;
    tzdata) files="src/number/tzparse.c" ;;
  esac
  bin=build-cov/tests/fuzz/fuzz_${t}_replay
  rm -f "build-cov/$t.profraw"
  LLVM_PROFILE_FILE="build-cov/$t.profraw" "$bin" "tests/fuzz/corpus/$t" >/dev/null 2>&1
  "$prof" merge -sparse "build-cov/$t.profraw" -o "build-cov/$t.profdata"
  echo "== $t ($(ls "tests/fuzz/corpus/$t" | wc -l) corpus files)"
  paths=()
  for f in $files; do paths+=("$PWD/$f"); done
  # File, lines, missed lines, line coverage; then branch coverage.
  "$cov" report "$bin" -instr-profile="build-cov/$t.profdata" "${paths[@]}" |
    awk '/^[A-Za-z_]+\.(c|cc) / || /^TOTAL/ { n = split($1, p, "/"); printf "  %-14s lines %5s missed %5s %8s  branches %8s\n", p[n], $8, $9, $10, $13 }'
  if [ "$t" = retry_after ]; then
    "$cov" report "$bin" -instr-profile="build-cov/$t.profdata" -show-functions "$PWD/src/dispatch/result.c" |
      awk '/retry_after_seconds/ { printf "  %s: lines %s missed %s %s, branches %s\n", $1, $5, $6, $7, $10 }'
  fi
done
