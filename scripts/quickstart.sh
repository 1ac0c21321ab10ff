#!/usr/bin/env bash
# Quickstart: installs what is missing, builds rwproxy, starts a local MariaDB master + 2 replicas
# (scripts/topology.sh) and rwproxy in front of them on 127.0.0.1:${RWPROXY_PORT:-6033}.
#
#   scripts/quickstart.sh          start everything (idempotent: restarts the proxy)
#   scripts/quickstart.sh stop     stop the proxy and the topology
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
export RWPROXY_STATE_DIR=${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}
export RWPROXY_PORT=${RWPROXY_PORT:-6033}
PROXY_DIR=$RWPROXY_STATE_DIR/proxy
PID_FILE=$PROXY_DIR/rwproxy.pid

log() { printf 'quickstart: %s\n' "$*" >&2; }

stop_proxy() {
  [[ -f $PID_FILE ]] || return 0
  local pid
  pid=$(cat "$PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$PID_FILE"
}

wait_for_port() {  # PORT
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

if [[ ${1:-} == stop ]]; then
  stop_proxy
  scripts/topology.sh down
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then scripts/install-deps.sh; else sudo scripts/install-deps.sh; fi

log "building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "${RWPROXY_JOBS:-2}" --target rwproxy

log "starting MariaDB master + 2 replicas"
scripts/topology.sh up

stop_proxy
mkdir -p "$PROXY_DIR"
config=$RWPROXY_STATE_DIR/topology/rwproxy.toml
build/proxy/rwproxy --check-config "$config" >/dev/null
nohup build/proxy/rwproxy --config "$config" >"$PROXY_DIR/rwproxy.log" 2>&1 &
echo $! >"$PID_FILE"
wait_for_port "$RWPROXY_PORT" || { cat "$PROXY_DIR/rwproxy.log"; exit 1; }

# shellcheck disable=SC1091
source "$RWPROXY_STATE_DIR/topology/topology.env"
cat <<MSG

rwproxy is running on 127.0.0.1:$RWPROXY_PORT (log: $PROXY_DIR/rwproxy.log, config: $config)
  mariadb -h127.0.0.1 -P$RWPROXY_PORT -u$APP_USER -p$APP_PASSWORD $APP_DB
Stop everything with: scripts/quickstart.sh stop
MSG
