#include "parser/classifier.hpp"

#include <utility>

#include "parser/body_scanner.hpp"
#include "parser/statement_analyzer.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {
namespace {

struct KindDefaults {
  bool writes;
  bool read_only_safe;
};

constexpr KindDefaults defaults_for(StatementKind kind) {
  switch (kind) {
    case StatementKind::select: case StatementKind::do_: case StatementKind::show:
    case StatementKind::explain:
      return {false, true};
    case StatementKind::set: case StatementKind::use: case StatementKind::begin:
    case StatementKind::commit: case StatementKind::rollback: case StatementKind::savepoint:
    case StatementKind::lock_tables: case StatementKind::unlock_tables:
    case StatementKind::prepare: case StatementKind::deallocate: case StatementKind::handler:
    case StatementKind::xa: case StatementKind::kill:
      return {false, false};
    default:  // unknown, DML, DDL, call, execute, load_data, flush, grant, admin
      return {true, false};
  }
}

void finalize(StatementInfo& info, const StatementContext& ctx) {
  if (info.has_error_token) info.kind = StatementKind::unknown;
  const KindDefaults d = defaults_for(info.kind);
  info.writes = info.writes || d.writes;
  info.read_only_safe = d.read_only_safe && !info.writes && !info.locking_read &&
                        !info.master_only_function && !info.calc_found_rows &&
                        !info.reads_diagnostics && !info.has_error_token && !info.session.any() &&
                        !ctx.force_master;
}

void merge_session(SessionEffects& into, SessionEffects&& from) {
  into.set_names |= from.set_names;
  if (from.set_autocommit) {
    into.set_autocommit = true;
    into.autocommit_value = from.autocommit_value;
  }
  into.set_transaction |= from.set_transaction;
  into.set_user_variable |= from.set_user_variable;
  for (auto& name : from.set_session_variable) {
    bool seen = false;
    for (const auto& have : into.set_session_variable) seen = seen || have == name;
    if (!seen) into.set_session_variable.push_back(std::move(name));
  }
  into.assigns_user_variable |= from.assigns_user_variable;
  into.select_into |= from.select_into;
  if (from.use_schema) {
    into.use_schema = true;
    into.schema = std::move(from.schema);
  }
  into.create_temporary_table |= from.create_temporary_table;
  into.drop_temporary_table |= from.drop_temporary_table;
  into.lock_tables |= from.lock_tables;
  into.unlock_tables |= from.unlock_tables;
  into.sql_prepare |= from.sql_prepare;
  into.unparsed_set |= from.unparsed_set;
}

// Folds a later statement into the combined result: the most restrictive wins.
void merge(StatementInfo& into, StatementInfo&& from) {
  into.writes |= from.writes;
  into.read_only_safe &= from.read_only_safe;
  into.locking_read |= from.locking_read;
  into.master_only_function |= from.master_only_function;
  into.user_lock |= from.user_lock;
  into.calc_found_rows |= from.calc_found_rows;
  into.reads_user_variable |= from.reads_user_variable;
  into.reads_session_variable |= from.reads_session_variable;
  into.reads_diagnostics |= from.reads_diagnostics;
  into.has_error_token |= from.has_error_token;
  merge_session(into.session, std::move(from.session));
  if (from.transaction != TransactionEffect::none) into.transaction = from.transaction;
  for (auto& t : from.tables) add_table(into.tables, std::move(t));
}

// Analyzes the statement at `cur` into `info`.
void analyze_into(TokenCursor& cur, StatementInfo& info) {
  info.writes = false;
  BodyScanner scan(info);
  StatementContext ctx{cur, scan, info};
  analyze_statement(ctx);
  finalize(info, ctx);
}

}  // namespace

StatementInfo classify(std::string_view sql) {
  StatementInfo result;
  Lexer lexer(sql);
  std::size_t count = 0;
  for (;;) {
    TokenCursor cur(lexer);
    if (count == 0) cur.collect_hints(&result.hint);
    if (cur.at_end()) {  // empty statement: ";;" or nothing but comments
      if (!cur.ended_by_semicolon()) break;
      lexer = cur.lexer();
      continue;
    }
    if (count++ == 0) {
      analyze_into(cur, result);
    } else {
      StatementInfo one;
      analyze_into(cur, one);
      merge(result, std::move(one));
    }
    if (!cur.ended_by_semicolon()) break;
    lexer = cur.lexer();
  }
  result.statement_count = count;
  return result;
}

}  // namespace rwproxy::parser
