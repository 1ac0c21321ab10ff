#include "proxy/explain/explain_statement.hpp"

#include "parser/char_class.hpp"
#include "parser/lexer.hpp"

namespace rwproxy::explain {

namespace {

using parser::Keyword;
using parser::Lexer;
using parser::next_code;
using parser::chars::trim;
using parser::Token;
using parser::TokenKind;

bool is_route_word(const Token& token) {
  constexpr std::string_view route = "route";
  if (token.kind != TokenKind::identifier || token.text.size() != route.size()) return false;
  for (std::size_t i = 0; i < route.size(); ++i) {
    if ((token.text[i] | 0x20) != route[i]) return false;
  }
  return true;
}

// A statement starts with a keyword (SELECT, WITH, INSERT, ...) or a parenthesis.
bool starts_statement(const Token& token) {
  if (token.kind == TokenKind::left_paren) return true;
  return token.kind == TokenKind::identifier && token.keyword != Keyword::none;
}

}  // namespace

std::optional<std::string_view> explain_route_target(std::string_view sql) {
  Lexer lexer(sql);
  const Token explain = next_code(lexer);
  if (!explain.is(Keyword::explain) || lexer.in_executable_comment()) return std::nullopt;
  const Token route = next_code(lexer);
  if (!is_route_word(route) || lexer.in_executable_comment()) return std::nullopt;
  const std::size_t rest = lexer.offset();
  if (!starts_statement(next_code(lexer))) return std::nullopt;
  return trim(sql.substr(rest));
}

}  // namespace rwproxy::explain
