// The admin interface's command language: one statement → what to do. Pure.
//
//   SHOW BACKENDS
//   SHOW SESSIONS
//   SHOW QUERY DIGESTS [LIMIT n]    SELECT * FROM stats_mysql_query_digest [LIMIT n]
//   RESET QUERY DIGESTS             SELECT * FROM stats_mysql_query_digest_reset (shows, then resets)
//   DRAIN BACKEND name | OFFLINE BACKEND name | ONLINE BACKEND name
//   SET BACKEND name WEIGHT [=] n
//   RELOAD CONFIG                   SHOW CONFIG
//   SHOW STATUS                     HELP
// ProxySQL's SELECT * FROM runtime_mysql_servers | mysql_servers | stats_mysql_connection_pool
// (backends) and stats_mysql_processlist (sessions) answer as the SHOW forms.
// Keywords are case-insensitive, a trailing ';' is allowed, names may be quoted ('', "" or ``).
// What client libraries send on their own (SELECT @@version_comment, SET NAMES ..., SET
// autocommit ...) is answered too, so that the mysql CLI and drivers connect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::admin {

enum class CommandKind : std::uint8_t {
  show_backends,
  show_sessions,
  show_digests,
  reset_digests,      // `show_and_reset`: the ProxySQL form shows the figures first
  set_state,          // `name`, `state`
  set_weight,         // `name`, `number`
  reload_config,
  show_config,
  show_status,
  help,
  version_comment,    // SELECT @@version_comment (the mysql CLI at connect)
  ignored_set,        // SET NAMES / SET autocommit / SET ...: OK, nothing changes
  invalid,            // `error` says why
};

struct AdminCommand {
  CommandKind kind = CommandKind::invalid;
  std::string name;            // backend name
  std::string state;           // online | drain | offline
  std::uint64_t number = 0;    // weight, or LIMIT (0 = none)
  bool show_and_reset = false;
  std::string error;
};

AdminCommand parse_admin_command(std::string_view text);

// The HELP text: one row per command.
inline constexpr std::string_view admin_help[][2] = {
    {"SHOW BACKENDS", "every backend: role, admin state, health, lag, weight, connections, statements, errors"},
    {"SHOW SESSIONS", "client sessions: address, user, schema, state, what binds them, backends held"},
    {"SHOW QUERY DIGESTS [LIMIT n]", "statements by digest: count, latency, rows, master/replica (since the reset)"},
    {"RESET QUERY DIGESTS", "starts the digest figures again (Prometheus counters are kept)"},
    {"DRAIN BACKEND name", "no new statements; running ones and open transactions finish, then connections close"},
    {"OFFLINE BACKEND name", "no statements; connections close now (on the master: writes are refused)"},
    {"ONLINE BACKEND name", "back in service"},
    {"SET BACKEND name WEIGHT n", "replica selection weight 0..1000 (runtime only: lost on restart)"},
    {"RELOAD CONFIG", "re-reads the config file, as SIGHUP"},
    {"SHOW CONFIG", "the running configuration"},
    {"SHOW STATUS", "version, uptime, client connections, where writes go"},
    {"HELP", "this list"},
};

}  // namespace rwproxy::admin
