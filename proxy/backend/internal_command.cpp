#include "proxy/backend/internal_command.hpp"

#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::backend {

awaitable<InternalResult> run_internal_command(BackendConnection& backend, std::string_view payload) {
  InternalResult result;
  std::string frames;
  protocol::append_frames(frames, payload, 0);
  std::error_code ec;
  co_await backend.channel().write(frames, ec);
  const auto command = static_cast<protocol::Command>(static_cast<std::uint8_t>(payload.front()));
  if (ec) {
    result.io_failed = true;
    co_return result;
  }
  if (!protocol::ResponseTracker::expects_response(command)) co_return result;
  protocol::ResponseTracker tracker;
  tracker.start(command, backend.capabilities());
  for (;;) {
    auto packet = co_await backend.channel().read_packet(ec);
    if (!packet) {
      result.io_failed = true;
      co_return result;
    }
    protocol::Bytes bytes = protocol::as_bytes(packet->payload);
    protocol::PacketHead head{std::min(packet->payload.size(), protocol::max_frame_payload), packet->sequence_id,
                              bytes.first(std::min(bytes.size(), protocol::PacketScanner::prefix_capacity))};
    auto verdict = tracker.on_packet(head);
    if (protocol::is_err_packet(bytes) && result.error_message.empty()) {
      protocol::ErrPacket err;
      if (!protocol::ErrPacket::deserialize(bytes, err)) result.error_message = err.message;
    }
    if (verdict == protocol::ResponseTracker::Verdict::done) break;
    if (verdict == protocol::ResponseTracker::Verdict::local_infile) {
      // The proxy never sends LOAD DATA LOCAL itself; refuse with an empty file.
      std::string empty;
      protocol::append_frames(empty, std::string_view{}, static_cast<std::uint8_t>(packet->sequence_id + 1));
      co_await backend.channel().write(empty, ec);
      tracker.resume_after_infile();
    }
  }
  result.summary = tracker.summary();
  co_return result;
}

}  // namespace rwproxy::backend
