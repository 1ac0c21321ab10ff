// The code tokens of one statement: comments are skipped, the statement ends at a ';' (which
// is consumed) or at the end of input. Offers a few tokens of lookahead without allocating.
#pragma once

#include <array>
#include <cstddef>

#include "parser/lexer.hpp"

namespace rwproxy::parser {

class TokenCursor {
 public:
  static constexpr std::size_t kLookahead = 4;

  // `split_on_semicolon = false` keeps reading through ';' (stored program bodies).
  explicit TokenCursor(Lexer lexer, bool split_on_semicolon = true) noexcept
      : lexer_(lexer), split_(split_on_semicolon) {}

  // Token `ahead` positions from the current one (ahead < kLookahead); end-of-statement
  // is a TokenKind::end token.
  const Token& peek(std::size_t ahead = 0) noexcept;
  Token next() noexcept;
  bool at_end() noexcept { return peek().kind == TokenKind::end; }

  // Consumes the next token if it is keyword `k`.
  bool accept(Keyword k) noexcept;
  bool accept(TokenKind k) noexcept;
  // Consumes tokens through the ')' matching an already consumed '(' (or to the end).
  void skip_to_close_paren() noexcept;

  // After the statement was read to its end: the lexer positioned after its ';'.
  const Lexer& lexer() const noexcept { return lexer_; }
  // Whether the statement was ended by a ';' (as opposed to the end of input).
  bool ended_by_semicolon() const noexcept { return saw_semicolon_; }

 private:
  Token pull() noexcept;

  Lexer lexer_;
  bool split_;
  bool saw_semicolon_ = false;
  bool finished_ = false;
  std::array<Token, kLookahead> ring_{};
  std::size_t head_ = 0;   // index of the current token in ring_
  std::size_t count_ = 0;  // buffered tokens
};

}  // namespace rwproxy::parser
