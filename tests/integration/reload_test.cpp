// SIGHUP re-reads the config: a new [[rules]] entry takes effect in running sessions, a broken
// file is refused whole and the running configuration is kept; both are counted in
// rwproxy_config_reloads_total.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

class ReloadTest : public ReplicaProxyTest {
 protected:
  std::string read_config() {
    std::ifstream in(proxy().config_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void write_config(const std::string& text) {
    std::ofstream out(proxy().config_path(), std::ios::trunc);
    out << text;
  }
  double reloads(const char* result) {
    return metrics().value("rwproxy_config_reloads_total", {{"result", result}}).value_or(-1);
  }
  int served_by(MysqlConnection& connection, const std::string& sql) {
    auto id = connection.scalar(sql);
    if (!id) throw std::runtime_error(sql + ": NULL");
    return std::stoi(*id);
  }
};

TEST_F(ReloadTest, SighupAppliesANewRuleToRunningSessionsAndRefusesABrokenFile) {
  create_table_everywhere("reload_t", "id INT PRIMARY KEY", "INSERT INTO reload_t VALUES (1)");
  auto connection = connect_proxy();
  const std::string sql = "SELECT @@server_id FROM reload_t";
  ASSERT_PRED1(is_replica_id, poll_until_replica([&] { return served_by(*connection, sql); }));
  EXPECT_EQ(reloads("success"), 0.0);

  const std::string original = read_config();
  write_config(original + "\n[[rules]]\nname = \"reload-to-master\"\ntable = \"reload_t\"\nroute = \"master\"\n");
  ASSERT_EQ(kill(proxy().pid(), SIGHUP), 0);
  EXPECT_TRUE(poll_until(10s, [&] { return reloads("success") == 1.0; })) << proxy().log_tail();
  // The same session, without reconnecting, now follows the new rule.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(served_by(*connection, sql), 1);
  EXPECT_EQ(connection->query("EXPLAIN ROUTE SELECT * FROM reload_t").size() > 0, true);

  write_config(original +
               "\n[[rules]]\nname = \"reload-to-master\"\ntable = \"reload_t\"\nroute = \"master\"\nno_such_key = 1\n");
  ASSERT_EQ(kill(proxy().pid(), SIGHUP), 0);
  EXPECT_TRUE(poll_until(10s, [&] { return reloads("failure") == 1.0; })) << proxy().log_tail();
  // Refused whole: the rule from the last good reload still applies.
  EXPECT_EQ(served_by(*connection, sql), 1);
  EXPECT_NE(proxy().log_tail().find("no_such_key"), std::string::npos);
}

}  // namespace
}  // namespace rwproxy::test
