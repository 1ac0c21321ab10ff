// Loading: valid configs, defaults, syntax errors, several problems at once, files.
#include "proxy/config/config_loader.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "problem_matchers.hpp"

namespace rwproxy::config {
namespace {

using testing::load;
using testing::load_with_minimal;

TEST(ConfigLoaderTest, MinimalConfigTakesEveryDefault) {
  const LoadResult result = load_with_minimal("");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_TRUE(result.problems.empty());
  const Config& config = *result.config;
  const Config defaults;
  EXPECT_EQ(config.proxy.listen_address, defaults.proxy.listen_address);
  EXPECT_EQ(config.proxy.listen_port, 6033);
  EXPECT_EQ(config.proxy.worker_threads, 2u);
  EXPECT_EQ(config.proxy.max_packet_size, 67108864u);
  EXPECT_EQ(config.proxy.server_version, "5.5.5-10.11.0-MariaDB-rwproxy");
  EXPECT_EQ(config.proxy.max_client_connections, 10000u);
  EXPECT_EQ(config.timeouts.connect_timeout_ms, 2000u);
  EXPECT_EQ(config.timeouts.handshake_timeout_ms, 5000u);
  EXPECT_EQ(config.timeouts.client_idle_timeout_ms, 28800000u);
  EXPECT_EQ(config.timeouts.shutdown_timeout_ms, 10000u);
  EXPECT_EQ(config.routing.read_after_write_window_ms, 1000u);
  EXPECT_EQ(config.routing.max_replica_lag_ms, 1000u);
  EXPECT_EQ(config.routing.readmit_replica_lag_ms, 500u);
  EXPECT_EQ(config.routing.no_eligible_replica, NoReplicaAction::master);
  EXPECT_TRUE(config.routing.hints);
  EXPECT_EQ(config.routing.replica_retry_interval_ms, 5000u);
  EXPECT_TRUE(config.rules.empty());
  ASSERT_EQ(config.backends.size(), 1u);
  EXPECT_EQ(config.backends[0].name, "master0");
  EXPECT_EQ(config.backends[0].host, "127.0.0.1");
  EXPECT_EQ(config.backends[0].weight, 1u);
  ASSERT_EQ(config.users.size(), 1u);
  EXPECT_EQ(config.users[0].password, "secret");
  EXPECT_FALSE(config.users[0].password_hash.has_value());
  EXPECT_FALSE(config.users[0].hints.has_value());
  EXPECT_TRUE(config.hints_allowed(config.users[0]));
}

TEST(ConfigLoaderTest, ReadsEveryValue) {
  const LoadResult result = load(R"(
[proxy]
listen_address = "::1"
listen_port = 7000
worker_threads = 0
max_packet_size = 1024
server_version = "8.0.36-rwproxy"
max_client_connections = 5

[timeouts]
connect_timeout_ms = 1
handshake_timeout_ms = 4294967295
client_idle_timeout_ms = 0
shutdown_timeout_ms = 0

[routing]
read_after_write_window_ms = 3600000
max_replica_lag_ms = 2000
readmit_replica_lag_ms = 1
no_eligible_replica = "error"
hints = false
replica_retry_interval_ms = 3600000

[[backends]]
role = "replica"
host = "db-replica"
port = 3307
weight = 1000

[[backends]]
name = "primary"
role = "master"
host = "db-master"
port = 3306

[[users]]
name = "hashed"
password_hash = "*6c7a370c07660bc788681b3238d93e08bd74303c"

[[users]]
name = "empty"
password = ""
hints = true

[[rules]]
name = "hashed-on-master"
user = "hashed"
route = "master"
)");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Config& config = *result.config;
  EXPECT_EQ(config.proxy.listen_address, "::1");
  EXPECT_EQ(config.proxy.listen_port, 7000);
  EXPECT_EQ(config.proxy.worker_threads, 0u);
  EXPECT_EQ(config.proxy.max_packet_size, 1024u);
  EXPECT_EQ(config.proxy.server_version, "8.0.36-rwproxy");
  EXPECT_EQ(config.proxy.max_client_connections, 5u);
  EXPECT_EQ(config.timeouts.connect_timeout_ms, 1u);
  EXPECT_EQ(config.timeouts.handshake_timeout_ms, 4294967295u);
  EXPECT_EQ(config.timeouts.client_idle_timeout_ms, 0u);
  EXPECT_EQ(config.timeouts.shutdown_timeout_ms, 0u);
  EXPECT_EQ(config.routing.read_after_write_window_ms, 3600000u);
  EXPECT_EQ(config.routing.max_replica_lag_ms, 2000u);
  EXPECT_EQ(config.routing.readmit_replica_lag_ms, 1u);
  EXPECT_EQ(config.routing.no_eligible_replica, NoReplicaAction::error);
  EXPECT_FALSE(config.routing.hints);
  EXPECT_EQ(config.routing.replica_retry_interval_ms, 3600000u);
  ASSERT_EQ(config.backends.size(), 2u);
  EXPECT_EQ(config.backends[0].name, "replica0");
  EXPECT_EQ(config.backends[0].host, "db-replica");
  EXPECT_EQ(config.backends[0].weight, 1000u);
  EXPECT_EQ(config.master(), &config.backends[1]);
  EXPECT_EQ(config.master()->name, "primary");
  EXPECT_EQ(config.master()->host, "db-master");
  ASSERT_NE(config.find_user("hashed"), nullptr);
  EXPECT_EQ(config.find_user("hashed")->password_hash,
            "*6c7a370c07660bc788681b3238d93e08bd74303c");
  EXPECT_FALSE(config.find_user("hashed")->password.has_value());
  EXPECT_EQ(config.find_user("empty")->password, "");
  EXPECT_FALSE(config.hints_allowed(*config.find_user("hashed")));
  EXPECT_TRUE(config.hints_allowed(*config.find_user("empty")));
  ASSERT_EQ(config.rules.size(), 1u);
  EXPECT_EQ(config.rules[0].name, "hashed-on-master");
  EXPECT_EQ(config.rules[0].user, "hashed");
  EXPECT_EQ(config.rules[0].route, RuleRoute::master);
}

TEST(ConfigLoaderTest, SyntaxErrorGivesLineAndColumn) {
  const LoadResult result = load("[proxy]\nlisten_port = 6033\nworker_threads = = 2\n");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_EQ(result.problems[0].key_path, "");
  EXPECT_NE(result.problems[0].message.find("syntax error at line 3, column 18"),
            std::string::npos)
      << result.problems[0].message;
  EXPECT_EQ(result.problems[0].source, "test.toml");
}

TEST(ConfigLoaderTest, DuplicateTomlKeyIsASyntaxError) {
  const LoadResult result = load_with_minimal("[proxy]\nlisten_port = 1\nlisten_port = 2\n");
  ASSERT_EQ(result.problems.size(), 1u) << testing::describe(result);
  EXPECT_NE(result.problems[0].message.find("syntax error"), std::string::npos);
}

TEST(ConfigLoaderTest, ReportsEveryProblemAtOnce) {
  const LoadResult result = load(R"(
[proxy]
listen_port = 70000
lisen_address = "127.0.0.1"

[timeouts]
connect_timeout_ms = 0

[[backends]]
name = "a"
role = "replica"
port = 70000

[[backends]]
name = "a"
role = "replica"

[[users]]
name = "app"
)");
  ASSERT_FALSE(result.ok());
  EXPECT_PROBLEM(result, "proxy.listen_port", "between 0 and 65535");
  EXPECT_PROBLEM(result, "proxy.lisen_address", "unknown key");
  EXPECT_PROBLEM(result, "timeouts.connect_timeout_ms", "between 1 and 4294967295");
  EXPECT_PROBLEM(result, "backends[0].port", "(got 70000)");
  EXPECT_PROBLEM(result, "backends[1].name", "duplicate backend name \"a\"");
  EXPECT_PROBLEM(result, "backends", "no backend has role = \"master\"");
  EXPECT_PROBLEM(result, "users[0]", "neither is set");
  EXPECT_EQ(result.problems.size(), 7u) << testing::describe(result);
  for (const ConfigProblem& problem : result.problems) EXPECT_EQ(problem.source, "test.toml");
}

TEST(ConfigLoaderTest, EmptyDocumentNeedsBackendsAndUsers) {
  const LoadResult result = load("");
  EXPECT_PROBLEM(result, "backends", "no backends");
  EXPECT_PROBLEM(result, "users", "no users");
  EXPECT_EQ(result.problems.size(), 2u) << testing::describe(result);
}

TEST(ConfigLoaderTest, LoadsAFile) {
  const auto path = std::filesystem::temp_directory_path() / "rwproxy_config_loader_test.toml";
  {
    std::ofstream out(path);
    out << testing::minimal_backends << testing::minimal_users << "[proxy]\nlisten_port = 1\n";
  }
  const LoadResult result = load_config_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_EQ(result.config->proxy.listen_port, 1);
}

TEST(ConfigLoaderTest, FileProblemsNameTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "rwproxy_config_loader_bad.toml";
  {
    std::ofstream out(path);
    out << testing::minimal_backends << testing::minimal_users << "[proxy]\nlisten_port = 65536\n";
  }
  const LoadResult result = load_config_file(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(format_problems(result.problems),
            path.string() + ": proxy.listen_port: must be between 0 and 65535 (got 65536)\n");
}

TEST(ConfigLoaderTest, MissingFileIsAProblemNotAnException) {
  const LoadResult result = load_config_file("/nonexistent/rwproxy.toml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].source, "/nonexistent/rwproxy.toml");
  EXPECT_NE(result.problems[0].message.find("No such file"), std::string::npos)
      << result.problems[0].message;
}

TEST(ConfigLoaderTest, DirectoryIsAProblem) {
  const LoadResult result = load_config_file(std::filesystem::temp_directory_path().string());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_NE(result.problems[0].message.find("directory"), std::string::npos);
}

TEST(ConfigLoaderTest, KnownKeysAreDottedWithArrayMarkers) {
  const std::vector<std::string> keys = known_keys();
  const auto has = [&](std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  EXPECT_TRUE(has("proxy.listen_port"));
  EXPECT_TRUE(has("timeouts.connect_timeout_ms"));
  EXPECT_TRUE(has("backends[].host"));
  EXPECT_TRUE(has("users[].password_hash"));
  EXPECT_TRUE(has("users[].hints"));
  EXPECT_TRUE(has("routing.read_after_write_window_ms"));
  EXPECT_TRUE(has("routing.hints"));
  EXPECT_TRUE(has("rules[].digest_regex"));
  EXPECT_TRUE(has("rules[].max_replica_lag_ms"));
  EXPECT_FALSE(has("backends.host"));
  EXPECT_FALSE(has("rules.route"));
}

}  // namespace
}  // namespace rwproxy::config
