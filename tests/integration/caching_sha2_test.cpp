// caching_sha2_password from a real client (MariaDB Connector/C's caching_sha2_password plugin,
// started with it as MySQL 8 connectors do): the fast path for a user with a clear-text password,
// full authentication over TLS and with the proxy's RSA key in clear text for a user known only
// by its mysql_native_password hash. The backends still see mysql_native_password logins.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

constexpr const char* admin_hash = "*1B6992598B6D3D064C7AB83A61F148C47724084A";  // admin-secret

class CachingSha2Test : public ReplicaProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ReplicaProxyTest::proxy_settings();
    settings.users_toml = "[[users]]\nname = \"" + topology_.app.user + "\"\npassword = \"" + topology_.app.password +
                          "\"\n\n[[users]]\nname = \"" + topology_.admin.user + "\"\npassword_hash = \"" + admin_hash +
                          "\"\n";
    return settings;
  }

  ConnectOptions sha2(const Account& account, bool tls = false) const {
    ConnectOptions options = app_options(topology_.app_db);
    options.user = account.user;
    options.password = account.password;
    options.default_auth = "caching_sha2_password";
    if (tls) {
      const auto dir = topology_.proxy_config.parent_path() / "tls";
      options.tls = ConnectOptions::Tls{(dir / "ca.pem").string(), true, {}, {}};
    }
    return options;
  }
};

TEST_F(CachingSha2Test, FastPathForAUserWithAClearTextPassword) {
  auto connection = connect(sha2(topology_.app));
  EXPECT_FALSE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"), topology_.app.user);
  EXPECT_EQ(connection->scalar("SELECT 6 * 7"), "42");
}

TEST_F(CachingSha2Test, WrongPasswordIsAccessDenied) {
  MysqlConnection refused(sha2(Account{topology_.app.user, "not-the-password"}));
  ASSERT_FALSE(refused.connected());
  EXPECT_EQ(refused.last_error().code, 1045u) << refused.last_error();
}

TEST_F(CachingSha2Test, HashOnlyUserAuthenticatesFullyOverTls) {
  auto connection = connect(sha2(topology_.admin, true));
  EXPECT_TRUE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"), topology_.admin.user);
}

TEST_F(CachingSha2Test, HashOnlyUserInClearTextUsesTheProxysRsaKey) {
  auto connection = connect(sha2(topology_.admin));
  EXPECT_FALSE(connection->tls_cipher().has_value());
  EXPECT_EQ(connection->scalar("SELECT SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"), topology_.admin.user);
}

TEST_F(CachingSha2Test, HashOnlyUserWithAWrongPasswordIsAccessDenied) {
  for (const bool tls : {false, true}) {
    MysqlConnection refused(sha2(Account{topology_.admin.user, "guess"}, tls));
    ASSERT_FALSE(refused.connected()) << (tls ? "over TLS" : "RSA");
    EXPECT_EQ(refused.last_error().code, 1045u) << refused.last_error();
  }
  EXPECT_EQ(connect(sha2(topology_.app))->scalar("SELECT 1"), "1");  // the proxy goes on
}

}  // namespace
}  // namespace rwproxy::test
