// One client connection: login, then a loop of commands relayed to the backend.
// Lives on one worker; its lifetime is the coroutine frame started by the listener.
#pragma once

#include <memory>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/server_handshake.hpp"
#include "proxy/session/command_relay.hpp"
#include "proxy/session/session_context.hpp"

namespace rwproxy::session {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(tcp::socket socket, SessionContext context);

  awaitable<void> run();
  // Asks the session to end after its current statement (called on the session's worker).
  void request_stop();

  // Capabilities the proxy offers to clients.
  static std::uint32_t offered_capabilities();

 private:
  awaitable<bool> login();
  awaitable<bool> open_backend(std::uint8_t reply_sequence, bool reply_ok);
  awaitable<void> command_loop();
  awaitable<bool> handle_command(const protocol::Packet& packet);
  awaitable<bool> forward_command(const protocol::Packet& packet);
  awaitable<bool> change_user(const protocol::Packet& packet);
  awaitable<bool> reply_error(std::uint8_t sequence, std::uint16_t code, std::string_view sql_state,
                              std::string_view message);
  protocol::ClientHandshake::Settings backend_login() const;

  SessionContext context_;
  net::PacketChannel client_;
  net::Deadline deadline_;
  std::string client_host_;
  std::uint32_t connection_id_;
  std::string scramble_;
  protocol::AuthenticatedClient identity_;
  std::string schema_;  // current default schema
  std::unique_ptr<backend::BackendConnection> backend_;
  CommandRelay relay_;
  std::string frames_;  // reused buffer for framing commands
  bool idle_ = false;
  bool stopping_ = false;
};

}  // namespace rwproxy::session
