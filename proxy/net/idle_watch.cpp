#include "proxy/net/idle_watch.hpp"

namespace rwproxy::net {

IdleWatch::IdleWatch(tcp::socket& socket, std::chrono::milliseconds timeout)
    : state_(std::make_shared<State>(socket)) {
  state_->timeout = timeout;
  state_->since = Clock::now();
  if (timeout.count() > 0) arm(state_, state_->since + timeout);
}

void IdleWatch::arm(const std::shared_ptr<State>& state, Clock::time_point at) {
  state->timer.expires_at(at);
  state->timer.async_wait([state](const error_code& ec) {
    if (ec || !state->socket) return;
    const auto now = Clock::now();
    if (state->idle && now - state->since >= state->timeout) {
      state->expired = true;
      error_code ignored;
      state->socket->cancel(ignored);
      return;
    }
    // Busy now, or idle for less than the timeout: the earliest it can expire.
    arm(state, (state->idle ? state->since : now) + state->timeout);
  });
}

void IdleWatch::stop() {
  if (!state_ || !state_->socket) return;
  state_->socket = nullptr;
  state_->timer.cancel();
}

}  // namespace rwproxy::net
