#include "proxy/protocol/handshake.hpp"

#include <algorithm>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"

namespace rwproxy::protocol {

void InitialHandshake::serialize(std::string& out) const {
  Writer w(out);
  w.u8(10);
  w.null_terminated(server_version);
  w.u32(connection_id);
  w.bytes(std::string_view(scramble).substr(0, 8));
  w.u8(0);
  w.u16(static_cast<std::uint16_t>(capabilities & 0xffff));
  w.u8(collation);
  w.u16(status_flags);
  w.u16(static_cast<std::uint16_t>(capabilities >> 16));
  w.u8(static_cast<std::uint8_t>(scramble.size() + 1));
  w.zeros(10);
  std::string_view part2 = std::string_view(scramble).substr(std::min<std::size_t>(8, scramble.size()));
  w.bytes(part2);
  w.zeros(std::max<std::size_t>(13, part2.size() + 1) - part2.size());
  if (capabilities & capability::plugin_auth) w.null_terminated(auth_plugin);
}

std::error_code InitialHandshake::deserialize(Bytes payload, InitialHandshake& out) {
  Reader r(payload);
  if (r.u8() != 10) return r.ok() ? ProtocolError::unsupported_protocol : ProtocolError::truncated_packet;
  out.server_version = std::string(r.null_terminated());
  out.connection_id = r.u32();
  out.scramble = std::string(r.string(8));
  r.skip(1);
  out.capabilities = r.u16();
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (r.at_end()) return {};
  out.collation = r.u8();
  out.status_flags = r.u16();
  out.capabilities |= static_cast<std::uint32_t>(r.u16()) << 16;
  std::uint8_t data_len = r.u8();
  r.skip(10);
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (out.capabilities & capability::secure_connection) {
    std::size_t part2 = std::max<int>(13, static_cast<int>(data_len) - 8);
    std::string_view rest = r.string(part2);
    if (!r.ok()) return ProtocolError::truncated_packet;
    if (!rest.empty() && rest.back() == '\0') rest.remove_suffix(1);
    out.scramble.append(rest);
  }
  out.auth_plugin.clear();
  if (out.capabilities & capability::plugin_auth) {
    // Some servers omit the terminating NUL of the plugin name.
    std::string_view rest = r.rest();
    if (!rest.empty() && rest.back() == '\0') rest.remove_suffix(1);
    out.auth_plugin = std::string(rest);
  }
  return {};
}

void HandshakeResponse::serialize(std::string& out) const {
  Writer w(out);
  w.u32(capabilities);
  w.u32(max_packet_size);
  w.u8(collation);
  w.zeros(23);
  w.null_terminated(username);
  if (capabilities & capability::plugin_auth_lenenc_data) {
    w.lenenc_string(auth_response);
  } else if (capabilities & capability::secure_connection) {
    w.u8(static_cast<std::uint8_t>(auth_response.size()));
    w.bytes(auth_response);
  } else {
    w.null_terminated(auth_response);
  }
  if (capabilities & capability::connect_with_db) w.null_terminated(database);
  if (capabilities & capability::plugin_auth) w.null_terminated(auth_plugin);
  if (capabilities & capability::connect_attrs) {
    std::string attrs;
    Writer aw(attrs);
    for (const auto& [key, value] : attributes) {
      aw.lenenc_string(key);
      aw.lenenc_string(value);
    }
    w.lenenc_string(attrs);
  }
}

namespace {

std::error_code read_attributes(Reader& r, HandshakeResponse& out) {
  std::string_view blob = r.lenenc_string();
  if (!r.ok()) return ProtocolError::truncated_packet;
  Reader ar(as_bytes(blob));
  while (!ar.at_end()) {
    std::string_view key = ar.lenenc_string();
    std::string_view value = ar.lenenc_string();
    if (!ar.ok()) return ProtocolError::truncated_packet;
    out.attributes.emplace_back(key, value);
  }
  return {};
}

}  // namespace

std::error_code HandshakeResponse::deserialize(Bytes payload, HandshakeResponse& out) {
  Reader r(payload);
  out.capabilities = r.u32();
  if (r.ok() && !(out.capabilities & capability::protocol_41)) return ProtocolError::unsupported_protocol;
  out.max_packet_size = r.u32();
  out.collation = r.u8();
  r.skip(23);
  out.username = std::string(r.null_terminated());
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (out.capabilities & capability::plugin_auth_lenenc_data) {
    out.auth_response = std::string(r.lenenc_string());
  } else if (out.capabilities & capability::secure_connection) {
    out.auth_response = std::string(r.string(r.u8()));
  } else {
    out.auth_response = std::string(r.null_terminated());
  }
  if (!r.ok()) return ProtocolError::truncated_packet;
  // Trailing optional fields: clients may stop early even when the flag is set.
  if ((out.capabilities & capability::connect_with_db) && !r.at_end()) {
    out.database = std::string(r.null_terminated());
  }
  if ((out.capabilities & capability::plugin_auth) && !r.at_end()) {
    out.auth_plugin = std::string(r.null_terminated());
  }
  if (!r.ok()) return ProtocolError::truncated_packet;
  if ((out.capabilities & capability::connect_attrs) && !r.at_end()) {
    if (auto ec = read_attributes(r, out)) return ec;
  }
  return r.at_end() ? std::error_code{} : ProtocolError::trailing_bytes;
}

bool is_ssl_request(Bytes payload) {
  if (payload.size() != 32) return false;
  Reader r(payload);
  return (r.u32() & capability::ssl) != 0;
}

void AuthSwitchRequest::serialize(std::string& out) const {
  Writer w(out);
  w.u8(0xfe);
  w.null_terminated(plugin);
  w.null_terminated(plugin_data);
}

std::error_code AuthSwitchRequest::deserialize(Bytes payload, AuthSwitchRequest& out) {
  Reader r(payload);
  if (r.u8() != 0xfe || !r.ok()) return ProtocolError::unexpected_packet;
  out.plugin = std::string(r.null_terminated());
  if (!r.ok()) return ProtocolError::truncated_packet;
  std::string_view data = r.rest();
  if (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  out.plugin_data = std::string(data);
  return {};
}

}  // namespace rwproxy::protocol

namespace rwproxy::protocol {

std::error_code ChangeUserRequest::deserialize(Bytes payload, std::uint32_t capabilities, ChangeUserRequest& out) {
  Reader r(payload);
  if (r.u8() != static_cast<std::uint8_t>(Command::change_user) || !r.ok()) return ProtocolError::unexpected_packet;
  out.username = std::string(r.null_terminated());
  if (capabilities & capability::secure_connection) {
    out.auth_response = std::string(r.string(r.u8()));
  } else {
    out.auth_response = std::string(r.null_terminated());
  }
  out.database = std::string(r.null_terminated());
  if (!r.ok()) return ProtocolError::truncated_packet;
  if (r.remaining() >= 2) out.collation = r.u16();
  if ((capabilities & capability::plugin_auth) && !r.at_end()) out.auth_plugin = std::string(r.null_terminated());
  if (!r.ok()) return ProtocolError::truncated_packet;
  if ((capabilities & capability::connect_attrs) && !r.at_end()) {
    HandshakeResponse holder;
    if (auto ec = read_attributes(r, holder)) return ec;
    out.attributes = std::move(holder.attributes);
  }
  return {};
}

}  // namespace rwproxy::protocol
