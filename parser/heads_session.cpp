// Heads of session and transaction statements: USE, BEGIN/START/COMMIT/ROLLBACK, SAVEPOINT,
// XA, SHOW, GET DIAGNOSTICS.
#include "parser/statement_analyzer.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {
namespace {

void set_transaction(StatementContext& ctx, StatementKind kind, TransactionEffect effect) {
  ctx.info.kind = kind;
  ctx.info.transaction = effect;
  ctx.scan.set_mode(ScanMode::skip);
}

// [AND [NO] CHAIN] after COMMIT/ROLLBACK: a chained transaction is open afterwards.
bool accept_chain(TokenCursor& cur) {
  if (!cur.accept(Keyword::and_)) return false;
  const bool no = cur.accept(Keyword::no);
  cur.accept(Keyword::chain);
  return !no;
}

// SHOW words after which the statement is meaningful on the master only.
bool is_master_show(Keyword k) {
  switch (k) {
    case Keyword::master: case Keyword::binary: case Keyword::binlog: case Keyword::slave:
    case Keyword::replica: case Keyword::replicas: case Keyword::all: case Keyword::processlist:
    case Keyword::relaylog:
      return true;
    default:
      return false;
  }
}

// SHOW [FULL|EXTENDED] COLUMNS|FIELDS|INDEX|INDEXES|KEYS FROM|IN t [FROM|IN db]
void read_show_table(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  if (!cur.accept(Keyword::from)) cur.accept(Keyword::in);
  auto table = accept_table_name(cur);
  if (!table) return;
  if ((cur.accept(Keyword::from) || cur.accept(Keyword::in)) && cur.peek().is_word())
    table->schema = unquote_identifier(cur.next().text);
  add_table(ctx.info.tables, std::move(*table));
}

}  // namespace

void head_use(StatementContext& ctx) {
  ctx.cur.next();  // USE
  ctx.info.kind = StatementKind::use;
  ctx.scan.set_mode(ScanMode::skip);
  ctx.info.session.use_schema = true;
  if (ctx.cur.peek().is_word()) ctx.info.session.schema = unquote_identifier(ctx.cur.next().text);
}

void head_begin(StatementContext& ctx) {
  ctx.cur.next();  // BEGIN
  if (ctx.cur.peek().is(Keyword::not_)) {  // BEGIN NOT ATOMIC ... END: a compound block
    ctx.cur.keep_semicolons();
    set_transaction(ctx, StatementKind::unknown, TransactionEffect::none);
    return;
  }
  ctx.cur.accept(Keyword::work);
  set_transaction(ctx, StatementKind::begin, TransactionEffect::begin);
}

void head_start(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // START
  if (!cur.accept(Keyword::transaction)) {  // START SLAVE / REPLICA / GROUP_REPLICATION
    set_transaction(ctx, StatementKind::admin, TransactionEffect::implicit_commit);
    return;
  }
  bool read_only = false;
  do {  // READ ONLY | READ WRITE | WITH CONSISTENT SNAPSHOT, comma separated
    if (cur.accept(Keyword::read)) {
      if (cur.accept(Keyword::only)) read_only = true;
      else cur.accept(Keyword::write);
    } else if (cur.accept(Keyword::with)) {
      cur.accept(Keyword::consistent);
      cur.accept(Keyword::snapshot);
    }
  } while (cur.accept(TokenKind::comma));
  set_transaction(ctx, StatementKind::begin,
                  read_only ? TransactionEffect::begin_read_only : TransactionEffect::begin);
}

void head_commit(StatementContext& ctx) {
  ctx.cur.next();  // COMMIT
  ctx.cur.accept(Keyword::work);
  const bool chain = accept_chain(ctx.cur);
  set_transaction(ctx, StatementKind::commit,
                  chain ? TransactionEffect::begin : TransactionEffect::commit);
}

void head_rollback(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // ROLLBACK
  cur.accept(Keyword::work);
  if (cur.accept(Keyword::to)) {  // ROLLBACK [WORK] TO [SAVEPOINT] sp
    set_transaction(ctx, StatementKind::rollback, TransactionEffect::rollback_to_savepoint);
    return;
  }
  const bool chain = accept_chain(cur);
  set_transaction(ctx, StatementKind::rollback,
                  chain ? TransactionEffect::begin : TransactionEffect::rollback);
}

void head_savepoint(StatementContext& ctx) {
  ctx.cur.next();
  set_transaction(ctx, StatementKind::savepoint, TransactionEffect::savepoint);
}

void head_release(StatementContext& ctx) {
  ctx.cur.next();  // RELEASE SAVEPOINT sp
  if (!ctx.cur.peek().is(Keyword::savepoint)) {
    set_transaction(ctx, StatementKind::unknown, TransactionEffect::none);
    return;
  }
  set_transaction(ctx, StatementKind::savepoint, TransactionEffect::release_savepoint);
}

void head_xa(StatementContext& ctx) {
  ctx.cur.next();  // XA
  const Token verb = ctx.cur.next();
  TransactionEffect effect = TransactionEffect::none;
  if (verb.is(Keyword::start) || verb.is(Keyword::begin)) effect = TransactionEffect::begin;
  if (verb.is(Keyword::commit)) effect = TransactionEffect::commit;
  if (verb.is(Keyword::rollback)) effect = TransactionEffect::rollback;
  set_transaction(ctx, StatementKind::xa, effect);
}

void head_show(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // SHOW
  ctx.info.kind = StatementKind::show;
  ctx.scan.set_mode(ScanMode::skip);
  while (cur.peek().is(Keyword::full) || cur.peek().is(Keyword::extended) ||
         cur.peek().is(Keyword::global) || cur.peek().is(Keyword::session))
    cur.next();
  const Token what = cur.next();
  if (is_master_show(what.keyword)) ctx.force_master = true;
  switch (what.keyword) {
    case Keyword::warnings: case Keyword::errors: case Keyword::profile: case Keyword::profiles:
      ctx.info.reads_diagnostics = true;
      return;
    case Keyword::count:  // SHOW COUNT(*) WARNINGS
      ctx.info.reads_diagnostics = true;
      return;
    case Keyword::create:
      if (cur.accept(Keyword::table) || cur.accept(Keyword::view) || cur.accept(Keyword::sequence)) {
        if (auto t = accept_table_name(cur)) add_table(ctx.info.tables, std::move(*t));
      }
      return;
    case Keyword::columns: case Keyword::fields: case Keyword::index: case Keyword::indexes:
    case Keyword::keys:
      read_show_table(ctx);
      return;
    default:
      return;
  }
}

void head_get(StatementContext& ctx) {
  ctx.cur.next();  // GET [CURRENT | STACKED] DIAGNOSTICS
  ctx.info.kind = StatementKind::admin;
  ctx.info.reads_diagnostics = true;
  ctx.scan.set_mode(ScanMode::skip);
}

}  // namespace rwproxy::parser
