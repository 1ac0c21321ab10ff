// PacketScanner + ResponseTracker over whole server responses, driven the way the proxy relays
// them: every stream must end exactly at its last byte, however it is split into reads and
// whatever follows it.
#include "proxy/protocol/response_tracker.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/packet_scanner.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::frame;
using test::hex;
using test::unhex;
using Event = PacketScanner::Event;
using Verdict = ResponseTracker::Verdict;
using Summary = ResponseTracker::Summary;

constexpr std::uint32_t kCaps = capability::long_password | capability::long_flag | capability::protocol_41 |
                                capability::transactions | capability::secure_connection |
                                capability::multi_statements | capability::multi_results |
                                capability::ps_multi_results | capability::plugin_auth;
constexpr std::uint32_t kCapsDeprecateEof = kCaps | capability::deprecate_eof;

constexpr std::uint16_t kAutocommit = server_status::autocommit;                                // 0x0002
constexpr std::uint16_t kMore = server_status::autocommit | server_status::more_results_exist;  // 0x000a
constexpr std::uint16_t kNoIndex = server_status::autocommit | server_status::no_index_used;    // 0x0022
constexpr std::uint16_t kCursor = server_status::autocommit | server_status::cursor_exists;     // 0x0042
constexpr std::uint16_t kLastRow = server_status::autocommit | server_status::last_row_sent;    // 0x0082

// ---- payload builders (layouts from the protocol documentation) ----------------------------

std::string column_count(std::uint64_t n) {
  std::string p;
  Writer(p).lenenc_int(n);
  return p;
}

// Protocol::ColumnDefinition41.
std::string column_def(std::string_view name, std::uint8_t type = 0x03 /* MYSQL_TYPE_LONG */) {
  std::string p;
  Writer w(p);
  w.lenenc_string("def");
  w.lenenc_string("shop");
  w.lenenc_string("items");
  w.lenenc_string("items");
  w.lenenc_string(name);
  w.lenenc_string(name);
  w.u8(0x0c);   // length of the fixed fields
  w.u16(45);    // character set
  w.u32(11);    // column length
  w.u8(type);
  w.u16(0);     // flags
  w.u8(0);      // decimals
  w.u16(0);     // filler
  return p;
}

// A text-protocol row: lenenc strings, 0xfb for NULL.
std::string text_row(std::initializer_list<std::optional<std::string_view>> values) {
  std::string p;
  Writer w(p);
  for (const auto& v : values) {
    if (v) {
      w.lenenc_string(*v);
    } else {
      w.u8(0xfb);
    }
  }
  return p;
}

std::string eof(std::uint16_t status, std::uint16_t warnings = 0) {
  std::string p;
  Writer w(p);
  w.u8(0xfe);
  w.u16(warnings);
  w.u16(status);
  return p;
}

std::string ok(std::uint16_t status, std::uint64_t affected = 0, std::uint64_t insert_id = 0,
               std::uint8_t header = 0x00) {
  std::string p;
  Writer w(p);
  w.u8(header);
  w.lenenc_int(affected);
  w.lenenc_int(insert_id);
  w.u16(status);
  w.u16(0);
  return p;
}

// The OK packet that ends a result set under CLIENT_DEPRECATE_EOF: 0xfe header, 7 bytes.
std::string ok_eof(std::uint16_t status) { return ok(status, 0, 0, 0xfe); }

std::string err(std::uint16_t code, std::string_view state, std::string_view message) {
  std::string p;
  Writer w(p);
  w.u8(0xff);
  w.u16(code);
  w.u8('#');
  w.bytes(state);
  w.bytes(message);
  return p;
}

// COM_STMT_PREPARE_OK.
std::string prepare_ok(std::uint32_t statement_id, std::uint16_t columns, std::uint16_t params) {
  std::string p;
  Writer w(p);
  w.u8(0x00);
  w.u32(statement_id);
  w.u16(columns);
  w.u16(params);
  w.u8(0);
  w.u16(0);  // warnings
  return p;
}

// A server response under construction: frames with sequence ids from 1.
struct Stream {
  std::string bytes;
  std::uint8_t seq = 1;

  Stream& add(std::string_view payload) {
    seq = append_frames(bytes, payload, seq);
    return *this;
  }
  Stream& add_n(int n, std::string_view payload) {
    for (int i = 0; i < n; ++i) add(payload);
    return *this;
  }
};

// ---- the proxy's relay loop -----------------------------------------------------------------

struct Outcome {
  std::size_t consumed = 0;
  Event last = Event::need_more;
  std::vector<Verdict> verdicts;
  std::vector<bool> session_state;  // ok_with_session_state() after each packet
  Summary summary;
};

class Relay {
 public:
  Relay(Command command, std::uint32_t caps, bool cursor = false, std::uint8_t first_seq = 1) {
    scanner_.reset(first_seq);
    tracker_.start(command, caps, cursor);
  }

  // Feeds one read; returns true once the stream has ended (or failed).
  bool feed(std::string_view chunk) {
    Bytes rest = as_bytes(chunk);
    for (;;) {
      PacketScanner::Step step = scanner_.next(rest);
      run_.consumed += step.consumed;
      rest = rest.subspan(step.consumed);
      run_.last = step.event;
      switch (step.event) {
        case Event::packet_head: {
          Verdict v = tracker_.on_packet(step.head);
          run_.verdicts.push_back(v);
          run_.session_state.push_back(tracker_.ok_with_session_state());
          if (v == Verdict::done || v == Verdict::local_infile) scanner_.end_after_packet();
          continue;
        }
        case Event::need_more:
          EXPECT_TRUE(rest.empty());
          return false;
        case Event::end_of_stream:
        case Event::bad_sequence:
          return true;
        case Event::packet_end:
          ADD_FAILURE() << "packet_end was not asked for";
          return true;
      }
    }
  }

  void restart(std::uint8_t seq) { scanner_.reset(seq); }
  ResponseTracker& tracker() { return tracker_; }
  Outcome run() {
    run_.summary = tracker_.summary();
    return run_;
  }

 private:
  PacketScanner scanner_;
  ResponseTracker tracker_;
  Outcome run_;
};

struct Case {
  Command command = Command::query;
  std::uint32_t caps = kCaps;
  bool cursor = false;
  Stream stream;
  Summary expected;
  Verdict final_verdict = Verdict::done;
};

Outcome relay(const Case& c, std::initializer_list<std::string_view> chunks) {
  Relay r(c.command, c.caps, c.cursor);
  for (std::string_view chunk : chunks) {
    if (r.feed(chunk)) break;
  }
  return r.run();
}

void expect_summary(const Summary& got, const Summary& want) {
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.error_code, want.error_code);
  EXPECT_EQ(got.has_status, want.has_status);
  EXPECT_EQ(got.status_flags, want.status_flags);
  EXPECT_EQ(got.affected_rows, want.affected_rows);
  EXPECT_EQ(got.last_insert_id, want.last_insert_id);
  EXPECT_EQ(got.statement_id, want.statement_id);
  EXPECT_EQ(got.param_count, want.param_count);
  EXPECT_EQ(got.column_count, want.column_count);
}

// Number of packets (not frames) in a stream.
std::size_t count_packets(std::string_view wire) {
  FrameReader reader(1u << 30);
  reader.feed(as_bytes(wire));
  std::error_code ec;
  std::size_t n = 0;
  while (reader.next(ec)) ++n;
  EXPECT_FALSE(ec);
  EXPECT_EQ(reader.buffered(), 0u);
  return n;
}

// Where to split a stream in two: everywhere for small streams; around every frame header and
// packet prefix for streams with 16 MiB packets.
std::vector<std::size_t> split_points(std::string_view wire) {
  std::set<std::size_t> points;
  if (wire.size() <= 4096) {
    for (std::size_t i = 0; i <= wire.size(); ++i) points.insert(i);
  } else {
    std::size_t pos = 0;
    while (pos + 4 <= wire.size()) {
      for (std::size_t d = 0; d <= 4 + PacketScanner::prefix_capacity + 2; ++d) {
        if (pos + d <= wire.size()) points.insert(pos + d);
        if (pos >= d) points.insert(pos - d);
      }
      const std::size_t len = static_cast<std::uint8_t>(wire[pos]) |
                              static_cast<std::uint8_t>(wire[pos + 1]) << 8 |
                              static_cast<std::size_t>(static_cast<std::uint8_t>(wire[pos + 2])) << 16;
      pos += 4 + len;
    }
    points.insert(wire.size());
  }
  return {points.begin(), points.end()};
}

void expect_complete(const Outcome& run, const Case& c, std::size_t packets) {
  EXPECT_EQ(run.last, Event::end_of_stream);
  EXPECT_EQ(run.consumed, c.stream.bytes.size());
  ASSERT_EQ(run.verdicts.size(), packets);
  for (std::size_t i = 0; i + 1 < packets; ++i) EXPECT_EQ(run.verdicts[i], Verdict::more) << "packet " << i;
  EXPECT_EQ(run.verdicts.back(), c.final_verdict);
  expect_summary(run.summary, c.expected);
}

// The checks every response goes through.
void check(const Case& c) {
  const std::string& wire = c.stream.bytes;
  const std::size_t packets = count_packets(wire);
  {
    SCOPED_TRACE("one read");
    expect_complete(relay(c, {wire}), c, packets);
  }
  // What follows is the next response's first packet, with the sequence id the scanner would
  // accept next: it must be left alone.
  const std::string next = wire + frame(c.stream.seq, ok(kAutocommit));
  {
    SCOPED_TRACE("followed by another packet");
    expect_complete(relay(c, {next}), c, packets);
  }
  for (std::size_t split : split_points(wire)) {
    SCOPED_TRACE(testing::Message() << "split at " << split << " of " << wire.size());
    const std::string_view s(wire);
    expect_complete(relay(c, {s.substr(0, split), s.substr(split)}), c, packets);
    const std::string_view n(next);
    expect_complete(relay(c, {n.substr(0, split), n.substr(split)}), c, packets);
    if (::testing::Test::HasFailure()) return;  // one failing split is enough to read
  }
  if (wire.size() <= 4096) {
    SCOPED_TRACE("byte at a time");
    Relay r(c.command, c.caps, c.cursor);
    for (std::size_t i = 0; i < next.size(); ++i) {
      if (r.feed(std::string_view(next).substr(i, 1))) break;
    }
    expect_complete(r.run(), c, packets);
  }
}

// ---- simple responses -------------------------------------------------------------------------

TEST(ResponseTrackerTest, Ok) {
  Case c;
  c.stream.add(ok(kAutocommit, 1, 42));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .affected_rows = 1, .last_insert_id = 42};
  check(c);
  EXPECT_EQ(hex(c.stream.bytes), "07 00 00 01 00 01 2a 02 00 00 00");
}

TEST(ResponseTrackerTest, Err) {
  Case c;
  c.stream.add(err(1146, "42S02", "Table 'shop.nope' doesn't exist"));
  c.expected = {.error = true, .error_code = 1146};
  check(c);
}

TEST(ResponseTrackerTest, OkThenOkForMultiStatements) {
  Case c;  // "UPDATE ...; UPDATE ..."
  c.stream.add(ok(kMore, 3)).add(ok(kAutocommit, 2));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .affected_rows = 2};
  check(c);
}

// ---- text result sets ---------------------------------------------------------------------

TEST(ResponseTrackerTest, TextResultSet) {
  Case c;
  c.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd)).add(eof(kAutocommit));
  c.stream.add(text_row({"1", "apple"})).add(text_row({"2", std::nullopt})).add(text_row({"3", "pear"}));
  c.stream.add(eof(kNoIndex));
  c.expected = {.status_flags = kNoIndex, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, TextResultSetWithDeprecateEof) {
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd));
  c.stream.add(text_row({"1", "apple"})).add(text_row({"2", std::nullopt}));
  c.stream.add(ok_eof(kNoIndex));
  c.expected = {.status_flags = kNoIndex, .has_status = true, .column_count = 2};
  check(c);
  EXPECT_EQ(hex(ok_eof(kNoIndex)), "fe 00 00 22 00 00 00");
}

TEST(ResponseTrackerTest, EmptyResultSet) {
  Case c;
  c.stream.add(column_count(1)).add(column_def("id")).add(eof(kAutocommit)).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);
}

TEST(ResponseTrackerTest, EmptyResultSetWithDeprecateEof) {
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(1)).add(column_def("id")).add(ok_eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);
}

TEST(ResponseTrackerTest, ManyColumns) {
  Case c;  // column count 300 is lenenc 0xfc 2c 01
  c.stream.add(column_count(300));
  for (int i = 0; i < 300; ++i) c.stream.add(column_def("c" + std::to_string(i)));
  c.stream.add(eof(kAutocommit)).add(text_row({"x"})).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 300};
  check(c);
}

TEST(ResponseTrackerTest, MultiResultsFromCall) {
  Case c;  // CALL p(): two result sets, then the CALL's own OK
  c.stream.add(column_count(1)).add(column_def("a")).add(eof(kMore)).add(text_row({"1"})).add(eof(kMore));
  c.stream.add(column_count(2)).add(column_def("b")).add(column_def("c")).add(eof(kMore));
  c.stream.add(text_row({"2", "3"})).add(text_row({"4", "5"})).add(eof(kMore));
  c.stream.add(ok(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, MultiResultsFromCallWithDeprecateEof) {
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(1)).add(column_def("a")).add(text_row({"1"})).add(ok_eof(kMore));
  c.stream.add(column_count(2)).add(column_def("b")).add(column_def("c"));
  c.stream.add(text_row({"2", "3"})).add(text_row({"4", "5"})).add(ok_eof(kMore));
  c.stream.add(ok(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, MultiStatementOkThenResultSet) {
  Case c;  // "INSERT ...; SELECT ..."
  c.stream.add(ok(kMore, 1, 7));
  c.stream.add(column_count(1)).add(column_def("id")).add(eof(kAutocommit)).add(text_row({"7"})).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .affected_rows = 1, .last_insert_id = 7,
                .column_count = 1};
  check(c);
}

TEST(ResponseTrackerTest, ErrInTheMiddleOfRows) {
  Case c;
  c.stream.add(column_count(1)).add(column_def("id")).add(eof(kAutocommit));
  c.stream.add(text_row({"1"})).add(text_row({"2"}));
  c.stream.add(err(1317, "70100", "Query execution was interrupted"));
  c.expected = {.error = true, .status_flags = kAutocommit, .has_status = true, .column_count = 1,
                .error_code = 1317};
  check(c);
}

TEST(ResponseTrackerTest, ErrInTheSecondResultOfACall) {
  Case c;
  c.stream.add(column_count(1)).add(column_def("a")).add(eof(kMore)).add(text_row({"1"})).add(eof(kMore));
  c.stream.add(err(1054, "42S22", "Unknown column 'x' in 'field list'"));
  c.expected = {.error = true, .status_flags = kMore, .has_status = true, .column_count = 1, .error_code = 1054};
  check(c);
}

TEST(ResponseTrackerTest, RowsStartingWith0xfeOfNineBytesOrMoreAreRows) {
  Case c;
  c.stream.add(column_count(1)).add(column_def("blob", 0xfc)).add(eof(kAutocommit));
  c.stream.add(unhex("fe 00 00 00 00 00 00 00 00"));      // 9 bytes: an 8-byte lenenc length 0
  c.stream.add(unhex("fe 01 00 00 00 00 00 00 00 41"));   // 10 bytes: "A"
  c.stream.add(unhex("fe 00 00 02 00 00 00 00 00 00 00")); // 11 bytes, EOF-like start
  c.stream.add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);
}

// ---- rows of 16 MiB and more --------------------------------------------------------------

// A two-column text row of exactly `size` bytes (size ≥ 0xffffff) whose bytes from offset
// 0xffffff on, i.e. the payload of the continuation frame, are `continuation`.
std::string big_row(std::string_view continuation) {
  const std::size_t first_column = max_frame_payload - 4 - 1;  // fd + u24 + data, then col-2 length
  std::string p;
  Writer w(p);
  w.u8(0xfd);
  w.u24(static_cast<std::uint32_t>(first_column));
  p.append(first_column, 'x');
  w.u8(static_cast<std::uint8_t>(continuation.size()));
  p.append(continuation);
  EXPECT_EQ(p.size(), max_frame_payload + continuation.size());
  return p;
}

TEST(ResponseTrackerTest, BigRowWhoseContinuationLooksLikeAnEof) {
  Case c;
  c.stream.add(column_count(2)).add(column_def("doc", 0xfc)).add(column_def("tail", 0xfd)).add(eof(kAutocommit));
  c.stream.add(big_row(eof(kNoIndex)));  // continuation frame "fe 00 00 22 00"
  c.stream.add(text_row({"small", "row"}));
  c.stream.add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, BigRowWhoseContinuationLooksLikeAnErr) {
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(2)).add(column_def("doc", 0xfc)).add(column_def("tail", 0xfd));
  c.stream.add(big_row(err(1045, "28000", "no")));
  c.stream.add(ok_eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, BigRowWhoseContinuationLooksLikeADeprecateEofOk) {
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(2)).add(column_def("doc", 0xfc)).add(column_def("tail", 0xfd));
  c.stream.add(big_row(ok_eof(kAutocommit)));
  c.stream.add(ok_eof(kNoIndex));
  c.expected = {.status_flags = kNoIndex, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, RowOfExactlyOneFullFrame) {
  Case c;
  c.stream.add(column_count(1)).add(column_def("doc", 0xfc)).add(eof(kAutocommit));
  std::string row;
  Writer w(row);
  w.u8(0xfd);
  w.u24(static_cast<std::uint32_t>(max_frame_payload - 4));
  row.append(max_frame_payload - 4, 'y');
  ASSERT_EQ(row.size(), max_frame_payload);
  c.stream.add(row);  // followed by an empty continuation frame
  c.stream.add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);
}

TEST(ResponseTrackerTest, RowStartingWith0xfeLongerThan16MiBWithDeprecateEof) {
  // A column of 2^24 bytes needs the 8-byte lenenc form, so the row's first byte is 0xfe; its
  // first frame is 0xffffff long, which is what tells it apart from the terminating OK.
  Case c;
  c.caps = kCapsDeprecateEof;
  c.stream.add(column_count(1)).add(column_def("doc", 0xfb));
  std::string row;
  Writer w(row);
  w.u8(0xfe);
  w.u64(1u << 24);
  row.append(1u << 24, 'z');
  c.stream.add(row);
  c.stream.add(ok_eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);
}

// ---- prepared statements --------------------------------------------------------------------

TEST(ResponseTrackerTest, PrepareWithParamsAndColumns) {
  Case c;
  c.command = Command::stmt_prepare;
  c.stream.add(prepare_ok(7, 3, 2));
  c.stream.add(column_def("?", 0xfd)).add(column_def("?", 0xfd)).add(eof(kAutocommit));
  c.stream.add(column_def("id")).add(column_def("name", 0xfd)).add(column_def("price", 0xf6)).add(eof(kAutocommit));
  c.expected = {.statement_id = 7, .param_count = 2, .column_count = 3};
  check(c);
}

TEST(ResponseTrackerTest, PrepareWithParamsAndColumnsWithDeprecateEof) {
  Case c;
  c.command = Command::stmt_prepare;
  c.caps = kCapsDeprecateEof;
  c.stream.add(prepare_ok(0x01020304, 3, 2));
  c.stream.add(column_def("?", 0xfd)).add(column_def("?", 0xfd));
  c.stream.add(column_def("id")).add(column_def("name", 0xfd)).add(column_def("price", 0xf6));
  c.expected = {.statement_id = 0x01020304, .param_count = 2, .column_count = 3};
  check(c);
}

TEST(ResponseTrackerTest, PrepareWithoutParamsOrColumns) {
  for (std::uint32_t caps : {kCaps, kCapsDeprecateEof}) {
    Case c;
    c.command = Command::stmt_prepare;
    c.caps = caps;
    c.stream.add(prepare_ok(8, 0, 0));  // e.g. "DO 1"
    c.expected = {.statement_id = 8};
    check(c);
  }
}

TEST(ResponseTrackerTest, PrepareWithParamsOnly) {
  Case c;
  c.command = Command::stmt_prepare;
  c.stream.add(prepare_ok(9, 0, 2)).add(column_def("?")).add(column_def("?")).add(eof(kAutocommit));
  c.expected = {.statement_id = 9, .param_count = 2};
  check(c);

  Case d;
  d.command = Command::stmt_prepare;
  d.caps = kCapsDeprecateEof;
  d.stream.add(prepare_ok(9, 0, 2)).add(column_def("?")).add(column_def("?"));
  d.expected = c.expected;
  check(d);
}

TEST(ResponseTrackerTest, PrepareWithColumnsOnly) {
  Case c;
  c.command = Command::stmt_prepare;
  c.stream.add(prepare_ok(10, 1, 0)).add(column_def("1")).add(eof(kAutocommit));
  c.expected = {.statement_id = 10, .column_count = 1};
  check(c);

  Case d;
  d.command = Command::stmt_prepare;
  d.caps = kCapsDeprecateEof;
  d.stream.add(prepare_ok(10, 1, 0)).add(column_def("1"));
  d.expected = c.expected;
  check(d);
}

TEST(ResponseTrackerTest, PrepareError) {
  Case c;
  c.command = Command::stmt_prepare;
  c.stream.add(err(1064, "42000", "You have an error in your SQL syntax"));
  c.expected = {.error = true, .error_code = 1064};
  check(c);
}

// Binary protocol row: 0x00, NULL bitmap with a 2-bit offset, then the non-NULL values.
std::string binary_row(std::int32_t id, std::optional<std::string_view> name) {
  std::string p;
  Writer w(p);
  w.u8(0x00);
  w.u8(name ? 0x00 : 0x08);  // column 1 (offset 2 + 1 = bit 3) is NULL
  w.u32(static_cast<std::uint32_t>(id));
  if (name) w.lenenc_string(*name);
  return p;
}

TEST(ResponseTrackerTest, ExecuteWithBinaryRows) {
  Case c;
  c.command = Command::stmt_execute;
  c.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd)).add(eof(kAutocommit));
  c.stream.add(binary_row(1, "apple")).add(binary_row(2, std::nullopt)).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 2};
  check(c);

  Case d;
  d.command = Command::stmt_execute;
  d.caps = kCapsDeprecateEof;
  d.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd));
  d.stream.add(binary_row(1, "apple")).add(binary_row(2, std::nullopt)).add(ok_eof(kNoIndex));
  d.expected = {.status_flags = kNoIndex, .has_status = true, .column_count = 2};
  check(d);
}

TEST(ResponseTrackerTest, ExecuteWithoutResultSet) {
  Case c;
  c.command = Command::stmt_execute;
  c.stream.add(ok(kAutocommit, 1, 5));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .affected_rows = 1, .last_insert_id = 5};
  check(c);
}

TEST(ResponseTrackerTest, ExecuteOpeningACursor) {
  // With a read-only cursor the server sends only the metadata and an EOF with CURSOR_EXISTS;
  // rows come later, in answer to COM_STMT_FETCH.
  Case c;
  c.command = Command::stmt_execute;
  c.cursor = true;
  c.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd)).add(eof(kCursor));
  c.expected = {.status_flags = kCursor, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, ExecuteOpeningACursorWithDeprecateEof) {
  // Under CLIENT_DEPRECATE_EOF the end-of-statement marker after the metadata is an OK packet
  // with the 0xfe header (MariaDB's net_send_eof → net_send_ok(is_eof)), still carrying
  // CURSOR_EXISTS. It belongs to this response.
  Case c;
  c.command = Command::stmt_execute;
  c.caps = kCapsDeprecateEof;
  c.cursor = true;
  c.stream.add(column_count(2)).add(column_def("id")).add(column_def("name", 0xfd)).add(ok_eof(kCursor));
  c.expected = {.status_flags = kCursor, .has_status = true, .column_count = 2};
  check(c);
}

TEST(ResponseTrackerTest, CursorAskedForButNotOpened) {
  // The server may answer a cursor request with a plain result set (no CURSOR_EXISTS).
  Case c;
  c.command = Command::stmt_execute;
  c.cursor = true;
  c.stream.add(column_count(1)).add(column_def("id")).add(eof(kAutocommit));
  c.stream.add(binary_row(1, "a")).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true, .column_count = 1};
  check(c);

  Case d;
  d.command = Command::stmt_execute;
  d.caps = kCapsDeprecateEof;
  d.cursor = true;
  d.stream.add(column_count(1)).add(column_def("id")).add(binary_row(1, "a")).add(ok_eof(kAutocommit));
  d.expected = c.expected;
  check(d);
}

TEST(ResponseTrackerTest, FetchFromACursor) {
  Case c;
  c.command = Command::stmt_fetch;
  c.stream.add(binary_row(1, "a")).add(binary_row(2, "b")).add(eof(kCursor));
  c.expected = {.status_flags = kCursor, .has_status = true};
  check(c);

  Case last;
  last.command = Command::stmt_fetch;
  last.stream.add(binary_row(3, "c")).add(eof(kLastRow));
  last.expected = {.status_flags = kLastRow, .has_status = true};
  check(last);

  Case deprecate;
  deprecate.command = Command::stmt_fetch;
  deprecate.caps = kCapsDeprecateEof;
  deprecate.stream.add(binary_row(3, "c")).add(ok_eof(kLastRow));
  deprecate.expected = {.status_flags = kLastRow, .has_status = true};
  check(deprecate);
}

// ---- other commands -----------------------------------------------------------------------

TEST(ResponseTrackerTest, FieldList) {
  Case c;
  c.command = Command::field_list;
  c.stream.add(column_def("id")).add(column_def("name", 0xfd)).add(eof(kAutocommit));
  c.expected = {.status_flags = kAutocommit, .has_status = true};
  check(c);

  Case d;
  d.command = Command::field_list;
  d.caps = kCapsDeprecateEof;
  d.stream.add(column_def("id")).add(column_def("name", 0xfd)).add(ok_eof(kAutocommit));
  d.expected = c.expected;
  check(d);

  Case e;
  e.command = Command::field_list;
  e.stream.add(err(1146, "42S02", "Table 'shop.nope' doesn't exist"));
  e.expected = {.error = true, .error_code = 1146};
  check(e);
}

TEST(ResponseTrackerTest, SinglePacketCommands) {
  for (Command command : {Command::ping, Command::init_db, Command::reset_connection, Command::stmt_reset,
                          Command::refresh}) {
    SCOPED_TRACE(static_cast<int>(command));
    Case c;
    c.command = command;
    c.stream.add(ok(kAutocommit));
    c.expected = {.status_flags = kAutocommit, .has_status = true};
    check(c);
  }
  Case set_option;  // COM_SET_OPTION answers with an EOF (its status is not recorded)
  set_option.command = Command::set_option;
  set_option.stream.add(eof(kAutocommit));
  check(set_option);

  Case statistics;
  statistics.command = Command::statistics;
  statistics.stream.add("Uptime: 3600  Threads: 1  Questions: 12  Slow queries: 0");
  check(statistics);

  Case denied;
  denied.command = Command::init_db;
  denied.stream.add(err(1044, "42000", "Access denied for user 'app'@'%' to database 'hr'"));
  denied.expected = {.error = true, .error_code = 1044};
  check(denied);
}

TEST(ResponseTrackerTest, LocalInfile) {
  // LOAD DATA LOCAL INFILE: the server asks for the file (0xfb), the client sends it in packets
  // ending with an empty one, and the server replies with OK or ERR.
  Stream request;
  request.add(unhex("fb") + "/tmp/prices.csv");
  for (const std::string& reply_payload : {ok(kAutocommit, 3), err(1062, "23000", "Duplicate entry '1'")}) {
    SCOPED_TRACE(hex(reply_payload.substr(0, 3)));
    for (std::size_t split = 0; split <= request.bytes.size(); ++split) {
      Relay relay(Command::query, kCaps);
      const std::string_view s(request.bytes);
      if (!relay.feed(s.substr(0, split))) {
        ASSERT_TRUE(relay.feed(s.substr(split)));
      }
      Outcome first = relay.run();
      ASSERT_EQ(first.last, Event::end_of_stream);
      ASSERT_EQ(first.consumed, request.bytes.size());
      ASSERT_EQ(first.verdicts, std::vector<Verdict>{Verdict::local_infile});

      // The client's data went out with sequence ids 2, 3 and the empty packet 4.
      const std::string reply = frame(5, reply_payload) + frame(6, ok(kAutocommit));
      relay.restart(5);
      relay.tracker().resume_after_infile();
      ASSERT_TRUE(relay.feed(reply));
      Outcome second = relay.run();
      EXPECT_EQ(second.last, Event::end_of_stream);
      EXPECT_EQ(second.consumed, request.bytes.size() + 4 + reply_payload.size());
      ASSERT_EQ(second.verdicts.size(), 2u);
      EXPECT_EQ(second.verdicts[1], Verdict::done);
      if (reply_payload[0] == '\0') {
        EXPECT_EQ(second.summary.affected_rows, 3u);
        EXPECT_FALSE(second.summary.error);
      } else {
        EXPECT_TRUE(second.summary.error);
        EXPECT_EQ(second.summary.error_code, 1062);
      }
    }
  }
}

TEST(ResponseTrackerTest, LocalInfileOnlyAnswersAQuery) {
  Case c;
  c.command = Command::stmt_execute;
  c.stream.add(unhex("fb") + "/etc/passwd");
  check(c);  // not a LOCAL INFILE request for COM_STMT_EXECUTE: the response just ends
}

// ---- session state (CLIENT_SESSION_TRACK) ---------------------------------------------------

constexpr std::uint16_t kStateChanged = server_status::autocommit | server_status::session_state_changed;  // 0x4002

// An OK followed by an empty info and a session-state block with one entry.
std::string ok_with_state(std::uint16_t status, std::uint8_t type, std::string_view data, std::uint8_t header = 0x00) {
  std::string entry;
  Writer e(entry);
  e.u8(type);
  e.lenenc_string(data);
  std::string p = ok(status, 1, 0, header);
  Writer w(p);
  w.lenenc_string("");
  w.lenenc_string(entry);
  return p;
}

std::string last_gtid_ok(std::uint16_t status, std::string_view gtid, std::uint8_t header = 0x00) {
  std::string data;
  Writer d(data);
  d.lenenc_string("last_gtid");
  d.lenenc_string(gtid);
  return ok_with_state(status, 0 /* SESSION_TRACK_SYSTEM_VARIABLES */, data, header);
}

std::vector<bool> session_state_of(const Case& c) { return relay(c, {c.stream.bytes}).session_state; }

TEST(ResponseTrackerTest, OkWithSessionState) {
  Case c;
  c.stream.add(last_gtid_ok(kStateChanged, "0-3306-123456789"));
  ASSERT_GT(c.stream.bytes.size(), 4 + PacketScanner::prefix_capacity);  // the block is cut off
  c.expected = {.status_flags = kStateChanged, .has_status = true, .affected_rows = 1};
  check(c);
  EXPECT_EQ(session_state_of(c), std::vector<bool>{true});

  Case plain;
  plain.stream.add(ok(kAutocommit, 1));
  EXPECT_EQ(session_state_of(plain), std::vector<bool>{false});
}

TEST(ResponseTrackerTest, SessionStateOnEachOkOfAMultiStatement) {
  Case c;  // "SET @@autocommit=0; INSERT ...; COMMIT"
  c.stream.add(last_gtid_ok(kMore | server_status::session_state_changed, "0-1-7"));
  c.stream.add(ok(kMore, 1));
  c.stream.add(last_gtid_ok(kStateChanged, "0-1-8"));
  c.expected = {.status_flags = kStateChanged, .has_status = true, .affected_rows = 1};
  check(c);
  EXPECT_EQ(session_state_of(c), (std::vector<bool>{true, false, true}));
}

TEST(ResponseTrackerTest, SessionStateOnTheOkEndingAResultSet) {
  // Under CLIENT_DEPRECATE_EOF the 0xfe OK that ends the rows carries the session state.
  Case c;
  c.caps = kCapsDeprecateEof | capability::session_track;
  c.stream.add(column_count(1)).add(column_def("id")).add(text_row({"1"}));
  c.stream.add(ok_with_state(kStateChanged, 5 /* SESSION_TRACK_TRANSACTION_STATE */, "\x08T_______", 0xfe));
  c.expected = {.status_flags = kStateChanged, .has_status = true, .affected_rows = 1, .column_count = 1};
  check(c);
  EXPECT_EQ(session_state_of(c), (std::vector<bool>{false, false, false, true}));
}

TEST(ResponseTrackerTest, OnlyOkPacketsCarrySessionState) {
  Case eof_terminated;  // an EOF is not an OK, whatever its status says
  eof_terminated.stream.add(column_count(1)).add(column_def("id")).add(eof(kStateChanged));
  eof_terminated.stream.add(text_row({"1"})).add(eof(kStateChanged));
  EXPECT_EQ(session_state_of(eof_terminated), (std::vector<bool>{false, false, false, false, false}));

  // A text row whose bytes are those of an OK with status 0x4002: "", "", "", "@\0", "".
  Case row;
  row.caps = kCapsDeprecateEof;
  row.stream.add(column_count(5)).add_n(5, column_def("c"));
  const std::string looks_like_ok = text_row({"", "", "", std::string_view("@\0", 2), ""});
  ASSERT_EQ(hex(looks_like_ok), "00 00 00 02 40 00 00");
  row.stream.add(looks_like_ok).add(ok_eof(kAutocommit));
  EXPECT_EQ(session_state_of(row), std::vector<bool>(8, false));

  // COM_STMT_PREPARE_OK starts with 0x00 too: statement id 0x40020000 puts 0x4002 where an
  // OK's status would be.
  Case prepare;
  prepare.command = Command::stmt_prepare;
  prepare.stream.add(prepare_ok(0x40020000, 0, 0));
  EXPECT_EQ(session_state_of(prepare), std::vector<bool>{false});

  Case error;
  error.stream.add(err(1062, "23000", "Duplicate entry '1' for key 'PRIMARY'"));
  EXPECT_EQ(session_state_of(error), std::vector<bool>{false});
}

TEST(ResponseTrackerTest, SessionStateOnASinglePacketResponse) {
  Case c;  // COM_INIT_DB reports the new schema
  c.command = Command::init_db;
  c.stream.add(ok_with_state(kStateChanged, 1 /* SESSION_TRACK_SCHEMA */, "\x04shop"));
  c.expected = {.status_flags = kStateChanged, .has_status = true, .affected_rows = 1};
  check(c);
  EXPECT_EQ(session_state_of(c), std::vector<bool>{true});
}

TEST(ResponseTrackerTest, StartForgetsSessionState) {
  ResponseTracker tracker;
  tracker.start(Command::query, kCaps);
  const std::string p = last_gtid_ok(kStateChanged, "0-1-1");
  PacketHead head{p.size(), 1, as_bytes(p).first(PacketScanner::prefix_capacity)};
  EXPECT_EQ(tracker.on_packet(head), Verdict::done);
  EXPECT_TRUE(tracker.ok_with_session_state());
  tracker.start(Command::ping, kCaps);
  EXPECT_FALSE(tracker.ok_with_session_state());
}

// ---- sequence errors ----------------------------------------------------------------------

TEST(ResponseTrackerTest, BadSequenceIdIsReported) {
  const std::string wire =
      frame(1, column_count(1)) + frame(2, column_def("id")) + frame(4, eof(kAutocommit)) + frame(5, eof(kAutocommit));
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    SCOPED_TRACE(split);
    Relay relay(Command::query, kCaps);
    const std::string_view s(wire);
    if (!relay.feed(s.substr(0, split))) relay.feed(s.substr(split));
    Outcome run = relay.run();
    EXPECT_EQ(run.last, Event::bad_sequence);
    EXPECT_EQ(run.verdicts.size(), 2u);
  }
}

TEST(ResponseTrackerTest, BadSequenceIdOnTheFirstPacket) {
  Relay relay(Command::ping, kCaps);
  EXPECT_TRUE(relay.feed(frame(0, ok(kAutocommit))));
  EXPECT_EQ(relay.run().last, Event::bad_sequence);
  EXPECT_TRUE(relay.run().verdicts.empty());
}

TEST(ResponseTrackerTest, BadSequenceIdInAContinuationFrame) {
  std::string wire = frame(1, column_count(1)) + frame(2, column_def("doc")) + frame(3, eof(kAutocommit));
  wire += frame(4, std::string(max_frame_payload, 'x')) + frame(6, "tail");
  Relay relay(Command::query, kCaps);
  EXPECT_TRUE(relay.feed(wire));
  EXPECT_EQ(relay.run().last, Event::bad_sequence);
}

// ---- state handling -----------------------------------------------------------------------

TEST(ResponseTrackerTest, StartResetsTheSummary) {
  ResponseTracker tracker;
  tracker.start(Command::query, kCaps);
  const std::string e = err(1146, "42S02", "x");
  PacketHead head{e.size(), 1, as_bytes(e)};
  EXPECT_EQ(tracker.on_packet(head), Verdict::done);
  EXPECT_TRUE(tracker.summary().error);
  tracker.start(Command::ping, kCaps);
  expect_summary(tracker.summary(), Summary{});
}

TEST(ResponseTrackerTest, ExpectsResponse) {
  EXPECT_FALSE(ResponseTracker::expects_response(Command::quit));
  EXPECT_FALSE(ResponseTracker::expects_response(Command::stmt_close));
  EXPECT_FALSE(ResponseTracker::expects_response(Command::stmt_send_long_data));
  for (Command command : {Command::query, Command::ping, Command::init_db, Command::field_list,
                          Command::stmt_prepare, Command::stmt_execute, Command::stmt_fetch, Command::stmt_reset,
                          Command::change_user, Command::reset_connection, Command::statistics,
                          Command::set_option, Command::stmt_bulk_execute}) {
    EXPECT_TRUE(ResponseTracker::expects_response(command)) << static_cast<int>(command);
  }
}

}  // namespace
}  // namespace rwproxy::protocol
