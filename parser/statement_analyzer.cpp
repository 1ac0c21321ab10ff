#include "parser/statement_analyzer.hpp"

#include <algorithm>

namespace rwproxy::parser {
namespace {

using Head = void (*)(StatementContext&);

struct HeadEntry {
  Keyword keyword;
  Head head;
};

// Statements whose head needs reading.
constexpr HeadEntry kHeads[] = {
    {Keyword::select, head_select},       {Keyword::values, head_select},
    {Keyword::with, head_with},           {Keyword::insert, head_insert},
    {Keyword::replace, head_insert},      {Keyword::update, head_update},
    {Keyword::delete_, head_delete},      {Keyword::table, head_table_statement},
    {Keyword::explain, head_explain},     {Keyword::describe, head_explain},
    {Keyword::desc, head_explain},        {Keyword::analyze, head_analyze},
    {Keyword::create, head_create},       {Keyword::alter, head_alter},
    {Keyword::drop, head_drop},           {Keyword::rename, head_rename},
    {Keyword::truncate, head_truncate},   {Keyword::optimize, head_table_admin},
    {Keyword::repair, head_table_admin},  {Keyword::check, head_table_admin},
    {Keyword::checksum, head_table_admin}, {Keyword::lock, head_lock},
    {Keyword::unlock, head_unlock},       {Keyword::flush, head_flush},
    {Keyword::load, head_load},           {Keyword::handler, head_handler},
    {Keyword::set, head_set},             {Keyword::use, head_use},
    {Keyword::begin, head_begin},         {Keyword::start, head_start},
    {Keyword::commit, head_commit},       {Keyword::rollback, head_rollback},
    {Keyword::savepoint, head_savepoint}, {Keyword::release, head_release},
    {Keyword::xa, head_xa},               {Keyword::show, head_show},
    {Keyword::get, head_get},
};

// Statements decided by their first word alone.
struct SimpleEntry {
  Keyword keyword;
  StatementKind kind;
  TransactionEffect effect;
  ScanMode mode;
};

constexpr auto kNone = TransactionEffect::none;
constexpr auto kImplicit = TransactionEffect::implicit_commit;

constexpr SimpleEntry kSimple[] = {
    {Keyword::call, StatementKind::call, kNone, ScanMode::full},
    {Keyword::do_, StatementKind::do_, kNone, ScanMode::full},
    {Keyword::prepare, StatementKind::prepare, kNone, ScanMode::skip},
    {Keyword::execute, StatementKind::execute, kNone, ScanMode::full},
    {Keyword::deallocate, StatementKind::deallocate, kNone, ScanMode::skip},
    {Keyword::kill, StatementKind::kill, kNone, ScanMode::skip},
    {Keyword::grant, StatementKind::grant, kImplicit, ScanMode::skip},
    {Keyword::revoke, StatementKind::grant, kImplicit, ScanMode::skip},
    {Keyword::help, StatementKind::show, kNone, ScanMode::skip},
    {Keyword::install, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::uninstall, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::change, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::stop, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::reset, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::cache, StatementKind::admin, kImplicit, ScanMode::skip},
    {Keyword::purge, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::shutdown, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::restart, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::binlog, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::signal, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::resignal, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::clone, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::backup, StatementKind::admin, kNone, ScanMode::skip},
    {Keyword::import, StatementKind::admin, kImplicit, ScanMode::skip},
    // Compound statements outside a routine (MariaDB): run arbitrary code.
    {Keyword::if_, StatementKind::unknown, kNone, ScanMode::skip},
    {Keyword::case_, StatementKind::unknown, kNone, ScanMode::skip},
    {Keyword::loop, StatementKind::unknown, kNone, ScanMode::skip},
    {Keyword::while_, StatementKind::unknown, kNone, ScanMode::skip},
    {Keyword::repeat, StatementKind::unknown, kNone, ScanMode::skip},
};

void filter_cte_names(StatementContext& ctx) {
  if (ctx.cte_count == 0) return;
  auto& tables = ctx.info.tables;
  const auto first = ctx.cte_names.begin();
  const auto last = first + static_cast<std::ptrdiff_t>(ctx.cte_count);
  std::erase_if(tables, [&](const TableRef& t) {
    return t.schema.empty() && std::find(first, last, std::string_view(t.name)) != last;
  });
}

}  // namespace

void analyze_head(StatementContext& ctx) {
  const Token& first = ctx.cur.peek();
  if (first.kind == TokenKind::left_paren) {  // (SELECT ...) UNION (SELECT ...)
    head_select(ctx);
    return;
  }
  if (first.kind == TokenKind::identifier && first.keyword != Keyword::none) {
    for (const HeadEntry& e : kHeads) {
      if (e.keyword == first.keyword) {
        e.head(ctx);
        return;
      }
    }
    for (const SimpleEntry& e : kSimple) {
      if (e.keyword == first.keyword) {
        ctx.cur.next();
        ctx.info.kind = e.kind;
        ctx.info.transaction = e.effect;
        ctx.scan.set_mode(e.mode);
        if (e.keyword == Keyword::prepare) ctx.info.session.sql_prepare = true;
        if (e.kind == StatementKind::unknown) ctx.cur.keep_semicolons();  // IF ... END IF
        return;
      }
    }
  }
  ctx.info.kind = StatementKind::unknown;  // labels, garbage, unsupported statements
  ctx.scan.set_mode(ScanMode::skip);
  if (first.is_word() && ctx.cur.peek(1).is_op(":")) ctx.cur.keep_semicolons();  // label: BEGIN
}

void analyze_statement(StatementContext& ctx) {
  analyze_head(ctx);
  ctx.scan.run(ctx.cur);
  filter_cte_names(ctx);
}

}  // namespace rwproxy::parser
