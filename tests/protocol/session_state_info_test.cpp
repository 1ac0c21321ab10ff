// Session-state info in OK packets: known bytes in, the untracked OK out byte for byte, and every
// truncated or lying packet rejected without reading past its end (heap copies for ASan).
#include "proxy/protocol/session_state_info.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::heap_copy;
using test::hex;
using test::span_of;
using test::unhex;

constexpr std::uint16_t kAutocommit = server_status::autocommit;
constexpr std::uint16_t kChanged = server_status::autocommit | server_status::session_state_changed;  // 0x4002

// ---- builders (as MariaDB's net_send_ok() and Session_tracker::store() write them) ----------

std::string lenenc(std::string_view s) {
  std::string out;
  Writer(out).lenenc_string(s);
  return out;
}

std::string entry(std::uint8_t type, std::string_view data) {
  std::string out(1, static_cast<char>(type));
  return out + lenenc(data);
}
std::string variable(std::string_view name, std::string_view value) {
  return entry(session_track::system_variables, lenenc(name) + lenenc(value));
}
std::string schema(std::string_view name) { return entry(session_track::schema, lenenc(name)); }

struct Ok {
  std::uint8_t header = 0x00;
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t status = kAutocommit;
  std::uint16_t warnings = 0;
  std::string info{};
  std::vector<std::string> entries{};  // written only when status has SERVER_SESSION_STATE_CHANGED

  std::string fixed() const {
    std::string out;
    Writer w(out);
    w.u8(header);
    w.lenenc_int(affected_rows);
    w.lenenc_int(last_insert_id);
    w.u16(status);
    w.u16(warnings);
    return out;
  }
  bool changed() const { return status & server_status::session_state_changed; }
  // The payload for a client with CLIENT_SESSION_TRACK.
  std::string tracked() const {
    std::string out = fixed();
    if (changed() || !info.empty()) out += lenenc(info);
    if (changed()) {
      std::string block;
      for (const std::string& e : entries) block += e;
      out += lenenc(block);
    }
    return out;
  }
};

// A heap copy of the packet, parsed; the views in `tracked` point into `buffer`.
struct Parsed {
  std::vector<std::uint8_t> buffer;
  TrackedOk tracked;
  std::error_code ec;
};

Parsed parse(std::string_view wire) {
  Parsed p{heap_copy(wire), {}, {}};
  p.ec = parse_tracked_ok(span_of(p.buffer), p.tracked);
  return p;
}

std::string strip(std::string_view wire) {
  auto buf = heap_copy(wire);
  std::string out;
  EXPECT_FALSE(strip_session_state(span_of(buf), out));
  return out;
}

// ---- known packets --------------------------------------------------------------------------

// INSERT on MariaDB with session_track_system_variables=last_gtid: one affected row, GTID 0-1-42.
const std::string kLastGtidOk = unhex(
    "00 01 00 02 40 00 00"                  // header, affected 1, insert id 0, status 0x4002, warnings 0
    "00"                                    // info: empty
    "13"                                    // state block: 19 bytes
    "00 11"                                 // SESSION_TRACK_SYSTEM_VARIABLES, 17 bytes
    "09 6c 61 73 74 5f 67 74 69 64"         // "last_gtid"
    "06 30 2d 31 2d 34 32");                // "0-1-42"

TEST(SessionStateInfoTest, LastGtid) {
  auto buf = heap_copy(kLastGtidOk);  // views must point into this buffer
  TrackedOk tracked;
  ASSERT_FALSE(parse_tracked_ok(span_of(buf), tracked));
  EXPECT_EQ(tracked.header, 0x00);
  EXPECT_EQ(tracked.ok.affected_rows, 1u);
  EXPECT_EQ(tracked.ok.last_insert_id, 0u);
  EXPECT_EQ(tracked.ok.status_flags, 0x4002);
  EXPECT_EQ(tracked.ok.warnings, 0);
  EXPECT_EQ(tracked.ok.info, "");
  ASSERT_EQ(tracked.changes.size(), 1u);
  EXPECT_EQ(tracked.changes[0].type, session_track::system_variables);
  EXPECT_EQ(tracked.changes[0].name, "last_gtid");
  EXPECT_EQ(tracked.changes[0].value, "0-1-42");
  EXPECT_EQ(static_cast<const void*>(tracked.changes[0].value.data()), buf.data() + buf.size() - 6);

  EXPECT_EQ(find_system_variable(tracked, "last_gtid"), std::optional<std::string_view>("0-1-42"));
  EXPECT_EQ(find_system_variable(tracked, "LAST_GTID"), std::nullopt);
  EXPECT_EQ(find_system_variable(tracked, "autocommit"), std::nullopt);

  EXPECT_EQ(hex(strip(kLastGtidOk)), "00 01 00 02 00 00 00");
}

TEST(SessionStateInfoTest, SeveralEntries) {
  Ok ok{.affected_rows = 0, .status = kChanged};
  ok.entries = {variable("autocommit", "ON"), variable("last_gtid", "0-1-43"), schema("shop"),
                entry(session_track::state_change, lenenc("1")),
                entry(session_track::transaction_state, lenenc("T_______"))};
  const Parsed parsed = parse(ok.tracked());
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  ASSERT_EQ(tracked.changes.size(), 5u);
  EXPECT_EQ(tracked.changes[0].type, session_track::system_variables);
  EXPECT_EQ(tracked.changes[0].name, "autocommit");
  EXPECT_EQ(tracked.changes[0].value, "ON");
  EXPECT_EQ(tracked.changes[1].name, "last_gtid");
  EXPECT_EQ(tracked.changes[1].value, "0-1-43");
  EXPECT_EQ(tracked.changes[2].type, session_track::schema);
  EXPECT_EQ(tracked.changes[2].name, "");
  EXPECT_EQ(tracked.changes[2].value, "shop");
  EXPECT_EQ(tracked.changes[3].type, session_track::state_change);
  EXPECT_EQ(hex(tracked.changes[3].value), hex(lenenc("1")));  // opaque: the raw entry data
  EXPECT_EQ(tracked.changes[4].type, session_track::transaction_state);
  EXPECT_EQ(hex(tracked.changes[4].value), hex(lenenc("T_______")));

  EXPECT_EQ(find_system_variable(tracked, "last_gtid"), std::optional<std::string_view>("0-1-43"));
  EXPECT_EQ(find_system_variable(tracked, "autocommit"), std::optional<std::string_view>("ON"));
  EXPECT_EQ(find_system_variable(tracked, "shop"), std::nullopt);  // a schema is not a variable
  EXPECT_EQ(hex(strip(ok.tracked())), "00 00 00 02 00 00 00");
}

TEST(SessionStateInfoTest, TheLastValueOfAVariableWins) {
  Ok ok{.status = kChanged};
  ok.entries = {variable("last_gtid", "0-1-7"), variable("last_gtid", "0-1-8")};
  const Parsed parsed = parse(ok.tracked());
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  EXPECT_EQ(find_system_variable(tracked, "last_gtid"), std::optional<std::string_view>("0-1-8"));
}

TEST(SessionStateInfoTest, EofHeaderOkEndingAResultSet) {
  // SELECT under CLIENT_DEPRECATE_EOF, in a transaction (0x4003), with a warning.
  Ok ok{.header = 0xfe, .status = kChanged | server_status::in_trans, .warnings = 1};
  ok.entries = {entry(session_track::transaction_state, lenenc("T___R___"))};
  const std::string wire = ok.tracked();
  EXPECT_EQ(hex(wire.substr(0, 7)), "fe 00 00 03 40 01 00");
  const Parsed parsed = parse(wire);
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  EXPECT_EQ(tracked.header, 0xfe);
  EXPECT_EQ(tracked.ok.status_flags, 0x4003);
  EXPECT_EQ(tracked.ok.warnings, 1);
  ASSERT_EQ(tracked.changes.size(), 1u);
  EXPECT_EQ(hex(strip(wire)), "fe 00 00 03 00 01 00");
}

TEST(SessionStateInfoTest, InfoWithStateChange) {
  // UPDATE ... with last_gtid tracked: big counters, an info message and a block over 250 bytes.
  const std::string value(300, 'v');
  Ok ok{.affected_rows = 300, .last_insert_id = 0x10000, .status = kChanged, .warnings = 2,
        .info = "Rows matched: 1  Changed: 1  Warnings: 0"};
  ok.entries = {variable("character_set_client", value), variable("last_gtid", "0-1-44")};
  const std::string wire = ok.tracked();
  const Parsed parsed = parse(wire);
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  EXPECT_EQ(tracked.ok.affected_rows, 300u);
  EXPECT_EQ(tracked.ok.last_insert_id, 0x10000u);
  EXPECT_EQ(tracked.ok.info, "Rows matched: 1  Changed: 1  Warnings: 0");
  ASSERT_EQ(tracked.changes.size(), 2u);
  EXPECT_EQ(tracked.changes[0].value, value);
  EXPECT_EQ(find_system_variable(tracked, "last_gtid"), std::optional<std::string_view>("0-1-44"));

  std::string expected = unhex("00 fc 2c 01 fd 00 00 01 02 00 02 00");
  expected += untracked_info_is_lenenc ? lenenc(ok.info) : ok.info;
  EXPECT_EQ(hex(strip(wire)), hex(expected));
}

TEST(SessionStateInfoTest, OkWithoutStateChangeIsTheSameBytesEitherWay) {
  for (std::string info : {"", "Records: 3  Duplicates: 0  Warnings: 0"}) {
    SCOPED_TRACE(info);
    Ok ok{.affected_rows = 3, .last_insert_id = 7, .info = info};
    const std::string wire = ok.tracked();
    const Parsed parsed = parse(wire);
    ASSERT_FALSE(parsed.ec);
    const TrackedOk& tracked = parsed.tracked;
    EXPECT_EQ(tracked.ok.affected_rows, 3u);
    EXPECT_EQ(tracked.ok.last_insert_id, 7u);
    EXPECT_EQ(tracked.ok.info, info);
    EXPECT_TRUE(tracked.changes.empty());
    if (untracked_info_is_lenenc || info.empty()) {
      EXPECT_EQ(hex(strip(wire)), hex(wire));
    } else {
      EXPECT_EQ(hex(strip(wire)), hex(ok.fixed() + info));
    }
  }
}

TEST(SessionStateInfoTest, EmptyInfoWrittenWithoutStateChangeIsDropped) {
  const std::string wire = unhex("00 00 00 02 00 00 00 00");
  const Parsed parsed = parse(wire);
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  EXPECT_EQ(tracked.ok.info, "");
  EXPECT_EQ(hex(strip(wire)), "00 00 00 02 00 00 00");
}

TEST(SessionStateInfoTest, EmptyStateBlock) {
  const std::string wire = unhex("00 00 00 02 40 00 00 00 00");
  const Parsed parsed = parse(wire);
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& tracked = parsed.tracked;
  EXPECT_TRUE(tracked.changes.empty());
  EXPECT_EQ(hex(strip(wire)), "00 00 00 02 00 00 00");
}

TEST(SessionStateInfoTest, StrippedOkParsesAsAnOkWithoutState) {
  Ok ok{.affected_rows = 2, .status = kChanged | server_status::in_trans, .info = "x"};
  ok.entries = {variable("last_gtid", "0-1-45"), schema("hr")};
  const std::string stripped = strip(ok.tracked());
  const Parsed parsed = parse(stripped);
  ASSERT_FALSE(parsed.ec);
  const TrackedOk& again = parsed.tracked;
  EXPECT_EQ(again.ok.affected_rows, 2u);
  EXPECT_EQ(again.ok.status_flags, server_status::autocommit | server_status::in_trans);
  EXPECT_EQ(again.ok.info, untracked_info_is_lenenc ? "x" : "");
  EXPECT_TRUE(again.changes.empty());
}

// ---- malformed packets ----------------------------------------------------------------------

std::vector<std::string> valid_packets() {
  Ok several{.affected_rows = 300, .status = kChanged, .info = "Rows matched: 1"};
  several.entries = {variable("autocommit", "OFF"), variable("last_gtid", "0-1-42"), schema("shop"),
                     entry(session_track::transaction_state, lenenc("T_______"))};
  Ok eof{.header = 0xfe, .status = kChanged};
  eof.entries = {schema("shop")};
  Ok long_value{.status = kChanged};
  long_value.entries = {variable("sql_mode", std::string(400, 'M'))};
  Ok plain_info{.affected_rows = 1, .info = "Rows matched: 1  Changed: 1  Warnings: 0"};
  return {kLastGtidOk, several.tracked(), eof.tracked(), long_value.tracked(), plain_info.tracked()};
}

// Size of the header, counters, status and warnings.
std::size_t fixed_size(std::string_view wire) {
  Reader r(as_bytes(wire));
  r.u8();
  r.lenenc_int();
  r.lenenc_int();
  r.u16();
  r.u16();
  EXPECT_TRUE(r.ok());
  return r.position();
}

TEST(SessionStateInfoTest, TruncatedAtEveryLength) {
  for (const std::string& wire : valid_packets()) {
    const Parsed whole = parse(wire);
    ASSERT_FALSE(whole.ec);
    const bool changed = whole.tracked.ok.status_flags & server_status::session_state_changed;
    for (std::size_t len = 0; len < wire.size(); ++len) {
      SCOPED_TRACE(len);
      const Parsed cut = parse(wire.substr(0, len));
      // Only an OK without state whose info is cut off entirely is still a valid (shorter) OK.
      if (!changed && len == fixed_size(wire)) {
        EXPECT_FALSE(cut.ec);
        EXPECT_EQ(cut.tracked.ok.info, "");
        EXPECT_TRUE(cut.tracked.changes.empty());
        continue;
      }
      EXPECT_TRUE(cut.ec);
      std::string out = "kept";
      EXPECT_EQ(strip_session_state(span_of(cut.buffer), out), cut.ec);
      EXPECT_EQ(out, "kept");
    }
  }
}

TEST(SessionStateInfoTest, TrailingBytes) {
  EXPECT_EQ(parse(kLastGtidOk + "x").ec, ProtocolError::trailing_bytes);  // after the block
  Ok plain{.info = "info"};
  EXPECT_EQ(parse(plain.tracked() + "x").ec, ProtocolError::trailing_bytes);  // after the info
  // Inside an entry: a variable followed by one more byte, the entry length covering it.
  Ok inside{.status = kChanged};
  inside.entries = {entry(session_track::system_variables, lenenc("last_gtid") + lenenc("0-1-1") + "x")};
  EXPECT_EQ(parse(inside.tracked()).ec, ProtocolError::trailing_bytes);
  inside.entries = {entry(session_track::schema, lenenc("shop") + "x")};
  EXPECT_EQ(parse(inside.tracked()).ec, ProtocolError::trailing_bytes);
}

TEST(SessionStateInfoTest, LengthsThatLie) {
  std::string wire = kLastGtidOk;
  wire[8] = 0x14;  // block one byte longer than the packet
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire[8] = 0x12;  // block one byte shorter: the last byte trails it
  EXPECT_EQ(parse(wire).ec, ProtocolError::trailing_bytes);
  wire.pop_back();  // ... and the packet one byte shorter too: the entry runs past the block
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = kLastGtidOk;
  wire[10] = 0x12;  // entry longer than the block
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = kLastGtidOk;
  wire[11] = 0x0a;  // variable name longer than the entry
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = kLastGtidOk;
  wire[8] = static_cast<char>(0xfe);  // 8-byte block length, cut off
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = kLastGtidOk;
  wire[8] = static_cast<char>(0xfb);  // NULL is not a length
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = kLastGtidOk;
  wire[7] = static_cast<char>(0xff);  // nor is 0xff
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = unhex("00 00 00 02 40 00 00");  // state changed, but nothing follows
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
  wire = unhex("00 00 00 02 40 00 00 00");  // info, but no block
  EXPECT_EQ(parse(wire).ec, ProtocolError::truncated_packet);
}

TEST(SessionStateInfoTest, RejectsOtherPackets) {
  EXPECT_EQ(parse(unhex("ff 15 04 23 32 38 30 30 30")).ec, ProtocolError::unexpected_packet);
  EXPECT_EQ(parse(unhex("01 00 00 02 00 00 00")).ec, ProtocolError::unexpected_packet);
  EXPECT_EQ(parse("").ec, ProtocolError::unexpected_packet);
}

}  // namespace
}  // namespace rwproxy::protocol
