// A watchdog timer for one socket: when it fires, the socket's pending operations are cancelled.
// Boost 1.74 has no awaitable operators, so timeouts are a timer beside the I/O.
#pragma once

#include <chrono>

#include "proxy/asio.hpp"

namespace rwproxy::net {

class Deadline {
 public:
  explicit Deadline(tcp::socket& socket) : socket_(socket), timer_(socket.get_executor()) {}

  // Arms the watchdog; a zero duration disarms it.
  void arm(std::chrono::milliseconds timeout) {
    expired_ = false;
    timer_.cancel();
    if (timeout.count() == 0) return;
    timer_.expires_after(timeout);
    timer_.async_wait([this](const error_code& ec) {
      if (ec) return;
      expired_ = true;
      error_code ignored;
      socket_.cancel(ignored);
    });
  }
  void disarm() { timer_.cancel(); }
  bool expired() const { return expired_; }

 private:
  tcp::socket& socket_;
  asio::steady_timer timer_;
  bool expired_ = false;
};

}  // namespace rwproxy::net
