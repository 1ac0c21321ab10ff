// The connection phase with a client: greeting, HandshakeResponse41, optional auth switch.
// The final OK is not sent here: the session first logs in to its backend, then replies.
#pragma once

#include <memory>
#include <optional>

#include "proxy/asio.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/server_handshake.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::session {

struct ClientLogin {
  protocol::AuthenticatedClient client;
  std::uint8_t reply_sequence = 0;  // sequence id for the OK/ERR that completes the login
};

// Returns the authenticated client, or nullopt after having sent an ERR (or on a broken socket or
// a failed TLS handshake). `tls`: the context for a client that asks for TLS (the handshake's
// settings offer capability::ssl exactly when it is set).
awaitable<std::optional<ClientLogin>> run_client_login(net::PacketChannel& channel, protocol::ServerHandshake& handshake,
                                                       std::shared_ptr<boost::asio::ssl::context> tls, Logger& logger,
                                                       metrics::Counter& auth_failures);

}  // namespace rwproxy::session
