// Follows the server's response to one command, packet by packet, to know where it ends:
// OK/ERR, result sets (text and binary, multi-results), prepare responses, LOCAL INFILE requests.
// Looks only at packet heads, so the packets themselves can be streamed without buffering.
#pragma once

#include <cstdint>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/packet_scanner.hpp"

namespace rwproxy::protocol {

class ResponseTracker {
 public:
  enum class Verdict {
    more,          // the response continues
    done,          // this packet ends the response
    local_infile,  // server asks for a local file: the client's data comes next, then a reply
  };

  // What the response turned out to be, for the session's bookkeeping.
  struct Summary {
    bool error = false;               // ended with ERR (or an ERR inside a multi-result)
    std::uint16_t status_flags = 0;   // from the last OK/EOF seen
    bool has_status = false;
    std::uint64_t affected_rows = 0;  // last OK
    std::uint64_t rows_sent = 0;      // rows of the result sets
    std::uint64_t last_insert_id = 0;
    std::uint16_t warnings = 0;       // from the last OK/EOF seen
    std::uint32_t statement_id = 0;   // COM_STMT_PREPARE_OK
    std::uint16_t param_count = 0;
    std::uint16_t column_count = 0;
    std::uint16_t error_code = 0;
  };

  // `capabilities` are those the connection negotiated (CLIENT_DEPRECATE_EOF matters).
  // `cursor` is set for a COM_STMT_EXECUTE that asked for a read-only cursor.
  void start(Command command, std::uint32_t capabilities, bool cursor = false);
  // After the client's LOCAL INFILE data has been sent: the server's reply follows.
  void resume_after_infile() { state_ = State::result_start; }

  Verdict on_packet(const PacketHead& head);

  // Whether a command gets any response at all.
  static bool expects_response(Command command);

  const Summary& summary() const { return summary_; }
  // Whether the packet just given to on_packet() is an OK (0x00, or the 0xfe OK ending a result
  // set under CLIENT_DEPRECATE_EOF) with SERVER_SESSION_STATE_CHANGED: its session-state block
  // is worth reading (see session_state_info.hpp).
  bool ok_with_session_state() const { return ok_with_session_state_; }

 private:
  enum class State {
    result_start,   // OK / ERR / LOCAL INFILE / column count
    columns,        // column definitions
    columns_eof,    // EOF after column definitions
    rows,           // rows until EOF/OK/ERR
    prepare_first,  // COM_STMT_PREPARE_OK or ERR
    prepare_params,
    prepare_params_eof,
    prepare_columns,
    prepare_columns_eof,
    field_list,     // column definitions until EOF/ERR
    single,         // exactly one packet
  };

  Verdict on_result_start(const PacketHead& head);
  Verdict on_rows(const PacketHead& head);
  Verdict on_prepare_first(const PacketHead& head);
  Verdict after_prepare_params();
  Verdict end_of_result(const PacketHead& head);
  Verdict error(const PacketHead& head);
  bool is_terminator(const PacketHead& head) const;
  void read_ok(const PacketHead& head);
  void read_eof(const PacketHead& head);

  State state_ = State::single;
  std::uint32_t capabilities_ = 0;
  bool cursor_ = false;
  bool allow_infile_ = false;
  std::uint64_t remaining_ = 0;  // column definitions / params still to come
  bool ok_with_session_state_ = false;
  Summary summary_;
};

}  // namespace rwproxy::protocol
