#include "proxy/protocol/error.hpp"

#include <string>

namespace rwproxy::protocol {
namespace {

class ProtocolCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mysql-protocol"; }
  std::string message(int value) const override {
    switch (static_cast<ProtocolError>(value)) {
      case ProtocolError::ok: return "ok";
      case ProtocolError::truncated_packet: return "truncated packet";
      case ProtocolError::trailing_bytes: return "unexpected bytes after the end of a packet";
      case ProtocolError::bad_sequence: return "packet sequence id out of order";
      case ProtocolError::packet_too_large: return "packet larger than max_packet_size";
      case ProtocolError::unexpected_packet: return "unexpected packet in this protocol state";
      case ProtocolError::unsupported_protocol: return "unsupported protocol version or capability";
      case ProtocolError::unsupported_auth_plugin: return "unsupported authentication plugin";
      case ProtocolError::access_denied: return "access denied";
      case ProtocolError::buffer_overflow: return "buffer limit exceeded";
    }
    return "unknown protocol error";
  }
};

}  // namespace

const std::error_category& protocol_category() {
  static const ProtocolCategory category;  // stateless, immutable
  return category;
}

}  // namespace rwproxy::protocol
