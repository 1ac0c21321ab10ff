// What a client session has changed on the server side, kept so that every backend connection
// of the session can be brought to the same state: schema, SET statements to replay, temporary
// tables, pins, transaction status and the time of the last write. Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parser/statement_info.hpp"
#include "router/bind_reason.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::session {

// Why a session is pinned to the master (none = not pinned).
enum class PinReason : std::uint8_t {
  none,
  lock_tables,
  user_lock,
  sql_prepare,
  unparsed_set,
  replay_overflow,
  state_change,  // the server reported a session-state change the proxy cannot explain
};

std::string_view to_string(PinReason reason);

// What a reply said about its connection beyond the status flags (from the OK/EOF packets and
// the server's session-state tracking).
struct ReplyFacts {
  std::uint16_t warnings = 0;
  std::uint64_t last_insert_id = 0;
  bool state_changed = false;  // SESSION_TRACK_STATE_CHANGE: the session's state changed
};

// A SET statement that every backend connection of the session must run, in order.
struct ReplayEntry {
  std::uint64_t sequence = 0;
  std::string key;  // the variables it sets, so a later SET of the same ones replaces it
  std::string sql;
};

class SessionState {
 public:
  static constexpr std::size_t max_replay_entries = 64;

  using Clock = router::Clock;

  explicit SessionState(std::string schema = {}) : schema_(std::move(schema)) {}

  // After a statement succeeded (or failed) with these server status flags.
  void after_statement(const parser::StatementInfo& info, std::string_view sql, bool succeeded,
                       std::uint16_t status_flags, bool ran_on_replica, std::optional<std::size_t> replica,
                       Clock::time_point now);
  // After a statement's reply, with what it said about the connection: sets the bindings that
  // last for the next statement, and pins a session whose state changed in a way the statement
  // does not explain.
  void after_reply(const parser::StatementInfo& info, const ReplyFacts& facts);
  // After COM_INIT_DB succeeded.
  void set_schema(std::string schema) { schema_ = std::move(schema); }
  // COM_RESET_CONNECTION / COM_CHANGE_USER: back to a fresh session.
  void reset(std::string schema);

  // Marks that a write committed now (used for writes outside COM_QUERY, e.g. COM_STMT_EXECUTE).
  void note_write(bool in_transaction_after, Clock::time_point now);
  void note_status(std::uint16_t status_flags);

  const std::string& schema() const { return schema_; }
  const std::vector<ReplayEntry>& replay() const { return replay_; }
  // Identifies the SETs in effect (equal lists, equal fingerprints): what a statement prepared on
  // a connection depends on besides its text and the schema (sql_mode, character set, ...).
  std::uint64_t replay_fingerprint() const { return replay_fingerprint_; }
  std::uint64_t replay_sequence() const { return sequence_; }
  PinReason pinned() const { return pin_; }
  bool in_transaction() const { return in_transaction_; }
  // What keeps the session on its backend connection (multiplexing): none when it may go back
  // to the pool.
  router::BindReason binding() const;
  bool autocommit() const { return autocommit_; }
  // SERVER_STATUS_AUTOCOMMIT / IN_TRANS as the server would report them now (for replies the
  // proxy writes itself).
  std::uint16_t status_flags() const;
  const std::vector<std::string>& temporary_tables() const { return temporary_tables_; }
  std::optional<std::size_t> transaction_replica() const { return transaction_replica_; }

  // The view the router reads.
  router::RoutingSession routing_view(std::string_view user, bool hints_allowed) const;

 private:
  void track_transaction(std::uint16_t status_flags, bool ran_on_replica, std::optional<std::size_t> replica,
                         const parser::StatementInfo& info, Clock::time_point now);
  void track_session_effects(const parser::StatementInfo& info, std::string_view sql);
  void track_temporary_tables(const parser::StatementInfo& info);
  void add_replay(std::string key, std::string_view sql, bool reads_variables);
  void pin(PinReason reason);

  std::string schema_;
  std::vector<ReplayEntry> replay_;
  std::uint64_t sequence_ = 0;
  std::uint64_t replay_fingerprint_ = 0;
  std::size_t replay_kept_ = 0;  // replay_[0, replay_kept_) is read by a later entry: never dropped
  std::vector<std::string> temporary_tables_;
  PinReason pin_ = PinReason::none;
  PinReason lasting_pin_ = PinReason::none;  // the first pin UNLOCK TABLES does not end
  router::BindReason next_statement_binding_ = router::BindReason::none;  // found_rows, insert_id, warnings
  bool assigned_user_variable_ = false;  // SELECT @v := ... / INTO @v ran: the value lives on its connection
  bool in_transaction_ = false;
  bool autocommit_ = true;
  bool transaction_wrote_ = false;
  std::optional<std::size_t> transaction_replica_;
  std::optional<std::size_t> last_replica_;
  std::optional<Clock::time_point> last_write_;
};

}  // namespace rwproxy::session
