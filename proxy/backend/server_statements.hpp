// The binary prepared statements one backend connection holds, by SQL text: shared by every
// session that uses the connection, prepared there the first time one of them executes the
// statement on it. Capped: adding one past the cap evicts the least recently used, which the
// caller closes on the server (COM_STMT_CLOSE has no reply).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/util/lru_map.hpp"

namespace rwproxy::backend {

class ServerStatements {
 public:
  struct Entry {
    std::uint32_t id = 0;     // the server's statement id on this connection
    std::string param_types;  // the parameter types last sent to the server for it
  };

  explicit ServerStatements(std::size_t cap = 128) : statements_(cap) {}

  void set_cap(std::size_t cap) { statements_.set_capacity(cap); }
  // The statement prepared under `key` (see StatementExecutor::server_statement_key), made the
  // most recently used; null when there is none.
  Entry* find(std::string_view key) { return statements_.find(key); }
  // Records a statement prepared on the connection; returns the id to close on the server (the
  // one it replaced, or the one the cap evicted), if any.
  std::optional<std::uint32_t> add(std::string sql, std::uint32_t id) {
    auto gone = statements_.insert(std::move(sql), Entry{id, {}});
    if (!gone || gone->id == id) return std::nullopt;
    return gone->id;
  }
  // Forgets the statement for `key`; returns its id (for COM_STMT_CLOSE), if it was there.
  std::optional<std::uint32_t> erase(std::string_view key) {
    auto gone = statements_.erase(key);
    if (!gone) return std::nullopt;
    return gone->id;
  }
  // The connection was reset: its statements are gone.
  void clear() { statements_.clear(); }
  std::size_t size() const { return statements_.size(); }

 private:
  LruMap<Entry> statements_;
};

}  // namespace rwproxy::backend
