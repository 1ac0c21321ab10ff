// SET: session/global/user variable assignments, NAMES, CHARACTER SET, TRANSACTION, PASSWORD,
// ROLE, and MariaDB's SET STATEMENT ... FOR <statement>.
#include <algorithm>
#include <optional>
#include <string>

#include "parser/char_class.hpp"
#include "parser/statement_analyzer.hpp"
#include "parser/table_names.hpp"

namespace rwproxy::parser {
namespace {

enum class Scope : std::uint8_t { session, global };

struct Target {
  Scope scope = Scope::session;
  std::string name;  // lower-case system variable name; empty for user variables
  bool user_variable = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = chars::to_lower(c);
  return out;
}

bool strip_scope(std::string_view& name, std::string_view scope) {
  if (name.size() <= scope.size() || !chars::iequals(name.substr(0, scope.size()), scope))
    return false;
  name.remove_prefix(scope.size());
  return true;
}

// @@[global.|session.|local.|persist.|persist_only.]name
Target system_variable_target(std::string_view text) {
  std::string_view name = text.substr(2);
  Target target;
  if (strip_scope(name, "global.") || strip_scope(name, "persist.") ||
      strip_scope(name, "persist_only."))
    target.scope = Scope::global;
  else if (!strip_scope(name, "session.")) strip_scope(name, "local.");
  target.name = lower(name);
  return target;
}

// The variable being assigned, consumed; nullopt when the syntax is not understood.
std::optional<Target> read_target(TokenCursor& cur) {
  const Token first = cur.peek();
  if (first.kind == TokenKind::user_variable) {
    cur.next();
    return Target{Scope::session, {}, true};
  }
  if (first.kind == TokenKind::system_variable) {
    cur.next();
    return system_variable_target(first.text);
  }
  Target target;
  if (first.is(Keyword::global) || first.is(Keyword::persist) || first.is(Keyword::persist_only)) {
    target.scope = Scope::global;
    cur.next();
  } else if (first.is(Keyword::session) || first.is(Keyword::local)) {
    cur.next();
  }
  if (!cur.peek().is_word()) return std::nullopt;
  target.name = lower(unquote_identifier(cur.next().text));
  if (cur.peek().kind == TokenKind::dot && cur.peek(1).is_word()) {  // component.variable
    cur.next();
    target.name += '.';
    target.name += lower(unquote_identifier(cur.next().text));
  }
  return target;
}

// 0/1/ON/OFF/TRUE/FALSE, bare or quoted.
std::optional<bool> literal_switch(const Token& t) {
  std::string_view v = t.text;
  if (t.kind == TokenKind::string && v.size() >= 2) v = v.substr(1, v.size() - 2);
  else if (t.kind != TokenKind::number && t.kind != TokenKind::identifier) return std::nullopt;
  if (v == "1" || chars::iequals(v, "on") || chars::iequals(v, "true")) return true;
  if (v == "0" || chars::iequals(v, "off") || chars::iequals(v, "false")) return false;
  return std::nullopt;
}

bool ends_item(const Token& t) {
  return t.kind == TokenKind::end || t.kind == TokenKind::comma || t.is(Keyword::for_);
}

void record(StatementContext& ctx, const Target& target, std::optional<bool> value) {
  SessionEffects& s = ctx.info.session;
  if (target.user_variable) {
    s.set_user_variable = true;
    return;
  }
  if (target.scope == Scope::global) {
    ctx.info.writes = true;  // changes the server's configuration
    return;
  }
  if (target.name == "autocommit") {
    s.set_autocommit = true;
    s.autocommit_value = value;
  }
  if (std::find(s.set_session_variable.begin(), s.set_session_variable.end(), target.name) ==
      s.set_session_variable.end())
    s.set_session_variable.push_back(target.name);
}

// One "target = expr" (or NAMES ... / CHARACTER SET ...). False when not understood.
bool read_assignment(StatementContext& ctx, bool keep) {
  TokenCursor& cur = ctx.cur;
  const Token& first = cur.peek();
  const bool names = first.is(Keyword::names) || first.is(Keyword::charset) ||
                     (first.is(Keyword::character) && cur.peek(1).is(Keyword::set));
  if (names) {  // SET NAMES x [COLLATE y] | SET CHARACTER SET x | SET CHARSET x
    if (cur.next().is(Keyword::character)) cur.next();
    if (keep) ctx.info.session.set_names = true;
    ctx.scan.run_expression(cur);
    return true;
  }
  const auto target = read_target(cur);
  if (!target || !(cur.peek().is_op("=") || cur.peek().is_op(":="))) return false;
  cur.next();
  std::optional<bool> value;
  if (ends_item(cur.peek(1))) value = literal_switch(cur.peek());
  ctx.scan.run_expression(cur);
  if (keep) record(ctx, *target, value);
  return true;
}

// SET [GLOBAL|SESSION|LOCAL] TRANSACTION ...: true if that is what follows.
bool read_set_transaction(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  std::size_t at = 0;
  Scope scope = Scope::session;
  if (cur.peek().is(Keyword::global)) scope = Scope::global;
  if (cur.peek().is(Keyword::global) || cur.peek().is(Keyword::session) || cur.peek().is(Keyword::local))
    at = 1;
  if (!cur.peek(at).is(Keyword::transaction)) return false;
  if (scope == Scope::global) ctx.info.writes = true;
  else ctx.info.session.set_transaction = true;
  ctx.scan.set_mode(ScanMode::skip);
  return true;
}

}  // namespace

void head_set(StatementContext& ctx) {
  TokenCursor& cur = ctx.cur;
  cur.next();  // SET
  ctx.info.kind = StatementKind::set;
  const Token& first = cur.peek();
  if (first.is(Keyword::password) || (first.is(Keyword::default_) && cur.peek(1).is(Keyword::role))) {
    ctx.info.kind = StatementKind::grant;  // SET PASSWORD / SET DEFAULT ROLE
    ctx.scan.set_mode(ScanMode::skip);
    return;
  }
  if (first.is(Keyword::role)) {  // SET ROLE: changes privileges, not followed
    ctx.info.session.unparsed_set = true;
    ctx.scan.set_mode(ScanMode::skip);
    return;
  }
  if (read_set_transaction(ctx)) return;
  const bool statement = cur.accept(Keyword::statement);  // SET STATEMENT a=1 FOR <stmt>
  do {
    if (!read_assignment(ctx, !statement)) {
      ctx.info.session.unparsed_set = true;
      return;  // the scanner reads the rest
    }
  } while (cur.accept(TokenKind::comma));
  if (statement && cur.accept(Keyword::for_)) {
    analyze_head(ctx);  // the statement's own kind and effects
    return;
  }
  if (!cur.at_end()) ctx.info.session.unparsed_set = true;
}

}  // namespace rwproxy::parser
