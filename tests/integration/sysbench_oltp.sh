#!/usr/bin/env bash
# Integration test: sysbench oltp_read_write through rwproxy must run error-free.
#
#   tests/integration/sysbench_oltp.sh <path/to/rwproxy>
#
# Needs the topology up (scripts/topology.sh up); reads $RWPROXY_STATE_DIR/topology/topology.env
# and rwproxy.toml. Starts its own rwproxy on a free port, prepares the sysbench tables through
# it, runs oltp_read_write for $SYSBENCH_TIME seconds (default 10) with --mysql-ignore-errors=none
# and checks: sysbench exits 0, transactions > 0, 0 ignored errors, 0 reconnects, rwproxy still
# running. Exit 0 = pass. The tables are dropped and rwproxy stopped on exit.
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

WORK_DIR=""
PROXY_PID=""
PROXY_PORT=""
TABLES_CREATED=false

note() { printf 'sysbench_oltp: %s\n' "$*" >&2; }

fail() {
  note "FAIL: $*"
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

free_port() {
  local port=$((30000 + RANDOM % 10000))
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

show_proxy_log() {
  [[ -s $WORK_DIR/rwproxy.log ]] || return 0
  note "last lines of the rwproxy log:"
  tail -n 30 "$WORK_DIR/rwproxy.log" >&2
}

# sysbench against PORT; uniform keys keep row-lock deadlocks (which would be errors) unlikely.
sysbench_on() {  # sysbench_on TIME_LIMIT_S PORT TEST COMMAND [extra args...]
  local limit_s=$1 port=$2 test=$3 command=$4
  shift 4
  timeout --kill-after=10 "$limit_s" sysbench "$test" --db-driver=mysql \
    --mysql-host="$HOST" --mysql-port="$port" --mysql-user="$APP_USER" \
    --mysql-password="$APP_PASSWORD" --mysql-db="$SYSBENCH_DB" --tables="$TABLES" \
    --table-size="$TABLE_SIZE" --db-ps-mode="$PS_MODE" --rand-type=uniform "$@" "$command"
}

stop_proxy() {
  [[ -n $PROXY_PID ]] || return 0
  local tries=$((PROXY_STOP_TIMEOUT_S * 10))
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  while kill -0 "$PROXY_PID" 2>/dev/null && ((--tries > 0)); do sleep 0.1; done
  if kill -0 "$PROXY_PID" 2>/dev/null; then
    note "rwproxy ignored SIGTERM for ${PROXY_STOP_TIMEOUT_S}s; killing it"
    kill -KILL "$PROXY_PID" 2>/dev/null || true
  fi
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=""
}

cleanup() {
  local status=$?
  # Drop the tables through the master itself: works even if the proxy misbehaved.
  if [[ $TABLES_CREATED == true ]]; then
    sysbench_on 120 "$MASTER_PORT" oltp_read_write cleanup >/dev/null 2>&1 ||
      note "warning: dropping the sysbench tables failed"
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
  port_in_use "$MASTER_PORT" || fail "the master (port $MASTER_PORT) is not running"
}

start_proxy() {  # start_proxy BINARY
  PROXY_PORT=$(free_port)
  # Only the [proxy] table's listen_port; [metrics] has one too: any free port (0) for it.
  sed -e "/^\[proxy\]/,/^\[/ s/^listen_port *=.*/listen_port = $PROXY_PORT/" \
    -e "/^\[metrics\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" "$TOPO_DIR/rwproxy.toml" \
    >"$WORK_DIR/rwproxy.toml"
  grep -q "^listen_port = $PROXY_PORT\$" "$WORK_DIR/rwproxy.toml" ||
    fail "could not set listen_port in the config copy"

  "$1" --config "$WORK_DIR/rwproxy.toml" </dev/null >"$WORK_DIR/rwproxy.log" 2>&1 &
  PROXY_PID=$!
  local tries=$((PROXY_START_TIMEOUT_S * 10))
  until port_in_use "$PROXY_PORT"; do
    if ! kill -0 "$PROXY_PID" 2>/dev/null; then
      show_proxy_log
      wait "$PROXY_PID" 2>/dev/null || true
      PROXY_PID=""
      fail "rwproxy exited during startup"
    fi
    ((--tries > 0)) || { show_proxy_log; fail "rwproxy did not listen on $PROXY_PORT in ${PROXY_START_TIMEOUT_S}s"; }
    sleep 0.1
  done
  note "rwproxy pid $PROXY_PID listening on $PROXY_PORT"
}

prepare_tables() {
  # Leftovers of an interrupted run would make `prepare` fail.
  sysbench_on 120 "$MASTER_PORT" oltp_read_write cleanup >/dev/null 2>&1 || true
  TABLES_CREATED=true
  if ! sysbench_on 300 "$PROXY_PORT" oltp_read_write prepare >"$WORK_DIR/prepare.log" 2>&1; then
    cat "$WORK_DIR/prepare.log" >&2
    show_proxy_log
    fail "sysbench prepare through rwproxy failed"
  fi
}

# Prints the number in a sysbench summary line such as "    transactions:   1234 (123.4 per sec.)".
summary_count() {  # summary_count LABEL FILE
  awk -v label="$1" '{ line = $0; sub(/^ +/, "", line) }
    index(line, label ":") == 1 { sub(label ":", "", line); split(line, f, " "); print f[1]; exit }' "$2"
}

run_benchmark() {
  local out=$WORK_DIR/run.log status=0
  note "oltp_read_write: $THREADS threads, ${RUN_TIME_S}s, ps-mode=$PS_MODE"
  sysbench_on $((RUN_TIME_S + 60)) "$PROXY_PORT" oltp_read_write run --time="$RUN_TIME_S" \
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
}

main() {
  (($# == 1)) || { note "usage: $0 <path/to/rwproxy>"; exit 2; }
  local proxy_bin=$1
  [[ -x $proxy_bin ]] || fail "rwproxy binary '$proxy_bin' is not executable"
  command -v sysbench >/dev/null || fail "sysbench is not installed"

  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rwproxy-sysbench-oltp.XXXXXX")
  load_topology
  start_proxy "$proxy_bin"
  prepare_tables
  run_benchmark
  note "PASS"
}

main "$@"
