#include "proxy/config/config.hpp"

#include <gtest/gtest.h>

namespace rwproxy::config {
namespace {

Config three_backends() {
  Config config;
  config.backends = {
      {"replica0", BackendRole::replica, "127.0.0.1", 23307, 1},
      {"master", BackendRole::master, "127.0.0.1", 23306, 1},
      {"replica2", BackendRole::replica, "127.0.0.1", 23308, 3},
  };
  config.users = {{"app", "app-secret", std::nullopt, std::nullopt},
                  {"other", std::nullopt, "*00", std::nullopt}};
  return config;
}

TEST(ConfigTest, MasterIsTheBackendWithMasterRole) {
  const Config config = three_backends();
  ASSERT_NE(config.master(), nullptr);
  EXPECT_EQ(config.master()->name, "master");
  EXPECT_EQ(config.master(), &config.backends[1]);
}

TEST(ConfigTest, MasterIsNullWithoutOne) {
  EXPECT_EQ(Config{}.master(), nullptr);
}

TEST(ConfigTest, ReplicasKeepFileOrder) {
  const Config config = three_backends();
  const std::vector<const Backend*> replicas = config.replicas();
  ASSERT_EQ(replicas.size(), 2u);
  EXPECT_EQ(replicas[0], &config.backends[0]);
  EXPECT_EQ(replicas[1], &config.backends[2]);
}

TEST(ConfigTest, FindUserMatchesExactName) {
  const Config config = three_backends();
  ASSERT_NE(config.find_user("app"), nullptr);
  EXPECT_EQ(config.find_user("app")->password, "app-secret");
  EXPECT_EQ(config.find_user("other"), &config.users[1]);
  EXPECT_EQ(config.find_user("APP"), nullptr);
  EXPECT_EQ(config.find_user(""), nullptr);
}

TEST(ConfigTest, RoleNames) {
  EXPECT_EQ(to_string(BackendRole::master), "master");
  EXPECT_EQ(to_string(BackendRole::replica), "replica");
}

TEST(ConfigTest, RoutingEnumNamesAreTheConfigStrings) {
  EXPECT_EQ(to_string(NoReplicaAction::master), "master");
  EXPECT_EQ(to_string(NoReplicaAction::error), "error");
  EXPECT_EQ(to_string(RuleRoute::master), "master");
  EXPECT_EQ(to_string(RuleRoute::replica), "replica");
  EXPECT_EQ(to_string(RuleRoute::any), "any");
}

TEST(ConfigTest, HintsAllowedUsesTheUserOverrideElseRouting) {
  Config config;
  User plain{"plain", "x", std::nullopt, std::nullopt};
  User on{"on", "x", std::nullopt, true};
  User off{"off", "x", std::nullopt, false};
  EXPECT_TRUE(config.hints_allowed(plain));
  EXPECT_TRUE(config.hints_allowed(on));
  EXPECT_FALSE(config.hints_allowed(off));
  config.routing.hints = false;
  EXPECT_FALSE(config.hints_allowed(plain));
  EXPECT_TRUE(config.hints_allowed(on));
  EXPECT_FALSE(config.hints_allowed(off));
}

TEST(ConfigTest, RoutingAndRuleDefaults) {
  const Routing routing;
  EXPECT_EQ(routing.read_after_write_window_ms, 1000u);
  EXPECT_EQ(routing.max_replica_lag_ms, 1000u);
  EXPECT_EQ(routing.readmit_replica_lag_ms, 500u);
  EXPECT_EQ(routing.no_eligible_replica, NoReplicaAction::master);
  EXPECT_TRUE(routing.hints);
  EXPECT_EQ(routing.replica_retry_interval_ms, 5000u);
  const Rule rule;
  EXPECT_EQ(rule.route, RuleRoute::any);
  EXPECT_FALSE(rule.max_replica_lag_ms.has_value());
  EXPECT_TRUE(Config{}.rules.empty());
}

}  // namespace
}  // namespace rwproxy::config
