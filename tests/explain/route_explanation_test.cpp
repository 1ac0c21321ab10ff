// explain(): the router's decision with what it was based on, and its rows for EXPLAIN ROUTE.
#include "proxy/explain/route_explanation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "proxy/explain/explanation_rows.hpp"
#include "tests/explain/explain_test_support.hpp"

namespace rwproxy::explain {
namespace {

using namespace test;
using router::Reason;
using router::Target;

// The value of the first row named `field`.
std::string value_of(const RouteExplanation& e, std::string_view field) {
  for (const ExplanationRow& row : explanation_rows(e)) {
    if (row.field == field) return row.value;
  }
  ADD_FAILURE() << "no row " << field;
  return {};
}

std::vector<std::string> replica_rows(const RouteExplanation& e) {
  std::vector<std::string> out;
  for (const ExplanationRow& row : explanation_rows(e)) {
    if (row.field == "replica") out.push_back(row.value);
  }
  return out;
}

class Explain : public testing::Test {
 protected:
  RouteExplanation run(std::string_view sql) { return explain(sql, session_, replicas_, policy_, config_, t0); }

  config::Config config_ = topology();
  router::RoutingPolicy policy_ = policy();
  router::ReplicaSnapshot replicas_ = replicas();
  router::RoutingSession session_ = session();
};

TEST_F(Explain, PlainReadGoesToAReplica) {
  const RouteExplanation e = run("SELECT * FROM orders WHERE id = 42");
  EXPECT_EQ(e.route.target, Target::replica);
  EXPECT_EQ(e.route.reason, Reason::read);
  EXPECT_EQ(e.target, "replica");
  EXPECT_EQ(e.backend, "replica1");
  EXPECT_EQ(e.rule_effect, RuleEffect::none);
  EXPECT_EQ(e.digest.text, "SELECT * FROM orders WHERE id = ?");

  EXPECT_EQ(value_of(e, "statement"), "SELECT * FROM orders WHERE id = 42");
  EXPECT_EQ(value_of(e, "kind"), "select");
  EXPECT_EQ(value_of(e, "target"), "replica");
  EXPECT_EQ(value_of(e, "backend"), "replica1");
  EXPECT_EQ(value_of(e, "reason"), "read");
  EXPECT_EQ(value_of(e, "because"), describe(Reason::read));
  EXPECT_EQ(value_of(e, "rule"), "-");
  EXPECT_EQ(value_of(e, "hint"), "none");
  EXPECT_EQ(value_of(e, "digest"), "SELECT * FROM orders WHERE id = ?");
  EXPECT_EQ(value_of(e, "digest_hash"), hash_hex(e.digest.hash));
  EXPECT_TRUE(std::regex_match(value_of(e, "digest_hash"), std::regex("[0-9a-f]{16}")));
  EXPECT_EQ(value_of(e, "tables"), "orders");
  EXPECT_EQ(value_of(e, "writes"), "no");
  EXPECT_EQ(value_of(e, "read_only_safe"), "yes");
  EXPECT_EQ(value_of(e, "locking_read"), "no");
  EXPECT_EQ(value_of(e, "in_transaction"), "no");
  EXPECT_EQ(value_of(e, "autocommit"), "yes");
  EXPECT_EQ(value_of(e, "read_only_transaction"), "-");
  EXPECT_EQ(value_of(e, "read_after_write_window"), "inactive (no write in this session)");
  EXPECT_EQ(value_of(e, "pinned"), "no");
  EXPECT_EQ(value_of(e, "max_replica_lag_ms"), "1000");
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"replica1: up, lag 0 ms, eligible, chosen",
                                                         "replica2: up, lag 0 ms, eligible"}));
}

TEST_F(Explain, WriteGoesToTheMaster) {
  const RouteExplanation e = run("INSERT INTO shop.orders (id, total) VALUES (1, 9.5)");
  EXPECT_EQ(e.route.target, Target::master);
  EXPECT_EQ(e.route.reason, Reason::write);
  EXPECT_EQ(e.backend, "db-master");
  EXPECT_EQ(value_of(e, "kind"), "insert");
  EXPECT_EQ(value_of(e, "backend"), "db-master");
  EXPECT_EQ(value_of(e, "reason"), "write");
  EXPECT_EQ(value_of(e, "writes"), "yes");
  EXPECT_EQ(value_of(e, "read_only_safe"), "no");
  EXPECT_EQ(value_of(e, "tables"), "shop.orders");
  // The replicas could serve a read; this statement just isn't one.
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"replica1: up, lag 0 ms, eligible",
                                                         "replica2: up, lag 0 ms, eligible"}));
}

TEST_F(Explain, LockingReadAndMasterOnlyFunctionAreFlagged) {
  const RouteExplanation locking = run("SELECT * FROM orders WHERE id = 1 FOR UPDATE");
  EXPECT_EQ(locking.route.reason, Reason::locking_read);
  EXPECT_EQ(value_of(locking, "locking_read"), "yes");
  const RouteExplanation function = run("SELECT LAST_INSERT_ID()");
  EXPECT_EQ(function.route.reason, Reason::master_only_function);
  EXPECT_EQ(value_of(function, "master_only_function"), "yes");
}

TEST_F(Explain, ReadInsideTheReadAfterWriteWindowShowsTheTimeLeft) {
  session_.last_write = t0 - 300ms;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.target, Target::master);
  EXPECT_EQ(e.route.reason, Reason::read_after_write_window);
  ASSERT_TRUE(e.session.read_after_write_remaining);
  EXPECT_EQ(*e.session.read_after_write_remaining, 700ms);
  EXPECT_EQ(value_of(e, "reason"), "read_after_write_window");
  EXPECT_EQ(value_of(e, "read_after_write_window"), "700 ms left of 1000 ms");
}

TEST_F(Explain, ReadAfterTheWindowEnded) {
  session_.last_write = t0 - 1500ms;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::read);
  EXPECT_EQ(value_of(e, "read_after_write_window"), "inactive (last write more than 1000 ms ago)");
  policy_.read_after_write_window = 0ms;
  EXPECT_EQ(value_of(run("SELECT 1"), "read_after_write_window"), "off");
}

TEST_F(Explain, InTransactionIsShown) {
  session_.in_transaction = true;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::in_transaction);
  EXPECT_EQ(value_of(e, "in_transaction"), "yes");
}

TEST_F(Explain, ReadOnlyTransactionNamesItsReplica) {
  session_.transaction_replica = 1;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::read_only_transaction);
  EXPECT_EQ(e.backend, "replica2");
  EXPECT_EQ(value_of(e, "read_only_transaction"), "replica2");
}

TEST_F(Explain, RuleThatDecidesIsNamed) {
  router::Rule reports = rule("reports_on_master", router::RuleRoute::master);
  reports.table = "daily_report";
  policy_.rules = {rule("unrelated", router::RuleRoute::replica), reports};
  policy_.rules[0].user = "nobody";
  const RouteExplanation e = run("SELECT SUM(total) FROM daily_report");
  EXPECT_EQ(e.route.target, Target::master);
  EXPECT_EQ(e.route.reason, Reason::rule);
  EXPECT_EQ(e.rule, "reports_on_master");
  EXPECT_EQ(e.rule_effect, RuleEffect::decided);
  EXPECT_EQ(value_of(e, "reason"), "rule");
  EXPECT_EQ(value_of(e, "rule"), "reports_on_master");
}

TEST_F(Explain, RuleOnTheDigestSendsToAReplica) {
  router::Rule search = rule("search_anywhere", router::RuleRoute::replica);
  search.digest_regex = std::regex("^SELECT .* FROM products");
  policy_.rules = {search};
  const RouteExplanation e = run("SELECT name FROM products WHERE name LIKE 'a%'");
  EXPECT_EQ(e.route.target, Target::replica);
  EXPECT_EQ(e.route.reason, Reason::rule);
  EXPECT_EQ(value_of(e, "rule"), "search_anywhere");
}

TEST_F(Explain, RuleOverriddenByAWriteSaysSo) {
  router::Rule orders = rule("orders_to_replica", router::RuleRoute::replica);
  orders.table = "orders";
  policy_.rules = {orders};
  const RouteExplanation e = run("UPDATE orders SET total = 0 WHERE id = 1");
  EXPECT_EQ(e.route.reason, Reason::write);
  EXPECT_EQ(e.rule_effect, RuleEffect::overridden);
  EXPECT_EQ(value_of(e, "rule"), "orders_to_replica (overridden)");
}

TEST_F(Explain, AnyRouteRuleWithItsOwnLagLimit) {
  router::Rule fresh = rule("fresh_orders", router::RuleRoute::any);
  fresh.table = "orders";
  fresh.max_replica_lag_ms = 200;
  policy_.rules = {fresh};
  replicas_ = replicas(300, 50);
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::read);
  EXPECT_EQ(e.backend, "replica2");
  EXPECT_EQ(e.rule_effect, RuleEffect::lag_limit);
  EXPECT_EQ(value_of(e, "rule"), "fresh_orders (route = any, max_replica_lag_ms = 200)");
  EXPECT_EQ(value_of(e, "max_replica_lag_ms"), "200");
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"replica1: up, lag 300 ms, excluded (lag over 200 ms)",
                                                         "replica2: up, lag 50 ms, eligible, chosen"}));
}

TEST_F(Explain, HintChoosesTheMaster) {
  const RouteExplanation e = run("/* rwproxy:master */ SELECT * FROM orders");
  EXPECT_EQ(e.route.target, Target::master);
  EXPECT_EQ(e.route.reason, Reason::hint);
  EXPECT_EQ(value_of(e, "hint"), "master");
  EXPECT_EQ(value_of(e, "digest"), "/* rwproxy:master */ SELECT * FROM orders");
}

TEST_F(Explain, HintIgnoredWhenHintsAreOff) {
  session_.hints_allowed = false;
  const RouteExplanation e = run("/* rwproxy:master */ SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::read);
  EXPECT_EQ(value_of(e, "hint"), "master (ignored: hints are off for this user)");
}

TEST_F(Explain, LaggingReplicaIsExcluded) {
  replicas_ = replicas(5000, 12);
  replicas_.replicas[0].lag_admitted = false;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.reason, Reason::read);
  EXPECT_EQ(e.backend, "replica2");
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"replica1: up, lag 5000 ms, excluded (lag over 1000 ms)",
                                                         "replica2: up, lag 12 ms, eligible, chosen"}));
}

TEST_F(Explain, ReplicaStillAboveTheReadmitThreshold) {
  replicas_ = replicas(700, 12);
  replicas_.replicas[0].lag_admitted = false;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(replica_rows(e)[0], "replica1: up, lag 700 ms, excluded (lagged; readmitted below 500 ms)");
}

TEST_F(Explain, EveryReplicaLaggingOrDownFallsBackToTheMaster) {
  replicas_ = replicas(5000, std::nullopt);
  replicas_.replicas[0].lag_admitted = false;
  replicas_.replicas[1].up = false;
  const RouteExplanation e = run("SELECT * FROM orders");
  EXPECT_EQ(e.route.target, Target::master);
  EXPECT_EQ(e.route.reason, Reason::replica_lag);
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"replica1: up, lag 5000 ms, excluded (lag over 1000 ms)",
                                                         "replica2: down, lag unknown, excluded (down)"}));
}

TEST_F(Explain, NoReplicaWithErrorPolicyTargetsError) {
  policy_.error_when_no_replica = true;
  replicas_.replicas[0].up = false;
  replicas_.replicas[1].up = false;
  const RouteExplanation e = run("SELECT 1");
  EXPECT_EQ(e.route.reason, Reason::no_eligible_replica);
  EXPECT_EQ(e.target, "error");
  EXPECT_EQ(value_of(e, "backend"), "- (ERR 1105 to the client)");
}

TEST_F(Explain, NoReplicasConfigured) {
  replicas_.replicas.clear();
  const RouteExplanation e = run("SELECT 1");
  EXPECT_EQ(e.route.reason, Reason::no_eligible_replica);
  EXPECT_EQ(replica_rows(e), (std::vector<std::string>{"- (none configured)"}));
}

TEST_F(Explain, UnterminatedStringIsUnknown) {
  const RouteExplanation e = run("SELECT 'oops");
  EXPECT_EQ(e.route.reason, Reason::unknown_statement);
  EXPECT_EQ(e.backend, "db-master");
}

TEST(ExplanationRows, EveryReasonIsDescribed) {
  for (router::Reason reason : router::all_reasons()) EXPECT_FALSE(describe(reason).empty()) << to_string(reason);
}

TEST(ExplanationRows, ResultSetHasFieldAndValueColumns) {
  const RouteExplanation e =
      explain("SELECT 1", session(), replicas(), policy(), topology(), t0);
  const protocol::TextResultSet result = explanation_result_set(e);
  ASSERT_EQ(result.columns.size(), 2u);
  EXPECT_EQ(result.columns[0].name, "field");
  EXPECT_EQ(result.columns[1].name, "value");
  const auto rows = explanation_rows(e);
  ASSERT_EQ(result.rows.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(result.rows[i], (protocol::ResultRow{rows[i].field, rows[i].value}));
  }
  std::vector<std::string> fields;
  for (const auto& row : rows) fields.push_back(row.field);
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "statement", "kind", "target", "backend", "reason", "because", "rule", "hint", "digest",
                        "digest_hash", "tables", "writes", "read_only_safe", "locking_read", "master_only_function",
                        "user_variable", "statements", "in_transaction", "autocommit", "read_only_transaction",
                        "read_after_write_window", "pinned", "connections", "consistency", "session_position", "consistency_token",
                        "monotonic_reads", "wait_for", "max_replica_lag_ms", "replica", "replica"}));
}

TEST(ExplanationRows, HashHex) {
  EXPECT_EQ(hash_hex(0), "0000000000000000");
  EXPECT_EQ(hash_hex(0x1a2b3c4d5e6f7081ull), "1a2b3c4d5e6f7081");
}

TEST_F(Explain, CausalReadShowsPositionsAndTheWait) {
  policy_.consistency = router::Consistency::causal;
  const auto writes = router::GtidPosition::parse("0-1-10");
  const auto floor = router::GtidPosition::parse("0-1-4");
  session_.write_position = &*writes;
  session_.read_floor = &*floor;
  session_.home_replica = 1;
  replicas_.replicas[0].applied = router::GtidPosition::parse("0-1-9");
  replicas_.replicas[1].applied = router::GtidPosition::parse("0-1-8");
  const RouteExplanation e = run("SELECT * FROM orders WHERE id = 42");
  EXPECT_EQ(e.route.reason, Reason::causal_wait);
  EXPECT_EQ(value_of(e, "consistency"), "causal");
  EXPECT_EQ(value_of(e, "session_position"), "0-1-10");
  EXPECT_EQ(value_of(e, "consistency_token"), "-");
  EXPECT_EQ(value_of(e, "monotonic_reads"), "on, floor 0-1-4, home replica replica2");
  EXPECT_EQ(value_of(e, "wait_for"), "0-1-10");
  EXPECT_EQ(e.backend, "replica2") << "the session stays on its replica";
  const auto listed = replica_rows(e);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_NE(listed[0].find(", at 0-1-9"), std::string::npos) << listed[0];
  EXPECT_NE(listed[1].find(", at 0-1-8, chosen"), std::string::npos) << listed[1];
}

}  // namespace
}  // namespace rwproxy::explain
