// caching_sha2_password's token and RSA exchange. The expected token comes from PyMySQL's own
// implementation (pymysql._auth.scramble_caching_sha2), an independent client.
#include "proxy/protocol/caching_sha2.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::hex;
using test::unhex;

const std::string kNonce = "Xq#9,Ry(5/LtX{]gvzN~";

TEST(CachingSha2Test, TokenMatchesAnIndependentClient) {
  EXPECT_EQ(hex(caching_sha2_token("s3cret", kNonce)),
            hex(unhex("b6 21 59 02 ee b0 75 87 d4 cb fb f6 4c 35 79 ad c5 78 1b de a3 5d 46 0d 5d 43 16 51 03 48 97 4b")));
  EXPECT_TRUE(caching_sha2_token("", kNonce).empty());
}

TEST(CachingSha2Test, VerifiesTheRightPasswordOnly) {
  const Sha256Digest hash = caching_sha2_hash("s3cret");
  EXPECT_TRUE(verify_caching_sha2_token(caching_sha2_token("s3cret", kNonce), kNonce, hash));
  EXPECT_FALSE(verify_caching_sha2_token(caching_sha2_token("s3cret!", kNonce), kNonce, hash));
  EXPECT_FALSE(verify_caching_sha2_token(caching_sha2_token("s3cret", "another nonce 12345!"), kNonce, hash));
  EXPECT_FALSE(verify_caching_sha2_token("", kNonce, hash));
  EXPECT_FALSE(verify_caching_sha2_token(std::string(31, 'x'), kNonce, hash));
}

TEST(CachingSha2Test, XorWithTheNonceMatchesAnIndependentClient) {
  EXPECT_EQ(hex(xor_with_nonce(std::string("s3cret\0", 7), kNonce)), hex(unhex("2b 42 40 4b 49 26 79")));
  EXPECT_EQ(xor_with_nonce(xor_with_nonce("a longer password than the nonce itself", kNonce), kNonce),
            "a longer password than the nonce itself");
}

TEST(CachingSha2Test, RsaRoundTripWithAGeneratedKey) {
  RsaKeyPair keys;
  EXPECT_FALSE(keys.load().has_value());
  const std::string pem = keys.public_key_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u) << pem;
  const std::string secret = xor_with_nonce(std::string("s3cret\0", 7), kNonce);
  const auto cipher = keys.encrypt(secret);
  ASSERT_TRUE(cipher.has_value());
  EXPECT_EQ(cipher->size(), 256u);  // 2048-bit key
  EXPECT_EQ(keys.decrypt(*cipher), secret);
  EXPECT_FALSE(keys.decrypt(std::string(256, '\x42')).has_value());
  EXPECT_FALSE(keys.decrypt("short").has_value());
}

TEST(CachingSha2Test, MissingKeyFileIsReported) {
  RsaKeyPair keys("/nonexistent/rwproxy-key.pem");
  const auto problem = keys.load();
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("cannot open"), std::string::npos) << *problem;
  EXPECT_TRUE(keys.public_key_pem().empty());
  EXPECT_FALSE(keys.decrypt("x").has_value());
}

}  // namespace
}  // namespace rwproxy::protocol
