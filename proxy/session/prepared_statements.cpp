#include "proxy/session/prepared_statements.hpp"

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::session {

bool parse_execute(std::string_view payload, std::uint16_t param_count, ExecuteRequest& out) {
  protocol::Reader r(protocol::as_bytes(payload));
  r.skip(1);  // command
  out.statement_id = r.u32();
  out.flags = r.u8();
  r.skip(4);  // iteration count
  if (!r.ok()) return false;
  out.new_params_bound = false;
  out.types_offset = r.position();
  if (param_count == 0) return true;
  r.skip((param_count + 7) / 8);  // NULL bitmap
  std::uint8_t bound = r.u8();
  if (!r.ok()) return false;
  out.new_params_bound = bound == 1;
  out.types_offset = r.position();
  if (out.new_params_bound && r.remaining() < 2u * param_count) return false;
  return true;
}

std::string rewrite_execute(std::string_view payload, const ExecuteRequest& request, std::uint32_t backend_id,
                            std::string_view add_types) {
  std::string out(payload);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((backend_id >> (8 * i)) & 0xff);
  if (!request.new_params_bound && !add_types.empty() && request.types_offset > 0) {
    out[request.types_offset - 1] = 1;  // new_params_bound_flag
    out.insert(request.types_offset, add_types);
  }
  return out;
}

PreparedStatement& PreparedStatements::add(std::string sql, parser::StatementInfo info, std::uint16_t param_count) {
  std::uint32_t id = next_id_;
  while (id == 0 || statements_.contains(id)) ++id;  // after 2^32 statements, skip ids in use
  next_id_ = id + 1;
  PreparedStatement& s = statements_[id];
  s.id = id;
  s.sql = std::move(sql);
  s.info = std::move(info);
  s.param_count = param_count;
  return s;
}

PreparedStatement* PreparedStatements::find(std::uint32_t client_id) {
  auto it = statements_.find(client_id);
  return it == statements_.end() ? nullptr : &it->second;
}

router::BindReason PreparedStatements::binding() const {
  router::BindReason reason = router::BindReason::none;
  for (const auto& [id, statement] : statements_) {
    if (statement.long_data_pending) return router::BindReason::long_data;
    if (statement.cursor_open) reason = router::BindReason::cursor;
  }
  return reason;
}

}  // namespace rwproxy::session
