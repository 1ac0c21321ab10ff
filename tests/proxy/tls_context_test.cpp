// make_server_tls_context: the [tls] files are checked the way a config problem is reported.
// Certificates come from scripts/make_test_certs.sh, written once into a temporary directory.
#include "proxy/net/tls_context.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace rwproxy::net {
namespace {

class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((std::filesystem::temp_directory_path() / ("rwproxy-tls-" + std::to_string(::getpid()))).string());
    const std::string command = std::string(RWPROXY_SOURCE_DIR) + "/scripts/make_test_certs.sh " + *dir_;
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(*dir_, ignored);
    delete dir_;
  }
  static std::string file(const char* name) { return *dir_ + "/" + name; }

  static config::Tls server_files() {
    config::Tls tls;
    tls.certificate = file("server.pem");
    tls.private_key = file("server-key.pem");
    return tls;
  }

  std::vector<config::ConfigProblem> problems;
  static std::string* dir_;
};

std::string* TlsContextTest::dir_ = nullptr;

TEST_F(TlsContextTest, OffWithoutACertificate) {
  EXPECT_EQ(make_server_tls_context(config::Tls{}, problems), nullptr);
  EXPECT_TRUE(problems.empty());
}

TEST_F(TlsContextTest, CertificateKeyAndCa) {
  config::Tls tls = server_files();
  tls.ca = file("ca.pem");
  tls.min_version = config::TlsVersion::tls1_3;
  EXPECT_NE(make_server_tls_context(tls, problems), nullptr);
  EXPECT_TRUE(problems.empty()) << problems.front().message;
}

TEST_F(TlsContextTest, MissingCertificateFile) {
  config::Tls tls = server_files();
  tls.certificate = file("nope.pem");
  EXPECT_EQ(make_server_tls_context(tls, problems), nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key_path, "tls.certificate");
  EXPECT_NE(problems[0].message.find("is not a readable file"), std::string::npos) << problems[0].message;
}

TEST_F(TlsContextTest, KeyOfAnotherCertificate) {
  config::Tls tls = server_files();
  tls.private_key = file("client-key.pem");
  EXPECT_EQ(make_server_tls_context(tls, problems), nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key_path, "tls.private_key");
  EXPECT_NE(problems[0].message.find("is not the private key"), std::string::npos) << problems[0].message;
}

TEST_F(TlsContextTest, FileThatIsNotPem) {
  const std::string garbage = file("garbage.pem");
  std::ofstream(garbage) << "not a certificate\n";
  config::Tls tls = server_files();
  tls.certificate = garbage;
  EXPECT_EQ(make_server_tls_context(tls, problems), nullptr);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].key_path, "tls.certificate");
  EXPECT_NE(problems[0].message.find("cannot use"), std::string::npos) << problems[0].message;
}

TEST_F(TlsContextTest, UnknownCiphers) {
  config::Tls tls = server_files();
  tls.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(make_server_tls_context(tls, problems), nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key_path, "tls.ciphers");
}

}  // namespace
}  // namespace rwproxy::net
