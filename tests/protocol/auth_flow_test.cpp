// The connection phase end to end, in memory: ServerHandshake (the proxy as a server) and
// ClientHandshake (the proxy logging in to a backend) drive each other through real frames.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/protocol/handshake.hpp"
#include "proxy/protocol/native_password.hpp"
#include "proxy/protocol/server_handshake.hpp"
#include "tests/protocol/wire_test_util.hpp"

namespace rwproxy::protocol {
namespace {

using test::frame;
using test::hex;
using test::unhex;

const std::string kNul(1, '\0');

constexpr std::uint32_t kProxyCaps =
    capability::long_password | capability::found_rows | capability::long_flag | capability::connect_with_db |
    capability::local_files | capability::protocol_41 | capability::interactive | capability::transactions |
    capability::secure_connection | capability::multi_statements | capability::multi_results |
    capability::ps_multi_results | capability::plugin_auth | capability::connect_attrs |
    capability::plugin_auth_lenenc_data | capability::session_track | capability::deprecate_eof;

constexpr std::uint32_t kClientCaps =
    capability::long_password | capability::long_flag | capability::local_files | capability::protocol_41 |
    capability::interactive | capability::transactions | capability::secure_connection |
    capability::multi_statements | capability::multi_results | capability::ps_multi_results |
    capability::plugin_auth | capability::connect_attrs | capability::plugin_auth_lenenc_data |
    capability::session_track | capability::deprecate_eof | capability::ssl | capability::compress;

const std::string kProxyScramble = "Xq#9,Ry(5/LtX{]gvzN~";
const std::string kBackendScramble = "a1!B2@c3#D4$e5%F6^g7";

ServerHandshake::Settings server_settings(std::string scramble) {
  ServerHandshake::Settings s;
  s.server_version = "5.5.5-10.11.6-MariaDB-rwproxy";
  s.connection_id = 7;
  s.capabilities = kProxyCaps;
  s.collation = 45;
  s.scramble = std::move(scramble);
  s.client_host = "10.0.0.5";
  return s;
}

CredentialLookup users() {
  std::map<std::string, StoredCredential, std::less<>> table;
  // As UserDirectory builds them: a clear-text password gives every form, a hash only the hash.
  table["app"] = StoredCredential{false, native_password_hash("s3cret"), false, caching_sha2_hash("s3cret"), sha1("s3cret")};
  table["nopass"] = StoredCredential{true, {}};
  table["secure"] = StoredCredential{false, native_password_hash("s3cret"), true, caching_sha2_hash("s3cret"), sha1("s3cret")};
  table["hashed"] = StoredCredential{false, native_password_hash("h4sh")};
  return [table](std::string_view user) -> std::optional<StoredCredential> {
    auto it = table.find(user);
    if (it == table.end()) return std::nullopt;
    return it->second;
  };
}

ClientHandshake::Settings login_as(std::string user, std::optional<std::string> password,
                                   std::string database = "shop") {
  ClientHandshake::Settings s;
  s.user = std::move(user);
  if (password) s.stage1 = sha1(*password);
  s.database = std::move(database);
  s.capabilities = kClientCaps;
  s.attributes = {{"_client_name", "rwproxy-test"}};
  return s;
}

// The single packet in `wire`; fails the test if there is not exactly one.
Packet one_packet(const std::string& wire) {
  FrameReader reader(1 << 24);
  reader.feed(as_bytes(wire));
  std::error_code ec;
  auto packet = reader.next(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(packet.has_value()) << "incomplete frame: " << hex(wire);
  EXPECT_EQ(reader.buffered(), 0u) << "more than one packet: " << hex(wire);
  return packet.value_or(Packet{});
}

struct Conversation {
  ClientHandshake::Action client_action = ClientHandshake::Action::send;
  std::optional<ServerHandshake::Action> server_action;
  std::vector<std::string> to_client;  // frames the server sent, greeting first
  std::vector<std::string> to_server;  // frames the client sent
};

// Pumps frames between the two state machines until the client is done or has failed.
Conversation converse(ServerHandshake& server, ClientHandshake& client) {
  Conversation c;
  std::string to_client = server.greeting();
  for (int round = 0; round < 8; ++round) {
    c.to_client.push_back(to_client);
    Packet from_server = one_packet(to_client);
    std::string to_server;
    c.client_action = client.on_packet(as_bytes(from_server.payload), from_server.sequence_id, to_server);
    if (c.client_action != ClientHandshake::Action::send) return c;
    c.to_server.push_back(to_server);
    Packet from_client = one_packet(to_server);
    c.server_action = server.on_packet(as_bytes(from_client.payload), from_client.sequence_id, to_client);
    // The OK itself is the caller's (the session sends it after logging in to a backend).
    if (c.server_action == ServerHandshake::Action::send_and_done) {
      to_client += make_ok_frame(server.ok_sequence(), server_status::autocommit);
    }
  }
  ADD_FAILURE() << "handshake did not finish";
  return c;
}

std::string access_denied_frame(std::uint8_t seq, std::string_view user, std::string_view using_password) {
  const std::string message =
      "Access denied for user '" + std::string(user) + "'@'10.0.0.5' (using password: " + std::string(using_password) + ")";
  return frame(seq, unhex("ff 15 04") + "#28000" + message);
}

const std::string kOkSeq2 = unhex("07 00 00 02 00 00 00 02 00 00 00");

ServerHandshake::Settings tls_settings() {
  ServerHandshake::Settings s = server_settings(kProxyScramble);
  s.capabilities |= capability::ssl;
  return s;
}

const std::string kSslRequest = unhex("85 ae bf 01 00 00 00 01 2d") + std::string(23, '\0');

// ---- the proxy as a server ----------------------------------------------------------------

TEST(AuthFlowTest, GreetingBytes) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  // Capabilities 0x01bfa68f; scramble split 8 + 12 + NUL; plugin name NUL-terminated.
  const std::string payload = unhex("0a") + "5.5.5-10.11.6-MariaDB-rwproxy" + kNul + unhex("07 00 00 00") +
                              "Xq#9,Ry(" + kNul + unhex("8f a6 2d 02 00 bf 01 15 00 00 00 00 00 00 00 00 00 00") +
                              "5/LtX{]gvzN~" + kNul + "mysql_native_password" + kNul;
  EXPECT_EQ(hex(proxy.greeting()), hex(frame(0, payload)));
}

TEST(AuthFlowTest, CorrectPasswordThenLoginToBackendWithItsOwnScramble) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake app(login_as("app", "s3cret"));
  Conversation front = converse(proxy, app);
  ASSERT_EQ(front.client_action, ClientHandshake::Action::done) << app.error().message;
  ASSERT_EQ(front.server_action, ServerHandshake::Action::send_and_done);
  ASSERT_EQ(front.to_server.size(), 1u);
  EXPECT_EQ(hex(front.to_client.back()), hex(kOkSeq2));

  const AuthenticatedClient& who = proxy.client();
  EXPECT_EQ(who.user, "app");
  EXPECT_EQ(who.database, "shop");
  EXPECT_EQ(who.collation, 45);
  EXPECT_EQ(who.capabilities, (kClientCaps & kProxyCaps) | capability::connect_with_db);
  EXPECT_FALSE(who.capabilities & capability::ssl);
  EXPECT_EQ(who.max_packet_size, 1u << 30);
  ASSERT_EQ(who.attributes.size(), 1u);
  EXPECT_EQ(who.attributes[0].second, "rwproxy-test");
  ASSERT_TRUE(who.stage1.has_value());
  EXPECT_EQ(*who.stage1, sha1("s3cret"));  // recovered from the token, never sent in clear

  // The proxy logs in to a backend (simulated by a second ServerHandshake) as the same user.
  ServerHandshake backend(server_settings(kBackendScramble), users());
  ClientHandshake::Settings as_app;
  as_app.user = who.user;
  as_app.stage1 = who.stage1;
  as_app.database = who.database;
  as_app.capabilities = who.capabilities;
  ClientHandshake to_backend(as_app);
  Conversation back = converse(backend, to_backend);
  ASSERT_EQ(back.client_action, ClientHandshake::Action::done) << to_backend.error().message;
  EXPECT_EQ(back.server_action, ServerHandshake::Action::send_and_done);
  EXPECT_EQ(backend.client().user, "app");
  EXPECT_EQ(backend.client().database, "shop");
  EXPECT_EQ(to_backend.server_greeting().scramble, kBackendScramble);

  // Same password, different scramble: different tokens on the two legs.
  HandshakeResponse front_response, back_response;
  ASSERT_FALSE(HandshakeResponse::deserialize(as_bytes(one_packet(front.to_server[0]).payload), front_response));
  ASSERT_FALSE(HandshakeResponse::deserialize(as_bytes(one_packet(back.to_server[0]).payload), back_response));
  EXPECT_EQ(front_response.auth_response, native_password_token(sha1("s3cret"), kProxyScramble));
  EXPECT_EQ(back_response.auth_response, native_password_token(sha1("s3cret"), kBackendScramble));
  EXPECT_NE(front_response.auth_response, back_response.auth_response);
}

TEST(AuthFlowTest, WrongPasswordIsAccessDenied) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake app(login_as("app", "guess"));
  Conversation c = converse(proxy, app);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::failed);
  EXPECT_EQ(c.server_action, ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(c.to_client.back()), hex(access_denied_frame(2, "app", "YES")));
  EXPECT_EQ(app.error().error_code, 1045);
  EXPECT_EQ(app.error().sql_state, "28000");
  EXPECT_EQ(app.error().message, "Access denied for user 'app'@'10.0.0.5' (using password: YES)");
}

TEST(AuthFlowTest, UnknownUserIsAccessDenied) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake mallory(login_as("mallory", "s3cret"));
  Conversation c = converse(proxy, mallory);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::failed);
  EXPECT_EQ(hex(c.to_client.back()), hex(access_denied_frame(2, "mallory", "YES")));
  EXPECT_EQ(mallory.error().error_code, 1045);

  ServerHandshake proxy2(server_settings(kProxyScramble), users());
  ClientHandshake no_password(login_as("mallory", std::nullopt));
  c = converse(proxy2, no_password);
  EXPECT_EQ(hex(c.to_client.back()), hex(access_denied_frame(2, "mallory", "NO")));
}

TEST(AuthFlowTest, EmptyPasswordUser) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake client(login_as("nopass", std::nullopt, ""));
  Conversation c = converse(proxy, client);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::done) << client.error().message;
  EXPECT_EQ(hex(c.to_client.back()), hex(kOkSeq2));
  EXPECT_FALSE(proxy.client().stage1.has_value());
  EXPECT_EQ(proxy.client().database, "");
  EXPECT_FALSE(proxy.client().capabilities & capability::connect_with_db);

  HandshakeResponse response;
  ASSERT_FALSE(HandshakeResponse::deserialize(as_bytes(one_packet(c.to_server[0]).payload), response));
  EXPECT_EQ(response.auth_response, "");
}

TEST(AuthFlowTest, EmptyPasswordUserSendingAPasswordIsDenied) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake client(login_as("nopass", "something"));
  Conversation c = converse(proxy, client);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::failed);
  EXPECT_EQ(hex(c.to_client.back()), hex(access_denied_frame(2, "nopass", "YES")));
}

TEST(AuthFlowTest, MissingPasswordIsDeniedWithUsingPasswordNo) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake client(login_as("app", std::nullopt));
  Conversation c = converse(proxy, client);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::failed);
  EXPECT_EQ(hex(c.to_client.back()), hex(access_denied_frame(2, "app", "NO")));
  EXPECT_EQ(client.error().message, "Access denied for user 'app'@'10.0.0.5' (using password: NO)");
}

// A MySQL 8 client starts with caching_sha2_password and its token for the greeting's nonce.
std::string caching_sha2_response(std::string_view user, std::string_view password, std::uint8_t seq = 1) {
  HandshakeResponse r;
  r.capabilities = kClientCaps & ~(capability::ssl | capability::compress);
  r.max_packet_size = 1 << 24;
  r.collation = 255;
  r.username = std::string(user);
  r.auth_response = caching_sha2_token(password, kProxyScramble);
  r.auth_plugin = "caching_sha2_password";
  std::string payload;
  r.serialize(payload);
  return frame(seq, payload);
}

ServerHandshake::Action feed(ServerHandshake& proxy, const std::string& wire, std::string& out) {
  Packet packet = one_packet(wire);
  return proxy.on_packet(as_bytes(packet.payload), packet.sequence_id, out);
}

TEST(AuthFlowTest, CachingSha2FastPathForAUserWithAClearTextPassword) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  ASSERT_EQ(feed(proxy, caching_sha2_response("app", "s3cret"), out), ServerHandshake::Action::send_and_done);
  EXPECT_EQ(hex(out), hex(frame(2, unhex("01 03"))));  // fast_auth_success, then the OK
  EXPECT_EQ(proxy.ok_sequence(), 3);
  ASSERT_TRUE(proxy.client().stage1.has_value());
  EXPECT_EQ(*proxy.client().stage1, sha1("s3cret"));  // for the backends' native login
  EXPECT_EQ(proxy.client().collation, 255);
}

TEST(AuthFlowTest, CachingSha2WrongPasswordIsAccessDenied) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  EXPECT_EQ(feed(proxy, caching_sha2_response("app", "nope"), out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(access_denied_frame(2, "app", "YES")));
  ServerHandshake unknown(server_settings(kProxyScramble), users());
  EXPECT_EQ(feed(unknown, caching_sha2_response("ghost", "s3cret"), out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(access_denied_frame(2, "ghost", "YES")));
}

TEST(AuthFlowTest, CachingSha2EmptyPassword) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  EXPECT_EQ(feed(proxy, caching_sha2_response("nopass", ""), out), ServerHandshake::Action::send_and_done);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(proxy.ok_sequence(), 2);
  ServerHandshake wrong(server_settings(kProxyScramble), users());
  EXPECT_EQ(feed(wrong, caching_sha2_response("nopass", "something"), out), ServerHandshake::Action::send_and_fail);
}

TEST(AuthFlowTest, CachingSha2WithoutATokenIsAskedAgainWithTheSameNonce) {
  // Connector/C started with caching_sha2_password while the greeting named native: no token.
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  ASSERT_EQ(feed(proxy, caching_sha2_response("app", ""), out), ServerHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(2, unhex("fe") + "caching_sha2_password" + kNul + kProxyScramble + kNul)));
  ASSERT_EQ(proxy.on_packet(as_bytes(caching_sha2_token("s3cret", kProxyScramble)), 3, out),
            ServerHandshake::Action::send_and_done);
  EXPECT_EQ(hex(out), hex(frame(4, unhex("01 03"))));
  EXPECT_EQ(proxy.ok_sequence(), 5);
  // Still no token after the switch: a login without a password, refused.
  ServerHandshake again(server_settings(kProxyScramble), users());
  ASSERT_EQ(feed(again, caching_sha2_response("app", ""), out), ServerHandshake::Action::send);
  EXPECT_EQ(again.on_packet(as_bytes(std::string()), 3, out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(access_denied_frame(4, "app", "NO")));
}

TEST(AuthFlowTest, CachingSha2HashOnlyUserSendsItsPasswordOverTls) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  ASSERT_EQ(proxy.on_packet(as_bytes(kSslRequest), 1, out), ServerHandshake::Action::start_tls);
  ASSERT_EQ(feed(proxy, caching_sha2_response("hashed", "h4sh", 2), out), ServerHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(3, unhex("01 04"))));  // perform_full_authentication
  ASSERT_EQ(proxy.on_packet(as_bytes(std::string("h4sh\0", 5)), 4, out), ServerHandshake::Action::send_and_done);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(proxy.ok_sequence(), 5);
  EXPECT_EQ(*proxy.client().stage1, sha1("h4sh"));
  EXPECT_TRUE(proxy.client().tls);
}

TEST(AuthFlowTest, CachingSha2HashOnlyUserWithAWrongPasswordOverTls) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  ASSERT_EQ(proxy.on_packet(as_bytes(kSslRequest), 1, out), ServerHandshake::Action::start_tls);
  ASSERT_EQ(feed(proxy, caching_sha2_response("hashed", "nope", 2), out), ServerHandshake::Action::send);
  EXPECT_EQ(proxy.on_packet(as_bytes(std::string("nope\0", 5)), 4, out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(access_denied_frame(5, "hashed", "YES")));
}

TEST(AuthFlowTest, CachingSha2HashOnlyUserInClearTextUsesTheRsaKey) {
  RsaKeyPair keys;
  ServerHandshake::Settings settings = server_settings(kProxyScramble);
  settings.rsa_keys = &keys;
  ServerHandshake proxy(settings, users());
  std::string out;
  ASSERT_EQ(feed(proxy, caching_sha2_response("hashed", "h4sh"), out), ServerHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(2, unhex("01 04"))));
  ASSERT_EQ(proxy.on_packet(as_bytes(unhex("02")), 3, out), ServerHandshake::Action::send);  // request public key
  EXPECT_EQ(out, frame(4, "\x01" + keys.public_key_pem()));
  const auto encrypted = keys.encrypt(xor_with_nonce(std::string("h4sh\0", 5), kProxyScramble));
  ASSERT_TRUE(encrypted.has_value());
  ASSERT_EQ(proxy.on_packet(as_bytes(*encrypted), 5, out), ServerHandshake::Action::send_and_done);
  EXPECT_EQ(proxy.ok_sequence(), 6);
  EXPECT_EQ(*proxy.client().stage1, sha1("h4sh"));
}

TEST(AuthFlowTest, CachingSha2RsaWithAWrongPasswordOrGarbage) {
  RsaKeyPair keys;
  ServerHandshake::Settings settings = server_settings(kProxyScramble);
  settings.rsa_keys = &keys;
  for (const bool garbage : {false, true}) {
    ServerHandshake proxy(settings, users());
    std::string out;
    ASSERT_EQ(feed(proxy, caching_sha2_response("hashed", "h4sh"), out), ServerHandshake::Action::send);
    ASSERT_EQ(proxy.on_packet(as_bytes(unhex("02")), 3, out), ServerHandshake::Action::send);
    const std::string data = garbage ? std::string(256, '\x17')
                                     : *keys.encrypt(xor_with_nonce(std::string("nope\0", 5), kProxyScramble));
    EXPECT_EQ(proxy.on_packet(as_bytes(data), 5, out), ServerHandshake::Action::send_and_fail);
    EXPECT_EQ(hex(out), hex(access_denied_frame(6, "hashed", "YES")));
  }
}

TEST(AuthFlowTest, CachingSha2ClearTextPasswordWithoutTlsIsRefused) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  ASSERT_EQ(feed(proxy, caching_sha2_response("hashed", "h4sh"), out), ServerHandshake::Action::send);
  EXPECT_EQ(proxy.on_packet(as_bytes(std::string("h4sh\0", 5)), 3, out), ServerHandshake::Action::send_and_fail);
  ErrPacket parsed;
  ASSERT_FALSE(ErrPacket::deserialize(as_bytes(one_packet(out).payload), parsed));
  EXPECT_EQ(parsed.error_code, 1045);
  EXPECT_NE(parsed.message.find("needs TLS"), std::string::npos) << parsed.message;
}

TEST(AuthFlowTest, OtherPluginIsSwitchedToNativePassword) {
  HandshakeResponse r;
  r.capabilities = kClientCaps & ~(capability::ssl | capability::compress);
  r.max_packet_size = 1 << 24;
  r.collation = 255;
  r.username = "app";
  r.auth_response = "whatever";
  r.auth_plugin = "sha256_password";
  std::string payload;
  r.serialize(payload);
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  ASSERT_EQ(proxy.on_packet(as_bytes(payload), 1, out), ServerHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(2, unhex("fe") + "mysql_native_password" + kNul + kProxyScramble + kNul)));
  const std::string token = native_password_token(sha1("s3cret"), kProxyScramble);
  ASSERT_EQ(proxy.on_packet(as_bytes(token), 3, out), ServerHandshake::Action::send_and_done);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(proxy.ok_sequence(), 4);
  EXPECT_EQ(*proxy.client().stage1, sha1("s3cret"));
}

std::string bad_handshake_frame(std::uint8_t seq) {
  return frame(seq, unhex("ff 13 04") + "#08S01" + "Bad handshake");
}

TEST(AuthFlowTest, GarbageResponseIsBadHandshake) {
  const std::string garbage[] = {
      "",
      unhex("01 02 03"),
      unhex("03") + "SELECT 1",                                     // a command instead of a login
      unhex("05 a0 00 00 01") + "app" + kNul + "12345678",          // pre-4.1 response
      unhex("85 a6 bf 01 00 00 00 01 2d") + std::string(23, '\0'),  // 32 bytes, no SSL bit, no user
      kOkSeq2,                                                      // a server packet
  };
  for (const std::string& g : garbage) {
    SCOPED_TRACE(hex(g));
    ServerHandshake proxy(server_settings(kProxyScramble), users());
    std::string out;
    EXPECT_EQ(proxy.on_packet(as_bytes(g), 1, out), ServerHandshake::Action::send_and_fail);
    EXPECT_EQ(hex(out), hex(bad_handshake_frame(2)));
  }
}

TEST(AuthFlowTest, RandomResponsesNeverCrash) {
  std::uint32_t state = 99;
  for (int i = 0; i < 400; ++i) {
    std::string g(1 + i % 120, '\0');
    for (char& c : g) {
      state = state * 1664525 + 1013904223;
      c = static_cast<char>(state >> 24);
    }
    if (i % 2) g[1 % g.size()] = static_cast<char>(g[1 % g.size()] | 0x02);  // claim CLIENT_PROTOCOL_41
    ServerHandshake proxy(server_settings(kProxyScramble), users());
    std::string out;
    (void)proxy.on_packet(as_bytes(g), 1, out);
    // Whatever the verdict, the answer is one well-formed frame with the next sequence id.
    Packet answer = one_packet(out);
    EXPECT_EQ(answer.sequence_id, 2);
  }
}

TEST(AuthFlowTest, KnownGarbageGivesTheExactBadHandshakeBytes) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(unhex("01 02 03")), 1, out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(bad_handshake_frame(2)));
}

TEST(AuthFlowTest, EveryTruncationOfAValidResponseIsHandled) {
  ServerHandshake greeter(server_settings(kProxyScramble), users());
  ClientHandshake app(login_as("app", "s3cret"));
  std::string response_frame;
  Packet greeting = one_packet(greeter.greeting());
  ASSERT_EQ(app.on_packet(as_bytes(greeting.payload), 0, response_frame), ClientHandshake::Action::send);
  const std::string payload = one_packet(response_frame).payload;
  for (std::size_t len = 0; len <= payload.size(); ++len) {
    SCOPED_TRACE(len);
    ServerHandshake proxy(server_settings(kProxyScramble), users());
    std::string out;
    auto action = proxy.on_packet(as_bytes(std::string_view(payload).substr(0, len)), 1, out);
    EXPECT_NE(action, ServerHandshake::Action::send);
    // An ERR, or success (a cut that still parses, e.g. after the password), whose OK is the
    // session's to send.
    if (action != ServerHandshake::Action::send_and_done) EXPECT_FALSE(out.empty());
  }
}

TEST(AuthFlowTest, SslRequestIsRefused) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  const std::string ssl = unhex("85 ae bf 01 00 00 00 01 2d") + std::string(23, '\0');
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(ssl), 1, out), ServerHandshake::Action::send_and_fail);
  Packet err = one_packet(out);
  EXPECT_EQ(err.sequence_id, 2);
  ErrPacket parsed;
  ASSERT_FALSE(ErrPacket::deserialize(as_bytes(err.payload), parsed));
  EXPECT_EQ(parsed.error_code, 1043);
}

// ---- TLS (the TLS handshake itself runs in the session; here only what the codec decides) --


std::string response_payload(std::string user, std::string_view password) {
  HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.max_packet_size = 1u << 24;
  r.collation = 45;
  r.username = std::move(user);
  r.auth_response = native_password_token(sha1(password), kProxyScramble);
  r.auth_plugin = "mysql_native_password";
  std::string payload;
  r.serialize(payload);
  return payload;
}

TEST(AuthFlowTest, GreetingOffersTlsOnlyWhenConfigured) {
  ServerHandshake plain(server_settings(kProxyScramble), users());
  ServerHandshake tls(tls_settings(), users());
  InitialHandshake greeting;
  ASSERT_FALSE(InitialHandshake::deserialize(as_bytes(one_packet(plain.greeting()).payload), greeting));
  EXPECT_FALSE(greeting.capabilities & capability::ssl);
  ASSERT_FALSE(InitialHandshake::deserialize(as_bytes(one_packet(tls.greeting()).payload), greeting));
  EXPECT_TRUE(greeting.capabilities & capability::ssl);
}

TEST(AuthFlowTest, SslRequestStartsTlsThenTheLoginGoesOnOverIt) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(kSslRequest), 1, out), ServerHandshake::Action::start_tls);
  EXPECT_TRUE(out.empty());
  // The full response comes over TLS with the next sequence id; the OK follows it.
  const std::string response = response_payload("app", "s3cret");
  EXPECT_EQ(proxy.on_packet(as_bytes(response), 2, out), ServerHandshake::Action::send_and_done);
  EXPECT_EQ(proxy.ok_sequence(), 3);
  EXPECT_TRUE(proxy.client().tls);
  EXPECT_EQ(proxy.client().user, "app");
  EXPECT_FALSE(proxy.client().capabilities & capability::ssl);  // never passed on to backends
}

TEST(AuthFlowTest, RequireTlsUserIsRefusedInClearTextWithAMessageThatSaysSo) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(response_payload("secure", "s3cret")), 1, out),
            ServerHandshake::Action::send_and_fail);
  Packet err = one_packet(out);
  EXPECT_EQ(err.sequence_id, 2);
  ErrPacket parsed;
  ASSERT_FALSE(ErrPacket::deserialize(as_bytes(err.payload), parsed));
  EXPECT_EQ(parsed.error_code, 1045);
  EXPECT_EQ(parsed.sql_state, "28000");
  EXPECT_NE(parsed.message.find("requires TLS"), std::string::npos) << parsed.message;
}

TEST(AuthFlowTest, RequireTlsUserWithAWrongPasswordGetsThePlainAccessDenied) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(response_payload("secure", "guess")), 1, out),
            ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(access_denied_frame(2, "secure", "YES")));
}

TEST(AuthFlowTest, RequireTlsUserLogsInOverTls) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  ASSERT_EQ(proxy.on_packet(as_bytes(kSslRequest), 1, out), ServerHandshake::Action::start_tls);
  EXPECT_EQ(proxy.on_packet(as_bytes(response_payload("secure", "s3cret")), 2, out),
            ServerHandshake::Action::send_and_done);
  EXPECT_TRUE(proxy.client().tls);
}

TEST(AuthFlowTest, SecondSslRequestIsBadHandshake) {
  ServerHandshake proxy(tls_settings(), users());
  std::string out;
  ASSERT_EQ(proxy.on_packet(as_bytes(kSslRequest), 1, out), ServerHandshake::Action::start_tls);
  EXPECT_EQ(proxy.on_packet(as_bytes(kSslRequest), 2, out), ServerHandshake::Action::send_and_fail);
  ErrPacket parsed;
  ASSERT_FALSE(ErrPacket::deserialize(as_bytes(one_packet(out).payload), parsed));
  EXPECT_EQ(parsed.error_code, 1043);
}

TEST(AuthFlowTest, PacketAfterTheEndIsRefused) {
  ServerHandshake proxy(server_settings(kProxyScramble), users());
  ClientHandshake app(login_as("app", "s3cret"));
  ASSERT_EQ(converse(proxy, app).client_action, ClientHandshake::Action::done);
  std::string out;
  EXPECT_EQ(proxy.on_packet(as_bytes(unhex("0e")), 3, out), ServerHandshake::Action::send_and_fail);
  EXPECT_EQ(hex(out), hex(bad_handshake_frame(4)));
}

// ---- the proxy logging in to a backend ----------------------------------------------------

TEST(BackendLoginTest, ResponseBytesToAMariaDbGreeting) {
  const std::string scramble = "Xq#9,Ry(5/LtX{]gvzN~";
  const std::string greeting = unhex("0a") + "5.5.5-10.11.6-MariaDB-0+deb12u1" + kNul + unhex("1f 00 00 00") +
                               "Xq#9,Ry(" + kNul + unhex("fe f7 2d 02 00 ff 81 15 00 00 00 00 00 00 1d 00 00 00") +
                               "5/LtX{]gvzN~" + kNul + "mysql_native_password" + kNul;
  ClientHandshake::Settings s = login_as("app", "s3cret");
  s.attributes.clear();
  ClientHandshake client(s);
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(greeting), 0, out), ClientHandshake::Action::send);
  // Client's flags ∩ server's (no CLIENT_LONG_PASSWORD from MariaDB, no SSL, no compression),
  // plus CONNECT_WITH_DB for "shop": 0x01bfa68c.
  const std::string expected = unhex("8c a6 bf 01  00 00 00 40  2d") + std::string(23, '\0') + "app" + kNul +
                               unhex("14") + native_password_token(sha1("s3cret"), scramble) + "shop" + kNul +
                               "mysql_native_password" + kNul + unhex("00");
  EXPECT_EQ(hex(out), hex(frame(1, expected)));
  EXPECT_EQ(client.capabilities(), 0x01bfa68cu);
  EXPECT_EQ(client.server_greeting().server_version, "5.5.5-10.11.6-MariaDB-0+deb12u1");
}

TEST(BackendLoginTest, TlsSendsTheSslRequestThenTheResponseOverTls) {
  const std::string scramble = "Xq#9,Ry(5/LtX{]gvzN~";
  // As above, with CLIENT_SSL offered (0xfffe in the lower flags).
  const std::string greeting = unhex("0a") + "5.5.5-10.11.6-MariaDB-0+deb12u1" + kNul + unhex("1f 00 00 00") +
                               "Xq#9,Ry(" + kNul + unhex("fe ff 2d 02 00 ff 81 15 00 00 00 00 00 00 1d 00 00 00") +
                               "5/LtX{]gvzN~" + kNul + "mysql_native_password" + kNul;
  ClientHandshake::Settings s = login_as("app", "s3cret");
  s.attributes.clear();
  s.tls = true;
  ClientHandshake client(s);
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(greeting), 0, out), ClientHandshake::Action::start_tls);
  // The SSL request: the response's fixed 32 bytes with CLIENT_SSL (0x0800), sequence 1.
  EXPECT_EQ(hex(out), hex(frame(1, unhex("8c ae bf 01  00 00 00 40  2d") + std::string(23, '\0'))));
  client.response_after_tls(out);
  const std::string expected = unhex("8c ae bf 01  00 00 00 40  2d") + std::string(23, '\0') + "app" + kNul +
                               unhex("14") + native_password_token(sha1("s3cret"), scramble) + "shop" + kNul +
                               "mysql_native_password" + kNul + unhex("00");
  EXPECT_EQ(hex(out), hex(frame(2, expected)));
  EXPECT_EQ(client.capabilities(), 0x01bfa68cu);  // TLS is the connection's, not a session capability
  std::string none;
  EXPECT_EQ(client.on_packet(as_bytes(unhex("00 00 00 02 00 00 00")), 3, none), ClientHandshake::Action::done);
}

TEST(BackendLoginTest, TlsWantedButNotOfferedFails) {
  const std::string greeting = unhex("0a") + "5.5.5-10.11.6-MariaDB-0+deb12u1" + kNul + unhex("1f 00 00 00") +
                               "Xq#9,Ry(" + kNul + unhex("fe f7 2d 02 00 ff 81 15 00 00 00 00 00 00 1d 00 00 00") +
                               "5/LtX{]gvzN~" + kNul + "mysql_native_password" + kNul;
  ClientHandshake::Settings s = login_as("app", "s3cret");
  s.tls = true;
  ClientHandshake client(s);
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(greeting), 0, out), ClientHandshake::Action::failed);
  EXPECT_NE(client.error().message.find("does not offer TLS"), std::string::npos) << client.error().message;
}

TEST(BackendLoginTest, MySql8DefaultPluginThenSwitchToNative) {
  const std::string greeting = unhex("0a") + "8.0.36" + kNul + unhex("08 00 00 00") + "abcdefgh" + kNul +
                               unhex("ff f7 ff 02 00 ff df 15 00 00 00 00 00 00 00 00 00 00") + "ijklmnopqrst" +
                               kNul + "caching_sha2_password" + kNul;
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(greeting), 0, out), ClientHandshake::Action::send);
  HandshakeResponse response;
  ASSERT_FALSE(HandshakeResponse::deserialize(as_bytes(one_packet(out).payload), response));
  EXPECT_EQ(response.auth_response, "");  // no native token for a caching_sha2 scramble
  EXPECT_EQ(response.auth_plugin, "mysql_native_password");
  EXPECT_EQ(response.collation, 0xff);

  const std::string new_scramble = "ZYXWVUTSRQPONMLKJIHG";
  const std::string sw = unhex("fe") + "mysql_native_password" + kNul + new_scramble + kNul;
  ASSERT_EQ(client.on_packet(as_bytes(sw), 2, out), ClientHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(3, native_password_token(sha1("s3cret"), new_scramble))));

  EXPECT_EQ(client.on_packet(as_bytes(unhex("00 00 00 02 00 00 00")), 4, out), ClientHandshake::Action::done);
}

// A MySQL 8.0 greeting (constructed after the protocol documentation: no MySQL 8 server can run
// here) whose default plugin is caching_sha2_password, with the nonce "abcdefgh" + "ijklmnopqrst".
const std::string kMySql8Greeting = unhex("0a") + "8.0.36" + kNul + unhex("08 00 00 00") + "abcdefgh" + kNul +
                                    unhex("ff f7 ff 02 00 ff df 15 00 00 00 00 00 00 00 00 00 00") +
                                    "ijklmnopqrst" + kNul + "caching_sha2_password" + kNul;
const std::string kMySql8Nonce = "abcdefghijklmnopqrst";

ClientHandshake::Settings with_password(std::string password) {
  ClientHandshake::Settings s = login_as("app", password);
  s.password = std::move(password);
  return s;
}

TEST(BackendLoginTest, CachingSha2FastPathWithTheClearTextPassword) {
  ClientHandshake client(with_password("s3cret"));
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(kMySql8Greeting), 0, out), ClientHandshake::Action::send);
  HandshakeResponse response;
  ASSERT_FALSE(HandshakeResponse::deserialize(as_bytes(one_packet(out).payload), response));
  EXPECT_EQ(response.auth_plugin, "caching_sha2_password");
  EXPECT_EQ(hex(response.auth_response), hex(caching_sha2_token("s3cret", kMySql8Nonce)));
  ASSERT_EQ(client.on_packet(as_bytes(unhex("01 03")), 2, out), ClientHandshake::Action::send);  // fast_auth_success
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(client.on_packet(as_bytes(unhex("00 00 00 02 00 00 00")), 3, out), ClientHandshake::Action::done);
}

TEST(BackendLoginTest, CachingSha2FullAuthenticationWithTheServersRsaKey) {
  RsaKeyPair server_keys;  // the backend's key pair
  ClientHandshake client(with_password("s3cret"));
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(kMySql8Greeting), 0, out), ClientHandshake::Action::send);
  ASSERT_EQ(client.on_packet(as_bytes(unhex("01 04")), 2, out), ClientHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(3, unhex("02"))));  // request the public key
  ASSERT_EQ(client.on_packet(as_bytes("\x01" + server_keys.public_key_pem()), 4, out), ClientHandshake::Action::send);
  Packet encrypted = one_packet(out);
  EXPECT_EQ(encrypted.sequence_id, 5);
  auto plain = server_keys.decrypt(encrypted.payload);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(xor_with_nonce(*plain, kMySql8Nonce), std::string("s3cret\0", 7));
  EXPECT_EQ(client.on_packet(as_bytes(unhex("00 00 00 02 00 00 00")), 6, out), ClientHandshake::Action::done);
}

TEST(BackendLoginTest, CachingSha2FullAuthenticationOverTlsSendsThePassword) {
  ClientHandshake::Settings s = with_password("s3cret");
  s.tls = true;
  ClientHandshake client(s);
  std::string greeting_with_ssl = kMySql8Greeting;
  greeting_with_ssl[greeting_with_ssl.find("ijklmnopqrst") - 17] = '\xff';  // flags 0xf7ff -> 0xffff: CLIENT_SSL
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(greeting_with_ssl), 0, out), ClientHandshake::Action::start_tls);
  client.response_after_tls(out);
  ASSERT_EQ(client.on_packet(as_bytes(unhex("01 04")), 3, out), ClientHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(4, std::string("s3cret\0", 7))));
}

TEST(BackendLoginTest, SwitchToCachingSha2UsesTheNewNonce) {
  ClientHandshake client(with_password("s3cret"));
  const std::string mariadb_like = unhex("0a") + "8.0.36" + kNul + unhex("08 00 00 00") + "abcdefgh" + kNul +
                                   unhex("ff f7 ff 02 00 ff df 15 00 00 00 00 00 00 00 00 00 00") +
                                   "ijklmnopqrst" + kNul + "mysql_native_password" + kNul;
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(mariadb_like), 0, out), ClientHandshake::Action::send);
  const std::string new_nonce = "ZYXWVUTSRQPONMLKJIHG";
  const std::string sw = unhex("fe") + "caching_sha2_password" + kNul + new_nonce + kNul;
  ASSERT_EQ(client.on_packet(as_bytes(sw), 2, out), ClientHandshake::Action::send);
  EXPECT_EQ(hex(out), hex(frame(3, caching_sha2_token("s3cret", new_nonce))));
}

TEST(BackendLoginTest, SwitchToCachingSha2WithoutAClearTextPasswordFails) {
  ClientHandshake client(login_as("app", "s3cret"));  // only SHA1(password) known
  std::string out;
  ASSERT_EQ(client.on_packet(as_bytes(kMySql8Greeting), 0, out), ClientHandshake::Action::send);
  const std::string sw = unhex("fe") + "caching_sha2_password" + kNul + kMySql8Nonce + kNul;
  EXPECT_EQ(client.on_packet(as_bytes(sw), 2, out), ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1251);
  EXPECT_NE(client.error().message.find("clear-text password"), std::string::npos) << client.error().message;
}

TEST(BackendLoginTest, UnsupportedPluginFails) {
  ServerHandshake backend(server_settings(kBackendScramble), users());
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  Packet greeting = one_packet(backend.greeting());
  ASSERT_EQ(client.on_packet(as_bytes(greeting.payload), 0, out), ClientHandshake::Action::send);
  const std::string sw = unhex("fe") + "caching_sha2_password" + kNul + kBackendScramble + kNul;
  EXPECT_EQ(client.on_packet(as_bytes(sw), 2, out), ClientHandshake::Action::failed);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(client.error().error_code, 1251);
  EXPECT_NE(client.error().message.find("caching_sha2_password"), std::string::npos);
}

TEST(BackendLoginTest, SecondAuthSwitchFails) {
  ServerHandshake backend(server_settings(kBackendScramble), users());
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  Packet greeting = one_packet(backend.greeting());
  ASSERT_EQ(client.on_packet(as_bytes(greeting.payload), 0, out), ClientHandshake::Action::send);
  const std::string sw = unhex("fe") + "mysql_native_password" + kNul + kBackendScramble + kNul;
  ASSERT_EQ(client.on_packet(as_bytes(sw), 2, out), ClientHandshake::Action::send);
  EXPECT_EQ(client.on_packet(as_bytes(sw), 4, out), ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1043);  // ER_HANDSHAKE_ERROR: server-range codes only
}

TEST(BackendLoginTest, ErrInsteadOfGreeting) {
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  const std::string err = unhex("ff 10 04") + "Too many connections";
  EXPECT_EQ(client.on_packet(as_bytes(err), 0, out), ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1040);
  EXPECT_EQ(client.error().message, "Too many connections");
}

TEST(BackendLoginTest, GreetingWithoutProtocol41Fails) {
  InitialHandshake hs;
  hs.server_version = "3.23.58";
  hs.scramble = "abcdefghijklmnopqrst";
  hs.capabilities = capability::long_password | capability::secure_connection;
  std::string payload;
  hs.serialize(payload);
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  EXPECT_EQ(client.on_packet(as_bytes(payload), 0, out), ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1043);  // ER_HANDSHAKE_ERROR: server-range codes only
}

TEST(BackendLoginTest, MalformedGreetingFails) {
  ClientHandshake client(login_as("app", "s3cret"));
  std::string out;
  EXPECT_EQ(client.on_packet(as_bytes(unhex("0a 35 2e 35")), 0, out), ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1043);  // ER_HANDSHAKE_ERROR: server-range codes only
}

TEST(BackendLoginTest, BackendRefusesThePassword) {
  // The backend's mysql.user holds another password than the proxy's user table.
  ServerHandshake backend(server_settings(kBackendScramble), [](std::string_view) -> std::optional<StoredCredential> {
    return StoredCredential{false, native_password_hash("rotated")};
  });
  ClientHandshake client(login_as("app", "s3cret"));
  Conversation c = converse(backend, client);
  ASSERT_EQ(c.client_action, ClientHandshake::Action::failed);
  EXPECT_EQ(client.error().error_code, 1045);
  EXPECT_EQ(client.error().sql_state, "28000");
}

}  // namespace
}  // namespace rwproxy::protocol
