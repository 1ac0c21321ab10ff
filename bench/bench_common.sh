# shellcheck shell=bash disable=SC2034  # (SC2034: the variables set here are for the sourcing scripts)
# Shell helpers shared by bench/sysbench_compare.sh, bench/syscalls_per_query.sh,
# bench/multiplex_bench.sh, bench/prepared_bench.sh and bench/connect_bench.sh: one copy of each.
# Sourced, not executed, right after `set -euo pipefail`:
#   readonly BENCH_NAME=<script name>
#   source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"
#
# Provides
#   constants   REPO_ROOT, TOPOLOGY (scripts/topology.sh), HOST (127.0.0.1), RWPROXY_SRC_BIN
#               ($RWPROXY_BIN, default <repo>/build/proxy/rwproxy), GO_PACKAGES, GOPATH_DEBIAN, CLK_TCK
#   messages    log, die (prefix BENCH_NAME), usage (prints the sourcing script's header comment)
#   checks      is_uint, require_uints VALUE..., require_tools TOOL..., require_target_tools
#               (haproxy, RWPROXY_SRC_BIN, RWPROXY_PREV_BIN as the TARGETS need them)
#   options     parse_options ARG... (shared_option: --time --threads --rounds --warmup --targets
#               --keep-topology -h/--help, into DURATION_S THREADS ROUNDS WARMUP_S TARGETS
#               KEEP_TOPOLOGY; anything else through the script's script_option), sysbench_option
#               ARG... (--test --tables --table-size --ps-mode, for a script_option),
#               check_sysbench_options
#   run         begin_run TEMPLATE (EXIT trap `cleanup`, STATE_DIR, WORK_DIR), and for cleanup():
#               finish_cleanup STATUS, stop_started_topology, drop_bench_table
#   processes   port_in_use, free_port_from, wait_for_port, stop_process, cpu_ticks PID
#               (utime+stime from /proc/PID/stat), cpu_ticks_split PID (-> "UTIME STIME")
#   load client is_installed, ensure_go_packages, build_client (bench/load_client, offline
#               GOPATH build into the work dir; sets CLIENT_BIN), run_load_client MODE TARGET
#               SECONDS JSON LOG [FLAG...], json_fields FILE KEY...
#   topology    use_topology DEFAULT_STATE_DIR DEFAULT_BASE_PORT, ensure_topology (reuse or start,
#               source topology.env), admin_sql PORT SQL, prepare_table (APP_DB.BENCH_TABLE)
#   proxies     start_haproxy, start_haproxy_replicas, launch_haproxy, copy_rwproxy, wait_for_ports_file PID FILE LOG (rwproxy --ports-file),
#               write_ports_file_config BINARY FILE (listeners on port 0), start_ports_file_proxy NAME
#               BINARY (rwproxy with that config and a ports file),
#               metrics_text, metric_sum TEXT METRIC [FILTER], wait_replicas_eligible
#   report      check_targets NAME..., has_target, target_port, target_pid, median VALUE...
#   rounds      round_targets ROUND (-> ROUND_TARGETS, rotated), run_rounds (warm-up and rounds of
#               the script's run_client / run_once; RUNS_FAILED, RUNS_ERRORS), ok TARGET ROUND,
#               fmt FORMAT VALUE, print_run_notes LOG_TARGET...
#   wake-ups    ctxt_switches PID (voluntary + nonvoluntary context switches of all its threads)
#   sysbench    bring_up_topology, launch_rwproxy NAME MULTIPLEXING FIRST_PORT [BINARY],
#               start_target_proxies (haproxy, haproxy_replicas, rwproxy[_tls], rwproxy_nomux,
#               rwproxy_prev as in TARGETS), set_sysbench_test point_select|read_only,
#               sysbench_test_label, sysbench_cmd LIMIT_S PORT COMMAND [ARG...], prepare_data,
#               start_sysbench_run TEMPLATE (-> LOADAVG), warm_up_sysbench WHAT,
#               drop_sysbench_data, sysbench_queries LOG (-> "QUERIES QPS"), latency_percentiles LOG
#               (-> "P95_MS P99_MS" from sysbench --histogram=on), report_header LOADAVG,
#               new_results_file PREFIX, save_report PREFIX (the script's report function)
#
# State kept here (initialised on sourcing, set by the helpers, read by the scripts): WORK_DIR,
# PROXY_BIN, CLIENT_BIN, STARTED_TOPOLOGY, TABLE_CREATED, SERVER_NAMES / SERVER_PORTS (master
# first, then the replicas), REPLICA_COUNT, HAPROXY_PID, HAPROXY_PORT, HAPROXY_REPLICAS_PID,
# HAPROXY_REPLICAS_PORT, RWPROXY_PID, PROXY_PORT, NOMUX_PID, NOMUX_PORT, PREV_PID, PREV_PORT,
# STARTED_PID (the last process started), METRICS_PORT, ELIGIBLE, OPTION_SHIFT, ROUND_TARGETS,
# RUNS_FAILED, RUNS_ERRORS; ensure_topology also sources topology.env (MASTER_PORT,
# REPLICA_PORTS, APP_*, ADMIN_*, ...).
#
# Globals the sourcing script sets (only those of the helpers it calls):
#   BENCH_NAME                          log, die
#   STARTUP_TIMEOUT_S                   wait_for_port, wait_for_ports_file
#   STOP_TIMEOUT_S                      stop_process
#   ELIGIBLE_TIMEOUT_S                  wait_replicas_eligible
#   STATE_DIR, TOPO_DIR                 begin_run, ensure_topology (use_topology sets them)
#   KEEP_TOPOLOGY (1: keep a topology   stop_started_topology
#     this script started)
#   BENCH_TABLE, ROWS                   prepare_table, drop_bench_table
#   TARGETS                             check_targets, has_target, round_targets, run_rounds, print_run_notes
#   ROUNDS, WARMUP_S, DURATION_S, R     run_rounds, ok, print_run_notes (R: the script's
#     (assoc. TARGET,ROUND,KEY)           results, keys ok, errors, note)
#   THREADS, ROWS                       run_load_client
#   TEST, TABLES, TABLE_SIZE, PS_MODE   sysbench_option, check_sysbench_options
#   COMMAND_LINE                        report_header
#   MEDIAN_FORMAT (optional, %.3f)      median
#   TABLES, TABLE_SIZE, PS_MODE         sysbench_cmd, prepare_data (set_sysbench_test sets
#     SYSBENCH_TEST, SYSBENCH_ARGS)       SYSBENCH_TEST and SYSBENCH_ARGS; prepare_data sets
#                                         DATA_PREPARED)
#   RESULTS_DIR                         new_results_file, save_report
#   cleanup, script_option (functions)  begin_run, parse_options
#   run_client, run_once (functions)    run_rounds
#   report (function)                   save_report

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO_ROOT
readonly TOPOLOGY=$REPO_ROOT/scripts/topology.sh
readonly HOST=127.0.0.1
readonly RWPROXY_SRC_BIN=${RWPROXY_BIN:-$REPO_ROOT/build/proxy/rwproxy}
readonly GO_PACKAGES=(golang-go golang-github-go-sql-driver-mysql-dev)
readonly GOPATH_DEBIAN=/usr/share/gocode
CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK

# State the helpers keep (PIDs and ports empty until started).
WORK_DIR=""
PROXY_BIN=""
CLIENT_BIN=""
STARTED_TOPOLOGY=false
TABLE_CREATED=false
SERVER_NAMES=()
SERVER_PORTS=()
REPLICA_COUNT=0
HAPROXY_PID=""
HAPROXY_PORT=""
HAPROXY_REPLICAS_PID=""
HAPROXY_REPLICAS_PORT=""
RWPROXY_PID=""
PROXY_PORT=""
METRICS_PORT=""
STARTED_PID=""
ELIGIBLE=0
NOMUX_PID=""
NOMUX_PORT=""
PREV_PID=""
PREV_PORT=""
RUNS_FAILED=false
RUNS_ERRORS=false

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

require_uints() {  # require_uints VALUE...: dies at the first one that is not a whole number
  local n
  for n; do is_uint "$n" || die "expected a whole number, got '$n'"; done
}

# parse_options ARG...: the command line of a round-based script: the options they all have (see
# shared_option), the others through the sourcing script's script_option ARG..., which takes the
# first ARG if it is one of its own and sets OPTION_SHIFT to the arguments used (0: not its own).
parse_options() {
  while (($#)); do
    shared_option "$@"
    ((OPTION_SHIFT > 0)) || script_option "$@"
    ((OPTION_SHIFT > 0)) || { log "unknown option '$1'"; usage; }
    shift "$OPTION_SHIFT"
  done
}

# shared_option ARG...: takes the first of ARG if it is an option every round-based script has
# (--time, --threads, --rounds, --warmup, --targets a,b,c, --keep-topology, -h/--help) and sets
# OPTION_SHIFT to the number of arguments it used (0: not one of them).
shared_option() {
  OPTION_SHIFT=2
  case $1 in
    --time) DURATION_S=${2:?} ;;
    --threads) THREADS=${2:?} ;;
    --rounds) ROUNDS=${2:?} ;;
    --warmup) WARMUP_S=${2:?} ;;
    --targets) IFS=, read -r -a TARGETS <<<"${2:?}" ;;
    --keep-topology) KEEP_TOPOLOGY=1; OPTION_SHIFT=1 ;;
    -h | --help) usage ;;
    *) OPTION_SHIFT=0 ;;
  esac
}

# sysbench_option ARG...: as shared_option, for the options of the sysbench scripts (--test,
# --tables, --table-size, --ps-mode: TEST, TABLES, TABLE_SIZE, PS_MODE).
sysbench_option() {
  OPTION_SHIFT=2
  case $1 in
    --test) TEST=${2:?} ;;
    --tables) TABLES=${2:?} ;;
    --table-size) TABLE_SIZE=${2:?} ;;
    --ps-mode) PS_MODE=${2:?} ;;
    *) OPTION_SHIFT=0 ;;
  esac
}

# check_sysbench_options: PS_MODE is auto or disable; TEST chosen (set_sysbench_test).
check_sysbench_options() {
  [[ $PS_MODE == auto || $PS_MODE == disable ]] || die "--ps-mode is auto or disable"
  set_sysbench_test "$TEST"
}

usage() {  # the sourcing script's header comment, to stderr; exits 2
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[-1]}" >&2
  exit 2
}

require_tools() {  # require_tools TOOL...: dies naming the first one not on PATH
  local tool
  for tool; do
    command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
  done
}

# require_target_tools: what the TARGETS need: haproxy (haproxy, haproxy_replicas), RWPROXY_SRC_BIN
# (rwproxy, rwproxy_nomux, rwproxy_tls), RWPROXY_PREV_BIN (rwproxy_prev).
require_target_tools() {
  if has_target haproxy || has_target haproxy_replicas; then require_tools haproxy; fi
  if has_target rwproxy || has_target rwproxy_nomux || has_target rwproxy_tls; then
    [[ -x $RWPROXY_SRC_BIN ]] || die "rwproxy binary not found at $RWPROXY_SRC_BIN"
  fi
  if has_target rwproxy_prev; then
    [[ -x ${RWPROXY_PREV_BIN:-} ]] || die "rwproxy_prev needs RWPROXY_PREV_BIN (an rwproxy binary)"
  fi
}

# begin_run TEMPLATE: the sourcing script's cleanup as EXIT trap (INT/TERM exit 130), STATE_DIR
# created, WORK_DIR a new temp dir (mktemp -d TEMPLATE).
begin_run() {
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$STATE_DIR"
  WORK_DIR=$(mktemp -d "$1")
}

# ---------------------------------------------------------------------------------------------
# Processes

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

free_port_from() {  # free_port_from PORT -> first port >= PORT nobody listens on
  local port=$1
  while port_in_use "$port"; do ((port++)); done
  echo "$port"
}

wait_for_port() {  # wait_for_port PORT PID NAME LOG
  local port=$1 pid=$2 name=$3 log_file=$4 tries=$((STARTUP_TIMEOUT_S * 10))
  until port_in_use "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log_file" >&2 || true
      die "$name exited during startup (log: $log_file)"
    fi
    ((--tries > 0)) || die "$name did not listen on port $port within ${STARTUP_TIMEOUT_S}s"
    sleep 0.1
  done
}

# stop_process PID [SIGNAL [TIMEOUT_S]]: SIGNAL (default TERM), a wait of up to TIMEOUT_S (default
# STOP_TIMEOUT_S), then SIGKILL. Only for processes this script started (it reaps them).
stop_process() {
  local pid=$1 signal=${2:-TERM} timeout_s=${3:-$STOP_TIMEOUT_S}
  local tries=$((timeout_s * 10))
  [[ -n $pid ]] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -"$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((--tries > 0)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still running ${timeout_s}s after SIG$signal; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true  # a tool stopped by SIGINT exits 130: not an error here
}

# utime + stime of all the process's threads, in clock ticks (0 without a PID)
cpu_ticks_split() {  # cpu_ticks_split PID -> "UTIME STIME" (all its threads, ticks)
  [[ -n $1 ]] || { echo 0 0; return; }
  local stat
  stat=$(<"/proc/$1/stat") || return 1
  stat=${stat##*) }  # fields from 3 (state) on; comm may hold spaces
  local -a f
  read -r -a f <<<"$stat"
  echo "${f[11]} ${f[12]}"
}

cpu_ticks() {  # cpu_ticks PID -> utime + stime
  local split
  split=$(cpu_ticks_split "$1") || return 1
  echo $((${split% *} + ${split#* }))
}

# The end of an EXIT trap: removes the work dir after a success (keeps it, saying so, after a
# failure) and exits with STATUS.
finish_cleanup() {  # finish_cleanup STATUS
  local status=$1
  if [[ -n $WORK_DIR ]]; then
    if ((status == 0)); then rm -rf "$WORK_DIR"; else log "logs kept in $WORK_DIR"; fi
  fi
  exit "$status"
}

stop_started_topology() {  # stops the topology if ensure_topology started it (unless KEEP_TOPOLOGY=1)
  if [[ $STARTED_TOPOLOGY == true && $KEEP_TOPOLOGY != 1 ]]; then
    log "stopping the topology this script started"
    "$TOPOLOGY" down >/dev/null 2>&1 || log "warning: topology.sh down failed"
  fi
}

# ---------------------------------------------------------------------------------------------
# Dependencies and build

is_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
  [[ $status == installed ]]
}

ensure_go_packages() {
  local pkg
  local -a missing=()
  for pkg in "${GO_PACKAGES[@]}"; do is_installed "$pkg" || missing+=("$pkg"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages ${missing[*]}: run as root, or install them"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do is_installed "$pkg" || die "still missing after install: $pkg"; done
}

# Offline GOPATH build against Debian's packaged driver, into the work dir (not the source tree).
# Sets CLIENT_BIN.
build_client() {
  CLIENT_BIN=$WORK_DIR/load_client
  log "building bench/load_client"
  (
    cd "$REPO_ROOT"
    # Go's default build cache needs $HOME or $XDG_CACHE_HOME; without either, a throwaway one.
    [[ -n ${GOCACHE:-}${HOME:-}${XDG_CACHE_HOME:-} ]] || export GOCACHE=$WORK_DIR/go-cache
    GO111MODULE=off GOPATH=$GOPATH_DEBIAN GOPROXY=off GOFLAGS='' \
      go build -o "$CLIENT_BIN" ./bench/load_client
  ) || die "building the Go client failed"
}

# run_load_client MODE TARGET SECONDS JSON LOG [FLAG...]: CLIENT_BIN in MODE against the TARGET's
# port for SECONDS (THREADS goroutines, ROWS rows, the topology's app user and database, FLAG...
# added), its JSON result into JSON and its stderr into LOG.
run_load_client() {
  local mode=$1 target=$2 seconds=$3 json=$4 log_file=$5
  shift 5
  timeout --kill-after=10 $((seconds + 60)) "$CLIENT_BIN" "$mode" -addr "$HOST:$(target_port "$target")" \
    -user "$APP_USER" -password "$APP_PASSWORD" -db "$APP_DB" -threads "$THREADS" -rows "$ROWS" "$@" \
    -duration "${seconds}s" </dev/null >"$json" 2>"$log_file"
}

json_fields() {  # json_fields FILE KEY...: one line, the values tab-separated (lists joined by " | ")
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for k in sys.argv[2:]:
    v = d.get(k, "")
    if isinstance(v, list): v = " | ".join(str(x) for x in v)
    elif isinstance(v, float): v = f"{v:.1f}"
    out.append(str(v).replace("\t", " ") or "-")
print("\t".join(out))' "$@"
}

# ---------------------------------------------------------------------------------------------
# Topology and servers

admin_sql() {  # admin_sql PORT SQL: runs SQL as the admin user straight on a server
  timeout 30 mariadb --protocol=TCP -h "$HOST" -P "$1" -u "$ADMIN_USER" --password="$ADMIN_PASSWORD" \
    -N -B -e "$2"
}

# use_topology DEFAULT_STATE_DIR DEFAULT_BASE_PORT: the topology scripts/topology.sh is to use (the
# environment's RWPROXY_STATE_DIR and RWPROXY_TOPOLOGY_BASE_PORT, else the defaults; exported), and
# STATE_DIR, TOPO_DIR (readonly) for it.
use_topology() {
  export RWPROXY_STATE_DIR=${RWPROXY_STATE_DIR:-$1}
  export RWPROXY_TOPOLOGY_BASE_PORT=${RWPROXY_TOPOLOGY_BASE_PORT:-$2}
  readonly STATE_DIR=$RWPROXY_STATE_DIR
  readonly TOPO_DIR=$STATE_DIR/topology
}

# Reuses the topology in $STATE_DIR if it is up, starts it otherwise (STARTED_TOPOLOGY=true), and
# sources its topology.env.
ensure_topology() {
  if [[ -f $TOPO_DIR/topology.env ]] && "$TOPOLOGY" status >/dev/null 2>&1; then
    log "reusing the topology in $STATE_DIR"
  else
    log "starting the topology in $STATE_DIR (base port $RWPROXY_TOPOLOGY_BASE_PORT)"
    STARTED_TOPOLOGY=true
    "$TOPOLOGY" up >&2
  fi
  # shellcheck source=/dev/null
  source "$TOPO_DIR/topology.env"
  [[ -f $TOPO_DIR/rwproxy.toml ]] || die "missing $TOPO_DIR/rwproxy.toml"
  local -a replicas
  read -r -a replicas <<<"$REPLICA_PORTS"
  REPLICA_COUNT=${#replicas[@]}
  SERVER_NAMES=(master)
  SERVER_PORTS=("$MASTER_PORT")
  local i
  for i in "${!replicas[@]}"; do
    SERVER_NAMES+=("replica$((i + 1))")
    SERVER_PORTS+=("${replicas[i]}")
  done
}

# $APP_DB.$BENCH_TABLE (id INT PRIMARY KEY, v VARCHAR) with ROWS rows, created on the master and
# checked on every server once replicated.
prepare_table() {
  log "creating $APP_DB.$BENCH_TABLE ($ROWS rows) on the master"
  TABLE_CREATED=true
  admin_sql "$MASTER_PORT" "CREATE DATABASE IF NOT EXISTS \`$APP_DB\`; USE \`$APP_DB\`;
    DROP TABLE IF EXISTS $BENCH_TABLE;
    CREATE TABLE $BENCH_TABLE (id INT PRIMARY KEY, v VARCHAR(32) NOT NULL);
    INSERT INTO $BENCH_TABLE SELECT seq, CONCAT('value-', seq) FROM seq_1_to_$ROWS;" ||
    die "could not create $APP_DB.$BENCH_TABLE"
  "$TOPOLOGY" wait-replication >&2 || die "the replicas did not catch up"
  local i n
  for i in "${!SERVER_PORTS[@]}"; do
    n=$(admin_sql "${SERVER_PORTS[i]}" "SELECT COUNT(*) FROM \`$APP_DB\`.$BENCH_TABLE" 2>/dev/null) || n=0
    [[ $n == "$ROWS" ]] ||
      die "${SERVER_NAMES[i]} (port ${SERVER_PORTS[i]}) has $n rows of $BENCH_TABLE, expected $ROWS"
  done
}

drop_bench_table() {  # drops the table prepare_table created, if it did
  if [[ $TABLE_CREATED == true ]]; then
    admin_sql "$MASTER_PORT" "DROP TABLE IF EXISTS \`$APP_DB\`.$BENCH_TABLE" >/dev/null 2>&1 ||
      log "warning: could not drop $APP_DB.$BENCH_TABLE"
  fi
}

# ---------------------------------------------------------------------------------------------
# HAProxy and rwproxy

# HAProxy in TCP mode: launch_haproxy NAME PORT SERVER_LINE... -> sets STARTED_PID.
launch_haproxy() {
  local name=$1 port=$2
  shift 2
  port_in_use "$port" && die "$name port $port is in use"
  {
    printf 'global\n    maxconn 4096\n\ndefaults\n    mode tcp\n    timeout connect 5s\n'
    printf '    timeout client 1h\n    timeout server 1h\n\nlisten %s\n    bind %s:%s\n' "$name" "$HOST" "$port"
    printf '    balance leastconn\n'
    printf '    %s\n' "$@"
  } >"$WORK_DIR/$name.cfg"
  haproxy -db -f "$WORK_DIR/$name.cfg" </dev/null >"$WORK_DIR/$name.log" 2>&1 &
  STARTED_PID=$!
  wait_for_port "$port" "$STARTED_PID" "$name" "$WORK_DIR/$name.log"
}

start_haproxy() {  # HAProxy in TCP mode in front of the master; sets HAPROXY_PID, HAPROXY_PORT
  local port=${RWPROXY_BENCH_HAPROXY_PORT:-$(free_port_from 16033)}
  launch_haproxy haproxy "$port" "server master $HOST:$MASTER_PORT"
  HAPROXY_PID=$STARTED_PID HAPROXY_PORT=$port
  log "haproxy pid $HAPROXY_PID on port $port -> master $MASTER_PORT"
}

# HAProxy in TCP mode spreading connections over the replicas (leastconn): the servers rwproxy
# sends reads to, so the two proxies are compared on the same backend work. Sets
# HAPROXY_REPLICAS_PID, HAPROXY_REPLICAS_PORT.
start_haproxy_replicas() {
  local port i=0 replica
  local -a servers=()
  port=$(free_port_from 16063)
  for replica in $REPLICA_PORTS; do servers+=("server replica$((++i)) $HOST:$replica"); done
  launch_haproxy haproxy_replicas "$port" "${servers[@]}"
  HAPROXY_REPLICAS_PID=$STARTED_PID HAPROXY_REPLICAS_PORT=$port
  log "haproxy_replicas pid $HAPROXY_REPLICAS_PID on port $port -> replicas $REPLICA_PORTS"
}

copy_rwproxy() {  # PROXY_BIN: a copy of RWPROXY_SRC_BIN in the work dir, to run
  PROXY_BIN=$WORK_DIR/rwproxy
  cp "$RWPROXY_SRC_BIN" "$PROXY_BIN"  # the build dir's binary is rebuilt under our feet
}

metrics_text() { curl -sS --max-time 5 "http://$HOST:$METRICS_PORT/metrics"; }

metric_sum() {  # metric_sum TEXT METRIC [LABEL_FILTER]: sum over the matching samples, 0 if none
  awk -v m="$2" -v f="${3:-}" '(index($0, m "{") == 1 || index($0, m " ") == 1) && index($0, f) { s += $NF }
    END { printf "%d\n", s }' <<<"$1"
}

# wait_for_ports_file PID FILE LOG: until the rwproxy PID (started with --ports-file FILE, output in
# LOG) has written both its ports; sets PROXY_PORT and METRICS_PORT.
wait_for_ports_file() {
  local pid=$1 ports_file=$2 log_file=$3 tries=$((STARTUP_TIMEOUT_S * 10))
  until [[ -s $ports_file ]] && grep -q '^metrics_port=' "$ports_file" && grep -q '^listen_port=' "$ports_file"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log_file" >&2; die "rwproxy exited during startup"; }
    ((--tries > 0)) || { tail -n 20 "$log_file" >&2; die "rwproxy did not write $ports_file with both ports"; }
    sleep 0.1
  done
  PROXY_PORT=$(sed -n 's/^listen_port=//p' "$ports_file")
  METRICS_PORT=$(sed -n 's/^metrics_port=//p' "$ports_file")
}

# write_ports_file_config BINARY FILE: the topology's rwproxy.toml with both listeners on port 0 (the
# proxy reports them in its ports file), so that several rwproxy run side by side; checked with
# BINARY --check-config.
write_ports_file_config() {
  awk '
    /^[ \t]*\[/ {
      section = $0
      gsub(/[ \t]/, "", section)
      print
      if (section == "[proxy]") print "listen_port = 0"
      if (section == "[metrics]") { print "enabled = true"; print "listen_port = 0"; metrics = 1 }
      next
    }
    section == "[proxy]" && /^[ \t]*listen_port[ \t]*=/ { next }
    section == "[metrics]" && /^[ \t]*(enabled|listen_port)[ \t]*=/ { next }
    { print }
    END { if (!metrics) { print ""; print "[metrics]"; print "enabled = true"; print "listen_port = 0" } }
  ' "$TOPO_DIR/rwproxy.toml" >"$2"
  "$1" --check-config "$2" >&2 || die "the generated config $2 is not valid"
}

# start_ports_file_proxy NAME BINARY: BINARY (already a copy in the work dir) with
# WORK_DIR/NAME.toml (write_ports_file_config) and the ports file WORK_DIR/NAME.ports, output in
# WORK_DIR/NAME.log; sets STARTED_PID, PROXY_PORT, METRICS_PORT (wait_for_ports_file) and waits
# for the replicas (wait_replicas_eligible, ELIGIBLE; a warning on the timeout).
start_ports_file_proxy() {
  local name=$1 binary=$2 config=$WORK_DIR/$1.toml ports_file=$WORK_DIR/$1.ports
  write_ports_file_config "$binary" "$config"
  rm -f "$ports_file"
  "$binary" --config "$config" --ports-file "$ports_file" </dev/null >"$WORK_DIR/$name.log" 2>&1 &
  STARTED_PID=$!
  wait_for_ports_file "$STARTED_PID" "$ports_file" "$WORK_DIR/$name.log"
  log "$name pid $STARTED_PID on port $PROXY_PORT, metrics $METRICS_PORT"
  wait_replicas_eligible ||
    log "warning: $name: $ELIGIBLE of $REPLICA_COUNT replicas eligible after ${ELIGIBLE_TIMEOUT_S}s"
}

# Reads go to replicas only once the monitor has measured them: waits up to ELIGIBLE_TIMEOUT_S for
# rwproxy_replica_eligible to reach REPLICA_COUNT. Sets ELIGIBLE; fails (status 1) on the timeout.
wait_replicas_eligible() {
  local tries=$((ELIGIBLE_TIMEOUT_S * 10))
  ELIGIBLE=$(metric_sum "$(metrics_text 2>/dev/null || true)" rwproxy_replica_eligible)
  until ((ELIGIBLE >= REPLICA_COUNT)); do
    ((--tries > 0)) || return 1
    sleep 0.1
    ELIGIBLE=$(metric_sum "$(metrics_text 2>/dev/null || true)" rwproxy_replica_eligible)
  done
}

# ---------------------------------------------------------------------------------------------
# Targets and report

# check_targets NAME...: TARGETS is not empty and each of them one of NAME...
check_targets() {
  ((${#TARGETS[@]} > 0)) || die "no targets"
  local t names
  names=$(printf '%s, ' "$@")
  for t in "${TARGETS[@]}"; do
    [[ " $* " == *" $t "* ]] || die "unknown target '$t' (${names%, })"
  done
}

has_target() {
  local t
  for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}

target_port() {
  case $1 in
    direct) echo "$MASTER_PORT" ;;
    haproxy) echo "$HAPROXY_PORT" ;;
    haproxy_replicas) echo "$HAPROXY_REPLICAS_PORT" ;;
    rwproxy | rwproxy_tls) echo "$PROXY_PORT" ;;
    rwproxy_nomux) echo "${NOMUX_PORT:-}" ;;
    rwproxy_prev) echo "${PREV_PORT:-}" ;;
  esac
}

target_pid() {  # the proxy process a target goes through ("" for direct)
  case $1 in
    haproxy) echo "$HAPROXY_PID" ;;
    haproxy_replicas) echo "$HAPROXY_REPLICAS_PID" ;;
    rwproxy | rwproxy_tls) echo "$RWPROXY_PID" ;;
    rwproxy_nomux) echo "${NOMUX_PID:-}" ;;
    rwproxy_prev) echo "${PREV_PID:-}" ;;
  esac
}

# round_targets ROUND: ROUND_TARGETS = TARGETS in the order of round ROUND (1, 2, ...): rotated by
# one each round, so that no target always runs first.
round_targets() {
  local i n=${#TARGETS[@]}
  ROUND_TARGETS=()
  for ((i = 0; i < n; i++)); do ROUND_TARGETS+=("${TARGETS[(i + $1 - 1) % n]}"); done
}

# run_rounds: the warm-up (the script's run_client TARGET WARMUP_S JSON LOG per target, not
# measured) and ROUNDS rounds of the script's run_once TARGET ROUND (round_targets order); sets
# RUNS_FAILED / RUNS_ERRORS to true if a run failed / had errors (R[TARGET,ROUND,ok|errors]).
run_rounds() {
  local t r
  if ((WARMUP_S > 0)); then
    log "warm-up: ${WARMUP_S}s per target"
    for t in "${TARGETS[@]}"; do
      run_client "$t" "$WARMUP_S" "$WORK_DIR/warmup-$t.json" "$WORK_DIR/warmup-$t.log" ||
        log "warning: warm-up on $t failed: $(tail -n 1 "$WORK_DIR/warmup-$t.log")"
    done
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    round_targets "$r"
    for t in "${ROUND_TARGETS[@]}"; do
      log "round $r/$ROUNDS: $t (${DURATION_S}s)"
      run_once "$t" "$r"
      if ok "$t" "$r"; then ((${R[$t,$r,errors]} == 0)) || RUNS_ERRORS=true; else RUNS_FAILED=true; fi
    done
  done
}

ok() { [[ ${R[$1,$2,ok]:-0} == 1 ]]; }  # ok TARGET ROUND: the run succeeded (R[TARGET,ROUND,ok])

fmt() {  # fmt FORMAT VALUE: printf of a number, "-" for a missing one
  if [[ -z $2 || $2 == - ]]; then echo -; else awk -v f="$1" -v v="$2" 'BEGIN { printf f, v }'; fi
}

# print_run_notes LOG_TARGET...: the runs' notes (R[TARGET,ROUND,note]), then for each LOG_TARGET
# that ran the lines of WORK_DIR/LOG_TARGET.log with error or warn (count and the first three).
print_run_notes() {
  local t r n
  for ((r = 1; r <= ROUNDS; r++)); do
    for t in "${TARGETS[@]}"; do
      [[ -n ${R[$t,$r,note]:-} ]] && printf 'round %s %s: %s\n' "$r" "$t" "${R[$t,$r,note]}" | cut -c1-400
    done
  done
  for t; do
    if ! has_target "$t" || [[ ! -f $WORK_DIR/$t.log ]]; then continue; fi
    n=$(grep -ciE 'error|warn' "$WORK_DIR/$t.log" || true)
    printf '%s log lines with error/warn: %s\n' "$t" "$n"
    ((n == 0)) || grep -iE 'error|warn' "$WORK_DIR/$t.log" | head -n 3 | cut -c1-200 | sed 's/^/    /'
  done
  return 0
}

# report_header LOADAVG: the first lines of a sysbench report: date and command line, the binaries,
# cores and LOADAVG.
report_header() {
  printf '# %s: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$COMMAND_LINE"
  printf '# RWPROXY_BIN=%s%s; %s cores, load average %s\n' "$RWPROXY_SRC_BIN" \
    "${RWPROXY_PREV_BIN:+ RWPROXY_PREV_BIN=$RWPROXY_PREV_BIN}" "$(nproc)" "$1"
}

median() {  # median VALUE... (numbers only) -> median (printf MEDIAN_FORMAT, default %.3f), or "-" if none
  (($# > 0)) || { echo -; return; }
  printf '%s\n' "$@" | sort -g | awk -v f="${MEDIAN_FORMAT:-%.3f}" '{ v[NR] = $1 } END {
    if (NR % 2) printf f "\n", v[(NR + 1) / 2]; else printf f "\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------------------------------------
# Wake-ups and sysbench (bench/sysbench_compare.sh, bench/syscalls_per_query.sh)

# Voluntary + nonvoluntary context switches summed over the threads in /proc/PID/task (0 without a
# PID): every time one of the process's threads went to sleep or was preempted. The threads that
# exit between two readings take their counts with them.
ctxt_switches() {  # ctxt_switches PID
  [[ -n $1 ]] || { echo 0; return; }
  local task
  for task in /proc/"$1"/task/*/status; do
    cat "$task" 2>/dev/null || true  # a thread may exit between the glob and the read
  done | awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { printf "%d\n", s }'
}

# Brings the topology up (it says so when it was down: STARTED_TOPOLOGY) and sources topology.env.
bring_up_topology() {
  if ! "$TOPOLOGY" status >/dev/null 2>&1; then
    log "starting the topology"
    STARTED_TOPOLOGY=true
  fi
  "$TOPOLOGY" up >&2
  # shellcheck source=/dev/null
  source "$STATE_DIR/topology/topology.env"
}

# rwproxy runs with the topology's rwproxy.toml, copied with listen_port moved to a free port
# (the configured one may be taken by a developer's own rwproxy) and [pool] multiplexing set.
launch_rwproxy() {  # launch_rwproxy NAME MULTIPLEXING FIRST_PORT [BINARY] -> sets STARTED_PID, STARTED_PORT
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

SYSBENCH_TEST=oltp_point_select
SYSBENCH_ARGS=()
DATA_PREPARED=false

# set_sysbench_test point_select|read_only: the sysbench test sysbench_cmd runs. read_only is
# oltp_read_only --skip-trx=on: point selects, ranges, sums, orders and distincts, no BEGIN/COMMIT.
set_sysbench_test() {
  case $1 in
    point_select) SYSBENCH_TEST=oltp_point_select SYSBENCH_ARGS=() ;;
    read_only) SYSBENCH_TEST=oltp_read_only SYSBENCH_ARGS=(--skip-trx=on) ;;
    *) die "--test is point_select or read_only, not '$1'" ;;
  esac
}

# sysbench_test_label: the test and its extra arguments, "oltp_read_only --skip-trx=on"
sysbench_test_label() { echo "$SYSBENCH_TEST${SYSBENCH_ARGS[*]:+ ${SYSBENCH_ARGS[*]}}"; }

# start_target_proxies: the proxies of the TARGETS: haproxy, haproxy_replicas; rwproxy (also for
# rwproxy_tls; RWPROXY_PID, PROXY_PORT), rwproxy_nomux (multiplexing off; NOMUX_PID, NOMUX_PORT)
# and rwproxy_prev (RWPROXY_PREV_BIN; PREV_PID, PREV_PORT) by launch_rwproxy.
start_target_proxies() {
  if has_target haproxy; then start_haproxy; fi
  if has_target haproxy_replicas; then start_haproxy_replicas; fi
  if has_target rwproxy || has_target rwproxy_tls; then
    launch_rwproxy rwproxy true 16133
    RWPROXY_PID=$STARTED_PID PROXY_PORT=$STARTED_PORT
  fi
  if has_target rwproxy_nomux; then
    launch_rwproxy rwproxy_nomux false 16233
    NOMUX_PID=$STARTED_PID NOMUX_PORT=$STARTED_PORT
  fi
  if has_target rwproxy_prev; then
    launch_rwproxy rwproxy_prev true 16333 "$RWPROXY_PREV_BIN"
    PREV_PID=$STARTED_PID PREV_PORT=$STARTED_PORT
  fi
}

sysbench_cmd() {  # sysbench_cmd TIME_LIMIT_S PORT COMMAND [extra args...]
  local limit_s=$1 port=$2 command=$3
  shift 3
  timeout --kill-after=10 "$limit_s" sysbench "$SYSBENCH_TEST" --db-driver=mysql --mysql-host="$HOST" --mysql-port="$port" \
    --mysql-user="$APP_USER" --mysql-password="$APP_PASSWORD" --mysql-db="$SYSBENCH_DB" \
    --tables="$TABLES" --table-size="$TABLE_SIZE" --db-ps-mode="$PS_MODE" "${SYSBENCH_ARGS[@]}" "$@" "$command"
}

prepare_data() {  # the sysbench tables on the master (DATA_PREPARED: cleanup drops them), replicated
  log "preparing $TABLES x $TABLE_SIZE rows in $SYSBENCH_DB on the master"
  sysbench_cmd 120 "$MASTER_PORT" cleanup >/dev/null
  DATA_PREPARED=true
  sysbench_cmd 600 "$MASTER_PORT" prepare >"$WORK_DIR/prepare.log" 2>&1 ||
    { cat "$WORK_DIR/prepare.log" >&2; die "sysbench prepare failed"; }
  "$TOPOLOGY" wait-replication >&2
}

# start_sysbench_run TEMPLATE: begin_run TEMPLATE, LOADAVG (read before anything starts), the
# topology, the TARGETS' proxies and the sysbench tables: the start of a script that attaches a
# tool to each proxy during sysbench runs.
start_sysbench_run() {
  begin_run "$1"
  LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
  bring_up_topology
  start_target_proxies
  prepare_data
}

# warm_up_sysbench WHAT: a sysbench run of WARMUP_S seconds (none if 0) through each target,
# THREADS threads, before the measured ones ("not WHAT" in the log); a failure is a warning.
warm_up_sysbench() {
  local t
  ((WARMUP_S > 0)) || return 0
  log "warm-up (not $1): ${WARMUP_S}s per target"
  for t in "${TARGETS[@]}"; do
    sysbench_cmd $((WARMUP_S + 60)) "$(target_port "$t")" run --time="$WARMUP_S" --threads="$THREADS" \
      >"$WORK_DIR/warmup-$t.log" 2>&1 || log "warning: $t warm-up failed ($WORK_DIR/warmup-$t.log)"
  done
}

drop_sysbench_data() {  # drops the sysbench tables prepare_data created, if it did
  if [[ $DATA_PREPARED == true ]]; then
    sysbench_cmd 120 "$MASTER_PORT" cleanup >/dev/null 2>&1 || log "warning: sysbench cleanup failed"
  fi
}

# sysbench_queries LOG -> "QUERIES QPS": sysbench's "queries:" line (every SQL statement it sent,
# any test), or nothing if the log has none.
sysbench_queries() {
  awk '/^ *queries:/ { q = $2; r = $3; gsub(/[(]/, "", r); print q, r; exit }' "$1"
}

# latency_percentiles LOG -> "P95_MS P99_MS": from the histogram of a run with --histogram=on
# (value | bar count lines, value in ms, one line per non-empty bucket), the way sysbench computes
# its one --percentile: the first bucket where the running count reaches the percentile; "- -"
# without a histogram. Latency is per sysbench event (a transaction: 1 query for point_select,
# 14 for read_only).
latency_percentiles() {
  awk '/^ *[0-9.]+ \|/ { n++; v[n] = $1; c[n] = $NF; total += $NF }
    END {
      if (total == 0) { print "- -"; exit }
      split("95 99", ps, " ")
      for (k = 1; k <= 2; k++) {
        need = total * ps[k] / 100; s = 0
        for (i = 1; i <= n; i++) { s += c[i]; if (s >= need) break }
        if (i > n) i = n
        printf "%.3f%s", v[i], (k == 1 ? " " : "\n")
      }
    }' "$1"
}

# new_results_file PREFIX -> RESULTS_DIR/PREFIX-<yyyymmdd-hhmmss>.txt (RESULTS_DIR created)
new_results_file() {
  mkdir -p "$RESULTS_DIR"
  echo "$RESULTS_DIR/$1-$(date +%Y%m%d-%H%M%S).txt"
}

# save_report PREFIX: the script's report to stdout and to a new_results_file PREFIX, logged.
save_report() {
  local results_file
  results_file=$(new_results_file "$1")
  report | tee "$results_file"
  log "results written to $results_file"
}
