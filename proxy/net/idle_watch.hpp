// Closes a connection that stays idle longer than a timeout with one timer that is re-armed only
// when it fires, never per statement: marking the connection idle or busy is a clock read and two
// stores. When the timer fires it checks how long the connection has been idle; if not long
// enough it sleeps again until the earliest moment it could be.
#pragma once

#include <chrono>
#include <memory>

#include "proxy/asio.hpp"

namespace rwproxy::net {

class IdleWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // A zero timeout watches nothing.
  IdleWatch(tcp::socket& socket, std::chrono::milliseconds timeout);
  ~IdleWatch() { stop(); }
  IdleWatch(const IdleWatch&) = delete;
  IdleWatch& operator=(const IdleWatch&) = delete;

  void idle() {
    state_->idle = true;
    state_->since = Clock::now();
  }
  void busy() { state_->idle = false; }
  // Whether the watch cancelled the socket's operations because the timeout passed.
  bool expired() const { return state_->expired; }
  void stop();

 private:
  // Shared with the pending timer handler, which may run after the watch is gone.
  struct State {
    explicit State(tcp::socket& s) : socket(&s), timer(s.get_executor()) {}
    tcp::socket* socket;  // null once stopped
    asio::steady_timer timer;
    std::chrono::milliseconds timeout{0};
    Clock::time_point since;
    bool idle = false;
    bool expired = false;
  };
  static void arm(const std::shared_ptr<State>& state, Clock::time_point at);

  std::shared_ptr<State> state_;
};

}  // namespace rwproxy::net
