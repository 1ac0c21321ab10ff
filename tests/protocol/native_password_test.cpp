// mysql_native_password: the stored hash, the client token, and the proxy's check of it.
#include "proxy/protocol/native_password.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::hex;
using test::unhex;

std::string digest_hex(const Sha1Digest& d) {
  return hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Sha1Digest digest_of(std::string_view hex_digits) {
  const std::string bytes = unhex(hex_digits);
  Sha1Digest d{};
  for (std::size_t i = 0; i < d.size() && i < bytes.size(); ++i) d[i] = static_cast<std::uint8_t>(bytes[i]);
  return d;
}

// 20 bytes 0x01..0x14: a scramble with no NUL in it.
const std::string kScramble = unhex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14");

TEST(NativePasswordTest, Sha1KnownVectors) {
  EXPECT_EQ(digest_hex(sha1("")), hex(unhex("da39a3ee5e6b4b0d3255bfef95601890afd80709")));
  EXPECT_EQ(digest_hex(sha1("password")), hex(unhex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")));
  EXPECT_EQ(digest_hex(sha1("pass", "word")), digest_hex(sha1("password")));  // two parts, one digest
}

TEST(NativePasswordTest, MysqlUserHashOfPassword) {
  // SELECT PASSWORD('password') → *2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19
  EXPECT_EQ(digest_hex(native_password_hash("password")),
            hex(unhex("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19")));
}

TEST(NativePasswordTest, TokenKnownVector) {
  const std::string token = native_password_token(sha1("password"), kScramble);
  EXPECT_EQ(hex(token), hex(unhex("c17d6009a5cb47e59f7483fcf05553bbbf7dd0d6")));
}

TEST(NativePasswordTest, TokenUsesOnlyTheFirst20ScrambleBytes) {
  // Servers send the scramble followed by a NUL; the token ignores anything past 20 bytes.
  EXPECT_EQ(native_password_token(sha1("password"), kScramble + std::string(1, '\0')),
            native_password_token(sha1("password"), kScramble));
}

TEST(NativePasswordTest, VerifyReturnsStage1) {
  const Sha1Digest stored = digest_of("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  auto stage1 = verify_native_password(unhex("c17d6009a5cb47e59f7483fcf05553bbbf7dd0d6"), kScramble, stored);
  ASSERT_TRUE(stage1.has_value());
  EXPECT_EQ(digest_hex(*stage1), hex(unhex("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")));
}

TEST(NativePasswordTest, RoundTripWithManyScrambles) {
  const Sha1Digest stored = native_password_hash("s3cr3t!");
  for (int i = 0; i < 64; ++i) {
    std::string scramble(20, '\0');
    for (int j = 0; j < 20; ++j) scramble[j] = static_cast<char>(1 + (i * 7 + j * 13) % 127);
    const std::string token = native_password_token(sha1("s3cr3t!"), scramble);
    ASSERT_EQ(token.size(), 20u);
    auto stage1 = verify_native_password(token, scramble, stored);
    ASSERT_TRUE(stage1.has_value()) << i;
    EXPECT_EQ(*stage1, sha1("s3cr3t!"));
  }
}

TEST(NativePasswordTest, WrongPasswordIsRejected) {
  const Sha1Digest stored = native_password_hash("password");
  EXPECT_FALSE(verify_native_password(native_password_token(sha1("Password"), kScramble), kScramble, stored));
  EXPECT_FALSE(verify_native_password(native_password_token(sha1(""), kScramble), kScramble, stored));
}

TEST(NativePasswordTest, TokenForAnotherScrambleIsRejected) {
  const Sha1Digest stored = native_password_hash("password");
  std::string other = kScramble;
  other[19] = 0x15;
  EXPECT_FALSE(verify_native_password(native_password_token(sha1("password"), other), kScramble, stored));
}

TEST(NativePasswordTest, TokenOfTheWrongLengthIsRejected) {
  const Sha1Digest stored = native_password_hash("password");
  const std::string token = native_password_token(sha1("password"), kScramble);
  EXPECT_FALSE(verify_native_password("", kScramble, stored));
  EXPECT_FALSE(verify_native_password(token.substr(0, 19), kScramble, stored));
  EXPECT_FALSE(verify_native_password(token + "x", kScramble, stored));
  EXPECT_FALSE(verify_native_password(std::string(32, 'x'), kScramble, stored));  // a caching_sha2 token
}

}  // namespace
}  // namespace rwproxy::protocol
