// libFuzzer target: reads arbitrary bytes as an OK packet of a connection with session tracking
// and strips its session state; and as a plain OK, ERR and EOF packet (each that parses writes
// back to a packet that parses to the same values). Checks what must hold for any input: views stay inside the
// input, stripping succeeds exactly when parsing does, and the stripped OK reads back as the
// same OK without state (and strips to itself).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/protocol/session_state_info.hpp"

namespace {

using namespace rwproxy::protocol;

void check(bool ok) {
  if (!ok) std::abort();
}

bool inside(std::string_view view, Bytes input) {
  if (view.empty()) return true;
  const auto begin = reinterpret_cast<std::uintptr_t>(input.data());
  const auto first = reinterpret_cast<std::uintptr_t>(view.data());
  return first >= begin && first + view.size() <= begin + input.size();
}

void check_views(const TrackedOk& tracked, Bytes input) {
  check(inside(tracked.ok.info, input));
  for (const SessionStateChange& change : tracked.changes) {
    check(inside(change.name, input) && inside(change.value, input));
    check(change.name.empty() || change.type == session_track::system_variables);
  }
  if (const auto gtid = find_system_variable(tracked, "last_gtid")) check(inside(*gtid, input));
}

void check_stripped(const TrackedOk& tracked, const std::string& stripped) {
  TrackedOk again;
  check(!parse_tracked_ok(as_bytes(stripped), again));
  check(again.header == tracked.header);
  check(again.ok.affected_rows == tracked.ok.affected_rows);
  check(again.ok.last_insert_id == tracked.ok.last_insert_id);
  check(again.ok.status_flags == (tracked.ok.status_flags & ~server_status::session_state_changed));
  check(again.ok.warnings == tracked.ok.warnings);
  check(again.changes.empty());
  if (untracked_info_is_lenenc) check(again.ok.info == tracked.ok.info);
  std::string twice;
  check(!strip_session_state(as_bytes(stripped), twice));
  if (untracked_info_is_lenenc) check(twice == stripped);
}

}  // namespace

void check_generic_packets(Bytes input) {
  OkPacket ok;
  if (!OkPacket::deserialize(input, ok)) {
    check(inside(ok.info, input));
    std::string again;
    ok.serialize(again);
    OkPacket reread;
    check(!OkPacket::deserialize(as_bytes(again), reread));
    check(reread.affected_rows == ok.affected_rows && reread.last_insert_id == ok.last_insert_id &&
          reread.status_flags == ok.status_flags && reread.warnings == ok.warnings);
  }
  ErrPacket err;
  if (!ErrPacket::deserialize(input, err)) {
    std::string again;
    err.serialize(again);
    ErrPacket reread;
    check(!ErrPacket::deserialize(as_bytes(again), reread));
    check(reread.error_code == err.error_code && reread.message == err.message);
  }
  EofPacket eof;
  if (!EofPacket::deserialize(input, eof)) {
    std::string again;
    eof.serialize(again);
    EofPacket reread;
    check(!EofPacket::deserialize(as_bytes(again), reread));
    check(reread.warnings == eof.warnings && reread.status_flags == eof.status_flags);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, size);
  check_generic_packets(input);
  TrackedOk tracked;
  const std::error_code ec = parse_tracked_ok(input, tracked);
  std::string stripped;
  check(strip_session_state(input, stripped) == ec);
  if (ec) {
    check(stripped.empty());
    return 0;
  }
  check_views(tracked, input);
  check_stripped(tracked, stripped);
  return 0;
}
