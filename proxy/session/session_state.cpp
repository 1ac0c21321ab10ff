#include "proxy/session/session_state.hpp"

#include <algorithm>
#include <functional>

#include "parser/char_class.hpp"
#include "parser/lexer.hpp"
#include "proxy/protocol/constants.hpp"

namespace rwproxy::session {

using parser::StatementInfo;
using parser::StatementKind;
using parser::TransactionEffect;

std::string_view to_string(PinReason reason) {
  switch (reason) {
    case PinReason::none: return "none";
    case PinReason::lock_tables: return "lock_tables";
    case PinReason::user_lock: return "user_lock";
    case PinReason::sql_prepare: return "sql_prepare";
    case PinReason::unparsed_set: return "unparsed_set";
    case PinReason::replay_overflow: return "replay_overflow";
    case PinReason::state_change: return "state_change";
  }
  return "unknown";
}

namespace {

using parser::chars::lower;

// The key of a SET: the variables it assigns, so that repeating the same SET replaces it. User
// variables are keyed by every @name the text mentions (case-insensitive, as in the server): a
// superset of those it assigns, so SET @a never replaces SET @b.
std::string replay_key(const StatementInfo& info, std::string_view sql) {
  std::vector<std::string> names = info.session.set_session_variable;
  if (info.session.set_names) names.emplace_back("names");
  if (info.session.set_autocommit) names.emplace_back("autocommit");
  if (info.session.set_transaction) names.emplace_back("transaction");
  if (info.session.set_user_variable) {
    parser::Lexer lexer(sql);
    for (parser::Token t = lexer.next(); t.kind != parser::TokenKind::end; t = lexer.next()) {
      if (t.kind == parser::TokenKind::user_variable) names.push_back(lower(t.text));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string key;
  for (const auto& n : names) key += n + ",";
  if (info.session.set_user_variable) key += "@";
  return key;
}

}  // namespace

void SessionState::reset(std::string schema) {
  *this = SessionState(std::move(schema));
}

void SessionState::pin(PinReason reason) {
  if (pin_ == PinReason::none) pin_ = reason;
  if (reason != PinReason::lock_tables && lasting_pin_ == PinReason::none) lasting_pin_ = reason;
}

// A SET that reads variables (SET @b = @a, SET sql_mode = CONCAT(@@sql_mode, ...)) depends on the
// entries before it: it replaces none of them, and none of them may be dropped later.
void SessionState::add_replay(std::string key, std::string_view sql, bool reads_variables) {
  if (!reads_variables) {
    const auto droppable = replay_.begin() + static_cast<std::ptrdiff_t>(replay_kept_);
    replay_.erase(std::remove_if(droppable, replay_.end(), [&](const ReplayEntry& e) { return e.key == key; }),
                  replay_.end());
  }
  if (replay_.size() >= max_replay_entries) {
    pin(PinReason::replay_overflow);
    return;
  }
  replay_.push_back(ReplayEntry{++sequence_, std::move(key), std::string(sql)});
  if (reads_variables) replay_kept_ = replay_.size();
  replay_fingerprint_ = 0;
  for (const ReplayEntry& entry : replay_) {
    replay_fingerprint_ = replay_fingerprint_ * 1000003u ^ std::hash<std::string>{}(entry.sql);
  }
}

std::uint16_t SessionState::status_flags() const {
  std::uint16_t status = autocommit_ ? protocol::server_status::autocommit : 0;
  if (in_transaction_) status |= protocol::server_status::in_trans;
  return status;
}

void SessionState::note_status(std::uint16_t status_flags) {
  in_transaction_ = status_flags & protocol::server_status::in_trans;
  autocommit_ = status_flags & protocol::server_status::autocommit;
}

void SessionState::note_write(bool in_transaction_after, Clock::time_point now) {
  if (in_transaction_after) {
    transaction_wrote_ = true;
  } else {
    last_write_ = now;
  }
}

void SessionState::after_statement(const StatementInfo& info, std::string_view sql, bool succeeded,
                                   std::uint16_t status_flags, bool ran_on_replica,
                                   std::optional<std::size_t> replica, Clock::time_point now) {
  last_replica_ = ran_on_replica ? replica : std::nullopt;
  track_transaction(status_flags, ran_on_replica, replica, info, now);
  if (!succeeded) return;
  track_session_effects(info, sql);
  track_temporary_tables(info);
}

void SessionState::track_transaction(std::uint16_t status_flags, bool ran_on_replica,
                                     std::optional<std::size_t> replica, const StatementInfo& info,
                                     Clock::time_point now) {
  const bool was_in_transaction = in_transaction_;
  note_status(status_flags);
  if (ran_on_replica) {
    transaction_replica_ = in_transaction_ ? replica : std::nullopt;
    return;
  }
  transaction_replica_.reset();
  const bool wrote = info.writes || info.locking_read || info.kind == StatementKind::unknown;
  if (in_transaction_) {
    if (wrote) transaction_wrote_ = true;
    return;
  }
  // Not in a transaction now: an autocommit write, or the end of a transaction that wrote.
  const bool ended = was_in_transaction || info.transaction == TransactionEffect::commit;
  if (wrote || (ended && transaction_wrote_)) last_write_ = now;
  if (!in_transaction_) transaction_wrote_ = false;
}

void SessionState::track_session_effects(const StatementInfo& info, std::string_view sql) {
  const parser::SessionEffects& fx = info.session;
  if (fx.use_schema && !fx.schema.empty()) schema_ = fx.schema;
  if (fx.unparsed_set) pin(PinReason::unparsed_set);
  if (fx.lock_tables) pin(PinReason::lock_tables);
  if (fx.unlock_tables && pin_ == PinReason::lock_tables) pin_ = lasting_pin_;
  if (fx.sql_prepare) pin(PinReason::sql_prepare);
  if (info.user_lock) pin(PinReason::user_lock);  // GET_LOCK() holds state on the master's connection
  if (fx.assigns_user_variable || fx.select_into) assigned_user_variable_ = true;
  if (info.kind == StatementKind::set && sql.empty()) {
    pin(PinReason::unparsed_set);  // a prepared SET: its text has placeholders and cannot be replayed
  } else if (info.kind == StatementKind::set && !fx.unparsed_set && info.statement_count == 1 &&
      (fx.set_names || fx.set_autocommit || fx.set_transaction || fx.set_user_variable ||
       !fx.set_session_variable.empty())) {
    add_replay(replay_key(info, sql), sql, info.reads_user_variable || info.reads_session_variable);
  } else if (info.kind == StatementKind::set && info.statement_count != 1) {
    pin(PinReason::unparsed_set);
  }
}

void SessionState::track_temporary_tables(const StatementInfo& info) {
  if (info.tables.empty() || !(info.session.create_temporary_table || info.session.drop_temporary_table)) return;
  const std::string name = lower(info.tables.front().name);
  auto it = std::find(temporary_tables_.begin(), temporary_tables_.end(), name);
  if (info.session.create_temporary_table && it == temporary_tables_.end()) temporary_tables_.push_back(name);
  if (info.session.drop_temporary_table) {
    for (const auto& table : info.tables) {
      auto found = std::find(temporary_tables_.begin(), temporary_tables_.end(), lower(table.name));
      if (found != temporary_tables_.end()) temporary_tables_.erase(found);
    }
  }
}

namespace {

// Whether a statement's own text accounts for a session-state change the server reported: it
// changes the session in a way SessionState follows (or pins for), or it only changes state the
// proxy does not need to carry (transactions; last_gtid, reported on its own).
bool explains_state_change(const StatementInfo& info) {
  switch (info.kind) {
    case StatementKind::set:
    case StatementKind::use:
    case StatementKind::begin:
    case StatementKind::commit:
    case StatementKind::rollback:
    case StatementKind::savepoint:
    case StatementKind::lock_tables:
    case StatementKind::unlock_tables:
    case StatementKind::prepare:
    case StatementKind::deallocate:
      return info.statement_count <= 1;
    default:
      break;
  }
  const parser::SessionEffects& fx = info.session;
  return info.statement_count <= 1 && !fx.assigns_user_variable && !fx.select_into &&
         (fx.create_temporary_table || fx.drop_temporary_table || info.user_lock);
}

}  // namespace

void SessionState::after_reply(const StatementInfo& info, const ReplyFacts& facts) {
  using router::BindReason;
  next_statement_binding_ = info.calc_found_rows  ? BindReason::found_rows
                            : facts.last_insert_id ? BindReason::insert_id
                            : facts.warnings       ? BindReason::warnings
                                                   : BindReason::none;
  if (facts.state_changed && !explains_state_change(info)) pin(PinReason::state_change);
}

router::BindReason SessionState::binding() const {
  using router::BindReason;
  switch (pin_) {
    case PinReason::none: break;
    case PinReason::lock_tables: return BindReason::lock_tables;
    case PinReason::user_lock: return BindReason::user_lock;
    case PinReason::sql_prepare: return BindReason::sql_prepare;
    case PinReason::unparsed_set: return BindReason::unparsed_set;
    case PinReason::replay_overflow: return BindReason::replay_overflow;
    case PinReason::state_change: return BindReason::state_change;
  }
  if (assigned_user_variable_) return BindReason::user_variable;
  if (in_transaction_) return BindReason::transaction;
  if (!autocommit_) return BindReason::autocommit_off;
  if (!temporary_tables_.empty()) return BindReason::temporary_table;
  return next_statement_binding_;
}

router::RoutingSession SessionState::routing_view(std::string_view user, bool hints_allowed) const {
  router::RoutingSession view;
  view.user = user;
  view.schema = schema_;
  view.in_transaction = in_transaction_;
  view.autocommit = autocommit_;
  view.transaction_replica = transaction_replica_;
  view.last_write = last_write_;
  view.pinned = pin_ != PinReason::none;
  view.temporary_tables = &temporary_tables_;
  view.last_replica = last_replica_;
  view.hints_allowed = hints_allowed;
  return view;
}

}  // namespace rwproxy::session
