// What the router needs to know about the client session, as plain values.
// The session keeps these up to date from the server's status flags and the statements it ran.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/gtid_position.hpp"

namespace rwproxy::router {

using Clock = std::chrono::steady_clock;

struct RoutingSession {
  std::string_view user;
  std::string_view schema;
  bool in_transaction = false;          // SERVER_STATUS_IN_TRANS from the last reply
  bool autocommit = true;               // SERVER_STATUS_AUTOCOMMIT from the last reply
  std::optional<std::size_t> transaction_replica;  // a READ ONLY transaction runs on this replica
  std::optional<Clock::time_point> last_write;     // when the session's last write committed
  bool pinned = false;                  // LOCK TABLES, GET_LOCK, SQL PREPARE, unparsed SET
  const std::vector<std::string>* temporary_tables = nullptr;  // lower-case names
  std::optional<std::size_t> last_replica;  // where the previous statement ran (nullopt: master)
  bool hints_allowed = true;
  // Read-your-writes by GTID position (null = none): what the session's own writes committed,
  // a consistency token it presented, and the newest position it has already read (the floor
  // that monotonic reads keep).
  const GtidPosition* write_position = nullptr;
  const GtidPosition* token_position = nullptr;
  const GtidPosition* read_floor = nullptr;
  // The replica the session reads from while it stays eligible (monotonic reads), if any yet.
  std::optional<std::size_t> home_replica;
};

}  // namespace rwproxy::router
