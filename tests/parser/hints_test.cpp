#include <gtest/gtest.h>

#include "parser/classifier.hpp"
#include "parser/hints.hpp"

namespace rwproxy::parser {
namespace {

Hint hint_of(std::string_view sql) { return classify(sql).hint; }

TEST(Hints, TargetsInLeadingComments) {
  EXPECT_EQ(hint_of("/* rwproxy:master */ SELECT 1").target, HintTarget::master);
  EXPECT_EQ(hint_of("/*rwproxy:replica*/SELECT 1").target, HintTarget::replica);
  EXPECT_EQ(hint_of("-- rwproxy:replica\nSELECT 1").target, HintTarget::replica);
  EXPECT_EQ(hint_of("# RWPROXY:MASTER\nSELECT 1").target, HintTarget::master);
  EXPECT_EQ(hint_of("/* a */ /* app=shop rwproxy:replica */ SELECT 1").target, HintTarget::replica);
  EXPECT_EQ(hint_of("SELECT /* rwproxy:master */ 1").target, HintTarget::master);  // hint position
  EXPECT_EQ(hint_of("SELECT /*+ rwproxy:master */ 1").target, HintTarget::master);
}

TEST(Hints, NotFooledByLookalikes) {
  EXPECT_EQ(hint_of("SELECT '/* rwproxy:master */'").target, HintTarget::none);
  EXPECT_EQ(hint_of("SELECT \"rwproxy:master\"").target, HintTarget::none);
  EXPECT_EQ(hint_of("SELECT `rwproxy:master` FROM t").target, HintTarget::none);
  EXPECT_EQ(hint_of("SELECT a FROM t /* rwproxy:master */").target, HintTarget::none);
  EXPECT_EQ(hint_of("/* not_rwproxy:master */ SELECT 1").target, HintTarget::none);
  EXPECT_EQ(hint_of("/* rwproxy: master */ SELECT 1").target, HintTarget::none);
  EXPECT_EQ(hint_of("/* rwproxy:masterful */ SELECT 1").params.size(), 1u);
  EXPECT_EQ(hint_of("/* rwproxy:masterful */ SELECT 1").target, HintTarget::none);
  EXPECT_EQ(hint_of("SELECT 1; /* rwproxy:master */ SELECT 2").target, HintTarget::none);
}

TEST(Hints, KeyValueParams) {
  const Hint h = hint_of("/* rwproxy:replica,Consistency=gtid:0-1-42,max_lag=2 rwproxy:trace */ SELECT 1");
  EXPECT_EQ(h.target, HintTarget::replica);
  ASSERT_EQ(h.params.size(), 3u);
  EXPECT_EQ(h.params[0], (HintParam{"consistency", "gtid:0-1-42"}));
  EXPECT_EQ(h.params[1], (HintParam{"max_lag", "2"}));
  EXPECT_EQ(h.params[2], (HintParam{"trace", ""}));
  ASSERT_NE(h.find("max_lag"), nullptr);
  EXPECT_EQ(*h.find("max_lag"), "2");
  EXPECT_EQ(h.find("nope"), nullptr);
}

TEST(Hints, MasterWinsOverReplica) {
  EXPECT_EQ(hint_of("/* rwproxy:replica */ /* rwproxy:master */ SELECT 1").target, HintTarget::master);
  EXPECT_EQ(hint_of("/* rwproxy:master,replica */ SELECT 1").target, HintTarget::master);
}

TEST(Hints, ParamsAreBounded) {
  std::string comment = "/* rwproxy:";
  for (int i = 0; i < 100; ++i) comment += "k" + std::to_string(i) + "=v,";
  Hint h;
  parse_hint_comment(comment + " */", h);
  EXPECT_EQ(h.params.size(), kMaxHintParams);
}

}  // namespace
}  // namespace rwproxy::parser
