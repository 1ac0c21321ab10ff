// One client session of a replayed statement file (a thread of a general query log, or a whole
// plain file): where the proxy would send each statement given what the session did before.
//
// It keeps the proxy's own per-session state (session::SessionState, session::ConsistencyState)
// and runs each statement through the same steps as the proxy's StatementExecutor:
// session::session_view() -> router::decide() (via explain()) -> session::after_statement(), with
// the server's replies taken from a ServerModel (status flags, session-state tracking, GTIDs)
// instead of a server. What the proxy answers itself (EXPLAIN ROUTE, consistency-token
// statements, a malformed token) is not routed and changes nothing but the token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/statement_info.hpp"
#include "proxy/config/config.hpp"
#include "proxy/explain/route_explanation.hpp"
#include "proxy/explain/server_model.hpp"
#include "proxy/session/consistency_state.hpp"
#include "proxy/session/session_state.hpp"
#include "router/replica_snapshot.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::explain {

// The decision for one replayed statement.
struct ReplayedStatement {
  RouteExplanation explanation;  // target, route (reason, rule), digest
  // Space-separated session facts that decided (see session_facts.hpp); "-" when none.
  std::string facts;
  bool routed = true;  // false: answered by the proxy itself (target "proxy"), or EXPLAIN ROUTE
  bool read = false;   // the classifier finds it read-only (it could go to a replica)
};

// What every session of one replay shares.
struct ReplayContext {
  const config::Config& config;
  const router::RoutingPolicy& policy;
  const router::ReplicaSnapshot& replicas;
  GtidSequence& gtids;  // the master's, shared by all sessions
};

class SessionReplay {
 public:
  SessionReplay(const config::Config& config, std::string user, std::string schema);

  // COM_QUERY.
  ReplayedStatement query(std::string_view sql, router::Clock::time_point now, const ReplayContext& context);
  // COM_STMT_PREPARE: routed like the statement (the proxy prepares it there to learn its
  // metadata; a PREPARE the worker's cache already knows reaches no backend), state unchanged.
  // std::nullopt for the Prepare entry a server writes after an SQL-level PREPARE (its echo: no
  // command of the client's).
  std::optional<ReplayedStatement> prepare(std::string_view sql, router::Clock::time_point now,
                                           const ReplayContext& context);
  // COM_STMT_EXECUTE of the statement a log's Execute entry shows (parameters in place): the
  // session's prepared statement with the same digest, else the text itself. std::nullopt for
  // the echo of an SQL-level EXECUTE.
  std::optional<ReplayedStatement> execute(std::string_view sql, router::Clock::time_point now,
                                           const ReplayContext& context);
  // COM_INIT_DB: the master runs it (reason session_state).
  ReplayedStatement init_db(std::string schema);
  // COM_RESET_CONNECTION: the master runs it (reason session_state); the session starts afresh
  // in its schema, as the proxy's does (its writes stay committed: the read-your-writes position
  // is kept).
  ReplayedStatement reset_connection();

  const session::SessionState& state() const { return state_; }

 private:
  struct Prepared {
    std::string digest;
    std::string sql;
  };

  enum class Step : std::uint8_t {
    record,        // the statement runs: the session follows its reply
    explain_only,  // EXPLAIN ROUTE: decided, not run
    prepare,       // COM_STMT_PREPARE: decided as the proxy prepares it, state unchanged
  };
  // Routes `sql` and, for Step::record when it reaches a backend, records what its reply changes
  // (`record_sql`: the text the proxy records, empty for a binary EXECUTE).
  ReplayedStatement run(std::string_view sql, std::string_view record_sql, const router::GtidPosition* statement_token,
                        router::Clock::time_point now, const ReplayContext& context, Step step);
  // Whether a Prepare / Execute entry is the echo of the SQL statement before it (clears the
  // expectation either way).
  bool is_echo(parser::StatementKind kind);
  // A command the proxy sends to the master with reason session_state (COM_INIT_DB, ...).
  ReplayedStatement on_master(std::string command);
  // Answered by the proxy: not routed.
  ReplayedStatement answered_by_proxy(std::string_view sql, std::string facts) const;

  std::string user_;
  bool hints_allowed_ = true;
  bool tracks_state_change_ = true;  // multiplexing: pooled connections track session state
  session::SessionState state_;
  session::ConsistencyState consistency_;
  ServerModel server_;
  std::vector<Prepared> prepared_;  // binary prepared statements, oldest first
  // The previous entry was an SQL-level PREPARE or EXECUTE: the server logs the statement it
  // prepares or executes next, as a Prepare or Execute entry of the same thread.
  parser::StatementKind echo_ = parser::StatementKind::unknown;
};

}  // namespace rwproxy::explain
