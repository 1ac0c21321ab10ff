// Per-worker statement counts by digest, for the top-N digest metric. A fixed open-addressing
// table keyed by the digest's 64-bit hash: counting is lock-free and allocation-free; only the
// first sighting of a digest stores its text (under a mutex, off the common path). When the table
// is full, new digests are counted as "other".
#pragma once

#include <atomic>
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

  void count(std::uint64_t hash, std::string_view text);

  struct Entry {
    std::string text;
    std::uint64_t count = 0;
  };
  // A copy of every digest seen (scrape time).
  std::vector<Entry> entries() const;
  std::uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }
  bool enabled() const { return size_ > 0; }

 private:
  struct Slot {
    std::atomic<std::uint64_t> hash{0};  // 0 = empty
    std::atomic<std::uint64_t> count{0};
    std::atomic<const std::string*> text{nullptr};
  };

  std::size_t size_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::uint64_t> overflow_{0};
  mutable std::mutex texts_mutex_;
  std::vector<std::unique_ptr<std::string>> texts_;  // owned texts, guarded by texts_mutex_
};

}  // namespace rwproxy::metrics
