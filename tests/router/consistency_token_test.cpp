#include "router/consistency_token.hpp"

#include <gtest/gtest.h>

namespace rwproxy::router {
namespace {

TEST(ConsistencyTokenTest, RoundTripsAPositionInACookieSafeForm) {
  const auto position = GtidPosition::parse("0-1-100,1-2-7");
  ASSERT_TRUE(position);
  const std::string token = encode_consistency_token(*position);
  EXPECT_EQ(token, "rwp1.0-1-100.1-2-7");
  EXPECT_EQ(token.find_first_of(",; \t\"\\"), std::string::npos);
  EXPECT_EQ(decode_consistency_token(token), position);
}

TEST(ConsistencyTokenTest, EmptyPositionHasAToken) {
  EXPECT_EQ(encode_consistency_token(GtidPosition{}), "rwp1.");
  auto decoded = decode_consistency_token("rwp1.");
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->empty());
}

TEST(ConsistencyTokenTest, MalformedTokensAreRejected) {
  for (std::string_view bad : {"", "rwp1", "rwp2.0-1-1", "RWP1.0-1-1", "0-1-100", "rwp1.0-1", "rwp1.0-1-1,1-1-1",
                               "rwp1.0-1-1..1-1-1", "rwp1.0-1-1.", "rwp1. 0-1-1", "rwp1.0-1-1.0-1-2", "rwp1.x"}) {
    EXPECT_FALSE(decode_consistency_token(bad).has_value()) << bad;
  }
  EXPECT_FALSE(decode_consistency_token("rwp1." + std::string(5000, '1')).has_value());
}

}  // namespace
}  // namespace rwproxy::router
