#include "tests/integration/support/replica_proxy_test.hpp"

#include "tests/integration/support/polling.hpp"

namespace rwproxy::test {

using namespace std::chrono_literals;

ProxySettings ReplicaProxyTest::proxy_settings() {
  ProxySettings settings = ProxyTest::proxy_settings();
  settings.master_only = false;
  settings.users_toml = users_with_passwords();
  settings.values["monitor.enabled"] = "true";
  settings.values["monitor.user"] = "\"rwmonitor\"";
  settings.values["monitor.password"] = "\"monitor-secret\"";
  settings.values["monitor.interval_ms"] = std::to_string(monitor_interval());
  settings.values["metrics.enabled"] = "true";
  settings.values["metrics.listen_port"] = "0";
  // These tests check that one session's state reaches every replica, so its reads must spread
  // over both; monotonic reads (which keep a session on one replica) have their own tests.
  settings.values["routing.monotonic_reads"] = "false";
  // The read-after-write window tests predate GTID positions; causal reads have their own fixture.
  settings.values["routing.consistency"] = "\"window\"";
  return settings;
}

void ReplicaProxyTest::SetUp() {
  ProxyTest::SetUp();
  metrics_port_ = proxy().metrics_port();
  for (std::size_t i = 0; i < topology_.replica_ports.size(); ++i) {
    ASSERT_TRUE(wait_eligible(replica_name(i), true, 20s)) << "log:\n" << proxy().log_tail();
    // Eligible comes before the first heartbeat is seen (lag unknown): wait for a measured lag too.
    ASSERT_TRUE(poll_until(20s, [&] {
      return metrics().value("rwproxy_replication_lag_seconds", {{"backend", replica_name(i)}}).has_value();
    })) << replica_name(i) << ": no measured lag; log:\n" << proxy().log_tail();
  }
}

std::optional<bool> ReplicaProxyTest::replica_eligible(const std::string& backend) const {
  const auto value = metrics().value("rwproxy_replica_eligible", {{"backend", backend}});
  if (!value) return std::nullopt;
  return *value == 1;
}

::testing::AssertionResult ReplicaProxyTest::wait_eligible(const std::string& backend, bool eligible,
                                                           std::chrono::milliseconds timeout) {
  std::optional<bool> last;
  if (poll_until(timeout, [&] { return (last = replica_eligible(backend)) == eligible; })) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "rwproxy_replica_eligible{backend=\"" << backend << "\"} did not become "
                                       << eligible << " within " << timeout.count() << " ms (last: "
                                       << (last ? std::to_string(*last) : std::string("absent")) << ")";
}

void ReplicaProxyTest::create_table_everywhere(const std::string& name, const std::string& columns,
                                               const std::string& insert) {
  auto master = connect_master();
  master->execute("DROP TABLE IF EXISTS " + name);
  master->execute("CREATE TABLE " + name + " (" + columns + ")");
  if (!insert.empty()) master->execute(insert);
  ASSERT_TRUE(replicas_caught_up(topology_, 30s));
}

}  // namespace rwproxy::test
