// decide() for routing hints and [[rules]].
#include <gtest/gtest.h>

#include <regex>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

// ---- hints ----

TEST(RouterHintTest, MasterHintSendsAReadToTheMaster) {
  Scenario s;
  s.statement.hint.target = parser::HintTarget::master;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::hint));
}

TEST(RouterHintTest, ReplicaHintSendsAReadToAReplica) {
  Scenario s;
  s.statement.hint.target = parser::HintTarget::replica;
  s.rotation = 1;
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::hint));
}

TEST(RouterHintTest, ReplicaHintOverridesTheReadAfterWriteWindow) {
  Scenario s;
  s.statement.hint.target = parser::HintTarget::replica;
  s.session.last_write = t0;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::hint));
}

TEST(RouterHintTest, HintWinsOverRules) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.statement.hint.target = parser::HintTarget::master;
  const Route route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::hint));
  EXPECT_FALSE(route.rule.has_value());
}

TEST(RouterHintTest, HintsAreIgnoredWhenNotAllowed) {
  Scenario s;
  s.session.hints_allowed = false;
  s.statement.hint.target = parser::HintTarget::master;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  s.statement.hint.target = parser::HintTarget::replica;
  s.session.last_write = t0;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

TEST(RouterHintTest, WriteWithAReplicaHintStillGoesToTheMaster) {
  Scenario s;
  s.statement = write_statement();
  s.statement.hint.target = parser::HintTarget::replica;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterHintTest, MasterOnlyReadsIgnoreAReplicaHint) {
  struct Case {
    const char* name;
    void (*mark)(StatementInfo&);
    Reason reason;
  };
  const Case cases[] = {
      {"locking", [](StatementInfo& i) { i.locking_read = true; }, Reason::locking_read},
      {"function", [](StatementInfo& i) { i.master_only_function = true; }, Reason::master_only_function},
      {"into", [](StatementInfo& i) { i.session.select_into = true; }, Reason::select_into},
      {"user var", [](StatementInfo& i) { i.reads_user_variable = true; }, Reason::user_variable},
  };
  for (const Case& c : cases) {
    Scenario s;
    c.mark(s.statement);
    s.statement.hint.target = parser::HintTarget::replica;
    EXPECT_TRUE(goes_to_master(s.route(), c.reason)) << c.name;
  }
}

TEST(RouterHintTest, ReplicaHintUsesTheLagGate) {
  Scenario s;
  s.statement.hint.target = parser::HintTarget::replica;
  s.replicas = snapshot({lagging(replica("r0"), 5000), replica("r1")});
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::hint));
}

// ---- rules ----

TEST(RouterRuleTest, MasterRuleSendsAReadToTheMaster) {
  Scenario s;
  s.policy.rules = {rule("all_to_master", RuleRoute::master)};
  const Route route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));
}

TEST(RouterRuleTest, ReplicaRuleSendsAReadToAReplica) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.rotation = 1;
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));
}

TEST(RouterRuleTest, FirstMatchingRuleWins) {
  Scenario s;
  Rule reporting = rule("reporting", RuleRoute::replica);
  reporting.user = "reporting";
  Rule orders = rule("orders", RuleRoute::master);
  orders.table = "orders";
  Rule everything = rule("everything", RuleRoute::replica);
  s.policy.rules = {reporting, orders, everything};

  s.user = "reporting";
  Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 0, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));

  s.user = "app";
  route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(1));

  s.statement = read_statement({{"", "customers"}});
  route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 0, Reason::rule));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(2));
}

TEST(RouterRuleTest, RuleByDigest) {
  Scenario s;
  Rule r = rule("hot_query", RuleRoute::master);
  r.digest = "SELECT * FROM orders WHERE id = ?";
  s.policy.rules = {r};
  s.digest_text = "SELECT * FROM orders WHERE id = ?";
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.digest_text = "SELECT * FROM orders";
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterRuleTest, RuleByDigestRegex) {
  Scenario s;
  Rule r = rule("reports", RuleRoute::replica);
  r.digest_regex = std::regex("^SELECT .* FROM report_");
  s.policy.rules = {r};
  s.session.last_write = t0;  // a replica rule is an explicit choice, like a hint
  s.digest_text = "SELECT SUM(x) FROM report_daily";
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::rule));
  s.digest_text = "SELECT SUM(x) FROM orders";
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

TEST(RouterRuleTest, RuleByUser) {
  Scenario s;
  Rule r = rule("billing", RuleRoute::master);
  r.user = "billing";
  s.policy.rules = {r};
  s.user = "billing";
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.user = "app";
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterRuleTest, RuleBySchema) {
  Scenario s;
  Rule r = rule("ledger", RuleRoute::master);
  r.schema = "ledger";
  s.policy.rules = {r};
  s.schema = "Ledger";
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.schema = "shop";
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterRuleTest, RuleByTableName) {
  Scenario s;
  Rule r = rule("inventory", RuleRoute::master);
  r.table = "inventory";
  s.policy.rules = {r};
  s.statement = read_statement({{"warehouse", "Inventory"}});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.statement = read_statement({{"", "orders"}});
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterRuleTest, RuleBySchemaQualifiedTable) {
  Scenario s;
  Rule r = rule("shop_inventory", RuleRoute::master);
  r.table = "shop.inventory";
  s.policy.rules = {r};
  s.statement = read_statement({{"shop", "inventory"}});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.statement = read_statement({{"warehouse", "inventory"}});
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  s.schema = "shop";
  s.statement = read_statement({{"", "inventory"}});  // USE shop; SELECT ... FROM inventory
  EXPECT_TRUE(goes_to_master(s.route(), Reason::rule));
  s.schema = "warehouse";
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
}

TEST(RouterRuleTest, WriteMatchingAReplicaRuleStillGoesToTheMaster) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.statement = write_statement();
  const Route route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::write));
  EXPECT_FALSE(route.rule.has_value());
}

TEST(RouterRuleTest, SessionStatementMatchingAReplicaRuleStillGoesToTheMaster) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.statement = statement_of_kind(StatementKind::set);
  EXPECT_TRUE(goes_to_master(s.route(), Reason::session_state));
}

TEST(RouterRuleTest, AnyRuleFallsThroughToTheDefaults) {
  Scenario s;
  s.policy.rules = {rule("observe", RuleRoute::any), rule("later", RuleRoute::master)};
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 0, Reason::read)) << "the first match (any) stops the search";
}

TEST(RouterRuleTest, AnyRuleAppliesItsLagThreshold) {
  Scenario s;
  Rule tolerant = rule("tolerant", RuleRoute::any);
  tolerant.max_replica_lag_ms = 10'000;
  s.policy.rules = {tolerant};
  s.replicas = snapshot({lagging(replica("r0"), 5000)});
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));

  Rule strict = rule("strict", RuleRoute::any);
  strict.max_replica_lag_ms = 100;
  s.policy.rules = {strict};
  s.replicas = snapshot({with_lag(replica("r0"), 200)});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::replica_lag));
}

TEST(RouterRuleTest, ReplicaRuleAppliesItsLagThreshold) {
  Scenario s;
  Rule r = rule("fresh", RuleRoute::replica);
  r.max_replica_lag_ms = 50;
  s.policy.rules = {r};
  s.replicas = snapshot({with_lag(replica("r0"), 200), with_lag(replica("r1"), 20)});
  Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::rule));

  s.replicas = snapshot({with_lag(replica("r0"), 200), with_lag(replica("r1"), 51)});
  route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::replica_lag));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0)) << "the rule that chose the replica path is reported";

  s.policy.error_when_no_replica = true;
  route = s.route();
  EXPECT_TRUE(is_error(route, Reason::replica_lag));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));
}

TEST(RouterRuleTest, RuleWithoutLagThresholdUsesTheGate) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.replicas = snapshot({lagging(replica("r0"), 1500), replica("r1")});
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::rule));
}

TEST(RouterRuleTest, ReplicaRuleWithNoReplicas) {
  Scenario s;
  s.policy.rules = {rule("all_to_replica", RuleRoute::replica)};
  s.replicas = snapshot({});
  Route route = s.route();
  EXPECT_TRUE(goes_to_master(route, Reason::no_eligible_replica));
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));
}

TEST(RouterRuleTest, NoRuleMatchedLeavesRuleEmpty) {
  Scenario s;
  Rule r = rule("other_user", RuleRoute::master);
  r.user = "nobody";
  s.policy.rules = {r};
  EXPECT_FALSE(s.route().rule.has_value());
}

}  // namespace
}  // namespace rwproxy::router
