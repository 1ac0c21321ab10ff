#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (libFuzzer + ASan + UBSan) in their own build dir and
# runs them for the given number of seconds in all: fuzz_parser (the SQL lexer and classifier)
# for 2/5 of it, then fuzz_session_state (OK packets' session state), fuzz_handshake (the
# connection phase, both sides) and fuzz_frames (client packets and COM_STMT_EXECUTE) for a
# fifth each, each on its seeds in tests/fuzz/corpus/<name>. New interesting inputs go to a scratch corpus per target
# (merged back by hand with -merge=1 when worth keeping); crashes go to $BUILD_DIR/artifacts and
# fail the script.
#   tests/fuzz/run_fuzz.sh 60            # CI
#   BUILD_DIR=/tmp/bf tests/fuzz/run_fuzz.sh 600
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-fuzz}"
jobs="${FUZZ_BUILD_JOBS:-2}"

# -max_total_time=0 would mean "no limit": each target gets at least one second.
share() { local s=$(( seconds * $1 / 5 )); (( s >= 1 )) || s=1; echo "$s"; }
parser_seconds=$(share 2)
session_state_seconds=$(share 1)
handshake_seconds=$(share 1)
frames_seconds=$(share 1)

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DRWPROXY_FUZZ=ON -DRWPROXY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_parser fuzz_session_state fuzz_handshake fuzz_frames

artifacts="$build/artifacts"
mkdir -p "$artifacts"

run_target() {  # run_target NAME SECONDS MAX_LEN ARTIFACT_PREFIX: corpus/NAME seeds, scratch corpus
  local name=$1 scratch="$build/corpus-new-$1"
  mkdir -p "$scratch"
  "$build/tests/fuzz/fuzz_$name" "$scratch" "$repo/tests/fuzz/corpus/$name" \
    -max_total_time="$2" -max_len="$3" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/$4" -print_final_stats=1
}

run_target parser "$parser_seconds" 4096 ""
run_target session_state "$session_state_seconds" 1024 "session_state-"
run_target handshake "$handshake_seconds" 2048 "handshake-"
run_target frames "$frames_seconds" 4096 "frames-"
