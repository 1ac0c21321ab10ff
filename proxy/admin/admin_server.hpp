// The admin interface: a listener of its own ([admin], 127.0.0.1:6032 by default, off unless
// enabled) speaking the MySQL protocol to DBAs' clients, with its own accounts ([[admin_users]]).
// It answers the commands of admin_command.hpp as result sets or OK packets; it never relays
// anything to a backend. Runs on its own thread: nothing it does waits on the data path.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "metrics/worker_counters.hpp"
#include "proxy/admin/admin_source.hpp"
#include "proxy/asio.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net/packet_channel.hpp"
#include "proxy/session/live_settings.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::admin {

class AdminServer {
 public:
  AdminServer(const config::Config& config, const session::LiveSettings& live, AdminSource& source, Logger& logger);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds (throws std::runtime_error when it cannot) and starts serving on its own thread.
  void start();
  void stop();
  std::uint16_t port() const { return port_; }
  std::uint64_t auth_failures() const { return auth_failures_.load(std::memory_order_relaxed); }

 private:
  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket, std::uint32_t id);
  // Answers one COM_QUERY; false when the connection must close.
  awaitable<bool> answer(net::PacketChannel& channel, std::string_view sql, std::uint32_t capabilities);

  const config::Config& config_;
  const session::LiveSettings& live_;
  AdminSource& source_;
  Logger& logger_;
  asio::io_context context_{1};
  tcp::acceptor acceptor_{context_};
  std::uint16_t port_ = 0;
  metrics::Counter auth_failures_{0};
  std::uint32_t next_id_ = 1;
  std::thread thread_;
};

}  // namespace rwproxy::admin
