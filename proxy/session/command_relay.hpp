// Streams one command's response from a backend to the client without buffering it whole:
// bytes are written to the client as they arrive, and packet heads are tracked to find the end.
#pragma once

#include <vector>

#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/packet_scanner.hpp"
#include "proxy/protocol/response_tracker.hpp"

namespace rwproxy::session {

class CommandRelay {
 public:
  enum class Result {
    completed,       // the whole response reached the client
    backend_failed,  // the backend broke or misbehaved; see bytes_to_client
    client_failed,   // the client went away
  };

  struct Outcome {
    Result result = Result::completed;
    bool bytes_to_client = false;  // some of the response was already forwarded
    bool timed_out = false;        // the backend was silent longer than the query timeout
    protocol::ResponseTracker::Summary summary;
  };

  explicit CommandRelay(std::size_t buffer_size) : buffer_(buffer_size) {}

  // Sends the command packet (already framed) to the backend and relays the response.
  // `timeout` (0 = none) bounds each wait for the backend's next bytes.
  awaitable<Outcome> run(protocol::Command command, std::string_view command_frames, std::uint8_t next_sequence,
                         bool cursor, backend::BackendConnection& backend, net::PacketChannel& client,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

 private:
  enum class ChunkStatus { more, done, infile, bad_stream };

  ChunkStatus scan_chunk(protocol::Bytes chunk, std::size_t& forward);
  awaitable<Result> forward_local_infile(backend::BackendConnection& backend, net::PacketChannel& client);

  std::vector<std::uint8_t> buffer_;
  protocol::ResponseTracker tracker_;
  protocol::PacketScanner scanner_;
  bool infile_requested_ = false;
};

}  // namespace rwproxy::session
