#include "proxy/protocol/response_tracker.hpp"

#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::protocol {

bool ResponseTracker::expects_response(Command command) {
  switch (command) {
    case Command::quit:
    case Command::stmt_close:
    case Command::stmt_send_long_data:
      return false;
    default:
      return true;
  }
}

void ResponseTracker::start(Command command, std::uint32_t capabilities, bool cursor) {
  capabilities_ = capabilities;
  cursor_ = cursor;
  allow_infile_ = command == Command::query;
  summary_ = Summary{};
  remaining_ = 0;
  ok_with_session_state_ = false;
  switch (command) {
    case Command::query:
    case Command::stmt_execute:
    case Command::stmt_bulk_execute:
      state_ = State::result_start;
      break;
    case Command::stmt_fetch:
      state_ = State::rows;
      break;
    case Command::stmt_prepare:
      state_ = State::prepare_first;
      break;
    case Command::field_list:
      state_ = State::field_list;
      break;
    default:
      state_ = State::single;
      break;
  }
}

void ResponseTracker::read_ok(const PacketHead& head) {
  OkPacket ok;
  if (!OkPacket::deserialize(head.prefix, ok)) {
    summary_.status_flags = ok.status_flags;
    summary_.affected_rows = ok.affected_rows;
    summary_.last_insert_id = ok.last_insert_id;
    summary_.warnings = ok.warnings;
    summary_.has_status = true;
    ok_with_session_state_ = ok.status_flags & server_status::session_state_changed;
  }
}

void ResponseTracker::read_eof(const PacketHead& head) {
  EofPacket eof;
  if (!EofPacket::deserialize(head.prefix, eof)) {
    summary_.status_flags = eof.status_flags;
    summary_.warnings = eof.warnings;
    summary_.has_status = true;
  }
}

ResponseTracker::Verdict ResponseTracker::error(const PacketHead& head) {
  summary_.error = true;
  ErrPacket err;
  if (!ErrPacket::deserialize(head.prefix, err)) summary_.error_code = err.error_code;
  return Verdict::done;
}

bool ResponseTracker::is_terminator(const PacketHead& head) const {
  if (head.prefix.empty() || head.prefix[0] != eof_header) return false;
  if (capabilities_ & capability::deprecate_eof) return head.first_frame_length < max_frame_payload;
  return head.first_frame_length < 9;
}

ResponseTracker::Verdict ResponseTracker::end_of_result(const PacketHead& head) {
  // Under CLIENT_DEPRECATE_EOF the terminator is an OK packet with the 0xfe header, usually
  // only 7 bytes long: its length does not tell it apart from an EOF, the capability does.
  if (capabilities_ & capability::deprecate_eof) {
    read_ok(head);
  } else {
    read_eof(head);
  }
  if (summary_.status_flags & server_status::more_results_exist) {
    state_ = State::result_start;
    return Verdict::more;
  }
  return Verdict::done;
}

ResponseTracker::Verdict ResponseTracker::on_result_start(const PacketHead& head) {
  if (head.prefix.empty()) return Verdict::done;  // malformed: let the caller stop here
  switch (head.prefix[0]) {
    case ok_header:
      read_ok(head);
      if (summary_.status_flags & server_status::more_results_exist) return Verdict::more;
      return Verdict::done;
    case err_header:
      return error(head);
    case local_infile_header:
      if (allow_infile_) return Verdict::local_infile;
      break;
    default:
      break;
  }
  Reader r(head.prefix);
  remaining_ = r.lenenc_int();
  if (!r.ok() || remaining_ == 0) return Verdict::done;
  summary_.column_count = static_cast<std::uint16_t>(remaining_);
  state_ = State::columns;
  return Verdict::more;
}

ResponseTracker::Verdict ResponseTracker::on_rows(const PacketHead& head) {
  if (!head.prefix.empty() && head.prefix[0] == err_header) return error(head);
  if (is_terminator(head)) return end_of_result(head);
  ++summary_.rows_sent;
  return Verdict::more;
}

ResponseTracker::Verdict ResponseTracker::on_prepare_first(const PacketHead& head) {
  if (head.prefix.empty()) return Verdict::done;
  if (head.prefix[0] == err_header) return error(head);
  Reader r(head.prefix);
  r.skip(1);
  summary_.statement_id = r.u32();
  summary_.column_count = r.u16();
  summary_.param_count = r.u16();
  if (!r.ok()) return Verdict::done;
  remaining_ = summary_.param_count;
  state_ = State::prepare_params;
  return remaining_ > 0 ? Verdict::more : after_prepare_params();
}

ResponseTracker::Verdict ResponseTracker::after_prepare_params() {
  remaining_ = summary_.column_count;
  state_ = State::prepare_columns;
  return remaining_ > 0 ? Verdict::more : Verdict::done;
}

ResponseTracker::Verdict ResponseTracker::on_packet(const PacketHead& head) {
  const bool deprecate_eof = capabilities_ & capability::deprecate_eof;
  ok_with_session_state_ = false;  // read_ok() sets it
  switch (state_) {
    case State::result_start:
      return on_result_start(head);
    case State::columns:
      if (--remaining_ > 0) return Verdict::more;
      if (deprecate_eof) {
        // No EOF after the metadata. With a cursor open, the statement still ends with a 0xfe OK
        // (CURSOR_EXISTS), which the rows state takes as the terminator of an empty row set.
        state_ = State::rows;
        return Verdict::more;
      }
      state_ = State::columns_eof;
      return Verdict::more;
    case State::columns_eof:
      read_eof(head);
      if (summary_.status_flags & server_status::cursor_exists) return Verdict::done;
      state_ = State::rows;
      return Verdict::more;
    case State::rows:
      return on_rows(head);
    case State::prepare_first:
      return on_prepare_first(head);
    case State::prepare_params:
      if (--remaining_ > 0) return Verdict::more;
      if (deprecate_eof) return after_prepare_params();
      state_ = State::prepare_params_eof;
      return Verdict::more;
    case State::prepare_params_eof:
      return after_prepare_params();
    case State::prepare_columns:
      if (--remaining_ > 0) return Verdict::more;
      if (deprecate_eof) return Verdict::done;
      state_ = State::prepare_columns_eof;
      return Verdict::more;
    case State::prepare_columns_eof:
      return Verdict::done;
    case State::field_list:
      if (!head.prefix.empty() && head.prefix[0] == err_header) return error(head);
      return is_terminator(head) ? end_of_result(head) : Verdict::more;
    case State::single:
      if (!head.prefix.empty() && head.prefix[0] == err_header) return error(head);
      if (!head.prefix.empty() && head.prefix[0] == ok_header) read_ok(head);
      return Verdict::done;
  }
  return Verdict::done;
}

}  // namespace rwproxy::protocol
