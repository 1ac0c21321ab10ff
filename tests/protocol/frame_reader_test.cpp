// FrameReader and append_frames: framing, continuation frames at the 16 MiB boundary, limits.
#include "proxy/protocol/frame_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::frame;
using test::hex;
using test::unhex;

constexpr std::size_t kFull = max_frame_payload;  // 0xffffff
constexpr std::size_t kLimit = 64u << 20;

// Feeds `chunks` one after the other, collecting every packet the reader returns.
struct Collected {
  std::vector<Packet> packets;
  std::error_code ec;
};

Collected read_all(FrameReader& reader, const std::vector<std::string_view>& chunks) {
  Collected out;
  for (std::string_view chunk : chunks) {
    reader.feed(as_bytes(chunk));
    while (auto packet = reader.next(out.ec)) out.packets.push_back(std::move(*packet));
    if (out.ec) break;
  }
  return out;
}

Collected read_all(std::string_view stream, std::size_t split) {
  FrameReader reader(kLimit);
  return read_all(reader, {stream.substr(0, split), stream.substr(split)});
}

// A payload whose bytes depend on their position, so a misplaced byte shows.
std::string patterned(std::size_t n, std::uint8_t salt = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + salt) & 0xff);
  return s;
}

// COM_QUERY "SELECT 1", an OK packet, an empty packet: the neighbours used below.
const std::string kQuery = unhex("09 00 00 00 03 53 45 4c 45 43 54 20 31");
const std::string kOk = unhex("07 00 00 01 00 00 00 02 00 00 00");
const std::string kEmpty = unhex("00 00 00 02");

void expect_three_neighbours(const Collected& got) {
  ASSERT_FALSE(got.ec) << got.ec.message();
  ASSERT_EQ(got.packets.size(), 3u);
  EXPECT_EQ(got.packets[0].payload, "\x03SELECT 1");
  EXPECT_EQ(got.packets[0].sequence_id, 0);
  EXPECT_EQ(got.packets[0].last_sequence_id, 0);
  EXPECT_EQ(hex(got.packets[1].payload), "00 00 00 02 00 00 00");
  EXPECT_EQ(got.packets[1].sequence_id, 1);
  EXPECT_EQ(got.packets[2].payload, "");
  EXPECT_EQ(got.packets[2].sequence_id, 2);
}

TEST(FrameReaderTest, OnePacket) {
  FrameReader reader(kLimit);
  auto got = read_all(reader, {kQuery});
  ASSERT_FALSE(got.ec);
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_EQ(got.packets[0].payload, "\x03SELECT 1");
  EXPECT_EQ(got.packets[0].sequence_id, 0);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, EmptyPayloadPacket) {
  FrameReader reader(kLimit);
  auto got = read_all(reader, {unhex("00 00 00 05")});
  ASSERT_FALSE(got.ec);
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_TRUE(got.packets[0].payload.empty());
  EXPECT_EQ(got.packets[0].sequence_id, 5);
  EXPECT_EQ(got.packets[0].last_sequence_id, 5);
}

TEST(FrameReaderTest, NothingUntilTheWholePacketArrived) {
  FrameReader reader(kLimit);
  std::error_code ec;
  for (std::size_t i = 0; i + 1 < kQuery.size(); ++i) {
    reader.feed(as_bytes(std::string_view(kQuery).substr(i, 1)));
    EXPECT_FALSE(reader.next(ec).has_value()) << "after " << i + 1 << " bytes";
    EXPECT_FALSE(ec);
  }
  reader.feed(as_bytes(std::string_view(kQuery).substr(kQuery.size() - 1)));
  auto packet = reader.next(ec);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->payload, "\x03SELECT 1");
}

TEST(FrameReaderTest, NeighboursCoalescedInOneFeed) {
  FrameReader reader(kLimit);
  expect_three_neighbours(read_all(reader, {kQuery + kOk + kEmpty}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, NeighboursSplitAtEveryOffset) {
  const std::string stream = kQuery + kOk + kEmpty;
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SCOPED_TRACE(split);
    expect_three_neighbours(read_all(stream, split));
  }
}

TEST(FrameReaderTest, NeighboursByteAtATime) {
  const std::string stream = kQuery + kOk + kEmpty;
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  FrameReader reader(kLimit);
  expect_three_neighbours(read_all(reader, bytes));
}

TEST(FrameReaderTest, NeighboursSplitIntoThreeAtEveryPairOfOffsets) {
  const std::string stream = kQuery + kOk + kEmpty;
  const std::string_view s(stream);
  for (std::size_t a = 0; a <= s.size(); ++a) {
    for (std::size_t b = a; b <= s.size(); ++b) {
      SCOPED_TRACE(testing::Message() << a << "," << b);
      FrameReader reader(kLimit);
      expect_three_neighbours(read_all(reader, {s.substr(0, a), s.substr(a, b - a), s.substr(b)}));
    }
  }
}

TEST(FrameReaderTest, PayloadOfExactlyOneFullFrameNeedsTheTrailingEmptyFrame) {
  const std::string payload = patterned(kFull);
  std::string stream = frame(3, payload);
  FrameReader reader(kLimit);
  reader.feed(as_bytes(stream));
  std::error_code ec;
  EXPECT_FALSE(reader.next(ec).has_value()) << "a 0xffffff frame is continued";
  EXPECT_FALSE(ec);

  reader.feed(as_bytes(unhex("00 00 00 04")));
  auto packet = reader.next(ec);
  ASSERT_TRUE(packet.has_value()) << ec.message();
  EXPECT_EQ(packet->payload.size(), kFull);
  EXPECT_TRUE(packet->payload == payload);
  EXPECT_EQ(packet->sequence_id, 3);
  EXPECT_EQ(packet->last_sequence_id, 4);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, ContinuationFramesAreJoined) {
  for (std::size_t extra : {std::size_t{1}, kFull, kFull + 7}) {
    SCOPED_TRACE(extra);
    const std::string payload = patterned(kFull + extra, static_cast<std::uint8_t>(extra));
    std::string stream;
    const std::uint8_t next = append_frames(stream, payload, 0xfe);  // wraps 0xff → 0x00
    stream += kOk;  // a neighbour right behind the big packet

    FrameReader reader(kLimit);
    auto got = read_all(reader, {stream});
    ASSERT_FALSE(got.ec) << got.ec.message();
    ASSERT_EQ(got.packets.size(), 2u);
    EXPECT_TRUE(got.packets[0].payload == payload);
    EXPECT_EQ(got.packets[0].sequence_id, 0xfe);
    EXPECT_EQ(got.packets[0].last_sequence_id, static_cast<std::uint8_t>(next - 1));
    EXPECT_EQ(got.packets[1].sequence_id, 1);
  }
}

TEST(FrameReaderTest, BigPacketSplitAroundItsFrameHeaders) {
  const std::string payload = patterned(kFull + 10);
  std::string stream;
  append_frames(stream, payload, 0);
  stream += kOk;
  // Every offset of a 16 MiB stream would take minutes; the frame headers are where it matters:
  // inside the first header, around the continuation header, inside the neighbour.
  const std::size_t continuation = 4 + kFull;
  const std::size_t neighbour = continuation + 4 + 10;
  const std::vector<std::size_t> splits = {
      1, 3, 4, 5,
      continuation - 1, continuation, continuation + 2, continuation + 4, continuation + 5,
      neighbour - 1, neighbour, neighbour + 3, stream.size() - 1,
  };
  for (std::size_t split : splits) {
    SCOPED_TRACE(split);
    auto got = read_all(stream, split);
    ASSERT_FALSE(got.ec);
    ASSERT_EQ(got.packets.size(), 2u);
    EXPECT_TRUE(got.packets[0].payload == payload);
    EXPECT_EQ(got.packets[0].last_sequence_id, 1);
    EXPECT_EQ(hex(got.packets[1].payload), "00 00 00 02 00 00 00");
  }
}

TEST(FrameReaderTest, TooLargeAsSoonAsTheHeaderArrives) {
  FrameReader reader(100);
  reader.feed(as_bytes(unhex("65 00 00 00")));  // 101 bytes announced, none sent
  std::error_code ec;
  EXPECT_FALSE(reader.next(ec).has_value());
  EXPECT_EQ(ec, ProtocolError::packet_too_large);
}

TEST(FrameReaderTest, ExactlyTheLimitIsAccepted) {
  FrameReader reader(100);
  reader.feed(as_bytes(frame(0, std::string(100, 'x'))));
  std::error_code ec;
  auto packet = reader.next(ec);
  ASSERT_TRUE(packet.has_value()) << ec.message();
  EXPECT_EQ(packet->payload.size(), 100u);
}

TEST(FrameReaderTest, TooLargeCountsContinuationFrames) {
  FrameReader reader(kFull + 10);
  std::string stream = frame(0, patterned(kFull));
  reader.feed(as_bytes(stream));
  std::error_code ec;
  EXPECT_FALSE(reader.next(ec).has_value());
  EXPECT_FALSE(ec);
  reader.feed(as_bytes(unhex("0b 00 00 01")));  // 11 more bytes: one over the limit
  EXPECT_FALSE(reader.next(ec).has_value());
  EXPECT_EQ(ec, ProtocolError::packet_too_large);
}

TEST(FrameReaderTest, ContinuationWithTheWrongSequenceId) {
  FrameReader reader(kLimit);
  reader.feed(as_bytes(frame(3, patterned(kFull))));
  reader.feed(as_bytes(unhex("01 00 00 05 aa")));  // expected 4
  std::error_code ec;
  EXPECT_FALSE(reader.next(ec).has_value());
  EXPECT_EQ(ec, ProtocolError::bad_sequence);
}

TEST(FrameReaderTest, ContinuationSequenceWrapsAfter255) {
  FrameReader reader(kLimit);
  reader.feed(as_bytes(frame(0xff, patterned(kFull))));
  reader.feed(as_bytes(unhex("01 00 00 00 aa")));
  std::error_code ec;
  auto packet = reader.next(ec);
  ASSERT_TRUE(packet.has_value()) << ec.message();
  EXPECT_EQ(packet->sequence_id, 0xff);
  EXPECT_EQ(packet->last_sequence_id, 0x00);
  EXPECT_EQ(packet->payload.size(), kFull + 1);
}

TEST(FrameReaderTest, PrepareAndCommitReceiveInPlace) {
  FrameReader reader(kLimit);
  const std::string stream = kQuery + kOk;
  std::error_code ec;
  std::size_t sent = 0;
  std::vector<Packet> packets;
  while (sent < stream.size()) {
    auto space = reader.prepare(5);
    ASSERT_EQ(space.size(), 5u);
    const std::size_t n = std::min<std::size_t>(3, stream.size() - sent);  // short reads
    std::memcpy(space.data(), stream.data() + sent, n);
    reader.commit(n);
    sent += n;
    while (auto p = reader.next(ec)) packets.push_back(std::move(*p));
    ASSERT_FALSE(ec);
  }
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].payload, "\x03SELECT 1");
  EXPECT_EQ(packets[1].sequence_id, 1);
}

TEST(FrameReaderTest, LastFramesAreThePacketsBytesAsTheyCame) {
  FrameReader reader(kLimit);
  const std::string first = frame(0, "\x03SELECT 1");
  const std::string second = frame(0, "\x0e");
  reader.feed(as_bytes(first + second + "\x05"));  // and the start of a third
  std::error_code ec;
  EXPECT_TRUE(reader.last_frames().empty());
  ASSERT_TRUE(reader.next(ec).has_value());
  EXPECT_EQ(reader.last_frames(), first);
  ASSERT_TRUE(reader.next(ec).has_value());
  EXPECT_EQ(reader.last_frames(), second);
  EXPECT_FALSE(reader.next(ec).has_value());  // incomplete: the last packet's frames stay
  EXPECT_EQ(reader.last_frames(), second);
  reader.prepare(16);  // more bytes may move the buffer: the view is given up
  EXPECT_TRUE(reader.last_frames().empty());
}

TEST(FrameReaderTest, LastFramesOfAContinuedPacketIncludeEveryFrame) {
  FrameReader reader(kLimit);
  const std::string payload = patterned(kFull + 10);
  const std::string stream = frame(0, std::string_view(payload).substr(0, kFull)) +
                             frame(1, std::string_view(payload).substr(kFull));
  reader.feed(as_bytes(stream));
  std::error_code ec;
  auto packet = reader.next(ec);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->payload.size(), payload.size());
  EXPECT_EQ(reader.last_frames().size(), stream.size());
  EXPECT_TRUE(reader.last_frames() == stream);
}

TEST(FrameReaderTest, TakeBufferedReturnsTheRawRest) {
  FrameReader reader(kLimit);
  reader.feed(as_bytes(kQuery + "\x01\x02\x03"));
  std::error_code ec;
  ASSERT_TRUE(reader.next(ec).has_value());
  EXPECT_EQ(reader.buffered(), 3u);
  EXPECT_EQ(reader.take_buffered(), "\x01\x02\x03");
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_FALSE(reader.next(ec).has_value());
  EXPECT_FALSE(ec);
}

TEST(AppendFramesTest, SmallPayloadIsOneFrame) {
  std::string out;
  EXPECT_EQ(append_frames(out, std::string_view("\x03SELECT 1"), 0), 1);
  EXPECT_EQ(hex(out), hex(kQuery));
}

TEST(AppendFramesTest, EmptyPayloadIsAnEmptyFrame) {
  std::string out = "x";
  EXPECT_EQ(append_frames(out, std::string_view(), 7), 8);
  EXPECT_EQ(hex(out), hex(unhex("78 00 00 00 07")));  // appends, keeps what was there
}

TEST(AppendFramesTest, FullFramePayloadGetsAnEmptyTrailingFrame) {
  const std::string payload = patterned(kFull);
  std::string out;
  EXPECT_EQ(append_frames(out, payload, 0), 2);
  ASSERT_EQ(out.size(), 4 + kFull + 4);
  EXPECT_EQ(hex(out.substr(0, 4)), "ff ff ff 00");
  EXPECT_TRUE(std::string_view(out).substr(4, kFull) == payload);
  EXPECT_EQ(hex(out.substr(4 + kFull)), "00 00 00 01");
}

TEST(AppendFramesTest, OneByteOverAFullFrame) {
  const std::string payload = patterned(kFull + 1);
  std::string out;
  EXPECT_EQ(append_frames(out, payload, 9), 11);
  ASSERT_EQ(out.size(), 4 + kFull + 4 + 1);
  EXPECT_EQ(hex(out.substr(0, 4)), "ff ff ff 09");
  EXPECT_EQ(hex(out.substr(4 + kFull, 4)), "01 00 00 0a");
  EXPECT_EQ(out.back(), payload.back());
}

TEST(AppendFramesTest, TwoFullFramesGetAThirdEmptyFrame) {
  const std::string payload = patterned(2 * kFull);
  std::string out;
  EXPECT_EQ(append_frames(out, payload, 0xff), 2);  // 0xff, 0x00, 0x01
  ASSERT_EQ(out.size(), 3 * 4 + 2 * kFull);
  EXPECT_EQ(hex(out.substr(0, 4)), "ff ff ff ff");
  EXPECT_EQ(hex(out.substr(4 + kFull, 4)), "ff ff ff 00");
  EXPECT_EQ(hex(out.substr(8 + 2 * kFull)), "00 00 00 01");
}

TEST(AppendFramesTest, RoundTripsThroughFrameReader) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{250}, kFull - 1, kFull, kFull + 1,
                           2 * kFull}) {
    SCOPED_TRACE(size);
    const std::string payload = patterned(size, static_cast<std::uint8_t>(size));
    std::string stream;
    const std::uint8_t next = append_frames(stream, payload, 1);
    FrameReader reader(kLimit);
    auto got = read_all(reader, {stream});
    ASSERT_FALSE(got.ec);
    ASSERT_EQ(got.packets.size(), 1u);
    EXPECT_TRUE(got.packets[0].payload == payload);
    EXPECT_EQ(got.packets[0].sequence_id, 1);
    EXPECT_EQ(got.packets[0].last_sequence_id, static_cast<std::uint8_t>(next - 1));
    EXPECT_EQ(next, 1 + size / kFull + 1);
  }
}

}  // namespace
}  // namespace rwproxy::protocol
