// Why a client session keeps its backend connection instead of giving it back to the pool after
// a statement (connection multiplexing). What binds a session is state that lives in that one
// server connection and cannot be carried to another one exactly.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rwproxy::router {

enum class BindReason : std::uint8_t {
  none,
  // Until the condition ends:
  transaction,         // an open transaction (SERVER_STATUS_IN_TRANS)
  autocommit_off,      // autocommit = 0: every statement opens a transaction
  lock_tables,         // LOCK TABLES / FLUSH TABLES WITH READ LOCK, until UNLOCK TABLES
  temporary_table,     // a temporary table exists on the connection, until dropped
  cursor,              // a binary-protocol cursor is open (COM_STMT_FETCH reads from it)
  long_data,           // COM_STMT_SEND_LONG_DATA data waits for its EXECUTE
  // For the next statement (the client may ask about the last one):
  found_rows,          // SQL_CALC_FOUND_ROWS: FOUND_ROWS() may follow
  insert_id,           // the statement generated an insert id: LAST_INSERT_ID() may follow
  warnings,            // warnings wait for SHOW WARNINGS
  // Until the session ends or is reset (COM_RESET_CONNECTION, COM_CHANGE_USER):
  user_lock,           // GET_LOCK(): the lock belongs to the connection
  user_variable,       // SELECT @v := ... / SELECT ... INTO @v: a value the proxy never sees (SET @v
                       // is carried to every connection instead)
  sql_prepare,         // SQL-level PREPARE: the statement lives on the connection
  unparsed_set,        // a SET the proxy cannot replay exactly
  replay_overflow,     // more SETs than the proxy replays
  state_change,        // the server reported a session-state change the proxy cannot explain
                       // (a SET in a stored procedure, SELECT @v := ...)
  set_option,          // COM_SET_OPTION changed the connection's multi-statement option
};

inline constexpr std::size_t bind_reason_count = static_cast<std::size_t>(BindReason::set_option) + 1;

std::string_view to_string(BindReason reason);
std::array<BindReason, bind_reason_count> all_bind_reasons();

}  // namespace rwproxy::router
