#include "proxy/protocol/generic_packets.hpp"

#include "proxy/protocol/error.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::protocol {

void OkPacket::serialize(std::string& out, std::uint8_t header) const {
  Writer w(out);
  w.u8(header);
  w.lenenc_int(affected_rows);
  w.lenenc_int(last_insert_id);
  w.u16(status_flags);
  w.u16(warnings);
  w.bytes(info);
}

std::error_code OkPacket::deserialize(Bytes payload, OkPacket& out) {
  Reader r(payload);
  std::uint8_t header = r.u8();
  if (!r.ok() || (header != 0x00 && header != 0xfe)) return ProtocolError::unexpected_packet;
  out.affected_rows = r.lenenc_int();
  out.last_insert_id = r.lenenc_int();
  out.status_flags = r.u16();
  out.warnings = r.u16();
  if (!r.ok()) return ProtocolError::truncated_packet;
  out.info = r.rest();
  return {};
}

void ErrPacket::serialize(std::string& out) const {
  Writer w(out);
  w.u8(0xff);
  w.u16(error_code);
  w.u8('#');
  std::string state = sql_state;
  state.resize(5, '0');
  w.bytes(state);
  w.bytes(message);
}

std::error_code ErrPacket::deserialize(Bytes payload, ErrPacket& out) {
  Reader r(payload);
  if (r.u8() != 0xff || !r.ok()) return ProtocolError::unexpected_packet;
  out.error_code = r.u16();
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (r.peek() == std::optional<std::uint8_t>('#')) {
    r.skip(1);
    out.sql_state = std::string(r.string(5));
    if (!r.ok()) return ProtocolError::truncated_packet;
  } else {
    out.sql_state = "HY000";
  }
  out.message = std::string(r.rest());
  return {};
}

void EofPacket::serialize(std::string& out) const {
  Writer w(out);
  w.u8(0xfe);
  w.u16(warnings);
  w.u16(status_flags);
}

std::error_code EofPacket::deserialize(Bytes payload, EofPacket& out) {
  Reader r(payload);
  if (r.u8() != 0xfe || !r.ok() || payload.size() >= 9) return ProtocolError::unexpected_packet;
  if (payload.size() == 1) return {};  // pre-4.1 EOF
  out.warnings = r.u16();
  out.status_flags = r.u16();
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (!r.at_end()) return ProtocolError::trailing_bytes;
  return {};
}

std::string make_err_frame(std::uint8_t sequence_id, std::uint16_t code, std::string_view sql_state,
                           std::string_view message) {
  ErrPacket err{code, std::string(sql_state), std::string(message)};
  std::string payload;
  err.serialize(payload);
  std::string out;
  append_frames(out, payload, sequence_id);
  return out;
}

std::string make_ok_frame(std::uint8_t sequence_id, std::uint16_t status_flags) {
  OkPacket ok;
  ok.status_flags = status_flags;
  std::string payload;
  ok.serialize(payload);
  std::string out;
  append_frames(out, payload, sequence_id);
  return out;
}

}  // namespace rwproxy::protocol
