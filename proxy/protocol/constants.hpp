// Protocol constants: capability flags, server status flags, command bytes.
#pragma once

#include <cstdint>

namespace rwproxy::protocol {

namespace capability {
inline constexpr std::uint32_t long_password = 1u << 0;
inline constexpr std::uint32_t found_rows = 1u << 1;
inline constexpr std::uint32_t long_flag = 1u << 2;
inline constexpr std::uint32_t connect_with_db = 1u << 3;
inline constexpr std::uint32_t no_schema = 1u << 4;
inline constexpr std::uint32_t compress = 1u << 5;
inline constexpr std::uint32_t odbc = 1u << 6;
inline constexpr std::uint32_t local_files = 1u << 7;
inline constexpr std::uint32_t ignore_space = 1u << 8;
inline constexpr std::uint32_t protocol_41 = 1u << 9;
inline constexpr std::uint32_t interactive = 1u << 10;
inline constexpr std::uint32_t ssl = 1u << 11;
inline constexpr std::uint32_t ignore_sigpipe = 1u << 12;
inline constexpr std::uint32_t transactions = 1u << 13;
inline constexpr std::uint32_t reserved = 1u << 14;
inline constexpr std::uint32_t secure_connection = 1u << 15;
inline constexpr std::uint32_t multi_statements = 1u << 16;
inline constexpr std::uint32_t multi_results = 1u << 17;
inline constexpr std::uint32_t ps_multi_results = 1u << 18;
inline constexpr std::uint32_t plugin_auth = 1u << 19;
inline constexpr std::uint32_t connect_attrs = 1u << 20;
inline constexpr std::uint32_t plugin_auth_lenenc_data = 1u << 21;
inline constexpr std::uint32_t can_handle_expired_passwords = 1u << 22;
inline constexpr std::uint32_t session_track = 1u << 23;
inline constexpr std::uint32_t deprecate_eof = 1u << 24;
}  // namespace capability

namespace server_status {
inline constexpr std::uint16_t in_trans = 0x0001;
inline constexpr std::uint16_t autocommit = 0x0002;
inline constexpr std::uint16_t more_results_exist = 0x0008;
inline constexpr std::uint16_t no_good_index_used = 0x0010;
inline constexpr std::uint16_t no_index_used = 0x0020;
inline constexpr std::uint16_t cursor_exists = 0x0040;
inline constexpr std::uint16_t last_row_sent = 0x0080;
inline constexpr std::uint16_t db_dropped = 0x0100;
inline constexpr std::uint16_t no_backslash_escapes = 0x0200;
inline constexpr std::uint16_t metadata_changed = 0x0400;
inline constexpr std::uint16_t query_was_slow = 0x0800;
inline constexpr std::uint16_t ps_out_params = 0x1000;
inline constexpr std::uint16_t in_trans_readonly = 0x2000;
inline constexpr std::uint16_t session_state_changed = 0x4000;
}  // namespace server_status

enum class Command : std::uint8_t {
  sleep = 0x00,
  quit = 0x01,
  init_db = 0x02,
  query = 0x03,
  field_list = 0x04,
  create_db = 0x05,
  drop_db = 0x06,
  refresh = 0x07,
  shutdown = 0x08,
  statistics = 0x09,
  process_info = 0x0a,
  connect = 0x0b,
  process_kill = 0x0c,
  debug = 0x0d,
  ping = 0x0e,
  time = 0x0f,
  delayed_insert = 0x10,
  change_user = 0x11,
  binlog_dump = 0x12,
  table_dump = 0x13,
  connect_out = 0x14,
  register_slave = 0x15,
  stmt_prepare = 0x16,
  stmt_execute = 0x17,
  stmt_send_long_data = 0x18,
  stmt_close = 0x19,
  stmt_reset = 0x1a,
  set_option = 0x1b,
  stmt_fetch = 0x1c,
  daemon = 0x1d,
  binlog_dump_gtid = 0x1e,
  reset_connection = 0x1f,
  stmt_bulk_execute = 0xfa,
};

// Header bytes of generic response packets.
inline constexpr std::uint8_t ok_header = 0x00;
inline constexpr std::uint8_t eof_header = 0xfe;
inline constexpr std::uint8_t err_header = 0xff;
inline constexpr std::uint8_t local_infile_header = 0xfb;

inline constexpr std::size_t max_frame_payload = 0xffffff;  // a frame this long is continued
inline constexpr std::size_t frame_header_size = 4;

// Error codes the proxy sends for its own failures. Server-range codes only: clients reject a
// server ERR carrying a client code (2000-2999) as a malformed packet.
namespace proxy_error {
inline constexpr std::uint16_t backend_unavailable = 1429;  // ER_CONNECT_TO_FOREIGN_DATA_SOURCE
inline constexpr std::uint16_t backend_lost = 1927;         // ER_CONNECTION_KILLED (sqlstate 70100)
inline constexpr std::uint16_t backend_handshake = 1043;    // ER_HANDSHAKE_ERROR
inline constexpr std::uint16_t no_replica = 1105;           // ER_UNKNOWN_ERROR
inline constexpr std::uint16_t statement_timeout = 1969;    // ER_STATEMENT_TIMEOUT (sqlstate 70100)
inline constexpr std::uint16_t bad_token = 1231;            // ER_WRONG_VALUE_FOR_VAR (sqlstate 42000)
inline constexpr std::uint16_t token_unreachable = 1525;    // ER_WRONG_VALUE (sqlstate HY000)
inline constexpr std::uint16_t no_writer = 1290;           // ER_OPTION_PREVENTS_STATEMENT (as a read-only
                                                            // server answers a write): no backend takes writes
inline constexpr std::uint16_t pool_exhausted = 1040;       // ER_CON_COUNT_ERROR (sent with sqlstate HY000:
                                                            // the client's connection stays usable)

// The backend could not be reached or was lost: another backend may serve.
inline constexpr bool is_unreachable(std::uint16_t code) { return code == backend_unavailable || code == backend_lost; }
}  // namespace proxy_error

// Collation id for utf8mb4_general_ci, used when nothing else is known.
inline constexpr std::uint8_t default_collation = 45;

}  // namespace rwproxy::protocol
