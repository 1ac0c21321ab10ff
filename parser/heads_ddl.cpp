// Heads of schema and table-level statements: CREATE/ALTER/DROP/RENAME/TRUNCATE, table
// maintenance, LOCK/UNLOCK TABLES, FLUSH, LOAD DATA, HANDLER.
#include "parser/statement_analyzer.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {
namespace {

bool is_object_keyword(Keyword k) {
  switch (k) {
    case Keyword::table: case Keyword::tables: case Keyword::index: case Keyword::view:
    case Keyword::user: case Keyword::role: case Keyword::procedure: case Keyword::function:
    case Keyword::trigger: case Keyword::event: case Keyword::package: case Keyword::database:
    case Keyword::schema: case Keyword::sequence: case Keyword::server: case Keyword::prepare:
      return true;
    default:
      return false;
  }
}

// Skips OR REPLACE, ONLINE, DEFINER = ..., ALGORITHM = ..., UNIQUE, ... up to the object word.
// Returns the object keyword (consumed) or Keyword::none. Sets `temporary` on TEMPORARY.
Keyword read_object(TokenCursor& cur, bool& temporary) {
  for (int i = 0; i < 24 && !cur.at_end(); ++i) {
    const Token t = cur.next();
    if (t.is(Keyword::temporary)) temporary = true;
    if (t.kind == TokenKind::identifier && is_object_keyword(t.keyword)) return t.keyword;
    if (t.kind == TokenKind::left_paren) return Keyword::none;
  }
  return Keyword::none;
}

void skip_if_exists(TokenCursor& cur) {
  if (!cur.peek().is(Keyword::if_)) return;
  cur.next();
  cur.accept(Keyword::not_);
  cur.accept(Keyword::exists);
}

// name [, name ...]
void read_name_list(StatementContext& ctx) {
  do {
    auto t = accept_table_name(ctx.cur);
    if (!t) return;
    add_table(ctx.info.tables, std::move(*t));
  } while (ctx.cur.accept(TokenKind::comma));
}

void read_one_name(StatementContext& ctx) {
  if (auto t = accept_table_name(ctx.cur)) add_table(ctx.info.tables, std::move(*t));
}

// ... ON tbl (CREATE/DROP INDEX)
void read_index_table(StatementContext& ctx) {
  for (int i = 0; i < 16 && !ctx.cur.at_end(); ++i) {
    if (ctx.cur.next().is(Keyword::on)) {
      read_one_name(ctx);
      return;
    }
  }
}

void set_ddl(StatementContext& ctx, ScanMode mode) {
  ctx.info.kind = StatementKind::ddl;
  ctx.info.transaction = TransactionEffect::implicit_commit;
  ctx.scan.set_mode(mode);
}

void set_account_management(StatementContext& ctx) {
  ctx.info.kind = StatementKind::grant;
  ctx.info.transaction = TransactionEffect::implicit_commit;
  ctx.scan.set_mode(ScanMode::skip);
}

void create_table(StatementContext& ctx, bool temporary) {
  set_ddl(ctx, ScanMode::tables_only);
  if (temporary) {
    ctx.info.session.create_temporary_table = true;
    ctx.info.transaction = TransactionEffect::none;  // no implicit commit for temporary tables
  }
  skip_if_exists(ctx.cur);
  read_one_name(ctx);
  TokenCursor& cur = ctx.cur;
  if (cur.peek().kind == TokenKind::left_paren && cur.peek(1).is(Keyword::like)) cur.next();
  if (cur.accept(Keyword::like)) read_one_name(ctx);  // CREATE TABLE t LIKE s
}

}  // namespace

void head_create(StatementContext& ctx) {
  ctx.cur.next();  // CREATE
  bool temporary = false;
  const Keyword object = read_object(ctx.cur, temporary);
  switch (object) {
    case Keyword::table:
      create_table(ctx, temporary);
      return;
    case Keyword::index:
      set_ddl(ctx, ScanMode::skip);
      read_index_table(ctx);
      return;
    case Keyword::view:
    case Keyword::sequence:
      set_ddl(ctx, ScanMode::tables_only);
      skip_if_exists(ctx.cur);
      read_one_name(ctx);
      return;
    case Keyword::user:
    case Keyword::role:
      set_account_management(ctx);
      return;
    case Keyword::procedure: case Keyword::function: case Keyword::trigger: case Keyword::event:
    case Keyword::package:
      set_ddl(ctx, ScanMode::skip);  // the body is not executed now, and may hold ';'
      ctx.cur.keep_semicolons();
      return;
    default:
      set_ddl(ctx, ScanMode::skip);
      return;
  }
}

void head_alter(StatementContext& ctx) {
  ctx.cur.next();  // ALTER
  bool temporary = false;
  const Keyword object = read_object(ctx.cur, temporary);
  switch (object) {
    case Keyword::table:
    case Keyword::view:
    case Keyword::sequence:
      set_ddl(ctx, object == Keyword::view ? ScanMode::tables_only : ScanMode::skip);
      skip_if_exists(ctx.cur);
      read_one_name(ctx);
      return;
    case Keyword::user:
    case Keyword::role:
      set_account_management(ctx);
      return;
    default:
      set_ddl(ctx, ScanMode::skip);
      return;
  }
}

void head_drop(StatementContext& ctx) {
  ctx.cur.next();  // DROP
  bool temporary = false;
  const Keyword object = read_object(ctx.cur, temporary);
  switch (object) {
    case Keyword::table:
    case Keyword::tables:
    case Keyword::view:
    case Keyword::sequence:
      set_ddl(ctx, ScanMode::skip);
      if (temporary) {
        ctx.info.session.drop_temporary_table = true;
        ctx.info.transaction = TransactionEffect::none;
      }
      skip_if_exists(ctx.cur);
      read_name_list(ctx);
      return;
    case Keyword::index:
      set_ddl(ctx, ScanMode::skip);
      read_index_table(ctx);
      return;
    case Keyword::user:
    case Keyword::role:
      set_account_management(ctx);
      return;
    case Keyword::prepare:  // DROP PREPARE stmt
      ctx.info.kind = StatementKind::deallocate;
      ctx.scan.set_mode(ScanMode::skip);
      return;
    default:
      set_ddl(ctx, ScanMode::skip);
      return;
  }
}

void head_rename(StatementContext& ctx) {
  ctx.cur.next();  // RENAME
  if (ctx.cur.peek().is(Keyword::user)) {
    set_account_management(ctx);
    return;
  }
  set_ddl(ctx, ScanMode::skip);
  if (!ctx.cur.accept(Keyword::table)) ctx.cur.accept(Keyword::tables);
  do {  // a TO b, c TO d
    read_one_name(ctx);
    if (!ctx.cur.accept(Keyword::to)) return;
    read_one_name(ctx);
  } while (ctx.cur.accept(TokenKind::comma));
}

void head_truncate(StatementContext& ctx) {
  ctx.cur.next();  // TRUNCATE
  set_ddl(ctx, ScanMode::skip);
  ctx.cur.accept(Keyword::table);
  read_one_name(ctx);
}

void head_table_admin(StatementContext& ctx) {
  const Token first = ctx.cur.next();  // OPTIMIZE / REPAIR / CHECK / CHECKSUM
  table_admin_tail(ctx, !first.is(Keyword::checksum));
}

void table_admin_tail(StatementContext& ctx, bool implicit_commit) {
  ctx.info.kind = StatementKind::admin;
  ctx.info.transaction = implicit_commit ? TransactionEffect::implicit_commit : TransactionEffect::none;
  ctx.scan.set_mode(ScanMode::skip);
  TokenCursor& cur = ctx.cur;
  if (cur.peek().is(Keyword::no_write_to_binlog) || cur.peek().is(Keyword::local)) cur.next();
  if (cur.accept(Keyword::table) || cur.accept(Keyword::tables)) read_name_list(ctx);
}

void head_lock(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // LOCK
  ctx.scan.set_mode(ScanMode::skip);
  if (!cur.accept(Keyword::tables) && !cur.accept(Keyword::table)) {
    ctx.info.kind = StatementKind::admin;  // LOCK INSTANCE FOR BACKUP
    return;
  }
  ctx.info.kind = StatementKind::lock_tables;
  ctx.info.session.lock_tables = true;
  ctx.info.transaction = TransactionEffect::implicit_commit;
  do {  // t [[AS] alias] READ [LOCAL] | [LOW_PRIORITY] WRITE, ...
    read_one_name(ctx);
    while (!cur.at_end() && cur.peek().kind != TokenKind::comma) cur.next();
  } while (cur.accept(TokenKind::comma));
}

void head_unlock(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // UNLOCK
  ctx.scan.set_mode(ScanMode::skip);
  if (!cur.accept(Keyword::tables) && !cur.accept(Keyword::table)) {
    ctx.info.kind = StatementKind::admin;  // UNLOCK INSTANCE
    return;
  }
  ctx.info.kind = StatementKind::unlock_tables;
  ctx.info.session.unlock_tables = true;
  ctx.info.transaction = TransactionEffect::implicit_commit;
}

void head_flush(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // FLUSH
  ctx.info.kind = StatementKind::flush;
  ctx.info.transaction = TransactionEffect::implicit_commit;
  ctx.scan.set_mode(ScanMode::skip);
  if (cur.peek().is(Keyword::no_write_to_binlog) || cur.peek().is(Keyword::local)) cur.next();
  if (!cur.accept(Keyword::tables) && !cur.accept(Keyword::table)) return;
  read_name_list(ctx);
  // FLUSH TABLES [t, ...] WITH READ LOCK / FOR EXPORT: the session now holds table locks.
  if ((cur.peek().is(Keyword::with) && cur.peek(1).is(Keyword::read)) || cur.peek().is(Keyword::for_))
    ctx.info.session.lock_tables = true;
}

void head_load(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // LOAD
  ctx.scan.set_mode(ScanMode::skip);
  if (!cur.peek().is(Keyword::data) && !cur.peek().is(Keyword::xml)) {
    ctx.info.kind = StatementKind::admin;  // LOAD INDEX INTO CACHE
    ctx.info.transaction = TransactionEffect::implicit_commit;
    return;
  }
  ctx.info.kind = StatementKind::load_data;
  while (!cur.at_end()) {  // ... INFILE 'file' [REPLACE | IGNORE] INTO TABLE t
    if (cur.next().is(Keyword::into)) {
      cur.accept(Keyword::table);
      read_one_name(ctx);
      return;
    }
  }
}

void head_handler(StatementContext& ctx) {
  ctx.cur.next();  // HANDLER
  ctx.info.kind = StatementKind::handler;
  ctx.scan.set_mode(ScanMode::skip);
  read_one_name(ctx);
}

}  // namespace rwproxy::parser
