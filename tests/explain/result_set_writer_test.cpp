// The result set the proxy writes itself, byte for byte, and read back the way the proxy's relay
// reads a server's: a client sees one complete response that ends at its last byte.
#include "proxy/protocol/result_set_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <vector>

#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/packet_scanner.hpp"
#include "proxy/protocol/response_tracker.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::hex;
using test::unhex;

constexpr std::uint32_t kCaps = capability::long_password | capability::long_flag | capability::protocol_41 |
                                capability::transactions | capability::secure_connection |
                                capability::multi_results | capability::plugin_auth;
constexpr std::uint32_t kCapsDeprecateEof = kCaps | capability::deprecate_eof;

// field | value
// a     | 1
// b     | NULL
TextResultSet two_by_two() {
  TextResultSet result;
  result.columns = {ResultColumn{"field"}, ResultColumn{"value"}};
  result.rows = {{"a", "1"}, {"b", std::nullopt}};
  return result;
}

// ColumnDefinition41 of a 5-byte VAR_STRING column named `name` (5 letters), utf8mb4_general_ci.
std::string column_frame(std::string_view seq, std::string_view name_hex) {
  return unhex(std::string("20 00 00 ") + std::string(seq) + " 03 64 65 66 00 00 00 05 " + std::string(name_hex) +
               " 05 " + std::string(name_hex) + " 0c 2d 00 05 00 00 00 fd 00 00 00 00 00");
}

constexpr std::string_view kField = "66 69 65 6c 64";
constexpr std::string_view kValue = "76 61 6c 75 65";

TEST(ResultSetWriter, TwoColumnsTwoRowsWithEof) {
  std::string out;
  const std::uint8_t next = append_text_result_set(out, two_by_two(), {kCaps, server_status::autocommit, 0}, 1);

  std::string expected = unhex("01 00 00 01 02");  // column count
  expected += column_frame("02", kField);
  expected += column_frame("03", kValue);
  expected += unhex("05 00 00 04 fe 00 00 02 00");  // EOF after the columns
  expected += unhex("04 00 00 05 01 61 01 31");     // "a", "1"
  expected += unhex("03 00 00 06 01 62 fb");        // "b", NULL
  expected += unhex("05 00 00 07 fe 00 00 02 00");  // EOF: no warnings, AUTOCOMMIT
  EXPECT_EQ(hex(out), hex(expected));
  EXPECT_EQ(next, 8);
}

TEST(ResultSetWriter, TwoColumnsTwoRowsDeprecateEof) {
  std::string out;
  const std::uint16_t status = server_status::autocommit | server_status::in_trans;
  const std::uint8_t next = append_text_result_set(out, two_by_two(), {kCapsDeprecateEof, status, 1}, 1);

  std::string expected = unhex("01 00 00 01 02");
  expected += column_frame("02", kField);
  expected += column_frame("03", kValue);
  expected += unhex("04 00 00 04 01 61 01 31");
  expected += unhex("03 00 00 05 01 62 fb");
  expected += unhex("07 00 00 06 fe 00 00 03 00 01 00");  // OK with the 0xfe header, 1 warning
  EXPECT_EQ(hex(out), hex(expected));
  EXPECT_EQ(next, 7);
}

TEST(ResultSetWriter, StartsAtTheGivenSequenceAndAppends) {
  std::string out = "prefix";
  const std::uint8_t next = append_text_result_set(out, two_by_two(), {kCaps, 0, 0}, 5);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(static_cast<std::uint8_t>(out[6 + 3]), 5);
  EXPECT_EQ(next, 12);
}

TEST(ResultSetWriter, ColumnLengthAndCollationAsGiven) {
  TextResultSet result;
  result.columns = {ResultColumn{.name = "f", .collation = 300, .length = 33}};
  result.rows = {{"x"}};
  std::string out;
  append_text_result_set(out, result, {kCaps, 0, 0}, 1);
  const std::string def = out.substr(5 + 4);  // after the column count frame and this header
  const std::string fixed = def.substr(def.find('\x0c') + 1, 7);
  EXPECT_EQ(hex(fixed), "2c 01 21 00 00 00 fd");  // collation, length, VAR_STRING
}

TEST(ResultSetWriter, ShortRowsArePaddedWithNullAndLongRowsCut) {
  TextResultSet result = two_by_two();
  result.rows = {{"only"}, {"a", "b", "extra"}};
  std::string out;
  append_text_result_set(out, result, {kCapsDeprecateEof, 0, 0}, 1);
  FrameReader reader(1 << 20);
  reader.feed(as_bytes(out));
  std::error_code ec;
  std::vector<std::string> payloads;
  while (auto packet = reader.next(ec)) payloads.push_back(packet->payload);
  ASSERT_FALSE(ec);
  ASSERT_EQ(payloads.size(), 6u);
  EXPECT_EQ(hex(payloads[3]), "04 6f 6e 6c 79 fb");
  EXPECT_EQ(hex(payloads[4]), "01 61 01 62");
}

TEST(ResultSetWriter, LongValueUsesLenencPrefix) {
  TextResultSet result;
  result.columns = {ResultColumn{"v"}};
  result.rows = {{std::string(300, 'x')}};
  std::string out;
  append_text_result_set(out, result, {kCapsDeprecateEof, 0, 0}, 1);
  FrameReader reader(1 << 20);
  reader.feed(as_bytes(out));
  std::error_code ec;
  std::vector<std::string> payloads;
  while (auto packet = reader.next(ec)) payloads.push_back(packet->payload);
  ASSERT_EQ(payloads.size(), 4u);
  EXPECT_EQ(hex(payloads[2].substr(0, 3)), "fc 2c 01");
  EXPECT_EQ(payloads[2].size(), 303u);
  // The column length follows the longest value.
  Reader def(as_bytes(payloads[1]));
  for (int i = 0; i < 6; ++i) def.lenenc_string();
  def.u8();
  def.u16();
  EXPECT_EQ(def.u32(), 300u);
}

// ---- read back as the proxy relays a server's response ------------------------------------

struct Relayed {
  bool ended = false;
  std::size_t consumed = 0;
  ResponseTracker::Summary summary;
};

// Feeds `bytes` in chunks of `chunk` bytes to a PacketScanner + ResponseTracker that expect the
// reply to a COM_QUERY.
Relayed relay(std::string_view bytes, std::uint32_t caps, std::size_t chunk) {
  PacketScanner scanner;
  ResponseTracker tracker;
  scanner.reset(1);
  tracker.start(Command::query, caps);
  Relayed out;
  for (std::size_t offset = 0; offset < bytes.size() && !out.ended; offset += chunk) {
    Bytes rest = as_bytes(bytes.substr(offset, chunk));
    while (!out.ended) {
      PacketScanner::Step step = scanner.next(rest);
      out.consumed += step.consumed;
      rest = rest.subspan(step.consumed);
      if (step.event == PacketScanner::Event::packet_head) {
        if (tracker.on_packet(step.head) != ResponseTracker::Verdict::more) scanner.end_after_packet();
        continue;
      }
      if (step.event != PacketScanner::Event::need_more) out.ended = true;
      if (step.event == PacketScanner::Event::bad_sequence) ADD_FAILURE() << "bad sequence";
      break;
    }
  }
  out.summary = tracker.summary();
  return out;
}

class ResultSetReadBack : public testing::TestWithParam<std::uint32_t> {};

TEST_P(ResultSetReadBack, IsOneCompleteResponseHoweverItIsSplit) {
  const std::uint32_t caps = GetParam();
  const std::uint16_t status = server_status::autocommit | server_status::in_trans;
  std::string bytes;
  append_text_result_set(bytes, two_by_two(), {caps, status, 0}, 1);
  const std::string followed = bytes + unhex("05 00 00 01 fe 00 00 02 00");  // whatever comes next
  for (std::size_t chunk : {followed.size(), std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
    SCOPED_TRACE(chunk);
    const Relayed relayed = relay(followed, caps, chunk);
    EXPECT_TRUE(relayed.ended);
    EXPECT_EQ(relayed.consumed, bytes.size());
    EXPECT_FALSE(relayed.summary.error);
    EXPECT_EQ(relayed.summary.column_count, 2);
    EXPECT_TRUE(relayed.summary.has_status);
    EXPECT_EQ(relayed.summary.status_flags, status);
  }
}

INSTANTIATE_TEST_SUITE_P(Capabilities, ResultSetReadBack, testing::Values(kCaps, kCapsDeprecateEof));

}  // namespace
}  // namespace rwproxy::protocol
