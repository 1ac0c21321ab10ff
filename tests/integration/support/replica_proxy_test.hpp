// Fixture for the routing tests: rwproxy with the master AND both replicas, the backend monitor
// (interval 100 ms, rwmonitor) and metrics on a free port. SetUp waits until the monitor has
// found both replicas eligible with a measured lag, so the first read of a test can already go to
// a replica.
// Master server_id 1, replica1 2, replica2 3.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>

#include "tests/integration/support/metrics_scrape.hpp"
#include "tests/integration/support/proxy_test.hpp"
#include "tests/integration/support/topology_control.hpp"

namespace rwproxy::test {

inline constexpr int monitor_interval_ms = 100;

inline bool is_replica_id(int server_id) { return server_id == 2 || server_id == 3; }

class ReplicaProxyTest : public ProxyTest {
 protected:
  void SetUp() override;
  ProxySettings proxy_settings() override;

  // The monitor's interval_ms in this fixture's config (a derived fixture may change it).
  virtual int monitor_interval() const { return monitor_interval_ms; }
  std::uint16_t metrics_port() const { return metrics_port_; }
  MetricsText metrics() const { return scrape_metrics(metrics_port_); }
  // rwproxy_replica_eligible{backend} as last scraped; nullopt if absent.
  std::optional<bool> replica_eligible(const std::string& backend) const;
  // Polls the metrics until `backend` has the given eligibility.
  ::testing::AssertionResult wait_eligible(const std::string& backend, bool eligible,
                                           std::chrono::milliseconds timeout);

  // Through the proxy, as app, default schema rwtest; straight to the master as app.
  std::unique_ptr<MysqlConnection> connect_proxy() { return connect(app_options(topology_.app_db)); }
  std::unique_ptr<MysqlConnection> connect_master() { return connect(master_options(topology_.app_db)); }

  // DROP + CREATE (+ optional INSERT) straight on the master, then waits until the replicas have it.
  void create_table_everywhere(const std::string& name, const std::string& columns, const std::string& insert = "");

  // Runs `read` (which returns the server_id that served it) until it is served by a replica,
  // at most `timeout`; returns that server_id, or the last one seen.
  template <class Read>
  int poll_until_replica(Read&& read, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::uint16_t metrics_port_ = 0;
};

template <class Read>
int ReplicaProxyTest::poll_until_replica(Read&& read, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int last = 0;
  for (;;) {
    last = read();
    if (is_replica_id(last) || std::chrono::steady_clock::now() >= deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace rwproxy::test
