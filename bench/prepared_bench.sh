#!/usr/bin/env bash
# Prepared-statement benchmark: the "Go database/sql default" pattern, where every parameterized
# query is COM_STMT_PREPARE + COM_STMT_EXECUTE + COM_STMT_CLOSE (db.QueryRow("... WHERE id = ?", id)
# with go-sql-driver/mysql, interpolateParams=false). bench/load_client (mode prepared) runs
# `SELECT v FROM bench_ps WHERE id = ?` (random ids, 10,000 rows by default) against three targets,
# interleaved over several rounds with the order rotating each round (as bench/sysbench_compare.sh):
#   direct   the MariaDB master itself
#   haproxy  HAProxy in TCP mode in front of the master
#   rwproxy  rwproxy with the topology's rwproxy.toml (master + replicas; listen ports 0, ports file)
# Per run: reads/s, p50/p99 latency and errors (client side); the statements the MASTER executed
# meanwhile (deltas of Com_stmt_prepare, Com_stmt_execute, Com_stmt_close and Questions from
# SHOW GLOBAL STATUS, read over an admin connection straight to the master), also per client query;
# the proxy's CPU time per query (utime+stime from /proc/PID/stat) for rwproxy and haproxy; for
# rwproxy the deltas of rwproxy_prepared_statements_total{source} and
# rwproxy_backend_statements_total{backend}. Then the medians and the per-round ratio
# rwproxy qps / haproxy qps. The table goes to stdout and to bench/results/prepared-<date>.txt.
#
#   bench/prepared_bench.sh [--rounds R] [--time S] [--threads T] [--warmup S] [--rows N]
#                           [--targets direct,haproxy,rwproxy] [--keep-topology]
#
# Env (defaults in brackets; the flags above override them):
#   PS_ROUNDS [3]  PS_SECONDS [10] per run  PS_THREADS [8] client goroutines (= pool size)
#   PS_WARMUP [2] seconds per target before the rounds (not measured)   PS_ROWS [10000]
#   PS_TARGETS ["direct haproxy rwproxy"]   PS_RESULTS_DIR [<repo>/bench/results]
#   PS_KEEP_TOPOLOGY [0]: 1 keeps a topology this script started
#   RWPROXY_BIN [<repo>/build/proxy/rwproxy] (copied to a temp dir at start; the copy runs)
#   RWPROXY_BENCH_HAPROXY_PORT [first free port from 16033 up]
#   RWPROXY_STATE_DIR [/tmp/rwproxy-bench-ps], RWPROXY_TOPOLOGY_BASE_PORT [27306]: the topology
#                  (scripts/topology.sh); one already up there is reused and left running,
#                  otherwise it is started here and stopped at exit.
# Installs golang-go and golang-github-go-sql-driver-mysql-dev if missing (root) and builds
# bench/load_client into the temp dir. Creates rwtest.bench_ps on the master (dropped at exit).
# The master's counters are global: anything else using the master during a run is counted too
# (the report shows the background rate measured with no load).
set -euo pipefail

readonly BENCH_NAME=prepared_bench
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology /tmp/rwproxy-bench-ps 27306

ROUNDS=${PS_ROUNDS:-3}
DURATION_S=${PS_SECONDS:-10}
THREADS=${PS_THREADS:-8}
WARMUP_S=${PS_WARMUP:-2}
ROWS=${PS_ROWS:-10000}
read -r -a TARGETS <<<"${PS_TARGETS:-direct haproxy rwproxy}"
[[ ${#TARGETS[@]} -eq 1 && ${TARGETS[0]} == *,* ]] && IFS=, read -r -a TARGETS <<<"${TARGETS[0]}"
RESULTS_DIR=${PS_RESULTS_DIR:-$REPO_ROOT/bench/results}
KEEP_TOPOLOGY=${PS_KEEP_TOPOLOGY:-0}

readonly BENCH_TABLE=bench_ps
readonly MEDIAN_FORMAT=%.6f
readonly STARTUP_TIMEOUT_S=20
readonly STOP_TIMEOUT_S=20
readonly ELIGIBLE_TIMEOUT_S=30
readonly BACKGROUND_SAMPLE_S=3
readonly MASTER_COUNTERS=(Com_stmt_prepare Com_stmt_execute Com_stmt_close Questions)

ELIGIBLE_AT_START="-"
BACKGROUND=""  # "prepare/s execute/s close/s questions/s" on the master with no load

script_option() {  # --rows N, the one option only this script has (see parse_options)
  if [[ $1 == --rows ]]; then ROWS=${2:?}; OPTION_SHIFT=2; else OPTION_SHIFT=0; fi
}

parse_args() {
  parse_options "$@"
  require_uints "$ROUNDS" "$DURATION_S" "$THREADS" "$WARMUP_S" "$ROWS"
  ((ROUNDS > 0 && DURATION_S > 0 && THREADS > 0 && ROWS > 0)) || die "rounds, time, threads and rows must be > 0"
  check_targets direct haproxy rwproxy
}

check_tools() {
  require_tools mariadb curl python3 dpkg-query getconf timeout
  require_target_tools
}

cleanup() {
  local status=$?
  stop_process "$RWPROXY_PID"
  stop_process "$HAPROXY_PID"
  stop_process "$STARTED_PID"  # a proxy that failed to start
  drop_bench_table
  stop_started_topology
  finish_cleanup "$status"
}

# ---------------------------------------------------------------------------------------------
# Master counters

# The master's counters as "prepare execute close questions" (one SHOW, over an admin connection).
master_counters() {
  local out
  out=$(admin_sql "$MASTER_PORT" "SHOW GLOBAL STATUS WHERE Variable_name IN
          ('Com_stmt_prepare', 'Com_stmt_execute', 'Com_stmt_close', 'Questions')") ||
    die "cannot read SHOW GLOBAL STATUS on the master"
  local name
  local -A v=()
  while read -r name value; do v[${name,,}]=$value; done <<<"$out"
  for name in "${MASTER_COUNTERS[@]}"; do
    is_uint "${v[${name,,}]:-}" || die "no $name in SHOW GLOBAL STATUS on the master"
    printf '%s ' "${v[${name,,}]}"
  done
  echo
}

# Master counter rates with no benchmark load (rwproxy's monitor, if running, included).
sample_background() {
  local -a a b
  local s
  s=$(master_counters) || exit 1
  read -r -a a <<<"$s"
  sleep "$BACKGROUND_SAMPLE_S"
  s=$(master_counters) || exit 1
  read -r -a b <<<"$s"
  local i out=""
  for i in "${!a[@]}"; do
    out+=${out:+ }$(awk -v d=$((b[i] - a[i])) -v s="$BACKGROUND_SAMPLE_S" 'BEGIN { printf "%.1f", d / s }')
  done
  BACKGROUND=$out
}

# ---------------------------------------------------------------------------------------------
# rwproxy

start_rwproxy() {  # the copy of RWPROXY_BIN (copy_rwproxy) by start_ports_file_proxy
  start_ports_file_proxy rwproxy "$PROXY_BIN"
  RWPROXY_PID=$STARTED_PID
  ELIGIBLE_AT_START=$ELIGIBLE
  log "rwproxy: $ELIGIBLE of $REPLICA_COUNT replicas eligible"
}

# ---------------------------------------------------------------------------------------------
# Runs

declare -A R=()  # R[target,round,key]

run_client() {  # run_client TARGET SECONDS JSON LOG (see run_load_client)
  run_load_client prepared "$@"
}

# run_once TARGET ROUND: one measured run; results into R[TARGET,ROUND,*] (R[..,ok] = 1 or 0).
run_once() {
  local t=$1 r=$2 pid json=$WORK_DIR/round$2-$1.json client_log=$WORK_DIR/round$2-$1.log
  local -a m0 m1
  local c0="" c1="" metrics0="" metrics1=""
  pid=$(target_pid "$t")
  if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
    log "round $r: $t is not running any more"
    R[$t,$r,ok]=0
    R[$t,$r,note]="$t process gone before the run"
    return
  fi
  [[ $t == rwproxy ]] && metrics0=$(metrics_text 2>/dev/null || true)
  local s
  s=$(master_counters) || exit 1
  read -r -a m0 <<<"$s"
  [[ -n $pid ]] && c0=$(cpu_ticks "$pid")
  local rc=0
  run_client "$t" "$DURATION_S" "$json" "$client_log" || rc=$?
  [[ -n $pid ]] && c1=$(cpu_ticks "$pid" 2>/dev/null || true)
  s=$(master_counters) || exit 1
  read -r -a m1 <<<"$s"
  [[ $t == rwproxy ]] && metrics1=$(metrics_text 2>/dev/null || true)

  if ((rc != 0)) || [[ ! -s $json ]]; then
    log "round $r: $t client failed (exit $rc); last lines of $client_log:"
    tail -n 5 "$client_log" >&2 || true
    R[$t,$r,ok]=0
    R[$t,$r,note]="client failed (exit $rc): $(tail -n 1 "$client_log" 2>/dev/null | cut -c1-200)"
    return
  fi
  local queries errors qps p50 p99 first
  IFS=$'\t' read -r queries errors qps p50 p99 first <<<"$(json_fields "$json" queries errors qps p50_us p99_us first_errors)"
  R[$t,$r,ok]=1
  R[$t,$r,queries]=$queries
  R[$t,$r,errors]=$errors
  R[$t,$r,qps]=$qps
  R[$t,$r,p50]=$p50
  R[$t,$r,p99]=$p99
  [[ $first != - ]] && R[$t,$r,note]="errors: $first"
  local i
  for i in "${!MASTER_COUNTERS[@]}"; do R[$t,$r,${MASTER_COUNTERS[i]}]=$((m1[i] - m0[i])); done
  if [[ -n $c0 && -n $c1 ]]; then R[$t,$r,cpu_ticks]=$((c1 - c0)); fi
  if [[ $t == rwproxy && -n $metrics0 && -n $metrics1 ]]; then
    local key filter
    for key in cache backend; do
      filter="source=\"$key\""
      R[$t,$r,ps_$key]=$(($(metric_sum "$metrics1" rwproxy_prepared_statements_total "$filter") -
        $(metric_sum "$metrics0" rwproxy_prepared_statements_total "$filter")))
    done
    local name stmts=""
    for name in master $(seq -f 'replica%g' 1 "$REPLICA_COUNT"); do
      filter="backend=\"$name\""
      stmts+=${stmts:+/}$(($(metric_sum "$metrics1" rwproxy_backend_statements_total "$filter") -
        $(metric_sum "$metrics0" rwproxy_backend_statements_total "$filter")))
    done
    R[$t,$r,backend_stmts]=$stmts
    R[$t,$r,eligible]=$(metric_sum "$metrics1" rwproxy_replica_eligible)
  fi
  log "round $r: $t $(printf '%.0f' "$qps") reads/s, $errors errors, master prepare/execute/close" \
    "+${R[$t,$r,Com_stmt_prepare]}/+${R[$t,$r,Com_stmt_execute]}/+${R[$t,$r,Com_stmt_close]}"
}

# ---------------------------------------------------------------------------------------------
# Report

# derived TARGET ROUND NAME: a per-run figure, or empty when unknown
derived() {
  local t=$1 r=$2 q=${R[$1,$2,queries]:-0}
  ok "$t" "$r" || return 0
  case $3 in
    cpu_us)
      [[ -n ${R[$t,$r,cpu_ticks]:-} ]] && ((q > 0)) &&
        awk -v t="${R[$t,$r,cpu_ticks]}" -v q="$q" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t * 1e6 / hz / q }' ;;
    per_query_*)
      local counter=${3#per_query_}
      ((q > 0)) && awk -v d="${R[$t,$r,$counter]}" -v q="$q" 'BEGIN { printf "%.4f", d / q }' ;;
    stmts_per_query)
      ((q > 0)) && awk -v a="${R[$t,$r,Com_stmt_prepare]}" -v b="${R[$t,$r,Com_stmt_execute]}" \
        -v c="${R[$t,$r,Com_stmt_close]}" -v q="$q" 'BEGIN { printf "%.3f", (a + b + c) / q }' ;;
  esac
  return 0
}

# Median over the rounds of a R key or a derived figure.
median_of() {  # median_of TARGET KIND NAME (KIND: key or derived)
  local r v
  local -a values=()
  for ((r = 1; r <= ROUNDS; r++)); do
    ok "$1" "$r" || continue
    if [[ $2 == key ]]; then v=${R[$1,$r,$3]:-}; else v=$(derived "$1" "$r" "$3"); fi
    [[ -n $v ]] && values+=("$v")
  done
  median "${values[@]}"
}

ratio() {  # ratio TARGET_A TARGET_B ROUND -> qps a / qps b, or empty
  ok "$1" "$3" && ok "$2" "$3" || return 0
  awk -v a="${R[$1,$3,qps]}" -v b="${R[$2,$3,qps]}" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
}

print_runs() {
  printf '%-5s %-8s %9s %8s %8s %7s %10s %10s %10s %10s %8s %9s\n' round target reads/s p50_ms p99_ms errors \
    "M:prepare" "M:execute" "M:close" "M:questns" "M:st/q" "cpu_us/q"
  local r t
  for ((r = 1; r <= ROUNDS; r++)); do
    round_targets "$r"
    for t in "${ROUND_TARGETS[@]}"; do
      if ! ok "$t" "$r"; then printf '%-5s %-8s %9s\n' "$r" "$t" FAILED; continue; fi
      printf '%-5s %-8s %9s %8s %8s %7s %10s %10s %10s %10s %8s %9s\n' "$r" "$t" \
        "$(fmt %.0f "${R[$t,$r,qps]}")" "$(fmt %.2f "$(awk -v u="${R[$t,$r,p50]}" 'BEGIN { print u / 1000 }')")" \
        "$(fmt %.2f "$(awk -v u="${R[$t,$r,p99]}" 'BEGIN { print u / 1000 }')")" "${R[$t,$r,errors]}" \
        "${R[$t,$r,Com_stmt_prepare]}" "${R[$t,$r,Com_stmt_execute]}" "${R[$t,$r,Com_stmt_close]}" \
        "${R[$t,$r,Questions]}" "$(fmt %s "$(derived "$t" "$r" stmts_per_query)")" \
        "$(fmt %s "$(derived "$t" "$r" cpu_us)")"
    done
  done
}

print_medians() {
  printf '%-8s %9s %8s %8s %7s %10s %10s %10s %10s %9s\n' target reads/s p50_ms p99_ms errors \
    "M:prep/q" "M:exec/q" "M:close/q" "M:quest/q" "cpu_us/q"
  local t r errors
  for t in "${TARGETS[@]}"; do
    errors=0
    for ((r = 1; r <= ROUNDS; r++)); do ok "$t" "$r" && errors=$((errors + ${R[$t,$r,errors]})); done
    printf '%-8s %9s %8s %8s %7s %10s %10s %10s %10s %9s\n' "$t" \
      "$(fmt %.0f "$(median_of "$t" key qps)")" \
      "$(fmt %.2f "$(awk -v u="$(median_of "$t" key p50)" 'BEGIN { print u / 1000 }')")" \
      "$(fmt %.2f "$(awk -v u="$(median_of "$t" key p99)" 'BEGIN { print u / 1000 }')")" \
      "$errors" \
      "$(fmt %.3f "$(median_of "$t" derived per_query_Com_stmt_prepare)")" \
      "$(fmt %.3f "$(median_of "$t" derived per_query_Com_stmt_execute)")" \
      "$(fmt %.3f "$(median_of "$t" derived per_query_Com_stmt_close)")" \
      "$(fmt %.3f "$(median_of "$t" derived per_query_Questions)")" \
      "$(fmt %.2f "$(median_of "$t" derived cpu_us)")"
  done
}

print_ratios() {
  local pair a b r v line
  local -a values
  for pair in rwproxy/haproxy rwproxy/direct haproxy/direct; do
    a=${pair%/*} b=${pair#*/}
    if ! has_target "$a" || ! has_target "$b"; then continue; fi
    values=() line=""
    for ((r = 1; r <= ROUNDS; r++)); do
      v=$(ratio "$a" "$b" "$r")
      line+=" ${v:--}"
      [[ -n $v ]] && values+=("$v")
    done
    printf '  %-16s per round:%s   median %s\n' "$pair qps" "$line" "$(fmt %.3f "$(median "${values[@]}")")"
  done
}

print_rwproxy_metrics() {
  local names="master" i
  for ((i = 1; i <= REPLICA_COUNT; i++)); do names+=/replica$i; done
  printf '%-5s %12s %14s %28s %16s\n' round "PS:cache" "PS:backend" "statements $names" "eligible at end"
  local r
  for ((r = 1; r <= ROUNDS; r++)); do
    ok rwproxy "$r" || continue
    printf '%-5s %12s %14s %28s %16s\n' "$r" "${R[rwproxy,$r,ps_cache]:--}" "${R[rwproxy,$r,ps_backend]:--}" \
      "${R[rwproxy,$r,backend_stmts]:--}" "${R[rwproxy,$r,eligible]:--}/$REPLICA_COUNT"
  done
}

report() {
  local revision binary_time="-" bg
  revision=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -f $RWPROXY_SRC_BIN ]] && binary_time=$(date -r "$RWPROXY_SRC_BIN" '+%Y-%m-%d %H:%M:%S')
  read -r -a bg <<<"$BACKGROUND"
  printf 'prepared statements, Go database/sql default (prepare/execute/close per query), %s\n' "$(date '+%Y-%m-%d %H:%M:%S')"
  printf 'repo %s (HEAD %s), rwproxy %s built %s\n' "$REPO_ROOT" "$revision" "$RWPROXY_SRC_BIN" "$binary_time"
  printf 'query: SELECT v FROM bench_ps WHERE id = ? (%s rows); %s threads, %s round(s) x %s s per target, warm-up %s s, %s cores\n' \
    "$ROWS" "$THREADS" "$ROUNDS" "$DURATION_S" "$WARMUP_S" "$(nproc)"
  printf 'master %s, replicas %s; haproxy %s; rwproxy %s (replicas eligible at start: %s/%s)\n' "$MASTER_PORT" \
    "$REPLICA_PORTS" "${HAPROXY_PORT:--}" "${PROXY_PORT:--}" "$ELIGIBLE_AT_START" "$REPLICA_COUNT"
  printf 'master background, no load (per s): prepare %s, execute %s, close %s, questions %s\n' \
    "${bg[0]:--}" "${bg[1]:--}" "${bg[2]:--}" "${bg[3]:--}"
  printf 'M: = delta on the MASTER (SHOW GLOBAL STATUS Com_stmt_*, Questions); st/q = (prepare+execute+close) per query;\n'
  printf 'cpu_us/q = proxy process utime+stime per query (haproxy, rwproxy)\n\n'
  print_runs
  printf '\nmedians over rounds (M: per client query)\n'
  print_medians
  printf '\nratios of reads/s in the same round\n'
  print_ratios
  if has_target rwproxy; then
    printf '\nrwproxy metrics deltas per run (rwproxy_prepared_statements_total{source}, rwproxy_backend_statements_total{backend})\n'
    print_rwproxy_metrics
  fi
  printf '\n'
  print_run_notes rwproxy
}

# ---------------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  check_tools
  begin_run /tmp/rwproxy-ps-bench.XXXXXX
  has_target rwproxy && copy_rwproxy
  ensure_go_packages
  build_client
  ensure_topology
  prepare_table
  has_target haproxy && start_haproxy
  has_target rwproxy && start_rwproxy
  sample_background
  log "master background: prepare/execute/close/questions per s = $BACKGROUND"

  run_rounds

  printf '\n'
  save_report prepared
  [[ $RUNS_FAILED == false ]] || die "some runs failed"
  [[ $RUNS_ERRORS == false ]] || die "some runs had query errors"
}

main "$@"
