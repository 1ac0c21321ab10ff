// [tls] and [[users]] require_tls: what the loader accepts and the problems it reports. (Whether
// the files are usable is checked when the TLS context is built: tests/proxy/tls_context_test.)
#include <gtest/gtest.h>

#include "problem_matchers.hpp"
#include "proxy/config/config_loader.hpp"

namespace rwproxy::config {
namespace {

using testing::load;
using testing::load_with_minimal;

TEST(TlsConfigTest, OffByDefault) {
  const LoadResult result = load_with_minimal("");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_FALSE(result.config->tls.enabled());
  EXPECT_EQ(result.config->tls.min_version, TlsVersion::tls1_2);
  EXPECT_FALSE(result.config->users[0].require_tls);
}

TEST(TlsConfigTest, EveryKey) {
  const LoadResult result = load_with_minimal(
      "[tls]\ncertificate = \"/etc/rwproxy/cert.pem\"\nprivate_key = \"/etc/rwproxy/key.pem\"\n"
      "ca = \"/etc/rwproxy/ca.pem\"\nmin_version = \"TLSv1.3\"\nciphers = \"ECDHE-ECDSA-AES128-GCM-SHA256\"\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Tls& tls = result.config->tls;
  EXPECT_TRUE(tls.enabled());
  EXPECT_EQ(tls.certificate, "/etc/rwproxy/cert.pem");
  EXPECT_EQ(tls.private_key, "/etc/rwproxy/key.pem");
  EXPECT_EQ(tls.ca, "/etc/rwproxy/ca.pem");
  EXPECT_EQ(tls.min_version, TlsVersion::tls1_3);
  EXPECT_EQ(tls.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST(TlsConfigTest, CertificateWithoutKey) {
  const LoadResult result = load_with_minimal("[tls]\ncertificate = \"/etc/rwproxy/cert.pem\"\n");
  EXPECT_PROBLEM(result, "tls.private_key", "set both tls.certificate and tls.private_key");
}

TEST(TlsConfigTest, CaWithoutCertificate) {
  const LoadResult result = load_with_minimal("[tls]\nca = \"/etc/rwproxy/ca.pem\"\n");
  EXPECT_PROBLEM(result, "tls.ca", "needs tls.certificate and tls.private_key");
}

TEST(TlsConfigTest, UnknownMinVersion) {
  const LoadResult result = load_with_minimal(
      "[tls]\ncertificate = \"c.pem\"\nprivate_key = \"k.pem\"\nmin_version = \"TLSv1.0\"\n");
  EXPECT_PROBLEM(result, "tls.min_version", "TLSv1.2");
}

TEST(TlsConfigTest, RequireTlsPerUser) {
  const LoadResult result = load(
      "[tls]\ncertificate = \"c.pem\"\nprivate_key = \"k.pem\"\n"
      "[[backends]]\nrole = \"master\"\nport = 3306\n"
      "[[users]]\nname = \"app\"\npassword = \"x\"\nrequire_tls = true\n"
      "[[users]]\nname = \"report\"\npassword = \"y\"\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_TRUE(result.config->users[0].require_tls);
  EXPECT_FALSE(result.config->users[1].require_tls);
}

TEST(TlsConfigTest, RequireTlsWithoutTlsCouldNeverLogIn) {
  const LoadResult result = load(
      "[[backends]]\nrole = \"master\"\nport = 3306\n"
      "[[users]]\nname = \"app\"\npassword = \"x\"\nrequire_tls = true\n");
  EXPECT_PROBLEM(result, "users[0].require_tls", "TLS is off");
}

TEST(BackendTlsConfigTest, DisabledByDefault) {
  const LoadResult result = load_with_minimal("");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  EXPECT_EQ(result.config->backend_tls.mode, BackendTlsMode::disabled);
  EXPECT_EQ(result.config->tls_mode(*result.config->master()), BackendTlsMode::disabled);
}

TEST(BackendTlsConfigTest, DefaultModeAndAPerBackendOverride) {
  const LoadResult result = load(
      "[backend_tls]\nmode = \"verify_identity\"\nca = \"/etc/rwproxy/db-ca.pem\"\n"
      "certificate = \"/etc/rwproxy/client.pem\"\nprivate_key = \"/etc/rwproxy/client-key.pem\"\n"
      "[[backends]]\nrole = \"master\"\nport = 3306\n"
      "[[backends]]\nrole = \"replica\"\nport = 3307\ntls_mode = \"disabled\"\n"
      "[[users]]\nname = \"app\"\npassword = \"x\"\n");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Config& config = *result.config;
  EXPECT_EQ(config.backend_tls.ca, "/etc/rwproxy/db-ca.pem");
  EXPECT_EQ(config.tls_mode(*config.master()), BackendTlsMode::verify_identity);
  EXPECT_EQ(config.tls_mode(*config.replicas()[0]), BackendTlsMode::disabled);
}

TEST(BackendTlsConfigTest, UnknownModeAndHalfAClientCertificate) {
  const LoadResult result =
      load_with_minimal("[backend_tls]\nmode = \"preferred\"\ncertificate = \"/etc/rwproxy/client.pem\"\n");
  EXPECT_PROBLEM(result, "backend_tls.mode", "verify_identity");
  EXPECT_PROBLEM(result, "backend_tls.private_key", "set both backend_tls.certificate and backend_tls.private_key");
}

}  // namespace
}  // namespace rwproxy::config
