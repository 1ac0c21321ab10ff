// --explain replays each session: transactions, autocommit, the read-after-write window and
// causal reads on the log's own clock, pins, temporary tables, user variables, prepared
// statements, interleaved threads, and the summary. Lines are
// target<TAB>reason<TAB>rule<TAB>thread<TAB>facts<TAB>digest.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "proxy/explain/explain_file.hpp"
#include "tests/explain/explain_test_support.hpp"

namespace rwproxy::explain {
namespace {

using namespace test;

struct Replay {
  std::vector<std::string> lines;  // statement lines, without the summary
  std::string summary_text;
  ExplainFileSummary summary;
};

Replay replay(const std::string& input, const router::RoutingPolicy& p = policy(),
              const config::Config& config = topology()) {
  std::istringstream in(input);
  std::ostringstream out;
  Replay r;
  r.summary = explain_file(in, out, p, config);
  std::istringstream written(out.str());
  for (std::string line; std::getline(written, line);) {
    if (line.starts_with("#")) {
      r.summary_text += line + "\n";
    } else {
      r.lines.push_back(line);
    }
  }
  return r;
}

// target, reason and facts of a line.
std::string decision(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
  if (fields.size() != 6) return "malformed: " + line;
  return fields[0] + " " + fields[1] + " [" + fields[4] + "]";
}

std::vector<std::string> decisions(const Replay& r) {
  std::vector<std::string> out;
  for (const auto& line : r.lines) out.push_back(decision(line));
  return out;
}

router::RoutingPolicy window_policy(std::chrono::milliseconds window) {
  router::RoutingPolicy p = policy();
  p.consistency = router::Consistency::window;
  p.read_after_write_window = window;
  return p;
}

// The issue's example, one MariaDB thread: the time is printed only when it changes.
const char* const kIssueLog =
    "Time\t\t    Id Command\tArgument\n"
    "231123 23:13:55\t    7 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
    "\t\t    7 Query\tBEGIN\n"
    "\t\t    7 Query\tSELECT * FROM orders WHERE id = 9\n"
    "\t\t    7 Query\tSELECT 1\n"
    "\t\t    7 Query\tCOMMIT\n"
    "\t\t    7 Query\tSELECT 2\n"
    "\t\t    7 Query\tINSERT INTO orders (id) VALUES (10)\n"
    "\t\t    7 Query\tSELECT 3\n"
    "231123 23:13:57\t    7 Query\tSELECT 4\n"
    "\t\t    7 Quit\t\n";

TEST(SessionReplay, TheIssuesExampleInWindowMode) {
  const Replay r = replay(kIssueLog, window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master transaction_control [-]",
                              "master in_transaction [in_transaction]",
                              "master in_transaction [in_transaction]",  // SELECT 1
                              "master in_transaction [in_transaction]",  // COMMIT
                              "replica read [-]",                        // SELECT 2: the transaction only read
                              "master write [-]",
                              "master read_after_write_window [recent_write=0ms]",  // SELECT 3
                              "replica read [-]",  // SELECT 4, two seconds later: out of the window
                          }));
  EXPECT_EQ(r.lines[4], "replica\tread\t-\t7\t-\tSELECT ?");
}

TEST(SessionReplay, TheIssuesExampleInCausalModeWaitsForTheWrite) {
  router::RoutingPolicy p = policy();
  p.consistency = router::Consistency::causal;
  const Replay r = replay(kIssueLog, p);
  ASSERT_EQ(r.lines.size(), 8u);
  EXPECT_EQ(decision(r.lines[2]), "master in_transaction [in_transaction]");
  EXPECT_EQ(decision(r.lines[4]), "replica read [-]");
  // After the write: a replica that first waits for the write's GTID, however long after.
  EXPECT_EQ(decision(r.lines[6]), "replica causal_wait [wrote=0-1-1 waits_for=0-1-1]");
  EXPECT_EQ(decision(r.lines[7]), "replica causal_wait [wrote=0-1-1 waits_for=0-1-1]");
}

TEST(SessionReplay, NoneModeIgnoresTheWrite) {
  router::RoutingPolicy p = policy();
  p.consistency = router::Consistency::none;
  const Replay r = replay(kIssueLog, p);
  EXPECT_EQ(decision(r.lines[6]), "replica read [-]");
}

TEST(SessionReplay, InterleavedThreadsKeepTheirOwnSessions) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   1 Query\tBEGIN\n"
      "2023-11-23T23:13:55.001000Z\t   2 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.002000Z\t   1 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.003000Z\t   2 Query\tUPDATE orders SET total = 0 WHERE id = 1\n"
      "2023-11-23T23:13:55.004000Z\t   1 Query\tCOMMIT\n"
      "2023-11-23T23:13:55.005000Z\t   2 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.006000Z\t   1 Query\tSELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master transaction_control [-]",
                              "replica read [-]",
                              "master in_transaction [in_transaction]",
                              "master write [-]",
                              "master in_transaction [in_transaction]",
                              "master read_after_write_window [recent_write=2ms]",
                              "replica read [-]",  // thread 1 never wrote
                          }));
  EXPECT_EQ(r.lines[1].substr(0, r.lines[1].find("\t-\tSELECT")), "replica\tread\t-\t2");
  EXPECT_EQ(r.summary.sessions, 2u);
}

TEST(SessionReplay, MySqlMicrosecondsDecideTheWindow) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   3 Query\tINSERT INTO orders (id) VALUES (1)\n"
      "2023-11-23T23:13:55.050000Z\t   3 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.099999Z\t   3 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.100000Z\t   3 Query\tSELECT * FROM orders\n",
      window_policy(100ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master write [-]",
                              "master read_after_write_window [recent_write=50ms]",
                              "master read_after_write_window [recent_write=99ms]",
                              "replica read [-]",
                          }));
}

TEST(SessionReplay, MariaDbSecondsCarryOverToLinesWithoutATime) {
  const Replay r = replay(
      "231123 23:13:55\t    4 Query\tDELETE FROM orders WHERE id = 1\n"
      "\t\t    4 Query\tSELECT * FROM orders\n"
      "231123 23:13:56\t    4 Query\tSELECT * FROM orders\n"
      "\t\t    4 Query\tSELECT * FROM orders\n",
      window_policy(2000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master write [-]",
                              "master read_after_write_window [recent_write=0ms]",
                              "master read_after_write_window [recent_write=1000ms]",
                              "master read_after_write_window [recent_write=1000ms]",
                          }));
}

TEST(SessionReplay, AutocommitOffKeepsEveryStatementOnTheMaster) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   5 Query\tSET autocommit = 0\n"
      "2023-11-23T23:13:55.001000Z\t   5 Query\tSELECT 1\n"
      "2023-11-23T23:13:55.002000Z\t   5 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.003000Z\t   5 Query\tCOMMIT\n"
      "2023-11-23T23:13:55.004000Z\t   5 Query\tSELECT 2\n"
      "2023-11-23T23:13:55.005000Z\t   5 Query\tSET autocommit = 1\n"
      "2023-11-23T23:13:55.006000Z\t   5 Query\tSELECT 3\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master session_state [-]",
                              "master in_transaction [autocommit=0]",
                              "master in_transaction [autocommit=0]",
                              "master in_transaction [in_transaction autocommit=0]",
                              "master in_transaction [autocommit=0]",
                              "master in_transaction [autocommit=0]",
                              "replica read [-]",
                          }));
}

TEST(SessionReplay, ReadOnlyTransactionRunsWholeOnOneReplica) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   17 Query\tSTART TRANSACTION READ ONLY\n"
      "2023-11-23T23:13:55.001000Z\t   17 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.002000Z\t   17 Query\tCOMMIT\n"
      "2023-11-23T23:13:55.003000Z\t   17 Query\tSELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "replica read_only_transaction [-]",
                              "replica read_only_transaction [in_transaction read_only_transaction=replica1]",
                              "replica read_only_transaction [in_transaction read_only_transaction=replica1]",
                              "replica read [-]",
                          }));
}

TEST(SessionReplay, DiagnosticsFollowThePreviousStatement) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   18 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.001000Z\t   18 Query\tSHOW WARNINGS\n"
      "2023-11-23T23:13:55.002000Z\t   18 Query\tUPDATE orders SET total = 1\n"
      "2023-11-23T23:13:55.003000Z\t   18 Query\tSHOW WARNINGS\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "replica read [-]",
                              "replica diagnostics [diagnostics_from=replica1]",
                              "master write [-]",
                              "master diagnostics [recent_write=1ms diagnostics_from=master]",
                          }));
}

TEST(SessionReplay, TemporaryTablesStayOnTheMasterUntilDropped) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   6 Query\tCREATE TEMPORARY TABLE tmp_totals (id INT)\n"
      "2023-11-23T23:13:58.000000Z\t   6 Query\tSELECT * FROM tmp_totals\n"
      "2023-11-23T23:13:58.001000Z\t   6 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:58.002000Z\t   6 Query\tDROP TEMPORARY TABLE tmp_totals\n"
      "2023-11-23T23:14:05.000000Z\t   6 Query\tSELECT * FROM tmp_totals\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master write [-]",
                              "master temp_table [temp_tables=tmp_totals]",
                              "replica read [temp_tables=tmp_totals]",
                              "master write [temp_tables=tmp_totals]",
                              "replica read [-]",
                          }));
}

TEST(SessionReplay, BinaryPreparedStatementsFollowTheirPrepare) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   8 Prepare\tSELECT * FROM orders WHERE id=?\n"
      "2023-11-23T23:13:55.001000Z\t   8 Execute\tSELECT * FROM orders WHERE id=5\n"
      "2023-11-23T23:13:55.002000Z\t   8 Prepare\tUPDATE orders SET total = ? WHERE id = ?\n"
      "2023-11-23T23:13:55.003000Z\t   8 Execute\tUPDATE orders SET total = 0 WHERE id = 5\n"
      "2023-11-23T23:13:55.004000Z\t   8 Execute\tSELECT * FROM orders WHERE id=6\n"
      "2023-11-23T23:14:55.000000Z\t   8 Execute\tSELECT * FROM orders WHERE id=7\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "replica read [com_stmt_prepare]",
                              "replica read [com_stmt_execute]",
                              "master write [com_stmt_prepare]",
                              "master write [com_stmt_execute]",
                              "master read_after_write_window [com_stmt_execute recent_write=1ms]",
                              "replica read [com_stmt_execute]",
                          }));
  // The digest is the prepared statement's.
  EXPECT_TRUE(r.lines[1].ends_with("\tSELECT * FROM orders WHERE id = ?")) << r.lines[1];
}

TEST(SessionReplay, PrepareAfterAWriteInCausalModeDoesNotWait) {
  router::RoutingPolicy p = policy();
  p.consistency = router::Consistency::causal;
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   20 Query\tINSERT INTO orders (id) VALUES (1)\n"
      "2023-11-23T23:13:55.001000Z\t   20 Prepare\tSELECT * FROM orders WHERE id=?\n"
      "2023-11-23T23:13:55.002000Z\t   20 Execute\tSELECT * FROM orders WHERE id=1\n",
      p);
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master write [-]",
                              "replica causal_wait [com_stmt_prepare wrote=0-1-1]",  // prepared there, no wait
                              "replica causal_wait [com_stmt_execute wrote=0-1-1 waits_for=0-1-1]",
                          }));
}

TEST(SessionReplay, SqlPreparePinsTheSession) {
  // MariaDB logs the statement an SQL PREPARE / EXECUTE prepares or runs right after it, as a
  // Prepare / Execute entry of the same thread: no command of the client's, no line. A binary
  // Prepare after something else is one.
  const Replay r = replay(
      "231123 23:13:55\t    9 Query\tPREPARE s FROM 'SELECT * FROM orders'\n"
      "\t\t    9 Prepare\tSELECT * FROM orders\n"
      "231123 23:13:57\t    9 Query\tEXECUTE s\n"
      "\t\t    9 Execute\tSELECT * FROM orders\n"
      "231123 23:13:58\t    9 Query\tSELECT * FROM orders\n"
      "\t\t    9 Prepare\tSELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master session_state [-]",
                              "master session_pinned [pinned=sql_prepare]",
                              "master session_pinned [pinned=sql_prepare]",
                              "master session_pinned [com_stmt_prepare pinned=sql_prepare]",
                          }));
}

TEST(SessionReplay, LocksPinTheSession) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   10 Query\tSELECT GET_LOCK('nightly', 0)\n"
      "2023-11-23T23:13:57.000000Z\t   10 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:57.000000Z\t   11 Query\tLOCK TABLES orders READ\n"
      "2023-11-23T23:13:59.000000Z\t   11 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:59.000000Z\t   11 Query\tUNLOCK TABLES\n"
      "2023-11-23T23:14:09.000000Z\t   11 Query\tSELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master master_only_function [-]",
                              "master session_pinned [pinned=user_lock]",
                              "master session_state [-]",
                              "master session_pinned [pinned=lock_tables]",
                              "master session_pinned [pinned=lock_tables]",
                              "replica read [-]",  // UNLOCK TABLES ended that pin
                          }));
}

TEST(SessionReplay, UserVariablesGoToTheMasterWithoutPinningTheSession) {
  // MariaDB reports no session-state change for a variable assigned in a query: the proxy keeps
  // the session on its connections but routes its other reads as usual.
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   12 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   12 Query\tSELECT @total := SUM(total) FROM orders\n"
      "2023-11-23T23:13:58.000000Z\t   12 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:58.000000Z\t   12 Query\tSELECT @total\n"
      "2023-11-23T23:13:58.000000Z\t   12 Query\tSET @limit = 5\n"
      "2023-11-23T23:13:58.000000Z\t   12 Query\tSELECT id FROM orders LIMIT 1 INTO @first\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master user_variable [-]",
                              "replica read [-]",
                              "master user_variable [-]",
                              "master session_state [-]",
                              "master select_into [-]",
                          }));
}

TEST(SessionReplay, SeveralStatementsChangingTheSessionPinAMultiplexedSessionOnly) {
  config::Config config = topology();
  config.users[1].multiplexing = false;  // batch keeps its own connections: no state tracking
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   12 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   13 Connect\tbatch@10.0.0.6 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   12 Query\tDO 1; USE reports\n"
      "2023-11-23T23:13:55.000000Z\t   13 Query\tDO 1; USE reports\n"
      "2023-11-23T23:13:58.000000Z\t   12 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:58.000000Z\t   13 Query\tSELECT * FROM orders\n",
      window_policy(1000ms), config);
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(decision(r.lines[2]), "master session_pinned [pinned=state_change]");
  EXPECT_EQ(decision(r.lines[3]), "replica read [-]");
}

TEST(SessionReplay, ConsistencyTokenStatementsAreAnsweredByTheProxy) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   14 Query\tSET @rwproxy_consistency_token = 'rwp1.0-1-42'\n"
      "2023-11-23T23:13:55.001000Z\t   14 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:55.002000Z\t   14 Query\tSELECT rwproxy_consistency_token()\n"
      "2023-11-23T23:13:55.003000Z\t   14 Query\tSET @rwproxy_consistency_token = 'nonsense'\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "proxy - [-]",
                              "replica causal_wait [token=0-1-42 waits_for=0-1-42]",
                              "proxy - [-]",
                              "proxy - [malformed_token]",
                          }));
  EXPECT_EQ(r.summary.not_routed, 3u);
  EXPECT_EQ(r.summary.statements, 1u);
}

TEST(SessionReplay, InitDbIsRoutedToTheMasterAndChangesTheSchema) {
  router::RoutingPolicy p = window_policy(1000ms);
  router::Rule analytics = rule("analytics_on_master", router::RuleRoute::master);
  analytics.schema = "analytics";
  p.rules = {analytics};
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   15 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   15 Init DB\tanalytics\n"
      "2023-11-23T23:13:55.000000Z\t   15 Query\tSELECT COUNT(*) FROM events\n",
      p);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0], "master\tsession_state\t-\t15\t-\tInit DB analytics");
  EXPECT_EQ(decision(r.lines[1]), "master rule [-]");
}

TEST(SessionReplay, QuitEndsTheSession) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   16 Query\tBEGIN\n"
      "2023-11-23T23:13:55.000000Z\t   16 Quit\t\n"
      "2023-11-23T23:13:55.000000Z\t   16 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   16 Query\tSELECT 1\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{"master transaction_control [-]", "replica read [-]"}));
  EXPECT_EQ(r.summary.sessions, 2u);
}

TEST(SessionReplay, ResetConnectionAndChangeUserStartAfresh) {
  const Replay r = replay(
      "2023-11-23T23:13:55.000000Z\t   19 Connect\tapp@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:55.000000Z\t   19 Query\tSELECT GET_LOCK('nightly', 0)\n"
      "2023-11-23T23:13:55.000000Z\t   19 Query\tBEGIN\n"
      "2023-11-23T23:13:55.000000Z\t   19 Reset connection\t\n"
      "2023-11-23T23:13:58.000000Z\t   19 Query\tSELECT * FROM orders\n"
      "2023-11-23T23:13:58.000000Z\t   19 Query\tLOCK TABLES orders READ\n"
      "2023-11-23T23:13:58.000000Z\t   19 Change user\tbatch@10.0.0.5 on shop using TCP/IP\n"
      "2023-11-23T23:13:58.000000Z\t   19 Query\t/* rwproxy:master */ SELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "master master_only_function [-]",
                              "master session_pinned [pinned=user_lock]",
                              "master session_state [-]",  // Reset connection
                              "replica read [-]",
                              "master session_state [-]",
                              "replica read [-]",  // batch: hints off, not pinned
                          }));
  EXPECT_EQ(r.lines[2], "master\tsession_state\t-\t19\t-\tReset connection");
  EXPECT_EQ(r.summary.sessions, 2u);
}

TEST(SessionReplay, PlainFileIsOneSessionAtOneInstant) {
  const Replay r = replay(
      "SELECT * FROM orders\n"
      "BEGIN\n"
      "SELECT * FROM orders\n"
      "COMMIT\n"
      "INSERT INTO orders (id) VALUES (1)\n"
      "SELECT * FROM orders\n",
      window_policy(1000ms));
  EXPECT_EQ(decisions(r), (std::vector<std::string>{
                              "replica read [-]",
                              "master transaction_control [-]",
                              "master in_transaction [in_transaction]",
                              "master in_transaction [in_transaction]",
                              "master write [-]",
                              "master read_after_write_window [recent_write=0ms]",
                          }));
  EXPECT_EQ(r.lines[0], "replica\tread\t-\t0\t-\tSELECT * FROM orders");
}

TEST(SessionReplay, SummaryCountsByTargetAndReason) {
  const Replay r = replay(kIssueLog, window_policy(1000ms));
  EXPECT_EQ(r.summary.statements, 8u);
  EXPECT_EQ(r.summary.sessions, 1u);
  EXPECT_EQ(r.summary.to_master, 6u);
  EXPECT_EQ(r.summary.to_replica, 2u);
  EXPECT_EQ(r.summary.reads, 5u);  // the SELECTs
  EXPECT_EQ(r.summary.reads_to_replica, 2u);
  EXPECT_EQ(r.summary.count(router::Target::master, router::Reason::in_transaction), 3u);
  EXPECT_EQ(r.summary.count(router::Target::replica, router::Reason::read), 2u);
  EXPECT_EQ(r.summary_text,
            "# 8 statement(s) in 1 session(s); 5 read(s), 2 of them (40.0%) to a replica\n"
            "# master\twrite\t1\n"
            "# master\ttransaction_control\t1\n"
            "# master\tin_transaction\t3\n"
            "# master\tread_after_write_window\t1\n"
            "# replica\tread\t2\n");
}

}  // namespace
}  // namespace rwproxy::explain
