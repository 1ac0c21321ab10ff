#include "proxy/net/deadline_sweep.hpp"

#include <algorithm>

namespace rwproxy::net {

DeadlineSweep::DeadlineSweep(const asio::any_io_executor& executor, std::chrono::milliseconds period)
    : timer_(std::in_place, executor), period_(std::max(period, std::chrono::milliseconds(1))), alive_(std::make_shared<bool>(true)) {}

DeadlineSweep::~DeadlineSweep() {
  stop();
  while (head_) unlink(*head_);
}

void DeadlineSweep::stop() {
  *alive_ = false;
  timer_.reset();
  scheduled_ = false;
}

std::chrono::milliseconds DeadlineSweep::period_for(std::chrono::milliseconds timeout) {
  return std::clamp(timeout / 10, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
}

void DeadlineSweep::arm(Watch& watch, Clock::time_point deadline) {
  watch.deadline_ = deadline;
  watch.expired_ = false;
  if (!watch.linked_) {
    watch.prev_ = nullptr;
    watch.next_ = head_;
    if (head_) head_->prev_ = &watch;
    head_ = &watch;
    watch.linked_ = true;
    ++armed_;
  }
  if (!scheduled_ && timer_) schedule();
}

void DeadlineSweep::unlink(Watch& watch) {
  if (!watch.linked_) return;
  if (watch.prev_) {
    watch.prev_->next_ = watch.next_;
  } else {
    head_ = watch.next_;
  }
  if (watch.next_) watch.next_->prev_ = watch.prev_;
  watch.prev_ = watch.next_ = nullptr;
  watch.linked_ = false;
  --armed_;
}

void DeadlineSweep::schedule() {
  scheduled_ = true;
  timer_->expires_after(period_);
  timer_->async_wait([this, alive = alive_](const error_code& ec) {
    if (!*alive) return;
    scheduled_ = false;
    if (ec) return;
    if (sweep(Clock::now())) schedule();
  });
}

bool DeadlineSweep::sweep(Clock::time_point now) {
  for (Watch* watch = head_; watch;) {
    Watch* next = watch->next_;
    if (watch->deadline_ <= now) {
      unlink(*watch);
      watch->expired_ = true;
      error_code ignored;
      watch->socket_->cancel(ignored);
    }
    watch = next;
  }
  return head_ != nullptr;
}

}  // namespace rwproxy::net
