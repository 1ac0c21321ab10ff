// Session state follows the session to whichever backend serves it: default schema, character
// set, sql_mode, time_zone, prepared statements, and COM_RESET_CONNECTION resets it everywhere.
// Each test reads until both replicas have served, so both replica connections are checked.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

class SessionStateTest : public ReplicaProxyTest {
 protected:
  // Runs `read` (a row whose column `server_id_column` is @@server_id) until both replicas have
  // served it, for at most 10 s; returns the rows by server_id. Every read must be on a replica.
  // Reads alternate between equally loaded replicas, but a replica can be out of the rotation for
  // a moment on a loaded machine (a monitor check that timed out), so this polls, not counts.
  std::map<int, Row> read_on_both_replicas(MysqlConnection& connection, const std::string& sql,
                                           std::size_t server_id_column = 0) {
    std::map<int, Row> by_server;
    bool bad_row = false;
    poll_until(10s, [&] {
      const Rows rows = connection.query(sql);
      if (rows.size() != 1 || rows[0].size() <= server_id_column || !rows[0][server_id_column]) {
        ADD_FAILURE() << sql << ": expected one row with a server_id";
        bad_row = true;
        return true;
      }
      const int id = std::stoi(*rows[0][server_id_column]);
      EXPECT_PRED1(is_replica_id, id) << sql;
      if (!is_replica_id(id)) {
        bad_row = true;
        return true;
      }
      by_server[id] = rows[0];
      return by_server.size() == 2;
    }, 5ms);
    if (!bad_row) {
      EXPECT_EQ(by_server.size(), 2u) << sql << ": not served by both replicas within 10 s; log:\n"
                                      << proxy().log_tail();
    }
    return by_server;
  }

  // Waits out the session's read-after-write window: reads go to replicas again.
  void wait_window_over(MysqlConnection& connection) {
    ASSERT_PRED1(is_replica_id, poll_until_replica([&] { return connection.server_id(); }, 10s));
  }
};

TEST_F(SessionStateTest, UseSchemaIsFollowedByReplicaReads) {
  auto master = connect(master_options("sbtest"));
  master->execute("DROP TABLE IF EXISTS ss_schema_probe");
  master->execute("CREATE TABLE ss_schema_probe (id INT PRIMARY KEY, tag VARCHAR(16))");
  master->execute("INSERT INTO ss_schema_probe VALUES (1, 'in-sbtest')");
  ASSERT_TRUE(replicas_caught_up(topology_, 30s));

  auto connection = connect_proxy();  // default schema rwtest
  connection->execute("USE sbtest");
  for (const auto& [id, row] : read_on_both_replicas(*connection, "SELECT @@server_id, DATABASE(), tag FROM ss_schema_probe")) {
    EXPECT_EQ(row, (Row{std::to_string(id), "sbtest", "in-sbtest"}));
  }
  master->execute("DROP TABLE ss_schema_probe");
}

TEST_F(SessionStateTest, SetNamesUtf8mb4RoundTripsAnEmojiThroughAReplica) {
  create_table_everywhere("ss_utf8", "id INT PRIMARY KEY, s VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL");
  const std::string text = "caf\xC3\xA9 \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC";  // café 😀 日本
  auto connection = connect_proxy();
  connection->execute("SET NAMES utf8mb4");
  connection->execute("INSERT INTO ss_utf8 VALUES (1, '" + text + "')");
  ASSERT_TRUE(replicas_caught_up(topology_, 30s));
  wait_window_over(*connection);
  for (const auto& [id, row] :
       read_on_both_replicas(*connection, "SELECT @@server_id, s, HEX(s), @@character_set_client FROM ss_utf8")) {
    EXPECT_EQ(row[1], text) << "server " << id;
    EXPECT_EQ(row[2], "636166C3A920F09F988020E697A5E69CAC") << "server " << id;
    EXPECT_EQ(row[3], "utf8mb4") << "server " << id;
  }
  EXPECT_EQ(connect_master()->scalar("SELECT HEX(s) FROM ss_utf8"), "636166C3A920F09F988020E697A5E69CAC");
}

TEST_F(SessionStateTest, SqlModeAnsiQuotesAppliesOnReplicas) {
  create_table_everywhere("ss_quotes", "id INT PRIMARY KEY, label VARCHAR(16)", "INSERT INTO ss_quotes VALUES (1, 'x')");
  auto connection = connect_proxy();
  connection->execute("SET sql_mode = 'ANSI_QUOTES'");
  for (const auto& [id, row] :
       read_on_both_replicas(*connection, "SELECT @@server_id, \"label\", @@sql_mode FROM \"ss_quotes\" WHERE \"id\" = 1")) {
    EXPECT_EQ(row, (Row{std::to_string(id), "x", "ANSI_QUOTES"}));
  }
}

TEST_F(SessionStateTest, TimeZoneAppliesOnReplicas) {
  auto connection = connect_proxy();
  connection->execute("SET time_zone = '+05:00'");
  for (const auto& [id, row] : read_on_both_replicas(*connection, "SELECT @@server_id, @@time_zone")) {
    EXPECT_EQ(row[1], "+05:00") << "server " << id;
  }
  EXPECT_EQ(connection->query("/* rwproxy:master */ SELECT @@time_zone, @@server_id"), (Rows{{"+05:00", "1"}}));
}

TEST_F(SessionStateTest, PreparedSelectRunsOnReplicasAndPreparedInsertOnTheMaster) {
  create_table_everywhere("ss_prepared", "id INT PRIMARY KEY, name VARCHAR(16), served_by INT",
                          "INSERT INTO ss_prepared VALUES (1, 'one', 0), (2, 'two', 0), (3, 'three', 0)");
  auto connection = connect_proxy();
  const std::map<long long, std::string> names{{1, "one"}, {2, "two"}, {3, "three"}};
  std::set<int> served;
  {
    PreparedStatement select(*connection, "SELECT @@server_id, name FROM ss_prepared WHERE id = ?");
    for (long long i = 0; i < 10; ++i) {
      const long long id = 1 + i % 3;
      select.execute({id});
      const Rows rows = select.fetch_all_as_text();
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0][1], names.at(id));
      const int server = std::stoi(rows[0][0].value_or("0"));
      EXPECT_PRED1(is_replica_id, server) << "execution " << i;
      served.insert(server);
    }
  }
  EXPECT_EQ(served, (std::set<int>{2, 3})) << "the prepared SELECT was not spread over both replicas";

  PreparedStatement insert(*connection, "INSERT INTO ss_prepared VALUES (?, ?, @@server_id)");
  insert.execute({4LL, std::string("four")});
  insert.execute({5LL, std::string("five")});
  EXPECT_EQ(connect_master()->query("SELECT id, name, served_by FROM ss_prepared WHERE id > 3 ORDER BY id"),
            (Rows{{"4", "four", "1"}, {"5", "five", "1"}}));
}

TEST_F(SessionStateTest, ResetConnectionRestoresTheDefaultSqlModeEverywhere) {
  const auto default_mode = connect_master()->scalar("SELECT @@GLOBAL.sql_mode");
  ASSERT_NE(default_mode, "ANSI_QUOTES");
  auto connection = connect_proxy();
  connection->execute("SET sql_mode = 'ANSI_QUOTES'");
  connection->execute("SET time_zone = '+05:00'");
  read_on_both_replicas(*connection, "SELECT @@server_id, @@sql_mode");
  EXPECT_EQ(connection->query("/* rwproxy:master */ SELECT @@server_id, @@sql_mode"), (Rows{{"1", "ANSI_QUOTES"}}));

  ASSERT_EQ(mysql_reset_connection(connection->handle()), 0) << connection->last_error();
  for (const auto& [id, row] : read_on_both_replicas(*connection, "SELECT @@server_id, @@sql_mode, @@time_zone")) {
    EXPECT_EQ(row[1], default_mode) << "server " << id;
    EXPECT_EQ(row[2], "SYSTEM") << "server " << id;
  }
  EXPECT_EQ(connection->query("/* rwproxy:master */ SELECT @@server_id, @@sql_mode"), (Rows{{"1", default_mode}}));
}

}  // namespace
}  // namespace rwproxy::test
