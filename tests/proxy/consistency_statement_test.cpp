#include "proxy/session/consistency_statement.hpp"

#include <gtest/gtest.h>

namespace rwproxy::session {
namespace {

using Kind = ConsistencyStatement::Kind;

TEST(ConsistencyStatementTest, RecognisesTheTokenFunction) {
  for (std::string_view sql : {"SELECT rwproxy_consistency_token()", "select RWPROXY_CONSISTENCY_TOKEN ( ) ;",
                               "/* app */ SELECT /* x */ rwproxy_consistency_token()\n"}) {
    auto statement = consistency_statement(sql);
    ASSERT_TRUE(statement) << sql;
    EXPECT_EQ(statement->kind, Kind::get_token);
  }
}

TEST(ConsistencyStatementTest, RecognisesSettingTheToken) {
  auto statement = consistency_statement("SET @rwproxy_consistency_token = 'rwp1.0-1-100'");
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->kind, Kind::set_token);
  EXPECT_EQ(statement->value, std::optional<std::string_view>("rwp1.0-1-100"));
  statement = consistency_statement("set @RWPROXY_CONSISTENCY_TOKEN := \"rwp1.\";");
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->value, std::optional<std::string_view>("rwp1."));
  statement = consistency_statement("SET @rwproxy_consistency_token = NULL");
  ASSERT_TRUE(statement);
  EXPECT_FALSE(statement->value);
  statement = consistency_statement("SET @rwproxy_consistency_token = 'it''s'");
  ASSERT_TRUE(statement) << "still ours: the value is then rejected as malformed";
  EXPECT_NE(statement->value, std::optional<std::string_view>("rwp1."));
}

TEST(ConsistencyStatementTest, LeavesEverythingElseToTheServer) {
  for (std::string_view sql : {"SELECT rwproxy_consistency_token(), 1", "SELECT rwproxy_consistency_token(1)",
                               "SELECT rwproxy_consistency_token", "SELECT 'rwproxy_consistency_token()'",
                               "SELECT `rwproxy_consistency_token`()", "SET @rwproxy_consistency_token = 1",
                               "SET @other = 'rwp1.0-1-1'", "SET @rwproxy_consistency_token = 'a', @b = 2",
                               "SET @rwproxy_consistency_token = 'a'; SELECT 1", "/*!SELECT rwproxy_consistency_token()*/",
                               "SET SESSION rwproxy_consistency_token = 'a'", "", "SELECT"}) {
    EXPECT_FALSE(consistency_statement(sql)) << sql;
  }
}

}  // namespace
}  // namespace rwproxy::session
