// One lexical token of MySQL/MariaDB SQL: a kind, the keyword it spells (if any) and a view of
// its bytes inside the statement. Tokens never own memory.
#pragma once

#include <cstdint>
#include <string_view>

#include "parser/keywords.hpp"

namespace rwproxy::parser {

enum class TokenKind : std::uint8_t {
  end,                // no more input (returned forever once reached)
  error,              // unterminated string, identifier or comment: runs to the end of input
  identifier,         // bare word; `keyword` says whether it is one
  quoted_identifier,  // `backticked`
  string,             // 'single', "double", N'national', _utf8mb4'introduced'
  number,             // 12, 1.5, .5e-3
  hex_number,         // 0x1F, x'1F'
  bit_number,         // 0b101, b'101'
  user_variable,      // @name, @'quoted', @`quoted`, @"quoted"
  system_variable,    // @@name, @@session.name, @@global.name
  placeholder,        // ?
  semicolon,          // ;
  left_paren,
  right_paren,
  comma,
  dot,
  op,                 // any other punctuation: = <=> := -> ->> + - * / etc.
  line_comment,       // -- ... or # ... (text includes the marker, not the newline)
  block_comment,      // /* ... */
  optimizer_hint,     // /*+ ... */
};

struct Token {  // 24 bytes: copied freely
  TokenKind kind = TokenKind::end;
  KeywordClass keyword_class = KeywordClass::context;  // meaningful when keyword != none
  Keyword keyword = Keyword::none;  // set for identifiers that are keywords
  std::string_view text;

  bool is(Keyword k) const { return keyword == k; }
  bool is(TokenKind k) const { return kind == k; }
  bool is_comment() const {
    return kind == TokenKind::line_comment || kind == TokenKind::block_comment ||
           kind == TokenKind::optimizer_hint;
  }
  bool is_literal() const {
    return kind == TokenKind::string || kind == TokenKind::number ||
           kind == TokenKind::hex_number || kind == TokenKind::bit_number;
  }
  bool is_word() const {
    return kind == TokenKind::identifier || kind == TokenKind::quoted_identifier;
  }
  bool is_op(std::string_view s) const { return kind == TokenKind::op && text == s; }
};

}  // namespace rwproxy::parser
