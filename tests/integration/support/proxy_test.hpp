// Base fixture: loads the topology and runs one rwproxy per test (so a crash is blamed on the
// test that caused it). Derived fixtures override proxy_settings(), starting from the base's.
// Replica routing has tests of its own: here the proxy runs with the master as its only backend,
// so every statement must be served by server_id 1.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "tests/integration/support/mysql_connection.hpp"
#include "tests/integration/support/proxy_process.hpp"
#include "tests/integration/support/topology.hpp"

namespace rwproxy::test {

inline constexpr int master_server_id = 1;

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual ProxySettings proxy_settings() { return {.values = {}, .users_toml = std::nullopt, .master_only = true, .extra_toml = {}}; }

  ProxyProcess& proxy() { return *proxy_; }

  // As the app user, through the proxy / straight to the master (usable in proxy_settings()).
  ConnectOptions app_options(std::optional<std::string> database = std::nullopt) const;
  ConnectOptions master_options(std::optional<std::string> database = std::nullopt) const;
  // A connection that must succeed (throws with the error otherwise).
  static std::unique_ptr<MysqlConnection> connect(const ConnectOptions& options);

  // The proxy is alive and a fresh connection through it is served by the master.
  void expect_proxy_serves();

  // [[users]] tables for the app and the admin account, with clear-text passwords.
  std::string users_with_passwords() const;

  Topology topology_;

 private:
  std::optional<ProxyProcess> proxy_;
};

}  // namespace rwproxy::test
