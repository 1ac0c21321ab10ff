#include "proxy/session/consistency_state.hpp"

namespace rwproxy::session {

bool ConsistencyState::note_committed(std::string_view gtid) {
  auto position = router::GtidPosition::parse(gtid);
  if (!position) return false;
  writes_.merge(*position);
  return true;
}

void ConsistencyState::note_replica_read(const router::Route& route) {
  if (route.target != router::Target::replica) return;
  home_replica_ = route.replica;
  if (route.covers) floor_.merge(*route.covers);
}

void ConsistencyState::reset() {
  token_ = router::GtidPosition{};
  home_replica_.reset();
}

router::GtidPosition ConsistencyState::token_position() const {
  router::GtidPosition position = writes_;
  position.merge(token_);
  position.merge(floor_);
  return position;
}

void ConsistencyState::fill(router::RoutingSession& session) const {
  if (!writes_.empty()) session.write_position = &writes_;
  if (!token_.empty()) session.token_position = &token_;
  if (!floor_.empty()) session.read_floor = &floor_;
  session.home_replica = home_replica_;
}

}  // namespace rwproxy::session
