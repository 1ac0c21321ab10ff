# Sourced by the integration test scripts (sysbench_oltp.sh, soak_faults.sh): starting the rwproxy
# under test, reading the ports it bound, scraping its metrics and stopping it. The caller defines
# note and fail, and sets HOST, WORK_DIR, PROXY_START_TIMEOUT_S and PROXY_STOP_TIMEOUT_S.
# shellcheck shell=bash

show_proxy_log() {
  [[ -s $WORK_DIR/rwproxy.log ]] || return 0
  note "last lines of the rwproxy log:"
  tail -n 30 "$WORK_DIR/rwproxy.log" >&2
}

# launch_proxy BINARY CONFIG: starts rwproxy with CONFIG, logging to $WORK_DIR/rwproxy.log, and
# waits for its --ports-file. Sets PROXY_PID, PROXY_PORT, METRICS_PORT and ADMIN_PORT (empty when
# not served).
# shellcheck disable=SC2034  # the callers read the ports
launch_proxy() {
  local ports_file=$WORK_DIR/rwproxy.ports
  rm -f "$ports_file"
  "$1" --config "$2" --ports-file "$ports_file" </dev/null >"$WORK_DIR/rwproxy.log" 2>&1 &
  PROXY_PID=$!
  local tries=$((PROXY_START_TIMEOUT_S * 10))
  until [[ -s $ports_file ]]; do
    if ! kill -0 "$PROXY_PID" 2>/dev/null; then
      show_proxy_log
      wait "$PROXY_PID" 2>/dev/null || true
      PROXY_PID=""
      fail "rwproxy exited during startup"
    fi
    ((--tries > 0)) || { show_proxy_log; fail "rwproxy did not write $ports_file in ${PROXY_START_TIMEOUT_S}s"; }
    sleep 0.1
  done
  PROXY_PORT=$(sed -n 's/^listen_port=//p' "$ports_file")
  METRICS_PORT=$(sed -n 's/^metrics_port=//p' "$ports_file")
  ADMIN_PORT=$(sed -n 's/^admin_port=//p' "$ports_file")
  [[ -n $PROXY_PORT ]] || fail "no listen_port in $ports_file"
}

# stop_proxy: SIGTERM, then SIGKILL after PROXY_STOP_TIMEOUT_S; nothing when none runs.
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

# scrape_metrics: GET /metrics from $HOST:$METRICS_PORT over a plain socket; prints the body.
scrape_metrics() {
  local response
  # shellcheck disable=SC2016  # $0 and $1 are the inner bash's arguments
  response=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3' \
    "$HOST" "$METRICS_PORT") || return 1
  [[ $response == "HTTP/1."?" 200"* ]] || return 1
  printf '%s\n' "${response#*$'\r\n\r\n'}" | tr -d '\r'
}
