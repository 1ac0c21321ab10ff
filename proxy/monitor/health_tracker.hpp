// Up/down with debouncing: down after N consecutive failed checks, up after M good ones.
// Pure state machine.
#pragma once

#include <cstdint>

namespace rwproxy::monitor {

class HealthTracker {
 public:
  HealthTracker(std::uint32_t down_after_failures, std::uint32_t up_after_successes)
      : down_after_(down_after_failures), up_after_(up_after_successes) {}

  // Returns the state after this check.
  bool record(bool check_ok) {
    if (check_ok) {
      failures_ = 0;
      if (!up_ && ++successes_ >= up_after_) up_ = true;
    } else {
      successes_ = 0;
      if (up_ && ++failures_ >= down_after_) up_ = false;
    }
    return up_;
  }
  bool up() const { return up_; }

 private:
  std::uint32_t down_after_;
  std::uint32_t up_after_;
  std::uint32_t failures_ = 0;
  std::uint32_t successes_ = 0;
  bool up_ = true;  // optimistic at start, as the config says the backend exists
};

}  // namespace rwproxy::monitor
