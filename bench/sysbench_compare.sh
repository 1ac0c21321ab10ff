#!/usr/bin/env bash
# sysbench throughput (oltp_point_select, or oltp_read_only --skip-trx=on with --test read_only):
# MariaDB master directly vs HAProxy (TCP mode, in front of the master) vs rwproxy (topology's
# rwproxy.toml, connection multiplexing on) vs rwproxy_nomux (the same with [pool] multiplexing =
# false, the previous mode). Optional targets: haproxy_replicas (HAProxy spreading connections over
# the replicas, leastconn: the servers rwproxy reads from, so both proxies are compared on the same
# backend work) and rwproxy_prev (a previous rwproxy build, RWPROXY_PREV_BIN, multiplexing on) and
# rwproxy_tls (the rwproxy target's proxy, with sysbench connecting over TLS: --mysql-ssl=on; the
# topology's config has [tls]). Runs are interleaved over several rounds and the order rotates each
# round; with several thread counts (--threads 8,64) each is its own block of rounds, reported
# separately. Per run: queries per second (sysbench's "queries", every statement it sent: 1 per
# event for point_select, 14 for read_only), p95 and p99 latency per sysbench event (from its
# --histogram=on), and per proxy the CPU per query (utime + stime from /proc/PID/stat over the run)
# and the wake-ups per query (voluntary + nonvoluntary context switches summed over
# /proc/PID/task/*/status, before and after the run). The report gives qps and p95/p99 per run, the
# medians over rounds, median per-round ratios (every target vs haproxy and haproxy_replicas when
# they run), and a summary line per target. It goes to stdout and to
# bench/results/sysbench-compare[-read_only]-<yyyymmdd-hhmmss>.txt. Syscalls per query: see
# bench/syscalls_per_query.sh (strace slows the proxy, so it is a separate, short run).
#
#   bench/sysbench_compare.sh [--test point_select|read_only] [--time S] [--threads T[,T...]]
#                             [--rounds R] [--warmup S] [--tables N] [--table-size N]
#                             [--ps-mode auto|disable]
#                             [--targets direct,haproxy,haproxy_replicas,rwproxy,rwproxy_nomux,rwproxy_prev,rwproxy_tls]
#                             [--keep-topology]
#
# Env: RWPROXY_BIN (default <repo>/build/proxy/rwproxy), RWPROXY_PREV_BIN (for rwproxy_prev),
# RWPROXY_BENCH_HAPROXY_PORT and RWPROXY_BENCH_PROXY_PORT (default: free ports from 16033 / 16133
# up; haproxy_replicas from 16063, rwproxy_nomux from 16233, rwproxy_prev from 16333; rwproxy gets
# a copy of the topology's rwproxy.toml with that listen_port), RWPROXY_BENCH_RESULTS_DIR (default
# <repo>/bench/results), plus the topology's RWPROXY_STATE_DIR and RWPROXY_TOPOLOGY_BASE_PORT.
# Starts the topology if it is not up (and stops it again at exit unless --keep-topology); the
# proxies are always stopped at exit.
set -euo pipefail

readonly BENCH_NAME=sysbench_compare
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology "$REPO_ROOT/.state" 23306  # scripts/topology.sh's defaults
readonly STARTUP_TIMEOUT_S=15
readonly STOP_TIMEOUT_S=10

DURATION_S=10
THREADS=4
ROUNDS=3
WARMUP_S=2
TABLES=4
TABLE_SIZE=10000
PS_MODE=auto
TEST=point_select
TARGETS=(direct haproxy rwproxy rwproxy_nomux)
KEEP_TOPOLOGY=0
RESULTS_DIR=${RWPROXY_BENCH_RESULTS_DIR:-$REPO_ROOT/bench/results}
readonly COMMAND_LINE="$0 $*"

THREAD_COUNTS=()  # --threads, split at the commas
script_option() { sysbench_option "$@"; }  # the options only this script has (see parse_options)

parse_args() {
  parse_options "$@"
  IFS=, read -r -a THREAD_COUNTS <<<"$THREADS"
  ((${#THREAD_COUNTS[@]} > 0)) || die "--threads needs at least one thread count"
  require_uints "$DURATION_S" "${THREAD_COUNTS[@]}" "$ROUNDS" "$WARMUP_S" "$TABLES" "$TABLE_SIZE"
  local n
  for n in "${THREAD_COUNTS[@]}"; do ((n > 0)) || die "--threads must be > 0"; done
  ((DURATION_S > 0 && ROUNDS > 0)) || die "--time, --threads and --rounds must be > 0"
  check_sysbench_options
  check_targets direct haproxy haproxy_replicas rwproxy rwproxy_nomux rwproxy_prev rwproxy_tls
}

# ---------------------------------------------------------------------------------------------
# Processes

cleanup() {
  local status=$?
  stop_process "$RWPROXY_PID"
  stop_process "$NOMUX_PID"
  stop_process "$PREV_PID"
  stop_process "$HAPROXY_PID"
  stop_process "$HAPROXY_REPLICAS_PID"
  drop_sysbench_data
  stop_started_topology
  finish_cleanup "$status"
}

# ---------------------------------------------------------------------------------------------
# sysbench

# Runs one benchmark with THREADS threads and prints "QPS CPU_US_PER_QUERY WAKEUPS_PER_QUERY
# P95_MS P99_MS" (CPU and wake-ups "-" for direct), or "fail" (log kept in the work dir and shown).
run_once() {  # run_once TARGET SECONDS LOG
  local target=$1 seconds=$2 log_file=$3 qps="" queries="" pid before after wake_before wake_after
  local -a tls=()
  local dir=.
  if [[ $target == rwproxy_tls ]]; then
    # sysbench's --mysql-ssl=on reads cacert.pem, client-cert.pem and client-key.pem from its
    # working directory: the topology's test CA and client certificate.
    tls=(--mysql-ssl=on)
    dir=$WORK_DIR/tls-client
    mkdir -p "$dir"
    ln -sf "$STATE_DIR/topology/tls/ca.pem" "$dir/cacert.pem"
    ln -sf "$STATE_DIR/topology/tls/client.pem" "$dir/client-cert.pem"
    ln -sf "$STATE_DIR/topology/tls/client-key.pem" "$dir/client-key.pem"
  fi
  pid=$(target_pid "$target")
  wake_before=$(ctxt_switches "$pid")
  before=$(cpu_ticks "$pid")
  if (cd "$dir" && sysbench_cmd $((seconds + 60)) "$(target_port "$target")" run \
    --time="$seconds" --threads="$THREADS" --mysql-ignore-errors=none --histogram=on "${tls[@]}") >"$log_file" 2>&1; then
    read -r queries qps < <(sysbench_queries "$log_file") || true
  fi
  after=$(cpu_ticks "$pid")
  wake_after=$(ctxt_switches "$pid")
  if [[ -z $qps ]]; then
    log "$target run failed; last lines of $log_file:"
    tail -n 5 "$log_file" >&2
    echo fail
    return
  fi
  local latency
  latency=$(latency_percentiles "$log_file")
  if [[ -z $pid ]]; then
    echo "$qps - - $latency"
  else
    awk -v t=$((after - before)) -v w=$((wake_after - wake_before)) -v hz="$CLK_TCK" -v q="$queries" \
      -v qps="$qps" -v lat="$latency" \
      'BEGIN { printf "%s %.2f %.3f %s\n", qps, (q > 0 ? t * 1e6 / hz / q : 0), (q > 0 ? w / q : 0), lat }'
  fi
}

# ---------------------------------------------------------------------------------------------
# Report (per block of rounds: THREADS and the arrays below, indexed TARGET,ROUND)

declare -A QPS=()
declare -A CPU=()
declare -A WAKE=()
declare -A P95=()
declare -A P99=()

# Median over rounds of NUMERATOR's qps / DENOMINATOR's qps in the same round.
median_ratio() {  # median_ratio NUMERATOR DENOMINATOR
  local r a b
  local -a ratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    a=${QPS[$1,$r]:-fail} b=${QPS[$2,$r]:-fail}
    [[ $a == fail || $b == fail ]] && continue
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f", a / b }')")
  done
  median "${ratios[@]}"
}

# Median over rounds of one per-run figure: median_of ARRAY_NAME TARGET ("-" if no run has it)
median_of() {
  local -n values_of=$1
  local r v
  local -a values=()
  for ((r = 1; r <= ROUNDS; r++)); do
    v=${values_of[$2,$r]:-"-"}
    [[ $v != "-" && $v != fail ]] && values+=("$v")
  done
  median "${values[@]}"
}

print_report() {
  local r t
  printf '\n%s qps: %s threads, %s s per run, %s round(s), %s x %s rows, ps-mode=%s\n' \
    "$(sysbench_test_label)" "$THREADS" "$DURATION_S" "$ROUNDS" "$TABLES" "$TABLE_SIZE" "$PS_MODE"
  printf '%-8s' round
  for t in "${TARGETS[@]}"; do printf ' %16s' "$t"; done
  printf '\n'
  for ((r = 1; r <= ROUNDS; r++)); do
    printf '%-8s' "$r"
    for t in "${TARGETS[@]}"; do printf ' %16s' "${QPS[$t,$r]}"; done
    printf '\n'
  done
  printf '%-8s' median
  for t in "${TARGETS[@]}"; do printf ' %16s' "$(median_of QPS "$t")"; done
  printf '\n\nlatency per sysbench event p95/p99 (ms), from --histogram=on:\n'
  for ((r = 1; r <= ROUNDS; r++)); do
    printf '%-8s' "$r"
    for t in "${TARGETS[@]}"; do printf ' %16s' "${P95[$t,$r]:-"-"}/${P99[$t,$r]:-"-"}"; done
    printf '\n'
  done
  printf '%-8s' median
  for t in "${TARGETS[@]}"; do printf ' %16s' "$(median_of P95 "$t")/$(median_of P99 "$t")"; done
  printf '\n\nproxy CPU per query (us), median over rounds; then wake-ups per query (voluntary +\n'
  printf 'nonvoluntary context switches of all the proxy'"'"'s threads over the run / queries), median:\n'
  for t in "${TARGETS[@]}"; do
    [[ $t == direct ]] && continue
    printf '  %-16s %-10s %s\n' "$t" "$(median_of CPU "$t")" "$(median_of WAKE "$t")"
  done
  printf '\nmedian of per-round ratios:\n'
  local pair
  for pair in rwproxy/direct rwproxy/haproxy rwproxy/haproxy_replicas haproxy/direct rwproxy/rwproxy_nomux \
    rwproxy/rwproxy_prev rwproxy_tls/rwproxy rwproxy_tls/haproxy; do
    has_target "${pair%/*}" && has_target "${pair#*/}" &&
      printf '  %-26s %s\n' "$pair" "$(median_ratio "${pair%/*}" "${pair#*/}")"
  done
  # One line per target with every figure: the throughput ratio vs each HAProxy target that ran.
  local -a bases=()
  has_target haproxy && bases+=(haproxy)
  has_target haproxy_replicas && bases+=(haproxy_replicas)
  printf '\nsummary, %s threads (medians over rounds; ratio = median of per-round qps ratios):\n' "$THREADS"
  printf '  %-16s %11s' target qps
  local b
  for b in "${bases[@]}"; do printf ' %20s' "qps/$b"; done
  printf ' %9s %9s %10s %12s\n' p95_ms p99_ms cpu_us/q wakeups/q
  for t in "${TARGETS[@]}"; do
    printf '  %-16s %11s' "$t" "$(median_of QPS "$t")"
    for b in "${bases[@]}"; do printf ' %20s' "$(median_ratio "$t" "$b")"; done
    printf ' %9s %9s %10s %12s\n' "$(median_of P95 "$t")" "$(median_of P99 "$t")" \
      "$(median_of CPU "$t")" "$(median_of WAKE "$t")"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------

# One block: the warm-up and ROUNDS interleaved rounds with THREADS threads, then its report
# (stdout and REPORT_FILE). Sets BLOCK_FAILED=true if a run failed.
run_block() {
  local t r result
  QPS=() CPU=() WAKE=() P95=() P99=()
  if ((WARMUP_S > 0)); then
    log "$THREADS threads: warm-up ${WARMUP_S}s per target"
    for t in "${TARGETS[@]}"; do run_once "$t" "$WARMUP_S" "$WORK_DIR/warmup-t$THREADS-$t.log" >/dev/null; done
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    round_targets "$r"
    for t in "${ROUND_TARGETS[@]}"; do
      log "$THREADS threads, round $r/$ROUNDS: $t (${DURATION_S}s)"
      result=$(run_once "$t" "$DURATION_S" "$WORK_DIR/t$THREADS-round$r-$t.log")
      # shellcheck disable=SC2034  # CPU and WAKE are read through median_of's nameref
      if [[ $result == fail ]]; then
        BLOCK_FAILED=true
        QPS[$t,$r]=fail CPU[$t,$r]="-" WAKE[$t,$r]="-" P95[$t,$r]="-" P99[$t,$r]="-"
      else
        read -r "QPS[$t,$r]" "CPU[$t,$r]" "WAKE[$t,$r]" "P95[$t,$r]" "P99[$t,$r]" <<<"$result"
      fi
    done
  done
  print_report | tee -a "$REPORT_FILE"
}

main() {
  parse_args "$@"
  require_tools sysbench
  require_target_tools

  begin_run "$STATE_DIR/bench.XXXXXX"
  REPORT_FILE=$WORK_DIR/report.txt
  report_header "$(cut -d' ' -f1-3 /proc/loadavg)" >"$REPORT_FILE"
  bring_up_topology
  start_target_proxies
  prepare_data

  BLOCK_FAILED=false
  for THREADS in "${THREAD_COUNTS[@]}"; do run_block; done
  local results prefix=sysbench-compare
  [[ $TEST == read_only ]] && prefix+=-read_only
  results=$(new_results_file "$prefix")
  cp "$REPORT_FILE" "$results"
  log "results written to $results"
  [[ $BLOCK_FAILED == false ]] || die "some runs failed"
}

main "$@"
