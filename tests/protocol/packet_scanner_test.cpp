// PacketScanner on its own: packet heads, prefixes, continuation frames, sequence checks.
#include "proxy/protocol/packet_scanner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::frame;
using test::hex;
using test::unhex;
using Event = PacketScanner::Event;

std::string prefix_of(const PacketHead& head) { return std::string(as_chars(head.prefix)); }

TEST(PacketScannerTest, OnePacketThenEndOfStream) {
  const std::string wire = frame(1, unhex("00 00 00 02 00 00 00")) + "NEXT";
  PacketScanner scanner;
  scanner.reset(1);
  Bytes rest = as_bytes(wire);

  auto step = scanner.next(rest);
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 11u);  // header and the whole (short) payload as prefix
  EXPECT_EQ(step.head.first_frame_length, 7u);
  EXPECT_EQ(step.head.sequence_id, 1);
  EXPECT_EQ(hex(prefix_of(step.head)), "00 00 00 02 00 00 00");
  EXPECT_EQ(scanner.next_sequence_id(), 2);
  scanner.end_after_packet();

  step = scanner.next(rest.subspan(11));
  EXPECT_EQ(step.event, Event::end_of_stream);
  EXPECT_EQ(step.consumed, 0u);
  EXPECT_TRUE(scanner.at_packet_boundary());
}

TEST(PacketScannerTest, PrefixIsCappedAndTheBodyIsSkipped) {
  const std::string payload(100, 'r');
  const std::string wire = frame(1, payload) + frame(2, "x");
  PacketScanner scanner;
  scanner.reset(1);
  Bytes rest = as_bytes(wire);
  auto step = scanner.next(rest);
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 4 + PacketScanner::prefix_capacity);
  EXPECT_EQ(step.head.first_frame_length, 100u);
  EXPECT_EQ(prefix_of(step.head), std::string(PacketScanner::prefix_capacity, 'r'));
  EXPECT_FALSE(scanner.at_packet_boundary());
  rest = rest.subspan(step.consumed);

  step = scanner.next(rest);
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 100 - PacketScanner::prefix_capacity + 5);
  EXPECT_EQ(step.head.sequence_id, 2);
  EXPECT_EQ(prefix_of(step.head), "x");
}

TEST(PacketScannerTest, EmptyPacketHasAnEmptyPrefix) {
  const std::string wire = unhex("00 00 00 03");
  PacketScanner scanner;
  scanner.reset(3);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 4u);
  EXPECT_EQ(step.head.first_frame_length, 0u);
  EXPECT_TRUE(step.head.prefix.empty());
  scanner.end_after_packet();
  EXPECT_EQ(scanner.next(Bytes{}).event, Event::end_of_stream);
}

TEST(PacketScannerTest, NeedsMoreInsideHeaderPrefixAndBody) {
  const std::string wire = frame(1, std::string(40, 'a'));
  for (std::size_t cut : {std::size_t{2}, std::size_t{4}, std::size_t{10}}) {
    SCOPED_TRACE(cut);
    PacketScanner scanner;
    scanner.reset(1);
    auto step = scanner.next(as_bytes(wire).first(cut));
    EXPECT_EQ(step.event, Event::need_more);
    EXPECT_EQ(step.consumed, cut);
    step = scanner.next(as_bytes(wire).subspan(cut));
    ASSERT_EQ(step.event, Event::packet_head);
    EXPECT_EQ(step.head.first_frame_length, 40u);
    scanner.end_after_packet();
    std::size_t total = cut + step.consumed;
    step = scanner.next(as_bytes(wire).subspan(total, 5));
    EXPECT_EQ(step.event, Event::need_more);
    total += step.consumed;
    step = scanner.next(as_bytes(wire).subspan(total));
    EXPECT_EQ(step.event, Event::end_of_stream);
    EXPECT_EQ(total + step.consumed, wire.size());
  }
}

TEST(PacketScannerTest, ContinuationFramesBelongToTheirPacket) {
  // A 0xffffff + 5 byte packet whose continuation frame looks exactly like an EOF packet.
  std::string payload(max_frame_payload, 'r');
  payload += unhex("fe 00 00 02 00");
  std::string wire;
  append_frames(wire, payload, 0xff);
  wire += frame(1, "z");
  PacketScanner scanner;
  scanner.reset(0xff);
  Bytes rest = as_bytes(wire);
  auto step = scanner.next(rest);
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.head.first_frame_length, max_frame_payload);
  EXPECT_EQ(step.head.sequence_id, 0xff);
  rest = rest.subspan(step.consumed);

  step = scanner.next(rest);
  ASSERT_EQ(step.event, Event::packet_head);  // the next packet, not the continuation
  EXPECT_EQ(step.head.sequence_id, 1);
  EXPECT_EQ(prefix_of(step.head), "z");
  EXPECT_EQ(step.consumed, rest.size());
}

TEST(PacketScannerTest, FullFramePacketWithEmptyContinuationEndsTheStream) {
  std::string wire;
  append_frames(wire, std::string(max_frame_payload, 'r'), 1);
  PacketScanner scanner;
  scanner.reset(1);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  scanner.end_after_packet();
  Bytes rest = as_bytes(wire).subspan(step.consumed);
  // Without the empty frame the packet is not finished.
  step = scanner.next(rest.first(rest.size() - 4));
  EXPECT_EQ(step.event, Event::need_more);
  EXPECT_FALSE(scanner.at_packet_boundary());
  step = scanner.next(rest.last(4));
  EXPECT_EQ(step.event, Event::end_of_stream);
  EXPECT_EQ(step.consumed, 4u);
  EXPECT_EQ(scanner.next_sequence_id(), 3);
}

TEST(PacketScannerTest, BadSequenceOnAPacket) {
  const std::string wire = frame(2, "x");
  PacketScanner scanner;
  scanner.reset(1);
  EXPECT_EQ(scanner.next(as_bytes(wire)).event, Event::bad_sequence);
}

TEST(PacketScannerTest, BadSequenceOnAContinuationFrame) {
  std::string wire = frame(1, std::string(max_frame_payload, 'r')) + frame(3, "tail");
  PacketScanner scanner;
  scanner.reset(1);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  step = scanner.next(as_bytes(wire).subspan(step.consumed));
  EXPECT_EQ(step.event, Event::bad_sequence);
}

TEST(PacketScannerTest, ResetStartsOver) {
  PacketScanner scanner;
  scanner.reset(1);
  const std::string half = frame(1, "abc").substr(0, 2);
  EXPECT_EQ(scanner.next(as_bytes(half)).event, Event::need_more);
  scanner.reset(0);
  auto step = scanner.next(as_bytes(frame(0, "\x0e")));
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.head.sequence_id, 0);
  EXPECT_EQ(prefix_of(step.head), "\x0e");
}

// ---- report_packet_end() and pending_head_bytes() -----------------------------------------

// Where each packet of a stream lies, read from its frame headers.
struct PacketLayout {
  std::size_t start = 0;        // first byte of the first frame header
  std::size_t first_frame = 0;  // payload length of the first frame
  std::size_t end = 0;          // one past the packet's last byte
};

std::size_t frame_length_at(std::string_view wire, std::size_t pos) {
  const auto b = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<std::uint8_t>(wire[pos + i])); };
  return b(0) | b(1) << 8 | b(2) << 16;
}

std::vector<PacketLayout> layout(std::string_view wire) {
  std::vector<PacketLayout> packets;
  bool continuing = false;
  for (std::size_t pos = 0; pos + 4 <= wire.size();) {
    const std::size_t len = frame_length_at(wire, pos);
    if (!continuing) packets.push_back({pos, len, 0});
    pos += 4 + len;
    packets.back().end = pos;
    continuing = len == max_frame_payload;
  }
  return packets;
}

struct ScanEvent {
  Event event;
  std::size_t offset;  // stream offset where the step stopped
  bool operator==(const ScanEvent&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ScanEvent& e) {
  return os << "{" << static_cast<int>(e.event) << " @" << e.offset << "}";
}

struct Trace {
  std::vector<ScanEvent> events;                             // need_more left out
  std::vector<std::pair<std::size_t, std::size_t>> pending;  // (offset, pending_head_bytes()) at need_more
};

// Scans `wire` delivered in reads that end at `cuts` (then at the end), asking for packet_end on
// the packets in `report`, and ending the stream after the last packet.
Trace scan(std::string_view wire, std::uint8_t seq, const std::set<std::size_t>& report,
           std::vector<std::size_t> cuts) {
  const std::size_t packets = layout(wire).size();
  cuts.push_back(wire.size());
  PacketScanner scanner;
  scanner.reset(seq);
  Trace trace;
  std::size_t offset = 0;
  std::size_t packet = 0;
  for (std::size_t cut : cuts) {
    Bytes rest = as_bytes(wire).subspan(offset, cut - offset);
    for (;;) {
      const auto step = scanner.next(rest);
      offset += step.consumed;
      rest = rest.subspan(step.consumed);
      if (step.event == Event::need_more) {
        EXPECT_TRUE(rest.empty());
        trace.pending.emplace_back(offset, scanner.pending_head_bytes());
        break;
      }
      trace.events.push_back({step.event, offset});
      if (step.event == Event::end_of_stream || step.event == Event::bad_sequence) return trace;
      if (step.event == Event::packet_head) {
        if (report.count(packet)) scanner.report_packet_end();
        if (++packet == packets) scanner.end_after_packet();
      }
    }
  }
  return trace;
}

std::vector<ScanEvent> expected_events(std::string_view wire, const std::set<std::size_t>& report) {
  std::vector<ScanEvent> events;
  const auto packets = layout(wire);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const PacketLayout& p = packets[i];
    events.push_back({Event::packet_head, p.start + 4 + std::min(p.first_frame, PacketScanner::prefix_capacity)});
    if (report.count(i)) events.push_back({Event::packet_end, p.end});
  }
  events.push_back({Event::end_of_stream, wire.size()});
  return events;
}

// Head bytes consumed but not reported when the input stops at `offset`.
std::size_t expected_pending(std::string_view wire, std::size_t offset) {
  for (const PacketLayout& p : layout(wire)) {
    const std::size_t head_end = p.start + 4 + std::min(p.first_frame, PacketScanner::prefix_capacity);
    if (offset > p.start && offset < head_end) return offset - p.start;
  }
  return 0;
}

void expect_trace(std::string_view wire, const std::set<std::size_t>& report, const Trace& trace) {
  EXPECT_EQ(trace.events, expected_events(wire, report));
  for (const auto& [offset, pending] : trace.pending) {
    EXPECT_EQ(pending, expected_pending(wire, offset)) << "at " << offset;
  }
}

// Packets of 7, 40, 0, 32 (exactly the prefix), 33 and 5 bytes.
std::string small_packets() {
  std::string wire = frame(1, unhex("00 00 00 02 40 00 00")) + frame(2, std::string(40, 'a')) + frame(3, "");
  wire += frame(4, std::string(PacketScanner::prefix_capacity, 'b')) + frame(5, std::string(33, 'c'));
  return wire + frame(6, "tail!");
}

TEST(PacketScannerTest, PacketEndAtEverySplit) {
  const std::string wire = small_packets();
  for (const std::set<std::size_t>& report :
       {std::set<std::size_t>{}, std::set<std::size_t>{0, 1, 2, 5}, std::set<std::size_t>{0, 1, 2, 3, 4, 5},
        std::set<std::size_t>{3, 4}}) {
    SCOPED_TRACE(::testing::PrintToString(report));
    expect_trace(wire, report, scan(wire, 1, report, {}));
    for (std::size_t split = 0; split <= wire.size(); ++split) {
      SCOPED_TRACE(split);
      expect_trace(wire, report, scan(wire, 1, report, {split}));
    }
  }
}

TEST(PacketScannerTest, PacketEndAtEveryPairOfSplits) {
  const std::string wire = small_packets();
  const std::set<std::size_t> report{0, 1, 2, 5};
  for (std::size_t a = 0; a <= wire.size(); ++a) {
    for (std::size_t b = a; b <= wire.size(); ++b) {
      const Trace trace = scan(wire, 1, report, {a, b});
      if (trace.events != expected_events(wire, report)) {
        ADD_FAILURE() << "splits " << a << ", " << b;
        return;
      }
      for (const auto& [offset, pending] : trace.pending) {
        if (pending != expected_pending(wire, offset)) {
          ADD_FAILURE() << "splits " << a << ", " << b << ": pending " << pending << " at " << offset;
          return;
        }
      }
    }
  }
}

TEST(PacketScannerTest, PacketEndOfMultiFramePackets) {
  // A 0xffffff + 5 byte packet, a packet of exactly one full frame (ended by an empty frame),
  // then a short one.
  std::string wire;
  std::uint8_t seq = append_frames(wire, std::string(max_frame_payload, 'r') + "tail!", 0xfe);
  seq = append_frames(wire, std::string(max_frame_payload, 's'), seq);
  append_frames(wire, std::string("z"), seq);
  ASSERT_EQ(layout(wire).size(), 3u);
  const std::set<std::size_t> report{0, 1, 2};
  expect_trace(wire, report, scan(wire, 0xfe, report, {}));
  // Splits around every frame header and packet prefix.
  std::set<std::size_t> splits;
  for (std::size_t pos = 0; pos + 4 <= wire.size();) {
    for (std::size_t d = 0; d <= 4 + PacketScanner::prefix_capacity + 2; ++d) {
      if (pos + d <= wire.size()) splits.insert(pos + d);
      if (pos >= d) splits.insert(pos - d);
    }
    pos += 4 + frame_length_at(wire, pos);
  }
  for (std::size_t split : splits) {
    SCOPED_TRACE(split);
    expect_trace(wire, report, scan(wire, 0xfe, report, {split}));
  }
}

TEST(PacketScannerTest, PacketEndThenEndOfStream) {
  for (bool report_first : {true, false}) {
    SCOPED_TRACE(report_first);
    // Whole payload in the prefix: the packet is already complete when its head is returned.
    const std::string wire = frame(1, unhex("00 00 00 02 00 00 00")) + frame(2, "next");
    PacketScanner scanner;
    scanner.reset(1);
    auto step = scanner.next(as_bytes(wire));
    ASSERT_EQ(step.event, Event::packet_head);
    ASSERT_EQ(step.consumed, 11u);
    if (report_first) scanner.report_packet_end();
    scanner.end_after_packet();
    if (!report_first) scanner.report_packet_end();
    step = scanner.next(as_bytes(wire).subspan(11));
    EXPECT_EQ(step.event, Event::packet_end);
    EXPECT_EQ(step.consumed, 0u);
    EXPECT_TRUE(scanner.at_packet_boundary());
    step = scanner.next(as_bytes(wire).subspan(11));
    EXPECT_EQ(step.event, Event::end_of_stream);
    EXPECT_EQ(step.consumed, 0u);
  }
}

TEST(PacketScannerTest, PacketEndAfterTheBodyThenEndOfStream) {
  const std::string wire = frame(1, std::string(50, 'x')) + frame(2, "next");
  PacketScanner scanner;
  scanner.reset(1);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  scanner.report_packet_end();
  scanner.end_after_packet();
  Bytes rest = as_bytes(wire).subspan(step.consumed);
  step = scanner.next(rest);
  EXPECT_EQ(step.event, Event::packet_end);
  EXPECT_EQ(step.consumed, 50 - PacketScanner::prefix_capacity);
  step = scanner.next(rest.subspan(step.consumed));
  EXPECT_EQ(step.event, Event::end_of_stream);
  EXPECT_EQ(step.consumed, 0u);
}

TEST(PacketScannerTest, EmptyPacketEnd) {
  const std::string wire = frame(3, "") + frame(4, "y");
  PacketScanner scanner;
  scanner.reset(3);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 4u);
  scanner.report_packet_end();
  step = scanner.next(as_bytes(wire).subspan(4));
  EXPECT_EQ(step.event, Event::packet_end);
  EXPECT_EQ(step.consumed, 0u);
  step = scanner.next(as_bytes(wire).subspan(4));
  ASSERT_EQ(step.event, Event::packet_head);  // the request was for the empty packet only
  EXPECT_EQ(prefix_of(step.head), "y");
  step = scanner.next(as_bytes(wire).subspan(9));
  EXPECT_EQ(step.event, Event::need_more);
}

TEST(PacketScannerTest, ResetForgetsAPacketEndRequest) {
  PacketScanner scanner;
  scanner.reset(1);
  const std::string first = frame(1, std::string(40, 'a'));
  ASSERT_EQ(scanner.next(as_bytes(first)).event, Event::packet_head);
  scanner.report_packet_end();
  scanner.reset(0);
  const std::string wire = frame(0, "q") + frame(1, "r");
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  step = scanner.next(as_bytes(wire).subspan(step.consumed));
  EXPECT_EQ(step.event, Event::packet_head);
}

TEST(PacketScannerTest, PendingHeadBytes) {
  const std::string wire = frame(1, std::string(40, 'a'));
  PacketScanner scanner;
  scanner.reset(1);
  EXPECT_EQ(scanner.pending_head_bytes(), 0u);
  Bytes rest = as_bytes(wire);
  std::size_t consumed = 0;
  for (std::size_t n : {2, 2, 3, 20}) {
    auto step = scanner.next(rest.subspan(consumed, n));
    ASSERT_EQ(step.event, Event::need_more);
    consumed += n;
    EXPECT_EQ(scanner.pending_head_bytes(), consumed);
  }
  auto step = scanner.next(rest.subspan(consumed, 13));
  ASSERT_EQ(step.event, Event::packet_head);
  EXPECT_EQ(step.consumed, 9u);
  EXPECT_EQ(scanner.pending_head_bytes(), 0u);
  step = scanner.next(rest.subspan(consumed + 9, 4));
  ASSERT_EQ(step.event, Event::need_more);
  EXPECT_EQ(scanner.pending_head_bytes(), 0u);  // inside the body
}

TEST(PacketScannerTest, NoPendingHeadBytesInAContinuationHeader) {
  std::string wire;
  append_frames(wire, std::string(max_frame_payload, 'r') + "tail", 1);
  PacketScanner scanner;
  scanner.reset(1);
  auto step = scanner.next(as_bytes(wire));
  ASSERT_EQ(step.event, Event::packet_head);
  scanner.report_packet_end();
  Bytes rest = as_bytes(wire).subspan(step.consumed);
  const std::size_t to_continuation = max_frame_payload - PacketScanner::prefix_capacity;
  step = scanner.next(rest.first(to_continuation + 2));
  ASSERT_EQ(step.event, Event::need_more);
  EXPECT_EQ(scanner.pending_head_bytes(), 0u);
  step = scanner.next(rest.subspan(to_continuation + 2));
  EXPECT_EQ(step.event, Event::packet_end);
  EXPECT_EQ(step.consumed, 2u + 4u);
}

}  // namespace
}  // namespace rwproxy::protocol
