// Heads of data statements: SELECT, WITH, INSERT/REPLACE, UPDATE, DELETE, TABLE, EXPLAIN.
#include "parser/statement_analyzer.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {
namespace {

bool is_modifier(Keyword k) {
  return k == Keyword::low_priority || k == Keyword::delayed || k == Keyword::high_priority ||
         k == Keyword::ignore || k == Keyword::quick;
}

void skip_modifiers(TokenCursor& cur) {
  while (is_modifier(cur.peek().keyword)) cur.next();
}

bool is_explainable(const Token& t) {
  switch (t.keyword) {
    case Keyword::select: case Keyword::insert: case Keyword::update: case Keyword::delete_:
    case Keyword::replace: case Keyword::with: case Keyword::table: case Keyword::values:
      return true;
    default:
      return t.kind == TokenKind::left_paren;
  }
}

bool writes_by_kind(StatementKind kind) {
  return kind != StatementKind::select && kind != StatementKind::explain;
}

// EXPLAIN [ANALYZE] <statement> / MariaDB ANALYZE <statement>: the cursor is at <statement>.
void explain_statement(StatementContext& ctx, bool analyze) {
  if (!analyze) ctx.scan.set_mode(ScanMode::tables_only);  // not executed
  analyze_head(ctx);
  const StatementKind inner = ctx.info.kind;
  ctx.info.kind = StatementKind::explain;
  if (analyze && writes_by_kind(inner)) ctx.info.writes = true;  // executed for real
}

// FORMAT = JSON, EXTENDED, PARTITIONS, ANALYZE: consumed; true if ANALYZE was among them.
bool skip_explain_options(TokenCursor& cur) {
  bool analyze = false;
  for (int i = 0; i < 8; ++i) {
    const Token& t = cur.peek();
    if (t.is(Keyword::analyze)) {
      analyze = true;
      cur.next();
    } else if (t.is(Keyword::extended) || t.is(Keyword::partitions)) {
      cur.next();
    } else if (t.is(Keyword::format)) {
      cur.next();
      if (cur.peek().is_op("=")) cur.next();
      cur.next();  // JSON / TREE / TRADITIONAL
    } else {
      break;
    }
  }
  return analyze;
}

}  // namespace

void head_select(StatementContext& ctx) {
  ctx.info.kind = StatementKind::select;  // the scanner reads SELECT itself
}

void head_table_statement(StatementContext& ctx) {
  ctx.cur.next();  // TABLE
  ctx.info.kind = StatementKind::select;
  if (auto t = accept_table_name(ctx.cur)) add_table(ctx.info.tables, std::move(*t));
}

void head_with(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // WITH
  cur.accept(Keyword::recursive);
  do {
    if (!cur.peek().is_word()) break;
    const Token name = cur.next();
    if (ctx.cte_count < ctx.cte_names.size()) {
      std::string_view n = name.text;
      if (name.kind == TokenKind::quoted_identifier && n.size() >= 2) n = n.substr(1, n.size() - 2);
      ctx.cte_names[ctx.cte_count++] = n;
    }
    if (cur.accept(TokenKind::left_paren)) cur.skip_to_close_paren();  // column list
    cur.accept(Keyword::as);
    ctx.scan.run_parenthesized(cur);
  } while (cur.accept(TokenKind::comma));
  analyze_head(ctx);  // the main statement: SELECT, UPDATE, DELETE, ...
}

void head_insert(StatementContext& ctx) {
  const Token first = ctx.cur.next();
  ctx.info.kind = first.is(Keyword::insert) ? StatementKind::insert : StatementKind::replace;
  skip_modifiers(ctx.cur);
  ctx.cur.accept(Keyword::into);
  if (auto t = accept_table_name(ctx.cur)) add_table(ctx.info.tables, std::move(*t));
}

void head_update(StatementContext& ctx) {
  ctx.cur.next();
  ctx.info.kind = StatementKind::update;
  skip_modifiers(ctx.cur);
  ctx.scan.expect_table_list();
}

void head_delete(StatementContext& ctx) {
  ctx.cur.next();
  ctx.info.kind = StatementKind::delete_;
  skip_modifiers(ctx.cur);
  ctx.scan.allow_from();
}

void head_explain(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // EXPLAIN / DESCRIBE / DESC
  const bool analyze = skip_explain_options(cur);
  if (cur.peek().is(Keyword::for_) && cur.peek(1).is(Keyword::connection)) {
    ctx.info.kind = StatementKind::admin;  // EXPLAIN FOR CONNECTION n: that server only
    ctx.scan.set_mode(ScanMode::skip);
    return;
  }
  if (is_explainable(cur.peek())) {
    explain_statement(ctx, analyze);
    return;
  }
  ctx.info.kind = StatementKind::explain;  // DESCRIBE table [column]
  if (auto t = accept_table_name(cur)) add_table(ctx.info.tables, std::move(*t));
  ctx.scan.set_mode(ScanMode::skip);
}

void head_analyze(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // ANALYZE
  const Token& next = cur.peek();
  if (next.is(Keyword::table) || next.is(Keyword::tables) || next.is(Keyword::local) ||
      next.is(Keyword::no_write_to_binlog)) {
    table_admin_tail(ctx, true);  // ANALYZE TABLE t
    return;
  }
  skip_explain_options(cur);
  if (is_explainable(cur.peek())) {
    explain_statement(ctx, true);  // MariaDB: ANALYZE <statement> runs it
    return;
  }
  ctx.info.kind = StatementKind::admin;
  ctx.scan.set_mode(ScanMode::skip);
}

}  // namespace rwproxy::parser
