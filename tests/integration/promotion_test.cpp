// [monitor] follow_writer on a real topology: writes flow through the proxy, the master is
// stopped, replica1 is promoted (STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=OFF) and
// replica2 re-pointed to it. Writes go to the new master without a restart, the write outage is
// measured as clients see it, every write the proxy acknowledged is on the new master, reads
// never stop, and a second writable backend (split brain) stops all writes with a clear error.
// Destroys the topology's roles: it is rebuilt (topology.sh down + up) at the end.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/raw_socket.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"
#include "tests/integration/support/topology_control.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// INSERTs through the proxy, each with a new value, reconnecting after errors; remembers the
// values acknowledged (OK) and when writes failed.
class WriteLoad {
 public:
  explicit WriteLoad(ConnectOptions proxy) : thread_([this, proxy] { run(proxy); }) {}
  ~WriteLoad() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long acknowledged() {
    std::lock_guard lock(mutex_);
    return static_cast<long>(acknowledged_.size());
  }
  std::vector<int> acknowledged_values() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  // The first failed write after `since`, and the first acknowledged one after that failure.
  std::optional<Clock::time_point> first_failure_after(Clock::time_point since) {
    std::lock_guard lock(mutex_);
    for (auto t : failures_) {
      if (t >= since) return t;
    }
    return std::nullopt;
  }
  std::optional<Clock::time_point> first_success_after(Clock::time_point since) {
    std::lock_guard lock(mutex_);
    for (auto t : successes_) {
      if (t >= since) return t;
    }
    return std::nullopt;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  void run(ConnectOptions options) {
    const auto end = Clock::now() + 150s;
    std::unique_ptr<MysqlConnection> connection;
    int value = 0;
    while (!stopping_ && Clock::now() < end) {
      ++value;
      if (!connection) {
        connection = std::make_unique<MysqlConnection>(options);
        if (!connection->connected()) {
          note_failure("connect: " + connection->last_error().message);
          connection.reset();
          std::this_thread::sleep_for(20ms);
          continue;
        }
      }
      const MultiResult result = connection->query_all("INSERT INTO pm_writes (v) VALUES (" + std::to_string(value) + ")");
      if (result.error) {
        note_failure(std::to_string(result.error->code) + " " + result.error->message);
        if (result.error->code >= 2000) connection.reset();  // the client library lost the connection
        std::this_thread::sleep_for(20ms);
        continue;
      }
      std::lock_guard lock(mutex_);
      acknowledged_.push_back(value);
      successes_.push_back(Clock::now());
    }
  }
  void note_failure(std::string error) {
    std::lock_guard lock(mutex_);
    failures_.push_back(Clock::now());
    if (errors_.size() < 20) errors_.push_back(std::move(error));
  }

  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> acknowledged_;
  std::vector<Clock::time_point> successes_, failures_;
  std::vector<std::string> errors_;
  std::thread thread_;
};

// Autocommit reads through the proxy; counts errors.
class ReadLoad {
 public:
  explicit ReadLoad(ConnectOptions proxy) : thread_([this, proxy] { run(proxy); }) {}
  ~ReadLoad() { stop(); }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long reads() const { return reads_; }
  long errors() const { return errors_; }
  std::string first_error() {
    std::lock_guard lock(mutex_);
    return first_error_;
  }

 private:
  void run(ConnectOptions options) {
    const auto end = Clock::now() + 150s;
    auto connection = std::make_unique<MysqlConnection>(options);
    while (!stopping_ && Clock::now() < end) {
      const MultiResult result = connection->query_all("SELECT COUNT(*) FROM pm_seed");
      if (result.error) {
        ++errors_;
        std::lock_guard lock(mutex_);
        if (first_error_.empty()) first_error_ = result.error->message;
        connection = std::make_unique<MysqlConnection>(options);
      } else {
        ++reads_;
      }
      std::this_thread::sleep_for(5ms);
    }
  }
  std::atomic<bool> stopping_{false};
  std::atomic<long> reads_{0}, errors_{0};
  std::mutex mutex_;
  std::string first_error_;
  std::thread thread_;
};

class PromotionTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["monitor.follow_writer"] = "true";
    settings.values["monitor.connect_timeout_ms"] = "300";
    settings.values["timeouts.connect_timeout_ms"] = "500";
    return settings;
  }

  void TearDown() override {
    ReplicaProxyTest::TearDown();
    if (rebuild_) {
      EXPECT_TRUE(run_topology_script("down"));
      EXPECT_TRUE(run_topology_script("up"));
    }
  }

  std::unique_ptr<MysqlConnection> connect_replica(std::size_t index) {
    return admin_connection(topology_, topology_.replica_ports[index]);
  }

  bool rebuild_ = false;  // the test changed the servers' roles
};

TEST_F(PromotionTest, WritesFollowAPromotedReplicaWithNoAcknowledgedWriteLost) {
  create_table_everywhere("pm_writes", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  create_table_everywhere("pm_seed", "id INT PRIMARY KEY", "INSERT INTO pm_seed VALUES (1), (2)");
  rebuild_ = true;
  WriteLoad writes(app_options(topology_.app_db));
  ReadLoad reads(app_options(topology_.app_db));
  ASSERT_TRUE(poll_until(10s, [&] { return writes.acknowledged() > 50; })) << "writes do not flow";

  // A transaction left open on the old master across the switch.
  auto open_transaction = connect_proxy();
  open_transaction->execute("BEGIN");
  open_transaction->execute("INSERT INTO pm_writes (v) VALUES (-100)");

  // A clean stop of the master (what a switchover does first).
  const auto stopped = Clock::now();
  ASSERT_EQ(::kill(server_pid("master"), SIGTERM), 0);
  ASSERT_TRUE(poll_until(30s, [&] { return !connect_tcp(topology_.master_port); })) << "the master still accepts";
  EXPECT_TRUE(poll_until(10s, [&] {
    return metrics().value("rwproxy_writer_problem", {{"problem", "no_writer"}}) == 1.0;
  })) << "the proxy did not notice that nobody takes writes\n" << proxy().log_tail(4096);
  // While nobody is writable, writes get a clear error naming the cause.
  auto probe = connect_proxy();
  const MultiResult refused = probe->query_all("INSERT INTO pm_writes (v) VALUES (-1)");
  ASSERT_TRUE(refused.error) << "a write succeeded with no writable backend";
  EXPECT_EQ(refused.error->code, 1290u) << refused.error->message;
  EXPECT_NE(refused.error->message.find("read_only=OFF"), std::string::npos) << refused.error->message;

  // Promote replica1 once it has applied everything it received; re-point replica2 to it.
  auto replica1 = connect_replica(0);
  ASSERT_TRUE(poll_until(20s, [&] {
    const Rows status = replica1->query("SHOW SLAVE STATUS");
    return !status.empty();  // still configured
  }));
  ASSERT_TRUE(poll_until(20s, [&] {
    auto relay = replica1->scalar("SELECT @@global.gtid_slave_pos");
    std::this_thread::sleep_for(300ms);
    return relay == replica1->scalar("SELECT @@global.gtid_slave_pos");  // nothing more applied
  }));
  replica1->execute("STOP SLAVE");
  replica1->execute("RESET SLAVE ALL");
  replica1->execute("SET GLOBAL read_only = OFF");
  const auto promoted = Clock::now();
  auto replica2 = connect_replica(1);
  replica2->execute("STOP SLAVE");
  replica2->execute("CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = " +
                    std::to_string(topology_.replica_ports[0]) +
                    ", MASTER_USER = 'rwrepl', MASTER_PASSWORD = 'repl-secret', MASTER_USE_GTID = slave_pos");
  replica2->execute("START SLAVE");

  ASSERT_TRUE(poll_until(20s, [&] { return writes.first_success_after(promoted).has_value(); }))
      << "writes did not resume after the promotion\n" << proxy().log_tail(8192);
  const auto resumed = *writes.first_success_after(promoted);
  const auto first_failure = writes.first_failure_after(stopped);
  ASSERT_TRUE(first_failure);
  std::cout << "write outage as clients saw it: " << ms_between(*first_failure, resumed) << " ms (master stopped "
            << ms_between(stopped, *first_failure) << " ms before the first failed write); writes resumed "
            << ms_between(promoted, resumed) << " ms after replica1 became writable\n";
  // About one monitor interval after the new master is writable (plus the checks' own time).
  EXPECT_LT(ms_between(promoted, resumed), 20.0 * monitor_interval_ms);
  EXPECT_EQ(metrics().value("rwproxy_master_changes_total", {}), 1.0);
  EXPECT_EQ(metrics().value("rwproxy_backend_up", {{"backend", "replica1"}, {"role", "master"}}), 1.0);
  ASSERT_TRUE(poll_until(5s, [&] {
    const auto before = writes.acknowledged();
    std::this_thread::sleep_for(200ms);
    return writes.acknowledged() > before + 5;
  }));
  writes.stop();
  reads.stop();

  // The open transaction gets a clean error, is not replayed, and the session goes on.
  const MultiResult commit = open_transaction->query_all("COMMIT");
  ASSERT_TRUE(commit.error) << "a transaction begun on the old master committed after the switch";
  std::cout << "COMMIT of the transaction open across the switch: " << *commit.error << "\n";
  EXPECT_TRUE(commit.error->code == 1927u || commit.error->code == 1290u) << *commit.error;
  EXPECT_EQ(replica1->scalar("SELECT COUNT(*) FROM rwtest.pm_writes WHERE v = -100"), "0");
  open_transaction->execute("INSERT INTO pm_writes (v) VALUES (-101)");
  EXPECT_EQ(replica1->scalar("SELECT COUNT(*) FROM rwtest.pm_writes WHERE v = -101"), "1");

  // Every acknowledged write is on the new master.
  const std::vector<int> acknowledged = writes.acknowledged_values();
  std::set<int> present;
  for (const auto& row : replica1->query("SELECT v FROM rwtest.pm_writes")) present.insert(std::stoi(row[0].value_or("0")));
  long missing = 0;
  for (int v : acknowledged) missing += present.count(v) ? 0 : 1;
  std::cout << acknowledged.size() << " writes acknowledged, " << missing << " missing on the new master; "
            << reads.reads() << " reads, " << reads.errors() << " read errors\n";
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(reads.errors(), 0) << reads.first_error();
  EXPECT_GT(reads.reads(), 0);

  // The proxy's sessions write to replica1 now (server_id 2), a new session too.
  auto fresh = connect_proxy();
  fresh->execute("INSERT INTO pm_writes (v) VALUES (-2)");
  EXPECT_EQ(fresh->query("/* rwproxy:master */ SELECT @@server_id"), (Rows{{"2"}}));

  // Split brain: replica2 made writable too. No write goes anywhere; reads go on.
  replica2->execute("SET GLOBAL read_only = OFF");
  ASSERT_TRUE(poll_until(10s, [&] {
    return metrics().value("rwproxy_writer_problem", {{"problem", "split_brain"}}) == 1.0;
  })) << proxy().log_tail(4096);
  const MultiResult split = fresh->query_all("INSERT INTO pm_writes (v) VALUES (-3)");
  ASSERT_TRUE(split.error) << "a write went through in a split brain";
  EXPECT_EQ(split.error->code, 1290u);
  EXPECT_NE(split.error->message.find("split brain"), std::string::npos) << split.error->message;
  EXPECT_NE(split.error->message.find("replica2"), std::string::npos) << split.error->message;
  EXPECT_EQ(replica1->scalar("SELECT COUNT(*) FROM rwtest.pm_writes WHERE v = -3"), "0");
  // Reads go on from the backend that still replicates (replica2). (A read that the session's
  // consistency sends to the master, e.g. within its read-after-write window, is refused too.)
  auto reader = connect_proxy();
  EXPECT_EQ(reader->query("SELECT COUNT(*) FROM pm_seed"), (Rows{{"2"}}));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(reader->server_id(), 3);
  EXPECT_GE(metrics().value("rwproxy_writes_refused_total", {{"cause", "split_brain"}}).value_or(0), 1.0);
  EXPECT_NE(proxy().log_tail(16384).find("split brain"), std::string::npos);
  // Resolved: writes go on.
  replica2->execute("SET GLOBAL read_only = ON");
  EXPECT_TRUE(poll_until(10s, [&] { return !fresh->query_all("INSERT INTO pm_writes (v) VALUES (-4)").error; }));
}

}  // namespace
}  // namespace rwproxy::test
