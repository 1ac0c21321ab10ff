#include "proxy/backend/server_statements.hpp"

namespace rwproxy::backend {

ServerStatements::Entry* ServerStatements::find(std::string_view sql) {
  auto it = index_.find(sql);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
  return &it->second->second;
}

std::optional<std::uint32_t> ServerStatements::add(std::string sql, std::uint32_t id) {
  if (Entry* existing = find(sql)) {
    const std::uint32_t replaced = existing->id;
    *existing = Entry{id, {}};
    if (replaced != id) return replaced;
    return std::nullopt;
  }
  lru_.emplace_front(std::move(sql), Entry{id, {}});
  index_.emplace(lru_.front().first, lru_.begin());
  if (lru_.size() <= cap_) return std::nullopt;
  const std::uint32_t evicted = lru_.back().second.id;
  index_.erase(lru_.back().first);
  lru_.pop_back();
  return evicted;
}

}  // namespace rwproxy::backend
