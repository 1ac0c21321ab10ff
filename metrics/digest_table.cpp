#include "metrics/digest_table.hpp"

namespace rwproxy::metrics {

namespace {
constexpr std::size_t max_probe = 8;
constexpr std::size_t max_text = 200;
}  // namespace

DigestTable::DigestTable(std::size_t slots) : size_(slots), slots_(std::make_unique<Slot[]>(slots)) {}

std::size_t DigestTable::count(std::uint64_t hash, std::string_view text) {
  if (size_ == 0) return none;
  if (hash == 0) hash = 1;
  for (std::size_t probe = 0; probe < max_probe && probe < size_; ++probe) {
    Slot& slot = slots_[(hash + probe) % size_];
    std::uint64_t seen = slot.hash.load(std::memory_order_acquire);
    if (seen == 0) {
      // Only the owning worker inserts, so a plain store is enough; readers check `text`.
      std::lock_guard lock(texts_mutex_);
      texts_.push_back(std::make_unique<std::string>(text.substr(0, max_text)));
      slot.text.store(texts_.back().get(), std::memory_order_release);
      slot.hash.store(hash, std::memory_order_release);
      seen = hash;
    }
    if (seen == hash) {
      slot.count.fetch_add(1, std::memory_order_relaxed);
      return (hash + probe) % size_;
    }
  }
  overflow_.fetch_add(1, std::memory_order_relaxed);
  return none;
}

void DigestTable::finish(std::size_t index, bool on_replica, std::chrono::nanoseconds latency,
                         std::uint64_t rows_sent, std::uint64_t rows_affected) {
  if (index >= size_) return;
  Slot& slot = slots_[index];
  const auto us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
  slot.sum_us.fetch_add(us, std::memory_order_relaxed);
  // Only the owning worker writes: load + store is enough (reset() may race; it is a statistic).
  if (us > slot.max_us.load(std::memory_order_relaxed)) slot.max_us.store(us, std::memory_order_relaxed);
  slot.rows_sent.fetch_add(rows_sent, std::memory_order_relaxed);
  slot.rows_affected.fetch_add(rows_affected, std::memory_order_relaxed);
  (on_replica ? slot.on_replica : slot.on_master).fetch_add(1, std::memory_order_relaxed);
}

void DigestTable::reset() {
  for (std::size_t i = 0; i < size_; ++i) {
    Slot& slot = slots_[i];
    slot.count_at_reset.store(slot.count.load(std::memory_order_relaxed), std::memory_order_relaxed);
    for (auto* field : {&slot.sum_us, &slot.max_us, &slot.rows_sent, &slot.rows_affected, &slot.on_master,
                        &slot.on_replica}) {
      field->store(0, std::memory_order_relaxed);
    }
  }
}

std::vector<DigestTable::Entry> DigestTable::entries() const {
  std::vector<Entry> out;
  std::lock_guard lock(texts_mutex_);
  for (std::size_t i = 0; i < size_; ++i) {
    const Slot& slot = slots_[i];
    const std::string* text = slot.text.load(std::memory_order_acquire);
    if (slot.hash.load(std::memory_order_acquire) == 0 || text == nullptr) continue;
    Entry e;
    e.text = *text;
    e.hash = slot.hash.load(std::memory_order_relaxed);
    e.count = slot.count.load(std::memory_order_relaxed);
    const std::uint64_t at_reset = slot.count_at_reset.load(std::memory_order_relaxed);
    e.count_since_reset = e.count > at_reset ? e.count - at_reset : 0;
    e.sum_us = slot.sum_us.load(std::memory_order_relaxed);
    e.max_us = slot.max_us.load(std::memory_order_relaxed);
    e.rows_sent = slot.rows_sent.load(std::memory_order_relaxed);
    e.rows_affected = slot.rows_affected.load(std::memory_order_relaxed);
    e.on_master = slot.on_master.load(std::memory_order_relaxed);
    e.on_replica = slot.on_replica.load(std::memory_order_relaxed);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace rwproxy::metrics
