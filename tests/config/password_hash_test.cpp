#include "proxy/config/password_hash.hpp"

#include <gtest/gtest.h>

namespace rwproxy::config {
namespace {

// SELECT PASSWORD('app-secret')
constexpr std::string_view app_secret_hash = "*6C7A370C07660BC788681B3238D93E08BD74303C";

TEST(PasswordHashTest, ParsesUppercaseHex) {
  const auto hash = parse_native_password_hash(app_secret_hash);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ((*hash)[0], 0x6C);
  EXPECT_EQ((*hash)[1], 0x7A);
  EXPECT_EQ((*hash)[19], 0x3C);
}

TEST(PasswordHashTest, ParsesLowercaseAndMixedCaseAlike) {
  const auto upper = parse_native_password_hash(app_secret_hash);
  const auto lower = parse_native_password_hash("*6c7a370c07660bc788681b3238d93e08bd74303c");
  const auto mixed = parse_native_password_hash("*6c7A370c07660BC788681b3238d93E08bd74303C");
  ASSERT_TRUE(upper && lower && mixed);
  EXPECT_EQ(*upper, *lower);
  EXPECT_EQ(*upper, *mixed);
}

TEST(PasswordHashTest, AllByteValues) {
  const auto hash = parse_native_password_hash("*00FF0180FE7F0000000000000000000000000009");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ((*hash)[0], 0x00);
  EXPECT_EQ((*hash)[1], 0xFF);
  EXPECT_EQ((*hash)[2], 0x01);
  EXPECT_EQ((*hash)[3], 0x80);
  EXPECT_EQ((*hash)[4], 0xFE);
  EXPECT_EQ((*hash)[5], 0x7F);
  EXPECT_EQ((*hash)[19], 0x09);
}

TEST(PasswordHashTest, RejectsMalformed) {
  const std::string_view bad[] = {
      "",
      "*",
      "6C7A370C07660BC788681B3238D93E08BD74303C",    // no star
      "*6C7A370C07660BC788681B3238D93E08BD74303",    // 39 digits
      "*6C7A370C07660BC788681B3238D93E08BD74303C0",  // 41 digits
      "*6C7A370C07660BC788681B3238D93E08BD74303G",   // not hex
      "*6C7A370C07660BC788681B3238D93E08BD7430 C",   // space
      "#6C7A370C07660BC788681B3238D93E08BD74303C",   // wrong marker
      "**C7A370C07660BC788681B3238D93E08BD74303C",
      "app-secret",
  };
  for (std::string_view text : bad) {
    EXPECT_FALSE(parse_native_password_hash(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace rwproxy::config
