// TLS towards clients on real MariaDB: the topology's rwproxy.toml has [tls] with a throwaway CA
// (scripts/make_test_certs.sh, in the topology's tls/ directory). Clients ask for TLS with
// MariaDB Connector/C's options, verify the proxy's certificate and its name, and are served
// by the replicas and the master as in clear text; clear-text clients still work; a user with
// require_tls is refused in clear text; a bad TLS hello costs only its own connection; SIGHUP
// re-reads the certificate and keeps the old one when the new files are unusable.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "tests/integration/support/polling.hpp"
#include "tests/integration/support/raw_socket.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;

// Output of a shell command (stdout), or "" if it could not run.
std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
  return out;
}

// The SHA-256 fingerprint of a PEM certificate file.
std::string file_fingerprint(const std::filesystem::path& pem) {
  return run("openssl x509 -noout -fingerprint -sha256 -in '" + pem.string() + "' 2>/dev/null");
}

// The fingerprint of the certificate the proxy presents (openssl's MySQL STARTTLS).
std::string served_fingerprint(std::uint16_t port) {
  return run("openssl s_client -starttls mysql -connect 127.0.0.1:" + std::to_string(port) +
             " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null");
}

class TlsTest : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    // The admin account must use TLS; app may use either.
    settings.users_toml = "[[users]]\nname = \"" + topology_.app.user + "\"\npassword = \"" + topology_.app.password +
                          "\"\n\n[[users]]\nname = \"" + topology_.admin.user + "\"\npassword = \"" +
                          topology_.admin.password + "\"\nrequire_tls = true\n";
    return settings;
  }

  std::filesystem::path tls_dir() const { return topology_.proxy_config.parent_path() / "tls"; }

  // Verifying the proxy's certificate and name against `ca` (default: the topology's CA).
  ConnectOptions tls_options(std::optional<std::filesystem::path> ca = std::nullopt) const {
    ConnectOptions options = app_options(topology_.app_db);
    options.host = "127.0.0.1";
    options.tls = ConnectOptions::Tls{ca.value_or(tls_dir() / "ca.pem").string(), true, {}, {}};
    return options;
  }

  ConnectOptions admin_options() const {
    ConnectOptions options = app_options(topology_.app_db);
    options.user = topology_.admin.user;
    options.password = topology_.admin.password;
    return options;
  }

  std::string read_config() {
    std::ifstream in(proxy().config_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void write_config(const std::string& text) { std::ofstream(proxy().config_path(), std::ios::trunc) << text; }
  double reloads(const char* result) {
    return metrics().value("rwproxy_config_reloads_total", {{"result", result}}).value_or(-1);
  }
};

TEST_F(TlsTest, VerifiedTlsClientIsServedByReplicasAndReadsItsOwnWrite) {
  create_table_everywhere("tls_t", "id INT PRIMARY KEY, v VARCHAR(20)", "INSERT INTO tls_t VALUES (1, 'one')");
  auto connection = connect(tls_options());
  ASSERT_TRUE(connection->tls_cipher().has_value()) << "the connection is not encrypted";
  const int reader = poll_until_replica([&] { return std::stoi(*connection->scalar("SELECT @@server_id FROM tls_t")); });
  EXPECT_PRED1(is_replica_id, reader);
  EXPECT_EQ(connection->execute("INSERT INTO tls_t VALUES (2, 'two')"), 1u);
  EXPECT_EQ(connection->scalar("SELECT v FROM tls_t WHERE id = 2"), "two");  // read-your-write
  EXPECT_EQ(connection->scalar("SELECT @@server_id"), std::to_string(master_server_id));
}

TEST_F(TlsTest, LargeResultOverTls) {
  auto connection = connect(tls_options());
  ASSERT_TRUE(connection->tls_cipher().has_value());
  // 50,000 rows of 100 bytes: many TLS records, written as the backend streams them.
  const Rows rows = connection->query(
      "SELECT seq, REPEAT('x', 100) FROM seq_1_to_50000");
  ASSERT_EQ(rows.size(), 50000u);
  EXPECT_EQ(rows.back()[0], "50000");
  EXPECT_EQ(rows.back()[1]->size(), 100u);
}

TEST_F(TlsTest, ClearTextClientStillWorksWhereTlsIsOffered) {
  auto connection = connect(app_options(topology_.app_db));
  EXPECT_FALSE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT 1 + 1"), "2");
}

TEST_F(TlsTest, RequireTlsUserIsRefusedInClearTextAndServedOverTls) {
  MysqlConnection clear(admin_options());
  ASSERT_FALSE(clear.connected());
  EXPECT_EQ(clear.last_error().code, 1045u);
  EXPECT_NE(clear.last_error().message.find("requires TLS"), std::string::npos) << clear.last_error();

  ConnectOptions secure = admin_options();
  secure.tls = ConnectOptions::Tls{(tls_dir() / "ca.pem").string(), true, {}, {}};
  auto connection = connect(secure);
  EXPECT_TRUE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT CURRENT_USER() LIKE 'rwadmin@%'"), "1");
}

TEST_F(TlsTest, ChangeUserToARequireTlsUserNeedsTlsToo) {
  const Account& admin = topology_.admin;
  auto clear = connect(app_options(topology_.app_db));
  EXPECT_NE(mysql_change_user(clear->handle(), admin.user.c_str(), admin.password.c_str(), topology_.app_db.c_str()), 0);
  EXPECT_EQ(mysql_errno(clear->handle()), 1045u) << mysql_error(clear->handle());
  EXPECT_NE(std::string(mysql_error(clear->handle())).find("requires TLS"), std::string::npos)
      << mysql_error(clear->handle());

  auto secure = connect(tls_options());
  ASSERT_EQ(mysql_change_user(secure->handle(), admin.user.c_str(), admin.password.c_str(), topology_.app_db.c_str()), 0)
      << mysql_error(secure->handle());
  EXPECT_EQ(secure->scalar("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"), admin.user);
  EXPECT_TRUE(secure->tls_cipher().has_value());
}

TEST_F(TlsTest, ClientCertificateSignedByTheCaIsAccepted) {
  ConnectOptions options = tls_options();
  options.tls->certificate = (tls_dir() / "client.pem").string();
  options.tls->key = (tls_dir() / "client-key.pem").string();
  auto connection = connect(options);
  EXPECT_TRUE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT 2 * 21"), "42");
}

TEST_F(TlsTest, ClientThatDoesNotTrustTheCertificateFailsAndTheProxyGoesOn) {
  MysqlConnection refused(tls_options(tls_dir() / "other-ca.pem"));
  EXPECT_FALSE(refused.connected());
  EXPECT_GE(refused.last_error().code, 2000u) << refused.last_error();  // the client gave up
  auto connection = connect(tls_options());
  EXPECT_EQ(connection->scalar("SELECT 3"), "3");
}

TEST_F(TlsTest, GarbageInsteadOfATlsHelloClosesOnlyThatConnection) {
  UniqueFd fd = connect_tcp(proxy().port());
  ASSERT_TRUE(fd);
  const RawPacket greeting = read_packet(fd.get(), 5s);
  ASSERT_EQ(greeting.status, RawPacket::Status::packet);
  // An SSL request (CLIENT_SSL | PROTOCOL_41 | SECURE_CONNECTION ...), then bytes that are not TLS.
  const std::string ssl_request = std::string("\x85\xae\xbf\x01\x00\x00\x00\x01\x2d", 9) + std::string(23, '\0');
  ASSERT_TRUE(send_all(fd.get(), frame(1, ssl_request) + "this is not a TLS client hello\r\n"));
  EXPECT_TRUE(wait_closed(fd.get(), 10s));
  EXPECT_EQ(connect(tls_options())->scalar("SELECT 1"), "1");  // the proxy goes on
}

TEST_F(TlsTest, SighupRereadsTheCertificateAndKeepsItWhenTheNewFilesAreBad) {
  ASSERT_EQ(served_fingerprint(proxy().port()), file_fingerprint(tls_dir() / "server.pem"))
      << "openssl s_client -starttls mysql did not see the topology's certificate";
  // A new CA and certificate in a directory of this test; the config is pointed at them.
  const std::filesystem::path rotated = proxy().config_path().parent_path() / ("tls-rotated-" + std::to_string(proxy().pid()));
  ASSERT_EQ(std::system((std::string(RWPROXY_SOURCE_DIR) + "/scripts/make_test_certs.sh '" + rotated.string() + "'").c_str()), 0);
  std::string config = read_config();
  const std::string old_dir = tls_dir().string();
  for (std::size_t at; (at = config.find(old_dir)) != std::string::npos;) config.replace(at, old_dir.size(), rotated.string());
  write_config(config);
  ASSERT_EQ(kill(proxy().pid(), SIGHUP), 0);
  ASSERT_TRUE(poll_until(10s, [&] { return reloads("success") == 1.0; })) << proxy().log_tail();
  EXPECT_EQ(served_fingerprint(proxy().port()), file_fingerprint(rotated / "server.pem"));
  EXPECT_TRUE(connect(tls_options(rotated / "ca.pem"))->tls_cipher().has_value());
  MysqlConnection old_ca(tls_options());
  EXPECT_FALSE(old_ca.connected()) << "a client trusting only the old CA still verified the proxy";

  // Unusable files: the reload fails as a whole and the rotated certificate stays in use.
  const std::string rotated_certificate = (rotated / "server.pem").string();
  config.replace(config.find(rotated_certificate), rotated_certificate.size(), (rotated / "missing.pem").string());
  write_config(config);
  ASSERT_EQ(kill(proxy().pid(), SIGHUP), 0);
  ASSERT_TRUE(poll_until(10s, [&] { return reloads("failure") == 1.0; })) << proxy().log_tail();
  EXPECT_NE(proxy().log_tail().find("tls.certificate"), std::string::npos) << proxy().log_tail();
  EXPECT_EQ(served_fingerprint(proxy().port()), file_fingerprint(rotated / "server.pem"));
  EXPECT_TRUE(connect(tls_options(rotated / "ca.pem"))->tls_cipher().has_value());
  std::error_code ignored;
  std::filesystem::remove_all(rotated, ignored);
}

}  // namespace
}  // namespace rwproxy::test
