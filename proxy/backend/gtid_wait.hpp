// MASTER_GTID_WAIT on a replica, pipelined in front of the read it guards: the proxy sends the
// wait and the read in one write, reads the wait's one-row answer first and relays the read's
// response only if the replica reached the position; otherwise the read's response is drained
// and never reaches the client.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "router/gtid_position.hpp"

namespace rwproxy::backend {

// The COM_QUERY payload: SELECT MASTER_GTID_WAIT('<position>', <seconds>).
std::string gtid_wait_payload(const router::GtidPosition& position, std::chrono::milliseconds timeout);

// The COM_QUERY payload that reads the master's own position: SELECT @@global.gtid_binlog_pos.
std::string binlog_position_payload();

// The answer to a one-column, one-row text query.
struct SingleValue {
  bool io_failed = false;             // the connection broke: drop it
  std::optional<std::string> value;   // nullopt: NULL, no row, or an ERR
  std::string error;                  // the server's ERR message, if it answered with one
};

// Reads the response to a query already sent (gtid_wait_payload: "0" = reached, "-1" = timed out).
awaitable<SingleValue> read_single_value(BackendConnection& backend);

}  // namespace rwproxy::backend
