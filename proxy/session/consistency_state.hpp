// A session's read-your-writes state by GTID position: what its writes committed (last_gtid from
// the master's session tracking), the consistency token it presented, the newest position it has
// read (the monotonic-read floor) and the replica it reads from. Pure: no I/O, no clock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "router/gtid_position.hpp"
#include "router/route.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::session {

class ConsistencyState {
 public:
  // The master reported last_gtid = `gtid` (one GTID, or a position): the session's writes
  // reach at least that far. Malformed text is ignored (false).
  bool note_committed(std::string_view gtid);
  // A token presented for the rest of the session (replaces an earlier one); the empty
  // position clears it.
  void present_token(router::GtidPosition position) { token_ = std::move(position); }
  // After a read served by `route` completed on a replica: the floor rises to what that replica
  // was known (or waited) to cover, and the session keeps reading there.
  void note_replica_read(const router::Route& route);
  // COM_RESET_CONNECTION / COM_CHANGE_USER: a fresh session forgets everything but nothing it
  // must not: a session that wrote keeps its writes' position (they stay committed).
  void reset();

  // What the session's token would say now: its writes, its token and what it has read.
  router::GtidPosition token_position() const;
  const router::GtidPosition& writes() const { return writes_; }

  // Fills the router's view.
  void fill(router::RoutingSession& session) const;

 private:
  router::GtidPosition writes_;
  router::GtidPosition token_;
  router::GtidPosition floor_;
  std::optional<std::size_t> home_replica_;
};

}  // namespace rwproxy::session
