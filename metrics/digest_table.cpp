#include "metrics/digest_table.hpp"

namespace rwproxy::metrics {

namespace {
constexpr std::size_t max_probe = 8;
constexpr std::size_t max_text = 200;
}  // namespace

DigestTable::DigestTable(std::size_t slots) : size_(slots), slots_(std::make_unique<Slot[]>(slots)) {}

void DigestTable::count(std::uint64_t hash, std::string_view text) {
  if (size_ == 0) return;
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
      return;
    }
  }
  overflow_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<DigestTable::Entry> DigestTable::entries() const {
  std::vector<Entry> out;
  std::lock_guard lock(texts_mutex_);
  for (std::size_t i = 0; i < size_; ++i) {
    const Slot& slot = slots_[i];
    const std::string* text = slot.text.load(std::memory_order_acquire);
    if (slot.hash.load(std::memory_order_acquire) == 0 || text == nullptr) continue;
    out.push_back(Entry{*text, slot.count.load(std::memory_order_relaxed)});
  }
  return out;
}

}  // namespace rwproxy::metrics
