#include "proxy/session/consistency_statement.hpp"

#include "parser/char_class.hpp"
#include "parser/lexer.hpp"

namespace rwproxy::session {

namespace {

using parser::Keyword;
using parser::Lexer;
using parser::next_code;
using parser::Token;
using parser::TokenKind;

// Only ';' (once) and then the end may follow.
bool at_statement_end(Lexer& lexer) {
  Token token = next_code(lexer);
  if (token.is(TokenKind::semicolon)) token = next_code(lexer);
  return token.is(TokenKind::end);
}

std::optional<ConsistencyStatement> get_token(Lexer& lexer) {
  const Token name = next_code(lexer);
  if (!name.is(TokenKind::identifier) || !parser::chars::iequals(name.text, consistency_token_function)) {
    return std::nullopt;
  }
  if (!next_code(lexer).is(TokenKind::left_paren) || !next_code(lexer).is(TokenKind::right_paren)) {
    return std::nullopt;
  }
  if (!at_statement_end(lexer)) return std::nullopt;
  return ConsistencyStatement{ConsistencyStatement::Kind::get_token, std::nullopt};
}

// A plain '...' or "..." literal without escapes: tokens never need them.
std::optional<std::string_view> plain_string(const Token& token) {
  const std::string_view text = token.text;
  if (text.size() < 2 || (text.front() != '\'' && text.front() != '"') || text.back() != text.front()) {
    return std::nullopt;
  }
  return text.substr(1, text.size() - 2);
}

std::optional<ConsistencyStatement> set_token(Lexer& lexer) {
  const Token variable = next_code(lexer);
  if (!variable.is(TokenKind::user_variable) || !parser::chars::iequals(variable.text, consistency_token_variable)) {
    return std::nullopt;
  }
  const Token assign = next_code(lexer);
  if (!assign.is(TokenKind::op) || (assign.text != "=" && assign.text != ":=")) return std::nullopt;
  const Token value = next_code(lexer);
  ConsistencyStatement statement{ConsistencyStatement::Kind::set_token, std::nullopt};
  if (value.is(TokenKind::string)) {
    // A string the proxy can't take as it is (escapes, a charset prefix) is still this
    // statement: its value is then rejected as a malformed token.
    statement.value = plain_string(value).value_or(value.text);
  } else if (!(value.is(TokenKind::identifier) && parser::chars::iequals(value.text, "null"))) {
    return std::nullopt;
  }
  if (!at_statement_end(lexer)) return std::nullopt;
  return statement;
}

}  // namespace

std::optional<ConsistencyStatement> consistency_statement(std::string_view sql) {
  Lexer lexer(sql);
  const Token first = next_code(lexer);
  if (lexer.in_executable_comment()) return std::nullopt;
  if (first.is(Keyword::select)) return get_token(lexer);
  if (first.is(Keyword::set)) return set_token(lexer);
  return std::nullopt;
}

}  // namespace rwproxy::session
