// What the router needs to know about a statement (or a multi-statement text), as produced by
// classify(). Plain data; see classifier.hpp for how each field is decided.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::parser {

enum class StatementKind : std::uint8_t {
  unknown,      // unparseable, empty, or a compound block: treat as a write
  select,       // SELECT, WITH ... SELECT, (SELECT ...), TABLE t, VALUES ROW(...)
  insert,
  update,
  delete_,
  replace,
  ddl,          // CREATE/ALTER/DROP/RENAME/TRUNCATE of schema objects
  set,
  use,
  begin,        // BEGIN, START TRANSACTION
  commit,
  rollback,     // ROLLBACK, ROLLBACK TO SAVEPOINT
  savepoint,    // SAVEPOINT, RELEASE SAVEPOINT
  lock_tables,
  unlock_tables,
  call,
  do_,
  show,         // SHOW ..., HELP
  explain,      // EXPLAIN/DESCRIBE/DESC, MariaDB ANALYZE <statement>
  prepare,      // SQL-level PREPARE
  execute,      // SQL-level EXECUTE
  deallocate,   // DEALLOCATE/DROP PREPARE
  handler,
  load_data,    // LOAD DATA / LOAD XML
  xa,
  flush,
  kill,
  grant,        // GRANT, REVOKE and account management (CREATE/ALTER/DROP/RENAME USER, ROLE)
  admin,        // everything else: ANALYZE/OPTIMIZE/REPAIR TABLE, replication control, ...
};

// "select", "delete", "do", ... (the enum name without the trailing underscore).
std::string_view to_string(StatementKind kind);

enum class TransactionEffect : std::uint8_t {
  none,
  begin,                  // BEGIN, START TRANSACTION [READ WRITE], XA START, COMMIT AND CHAIN
  begin_read_only,        // START TRANSACTION READ ONLY
  commit,                 // COMMIT, XA COMMIT
  rollback,               // ROLLBACK, XA ROLLBACK
  savepoint,              // SAVEPOINT sp
  rollback_to_savepoint,  // ROLLBACK TO [SAVEPOINT] sp
  release_savepoint,      // RELEASE SAVEPOINT sp
  implicit_commit,        // DDL, LOCK TABLES, GRANT, FLUSH, ... end an open transaction
};

std::string_view to_string(TransactionEffect effect);

struct SessionEffects {
  bool set_names = false;              // SET NAMES / SET CHARACTER SET / SET CHARSET
  bool set_autocommit = false;         // SET [SESSION] autocommit = ...
  std::optional<bool> autocommit_value;  // when the value is a literal 0/1/ON/OFF/TRUE/FALSE
  bool set_transaction = false;        // SET [SESSION] TRANSACTION ... (not GLOBAL)
  bool set_user_variable = false;      // SET @v = ...
  std::vector<std::string> set_session_variable;  // session variables SET, lower-case
  bool assigns_user_variable = false;  // @v := ... inside a statement (SELECT @v := ...)
  bool select_into = false;            // SELECT ... INTO @v / OUTFILE / DUMPFILE
  bool use_schema = false;             // USE db
  std::string schema;                  // ... its name, unquoted
  bool create_temporary_table = false;
  bool drop_temporary_table = false;
  bool lock_tables = false;            // LOCK TABLES, FLUSH TABLES ... WITH READ LOCK
  bool unlock_tables = false;
  bool sql_prepare = false;            // SQL-level PREPARE
  bool unparsed_set = false;           // a SET (or SET ROLE) the classifier could not follow

  bool any() const;
};

struct TableRef {
  std::string schema;  // empty when not written
  std::string name;    // as written, backticks removed
  bool operator==(const TableRef&) const = default;
};

enum class HintTarget : std::uint8_t { none, master, replica };

struct HintParam {
  std::string key;    // lower-case
  std::string value;  // as written; empty for a bare word
  bool operator==(const HintParam&) const = default;
};

// Routing hint from the leading comments: /* rwproxy:master */, /* rwproxy:replica */,
// /* rwproxy:key=value,other=value */. See hints.hpp.
struct Hint {
  HintTarget target = HintTarget::none;
  std::vector<HintParam> params;
  const std::string* find(std::string_view key) const;
};

struct StatementInfo {
  StatementKind kind = StatementKind::unknown;  // of the first statement
  bool writes = true;            // may change data, schema or server state
  bool read_only_safe = false;   // may be sent to a replica
  bool locking_read = false;     // FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE
  bool master_only_function = false;  // LAST_INSERT_ID(), GET_LOCK(), NEXT VALUE FOR, ...
  bool user_lock = false;        // GET_LOCK(): the lock lives on that master connection
  bool calc_found_rows = false;  // SQL_CALC_FOUND_ROWS (pairs with FOUND_ROWS() on the master)
  bool reads_user_variable = false;     // @v read: fine on a replica only if user vars replay
  bool reads_session_variable = false;  // @@v / @@session.v read (not @@global.v)
  bool reads_diagnostics = false;  // SHOW WARNINGS/ERRORS, GET DIAGNOSTICS, ROW_COUNT(), ...:
                                   // depends on the previous statement on the same connection
  bool has_error_token = false;  // unterminated quote/comment somewhere: kind is unknown
  SessionEffects session;
  TransactionEffect transaction = TransactionEffect::none;
  std::vector<TableRef> tables;  // tables referenced, in order of appearance, without duplicates
  Hint hint;
  std::size_t statement_count = 0;  // non-empty statements in the text
};

}  // namespace rwproxy::parser
