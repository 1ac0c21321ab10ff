#include "proxy/backend/backend_connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <fmt/format.h>

#include "proxy/net/deadline.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::backend {

namespace {

protocol::ErrPacket unavailable(const BackendAddress& address, std::string_view why) {
  return protocol::ErrPacket{protocol::proxy_error::backend_unavailable, "HY000",
                             fmt::format("rwproxy: backend '{}' ({}:{}) is unavailable: {}", address.name,
                                         address.host, address.port, why)};
}

}  // namespace

awaitable<BackendConnection::ConnectResult> BackendConnection::connect(const BackendAddress& address,
                                                                       protocol::ClientHandshake::Settings login,
                                                                       std::chrono::milliseconds timeout,
                                                                       std::size_t max_payload) {
  auto executor = co_await asio::this_coro::executor;
  ConnectResult result;
  error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) {
    tcp::resolver resolver(executor);
    const std::string service = std::to_string(address.port);  // named: no temporaries in co_await (GCC 12)
    auto endpoints = co_await resolver.async_resolve(address.host, service,
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec || endpoints.empty()) {
      result.error = unavailable(address, "cannot resolve host");
      co_return result;
    }
    ip = endpoints.begin()->endpoint().address();
  }
  const auto started = std::chrono::steady_clock::now();
  tcp::socket socket(executor);
  net::Deadline deadline(socket);
  deadline.arm(timeout);
  co_await socket.async_connect(tcp::endpoint(ip, address.port), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    result.error = unavailable(address, deadline.expired() ? "connect timed out" : ec.message());
    co_return result;
  }
  deadline.disarm();
  socket.set_option(tcp::no_delay(true), ec);
  auto connection = std::make_unique<BackendConnection>(address, net::PacketChannel(std::move(socket), max_payload));
  net::Deadline login_deadline(connection->socket());
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  login_deadline.arm(std::max(timeout - elapsed, std::chrono::milliseconds(1)));
  protocol::ErrPacket error = co_await connection->login(std::move(login));
  login_deadline.disarm();
  if (login_deadline.expired()) error = unavailable(address, "handshake timed out");
  if (error.error_code != 0) {
    result.error = std::move(error);
    co_return result;
  }
  result.connection = std::move(connection);
  co_return result;
}

awaitable<protocol::ErrPacket> BackendConnection::login(protocol::ClientHandshake::Settings settings) {
  settings.tls = address_.tls != nullptr;
  protocol::ClientHandshake handshake(std::move(settings));
  std::string output;
  for (;;) {
    std::error_code ec;
    auto packet = co_await channel_.read_packet(ec);
    if (!packet) co_return unavailable(address_, fmt::format("handshake failed: {}", ec.message()));
    auto action = handshake.on_packet(protocol::as_bytes(packet->payload), packet->sequence_id, output);
    if (action == protocol::ClientHandshake::Action::failed) co_return handshake.error();
    if (action == protocol::ClientHandshake::Action::done) break;
    co_await channel_.write(output, ec);
    if (ec) co_return unavailable(address_, fmt::format("handshake failed: {}", ec.message()));
    if (action == protocol::ClientHandshake::Action::start_tls) {
      co_await channel_.start_tls_client(address_.tls, address_.host, address_.verify_host, ec);
      if (ec) co_return unavailable(address_, fmt::format("TLS handshake failed: {}", ec.message()));
      handshake.response_after_tls(output);
      co_await channel_.write(output, ec);
      if (ec) co_return unavailable(address_, fmt::format("handshake failed: {}", ec.message()));
    }
  }
  capabilities_ = handshake.capabilities();
  thread_id_ = handshake.server_greeting().connection_id;
  server_version_ = handshake.server_greeting().server_version;
  co_return protocol::ErrPacket{0, "00000", {}};
}

bool BackendConnection::looks_closed() {
  if (channel_.reader().buffered() > 0) return true;
  char byte = 0;
  const ssize_t n = ::recv(socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // Data nobody asked for; under TLS it may be a TLS record of its own (a session ticket), so
  // only a closed socket says something there.
  if (n > 0) return !channel_.tls();
  if (n == 0) return true;  // closed by the server
  return errno != EAGAIN && errno != EWOULDBLOCK;
}

awaitable<void> BackendConnection::quit() {
  std::string frame;
  const char quit_command = static_cast<char>(protocol::Command::quit);
  protocol::append_frames(frame, std::string_view(&quit_command, 1), 0);
  std::error_code ec;
  co_await channel_.write(frame, ec);
  channel_.close();
}

}  // namespace rwproxy::backend
