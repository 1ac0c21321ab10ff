// Connection multiplexing on the real master: sessions share pooled connections, each borrowed
// connection is brought to the borrowing session's state, and every reason that binds a session
// to its connection does bind it.
//
// Most tests run the proxy with one worker and a pool of ONE master connection
// (max_connections_per_backend = 1, acquire_timeout_ms short): while session A is bound, session
// B cannot get a connection and fails with ERR 1040; once A's binding ends, B is served. That is
// binding observed from outside, plus A's own view (its state survives) and the pin metric.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support/metrics_scrape.hpp"
#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/proxy_test.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

constexpr unsigned pool_exhausted = 1040;

class MultiplexingTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.values["proxy.worker_threads"] = "1";
    settings.values["pool.multiplexing"] = "true";
    settings.values["pool.max_connections_per_backend"] = "1";
    settings.values["pool.acquire_timeout_ms"] = "300";
    settings.values["metrics.enabled"] = "true";
    return settings;
  }

  void SetUp() override {
    ProxyTest::SetUp();
    admin_ = connect(admin_options());
    admin_->execute("CREATE TABLE IF NOT EXISTS rwtest.mux (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
    admin_->execute("DELETE FROM rwtest.mux");
    admin_->execute("INSERT INTO rwtest.mux (v) VALUES (1), (2), (3)");
  }

  ConnectOptions admin_options() const {
    ConnectOptions options = master_options("rwtest");
    options.user = topology_.admin.user;
    options.password = topology_.admin.password;
    return options;
  }

  std::unique_ptr<MysqlConnection> session() { return connect(app_options("rwtest")); }

  // The error code `sql` fails with, 0 if it succeeds.
  static unsigned query_error(MysqlConnection& connection, const std::string& sql) {
    try {
      connection.query(sql);
    } catch (const QueryFailed& failed) {
      return failed.error().code;
    }
    return 0;
  }

  // Session B's view: blocked while A is bound, served once A is not.
  void expect_blocked(MysqlConnection& b) { EXPECT_EQ(query_error(b, "SELECT @@server_id"), pool_exhausted); }
  void expect_served(MysqlConnection& b) { EXPECT_EQ(b.server_id(), master_server_id); }

  double pins(const std::string& reason) {
    return scrape_metrics(proxy().metrics_port()).sum("rwproxy_session_pins_total", {{"reason", reason}});
  }
  double bound_sessions() { return scrape_metrics(proxy().metrics_port()).sum("rwproxy_bound_sessions"); }

  // The app's connections on the master (the proxy's pooled ones and any test connection as app).
  int app_connections_on_master() {
    return std::stoi(*admin_->scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'"));
  }

  std::unique_ptr<MysqlConnection> admin_;
};

TEST_F(MultiplexingTest, TwoHundredSessionsShareOneMasterConnection) {
  std::vector<std::unique_ptr<MysqlConnection>> sessions;
  for (int i = 0; i < 200; ++i) sessions.push_back(session());
  for (auto& s : sessions) EXPECT_EQ(s->server_id(), master_server_id);
  EXPECT_EQ(app_connections_on_master(), 1);
  const MetricsText m = scrape_metrics(proxy().metrics_port());
  EXPECT_EQ(m.sum("rwproxy_backend_connections", {{"backend", "master"}, {"state", "open"}}), 1);
  EXPECT_EQ(m.sum("rwproxy_pool_connections", {{"backend", "master"}, {"state", "idle"}}), 1);
  EXPECT_EQ(m.sum("rwproxy_client_connections"), 200);
}

TEST_F(MultiplexingTest, EachSessionSeesItsOwnStateOnTheSharedConnection) {
  auto a = session();
  auto b = session();
  a->execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
  a->execute("SET @who = 'a'");
  a->execute("SET NAMES latin1");
  a->execute("SET SESSION time_zone = '+05:00'");
  b->execute("SET @who = 'b'");
  b->execute("USE information_schema");
  for (int round = 0; round < 3; ++round) {
    const Rows ra = a->query("SELECT @@sql_mode, @who, @@character_set_client, @@time_zone, DATABASE()");
    ASSERT_EQ(ra.size(), 1u);
    EXPECT_EQ(ra[0][0], "ANSI_QUOTES");
    EXPECT_EQ(ra[0][1], "a");
    EXPECT_EQ(ra[0][2], "latin1");
    EXPECT_EQ(ra[0][3], "+05:00");
    EXPECT_EQ(ra[0][4], "rwtest");
    const Rows rb = b->query("SELECT @@sql_mode, @who, @@character_set_client, @@time_zone, DATABASE()");
    ASSERT_EQ(rb.size(), 1u);
    EXPECT_NE(rb[0][0], "ANSI_QUOTES");
    EXPECT_EQ(rb[0][1], "b");
    EXPECT_NE(rb[0][2], "latin1");
    EXPECT_EQ(rb[0][3], "SYSTEM");
    EXPECT_EQ(rb[0][4], "information_schema");
  }
  // A fresh session gets none of it.
  auto c = connect(app_options());
  const Rows rc = c->query("SELECT @@sql_mode, @who, @@time_zone, DATABASE()");
  EXPECT_NE(rc[0][0], "ANSI_QUOTES");
  EXPECT_EQ(rc[0][1], std::nullopt);
  EXPECT_EQ(rc[0][2], "SYSTEM");
  EXPECT_EQ(rc[0][3], std::nullopt) << "a session without a schema must not inherit one";
  EXPECT_EQ(app_connections_on_master(), 1);
  EXPECT_GT(scrape_metrics(proxy().metrics_port()).sum("rwproxy_pool_resets_total", {{"backend", "master"}}), 0);
}

TEST_F(MultiplexingTest, AnOpenTransactionBindsUntilCommit) {
  auto a = session();
  auto b = session();
  a->execute("BEGIN");
  a->execute("INSERT INTO mux (v) VALUES (10)");
  expect_blocked(*b);
  EXPECT_EQ(bound_sessions(), 1);
  EXPECT_EQ(a->scalar("SELECT COUNT(*) FROM mux WHERE v = 10"), "1");
  a->execute("COMMIT");
  expect_served(*b);
  EXPECT_EQ(b->scalar("SELECT COUNT(*) FROM mux WHERE v = 10"), "1");
  EXPECT_EQ(pins("transaction"), 1);
  EXPECT_EQ(bound_sessions(), 0);
}

TEST_F(MultiplexingTest, AutocommitOffBindsUntilItIsOn) {
  auto a = session();
  auto b = session();
  a->execute("SET autocommit = 0");
  a->execute("INSERT INTO mux (v) VALUES (11)");
  a->execute("COMMIT");
  expect_blocked(*b);
  a->execute("SET autocommit = 1");
  expect_served(*b);
  EXPECT_GE(pins("autocommit_off") + pins("transaction"), 1);
}

TEST_F(MultiplexingTest, LockTablesBindsUntilUnlock) {
  auto a = session();
  auto b = session();
  a->execute("LOCK TABLES mux READ");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT COUNT(*) FROM mux"), "3");
  a->execute("UNLOCK TABLES");
  expect_served(*b);
  EXPECT_EQ(pins("lock_tables"), 1);
}

TEST_F(MultiplexingTest, GetLockBindsForGoodAndTheLockIsReleasedWhenTheSessionEnds) {
  auto a = session();
  auto b = session();
  EXPECT_EQ(a->scalar("SELECT GET_LOCK('rwproxy_mux', 0)"), "1");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT IS_USED_LOCK('rwproxy_mux') = CONNECTION_ID()"), "1");
  a.reset();  // the session ends: its connection is reset before another session may use it
  EXPECT_TRUE(poll_until(5s, [&] { return query_error(*b, "SELECT 1") == 0; }));
  EXPECT_EQ(b->scalar("SELECT IS_FREE_LOCK('rwproxy_mux')"), "1");
  EXPECT_EQ(pins("user_lock"), 1);
}

TEST_F(MultiplexingTest, ResetConnectionUnbinds) {
  auto a = session();
  auto b = session();
  a->scalar("SELECT GET_LOCK('rwproxy_mux_reset', 0)");
  expect_blocked(*b);
  ASSERT_EQ(mysql_reset_connection(a->handle()), 0) << mysql_error(a->handle());
  expect_served(*b);
  EXPECT_EQ(b->scalar("SELECT IS_FREE_LOCK('rwproxy_mux_reset')"), "1");
}

TEST_F(MultiplexingTest, ATemporaryTableBindsUntilDropped) {
  auto a = session();
  auto b = session();
  a->execute("CREATE TEMPORARY TABLE mux_tmp (x INT)");
  a->execute("INSERT INTO mux_tmp VALUES (42)");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT x FROM mux_tmp"), "42");
  a->execute("DROP TEMPORARY TABLE mux_tmp");
  expect_served(*b);
  EXPECT_EQ(query_error(*b, "SELECT x FROM mux_tmp"), 1146u);
  EXPECT_EQ(pins("temporary_table"), 1);
}

TEST_F(MultiplexingTest, SqlPrepareBinds) {
  auto a = session();
  auto b = session();
  a->execute("PREPARE mux_s FROM 'SELECT COUNT(*) FROM mux'");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("EXECUTE mux_s"), "3");
  EXPECT_EQ(pins("sql_prepare"), 1);
}

TEST_F(MultiplexingTest, AUserVariableAssignedInASelectBinds) {
  auto a = session();
  auto b = session();
  a->query("SELECT @mux := 5");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT @mux"), "5");
  EXPECT_EQ(pins("user_variable"), 1);
}

TEST_F(MultiplexingTest, SetUserVariablesAreCarriedNotBound) {
  auto a = session();
  auto b = session();
  a->execute("SET @carried = 'yes'");
  expect_served(*b);  // not bound
  EXPECT_EQ(b->scalar("SELECT @carried"), std::nullopt);
  EXPECT_EQ(a->scalar("SELECT @carried"), "yes");
}

TEST_F(MultiplexingTest, FoundRowsFollowsSqlCalcFoundRows) {
  auto a = session();
  auto b = session();
  a->query("SELECT SQL_CALC_FOUND_ROWS * FROM mux LIMIT 1");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT FOUND_ROWS()"), "3");
  expect_served(*b);
  EXPECT_EQ(pins("found_rows"), 1);
}

TEST_F(MultiplexingTest, LastInsertIdFollowsTheInsert) {
  auto a = session();
  auto b = session();
  a->execute("INSERT INTO mux (v) VALUES (20)");
  const auto id = mysql_insert_id(a->handle());
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT LAST_INSERT_ID()"), std::to_string(id));
  expect_served(*b);
  EXPECT_EQ(pins("insert_id"), 1);
}

TEST_F(MultiplexingTest, WarningsWaitForShowWarnings) {
  auto a = session();
  auto b = session();
  a->query("SELECT 1/0");
  expect_blocked(*b);
  const Rows warnings = a->query("SHOW WARNINGS");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0][1], "1365");
  expect_served(*b);
  EXPECT_EQ(pins("warnings"), 1);
}

TEST_F(MultiplexingTest, AStateChangeInsideAProcedureBinds) {
  admin_->execute("DROP PROCEDURE IF EXISTS rwtest.mux_proc");
  admin_->execute("CREATE PROCEDURE rwtest.mux_proc() BEGIN SET @from_proc = 3; END");
  auto a = session();
  auto b = session();
  a->query_all("CALL mux_proc()");
  expect_blocked(*b);
  EXPECT_EQ(a->scalar("SELECT @from_proc"), "3");
  EXPECT_EQ(pins("state_change"), 1);
  a.reset();
  EXPECT_TRUE(poll_until(5s, [&] { return query_error(*b, "SELECT 1") == 0; }));
  EXPECT_EQ(b->scalar("SELECT @from_proc"), std::nullopt) << "the procedure's variable leaked to another session";
}

TEST_F(MultiplexingTest, BinaryPreparedStatementsDoNotBindButACursorDoesUntilItsLastRow) {
  auto a = session();
  auto b = session();
  PreparedStatement statement(*a, "SELECT COUNT(*) FROM mux WHERE v > ?");
  statement.execute({Param{0LL}});
  Rows rows = statement.fetch_all_as_text();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "3");
  expect_served(*b);  // the statement is open, the session is not bound
  b->execute("SET @b_was_here = 1");  // b uses (and changes) the one connection
  statement.execute({Param{1LL}});
  rows = statement.fetch_all_as_text();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "2");

  PreparedStatement cursor(*a, "SELECT v FROM mux ORDER BY v");
  cursor.use_read_only_cursor(1);
  cursor.execute();
  expect_blocked(*b);
  const Rows all = cursor.fetch_all_as_text();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2][0], "3");
  expect_served(*b);
  EXPECT_EQ(pins("cursor"), 1);
}

TEST_F(MultiplexingTest, AStatementIsPreparedAgainOnAConnectionThatLostIt) {
  auto a = session();
  PreparedStatement statement(*a, "SELECT COUNT(*) FROM mux WHERE v >= ?");
  statement.execute({Param{2LL}});
  EXPECT_EQ(statement.fetch_all_as_text().at(0).at(0), "2");
  // Another session resets the shared connection (its server statements are gone).
  auto b = session();
  ASSERT_EQ(mysql_reset_connection(b->handle()), 0) << mysql_error(b->handle());
  statement.execute({Param{3LL}});
  EXPECT_EQ(statement.fetch_all_as_text().at(0).at(0), "1");
}

TEST_F(MultiplexingTest, TheSameStatementTextInTwoSchemasReadsEachSessionsOwnTable) {
  admin_->execute("CREATE TABLE IF NOT EXISTS sbtest.mux_schema_t (x INT)");
  admin_->execute("DELETE FROM sbtest.mux_schema_t");
  admin_->execute("INSERT INTO sbtest.mux_schema_t VALUES (1)");
  admin_->execute("CREATE TABLE IF NOT EXISTS rwtest.mux_schema_t (x INT)");
  admin_->execute("DELETE FROM rwtest.mux_schema_t");
  admin_->execute("INSERT INTO rwtest.mux_schema_t VALUES (1), (2), (3)");
  auto a = session();  // rwtest
  auto b = connect(app_options("sbtest"));
  PreparedStatement in_a(*a, "SELECT COUNT(*) FROM mux_schema_t");
  in_a.execute();
  EXPECT_EQ(in_a.fetch_all_as_text().at(0).at(0), "3");
  PreparedStatement in_b(*b, "SELECT COUNT(*) FROM mux_schema_t");
  in_b.execute();
  EXPECT_EQ(in_b.fetch_all_as_text().at(0).at(0), "1");
  in_a.execute();  // on the same (only) connection, which b's statement of the same text is on
  EXPECT_EQ(in_a.fetch_all_as_text().at(0).at(0), "3");
  admin_->execute("DROP TABLE sbtest.mux_schema_t");
}

TEST_F(MultiplexingTest, SetOptionBindsAndTheConnectionIsNotPooledAfterwards) {
  auto a = session();
  auto b = session();
  const std::string id = *a->scalar("SELECT CONNECTION_ID()");
  ASSERT_EQ(mysql_set_server_option(a->handle(), MYSQL_OPTION_MULTI_STATEMENTS_ON), 0) << mysql_error(a->handle());
  expect_blocked(*b);
  EXPECT_EQ(pins("set_option"), 1);
  a.reset();
  EXPECT_TRUE(poll_until(5s, [&] { return query_error(*b, "SELECT 1") == 0; }));
  EXPECT_NE(b->scalar("SELECT CONNECTION_ID()"), id) << "the connection with the changed option was pooled";
}

TEST_F(MultiplexingTest, APingCostsNoConnection) {
  auto a = session();
  auto b = session();
  b->execute("BEGIN");
  b->execute("INSERT INTO mux (v) VALUES (40)");  // b holds the only connection
  EXPECT_EQ(mysql_ping(a->handle()), 0) << mysql_error(a->handle());
  EXPECT_EQ(mysql_ping(b->handle()), 0) << mysql_error(b->handle());  // on its own connection
  b->execute("ROLLBACK");
  expect_served(*a);
}

TEST_F(MultiplexingTest, APooledConnectionKilledWhileIdleIsReplacedWithoutAnError) {
  auto a = session();
  const std::string id = *a->scalar("SELECT CONNECTION_ID()");
  admin_->execute("KILL " + id);
  std::this_thread::sleep_for(200ms);
  auto b = session();
  EXPECT_NE(b->scalar("SELECT CONNECTION_ID()"), id);
  EXPECT_EQ(a->server_id(), master_server_id);
}

TEST_F(MultiplexingTest, AFullPoolIsAClearErrorAndTheSessionGoesOn) {
  auto a = session();
  auto b = session();
  a->execute("BEGIN");
  a->execute("INSERT INTO mux (v) VALUES (30)");
  try {
    b->query("SELECT 1");
    ADD_FAILURE() << "expected ERR 1040";
  } catch (const QueryFailed& failed) {
    EXPECT_EQ(failed.error().code, pool_exhausted);
    EXPECT_EQ(failed.error().sql_state, "HY000");
    EXPECT_NE(failed.error().message.find("pool.acquire_timeout_ms"), std::string::npos) << failed.error().message;
  }
  a->execute("ROLLBACK");
  expect_served(*b);  // the same client connection goes on
  const MetricsText m = scrape_metrics(proxy().metrics_port());
  EXPECT_EQ(m.sum("rwproxy_pool_waits_total", {{"backend", "master"}, {"outcome", "timeout"}}), 1);
}

std::string explained_connections(MysqlConnection& connection) {
  for (const Row& row : connection.query("EXPLAIN ROUTE SELECT 1")) {
    if (row.size() == 2 && row[0] == "connections") return row[1].value_or("");
  }
  return "(no connections row)";
}

TEST_F(MultiplexingTest, ExplainRouteShowsWhatBindsTheSession) {
  auto a = session();
  EXPECT_EQ(explained_connections(*a), "multiplexed (borrowed per statement)");
  a->execute("BEGIN");
  EXPECT_EQ(explained_connections(*a), "multiplexed, bound (transaction)");
  a->execute("COMMIT");
  EXPECT_EQ(explained_connections(*a), "multiplexed (borrowed per statement)");
}

class UserWithoutMultiplexingTest : public MultiplexingTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = MultiplexingTest::proxy_settings();
    settings.values["pool.max_connections_per_backend"] = "64";
    settings.users_toml = "[[users]]\nname = \"" + topology_.app.user + "\"\npassword = \"" + topology_.app.password +
                          "\"\nmultiplexing = false\n\n[[users]]\nname = \"" + topology_.admin.user +
                          "\"\npassword = \"" + topology_.admin.password + "\"\n";
    return settings;
  }
};

TEST_F(UserWithoutMultiplexingTest, EachSessionKeepsItsOwnConnection) {
  std::vector<std::unique_ptr<MysqlConnection>> sessions;
  for (int i = 0; i < 5; ++i) sessions.push_back(session());
  std::set<std::string> ids;
  for (auto& s : sessions) ids.insert(*s->scalar("SELECT CONNECTION_ID()"));
  for (auto& s : sessions) ids.insert(*s->scalar("SELECT CONNECTION_ID()"));
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(app_connections_on_master(), 5);
  EXPECT_EQ(explained_connections(*sessions.front()), "own (multiplexing off)");
}

// timeouts.client_idle_timeout_ms with one timer per session (re-armed only when it fires): an
// idle client is closed, a client that keeps sending statements is not, however long it runs.
class IdleClientTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.values["timeouts.client_idle_timeout_ms"] = "400";
    return settings;
  }
};

TEST_F(IdleClientTest, AnIdleClientIsClosedAndABusyOneIsNot) {
  auto idle = connect(app_options("rwtest"));
  auto busy = connect(app_options("rwtest"));
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < 1500ms) {
    EXPECT_EQ(busy->server_id(), master_server_id);
    std::this_thread::sleep_for(100ms);
  }
  try {
    idle->query("SELECT 1");
    ADD_FAILURE() << "the idle client was not closed after 1.5 s (timeout 400 ms)";
  } catch (const QueryFailed& failed) {
    EXPECT_TRUE(failed.error().code == 2013 || failed.error().code == 2006) << failed.error();
  }
  EXPECT_EQ(busy->server_id(), master_server_id);
}

// Go's database/sql, PHP PDO without emulation and JDBC with useServerPrepStmts prepare, execute
// and close every parameterized query: reads that way must cost the master nothing.
class PreparedReadsTest : public ReplicaProxyTest {
 protected:
  long long master_status(MysqlConnection& master, const std::string& name) {
    const Rows rows = master.query("SHOW GLOBAL STATUS LIKE '" + name + "'");
    return rows.size() == 1 && rows[0].size() == 2 && rows[0][1] ? std::stoll(*rows[0][1]) : -1;
  }
};

TEST_F(PreparedReadsTest, PrepareExecuteCloseReadsCostTheMasterNoStatement) {
  create_table_everywhere("ps_reads", "id INT PRIMARY KEY, v INT", "INSERT INTO ps_reads VALUES (1, 10), (2, 20)");
  ConnectOptions admin = master_options(topology_.app_db);
  admin.user = topology_.admin.user;
  admin.password = topology_.admin.password;
  auto master = connect(admin);
  const long long prepares = master_status(*master, "Com_stmt_prepare");
  const long long executes = master_status(*master, "Com_stmt_execute");
  const long long closes = master_status(*master, "Com_stmt_close");
  std::set<int> served_by;
  for (int session = 0; session < 4; ++session) {
    auto client = connect_proxy();
    for (int i = 0; i < 25; ++i) {
      PreparedStatement statement(*client, "SELECT v, @@server_id FROM ps_reads WHERE id = ?");
      statement.execute({Param{static_cast<long long>(1 + i % 2)}});
      const Rows rows = statement.fetch_all_as_text();
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0][0], i % 2 == 0 ? "10" : "20");
      served_by.insert(std::stoi(rows[0][1].value_or("0")));
      statement.close();
    }
  }
  EXPECT_EQ(master_status(*master, "Com_stmt_prepare") - prepares, 0);
  EXPECT_EQ(master_status(*master, "Com_stmt_execute") - executes, 0);
  EXPECT_EQ(master_status(*master, "Com_stmt_close") - closes, 0);
  for (int id : served_by) EXPECT_PRED1(is_replica_id, id);
  const MetricsText m = metrics();
  EXPECT_GE(m.sum("rwproxy_prepared_statements_total", {{"source", "cache"}}), 90);
  EXPECT_LE(m.sum("rwproxy_prepared_statements_total", {{"source", "backend"}}), 8)
      << "at most one PREPARE per replica connection and worker";
}

}  // namespace
}  // namespace rwproxy::test
