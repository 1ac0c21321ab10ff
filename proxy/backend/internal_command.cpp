#include "proxy/backend/internal_command.hpp"

#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::backend {

awaitable<InternalResult> run_internal_command(BackendConnection& backend, std::string_view payload,
                                               bool keep_packets) {
  std::string frames;
  protocol::append_frames(frames, payload, 0);
  std::error_code ec;
  co_await backend.channel().write(frames, ec);
  const auto command = static_cast<protocol::Command>(static_cast<std::uint8_t>(payload.front()));
  if (ec) {
    InternalResult failed;
    failed.io_failed = true;
    co_return failed;
  }
  if (!protocol::ResponseTracker::expects_response(command)) co_return InternalResult{};
  co_return co_await read_internal_response(backend, command, keep_packets);
}

awaitable<PipelinedResult> run_pipelined(BackendConnection& backend, std::span<const std::string> payloads) {
  PipelinedResult out;
  std::string frames;
  for (const std::string& payload : payloads) protocol::append_frames(frames, payload, 0);
  std::error_code ec;
  co_await backend.channel().write(frames, ec);
  if (ec) {
    out.result.io_failed = true;
    co_return out;
  }
  bool failed = false;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const auto command = static_cast<protocol::Command>(static_cast<std::uint8_t>(payloads[i].front()));
    if (!protocol::ResponseTracker::expects_response(command)) continue;
    InternalResult result = co_await read_internal_response(backend, command);
    if (result.io_failed || (!failed && !result.ok()) || (!failed && i + 1 == payloads.size())) {
      out.result = std::move(result);
      out.failed = i;
      if (out.result.io_failed) co_return out;
      failed = !out.result.ok();
    }
  }
  co_return out;
}

awaitable<InternalResult> read_internal_response(BackendConnection& backend, protocol::Command command,
                                                 bool keep_packets) {
  InternalResult result;
  protocol::ResponseTracker tracker;
  tracker.start(command, backend.capabilities());
  // Column count, column definitions, an EOF unless CLIENT_DEPRECATE_EOF, then the first row.
  const std::size_t eof_after_columns = (backend.capabilities() & protocol::capability::deprecate_eof) ? 0 : 1;
  std::size_t packets = 0;
  for (;;) {
    std::error_code ec;
    auto packet = co_await backend.channel().read_packet(ec);
    if (!packet) {
      result.io_failed = true;
      co_return result;
    }
    ++packets;
    protocol::Bytes bytes = protocol::as_bytes(packet->payload);
    protocol::PacketHead head{std::min(packet->payload.size(), protocol::max_frame_payload), packet->sequence_id,
                              bytes.first(std::min(bytes.size(), protocol::PacketScanner::prefix_capacity))};
    auto verdict = tracker.on_packet(head);
    const std::size_t columns = tracker.summary().column_count;
    if (protocol::is_err_packet(bytes)) {
      protocol::ErrPacket err;
      if (result.error_message.empty() && !protocol::ErrPacket::deserialize(bytes, err)) result.error_message = err.message;
    } else if (columns > 0 && packets == 1 + columns + eof_after_columns + 1) {
      protocol::Reader row(bytes);
      const std::string_view value = row.lenenc_string();
      if (row.ok()) result.first_value = std::string(value);
    }
    if (keep_packets) result.packets.push_back(packet->payload);
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
  if (result.summary.error) result.first_value.reset();
  co_return result;
}

}  // namespace rwproxy::backend
