#include "router/routing_policy.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <vector>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

std::optional<std::size_t> match(const std::vector<Rule>& rules, const StatementInfo& info,
                                  std::string_view digest = "", std::string_view user = "app",
                                  std::string_view schema = "shop") {
  return match_rule(rules, info, digest, user, schema);
}

Rule table_rule(std::string table) {
  Rule r = rule("by_table", RuleRoute::replica);
  r.table = std::move(table);
  return r;
}

TEST(MatchRuleTest, NoRulesNoMatch) {
  EXPECT_FALSE(match({}, read_statement()).has_value());
}

TEST(MatchRuleTest, RuleWithoutConditionsMatchesEverything) {
  const std::vector<Rule> rules = {rule("all", RuleRoute::master)};
  EXPECT_EQ(match(rules, read_statement()), 0u);
  EXPECT_EQ(match(rules, write_statement(), "", "", ""), 0u);
}

TEST(MatchRuleTest, FirstMatchingRuleWins) {
  Rule other_user = rule("other", RuleRoute::master);
  other_user.user = "reporting";
  Rule app = rule("app", RuleRoute::replica);
  app.user = "app";
  const std::vector<Rule> rules = {other_user, app, rule("catch_all", RuleRoute::master)};
  EXPECT_EQ(match(rules, read_statement(), "", "app"), 1u);
  EXPECT_EQ(match(rules, read_statement(), "", "reporting"), 0u);
  EXPECT_EQ(match(rules, read_statement(), "", "someone"), 2u);
}

TEST(MatchRuleTest, DigestIsComparedExactly) {
  Rule r = rule("digest", RuleRoute::replica);
  r.digest = "SELECT * FROM orders WHERE id = ?";
  const std::vector<Rule> rules = {r};
  EXPECT_EQ(match(rules, read_statement(), "SELECT * FROM orders WHERE id = ?"), 0u);
  EXPECT_FALSE(match(rules, read_statement(), "SELECT * FROM orders WHERE id = ? LIMIT ?"));
  EXPECT_FALSE(match(rules, read_statement(), "select * from orders where id = ?"));
  EXPECT_FALSE(match(rules, read_statement(), ""));
}

TEST(MatchRuleTest, DigestRegexIsSearchedAnywhere) {
  Rule r = rule("regex", RuleRoute::replica);
  r.digest_regex = std::regex("FROM report_[a-z]+");
  const std::vector<Rule> rules = {r};
  EXPECT_EQ(match(rules, read_statement(), "SELECT COUNT(*) FROM report_daily WHERE d > ?"), 0u);
  EXPECT_FALSE(match(rules, read_statement(), "SELECT COUNT(*) FROM orders"));
}

TEST(MatchRuleTest, DigestRegexCanBeAnchored) {
  Rule r = rule("anchored", RuleRoute::replica);
  r.digest_regex = std::regex("^SELECT ");
  const std::vector<Rule> rules = {r};
  EXPECT_EQ(match(rules, read_statement(), "SELECT ?"), 0u);
  EXPECT_FALSE(match(rules, read_statement(), "INSERT INTO t SELECT ?"));
}

TEST(MatchRuleTest, UserIsComparedExactly) {
  Rule r = rule("user", RuleRoute::replica);
  r.user = "reporting";
  const std::vector<Rule> rules = {r};
  EXPECT_EQ(match(rules, read_statement(), "", "reporting"), 0u);
  EXPECT_FALSE(match(rules, read_statement(), "", "Reporting"));
  EXPECT_FALSE(match(rules, read_statement(), "", "reporting2"));
}

TEST(MatchRuleTest, SchemaIsComparedCaseInsensitively) {
  Rule r = rule("schema", RuleRoute::replica);
  r.schema = "analytics";
  const std::vector<Rule> rules = {r};
  EXPECT_EQ(match(rules, read_statement(), "", "app", "analytics"), 0u);
  EXPECT_EQ(match(rules, read_statement(), "", "app", "Analytics"), 0u);
  EXPECT_FALSE(match(rules, read_statement(), "", "app", "shop"));
  EXPECT_FALSE(match(rules, read_statement(), "", "app", ""));
}

TEST(MatchRuleTest, BareTableNameMatchesInAnySchemaCaseInsensitively) {
  const std::vector<Rule> rules = {table_rule("Orders")};
  EXPECT_EQ(match(rules, read_statement({{"", "orders"}})), 0u);
  EXPECT_EQ(match(rules, read_statement({{"archive", "ORDERS"}})), 0u);
  EXPECT_EQ(match(rules, read_statement({{"", "customers"}, {"", "orders"}})), 0u) << "any referenced table";
  EXPECT_FALSE(match(rules, read_statement({{"", "orders_2024"}})));
  EXPECT_FALSE(match(rules, read_statement({})));
}

TEST(MatchRuleTest, QualifiedTableNameMatchesQualifiedReference) {
  const std::vector<Rule> rules = {table_rule("Shop.Orders")};
  EXPECT_EQ(match(rules, read_statement({{"shop", "orders"}})), 0u);
  EXPECT_EQ(match(rules, read_statement({{"SHOP", "ORDERS"}}), "", "app", "other"), 0u);
  EXPECT_FALSE(match(rules, read_statement({{"archive", "orders"}})));
  EXPECT_FALSE(match(rules, read_statement({{"shop", "customers"}})));
}

// An unqualified table lives in the session's current schema: `USE shop; SELECT * FROM orders`
// reads shop.orders.
TEST(MatchRuleTest, QualifiedTableNameMatchesUnqualifiedReferenceInTheCurrentSchema) {
  const std::vector<Rule> rules = {table_rule("shop.orders")};
  EXPECT_EQ(match(rules, read_statement({{"", "orders"}}), "", "app", "shop"), 0u);
  EXPECT_EQ(match(rules, read_statement({{"", "orders"}}), "", "app", "SHOP"), 0u);
  EXPECT_FALSE(match(rules, read_statement({{"", "orders"}}), "", "app", "archive"));
  EXPECT_FALSE(match(rules, read_statement({{"", "orders"}}), "", "app", ""));
}

TEST(MatchRuleTest, AllConditionsOfARuleMustHold) {
  Rule r = rule("narrow", RuleRoute::replica);
  r.user = "reporting";
  r.schema = "shop";
  r.table = "orders";
  r.digest_regex = std::regex("COUNT");
  const std::vector<Rule> rules = {r};
  const StatementInfo info = read_statement({{"", "orders"}});
  EXPECT_EQ(match(rules, info, "SELECT COUNT(*) FROM orders", "reporting", "shop"), 0u);
  EXPECT_FALSE(match(rules, info, "SELECT COUNT(*) FROM orders", "app", "shop"));
  EXPECT_FALSE(match(rules, info, "SELECT COUNT(*) FROM orders", "reporting", "other"));
  EXPECT_FALSE(match(rules, read_statement({{"", "items"}}), "SELECT COUNT(*) FROM items", "reporting", "shop"));
  EXPECT_FALSE(match(rules, info, "SELECT * FROM orders", "reporting", "shop"));
}

TEST(RoutingPolicyTest, RulesNeedDigestOnlyWhenARuleLooksAtIt) {
  RoutingPolicy policy;
  EXPECT_FALSE(policy.rules_need_digest());
  Rule by_user = rule("user", RuleRoute::master);
  by_user.user = "app";
  policy.rules = {by_user};
  EXPECT_FALSE(policy.rules_need_digest());

  Rule by_digest = rule("digest", RuleRoute::master);
  by_digest.digest = "SELECT ?";
  policy.rules.push_back(by_digest);
  EXPECT_TRUE(policy.rules_need_digest());

  Rule by_regex = rule("regex", RuleRoute::master);
  by_regex.digest_regex = std::regex("x");
  EXPECT_TRUE(by_regex.needs_digest());
  EXPECT_FALSE(by_user.needs_digest());
}

TEST(RoutingPolicyTest, Defaults) {
  const RoutingPolicy policy;
  EXPECT_EQ(policy.read_after_write_window, std::chrono::milliseconds(1000));
  EXPECT_EQ(policy.max_replica_lag_ms, 1000u);
  EXPECT_FALSE(policy.error_when_no_replica);
  EXPECT_TRUE(policy.rules.empty());
  EXPECT_EQ(Rule{}.route, RuleRoute::any);
}

}  // namespace
}  // namespace rwproxy::router
