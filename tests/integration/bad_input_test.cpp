// Broken and hostile clients on raw sockets: the proxy answers with an ERR or closes, never hangs
// on them and never dies of them; after each case a well-behaved client is still served.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/support/mysql_connection.hpp"
#include "tests/integration/support/proxy_test.hpp"
#include "tests/integration/support/raw_socket.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t max_packet_size = 1024 * 1024;
constexpr auto handshake_timeout = 500ms;
constexpr auto answer_timeout = 5s;  // far above the handshake timeout

void append_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// A HandshakeResponse41 payload for mysql_native_password with a (wrong) 20-byte auth response.
std::string handshake_response_payload(const std::string& user) {
  constexpr std::uint32_t capabilities =
      CLIENT_MYSQL /* long password */ | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
  constexpr char utf8mb4_general_ci = 45;
  std::string payload;
  append_le(payload, capabilities, 4);
  append_le(payload, 16 * 1024 * 1024, 4);
  payload.push_back(utf8mb4_general_ci);
  payload.append(23, '\0');
  payload.append(user).push_back('\0');
  payload.push_back(20);
  payload.append(20, 'x');
  payload.append("mysql_native_password").push_back('\0');
  return payload;
}

// Connects and reads the server greeting (protocol version 10, sequence 0).
UniqueFd connect_and_read_greeting(std::uint16_t port) {
  UniqueFd fd = connect_tcp(port);
  if (!fd) throw std::runtime_error("cannot connect to the proxy");
  RawPacket greeting = read_packet(fd.get(), answer_timeout);
  if (greeting.status != RawPacket::Status::packet || greeting.sequence != 0 || greeting.payload.empty() ||
      greeting.payload[0] != '\x0a') {
    throw std::runtime_error("no protocol-10 greeting from the proxy");
  }
  return fd;
}

// The proxy must answer a bad client with an ERR and close, or just close — within the timeout.
::testing::AssertionResult refused_or_closed(int fd, std::chrono::milliseconds timeout) {
  RawPacket answer = read_packet(fd, timeout);
  switch (answer.status) {
    case RawPacket::Status::closed:
      return ::testing::AssertionSuccess() << "closed without an answer";
    case RawPacket::Status::timeout:
      return ::testing::AssertionFailure() << "neither an answer nor a close within " << timeout.count() << " ms";
    case RawPacket::Status::packet:
      break;
  }
  if (!answer.is_err()) {
    return ::testing::AssertionFailure() << "answered with a packet starting 0x" << std::hex
                                         << int(static_cast<std::uint8_t>(answer.payload.empty() ? 0
                                                                                                 : answer.payload[0]));
  }
  if (!wait_closed(fd, timeout)) {
    return ::testing::AssertionFailure() << "sent ERR " << answer.err_code() << " but left the connection open";
  }
  return ::testing::AssertionSuccess() << "ERR " << answer.err_code() << ", then closed";
}

class BadInputTest : public ProxyTest {
 protected:
  ProxySettings proxy_settings() override {
    ProxySettings settings = ProxyTest::proxy_settings();
    settings.values["proxy.max_packet_size"] = std::to_string(max_packet_size);
    settings.values["timeouts.handshake_timeout_ms"] = std::to_string(handshake_timeout.count());
    return settings;
  }
};

TEST_F(BadInputTest, GarbageHandshakeResponseIsRefused) {
  std::string random_payload;
  for (int i = 0; i < 200; ++i) random_payload.push_back(static_cast<char>((i * 167 + 13) & 0xff));
  const std::vector<std::pair<std::string, std::string>> cases{
      {"a few framed bytes", frame(1, "\x01\x02\x03")},
      {"an empty frame", frame(1, "")},
      {"a framed pseudo-random payload", frame(1, random_payload)},
      {"a response with the wrong sequence id", frame(7, handshake_response_payload(topology_.app.user))},
      {"an HTTP request (its length header claims 5.5 MB)", "GET / HTTP/1.1\r\nHost: rwproxy\r\n\r\n"},
      {"a response for an unknown user", frame(1, handshake_response_payload("hop_nobody"))},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    UniqueFd fd = connect_and_read_greeting(proxy().port());
    ASSERT_TRUE(send_all(fd.get(), bytes));
    EXPECT_TRUE(refused_or_closed(fd.get(), answer_timeout));
    expect_proxy_serves();
  }
}

TEST_F(BadInputTest, TruncatedHandshakeResponseThenClose) {
  const std::string response = frame(1, handshake_response_payload(topology_.app.user));
  for (std::size_t cut = 1; cut < response.size(); ++cut) {
    SCOPED_TRACE("closed after " + std::to_string(cut) + " of " + std::to_string(response.size()) + " bytes");
    UniqueFd fd = connect_and_read_greeting(proxy().port());
    ASSERT_TRUE(send_all(fd.get(), std::string_view(response).substr(0, cut)));
  }  // each socket is closed here, mid-response
  expect_proxy_serves();

  // Half a response that then stalls: closed once the handshake timeout passes.
  UniqueFd fd = connect_and_read_greeting(proxy().port());
  ASSERT_TRUE(send_all(fd.get(), std::string_view(response).substr(0, response.size() / 2)));
  EXPECT_TRUE(wait_closed(fd.get(), answer_timeout));
  expect_proxy_serves();
}

TEST_F(BadInputTest, StalledHandshakeIsClosedAfterTheHandshakeTimeout) {
  UniqueFd stalled = connect_and_read_greeting(proxy().port());
  const auto greeted = Clock::now();
  expect_proxy_serves();  // a stalled client holds up nobody else

  ASSERT_TRUE(wait_closed(stalled.get(), answer_timeout)) << "the stalled client was never disconnected";
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - greeted);
  EXPECT_GE(waited, handshake_timeout - 100ms);
  EXPECT_LE(waited, 3s);
  expect_proxy_serves();
}

TEST_F(BadInputTest, QueryAboveMaxPacketSizeIsRefused) {
  ConnectOptions options = app_options();
  options.max_allowed_packet = 64 * 1024 * 1024;  // the client would send it; the proxy must not take it
  auto connection = connect(options);

  const std::string fits = std::string(512 * 1024, 'a');
  EXPECT_EQ(connection->scalar("SELECT LENGTH('" + fits + "')"), std::to_string(fits.size()));

  const std::string too_big = "SELECT LENGTH('" + std::string(2 * max_packet_size, 'a') + "')";
  ASSERT_NE(mysql_real_query(connection->handle(), too_big.data(), too_big.size()), 0)
      << "a 2 MiB query passed a proxy with max_packet_size = 1 MiB";
  const std::set<unsigned> refusals{1153, 2006, 2013};  // ERR 1153, or the connection dropped
  EXPECT_TRUE(refusals.count(connection->last_error().code)) << connection->last_error();
  // The rest of the oversized packet is still in flight: the proxy must not parse it as commands.
  EXPECT_NE(mysql_query(connection->handle(), "SELECT 1"), 0);
  expect_proxy_serves();
}

TEST_F(BadInputTest, LengthHeaderAboveMaxPacketSizeIsRefused) {
  auto connection = connect(app_options());
  ASSERT_EQ(connection->server_id(), master_server_id);
  const int fd = mysql_get_socket(connection->handle());
  ASSERT_GE(fd, 0);

  // A command header claiming 16 MiB - 1, and nothing after it: the header alone must do.
  ASSERT_TRUE(send_all(fd, std::string("\xff\xff\xff\x00", 4)));
  RawPacket answer = read_packet(fd, answer_timeout);
  ASSERT_NE(answer.status, RawPacket::Status::timeout) << "the proxy waits for a packet above max_packet_size";
  if (answer.status == RawPacket::Status::packet) {
    EXPECT_EQ(answer.err_code(), 1153) << "first byte 0x" << std::hex << int(static_cast<std::uint8_t>(answer.payload[0]));
    EXPECT_TRUE(wait_closed(fd, answer_timeout)) << "left open after ERR 1153";
  }
  expect_proxy_serves();
}

}  // namespace
}  // namespace rwproxy::test
