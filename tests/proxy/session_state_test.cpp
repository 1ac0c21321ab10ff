// SessionState driven the way the session drives it: classify() of the statement text, the
// server status flags of the reply, and a fixed clock.
#include "proxy/session/session_state.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "parser/classifier.hpp"
#include "proxy/protocol/constants.hpp"

namespace rwproxy::session {
namespace {

using namespace std::chrono_literals;
using Clock = SessionState::Clock;
namespace status = protocol::server_status;

const Clock::time_point t0 = Clock::time_point{} + 1h;

constexpr std::uint16_t autocommit = status::autocommit;
constexpr std::uint16_t in_trans = status::autocommit | status::in_trans;
constexpr std::uint16_t in_trans_no_autocommit = status::in_trans;
constexpr std::uint16_t read_only_trans = status::autocommit | status::in_trans | status::in_trans_readonly;

// A statement that ran on the master.
void run(SessionState& state, std::string_view sql, std::uint16_t flags = autocommit, Clock::time_point now = t0,
         bool succeeded = true) {
  state.after_statement(parser::classify(sql), sql, succeeded, flags, false, std::nullopt, now);
}

void run_on_replica(SessionState& state, std::string_view sql, std::size_t replica, std::uint16_t flags,
                    Clock::time_point now = t0) {
  state.after_statement(parser::classify(sql), sql, true, flags, true, replica, now);
}

std::optional<Clock::time_point> last_write(const SessionState& state) {
  return state.routing_view("app", true).last_write;
}

std::vector<std::string> replay_sql(const SessionState& state) {
  std::vector<std::string> out;
  for (const ReplayEntry& e : state.replay()) out.push_back(e.sql);
  return out;
}

// --- transactions and the time of the last write ---

TEST(SessionStateTransactions, FreshSessionHasNoWriteAndIsNotInATransaction) {
  SessionState state("shop");
  const auto view = state.routing_view("app", true);
  EXPECT_EQ(view.user, "app");
  EXPECT_EQ(view.schema, "shop");
  EXPECT_FALSE(view.last_write);
  EXPECT_FALSE(view.in_transaction);
  EXPECT_TRUE(view.autocommit);
  EXPECT_FALSE(view.pinned);
  EXPECT_FALSE(view.transaction_replica);
  EXPECT_FALSE(view.last_replica);
  EXPECT_TRUE(view.hints_allowed);
  EXPECT_FALSE(state.routing_view("app", false).hints_allowed);
}

TEST(SessionStateTransactions, AutocommitWriteSetsLastWrite) {
  SessionState state;
  run(state, "INSERT INTO orders (id) VALUES (1)", autocommit, t0 + 5ms);
  EXPECT_EQ(last_write(state), t0 + 5ms);
  run(state, "UPDATE orders SET id = 2", autocommit, t0 + 9ms);
  EXPECT_EQ(last_write(state), t0 + 9ms);
}

TEST(SessionStateTransactions, AutocommitReadDoesNotSetLastWrite) {
  SessionState state;
  run(state, "SELECT * FROM orders", autocommit, t0);
  EXPECT_FALSE(last_write(state));
  run(state, "INSERT INTO orders (id) VALUES (1)", autocommit, t0 + 1ms);
  run(state, "SELECT * FROM orders", autocommit, t0 + 2ms);
  EXPECT_EQ(last_write(state), t0 + 1ms);
}

TEST(SessionStateTransactions, WriteInsideTransactionSetsLastWriteAtCommit) {
  SessionState state;
  run(state, "BEGIN", in_trans, t0);
  EXPECT_TRUE(state.in_transaction());
  run(state, "UPDATE orders SET paid = 1 WHERE id = 7", in_trans, t0 + 1ms);
  EXPECT_FALSE(last_write(state));
  run(state, "SELECT * FROM orders WHERE id = 7", in_trans, t0 + 2ms);
  EXPECT_FALSE(last_write(state));
  run(state, "COMMIT", autocommit, t0 + 3ms);
  EXPECT_FALSE(state.in_transaction());
  EXPECT_EQ(last_write(state), t0 + 3ms);
  EXPECT_FALSE(state.routing_view("app", true).in_transaction);
}

TEST(SessionStateTransactions, TransactionThatOnlyReadDoesNotSetLastWrite) {
  SessionState state;
  run(state, "START TRANSACTION", in_trans, t0);
  run(state, "SELECT * FROM orders", in_trans, t0 + 1ms);
  run(state, "COMMIT", autocommit, t0 + 2ms);
  EXPECT_FALSE(last_write(state));
}

TEST(SessionStateTransactions, WriteThenReadOnlyTransactionKeepsTheEarlierWriteTime) {
  SessionState state;
  run(state, "BEGIN", in_trans, t0);
  run(state, "DELETE FROM carts WHERE id = 1", in_trans, t0 + 1ms);
  run(state, "COMMIT", autocommit, t0 + 2ms);
  run(state, "BEGIN", in_trans, t0 + 10ms);
  run(state, "SELECT 1", in_trans, t0 + 11ms);
  run(state, "COMMIT", autocommit, t0 + 12ms);
  EXPECT_EQ(last_write(state), t0 + 2ms);
}

TEST(SessionStateTransactions, LockingReadInTransactionCountsAsWrite) {
  SessionState state;
  run(state, "BEGIN", in_trans, t0);
  run(state, "SELECT * FROM stock WHERE id = 1 FOR UPDATE", in_trans, t0 + 1ms);
  run(state, "COMMIT", autocommit, t0 + 2ms);
  EXPECT_EQ(last_write(state), t0 + 2ms);
}

TEST(SessionStateTransactions, AutocommitOffWriteCountsWhenCommitted) {
  SessionState state;
  run(state, "SET autocommit = 0", 0, t0);
  EXPECT_FALSE(state.autocommit());
  EXPECT_FALSE(state.routing_view("app", true).autocommit);
  run(state, "INSERT INTO t VALUES (1)", in_trans_no_autocommit, t0 + 1ms);
  EXPECT_TRUE(state.in_transaction());
  EXPECT_FALSE(last_write(state));
  run(state, "COMMIT", 0, t0 + 2ms);
  EXPECT_EQ(last_write(state), t0 + 2ms);
}

TEST(SessionStateTransactions, ImplicitCommitByDdlSetsLastWrite) {
  SessionState state;
  run(state, "BEGIN", in_trans, t0);
  run(state, "INSERT INTO t VALUES (1)", in_trans, t0 + 1ms);
  run(state, "CREATE TABLE u (id INT)", autocommit, t0 + 2ms);
  EXPECT_FALSE(state.in_transaction());
  EXPECT_EQ(last_write(state), t0 + 2ms);
}

TEST(SessionStateTransactions, NoteWriteOutsideAndInsideTransaction) {
  SessionState state;
  state.note_status(in_trans);
  state.note_write(true, t0 + 1ms);
  EXPECT_FALSE(last_write(state));
  run(state, "COMMIT", autocommit, t0 + 2ms);
  EXPECT_EQ(last_write(state), t0 + 2ms);
  state.note_write(false, t0 + 5ms);
  EXPECT_EQ(last_write(state), t0 + 5ms);
}

TEST(SessionStateTransactions, ReadOnlyTransactionOnReplicaKeepsItsReplicaUntilItEnds) {
  SessionState state;
  run_on_replica(state, "START TRANSACTION READ ONLY", 1, read_only_trans, t0);
  EXPECT_EQ(state.transaction_replica(), 1u);
  run_on_replica(state, "SELECT * FROM orders", 1, read_only_trans, t0 + 1ms);
  auto view = state.routing_view("app", true);
  EXPECT_EQ(view.transaction_replica, 1u);
  EXPECT_EQ(view.last_replica, 1u);
  EXPECT_TRUE(view.in_transaction);
  run_on_replica(state, "COMMIT", 1, autocommit, t0 + 2ms);
  EXPECT_FALSE(state.transaction_replica());
  EXPECT_FALSE(state.in_transaction());
  EXPECT_FALSE(last_write(state));
}

TEST(SessionStateTransactions, AutocommitReadOnReplicaHasNoTransactionReplica) {
  SessionState state;
  run_on_replica(state, "SELECT 1", 0, autocommit, t0);
  EXPECT_FALSE(state.transaction_replica());
  EXPECT_EQ(state.routing_view("app", true).last_replica, 0u);
  run(state, "SELECT 2", autocommit, t0 + 1ms);
  EXPECT_FALSE(state.routing_view("app", true).last_replica);
}

// --- SET statements to replay ---

TEST(SessionStateReplay, SetStatementsAreRecordedInOrderWithIncreasingSequence) {
  SessionState state;
  run(state, "SET NAMES utf8mb4");
  run(state, "SET sql_mode = 'STRICT_ALL_TABLES'");
  run(state, "SET time_zone = '+00:00'");
  run(state, "SET @x = 1");
  ASSERT_EQ(state.replay().size(), 4u);
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET NAMES utf8mb4", "SET sql_mode = 'STRICT_ALL_TABLES'",
                                                         "SET time_zone = '+00:00'", "SET @x = 1"}));
  for (std::size_t i = 1; i < state.replay().size(); ++i)
    EXPECT_LT(state.replay()[i - 1].sequence, state.replay()[i].sequence);
  EXPECT_EQ(state.replay_sequence(), state.replay().back().sequence);
  EXPECT_EQ(state.pinned(), PinReason::none);
}

TEST(SessionStateReplay, SameSetTwiceReplacesTheEarlierEntry) {
  SessionState state;
  run(state, "SET sql_mode = 'ANSI'");
  run(state, "SET NAMES latin1");
  run(state, "SET SESSION sql_mode = 'TRADITIONAL'");
  run(state, "SET NAMES utf8mb4");
  EXPECT_EQ(replay_sql(state),
            (std::vector<std::string>{"SET SESSION sql_mode = 'TRADITIONAL'", "SET NAMES utf8mb4"}));
  EXPECT_EQ(state.replay().front().sequence, 3u);
  EXPECT_EQ(state.replay().back().sequence, 4u);
  EXPECT_EQ(state.replay_sequence(), 4u);
}

TEST(SessionStateReplay, SameUserVariableTwiceReplacesTheEarlierEntry) {
  SessionState state;
  run(state, "SET @x = 1");
  run(state, "SET @X = 2");
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET @X = 2"}));
}

TEST(SessionStateReplay, DifferentUserVariablesAreAllReplayed) {
  SessionState state;
  run(state, "SET @tenant = 42");
  run(state, "SET @locale = 'de'");
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET @tenant = 42", "SET @locale = 'de'"}));
}

TEST(SessionStateReplay, SetOfSeveralVariablesIsReplacedOnlyByTheSameSet) {
  SessionState state;
  run(state, "SET @a = 1, sql_mode = 'ANSI'");
  run(state, "SET sql_mode = 'TRADITIONAL'");
  run(state, "SET @a = 2");
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET @a = 1, sql_mode = 'ANSI'",
                                                         "SET sql_mode = 'TRADITIONAL'", "SET @a = 2"}));
  run(state, "SET sql_mode = 'ANSI', @a := 3");
  EXPECT_EQ(state.replay().size(), 3u);
  EXPECT_EQ(state.replay().back().sql, "SET sql_mode = 'ANSI', @a := 3");
}

TEST(SessionStateReplay, SetThatReadsTheVariableKeepsTheEarlierEntry) {
  SessionState state;
  run(state, "SET sql_mode = 'ANSI'");
  run(state, "SET sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')");
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET sql_mode = 'ANSI'",
                                                         "SET sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')"}));
  run(state, "SET @n = 1");
  run(state, "SET @n = @n + 1");
  EXPECT_EQ(state.replay().size(), 4u);
}

TEST(SessionStateReplay, EntriesReadByALaterSetAreNotDropped) {
  SessionState state;
  run(state, "SET @a = 1");
  run(state, "SET @b = @a");
  run(state, "SET @a = 2");
  EXPECT_EQ(replay_sql(state), (std::vector<std::string>{"SET @a = 1", "SET @b = @a", "SET @a = 2"}));
}

TEST(SessionStateReplay, MultiStatementSetPins) {
  SessionState state;
  run(state, "SET NAMES utf8mb4; SET @x = 1");
  EXPECT_EQ(state.pinned(), PinReason::unparsed_set);
  EXPECT_TRUE(state.replay().empty());
  EXPECT_TRUE(state.routing_view("app", true).pinned);
}

TEST(SessionStateReplay, UnparsedSetPins) {
  SessionState state;
  run(state, "SET ROLE reporting");
  EXPECT_EQ(state.pinned(), PinReason::unparsed_set);
  EXPECT_TRUE(state.replay().empty());
}

TEST(SessionStateReplay, PreparedSetPins) {
  SessionState state;
  // COM_STMT_EXECUTE of a prepared SET: the text has placeholders, the session passes no sql.
  state.after_statement(parser::classify("SET @x = ?"), "", true, autocommit, false, std::nullopt, t0);
  EXPECT_EQ(state.pinned(), PinReason::unparsed_set);
  EXPECT_TRUE(state.replay().empty());
}

std::string set_variable(int i) { return "SET @@session.rwproxy_test_" + std::to_string(i) + " = 1"; }

TEST(SessionStateReplay, MoreDistinctSetsThanTheLimitPinWithReplayOverflow) {
  SessionState state;
  for (std::size_t i = 0; i < SessionState::max_replay_entries; ++i) run(state, set_variable(int(i)));
  EXPECT_EQ(state.replay().size(), SessionState::max_replay_entries);
  EXPECT_EQ(state.pinned(), PinReason::none);
  run(state, set_variable(3));  // replaces: still within the limit
  EXPECT_EQ(state.replay().size(), SessionState::max_replay_entries);
  EXPECT_EQ(state.pinned(), PinReason::none);
  run(state, set_variable(int(SessionState::max_replay_entries)));
  EXPECT_EQ(state.pinned(), PinReason::replay_overflow);
  EXPECT_EQ(state.replay().size(), SessionState::max_replay_entries);
}

TEST(SessionStateReplay, FailedSetRecordsNothing) {
  SessionState state;
  run(state, "SET sql_mode = 'NOPE'", autocommit, t0, false);
  run(state, "SET ROLE nobody", autocommit, t0, false);
  EXPECT_TRUE(state.replay().empty());
  EXPECT_EQ(state.replay_sequence(), 0u);
  EXPECT_EQ(state.pinned(), PinReason::none);
}

// --- schema, pins, temporary tables ---

TEST(SessionStateEffects, UseChangesSchema) {
  SessionState state("shop");
  run(state, "USE billing");
  EXPECT_EQ(state.schema(), "billing");
  EXPECT_EQ(state.routing_view("app", true).schema, "billing");
  run(state, "USE `Old Data`");
  EXPECT_EQ(state.schema(), "Old Data");
  state.set_schema("crm");
  EXPECT_EQ(state.schema(), "crm");
}

TEST(SessionStateEffects, LockTablesPinsAndUnlockTablesUnpins) {
  SessionState state;
  run(state, "LOCK TABLES orders WRITE");
  EXPECT_EQ(state.pinned(), PinReason::lock_tables);
  EXPECT_TRUE(state.routing_view("app", true).pinned);
  run(state, "UNLOCK TABLES");
  EXPECT_EQ(state.pinned(), PinReason::none);
  EXPECT_FALSE(state.routing_view("app", true).pinned);
}

TEST(SessionStateEffects, SqlPrepareStaysPinnedAfterUnlockTables) {
  SessionState state;
  run(state, "PREPARE s FROM 'SELECT 1'");
  EXPECT_EQ(state.pinned(), PinReason::sql_prepare);
  run(state, "UNLOCK TABLES");
  EXPECT_EQ(state.pinned(), PinReason::sql_prepare);
}

TEST(SessionStateEffects, UnlockTablesKeepsAPinTakenWhileLocked) {
  SessionState state;
  run(state, "LOCK TABLES orders READ");
  run(state, "PREPARE s FROM 'SELECT 1'");
  run(state, "UNLOCK TABLES");
  EXPECT_EQ(state.pinned(), PinReason::sql_prepare);

  SessionState other;
  run(other, "LOCK TABLES orders READ");
  run(other, "SET ROLE reporting");
  run(other, "UNLOCK TABLES");
  EXPECT_EQ(other.pinned(), PinReason::unparsed_set);
}

TEST(SessionStateEffects, TemporaryTablesAreTrackedLowerCase) {
  SessionState state;
  run(state, "CREATE TEMPORARY TABLE Tmp_Orders (id INT)");
  run(state, "CREATE TEMPORARY TABLE IF NOT EXISTS tmp_orders (id INT)");
  run(state, "CREATE TEMPORARY TABLE scratch (id INT)");
  EXPECT_EQ(state.temporary_tables(), (std::vector<std::string>{"tmp_orders", "scratch"}));
  const auto view = state.routing_view("app", true);
  ASSERT_NE(view.temporary_tables, nullptr);
  EXPECT_EQ(*view.temporary_tables, state.temporary_tables());
  run(state, "DROP TEMPORARY TABLE TMP_ORDERS");
  EXPECT_EQ(state.temporary_tables(), (std::vector<std::string>{"scratch"}));
}

TEST(SessionStateEffects, DropTemporaryTableOfSeveralTables) {
  SessionState state;
  run(state, "CREATE TEMPORARY TABLE a (id INT)");
  run(state, "CREATE TEMPORARY TABLE b (id INT)");
  run(state, "DROP TEMPORARY TABLE IF EXISTS a, b");
  EXPECT_TRUE(state.temporary_tables().empty());
}

TEST(SessionStateEffects, FailedStatementChangesNoSessionEffects) {
  SessionState state("shop");
  run(state, "USE missing", autocommit, t0, false);
  run(state, "LOCK TABLES orders WRITE", autocommit, t0, false);
  run(state, "PREPARE s FROM 'SELEC'", autocommit, t0, false);
  run(state, "CREATE TEMPORARY TABLE t (id INT)", autocommit, t0, false);
  run(state, "SET NAMES nonsense", autocommit, t0, false);
  EXPECT_EQ(state.schema(), "shop");
  EXPECT_EQ(state.pinned(), PinReason::none);
  EXPECT_TRUE(state.temporary_tables().empty());
  EXPECT_TRUE(state.replay().empty());

  run(state, "CREATE TEMPORARY TABLE t (id INT)");
  run(state, "DROP TEMPORARY TABLE t", autocommit, t0, false);
  EXPECT_EQ(state.temporary_tables(), (std::vector<std::string>{"t"}));
}

TEST(SessionStateEffects, ResetClearsEverythingButTheGivenSchema) {
  SessionState state("shop");
  run(state, "SET NAMES utf8mb4");
  run(state, "LOCK TABLES orders WRITE");
  run(state, "CREATE TEMPORARY TABLE t (id INT)");
  run(state, "INSERT INTO orders VALUES (1)", autocommit, t0);
  run_on_replica(state, "START TRANSACTION READ ONLY", 1, read_only_trans, t0);
  run(state, "SET autocommit = 0", in_trans_no_autocommit, t0);

  state.reset("billing");
  EXPECT_EQ(state.schema(), "billing");
  EXPECT_TRUE(state.replay().empty());
  EXPECT_EQ(state.replay_sequence(), 0u);
  EXPECT_EQ(state.pinned(), PinReason::none);
  EXPECT_TRUE(state.temporary_tables().empty());
  EXPECT_FALSE(state.in_transaction());
  EXPECT_TRUE(state.autocommit());
  EXPECT_FALSE(state.transaction_replica());
  const auto view = state.routing_view("app", true);
  EXPECT_FALSE(view.last_write);
  EXPECT_FALSE(view.last_replica);
  EXPECT_FALSE(view.pinned);

  run(state, "SET NAMES latin1");
  EXPECT_EQ(state.replay().front().sequence, 1u);
}

TEST(SessionStatePinReason, Names) {
  EXPECT_EQ(to_string(PinReason::none), "none");
  EXPECT_EQ(to_string(PinReason::lock_tables), "lock_tables");
  EXPECT_EQ(to_string(PinReason::user_lock), "user_lock");
  EXPECT_EQ(to_string(PinReason::sql_prepare), "sql_prepare");
  EXPECT_EQ(to_string(PinReason::unparsed_set), "unparsed_set");
  EXPECT_EQ(to_string(PinReason::replay_overflow), "replay_overflow");
  EXPECT_EQ(to_string(PinReason::state_change), "state_change");
}

// Multiplexing: what binds a session to its backend connection (SessionState::binding()).
using router::BindReason;

// A statement on the master, then its reply's facts.
void run_with_reply(SessionState& state, std::string_view sql, ReplyFacts facts, std::uint16_t flags = autocommit) {
  run(state, sql, flags);
  state.after_reply(parser::classify(sql), facts);
}

TEST(SessionStateBinding, PlainStatementsAndCarriedSetsDoNotBind) {
  SessionState state("shop");
  run_with_reply(state, "SELECT * FROM t", {});
  EXPECT_EQ(state.binding(), BindReason::none);
  run_with_reply(state, "SET @a = 1", ReplyFacts{0, 0, true});
  run_with_reply(state, "SET NAMES utf8mb4", ReplyFacts{0, 0, true});
  run_with_reply(state, "SET SESSION sql_mode = 'ANSI'", ReplyFacts{0, 0, true});
  run_with_reply(state, "USE crm", ReplyFacts{0, 0, true});
  EXPECT_EQ(state.binding(), BindReason::none) << "SETs and USE are replayed on any connection";
}

TEST(SessionStateBinding, ATransactionBindsUntilItEnds) {
  SessionState state("shop");
  run_with_reply(state, "BEGIN", {}, in_trans);
  EXPECT_EQ(state.binding(), BindReason::transaction);
  run_with_reply(state, "INSERT INTO t VALUES (1)", {}, in_trans);
  EXPECT_EQ(state.binding(), BindReason::transaction);
  run_with_reply(state, "COMMIT", {});
  EXPECT_EQ(state.binding(), BindReason::none);
}

TEST(SessionStateBinding, AutocommitOffBindsEvenBetweenTransactions) {
  SessionState state("shop");
  run_with_reply(state, "SET autocommit = 0", ReplyFacts{0, 0, true}, 0);
  EXPECT_EQ(state.binding(), BindReason::autocommit_off);
  run_with_reply(state, "SET autocommit = 1", ReplyFacts{0, 0, true}, autocommit);
  EXPECT_EQ(state.binding(), BindReason::none);
}

TEST(SessionStateBinding, LockTablesBindsUntilUnlockButGetLockForGood) {
  SessionState state("shop");
  run_with_reply(state, "LOCK TABLES t READ", {});
  EXPECT_EQ(state.binding(), BindReason::lock_tables);
  run_with_reply(state, "UNLOCK TABLES", {});
  EXPECT_EQ(state.binding(), BindReason::none);
  run_with_reply(state, "SELECT GET_LOCK('k', 0)", {});
  EXPECT_EQ(state.binding(), BindReason::user_lock);
  run_with_reply(state, "SELECT RELEASE_LOCK('k')", {});
  run_with_reply(state, "SELECT 1", {});
  EXPECT_EQ(state.binding(), BindReason::user_lock);
  state.reset("shop");
  EXPECT_EQ(state.binding(), BindReason::none);
}

TEST(SessionStateBinding, TemporaryTablesBindWhileTheyExist) {
  SessionState state("shop");
  run_with_reply(state, "CREATE TEMPORARY TABLE tmp (x INT)", ReplyFacts{0, 0, true});
  EXPECT_EQ(state.binding(), BindReason::temporary_table);
  run_with_reply(state, "DROP TEMPORARY TABLE tmp", ReplyFacts{0, 0, true});
  EXPECT_EQ(state.binding(), BindReason::none);
}

TEST(SessionStateBinding, UserVariablesAssignedInASelectBindForGood) {
  for (const char* sql : {"SELECT @a := 5", "SELECT 5 INTO @c"}) {
    SessionState state("shop");
    run_with_reply(state, sql, {});
    EXPECT_EQ(state.binding(), BindReason::user_variable) << sql;
    run_with_reply(state, "SELECT 1", {});
    EXPECT_EQ(state.binding(), BindReason::user_variable) << sql;
  }
}

TEST(SessionStateBinding, FoundRowsInsertIdAndWarningsBindForTheNextStatementOnly) {
  SessionState state("shop");
  run_with_reply(state, "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1", {});
  EXPECT_EQ(state.binding(), BindReason::found_rows);
  run_with_reply(state, "SELECT FOUND_ROWS()", {});
  EXPECT_EQ(state.binding(), BindReason::none);
  run_with_reply(state, "INSERT INTO t (v) VALUES (1)", ReplyFacts{0, 17, false});
  EXPECT_EQ(state.binding(), BindReason::insert_id);
  run_with_reply(state, "SELECT LAST_INSERT_ID()", {});
  EXPECT_EQ(state.binding(), BindReason::none);
  run_with_reply(state, "SELECT 1/0", ReplyFacts{1, 0, false});
  EXPECT_EQ(state.binding(), BindReason::warnings);
  run_with_reply(state, "SHOW WARNINGS", {});
  EXPECT_EQ(state.binding(), BindReason::none);
}

TEST(SessionStateBinding, AStateChangeTheStatementDoesNotExplainPinsAndBinds) {
  SessionState state("shop");
  run_with_reply(state, "CALL set_things()", ReplyFacts{0, 0, true});
  EXPECT_EQ(state.binding(), BindReason::state_change);
  EXPECT_EQ(state.pinned(), PinReason::state_change);
  EXPECT_TRUE(state.routing_view("app", true).pinned) << "its statements must all reach that connection";
  SessionState other("shop");
  run_with_reply(other, "SET @m = 1; SELECT 2", ReplyFacts{0, 0, true});
  EXPECT_NE(other.binding(), BindReason::none) << "a multi-statement SET is not replayed";
  SessionState plain("shop");
  run_with_reply(plain, "CALL no_state_change()", ReplyFacts{0, 0, false});
  EXPECT_EQ(plain.binding(), BindReason::none);
}

TEST(SessionStateBinding, ReasonsHaveNames) {
  for (BindReason reason : router::all_bind_reasons()) EXPECT_NE(router::to_string(reason), "unknown");
  EXPECT_EQ(router::to_string(BindReason::state_change), "state_change");
  EXPECT_EQ(router::to_string(BindReason::insert_id), "insert_id");
}

}  // namespace
}  // namespace rwproxy::session
