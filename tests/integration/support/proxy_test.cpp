#include "tests/integration/support/proxy_test.hpp"

namespace rwproxy::test {

void ProxyTest::SetUp() {
  topology_ = Topology::load();
  proxy_.emplace(topology_, proxy_settings());
}

void ProxyTest::TearDown() { proxy_.reset(); }

ConnectOptions ProxyTest::app_options(std::optional<std::string> database) const {
  ConnectOptions options = master_options(std::move(database));
  options.host = "127.0.0.1";
  options.port = proxy_->port();
  return options;
}

ConnectOptions ProxyTest::master_options(std::optional<std::string> database) const {
  ConnectOptions options;
  options.host = topology_.host;
  options.port = topology_.master_port;
  options.user = topology_.app.user;
  options.password = topology_.app.password;
  options.database = std::move(database);
  return options;
}

std::unique_ptr<MysqlConnection> ProxyTest::connect(const ConnectOptions& options) {
  auto connection = std::make_unique<MysqlConnection>(options);
  if (!connection->connected()) {
    throw QueryFailed("connect as " + options.user + " to port " + std::to_string(options.port),
                      connection->last_error());
  }
  return connection;
}

void ProxyTest::expect_proxy_serves() {
  ASSERT_TRUE(proxy_->running()) << "rwproxy died; log:\n" << proxy_->log_tail();
  MysqlConnection fresh(app_options());
  ASSERT_TRUE(fresh.connected()) << "a fresh connection failed: " << fresh.last_error();
  EXPECT_EQ(fresh.server_id(), master_server_id);
}

std::string ProxyTest::users_with_passwords() const {
  std::string toml;
  for (const Account* account : {&topology_.app, &topology_.admin}) {
    toml += "[[users]]\nname = \"" + account->user + "\"\npassword = \"" + account->password + "\"\n\n";
  }
  return toml;
}

}  // namespace rwproxy::test
