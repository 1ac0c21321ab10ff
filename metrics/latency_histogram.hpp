// A latency histogram with fixed buckets, updated with relaxed atomics: no lock, no allocation.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace rwproxy::metrics {

inline constexpr std::array<double, 14> latency_buckets_seconds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

class LatencyHistogram {
 public:
  void observe(std::chrono::nanoseconds elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    std::size_t i = 0;
    while (i < latency_buckets_seconds.size() && seconds > latency_buckets_seconds[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  }
  // Non-cumulative count of bucket i (the last one is +Inf).
  std::uint64_t count(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  double sum_seconds() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::array<std::atomic<std::uint64_t>, latency_buckets_seconds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace rwproxy::metrics
