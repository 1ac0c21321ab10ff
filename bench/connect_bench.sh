#!/usr/bin/env bash
# Connection-churn benchmark, the way PHP applications use a database: per web request, connect,
# run one or a few queries, disconnect. bench/load_client (mode connect) runs THREADS goroutines
# that each loop: a new TCP connection and MySQL handshake (no pooling), QUERIES point selects
# `SELECT v FROM bench_connect WHERE id = ?` as text queries (interpolateParams, no server-side
# prepare; random ids, answers checked), close (COM_QUIT; the client closes first). It measures
# the proxy's accept path and worker model (issue #14: is accept spread over the workers, does a
# client stay on one worker). Targets, interleaved over several rounds with the order rotating
# each round (as bench/sysbench_compare.sh):
#   direct        the MariaDB master itself
#   haproxy       HAProxy in TCP mode in front of the master (a new backend connection per client)
#   rwproxy       rwproxy with the topology's rwproxy.toml (listen ports 0, --ports-file)
#   rwproxy_prev  the same with a previous build (RWPROXY_PREV_BIN; a default target when it is set)
# Per run: connections/s and queries/s, p50/p99 of a whole connect + queries + close and of the
# connect alone (client side), errors; per proxy its CPU per connection (utime+stime from
# /proc/PID/stat over the run / connections) and its wake-ups per connection (voluntary +
# nonvoluntary context switches summed over /proc/PID/task/*/status), also split per thread
# (which threads accept and serve, and how often a connection wakes a thread it does not run on);
# the connections the servers accepted meanwhile per client connection (SHOW GLOBAL STATUS
# Connections over master and replicas: 1 for direct and haproxy, ~0 for a pooling proxy); for
# rwproxy the delta of rwproxy_client_connections_total (one accept per client connection); the
# sockets in TIME_WAIT on the machine after the run. Then the medians over rounds, the median
# per-round ratio of connections/s vs haproxy, and a summary line per target. The report goes to
# stdout and to bench/results/connect-<yyyymmdd-hhmmss>.txt.
#
#   bench/connect_bench.sh [--time S] [--rounds R] [--threads T] [--queries N] [--warmup S]
#                          [--rows N] [--targets direct,haproxy,rwproxy,rwproxy_prev]
#                          [--keep-topology]
#
# Defaults: 10 s per run, 3 rounds, 16 goroutines, 1 query per connection, 2 s warm-up per target,
# 10,000 rows. Env: RWPROXY_BIN (default <repo>/build/proxy/rwproxy) and RWPROXY_PREV_BIN (copied
# to a temp dir at start; the copies run; both need --ports-file), RWPROXY_BENCH_HAPROXY_PORT
# (default: first free port from 16033 up), RWPROXY_BENCH_RESULTS_DIR (default <repo>/bench/results),
# RWPROXY_STATE_DIR [/tmp/rwproxy-bench-connect] and RWPROXY_TOPOLOGY_BASE_PORT [27506]: the
# topology (scripts/topology.sh); one already up there is reused and left running, otherwise it is
# started here and stopped at exit (unless --keep-topology). Installs golang-go and
# golang-github-go-sql-driver-mysql-dev if missing (root) and builds bench/load_client into the
# temp dir. Creates rwtest.bench_connect on the master (dropped at exit).
#
# Ephemeral ports: thousands of connections per second leave as many sockets in TIME_WAIT for 60 s
# (on the client's side, and for haproxy also on its side towards the master); Linux reuses them
# for new loopback connections (net.ipv4.tcp_tw_reuse = 2, the default), otherwise connects fail
# with "cannot assign requested address" once the 28,000 ports of ip_local_port_range are taken.
# Keep the runs short; the report shows the TIME_WAIT count and the errors.
set -euo pipefail

readonly BENCH_NAME=connect_bench
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology /tmp/rwproxy-bench-connect 27506

DURATION_S=10
ROUNDS=3
THREADS=16
QUERIES=1
WARMUP_S=2
ROWS=10000
TARGETS=(direct haproxy rwproxy)
[[ -n ${RWPROXY_PREV_BIN:-} ]] && TARGETS+=(rwproxy_prev)
KEEP_TOPOLOGY=0
RESULTS_DIR=${RWPROXY_BENCH_RESULTS_DIR:-$REPO_ROOT/bench/results}
readonly COMMAND_LINE="$0 $*"

readonly BENCH_TABLE=bench_connect
readonly STARTUP_TIMEOUT_S=20
readonly STOP_TIMEOUT_S=20
readonly ELIGIBLE_TIMEOUT_S=30

PREV_METRICS_PORT=""
RWPROXY_METRICS_PORT=""

script_option() {  # the options only this script has (see parse_options)
  OPTION_SHIFT=2
  case $1 in
    --queries) QUERIES=${2:?} ;;
    --rows) ROWS=${2:?} ;;
    *) OPTION_SHIFT=0 ;;
  esac
}

parse_args() {
  parse_options "$@"
  require_uints "$DURATION_S" "$ROUNDS" "$THREADS" "$QUERIES" "$WARMUP_S" "$ROWS"
  ((DURATION_S > 0 && ROUNDS > 0 && THREADS > 0 && QUERIES > 0 && ROWS > 0)) ||
    die "time, rounds, threads, queries and rows must be > 0"
  check_targets direct haproxy rwproxy rwproxy_prev
}

check_tools() {
  require_tools mariadb curl python3 dpkg-query getconf timeout ss
  require_target_tools
}

cleanup() {
  local status=$?
  stop_process "$RWPROXY_PID"
  stop_process "$PREV_PID"
  stop_process "$HAPROXY_PID"
  stop_process "$STARTED_PID"  # a proxy that failed to start
  drop_bench_table
  stop_started_topology
  finish_cleanup "$status"
}

# ---------------------------------------------------------------------------------------------
# rwproxy

# start_proxy NAME BINARY: a copy of BINARY in the work dir (the build dir's binary is rebuilt
# under our feet), run by start_ports_file_proxy.
start_proxy() {
  cp "$2" "$WORK_DIR/$1"
  start_ports_file_proxy "$1" "$WORK_DIR/$1"
}

metrics_port_of() {  # metrics_port_of TARGET: "" for targets without rwproxy metrics
  case $1 in
    rwproxy) echo "$RWPROXY_METRICS_PORT" ;;
    rwproxy_prev) echo "$PREV_METRICS_PORT" ;;
  esac
}

# rwproxy_client_connections_total of a target's rwproxy ("" if not an rwproxy or unreadable)
client_connections_total() {  # client_connections_total TARGET
  local port text
  port=$(metrics_port_of "$1")
  [[ -n $port ]] || return 0
  text=$(curl -sS --max-time 5 "http://$HOST:$port/metrics" 2>/dev/null) || return 0
  metric_sum "$text" rwproxy_client_connections_total
}

# ---------------------------------------------------------------------------------------------
# Measurements

# Connections (SHOW GLOBAL STATUS) summed over master and replicas, less the one this read opens
# on each server (Connections counts the reading connection itself).
server_connections() {
  local port n sum=0
  for port in "${SERVER_PORTS[@]}"; do
    n=$(admin_sql "$port" "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2) || die "cannot read Connections on port $port"
    is_uint "$n" || die "no Connections in SHOW GLOBAL STATUS on port $port"
    sum=$((sum + n - 1))
  done
  echo "$sum"
}

# thread_stats PID: one line per thread in thread-id order, "TID NAME TICKS SWITCHES" (utime+stime
# in clock ticks, voluntary + nonvoluntary context switches); NAME is "main" for the main thread,
# else its comm and "#" its place in thread-id order (rwproxy#4: the process's fourth thread).
thread_stats() {
  local pid=$1 task tid comm stat ctxt k=0
  local -a f tids=()
  for task in /proc/"$pid"/task/*; do tids+=("${task##*/}"); done
  mapfile -t tids < <(printf '%s\n' "${tids[@]}" | sort -n)
  for tid in "${tids[@]}"; do
    task=/proc/$pid/task/$tid
    ((++k))
    # a thread may exit between the listing and the reads
    comm=$(cat "$task/comm" 2>/dev/null) || continue
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    read -r -a f <<<"$stat"
    ctxt=$(awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }' "$task/status" 2>/dev/null) || continue
    if [[ $tid == "$pid" ]]; then comm=main; else comm="${comm// /_}#$k"; fi
    printf '%s %s %s %s\n' "$tid" "$comm" $((f[11] + f[12])) "$ctxt"
  done
}

# thread_deltas BEFORE AFTER CONNECTIONS -> "name:cpu_us/wake-ups, ..." per connection for the
# threads that used at least 0.05 us or 0.005 wake-ups per connection during the run (threads
# present in AFTER; a new thread counts from 0), the others summed as "rest".
thread_deltas() {
  awk -v hz="$CLK_TCK" -v c="$3" '
    NR == FNR { t0[$1] = $3; w0[$1] = $4; next }
    {
      cpu = ($3 - t0[$1]) * 1e6 / hz / c; wake = ($4 - w0[$1]) / c
      if (cpu < 0.05 && wake < 0.005) { rc += cpu; rw += wake; next }
      out = out (out == "" ? "" : ", ") sprintf("%s:%.1f/%.2f", $2, cpu, wake)
    }
    END {
      if (rc > 0 || rw > 0) out = out (out == "" ? "" : ", ") sprintf("rest:%.1f/%.3f", rc, rw)
      print (out == "" ? "-" : out)
    }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

time_wait_sockets() { ss -Htan state time-wait 2>/dev/null | wc -l; }

run_client() {  # run_client TARGET SECONDS JSON LOG (see run_load_client)
  run_load_client connect "$@" -queries "$QUERIES"
}

declare -A R=()  # R[target,round,key]

# run_once TARGET ROUND: one measured run; results into R[TARGET,ROUND,*] (R[..,ok] = 1 or 0).
run_once() {
  local t=$1 r=$2 pid json=$WORK_DIR/round$2-$1.json client_log=$WORK_DIR/round$2-$1.log
  local c0="" c1="" w0="" w1="" th0="" th1="" s0 s1 a0 a1
  pid=$(target_pid "$t")
  if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
    log "round $r: $t is not running any more"
    R[$t,$r,ok]=0 R[$t,$r,note]="$t process gone before the run"
    return
  fi
  s0=$(server_connections)
  a0=$(client_connections_total "$t")
  if [[ -n $pid ]]; then
    th0=$(thread_stats "$pid") w0=$(ctxt_switches "$pid") c0=$(cpu_ticks "$pid")
  fi
  local rc=0
  run_client "$t" "$DURATION_S" "$json" "$client_log" || rc=$?
  if [[ -n $pid ]]; then
    c1=$(cpu_ticks "$pid" 2>/dev/null || true) w1=$(ctxt_switches "$pid") th1=$(thread_stats "$pid")
  fi
  a1=$(client_connections_total "$t")
  s1=$(server_connections)
  R[$t,$r,time_wait]=$(time_wait_sockets)

  if ((rc != 0)) || [[ ! -s $json ]]; then
    log "round $r: $t client failed (exit $rc); last lines of $client_log:"
    tail -n 5 "$client_log" >&2 || true
    R[$t,$r,ok]=0 R[$t,$r,note]="client failed (exit $rc): $(tail -n 1 "$client_log" 2>/dev/null | cut -c1-200)"
    return
  fi
  local conns cps qps errors p50 p99 cp50 cp99 first
  IFS=$'\t' read -r conns cps qps errors p50 p99 cp50 cp99 first <<<"$(json_fields "$json" connections \
    connections_per_s qps errors p50_us p99_us connect_p50_us connect_p99_us first_errors)"
  R[$t,$r,ok]=1 R[$t,$r,conns]=$conns R[$t,$r,cps]=$cps R[$t,$r,qps]=$qps R[$t,$r,errors]=$errors
  R[$t,$r,p50]=$p50 R[$t,$r,p99]=$p99 R[$t,$r,cp50]=$cp50 R[$t,$r,cp99]=$cp99
  R[$t,$r,server_conns]=$((s1 - s0))
  [[ -n $a0 && -n $a1 ]] && R[$t,$r,accepts]=$((a1 - a0))
  [[ $first != - ]] && R[$t,$r,note]="errors: $first"
  if [[ -n $c0 && -n $c1 ]] && ((conns > 0)); then
    R[$t,$r,cpu]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v c="$conns" 'BEGIN { printf "%.2f", t * 1e6 / hz / c }')
    R[$t,$r,wake]=$(awk -v w=$((w1 - w0)) -v c="$conns" 'BEGIN { printf "%.3f", w / c }')
    R[$t,$r,threads]=$(thread_deltas "$th0" "$th1" "$conns")
  fi
  log "round $r: $t $(printf '%.0f' "$cps") connections/s, $errors errors, ${R[$t,$r,time_wait]} sockets in TIME_WAIT"
}

# ---------------------------------------------------------------------------------------------
# Report

ms() { fmt %.2f "$(awk -v u="${1:--}" 'BEGIN { if (u == "-") print "-"; else print u / 1000 }')"; }

median_of() {  # median_of TARGET KEY: median over the good rounds, "-" if none has it
  local r v
  local -a values=()
  for ((r = 1; r <= ROUNDS; r++)); do
    ok "$1" "$r" || continue
    v=${R[$1,$r,$2]:-}
    [[ -n $v && $v != - ]] && values+=("$v")
  done
  MEDIAN_FORMAT=%.6f median "${values[@]}"
}

median_ratio() {  # median_ratio A B: median over rounds of A's connections/s / B's, "-" if none
  local r
  local -a values=()
  for ((r = 1; r <= ROUNDS; r++)); do
    if ! ok "$1" "$r" || ! ok "$2" "$r"; then continue; fi
    values+=("$(awk -v a="${R[$1,$r,cps]}" -v b="${R[$2,$r,cps]}" 'BEGIN { printf "%.6f", (b > 0 ? a / b : 0) }')")
  done
  median "${values[@]}"
}

per_conn() {  # per_conn TARGET ROUND KEY: R[KEY] / connections
  if ! ok "$1" "$2" || [[ -z ${R[$1,$2,$3]:-} ]]; then echo -; return; fi
  awk -v a="${R[$1,$2,$3]}" -v c="${R[$1,$2,conns]}" 'BEGIN { if (c > 0) printf "%.3f", a / c; else print "-" }'
}

print_runs() {
  printf '%-5s %-12s %8s %8s %7s %7s %8s %8s %6s %8s %8s %8s %8s %9s\n' round target conn/s queries/s \
    p50_ms p99_ms cn50_ms cn99_ms errors cpu_us/c wake/c srv/c acc/c time_wait
  local r t
  for ((r = 1; r <= ROUNDS; r++)); do
    round_targets "$r"
    for t in "${ROUND_TARGETS[@]}"; do
      if ! ok "$t" "$r"; then printf '%-5s %-12s %8s\n' "$r" "$t" FAILED; continue; fi
      printf '%-5s %-12s %8s %8s %7s %7s %8s %8s %6s %8s %8s %8s %8s %9s\n' "$r" "$t" \
        "$(fmt %.0f "${R[$t,$r,cps]}")" "$(fmt %.0f "${R[$t,$r,qps]}")" \
        "$(ms "${R[$t,$r,p50]}")" "$(ms "${R[$t,$r,p99]}")" "$(ms "${R[$t,$r,cp50]}")" "$(ms "${R[$t,$r,cp99]}")" \
        "${R[$t,$r,errors]}" "${R[$t,$r,cpu]:--}" "${R[$t,$r,wake]:--}" \
        "$(per_conn "$t" "$r" server_conns)" "$(per_conn "$t" "$r" accepts)" "${R[$t,$r,time_wait]}"
    done
  done
}

print_threads() {
  local r t
  for t in "${TARGETS[@]}"; do
    [[ $t == direct ]] && continue
    for ((r = 1; r <= ROUNDS; r++)); do
      ok "$t" "$r" && printf '  %-12s round %s: %s\n' "$t" "$r" "${R[$t,$r,threads]:--}"
    done
  done
  return 0
}

print_summary() {
  printf '  %-12s %8s %10s %13s %7s %7s %8s %8s %7s %9s %8s %8s\n' target conn/s queries/s conn/haproxy \
    p50_ms p99_ms cn50_ms cn99_ms errors cpu_us/c wake/c srv/c
  local t r errors srv
  local -a values
  for t in "${TARGETS[@]}"; do
    errors=0 values=()
    for ((r = 1; r <= ROUNDS; r++)); do
      ok "$t" "$r" || continue
      errors=$((errors + ${R[$t,$r,errors]}))
      values+=("$(per_conn "$t" "$r" server_conns)")
    done
    srv=$(median "${values[@]}")
    printf '  %-12s %8s %10s %13s %7s %7s %8s %8s %7s %9s %8s %8s\n' "$t" \
      "$(fmt %.0f "$(median_of "$t" cps)")" "$(fmt %.0f "$(median_of "$t" qps)")" \
      "$(if has_target haproxy; then fmt %.3f "$(median_ratio "$t" haproxy)"; else echo -; fi)" \
      "$(ms "$(median_of "$t" p50)")" "$(ms "$(median_of "$t" p99)")" \
      "$(ms "$(median_of "$t" cp50)")" "$(ms "$(median_of "$t" cp99)")" "$errors" \
      "$(fmt %.2f "$(median_of "$t" cpu)")" "$(fmt %.3f "$(median_of "$t" wake)")" "$(fmt %.3f "$srv")"
  done
  if has_target rwproxy && has_target rwproxy_prev; then
    printf '  rwproxy/rwproxy_prev connections/s, median of per-round ratios: %s\n' \
      "$(fmt %.3f "$(median_ratio rwproxy rwproxy_prev)")"
  fi
}

report() {
  local revision binary_time="-"
  revision=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -f $RWPROXY_SRC_BIN ]] && binary_time=$(date -r "$RWPROXY_SRC_BIN" '+%Y-%m-%d %H:%M:%S')
  printf '# %s: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$COMMAND_LINE"
  printf '# HEAD %s; RWPROXY_BIN=%s (built %s)%s; %s cores, load average %s\n' "$revision" "$RWPROXY_SRC_BIN" \
    "$binary_time" "${RWPROXY_PREV_BIN:+ RWPROXY_PREV_BIN=$RWPROXY_PREV_BIN}" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'connection churn: %s goroutines, each: connect, %s x SELECT v FROM %s WHERE id = ? (%s rows), close;\n' \
    "$THREADS" "$QUERIES" "$BENCH_TABLE" "$ROWS"
  printf '%s round(s) x %s s per target, warm-up %s s; master %s, replicas %s; haproxy %s, rwproxy %s, rwproxy_prev %s\n' \
    "$ROUNDS" "$DURATION_S" "$WARMUP_S" "$MASTER_PORT" "$REPLICA_PORTS" "${HAPROXY_PORT:--}" \
    "$(target_port rwproxy)" "${PREV_PORT:--}"
  printf 'p50/p99 = connect + queries + close; cn50/cn99 = connect (dial + handshake) alone; cpu_us/c = proxy\n'
  printf 'utime+stime per connection; wake/c = voluntary + nonvoluntary context switches of all the proxy'"'"'s\n'
  printf 'threads per connection; srv/c = connections the servers accepted (master + replicas) per client\n'
  printf 'connection; acc/c = rwproxy_client_connections_total per client connection; time_wait = sockets in\n'
  printf 'TIME_WAIT on the machine after the run (ports are reused on loopback with tcp_tw_reuse = %s)\n\n' \
    "$(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null || echo '?')"
  print_runs
  printf '\nper thread, per connection: NAME:cpu_us/wake-ups (threads that ran during the run; main = the\n'
  printf 'main thread)\n'
  print_threads
  printf '\nsummary (medians over rounds; conn/haproxy = median of per-round connections/s ratios):\n'
  print_summary
  printf '\n'
  print_run_notes rwproxy rwproxy_prev
}

# ---------------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  check_tools
  begin_run /tmp/rwproxy-connect-bench.XXXXXX
  ensure_go_packages
  build_client
  ensure_topology
  prepare_table
  if has_target haproxy; then start_haproxy; fi
  if has_target rwproxy; then
    start_proxy rwproxy "$RWPROXY_SRC_BIN"
    RWPROXY_PID=$STARTED_PID RWPROXY_METRICS_PORT=$METRICS_PORT
    local rwproxy_port=$PROXY_PORT
  fi
  if has_target rwproxy_prev; then
    start_proxy rwproxy_prev "$RWPROXY_PREV_BIN"
    PREV_PID=$STARTED_PID PREV_PORT=$PROXY_PORT PREV_METRICS_PORT=$METRICS_PORT
  fi
  PROXY_PORT=${rwproxy_port:-}  # target_port rwproxy

  run_rounds

  printf '\n'
  save_report connect
  [[ $RUNS_FAILED == false ]] || die "some runs failed"
  [[ $RUNS_ERRORS == false ]] || die "some runs had errors"
}

main "$@"
