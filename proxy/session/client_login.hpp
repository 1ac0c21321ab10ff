// The connection phase with a client: greeting, HandshakeResponse41, optional auth switch.
// The final OK is not sent here: the session first logs in to its backend, then replies.
#pragma once

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

// Returns the authenticated client, or nullopt after having sent an ERR (or on a broken socket).
awaitable<std::optional<ClientLogin>> run_client_login(net::PacketChannel& channel, protocol::ServerHandshake& handshake,
                                                       Logger& logger, metrics::Counter& auth_failures);

}  // namespace rwproxy::session
