// timeouts.query_timeout_ms: a statement whose backend stays silent too long gets ERR 1969
// (ER_STATEMENT_TIMEOUT) from the proxy at the limit, and the session goes on.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/support/proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

class QueryTimeoutTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.values["timeouts.query_timeout_ms"] = "500";
    return settings;
  }

  // The server goes on sleeping after the proxy closed the connection: end it, so that the next
  // test does not find an app connection it did not open.
  void TearDown() override {
    ConnectOptions options = master_options(topology_.app_db);
    options.user = topology_.admin.user;
    options.password = topology_.admin.password;
    auto admin = connect(options);
    const Rows sleeping = admin->query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" +
                                       topology_.app.user + "' AND INFO LIKE 'SELECT SLEEP(5)%'");
    for (const Row& row : sleeping) {
      if (row.at(0)) admin->query_all("KILL " + *row.at(0));
    }
    ProxyTest::TearDown();
  }
};

TEST_F(QueryTimeoutTest, SilentBackendPastTheLimitGetsErr1969AndTheSessionGoesOn) {
  auto connection = connect(app_options(topology_.app_db));
  const auto started = std::chrono::steady_clock::now();
  const MultiResult slow = connection->query_all("SELECT SLEEP(5)");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(slow.error) << "SLEEP(5) finished despite a 500 ms query timeout";
  EXPECT_EQ(slow.error->code, 1969u) << *slow.error;
  EXPECT_EQ(slow.error->sql_state, "70100") << *slow.error;
  EXPECT_NE(slow.error->message.find("query_timeout_ms"), std::string::npos) << *slow.error;
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 4s) << "the error came only when the statement ended by itself";
  // Same connection: the proxy opened a new backend connection for the next statement.
  EXPECT_EQ(connection->server_id(), master_server_id);
  EXPECT_EQ(connection->query("SELECT SLEEP(0.1)"), (Rows{{"0"}}));
}

}  // namespace
}  // namespace rwproxy::test
