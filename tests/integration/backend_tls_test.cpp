// TLS on the proxy's own connections to MariaDB ([backend_tls]): the topology's servers run with
// the throwaway CA's certificate (scripts/topology.sh). With verify_identity, every backend
// connection (pooled, the master's and the replicas', and the monitor's, which must find the
// replicas eligible for the fixture to start) is encrypted, as the servers themselves report;
// a CA that did not sign the servers' certificates makes logins fail with a clear error.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

// The server that ran it and the cipher of the connection it ran on ("" in clear text).
constexpr const char* cipher_sql =
    "SELECT CONCAT(@@server_id, ':', VARIABLE_VALUE) FROM information_schema.SESSION_STATUS "
    "WHERE VARIABLE_NAME = 'SSL_CIPHER'";

class BackendTlsTest : public ReplicaProxyTest {
 protected:
  std::string tls_file(const char* name) const {
    return "\"" + (topology_.proxy_config.parent_path() / "tls" / name).string() + "\"";
  }
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.values["backend_tls.mode"] = "\"verify_identity\"";
    settings.values["backend_tls.ca"] = tls_file("ca.pem");
    return settings;
  }
};

std::string cipher_of(const std::string& row) { return row.substr(row.find(':') + 1); }
int server_of(const std::string& row) { return std::stoi(row.substr(0, row.find(':'))); }

TEST_F(BackendTlsTest, ReplicaReadsAndTheMastersTransactionsRunOverTls) {
  auto connection = connect_proxy();
  EXPECT_FALSE(connection->tls_cipher().has_value());  // the client itself is in clear text
  std::string row;
  const int reader = poll_until_replica([&] {
    row = *connection->scalar(cipher_sql);
    return server_of(row);
  });
  EXPECT_PRED1(is_replica_id, reader);
  EXPECT_FALSE(cipher_of(row).empty()) << "replica connection in clear text: " << row;

  connection->execute("BEGIN");
  row = *connection->scalar(cipher_sql);
  connection->execute("COMMIT");
  EXPECT_EQ(server_of(row), master_server_id);
  EXPECT_FALSE(cipher_of(row).empty()) << "master connection in clear text: " << row;

  create_table_everywhere("backend_tls_t", "id INT PRIMARY KEY");
  EXPECT_EQ(connection->execute("INSERT INTO backend_tls_t VALUES (1)"), 1u);
  EXPECT_EQ(connection->scalar("SELECT COUNT(*) FROM backend_tls_t"), "1");  // read-your-write
}

TEST_F(BackendTlsTest, ACaThatDidNotSignTheServersFailsTheLoginClearly) {
  ProxySettings settings = proxy_settings();
  settings.master_only = true;
  settings.values["monitor.enabled"] = "false";
  settings.values["backend_tls.mode"] = "\"verify_ca\"";
  settings.values["backend_tls.ca"] = tls_file("other-ca.pem");
  ProxyProcess untrusting(topology_, settings);
  ConnectOptions options = app_options(topology_.app_db);
  options.port = untrusting.port();
  MysqlConnection refused(options);
  ASSERT_FALSE(refused.connected());
  EXPECT_NE(refused.last_error().message.find("TLS handshake failed"), std::string::npos) << refused.last_error();
  EXPECT_TRUE(untrusting.running());
}

}  // namespace
}  // namespace rwproxy::test
