// MySQL/MariaDB lexer in the style of SQLite's tokenize.c: a pull lexer over a string_view that
// returns one token at a time, never allocates, never throws and never reads past its input.
//
// Rules followed (MySQL 8 / MariaDB 10.x defaults, sql_mode without ANSI_QUOTES and without
// NO_BACKSLASH_ESCAPES):
//   - "-- " needs a space or control character (or end of input) after the dashes; "#" comments
//     run to end of line; "/* */" comments do not nest.
//   - "/*!" and "/*M!" (MariaDB) open an executable comment whose content is code: the opener
//     (with an optional 5 or 6 digit version) and the matching "*/" produce no tokens.
//   - "/*+ ... */" is an optimizer_hint token (a comment for everything but the digest).
//   - '...' and "..." strings honour backslash escapes and doubled quotes; `...` identifiers
//     honour doubled backticks. N'..', X'..', B'..' and _charset'..' prefixes are part of the
//     literal when written directly before the quote.
//   - An unterminated string, identifier or comment is one `error` token running to the end.
#pragma once

#include <cstddef>
#include <string_view>

#include "parser/char_class.hpp"
#include "parser/token.hpp"

namespace rwproxy::parser {

class Lexer {
 public:
  explicit Lexer(std::string_view sql) noexcept : sql_(sql) {}

  // The next token, comments included; TokenKind::end once the input is exhausted.
  Token next() noexcept;

  // Byte offset of the next unread byte.
  std::size_t offset() const noexcept { return pos_; }
  std::string_view input() const noexcept { return sql_; }
  bool in_executable_comment() const noexcept { return in_executable_comment_; }

 private:
  bool at(std::size_t i) const { return i < sql_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < sql_.size() ? sql_[pos_ + ahead] : '\0';
  }
  Token make(TokenKind kind, std::size_t start) const {
    return Token{kind, KeywordClass::context, Keyword::none,
                 std::string_view(sql_.data() + start, pos_ - start)};
  }
  Token error_to_end(std::size_t start);

  bool skip_space_and_executable_markers();
  Token lex_slash(std::size_t start);
  Token lex_line_comment(std::size_t start);
  Token lex_quoted(std::size_t start, char quote, TokenKind kind);
  Token lex_word(std::size_t start);
  Token lex_number(std::size_t start);
  Token lex_variable(std::size_t start);
  Token lex_operator(std::size_t start);
  bool scan_quoted(char quote, bool backslash_escapes);  // pos_ at opening quote
  void scan_word() {
    while (pos_ < sql_.size() && chars::is(sql_[pos_], chars::ident)) ++pos_;
  }

  std::string_view sql_;
  std::size_t pos_ = 0;
  bool in_executable_comment_ = false;
};

// The next token that is not a comment (TokenKind::end at the end of input).
inline Token next_code(Lexer& lexer) noexcept {
  Token token = lexer.next();
  while (token.is_comment()) token = lexer.next();
  return token;
}

}  // namespace rwproxy::parser
