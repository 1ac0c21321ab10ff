#!/usr/bin/env bash
# Connection multiplexing benchmark: N client connections to rwproxy (default 10,000), mostly idle,
# with a subset (default 300) running point-selects, once with [pool] multiplexing = true and once
# with multiplexing = false. For each mode it reports: clients connected / refused; the proxy's RSS
# before the clients connect, with all of them connected and idle, and per client; the app user's
# connections on every server (information_schema.PROCESSLIST, over an admin connection straight to
# the server) and rwproxy's backend/pool gauges; the active clients' qps, p50/p99 latency and query
# errors; the proxy's CPU time (utime+stime from /proc/PID/stat) per query of the active phase.
# A table at the end goes to stdout and to bench/results/multiplex-<date>.txt.
#
#   bench/multiplex_bench.sh
#
# Env (defaults in brackets):
#   MUX_CLIENTS [10000]    client connections          MUX_ACTIVE [300]   of them running queries
#   MUX_SECONDS [30]       length of the active phase   MUX_MODES ["on off"]
#   MUX_OFF_CLIENTS [MUX_CLIENTS]  clients of the "off" mode; capped to what the servers allow
#                          (min over servers of max_connections - connected threads - 20), since
#                          every client then holds its own backend connections
#   MUX_POOL_SIZE [64]     [pool] max_connections_per_backend
#   MUX_ROWS [10000]       rows of rwtest.bench_mux     MUX_RAMPUP_BATCH [500], MUX_RAMPUP_PAUSE_MS [100]
#   MUX_RESULTS_DIR [<repo>/bench/results]             MUX_KEEP_TOPOLOGY [0]: 1 keeps a topology
#                          this script started
#   RWPROXY_BIN [<repo>/build/proxy/rwproxy] (copied to a temp dir at start; the copy runs)
#   RWPROXY_STATE_DIR [/tmp/rwproxy-bench-mux], RWPROXY_TOPOLOGY_BASE_PORT [25306]: the topology
#                          (scripts/topology.sh); one already up there is reused and left running,
#                          otherwise it is started here and stopped at exit.
# Installs golang-go and golang-github-go-sql-driver-mysql-dev if missing (root) and builds
# bench/load_client (mode multiplex) into the temp dir. The server settings are not changed.
set -euo pipefail

readonly BENCH_NAME=multiplex_bench
# shellcheck source-path=SCRIPTDIR source=bench_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_common.sh"

use_topology /tmp/rwproxy-bench-mux 25306

readonly CLIENTS=${MUX_CLIENTS:-10000}
readonly ACTIVE=${MUX_ACTIVE:-300}
readonly DURATION_S=${MUX_SECONDS:-30}
readonly OFF_CLIENTS_WANTED=${MUX_OFF_CLIENTS:-$CLIENTS}
readonly POOL_SIZE=${MUX_POOL_SIZE:-64}
readonly ROWS=${MUX_ROWS:-10000}
readonly RAMPUP_BATCH=${MUX_RAMPUP_BATCH:-500}
readonly RAMPUP_PAUSE_MS=${MUX_RAMPUP_PAUSE_MS:-100}
readonly RESULTS_DIR=${MUX_RESULTS_DIR:-$REPO_ROOT/bench/results}
readonly KEEP_TOPOLOGY=${MUX_KEEP_TOPOLOGY:-0}
read -r -a MODES <<<"${MUX_MODES:-on off}"

readonly BENCH_TABLE=bench_mux
readonly STARTUP_TIMEOUT_S=20
readonly STOP_TIMEOUT_S=20
readonly ELIGIBLE_TIMEOUT_S=30
readonly SAMPLE_INTERVAL_S=2
readonly SERVER_HEADROOM=20  # connections left free on each server in the "off" mode


check_settings() {
  require_uints "$CLIENTS" "$ACTIVE" "$DURATION_S" "$OFF_CLIENTS_WANTED" "$POOL_SIZE" "$ROWS" "$RAMPUP_BATCH" \
    "$RAMPUP_PAUSE_MS"
  ((CLIENTS > 0 && DURATION_S > 0 && POOL_SIZE > 0 && ROWS > 0 && RAMPUP_BATCH > 0)) ||
    die "MUX_CLIENTS, MUX_SECONDS, MUX_POOL_SIZE, MUX_ROWS and MUX_RAMPUP_BATCH must be > 0"
  ((${#MODES[@]} > 0)) || die "MUX_MODES is empty"
  local m
  for m in "${MODES[@]}"; do [[ $m == on || $m == off ]] || die "MUX_MODES: unknown mode '$m' (on, off)"; done
}

check_tools() {
  require_tools mariadb curl python3 dpkg-query getconf
  [[ -x $RWPROXY_SRC_BIN ]] || die "rwproxy binary not found at $RWPROXY_SRC_BIN"
}

# ---------------------------------------------------------------------------------------------
# Processes

# Backstop for the parent: processes a mode left behind (each mode runs in a subshell that stops its
# own; this is for a subshell killed hard). A pid is only signalled if it still runs a binary of
# this run's work dir.
stop_leftovers() {
  local pid
  [[ -f $WORK_DIR/pids ]] || return 0
  while read -r pid; do
    [[ -n $pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$WORK_DIR"/* ]] && stop_process "$pid"
  done <"$WORK_DIR/pids"
  rm -f "$WORK_DIR/pids"
}

cleanup() {
  local status=$?
  [[ -n $WORK_DIR ]] && stop_leftovers
  drop_bench_table
  stop_started_topology
  finish_cleanup "$status"
}

# ---------------------------------------------------------------------------------------------
# Servers

# The app user's connections on every server, as "n/n/n" in SERVER_NAMES order ("?" if unknown).
app_connections() {
  local port n out=""
  for port in "${SERVER_PORTS[@]}"; do
    n=$(admin_sql "$port" "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER='$APP_USER'" 2>/dev/null) ||
      n="?"
    out+=${out:+/}$n
  done
  echo "$out"
}

# Element-wise maximum of two "n/n/n" strings.
max_counts() {
  local -a a b
  IFS=/ read -r -a a <<<"$1"
  IFS=/ read -r -a b <<<"$2"
  local i out="" x y
  for i in "${!b[@]}"; do
    x=${a[i]:-?} y=${b[i]}
    if ! is_uint "$x"; then out+=${out:+/}$y
    elif ! is_uint "$y"; then out+=${out:+/}$x
    else out+=${out:+/}$((x > y ? x : y))
    fi
  done
  echo "$out"
}

# Client connections the "off" mode can open: every client holds a master connection (and a
# replica one), so the least free server decides.
off_mode_capacity() {
  local port free min=""
  for port in "${SERVER_PORTS[@]}"; do
    free=$(admin_sql "$port" "SELECT @@max_connections - VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
                              WHERE VARIABLE_NAME = 'THREADS_CONNECTED'") || die "cannot read max_connections on port $port"
    if [[ -z $min ]] || ((free < min)); then min=$free; fi
  done
  echo $((min > SERVER_HEADROOM ? min - SERVER_HEADROOM : 0))
}

max_connections_text() {
  local port out=""
  for port in "${SERVER_PORTS[@]}"; do out+=${out:+/}$(admin_sql "$port" "SELECT @@max_connections" || echo "?"); done
  echo "$out"
}

# ---------------------------------------------------------------------------------------------
# rwproxy

# write_proxy_config MODE FILE: the topology's rwproxy.toml with both listeners on port 0, room for
# the clients, and a [pool] section for MODE (an existing [pool] section is replaced).
write_proxy_config() {
  local mode=$1 file=$2 multiplexing=false
  [[ $mode == on ]] && multiplexing=true
  awk -v max_clients=$((CLIENTS + 100)) -v multiplexing="$multiplexing" -v pool="$POOL_SIZE" '
    /^[ \t]*\[/ {
      section = $0
      gsub(/[ \t]/, "", section)
      skip = (section == "[pool]")
      if (skip) next
      print
      if (section == "[proxy]") { print "listen_port = 0"; print "max_client_connections = " max_clients }
      if (section == "[metrics]") { print "enabled = true"; print "listen_port = 0" }
      next
    }
    skip { next }
    section == "[proxy]" && /^[ \t]*(listen_port|max_client_connections)[ \t]*=/ { next }
    section == "[metrics]" && /^[ \t]*(enabled|listen_port)[ \t]*=/ { next }
    { print }
    END {
      print ""
      print "[pool]"
      print "multiplexing = " multiplexing
      print "max_connections_per_backend = " pool
    }' "$TOPO_DIR/rwproxy.toml" >"$file"
  "$PROXY_BIN" --check-config "$file" >&2 || die "the generated config $file is not valid"
}

# The backend and pool gauges, one "name{labels} value" per line.
pool_metrics() {
  metrics_text 2>/dev/null | grep -E '^rwproxy_(backend_connections|pool_connections|pool_waits_total)\{' || true
}

# "n/n/n" (SERVER_NAMES order) of the samples of METRIC whose labels contain FILTER.
metric_by_backend() {  # metric_by_backend METRICS_TEXT METRIC FILTER
  local name out="" v
  for name in "${SERVER_NAMES[@]}"; do
    v=$(awk -v m="$2" -v b="backend=\"$name\"" -v f="$3" \
      'index($0, m "{") == 1 && index($0, b) && index($0, f) { s += $NF; n++ } END { print n ? s : "-" }' <<<"$1")
    out+=${out:+/}$v
  done
  echo "$out"
}

start_proxy() {  # start_proxy MODE: sets PROXY_PID, PROXY_PORT, METRICS_PORT
  local mode=$1 config=$WORK_DIR/rwproxy-$1.toml ports_file=$WORK_DIR/rwproxy-$1.ports
  PROXY_LOG=$WORK_DIR/rwproxy-$mode.log
  write_proxy_config "$mode" "$config"
  rm -f "$ports_file"
  "$PROXY_BIN" --config "$config" --ports-file "$ports_file" </dev/null >"$PROXY_LOG" 2>&1 &
  PROXY_PID=$!
  echo "$PROXY_PID" >>"$WORK_DIR/pids"
  wait_for_ports_file "$PROXY_PID" "$ports_file" "$PROXY_LOG"
  log "rwproxy pid $PROXY_PID (multiplexing $mode): port $PROXY_PORT, metrics $METRICS_PORT"
  wait_replicas_eligible || log "warning: the replicas are not eligible after ${ELIGIBLE_TIMEOUT_S}s"
}

proxy_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$PROXY_PID/status"; }

# ---------------------------------------------------------------------------------------------
# One mode (runs in a subshell; results as "key<TAB>value" lines in $WORK_DIR/result-MODE.tsv)

put() { printf '%s\t%s\n' "$1" "$2" >>"$RESULT_FILE"; }

json_get() {  # json_get FILE KEY: a scalar (floats with 1 decimal), or a list one item per line
  python3 -c '
import json, sys
v = json.load(open(sys.argv[1])).get(sys.argv[2], "")
if isinstance(v, list): print("\n".join(str(x) for x in v))
elif isinstance(v, float): print(f"{v:.1f}")
else: print(v)' "$1" "$2"
}

# wait_for_file FILE TIMEOUT_S WHAT: until FILE exists; fails if the client or the proxy exits.
wait_for_file() {
  local file=$1 deadline=$(($(date +%s) + $2))
  until [[ -s $file ]]; do
    kill -0 "$CLIENT_PID" 2>/dev/null || { tail -n 20 "$CLIENT_LOG" >&2; die "the client exited while waiting for $3"; }
    kill -0 "$PROXY_PID" 2>/dev/null || { tail -n 20 "$PROXY_LOG" >&2; die "rwproxy exited while waiting for $3"; }
    (($(date +%s) < deadline)) || die "no $3 after $2 s"
    sleep 0.1
  done
}

kib_as_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

run_mode() {  # run_mode MODE
  local mode=$1 clients=$CLIENTS active=$ACTIVE note=""
  RESULT_FILE=$WORK_DIR/result-$mode.tsv
  : >"$RESULT_FILE"
  PROXY_PID="" CLIENT_PID=""
  trap 'stop_process "$CLIENT_PID"; stop_process "$PROXY_PID"' EXIT
  trap 'exit 130' INT TERM

  if [[ $mode == off ]]; then
    local capacity
    capacity=$(off_mode_capacity)
    clients=$OFF_CLIENTS_WANTED
    if ((clients > capacity)); then
      note="capped from $clients to $capacity: max_connections $(max_connections_text) (master/replicas), each client holds its own backend connections"
      clients=$capacity
    fi
    ((clients > 0)) || die "the servers have no room for off-mode clients"
  fi
  ((active <= clients)) || active=$clients
  put clients_requested "$clients"
  put active_requested "$active"
  put note "$note"
  log "=== multiplexing $mode: $clients clients, $active active, ${DURATION_S}s${note:+ ($note)}"

  put conns_baseline "$(app_connections)"
  start_proxy "$mode"
  sleep 1
  local rss_before rss_idle rss_after
  rss_before=$(proxy_rss_kib)
  put rss_before "$rss_before"

  local ctl=$WORK_DIR/ctl-$mode
  mkdir -p "$ctl"
  CLIENT_LOG=$WORK_DIR/client-$mode.log
  local client_json=$WORK_DIR/client-$mode.json
  "$CLIENT_BIN" multiplex -addr "$HOST:$PROXY_PORT" -user "$APP_USER" -password "$APP_PASSWORD" -db "$APP_DB" \
    -clients "$clients" -active "$active" -rows "$ROWS" -duration "${DURATION_S}s" \
    -rampup-batch "$RAMPUP_BATCH" -rampup-pause "${RAMPUP_PAUSE_MS}ms" -control-dir "$ctl" \
    </dev/null >"$client_json" 2>"$CLIENT_LOG" &
  CLIENT_PID=$!
  echo "$CLIENT_PID" >>"$WORK_DIR/pids"

  # Phase 1: all clients connected and idle.
  wait_for_file "$ctl/ready.json" $((120 + clients / 50)) "the connect phase"
  sleep 2  # let the proxy settle (pooled connections released, idle trimming not yet due)
  rss_idle=$(proxy_rss_kib)
  local connected idle_metrics
  connected=$(json_get "$ctl/ready.json" connected)
  put connected "$connected"
  put failed "$(json_get "$ctl/ready.json" failed)"
  put connect_s "$(json_get "$ctl/ready.json" connect_seconds)"
  put connect_errors "$(json_get "$ctl/ready.json" first_errors | paste -sd '|')"
  put rss_idle "$rss_idle"
  put conns_idle "$(app_connections)"
  idle_metrics=$(pool_metrics)
  printf '%s\n' "$idle_metrics" >"$WORK_DIR/metrics-$mode-idle.txt"
  put open_idle "$(metric_by_backend "$idle_metrics" rwproxy_backend_connections 'state="open"')"
  put pool_idle "$(metric_by_backend "$idle_metrics" rwproxy_pool_connections 'state="idle"')"
  put pool_in_use_idle "$(metric_by_backend "$idle_metrics" rwproxy_pool_connections 'state="in_use"')"
  log "all idle: $connected connected, proxy RSS $(kib_as_mib "$rss_idle") MiB, app conns $(app_connections)"

  # Phase 2: the active clients run; sample the servers' connection counts meanwhile.
  local cpu_before cpu_after max_conns="" sample_metrics="" next_sample start_s
  cpu_before=$(cpu_ticks "$PROXY_PID")
  start_s=$(date +%s)
  touch "$ctl/start"
  next_sample=$((start_s + 1))
  until [[ -s $ctl/active.json ]]; do
    kill -0 "$CLIENT_PID" 2>/dev/null || { tail -n 20 "$CLIENT_LOG" >&2; die "the client exited in the active phase"; }
    kill -0 "$PROXY_PID" 2>/dev/null || { tail -n 20 "$PROXY_LOG" >&2; die "rwproxy exited in the active phase"; }
    (($(date +%s) < start_s + DURATION_S + 120)) || die "the active phase did not end"
    if (($(date +%s) >= next_sample && $(date +%s) < start_s + DURATION_S)); then
      max_conns=$(max_counts "$max_conns" "$(app_connections)")
      # The gauges at the first sample past the middle of the phase.
      [[ -z $sample_metrics && $(($(date +%s) - start_s)) -ge $((DURATION_S / 2)) ]] && sample_metrics=$(pool_metrics)
      next_sample=$(($(date +%s) + SAMPLE_INTERVAL_S))
    fi
    sleep 0.1
  done
  cpu_after=$(cpu_ticks "$PROXY_PID")
  rss_after=$(proxy_rss_kib)
  put rss_after "$rss_after"
  put conns_active_max "${max_conns:-$(app_connections)}"
  [[ -n $sample_metrics ]] || sample_metrics=$(pool_metrics)
  printf '%s\n' "$sample_metrics" >"$WORK_DIR/metrics-$mode-active.txt"
  put open_active "$(metric_by_backend "$sample_metrics" rwproxy_backend_connections 'state="open"')"
  put pool_in_use_active "$(metric_by_backend "$sample_metrics" rwproxy_pool_connections 'state="in_use"')"
  put pool_waits "$(awk '/^rwproxy_pool_waits_total\{/ { split($0, a, "outcome=\""); split(a[2], o, "\""); w[o[1]] += $NF }
                      END { for (k in w) printf "%s%s=%d", (n++ ? " " : ""), k, w[k] }' <<<"$sample_metrics")"
  put cpu_ticks $((cpu_after - cpu_before))

  # Phase 3: every client checks its connection, the client prints its JSON and exits.
  touch "$ctl/finish"
  local tries=$(((120 + clients / 100) * 10))
  while kill -0 "$CLIENT_PID" 2>/dev/null; do
    ((--tries > 0)) || die "the client did not exit after the final check"
    sleep 0.1
  done
  wait "$CLIENT_PID" || die "the client failed (log: $CLIENT_LOG)"
  CLIENT_PID=""
  local key
  for key in active queries errors qps p50_us p99_us max_us lost_active duration_seconds idle_alive_after \
    idle_failed_after; do
    put "$key" "$(json_get "$client_json" "$key")"
  done
  put query_errors "$(json_get "$client_json" first_query_errors | paste -sd '|')"
  put check_errors "$(json_get "$client_json" first_check_errors | paste -sd '|')"

  stop_process "$PROXY_PID"
  PROXY_PID=""
  put proxy_log_problems "$(grep -ciE 'error|warn' "$PROXY_LOG" || true)"
  grep -iE 'error|warn' "$PROXY_LOG" | head -n 3 | cut -c1-200 >"$WORK_DIR/proxy-problems-$mode.txt" || true
  put ok 1
}

# ---------------------------------------------------------------------------------------------
# Report

declare -A R=()

load_results() {  # load_results MODE
  local key value file=$WORK_DIR/result-$1.tsv
  [[ -f $file ]] || return 0
  while IFS=$'\t' read -r key value; do R[$1,$key]=$value; done <"$file"
}

val() { local v=${R[$1,$2]:-}; echo "${v:--}"; }

derived() {  # derived MODE NAME: computed values
  local m=$1 v
  case $2 in
    rss_before | rss_idle | rss_after) v=$(val "$m" "$2"); is_uint "$v" && kib_as_mib "$v" || echo - ;;
    rss_per_client)
      local a b c
      a=$(val "$m" rss_idle) b=$(val "$m" rss_before) c=$(val "$m" connected)
      if is_uint "$a" && is_uint "$b" && is_uint "$c" && ((c > 0)); then
        awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.1f", (a - b) / c }'
      else echo -; fi ;;
    cpu_per_query)
      local t q
      t=$(val "$m" cpu_ticks) q=$(val "$m" queries)
      if is_uint "$t" && is_uint "$q" && ((q > 0)); then
        awk -v t="$t" -v q="$q" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t * 1e6 / hz / q }'
      else echo -; fi ;;
    cpu_percent)
      local t d
      t=$(val "$m" cpu_ticks) d=$(val "$m" duration_seconds)
      if is_uint "$t" && [[ $d != - ]]; then
        awk -v t="$t" -v d="$d" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (d > 0 ? t / hz / d * 100 : 0) }'
      else echo -; fi ;;
    latency_ms) v=$(val "$m" "$3"); is_uint "$v" && awk -v u="$v" 'BEGIN { printf "%.2f", u / 1000 }' || echo - ;;
    active) echo "$(val "$m" active) (lost $(val "$m" lost_active))" ;;
    idle_alive) echo "$(val "$m" idle_alive_after)/$(val "$m" connected)" ;;
  esac
}

print_table() {
  local m names=""
  for m in "${MODES[@]}"; do names+=$(printf ' %20s' "multiplexing $m"); done
  printf '%-44s%s\n' "" "$names"
  printf '%-44s%s\n' "" "$(printf ' %20s' "${MODES[@]/*/--------------------}")"
  row() {  # row LABEL CMD...: one value per mode from "CMD MODE ..."
    local label=$1 out="" mm
    shift
    for mm in "${MODES[@]}"; do out+=$(printf ' %20s' "$("$1" "$mm" "${@:2}")"); done
    printf '%-44s%s\n' "$label" "$out"
  }
  row "clients requested" val clients_requested
  row "clients connected" val connected
  row "clients refused/failed" val failed
  row "connect phase (s)" val connect_s
  row "proxy RSS before clients (MiB)" derived rss_before
  row "proxy RSS all connected, idle (MiB)" derived rss_idle
  row "proxy RSS after active phase (MiB)" derived rss_after
  row "proxy RSS per client (KiB)" derived rss_per_client
  row "app conns before the proxy starts" val conns_baseline
  row "app conns, all idle (PROCESSLIST)" val conns_idle
  row "app conns, max in active phase" val conns_active_max
  row "rwproxy_backend_connections open, idle" val open_idle
  row "rwproxy_backend_connections open, active" val open_active
  row "rwproxy_pool_connections idle, all idle" val pool_idle
  row "rwproxy_pool_connections in_use, active" val pool_in_use_active
  row "rwproxy_pool_waits_total (active phase)" val pool_waits
  row "active clients" derived active
  row "throughput (queries/s)" val qps
  row "latency p50 (ms)" derived latency_ms p50_us
  row "latency p99 (ms)" derived latency_ms p99_us
  row "query errors" val errors
  row "proxy CPU per query (us)" derived cpu_per_query
  row "proxy CPU in active phase (% of a core)" derived cpu_percent
  row "clients answering SELECT 1 at the end" derived idle_alive
  row "proxy log lines with error/warn" val proxy_log_problems
}

print_notes() {
  local m v
  for m in "${MODES[@]}"; do
    [[ $(val "$m" ok) == 1 ]] || printf 'multiplexing %s: RUN FAILED (see the log above)\n' "$m"
    [[ $m == on && $(val "$m" failed) != 0 ]] &&
      printf 'multiplexing on: CHECK FAILED: %s clients refused or failed, expected 0\n' "$(val "$m" failed)"
    v=$(val "$m" note); [[ $v != - ]] && printf 'multiplexing %s: clients %s\n' "$m" "$v"
    v=$(val "$m" connect_errors); [[ $v != - ]] && printf 'multiplexing %s: connect errors: %s\n' "$m" "${v//|/; }"
    v=$(val "$m" query_errors); [[ $v != - ]] && printf 'multiplexing %s: query errors: %s\n' "$m" "${v//|/; }"
    v=$(val "$m" check_errors); [[ $v != - ]] && printf 'multiplexing %s: final SELECT 1 errors: %s\n' "$m" "${v//|/; }"
    if [[ -s $WORK_DIR/proxy-problems-$m.txt ]]; then
      printf 'multiplexing %s: first proxy log problems:\n' "$m"
      sed 's/^/    /' "$WORK_DIR/proxy-problems-$m.txt"
    fi
  done
  return 0
}

report() {
  local revision binary_time
  revision=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  binary_time=$(date -r "$RWPROXY_SRC_BIN" '+%Y-%m-%d %H:%M:%S')
  printf 'rwproxy connection multiplexing benchmark, %s\n' "$(date '+%Y-%m-%d %H:%M:%S')"
  printf 'repo %s (HEAD %s), binary %s built %s\n' "$REPO_ROOT" "$revision" "$RWPROXY_SRC_BIN" "$binary_time"
  printf 'clients %s, active %s, active phase %ss, pool max_connections_per_backend %s, %s rows, %s cores\n' \
    "$CLIENTS" "$ACTIVE" "$DURATION_S" "$POOL_SIZE" "$ROWS" "$(nproc)"
  printf 'servers %s on ports %s (max_connections %s); counts below are master/replica1/replica2\n' \
    "${SERVER_NAMES[*]}" "${SERVER_PORTS[*]}" "$(max_connections_text)"
  printf 'idle clients ran one SELECT 1 then held their connection; active ones ran SELECT v FROM bench_mux WHERE id = <random> (text protocol)\n\n'
  print_table
  printf '\n'
  print_notes
}

# The raw backend/pool gauges (results file only).
metrics_appendix() {
  local m phase
  printf '\nrwproxy gauges as scraped (GET /metrics)\n'
  for m in "${MODES[@]}"; do
    for phase in idle active; do
      [[ -f $WORK_DIR/metrics-$m-$phase.txt ]] || continue
      printf 'multiplexing %s, %s:\n' "$m" "$([[ $phase == idle ]] && echo "all clients idle" || echo "mid active phase")"
      sed 's/^/    /' "$WORK_DIR/metrics-$m-$phase.txt"
    done
  done
}

# ---------------------------------------------------------------------------------------------

main() {
  check_settings
  check_tools
  begin_run /tmp/rwproxy-mux-bench.XXXXXX
  copy_rwproxy
  ensure_go_packages
  build_client
  ensure_topology
  prepare_table

  local m failed=false
  for m in "${MODES[@]}"; do
    set +e
    (
      set -e
      run_mode "$m"
    )
    local rc=$?
    set -e
    ((rc == 130)) && exit 130
    ((rc == 0)) || { failed=true; log "multiplexing $m: run failed (exit $rc)"; }
    stop_leftovers
    load_results "$m"
  done

  mkdir -p "$RESULTS_DIR"
  local results_file
  results_file=$RESULTS_DIR/multiplex-$(date +%Y%m%d-%H%M%S).txt
  printf '\n'
  report | tee "$results_file"
  metrics_appendix >>"$results_file"
  log "results written to $results_file"
  [[ $failed == false ]] || die "some runs failed"
  if [[ -n ${R[on,failed]:-} && ${R[on,failed]} != 0 ]]; then
    die "multiplexing on: ${R[on,failed]} clients refused or failed, expected 0"
  fi
}

main "$@"
