#include "proxy/session/statement_routing.hpp"

namespace rwproxy::session {

router::RoutingSession session_view(const SessionState& state, const ConsistencyState& consistency,
                                    std::string_view user, bool hints_allowed,
                                    const router::GtidPosition* statement_token, router::GtidPosition& scratch) {
  router::RoutingSession session = state.routing_view(user, hints_allowed);
  consistency.fill(session);
  if (statement_token) {
    scratch = session.token_position ? *session.token_position : router::GtidPosition{};
    scratch.merge(*statement_token);
    session.token_position = &scratch;
  }
  return session;
}

void after_statement(SessionState& state, ConsistencyState& consistency, const parser::StatementInfo& info,
                     std::string_view sql, const router::Route& route, std::optional<std::size_t> replica,
                     const StatementReply& reply, router::Clock::time_point now) {
  state.after_statement(info, sql, reply.succeeded, reply.status_flags, replica.has_value(), replica, now);
  if (reply.schema && !reply.schema->empty()) state.set_schema(*reply.schema);  // e.g. USE in a procedure
  state.after_reply(info, reply.facts);
  if (reply.succeeded) consistency.note_replica_read(route);
}

}  // namespace rwproxy::session
