// Per-worker statement counts by digest, for the top-N digest metric. A fixed open-addressing
// table keyed by the digest's 64-bit hash: counting is lock-free and allocation-free; only the
// first sighting of a digest stores its text (under a mutex, off the common path). When the table
// is full, new digests are counted as "other".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::metrics {

class DigestTable {
 public:
  explicit DigestTable(std::size_t slots);

  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  // Counts one statement; returns its slot for finish(), or `none` when the table is full.
  std::size_t count(std::uint64_t hash, std::string_view text);
  // The statement counted at `slot` ran: where, how long, and the rows it sent or changed.
  void finish(std::size_t slot, bool on_replica, std::chrono::nanoseconds latency, std::uint64_t rows_sent,
              std::uint64_t rows_affected);

  struct Entry {
    std::string text;
    std::uint64_t hash = 0;
    std::uint64_t count = 0;  // since start (Prometheus)
    // Since the last reset() (the admin interface's view, as ProxySQL's stats_mysql_query_digest).
    std::uint64_t count_since_reset = 0;
    std::uint64_t sum_us = 0, max_us = 0, rows_sent = 0, rows_affected = 0, on_master = 0, on_replica = 0;
  };
  // A copy of every digest seen (scrape time).
  std::vector<Entry> entries() const;
  std::uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }
  bool enabled() const { return size_ > 0; }
  // Starts the admin view's figures again (the Prometheus counts are left alone).
  void reset();

 private:
  struct Slot {
    std::atomic<std::uint64_t> hash{0};  // 0 = empty
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> count_at_reset{0};
    std::atomic<std::uint64_t> sum_us{0}, max_us{0}, rows_sent{0}, rows_affected{0}, on_master{0}, on_replica{0};
    std::atomic<const std::string*> text{nullptr};
  };

  std::size_t size_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::uint64_t> overflow_{0};
  mutable std::mutex texts_mutex_;
  std::vector<std::unique_ptr<std::string>> texts_;  // owned texts, guarded by texts_mutex_
};

}  // namespace rwproxy::metrics
