// The statements of causal reads. MASTER_GTID_WAIT runs on a replica pipelined in front of the
// read it guards: the proxy sends the wait and the read in one write, reads the wait's one-row
// answer first (read_internal_response) and relays the read's response only if the replica
// reached the position; otherwise the read's response is drained and never reaches the client.
#pragma once

#include <chrono>
#include <string>

#include "router/gtid_position.hpp"

namespace rwproxy::backend {

// The COM_QUERY payload: SELECT MASTER_GTID_WAIT('<position>', <seconds>).
std::string gtid_wait_payload(const router::GtidPosition& position, std::chrono::milliseconds timeout);

// The COM_QUERY payload that reads the master's own position: SELECT @@global.gtid_binlog_pos.
std::string binlog_position_payload();

}  // namespace rwproxy::backend
