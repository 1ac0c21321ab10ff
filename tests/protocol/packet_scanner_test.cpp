// PacketScanner on its own: packet heads, prefixes, continuation frames, sequence checks.
#include "proxy/protocol/packet_scanner.hpp"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace rwproxy::protocol
