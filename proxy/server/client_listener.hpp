// The client port, one listening socket per worker (SO_REUSEPORT): the kernel spreads new
// connections over the workers, and each worker accepts on its own thread and serves what it
// accepted there, so a session never crosses threads, from accept to close. The kernel's choice
// is a hash, uneven for a few long-lived connections: when the accepting worker has more clients
// than another (WorkerPool::balanced), the new one moves there once, before its first byte.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "proxy/asio.hpp"
#include "proxy/server/worker_pool.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::server {

class ClientListener {
 public:
  // Called on the accepting worker's thread for each new connection.
  using OnAccept = std::function<void(Worker& worker, tcp::socket socket)>;

  ClientListener(WorkerPool& workers, Logger& logger) : workers_(workers), logger_(logger) {}
  ~ClientListener();
  ClientListener(const ClientListener&) = delete;
  ClientListener& operator=(const ClientListener&) = delete;

  // Binds every worker's socket to `endpoint` (port 0: a free port, the same for all). Fails,
  // like a plain bind, when another process already listens there (even with SO_REUSEPORT).
  void open(const tcp::endpoint& endpoint, error_code& ec);
  std::uint16_t port() const { return port_; }
  // Starts accepting on every worker (after the workers started).
  void start(OnAccept on_accept);
  // Stops accepting (from any thread): each worker closes its socket on its own thread.
  void close();
  // After the workers' threads ended and before their io_contexts go.
  void destroy() { acceptors_.clear(); }

 private:
  awaitable<void> accept_loop(Worker& worker, tcp::acceptor& acceptor);

  WorkerPool& workers_;
  Logger& logger_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;  // [i] on worker i's io_context
  OnAccept on_accept_;
  std::uint16_t port_ = 0;
  tcp protocol_ = tcp::v4();  // of the bound address: a handed-over socket is assigned with it
};

}  // namespace rwproxy::server
