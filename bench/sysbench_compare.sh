#!/usr/bin/env bash
# sysbench oltp_point_select throughput: MariaDB master directly vs HAProxy (TCP mode, in front of
# the master) vs rwproxy (topology's rwproxy.toml, connection multiplexing on) vs rwproxy_nomux (the
# same with [pool] multiplexing = false, the previous mode). Optional targets: haproxy_replicas
# (HAProxy spreading connections over the replicas, leastconn: the servers rwproxy reads from, so
# both proxies are compared on the same backend work) and rwproxy_prev (a previous rwproxy build,
# RWPROXY_PREV_BIN, multiplexing on) and rwproxy_tls (the rwproxy target's proxy, with sysbench
# connecting over TLS: --mysql-ssl=on; the topology's config has [tls]). Runs are interleaved over several rounds and the order
# rotates each round; the report gives qps per run, median per-round ratios, and the CPU each
# proxy used per query (utime + stime from /proc/PID/stat over the run).
#
#   bench/sysbench_compare.sh [--time S] [--threads T] [--rounds R] [--warmup S]
#                             [--tables N] [--table-size N] [--ps-mode auto|disable]
#                             [--targets direct,haproxy,haproxy_replicas,rwproxy,rwproxy_nomux,rwproxy_prev,rwproxy_tls]
#                             [--keep-topology]
#
# Env: RWPROXY_BIN (default <repo>/build/proxy/rwproxy), RWPROXY_PREV_BIN (for rwproxy_prev),
# RWPROXY_BENCH_HAPROXY_PORT and RWPROXY_BENCH_PROXY_PORT (default: free ports from 16033 / 16133
# up; haproxy_replicas from 16063, rwproxy_nomux from 16233, rwproxy_prev from 16333; rwproxy gets
# a copy of the topology's rwproxy.toml with that listen_port), plus the topology's
# RWPROXY_STATE_DIR and RWPROXY_TOPOLOGY_BASE_PORT. Starts the topology if it is not up (and stops
# it again at exit unless --keep-topology); the proxies are always stopped at exit.
set -euo pipefail

readonly BENCH_NAME=sysbench_compare
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

readonly STATE_DIR=${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}
readonly STARTUP_TIMEOUT_S=15
readonly STOP_TIMEOUT_S=10

DURATION_S=10
THREADS=4
ROUNDS=3
WARMUP_S=2
TABLES=4
TABLE_SIZE=10000
PS_MODE=auto
TARGETS=(direct haproxy rwproxy rwproxy_nomux)
KEEP_TOPOLOGY=0

NOMUX_PID=""
NOMUX_PORT=""
PREV_PID=""
PREV_PORT=""
DATA_PREPARED=false

script_option() {  # the options only this script has (see parse_options)
  OPTION_SHIFT=2
  case $1 in
    --tables) TABLES=${2:?} ;;
    --table-size) TABLE_SIZE=${2:?} ;;
    --ps-mode) PS_MODE=${2:?} ;;
    *) OPTION_SHIFT=0 ;;
  esac
}

parse_args() {
  parse_options "$@"
  require_uints "$DURATION_S" "$THREADS" "$ROUNDS" "$WARMUP_S" "$TABLES" "$TABLE_SIZE"
  ((DURATION_S > 0 && THREADS > 0 && ROUNDS > 0)) || die "--time, --threads and --rounds must be > 0"
  [[ $PS_MODE == auto || $PS_MODE == disable ]] || die "--ps-mode is auto or disable"
  local t
  for t in "${TARGETS[@]}"; do
    case $t in
      direct | haproxy | haproxy_replicas | rwproxy | rwproxy_nomux | rwproxy_prev | rwproxy_tls) ;;
      *) die "unknown target '$t'" ;;
    esac
  done
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
  if [[ $DATA_PREPARED == true ]]; then
    sysbench_cmd 120 "$MASTER_PORT" cleanup >/dev/null 2>&1 || log "warning: sysbench cleanup failed"
  fi
  if [[ $STARTED_TOPOLOGY == true && $KEEP_TOPOLOGY != 1 ]]; then
    "$TOPOLOGY" down || true
  fi
  finish_cleanup "$status"
}

# Brings the topology up (it says so when it was down: STARTED_TOPOLOGY) and sources topology.env.
bring_up_topology() {
  if ! "$TOPOLOGY" status >/dev/null 2>&1; then
    log "starting the topology"
    STARTED_TOPOLOGY=true
  fi
  "$TOPOLOGY" up
  # shellcheck source=/dev/null
  source "$STATE_DIR/topology/topology.env"
}

# rwproxy runs with the topology's rwproxy.toml, copied with listen_port moved to a free port
# (the configured one may be taken by a developer's own rwproxy) and [pool] multiplexing set.
start_rwproxy() {  # start_rwproxy NAME MULTIPLEXING FIRST_PORT [BINARY] -> sets STARTED_PID, STARTED_PORT
  local name=$1 multiplexing=$2 config=$WORK_DIR/$1.toml binary=${4:-$RWPROXY_SRC_BIN}
  local port
  if [[ $name == rwproxy && -n ${RWPROXY_BENCH_PROXY_PORT:-} ]]; then port=$RWPROXY_BENCH_PROXY_PORT; else port=$(free_port_from "$3"); fi
  port_in_use "$port" && die "$name port $port is in use"
  sed "s/^listen_port *=.*/listen_port = $port/" "$STATE_DIR/topology/rwproxy.toml" >"$config"
  grep -q "^listen_port = $port\$" "$config" || die "no listen_port in the topology's rwproxy.toml"
  # The metrics port too: a second instance must not clash with the first.
  sed -i "/^\[metrics\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" "$config"
  printf '\n[pool]\nmultiplexing = %s\n' "$multiplexing" >>"$config"
  "$binary" --config "$config" </dev/null >"$WORK_DIR/$name.log" 2>&1 &
  STARTED_PID=$!
  wait_for_port "$port" "$STARTED_PID" "$name" "$WORK_DIR/$name.log"
  STARTED_PORT=$port
  log "$name pid $STARTED_PID on port $port (multiplexing $multiplexing)"
}

# ---------------------------------------------------------------------------------------------
# sysbench

sysbench_cmd() {  # sysbench_cmd TIME_LIMIT_S PORT COMMAND [extra args...]
  local limit_s=$1 port=$2 command=$3
  shift 3
  timeout --kill-after=10 "$limit_s" sysbench oltp_point_select --db-driver=mysql --mysql-host="$HOST" --mysql-port="$port" \
    --mysql-user="$APP_USER" --mysql-password="$APP_PASSWORD" --mysql-db="$SYSBENCH_DB" \
    --tables="$TABLES" --table-size="$TABLE_SIZE" --db-ps-mode="$PS_MODE" "$@" "$command"
}

prepare_data() {
  log "preparing $TABLES x $TABLE_SIZE rows in $SYSBENCH_DB on the master"
  sysbench_cmd 120 "$MASTER_PORT" cleanup >/dev/null
  DATA_PREPARED=true
  sysbench_cmd 600 "$MASTER_PORT" prepare >"$WORK_DIR/prepare.log" 2>&1 ||
    { cat "$WORK_DIR/prepare.log" >&2; die "sysbench prepare failed"; }
  "$TOPOLOGY" wait-replication
}

# Runs one benchmark and prints "QPS CPU_US_PER_QUERY" (CPU "-" for direct), or "fail" (log kept
# in the work dir and shown).
run_once() {  # run_once TARGET SECONDS LOG
  local target=$1 seconds=$2 log_file=$3 qps queries pid before after
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
  before=$(cpu_ticks "$pid")
  if (cd "$dir" && sysbench_cmd $((seconds + 60)) "$(target_port "$target")" run \
    --time="$seconds" --threads="$THREADS" --mysql-ignore-errors=none "${tls[@]}") >"$log_file" 2>&1; then
    qps=$(awk '/^ *queries:/ { gsub(/[(]/, "", $3); print $3; exit }' "$log_file")
    queries=$(awk '/^ *queries:/ { print $2; exit }' "$log_file")
  fi
  after=$(cpu_ticks "$pid")
  if [[ -z ${qps:-} ]]; then
    log "$target run failed; last lines of $log_file:"
    tail -n 5 "$log_file" >&2
    echo fail
    return
  fi
  if [[ -z $pid ]]; then
    echo "$qps -"
  else
    awk -v t=$((after - before)) -v hz="$CLK_TCK" -v q="$queries" \
      -v qps="$qps" 'BEGIN { printf "%s %.2f\n", qps, (q > 0 ? t * 1e6 / hz / q : 0) }'
  fi
}

# ---------------------------------------------------------------------------------------------
# Report

declare -A QPS=()
declare -A CPU=()

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

print_report() {
  local r t
  printf '\noltp_point_select qps: %s threads, %s s per run, %s round(s), %s x %s rows, ps-mode=%s\n' \
    "$THREADS" "$DURATION_S" "$ROUNDS" "$TABLES" "$TABLE_SIZE" "$PS_MODE"
  printf '%-8s' round
  for t in "${TARGETS[@]}"; do printf ' %16s' "$t"; done
  printf '\n'
  for ((r = 1; r <= ROUNDS; r++)); do
    printf '%-8s' "$r"
    for t in "${TARGETS[@]}"; do printf ' %16s' "${QPS[$t,$r]}"; done
    printf '\n'
  done
  printf '%-8s' median
  for t in "${TARGETS[@]}"; do
    local -a values=()
    for ((r = 1; r <= ROUNDS; r++)); do
      [[ ${QPS[$t,$r]} != fail ]] && values+=("${QPS[$t,$r]}")
    done
    printf ' %16s' "$(median "${values[@]}")"
  done
  printf '\n\nproxy CPU per query (us), median over rounds:\n'
  for t in "${TARGETS[@]}"; do
    [[ $t == direct ]] && continue
    local -a cpus=()
    for ((r = 1; r <= ROUNDS; r++)); do
      [[ ${CPU[$t,$r]:-"-"} != "-" ]] && cpus+=("${CPU[$t,$r]}")
    done
    printf '  %-16s %s\n' "$t" "$(median "${cpus[@]}")"
  done
  printf '\nmedian of per-round ratios:\n'
  local pair
  for pair in rwproxy/direct rwproxy/haproxy rwproxy/haproxy_replicas haproxy/direct rwproxy/rwproxy_nomux \
    rwproxy/rwproxy_prev rwproxy_tls/rwproxy rwproxy_tls/haproxy; do
    has_target "${pair%/*}" && has_target "${pair#*/}" &&
      printf '  %-26s %s\n' "$pair" "$(median_ratio "${pair%/*}" "${pair#*/}")"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  require_tools sysbench
  { has_target haproxy || has_target haproxy_replicas; } && { command -v haproxy >/dev/null || die "haproxy is not installed"; }
  { has_target rwproxy || has_target rwproxy_nomux || has_target rwproxy_tls; } && { [[ -x $RWPROXY_SRC_BIN ]] || die "rwproxy binary not found at $RWPROXY_SRC_BIN"; }

  begin_run "$STATE_DIR/bench.XXXXXX"
  bring_up_topology
  has_target haproxy && start_haproxy
  has_target haproxy_replicas && start_haproxy_replicas
  if has_target rwproxy || has_target rwproxy_tls; then
    start_rwproxy rwproxy true 16133
    RWPROXY_PID=$STARTED_PID PROXY_PORT=$STARTED_PORT
  fi
  if has_target rwproxy_nomux; then
    start_rwproxy rwproxy_nomux false 16233
    NOMUX_PID=$STARTED_PID NOMUX_PORT=$STARTED_PORT
  fi
  if has_target rwproxy_prev; then
    [[ -x ${RWPROXY_PREV_BIN:-} ]] || die "rwproxy_prev needs RWPROXY_PREV_BIN (an rwproxy binary)"
    start_rwproxy rwproxy_prev true 16333 "$RWPROXY_PREV_BIN"
    PREV_PID=$STARTED_PID PREV_PORT=$STARTED_PORT
  fi
  prepare_data

  local t r i n=${#TARGETS[@]} failed=false
  if ((WARMUP_S > 0)); then
    log "warm-up: ${WARMUP_S}s per target"
    for t in "${TARGETS[@]}"; do run_once "$t" "$WARMUP_S" "$WORK_DIR/warmup-$t.log" >/dev/null; done
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do
      t=${TARGETS[(i + r - 1) % n]}
      log "round $r/$ROUNDS: $t (${DURATION_S}s)"
      local result
      result=$(run_once "$t" "$DURATION_S" "$WORK_DIR/round$r-$t.log")
      QPS[$t,$r]=${result%% *}
      CPU[$t,$r]=${result#* }
      [[ ${QPS[$t,$r]} == fail ]] && { failed=true; CPU[$t,$r]="-"; }
    done
  done
  print_report
  [[ $failed == false ]] || die "some runs failed"
}

main "$@"
