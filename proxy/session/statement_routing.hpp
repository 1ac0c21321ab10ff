// The per-statement session logic the proxy runs around router::decide(), pure, so that the proxy
// (StatementExecutor) and `rwproxy --explain` (explain::SessionReplay) run the same code:
//
//   1. session_view(): the router's view of the session (SessionState + ConsistencyState, and a
//      consistency token the statement carries for itself only);
//   2. StatementPlanner::plan() / router::decide() with the snapshot, the load and the time;
//   3. after_statement(): what the statement's reply changes in the session (transaction status,
//      last write, pins, SETs to replay, temporary tables, schema, monotonic-read floor).
//
// No sockets, no clock: the caller passes the time and what the server reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parser/statement_info.hpp"
#include "proxy/session/consistency_state.hpp"
#include "proxy/session/session_state.hpp"
#include "router/gtid_position.hpp"
#include "router/route.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::session {

// The router's view of the session. `statement_token` (may be null) is merged into `scratch`,
// which must outlive the view, together with the session's own token.
router::RoutingSession session_view(const SessionState& state, const ConsistencyState& consistency,
                                    std::string_view user, bool hints_allowed,
                                    const router::GtidPosition* statement_token, router::GtidPosition& scratch);

// What the server's reply to a statement said about the session.
struct StatementReply {
  bool succeeded = true;
  std::uint16_t status_flags = 0;        // SERVER_STATUS_* of the reply's final packet
  ReplyFacts facts;                      // warnings, insert id, session-state change
  std::optional<std::string> schema;     // the schema the server reported changing to, if any
};

// After a statement completed on the backend `route` chose (`replica`: the replica it ran on,
// nullopt for the master): the session state follows the reply. `sql` is empty for a binary
// prepared statement's EXECUTE.
void after_statement(SessionState& state, ConsistencyState& consistency, const parser::StatementInfo& info,
                     std::string_view sql, const router::Route& route, std::optional<std::size_t> replica,
                     const StatementReply& reply, router::Clock::time_point now);

}  // namespace rwproxy::session
