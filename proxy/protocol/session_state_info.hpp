// Session-state information in OK packets (CLIENT_SESSION_TRACK). With the capability, an OK
// whose status has SERVER_SESSION_STATE_CHANGED ends with the changes the statement made to the
// session: system variables (e.g. last_gtid), the current schema, transaction state. This file
// reads them and writes the same OK as the server sends to a client without session tracking.
//
// OK payload under CLIENT_SESSION_TRACK:
//   header (0x00, or 0xfe for a result set's end under CLIENT_DEPRECATE_EOF),
//   lenenc affected rows, lenenc last insert id, u16 status flags, u16 warnings,
//   [lenenc info]                       -- only if bytes remain
//   [lenenc length of the state block,  -- only with SERVER_SESSION_STATE_CHANGED
//    entries: u8 type, lenenc length, data]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::protocol {

// Types of session-state entries (enum_session_state_type).
namespace session_track {
inline constexpr std::uint8_t system_variables = 0;  // data: lenenc name, lenenc value
inline constexpr std::uint8_t schema = 1;            // data: lenenc schema name
inline constexpr std::uint8_t state_change = 2;
inline constexpr std::uint8_t gtids = 3;
inline constexpr std::uint8_t transaction_characteristics = 4;
inline constexpr std::uint8_t transaction_state = 5;
}  // namespace session_track

// How a server writes the info message to a client WITHOUT CLIENT_SESSION_TRACK. MariaDB's
// net_send_ok() stores it with net_store_data(), i.e. as a length-encoded string, and omits it
// when empty; so an OK without SERVER_SESSION_STATE_CHANGED is the same bytes either way.
// false would write it as the protocol documentation describes: the raw rest of the packet.
inline constexpr bool untracked_info_is_lenenc = true;

struct SessionStateChange {
  std::uint8_t type = 0;   // a session_track:: value
  std::string_view name;   // system variables only
  std::string_view value;  // the variable's value, the schema name, or the entry's raw data
};

// An OK packet read from a connection that negotiated CLIENT_SESSION_TRACK.
struct TrackedOk {
  std::uint8_t header = 0x00;  // 0x00, or 0xfe when the OK ends a result set
  OkPacket ok;                 // ok.info is the info message alone
  std::vector<SessionStateChange> changes;
};

// Parses an OK payload (0x00 or 0xfe header) of a connection with session tracking. Views refer
// into `payload`. Malformed input gives truncated_packet / trailing_bytes / unexpected_packet
// (and leaves `out` unspecified).
std::error_code parse_tracked_ok(Bytes payload, TrackedOk& out);

// The value of the last system-variable entry named exactly `name` (e.g. "last_gtid").
std::optional<std::string_view> find_system_variable(const TrackedOk& tracked, std::string_view name);

// Appends the OK a client without session tracking would get: same header, counters, warnings
// and info; status without SERVER_SESSION_STATE_CHANGED; no session-state block.
void write_untracked_ok(const TrackedOk& tracked, std::string& out);

// parse_tracked_ok() then write_untracked_ok(); `out` is left alone on error.
std::error_code strip_session_state(Bytes tracked_payload, std::string& out);

}  // namespace rwproxy::protocol
