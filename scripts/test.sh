#!/usr/bin/env bash
# Builds rwproxy and runs every test: unit tests, integration tests on a real MariaDB master +
# replicas (started by the ctest fixture through scripts/topology.sh), the sysbench test, a short
# fuzz run, and the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   scripts/test.sh                 everything (what CI runs)
#   RWPROXY_TEST_QUICK=1 scripts/test.sh    skip the sanitizer build and the fuzz run
#   RWPROXY_FUZZ_SECONDS=60         length of the fuzz run (default 60)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
JOBS=${RWPROXY_JOBS:-2}

log() { printf '\n==> %s\n' "$*"; }

configure_and_build() {  # DIR [cmake args...]
  local dir=$1
  shift
  cmake -S "$REPO_ROOT" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log"
    return 1
  }
  cmake --build "$dir" -j "$JOBS"
}

if [[ $(id -u) -eq 0 ]]; then
  "$REPO_ROOT/scripts/install-deps.sh"
else
  sudo "$REPO_ROOT/scripts/install-deps.sh"
fi

started=$SECONDS
mkdir -p build-asan
if [[ -z ${RWPROXY_TEST_QUICK:-} ]]; then
  log "sanitizer build (ASan + UBSan)"
  configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DRWPROXY_SANITIZE=ON -DRWPROXY_BUILD_BENCH=OFF
  log "tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest -j2 --output-on-failure --label-exclude slow)
  if [[ -x tests/fuzz/run_fuzz.sh ]]; then
    log "fuzzing the parser for ${RWPROXY_FUZZ_SECONDS:-60} s"
    tests/fuzz/run_fuzz.sh "${RWPROXY_FUZZ_SECONDS:-60}"
  fi
fi

log "release build"
mkdir -p build
configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
log "tests"
cd build
ctest -j2 --output-on-failure
