// Bounded polling for integration tests on a loaded machine: retry a check until it holds or a
// deadline passes, never a fixed sleep that hopes the system is fast enough.
#pragma once

#include <chrono>
#include <thread>

namespace rwproxy::test {

// Calls `condition` until it returns true (-> true) or `timeout` has passed (-> false, after one
// last try). `pause` separates the tries.
template <class Condition>
bool poll_until(std::chrono::milliseconds timeout, Condition&& condition,
                std::chrono::milliseconds pause = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
  }
}

// Milliseconds since `start` on the steady clock.
inline long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace rwproxy::test
