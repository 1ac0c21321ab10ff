#include "parser/token_cursor.hpp"

#include "parser/hints.hpp"

namespace rwproxy::parser {

void TokenCursor::on_comment(const Token& t) noexcept {
  if (hint_ != nullptr && code_tokens_ <= 1) parse_hint_comment(t.text, *hint_);
}

Token TokenCursor::pull() noexcept {
  if (finished_) return Token{TokenKind::end, KeywordClass::context, Keyword::none, {}};
  for (;;) {
    Token t = lexer_.next();
    if (t.is_comment()) {
      on_comment(t);
      continue;
    }
    if (t.kind == TokenKind::semicolon && split_) {
      saw_semicolon_ = true;
      finished_ = true;
      return Token{TokenKind::end, KeywordClass::context, Keyword::none, t.text.substr(0, 0)};
    }
    if (t.kind == TokenKind::end) {
      finished_ = true;
      return t;
    }
    const auto begin = static_cast<std::size_t>(t.text.data() - lexer_.input().data());
    if (code_tokens_++ == 0) span_begin_ = begin;
    span_end_ = begin + t.text.size();
    return t;
  }
}

void TokenCursor::fill(std::size_t n) noexcept {
  while (count_ < n) {
    ring_[(head_ + count_) & kMask] = pull();
    ++count_;
  }
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
