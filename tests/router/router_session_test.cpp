// decide() for what the session says: transactions, the read-after-write window, pins, diagnostics.
#include <gtest/gtest.h>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

// ---- transactions ----

TEST(RouterTransactionTest, OpenTransactionKeepsReadsOnTheMaster) {
  Scenario s;
  s.session.in_transaction = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

TEST(RouterTransactionTest, AutocommitOffMeansInTransaction) {
  Scenario s;
  s.session.autocommit = false;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

TEST(RouterTransactionTest, InTransactionOverridesHintsAndRules) {
  Scenario s;
  s.session.in_transaction = true;
  s.statement.hint.target = parser::HintTarget::replica;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

TEST(RouterTransactionTest, WriteInTransactionGoesToTheMaster) {
  Scenario s;
  s.session.in_transaction = true;
  s.statement = write_statement();
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

TEST(RouterTransactionTest, ReadOnlyTransactionKeepsItsReplicaForEveryStatement) {
  const StatementInfo statements[] = {
      read_statement(),
      statement_of_kind(StatementKind::commit, TransactionEffect::commit),
      statement_of_kind(StatementKind::commit, TransactionEffect::begin),  // COMMIT AND CHAIN keeps READ ONLY
      statement_of_kind(StatementKind::rollback, TransactionEffect::rollback),
      statement_of_kind(StatementKind::savepoint, TransactionEffect::savepoint),
      begin_read_only(),
  };
  for (const StatementInfo& statement : statements) {
    Scenario s;
    s.session.in_transaction = true;
    s.session.transaction_replica = 1;
    s.outstanding = {0, 40};  // the selector would pick replica 0
    s.statement = statement;
    EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read_only_transaction)) << to_string(statement.kind);
  }
}

TEST(RouterTransactionTest, ReadOnlyTransactionIgnoresHintsWindowAndPins) {
  Scenario s;
  s.session.in_transaction = true;
  s.session.transaction_replica = 0;
  s.session.last_write = t0;
  s.session.pinned = true;
  s.statement.hint.target = parser::HintTarget::master;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read_only_transaction));
}

// The replica refuses DML inside START TRANSACTION READ ONLY with the same error the master would
// give, so the statement stays there.
TEST(RouterTransactionTest, DmlInsideReadOnlyTransactionStaysOnItsReplica) {
  Scenario s;
  s.session.in_transaction = true;
  s.session.transaction_replica = 1;
  s.statement = write_statement();
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read_only_transaction));
}

// DDL, LOCK TABLES, FLUSH, ... commit the READ ONLY transaction implicitly and then run on their
// own: on the replica they would change data the master never sees.
TEST(RouterTransactionTest, ImplicitCommitInsideReadOnlyTransactionNeverReachesTheReplica) {
  for (StatementKind kind : {StatementKind::ddl, StatementKind::lock_tables, StatementKind::flush,
                             StatementKind::grant}) {
    Scenario s;
    s.session.in_transaction = true;
    s.session.transaction_replica = 1;
    s.statement = write_statement();
    s.statement.kind = kind;
    s.statement.transaction = TransactionEffect::implicit_commit;
    const Route route = s.route();
    EXPECT_EQ(route.target, Target::master) << to_string(kind) << ": " << ::testing::PrintToString(route);
  }
}

// BEGIN inside a READ ONLY transaction commits it and opens a read-write one.
TEST(RouterTransactionTest, BeginInsideReadOnlyTransactionGoesToTheMaster) {
  Scenario s;
  s.session.in_transaction = true;
  s.session.transaction_replica = 1;
  s.statement = statement_of_kind(StatementKind::begin, TransactionEffect::begin);
  EXPECT_EQ(s.route().target, Target::master);
}

// "COMMIT; INSERT ..." would commit the READ ONLY transaction and then insert on the replica.
TEST(RouterTransactionTest, MultiStatementWriteInsideReadOnlyTransactionGoesToTheMaster) {
  Scenario s;
  s.session.in_transaction = true;
  s.session.transaction_replica = 1;
  s.statement = statement_of_kind(StatementKind::commit, TransactionEffect::commit);
  s.statement.writes = true;
  s.statement.statement_count = 2;
  EXPECT_EQ(s.route().target, Target::master);
}

TEST(RouterTransactionTest, UnknownStatementInsideReadOnlyTransactionGoesToTheMaster) {
  Scenario s;
  s.session.in_transaction = true;
  s.session.transaction_replica = 1;
  s.statement = StatementInfo{};
  s.statement.statement_count = 1;
  EXPECT_EQ(s.route().target, Target::master);
}

TEST(RouterTransactionTest, BeginReadOnlyGoesToAReplica) {
  Scenario s;
  s.statement = begin_read_only();
  s.outstanding = {3, 1};
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read_only_transaction));
}

TEST(RouterTransactionTest, BeginReadOnlyInsideTheWindowGoesToTheMaster) {
  Scenario s;
  s.statement = begin_read_only();
  s.session.last_write = t0 - 10ms;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

TEST(RouterTransactionTest, BeginReadOnlyAtTheWindowEndGoesToAReplica) {
  Scenario s;
  s.statement = begin_read_only();
  s.session.last_write = t0 - s.policy.read_after_write_window;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read_only_transaction));
}

TEST(RouterTransactionTest, BeginReadOnlyWithZeroWindowGoesToAReplicaRightAfterAWrite) {
  Scenario s;
  s.policy.read_after_write_window = 0ms;
  s.statement = begin_read_only();
  s.session.last_write = t0;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read_only_transaction));
}

TEST(RouterTransactionTest, BeginReadOnlyInsideATransactionStaysOnTheMaster) {
  Scenario s;
  s.statement = begin_read_only();
  s.session.in_transaction = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

TEST(RouterTransactionTest, BeginReadOnlyInAPinnedSessionStaysOnTheMaster) {
  Scenario s;
  s.statement = begin_read_only();
  s.session.pinned = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::session_pinned));
}

TEST(RouterTransactionTest, BeginReadOnlyWithoutReplicasRunsOnTheMasterEvenInErrorMode) {
  Scenario s;
  s.statement = begin_read_only();
  s.replicas = snapshot({down(replica("r0"))});
  s.policy.error_when_no_replica = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::no_eligible_replica));
}

TEST(RouterTransactionTest, BeginReadOnlyWithOnlyLaggingReplicasRunsOnTheMaster) {
  Scenario s;
  s.statement = begin_read_only();
  s.replicas = snapshot({lagging(replica("r0"), 5000)});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::replica_lag));
}

TEST(RouterTransactionTest, BeginReadOnlyFollowedByMoreStatementsIsTransactionControl) {
  Scenario s;
  s.statement = begin_read_only();
  s.statement.statement_count = 2;  // "START TRANSACTION READ ONLY; SELECT 1"
  EXPECT_TRUE(goes_to_master(s.route(), Reason::transaction_control));
}

// ---- read-after-write window ----

TEST(RouterWindowTest, ReadInsideTheWindowGoesToTheMaster) {
  Scenario s;
  s.session.last_write = t0;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
  s.session.last_write = t0 - 999ms;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

TEST(RouterWindowTest, ReadAtTheWindowEndGoesToAReplica) {
  Scenario s;
  s.session.last_write = t0 - 1000ms;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, ReadAfterTheWindowGoesToAReplica) {
  Scenario s;
  s.session.last_write = t0 - 1001ms;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  s.session.last_write = t0 - std::chrono::hours(3);
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, WindowEndIsExactToTheClockTick) {
  Scenario s;
  s.policy.read_after_write_window = 250ms;
  s.session.last_write = t0 - 250ms + Clock::duration(1);
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
  s.session.last_write = t0 - 250ms;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, TheSameSessionMovesAsTimePasses) {
  Scenario s;
  s.session.last_write = t0;
  s.policy.read_after_write_window = 2s;
  s.now = t0 + 1s;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
  s.now = t0 + 2s;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, ZeroWindowDisablesIt) {
  Scenario s;
  s.policy.read_after_write_window = 0ms;
  s.session.last_write = t0;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, NoWriteYetMeansNoWindow) {
  Scenario s;
  s.session.last_write = std::nullopt;
  s.policy.read_after_write_window = std::chrono::hours(1);
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterWindowTest, WriteInsideTheWindowIsStillAWrite) {
  Scenario s;
  s.session.last_write = t0;
  s.statement = write_statement();
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterWindowTest, MasterRuleInsideTheWindowReportsTheRule) {
  Scenario s;
  s.session.last_write = t0;
  s.policy.rules = {rule("all_to_master", RuleRoute::master)};
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
}

TEST(RouterWindowTest, AnyRuleInsideTheWindowFallsThroughToTheWindow) {
  Scenario s;
  s.session.last_write = t0;
  Rule any = rule("lag_only", RuleRoute::any);
  any.max_replica_lag_ms = 10'000;
  s.policy.rules = {any};
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

// ---- pins ----

TEST(RouterPinTest, PinnedSessionSendsReadsToTheMaster) {
  Scenario s;
  s.session.pinned = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::session_pinned));
}

TEST(RouterPinTest, PinnedSessionIgnoresReplicaHintsAndRules) {
  Scenario s;
  s.session.pinned = true;
  s.statement.hint.target = parser::HintTarget::replica;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  EXPECT_TRUE(goes_to_master(s.route(), Reason::session_pinned));
}

// ---- diagnostics ----

TEST(RouterDiagnosticsTest, DiagnosticsFollowThePreviousStatementToItsReplica) {
  Scenario s;
  s.statement = statement_of_kind(StatementKind::show);  // SHOW WARNINGS
  s.statement.reads_diagnostics = true;
  s.session.last_replica = 1;
  s.outstanding = {0, 9};
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::diagnostics));
}

TEST(RouterDiagnosticsTest, DiagnosticsFunctionFollowsThePreviousStatement) {
  Scenario s;
  s.statement = read_statement({});  // SELECT ROW_COUNT(): a master-only function too
  s.statement.reads_diagnostics = true;
  s.statement.master_only_function = true;
  s.statement.read_only_safe = false;
  s.session.last_replica = 0;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::diagnostics));
  s.session.last_replica = std::nullopt;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::diagnostics));
}

TEST(RouterDiagnosticsTest, DiagnosticsAfterAMasterStatementGoToTheMaster) {
  Scenario s;
  s.statement = statement_of_kind(StatementKind::show);
  s.statement.reads_diagnostics = true;
  s.session.last_replica = std::nullopt;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::diagnostics));
}

TEST(RouterDiagnosticsTest, DiagnosticsInsideATransactionStayOnTheMaster) {
  Scenario s;
  s.statement = statement_of_kind(StatementKind::show);
  s.statement.reads_diagnostics = true;
  s.session.in_transaction = true;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::in_transaction));
}

// INSERT INTO audit VALUES (ROW_COUNT()) after a read on a replica: the write must not follow it.
TEST(RouterDiagnosticsTest, WriteThatReadsDiagnosticsNeverFollowsToAReplica) {
  Scenario s;
  s.statement = write_statement({{"", "audit"}});
  s.statement.reads_diagnostics = true;
  s.statement.master_only_function = true;
  s.session.last_replica = 1;
  const Route route = s.route();
  EXPECT_EQ(route.target, Target::master) << ::testing::PrintToString(route);
}

}  // namespace
}  // namespace rwproxy::router
