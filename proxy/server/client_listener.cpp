#include "proxy/server/client_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace rwproxy::server {

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Whether someone else listens on `endpoint`: a bind without SO_REUSEPORT fails then, even when
// the other listener set SO_REUSEPORT (that only lets sockets that all set it share a port).
void check_port_free(asio::io_context& context, const tcp::endpoint& endpoint, error_code& ec) {
  tcp::acceptor probe(context);
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  error_code ignored;
  probe.close(ignored);
}

}  // namespace

ClientListener::~ClientListener() { destroy(); }

void ClientListener::open(const tcp::endpoint& endpoint, error_code& ec) {
  tcp::endpoint bound = endpoint;
  if (bound.port() != 0) {
    check_port_free(workers_.at(0).context(), bound, ec);
    if (ec) return;
  }
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    auto acceptor = std::make_unique<tcp::acceptor>(workers_.at(i).context());
    acceptor->open(bound.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->set_option(reuse_port(true), ec);
    if (!ec) acceptor->bind(bound, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (!ec && bound.port() == 0) bound.port(acceptor->local_endpoint(ec).port());
    if (ec) {
      acceptors_.clear();
      return;
    }
    acceptors_.push_back(std::move(acceptor));
  }
  port_ = bound.port();
  protocol_ = bound.protocol();
}

void ClientListener::start(OnAccept on_accept) {
  on_accept_ = std::move(on_accept);
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    Worker& worker = workers_.at(i);
    tcp::acceptor& acceptor = *acceptors_[i];
    asio::co_spawn(worker.context(), accept_loop(worker, acceptor), asio::detached);
  }
}

void ClientListener::close() {
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    tcp::acceptor* acceptor = acceptors_[i].get();
    asio::post(workers_.at(i).context(), [acceptor] {
      error_code ignored;
      acceptor->close(ignored);
    });
  }
}

awaitable<void> ClientListener::accept_loop(Worker& worker, tcp::acceptor& acceptor) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open()) co_return;
      // Out of file descriptors and the like: pause a moment rather than spin on the error.
      logger_.warn("accept failed: {}", ec.message());
      asio::steady_timer pause(worker.context(), std::chrono::milliseconds(10));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    Worker& target = workers_.balanced(worker);
    target.add_client();
    if (&target == &worker) {
      on_accept_(worker, std::move(socket));
      continue;
    }
    // The kernel spreads connections by a hash of their addresses, unevenly for a few
    // long-lived ones: this one goes to a worker with fewer clients, once, before its first byte.
    const int fd = socket.release(ec);
    if (ec) {  // the connection is gone already
      target.remove_client();
      continue;
    }
    asio::post(target.context(), [this, &target, fd] {
      error_code assign_ec;
      tcp::socket moved(target.context());
      moved.assign(protocol_, fd, assign_ec);
      if (assign_ec) {
        ::close(fd);
        target.remove_client();
        return;
      }
      on_accept_(target, std::move(moved));
    });
  }
}

}  // namespace rwproxy::server
