// Protocol errors as an enum turned into std::error_code. No exceptions in the codec.
#pragma once

#include <system_error>

namespace rwproxy::protocol {

enum class ProtocolError {
  ok = 0,
  truncated_packet = 1,       // a field runs past the end of the packet
  trailing_bytes,             // decoder left bytes unread
  bad_sequence,               // sequence id not the expected one
  packet_too_large,           // payload beyond the configured maximum
  unexpected_packet,          // packet type not valid in this state
  unsupported_protocol,       // protocol version or capability we can't speak
  unsupported_auth_plugin,
  access_denied,
  buffer_overflow,            // bounded buffer would grow past its limit
};

const std::error_category& protocol_category();

inline std::error_code make_error_code(ProtocolError e) {
  return {static_cast<int>(e), protocol_category()};
}

}  // namespace rwproxy::protocol

template <>
struct std::is_error_code_enum<rwproxy::protocol::ProtocolError> : std::true_type {};
