#include "router/gtid_position.hpp"

#include <gtest/gtest.h>

namespace rwproxy::router {
namespace {

GtidPosition pos(std::string_view text) {
  auto parsed = GtidPosition::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(GtidPosition{});
}

TEST(GtidPositionTest, ParsesMariaDbTextAndFormatsItBackInDomainOrder) {
  const GtidPosition p = pos("1-2-7,0-1-100");
  ASSERT_EQ(p.gtids().size(), 2u);
  EXPECT_EQ(p.gtids()[0], (Gtid{0, 1, 100}));
  EXPECT_EQ(p.gtids()[1], (Gtid{1, 2, 7}));
  EXPECT_EQ(p.to_string(), "0-1-100,1-2-7");
  EXPECT_EQ(pos(" 0-1-5 , 3-4-18446744073709551615 ").to_string(), "0-1-5,3-4-18446744073709551615");
}

TEST(GtidPositionTest, EmptyTextIsTheEmptyPosition) {
  EXPECT_TRUE(pos("").empty());
  EXPECT_TRUE(pos("  ").empty());
  EXPECT_EQ(pos("").to_string(), "");
}

TEST(GtidPositionTest, MalformedTextIsRejected) {
  for (std::string_view bad : {"0-1", "0-1-", "-1-2", "a-1-2", "0-1-2-3", "0-1-2,", ",0-1-2", "0-1-2,,1-1-1",
                               "0-1-2,0-1-3", "0-1--2", "0 -1-2", "0-1-18446744073709551616", "4294967296-1-1",
                               "0-1-+2", "0-1-2;1-1-1"}) {
    EXPECT_FALSE(GtidPosition::parse(bad).has_value()) << bad;
  }
}

TEST(GtidPositionTest, CoversComparesEveryDomainOfTheOther) {
  EXPECT_TRUE(pos("0-1-100").covers(pos("0-1-100")));
  EXPECT_TRUE(pos("0-1-101").covers(pos("0-1-100")));
  EXPECT_FALSE(pos("0-1-99").covers(pos("0-1-100")));
  EXPECT_TRUE(pos("0-1-100,1-2-7").covers(pos("1-2-7")));
  EXPECT_FALSE(pos("0-1-100").covers(pos("0-1-100,1-2-7"))) << "a domain the replica never saw";
  EXPECT_FALSE(pos("0-1-100,1-2-6").covers(pos("0-1-50,1-2-7")));
  EXPECT_TRUE(pos("").covers(pos("")));
  EXPECT_TRUE(pos("0-1-1").covers(pos("")));
  EXPECT_FALSE(pos("").covers(pos("0-1-1")));
  // The server id does not matter: after a failover the same domain continues from another server.
  EXPECT_TRUE(pos("0-2-101").covers(pos("0-1-100")));
}

TEST(GtidPositionTest, MergeKeepsTheLaterSequencePerDomain) {
  GtidPosition p = pos("0-1-100,2-1-5");
  p.merge(pos("0-1-90,1-3-4,2-2-6"));
  EXPECT_EQ(p.to_string(), "0-1-100,1-3-4,2-2-6");
  p.merge(Gtid{0, 2, 101});
  EXPECT_EQ(p.to_string(), "0-2-101,1-3-4,2-2-6");
  p.merge(GtidPosition{});
  EXPECT_EQ(p.to_string(), "0-2-101,1-3-4,2-2-6");
  EXPECT_TRUE(p.covers(pos("0-1-100,1-3-4")));
}

}  // namespace
}  // namespace rwproxy::router
