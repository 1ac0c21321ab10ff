#!/usr/bin/env bash
# Metrics end to end: a real Prometheus scrapes rwproxy while traffic flows through it.
#
#   tests/metrics/prometheus_scrape_test.sh <path/to/rwproxy>
#
# Needs the topology up (scripts/topology.sh up); reads $RWPROXY_STATE_DIR/topology/topology.env
# and rwproxy.toml. Starts its own rwproxy (free proxy and metrics ports, monitor every 100 ms) and
# its own Prometheus (free port, temporary storage, scraping the proxy every 1 s), sends a few
# hundred reads and writes through the proxy with the mariadb client, then asks Prometheus' HTTP
# API for:
#   up{job="rwproxy"}                                     one series, 1
#   rwproxy_replication_lag_seconds                       one series per replica, >= 0
#   sum by (reason) (rwproxy_routed_statements_total)     read > 0 and write > 0
#   sum by (target) (rwproxy_statement_duration_seconds_count)  master > 0 and replica > 0
#   rwproxy_backend_up                                    one series per backend (right role), all 1
# Exit 0 = pass. Prometheus, rwproxy and the test table are removed on exit.
#
# RWPROXY_RENDER_DASHBOARD=1 (a manual step, not run by ctest): a longer run (~100 s) with lag
# injected on the last replica (MASTER_DELAY=2 for 22 s, always restored), then
# docs/render_dashboard.py draws the dashboard's main panels from Prometheus' query_range API
# into $RWPROXY_DASHBOARD_PNG (default docs/dashboard.png). Needs matplotlib (python3-matplotlib).
#
# Env: RWPROXY_STATE_DIR, RWPROXY_TEST_LOG_DIR (logs are copied there on failure),
#      RWPROXY_RENDER_DASHBOARD, RWPROXY_DASHBOARD_PNG, PROMETHEUS (binary, default prometheus).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT
readonly STATE_DIR=${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}
readonly TOPO_DIR=$STATE_DIR/topology
readonly HOST=127.0.0.1
readonly PROMETHEUS_BIN=${PROMETHEUS:-prometheus}
readonly RENDER=${RWPROXY_RENDER_DASHBOARD:-0}
readonly DASHBOARD_PNG=${RWPROXY_DASHBOARD_PNG:-$REPO_ROOT/docs/dashboard.png}
readonly MONITOR_INTERVAL_MS=100
readonly SCRAPE_INTERVAL_S=1
readonly START_TIMEOUT_S=30     # rwproxy listening, Prometheus ready (2 busy cores: be generous)
readonly STOP_TIMEOUT_S=15
readonly MONITOR_TIMEOUT_S=20   # until the monitor has measured every replica's lag
readonly SCRAPE_TIMEOUT_S=30    # until Prometheus has scraped the state after the traffic
SQL_TIMEOUT_S=60                # one mariadb client session (a few run longer)
# Render mode timeline, seconds from the start of the traffic.
readonly RENDER_LAG_FROM_S=18 RENDER_LAG_UNTIL_S=40 RENDER_TRAFFIC_S=60
readonly RENDER_LAG_DELAY_S=2

WORK_DIR=""
PROXY_PID=""
PROM_PID=""
PROXY_PORT=""
METRICS_PORT=""
PROM_PORT=""
PROM_URL=""
T_START=""
TRAFFIC_FROM=""
TRAFFIC_UNTIL=""
TABLE="metrics_scrape_$$"
TABLE_CREATED=false
LAG_REPLICA_NAME=""
LAG_REPLICA_PORT=""
LAG_INJECTED=false
LAG_FROM_TS=""
LAG_UNTIL_TS=""
FAILED=false
declare -a TRAFFIC_PIDS=() BACKEND_NAMES=() BACKEND_ROLES=() BACKEND_PORTS=()
declare -a REPLICA_NAMES=()

note() { printf 'prometheus_scrape: %s\n' "$*" >&2; }

fail() {
  FAILED=true
  note "FAIL: $*"
  exit 1
}

now_s() { printf '%s' "$EPOCHREALTIME"; }

sleep_until() {  # sleep_until UNIX_S (no-op if it has passed)
  local left=$(($1 - $(date +%s)))
  ((left <= 0)) || sleep "$left"
}

# ---------------------------------------------------------------------------------------------
# Ports, processes, logs

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

ports_file_value() {  # ports_file_value FILE KEY: a value of rwproxy's --ports-file ("" if absent)
  sed -n "s/^$2=//p" "$1"
}

stop_process() {  # stop_process PID NAME: SIGTERM, bounded wait, SIGKILL
  local pid=$1 name=$2 tries=$((STOP_TIMEOUT_S * 10))
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((--tries > 0)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    note "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT_S}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

show_log() {  # show_log FILE TITLE
  [[ -s $1 ]] || return 0
  note "last lines of the $2 log:"
  tail -n 30 "$1" >&2
}

keep_logs() {
  [[ -n ${RWPROXY_TEST_LOG_DIR:-} && -n $WORK_DIR && -d $WORK_DIR ]] || return 0
  local dest=$RWPROXY_TEST_LOG_DIR/prometheus_scrape
  mkdir -p "$dest"
  cp -f "$WORK_DIR"/*.log "$WORK_DIR"/*.toml "$WORK_DIR"/*.yml "$dest"/ 2>/dev/null || true
  note "logs kept in $dest"
}

# ---------------------------------------------------------------------------------------------
# SQL

sql() {  # sql PORT USER PASSWORD [mariadb args...]  (statements on stdin or with -e)
  local port=$1 user=$2 password=$3
  shift 3
  timeout --kill-after=5 "$SQL_TIMEOUT_S" mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$port" \
    -u"$user" -p"$password" --batch --skip-column-names --connect-timeout=5 "$@"
}

via_proxy() { sql "$PROXY_PORT" "$APP_USER" "$APP_PASSWORD" "$APP_DB" "$@"; }

set_replica_delay() {  # set_replica_delay SECONDS: on LAG_REPLICA_PORT, as the admin user
  sql "$LAG_REPLICA_PORT" "$ADMIN_USER" "$ADMIN_PASSWORD" \
    -e "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=$1; START SLAVE"
}

restore_replica_delay() {
  [[ $LAG_INJECTED == true ]] || return 0
  if set_replica_delay 0; then
    LAG_INJECTED=false
    note "$LAG_REPLICA_NAME: MASTER_DELAY=0 restored"
  else
    note "warning: could not restore MASTER_DELAY=0 on $LAG_REPLICA_NAME (port $LAG_REPLICA_PORT):" \
      "run STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE there"
  fi
}

cleanup() {
  local status=$?
  local pid
  for pid in "${TRAFFIC_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${TRAFFIC_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  restore_replica_delay
  # Drop the table through the master itself: works even if the proxy misbehaved.
  if [[ $TABLE_CREATED == true ]]; then
    sql "$MASTER_PORT" "$APP_USER" "$APP_PASSWORD" "$APP_DB" -e "DROP TABLE IF EXISTS $TABLE" ||
      note "warning: dropping $APP_DB.$TABLE failed"
  fi
  stop_process "$PROM_PID" prometheus
  stop_process "$PROXY_PID" rwproxy
  if ((status != 0)) || [[ $FAILED == true ]]; then keep_logs; fi
  [[ -n $WORK_DIR ]] && rm -rf "$WORK_DIR"
  exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Topology and configuration

load_topology() {
  local env_file=$TOPO_DIR/topology.env
  [[ -f $env_file ]] || fail "no topology: $env_file is missing (run scripts/topology.sh up)"
  # shellcheck source=/dev/null
  source "$env_file"
  [[ -f $TOPO_DIR/rwproxy.toml ]] || fail "missing $TOPO_DIR/rwproxy.toml"
  port_in_use "$MASTER_PORT" || fail "the master (port $MASTER_PORT) is not running"
}

# The topology's config with: [proxy] listen_port = PROXY_PORT; [monitor] on, every 100 ms, with
# the topology's monitor account; [metrics] on, on HOST:METRICS_PORT. Each of these keys is dropped
# from its own section and written right after the section's header (a missing section is appended),
# so a listen_port elsewhere is never touched.
write_proxy_config() {  # write_proxy_config OUT
  awk -v proxy_port="$PROXY_PORT" -v metrics_port="$METRICS_PORT" -v host="$HOST" \
    -v interval="$MONITOR_INTERVAL_MS" -v mon_user="$MONITOR_USER" -v mon_password="$MONITOR_PASSWORD" '
    BEGIN {
      set["[proxy]"] = "listen_port = " proxy_port
      keys["[proxy]"] = "listen_port"
      set["[monitor]"] = "enabled = true\ninterval_ms = " interval "\nuser = \"" mon_user "\"\npassword = \"" mon_password "\""
      keys["[monitor]"] = "enabled interval_ms user password"
      set["[metrics]"] = "enabled = true\nlisten_address = \"" host "\"\nlisten_port = " metrics_port
      keys["[metrics]"] = "enabled listen_address listen_port"
      order[1] = "[proxy]"; order[2] = "[monitor]"; order[3] = "[metrics]"
    }
    /^[ \t]*\[/ {
      section = $0
      sub(/[ \t]*#.*$/, "", section)
      gsub(/[ \t]/, "", section)
      print
      if (section in set) { print set[section]; seen[section] = 1 }
      next
    }
    section in keys {
      n = split(keys[section], k, " ")
      for (i = 1; i <= n; i++) if ($0 ~ "^[ \t]*" k[i] "[ \t]*=") next
    }
    { print }
    END {
      for (i = 1; i <= 3; i++) if (!(order[i] in seen)) printf "\n%s\n%s\n", order[i], set[order[i]]
    }' "$TOPO_DIR/rwproxy.toml" >"$1"
}

# Reads the backends (name, role, port) of the config into BACKEND_* and REPLICA_NAMES.
read_backends() {  # read_backends CONFIG
  local name role port
  while read -r name role port; do
    BACKEND_NAMES+=("$name")
    BACKEND_ROLES+=("$role")
    BACKEND_PORTS+=("$port")
    [[ $role == replica ]] && REPLICA_NAMES+=("$name")
  done < <(python3 - "$1" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    config = tomllib.load(f)
for i, b in enumerate(config.get("backends", [])):
    role = b.get("role", "replica")
    print(b.get("name", f"{role}{i}"), role, b.get("port", 3306))
EOF
  )
  ((${#BACKEND_NAMES[@]} > 0)) || fail "no [[backends]] in $1"
  ((${#REPLICA_NAMES[@]} > 0)) || fail "no replica among the backends of $1"
}

# ---------------------------------------------------------------------------------------------
# rwproxy

metrics_text() { curl -sS --max-time 5 "http://$HOST:$METRICS_PORT/metrics"; }

start_proxy() {  # start_proxy BINARY
  local config=$WORK_DIR/rwproxy.toml ports_file=$WORK_DIR/rwproxy.ports
  # Port 0 for both listeners: the kernel picks free ports, rwproxy writes them to --ports-file.
  PROXY_PORT=0
  METRICS_PORT=0
  write_proxy_config "$config"
  "$1" --check-config "$config" >&2 || fail "the generated config $config is not valid"
  read_backends "$config"

  rm -f "$ports_file"
  "$1" --config "$config" --ports-file "$ports_file" </dev/null >"$WORK_DIR/rwproxy.log" 2>&1 &
  PROXY_PID=$!
  local deadline
  deadline=$(($(date +%s) + START_TIMEOUT_S))
  until [[ -s $ports_file ]]; do
    if ! kill -0 "$PROXY_PID" 2>/dev/null; then
      show_log "$WORK_DIR/rwproxy.log" rwproxy
      wait "$PROXY_PID" 2>/dev/null || true
      PROXY_PID=""
      fail "rwproxy exited during startup"
    fi
    (($(date +%s) < deadline)) || {
      show_log "$WORK_DIR/rwproxy.log" rwproxy
      fail "rwproxy did not write $ports_file in ${START_TIMEOUT_S}s"
    }
    sleep 0.1
  done
  PROXY_PORT=$(ports_file_value "$ports_file" listen_port)
  METRICS_PORT=$(ports_file_value "$ports_file" metrics_port)
  if [[ -z $METRICS_PORT ]]; then  # a setup error, not something to wait out
    show_log "$WORK_DIR/rwproxy.log" rwproxy
    fail "test setup: rwproxy could not serve metrics ($(grep -m1 'cannot serve metrics' "$WORK_DIR/rwproxy.log" || echo 'no reason logged'))"
  fi
  metrics_text >/dev/null || fail "rwproxy reported metrics on port $METRICS_PORT but does not answer there"
  note "rwproxy pid $PROXY_PID: MySQL on $HOST:$PROXY_PORT, metrics on http://$HOST:$METRICS_PORT/metrics"
}

# Reads before the monitor's first lag measurement would not be plain `read`s: wait for it.
wait_for_monitor() {
  local deadline count
  deadline=$(($(date +%s) + MONITOR_TIMEOUT_S))
  while :; do
    count=$(metrics_text 2>/dev/null | grep -c '^rwproxy_replication_lag_seconds{' || true)
    ((count >= ${#REPLICA_NAMES[@]})) && break
    (($(date +%s) < deadline)) || {
      metrics_text 2>/dev/null | grep -E '^rwproxy_(replication|backend_up|replica_eligible)' >&2 || true
      show_log "$WORK_DIR/rwproxy.log" rwproxy
      fail "the monitor reported lag for $count of ${#REPLICA_NAMES[@]} replicas after ${MONITOR_TIMEOUT_S}s"
    }
    sleep 0.2
  done
  note "monitor: lag measured on all ${#REPLICA_NAMES[@]} replicas"
}

# ---------------------------------------------------------------------------------------------
# Prometheus

start_prometheus() {
  PROM_PORT=""
  mkdir -p "$WORK_DIR/prometheus-data"
  cat >"$WORK_DIR/prometheus.yml" <<EOF
# Generated by tests/metrics/prometheus_scrape_test.sh
global:
  scrape_interval: ${SCRAPE_INTERVAL_S}s
  scrape_timeout: ${SCRAPE_INTERVAL_S}s
  evaluation_interval: ${SCRAPE_INTERVAL_S}s
scrape_configs:
  - job_name: rwproxy
    metrics_path: /metrics
    static_configs:
      - targets: ["$HOST:$METRICS_PORT"]
EOF
  # Port 0: Prometheus logs the port it got ('msg="Listening on" address=HOST:PORT').
  "$PROMETHEUS_BIN" --config.file="$WORK_DIR/prometheus.yml" \
    --storage.tsdb.path="$WORK_DIR/prometheus-data" \
    --web.listen-address="$HOST:0" --log.level=info \
    </dev/null >"$WORK_DIR/prometheus.log" 2>&1 &
  PROM_PID=$!
  local deadline
  deadline=$(($(date +%s) + START_TIMEOUT_S))
  until [[ -n $PROM_PORT ]] && curl -sf --max-time 2 "$PROM_URL/-/ready" >/dev/null 2>&1; do
    if ! kill -0 "$PROM_PID" 2>/dev/null; then
      show_log "$WORK_DIR/prometheus.log" prometheus
      wait "$PROM_PID" 2>/dev/null || true
      PROM_PID=""
      fail "prometheus exited during startup"
    fi
    (($(date +%s) < deadline)) || {
      show_log "$WORK_DIR/prometheus.log" prometheus
      fail "prometheus was not ready (port '${PROM_PORT}') in ${START_TIMEOUT_S}s"
    }
    sleep 0.2
    PROM_PORT=$(sed -n 's/.*msg="Listening on" address=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$WORK_DIR/prometheus.log" | head -n 1)
    PROM_URL=http://$HOST:$PROM_PORT
  done
  note "prometheus pid $PROM_PID on $PROM_URL scraping $HOST:$METRICS_PORT every ${SCRAPE_INTERVAL_S}s"
}

# One line per series of an instant query: the values of the given labels, then the sample value,
# separated by spaces ("-" for a missing label). Fails on an HTTP or query error.
prom_query() {  # prom_query EXPR [LABEL...]
  local expr=$1 body
  shift
  body=$(curl -sS --max-time 10 -G "$PROM_URL/api/v1/query" --data-urlencode "query=$expr") ||
    { note "HTTP request to $PROM_URL/api/v1/query failed for: $expr"; return 1; }
  python3 - "$body" "$@" <<'EOF'
import json, sys
try:
    answer = json.loads(sys.argv[1])
except ValueError:
    sys.exit(f"not JSON: {sys.argv[1][:300]}")
if answer.get("status") != "success":
    sys.exit(f"query failed: {answer.get('errorType')}: {answer.get('error')}")
data = answer["data"]
if data["resultType"] != "vector":
    sys.exit(f"expected a vector, got {data['resultType']}")
for series in data["result"]:
    labels = [series["metric"].get(name, "-") for name in sys.argv[2:]]
    print(" ".join(labels + [series["value"][1]]))
EOF
}

# Waits for Prometheus' first successful scrapes (N, default 1), so the series cover the traffic.
wait_for_first_scrape() {  # wait_for_first_scrape [N]
  local deadline scrapes
  deadline=$(($(date +%s) + SCRAPE_TIMEOUT_S))
  while :; do
    scrapes=$(prom_query 'sum_over_time(up{job="rwproxy"}[10m])' 2>/dev/null | awk '{ print $1; exit }')
    awk -v n="${scrapes:-0}" -v want="${1:-1}" 'BEGIN { exit !(n >= want) }' && break
    (($(date +%s) < deadline)) || {
      show_log "$WORK_DIR/prometheus.log" prometheus
      fail "Prometheus scraped http://$HOST:$METRICS_PORT/metrics successfully ${scrapes:-0} times in" \
        "${SCRAPE_TIMEOUT_S}s, wanted ${1:-1} (up{job=\"rwproxy\"} = '$(prom_query 'up{job="rwproxy"}' 2>&1 | paste -sd' ')')"
    }
    sleep 0.5
  done
}

# Waits until Prometheus holds a scrape taken at least 1 s after UNIX_TIME (so the counters after
# the traffic are in), and until it has scraped a few times in all.
wait_for_scrapes_after() {  # wait_for_scrapes_after UNIX_TIME
  local after=$1 deadline last scrapes
  deadline=$(($(date +%s) + SCRAPE_TIMEOUT_S))
  while :; do
    last=$(prom_query 'timestamp(up{job="rwproxy"})' 2>/dev/null | awk '{ print $1; exit }')
    scrapes=$(prom_query 'count_over_time(up{job="rwproxy"}[10m])' 2>/dev/null | awk '{ print $1; exit }')
    if [[ -n $last && -n $scrapes ]] &&
      awk -v last="$last" -v after="$after" -v n="$scrapes" 'BEGIN { exit !(last >= after + 1 && n >= 3) }'; then
      break
    fi
    (($(date +%s) < deadline)) || {
      show_log "$WORK_DIR/prometheus.log" prometheus
      fail "Prometheus has no scrape of http://$HOST:$METRICS_PORT/metrics after the traffic within" \
        "${SCRAPE_TIMEOUT_S}s (last scrape at '${last:-none}', ${scrapes:-0} scrapes in all)"
    }
    sleep 0.5
  done
  note "prometheus: $scrapes scrapes, the last at $last"
}

# ---------------------------------------------------------------------------------------------
# Traffic (mariadb client sessions through the proxy; each batch is one session)

writer_batch() {  # writer_batch N_INSERTS N_UPDATES N_READS_AFTER: SQL on stdout
  local i
  for ((i = 0; i < $1; i++)); do
    echo "INSERT INTO $TABLE (v, note) VALUES ($RANDOM, 'row $i');"
  done
  for ((i = 0; i < $2; i++)); do
    echo "UPDATE $TABLE SET v = v + 1 WHERE id = $((RANDOM % 50 + 1));"
  done
  # Reads right after a write: the read-after-write window sends them to the master.
  for ((i = 0; i < $3; i++)); do
    echo "SELECT COUNT(*) FROM $TABLE WHERE v > $RANDOM;"
  done
  echo "BEGIN;"
  echo "INSERT INTO $TABLE (v, note) VALUES ($RANDOM, 'in a transaction');"
  echo "SELECT MAX(id) FROM $TABLE;"
  echo "COMMIT;"
}

reader_batch() {  # reader_batch N: SQL on stdout (plain reads, for the replicas)
  local i
  for ((i = 0; i < $1; i++)); do
    case $((i % 3)) in
      0) echo "SELECT id, v, note FROM $TABLE WHERE id = $((RANDOM % 200 + 1));" ;;
      1) echo "SELECT COUNT(*), MAX(v) FROM $TABLE;" ;;
      2) echo "SELECT note FROM $TABLE WHERE v BETWEEN $RANDOM AND $((RANDOM + 2000)) LIMIT 5;" ;;
    esac
  done
}

run_batch() {  # run_batch NAME: SQL on stdin, through the proxy; output and errors in NAME.log
  via_proxy >>"$WORK_DIR/$1.log" 2>&1 || {
    echo "FAILED: a $1 session through the proxy failed" >>"$WORK_DIR/$1.log"
    return 1
  }
}

create_table() {
  via_proxy -e "CREATE TABLE $TABLE (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
    note VARCHAR(64) NOT NULL, KEY (v))" >>"$WORK_DIR/traffic.log" 2>&1 ||
    { cat "$WORK_DIR/traffic.log" >&2; show_log "$WORK_DIR/rwproxy.log" rwproxy; fail "CREATE TABLE through the proxy failed"; }
  TABLE_CREATED=true
  writer_batch 50 0 0 | run_batch traffic || { tail -n 20 "$WORK_DIR/traffic.log" >&2; fail "the first inserts failed"; }
  # Reads on the replicas need the table there.
  RWPROXY_STATE_DIR=$STATE_DIR "$REPO_ROOT/scripts/topology.sh" wait-replication --timeout 30 ||
    fail "the replicas did not apply the CREATE TABLE within 30s"
}

# A few hundred statements: writes (and reads in the read-after-write window) in one session,
# plain reads in two others.
run_short_traffic() {
  local started
  started=$(now_s)
  writer_batch 120 50 20 | run_batch writer || { tail -n 20 "$WORK_DIR/writer.log" >&2; fail "writer session failed"; }
  reader_batch 120 | run_batch reader || { tail -n 20 "$WORK_DIR/reader.log" >&2; fail "reader session failed"; }
  reader_batch 120 | run_batch reader || { tail -n 20 "$WORK_DIR/reader.log" >&2; fail "reader session failed"; }
  note "traffic: ~480 statements through the proxy in $(awk -v a="$started" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')s"
}

paced_statements() {  # paced_statements KIND UNTIL_UNIX_S: SQL on stdout, a batch every 0.1-0.3 s
  local kind=$1 until=$2
  while (($(date +%s) < until)); do
    if [[ $kind == writer ]]; then writer_batch 6 3 3; else reader_batch 25; fi
    sleep 0.$((RANDOM % 3 + 1))
  done
}

# One client session that lives until UNTIL_UNIX_S (so the connection gauges show the sessions),
# fed statements as they are generated.
traffic_session() {  # traffic_session KIND UNTIL_UNIX_S (run in the background)
  local kind=$1 until=$2
  paced_statements "$kind" "$until" |
    SQL_TIMEOUT_S=$((until - $(date +%s) + 60)) via_proxy >>"$WORK_DIR/$kind.log" 2>&1 || {
    echo "FAILED: the $kind session through the proxy failed" >>"$WORK_DIR/$kind.log"
    exit 1
  }
}

# Render mode: ~RENDER_TRAFFIC_S seconds of paced traffic: one writer session all along, reader
# sessions joining every 5 s and leaving 5 s apart at the end, MASTER_DELAY on the last replica
# between RENDER_LAG_FROM_S and RENDER_LAG_UNTIL_S.
run_dashboard_traffic() {
  local t0 until i pid failed=false
  LAG_REPLICA_NAME=${REPLICA_NAMES[-1]}
  for i in "${!BACKEND_NAMES[@]}"; do
    [[ ${BACKEND_NAMES[$i]} == "$LAG_REPLICA_NAME" ]] && LAG_REPLICA_PORT=${BACKEND_PORTS[$i]}
  done
  t0=$(date +%s)
  until=$((t0 + RENDER_TRAFFIC_S))
  TRAFFIC_FROM=$t0
  TRAFFIC_UNTIL=$until
  note "dashboard run: ${RENDER_TRAFFIC_S}s of traffic; MASTER_DELAY=$RENDER_LAG_DELAY_S on $LAG_REPLICA_NAME" \
    "from +${RENDER_LAG_FROM_S}s to +${RENDER_LAG_UNTIL_S}s"
  traffic_session writer "$until" &
  TRAFFIC_PIDS+=($!)
  for i in 1 2 3; do
    sleep_until $((t0 + 5 * i))
    traffic_session "reader$i" $((until - 5 * (i - 1))) &
    TRAFFIC_PIDS+=($!)
  done
  sleep_until $((t0 + RENDER_LAG_FROM_S))
  LAG_INJECTED=true  # before the statement: a half-applied change is restored too
  set_replica_delay "$RENDER_LAG_DELAY_S" || fail "could not set MASTER_DELAY on $LAG_REPLICA_NAME"
  LAG_FROM_TS=$(now_s)
  note "$LAG_REPLICA_NAME: MASTER_DELAY=$RENDER_LAG_DELAY_S"
  sleep_until $((t0 + RENDER_LAG_UNTIL_S))
  restore_replica_delay
  LAG_UNTIL_TS=$(now_s)
  [[ $LAG_INJECTED == false ]] || fail "could not restore MASTER_DELAY=0 on $LAG_REPLICA_NAME"
  for pid in "${TRAFFIC_PIDS[@]}"; do wait "$pid" || failed=true; done
  TRAFFIC_PIDS=()
  if [[ $failed == true ]]; then
    grep -h -B5 FAILED "$WORK_DIR"/writer.log "$WORK_DIR"/reader?.log >&2 || true
    show_log "$WORK_DIR/rwproxy.log" rwproxy
    fail "a traffic session through the proxy failed"
  fi
  note "dashboard run: traffic done"
}

# ---------------------------------------------------------------------------------------------
# Checks

gt_zero() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }

check_up() {
  local rows
  rows=$(prom_query 'up{job="rwproxy"}') || fail "query up{job=\"rwproxy\"} failed"
  [[ $rows == 1 ]] || fail "up{job=\"rwproxy\"} should be one series with value 1, got: '${rows//$'\n'/; }'"
  note "ok: up{job=\"rwproxy\"} == 1"
}

check_lag() {
  local rows name value expected got
  rows=$(prom_query rwproxy_replication_lag_seconds backend) || fail "query rwproxy_replication_lag_seconds failed"
  expected=$(printf '%s\n' "${REPLICA_NAMES[@]}" | sort | paste -sd' ')
  got=$(awk '{ print $1 }' <<<"$rows" | sort | paste -sd' ')
  [[ $got == "$expected" ]] ||
    fail "rwproxy_replication_lag_seconds should have one series per replica ($expected), got: '${got:-none}'"
  while read -r name value; do
    awk -v v="$value" 'BEGIN { exit !(v ~ /^[0-9.eE+-]+$/ && v + 0 >= 0) }' ||
      fail "rwproxy_replication_lag_seconds{backend=\"$name\"} should be a lag >= 0, got '$value'"
  done <<<"$rows"
  note "ok: rwproxy_replication_lag_seconds: ${rows//$'\n'/, }"
}

check_routing() {
  local rows read write both=false
  rows=$(prom_query 'sum by (reason) (rwproxy_routed_statements_total)' reason) ||
    fail "query sum by (reason) (rwproxy_routed_statements_total) failed"
  read=$(awk '$1 == "read" { print $2 }' <<<"$rows")
  write=$(awk '$1 == "write" { print $2 }' <<<"$rows")
  gt_zero "${read:-0}" && gt_zero "${write:-0}" && both=true
  [[ ${both:-} == true ]] ||
    fail "sum by (reason) (rwproxy_routed_statements_total) should have read > 0 and write > 0," \
      "got: '${rows//$'\n'/, }'"
  note "ok: routed statements by reason: ${rows//$'\n'/, }"
}

check_latency() {
  local rows master replica both=false
  rows=$(prom_query 'sum by (target) (rwproxy_statement_duration_seconds_count)' target) ||
    fail "query sum by (target) (rwproxy_statement_duration_seconds_count) failed"
  master=$(awk '$1 == "master" { print $2 }' <<<"$rows")
  replica=$(awk '$1 == "replica" { print $2 }' <<<"$rows")
  gt_zero "${master:-0}" && gt_zero "${replica:-0}" && both=true
  [[ ${both:-} == true ]] ||
    fail "rwproxy_statement_duration_seconds should have observations for target master and replica," \
      "got: '${rows//$'\n'/, }'"
  note "ok: statement latency observations by target: ${rows//$'\n'/, }"
}

check_backends_up() {
  local rows i expected="" got
  rows=$(prom_query rwproxy_backend_up backend role) || fail "query rwproxy_backend_up failed"
  for i in "${!BACKEND_NAMES[@]}"; do
    expected+="${BACKEND_NAMES[$i]} ${BACKEND_ROLES[$i]} 1"$'\n'
  done
  expected=$(sort <<<"$expected" | sed '/^$/d' | paste -sd';')
  got=$(sort <<<"$rows" | sed '/^$/d' | paste -sd';')
  [[ $got == "$expected" ]] ||
    fail "rwproxy_backend_up should be 1 for each of the ${#BACKEND_NAMES[@]} backends" \
      "(as 'backend role value': $expected), got: '${got:-none}'"
  note "ok: rwproxy_backend_up: $got"
}

# Render mode: the injected lag must show in the data the picture is drawn from.
check_injected_lag() {
  local max min threshold window=$(( $(date +%s) - T_START + 5 ))s
  max=$(prom_query "max_over_time(rwproxy_replication_lag_seconds{backend=\"$LAG_REPLICA_NAME\"}[$window])" | awk '{ print $1 }')
  min=$(prom_query "min_over_time(rwproxy_replica_eligible{backend=\"$LAG_REPLICA_NAME\"}[$window])" | awk '{ print $1 }')
  threshold=$(prom_query 'max(rwproxy_max_replica_lag_seconds)' | awk '{ print $1 }')
  awk -v m="${max:-0}" -v t="${threshold:-0}" 'BEGIN { exit !(t > 0 && m > t) }' ||
    fail "the lag of $LAG_REPLICA_NAME should have passed the threshold (${threshold:-?}s) during the run, max ${max:-none}s"
  [[ ${min:-} == 0 ]] || fail "$LAG_REPLICA_NAME should have been ineligible for reads while lagging, min eligibility '${min:-none}'"
  note "ok: $LAG_REPLICA_NAME lagged up to ${max}s (threshold ${threshold}s) and was left out of reads"
}

render_dashboard() {
  local python="" candidate
  for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
    [[ -n $candidate ]] || continue
    if "$candidate" -c 'import matplotlib' 2>/dev/null; then python=$candidate; break; fi
  done
  [[ -n $python ]] || fail "rendering needs matplotlib (apt-get install python3-matplotlib)"
  # From 5 s before the traffic to 6 s after it (Prometheus has scraped that far by now).
  local end=$((TRAFFIC_UNTIL + 6)) now
  now=$(date +%s)
  ((end <= now)) || end=$now
  "$python" "$REPO_ROOT/docs/render_dashboard.py" --prometheus "$PROM_URL" \
    --start "$((TRAFFIC_FROM - 5))" --end "$end" --out "$DASHBOARD_PNG" \
    --mark "$LAG_FROM_TS" "$LAG_UNTIL_TS" "MASTER_DELAY=$RENDER_LAG_DELAY_S on $LAG_REPLICA_NAME" ||
    fail "docs/render_dashboard.py failed"
  note "dashboard rendered to $DASHBOARD_PNG"
}

# ---------------------------------------------------------------------------------------------

main() {
  (($# == 1)) || { note "usage: $0 <path/to/rwproxy>"; exit 2; }
  local proxy_bin=$1
  [[ -x $proxy_bin ]] || fail "rwproxy binary '$proxy_bin' is not executable"
  command -v "$PROMETHEUS_BIN" >/dev/null || fail "prometheus is not installed (Debian package prometheus)"
  local tool
  for tool in curl mariadb python3; do
    command -v "$tool" >/dev/null || fail "$tool is not installed"
  done

  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rwproxy-prometheus-scrape.XXXXXX")
  load_topology
  start_proxy "$proxy_bin"
  start_prometheus
  wait_for_monitor
  # Render mode: a few seconds of the idle proxy before the traffic, for the picture.
  if [[ $RENDER == 1 ]]; then wait_for_first_scrape 8; else wait_for_first_scrape; fi
  T_START=$(date +%s)
  create_table
  if [[ $RENDER == 1 ]]; then
    run_dashboard_traffic
  else
    run_short_traffic
  fi
  kill -0 "$PROXY_PID" 2>/dev/null || { show_log "$WORK_DIR/rwproxy.log" rwproxy; fail "rwproxy died during the traffic"; }
  wait_for_scrapes_after "$(date +%s)"

  check_up
  check_backends_up
  check_lag
  check_routing
  check_latency
  if [[ $RENDER == 1 ]]; then
    check_injected_lag
    render_dashboard
  fi
  note "PASS"
}

main "$@"
