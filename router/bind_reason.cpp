#include "router/bind_reason.hpp"

namespace rwproxy::router {

std::string_view to_string(BindReason reason) {
  switch (reason) {
    case BindReason::none: return "none";
    case BindReason::transaction: return "transaction";
    case BindReason::autocommit_off: return "autocommit_off";
    case BindReason::lock_tables: return "lock_tables";
    case BindReason::temporary_table: return "temporary_table";
    case BindReason::cursor: return "cursor";
    case BindReason::long_data: return "long_data";
    case BindReason::found_rows: return "found_rows";
    case BindReason::insert_id: return "insert_id";
    case BindReason::warnings: return "warnings";
    case BindReason::user_lock: return "user_lock";
    case BindReason::user_variable: return "user_variable";
    case BindReason::sql_prepare: return "sql_prepare";
    case BindReason::unparsed_set: return "unparsed_set";
    case BindReason::replay_overflow: return "replay_overflow";
    case BindReason::state_change: return "state_change";
    case BindReason::set_option: return "set_option";
  }
  return "unknown";
}

std::array<BindReason, bind_reason_count> all_bind_reasons() {
  std::array<BindReason, bind_reason_count> out{};
  for (std::size_t i = 0; i < bind_reason_count; ++i) out[i] = static_cast<BindReason>(i);
  return out;
}

}  // namespace rwproxy::router
