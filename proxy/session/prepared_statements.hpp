// Binary prepared statements of one session: the proxy's registry. The client gets ids the proxy
// assigns; a statement is prepared on a backend connection only when an EXECUTE runs there (see
// backend::ServerStatements), so it binds the session to no connection, and a read prepared,
// executed and closed costs the master nothing. COM_STMT_EXECUTE packets are rewritten per
// connection: the server's id, and the parameter types when that server statement has not seen
// the client's latest ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "parser/statement_info.hpp"
#include "router/bind_reason.hpp"

namespace rwproxy::session {

struct PreparedStatement {
  std::uint32_t id = 0;                    // the client's id
  std::string sql;
  parser::StatementInfo info;
  std::uint16_t param_count = 0;
  std::string param_types;                 // 2 bytes per parameter, as last bound by the client
  bool long_data_pending = false;          // SEND_LONG_DATA went to the master: EXECUTE follows there
  bool cursor_open = false;                // the last EXECUTE opened a cursor (COM_STMT_FETCH reads it)
  std::optional<std::size_t> last_replica;  // where the last EXECUTE ran (nullopt: the master)
  // Its digest, made at its first EXECUTE (query digests count EXECUTEs as their statement).
  std::uint64_t digest_hash = 0;
  std::string digest_text;
  // The key of its server statements (see StatementExecutor::server_statement_key), kept with the
  // schema and session settings it was made for: rebuilt only when those change.
  std::string server_key;
  std::string server_key_schema;
  std::uint64_t server_key_fingerprint = 0;
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
  // A new statement under a fresh client id.
  PreparedStatement& add(std::string sql, parser::StatementInfo info, std::uint16_t param_count);
  PreparedStatement* find(std::uint32_t client_id);
  void erase(std::uint32_t client_id) { statements_.erase(client_id); }
  void clear() { statements_.clear(); }
  std::size_t size() const { return statements_.size(); }
  // What of the statements binds the session to a connection: an open cursor, long data waiting
  // for its EXECUTE; none otherwise.
  router::BindReason binding() const;

 private:
  std::uint32_t next_id_ = 1;
  std::unordered_map<std::uint32_t, PreparedStatement> statements_;
};

}  // namespace rwproxy::session
