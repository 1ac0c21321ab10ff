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
  config.users = {{"app", "app-secret", std::nullopt}, {"other", std::nullopt, "*00"}};
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

}  // namespace
}  // namespace rwproxy::config
