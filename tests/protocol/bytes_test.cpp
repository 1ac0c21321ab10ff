// Reader / Writer: little-endian integers, length-encoded integers and strings.
// Every Reader runs over an exactly-sized heap copy so an overread is an ASan error.
#include "proxy/protocol/bytes.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::heap_copy;
using test::hex;
using test::span_of;
using test::unhex;

TEST(ReaderTest, FixedWidthIntegersAreLittleEndian) {
  auto buf = heap_copy(unhex("01 0201 030201 04030201 0807060504030201"));
  Reader r(span_of(buf));
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0102);
  EXPECT_EQ(r.u24(), 0x010203u);
  EXPECT_EQ(r.u32(), 0x01020304u);
  EXPECT_EQ(r.u64(), 0x0102030405060708ull);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.peek().has_value());
}

TEST(ReaderTest, EachFixedWidthReadFailsOneByteShort) {
  struct Case {
    int width;
    std::uint64_t (*read)(Reader&);
  };
  const Case cases[] = {
      {1, [](Reader& r) -> std::uint64_t { return r.u8(); }},
      {2, [](Reader& r) -> std::uint64_t { return r.u16(); }},
      {3, [](Reader& r) -> std::uint64_t { return r.u24(); }},
      {4, [](Reader& r) -> std::uint64_t { return r.u32(); }},
      {8, [](Reader& r) -> std::uint64_t { return r.u64(); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.width);
    auto exact = heap_copy(std::string(c.width, '\xab'));
    Reader whole(span_of(exact));
    EXPECT_NE(c.read(whole), 0u);
    EXPECT_TRUE(whole.ok());
    EXPECT_TRUE(whole.at_end());

    auto short_buf = heap_copy(std::string(c.width - 1, '\xab'));
    Reader r(span_of(short_buf));
    EXPECT_EQ(c.read(r), 0u);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.position(), 0u);  // a failed read consumes nothing
  }
}

TEST(ReaderTest, AfterAFailureEveryAccessorReturnsEmpty) {
  auto buf = heap_copy(unhex("01 02 03 00 41"));
  Reader r(span_of(buf));
  EXPECT_EQ(r.u64(), 0u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.null_terminated(), "");
  EXPECT_EQ(r.lenenc_int(), 0u);
  EXPECT_EQ(r.lenenc_string(), "");
  EXPECT_TRUE(r.bytes(1).empty());
  EXPECT_EQ(r.rest(), "");
  EXPECT_FALSE(r.ok());
}

struct LenencCase {
  const char* wire;
  std::uint64_t value;
};

class LenencTest : public ::testing::TestWithParam<LenencCase> {};

TEST_P(LenencTest, ReadsAndWritesTheSameBytes) {
  const std::string wire = unhex(GetParam().wire);
  auto buf = heap_copy(wire);
  Reader r(span_of(buf));
  EXPECT_EQ(r.lenenc_int(), GetParam().value);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(lenenc_size(static_cast<std::uint8_t>(wire[0])), wire.size());

  std::string out;
  Writer(out).lenenc_int(GetParam().value);
  EXPECT_EQ(hex(out), hex(wire));
}

TEST_P(LenencTest, FailsWhenAnyByteIsMissing) {
  const std::string wire = unhex(GetParam().wire);
  for (std::size_t len = 0; len < wire.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(wire).substr(0, len));
    Reader r(span_of(buf));
    EXPECT_EQ(r.lenenc_int(), 0u);
    EXPECT_FALSE(r.ok());
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllSizes, LenencTest,
    ::testing::Values(LenencCase{"00", 0}, LenencCase{"fa", 250}, LenencCase{"fc fb 00", 251},
                      LenencCase{"fc ff ff", 0xffff}, LenencCase{"fd 00 00 01", 0x10000},
                      LenencCase{"fd ff ff ff", 0xffffff},
                      LenencCase{"fe 00 00 00 01 00 00 00 00", 0x1000000},
                      LenencCase{"fe ff ff ff ff ff ff ff ff", std::numeric_limits<std::uint64_t>::max()}));

TEST(ReaderTest, LenencNullAndErrMarkersAreNotIntegers) {
  for (const char* wire : {"fb", "ff", "fb 00 00", "ff 00 00 00 00 00 00 00 00"}) {
    SCOPED_TRACE(wire);
    auto buf = heap_copy(unhex(wire));
    Reader r(span_of(buf));
    EXPECT_EQ(r.lenenc_int(), 0u);
    EXPECT_FALSE(r.ok());
  }
  EXPECT_EQ(lenenc_size(0xfb), 0u);
  EXPECT_EQ(lenenc_size(0xff), 0u);
}

TEST(ReaderTest, LenencStringLongerThanTheBufferFails) {
  auto exact = heap_copy(unhex("03 61 62 63"));
  Reader ok(span_of(exact));
  EXPECT_EQ(ok.lenenc_string(), "abc");
  EXPECT_TRUE(ok.at_end());

  auto short_buf = heap_copy(unhex("03 61 62"));
  Reader r(span_of(short_buf));
  EXPECT_EQ(r.lenenc_string(), "");
  EXPECT_FALSE(r.ok());

  // A length near 2^64 must not wrap around the bounds check.
  auto huge = heap_copy(unhex("fe ff ff ff ff ff ff ff ff 61"));
  Reader h(span_of(huge));
  EXPECT_EQ(h.lenenc_string(), "");
  EXPECT_FALSE(h.ok());
}

TEST(ReaderTest, NullTerminatedConsumesTheNul) {
  auto buf = heap_copy(std::string("root\0\0x", 7));
  Reader r(span_of(buf));
  EXPECT_EQ(r.null_terminated(), "root");
  EXPECT_EQ(r.position(), 5u);
  EXPECT_EQ(r.null_terminated(), "");  // an empty string is just the NUL
  EXPECT_EQ(r.position(), 6u);
  EXPECT_EQ(r.rest(), "x");
  EXPECT_TRUE(r.ok());
}

TEST(ReaderTest, NullTerminatedWithoutNulFails) {
  auto buf = heap_copy("root");
  Reader r(span_of(buf));
  EXPECT_EQ(r.null_terminated(), "");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.position(), 0u);
}

TEST(ReaderTest, NullTerminatedOnEmptyInputFails) {
  // An empty std::vector has data() == nullptr: the reader must not hand that to memchr.
  std::vector<std::uint8_t> empty;
  Reader r(span_of(empty));
  EXPECT_EQ(r.null_terminated(), "");
  EXPECT_FALSE(r.ok());

  Reader none{Bytes{}};
  EXPECT_EQ(none.null_terminated(), "");
  EXPECT_FALSE(none.ok());
}

TEST(ReaderTest, NullTerminatedAtTheEndOfAPartlyReadBufferFails) {
  auto buf = heap_copy("ab");
  Reader r(span_of(buf));
  r.skip(2);
  EXPECT_EQ(r.null_terminated(), "");
  EXPECT_FALSE(r.ok());
}

TEST(ReaderTest, BytesAndSkipStopAtTheEnd) {
  auto buf = heap_copy("abcd");
  Reader r(span_of(buf));
  EXPECT_EQ(as_chars(r.bytes(3)), "abc");
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_EQ(r.peek(), std::optional<std::uint8_t>('d'));
  r.skip(2);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.position(), 3u);
}

TEST(ReaderTest, EmptyInputIsAtEndAndOk) {
  std::vector<std::uint8_t> empty;
  Reader r(span_of(empty));
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.rest(), "");
  EXPECT_TRUE(r.bytes(0).empty());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_FALSE(r.ok());
}

TEST(WriterTest, WritesLittleEndianAndStrings) {
  std::string out;
  Writer w(out);
  w.u8(0x0a);
  w.u16(0x0102);
  w.u24(0x010203);
  w.u32(0x01020304);
  w.u64(0x0102030405060708ull);
  w.null_terminated("db");
  w.lenenc_string("abc");
  w.lenenc_string("");
  w.zeros(2);
  w.bytes(std::string_view("xy"));
  EXPECT_EQ(hex(out), hex(unhex("0a 0201 030201 04030201 0807060504030201 646200 03616263 00 0000 7879")));
}

TEST(WriterTest, LenencStringOf251BytesUsesTheTwoByteForm) {
  std::string out;
  Writer(out).lenenc_string(std::string(251, 'x'));
  ASSERT_EQ(out.size(), 3u + 251u);
  EXPECT_EQ(hex(out.substr(0, 3)), "fc fb 00");
  auto buf = heap_copy(out);
  Reader r(span_of(buf));
  EXPECT_EQ(r.lenenc_string(), std::string(251, 'x'));
  EXPECT_TRUE(r.at_end());
}

}  // namespace
}  // namespace rwproxy::protocol
