#!/usr/bin/env bash
# Syscalls per query: a short sysbench run (oltp_point_select by default, or oltp_read_only
# --skip-trx=on with --test read_only) through each proxy while `strace -c -f -p PID` is attached to
# it (all its threads; detached with SIGINT when sysbench ends, then its summary is read). Targets:
#   haproxy           HAProxy in TCP mode in front of the master
#   haproxy_replicas  HAProxy spreading connections over the replicas (leastconn)
#   rwproxy           rwproxy (RWPROXY_BIN) with the topology's rwproxy.toml, multiplexing on
#   rwproxy_prev      a previous rwproxy build (RWPROXY_PREV_BIN), the same config; in the default
#                     targets only when RWPROXY_PREV_BIN is set
# Per target: the queries sysbench counted ("queries": every statement it sent), all syscalls and
# all failed syscalls per query (EAGAIN from a non-blocking read or write counts as an error), and
# the top syscalls per query (calls and errors per query: sendto, recvfrom, epoll_wait,
# io_uring_enter, timerfd_settime, epoll_ctl, ...). The counts cover strace's whole window: sysbench's
# connects and disconnects and the proxy's own background work (the monitor) are in it too. An
# io_uring submission is not a syscall of its own: only io_uring_enter is counted. strace stops the
# proxy at every syscall, so it runs far slower than without it: the qps shown is under strace and
# not comparable with bench/sysbench_compare.sh; the counts per query are what this measures. The
# report goes to stdout and to bench/results/syscalls-[read_only-]<yyyymmdd-hhmmss>.txt.
#
#   bench/syscalls_per_query.sh [--test point_select|read_only] [--time S] [--threads T]
#                               [--rounds R] [--warmup S] [--top N] [--tables N] [--table-size N]
#                               [--ps-mode auto|disable]
#                               [--targets haproxy,haproxy_replicas,rwproxy,rwproxy_prev]
#                               [--keep-topology]
#
# Defaults: --time 5 (seconds per traced run), --threads 8, --rounds 1 (traced runs per target,
# interleaved, order rotating; with more, the counts are summed over the runs), --warmup 1 (seconds
# per target, untraced, before the first round), --top 12 (syscalls listed per target), 4 x 10000
# rows, ps-mode auto.
# Env: RWPROXY_BIN (default <repo>/build/proxy/rwproxy), RWPROXY_PREV_BIN, RWPROXY_BENCH_HAPROXY_PORT
# and RWPROXY_BENCH_PROXY_PORT (as in bench/sysbench_compare.sh), RWPROXY_BENCH_RESULTS_DIR (default
# <repo>/bench/results), plus the topology's RWPROXY_STATE_DIR and RWPROXY_TOPOLOGY_BASE_PORT.
# Starts the topology if it is not up (and stops it again at exit unless --keep-topology); the
# proxies and strace are always stopped at exit. Needs strace and ptrace rights over the proxies
# (root, or kernel.yama.ptrace_scope 0 and the same user).
set -euo pipefail

readonly BENCH_NAME=syscalls_per_query
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology "$REPO_ROOT/.state" 23306  # scripts/topology.sh's defaults
readonly STARTUP_TIMEOUT_S=15
readonly STOP_TIMEOUT_S=10
readonly ATTACH_TIMEOUT_S=10   # strace attached to every thread of the proxy
readonly DETACH_TIMEOUT_S=30   # strace's summary written after SIGINT

DURATION_S=5
THREADS=8
ROUNDS=1
WARMUP_S=1
TOP=12
TABLES=4
TABLE_SIZE=10000
PS_MODE=auto
TEST=point_select
TARGETS=(haproxy haproxy_replicas rwproxy)
[[ -n ${RWPROXY_PREV_BIN:-} ]] && TARGETS+=(rwproxy_prev)
KEEP_TOPOLOGY=0
RESULTS_DIR=${RWPROXY_BENCH_RESULTS_DIR:-$REPO_ROOT/bench/results}
readonly COMMAND_LINE="$0 $*"

STRACE_PID=""

script_option() {  # the options only this script has (see parse_options): --top, sysbench_option's
  if [[ $1 == --top ]]; then TOP=${2:?} OPTION_SHIFT=2; else sysbench_option "$@"; fi
}

parse_args() {
  parse_options "$@"
  require_uints "$DURATION_S" "$THREADS" "$ROUNDS" "$WARMUP_S" "$TOP" "$TABLES" "$TABLE_SIZE"
  ((DURATION_S > 0 && THREADS > 0 && ROUNDS > 0 && TOP > 0)) ||
    die "--time, --threads, --rounds and --top must be > 0"
  check_sysbench_options
  check_targets haproxy haproxy_replicas rwproxy rwproxy_prev
}

# ---------------------------------------------------------------------------------------------
# Processes

stop_strace() {  # SIGINT: strace detaches from the proxy and writes its summary; bounded wait
  stop_process "$STRACE_PID" INT "$DETACH_TIMEOUT_S"
  STRACE_PID=""
}

cleanup() {
  local status=$?
  stop_strace  # first: strace detached (and its summary written) before the proxies stop
  stop_process "$RWPROXY_PID"
  stop_process "$PREV_PID"
  stop_process "$HAPROXY_PID"
  stop_process "$HAPROXY_REPLICAS_PID"
  drop_sysbench_data
  stop_started_topology
  finish_cleanup "$status"
}

# Waits until strace (STRACE_PID) is the tracer of every thread of PID; fails after ATTACH_TIMEOUT_S.
wait_attached() {  # wait_attached PID
  local pid=$1 tries=$((ATTACH_TIMEOUT_S * 10)) task tracer all
  while :; do
    all=true
    for task in /proc/"$pid"/task/*/status; do
      tracer=$(awk '/^TracerPid:/ { print $2 }' "$task" 2>/dev/null) || continue
      [[ -z $tracer || $tracer == "$STRACE_PID" ]] || { all=false; break; }
    done
    [[ $all == true ]] && return 0
    kill -0 "$STRACE_PID" 2>/dev/null || return 1
    ((--tries > 0)) || return 1
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# Traced runs: counts into the arrays below, summed over rounds

declare -A QUERIES=()   # TARGET -> queries
declare -A SECONDS_RUN=()  # TARGET -> traced seconds of sysbench (for the qps under strace)
declare -A CALLS=()     # TARGET,SYSCALL -> calls ("total" for all of them)
declare -A ERRORS=()    # TARGET,SYSCALL -> failed calls
declare -A FAILED=()    # TARGET -> runs that failed

# trace_once TARGET LABEL: sysbench DURATION_S with strace attached to the target's proxy.
trace_once() {
  local target=$1 label=$2 pid queries="" calls errors name
  local log_file=$WORK_DIR/$label-$target.log summary=$WORK_DIR/$label-$target.strace
  pid=$(target_pid "$target")
  kill -0 "$pid" 2>/dev/null || die "$target (pid $pid) is not running"
  strace -qq -c -f -U calls,errors,name -S calls -o "$summary" -p "$pid" 2>"$summary.err" &
  STRACE_PID=$!
  wait_attached "$pid" || { cat "$summary.err" >&2; die "strace did not attach to $target (pid $pid)"; }
  if sysbench_cmd $((DURATION_S + 120)) "$(target_port "$target")" run --time="$DURATION_S" \
    --threads="$THREADS" --mysql-ignore-errors=none >"$log_file" 2>&1; then
    read -r queries _ < <(sysbench_queries "$log_file") || true
  fi
  stop_strace
  if [[ -z $queries ]]; then
    log "$target run failed; last lines of $log_file:"
    tail -n 5 "$log_file" >&2
    FAILED[$target]=$((${FAILED[$target]:-0} + 1))
    return
  fi
  [[ -s $summary ]] || die "strace wrote no summary for $target ($summary; $(head -c 300 "$summary.err"))"
  QUERIES[$target]=$((${QUERIES[$target]:-0} + queries))
  SECONDS_RUN[$target]=$((${SECONDS_RUN[$target]:-0} + DURATION_S))
  # -U calls,errors,name: "calls errors name", or "calls name" when none failed; dashes and a
  # header around them, "total" last.
  while read -r calls errors name; do
    [[ -z $name ]] && { name=$errors errors=0; }
    CALLS[$target,$name]=$((${CALLS[$target,$name]:-0} + calls))
    ERRORS[$target,$name]=$((${ERRORS[$target,$name]:-0} + errors))
  done < <(awk '$1 ~ /^[0-9]+$/ && (NF == 2 || (NF == 3 && $2 ~ /^[0-9]+$/))' "$summary")
  [[ -n ${CALLS[$target,total]:-} ]] || die "no total in strace's summary $summary"
}

# ---------------------------------------------------------------------------------------------
# Report

per_query() {  # per_query COUNT QUERIES -> COUNT / QUERIES, 3 decimals
  awk -v c="$1" -v q="$2" 'BEGIN { printf "%.3f\n", (q > 0 ? c / q : 0) }'
}

print_report() {
  local t key name q
  printf '\nsyscalls per query, strace -c -f attached to each proxy: %s, %s threads, %s s per run,\n' \
    "$(sysbench_test_label)" "$THREADS" "$DURATION_S"
  printf '%s run(s) per target (counts summed), %s x %s rows, ps-mode=%s\n' "$ROUNDS" "$TABLES" "$TABLE_SIZE" "$PS_MODE"
  printf 'NOTE: strace stops the proxy at every syscall, so it runs far slower than without it: the\n'
  printf 'qps below is under strace, not a throughput figure; read the counts per query.\n\n'
  printf '  %-16s %10s %12s %12s %10s %10s %10s\n' target queries qps_traced syscalls/q errors/q syscalls errors
  for t in "${TARGETS[@]}"; do
    q=${QUERIES[$t]:-0}
    if ((q == 0)); then printf '  %-16s %10s\n' "$t" fail; continue; fi
    printf '  %-16s %10s %12s %12s %10s %10s %10s\n' "$t" "$q" \
      "$(awk -v q="$q" -v s="${SECONDS_RUN[$t]}" 'BEGIN { printf "%.1f", q / s }')" \
      "$(per_query "${CALLS[$t,total]}" "$q")" "$(per_query "${ERRORS[$t,total]:-0}" "$q")" \
      "${CALLS[$t,total]}" "${ERRORS[$t,total]:-0}"
  done
  for t in "${TARGETS[@]}"; do
    q=${QUERIES[$t]:-0}
    ((q > 0)) || continue
    printf '\n%s: top %s syscalls per query (of %s queries)\n' "$t" "$TOP" "$q"
    printf '  %-20s %10s %10s %10s %10s\n' syscall calls/q errors/q calls errors
    for key in "${!CALLS[@]}"; do
      [[ $key == "$t",* ]] || continue
      name=${key#"$t",}
      [[ $name == total ]] && continue
      printf '%s %s\n' "${CALLS[$key]}" "$name"
    done | sort -k1,1nr -k2,2 | head -n "$TOP" | while read -r _ name; do
      printf '  %-20s %10s %10s %10s %10s\n' "$name" "$(per_query "${CALLS[$t,$name]}" "$q")" \
        "$(per_query "${ERRORS[$t,$name]:-0}" "$q")" "${CALLS[$t,$name]}" "${ERRORS[$t,$name]:-0}"
    done
  done
  return 0
}

# ---------------------------------------------------------------------------------------------

report() {
  report_header "$LOADAVG"
  print_report
}

main() {
  parse_args "$@"
  require_tools sysbench strace
  require_target_tools

  start_sysbench_run "$STATE_DIR/syscalls.XXXXXX"

  local t r
  warm_up_sysbench traced
  for ((r = 1; r <= ROUNDS; r++)); do
    round_targets "$r"
    for t in "${ROUND_TARGETS[@]}"; do
      log "round $r/$ROUNDS: $t under strace (${DURATION_S}s)"
      trace_once "$t" "round$r"
    done
  done

  local prefix=syscalls
  [[ $TEST == read_only ]] && prefix+=-read_only
  save_report "$prefix"
  ((${#FAILED[@]} == 0)) || die "some runs failed: ${!FAILED[*]}"
}

main "$@"
