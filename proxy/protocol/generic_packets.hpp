// OK, ERR and EOF packets: plain structs with serialize / deserialize.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::protocol {

struct OkPacket {
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t status_flags = 0;
  std::uint16_t warnings = 0;
  std::string_view info;  // trailing human-readable info (session-state data not decoded here)

  // `header` is 0x00, or 0xfe for an OK that ends a result set under CLIENT_DEPRECATE_EOF.
  void serialize(std::string& out, std::uint8_t header = 0x00) const;
  // Parses an OK (0x00 or 0xfe header). The view refers into `payload`.
  static std::error_code deserialize(Bytes payload, OkPacket& out);
};

struct ErrPacket {
  std::uint16_t error_code = 0;
  std::string sql_state = "HY000";  // five characters
  std::string message;

  void serialize(std::string& out) const;
  static std::error_code deserialize(Bytes payload, ErrPacket& out);
};

struct EofPacket {
  std::uint16_t warnings = 0;
  std::uint16_t status_flags = 0;

  void serialize(std::string& out) const;
  static std::error_code deserialize(Bytes payload, EofPacket& out);
};

// True for the 0xfe packet that is an EOF (old style) rather than a row or auth switch:
// EOF packets are always shorter than 9 bytes.
inline bool is_eof_packet(Bytes payload) { return !payload.empty() && payload[0] == 0xfe && payload.size() < 9; }
inline bool is_err_packet(Bytes payload) { return !payload.empty() && payload[0] == 0xff; }
inline bool is_ok_packet(Bytes payload) { return !payload.empty() && payload[0] == 0x00; }

// Builds a whole ERR packet frame (header included) with the given sequence id.
std::string make_err_frame(std::uint8_t sequence_id, std::uint16_t code, std::string_view sql_state,
                           std::string_view message);
std::string make_ok_frame(std::uint8_t sequence_id, std::uint16_t status_flags);

}  // namespace rwproxy::protocol
