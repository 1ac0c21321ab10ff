// The code tokens of one statement: comments are skipped, the statement ends at a ';' (which
// is consumed) or at the end of input. Offers a few tokens of lookahead without allocating.
// Optionally hands the statement's leading comments to the hint parser on the way.
#pragma once

#include <array>
#include <cstddef>

#include "parser/lexer.hpp"
#include "parser/statement_info.hpp"

namespace rwproxy::parser {

class TokenCursor {
 public:
  static constexpr std::size_t kLookahead = 4;  // a power of two
  static constexpr std::size_t kMask = kLookahead - 1;

  explicit TokenCursor(Lexer lexer) noexcept : lexer_(lexer) {}

  // The current token; end-of-statement is a TokenKind::end token (returned forever).
  const Token& peek() noexcept {
    if (count_ == 0) fill(1);
    return ring_[head_];
  }
  // The token `ahead` positions after the current one (clamped to kLookahead - 1).
  const Token& peek(std::size_t ahead) noexcept {
    if (ahead >= kLookahead) ahead = kLookahead - 1;
    if (count_ <= ahead) fill(ahead + 1);
    return ring_[(head_ + ahead) & kMask];
  }
  Token next() noexcept {
    const Token t = peek();
    if (t.kind != TokenKind::end) {
      head_ = (head_ + 1) & kMask;
      --count_;
    }
    return t;
  }
  bool at_end() noexcept { return peek().kind == TokenKind::end; }

  // Consumes the next token if it is keyword `k` / of kind `k`.
  bool accept(Keyword k) noexcept;
  bool accept(TokenKind k) noexcept;
  // Consumes tokens through the ')' matching an already consumed '(' (or to the end).
  void skip_to_close_paren() noexcept;

  // A stored program or compound block: ';' no longer ends the statement (the server parses
  // the rest of the text as its body). No effect once a ';' was reached.
  void keep_semicolons() noexcept { split_ = false; }
  // Comments before the first code token and right after it go to `hint` (see hints.hpp).
  void collect_hints(Hint* hint) noexcept { hint_ = hint; }

  // After the statement was read to its end: the lexer positioned after its ';'.
  const Lexer& lexer() const noexcept { return lexer_; }
  bool ended_by_semicolon() const noexcept { return saw_semicolon_; }
  // Byte range [begin, end) of the code tokens pulled so far; begin == end if none.
  std::size_t span_begin() const noexcept { return span_begin_; }
  std::size_t span_end() const noexcept { return span_end_; }

 private:
  void fill(std::size_t n) noexcept;  // buffers tokens until count_ >= n
  Token pull() noexcept;
  void on_comment(const Token& t) noexcept;

  Lexer lexer_;
  Hint* hint_ = nullptr;
  bool split_ = true;
  bool saw_semicolon_ = false;
  bool finished_ = false;
  std::size_t code_tokens_ = 0;  // pulled so far
  std::size_t span_begin_ = 0;
  std::size_t span_end_ = 0;
  std::array<Token, kLookahead> ring_{};
  std::size_t head_ = 0;   // index of the current token in ring_
  std::size_t count_ = 0;  // buffered tokens
};

}  // namespace rwproxy::parser
