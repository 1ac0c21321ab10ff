// Binary prepared statements of one session. The client sees the master's statement id; a
// read-only statement is also prepared on a replica when the router first sends it there, under
// that replica's own id. COM_STMT_EXECUTE packets are rewritten per backend: the id, and the
// parameter types when that backend has not seen the client's latest types yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "parser/statement_info.hpp"

namespace rwproxy::session {

struct PreparedStatement {
  std::string sql;
  parser::StatementInfo info;
  std::uint16_t param_count = 0;
  std::uint32_t master_id = 0;                              // also the id the client uses
  std::vector<std::optional<std::uint32_t>> replica_ids;    // per replica index
  std::vector<std::uint64_t> replica_connections;           // serial of the connection it is
                                                            // prepared on (a reconnect loses it)
  std::string param_types;                                  // 2 bytes per parameter, as last bound
  std::uint32_t types_version = 0;                          // bumped when the client rebinds
  std::uint32_t master_types_version = 0;                   // what each backend has seen
  std::vector<std::uint32_t> replica_types_version;
  bool long_data_pending = false;                           // SEND_LONG_DATA went to the master
  std::optional<std::size_t> last_replica;                  // where the last EXECUTE ran (nullopt: master)

  // The statement's id on replica `replica` if it is prepared on that replica's connection
  // `connection_serial` (BackendConnection::serial()), else nullopt: never an id from a
  // connection that has since been replaced.
  std::optional<std::uint32_t> replica_id_on(std::size_t replica, std::uint64_t connection_serial) const {
    if (replica >= replica_ids.size() || replica_connections[replica] != connection_serial) return std::nullopt;
    return replica_ids[replica];
  }
};

// The parts of a COM_STMT_EXECUTE payload the proxy needs.
struct ExecuteRequest {
  std::uint32_t statement_id = 0;
  std::uint8_t flags = 0;             // cursor type
  bool new_params_bound = false;
  std::size_t types_offset = 0;       // where types start (when new_params_bound) or would go
  bool cursor() const { return flags & 0x01; }
};

// Parses the execute header; `param_count` comes from the prepare response. False if malformed.
bool parse_execute(std::string_view payload, std::uint16_t param_count, ExecuteRequest& out);

// A copy of `payload` for a backend: `backend_id` replaces the id; when `add_types` is non-empty
// and the packet has new_params_bound = 0, the flag is set and the types are inserted.
std::string rewrite_execute(std::string_view payload, const ExecuteRequest& request, std::uint32_t backend_id,
                            std::string_view add_types);

class PreparedStatements {
 public:
  explicit PreparedStatements(std::size_t replica_count) : replica_count_(replica_count) {}

  PreparedStatement& add(std::uint32_t master_id, std::string sql, parser::StatementInfo info,
                         std::uint16_t param_count);
  PreparedStatement* find(std::uint32_t client_id);
  void erase(std::uint32_t client_id) { statements_.erase(client_id); }
  void clear() { statements_.clear(); }
  std::size_t size() const { return statements_.size(); }

 private:
  std::size_t replica_count_;
  std::unordered_map<std::uint32_t, PreparedStatement> statements_;
};

}  // namespace rwproxy::session
