// decide() for what the statement itself says, in an idle autocommit session with healthy replicas.
#include <gtest/gtest.h>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

TEST(RouterStatementTest, PlainReadGoesToAReplica) {
  Scenario s;
  const Route route = s.route();
  EXPECT_EQ(route.target, Target::replica);
  EXPECT_EQ(route.reason, Reason::read);
  EXPECT_LT(route.replica, 2u);
  EXPECT_FALSE(route.rule.has_value());
}

TEST(RouterStatementTest, ReadUsesTheRotationAndOutstandingCounts) {
  Scenario s;
  s.rotation = 1;
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read));
  s.rotation = 0;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  s.outstanding = {5, 0};
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read));
}

TEST(RouterStatementTest, WritesGoToTheMaster) {
  for (StatementKind kind : {StatementKind::insert, StatementKind::update, StatementKind::delete_,
                             StatementKind::replace, StatementKind::ddl, StatementKind::call, StatementKind::load_data,
                             StatementKind::grant, StatementKind::flush, StatementKind::admin, StatementKind::kill}) {
    Scenario s;
    s.statement = write_statement();
    s.statement.kind = kind;
    EXPECT_TRUE(goes_to_master(s.route(), Reason::write)) << to_string(kind);
  }
}

TEST(RouterStatementTest, NotReplicaSafeIsAWriteEvenWhenItDoesNotWrite) {
  Scenario s;
  s.statement = read_statement();
  s.statement.kind = StatementKind::show;  // e.g. SHOW SLAVE STATUS: the master's answer counts
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterStatementTest, WritesFlagWinsOverReadOnlySafe) {
  Scenario s;
  s.statement = read_statement();
  s.statement.writes = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterStatementTest, LockingReadGoesToTheMaster) {
  Scenario s;
  s.statement.locking_read = true;
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::locking_read));
}

TEST(RouterStatementTest, MasterOnlyFunctionGoesToTheMaster) {
  Scenario s;
  s.statement.master_only_function = true;
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::master_only_function));
}

TEST(RouterStatementTest, CalcFoundRowsCountsAsMasterOnlyFunction) {
  Scenario s;
  s.statement.calc_found_rows = true;
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::master_only_function));
}

TEST(RouterStatementTest, SelectIntoGoesToTheMaster) {
  Scenario s;
  s.statement.session.select_into = true;
  s.statement.reads_user_variable = true;
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::select_into));
}

TEST(RouterStatementTest, UserVariableReadGoesToTheMaster) {
  Scenario s;
  s.statement.reads_user_variable = true;  // classifier keeps it read_only_safe
  EXPECT_TRUE(goes_to_master(s.route(), Reason::user_variable));
}

TEST(RouterStatementTest, UserVariableAssignmentGoesToTheMaster) {
  Scenario s;
  s.statement.session.assigns_user_variable = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::user_variable));
}

// classify("SELECT @v := 1") clears read_only_safe; the reason must still say why.
TEST(RouterStatementTest, UserVariableAssignmentAsClassifiedIsUserVariable) {
  Scenario s;
  s.statement.session.assigns_user_variable = true;
  s.statement.read_only_safe = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::user_variable));
}

TEST(RouterStatementTest, WriteThatUsesAUserVariableIsAWrite) {
  Scenario s;
  s.statement = write_statement();
  s.statement.reads_user_variable = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterStatementTest, SessionVariableReadMayGoToAReplica) {
  Scenario s;
  s.statement.reads_session_variable = true;  // SET statements are replayed on replicas
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterStatementTest, SessionStatementsGoToTheMaster) {
  for (StatementKind kind : {StatementKind::set, StatementKind::use, StatementKind::prepare, StatementKind::execute,
                             StatementKind::deallocate, StatementKind::lock_tables, StatementKind::unlock_tables}) {
    Scenario s;
    s.statement = statement_of_kind(kind);
    EXPECT_TRUE(goes_to_master(s.route(), Reason::session_state)) << to_string(kind);
  }
}

TEST(RouterStatementTest, TransactionControlGoesToTheMaster) {
  const std::pair<StatementKind, TransactionEffect> cases[] = {
      {StatementKind::begin, TransactionEffect::begin},
      {StatementKind::commit, TransactionEffect::commit},
      {StatementKind::commit, TransactionEffect::begin},  // COMMIT AND CHAIN
      {StatementKind::rollback, TransactionEffect::rollback},
      {StatementKind::rollback, TransactionEffect::rollback_to_savepoint},
      {StatementKind::savepoint, TransactionEffect::savepoint},
      {StatementKind::savepoint, TransactionEffect::release_savepoint},
      {StatementKind::xa, TransactionEffect::begin},
  };
  for (const auto& [kind, effect] : cases) {
    Scenario s;
    s.statement = statement_of_kind(kind, effect);
    EXPECT_TRUE(goes_to_master(s.route(), Reason::transaction_control))
        << to_string(kind) << " / " << parser::to_string(effect);
  }
}

TEST(RouterStatementTest, UnknownStatementGoesToTheMaster) {
  Scenario s;
  s.statement = StatementInfo{};  // what classify() says about text it cannot follow
  EXPECT_TRUE(goes_to_master(s.route(), Reason::unknown_statement));
}

TEST(RouterStatementTest, UnknownKindGoesToTheMasterEvenIfFlaggedSafe) {
  Scenario s;
  s.statement.kind = StatementKind::unknown;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::unknown_statement));
}

TEST(RouterStatementTest, ErrorTokenGoesToTheMaster) {
  Scenario s;
  s.statement.has_error_token = true;  // even with every other flag saying "read"
  EXPECT_TRUE(goes_to_master(s.route(), Reason::unknown_statement));
}

TEST(RouterStatementTest, ErrorTokenOverridesAReplicaHint) {
  Scenario s;
  s.statement.has_error_token = true;
  s.statement.hint.target = parser::HintTarget::replica;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::unknown_statement));
}

TEST(RouterStatementTest, ReadOfATemporaryTableGoesToTheMaster) {
  Scenario s;
  s.temporary_tables = {"tmp_totals"};
  s.statement = read_statement({{"", "orders"}, {"", "TMP_Totals"}});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::temp_table));
}

TEST(RouterStatementTest, SchemaQualifiedTemporaryTableGoesToTheMaster) {
  Scenario s;
  s.temporary_tables = {"tmp_totals"};
  s.statement = read_statement({{"shop", "tmp_totals"}});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::temp_table));
}

TEST(RouterStatementTest, OtherTablesAreNotTemporary) {
  Scenario s;
  s.temporary_tables = {"tmp_totals"};
  s.statement = read_statement({{"", "tmp_totals_2"}, {"", "orders"}});
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterStatementTest, NullOrEmptyTemporaryTableListIsFine) {
  Scenario s;
  s.session.temporary_tables = nullptr;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  const std::vector<std::string> none;
  s.session.temporary_tables = &none;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterStatementTest, TemporaryTableOverridesAReplicaHintAndRule) {
  Scenario s;
  s.temporary_tables = {"tmp"};
  s.statement = read_statement({{"", "tmp"}});
  s.statement.hint.target = parser::HintTarget::replica;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::temp_table));
  s.statement.hint.target = parser::HintTarget::none;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  EXPECT_TRUE(goes_to_master(s.route(), Reason::temp_table));
}

}  // namespace
}  // namespace rwproxy::router
