// Analysis of one statement: a dispatch on its first keyword to a "head" reader that consumes
// the statement's fixed words (kind, transaction and session effects, target tables), then the
// BodyScanner for the rest. Internal to the parser; classify() is the public entry point.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "parser/body_scanner.hpp"
#include "parser/statement_info.hpp"
#include "parser/token_cursor.hpp"

namespace rwproxy::parser {

struct StatementContext {
  TokenCursor& cur;
  BodyScanner& scan;
  StatementInfo& info;
  bool force_master = false;  // e.g. SHOW MASTER STATUS: a read, but meaningful on the master only
  std::array<std::string_view, 16> cte_names{};  // WITH names, not real tables
  std::size_t cte_count = 0;
};

// Reads the statement in ctx.cur to its end and fills ctx.info (everything but the hint,
// statement_count and the read_only_safe verdict, which classify() decides). A statement whose
// body may contain ';' (CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT/PACKAGE, BEGIN NOT ATOMIC,
// IF/CASE/LOOP/WHILE/REPEAT, a label) runs to the end of the text, as the server parses it.
void analyze_statement(StatementContext& ctx);

// Reads the statement head: dispatches on the next token. Used recursively by EXPLAIN, WITH,
// SET STATEMENT ... FOR and MariaDB's ANALYZE <statement>.
void analyze_head(StatementContext& ctx);

// Heads, by statement family (heads_*.cpp).
void head_select(StatementContext& ctx);
void head_with(StatementContext& ctx);
void head_insert(StatementContext& ctx);
void head_update(StatementContext& ctx);
void head_delete(StatementContext& ctx);
void head_table_statement(StatementContext& ctx);  // MySQL 8: TABLE t
void head_explain(StatementContext& ctx);
void head_analyze(StatementContext& ctx);
void head_create(StatementContext& ctx);
void head_alter(StatementContext& ctx);
void head_drop(StatementContext& ctx);
void head_rename(StatementContext& ctx);
void head_truncate(StatementContext& ctx);
void head_table_admin(StatementContext& ctx);  // OPTIMIZE/REPAIR/CHECK/CHECKSUM TABLE
// [NO_WRITE_TO_BINLOG | LOCAL] TABLE t1, t2 ... after ANALYZE/OPTIMIZE/REPAIR/CHECK/CHECKSUM.
void table_admin_tail(StatementContext& ctx, bool implicit_commit);
void head_lock(StatementContext& ctx);
void head_unlock(StatementContext& ctx);
void head_flush(StatementContext& ctx);
void head_load(StatementContext& ctx);
void head_handler(StatementContext& ctx);
void head_set(StatementContext& ctx);
void head_use(StatementContext& ctx);
void head_begin(StatementContext& ctx);
void head_start(StatementContext& ctx);
void head_commit(StatementContext& ctx);
void head_rollback(StatementContext& ctx);
void head_savepoint(StatementContext& ctx);
void head_release(StatementContext& ctx);
void head_xa(StatementContext& ctx);
void head_show(StatementContext& ctx);
void head_get(StatementContext& ctx);

}  // namespace rwproxy::parser
