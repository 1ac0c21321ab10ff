#include "proxy/session/statement_planner.hpp"

#include "router/router.hpp"

namespace rwproxy::session {

const parser::Digest& StatementPlanner::digest_of(std::string_view sql) {
  parser::digest_into(sql, digest_);
  return digest_;
}

router::Route StatementPlanner::plan(const Input& input, const router::RoutingPolicy& policy, bool digest_ready) {
  std::string_view digest_text;
  if (policy.rules_need_digest()) digest_text = digest_ready ? digest_.text : digest_of(input.sql).text;
  const router::RouteInput route_input{input.info,       digest_text,        input.session, input.replicas,
                                       input.outstanding, rotation_++, input.now};
  return router::decide(route_input, policy);
}

}  // namespace rwproxy::session
