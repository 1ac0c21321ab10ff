// One client connection: login, then a loop reading commands and handing them to the
// StatementExecutor. Lives on one worker; its lifetime is the coroutine frame.
#pragma once

#include <memory>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/idle_watch.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/server_handshake.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/session_summary.hpp"
#include "proxy/session/statement_executor.hpp"

namespace rwproxy::session {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(tcp::socket socket, SessionContext context);

  awaitable<void> run();
  // Asks the session to end after its current statement (called on the session's worker).
  void request_stop();
  // Between commands: closes connections to backends that no longer serve (see
  // StatementExecutor::release_unserving). Called on the session's worker.
  void release_unserving() {
    if (idle_) executor_.release_unserving();
  }
  // For SHOW SESSIONS (called on the session's worker).
  SessionSummary summary() const;

  // Capabilities the proxy offers to clients.
  static std::uint32_t offered_capabilities();

 private:
  awaitable<bool> login();
  // Starts the executor for `identity_` and opens the master; replies OK or the backend's ERR.
  awaitable<bool> open_session(std::uint8_t reply_sequence);
  awaitable<void> command_loop();
  awaitable<bool> handle_command(const protocol::Packet& packet);
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
  StatementExecutor executor_;
  std::string frames_;  // reused buffer for framing
  bool idle_ = false;
  bool stopping_ = false;
};

}  // namespace rwproxy::session
