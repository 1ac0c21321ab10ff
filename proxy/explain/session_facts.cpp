#include "proxy/explain/session_facts.hpp"

namespace rwproxy::explain {

namespace {

void add(std::string& out, std::string_view fact) {
  if (!out.empty()) out += ' ';
  out += fact;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

}  // namespace

std::string session_facts(const session::SessionState& state, const router::RoutingSession& view,
                          const RouteExplanation& e, router::Clock::time_point now,
                          const router::RoutingPolicy& policy) {
  std::string out;
  if (view.in_transaction) add(out, "in_transaction");
  if (!view.autocommit) add(out, "autocommit=0");
  if (e.session.read_only_transaction_replica) {
    add(out, "read_only_transaction=" + *e.session.read_only_transaction_replica);
  }
  if (state.pinned() != session::PinReason::none) add(out, "pinned=" + std::string(session::to_string(state.pinned())));
  if (!state.temporary_tables().empty()) add(out, "temp_tables=" + joined(state.temporary_tables()));
  if (e.session.consistency == "window" && view.last_write && now - *view.last_write < policy.read_after_write_window) {
    const auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(now - *view.last_write);
    add(out, "recent_write=" + std::to_string(ago.count()) + "ms");
  }
  if (e.session.consistency == "causal" && !e.session.write_position.empty()) add(out, "wrote=" + e.session.write_position);
  if (!e.session.token_position.empty()) add(out, "token=" + e.session.token_position);
  if (e.route.wait_for) add(out, "waits_for=" + e.route.wait_for->to_string());
  if (e.route.reason == router::Reason::diagnostics) {
    add(out, "diagnostics_from=" + (e.route.target == router::Target::replica ? e.backend : std::string("master")));
  }
  return out.empty() ? "-" : out;
}

}  // namespace rwproxy::explain
