// What a MariaDB/MySQL server would report to the proxy after a statement of a replayed log,
// since `--explain` has no server to ask: the status flags (SERVER_STATUS_IN_TRANS and
// SERVER_STATUS_AUTOCOMMIT), whether session-state tracking would flag a change, and whether the
// statement committed a write (the master then reports a GTID: last_gtid). The proxy reads all
// of this from the server's replies; the replay feeds the model's answers into the same session
// logic (session::after_statement).
//
// Every statement is taken to succeed (a general log records what was sent, not how it ended).
// A write is a statement that changes rows or schema (INSERT, UPDATE, DELETE, REPLACE, LOAD DATA,
// DDL other than temporary tables, account management), even one that changes no row. With
// autocommit = 0 a statement that names a table opens a transaction; SET autocommit = 1 commits
// one. A SET autocommit whose value is not a literal leaves autocommit as it was.
#pragma once

#include <cstdint>
#include <string>

#include "parser/statement_info.hpp"
#include "proxy/session/statement_routing.hpp"

namespace rwproxy::explain {

// The master's GTIDs, in commit order across every thread of the log ("0-1-1", "0-1-2", ...).
class GtidSequence {
 public:
  std::string next() { return "0-1-" + std::to_string(++last_); }

 private:
  std::uint64_t last_ = 0;
};

// One connection's server-side transaction state.
class ServerModel {
 public:
  struct Reply {
    session::StatementReply reply;
    bool committed_write = false;  // the master reports a GTID for it
  };

  // The reply to `info`. `tracks_state_change`: the connection runs with
  // session_track_state_change = ON (the proxy's pooled connections, with multiplexing).
  Reply run(const parser::StatementInfo& info, bool tracks_state_change);

  // The flags as the server would report them now (a COM_INIT_DB's OK).
  std::uint16_t status_flags() const;

 private:
  // Ends an open transaction; true when it had written (a commit, not a rollback).
  bool end_transaction(bool commit);

  bool in_transaction_ = false;
  bool autocommit_ = true;
  bool transaction_wrote_ = false;
};

// Whether `info` changes rows or schema (see above): what makes the master write a GTID.
bool writes_binlog(const parser::StatementInfo& info);

// Whether the server's session-state tracking flags a change the statement's text alone leaves
// open (so that the proxy pins the session: state_change): several statements in one text that
// change the schema, session variables or temporary tables. A user variable assigned inside a
// statement (SELECT @v := ..., SELECT ... INTO @v) is not flagged: MariaDB does not track user
// variables (tests/integration/explain_replay_test.cpp checks this against the proxy); the proxy
// then keeps the session on its connections (binding user_variable) without pinning its routing.
// A MySQL 8 server does flag them, and there the proxy pins: the model follows MariaDB.
bool flags_state_change(const parser::StatementInfo& info);

}  // namespace rwproxy::explain
