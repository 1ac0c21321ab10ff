// How many clients a descriptor limit serves, and the start-up log line about it.
#include "proxy/server/file_limit.hpp"

#include <gtest/gtest.h>

namespace rwproxy::server {
namespace {

config::Config two_replicas() {
  config::Config config;
  config.backends = {{"master", config::BackendRole::master, "127.0.0.1", 3306, 1},
                     {"replica1", config::BackendRole::replica, "127.0.0.1", 3307, 1},
                     {"replica2", config::BackendRole::replica, "127.0.0.1", 3308, 1}};
  return config;
}

TEST(FileLimitTest, MultiplexedClientsNeedOneDescriptorEachBesidesThePools) {
  config::Config config = two_replicas();
  config.pool.multiplexing = true;
  config.pool.max_connections_per_backend = 64;
  // 20000 - 64 reserved - 3 backends x 64 pooled.
  EXPECT_EQ(clients_allowed(20000, config), 20000u - 64 - 192);
}

TEST(FileLimitTest, WithoutMultiplexingAClientMayHoldAConnectionToEveryBackend) {
  config::Config config = two_replicas();
  config.pool.multiplexing = false;
  EXPECT_EQ(clients_allowed(20000, config), (20000u - 64) / 4);
}

TEST(FileLimitTest, ATinyLimitAllowsNone) {
  config::Config config = two_replicas();
  EXPECT_EQ(clients_allowed(50, config), 0u);
  EXPECT_EQ(clients_allowed(100, config), 0u);
}

TEST(FileLimitTest, TheLogLineSaysWhenMaxClientConnectionsDoesNotFit) {
  config::Config config = two_replicas();
  config.proxy.max_client_connections = 10000;
  const std::string raised = describe_file_limit(FileLimit{1024, 20000}, config);
  EXPECT_NE(raised.find("raised from 1024 to 20000"), std::string::npos) << raised;
  EXPECT_EQ(raised.find("max_client_connections"), std::string::npos) << raised;
  const std::string short_of = describe_file_limit(FileLimit{1024, 1024}, config);
  EXPECT_NE(short_of.find("open files limit 1024"), std::string::npos) << short_of;
  EXPECT_NE(short_of.find("max_client_connections (10000) is more"), std::string::npos) << short_of;
}

}  // namespace
}  // namespace rwproxy::server
