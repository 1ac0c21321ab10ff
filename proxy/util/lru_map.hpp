// A map from string keys to values that keeps at most `capacity` entries, dropping the least
// recently used (found or inserted) one first. Used for the prepared statements of a backend
// connection and for a worker's cache of PREPARE responses.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace rwproxy {

template <class Value>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  LruMap(const LruMap&) = delete;
  LruMap& operator=(const LruMap&) = delete;

  void set_capacity(std::size_t capacity) { capacity_ = capacity == 0 ? 1 : capacity; }

  // The value for `key`, made the most recently used; null when absent.
  Value* find(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    items_.splice(items_.begin(), items_, it->second);  // iterators and views stay valid
    return &it->second->second;
  }

  // Sets `key` to `value` (the most recently used). Returns the value it replaced, or the one the
  // capacity dropped, if any.
  std::optional<Value> insert(std::string key, Value value) {
    if (Value* existing = find(key)) {
      std::optional<Value> replaced(std::move(*existing));
      *existing = std::move(value);
      return replaced;
    }
    items_.emplace_front(std::move(key), std::move(value));
    index_.emplace(items_.front().first, items_.begin());
    if (items_.size() <= capacity_) return std::nullopt;
    std::optional<Value> dropped(std::move(items_.back().second));
    index_.erase(items_.back().first);
    items_.pop_back();
    return dropped;
  }

  // Removes `key`; returns its value, if it was there.
  std::optional<Value> erase(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    auto item = it->second;
    std::optional<Value> out(std::move(item->second));
    index_.erase(it);
    items_.erase(item);
    return out;
  }

  void clear() {
    index_.clear();
    items_.clear();
  }
  std::size_t size() const { return items_.size(); }

 private:
  using Item = std::pair<std::string, Value>;
  std::size_t capacity_;
  std::list<Item> items_;  // most recently used first
  std::unordered_map<std::string_view, typename std::list<Item>::iterator> index_;  // views into items_
};

}  // namespace rwproxy
