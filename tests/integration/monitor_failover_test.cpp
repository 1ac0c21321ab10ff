// The backend monitor and failover on a real topology: heartbeat lag accuracy, exclusion and
// re-admission of a lagging replica, a stopped (SIGSTOP) or killed (SIGKILL) replica while reads
// run, and a killed master. The destructive tests come last and leave the topology healthy
// (scripts/topology.sh up recreates it: they are self-contained and every test creates its tables).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/raw_socket.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"
#include "tests/integration/support/write_stream.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int max_replica_lag_ms = 300;
constexpr int readmit_replica_lag_ms = 150;
constexpr int lag_tolerance_ms = 150;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Autocommit reads through the proxy from a few threads, each on its own connection, until
// stopped; counts the results and keeps the first errors. With `prepared`, each thread prepares
// SELECT @@server_id once (binary protocol) and executes it over and over.
class ReadLoad {
 public:
  ReadLoad(const ConnectOptions& proxy, int threads, bool prepared = false) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this, proxy, prepared] { run(proxy, prepared); });
  }
  ~ReadLoad() { stop(); }

  void stop() {
    stopping_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  long reads() const { return reads_.load(); }
  long errors() const { return errors_.load(); }
  std::vector<std::string> first_errors() {
    std::lock_guard lock(mutex_);
    return first_errors_;
  }
  // server_ids of the reads completed after the call to mark().
  void mark() {
    std::lock_guard lock(mutex_);
    served_since_mark_.clear();
  }
  std::set<int> served_since_mark() {
    std::lock_guard lock(mutex_);
    return served_since_mark_;
  }

 private:
  void run(ConnectOptions options, bool prepared) {
    const auto end = Clock::now() + 120s;  // bound, whatever the test does
    std::unique_ptr<MysqlConnection> connection;
    std::unique_ptr<PreparedStatement> statement;
    while (!stopping_ && Clock::now() < end) {
      try {
        if (!connection) {
          statement.reset();
          connection = std::make_unique<MysqlConnection>(options);
          if (!connection->connected()) throw QueryFailed("connect", connection->last_error());
          if (prepared) statement = std::make_unique<PreparedStatement>(*connection, "SELECT @@server_id");
        }
        int id = 0;
        if (statement) {
          statement->execute();
          const Rows rows = statement->fetch_all_as_text();
          if (rows.size() != 1 || !rows[0][0]) throw std::runtime_error("SELECT @@server_id: not one row");
          id = std::stoi(*rows[0][0]);
        } else {
          id = connection->server_id();
        }
        ++reads_;
        std::lock_guard lock(mutex_);
        served_since_mark_.insert(id);
      } catch (const std::exception& e) {
        ++errors_;
        statement.reset();
        connection.reset();
        std::lock_guard lock(mutex_);
        if (first_errors_.size() < 5) first_errors_.push_back(e.what());
      }
    }
  }

  std::atomic<bool> stopping_{false};
  std::atomic<long> reads_{0};
  std::atomic<long> errors_{0};
  std::mutex mutex_;
  std::vector<std::string> first_errors_;
  std::set<int> served_since_mark_;
  std::vector<std::thread> threads_;
};

// `scripts/topology.sh up` on destruction unless restore() already ran it: a test that kills a
// server leaves a healthy topology behind even when it fails half-way.
class TopologyRepair {
 public:
  TopologyRepair() = default;
  ~TopologyRepair() {
    if (!restored_) {
      EXPECT_TRUE(restore());
    }
  }
  TopologyRepair(const TopologyRepair&) = delete;
  TopologyRepair& operator=(const TopologyRepair&) = delete;
  ::testing::AssertionResult restore() {
    restored_ = true;
    return run_topology_script("up");
  }

 private:
  bool restored_ = false;
};

// SIGCONT on destruction, so a failing test never leaves a server stopped.
class ContinueOnExit {
 public:
  explicit ContinueOnExit(pid_t pid) : pid_(pid) {}
  ~ContinueOnExit() { ::kill(pid_, SIGCONT); }
  ContinueOnExit(const ContinueOnExit&) = delete;
  ContinueOnExit& operator=(const ContinueOnExit&) = delete;

 private:
  pid_t pid_;
};

class MonitorFailoverTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["routing.max_replica_lag_ms"] = std::to_string(max_replica_lag_ms);
    settings.values["routing.readmit_replica_lag_ms"] = std::to_string(readmit_replica_lag_ms);
    settings.values["monitor.connect_timeout_ms"] = "500";
    settings.values["timeouts.connect_timeout_ms"] = "1000";
    return settings;
  }

  std::optional<double> lag_ms(const MetricsText& m, const std::string& backend) {
    const auto seconds = m.value("rwproxy_replication_lag_seconds", {{"backend", backend}});
    if (!seconds) return std::nullopt;
    return *seconds * 1000;
  }

  void expect_no_errors(ReadLoad& load) {
    EXPECT_EQ(load.errors(), 0) << "first errors:\n"
                                << [&] {
                                     std::string all;
                                     for (const auto& e : load.first_errors()) all += e + "\n";
                                     return all;
                                   }()
                                << "proxy log:\n"
                                << proxy().log_tail(8192);
    EXPECT_GT(load.reads(), 0);
  }
};

// Heartbeats resolve lag to about one interval (the monitor cannot see a lag before it has written
// a newer heartbeat), plus the age of the published snapshot: ±150 ms needs interval_ms = 50.
class LagAccuracyTest : public MonitorFailoverTest {
 protected:
  int monitor_interval() const override { return 50; }
};

// The SQL thread of replica1 stops at a known moment while heartbeats and writes flow: from then
// on its true lag is the time since the stop. Each scrape must be within ±150 ms of it. Margin
// for the measurement itself: the STOP statement's and the scrape's own durations (both measured,
// the stop and the scrape each happen somewhere inside them).
TEST_F(LagAccuracyTest, LagIsMeasuredWithin150MsOfAnInjectedDelay) {
  create_table_everywhere("mf_stream", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  ReplicationRestorer restore(topology_);
  MasterWriteStream writes(master_options(topology_.app_db), "mf_stream", 50ms, 60s);
  auto replica = admin_connection(topology_, topology_.replica_ports[0]);

  const auto stop_started = Clock::now();
  replica->execute("STOP SLAVE SQL_THREAD");
  const auto stop_done = Clock::now();
  int samples = 0;
  double worst_error_ms = 0;
  while (ms_between(stop_done, Clock::now()) < 2500) {
    const auto scrape_started = Clock::now();
    const MetricsText m = metrics();
    const auto scrape_done = Clock::now();
    const auto lag = lag_ms(m, "replica1");
    if (!lag) {
      ADD_FAILURE() << "no lag for replica1 " << ms_between(stop_done, scrape_done) << " ms after the stop";
      break;
    }
    const double true_low = ms_between(stop_done, scrape_started);
    const double true_high = ms_between(stop_started, scrape_done);
    EXPECT_GE(*lag, true_low - lag_tolerance_ms) << "true lag in [" << true_low << ", " << true_high << "] ms";
    EXPECT_LE(*lag, true_high + lag_tolerance_ms) << "true lag in [" << true_low << ", " << true_high << "] ms";
    worst_error_ms = std::max({worst_error_ms, true_low - *lag, *lag - true_high});
    ++samples;
    std::this_thread::sleep_for(50ms);
  }
  RecordProperty("worst_lag_error_ms", std::to_string(static_cast<int>(worst_error_ms)));
  std::cout << "lag samples: " << samples << ", worst error beyond the measurement window: " << worst_error_ms
            << " ms\n";
  EXPECT_GE(samples, 10);
  EXPECT_EQ(replica_eligible("replica1"), false) << "a replica whose SQL thread is stopped serves no reads";

  replica->execute("START SLAVE SQL_THREAD");
  EXPECT_TRUE(poll_until(15s, [&] { return lag_ms(metrics(), "replica1").value_or(1e9) < readmit_replica_lag_ms; }))
      << "replica1's lag did not come back down";
  EXPECT_EQ(writes.errors(), 0);
}

// A row lock on replica1's heartbeat table blocks its SQL thread (which keeps running, so only the
// lag can exclude it): its lag grows from the moment of the lock. It must be excluded within two
// monitor intervals of its true lag passing max_replica_lag_ms, stay out while lagging, and come
// back only with a lag under readmit_replica_lag_ms.
TEST_F(MonitorFailoverTest, LaggingReplicaIsExcludedWithinTwoIntervalsAndReadmittedBelowTheReadmitLag) {
  create_table_everywhere("mf_lagging", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  ReplicationRestorer restore(topology_);
  MasterWriteStream writes(master_options(topology_.app_db), "mf_lagging", 50ms, 60s);
  auto blocker = admin_connection(topology_, topology_.replica_ports[0]);
  ASSERT_TRUE(poll_until(5s, [&] { return lag_ms(metrics(), "replica1").value_or(1e9) < 100; }));

  blocker->execute("BEGIN");
  const auto lock_started = Clock::now();
  blocker->query("SELECT * FROM rwproxy.heartbeat FOR UPDATE");
  const auto lock_done = Clock::now();

  std::optional<Clock::time_point> excluded_seen;
  Clock::time_point previous_scrape_done = lock_done;
  while (!excluded_seen && ms_between(lock_done, Clock::now()) < 5000) {
    const MetricsText m = metrics();
    const auto scrape_done = Clock::now();
    const bool eligible = m.value("rwproxy_replica_eligible", {{"backend", "replica1"}}) == 1.0;
    const double lag = lag_ms(m, "replica1").value_or(-1);
    if (eligible) {
      EXPECT_LE(lag, max_replica_lag_ms) << "eligible with a lag over the threshold";
    } else {
      excluded_seen = scrape_done;
      // Excluded somewhere between the previous scrape and this one.
      const double earliest = ms_between(lock_done, previous_scrape_done);
      const double latest = ms_between(lock_started, scrape_done);
      std::cout << "replica1 excluded " << earliest << ".." << latest << " ms after the lock, lag " << lag << " ms\n";
      EXPECT_GE(latest, max_replica_lag_ms - lag_tolerance_ms) << "excluded before its lag reached the threshold";
      EXPECT_LE(earliest, max_replica_lag_ms + 2 * monitor_interval_ms)
          << "not excluded within two monitor intervals of the lag passing " << max_replica_lag_ms << " ms";
      EXPECT_GT(lag, max_replica_lag_ms);
    }
    previous_scrape_done = scrape_done;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(excluded_seen) << "replica1 was never excluded";
  EXPECT_EQ(replica_eligible("replica2"), true);
  auto connection = connect_proxy();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(connection->server_id(), 3) << "read " << i;

  blocker->execute("ROLLBACK");
  bool readmitted = false;
  poll_until(15s, [&] {
    const MetricsText m = metrics();
    if (m.value("rwproxy_replica_eligible", {{"backend", "replica1"}}) != 1.0) return false;
    readmitted = true;
    EXPECT_LT(lag_ms(m, "replica1").value_or(1e9), readmit_replica_lag_ms) << "readmitted with too much lag";
    return true;
  }, 10ms);
  ASSERT_TRUE(readmitted) << "replica1 was not readmitted after the lock was released";
  std::set<int> served;
  poll_until(5s, [&] {
    served.insert(connection->server_id());
    return served.count(2) > 0;
  }, 1ms);
  EXPECT_EQ(served.count(2), 1u) << "replica1 did not get reads again";
  EXPECT_EQ(writes.errors(), 0);
}

TEST_F(MonitorFailoverTest, StoppedReplicaProcessCausesNoClientErrors) {
  const pid_t pid = server_pid("replica2");
  ReadLoad load(app_options(topology_.app_db), 3);
  ASSERT_TRUE(poll_until(10s, [&] { return load.reads() > 30; }));

  ContinueOnExit resume(pid);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  const auto stopped = Clock::now();
  ASSERT_TRUE(wait_eligible("replica2", false, 15s)) << proxy().log_tail(8192);
  std::cout << "replica2 (SIGSTOP) excluded after " << elapsed_ms(stopped) << " ms\n";
  load.mark();
  const long reads_before = load.reads();
  ASSERT_TRUE(poll_until(10s, [&] { return load.reads() > reads_before + 30; }));
  EXPECT_EQ(load.served_since_mark().count(3), 0u) << "reads still served by the stopped replica";

  ASSERT_EQ(::kill(pid, SIGCONT), 0);
  EXPECT_TRUE(wait_eligible("replica2", true, 30s));
  load.stop();
  expect_no_errors(load);
}

TEST_F(MonitorFailoverTest, KilledReplicaCausesNoReadErrors) {
  const pid_t pid = server_pid("replica2");
  TopologyRepair repair;
  {
    ReadLoad load(app_options(topology_.app_db), 3);
    ASSERT_TRUE(poll_until(10s, [&] { return load.reads() > 30; }));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const auto killed = Clock::now();
    EXPECT_TRUE(wait_eligible("replica2", false, 15s));
    std::cout << "replica2 (SIGKILL) excluded after " << elapsed_ms(killed) << " ms\n";
    load.mark();
    const long reads_before = load.reads();
    EXPECT_TRUE(poll_until(10s, [&] { return load.reads() > reads_before + 30; }));
    EXPECT_EQ(load.served_since_mark().count(3), 0u);
    load.stop();
    expect_no_errors(load);
  }
  ASSERT_TRUE(repair.restore()) << "could not restore the topology";
}

// Server-side prepared statements through a replica's death: an execute in flight on the dead
// replica, or sent to it before the monitor noticed, is retried elsewhere like a text read.
TEST_F(MonitorFailoverTest, KilledReplicaCausesNoPreparedReadErrors) {
  const pid_t pid = server_pid("replica2");
  TopologyRepair repair;
  {
    ReadLoad load(app_options(topology_.app_db), 4, true);
    ASSERT_TRUE(poll_until(10s, [&] { return load.reads() > 100; }));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_TRUE(wait_eligible("replica2", false, 15s));
    load.mark();
    const long reads_before = load.reads();
    EXPECT_TRUE(poll_until(10s, [&] { return load.reads() > reads_before + 100; }));
    EXPECT_EQ(load.served_since_mark().count(3), 0u);
    load.stop();
    expect_no_errors(load);
  }
  ASSERT_TRUE(repair.restore()) << "could not restore the topology";
}

// The proxy's connections to a replica die under it (KILL, as after a server restart or
// wait_timeout): executes are retried, and the next connection to that replica gets the statement
// prepared again; never an id from the old connection (1243 Unknown prepared statement handler).
TEST_F(MonitorFailoverTest, KilledReplicaConnectionsCauseNoPreparedReadErrors) {
  ReadLoad load(app_options(topology_.app_db), 4, true);
  ASSERT_TRUE(poll_until(10s, [&] { return load.reads() > 100; }));
  auto admin = admin_connection(topology_, topology_.replica_ports[1]);
  for (int round = 0; round < 2; ++round) {
    // After a kill the replica is left out for replica_retry_interval_ms (5 s), then comes back.
    load.mark();
    ASSERT_TRUE(poll_until(30s, [&] { return load.served_since_mark().count(3) > 0; }))
        << "round " << round << ": replica2 serves no prepared reads";
    for (const Row& row : admin->query("SELECT id FROM information_schema.processlist WHERE user = 'app'")) {
      admin->query_all("KILL CONNECTION " + row[0].value_or("0"));
    }
    const long before = load.reads();
    EXPECT_TRUE(poll_until(10s, [&] { return load.reads() > before + 50; }));
  }
  load.stop();
  expect_no_errors(load);
}

TEST_F(MonitorFailoverTest, KilledMasterFailsWritesClearlyWhileReadsAndLoginsGoOn) {
  create_table_everywhere("mf_master", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO mf_master VALUES (1, 10)");
  auto existing = connect_proxy();
  ASSERT_PRED1(is_replica_id, existing->server_id());

  TopologyRepair repair;
  ASSERT_EQ(::kill(server_pid("master"), SIGKILL), 0);
  ASSERT_TRUE(poll_until(10s, [&] { return !connect_tcp(topology_.master_port); })) << "the master still accepts";

  const MultiResult refused = existing->query_all("INSERT INTO mf_master VALUES (2, 20)");
  ASSERT_TRUE(refused.error) << "a write succeeded with the master dead";
  std::cout << "write on an existing session: " << *refused.error << "\n";
  EXPECT_NE(refused.error->message.find("master"), std::string::npos) << *refused.error;

  EXPECT_TRUE(poll_until(15s, [&] {
    return metrics().value("rwproxy_backend_up", {{"backend", "master"}}) == 0.0;
  })) << "the monitor did not mark the master down";
  auto fresh = connect_proxy();  // logs in with the master down
  EXPECT_EQ(fresh->query("SELECT v FROM mf_master WHERE id = 1"), (Rows{{"10"}}));
  EXPECT_PRED1(is_replica_id, fresh->server_id());
  const MultiResult write = fresh->query_all("INSERT INTO mf_master VALUES (3, 30)");
  ASSERT_TRUE(write.error);
  EXPECT_EQ(write.error->code, 1429u) << *write.error;  // ER_CONNECT_TO_FOREIGN_DATA_SOURCE
  EXPECT_NE(write.error->message.find("master"), std::string::npos) << *write.error;
  for (int i = 0; i < 5; ++i) EXPECT_PRED1(is_replica_id, existing->server_id());

  ASSERT_TRUE(repair.restore()) << "could not restore the topology";
  std::optional<MysqlError> last_error;
  const bool writes_back = poll_until(60s, [&] {
    MultiResult result = fresh->query_all(
        "CREATE TABLE IF NOT EXISTS mf_master_back (id INT PRIMARY KEY, v INT NOT NULL)");
    if (!result.error) result = fresh->query_all("REPLACE INTO mf_master_back VALUES (1, @@server_id)");
    last_error = result.error;
    return !result.error;
  }, 200ms);
  ASSERT_TRUE(writes_back) << "writes did not resume; last error: "
                           << (last_error ? last_error->message : std::string("-")) << "\nlog:\n"
                           << proxy().log_tail(8192);
  EXPECT_EQ(connect_master()->query("SELECT v FROM mf_master_back"), (Rows{{"1"}}));
  EXPECT_EQ(fresh->query("/* rwproxy:master */ SELECT @@server_id"), (Rows{{"1"}}));
}

}  // namespace
}  // namespace rwproxy::test
