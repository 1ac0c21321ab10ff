#!/usr/bin/env bash
# Builds fuzz_parser with clang (libFuzzer + ASan + UBSan) in its own build dir and runs it for
# the given number of seconds on tests/fuzz/corpus/parser. New interesting inputs go to a
# scratch corpus (merged back by hand with -merge=1 when worth keeping); crashes go to
# $BUILD_DIR/artifacts and fail the script.
#   tests/fuzz/run_fuzz.sh 60            # CI
#   BUILD_DIR=/tmp/bf tests/fuzz/run_fuzz.sh 600
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-fuzz}"
jobs="${FUZZ_BUILD_JOBS:-2}"

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DRWPROXY_FUZZ=ON -DRWPROXY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_parser

seed="$repo/tests/fuzz/corpus/parser"
scratch="$build/corpus-new"
artifacts="$build/artifacts"
mkdir -p "$scratch" "$artifacts"

"$build/tests/fuzz/fuzz_parser" "$scratch" "$seed" \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1
