#!/usr/bin/env bash
# Soak test under faults: rwproxy carries a mixed load for a while as replicas are stopped,
# lagged and drained, and no client may notice.
#
#   tests/integration/soak_faults.sh <path/to/rwproxy> [SECONDS]
#
# Needs the topology up with at least one replica (scripts/topology.sh up; two are expected);
# reads $RWPROXY_STATE_DIR/topology/topology.env and rwproxy.toml. Starts its own rwproxy with that
# config, the proxy, metrics and admin listeners on port 0 (read back from --ports-file) and an
# [admin] section (user admin / admin-secret), and waits until the monitor finds every replica
# eligible. Then, for SECONDS (>= 60; default $SOAK_SECONDS, else 60), all at once through the proxy:
#   rw_ps     sysbench oltp_read_write, server-side prepared statements (--db-ps-mode=auto), sbtest.*
#   rw_text   sysbench oltp_read_write, text protocol (--db-ps-mode=disable), rwtest.sbtest*
#   ro_ps     sysbench oltp_read_only --skip-trx=on (autocommit reads: replicas), prepared, sbtest.*
#   ro_text   the same, text protocol, rwtest.sbtest*
#   writer    tests/integration/soak_writer.py: autocommit INSERTs into rwtest.soak_writes, each
#             acknowledged one recorded, and every 25th insert a read-back (read your writes)
# (every sysbench with --mysql-ignore-errors=none: any error ends it with a failure), while a
# fault schedule cycles over the replicas (replica1, replica2, replica1, ...):
#   stop      scripts/topology.sh stop-server (SIGTERM, clean shutdown), 5 s down, start-server;
#             the replica must leave the eligible set and come back
#   lag       CHANGE MASTER TO MASTER_DELAY = 3 with the load's writes flowing, until the proxy
#             measures >= 1 s of lag (the config's max_replica_lag_ms) and excludes the replica,
#             3 s more, then MASTER_DELAY = 0; the replica must come back
#   drain     DRAIN BACKEND through the admin interface (SHOW BACKENDS must say state=drain; from
#             1 s after it on, the replica may serve no new statement: rwproxy_backend_statements_total),
#             5 s, ONLINE BACKEND (state=online again)
# Checks at the end, each printed with its figure (FAIL lines say which):
#   - every sysbench exited 0 with transactions > 0, 0 errors, 0 reconnects (reads and
#     read/write loads reported apart);
#   - writer: 0 rejected or in-doubt INSERTs, 0 failed or stale read-backs, and every acknowledged
#     seq present on the master (read directly); the master's row count equals the acknowledged
#     count (>= when an INSERT was in doubt);
#   - replicas served reads during the run (rwproxy_routed_statements_total{target="replica"});
#   - each fault kind injected at least once, each had its effect and was undone;
#   - rwproxy still running, and its RSS flat: VmRSS is sampled every 2 s; the growth from the end
#     of the warm-up (the first third of the run) to the end must stay within 25% of the RSS at
#     the end of the warm-up, and at least 4 MiB (SOAK_RSS_GROWTH_PERCENT, SOAK_RSS_GROWTH_MIN_MIB).
#     The proxy runs this load in ~13 MiB and grows a few dozen KiB after the warm-up: a leak of
#     ~100 KiB/s fails a 60 s run, ~20 KiB/s a 300 s run; pools and buffers filling up during the
#     warm-up do not.
# It also prints queries/s per load, the proxy's read retries, fallbacks and backend errors, and
# the statements each backend served.
# Cleanup, on success or failure (trap): stops the loads and the proxy, starts a stopped server,
# resets MASTER_DELAY to 0 and runs START SLAVE on every replica, drops the sysbench tables and
# rwtest.soak_writes, waits for replication. The work dir (logs; under $RWPROXY_TEST_LOG_DIR, else
# $TMPDIR or /tmp) is removed on success, kept and named on failure.
# Env: SOAK_SECONDS (60), SOAK_THREADS (2 per sysbench load), SOAK_RSS_GROWTH_PERCENT (25),
#      SOAK_RSS_GROWTH_MIN_MIB (4),
#      SOAK_RW_RATE (40), SOAK_RO_RATE (150): sysbench --rate, transactions/s of each rw_* / ro_*
#      load; SOAK_WRITER_RATE (100): the writer's INSERTs/s; 0 = unlimited. The defaults keep a
#      2-core machine running everything (servers, proxy, clients) busy but not saturated
#      (saturated, the monitor's checks time out and it marks even the untouched master down);
#      SOAK_DRAIN (on | off: off skips the drain fault and the [admin] section, for a binary
#      without the admin interface; the summary says so), RWPROXY_STATE_DIR, RWPROXY_TEST_LOG_DIR.
# Exit: 0 pass, 1 a check or the setup failed, 2 usage.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO_ROOT
readonly STATE_DIR=${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}
readonly TOPO_DIR=$STATE_DIR/topology
readonly TOPOLOGY_SH=$REPO_ROOT/scripts/topology.sh
readonly HOST=127.0.0.1
readonly PYTHON=/usr/bin/python3  # Debian's python3, with python3-pymysql
readonly THREADS=${SOAK_THREADS:-2}
# Throttled so that the 2-core test machine is busy, not saturated (unthrottled, the monitor's 1 s
# checks time out and backends flap: that is an overload test, not this one). 0 = unlimited.
readonly RW_RATE=${SOAK_RW_RATE:-40} RO_RATE=${SOAK_RO_RATE:-150} WRITER_RATE=${SOAK_WRITER_RATE:-100}
readonly RSS_GROWTH_MIN_MIB=${SOAK_RSS_GROWTH_MIN_MIB:-4} RSS_GROWTH_PERCENT=${SOAK_RSS_GROWTH_PERCENT:-25}
readonly DRAIN=${SOAK_DRAIN:-on}
readonly TABLES=4 TABLE_SIZE=10000
readonly WRITES_TABLE=soak_writes
readonly PROXY_ADMIN_USER=admin PROXY_ADMIN_PASSWORD=admin-secret
readonly PROXY_START_TIMEOUT_S=15 PROXY_STOP_TIMEOUT_S=15
readonly ELIGIBLE_TIMEOUT_S=30      # a replica must be eligible again this long after a fault ends
readonly RSS_SAMPLE_INTERVAL_S=2
readonly STOP_HOLD_S=5 LAG_DELAY_S=3 LAG_EXCLUDE_TIMEOUT_S=20 LAG_HOLD_S=3 DRAIN_HOLD_S=5 DRAIN_GRACE_S=1
readonly SETTLE_S=3                 # between faults
readonly FIRST_FAULT_AFTER_S=5
# Longest a fault of each kind is expected to take (to schedule only what ends before the load).
readonly STOP_BUDGET_S=16 LAG_BUDGET_S=22 DRAIN_BUDGET_S=8
readonly LOAD_NAMES=(rw_ps rw_text ro_ps ro_text)

DURATION_S=""
WORK_DIR=""
PROXY_PID=""
PROXY_PORT=""
METRICS_PORT=""
ADMIN_PORT=""
TABLES_CREATED=false
RSS_SAMPLER_PID=""
declare -A LOAD_PIDS=()
declare -a REPLICA_NAMES=() REPLICA_PORT_LIST=()
declare -A STOPPED=() LAGGED=()
declare -A FAULTS=([stop]=0 [lag]=0 [drain]=0)
declare -a FAILURES=()

note() { printf 'soak_faults: %s\n' "$*" >&2; }

fail() {
  note "FAIL: $*"
  exit 1
}

# A failed check: printed now, counted, and the run goes on to report everything else.
check_failed() {
  FAILURES+=("$*")
  note "FAIL: $*"
}

check() {  # check CONDITION_STATUS MESSAGE...: prints "ok" or records a failure
  local status=$1
  shift
  if [[ $status == 0 ]]; then note "ok   $*"; else check_failed "$*"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

elapsed_since() { echo $((SECONDS - $1)); }

# shellcheck source=tests/integration/proxy_script.sh
source "$REPO_ROOT/tests/integration/proxy_script.sh"

# ---------------------------------------------------------------------------------------------
# Clients

sql_as_admin() {  # sql_as_admin PORT SQL: the topology's rwadmin, straight to a server
  mariadb --no-defaults -h"$HOST" -P"$1" -u"$ADMIN_USER" -p"$ADMIN_PASSWORD" --batch \
    --skip-column-names --connect-timeout=5 -e "$2"
}

proxy_admin() {  # proxy_admin SQL: the proxy's admin interface, with column names
  mariadb --no-defaults -h"$HOST" -P"$ADMIN_PORT" -u"$PROXY_ADMIN_USER" -p"$PROXY_ADMIN_PASSWORD" \
    --skip-ssl --batch --connect-timeout=5 -e "$1"
}

# State of backend NAME in SHOW BACKENDS (column "state"), empty if it cannot be read.
backend_state() {  # backend_state NAME
  proxy_admin "SHOW BACKENDS" 2>>"$WORK_DIR/admin.log" | awk -F'\t' -v name="$1" '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "name") n = i; if ($i == "state") s = i }; next }
    n && s && $n == name { print $s; exit }'
}

sysbench_cmd() {  # sysbench_cmd TIME_LIMIT_S TEST PORT DB PS_MODE COMMAND [extra args...]
  local limit_s=$1 test=$2 port=$3 db=$4 ps_mode=$5 command=$6
  shift 6
  timeout --kill-after=10 "$limit_s" sysbench "$test" --db-driver=mysql --mysql-host="$HOST" --mysql-port="$port" \
    --mysql-user="$APP_USER" --mysql-password="$APP_PASSWORD" --mysql-db="$db" \
    --tables="$TABLES" --table-size="$TABLE_SIZE" --db-ps-mode="$ps_mode" --rand-type=uniform \
    "$@" "$command"
}

# ---------------------------------------------------------------------------------------------
# Metrics

# Sum of the samples of metric NAME whose label text contains every FILTER, printed with FORMAT.
metric_sum_fmt() {  # metric_sum_fmt FORMAT NAME [FILTER...]
  local format=$1 name=$2 body
  shift 2
  body=$(scrape_metrics) || return 1
  awk -v name="$name" -v filters="$*" -v format="$format" '
    BEGIN { n = split(filters, f, " ") }
    index($0, name "{") == 1 || index($0, name " ") == 1 {
      for (i = 1; i <= n; i++) if (index($0, f[i]) == 0) next
      sum += $NF
    }
    END { printf format "\n", sum }' <<<"$body"
}

metric_sum() { metric_sum_fmt '%d' "$@"; }

eligible() {  # eligible NAME -> 1 or 0
  metric_sum rwproxy_replica_eligible "backend=\"$1\""
}

wait_eligible() {  # wait_eligible NAME WANT TIMEOUT_S: succeeds once eligible(NAME) == WANT
  local name=$1 want=$2 tries=$(($3 * 4)) value
  while ((tries-- > 0)); do
    value=$(eligible "$name") || value=""
    [[ $value == "$want" ]] && return 0
    sleep 0.25
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Setup

load_topology() {
  local env_file=$TOPO_DIR/topology.env
  [[ -f $env_file ]] || fail "no topology: $env_file is missing (run scripts/topology.sh up)"
  # shellcheck source=/dev/null
  source "$env_file"
  [[ -f $TOPO_DIR/rwproxy.toml ]] || fail "missing $TOPO_DIR/rwproxy.toml"
  read -r -a REPLICA_PORT_LIST <<<"$REPLICA_PORTS"
  ((${#REPLICA_PORT_LIST[@]} > 0)) || fail "the topology has no replicas"
  port_in_use "$MASTER_PORT" || fail "the master (port $MASTER_PORT) is not running"
  local i name
  for ((i = 1; i <= ${#REPLICA_PORT_LIST[@]}; i++)); do
    name=replica$i
    grep -q "^name = \"$name\"\$" "$TOPO_DIR/rwproxy.toml" || fail "$TOPO_DIR/rwproxy.toml has no backend $name"
    REPLICA_NAMES+=("$name")
  done
}

write_proxy_config() {
  local config=$WORK_DIR/rwproxy.toml
  sed -e "/^\[proxy\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" \
    -e "/^\[metrics\]/,/^\[/ s/^listen_port *=.*/listen_port = 0/" "$TOPO_DIR/rwproxy.toml" >"$config"
  [[ $(grep -c "^listen_port = 0\$" "$config") == 2 ]] ||
    fail "could not set both listen_port keys to 0 in the config copy"
  [[ $DRAIN == on ]] || return 0
  cat >>"$config" <<EOF

[admin]
enabled = true
listen_address = "$HOST"
listen_port = 0

[[admin_users]]
name = "$PROXY_ADMIN_USER"
password = "$PROXY_ADMIN_PASSWORD"
EOF
  if ! "$1" --check-config "$config" >"$WORK_DIR/check-config.log" 2>&1; then
    cat "$WORK_DIR/check-config.log" >&2
    fail "this rwproxy refuses the [admin] section (no admin interface?); SOAK_DRAIN=off runs without the drain fault"
  fi
}

start_proxy() {  # start_proxy BINARY
  local ports_file=$WORK_DIR/rwproxy.ports
  write_proxy_config "$1"
  launch_proxy "$1" "$WORK_DIR/rwproxy.toml"
  [[ -n $METRICS_PORT ]] || { show_proxy_log; fail "test setup: rwproxy could not serve metrics"; }
  if [[ $DRAIN == on && -z $ADMIN_PORT ]]; then
    show_proxy_log
    fail "no admin_port in $ports_file: $(tr '\n' ' ' <"$ports_file")"
  fi
  note "rwproxy pid $PROXY_PID listening on $PROXY_PORT, metrics on $METRICS_PORT, admin on ${ADMIN_PORT:-(off)}"
}

drop_tables() {
  local db
  for db in "$SYSBENCH_DB" "$APP_DB"; do
    sysbench_cmd 120 oltp_read_write "$MASTER_PORT" "$db" disable cleanup >/dev/null 2>&1 ||
      note "warning: dropping the sysbench tables in $db failed"
  done
  sql_as_admin "$MASTER_PORT" "DROP TABLE IF EXISTS $APP_DB.$WRITES_TABLE" ||
    note "warning: dropping $APP_DB.$WRITES_TABLE failed"
}

# The sysbench tables (sbtest.* for the prepared loads, rwtest.sbtest* for the text ones, so the two
# oltp_read_write runs do not deadlock each other) and the writer's table, made on the master.
prepare_tables() {
  TABLES_CREATED=true
  drop_tables 2>/dev/null  # leftovers of an interrupted run would make `prepare` fail
  local db
  for db in "$SYSBENCH_DB" "$APP_DB"; do
    if ! sysbench_cmd 300 oltp_read_write "$MASTER_PORT" "$db" disable prepare \
      >"$WORK_DIR/prepare-$db.log" 2>&1; then
      cat "$WORK_DIR/prepare-$db.log" >&2
      fail "sysbench prepare in $db failed"
    fi
  done
  sql_as_admin "$MASTER_PORT" "CREATE TABLE $APP_DB.$WRITES_TABLE (seq BIGINT PRIMARY KEY,
    payload VARCHAR(64) NOT NULL) ENGINE=InnoDB" || fail "creating $APP_DB.$WRITES_TABLE failed"
  "$TOPOLOGY_SH" wait-replication --timeout 120 || fail "the replicas did not catch up"
}

wait_all_eligible() {
  local name
  for name in "${REPLICA_NAMES[@]}"; do
    wait_eligible "$name" 1 "$ELIGIBLE_TIMEOUT_S" ||
      { show_proxy_log; fail "$name did not become eligible in ${ELIGIBLE_TIMEOUT_S}s"; }
  done
}

# ---------------------------------------------------------------------------------------------
# Load

start_loads() {
  local name test db ps_mode
  local -a extra
  for name in "${LOAD_NAMES[@]}"; do
    case $name in
      rw_*) test=oltp_read_write extra=(--rate="$RW_RATE") ;;
      ro_*) test=oltp_read_only extra=(--skip-trx=on --rate="$RO_RATE") ;;
    esac
    case $name in
      *_ps) db=$SYSBENCH_DB ps_mode=auto ;;
      *_text) db=$APP_DB ps_mode=disable ;;
    esac
    sysbench_cmd $((DURATION_S + 120)) "$test" "$PROXY_PORT" "$db" "$ps_mode" run --time="$DURATION_S" \
      --threads="$THREADS" --mysql-ignore-errors=none "${extra[@]}" >"$WORK_DIR/$name.log" 2>&1 &
    LOAD_PIDS[$name]=$!
  done
  timeout --kill-after=10 $((DURATION_S + 120)) \
    "$PYTHON" "$REPO_ROOT/tests/integration/soak_writer.py" --host "$HOST" --port "$PROXY_PORT" \
    --user "$APP_USER" --password "$APP_PASSWORD" --db "$APP_DB" --table "$WRITES_TABLE" \
    --seconds "$DURATION_S" --out "$WORK_DIR" --rate "$WRITER_RATE" >"$WORK_DIR/writer.log" 2>&1 &
  LOAD_PIDS[writer]=$!
  note "load: ${LOAD_NAMES[*]} ($THREADS threads each; rw at $RW_RATE, ro at $RO_RATE transactions/s)" \
    "and the writer ($WRITER_RATE INSERTs/s), ${DURATION_S}s (rates: 0 = unlimited)"
}

# Waits for every load; prints "NAME STATUS" lines into $WORK_DIR/load.status.
wait_loads() {
  local name status
  : >"$WORK_DIR/load.status"
  for name in "${!LOAD_PIDS[@]}"; do
    status=0
    wait "${LOAD_PIDS[$name]}" || status=$?
    echo "$name $status" >>"$WORK_DIR/load.status"
  done
  LOAD_PIDS=()
}

kill_loads() {
  local name
  for name in "${!LOAD_PIDS[@]}"; do kill -TERM "${LOAD_PIDS[$name]}" 2>/dev/null || true; done
  for name in "${!LOAD_PIDS[@]}"; do wait "${LOAD_PIDS[$name]}" 2>/dev/null || true; done
  LOAD_PIDS=()
}

rss_kib() {  # VmRSS of the proxy in KiB, empty if it is gone
  awk '$1 == "VmRSS:" { print $2 }' "/proc/$PROXY_PID/status" 2>/dev/null || true
}

# "SECONDS_SINCE_START RSS_KIB" every RSS_SAMPLE_INTERVAL_S into $WORK_DIR/rss.samples.
start_rss_sampler() {
  local started=$SECONDS
  (
    while kill -0 "$PROXY_PID" 2>/dev/null && (($(elapsed_since "$started") <= DURATION_S + 5)); do
      echo "$(elapsed_since "$started") $(rss_kib)"
      sleep "$RSS_SAMPLE_INTERVAL_S"
    done
  ) >"$WORK_DIR/rss.samples" &
  RSS_SAMPLER_PID=$!
}

stop_rss_sampler() {
  [[ -n $RSS_SAMPLER_PID ]] || return 0
  kill -TERM "$RSS_SAMPLER_PID" 2>/dev/null || true
  wait "$RSS_SAMPLER_PID" 2>/dev/null || true
  RSS_SAMPLER_PID=""
}

# ---------------------------------------------------------------------------------------------
# Faults

fault_stop() {  # fault_stop NAME
  local name=$1
  note "fault: stop $name"
  STOPPED[$name]=1
  "$TOPOLOGY_SH" stop-server "$name" 2>>"$WORK_DIR/faults.log" || { check_failed "stop $name: stop-server failed"; return; }
  FAULTS[stop]=$((FAULTS[stop] + 1))
  local started=$SECONDS excluded=false
  wait_eligible "$name" 0 "$STOP_HOLD_S" && excluded=true
  (($(elapsed_since "$started") < STOP_HOLD_S)) && sleep $((STOP_HOLD_S - $(elapsed_since "$started")))
  "$TOPOLOGY_SH" start-server "$name" 2>>"$WORK_DIR/faults.log" || { check_failed "stop $name: start-server failed"; return; }
  unset "STOPPED[$name]"
  [[ $excluded == true ]] || check_failed "stop $name: the proxy kept it eligible for ${STOP_HOLD_S}s while it was down"
  started=$SECONDS
  if wait_eligible "$name" 1 "$ELIGIBLE_TIMEOUT_S"; then
    note "       $name eligible again $(elapsed_since "$started")s after its restart"
  else
    check_failed "stop $name: not eligible again ${ELIGIBLE_TIMEOUT_S}s after its restart"
  fi
}

set_master_delay() {  # set_master_delay NAME SECONDS
  local port=${REPLICA_PORT_LIST[$((${1#replica} - 1))]}
  sql_as_admin "$port" "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = $2; START SLAVE" 2>>"$WORK_DIR/faults.log"
}

fault_lag() {  # fault_lag NAME
  local name=$1
  note "fault: lag on $name (MASTER_DELAY = $LAG_DELAY_S)"
  LAGGED[$name]=1
  set_master_delay "$name" "$LAG_DELAY_S" || { check_failed "lag $name: setting MASTER_DELAY failed"; return; }
  FAULTS[lag]=$((FAULTS[lag] + 1))
  # Excluded for its lag: a measured lag of >= 1 s while the proxy says not eligible.
  local tries=$((LAG_EXCLUDE_TIMEOUT_S * 4)) lag max_lag=0 excluded=false
  while ((tries-- > 0)); do
    lag=$(metric_sum_fmt '%.3f' rwproxy_replication_lag_seconds "backend=\"$name\"") || lag=0
    awk -v a="$lag" -v b="$max_lag" 'BEGIN { exit !(a > b) }' && max_lag=$lag
    if awk -v a="$lag" 'BEGIN { exit !(a >= 1.0) }' && [[ $(eligible "$name" || true) == 0 ]]; then
      excluded=true
      break
    fi
    sleep 0.25
  done
  [[ $excluded == true ]] && sleep "$LAG_HOLD_S"
  set_master_delay "$name" 0 || { check_failed "lag $name: resetting MASTER_DELAY failed"; return; }
  unset "LAGGED[$name]"
  if [[ $excluded == true ]]; then
    note "       $name excluded at ${lag}s of lag"
  else
    check_failed "lag $name: not excluded within ${LAG_EXCLUDE_TIMEOUT_S}s (highest lag seen ${max_lag}s)"
  fi
  local started=$SECONDS
  if wait_eligible "$name" 1 "$ELIGIBLE_TIMEOUT_S"; then
    note "       $name eligible again $(elapsed_since "$started")s after MASTER_DELAY = 0"
  else
    check_failed "lag $name: not eligible again ${ELIGIBLE_TIMEOUT_S}s after MASTER_DELAY = 0"
  fi
}

fault_drain() {  # fault_drain NAME
  local name=$1 state before settled after
  note "fault: drain $name (admin interface)"
  before=$(metric_sum rwproxy_backend_statements_total "backend=\"$name\"") || before=""
  if ! proxy_admin "DRAIN BACKEND $name" >>"$WORK_DIR/admin.log" 2>&1; then
    check_failed "drain $name: DRAIN BACKEND failed: $(tail -n 1 "$WORK_DIR/admin.log")"
    return
  fi
  FAULTS[drain]=$((FAULTS[drain] + 1))
  state=$(backend_state "$name") || state=""
  [[ $state == drain ]] || check_failed "drain $name: SHOW BACKENDS says state '$state' after DRAIN BACKEND"
  # Statements already running finish; after DRAIN_GRACE_S no new one may reach the replica (the
  # read loads run autocommit statements only, and no transaction runs on a replica).
  sleep "$DRAIN_GRACE_S"
  settled=$(metric_sum rwproxy_backend_statements_total "backend=\"$name\"") || settled=""
  sleep $((DRAIN_HOLD_S - DRAIN_GRACE_S))
  after=$(metric_sum rwproxy_backend_statements_total "backend=\"$name\"") || after=""
  if ! proxy_admin "ONLINE BACKEND $name" >>"$WORK_DIR/admin.log" 2>&1; then
    check_failed "drain $name: ONLINE BACKEND failed: $(tail -n 1 "$WORK_DIR/admin.log")"
    return
  fi
  state=$(backend_state "$name") || state=""
  [[ $state == online ]] || check_failed "drain $name: SHOW BACKENDS says state '$state' after ONLINE BACKEND"
  if [[ -z $before || -z $settled || -z $after ]]; then
    check_failed "drain $name: cannot scrape rwproxy_backend_statements_total"
    return
  fi
  note "       $name served $((settled - before)) statements in the ${DRAIN_GRACE_S}s after DRAIN BACKEND"
  check $((after == settled ? 0 : 1)) "drain $name: $((after - settled)) new statements on the drained" \
    "replica from ${DRAIN_GRACE_S}s after DRAIN BACKEND to ONLINE BACKEND ($((DRAIN_HOLD_S - DRAIN_GRACE_S))s)"
}

# Cycles stop, lag, drain while a fault still fits before the load ends; the replica moves on
# with every fault and shifts by one each round (2 replicas: stop r1, lag r2, drain r1, stop r2, ...).
run_fault_schedule() {  # run_fault_schedule LOAD_START_SECONDS
  local load_start=$1 end=$(($1 + DURATION_S)) index=0 kind budget name
  local -a kinds=(stop lag)
  [[ $DRAIN == on ]] && kinds+=(drain)
  sleep "$FIRST_FAULT_AFTER_S"
  while :; do
    kind=${kinds[$((index % ${#kinds[@]}))]}
    case $kind in
      stop) budget=$STOP_BUDGET_S ;;
      lag) budget=$LAG_BUDGET_S ;;
      drain) budget=$DRAIN_BUDGET_S ;;
    esac
    ((SECONDS + budget + SETTLE_S <= end)) || break
    # Shifted by one replica each round, so every kind hits every replica in turn.
    name=${REPLICA_NAMES[$(((index % ${#kinds[@]} + index / ${#kinds[@]}) % ${#REPLICA_NAMES[@]}))]}
    note "t=$(elapsed_since "$load_start")s"
    "fault_$kind" "$name"
    kill -0 "$PROXY_PID" 2>/dev/null || { check_failed "rwproxy died during the fault schedule"; return; }
    index=$((index + 1))
    sleep "$SETTLE_S"
  done
  note "t=$(elapsed_since "$load_start")s: fault schedule done"
}

# Undoes whatever fault is still in place (after a failure or an interruption).
restore_topology() {
  local name
  for name in "${!STOPPED[@]}"; do
    "$TOPOLOGY_SH" start-server "$name" || note "warning: restarting $name failed"
  done
  STOPPED=()
  for name in "${!LAGGED[@]}"; do
    set_master_delay "$name" 0 || note "warning: resetting MASTER_DELAY on $name failed"
  done
  LAGGED=()
  local port
  for port in "${REPLICA_PORT_LIST[@]}"; do
    sql_as_admin "$port" "START SLAVE" >/dev/null 2>&1 || note "warning: START SLAVE on port $port failed"
  done
}

cleanup() {
  local status=$?
  trap - EXIT
  kill_loads
  stop_rss_sampler
  [[ ${#REPLICA_PORT_LIST[@]} -gt 0 ]] && restore_topology
  stop_proxy
  if [[ $TABLES_CREATED == true ]]; then
    drop_tables
    "$TOPOLOGY_SH" wait-replication --timeout 120 || note "warning: the replicas did not catch up after the cleanup"
  fi
  if [[ -n $WORK_DIR ]]; then
    if ((status == 0)); then rm -rf "$WORK_DIR"; else note "logs kept in $WORK_DIR"; fi
  fi
  exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Results

summary_count() {  # summary_count LABEL FILE -> first number after "LABEL:"
  awk -v label="$1" '{ line = $0; sub(/^ +/, "", line) }
    index(line, label ":") == 1 { sub(label ":", "", line); split(line, f, " "); print f[1]; exit }' "$2"
}

summary_rate() {  # summary_rate LABEL FILE -> the "(N per sec.)" figure after "LABEL:"
  awk -v label="$1" '{ line = $0; sub(/^ +/, "", line) }
    index(line, label ":") == 1 && match(line, /\([0-9.]+ per sec/) {
      print substr(line, RSTART + 1, RLENGTH - 9); exit }' "$2"
}

check_sysbench_loads() {
  local name status log transactions queries qps errors reconnects kind
  for name in "${LOAD_NAMES[@]}"; do
    log=$WORK_DIR/$name.log
    kind="read/write load"
    [[ $name == ro_* ]] && kind="read load"
    status=$(awk -v n="$name" '$1 == n { print $2 }' "$WORK_DIR/load.status")
    transactions=$(summary_count transactions "$log")
    queries=$(summary_count queries "$log")
    qps=$(summary_rate queries "$log")
    errors=$(summary_count "ignored errors" "$log")
    reconnects=$(summary_count reconnects "$log")
    note "$name: exit $status, ${transactions:-?} transactions, ${queries:-?} queries (${qps:-?}/s)," \
      "${errors:-?} errors, ${reconnects:-?} reconnects"
    if [[ $status != 0 ]]; then
      check_failed "$name: sysbench exited with status $status; its last lines:"
      grep -E 'FATAL|error|Error' "$log" | head -n 5 >&2 || tail -n 5 "$log" >&2
      continue
    fi
    [[ $transactions =~ ^[0-9]+$ && $errors =~ ^[0-9]+$ && $reconnects =~ ^[0-9]+$ ]] ||
      { check_failed "$name: could not parse the sysbench summary"; continue; }
    check $((transactions > 0 ? 0 : 1)) "$name: $transactions transactions (> 0)"
    check $((errors == 0 ? 0 : 1)) "$name: $errors client-visible errors ($kind)"
    check $((reconnects == 0 ? 0 : 1)) "$name: $reconnects reconnects"
  done
}

writer_value() { sed -n "s/^$1=//p" "$WORK_DIR/writer.summary"; }

check_writer() {
  local status
  status=$(awk '$1 == "writer" { print $2 }' "$WORK_DIR/load.status")
  if [[ $status != 0 || ! -s $WORK_DIR/writer.summary ]]; then
    check_failed "writer: exited with status $status; its output:"
    tail -n 10 "$WORK_DIR/writer.log" >&2
    return
  fi
  local acked rejected in_doubt reads stale read_errors reconnects last_error
  acked=$(writer_value acked) rejected=$(writer_value rejected) in_doubt=$(writer_value in_doubt)
  reads=$(writer_value reads) stale=$(writer_value stale_reads) read_errors=$(writer_value read_errors)
  reconnects=$(writer_value reconnects) last_error=$(writer_value last_error)
  note "writer: $acked acknowledged INSERTs ($((acked / DURATION_S))/s), $rejected rejected," \
    "$in_doubt in doubt, $reads read-backs ($stale stale, $read_errors failed), $reconnects reconnects" \
    "${last_error:+; last error: $last_error}"
  check $((acked > 0 ? 0 : 1)) "writer: $acked acknowledged INSERTs (> 0)"
  check $((rejected == 0 ? 0 : 1)) "writer: $rejected rejected INSERTs"
  check $((in_doubt == 0 ? 0 : 1)) "writer: $in_doubt INSERTs in doubt (connection lost)"
  check $((read_errors == 0 ? 0 : 1)) "writer: $read_errors failed read-backs"
  check $((stale == 0 ? 0 : 1)) "writer: $stale stale read-backs (fewer rows than acknowledged)"

  local rows missing
  if ! rows=$(sql_as_admin "$MASTER_PORT" "SELECT COUNT(*) FROM $APP_DB.$WRITES_TABLE") ||
    ! sql_as_admin "$MASTER_PORT" "SELECT seq FROM $APP_DB.$WRITES_TABLE" | sort >"$WORK_DIR/master_seqs"; then
    check_failed "writer: cannot read $APP_DB.$WRITES_TABLE on the master"
    return
  fi
  missing=$(sort "$WORK_DIR/acked_seqs" | comm -23 - "$WORK_DIR/master_seqs" | wc -l)
  check $((missing == 0 ? 0 : 1)) "writer: $missing acknowledged rows missing on the master"
  if ((in_doubt == 0)); then
    check $((rows == acked ? 0 : 1)) "writer: master has $rows rows, acknowledged $acked (must be equal)"
  else
    check $((rows >= acked && rows <= acked + in_doubt ? 0 : 1)) \
      "writer: master has $rows rows, between $acked acknowledged and $((acked + in_doubt)) (in doubt)"
  fi
}

check_rss() {
  local samples=$WORK_DIR/rss.samples warmup_s=$((DURATION_S / 3))
  local first warm last n
  n=$(awk 'NF == 2' "$samples" | wc -l)
  if ((n < 3)); then
    check_failed "RSS: only $n samples"
    return
  fi
  first=$(awk 'NF == 2 { print $2; exit }' "$samples")
  # The first sample at or after the warm-up's end, and the last one.
  warm=$(awk -v w="$warmup_s" 'NF == 2 && $1 >= w { print $2; exit }' "$samples")
  last=$(awk 'NF == 2 { v = $2 } END { print v }' "$samples")
  local growth=$((last - warm)) limit=$((warm * RSS_GROWTH_PERCENT / 100))
  ((limit >= RSS_GROWTH_MIN_MIB * 1024)) || limit=$((RSS_GROWTH_MIN_MIB * 1024))
  local k=$(((n + 15) / 16))  # at most 16 samples shown
  note "RSS (KiB): start $first, after the warm-up (${warmup_s}s) $warm, end $last; $n samples, one in $k" \
    "(s:KiB): $(awk -v k="$k" 'NF == 2 && (NR - 1) % k == 0 { printf "%s:%s ", $1, $2 }' "$samples")"
  check $((growth <= limit ? 0 : 1)) "RSS growth after the warm-up: $growth KiB" \
    "($((growth * 60 / (DURATION_S - warmup_s))) KiB/min; limit $limit KiB: ${RSS_GROWTH_PERCENT}% of $warm, at least ${RSS_GROWTH_MIN_MIB} MiB)"
}

# Counters of the proxy over the run: FILE "KEY VALUE" lines.
snapshot_metrics() {  # snapshot_metrics FILE
  local name
  {
    echo "replica_reads $(metric_sum rwproxy_routed_statements_total 'target="replica"')"
    echo "read_retries $(metric_sum rwproxy_read_retries_total)"
    echo "fallbacks $(metric_sum rwproxy_replica_fallbacks_total)"
    echo "backend_errors $(metric_sum rwproxy_backend_errors_total)"
    echo "statements_master $(metric_sum rwproxy_backend_statements_total 'backend="master"')"
    for name in "${REPLICA_NAMES[@]}"; do
      echo "statements_$name $(metric_sum rwproxy_backend_statements_total "backend=\"$name\"")"
    done
  } >"$1"
}

metric_delta() {  # metric_delta KEY -> after - before
  local before after
  before=$(awk -v k="$1" '$1 == k { print $2 }' "$WORK_DIR/metrics.before")
  after=$(awk -v k="$1" '$1 == k { print $2 }' "$WORK_DIR/metrics.after")
  echo $((after - before))
}

report_proxy_metrics() {
  if ! snapshot_metrics "$WORK_DIR/metrics.after"; then
    check_failed "cannot scrape the metrics after the run"
    return
  fi
  local name per_backend
  per_backend="master $(metric_delta statements_master)"
  for name in "${REPLICA_NAMES[@]}"; do per_backend+=", $name $(metric_delta "statements_$name")"; done
  note "proxy: statements per backend: $per_backend; read retries $(metric_delta read_retries)," \
    "fallbacks to the master $(metric_delta fallbacks), backend connection errors $(metric_delta backend_errors)"
  local replica_reads
  replica_reads=$(metric_delta replica_reads)
  check $((replica_reads > 0 ? 0 : 1)) "reads routed to replicas during the run: $replica_reads (> 0)"
}

check_faults() {
  local kind
  local -a kinds=(stop lag)
  [[ $DRAIN == on ]] && kinds+=(drain)
  for kind in "${kinds[@]}"; do
    check $((FAULTS[$kind] > 0 ? 0 : 1)) "faults injected: $kind ${FAULTS[$kind]} (>= 1)"
  done
  [[ $DRAIN == on ]] || note "SKIPPED: drain faults (SOAK_DRAIN=off)"
}

# ---------------------------------------------------------------------------------------------

main() {
  (($# >= 1 && $# <= 2)) || { note "usage: $0 <path/to/rwproxy> [SECONDS]"; exit 2; }
  local proxy_bin=$1
  DURATION_S=${2:-${SOAK_SECONDS:-60}}
  # One fault of each kind needs about a minute (FIRST_FAULT_AFTER_S + the budgets + SETTLE_S).
  if ! [[ $DURATION_S =~ ^[0-9]+$ ]] || ((DURATION_S < 60)); then
    note "SECONDS must be a number >= 60"
    exit 2
  fi
  [[ $DRAIN == on || $DRAIN == off ]] || { note "SOAK_DRAIN must be on or off"; exit 2; }
  [[ -x $proxy_bin ]] || fail "rwproxy binary '$proxy_bin' is not executable"
  command -v sysbench >/dev/null || fail "sysbench is not installed"
  command -v mariadb >/dev/null || fail "the mariadb client is not installed"
  "$PYTHON" -c 'import pymysql' 2>/dev/null || fail "$PYTHON has no pymysql (python3-pymysql)"

  trap cleanup EXIT
  trap 'exit 130' INT TERM
  local log_dir=${RWPROXY_TEST_LOG_DIR:-${TMPDIR:-/tmp}}
  mkdir -p "$log_dir"
  WORK_DIR=$(mktemp -d "$log_dir/rwproxy-soak.XXXXXX")
  load_topology
  start_proxy "$proxy_bin"
  prepare_tables
  wait_all_eligible
  snapshot_metrics "$WORK_DIR/metrics.before" || fail "cannot scrape the metrics"

  local load_start=$SECONDS
  start_rss_sampler
  start_loads
  run_fault_schedule "$load_start"
  wait_loads
  stop_rss_sampler
  note "load done after $(elapsed_since "$load_start")s; faults injected: stop ${FAULTS[stop]}," \
    "lag ${FAULTS[lag]}, drain ${FAULTS[drain]}"

  if kill -0 "$PROXY_PID" 2>/dev/null; then
    note "ok   rwproxy still running (pid $PROXY_PID)"
  else
    check_failed "rwproxy died during the run"
    show_proxy_log
  fi
  check_sysbench_loads
  check_writer
  report_proxy_metrics
  check_rss
  check_faults
  if ((${#FAILURES[@]} > 0)); then
    note "${#FAILURES[@]} check(s) failed:"
    printf '  %s\n' "${FAILURES[@]}" >&2
    exit 1
  fi
  note "PASS"
}

main "$@"
