#!/usr/bin/env bash
# Where the proxy's CPU goes: a sysbench run (oltp_point_select by default, or oltp_read_only
# --skip-trx=on with --test read_only) through each proxy while `perf record -F FREQ -g -p PID` samples
# it (all its threads; started with its events disabled, enabled through a control fifo just before
# sysbench starts, stopped with SIGINT when sysbench ends). Targets:
#   rwproxy           rwproxy (RWPROXY_BIN) with the topology's rwproxy.toml, multiplexing on
#   haproxy           HAProxy in TCP mode in front of the master
#   haproxy_replicas  HAProxy spreading connections over the replicas (leastconn)
#   rwproxy_prev      a previous rwproxy build (RWPROXY_PREV_BIN), the same config
# Per target, after an untraced warm-up: the queries sysbench counted, the proxy's user and system
# CPU per query over the profiled run (utime and stime from /proc/PID/stat before and after it, in
# 1/CLK_TCK s ticks), then from `perf report --no-children -g none` (self time, % of all the
# samples of the proxy): the shared objects (top 8: the kernel, the proxy's binary, libc, ...); for
# rwproxy targets the binary's samples by C++ namespace (boost (Asio), rwproxy::session, ::router,
# ::protocol + ::net, ::parser, ::backend, ::metrics, ::config, other; mangled _ZN5boost... names
# count as boost); the top symbols of the proxy's binary, of libc and of the kernel. The window
# holds sysbench's connects and disconnects and the proxy's background work (the monitor) too.
# perf adds its sampling to the proxy's CPU, so the µs per query are a little higher than in
# bench/sysbench_compare.sh, and the qps shown is under perf. The report goes to stdout and to
# bench/results/perf-profile[-read_only]-<yyyymmdd-hhmmss>.txt; the perf.data files (large) stay in
# the work dir, removed at exit unless --keep-data (the report names them and the perf report
# command that reads them).
#
#   bench/perf_profile.sh [--test point_select|read_only] [--time S] [--threads T] [--warmup S]
#                         [--freq HZ] [--top N] [--tables N] [--table-size N]
#                         [--ps-mode auto|disable]
#                         [--targets rwproxy,haproxy,haproxy_replicas,rwproxy_prev]
#                         [--keep-data] [--keep-topology]
#
# Defaults: --time 10 (seconds of the profiled run per target), --threads 8, --warmup 2 (seconds
# per target, not profiled), --freq 2000 (samples per second of the proxy's CPU time), --top 20
# (symbols listed per shared object), 4 x 10000 rows, ps-mode auto, --targets rwproxy,haproxy.
# Env: RWPROXY_BIN (default <repo>/build/proxy/rwproxy), RWPROXY_PREV_BIN, RWPROXY_BENCH_HAPROXY_PORT
# and RWPROXY_BENCH_PROXY_PORT (as in bench/sysbench_compare.sh), RWPROXY_BENCH_RESULTS_DIR (default
# <repo>/bench/results), plus the topology's RWPROXY_STATE_DIR and RWPROXY_TOPOLOGY_BASE_PORT.
# Starts the topology if it is not up (and stops it again at exit unless --keep-topology); the
# proxies and perf are always stopped at exit. Needs perf (Debian: linux-perf) and the right to
# profile the proxies (root, or kernel.perf_event_paranoid <= 1 for kernel samples).
set -euo pipefail

readonly BENCH_NAME=perf_profile
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology "$REPO_ROOT/.state" 23306  # scripts/topology.sh's defaults
readonly STARTUP_TIMEOUT_S=15
readonly STOP_TIMEOUT_S=10
readonly ENABLE_TIMEOUT_S=10  # perf's "ack" of the enable command: its events are on
readonly FLUSH_TIMEOUT_S=60   # perf.data written after SIGINT
readonly DSO_TOP=8            # shared objects listed per target
readonly NAME_WIDTH=150       # symbol names cut to this

DURATION_S=10
THREADS=8
ROUNDS=1  # parse_options takes --rounds; only 1 is supported
WARMUP_S=2
FREQ=2000
TOP=20
TABLES=4
TABLE_SIZE=10000
PS_MODE=auto
TEST=point_select
TARGETS=(rwproxy haproxy)
KEEP_DATA=0
KEEP_TOPOLOGY=0
RESULTS_DIR=${RWPROXY_BENCH_RESULTS_DIR:-$REPO_ROOT/bench/results}
readonly COMMAND_LINE="$0 $*"

PERF_PID=""
PERF_CTL_FD=""
PERF_ACK_FD=""

# the options only this script has (see parse_options): --freq, --top, --keep-data, sysbench_option's
script_option() {
  OPTION_SHIFT=2
  case $1 in
    --freq) FREQ=${2:?} ;;
    --top) TOP=${2:?} ;;
    --keep-data) KEEP_DATA=1 OPTION_SHIFT=1 ;;
    *) sysbench_option "$@" ;;
  esac
}

parse_args() {
  parse_options "$@"
  require_uints "$DURATION_S" "$THREADS" "$ROUNDS" "$WARMUP_S" "$FREQ" "$TOP" "$TABLES" "$TABLE_SIZE"
  ((DURATION_S > 0 && THREADS > 0 && FREQ > 0 && TOP > 0)) ||
    die "--time, --threads, --freq and --top must be > 0"
  ((ROUNDS == 1)) || die "--rounds: one profiled run per target only"
  check_sysbench_options
  check_targets rwproxy haproxy haproxy_replicas rwproxy_prev
}

# ---------------------------------------------------------------------------------------------
# Processes

perf_cmd() { perf --buildid-dir "$WORK_DIR/buildid" "$@"; }  # perf with its build-id cache in the work dir

close_perf_fifos() {
  [[ -n $PERF_CTL_FD ]] && exec {PERF_CTL_FD}>&-
  [[ -n $PERF_ACK_FD ]] && exec {PERF_ACK_FD}<&-
  PERF_CTL_FD="" PERF_ACK_FD=""
}

stop_perf() {  # SIGINT: perf record writes perf.data and exits; bounded wait
  stop_process "$PERF_PID" INT "$FLUSH_TIMEOUT_S"
  PERF_PID=""
  close_perf_fifos
}

cleanup() {
  local status=$?
  stop_perf  # first: perf stopped before the proxies it samples
  stop_process "$RWPROXY_PID"
  stop_process "$PREV_PID"
  stop_process "$HAPROXY_PID"
  stop_process "$HAPROXY_REPLICAS_PID"
  drop_sysbench_data
  stop_started_topology
  if ((status == 0 && KEEP_DATA == 1)) && [[ -n $WORK_DIR ]]; then
    log "perf.data files kept in $WORK_DIR"
    WORK_DIR=""  # finish_cleanup keeps it
  fi
  finish_cleanup "$status"
}

# start_perf TARGET PID DATA: perf record on PID into DATA, its events off until the "enable" sent
# through its control fifo is acknowledged; dies if perf does not get there (permissions, an
# unsupported --freq, ...).
start_perf() {
  local target=$1 pid=$2 data=$3 ctl=$WORK_DIR/perf-$1.ctl ack=$WORK_DIR/perf-$1.ack reply=""
  local err=$data.log tries=$((ENABLE_TIMEOUT_S * 10))
  mkfifo "$ctl" "$ack"
  exec {PERF_CTL_FD}<>"$ctl" {PERF_ACK_FD}<>"$ack"  # read-write: opening never blocks, even if perf fails
  # perf itself, not perf_cmd: a function in the background would be a subshell, and PERF_PID its pid
  perf --buildid-dir "$WORK_DIR/buildid" record -F "$FREQ" -g -p "$pid" -o "$data" -D -1 \
    --control "fifo:$ctl,$ack" </dev/null >"$err" 2>&1 &
  PERF_PID=$!
  echo enable >&"$PERF_CTL_FD"
  until read -r -t 0.1 reply <&"$PERF_ACK_FD"; do  # "ack\n" comes in one write
    if ! kill -0 "$PERF_PID" 2>/dev/null || ((--tries <= 0)); then break; fi
  done
  if [[ $reply != ack ]] || ! kill -0 "$PERF_PID" 2>/dev/null; then
    stop_perf
    sed 's/^/    /' "$err" >&2
    local paranoid
    paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null) || paranoid=unknown
    die "perf record failed on $target (pid $pid; output above, in $err); profiling another" \
      "process needs root (or CAP_PERFMON), or kernel.perf_event_paranoid <= 1 (now $paranoid)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Profiled runs

declare -A QUERIES=()   # TARGET -> queries
declare -A QPS=()       # TARGET -> queries per second (under perf)
declare -A UTICKS=()    # TARGET -> the proxy's utime over the run, ticks
declare -A STICKS=()    # TARGET -> the proxy's stime over the run, ticks
declare -A SAMPLES=()   # TARGET -> perf samples
declare -A DATA=()      # TARGET -> its perf.data
declare -A DSO=()       # TARGET -> the proxy's binary as perf names it (the basename)
declare -A FAILED=()    # TARGET -> 1 if its run failed

# profile_once TARGET: sysbench DURATION_S through the target's proxy with perf recording it, then
# the proxy's CPU over the run and perf report's summaries (WORK_DIR/TARGET.profile).
profile_once() {
  local target=$1 pid queries="" qps u0 s0 u1 s1
  local log_file=$WORK_DIR/run-$target.log data=$WORK_DIR/perf-$target.data
  pid=$(target_pid "$target")
  kill -0 "$pid" 2>/dev/null || die "$target (pid $pid) is not running"
  DSO[$target]=$(basename "$(readlink "/proc/$pid/exe")")
  DATA[$target]=$data
  start_perf "$target" "$pid" "$data"
  read -r u0 s0 < <(cpu_ticks_split "$pid")
  if sysbench_cmd $((DURATION_S + 120)) "$(target_port "$target")" run --time="$DURATION_S" \
    --threads="$THREADS" --mysql-ignore-errors=none >"$log_file" 2>&1; then
    read -r queries qps < <(sysbench_queries "$log_file") || true
  fi
  read -r u1 s1 < <(cpu_ticks_split "$pid")
  stop_perf
  if [[ -z $queries ]]; then
    log "$target run failed; last lines of $log_file:"
    tail -n 5 "$log_file" >&2
    FAILED[$target]=1
    return
  fi
  [[ -s $data ]] || die "perf wrote no data for $target ($data; $(head -c 300 "$data.log"))"
  QUERIES[$target]=$queries QPS[$target]=$qps
  UTICKS[$target]=$((u1 - u0)) STICKS[$target]=$((s1 - s0))
  log "$target: $queries queries; summarising $data ($(du -m "$data" | cut -f1) MB)"
  summarise "$target" >"$WORK_DIR/$target.profile"
}

# ---------------------------------------------------------------------------------------------
# perf report

# perf_report DATA ARG...: perf report's rows with their sample counts (-n; self time; the filters
# do not rescale), no header, warnings into WORK_DIR/perf-report.log.
perf_report() {
  local data=$1
  shift
  perf_cmd report -i "$data" --stdio --quiet --no-children -g none -n --percentage absolute "$@" \
    2>>"$WORK_DIR/perf-report.log"
}

# perf_rows TOTAL: perf report's "  12.34%  567  [.] name" / "  12.34%  567  dso" rows ->
# "PERCENT<TAB>name", PERCENT = samples / TOTAL (from the counts, so that sums add up; perf's own %
# weighs cpu-clock samples by their period), the name whole, without the [.]/[k] mark; by PERCENT.
perf_rows() {
  awk -v total="$1" '$1 ~ /^[0-9.]+%$/ && $2 ~ /^[0-9]+$/ {
    s = $0; sub(/^[ \t]*[0-9.]+%[ \t]+[0-9]+[ \t]+/, "", s); sub(/^\[[.kgHu]\][ \t]+/, "", s); sub(/[ \t]+$/, "", s)
    printf "%.6f\t%s\n", (total > 0 ? 100 * $2 / total : 0), s }' | sort -t$'\t' -k1,1gr -s
}

first() { awk -v n="$1" 'NR <= n'; }  # first N: the first N lines, reading all (no SIGPIPE upstream)

print_rows() {  # print_rows < perf_rows' output: "   12.34%  name", name cut to NAME_WIDTH
  awk -F'\t' -v w="$NAME_WIDTH" '{ printf "  %7.2f%%  %s\n", $1, substr($2, 1, w) }'
}

# by_namespace: perf_rows of the binary's symbols (full names) -> "PERCENT<TAB>GROUP" per group,
# sorted. A demangled name's group is its qualified name's (the last word with :: once template
# arguments, parameter lists and [clone ...] are gone, so a return type is skipped); a mangled
# one's is read from its first identifiers (_ZN5boost..., _ZNK7rwproxy7session...).
by_namespace() {
  awk -F'\t' '
    function group(q) {
      if (q ~ /^boost::/) return "boost (Asio)"
      if (q ~ /^rwproxy::(session|router|parser|backend|metrics|config)::/) { split(q, a, "::"); return "rwproxy::" a[2] }
      if (q ~ /^rwproxy::(protocol|net)::/) return "rwproxy::protocol + net"
      return "other"
    }
    function mangled(s,   out, n, i) {
      sub(/^_Z/, "", s)
      while (s ~ /^T[hv]/) sub(/^T[hv]n?[0-9]+_(n?[0-9]+_)?/, "", s)  # thunks
      sub(/^[NZ]+/, "", s); sub(/^[KVrLO]+/, "", s)
      out = ""
      for (i = 0; i < 2 && match(s, /^[0-9]+/); i++) {
        n = substr(s, 1, RLENGTH) + 0
        out = out (i ? "::" : "") substr(s, RLENGTH + 1, n)
        s = substr(s, RLENGTH + 1 + n)
      }
      return out "::"
    }
    function qualified(s,   prev, n, w, i, q) {
      gsub(/ \[clone [^]]*\]/, "", s)
      do { prev = s; gsub(/<[^<>]*>/, "", s) } while (s != prev)
      do { prev = s; gsub(/\([^()]*\)/, "", s) } while (s != prev)
      n = split(s, w, " ")
      q = ""
      for (i = n; i >= 1 && q == ""; i--) if (w[i] ~ /::/) q = w[i]
      return q
    }
    { g = group($2 ~ /^_Z/ ? mangled($2) : qualified($2)); sum[g] += $1 }
    END { for (g in sum) printf "%.6f\t%s\n", sum[g], g }' | sort -t$'\t' -k1,1gr -k2,2
}

# summarise TARGET: the summaries of the target's perf.data, for the report.
summarise() {
  local target=$1 data=${DATA[$1]} dso=${DSO[$1]} libc samples event
  samples=$(perf_report "$data" --sort dso | awk '$1 ~ /%$/ { n += $2 } END { printf "%d\n", n }')
  SAMPLES[$target]=$samples
  event=$(perf_cmd report -i "$data" --stdio --header-only 2>/dev/null |
    awk -F: '/^# event : name = / { sub(/^ *name = /, "", $2); sub(/,.*/, "", $2); print $2; exit }') || true
  printf '\n== %s (%s): %s samples (%s, -F %s), %s queries\n' "$target" "$dso" "$samples" \
    "${event:-?}" "$FREQ" "${QUERIES[$target]}"

  local dsos
  dsos=$(perf_report "$data" --sort dso | perf_rows "$samples")
  printf '\nby shared object (self time, %% of all samples)\n'
  head -n "$DSO_TOP" <<<"$dsos" | print_rows
  awk -F'\t' -v top="$DSO_TOP" 'NR > top { s += $1; n++ } END { if (n) printf "  %7.2f%%  (%d others)\n", s, n }' <<<"$dsos"

  local symbols
  symbols=$(perf_report "$data" --sort sym --dsos "$dso" | perf_rows "$samples")
  if [[ $target == rwproxy* ]]; then
    printf '\n%s by namespace (self time, %% of all samples; other: std:: templates, PLT stubs,\n' "$dso"
    printf 'rwproxy::server, ::monitor, ::admin, ...)\n'
    by_namespace <<<"$symbols" | print_rows
    awk -F'\t' '{ s += $1 } END { printf "  %7.2f%%  (all of %s)\n", s, d }' d="$dso" <<<"$symbols"
  fi
  printf '\ntop %s symbols in %s (self time, %% of all samples)\n' "$TOP" "$dso"
  head -n "$TOP" <<<"$symbols" | print_rows

  libc=$(awk -F'\t' '$2 ~ /^libc[.-]/ { print $2; exit }' <<<"$dsos")
  if [[ -n $libc ]]; then
    printf '\ntop %s symbols in %s (self time, %% of all samples)\n' "$TOP" "$libc"
    perf_report "$data" --sort sym --dsos "$libc" | perf_rows "$samples" | first "$TOP" | print_rows
  fi
  printf '\ntop %s kernel symbols (self time, %% of all samples)\n' "$TOP"
  perf_report "$data" --sort sym --dsos '[kernel.kallsyms]' | perf_rows "$samples" | first "$TOP" | print_rows
  if [[ $event == cpu-clock* ]]; then
    printf '  (cpu-clock: a timer, no hardware PMU; kernel code that ran with interrupts off is counted
'
    printf '  where they were turned back on: finish_task_switch, _raw_spin_unlock_irqrestore, ...)
'
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------
# Report

us_per_query() {  # us_per_query TICKS QUERIES -> TICKS in µs per query, 1 decimal
  awk -v t="$1" -v q="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f\n", (q > 0 ? t * 1e6 / hz / q : 0) }'
}

print_report() {
  local t q
  printf '\nperf record -F %s -g -p <proxy> during sysbench %s, %s threads, %s s per target,\n' \
    "$FREQ" "$(sysbench_test_label)" "$THREADS" "$DURATION_S"
  printf '%s x %s rows, ps-mode=%s; the proxy'"'"'s CPU from /proc/PID/stat over the profiled run\n' \
    "$TABLES" "$TABLE_SIZE" "$PS_MODE"
  printf '(perf adds its sampling to it, and the qps is under perf: not a throughput figure).\n\n'
  printf '  %-16s %10s %10s %10s %10s %10s %10s\n' target queries qps_perf user_us/q sys_us/q cpu_us/q samples
  for t in "${TARGETS[@]}"; do
    q=${QUERIES[$t]:-0}
    if ((q == 0)); then printf '  %-16s %10s\n' "$t" fail; continue; fi
    printf '  %-16s %10s %10s %10s %10s %10s %10s\n' "$t" "$q" "${QPS[$t]}" \
      "$(us_per_query "${UTICKS[$t]}" "$q")" "$(us_per_query "${STICKS[$t]}" "$q")" \
      "$(us_per_query $((UTICKS[$t] + STICKS[$t])) "$q")" "${SAMPLES[$t]:-?}"
  done
  for t in "${TARGETS[@]}"; do
    [[ -f $WORK_DIR/$t.profile ]] && cat "$WORK_DIR/$t.profile"
  done
  local files=""
  for t in "${TARGETS[@]}"; do
    [[ -s ${DATA[$t]:-} ]] && files+=" $(basename "${DATA[$t]}") ($(du -m "${DATA[$t]}" | cut -f1) MB)"
  done
  if ((KEEP_DATA == 1)); then
    printf '\nperf.data files kept in %s:\n %s; to read one:\n' "$WORK_DIR" "$files"
    printf '  perf --buildid-dir %s report -i %s/perf-TARGET.data\n' "$WORK_DIR/buildid" "$WORK_DIR"
  else
    printf '\nperf.data files were in %s (removed at exit; --keep-data keeps them):\n ' "$WORK_DIR"
    printf '%s\n' "$files"
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------

report() {
  report_header "$LOADAVG"
  print_report
}

main() {
  parse_args "$@"
  require_tools sysbench perf
  require_target_tools

  start_sysbench_run "$STATE_DIR/perf.XXXXXX"

  local t
  warm_up_sysbench profiled
  for t in "${TARGETS[@]}"; do
    log "$t under perf (${DURATION_S}s, -F $FREQ)"
    profile_once "$t"
  done

  local prefix=perf-profile
  [[ $TEST == read_only ]] && prefix+=-read_only
  save_report "$prefix"
  ((${#FAILED[@]} == 0)) || die "some runs failed: ${!FAILED[*]}"
}

main "$@"
