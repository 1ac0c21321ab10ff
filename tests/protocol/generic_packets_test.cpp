// OK, ERR and EOF packets: exact bytes out, known bytes in, truncated and over-long inputs.
#include "proxy/protocol/generic_packets.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::heap_copy;
using test::hex;
using test::span_of;
using test::unhex;

TEST(OkPacketTest, SerializesTheShortestForm) {
  OkPacket ok;
  ok.affected_rows = 1;
  ok.status_flags = server_status::autocommit;
  std::string out;
  ok.serialize(out);
  EXPECT_EQ(hex(out), "00 01 00 02 00 00 00");
}

TEST(OkPacketTest, SerializesLenencCountersAndInfo) {
  OkPacket ok;
  ok.affected_rows = 300;
  ok.last_insert_id = 0x10000;
  ok.status_flags = server_status::autocommit | server_status::in_trans;
  ok.warnings = 2;
  ok.info = "Rows matched: 1";
  std::string out;
  ok.serialize(out);
  EXPECT_EQ(hex(out), hex(unhex("00 fc 2c 01 fd 00 00 01 03 00 02 00") + "Rows matched: 1"));
}

TEST(OkPacketTest, SerializesWithTheEofHeaderForDeprecateEof) {
  OkPacket ok;
  ok.status_flags = 0x0022;
  std::string out;
  ok.serialize(out, eof_header);
  EXPECT_EQ(hex(out), "fe 00 00 22 00 00 00");
}

TEST(OkPacketTest, DeserializesAffectedRowsInTheTwoByteForm) {
  auto buf = heap_copy(unhex("00 fc 00 01 00 02 00 00 00"));
  OkPacket ok;
  ASSERT_FALSE(OkPacket::deserialize(span_of(buf), ok));
  EXPECT_EQ(ok.affected_rows, 256u);
  EXPECT_EQ(ok.last_insert_id, 0u);
  EXPECT_EQ(ok.status_flags, 0x0002);
  EXPECT_EQ(ok.warnings, 0);
  EXPECT_EQ(ok.info, "");
}

TEST(OkPacketTest, DeserializesInfoAndTheEofHeader) {
  const std::string wire = unhex("fe 05 2a 0a 00 01 00") + "(Rows matched: 5)";
  auto buf = heap_copy(wire);
  OkPacket ok;
  ASSERT_FALSE(OkPacket::deserialize(span_of(buf), ok));
  EXPECT_EQ(ok.affected_rows, 5u);
  EXPECT_EQ(ok.last_insert_id, 42u);
  EXPECT_EQ(ok.status_flags, 0x000a);
  EXPECT_EQ(ok.warnings, 1);
  EXPECT_EQ(ok.info, "(Rows matched: 5)");
}

TEST(OkPacketTest, RoundTrip) {
  OkPacket ok;
  ok.affected_rows = 0x123456789ull;
  ok.last_insert_id = 251;
  ok.status_flags = 0x4003;
  ok.warnings = 65535;
  ok.info = "info";
  std::string wire;
  ok.serialize(wire);
  auto buf = heap_copy(wire);
  OkPacket back;
  ASSERT_FALSE(OkPacket::deserialize(span_of(buf), back));
  EXPECT_EQ(back.affected_rows, ok.affected_rows);
  EXPECT_EQ(back.last_insert_id, ok.last_insert_id);
  EXPECT_EQ(back.status_flags, ok.status_flags);
  EXPECT_EQ(back.warnings, ok.warnings);
  EXPECT_EQ(back.info, ok.info);
}

TEST(OkPacketTest, TruncatedAtEveryLength) {
  const std::string wire = unhex("00 fc 00 01 fd 00 00 01 02 00 00 00");
  for (std::size_t len = 0; len < wire.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(wire).substr(0, len));
    OkPacket ok;
    EXPECT_EQ(OkPacket::deserialize(span_of(buf), ok),
              len == 0 ? ProtocolError::unexpected_packet : ProtocolError::truncated_packet);
  }
}

TEST(OkPacketTest, RejectsOtherHeaders) {
  for (const char* wire : {"ff 15 04", "01 00 00 02 00 00 00", "fb 00 00 02 00 00 00"}) {
    auto buf = heap_copy(unhex(wire));
    OkPacket ok;
    EXPECT_EQ(OkPacket::deserialize(span_of(buf), ok), ProtocolError::unexpected_packet) << wire;
  }
}

TEST(ErrPacketTest, SerializesWithSqlState) {
  ErrPacket err{1146, "42S02", "Table 'shop.nope' doesn't exist"};
  std::string out;
  err.serialize(out);
  EXPECT_EQ(hex(out), hex(unhex("ff 7a 04 23 34 32 53 30 32") + "Table 'shop.nope' doesn't exist"));
}

TEST(ErrPacketTest, SerializePadsAShortSqlState) {
  ErrPacket err{1064, "42", ""};
  std::string out;
  err.serialize(out);
  EXPECT_EQ(hex(out), "ff 28 04 23 34 32 30 30 30");
}

TEST(ErrPacketTest, DeserializesWithSqlState) {
  const std::string wire = unhex("ff 15 04 23 32 38 30 30 30") + "Access denied for user 'app'@'10.0.0.5'";
  auto buf = heap_copy(wire);
  ErrPacket err;
  ASSERT_FALSE(ErrPacket::deserialize(span_of(buf), err));
  EXPECT_EQ(err.error_code, 1045);
  EXPECT_EQ(err.sql_state, "28000");
  EXPECT_EQ(err.message, "Access denied for user 'app'@'10.0.0.5'");
}

TEST(ErrPacketTest, DeserializesWithoutSqlState) {
  // Sent before the capabilities are known, e.g. "Host is blocked" in place of the greeting.
  const std::string wire = unhex("ff 69 04") + "Host '10.0.0.9' is blocked";
  auto buf = heap_copy(wire);
  ErrPacket err;
  err.sql_state = "xxxxx";
  ASSERT_FALSE(ErrPacket::deserialize(span_of(buf), err));
  EXPECT_EQ(err.error_code, 1129);
  EXPECT_EQ(err.sql_state, "HY000");
  EXPECT_EQ(err.message, "Host '10.0.0.9' is blocked");
}

TEST(ErrPacketTest, CodeOnlyIsValid) {
  auto buf = heap_copy(unhex("ff 7a 04"));
  ErrPacket err;
  ASSERT_FALSE(ErrPacket::deserialize(span_of(buf), err));
  EXPECT_EQ(err.error_code, 1146);
  EXPECT_EQ(err.message, "");
}

TEST(ErrPacketTest, TruncatedInputs) {
  const std::pair<const char*, ProtocolError> cases[] = {
      {"", ProtocolError::unexpected_packet},
      {"ff", ProtocolError::truncated_packet},
      {"ff 7a", ProtocolError::truncated_packet},
      {"ff 7a 04 23", ProtocolError::truncated_packet},
      {"ff 7a 04 23 34 32 53 30", ProtocolError::truncated_packet},
      {"00 7a 04", ProtocolError::unexpected_packet},
  };
  for (const auto& [wire, expected] : cases) {
    SCOPED_TRACE(wire);
    auto buf = heap_copy(unhex(wire));
    ErrPacket err;
    EXPECT_EQ(ErrPacket::deserialize(span_of(buf), err), expected);
  }
}

TEST(EofPacketTest, Serializes) {
  EofPacket eof{0, server_status::autocommit};
  std::string out;
  eof.serialize(out);
  EXPECT_EQ(hex(out), "fe 00 00 02 00");
  EofPacket more{3, server_status::autocommit | server_status::more_results_exist};
  out.clear();
  more.serialize(out);
  EXPECT_EQ(hex(out), "fe 03 00 0a 00");
}

TEST(EofPacketTest, Deserializes) {
  auto buf = heap_copy(unhex("fe 01 00 22 00"));
  EofPacket eof;
  ASSERT_FALSE(EofPacket::deserialize(span_of(buf), eof));
  EXPECT_EQ(eof.warnings, 1);
  EXPECT_EQ(eof.status_flags, 0x0022);
}

TEST(EofPacketTest, PreProtocol41EofIsOneByte) {
  auto buf = heap_copy(unhex("fe"));
  EofPacket eof;
  EXPECT_FALSE(EofPacket::deserialize(span_of(buf), eof));
}

TEST(EofPacketTest, TruncatedAndTrailingBytes) {
  const std::pair<const char*, ProtocolError> cases[] = {
      {"", ProtocolError::unexpected_packet},
      {"fe 00", ProtocolError::truncated_packet},
      {"fe 00 00", ProtocolError::truncated_packet},
      {"fe 00 00 02", ProtocolError::truncated_packet},
      {"fe 00 00 02 00 00", ProtocolError::trailing_bytes},
      {"fe 00 00 02 00 00 00 00", ProtocolError::trailing_bytes},
      {"fe 00 00 02 00 00 00 00 00", ProtocolError::unexpected_packet},  // 9 bytes: a row
      {"00 00 00 02 00", ProtocolError::unexpected_packet},
  };
  for (const auto& [wire, expected] : cases) {
    SCOPED_TRACE(wire);
    auto buf = heap_copy(unhex(wire));
    EofPacket eof;
    EXPECT_EQ(EofPacket::deserialize(span_of(buf), eof), expected);
  }
}

TEST(GenericPacketTest, Classifiers) {
  EXPECT_TRUE(is_eof_packet(as_bytes(unhex("fe 00 00 02 00"))));
  EXPECT_TRUE(is_eof_packet(as_bytes(unhex("fe 00 00 02 00 00 00 00"))));  // 8 bytes
  EXPECT_FALSE(is_eof_packet(as_bytes(unhex("fe 00 00 02 00 00 00 00 00"))));
  EXPECT_FALSE(is_eof_packet(Bytes{}));
  EXPECT_TRUE(is_err_packet(as_bytes(unhex("ff 15 04"))));
  EXPECT_FALSE(is_err_packet(Bytes{}));
  EXPECT_TRUE(is_ok_packet(as_bytes(unhex("00 00 00 02 00 00 00"))));
  EXPECT_FALSE(is_ok_packet(as_bytes(unhex("fe 00 00 02 00"))));
  EXPECT_FALSE(is_ok_packet(Bytes{}));
}

TEST(GenericPacketTest, WholeFrames) {
  EXPECT_EQ(hex(make_ok_frame(2, server_status::autocommit)), "07 00 00 02 00 00 00 02 00 00 00");
  EXPECT_EQ(hex(make_err_frame(2, 1045, "28000", "Access denied")),
            hex(unhex("16 00 00 02 ff 15 04 23 32 38 30 30 30") + "Access denied"));
}

}  // namespace
}  // namespace rwproxy::protocol
