// [routing], the per-user hints override and [[rules]]: values, defaults and problems.
#include <gtest/gtest.h>

#include "problem_matchers.hpp"
#include "proxy/config/config_loader.hpp"

namespace rwproxy::config {
namespace {

using testing::load;
using testing::load_with_minimal;

// A valid rule; tests append keys to it.
constexpr std::string_view rule_head = "[[rules]]\nname = \"r\"\nroute = \"any\"\n";

LoadResult load_rules(std::string_view rules) { return load_with_minimal(rules); }

// ---- [routing] ---------------------------------------------------------------------------

TEST(RoutingTest, Defaults) {
  const LoadResult result = load_with_minimal("");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Routing& routing = result.config->routing;
  EXPECT_EQ(routing.read_after_write_window_ms, 1000u);
  EXPECT_EQ(routing.max_replica_lag_ms, 1000u);
  EXPECT_EQ(routing.readmit_replica_lag_ms, 500u);
  EXPECT_EQ(routing.no_eligible_replica, NoReplicaAction::master);
  EXPECT_TRUE(routing.hints);
  EXPECT_EQ(routing.replica_retry_interval_ms, 5000u);
  EXPECT_EQ(routing.consistency, Consistency::causal);
  EXPECT_EQ(routing.causal_wait_timeout_ms, 500u);
  EXPECT_TRUE(routing.monotonic_reads);
  EXPECT_TRUE(result.config->rules.empty());
  EXPECT_FALSE(result.config->users[0].hints.has_value());
}

TEST(RoutingTest, EmptySectionTakesTheDefaults) {
  const LoadResult result = load_with_minimal("[routing]\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_EQ(result.config->routing.readmit_replica_lag_ms, 500u);
}

TEST(RoutingTest, ReadsEveryValue) {
  const LoadResult result = load_with_minimal(R"(
[routing]
read_after_write_window_ms = 0
max_replica_lag_ms = 86400000
readmit_replica_lag_ms = 86399999
no_eligible_replica = "error"
hints = false
replica_retry_interval_ms = 100
)");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Routing& routing = result.config->routing;
  EXPECT_EQ(routing.read_after_write_window_ms, 0u);
  EXPECT_EQ(routing.max_replica_lag_ms, 86400000u);
  EXPECT_EQ(routing.readmit_replica_lag_ms, 86399999u);
  EXPECT_EQ(routing.no_eligible_replica, NoReplicaAction::error);
  EXPECT_FALSE(routing.hints);
  EXPECT_EQ(routing.replica_retry_interval_ms, 100u);
}

TEST(RoutingTest, ConsistencyModes) {
  for (const auto& [text, mode] : {std::pair{"window", Consistency::window}, std::pair{"causal", Consistency::causal},
                                   std::pair{"none", Consistency::none}}) {
    const LoadResult result = load_with_minimal(std::string("[routing]\nconsistency = \"") + text +
                                                "\"\ncausal_wait_timeout_ms = 250\nmonotonic_reads = false\n");
    ASSERT_TRUE(result.ok()) << testing::describe(result);
    EXPECT_EQ(result.config->routing.consistency, mode) << text;
    EXPECT_EQ(result.config->routing.causal_wait_timeout_ms, 250u);
    EXPECT_FALSE(result.config->routing.monotonic_reads);
  }
  EXPECT_PROBLEM(load_with_minimal("[routing]\nconsistency = \"strong\"\n"), "routing.consistency",
                 "\"window\", \"causal\" or \"none\"");
  EXPECT_PROBLEM(load_with_minimal("[routing]\nmonotonic_reads = 1\n"), "routing.monotonic_reads", "boolean");
}

TEST(RoutingTest, ARuleMayOverrideTheConsistencyMode) {
  const LoadResult result = load_rules(std::string(rule_head) + "table = \"reports\"\nconsistency = \"none\"\n" +
                                       "[[rules]]\nname = \"s\"\nroute = \"any\"\ntable = \"orders\"\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  ASSERT_EQ(result.config->rules.size(), 2u);
  EXPECT_EQ(result.config->rules[0].consistency, std::optional<Consistency>(Consistency::none));
  EXPECT_FALSE(result.config->rules[1].consistency.has_value());
  EXPECT_PROBLEM(load_rules(std::string(rule_head) + "table = \"t\"\nconsistency = \"eventual\"\n"),
                 "rules[0].consistency", "eventual");
}

TEST(RoutingTest, NoEligibleReplicaMaster) {
  const LoadResult result =
      load_with_minimal("[routing]\nno_eligible_replica = \"error\"\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_EQ(result.config->routing.no_eligible_replica, NoReplicaAction::error);
  const LoadResult back = load_with_minimal("[routing]\nno_eligible_replica = \"master\"\n");
  ASSERT_TRUE(back.ok()) << testing::describe(back);
  EXPECT_EQ(back.config->routing.no_eligible_replica, NoReplicaAction::master);
}

TEST(RoutingTest, NoEligibleReplicaOtherValue) {
  const LoadResult result = load_with_minimal("[routing]\nno_eligible_replica = \"replica\"\n");
  EXPECT_PROBLEM(result, "routing.no_eligible_replica",
                 R"(must be "master" or "error" (got "replica"))");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_PROBLEM(load_with_minimal("[routing]\nno_eligible_replica = false\n"),
                 "routing.no_eligible_replica", "expected a string, got a boolean");
}

TEST(RoutingTest, HintsMustBeABoolean) {
  const LoadResult result = load_with_minimal("[routing]\nhints = \"yes\"\n");
  EXPECT_PROBLEM(result, "routing.hints", "expected a boolean, got a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_PROBLEM(load_with_minimal("[routing]\nhints = 1\n"), "routing.hints",
                 "expected a boolean, got an integer");
}

TEST(RoutingTest, ReadmitMustBeBelowMax) {
  const LoadResult result = load_with_minimal(
      "[routing]\nmax_replica_lag_ms = 2000\nreadmit_replica_lag_ms = 2000\n");
  ASSERT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_EQ(result.problems[0].key_path, "routing.readmit_replica_lag_ms");
  EXPECT_EQ(result.problems[0].message, "must be less than max_replica_lag_ms (2000 >= 2000)");

  const LoadResult below = load_with_minimal(
      "[routing]\nmax_replica_lag_ms = 2000\nreadmit_replica_lag_ms = 1999\n");
  ASSERT_TRUE(below.ok()) << testing::describe(below);
  EXPECT_EQ(below.config->routing.readmit_replica_lag_ms, 1999u);
}

TEST(RoutingTest, ReadmitAboveTheDefaultMax) {
  const LoadResult result = load_with_minimal("[routing]\nreadmit_replica_lag_ms = 1500\n");
  EXPECT_PROBLEM(result, "routing.readmit_replica_lag_ms",
                 "must be less than max_replica_lag_ms (1500 >= 1000)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RoutingTest, LoweringMaxBelowTheDefaultReadmitSaysSo) {
  const LoadResult result = load_with_minimal("[routing]\nmax_replica_lag_ms = 300\n");
  EXPECT_PROBLEM(result, "routing.readmit_replica_lag_ms",
                 "(500 >= 300); 500 is its default, so set it too when lowering "
                 "max_replica_lag_ms");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RoutingTest, LagBounds) {
  const auto load_lags = [](std::int64_t max, std::int64_t readmit) {
    return load_with_minimal("[routing]\nmax_replica_lag_ms = " + std::to_string(max) +
                             "\nreadmit_replica_lag_ms = " + std::to_string(readmit) + "\n");
  };
  EXPECT_TRUE(load_lags(2, 1).ok()) << testing::describe(load_lags(2, 1));
  EXPECT_PROBLEM(load_lags(0, 1), "routing.max_replica_lag_ms", "must be between 1 and 86400000");
  EXPECT_PROBLEM(load_lags(86400001, 1), "routing.max_replica_lag_ms",
                 "must be between 1 and 86400000 (got 86400001)");
  EXPECT_PROBLEM(load_lags(1000, 0), "routing.readmit_replica_lag_ms",
                 "must be between 1 and 86400000 (got 0)");
  EXPECT_PROBLEM(load_lags(1000, 86400001), "routing.readmit_replica_lag_ms",
                 "must be between 1 and 86400000");
  // max = 1 leaves no readmit value: readmit must be at least 1 and below max.
  EXPECT_PROBLEM(load_lags(1, 1), "routing.readmit_replica_lag_ms", "(1 >= 1)");
}

TEST(RoutingTest, InvalidLagValueCausesNoFollowOnProblem) {
  const LoadResult bad_max =
      load_with_minimal("[routing]\nmax_replica_lag_ms = 0\nreadmit_replica_lag_ms = 700\n");
  EXPECT_PROBLEM(bad_max, "routing.max_replica_lag_ms", "must be between");
  EXPECT_EQ(bad_max.problems.size(), 1u) << testing::describe(bad_max);
  const LoadResult bad_readmit = load_with_minimal(
      "[routing]\nmax_replica_lag_ms = 100\nreadmit_replica_lag_ms = \"50\"\n");
  EXPECT_PROBLEM(bad_readmit, "routing.readmit_replica_lag_ms", "expected an integer");
  EXPECT_EQ(bad_readmit.problems.size(), 1u) << testing::describe(bad_readmit);
}

TEST(RoutingTest, UnknownKeySuggestsTheKnownOne) {
  const LoadResult result = load_with_minimal("[routing]\nhint = true\n");
  EXPECT_PROBLEM(result, "routing.hint", "unknown key (did you mean \"hints\"?)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RoutingTest, SectionOfTheWrongShape) {
  const LoadResult result = load_with_minimal("routing = 5\n");
  EXPECT_PROBLEM(result, "routing", "expected a table ([routing]), got an integer");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

// ---- [[users]] hints -------------------------------------------------------------------

TEST(UserHintsTest, OverrideAndFallback) {
  const LoadResult result = load(std::string(testing::minimal_backends) + R"(
[routing]
hints = false
[[users]]
name = "plain"
password = "x"
[[users]]
name = "on"
password = "x"
hints = true
[[users]]
name = "off"
password = "x"
hints = false
)");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Config& config = *result.config;
  EXPECT_FALSE(config.find_user("plain")->hints.has_value());
  EXPECT_EQ(config.find_user("on")->hints, true);
  EXPECT_EQ(config.find_user("off")->hints, false);
  EXPECT_FALSE(config.hints_allowed(*config.find_user("plain")));
  EXPECT_TRUE(config.hints_allowed(*config.find_user("on")));
  EXPECT_FALSE(config.hints_allowed(*config.find_user("off")));
}

TEST(UserHintsTest, MustBeABoolean) {
  const LoadResult result = load(std::string(testing::minimal_backends) +
                                 "[[users]]\nname = \"a\"\npassword = \"x\"\nhints = \"no\"\n");
  EXPECT_PROBLEM(result, "users[0].hints", "expected a boolean, got a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

// ---- [[rules]] ---------------------------------------------------------------------------

TEST(RulesTest, ReadsEveryValueInFileOrder) {
  const LoadResult result = load_rules(R"(
[[rules]]
name = "reports-on-replicas"
digest = "SELECT * FROM `reports` WHERE `id` = ?"
digest_regex = '^SELECT .* FROM `?reports`?'
user = "app"
schema = "rwtest"
table = "rwtest.reports"
route = "replica"
max_replica_lag_ms = 5000

[[rules]]
name = "orders-on-master"
table = "orders"
route = "master"

[[rules]]
name = "tolerant"
schema = "stats"
route = "any"
max_replica_lag_ms = 1
)");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const std::vector<Rule>& rules = result.config->rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].name, "reports-on-replicas");
  EXPECT_EQ(rules[0].digest, "SELECT * FROM `reports` WHERE `id` = ?");
  EXPECT_EQ(rules[0].digest_regex, "^SELECT .* FROM `?reports`?");
  EXPECT_EQ(rules[0].user, "app");
  EXPECT_EQ(rules[0].schema, "rwtest");
  EXPECT_EQ(rules[0].table, "rwtest.reports");
  EXPECT_EQ(rules[0].route, RuleRoute::replica);
  EXPECT_EQ(rules[0].max_replica_lag_ms, 5000u);

  EXPECT_EQ(rules[1].name, "orders-on-master");
  EXPECT_FALSE(rules[1].digest.has_value());
  EXPECT_FALSE(rules[1].digest_regex.has_value());
  EXPECT_FALSE(rules[1].user.has_value());
  EXPECT_FALSE(rules[1].schema.has_value());
  EXPECT_EQ(rules[1].table, "orders");
  EXPECT_EQ(rules[1].route, RuleRoute::master);
  EXPECT_FALSE(rules[1].max_replica_lag_ms.has_value());

  EXPECT_EQ(rules[2].route, RuleRoute::any);
  EXPECT_EQ(rules[2].max_replica_lag_ms, 1u);
}

TEST(RulesTest, NameAndRouteAreRequired) {
  const LoadResult result = load_rules("[[rules]]\nschema = \"rwtest\"\n");
  EXPECT_PROBLEM(result, "rules[0].name", "missing required key");
  EXPECT_PROBLEM(result, "rules[0].route", "missing required key");
  EXPECT_EQ(result.problems.size(), 2u) << testing::describe(result);
}

TEST(RulesTest, NeedsAtLeastOneMatcher) {
  const LoadResult result = load_rules(std::string(rule_head) + "max_replica_lag_ms = 10\n");
  ASSERT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_EQ(result.problems[0].key_path, "rules[0]");
  EXPECT_EQ(result.problems[0].message,
            "a rule needs at least one matcher: digest, digest_regex, user, schema or table "
            "(none is set)");
}

TEST(RulesTest, EachMatcherAloneIsEnough) {
  for (const std::string_view matcher :
       {"digest = \"SELECT ?\"", "digest_regex = \"^SELECT\"", "user = \"app\"",
        "schema = \"rwtest\"", "table = \"reports\""}) {
    const LoadResult result = load_rules(std::string(rule_head) + std::string(matcher) + "\n");
    EXPECT_TRUE(result.ok()) << matcher << ": " << testing::describe(result);
  }
}

TEST(RulesTest, MatcherWithABadValueIsReportedOnce) {
  const LoadResult result = load_rules(std::string(rule_head) + "digest = 5\n");
  EXPECT_PROBLEM(result, "rules[0].digest", "expected a string, got an integer");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RulesTest, RouteChoices) {
  const std::pair<std::string_view, RuleRoute> cases[] = {
      {"master", RuleRoute::master}, {"replica", RuleRoute::replica}, {"any", RuleRoute::any}};
  for (const auto& [text, route] : cases) {
    const LoadResult result = load_rules("[[rules]]\nname = \"r\"\nuser = \"app\"\nroute = \"" +
                                         std::string(text) + "\"\n");
    ASSERT_TRUE(result.ok()) << text << ": " << testing::describe(result);
    EXPECT_EQ(result.config->rules[0].route, route) << text;
  }
  const LoadResult bad = load_rules("[[rules]]\nname = \"r\"\nuser = \"app\"\nroute = \"primary\"\n");
  EXPECT_PROBLEM(bad, "rules[0].route", R"(must be "master", "replica" or "any" (got "primary"))");
  EXPECT_EQ(bad.problems.size(), 1u) << testing::describe(bad);
}

TEST(RulesTest, InvalidRegexGivesTheRegexError) {
  const LoadResult result = load_rules(std::string(rule_head) + "digest_regex = \"(unclosed\"\n");
  ASSERT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_EQ(result.problems[0].key_path, "rules[0].digest_regex");
  const std::string& message = result.problems[0].message;
  EXPECT_EQ(message.rfind("not a valid ECMAScript regular expression: ", 0), 0u) << message;
  EXPECT_GT(message.size(), std::string_view("not a valid ECMAScript regular expression: ").size())
      << message;
  EXPECT_PROBLEM(load_rules(std::string(rule_head) + "digest_regex = \"[a-\"\n"),
                 "rules[0].digest_regex", "not a valid ECMAScript regular expression");
  EXPECT_PROBLEM(load_rules(std::string(rule_head) + "digest_regex = \"*x\"\n"),
                 "rules[0].digest_regex", "not a valid ECMAScript regular expression");
}

TEST(RulesTest, EcmaScriptRegexFeaturesAreAccepted) {
  const LoadResult result = load_rules(std::string(rule_head) +
                                       R"(digest_regex = '^(?:SELECT|WITH)\b.*\bFROM `?reports`?\s')" "\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
}

TEST(RulesTest, EmptyStrings) {
  const LoadResult result = load_rules(R"(
[[rules]]
name = ""
digest = ""
digest_regex = ""
user = ""
schema = ""
table = ""
route = "any"
)");
  for (const char* key : {"name", "digest", "digest_regex", "user", "schema"}) {
    EXPECT_PROBLEM(result, std::string("rules[0].") + key, "must not be empty");
  }
  EXPECT_PROBLEM(result, "rules[0].table", R"(must be "name" or "schema.name" (got ""))");
  EXPECT_EQ(result.problems.size(), 6u) << testing::describe(result);
}

TEST(RulesTest, TableForms) {
  for (const std::string_view table : {"reports", "rwtest.reports"}) {
    const LoadResult result =
        load_rules(std::string(rule_head) + "table = \"" + std::string(table) + "\"\n");
    ASSERT_TRUE(result.ok()) << table << ": " << testing::describe(result);
    EXPECT_EQ(result.config->rules[0].table, table);
  }
  for (const std::string_view table : {".reports", "rwtest.", "a.b.c", "."}) {
    const LoadResult result =
        load_rules(std::string(rule_head) + "table = \"" + std::string(table) + "\"\n");
    EXPECT_PROBLEM(result, "rules[0].table",
                   "must be \"name\" or \"schema.name\" (got \"" + std::string(table) + "\")");
    EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
  }
}

TEST(RulesTest, DuplicateNames) {
  const LoadResult result = load_rules(R"(
[[rules]]
name = "same"
table = "a"
route = "master"
[[rules]]
name = "other"
table = "b"
route = "master"
[[rules]]
name = "same"
table = "c"
route = "replica"
)");
  EXPECT_PROBLEM(result, "rules[2].name", "duplicate rule name \"same\" (also rules[0])");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RulesTest, UserMustBeAConfiguredUser) {
  const LoadResult result = load_rules(std::string(rule_head) + "user = \"ap\"\n");
  EXPECT_PROBLEM(result, "rules[0].user",
                 "no [[users]] entry is named \"ap\", so the rule could never match (did you "
                 "mean \"app\"?)");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
  const LoadResult unrelated = load_rules(std::string(rule_head) + "user = \"reporting\"\n");
  ASSERT_EQ(unrelated.problems.size(), 1u) << testing::describe(unrelated);
  EXPECT_EQ(unrelated.problems[0].message,
            "no [[users]] entry is named \"reporting\", so the rule could never match");
}

TEST(RulesTest, UnknownUserIsNotJudgedWhileUsersHaveProblems) {
  const LoadResult result = load(std::string(testing::minimal_backends) + std::string(rule_head) +
                                 "user = \"app\"\n[[users]]\nname = 5\npassword = \"x\"\n");
  EXPECT_PROBLEM(result, "users[0].name", "expected a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RulesTest, MaxReplicaLagMustBeAnInteger) {
  const LoadResult result = load_rules(std::string(rule_head) +
                                       "table = \"t\"\nmax_replica_lag_ms = \"5s\"\n");
  EXPECT_PROBLEM(result, "rules[0].max_replica_lag_ms", "expected an integer, got a string");
  EXPECT_EQ(result.problems.size(), 1u) << testing::describe(result);
}

TEST(RulesTest, ProblemsNameTheRightElement) {
  const LoadResult result = load_rules(R"(
[[rules]]
name = "fine"
table = "a"
route = "master"
[[rules]]
name = "typo"
table = "b"
rout = "master"
)");
  EXPECT_PROBLEM(result, "rules[1].rout", "unknown key (did you mean \"route\"?)");
  EXPECT_PROBLEM(result, "rules[1].route", "missing required key");
  EXPECT_EQ(result.problems.size(), 2u) << testing::describe(result);
}

TEST(RulesTest, SectionOfTheWrongShape) {
  const LoadResult table = load_rules("[rules]\nname = \"r\"\n");
  EXPECT_PROBLEM(table, "rules", "expected an array of tables ([[rules]]), got a table");
  EXPECT_EQ(table.problems.size(), 1u) << testing::describe(table);
  const LoadResult element = load_rules("rules = [1]\n");
  EXPECT_PROBLEM(element, "rules[0]", "expected a table, got an integer");
  EXPECT_EQ(element.problems.size(), 1u) << testing::describe(element);
}

TEST(RulesTest, NoRulesIsFine) {
  const LoadResult result = load_rules("rules = []\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_TRUE(result.config->rules.empty());
}

}  // namespace
}  // namespace rwproxy::config
