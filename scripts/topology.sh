#!/usr/bin/env bash
# Local MariaDB topology for rwproxy: one master and N GTID replicas, run as plain background
# processes on 127.0.0.1 with their own datadirs under $RWPROXY_STATE_DIR/topology/.
# The contract (ports, env, generated files) is in docs/CONTRACTS.md.
#
#   scripts/topology.sh up [--replicas N]       start (idempotent), write topology.env + rwproxy.toml
#                                               (servers and proxy [tls] on a throwaway CA in topology/tls)
#   scripts/topology.sh down                    stop our servers, remove the topology state
#   scripts/topology.sh status                  one line per server; exit 1 unless all healthy
#   scripts/topology.sh config [--replicas N]   print the proxy config for this topology
#   scripts/topology.sh wait-replication [--timeout S]
#                                               wait until every replica has applied the master's binlog
#   scripts/topology.sh stop-server NAME        stop one server (master, replica1, ...) cleanly: SIGTERM,
#                                               wait (SIGKILL after 30 s); its datadir is kept
#   scripts/topology.sh start-server NAME       start a server stopped that way on its datadir and wait
#                                               until it accepts connections (a replica resumes replicating)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT

readonly BASE_PORT=${RWPROXY_TOPOLOGY_BASE_PORT:-23306}
readonly PROXY_PORT=${RWPROXY_PORT:-6033}
readonly METRICS_PORT=${RWPROXY_METRICS_PORT:-9187}
readonly HOST=127.0.0.1

readonly APP_USER=app APP_PASSWORD=app-secret APP_DB=rwtest
readonly ADMIN_USER=rwadmin ADMIN_PASSWORD=admin-secret
readonly MONITOR_USER=rwmonitor MONITOR_PASSWORD=monitor-secret
readonly SYSBENCH_DB=sbtest
readonly REPL_USER=rwrepl REPL_PASSWORD=repl-secret

readonly START_TIMEOUT_S=60
readonly STOP_TIMEOUT_S=30
readonly DEFAULT_REPLICATION_TIMEOUT_S=30

# ---------------------------------------------------------------------------------------------
# Small helpers

log() { printf 'topology: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

now_us() { echo "${EPOCHREALTIME/./}"; }

elapsed_s() {  # elapsed_s START_US -> "3.21"
  local us=$(($(now_us) - $1))
  printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

ms_as_seconds() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

absolute_dir() {  # creates the directory and prints its absolute path
  mkdir -p "$1"
  (cd "$1" && pwd)
}

STATE_DIR=$(absolute_dir "${RWPROXY_STATE_DIR:-$REPO_ROOT/.state}")
readonly STATE_DIR
readonly TOPO_DIR=$STATE_DIR/topology
readonly TEMPLATE_DIR=$STATE_DIR/mariadb-template
readonly ENV_FILE=$TOPO_DIR/topology.env
readonly TOML_FILE=$TOPO_DIR/rwproxy.toml
readonly TLS_DIR=$TOPO_DIR/tls  # a throwaway CA and certificates (scripts/make_test_certs.sh)

# One `up`/`down` at a time per state dir. The lock file lives outside topology/ (which `down`
# removes); fd 9 is closed for every server we start so they never hold the lock.
take_lock() {
  exec 9>"$STATE_DIR/.topology.lock"
  flock -w 300 9 || die "another topology.sh holds $STATE_DIR/.topology.lock"
}

write_atomically() {  # write_atomically FILE  (content on stdin)
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  chmod 644 "$tmp"
  cat >"$tmp"
  mv -f "$tmp" "$1"
}

# ---------------------------------------------------------------------------------------------
# Servers: names, ports, files

server_names() {  # server_names N -> master replica1 .. replicaN
  local i
  echo master
  for ((i = 1; i <= $1; i++)); do echo "replica$i"; done
}

server_index() {  # master -> 0, replicaK -> K
  [[ $1 == master ]] && echo 0 || echo "${1#replica}"
}

# A server that exists keeps the port it was started with (recorded in its directory).
server_port() {
  local recorded=$TOPO_DIR/$1/port
  if [[ -s $recorded ]]; then cat "$recorded"; else echo $((BASE_PORT + $(server_index "$1"))); fi
}
server_id() { echo $((1 + $(server_index "$1"))); }
server_role() { [[ $1 == master ]] && echo master || echo replica; }
server_dir() { echo "$TOPO_DIR/$1"; }
# Unix socket paths must stay short (sun_path is 108 bytes), so they live in /tmp.
socket_path() { echo "/tmp/rwproxy-$1.sock"; }

# Names of the servers present in the state dir (from a previous or current run).
existing_server_names() {
  local dir
  [[ -d $TOPO_DIR ]] || return 0
  for dir in "$TOPO_DIR"/master "$TOPO_DIR"/replica*; do
    [[ -d $dir ]] && basename "$dir"
  done
  return 0
}

# Prints the pid of server NAME if it is running: the pid file names a live mariadbd whose
# command line carries this server's datadir (guards against pid reuse and zombies).
running_pid() {
  local dir pid cmdline
  dir=$(server_dir "$1")
  [[ -s $dir/server.pid ]] || return 1
  pid=$(<"$dir/server.pid")
  is_uint "$pid" || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *mariadbd*"--datadir=$dir/data "* ]] || return 1
  echo "$pid"
}

# Runs SQL as root over the server's Unix socket (root authenticates with unix_socket).
root_client() {  # root_client PORT [client args...]
  local port=$1
  shift
  mariadb --no-defaults --protocol=socket --socket="$(socket_path "$port")" -uroot \
    --batch --connect-timeout=5 "$@"
}

sql_on() {  # sql_on PORT SQL -> rows, tab separated, no header
  root_client "$1" --skip-column-names -e "$2"
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# Server options

server_args() {  # server_args NAME -> one mariadbd argument per line
  local name=$1 dir port
  dir=$(server_dir "$name")
  port=$(server_port "$name")
  cat <<EOF
--no-defaults
--user=root
--datadir=$dir/data
--port=$port
--bind-address=$HOST
--socket=$(socket_path "$port")
--pid-file=$dir/mariadbd.pid
--log-error=$dir/error.log
--tmpdir=$dir/tmp
--server-id=$(server_id "$name")
--report-host=$HOST
--report-port=$port
--log-bin=mariadb-bin
--relay-log=relay-bin
--binlog-format=ROW
--log-slave-updates=ON
--gtid-strict-mode=ON
--slave-parallel-threads=0
--max-allowed-packet=256M
--local-infile=ON
--skip-name-resolve
--max-connections=1000
--max-connect-errors=1000000000
--character-set-server=utf8mb4
--collation-server=utf8mb4_general_ci
--performance-schema=OFF
--ssl-cert=$TLS_DIR/server.pem
--ssl-key=$TLS_DIR/server-key.pem
--ssl-ca=$TLS_DIR/ca.pem
$(innodb_args)
EOF
  [[ $(server_role "$name") == replica ]] && echo "--read-only=ON"
  return 0
}

innodb_args() {
  # Small and not durable across power loss: this is a throwaway test topology.
  printf '%s\n' --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
    --innodb-flush-log-at-trx-commit=2
}

# ---------------------------------------------------------------------------------------------
# Template datadir: mariadb-install-db runs once; each server gets a copy.

template_stamp() { mariadbd --version; }

ensure_template() {
  if [[ -f $TEMPLATE_DIR/stamp && $(<"$TEMPLATE_DIR/stamp") == "$(template_stamp)" ]]; then
    return 0
  fi
  log "creating template datadir (mariadb-install-db)"
  local tmp
  tmp=$(mktemp -d "$STATE_DIR/mariadb-template.tmp.XXXXXX")
  # Anonymous accounts would shadow 'app'@'%' for some connections: drop them.
  cat >"$tmp/extra.sql" <<'EOF'
DELETE FROM mysql.global_priv WHERE User = '';
EOF
  local -a innodb
  mapfile -t innodb < <(innodb_args)
  # Its own tmpdir: a server starting elsewhere removes #sql temporary files in a shared /tmp,
  # including the bootstrap's (ERROR 1051 Unknown table 'mysql.tmp_user_sys').
  mkdir -p "$tmp/tmpdir"
  if ! mariadb-install-db --no-defaults --user=root --datadir="$tmp/data" --tmpdir="$tmp/tmpdir" \
    --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
    --extra-file="$tmp/extra.sql" "${innodb[@]}" >"$tmp/install.log" 2>&1 9>&-; then
    cat "$tmp/install.log" >&2
    rm -rf "$tmp"
    die "mariadb-install-db failed"
  fi
  template_stamp >"$tmp/stamp"
  rm -rf "$TEMPLATE_DIR"
  mv "$tmp" "$TEMPLATE_DIR"
}

# ---------------------------------------------------------------------------------------------
# Start / stop

start_server() {  # start_server NAME
  local name=$1 dir
  dir=$(server_dir "$name")
  mkdir -p "$dir/tmp"
  server_port "$name" >"$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port"
  cp -a "$TEMPLATE_DIR/data" "$dir/data"
  launch_server "$name"
}

launch_server() {  # launch_server NAME: mariadbd on the server's existing datadir, in the background
  local name=$1 dir
  dir=$(server_dir "$name")
  local -a args
  mapfile -t args < <(server_args "$name")
  setsid mariadbd "${args[@]}" </dev/null >>"$dir/console.log" 2>&1 9>&- &
  echo $! >"$dir/server.pid"
}

wait_until_accepting() {  # wait_until_accepting NAME
  local name=$1 port deadline
  port=$(server_port "$name")
  deadline=$(($(now_us) + START_TIMEOUT_S * 1000000))
  until sql_on "$port" 'SELECT 1' >/dev/null 2>&1; do
    if ! running_pid "$name" >/dev/null; then
      tail -n 30 "$(server_dir "$name")/error.log" >&2 || true
      die "$name (port $port) exited during startup; log: $(server_dir "$name")/error.log"
    fi
    (($(now_us) < deadline)) || die "$name (port $port) did not accept connections in ${START_TIMEOUT_S}s"
    sleep 0.1
  done
}

stop_servers() {  # stop_servers NAME...: SIGTERM, wait, then SIGKILL
  local name pid
  local -a pids=()
  for name in "$@"; do
    pid=$(running_pid "$name") || continue
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$name:$pid")
  done
  ((${#pids[@]} > 0)) || return 0

  local deadline entry alive
  deadline=$(($(now_us) + STOP_TIMEOUT_S * 1000000))
  while :; do
    alive=()
    for entry in "${pids[@]}"; do
      running_pid "${entry%%:*}" >/dev/null && alive+=("$entry")
    done
    ((${#alive[@]} > 0)) || break
    if (($(now_us) >= deadline)); then
      for entry in "${alive[@]}"; do
        log "${entry%%:*} (pid ${entry#*:}) ignored SIGTERM for ${STOP_TIMEOUT_S}s; sending SIGKILL"
        kill -KILL "${entry#*:}" 2>/dev/null || true
      done
      sleep 0.5
      break
    fi
    sleep 0.1
  done
}

# Stops whatever servers a previous run left and removes its state (and stale sockets).
remove_topology() {
  local -a names
  mapfile -t names < <(existing_server_names)
  stop_servers "${names[@]}"
  local name port
  for name in "${names[@]}"; do
    port=$(server_port "$name")
    [[ -S $(socket_path "$port") ]] && ! port_in_use "$port" && rm -f "$(socket_path "$port")"
  done
  rm -rf "$TOPO_DIR"
}

# ---------------------------------------------------------------------------------------------
# Users and replication

quote() { printf "'%s'" "${1//\'/\'\'}"; }

master_setup_sql() {
  local host
  cat <<EOF
CREATE DATABASE IF NOT EXISTS $APP_DB;
CREATE DATABASE IF NOT EXISTS $SYSBENCH_DB;
CREATE USER $(quote "$REPL_USER")@'$HOST'
  IDENTIFIED VIA mysql_native_password USING PASSWORD($(quote "$REPL_PASSWORD"));
GRANT REPLICATION SLAVE ON *.* TO $(quote "$REPL_USER")@'$HOST';
EOF
  # 'localhost' matches Unix-socket clients (skip-name-resolve), '%' every TCP client.
  for host in '%' localhost; do
    cat <<EOF
CREATE USER $(quote "$APP_USER")@$(quote "$host")
  IDENTIFIED VIA mysql_native_password USING PASSWORD($(quote "$APP_PASSWORD"));
GRANT ALL ON $APP_DB.* TO $(quote "$APP_USER")@$(quote "$host");
GRANT ALL ON $SYSBENCH_DB.* TO $(quote "$APP_USER")@$(quote "$host");
EOF
  done
  for host in "$HOST" localhost; do
    cat <<EOF
CREATE USER $(quote "$ADMIN_USER")@$(quote "$host")
  IDENTIFIED VIA mysql_native_password USING PASSWORD($(quote "$ADMIN_PASSWORD"));
GRANT ALL PRIVILEGES ON *.* TO $(quote "$ADMIN_USER")@$(quote "$host") WITH GRANT OPTION;
CREATE USER $(quote "$MONITOR_USER")@$(quote "$host")
  IDENTIFIED VIA mysql_native_password USING PASSWORD($(quote "$MONITOR_PASSWORD"));
GRANT SLAVE MONITOR ON *.* TO $(quote "$MONITOR_USER")@$(quote "$host");
GRANT CREATE, INSERT, UPDATE, SELECT ON rwproxy.* TO $(quote "$MONITOR_USER")@$(quote "$host");
EOF
  done
}

replica_setup_sql() {
  cat <<EOF
CHANGE MASTER TO
  MASTER_HOST='$HOST', MASTER_PORT=$BASE_PORT,
  MASTER_USER=$(quote "$REPL_USER"), MASTER_PASSWORD=$(quote "$REPL_PASSWORD"),
  MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;
START SLAVE;
EOF
}

slave_status_field() {  # slave_status_field PORT FIELD -> value ("" if not a replica)
  root_client "$1" --vertical -e 'SHOW SLAVE STATUS' 2>/dev/null |
    awk -v f="$2" -F': ' '$1 ~ "^ *"f"$" { print $2; exit }'
}

replication_running() {  # replication_running PORT
  [[ $(slave_status_field "$1" Slave_IO_Running) == Yes &&
    $(slave_status_field "$1" Slave_SQL_Running) == Yes ]]
}

# Waits until each replica has applied everything in the master's binlog.
wait_replication() {  # wait_replication TIMEOUT_S MASTER_PORT REPLICA_PORT...
  local timeout_s=$1 master_port=$2
  shift 2
  local target deadline port remaining_ms result
  target=$(sql_on "$master_port" 'SELECT @@global.gtid_binlog_pos') ||
    die "cannot query the master on port $master_port"
  deadline=$(($(now_us) + timeout_s * 1000000))
  for port in "$@"; do
    remaining_ms=$(((deadline - $(now_us)) / 1000))
    ((remaining_ms > 0)) || remaining_ms=0
    result=$(sql_on "$port" "SELECT MASTER_GTID_WAIT($(quote "$target"), $(ms_as_seconds "$remaining_ms"))") ||
      die "cannot query the replica on port $port"
    if [[ $result != 0 ]]; then
      log "replica $port has not reached master gtid '$target' within ${timeout_s}s:" \
        "gtid_slave_pos='$(sql_on "$port" 'SELECT @@global.gtid_slave_pos')'" \
        "io=$(slave_status_field "$port" Slave_IO_Running)" \
        "sql=$(slave_status_field "$port" Slave_SQL_Running)" \
        "last_error='$(slave_status_field "$port" Last_Error)'"
      return 1
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# Generated files

replica_ports_for() {  # replica_ports_for N
  local i
  local -a ports=()
  for ((i = 1; i <= $1; i++)); do ports+=($((BASE_PORT + i))); done
  echo "${ports[*]}"
}

write_env_file() {  # write_env_file N
  local ports sockets="" port
  ports=$(replica_ports_for "$1")
  for port in $ports; do sockets+="${sockets:+ }$(socket_path "$port")"; done
  write_atomically "$ENV_FILE" <<EOF
# Generated by scripts/topology.sh up; shell-sourceable.
TOPOLOGY_DIR='$TOPO_DIR'
MASTER_HOST='$HOST'
MASTER_PORT='$BASE_PORT'
MASTER_SOCKET='$(socket_path "$BASE_PORT")'
REPLICA_PORTS='$ports'
REPLICA_SOCKETS='$sockets'
APP_USER='$APP_USER'
APP_PASSWORD='$APP_PASSWORD'
APP_DB='$APP_DB'
ADMIN_USER='$ADMIN_USER'
ADMIN_PASSWORD='$ADMIN_PASSWORD'
MONITOR_USER='$MONITOR_USER'
MONITOR_PASSWORD='$MONITOR_PASSWORD'
SYSBENCH_DB='$SYSBENCH_DB'
PROXY_PORT='$PROXY_PORT'
PROXY_CONFIG='$TOML_FILE'
EOF
}

proxy_config() {  # proxy_config N -> TOML on stdout
  local n=$1 i
  cat <<EOF
# rwproxy configuration for the local topology (generated by scripts/topology.sh).

[proxy]
listen_address = "$HOST"
listen_port = $PROXY_PORT
worker_threads = 2
max_packet_size = 67108864
server_version = "5.5.5-10.11.0-MariaDB-rwproxy"
max_client_connections = 10000
caching_sha2_password_private_key_path = "$TLS_DIR/rsa-key.pem"

[timeouts]
connect_timeout_ms = 2000
handshake_timeout_ms = 5000
client_idle_timeout_ms = 28800000
shutdown_timeout_ms = 10000

[routing]
read_after_write_window_ms = 1000
max_replica_lag_ms = 1000
readmit_replica_lag_ms = 500
no_eligible_replica = "master"

[tls]
certificate = "$TLS_DIR/server.pem"
private_key = "$TLS_DIR/server-key.pem"
ca = "$TLS_DIR/ca.pem"

[monitor]
enabled = true
interval_ms = 250
user = "$MONITOR_USER"
password = "$MONITOR_PASSWORD"
connect_timeout_ms = 1000
heartbeat = true
heartbeat_table = "rwproxy.heartbeat"

[metrics]
enabled = true
listen_address = "$HOST"
listen_port = $METRICS_PORT

[[backends]]
name = "master"
role = "master"
host = "$HOST"
port = $BASE_PORT
EOF
  for ((i = 1; i <= n; i++)); do
    cat <<EOF

[[backends]]
name = "replica$i"
role = "replica"
host = "$HOST"
port = $((BASE_PORT + i))
weight = 1
EOF
  done
  cat <<EOF

[[users]]
name = "$APP_USER"
password = "$APP_PASSWORD"
EOF
}

# The throwaway CA and certificates of the topology (servers and proxy use them), made once.
ensure_tls_files() {
  [[ -f $TLS_DIR/rsa-key.pem ]] || "$REPO_ROOT/scripts/make_test_certs.sh" "$TLS_DIR" 3650 ||
    die "making the test certificates failed (is openssl installed?)"
}

write_generated_files() {  # write_generated_files N
  ensure_tls_files
  write_env_file "$1"
  proxy_config "$1" | write_atomically "$TOML_FILE"
}

# Prints variable VAR from the recorded topology.env (nothing if there is no topology).
# Parsed rather than sourced: the names clash with this script's readonly settings.
recorded_var() {
  [[ -f $ENV_FILE ]] || return 0
  sed -n "s/^$1='\\(.*\\)'\$/\\1/p" "$ENV_FILE"
}

# Replica count of the topology in the state dir, empty if there is none.
recorded_replica_count() {
  [[ -f $ENV_FILE ]] || return 0
  local -a ports
  read -r -a ports <<<"$(recorded_var REPLICA_PORTS)"
  echo "${#ports[@]}"
}

recorded_master_port() { recorded_var MASTER_PORT; }

# ---------------------------------------------------------------------------------------------
# Health

# Prints why the recorded topology is not healthy; succeeds (printing nothing) if it is.
health_problem() {  # health_problem N
  local name port
  while read -r name; do
    port=$(server_port "$name")
    running_pid "$name" >/dev/null || { echo "$name is not running"; return 0; }
    sql_on "$port" 'SELECT 1' >/dev/null 2>&1 || { echo "$name does not answer"; return 0; }
    if [[ $name != master ]] && ! replication_running "$port"; then
      echo "$name: replication is not running"
      return 0
    fi
    if [[ $name == master ]] &&
      [[ $(sql_on "$port" "SELECT COUNT(*) FROM mysql.user WHERE user = '$MONITOR_USER'" 2>/dev/null) == 0 ]]; then
      echo "master has no $MONITOR_USER account (made by an older version of this script)"
      return 0
    fi
  done < <(server_names "$1")
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_up() {
  local replicas=2 replicas_given=false
  while (($#)); do
    case $1 in
      --replicas) replicas=${2:?--replicas needs a number}; replicas_given=true; shift 2 ;;
      --replicas=*) replicas=${1#*=}; replicas_given=true; shift ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  is_uint "$replicas" || die "--replicas must be a non-negative integer"

  local started
  started=$(now_us)
  take_lock

  if [[ -f $ENV_FILE ]]; then
    local recorded problem
    recorded=$(recorded_replica_count)
    problem=$(health_problem "$recorded")
    if [[ -z $problem ]]; then
      if [[ $replicas_given == true && $recorded != "$replicas" ]] ||
        [[ $(recorded_master_port) != "$BASE_PORT" ]]; then
        die "a topology with master port $(recorded_master_port) and $recorded replica(s) is up;" \
          "run 'scripts/topology.sh down' first"
      fi
      write_generated_files "$recorded"
      log "already up and healthy (master $BASE_PORT, replicas: $(replica_ports_for "$recorded")); $TOPO_DIR"
      return 0
    fi
    log "existing topology is not healthy ($problem); recreating"
  elif [[ -d $TOPO_DIR ]]; then
    log "cleaning up leftovers of an earlier run in $TOPO_DIR"
  fi
  remove_topology

  local name port
  local -a names
  mapfile -t names < <(server_names "$replicas")
  for name in "${names[@]}"; do
    port=$(server_port "$name")
    port_in_use "$port" && die "port $port is already in use by another process"
  done

  ensure_template
  mkdir -p "$TOPO_DIR"
  ensure_tls_files
  trap 'on_up_failure' EXIT
  for name in "${names[@]}"; do start_server "$name"; done
  for name in "${names[@]}"; do wait_until_accepting "$name"; done

  sql_on "$BASE_PORT" "$(master_setup_sql)" >/dev/null || die "setting up users on the master failed"
  for name in "${names[@]:1}"; do
    sql_on "$(server_port "$name")" "$(replica_setup_sql)" >/dev/null ||
      die "configuring replication on $name failed"
  done
  local -a replica_ports
  read -r -a replica_ports <<<"$(replica_ports_for "$replicas")"
  wait_replication "$DEFAULT_REPLICATION_TIMEOUT_S" "$BASE_PORT" "${replica_ports[@]}" ||
    die "replicas did not catch up"
  for port in "${replica_ports[@]}"; do
    [[ $(sql_on "$port" "SELECT COUNT(*) FROM mysql.user WHERE User = $(quote "$APP_USER")") -gt 0 ]] ||
      die "user $APP_USER missing on replica $port"
    replication_running "$port" || die "replication is not running on replica $port"
  done

  write_generated_files "$replicas"
  trap - EXIT
  log "up in $(elapsed_s "$started") s: master $BASE_PORT, replicas: ${replica_ports[*]:-none};" \
    "env $ENV_FILE, proxy config $TOML_FILE"
}

# Leaves logs in place for diagnosis but never leaves half a topology running.
on_up_failure() {
  local -a names
  mapfile -t names < <(existing_server_names)
  stop_servers "${names[@]}"
  log "up failed; servers stopped, logs kept in $TOPO_DIR (the next 'up' cleans it)"
}

cmd_down() {
  (($# == 0)) || die "down takes no options"
  local started
  started=$(now_us)
  take_lock
  if [[ ! -d $TOPO_DIR ]]; then
    log "nothing to stop ($TOPO_DIR does not exist)"
    return 0
  fi
  remove_topology
  log "down in $(elapsed_s "$started") s"
}

cmd_status() {
  (($# == 0)) || die "status takes no options"
  [[ -f $ENV_FILE ]] || { log "no topology in $TOPO_DIR"; return 3; }
  local replicas name port pid state sid repl healthy=true
  replicas=$(recorded_replica_count)
  printf '%-10s %-8s %-6s %-8s %-5s %-9s %s\n' NAME ROLE PORT PID STATE SERVER_ID REPLICATION
  while read -r name; do
    port=$(server_port "$name")
    pid=$(running_pid "$name") || pid=-
    state=down sid=- repl=-
    if [[ $pid != - ]] && sid=$(sql_on "$port" 'SELECT @@server_id' 2>/dev/null); then
      state=up
      repl=$(replication_summary "$name" "$port")
    else
      sid=-
      healthy=false
    fi
    [[ $name != master && $state == up ]] && ! replication_running "$port" && healthy=false
    printf '%-10s %-8s %-6s %-8s %-5s %-9s %s\n' "$name" "$(server_role "$name")" "$port" "$pid" \
      "$state" "$sid" "$repl"
  done < <(server_names "$replicas")
  [[ $healthy == true ]]
}

replication_summary() {  # replication_summary NAME PORT
  local port=$2
  if [[ $1 == master ]]; then
    echo "binlog_gtid=$(sql_on "$port" 'SELECT @@global.gtid_binlog_pos')"
    return
  fi
  local io sqlt lag gtid err
  io=$(slave_status_field "$port" Slave_IO_Running)
  sqlt=$(slave_status_field "$port" Slave_SQL_Running)
  lag=$(slave_status_field "$port" Seconds_Behind_Master)
  gtid=$(sql_on "$port" 'SELECT @@global.gtid_slave_pos')
  err=$(slave_status_field "$port" Last_Error)
  echo "io=${io:-none} sql=${sqlt:-none} lag=${lag:-?} slave_gtid=$gtid${err:+ last_error=\"$err\"}"
}

cmd_config() {
  local replicas=""
  while (($#)); do
    case $1 in
      --replicas) replicas=${2:?--replicas needs a number}; shift 2 ;;
      --replicas=*) replicas=${1#*=}; shift ;;
      *) die "config: unknown option '$1'" ;;
    esac
  done
  if [[ -z $replicas && -f $TOML_FILE ]]; then
    cat "$TOML_FILE"
    return
  fi
  replicas=${replicas:-2}
  is_uint "$replicas" || die "--replicas must be a non-negative integer"
  proxy_config "$replicas"
}

cmd_wait_replication() {
  local timeout_s=$DEFAULT_REPLICATION_TIMEOUT_S
  while (($#)); do
    case $1 in
      --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
      --timeout=*) timeout_s=${1#*=}; shift ;;
      *) die "wait-replication: unknown option '$1'" ;;
    esac
  done
  is_uint "$timeout_s" || die "--timeout must be a whole number of seconds"
  [[ -f $ENV_FILE ]] || die "no topology in $TOPO_DIR (run 'up' first)"
  local -a replica_ports
  read -r -a replica_ports <<<"$(recorded_var REPLICA_PORTS)"
  wait_replication "$timeout_s" "$(recorded_master_port)" "${replica_ports[@]}"
}

# Checks that NAME is a server of the recorded topology.
known_server() {  # known_server NAME
  local name=$1
  [[ -f $ENV_FILE ]] || die "no topology in $TOPO_DIR (run 'up' first)"
  [[ $name =~ ^(master|replica[1-9][0-9]*)$ && -d $(server_dir "$name")/data ]] ||
    die "no server '$name' in $TOPO_DIR"
}

cmd_stop_server() {
  (($# == 1)) || die "usage: stop-server NAME"
  local name=$1
  take_lock
  known_server "$name"
  if ! running_pid "$name" >/dev/null; then
    log "$name is not running"
    return 0
  fi
  stop_servers "$name"
  running_pid "$name" >/dev/null && die "$name is still running"
  log "$name stopped (port $(server_port "$name"))"
}

cmd_start_server() {
  (($# == 1)) || die "usage: start-server NAME"
  local name=$1 port
  take_lock
  known_server "$name"
  port=$(server_port "$name")
  if running_pid "$name" >/dev/null; then
    log "$name is already running"
  else
    port_in_use "$port" && die "port $port is already in use by another process"
    # A socket file left by a killed server would make mariadbd refuse to start.
    [[ -S $(socket_path "$port") ]] && rm -f "$(socket_path "$port")"
    launch_server "$name"
  fi
  wait_until_accepting "$name"
  log "$name accepts connections (port $port)"
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

main() {
  (($# > 0)) || usage
  local cmd=$1
  shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    config) cmd_config "$@" ;;
    wait-replication) cmd_wait_replication "$@" ;;
    stop-server) cmd_stop_server "$@" ;;
    start-server) cmd_start_server "$@" ;;
    -h | --help | help) usage ;;
    *) log "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
