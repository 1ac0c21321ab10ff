#include "parser/token_cursor.hpp"

namespace rwproxy::parser {

Token TokenCursor::pull() noexcept {
  if (finished_) return Token{TokenKind::end, Keyword::none, {}};
  for (;;) {
    Token t = lexer_.next();
    if (t.is_comment()) continue;
    if (t.kind == TokenKind::semicolon && split_) {
      saw_semicolon_ = true;
      finished_ = true;
      return Token{TokenKind::end, Keyword::none, t.text.substr(0, 0)};
    }
    if (t.kind == TokenKind::end) finished_ = true;
    return t;
  }
}

const Token& TokenCursor::peek(std::size_t ahead) noexcept {
  if (ahead >= kLookahead) ahead = kLookahead - 1;
  while (count_ <= ahead) {
    ring_[(head_ + count_) % kLookahead] = pull();
    ++count_;
  }
  return ring_[(head_ + ahead) % kLookahead];
}

Token TokenCursor::next() noexcept {
  Token t = peek();
  if (t.kind == TokenKind::end) return t;
  head_ = (head_ + 1) % kLookahead;
  --count_;
  return t;
}

bool TokenCursor::accept(Keyword k) noexcept {
  if (peek().keyword != k) return false;
  next();
  return true;
}

bool TokenCursor::accept(TokenKind k) noexcept {
  if (peek().kind != k) return false;
  next();
  return true;
}

void TokenCursor::skip_to_close_paren() noexcept {
  std::size_t depth = 1;
  while (depth > 0 && !at_end()) {
    const Token t = next();
    if (t.kind == TokenKind::left_paren) ++depth;
    if (t.kind == TokenKind::right_paren) --depth;
  }
}

}  // namespace rwproxy::parser
