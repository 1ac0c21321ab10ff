// The Prometheus endpoint of a proxy with replicas and the monitor: backend health, replica
// eligibility and lag, and routing counters that move with the statements the test sends.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

class MetricsTest : public ReplicaProxyTest {};

TEST_F(MetricsTest, BackendsAreUpAndReplicasEligibleWithAMeasuredLag) {
  // Replication right after an earlier test's writes can lag a moment on a loaded machine (once
  // 2.1 s under ASan), which makes a replica ineligible for that moment: scrape until both are
  // eligible with less than a second of lag, for up to 10 s, then check that scrape.
  MetricsText m = metrics();
  poll_until(10s, [&] {
    m = metrics();
    for (const char* replica : {"replica1", "replica2"}) {
      const auto lag = m.value("rwproxy_replication_lag_seconds", {{"backend", replica}});
      if (m.value("rwproxy_replica_eligible", {{"backend", replica}}) != 1.0 || !lag || *lag >= 1.0) return false;
    }
    return true;
  }, 200ms);
  EXPECT_EQ(m.value("rwproxy_backend_up", {{"backend", "master"}, {"role", "master"}}), 1.0);
  for (const char* replica : {"replica1", "replica2"}) {
    SCOPED_TRACE(replica);
    EXPECT_EQ(m.value("rwproxy_backend_up", {{"backend", replica}, {"role", "replica"}}), 1.0);
    EXPECT_EQ(m.value("rwproxy_replica_eligible", {{"backend", replica}}), 1.0);
    EXPECT_EQ(m.value("rwproxy_replication_threads_running", {{"backend", replica}}), 1.0);
    const auto lag = m.value("rwproxy_replication_lag_seconds", {{"backend", replica}});
    ASSERT_TRUE(lag.has_value());
    EXPECT_GE(*lag, 0.0);
    EXPECT_LT(*lag, 1.0);
  }
  EXPECT_EQ(m.value("rwproxy_max_replica_lag_seconds"), 1.0);
  EXPECT_EQ(m.value("rwproxy_build_info").value_or(0), 1.0);
}

TEST_F(MetricsTest, RoutingCountersFollowTheStatements) {
  create_table_everywhere("mt_rows", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO mt_rows VALUES (1, 0)");
  const MetricsText before = metrics();
  auto connection = connect_proxy();
  for (int i = 0; i < 10; ++i) ASSERT_PRED1(is_replica_id, connection->server_id());
  connection->execute("UPDATE mt_rows SET v = 1 WHERE id = 1");
  ASSERT_EQ(connection->server_id(), 1);  // inside the read-after-write window

  const MetricsText after = metrics();
  auto delta = [&](const std::string& name, const Labels& labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  };
  EXPECT_GE(delta("rwproxy_routed_statements_total", {{"target", "replica"}, {"reason", "read"}}), 10);
  EXPECT_GE(delta("rwproxy_routed_statements_total", {{"target", "master"}, {"reason", "write"}}), 1);
  EXPECT_GE(delta("rwproxy_routed_statements_total", {{"target", "master"}, {"reason", "read_after_write_window"}}), 1);
  EXPECT_GE(delta("rwproxy_read_after_write_redirects_total", {}), 1);
  EXPECT_GE(delta("rwproxy_backend_statements_total", {{"backend", "replica1"}}) +
                delta("rwproxy_backend_statements_total", {{"backend", "replica2"}}),
            10);
  EXPECT_GE(delta("rwproxy_client_connections_total", {}), 1);
  EXPECT_GE(after.value("rwproxy_client_connections").value_or(0), 1);
}

TEST_F(MetricsTest, ExplainRouteListsReplicasWithTheirLag) {
  auto connection = connect_proxy();
  std::string replicas;
  for (const Row& row : connection->query("EXPLAIN ROUTE SELECT 1")) {
    if (row.size() == 2 && row[0] == "replica") replicas += row[1].value_or("") + "\n";
  }
  EXPECT_NE(replicas.find("replica1: up, lag "), std::string::npos) << replicas;
  EXPECT_NE(replicas.find("replica2: up, lag "), std::string::npos) << replicas;
  EXPECT_EQ(replicas.find("unknown"), std::string::npos) << replicas;
}

}  // namespace
}  // namespace rwproxy::test
