// SIGTERM: the proxy stops accepting at once, lets a running statement finish and deliver its
// result, closes idle sessions, and exits 0 within shutdown_timeout_ms.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "tests/integration/support/mysql_connection.hpp"
#include "tests/integration/support/proxy_test.hpp"
#include "tests/integration/support/raw_socket.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto shutdown_timeout = 8000ms;
constexpr std::string_view long_statement = "SELECT SLEEP(1) AS slept, @@server_id AS server";

class ShutdownTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.values["timeouts.shutdown_timeout_ms"] = std::to_string(shutdown_timeout.count());
    return settings;
  }

  // Waits until the master shows `statement` running (the app user sees its own threads).
  bool running_on_master(std::string_view statement, std::chrono::milliseconds timeout) {
    auto master = connect(master_options());
    const std::string probe = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = '" +
                              std::string(statement) + "'";
    for (const auto deadline = Clock::now() + timeout; Clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
      if (master->scalar(probe) == "1") return true;
    }
    return false;
  }

  // Connection attempts until one is refused; false if every attempt within `timeout` got in.
  bool refuses_connections(std::chrono::milliseconds timeout) {
    for (const auto deadline = Clock::now() + timeout; Clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
      int error = 0;
      UniqueFd fd = connect_tcp(proxy().port(), &error);  // one that still got in is closed at once
      if (!fd && error == ECONNREFUSED) return true;
    }
    return false;
  }
};

TEST_F(ShutdownTest, SigtermLetsTheRunningStatementFinishThenExitsZero) {
  auto busy = connect(app_options());
  auto idle = connect(app_options());
  ASSERT_EQ(busy->server_id(), master_server_id);
  ASSERT_EQ(idle->server_id(), master_server_id);

  ASSERT_EQ(mysql_send_query(busy->handle(), long_statement.data(), long_statement.size()), 0) << busy->last_error();
  ASSERT_TRUE(running_on_master(long_statement, 900ms)) << "the statement never showed up on the master";
  const auto sigterm_sent = Clock::now();
  proxy().terminate();

  EXPECT_TRUE(refuses_connections(500ms)) << "new connections were still accepted after SIGTERM";
  ASSERT_EQ(mysql_read_query_result(busy->handle()), 0) << busy->last_error();
  MYSQL_RES* result = mysql_store_result(busy->handle());
  ASSERT_NE(result, nullptr) << busy->last_error();
  EXPECT_EQ(fetch_rows(result), (Rows{{"0", "1"}}));
  mysql_free_result(result);

  const auto status = proxy().wait_exit(shutdown_timeout + 2s);
  ASSERT_TRUE(status) << "rwproxy still running " << (shutdown_timeout + 2s).count() << " ms after SIGTERM";
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sigterm_sent);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
  // The idle session must not hold the shutdown until the timeout.
  EXPECT_LT(took, shutdown_timeout) << "exit took " << took.count() << " ms";

  EXPECT_NE(mysql_query(idle->handle(), "SELECT 1"), 0) << "the idle session outlived the proxy";
  EXPECT_NE(mysql_query(busy->handle(), "SELECT 1"), 0) << "the busy session outlived the proxy";
}

}  // namespace
}  // namespace rwproxy::test
