#include "proxy/backend/gtid_wait.hpp"

#include <fmt/format.h>

#include "proxy/protocol/generic_packets.hpp"
#include "proxy/protocol/response_tracker.hpp"

namespace rwproxy::backend {

std::string gtid_wait_payload(const router::GtidPosition& position, std::chrono::milliseconds timeout) {
  // The position is our own formatting of parsed numbers: nothing to escape.
  return fmt::format("{}SELECT MASTER_GTID_WAIT('{}', {}.{:03})", static_cast<char>(protocol::Command::query),
                     position.to_string(), timeout.count() / 1000, timeout.count() % 1000);
}

std::string binlog_position_payload() {
  return std::string(1, static_cast<char>(protocol::Command::query)) + "SELECT @@global.gtid_binlog_pos";
}

awaitable<SingleValue> read_single_value(BackendConnection& backend) {
  SingleValue result;
  protocol::ResponseTracker tracker;
  tracker.start(protocol::Command::query, backend.capabilities());
  bool first_row_seen = false;
  std::size_t packets = 0;
  for (;;) {
    std::error_code ec;
    auto packet = co_await backend.channel().read_packet(ec);
    if (!packet) {
      result.io_failed = true;
      co_return result;
    }
    ++packets;
    const protocol::Bytes bytes = protocol::as_bytes(packet->payload);
    const protocol::PacketHead head{std::min(packet->payload.size(), protocol::max_frame_payload), packet->sequence_id,
                                    bytes.first(std::min(bytes.size(), protocol::PacketScanner::prefix_capacity))};
    const auto verdict = tracker.on_packet(head);
    if (protocol::is_err_packet(bytes)) {
      protocol::ErrPacket err;
      if (!protocol::ErrPacket::deserialize(bytes, err)) result.error = err.message;
    }
    // Column count, one column definition, [EOF], then the row: one text value, "0" = reached.
    const bool deprecate_eof = backend.capabilities() & protocol::capability::deprecate_eof;
    const std::size_t row_index = deprecate_eof ? 3 : 4;
    if (!first_row_seen && packets == row_index && !protocol::is_err_packet(bytes)) {
      first_row_seen = true;
      protocol::Reader reader(bytes);
      const std::string_view value = reader.lenenc_string();
      if (reader.ok()) result.value = std::string(value);
    }
    if (verdict != protocol::ResponseTracker::Verdict::more) break;
  }
  if (!result.error.empty()) result.value.reset();
  co_return result;
}

}  // namespace rwproxy::backend
