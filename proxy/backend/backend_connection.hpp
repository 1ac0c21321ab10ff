// One authenticated connection from the proxy to a MariaDB/MySQL backend.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "proxy/asio.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/protocol/client_handshake.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::backend {

struct BackendAddress {
  std::string name;  // as in the config, e.g. "master"
  std::string host;
  std::uint16_t port = 0;
};

// How far a backend connection has followed its session's state (see session::SessionState).
struct SyncedState {
  std::string schema;
  std::uint64_t replay_applied = 0;  // sequence of the last replayed SET
  bool in_transaction = false;       // the server said SERVER_STATUS_IN_TRANS in its last reply
  bool tracks_last_gtid = false;     // session_track_system_variables includes last_gtid (master)
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
  // Which of its session's connections this is (numbered by the session as it opens them): tells
  // a reconnect apart even when the server reuses a thread id after a restart.
  std::uint64_t serial() const { return serial_; }
  void set_serial(std::uint64_t serial) { serial_ = serial; }

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
  std::uint64_t serial_ = 0;
};

}  // namespace rwproxy::backend
