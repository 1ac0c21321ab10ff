// The session facts an --explain line shows: what the session had done before the statement
// that the router looked at, as space-separated `name` or `name=value` words ("-" when none):
//
//   in_transaction                 a transaction is open (the server's status flag)
//   autocommit=0                   autocommit is off: every statement is in a transaction
//   read_only_transaction=NAME     a START TRANSACTION READ ONLY runs on replica NAME
//   pinned=REASON                  pinned to the master (session::PinReason): lock_tables,
//                                  user_lock (GET_LOCK), sql_prepare, unparsed_set,
//                                  replay_overflow, state_change
//   temp_tables=a,b                temporary tables the session created
//   recent_write=120ms             consistency "window": the last write committed that long ago,
//                                  inside read_after_write_window_ms
//   wrote=GTIDS                    consistency "causal": the position of the session's writes
//   token=GTIDS                    a consistency token the session (or the statement) presented
//   waits_for=GTIDS                causal_wait: the replica waits for that position first
//   diagnostics_from=NAME          where the previous statement ran (SHOW WARNINGS, ...)
#pragma once

#include <string>

#include "proxy/explain/route_explanation.hpp"
#include "proxy/session/session_state.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::explain {

// `view` is what the router saw (session::session_view()), `e` the decision made with it.
std::string session_facts(const session::SessionState& state, const router::RoutingSession& view,
                          const RouteExplanation& e, router::Clock::time_point now,
                          const router::RoutingPolicy& policy);

}  // namespace rwproxy::explain
