// The admin interface on a real topology: a MySQL client logs in to the admin port with its own
// account (a wrong password gets 1045), lists backends and sessions, drains a replica (reads
// leave it, a transaction on it finishes first) and brings it back, changes a weight, reads the
// query digests and resets them, reloads the config; and SIGHUP removes and re-adds a replica
// while sessions run.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/prepared_statement.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

// A row's values as text ("NULL" for SQL NULL).
template <class Row>
std::vector<std::string> strings(const Row& row) {
  std::vector<std::string> out;
  for (const auto& value : row) out.push_back(value.value_or("NULL"));
  return out;
}

class AdminTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["admin.enabled"] = "true";
    settings.values["admin.listen_port"] = "0";
    settings.extra_toml += "[[admin_users]]\nname = \"dba\"\npassword = \"dba-secret\"\n";
    return settings;
  }

  ConnectOptions admin_options(std::string password = "dba-secret") {
    ConnectOptions options;
    options.port = proxy().admin_port();
    options.user = "dba";
    options.password = std::move(password);
    return options;
  }

  // The row of SHOW BACKENDS for `name`: columns as in the table.
  std::vector<std::string> backend_row(MysqlConnection& admin, const std::string& name) {
    for (const auto& row : admin.query("SHOW BACKENDS")) {
      if (row[0] == name) return strings(row);
    }
    return {};
  }

  std::set<int> servers_of_reads(MysqlConnection& app, int reads) {
    std::set<int> ids;
    for (int i = 0; i < reads; ++i) ids.insert(std::stoi(*app.scalar("SELECT @@server_id")));
    return ids;
  }
};

TEST_F(AdminTest, WrongPasswordGets1045AndTheAppAccountIsNotAnAdmin) {
  MysqlConnection wrong(admin_options("nope"));
  ASSERT_FALSE(wrong.connected());
  EXPECT_EQ(wrong.last_error().code, 1045u) << wrong.last_error().message;
  ConnectOptions app = admin_options();
  app.user = topology_.app.user;
  app.password = topology_.app.password;
  MysqlConnection not_admin(app);
  ASSERT_FALSE(not_admin.connected());
  EXPECT_EQ(not_admin.last_error().code, 1045u);
}

TEST_F(AdminTest, ShowBackendsSessionsStatusAndHelp) {
  auto admin = connect(admin_options());
  const auto master = backend_row(*admin, "master");
  ASSERT_EQ(master.size(), 15u);
  EXPECT_EQ(master[1], "master");
  EXPECT_EQ(master[2], "online");
  EXPECT_EQ(master[3], "up");
  EXPECT_EQ(master[8], "OFF");  // read_only
  const auto replica = backend_row(*admin, "replica1");
  ASSERT_EQ(replica.size(), 15u);
  EXPECT_EQ(replica[1], "replica");
  EXPECT_EQ(replica[8], "ON");
  EXPECT_EQ(replica[5], std::to_string(topology_.replica_ports[0]));

  auto app = connect_proxy();
  app->query("SELECT 1");
  bool found = false;
  for (const auto& row : admin->query("SHOW SESSIONS")) {
    if (row[2] == topology_.app.user && row[3] == topology_.app_db) found = true;
  }
  EXPECT_TRUE(found) << "SHOW SESSIONS does not list the app's session";
  bool has_master = false;
  for (const auto& row : admin->query("SHOW STATUS")) has_master |= row[0] == "master" && row[1] == "master";
  EXPECT_TRUE(has_master);
  EXPECT_GE(admin->query("HELP").size(), 10u);
  EXPECT_TRUE(admin->expect_error("FLY TO THE MOON", 1064));
  EXPECT_TRUE(admin->expect_error("DRAIN BACKEND nosuch", 1231));
  // The admin port never relays: a statement a backend would run is refused.
  EXPECT_TRUE(admin->expect_error("SELECT @@server_id", 1064));
}

TEST_F(AdminTest, DrainTakesAReplicaOutOfReadsAfterItsTransactionAndOnlineBringsItBack) {
  auto admin = connect(admin_options());
  auto app = connect_proxy();
  ASSERT_TRUE(poll_until(10s, [&] { return servers_of_reads(*app, 20) == std::set<int>{2, 3}; }))
      << "reads do not reach both replicas";
  // A READ ONLY transaction on some replica runs on while its replica drains.
  auto reader = connect_proxy();
  reader->execute("START TRANSACTION READ ONLY");
  const int transaction_server = std::stoi(*reader->scalar("SELECT @@server_id"));
  ASSERT_PRED1(is_replica_id, transaction_server);
  const std::string drained = transaction_server == 2 ? "replica1" : "replica2";
  admin->execute("DRAIN BACKEND " + drained);
  EXPECT_EQ(backend_row(*admin, drained)[2], "drain");
  EXPECT_EQ(metrics().value("rwproxy_backend_state", {{"backend", drained}, {"state", "drain"}}), 1.0);
  EXPECT_EQ(servers_of_reads(*app, 30), std::set<int>{5 - transaction_server});
  EXPECT_EQ(reader->scalar("SELECT @@server_id"), std::to_string(transaction_server));  // still its replica
  reader->execute("COMMIT");
  // Its connections close once nothing runs on it.
  EXPECT_TRUE(poll_until(5s, [&] { return backend_row(*admin, drained)[9] == "0"; }))
      << "connections to the drained backend stay open: " << backend_row(*admin, drained)[9];
  admin->execute("ONLINE BACKEND " + drained);
  EXPECT_TRUE(poll_until(10s, [&] { return servers_of_reads(*app, 20).count(transaction_server) == 1; }));

  // A weight of 0 takes a replica out of reads too.
  admin->execute("SET BACKEND replica2 WEIGHT 0");
  EXPECT_EQ(backend_row(*admin, "replica2")[6], "0");
  EXPECT_EQ(servers_of_reads(*app, 30), std::set<int>{2});
  admin->execute("SET BACKEND replica2 WEIGHT = 1");
  EXPECT_TRUE(poll_until(10s, [&] { return servers_of_reads(*app, 20).count(3) == 1; }));
  // Offline: no statements at all.
  admin->execute("OFFLINE BACKEND replica1");
  EXPECT_EQ(servers_of_reads(*app, 30), std::set<int>{3});
  admin->execute("ONLINE BACKEND replica1");
}

TEST_F(AdminTest, QueryDigestsCountWhereStatementsRanAndReset) {
  create_table_everywhere("adm_digest", "id INT PRIMARY KEY, v INT", "INSERT INTO adm_digest VALUES (1, 1), (2, 2)");
  auto admin = connect(admin_options());
  admin->execute("RESET QUERY DIGESTS");
  auto app = connect_proxy();
  for (int i = 0; i < 3; ++i) app->query("SELECT v FROM adm_digest WHERE id = " + std::to_string(i % 2 + 1));
  {
    // EXECUTEs count as their statement.
    PreparedStatement prepared(*app, "SELECT v FROM adm_digest WHERE id = ?");
    for (int i = 0; i < 2; ++i) {
      prepared.execute({Param{1LL}});
      while (prepared.fetch_row_as_text()) {
      }
    }
  }
  app->execute("UPDATE adm_digest SET v = v + 1 WHERE id = 1");
  // A statement's latency, rows and backend are recorded just after its reply reached the client:
  // wait until the last one shows.
  auto digest_rows = [&] {
    std::vector<std::vector<std::string>> rows;
    for (const auto& cells : admin->query("SHOW QUERY DIGESTS")) rows.push_back(strings(cells));
    return rows;
  };
  EXPECT_TRUE(poll_until(5s, [&] {
    for (const auto& row : digest_rows()) {
      if (row[1].rfind("UPDATE adm_digest", 0) == 0) return row[7] == "1";
    }
    return false;
  }));
  bool select_found = false, update_found = false;
  for (const auto& row : digest_rows()) {
    if (row[1] == "SELECT v FROM adm_digest WHERE id = ?") {
      select_found = true;
      EXPECT_EQ(row[2], "5");
      EXPECT_EQ(row[5], "5");  // rows sent
      EXPECT_EQ(std::stoi(row[7]) + std::stoi(row[8]), 5);
      EXPECT_GT(std::stoll(row[3]), 0);  // sum_time_us
    }
    if (row[1].rfind("UPDATE adm_digest", 0) == 0) {
      update_found = true;
      EXPECT_EQ(row[2], "1");
      EXPECT_EQ(row[6], "1");  // rows affected
      EXPECT_EQ(row[7], "1");  // on the master
      EXPECT_EQ(row[8], "0");
    }
  }
  EXPECT_TRUE(select_found && update_found);
  // ProxySQL's table name shows, then resets.
  EXPECT_FALSE(admin->query("SELECT * FROM stats_mysql_query_digest_reset").empty());
  EXPECT_TRUE(admin->query("SHOW QUERY DIGESTS").empty());
}

TEST_F(AdminTest, SighupRemovesAndReAddsAReplicaWhileSessionsRun) {
  auto admin = connect(admin_options());
  auto app = connect_proxy();
  ASSERT_TRUE(poll_until(10s, [&] { return servers_of_reads(*app, 20) == std::set<int>{2, 3}; }));
  // The config without replica2.
  std::ifstream in(proxy().config_path());
  std::stringstream text;
  text << in.rdbuf();
  const std::string original = text.str();
  const std::size_t at = original.find("name = \"replica2\"");
  ASSERT_NE(at, std::string::npos);
  const std::size_t start = original.rfind("[[backends]]", at);
  std::size_t end = original.find("\n[", at);
  if (end == std::string::npos) end = original.size();
  std::ofstream(proxy().config_path()) << original.substr(0, start) + original.substr(end + 1);
  admin->execute("RELOAD CONFIG");
  EXPECT_TRUE(backend_row(*admin, "replica2").empty()) << "replica2 still listed";
  EXPECT_EQ(servers_of_reads(*app, 30), std::set<int>{2});  // the running session goes on
  // SIGHUP with the original file brings it back.
  std::ofstream(proxy().config_path()) << original;
  ASSERT_EQ(::kill(proxy().pid(), SIGHUP), 0);
  EXPECT_TRUE(poll_until(10s, [&] { return servers_of_reads(*app, 20).count(3) == 1; }))
      << proxy().log_tail(4096);
  EXPECT_NE(proxy().log_tail(16384).find("backends removed: replica2"), std::string::npos);
  // A broken file is refused with an error.
  std::ofstream(proxy().config_path()) << original << "\n[[backends]]\nrole = 7\n";
  EXPECT_TRUE(admin->expect_error("RELOAD CONFIG", 1231));
  // So is a backend whose TLS mode no backend used at start (no TLS context to connect with):
  // it is not added in clear text.
  std::ofstream(proxy().config_path()) << original
                                       << "\n[[backends]]\nname = \"replica9\"\nhost = \"127.0.0.1\"\nport = "
                                       << topology_.replica_ports[1] + 10 << "\ntls_mode = \"required\"\n";
  EXPECT_TRUE(admin->expect_error("RELOAD CONFIG", 1231));
  EXPECT_TRUE(backend_row(*admin, "replica9").empty());
  EXPECT_NE(proxy().log_tail(16384).find("adding one needs a restart"), std::string::npos);
  std::ofstream(proxy().config_path()) << original;
}

}  // namespace
}  // namespace rwproxy::test
