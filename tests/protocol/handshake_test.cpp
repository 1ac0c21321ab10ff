// Connection-phase messages: Handshake v10, HandshakeResponse41, SSLRequest, AuthSwitchRequest,
// COM_CHANGE_USER. Real byte layouts per the MySQL/MariaDB client/server protocol documentation.
#include "proxy/protocol/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/error.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::heap_copy;
using test::hex;
using test::span_of;
using test::unhex;

const std::string kNul(1, '\0');

// ---- Handshake v10 as MariaDB 10.11.6 (Debian 12) sends it -------------------------------

const std::string kMariaVersion = "5.5.5-10.11.6-MariaDB-0+deb12u1";
const std::string kScramble1 = "Xq#9,Ry(";      // auth-plugin-data-part-1, 8 bytes
const std::string kScramble2 = "5/LtX{]gvzN~";  // auth-plugin-data-part-2, 12 bytes (+ NUL)

// `extended_caps` are MariaDB's 4 extra capability bytes, sent in the last 4 bytes of the
// 10-byte filler because CLIENT_MYSQL (bit 0) is clear in the server capabilities.
std::string mariadb_greeting(std::string_view extended_caps = "1d 00 00 00") {
  return unhex("0a") + kMariaVersion + kNul  // protocol 10, server version
         + unhex("1f 00 00 00")              // connection id 31
         + kScramble1 + kNul                 // scramble part 1, filler
         + unhex("fe f7")                    // capabilities, low 16 bits
         + unhex("2d")                       // utf8mb4_general_ci
         + unhex("02 00")                    // SERVER_STATUS_AUTOCOMMIT
         + unhex("ff 81")                    // capabilities, high 16 bits
         + unhex("15")                       // auth-plugin-data length: 21
         + unhex("00 00 00 00 00 00")        // filler
         + unhex(extended_caps)              // MariaDB extended capabilities
         + kScramble2 + kNul                 // scramble part 2
         + "mysql_native_password" + kNul;
}

TEST(InitialHandshakeTest, ParsesMariaDb1011Greeting) {
  auto buf = heap_copy(mariadb_greeting());
  InitialHandshake hs;
  ASSERT_FALSE(InitialHandshake::deserialize(span_of(buf), hs));
  EXPECT_EQ(hs.server_version, kMariaVersion);
  EXPECT_EQ(hs.connection_id, 31u);
  EXPECT_EQ(hs.scramble, kScramble1 + kScramble2);
  EXPECT_EQ(hs.scramble.size(), 20u);
  EXPECT_EQ(hs.capabilities, 0x81fff7feu);
  EXPECT_TRUE(hs.capabilities & capability::protocol_41);
  EXPECT_TRUE(hs.capabilities & capability::secure_connection);
  EXPECT_TRUE(hs.capabilities & capability::plugin_auth);
  EXPECT_TRUE(hs.capabilities & capability::deprecate_eof);
  EXPECT_FALSE(hs.capabilities & capability::ssl);
  EXPECT_EQ(hs.collation, 45);
  EXPECT_EQ(hs.status_flags, server_status::autocommit);
  EXPECT_EQ(hs.auth_plugin, "mysql_native_password");
}

TEST(InitialHandshakeTest, SerializesTheSameBytesExceptMariaDbExtendedCapabilities) {
  auto buf = heap_copy(mariadb_greeting());
  InitialHandshake hs;
  ASSERT_FALSE(InitialHandshake::deserialize(span_of(buf), hs));
  std::string out;
  hs.serialize(out);
  // The codec does not keep MariaDB's extended capabilities; it writes a zero filler there.
  EXPECT_EQ(hex(out), hex(mariadb_greeting("00 00 00 00")));
}

TEST(InitialHandshakeTest, RoundTrip) {
  InitialHandshake hs;
  hs.server_version = "5.5.5-10.11.6-MariaDB-rwproxy";
  hs.connection_id = 0x01020304;
  hs.scramble = "abcdefghijklmnopqrst";
  hs.capabilities = capability::protocol_41 | capability::secure_connection | capability::plugin_auth |
                    capability::connect_with_db | capability::deprecate_eof | capability::transactions;
  hs.collation = 45;
  hs.status_flags = server_status::autocommit;
  std::string wire;
  hs.serialize(wire);
  auto buf = heap_copy(wire);
  InitialHandshake back;
  ASSERT_FALSE(InitialHandshake::deserialize(span_of(buf), back));
  EXPECT_EQ(back.server_version, hs.server_version);
  EXPECT_EQ(back.connection_id, hs.connection_id);
  EXPECT_EQ(back.scramble, hs.scramble);
  EXPECT_EQ(back.capabilities, hs.capabilities);
  EXPECT_EQ(back.collation, hs.collation);
  EXPECT_EQ(back.status_flags, hs.status_flags);
  EXPECT_EQ(back.auth_plugin, "mysql_native_password");
  std::string again;
  back.serialize(again);
  EXPECT_EQ(hex(again), hex(wire));
}

TEST(InitialHandshakeTest, ParsesMySql8GreetingWithCachingSha2) {
  const std::string wire = unhex("0a") + "8.0.36" + kNul + unhex("08 00 00 00") + "abcdefgh" + kNul +
                           unhex("ff ff ff 02 00 ff df 15 00 00 00 00 00 00 00 00 00 00") + "ijklmnopqrst" +
                           kNul + "caching_sha2_password" + kNul;
  auto buf = heap_copy(wire);
  InitialHandshake hs;
  ASSERT_FALSE(InitialHandshake::deserialize(span_of(buf), hs));
  EXPECT_EQ(hs.server_version, "8.0.36");
  EXPECT_EQ(hs.scramble, "abcdefghijklmnopqrst");
  EXPECT_EQ(hs.capabilities, 0xdfffffffu);
  EXPECT_EQ(hs.collation, 0xff);
  EXPECT_EQ(hs.auth_plugin, "caching_sha2_password");
}

TEST(InitialHandshakeTest, PluginNameWithoutTerminatingNulIsAccepted) {
  std::string wire = mariadb_greeting();
  wire.pop_back();
  auto buf = heap_copy(wire);
  InitialHandshake hs;
  ASSERT_FALSE(InitialHandshake::deserialize(span_of(buf), hs));
  EXPECT_EQ(hs.auth_plugin, "mysql_native_password");
}

TEST(InitialHandshakeTest, OtherProtocolVersionsAreRejected) {
  std::string wire = mariadb_greeting();
  wire[0] = 9;
  auto buf = heap_copy(wire);
  InitialHandshake hs;
  EXPECT_EQ(InitialHandshake::deserialize(span_of(buf), hs), ProtocolError::unsupported_protocol);
}

TEST(InitialHandshakeTest, TruncatedAtEveryLength) {
  const std::string wire = mariadb_greeting();
  // A greeting may legally stop right after the low capability bytes (pre-4.1 servers), and the
  // plugin name is read up to the end of the packet (some servers omit its NUL).
  const std::size_t short_greeting = 1 + kMariaVersion.size() + 1 + 4 + 8 + 1 + 2;
  const std::size_t plugin_start = wire.size() - std::string("mysql_native_password").size() - 1;
  for (std::size_t len = 0; len < wire.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(wire).substr(0, len));
    InitialHandshake hs;
    std::error_code ec = InitialHandshake::deserialize(span_of(buf), hs);
    if (len == short_greeting) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(hs.capabilities, 0xf7feu);
    } else if (len >= plugin_start) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(hs.auth_plugin, std::string("mysql_native_password").substr(0, len - plugin_start));
    } else {
      EXPECT_EQ(ec, ProtocolError::truncated_packet);
    }
  }
}

// ---- HandshakeResponse41 ------------------------------------------------------------------

constexpr std::uint32_t kClientCaps =
    capability::long_password | capability::long_flag | capability::local_files | capability::protocol_41 |
    capability::interactive | capability::transactions | capability::secure_connection |
    capability::multi_statements | capability::multi_results | capability::ps_multi_results |
    capability::plugin_auth | capability::connect_attrs | capability::plugin_auth_lenenc_data |
    capability::session_track | capability::deprecate_eof;
static_assert(kClientCaps == 0x01bfa685);

// mysql_native_password token for 'password' and scramble 01..14 (computed independently).
const std::string kToken = unhex("c1 7d 60 09 a5 cb 47 e5 9f 74 83 fc f0 55 53 bb bf 7d d0 d6");
const std::string kFiller23(23, '\0');
const std::string kAttrs = unhex("23") + "\x0c_client_name\x0alibmariadb\x04_pid\x05" "12345";

// Pieces of a response as libmariadb sends it: lenenc auth data, plugin name, attributes.
const std::string kResponseHead = unhex("85 a6 bf 01  00 00 00 01  2d") + kFiller23 + "app" + kNul;
const std::string kResponseAuth = unhex("14") + kToken;
const std::string kResponsePlugin = "mysql_native_password" + kNul;
const std::string kResponse = kResponseHead + kResponseAuth + kResponsePlugin + kAttrs;

TEST(HandshakeResponseTest, ParsesLenencAuthPluginAndAttributes) {
  auto buf = heap_copy(kResponse);
  HandshakeResponse r;
  ASSERT_FALSE(HandshakeResponse::deserialize(span_of(buf), r));
  EXPECT_EQ(r.capabilities, kClientCaps);
  EXPECT_EQ(r.max_packet_size, 0x01000000u);
  EXPECT_EQ(r.collation, 45);
  EXPECT_EQ(r.username, "app");
  EXPECT_EQ(hex(r.auth_response), hex(kToken));
  EXPECT_EQ(r.database, "");
  EXPECT_EQ(r.auth_plugin, "mysql_native_password");
  ASSERT_EQ(r.attributes.size(), 2u);
  EXPECT_EQ(r.attributes[0].first, "_client_name");
  EXPECT_EQ(r.attributes[0].second, "libmariadb");
  EXPECT_EQ(r.attributes[1].first, "_pid");
  EXPECT_EQ(r.attributes[1].second, "12345");
}

TEST(HandshakeResponseTest, SerializesLenencAuthPluginAndAttributes) {
  HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.max_packet_size = 0x01000000;
  r.collation = 45;
  r.username = "app";
  r.auth_response = kToken;
  r.auth_plugin = "mysql_native_password";
  r.attributes = {{"_client_name", "libmariadb"}, {"_pid", "12345"}};
  std::string out;
  r.serialize(out);
  EXPECT_EQ(hex(out), hex(kResponse));
}

TEST(HandshakeResponseTest, WithDatabaseOneByteAuthLengthNoPlugin) {
  // CLIENT_CONNECT_WITH_DB and CLIENT_SECURE_CONNECTION, but neither PLUGIN_AUTH nor lenenc data.
  const std::string wire = unhex("09 a2 00 00  00 00 00 40  21") + kFiller23 + "report" + kNul + unhex("14") +
                           kToken + "shop" + kNul;
  auto buf = heap_copy(wire);
  HandshakeResponse r;
  ASSERT_FALSE(HandshakeResponse::deserialize(span_of(buf), r));
  EXPECT_EQ(r.capabilities, capability::long_password | capability::connect_with_db | capability::protocol_41 |
                                capability::transactions | capability::secure_connection);
  EXPECT_EQ(r.max_packet_size, 0x40000000u);
  EXPECT_EQ(r.collation, 33);
  EXPECT_EQ(r.username, "report");
  EXPECT_EQ(hex(r.auth_response), hex(kToken));
  EXPECT_EQ(r.database, "shop");
  EXPECT_EQ(r.auth_plugin, "");
  EXPECT_TRUE(r.attributes.empty());

  std::string out;
  r.serialize(out);
  EXPECT_EQ(hex(out), hex(wire));
}

TEST(HandshakeResponseTest, WithDatabaseAndPluginEmptyPassword) {
  const std::uint32_t caps = capability::protocol_41 | capability::secure_connection | capability::connect_with_db |
                             capability::plugin_auth | capability::plugin_auth_lenenc_data;
  const std::string wire = unhex("08 82 28 00  00 00 00 01  2d") + kFiller23 + "nopass" + kNul + unhex("00") +
                           "shop" + kNul + "mysql_native_password" + kNul;
  auto buf = heap_copy(wire);
  HandshakeResponse r;
  ASSERT_FALSE(HandshakeResponse::deserialize(span_of(buf), r));
  EXPECT_EQ(r.capabilities, caps);
  EXPECT_EQ(r.username, "nopass");
  EXPECT_EQ(r.auth_response, "");
  EXPECT_EQ(r.database, "shop");
  EXPECT_EQ(r.auth_plugin, "mysql_native_password");
  std::string out;
  r.serialize(out);
  EXPECT_EQ(hex(out), hex(wire));
}

TEST(HandshakeResponseTest, LenencAuthDataLongerThan250Bytes) {
  HandshakeResponse r;
  r.capabilities = capability::protocol_41 | capability::secure_connection | capability::plugin_auth |
                   capability::plugin_auth_lenenc_data;
  r.max_packet_size = 1 << 24;
  r.username = "krb";
  r.auth_response = std::string(300, '\x5a');
  r.auth_plugin = "auth_gssapi_client";
  std::string wire;
  r.serialize(wire);
  const std::size_t auth_at = 32 + 4;  // fixed part + "krb\0"
  EXPECT_EQ(hex(wire.substr(auth_at, 3)), "fc 2c 01");
  auto buf = heap_copy(wire);
  HandshakeResponse back;
  ASSERT_FALSE(HandshakeResponse::deserialize(span_of(buf), back));
  EXPECT_EQ(back.auth_response, r.auth_response);
  EXPECT_EQ(back.auth_plugin, "auth_gssapi_client");
}

TEST(HandshakeResponseTest, WithoutSecureConnectionTheAuthResponseIsNulTerminated) {
  // Protocol 4.1 without CLIENT_SECURE_CONNECTION: auth-response is string<NUL>.
  const std::string wire = unhex("01 02 00 00  00 00 00 01  08") + kFiller23 + "old" + kNul + "abcdefgh" + kNul;
  auto buf = heap_copy(wire);
  HandshakeResponse r;
  ASSERT_FALSE(HandshakeResponse::deserialize(span_of(buf), r));
  EXPECT_EQ(r.capabilities, capability::long_password | capability::protocol_41);
  EXPECT_EQ(r.username, "old");
  EXPECT_EQ(r.auth_response, "abcdefgh");
  std::string out;
  r.serialize(out);
  EXPECT_EQ(hex(out), hex(wire));
}

TEST(HandshakeResponseTest, Protocol320IsUnsupported) {
  const std::string wire = unhex("05 a0") + unhex("00 00 01") + "app" + kNul + "12345678";
  auto buf = heap_copy(wire);
  HandshakeResponse r;
  EXPECT_EQ(HandshakeResponse::deserialize(span_of(buf), r), ProtocolError::unsupported_protocol);
}

TEST(HandshakeResponseTest, TrailingBytesAreRejected) {
  auto buf = heap_copy(kResponse + "x");
  HandshakeResponse r;
  EXPECT_EQ(HandshakeResponse::deserialize(span_of(buf), r), ProtocolError::trailing_bytes);
}

TEST(HandshakeResponseTest, AttributeRunningPastItsBlobIsRejected) {
  const std::string bad_attrs = unhex("05") + "\x0c_cli";  // key claims 12 bytes, blob has 4
  auto buf = heap_copy(kResponseHead + kResponseAuth + kResponsePlugin + bad_attrs);
  HandshakeResponse r;
  EXPECT_EQ(HandshakeResponse::deserialize(span_of(buf), r), ProtocolError::truncated_packet);
}

TEST(HandshakeResponseTest, TruncatedAtEveryLength) {
  // Clients may stop after any complete optional field (database, plugin name, attributes);
  // a cut anywhere else must be an error.
  const std::size_t after_auth = kResponseHead.size() + kResponseAuth.size();
  const std::size_t after_plugin = after_auth + kResponsePlugin.size();
  for (std::size_t len = 0; len < kResponse.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(kResponse).substr(0, len));
    HandshakeResponse r;
    std::error_code ec = HandshakeResponse::deserialize(span_of(buf), r);
    if (len == after_auth || len == after_plugin) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(hex(r.auth_response), hex(kToken));
      EXPECT_EQ(r.auth_plugin, len == after_plugin ? "mysql_native_password" : "");
      EXPECT_TRUE(r.attributes.empty());
    } else {
      EXPECT_EQ(ec, ProtocolError::truncated_packet);
    }
  }
}

TEST(HandshakeResponseTest, TruncatedWithDatabaseAtEveryLength) {
  const std::string wire = unhex("09 a2 00 00  00 00 00 40  21") + kFiller23 + "report" + kNul + unhex("14") +
                           kToken + "shop" + kNul;
  const std::size_t after_auth = wire.size() - 5;
  for (std::size_t len = 0; len < wire.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(wire).substr(0, len));
    HandshakeResponse r;
    std::error_code ec = HandshakeResponse::deserialize(span_of(buf), r);
    if (len == after_auth) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(r.database, "");
    } else {
      EXPECT_EQ(ec, ProtocolError::truncated_packet);
    }
  }
}

TEST(HandshakeResponseTest, GarbageNeverCrashes) {
  // Deterministic pseudo-random payloads of every small length, with and without the 4.1 flag.
  std::uint32_t state = 12345;
  for (std::size_t len = 0; len < 200; ++len) {
    for (int round = 0; round < 20; ++round) {
      std::string wire(len, '\0');
      for (char& c : wire) {
        state = state * 1103515245 + 12345;
        c = static_cast<char>(state >> 16);
      }
      if (len >= 2 && round % 2) wire[1] = static_cast<char>(wire[1] | 0x02);  // CLIENT_PROTOCOL_41
      auto buf = heap_copy(wire);
      HandshakeResponse r;
      (void)HandshakeResponse::deserialize(span_of(buf), r);
    }
  }
}

// ---- SSLRequest ---------------------------------------------------------------------------

TEST(SslRequestTest, DetectsTheShortPacketWithClientSsl) {
  const std::string ssl = unhex("85 ae bf 01  00 00 00 01  2d") + kFiller23;
  ASSERT_EQ(ssl.size(), 32u);
  auto buf = heap_copy(ssl);
  EXPECT_TRUE(is_ssl_request(span_of(buf)));

  const std::string no_ssl = unhex("85 a6 bf 01  00 00 00 01  2d") + kFiller23;
  auto buf2 = heap_copy(no_ssl);
  EXPECT_FALSE(is_ssl_request(span_of(buf2)));

  auto full = heap_copy(kResponse);  // a full response is not an SSL request
  EXPECT_FALSE(is_ssl_request(span_of(full)));
  auto short_buf = heap_copy(ssl.substr(0, 31));
  EXPECT_FALSE(is_ssl_request(span_of(short_buf)));
}

// ---- AuthSwitchRequest --------------------------------------------------------------------

TEST(AuthSwitchRequestTest, SerializesPluginAndScramble) {
  AuthSwitchRequest sw{"mysql_native_password", "abcdefghijklmnopqrst"};
  std::string out;
  sw.serialize(out);
  EXPECT_EQ(hex(out), hex(unhex("fe") + "mysql_native_password" + kNul + "abcdefghijklmnopqrst" + kNul));
}

TEST(AuthSwitchRequestTest, Deserializes) {
  auto buf = heap_copy(unhex("fe") + "mysql_native_password" + kNul + "abcdefghijklmnopqrst" + kNul);
  AuthSwitchRequest sw;
  ASSERT_FALSE(AuthSwitchRequest::deserialize(span_of(buf), sw));
  EXPECT_EQ(sw.plugin, "mysql_native_password");
  EXPECT_EQ(sw.plugin_data, "abcdefghijklmnopqrst");

  auto no_nul = heap_copy(unhex("fe") + "caching_sha2_password" + kNul + "abcdefghijklmnopqrst");
  ASSERT_FALSE(AuthSwitchRequest::deserialize(span_of(no_nul), sw));
  EXPECT_EQ(sw.plugin, "caching_sha2_password");
  EXPECT_EQ(sw.plugin_data, "abcdefghijklmnopqrst");
}

TEST(AuthSwitchRequestTest, Malformed) {
  AuthSwitchRequest sw;
  std::vector<std::uint8_t> empty;
  EXPECT_EQ(AuthSwitchRequest::deserialize(span_of(empty), sw), ProtocolError::unexpected_packet);
  auto old_switch = heap_copy(unhex("fe"));  // pre-4.1 "use old password": no plugin name
  EXPECT_EQ(AuthSwitchRequest::deserialize(span_of(old_switch), sw), ProtocolError::truncated_packet);
  auto no_nul = heap_copy(unhex("fe") + "mysql_native");
  EXPECT_EQ(AuthSwitchRequest::deserialize(span_of(no_nul), sw), ProtocolError::truncated_packet);
  auto ok = heap_copy(unhex("00 00 00 02 00 00 00"));
  EXPECT_EQ(AuthSwitchRequest::deserialize(span_of(ok), sw), ProtocolError::unexpected_packet);
}

// ---- COM_CHANGE_USER ----------------------------------------------------------------------

constexpr std::uint32_t kChangeUserCaps = capability::protocol_41 | capability::secure_connection |
                                          capability::plugin_auth | capability::connect_attrs;
const std::string kChangeUser = unhex("11") + "app2" + kNul + unhex("14") + kToken + "inventory" + kNul +
                                unhex("2d 00") + "mysql_native_password" + kNul + kAttrs;

TEST(ChangeUserRequestTest, ParsesAllFields) {
  auto buf = heap_copy(kChangeUser);
  ChangeUserRequest cu;
  ASSERT_FALSE(ChangeUserRequest::deserialize(span_of(buf), kChangeUserCaps, cu));
  EXPECT_EQ(cu.username, "app2");
  EXPECT_EQ(hex(cu.auth_response), hex(kToken));
  EXPECT_EQ(cu.database, "inventory");
  EXPECT_EQ(cu.collation, 45);
  EXPECT_EQ(cu.auth_plugin, "mysql_native_password");
  ASSERT_EQ(cu.attributes.size(), 2u);
  EXPECT_EQ(cu.attributes[1].first, "_pid");
  EXPECT_EQ(cu.attributes[1].second, "12345");
}

TEST(ChangeUserRequestTest, StopsAfterTheDatabase) {
  auto buf = heap_copy(unhex("11") + "app2" + kNul + unhex("00") + kNul);  // empty password and db
  ChangeUserRequest cu;
  ASSERT_FALSE(ChangeUserRequest::deserialize(span_of(buf), kChangeUserCaps, cu));
  EXPECT_EQ(cu.username, "app2");
  EXPECT_EQ(cu.auth_response, "");
  EXPECT_EQ(cu.database, "");
  EXPECT_EQ(cu.collation, 0);
  EXPECT_EQ(cu.auth_plugin, "");
}

TEST(ChangeUserRequestTest, OtherCommandsAreRejected) {
  auto buf = heap_copy(unhex("03") + "app2" + kNul);
  ChangeUserRequest cu;
  EXPECT_EQ(ChangeUserRequest::deserialize(span_of(buf), kChangeUserCaps, cu), ProtocolError::unexpected_packet);
}

TEST(ChangeUserRequestTest, TruncatedAtEveryLength) {
  const std::size_t after_db = 1 + 5 + 21 + 10;
  const std::size_t after_collation = after_db + 2;
  const std::size_t after_plugin = after_collation + 22;
  for (std::size_t len = 0; len < kChangeUser.size(); ++len) {
    SCOPED_TRACE(len);
    auto buf = heap_copy(std::string_view(kChangeUser).substr(0, len));
    ChangeUserRequest cu;
    std::error_code ec = ChangeUserRequest::deserialize(span_of(buf), kChangeUserCaps, cu);
    if (len == 0) {
      EXPECT_EQ(ec, ProtocolError::unexpected_packet);
    } else if (len == after_db || len == after_collation || len == after_plugin) {
      EXPECT_FALSE(ec);
      EXPECT_EQ(cu.database, "inventory");
    } else {
      EXPECT_EQ(ec, ProtocolError::truncated_packet);
    }
  }
}

}  // namespace
}  // namespace rwproxy::protocol
