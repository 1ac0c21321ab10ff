// Runs a command on a backend for the proxy's own purposes (replaying session state, preparing a
// statement on a replica): the response is read and checked, never forwarded to the client.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/protocol/response_tracker.hpp"

namespace rwproxy::backend {

struct InternalResult {
  bool io_failed = false;                      // the connection broke: drop it
  protocol::ResponseTracker::Summary summary;  // summary.error: the server answered ERR
  std::string error_message;                   // the ERR's message, if any
  std::optional<std::string> first_value;      // a result set's first column of its first row
                                               // (text protocol; nullopt: NULL or no row)
  std::vector<std::string> packets;            // every payload of the response, when asked for

  bool ok() const { return !io_failed && !summary.error; }
};

// `payload` is the command packet's payload (command byte first).
// `keep_packets`: the result keeps the response's payloads (e.g. a PREPARE's metadata).
awaitable<InternalResult> run_internal_command(BackendConnection& backend, std::string_view payload,
                                               bool keep_packets = false);
// Sends every command in one write, then reads their responses in order: one round trip for all.
// The result is that of the first command that failed (`failed` its index), else of the last.
struct PipelinedResult {
  InternalResult result;
  std::size_t failed = 0;
};
awaitable<PipelinedResult> run_pipelined(BackendConnection& backend, std::span<const std::string> payloads);
// Reads the response to `command`, already sent (e.g. pipelined in front of another command).
awaitable<InternalResult> read_internal_response(BackendConnection& backend, protocol::Command command,
                                                 bool keep_packets = false);

}  // namespace rwproxy::backend
