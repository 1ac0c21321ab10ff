#include "proxy/session/command_relay.hpp"

#include <cstring>

#include "proxy/net/deadline.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::session {

using protocol::PacketScanner;
using protocol::ResponseTracker;

CommandRelay::ChunkStatus CommandRelay::scan_chunk(protocol::Bytes chunk, std::size_t& forward) {
  std::size_t pos = 0;
  for (;;) {
    PacketScanner::Step step = scanner_.next(chunk.subspan(pos));
    pos += step.consumed;
    switch (step.event) {
      case PacketScanner::Event::need_more:
        forward = pos;
        return ChunkStatus::more;
      case PacketScanner::Event::bad_sequence:
        return ChunkStatus::bad_stream;
      case PacketScanner::Event::end_of_stream:
        forward = pos;
        if (pos != chunk.size()) return ChunkStatus::bad_stream;  // bytes beyond the response
        return infile_requested_ ? ChunkStatus::infile : ChunkStatus::done;
      case PacketScanner::Event::packet_head:
        switch (tracker_.on_packet(step.head)) {
          case ResponseTracker::Verdict::more:
            break;
          case ResponseTracker::Verdict::local_infile:
            infile_requested_ = true;
            scanner_.end_after_packet();
            break;
          case ResponseTracker::Verdict::done:
            scanner_.end_after_packet();
            break;
        }
        break;
    }
  }
}

awaitable<CommandRelay::Outcome> CommandRelay::run(protocol::Command command, std::string_view command_frames,
                                                   std::uint8_t next_sequence, bool cursor,
                                                   backend::BackendConnection& backend, net::PacketChannel& client,
                                                   std::chrono::milliseconds timeout) {
  Outcome outcome;
  std::error_code ec;
  co_await backend.channel().write(command_frames, ec);
  if (ec) {
    outcome.result = Result::backend_failed;
    co_return outcome;
  }
  if (!ResponseTracker::expects_response(command)) co_return outcome;

  tracker_.start(command, backend.capabilities(), cursor);
  scanner_.reset(next_sequence);
  infile_requested_ = false;
  std::string pending = backend.channel().reader().take_buffered();  // normally empty
  for (;;) {
    std::size_t n = 0;
    if (!pending.empty()) {
      n = std::min(pending.size(), buffer_.size());
      std::memcpy(buffer_.data(), pending.data(), n);
      pending.erase(0, n);
    } else {
      error_code io;
      net::Deadline deadline(backend.socket());
      deadline.arm(timeout);
      n = co_await backend.socket().async_read_some(asio::buffer(buffer_), asio::redirect_error(asio::use_awaitable, io));
      deadline.disarm();
      if (io) {
        outcome.result = Result::backend_failed;
        outcome.timed_out = deadline.expired();
        break;
      }
    }
    std::size_t forward = 0;
    ChunkStatus status = scan_chunk(protocol::Bytes(buffer_.data(), n), forward);
    if (status == ChunkStatus::bad_stream) {
      outcome.result = Result::backend_failed;
      break;
    }
    co_await client.write(std::string_view(reinterpret_cast<const char*>(buffer_.data()), forward), ec);
    outcome.bytes_to_client = true;
    if (ec) {
      outcome.result = Result::client_failed;
      break;
    }
    if (status == ChunkStatus::done) break;
    if (status == ChunkStatus::infile) {
      outcome.result = co_await forward_local_infile(backend, client);
      if (outcome.result != Result::completed) break;
    }
  }
  outcome.summary = tracker_.summary();
  co_return outcome;
}

awaitable<CommandRelay::Result> CommandRelay::forward_local_infile(backend::BackendConnection& backend,
                                                                  net::PacketChannel& client) {
  // The client sends the file as packets and ends with an empty one; the server then replies.
  std::string frames;
  for (;;) {
    std::error_code ec;
    auto packet = co_await client.read_packet(ec);
    if (!packet) co_return Result::client_failed;
    frames.clear();
    std::uint8_t next = protocol::append_frames(frames, packet->payload, packet->sequence_id);
    co_await backend.channel().write(frames, ec);
    if (ec) co_return Result::backend_failed;
    if (packet->payload.empty()) {
      tracker_.resume_after_infile();
      scanner_.reset(next);
      infile_requested_ = false;
      co_return Result::completed;
    }
  }
}

}  // namespace rwproxy::session
