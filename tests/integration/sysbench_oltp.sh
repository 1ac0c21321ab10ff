#!/usr/bin/env bash
# Integration test: sysbench through rwproxy with both replicas must run error-free.
#
#   tests/integration/sysbench_oltp.sh <path/to/rwproxy> read_write|read_only
#
# Needs the topology up (scripts/topology.sh up); reads $RWPROXY_STATE_DIR/topology/topology.env
# and rwproxy.toml (master, replicas, monitor). Starts its own rwproxy on a free port with metrics
# on any free port, waits until the monitor finds the replicas eligible, then:
#   read_write: prepares the sysbench tables through the proxy and runs oltp_read_write;
#   read_only:  prepares them on the master, waits for the replicas, runs oltp_read_only with
#               --skip-trx=on (every query autocommit) and checks that the sum of
#               rwproxy_routed_statements_total{target="replica"} (GET /metrics) grew.
# Both run $SYSBENCH_TIME seconds (default 10) with --mysql-ignore-errors=none and check: sysbench
# exits 0, transactions > 0, 0 ignored errors, 0 reconnects, rwproxy still running. Exit 0 = pass.
# The tables are dropped and rwproxy stopped on exit.
# Env: SYSBENCH_TIME, SYSBENCH_THREADS (4), SYSBENCH_PS_MODE (auto | disable).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT
readonly STATE_DIR=${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}
readonly TOPO_DIR=$STATE_DIR/topology
readonly HOST=127.0.0.1
readonly RUN_TIME_S=${SYSBENCH_TIME:-10}
readonly THREADS=${SYSBENCH_THREADS:-4}
readonly PS_MODE=${SYSBENCH_PS_MODE:-auto}
readonly TABLES=4 TABLE_SIZE=10000
readonly PROXY_START_TIMEOUT_S=15
readonly PROXY_STOP_TIMEOUT_S=15
readonly ELIGIBLE_TIMEOUT_S=30

MODE=""
WORK_DIR=""
PROXY_PID=""
PROXY_PORT=""
METRICS_PORT=""
TABLES_CREATED=false

note() { printf 'sysbench_%s: %s\n' "$MODE" "$*" >&2; }

fail() {
  note "FAIL: $*"
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# shellcheck source=tests/integration/proxy_script.sh
source "$REPO_ROOT/tests/integration/proxy_script.sh"

sysbench_on() {  # sysbench_on TIME_LIMIT_S PORT COMMAND [extra args...]
  local limit_s=$1 port=$2 command=$3
  shift 3
  timeout --kill-after=10 "$limit_s" sysbench "oltp_$MODE" --db-driver=mysql \
    --mysql-host="$HOST" --mysql-port="$port" --mysql-user="$APP_USER" \
    --mysql-password="$APP_PASSWORD" --mysql-db="$SYSBENCH_DB" --tables="$TABLES" \
    --table-size="$TABLE_SIZE" --db-ps-mode="$PS_MODE" --rand-type=uniform "$@" "$command"
}

cleanup() {
  local status=$?
  if [[ $TABLES_CREATED == true ]]; then
    sysbench_on 120 "$MASTER_PORT" cleanup >/dev/null 2>&1 || note "warning: dropping the sysbench tables failed"
  fi
  stop_proxy
  [[ -n $WORK_DIR ]] && rm -rf "$WORK_DIR"
  exit "$status"
}

load_topology() {
  local env_file=$TOPO_DIR/topology.env
  [[ -f $env_file ]] || fail "no topology: $env_file is missing (run scripts/topology.sh up)"
  # shellcheck source=/dev/null
  source "$env_file"
  [[ -f $TOPO_DIR/rwproxy.toml ]] || fail "missing $TOPO_DIR/rwproxy.toml"
  [[ -n ${REPLICA_PORTS// /} ]] || fail "the topology has no replicas"
  port_in_use "$MASTER_PORT" || fail "the master (port $MASTER_PORT) is not running"
}

# Sum of the samples of metric NAME whose label text contains every FILTER (e.g. target="replica").
metric_sum() {  # metric_sum NAME [FILTER...]
  local name=$1
  shift
  scrape_metrics | awk -v name="$name" -v filters="$*" '
    BEGIN { n = split(filters, f, " ") }
    index($0, name "{") == 1 || index($0, name " ") == 1 {
      for (i = 1; i <= n; i++) if (index($0, f[i]) == 0) next
      sum += $NF
    }
    END { printf "%d\n", sum }'
}

start_proxy() {  # start_proxy BINARY
  # Port 0 for the proxy and its metrics: the kernel picks free ports, rwproxy writes them to
  # --ports-file (a port chosen beforehand can be taken by any client socket before the bind).
  sed -e "/^\[proxy\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" \
    -e "/^\[metrics\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" "$TOPO_DIR/rwproxy.toml" \
    >"$WORK_DIR/rwproxy.toml"
  [[ $(grep -c "^listen_port = 0\$" "$WORK_DIR/rwproxy.toml") == 2 ]] ||
    fail "could not set both listen_port keys to 0 in the config copy"

  launch_proxy "$1" "$WORK_DIR/rwproxy.toml"
  [[ -n $METRICS_PORT ]] || { show_proxy_log; fail "test setup: rwproxy could not serve metrics"; }
  note "rwproxy pid $PROXY_PID listening on $PROXY_PORT, metrics on $METRICS_PORT"
}

wait_replicas_eligible() {
  local count=0 tries=$((ELIGIBLE_TIMEOUT_S * 10))
  local -a ports
  read -r -a ports <<<"$REPLICA_PORTS"
  until [[ $count == "${#ports[@]}" ]]; do
    ((--tries > 0)) || { show_proxy_log; fail "the replicas did not become eligible in ${ELIGIBLE_TIMEOUT_S}s"; }
    sleep 0.1
    count=$(metric_sum rwproxy_replica_eligible) || count=0
  done
}

prepare_tables() {
  # Leftovers of an interrupted run would make `prepare` fail.
  sysbench_on 120 "$MASTER_PORT" cleanup >/dev/null 2>&1 || true
  TABLES_CREATED=true
  # read_write loads the tables through the proxy (bulk inserts through it); read_only on the master.
  local port=$MASTER_PORT
  [[ $MODE == read_write ]] && port=$PROXY_PORT
  if ! sysbench_on 300 "$port" prepare >"$WORK_DIR/prepare.log" 2>&1; then
    cat "$WORK_DIR/prepare.log" >&2
    show_proxy_log
    fail "sysbench prepare (port $port) failed"
  fi
  "$REPO_ROOT/scripts/topology.sh" wait-replication --timeout 120 || fail "the replicas did not catch up"
}

summary_count() {  # summary_count LABEL FILE
  awk -v label="$1" '{ line = $0; sub(/^ +/, "", line) }
    index(line, label ":") == 1 { sub(label ":", "", line); split(line, f, " "); print f[1]; exit }' "$2"
}

run_benchmark() {
  local out=$WORK_DIR/run.log status=0 replica_before replica_after
  replica_before=$(metric_sum rwproxy_routed_statements_total 'target="replica"') || fail "cannot scrape the metrics"
  local -a mode_args=()
  [[ $MODE == read_only ]] && mode_args=(--skip-trx=on)
  note "oltp_$MODE ${mode_args[*]}: $THREADS threads, ${RUN_TIME_S}s, ps-mode=$PS_MODE"
  sysbench_on $((RUN_TIME_S + 60)) "$PROXY_PORT" run --time="$RUN_TIME_S" "${mode_args[@]}" \
    --threads="$THREADS" --mysql-ignore-errors=none >"$out" 2>&1 || status=$?
  if ((status != 0)); then
    tail -n 30 "$out" >&2
    show_proxy_log
    fail "sysbench run exited with status $status"
  fi

  local transactions errors reconnects
  transactions=$(summary_count transactions "$out")
  errors=$(summary_count "ignored errors" "$out")
  reconnects=$(summary_count reconnects "$out")
  grep -E '^ +(transactions|queries|ignored errors|reconnects):' "$out" >&2 || true
  [[ $transactions =~ ^[0-9]+$ && $errors =~ ^[0-9]+$ && $reconnects =~ ^[0-9]+$ ]] ||
    { cat "$out" >&2; fail "could not parse the sysbench summary"; }
  ((transactions > 0)) || fail "no transactions completed"
  ((errors == 0)) || fail "$errors errors"
  ((reconnects == 0)) || fail "$reconnects reconnects"
  kill -0 "$PROXY_PID" 2>/dev/null || { show_proxy_log; fail "rwproxy died during the run"; }

  replica_after=$(metric_sum rwproxy_routed_statements_total 'target="replica"') || fail "cannot scrape the metrics"
  note "statements routed to replicas during the run: $((replica_after - replica_before))"
  if [[ $MODE == read_only ]]; then
    ((replica_after - replica_before > 0)) || fail "no statement was routed to a replica"
  fi
}

main() {
  MODE=${2:-}
  [[ $# == 2 && ($MODE == read_write || $MODE == read_only) ]] ||
    { MODE=usage; note "usage: $0 <path/to/rwproxy> read_write|read_only"; exit 2; }
  local proxy_bin=$1
  [[ -x $proxy_bin ]] || fail "rwproxy binary '$proxy_bin' is not executable"
  command -v sysbench >/dev/null || fail "sysbench is not installed"

  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rwproxy-sysbench-$MODE.XXXXXX")
  load_topology
  start_proxy "$proxy_bin"
  prepare_tables
  wait_replicas_eligible
  run_benchmark
  note "PASS"
}

main "$@"
