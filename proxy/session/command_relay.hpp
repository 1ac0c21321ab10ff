// Streams one command's response from a backend to the client without buffering it whole:
// bytes are written to the client as they arrive, and packet heads are tracked to find the end.
#pragma once

#include <optional>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/net/buffer_pool.hpp"
#include "proxy/net/deadline_sweep.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/packet_scanner.hpp"
#include "proxy/protocol/response_tracker.hpp"

namespace rwproxy::session {

// What the relay does with OK packets that carry session-state information.
struct RelaySessionTracking {
  bool read_state = false;  // the backend reports session state (last_gtid, schema, state
                            // changes): read it from the OK packets
  bool strip = false;       // the client did not negotiate session tracking: remove it
};

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
    std::string last_gtid;         // the last last_gtid the server reported (session tracking)
    bool wait_timed_out = false;   // the replica did not reach the GTID position: nothing was sent
                                   // to the client, the statement must run elsewhere
    bool state_changed = false;    // the server reported a session-state change (SESSION_TRACK_STATE_CHANGE)
    std::optional<std::string> schema;  // the current schema the server reported (SESSION_TRACK_SCHEMA)
  };

  using SessionTracking = RelaySessionTracking;

  // Responses are read through a buffer of `buffers`, held only while one is relayed; a query
  // timeout is a deadline in the worker's `deadlines`.
  CommandRelay(net::BufferPool& buffers, net::DeadlineSweep& deadlines) : buffers_(buffers), deadlines_(deadlines) {}

  // Sends the command packet (already framed) to the backend and relays the response.
  // `timeout` (0 = none) bounds each wait for the backend's next bytes.
  awaitable<Outcome> run(protocol::Command command, std::string_view command_frames, std::uint8_t next_sequence,
                         bool cursor, backend::BackendConnection& backend, net::PacketChannel& client,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                         SessionTracking tracking = {});
  // Relays the response to a command already sent (pipelined behind another one). With
  // `discard`, the response is read to its end and nothing reaches the client.
  awaitable<Outcome> relay_response(protocol::Command command, std::uint8_t next_sequence, bool cursor,
                                    backend::BackendConnection& backend, net::PacketChannel& client,
                                    std::chrono::milliseconds timeout, SessionTracking tracking, bool discard);

 private:
  enum class ChunkStatus { more, done, infile, bad_stream };

  // Scans one chunk; what goes to the client is then output() (held-back, captured and
  // rewritten packets make it differ from the chunk).
  ChunkStatus scan_chunk(protocol::Bytes chunk);
  void on_head(protocol::Bytes chunk, std::size_t pos, const protocol::PacketHead& head, std::size_t& flushed);
  void finish_capture();
  void emit(protocol::Bytes chunk, std::size_t begin, std::size_t end);
  void emit_text(protocol::Bytes chunk, std::string_view text);
  std::string_view output(protocol::Bytes chunk) const;
  awaitable<Result> forward_local_infile(backend::BackendConnection& backend, net::PacketChannel& client);

  net::BufferPool& buffers_;
  net::DeadlineSweep& deadlines_;
  protocol::ResponseTracker tracker_;
  protocol::PacketScanner scanner_;
  bool infile_requested_ = false;
  SessionTracking tracking_;
  // Per chunk: chunk[0, direct_end_) goes out as it is, unless staging_, then out_ does.
  std::size_t direct_end_ = 0;
  bool staging_ = false;
  std::string out_;
  std::string held_;     // the start of a packet head that the previous chunk ended in
  std::string capture_;  // a whole OK packet with session state, frame header included
  bool capturing_ = false;
  std::string last_gtid_;
  bool state_changed_ = false;
  std::optional<std::string> schema_;
};

}  // namespace rwproxy::session
