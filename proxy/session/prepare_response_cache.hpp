// What the servers answered to COM_STMT_PREPARE, per worker, so that a client's PREPARE of a
// statement the worker has seen is answered at once, without a backend round trip: the
// statement is then prepared lazily on whichever connection runs its EXECUTE. Keyed by everything
// that shapes the answer: account, protocol capabilities, character set, schema, the session's
// SETs and the SQL text. Bounded (least
// recently used out first); cleared when DDL runs through the worker, since it may change the
// metadata. Only the worker's thread touches it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/util/lru_map.hpp"

namespace rwproxy::session {

struct PrepareResponse {
  std::uint16_t params = 0;
  std::uint16_t columns = 0;
  std::uint16_t warnings = 0;
  std::vector<std::string> packets;  // the payloads after PREPARE_OK: parameter and column
                                     // definitions, with their EOFs when the protocol has them
};

class PrepareResponseCache {
 public:
  explicit PrepareResponseCache(std::size_t capacity = 4096) : responses_(capacity) {}

  // `settings`: SessionState::replay_fingerprint() (SET NAMES, sql_mode, ... change the answer).
  static std::string key(std::string_view user, std::uint32_t capabilities, std::uint16_t collation,
                         std::string_view schema, std::uint64_t settings, std::string_view sql);

  const PrepareResponse* find(const std::string& key) { return responses_.find(key); }
  void add(std::string key, PrepareResponse response) { responses_.insert(std::move(key), std::move(response)); }
  void clear() { responses_.clear(); }
  std::size_t size() const { return responses_.size(); }

 private:
  LruMap<PrepareResponse> responses_;
};

// Appends the PREPARE_OK packet and the rest of `response` for the client, as statement
// `statement_id`, framed from sequence 1.
void append_prepare_response(std::string& frames, std::uint32_t statement_id, const PrepareResponse& response);

}  // namespace rwproxy::session
