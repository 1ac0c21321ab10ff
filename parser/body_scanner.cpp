#include "parser/body_scanner.hpp"

#include "parser/char_class.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {

void BodyScanner::allow_from() {
  level().allows_from = true;
  level().allows_using = true;
}

void BodyScanner::expect_table_list() {
  level().in_from_list = true;
  state_ = TableState::expect_table;
}

void BodyScanner::run(TokenCursor& cur) {
  for (Token t = cur.next(); t.kind != TokenKind::end; t = cur.next()) feed(t, cur);
}

void BodyScanner::run_expression(TokenCursor& cur) {
  const std::size_t start = depth();
  while (!cur.at_end()) {
    const Token& t = cur.peek();
    if (depth() == start && (t.kind == TokenKind::comma || t.keyword == Keyword::for_)) return;
    const Token consumed = cur.next();
    feed(consumed, cur);
  }
}

void BodyScanner::run_parenthesized(TokenCursor& cur) {
  if (cur.peek().kind != TokenKind::left_paren) return;
  const std::size_t start = depth();
  do {
    const Token t = cur.next();
    feed(t, cur);
  } while (depth() > start && !cur.at_end());
}

void BodyScanner::feed(const Token& token, TokenCursor& cur) {
  switch (token.kind) {
    case TokenKind::error:
      info_.has_error_token = true;
      return;
    case TokenKind::left_paren:
      open_paren();
      return;
    case TokenKind::right_paren:
      close_paren();
      return;
    default:
      break;
  }
  if (mode_ == ScanMode::skip) return;
  if (into_targets_ && token.kind != TokenKind::user_variable && token.kind != TokenKind::comma)
    into_targets_ = false;
  switch (token.kind) {
    case TokenKind::comma:
      state_ = level().in_from_list ? TableState::expect_table : TableState::idle;
      return;
    case TokenKind::identifier:
    case TokenKind::quoted_identifier:
      on_word(token, cur);
      return;
    case TokenKind::user_variable:
      if (mode_ == ScanMode::full && !into_targets_) {
        if (cur.peek().is_op(":=")) info_.session.assigns_user_variable = true;
        else info_.reads_user_variable = true;
      }
      state_ = TableState::idle;
      return;
    case TokenKind::system_variable:
      if (mode_ == ScanMode::full) on_system_variable(token);
      state_ = TableState::idle;
      return;
    case TokenKind::op:
      if (!token.is_op("*")) state_ = TableState::idle;
      return;
    default:
      state_ = TableState::idle;
      return;
  }
}

void BodyScanner::open_paren() {
  const bool table_context = state_ == TableState::expect_table;
  if (depth_ + 1 >= kMaxDepth) {
    ++overflow_;
    state_ = TableState::idle;
    return;
  }
  ++depth_;
  level() = Level{};
  level().in_from_list = table_context;  // FROM (SELECT ...) or FROM (t1 JOIN t2)
  state_ = table_context ? TableState::expect_table : TableState::idle;
}

void BodyScanner::close_paren() {
  if (overflow_ > 0) {
    --overflow_;
    return;
  }
  if (depth_ == 0) return;  // unbalanced ')'
  --depth_;
  state_ = level().in_from_list ? TableState::after_table : TableState::idle;
}

void BodyScanner::on_word(const Token& token, TokenCursor& cur) {
  if (mode_ == ScanMode::full) detect_flags(token, cur);
  if (track_clause(token.keyword, cur)) return;
  if (state_ == TableState::expect_table) {
    add_table(info_.tables, read_table_name(token, cur));
    state_ = TableState::after_table;
  }
  // after_table: an alias or an index hint word; idle: a column or function name.
}

void BodyScanner::detect_flags(const Token& token, TokenCursor& cur) {
  const Keyword k = token.keyword;
  if (k == Keyword::none) return;
  if (is_master_only_function(k)) {
    if (cur.peek().kind == TokenKind::left_paren) {
      info_.master_only_function = true;
      if (k == Keyword::row_count || k == Keyword::found_rows) info_.reads_diagnostics = true;
      if (k == Keyword::get_lock) info_.user_lock = true;
    }
    return;
  }
  switch (k) {
    case Keyword::for_:
      if (cur.peek().is(Keyword::update) || cur.peek().is(Keyword::share)) info_.locking_read = true;
      return;
    case Keyword::lock:
      if (cur.peek().is(Keyword::in) && cur.peek(1).is(Keyword::share) && cur.peek(2).is(Keyword::mode))
        info_.locking_read = true;
      return;
    case Keyword::sql_calc_found_rows:
      info_.calc_found_rows = true;
      return;
    case Keyword::next:
    case Keyword::previous:  // NEXT VALUE FOR seq, PREVIOUS VALUE FOR seq (MariaDB)
      if (cur.peek().is(Keyword::value) && cur.peek(1).is(Keyword::for_))
        info_.master_only_function = true;
      return;
    default:
      return;
  }
}

// Clause keywords that move the FROM-list state machine. True when `k` was one of them.
bool BodyScanner::track_clause(Keyword k, TokenCursor& cur) {
  switch (k) {
    case Keyword::select:
      level().allows_from = true;
      level().in_from_list = false;
      state_ = TableState::idle;
      return true;
    case Keyword::from:
      level().in_from_list = level().allows_from;
      state_ = level().allows_from ? TableState::expect_table : TableState::idle;
      return true;
    case Keyword::join:
    case Keyword::straight_join:
      level().in_from_list = true;
      state_ = TableState::expect_table;
      return true;
    case Keyword::using_:
      if (level().allows_using && cur.peek().is_word()) {
        level().in_from_list = true;
        state_ = TableState::expect_table;
      } else {
        state_ = TableState::idle;  // JOIN ... USING (columns)
      }
      return true;
    case Keyword::for_:
      on_for(cur);
      return true;
    case Keyword::into:
      if (mode_ == ScanMode::full) on_into(cur);
      [[fallthrough]];
    case Keyword::where: case Keyword::group: case Keyword::having: case Keyword::order:
    case Keyword::limit: case Keyword::window: case Keyword::union_: case Keyword::except:
    case Keyword::intersect: case Keyword::lock: case Keyword::set:
    case Keyword::procedure:
      level().in_from_list = false;
      state_ = TableState::idle;
      return true;
    case Keyword::on:
    case Keyword::dual:
      state_ = TableState::idle;
      return true;
    case Keyword::as:
    case Keyword::lateral:
    case Keyword::partition:
      return true;
    default:
      return false;
  }
}

// FOR UPDATE/SHARE ends a FROM list; FOR JOIN / ORDER BY / GROUP BY is part of an index hint.
void BodyScanner::on_for(TokenCursor& cur) {
  const Token& next = cur.peek();
  if (next.is(Keyword::join) || next.is(Keyword::order) || next.is(Keyword::group)) {
    if (!cur.next().is(Keyword::join)) cur.next();  // ORDER BY / GROUP BY
    return;
  }
  level().in_from_list = false;
  state_ = TableState::idle;
}

void BodyScanner::on_into(TokenCursor& cur) {
  const Token& target = cur.peek();
  if (target.is(Keyword::outfile) || target.is(Keyword::dumpfile)) {
    info_.session.select_into = true;
    info_.writes = true;  // writes a file on the server
  } else if (target.kind == TokenKind::user_variable ||
             (target.kind == TokenKind::identifier && level().allows_from)) {
    info_.session.select_into = true;  // @v, or a local variable in a stored program
    into_targets_ = true;
  }
}

void BodyScanner::on_system_variable(const Token& token) {
  std::string_view name = token.text.substr(2);  // after "@@"
  const auto strip = [&name](std::string_view scope) {
    if (name.size() > scope.size() && chars::iequals(name.substr(0, scope.size()), scope)) {
      name.remove_prefix(scope.size());
      return true;
    }
    return false;
  };
  if (strip("global.")) return;
  if (!strip("session.")) strip("local.");
  if (chars::iequals(name, "identity") || chars::iequals(name, "last_insert_id"))
    info_.master_only_function = true;
  if (chars::iequals(name, "warning_count") || chars::iequals(name, "error_count"))
    info_.reads_diagnostics = true;
  info_.reads_session_variable = true;
}

}  // namespace rwproxy::parser
