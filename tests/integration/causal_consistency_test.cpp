// Read-your-writes by GTID position on real MariaDB: consistency = "causal" in one session,
// consistency tokens across connections and across two rwproxy instances, waits that time out on
// a replica whose SQL thread is stopped, and monotonic reads. Replicas run delayed with writes
// flowing, so a read that ignored positions would be stale.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"
#include "tests/integration/support/write_stream.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

class CausalConsistencyTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["routing.consistency"] = "\"causal\"";
    settings.values["routing.monotonic_reads"] = "true";
    // Long enough for replicas at natural lag on a busy CI machine; replicas a second behind are
    // not asked to wait at all (causal_replicas_behind) once the monitor has measured their lag.
    settings.values["routing.causal_wait_timeout_ms"] = std::to_string(wait_timeout_ms);
    return settings;
  }

  static constexpr int wait_timeout_ms = 200;

  // One row per probe: (value, server_id).
  static std::pair<std::string, int> read_counter(MysqlConnection& connection, const std::string& prefix = "") {
    const Rows rows = connection.query(prefix + "SELECT v, @@server_id FROM cc_counter WHERE id = 1");
    if (rows.size() != 1 || !rows[0][0] || !rows[0][1]) return {"", 0};
    return {*rows[0][0], std::stoi(*rows[0][1])};
  }

  // Replicas that receive but do not apply (a ReplicationRestorer starts them again).
  void stop_sql_threads() {
    for (std::uint16_t port : topology_.replica_ports) admin_connection(topology_, port)->execute("STOP SLAVE SQL_THREAD");
  }

  double routed(const std::string& target, const std::string& reason) const {
    return metrics().value("rwproxy_routed_statements_total", {{"target", target}, {"reason", reason}}).value_or(0);
  }
};

TEST_F(CausalConsistencyTest, AtNaturalLagASessionReadsItsWritesFromReplicas) {
  create_table_everywhere("cc_counter", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO cc_counter VALUES (1, 0)");
  auto connection = connect_proxy();
  int stale = 0;
  int on_replica = 0;
  constexpr int probes = 300;
  for (int i = 1; i <= probes; ++i) {
    connection->execute("UPDATE cc_counter SET v = " + std::to_string(i) + " WHERE id = 1");
    const auto [value, server] = read_counter(*connection);
    if (value != std::to_string(i)) ++stale;
    if (is_replica_id(server)) ++on_replica;
  }
  EXPECT_EQ(stale, 0);
  // The point of causal: the reads after a write still go to replicas (the window would send
  // every one of them to the master).
  EXPECT_GE(on_replica, probes * 8 / 10) << "reads served by replicas";
  EXPECT_GT(routed("replica", "causal_wait") + routed("replica", "causal_read"), probes * 0.8);
  EXPECT_GT(metrics().value("rwproxy_causal_waits_total", {{"outcome", "reached"}}).value_or(0), 0)
      << "right after a write the monitor has not yet seen the replicas apply it: they wait";
}

TEST_F(CausalConsistencyTest, DelayedReplicasNeverServeAStaleReadToTheWritingSession) {
  create_table_everywhere("cc_counter", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO cc_counter VALUES (1, 0)");
  create_table_everywhere("cc_stream", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  ReplicationRestorer restore(topology_);
  MasterWriteStream writes(master_options(topology_.app_db), "cc_stream", 20ms, 90s);
  set_master_delay(topology_, 0, 1);
  set_master_delay(topology_, 1, 1);
  auto connection = connect_proxy();
  int stale = 0;
  for (int i = 1; i <= 1000; ++i) {
    connection->execute("UPDATE cc_counter SET v = " + std::to_string(i) + " WHERE id = 1");
    const auto [value, server] = read_counter(*connection);
    if (value != std::to_string(i)) {
      ++stale;
      ADD_FAILURE() << "probe " << i << ": read " << value << " from server " << server;
      if (stale > 5) break;
    }
  }
  EXPECT_EQ(stale, 0);
  EXPECT_GT(routed("master", "causal_wait_timeout") + routed("master", "causal_replicas_behind"), 0)
      << "reads that 1 s delayed replicas could not serve went to the master";
}

TEST_F(CausalConsistencyTest, ATokenCarriesReadYourWritesToAnotherProxyInstance) {
  create_table_everywhere("cc_counter", "id INT PRIMARY KEY, v INT NOT NULL", "INSERT INTO cc_counter VALUES (1, 0)");
  create_table_everywhere("cc_stream", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  ProxySettings second_settings = proxy_settings();
  second_settings.values["routing.consistency"] = "\"window\"";  // tokens count in every mode but none
  ProxyProcess second(topology_, second_settings);
  ReplicationRestorer restore(topology_);
  MasterWriteStream writes(master_options(topology_.app_db), "cc_stream", 20ms, 90s);
  set_master_delay(topology_, 0, 1);
  set_master_delay(topology_, 1, 1);
  auto writer = connect_proxy();
  ConnectOptions reader_options = app_options(topology_.app_db);
  reader_options.port = second.port();
  auto hinted_reader = connect(reader_options);
  auto session_reader = connect(reader_options);
  int stale = 0;
  for (int i = 1; i <= 1000; ++i) {
    writer->execute("UPDATE cc_counter SET v = " + std::to_string(i) + " WHERE id = 1");
    const auto token = writer->scalar("SELECT rwproxy_consistency_token()");
    ASSERT_TRUE(token && token->rfind("rwp1.", 0) == 0) << token.value_or("NULL");
    // Odd probes: a hint on the statement; even ones: the token set for the session.
    std::pair<std::string, int> seen;
    if (i % 2) {
      seen = read_counter(*hinted_reader, "/* rwproxy:consistency_token=" + *token + " */ ");
    } else {
      session_reader->execute("SET @rwproxy_consistency_token = '" + *token + "'");
      seen = read_counter(*session_reader);
    }
    if (seen.first != std::to_string(i)) {
      ++stale;
      ADD_FAILURE() << "probe " << i << ": read " << seen.first << " from server " << seen.second;
      if (stale > 5) break;
    }
  }
  EXPECT_EQ(stale, 0);
}

// Without the monitor no replica position is known and no replica is ever marked down: every read
// after a write waits on a replica, which (SQL threads stopped) never reaches the position. So
// every such read takes the timed-out-wait path, deterministically.
class CausalWithoutMonitorTest : public CausalConsistencyTest {
 protected:
  void SetUp() override { ProxyTest::SetUp(); }  // no monitor to wait for
  ProxySettings proxy_settings() override {
    ProxySettings settings = CausalConsistencyTest::proxy_settings();
    settings.values["monitor.enabled"] = "false";
    return settings;
  }
  double routed_here(const std::string& target, const std::string& reason) {
    return scrape_metrics(proxy().metrics_port())
        .value("rwproxy_routed_statements_total", {{"target", target}, {"reason", reason}})
        .value_or(0);
  }
};

TEST_F(CausalWithoutMonitorTest, ATimedOutWaitNeverReturnsRowsFromTheStaleReplica) {
  create_table_everywhere("cc_rows", "id INT PRIMARY KEY, note VARCHAR(20) NOT NULL");
  ReplicationRestorer restore(topology_);
  stop_sql_threads();
  auto connection = connect_proxy();
  for (int i = 1; i <= 20; ++i) {
    connection->execute("INSERT INTO cc_rows VALUES (" + std::to_string(i) + ", 'row')");
    const Rows rows = connection->query("SELECT COUNT(*), @@server_id FROM cc_rows");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], std::optional<std::string>(std::to_string(i)));
    EXPECT_EQ(rows[0][1], std::optional<std::string>("1")) << "only the master has the row";
  }
  // A READ ONLY transaction after a write: it starts where the write is visible.
  connection->execute("INSERT INTO cc_rows VALUES (21, 'in a transaction')");
  connection->execute("START TRANSACTION READ ONLY");
  EXPECT_EQ(connection->scalar("SELECT COUNT(*) FROM cc_rows"), std::optional<std::string>("21"));
  connection->execute("COMMIT");
  EXPECT_EQ(connection->scalar("SELECT COUNT(*) FROM cc_rows"), std::optional<std::string>("21"));
  // 20 reads, the READ ONLY transaction's start and the read after it: each waited and timed out.
  EXPECT_GE(routed_here("master", "causal_wait_timeout"), 22);
  EXPECT_GE(scrape_metrics(proxy().metrics_port())
                .value("rwproxy_causal_waits_total", {{"outcome", "timeout"}})
                .value_or(0),
            22);
  // The session's token is ahead of both replicas: another connection presenting it reads from
  // the master too, never from the stopped replicas.
  const auto token = connection->scalar("SELECT rwproxy_consistency_token()");
  ASSERT_TRUE(token);
  auto other = connect_proxy();
  other->execute("SET @rwproxy_consistency_token = '" + *token + "'");
  EXPECT_EQ(other->scalar("SELECT COUNT(*) FROM cc_rows"), std::optional<std::string>("21"));
}

TEST_F(CausalConsistencyTest, BinaryProtocolReadsWaitTooAndFallBackToTheMasterWithItsOwnStatement) {
  create_table_everywhere("cc_ps", "id INT PRIMARY KEY, note VARCHAR(20) NOT NULL");
  auto connection = connect_proxy();
  PreparedStatement insert(*connection, "INSERT INTO cc_ps VALUES (?, 'row')");
  PreparedStatement select(*connection, "SELECT COUNT(*), @@server_id FROM cc_ps WHERE id <= ?");
  int on_replica = 0;
  for (long long i = 1; i <= 50; ++i) {
    insert.execute({i});
    select.execute({i});
    const Rows rows = select.fetch_all_as_text();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], std::optional<std::string>(std::to_string(i))) << "probe " << i;
    if (rows[0][1] && is_replica_id(std::stoi(*rows[0][1]))) ++on_replica;
  }
  EXPECT_GE(on_replica, 40) << "prepared reads after writes are served by replicas at natural lag";

  ReplicationRestorer restore(topology_);
  stop_sql_threads();
  // However the proxy learns that the replicas fall behind (a wait that times out, their lag, the
  // monitor taking them out), these reads go to the master.
  auto to_master_for_replicas = [&] {
    return routed("master", "causal_wait_timeout") + routed("master", "causal_replicas_behind") +
           routed("master", "no_eligible_replica") + routed("master", "replica_lag");
  };
  const double before = to_master_for_replicas();
  for (long long i = 51; i <= 60; ++i) {
    insert.execute({i});
    select.execute({i});
    const Rows rows = select.fetch_all_as_text();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], std::optional<std::string>(std::to_string(i))) << "probe " << i;
    EXPECT_EQ(rows[0][1], std::optional<std::string>("1")) << "only the master has the row";
  }
  EXPECT_GE(to_master_for_replicas(), before + 10);
}

TEST_F(CausalConsistencyTest, BadTokensGetClearErrorsAndNothingRuns) {
  auto connection = connect_proxy();
  EXPECT_TRUE(connection->expect_error("SET @rwproxy_consistency_token = 'not-a-token'", 1231));
  EXPECT_TRUE(connection->expect_error("SELECT /* rwproxy:consistency_token=rwp1.0-1-x */ 1", 1525));
  // A position the master never reached (another cluster, a typo): a bounded wait, then an error.
  EXPECT_TRUE(connection->expect_error("SELECT /* rwproxy:consistency_token=rwp1.0-1-999999999 */ 1", 1525));
  connection->execute("SET @rwproxy_consistency_token = NULL");
  EXPECT_EQ(connection->scalar("SELECT 1"), std::optional<std::string>("1"));
  const MetricsText m = metrics();
  EXPECT_GE(m.value("rwproxy_consistency_tokens_total", {{"result", "malformed"}}).value_or(0), 2);
  EXPECT_GE(m.value("rwproxy_consistency_tokens_total", {{"result", "unreachable"}}).value_or(0), 1);
}

TEST_F(CausalConsistencyTest, MonotonicReadsNeverGoBackInTime) {
  create_table_everywhere("cc_stream", "id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL");
  ReplicationRestorer restore(topology_);
  set_master_delay(topology_, 0, 1);  // replica1 a second behind, replica2 current
  MasterWriteStream writes(master_options(topology_.app_db), "cc_stream", 20ms, 90s);
  std::this_thread::sleep_for(1500ms);
  auto reader = connect_proxy();
  long previous = 0;
  int backwards = 0;
  for (int i = 0; i < 200; ++i) {
    const auto seen = reader->scalar("SELECT COALESCE(MAX(id), 0) FROM cc_stream");
    ASSERT_TRUE(seen);
    const long value = std::stol(*seen);
    if (value < previous) ++backwards;
    previous = std::max(previous, value);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(backwards, 0) << "reads that returned an older value than one before them";
  EXPECT_GT(previous, 0);
}

}  // namespace
}  // namespace rwproxy::test
