#include "proxy/session/client_login.hpp"

#include "proxy/protocol/error.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::session {

using protocol::ServerHandshake;

awaitable<std::optional<ClientLogin>> run_client_login(net::PacketChannel& channel, ServerHandshake& handshake,
                                                       std::shared_ptr<boost::asio::ssl::context> tls, Logger& logger,
                                                       metrics::Counter& auth_failures) {
  std::error_code ec;
  const std::string greeting = handshake.greeting();
  co_await channel.write(greeting, ec);
  if (ec) co_return std::nullopt;
  std::string output;
  bool first = true;
  for (;;) {
    std::optional<protocol::Packet> packet;
    if (first && tls) {
      packet = co_await channel.read_packet_exact(ec);  // a TLS hello may follow an SSL request
    } else {
      packet = co_await channel.read_packet(ec);
    }
    first = false;
    if (!packet) {
      if (ec == protocol::ProtocolError::packet_too_large || ec == protocol::ProtocolError::bad_sequence) {
        const std::string error = protocol::make_err_frame(2, 1043, "08S01", "Bad handshake");
        co_await channel.write(error, ec);
      }
      co_return std::nullopt;
    }
    auto action = handshake.on_packet(protocol::as_bytes(packet->payload), packet->sequence_id, output);
    switch (action) {
      case ServerHandshake::Action::send:
        co_await channel.write(output, ec);
        if (ec) co_return std::nullopt;
        break;
      case ServerHandshake::Action::send_and_fail:
        logger.info("client login refused: user '{}'", handshake.client().user);
        metrics::bump(auth_failures);
        co_await channel.write(output, ec);
        co_return std::nullopt;
      case ServerHandshake::Action::start_tls:
        co_await channel.start_tls(tls, ec);
        if (ec) {
          logger.info("client TLS handshake failed: {}", ec.message());
          co_return std::nullopt;
        }
        break;
      case ServerHandshake::Action::send_and_done:
        if (!output.empty()) {  // e.g. caching_sha2_password's fast_auth_success
          co_await channel.write(output, ec);
          if (ec) co_return std::nullopt;
        }
        co_return ClientLogin{handshake.client(), handshake.ok_sequence()};
    }
  }
}

}  // namespace rwproxy::session
