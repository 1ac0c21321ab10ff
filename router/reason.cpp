#include "router/reason.hpp"

namespace rwproxy::router {

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::read: return "read";
    case Reason::write: return "write";
    case Reason::locking_read: return "locking_read";
    case Reason::master_only_function: return "master_only_function";
    case Reason::select_into: return "select_into";
    case Reason::user_variable: return "user_variable";
    case Reason::session_state: return "session_state";
    case Reason::transaction_control: return "transaction_control";
    case Reason::unknown_statement: return "unknown_statement";
    case Reason::diagnostics: return "diagnostics";
    case Reason::in_transaction: return "in_transaction";
    case Reason::read_only_transaction: return "read_only_transaction";
    case Reason::read_after_write_window: return "read_after_write_window";
    case Reason::session_pinned: return "session_pinned";
    case Reason::temp_table: return "temp_table";
    case Reason::hint: return "hint";
    case Reason::rule: return "rule";
    case Reason::no_eligible_replica: return "no_eligible_replica";
    case Reason::replica_lag: return "replica_lag";
    case Reason::causal_read: return "causal_read";
    case Reason::causal_wait: return "causal_wait";
    case Reason::causal_wait_timeout: return "causal_wait_timeout";
    case Reason::causal_replicas_behind: return "causal_replicas_behind";
  }
  return "unknown";
}

std::array<Reason, reason_count> all_reasons() {
  std::array<Reason, reason_count> out{};
  for (std::size_t i = 0; i < reason_count; ++i) out[i] = static_cast<Reason>(i);
  return out;
}

}  // namespace rwproxy::router
