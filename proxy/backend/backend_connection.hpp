// One authenticated connection from the proxy to a MariaDB/MySQL backend.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "proxy/asio.hpp"
#include "proxy/backend/server_statements.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::backend {

struct BackendAddress {
  std::string name;  // as in the config, e.g. "master"
  std::string host;
  std::uint16_t port = 0;
  std::shared_ptr<boost::asio::ssl::context> tls;  // nullptr: clear text
  bool verify_host = false;                        // the certificate must name `host`
};

// The session state a backend connection holds (see session::SessionState), so that the next
// session to use it sends only the difference.
struct SyncedState {
  std::string schema;
  // The session state (one session, between two resets) whose replay sequence replay_applied
  // counts; 0: none. Another owner compares `replay` instead.
  std::uint64_t owner = 0;
  std::uint64_t replay_applied = 0;  // sequence of the last replayed SET
  std::vector<std::string> replay;   // the SETs in effect on the connection, in order
  bool in_transaction = false;       // the server said SERVER_STATUS_IN_TRANS in its last reply
  bool tracks_session = false;       // our session_track_* settings are in effect
  bool needs_reset = false;          // holds state no session describes: COM_RESET_CONNECTION first
  bool discard = false;              // holds state a reset may not undo (COM_SET_OPTION): never pooled
};

class BackendConnection {
 public:
  struct ConnectResult {
    std::unique_ptr<BackendConnection> connection;  // null on failure
    protocol::ErrPacket error;                      // what to tell the client on failure
  };

  // Connects and logs in within `timeout` (TCP connect + handshake together).
  static awaitable<ConnectResult> connect(const BackendAddress& address, protocol::ClientHandshake::Settings login,
                                          std::chrono::milliseconds timeout, std::size_t max_payload);

  net::PacketChannel& channel() { return channel_; }
  tcp::socket& socket() { return channel_.socket(); }
  const BackendAddress& address() const { return address_; }
  std::uint32_t capabilities() const { return capabilities_; }
  std::uint32_t thread_id() const { return thread_id_; }
  const std::string& server_version() const { return server_version_; }

  SyncedState& synced() { return synced_; }
  const SyncedState& synced() const { return synced_; }
  // The binary prepared statements this connection holds (gone after COM_RESET_CONNECTION).
  ServerStatements& statements() { return statements_; }

  // Whether the server closed the connection or sent something unasked (e.g. an ERR before
  // closing it after wait_timeout): one non-blocking peek, for a connection that sat idle.
  bool looks_closed();

  // Sends COM_QUIT and closes; never fails.
  awaitable<void> quit();

  BackendConnection(BackendAddress address, net::PacketChannel channel)
      : address_(std::move(address)), channel_(std::move(channel)) {}

 private:
  awaitable<protocol::ErrPacket> login(protocol::ClientHandshake::Settings settings);

  BackendAddress address_;
  net::PacketChannel channel_;
  std::uint32_t capabilities_ = 0;
  std::uint32_t thread_id_ = 0;
  std::string server_version_;
  SyncedState synced_;
  ServerStatements statements_;
};

}  // namespace rwproxy::backend
