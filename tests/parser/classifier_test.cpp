// Focused checks of the StatementInfo API; the bulk of the cases live in statements.tsv.
#include <gtest/gtest.h>

#include "exact_buffer.hpp"
#include "parser/classifier.hpp"

namespace rwproxy::parser {
namespace {

StatementInfo of(std::string_view sql) {
  const testing::ExactBuffer buffer(sql);
  return classify(buffer.view());
}

TEST(Classifier, PointSelectGoesToReplica) {
  const auto info = of("SELECT c FROM sbtest1 WHERE id=1");
  EXPECT_EQ(info.kind, StatementKind::select);
  EXPECT_FALSE(info.writes);
  EXPECT_TRUE(info.read_only_safe);
  ASSERT_EQ(info.tables.size(), 1u);
  EXPECT_EQ(info.tables[0], (TableRef{"", "sbtest1"}));
  EXPECT_EQ(info.statement_count, 1u);
}

TEST(Classifier, EmptyTextIsUnknown) {
  for (std::string_view sql : {"", "   ", "/* only a comment */", ";;"}) {
    const auto info = of(sql);
    EXPECT_EQ(info.kind, StatementKind::unknown) << sql;
    EXPECT_EQ(info.statement_count, 0u) << sql;
    EXPECT_FALSE(info.read_only_safe) << sql;
  }
}

TEST(Classifier, AutocommitValue) {
  EXPECT_EQ(of("SET autocommit=0").session.autocommit_value, false);
  EXPECT_EQ(of("SET @@session.autocommit = ON").session.autocommit_value, true);
  EXPECT_EQ(of("set AUTOCOMMIT='off'").session.autocommit_value, false);
  const auto computed = of("SET autocommit = @x");
  EXPECT_TRUE(computed.session.set_autocommit);
  EXPECT_FALSE(computed.session.autocommit_value.has_value());
  EXPECT_FALSE(of("SET GLOBAL autocommit=0").session.set_autocommit);
}

TEST(Classifier, SessionVariableNamesAreLowerCase) {
  const auto info = of("SET SESSION SQL_MODE='x', @@session.Time_Zone='+00:00', @@LOCAL.wait_timeout=5, @u=1");
  EXPECT_EQ(info.session.set_session_variable,
            (std::vector<std::string>{"sql_mode", "time_zone", "wait_timeout"}));
  EXPECT_TRUE(info.session.set_user_variable);
  EXPECT_FALSE(info.writes);
}

TEST(Classifier, UseSchemaName) {
  EXPECT_EQ(of("USE `my db`").session.schema, "my db");
  EXPECT_EQ(of("use shop").session.schema, "shop");
}

TEST(Classifier, QualifiedAndQuotedTables) {
  const auto info = of("SELECT * FROM `db`.`t``1` JOIN other.u ON 1 LEFT JOIN `v w` USING (id)");
  EXPECT_EQ(info.tables, (std::vector<TableRef>{{"db", "t`1"}, {"other", "u"}, {"", "v w"}}));
}

TEST(Classifier, MultiStatementIsMostRestrictive) {
  const auto info = of("SELECT 1; UPDATE t SET a = 1; SELECT 2");
  EXPECT_EQ(info.kind, StatementKind::select);  // the first statement's
  EXPECT_TRUE(info.writes);
  EXPECT_FALSE(info.read_only_safe);
  EXPECT_EQ(info.statement_count, 3u);
  EXPECT_EQ(of("BEGIN; UPDATE t SET a=1; COMMIT").transaction, TransactionEffect::commit);
  EXPECT_EQ(of("COMMIT; BEGIN").transaction, TransactionEffect::begin);
}

TEST(Classifier, ErrorTokenMakesTheStatementUnknown) {
  const auto info = of("SELECT * FROM t WHERE a = 'unterminated");
  EXPECT_EQ(info.kind, StatementKind::unknown);
  EXPECT_TRUE(info.has_error_token);
  EXPECT_TRUE(info.writes);
  EXPECT_FALSE(info.read_only_safe);
}

TEST(Classifier, KindAndEffectNames) {
  EXPECT_EQ(to_string(StatementKind::delete_), "delete");
  EXPECT_EQ(to_string(StatementKind::do_), "do");
  EXPECT_EQ(to_string(StatementKind::load_data), "load_data");
  EXPECT_EQ(to_string(StatementKind::admin), "admin");
  EXPECT_EQ(to_string(TransactionEffect::rollback_to_savepoint), "rollback_to_savepoint");
  EXPECT_EQ(to_string(static_cast<StatementKind>(200)), "unknown");
}

TEST(Classifier, TablesAreBounded) {
  std::string sql = "SELECT * FROM t0";
  for (int i = 1; i < 200; ++i) sql += ", t" + std::to_string(i);
  EXPECT_EQ(of(sql).tables.size(), 64u);
}

TEST(Classifier, DeepNestingIsHandled) {
  std::string sql = "SELECT ";
  for (int i = 0; i < 1000; ++i) sql += "(";
  sql += "SELECT a FROM deep FOR UPDATE";
  for (int i = 0; i < 1000; ++i) sql += ")";
  const auto info = of(sql);
  EXPECT_TRUE(info.locking_read);
  EXPECT_EQ(of(std::string(5000, ')') + " SELECT 1").kind, StatementKind::unknown);
}

}  // namespace
}  // namespace rwproxy::parser
