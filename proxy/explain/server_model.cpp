#include "proxy/explain/server_model.hpp"

#include "proxy/protocol/constants.hpp"

namespace rwproxy::explain {

using parser::StatementKind;
using parser::TransactionEffect;

bool writes_binlog(const parser::StatementInfo& info) {
  if (!info.writes) return false;
  switch (info.kind) {
    case StatementKind::insert:
    case StatementKind::update:
    case StatementKind::delete_:
    case StatementKind::replace:
    case StatementKind::load_data:
    case StatementKind::grant:
      return true;
    case StatementKind::ddl:
      return !info.session.create_temporary_table && !info.session.drop_temporary_table;
    default:
      return false;
  }
}

bool flags_state_change(const parser::StatementInfo& info) {
  const parser::SessionEffects& fx = info.session;
  return info.statement_count > 1 && (fx.use_schema || fx.set_names || !fx.set_session_variable.empty() ||
                                      fx.create_temporary_table || fx.drop_temporary_table);
}

std::uint16_t ServerModel::status_flags() const {
  std::uint16_t flags = autocommit_ ? protocol::server_status::autocommit : 0;
  if (in_transaction_) flags |= protocol::server_status::in_trans;
  return flags;
}

bool ServerModel::end_transaction(bool commit) {
  const bool committed = commit && in_transaction_ && transaction_wrote_;
  in_transaction_ = false;
  transaction_wrote_ = false;
  return committed;
}

ServerModel::Reply ServerModel::run(const parser::StatementInfo& info, bool tracks_state_change) {
  Reply out;
  const bool writes = writes_binlog(info);
  switch (info.transaction) {
    case TransactionEffect::begin:
    case TransactionEffect::begin_read_only:
      out.committed_write = end_transaction(true);  // BEGIN commits an open transaction first
      in_transaction_ = true;
      break;
    case TransactionEffect::commit: out.committed_write = end_transaction(true); break;
    case TransactionEffect::rollback: end_transaction(false); break;
    case TransactionEffect::implicit_commit:
      out.committed_write = end_transaction(true) || writes;  // the DDL commits itself too
      break;
    default:
      if (info.session.set_autocommit && info.session.autocommit_value) {
        if (*info.session.autocommit_value && !autocommit_) out.committed_write = end_transaction(true);
        autocommit_ = *info.session.autocommit_value;
      } else if (in_transaction_) {
        transaction_wrote_ = transaction_wrote_ || writes;
      } else if (!autocommit_ && (writes || !info.tables.empty())) {
        in_transaction_ = true;
        transaction_wrote_ = writes;
      } else {
        out.committed_write = writes;
      }
      break;
  }
  out.reply.succeeded = true;
  out.reply.status_flags = status_flags();
  out.reply.facts.state_changed = tracks_state_change && flags_state_change(info);
  return out;
}

}  // namespace rwproxy::explain
