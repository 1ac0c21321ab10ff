#include "proxy/protocol/session_state_info.hpp"

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"

namespace rwproxy::protocol {
namespace {

// Decodes the data of one entry; types other than variables and schema stay opaque.
std::error_code read_change(std::uint8_t type, std::string_view data, SessionStateChange& change) {
  change = SessionStateChange{type, {}, data};
  if (type != session_track::system_variables && type != session_track::schema) return {};
  Reader r(as_bytes(data));
  if (type == session_track::system_variables) change.name = r.lenenc_string();
  change.value = r.lenenc_string();
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (!r.at_end()) return ProtocolError::trailing_bytes;
  return {};
}

std::error_code read_state_block(Bytes block, std::vector<SessionStateChange>& changes) {
  Reader r(block);
  while (!r.at_end()) {
    const std::uint8_t type = r.u8();
    const std::string_view data = r.lenenc_string();
    if (!r.ok()) return ProtocolError::truncated_packet;
    SessionStateChange change;
    if (auto ec = read_change(type, data, change)) return ec;
    changes.push_back(change);
  }
  return {};
}

}  // namespace

std::error_code parse_tracked_ok(Bytes payload, TrackedOk& out) {
  out.changes.clear();
  if (auto ec = OkPacket::deserialize(payload, out.ok)) return ec;
  out.header = payload[0];
  const bool state_changed = out.ok.status_flags & server_status::session_state_changed;

  Reader r(as_bytes(out.ok.info));  // what follows the warnings
  out.ok.info = {};
  if (r.at_end()) return state_changed ? ProtocolError::truncated_packet : std::error_code{};
  out.ok.info = r.lenenc_string();
  Bytes block;
  if (state_changed) block = as_bytes(r.lenenc_string());
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (!r.at_end()) return ProtocolError::trailing_bytes;
  return read_state_block(block, out.changes);
}

std::optional<std::string_view> find_system_variable(const TrackedOk& tracked, std::string_view name) {
  std::optional<std::string_view> value;
  for (const SessionStateChange& change : tracked.changes) {
    if (change.type == session_track::system_variables && change.name == name) value = change.value;
  }
  return value;
}

void write_untracked_ok(const TrackedOk& tracked, std::string& out) {
  OkPacket fixed = tracked.ok;
  fixed.status_flags = static_cast<std::uint16_t>(fixed.status_flags & ~server_status::session_state_changed);
  fixed.info = {};
  fixed.serialize(out, tracked.header);
  if (tracked.ok.info.empty()) return;
  Writer w(out);
  if (untracked_info_is_lenenc) {
    w.lenenc_string(tracked.ok.info);
  } else {
    w.bytes(tracked.ok.info);
  }
}

std::error_code strip_session_state(Bytes tracked_payload, std::string& out) {
  TrackedOk tracked;
  if (auto ec = parse_tracked_ok(tracked_payload, tracked)) return ec;
  write_untracked_ok(tracked, out);
  return {};
}

}  // namespace rwproxy::protocol
