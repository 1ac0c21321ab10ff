// The binary prepared statements one backend connection holds, by SQL text: shared by every
// session that uses the connection, prepared there the first time one of them executes the
// statement on it. Capped: adding one past the cap evicts the least recently used, which the
// caller closes on the server (COM_STMT_CLOSE has no reply).
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rwproxy::backend {

class ServerStatements {
 public:
  struct Entry {
    std::uint32_t id = 0;     // the server's statement id on this connection
    std::string param_types;  // the parameter types last sent to the server for it
  };

  explicit ServerStatements(std::size_t cap = 128) : cap_(cap == 0 ? 1 : cap) {}
  ServerStatements(const ServerStatements&) = delete;
  ServerStatements& operator=(const ServerStatements&) = delete;

  void set_cap(std::size_t cap) { cap_ = cap == 0 ? 1 : cap; }
  // The statement prepared for `sql`, made the most recently used; null when there is none.
  Entry* find(std::string_view sql);
  // Records a statement prepared on the connection; returns the id the cap evicted, if any.
  std::optional<std::uint32_t> add(std::string sql, std::uint32_t id);
  // The connection was reset: its statements are gone.
  void clear() {
    index_.clear();
    lru_.clear();
  }
  std::size_t size() const { return lru_.size(); }

 private:
  using Item = std::pair<std::string, Entry>;
  std::size_t cap_;
  std::list<Item> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Item>::iterator> index_;  // views into lru_
};

}  // namespace rwproxy::backend
