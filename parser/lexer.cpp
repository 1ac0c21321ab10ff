#include "parser/lexer.hpp"

namespace rwproxy::parser {
Token Lexer::next() noexcept {
  if (!skip_space_and_executable_markers()) {
    // Input ended inside "/*! ...": report it once, then end.
    in_executable_comment_ = false;
    return Token{TokenKind::error, KeywordClass::context, Keyword::none, sql_.substr(sql_.size())};
  }
  const std::size_t start = pos_;
  if (start >= sql_.size()) return Token{TokenKind::end, KeywordClass::context, Keyword::none, sql_.substr(start)};
  const char c = sql_[start];
  switch (c) {
    case '/': return lex_slash(start);
    case '#': return lex_line_comment(start);
    case '-':
      if (peek(1) == '-' && (!at(start + 2) || chars::is(sql_[start + 2], chars::space | chars::control)))
        return lex_line_comment(start);
      return lex_operator(start);
    case '\'': return lex_quoted(start, '\'', TokenKind::string);
    case '"': return lex_quoted(start, '"', TokenKind::string);
    case '`': return lex_quoted(start, '`', TokenKind::quoted_identifier);
    case '@': return lex_variable(start);
    case '?': ++pos_; return make(TokenKind::placeholder, start);
    case ';': ++pos_; return make(TokenKind::semicolon, start);
    case '(': ++pos_; return make(TokenKind::left_paren, start);
    case ')': ++pos_; return make(TokenKind::right_paren, start);
    case ',': ++pos_; return make(TokenKind::comma, start);
    case '.':
      if (chars::is(peek(1), chars::digit)) return lex_number(start);
      ++pos_;
      return make(TokenKind::dot, start);
    default: break;
  }
  if (chars::is(c, chars::digit)) return lex_number(start);
  if (chars::is(c, chars::ident_start)) return lex_word(start);
  return lex_operator(start);
}

// Skips whitespace, "/*!version" openers and the "*/" that closes them. False when the input
// ends inside an executable comment.
bool Lexer::skip_space_and_executable_markers() {
  for (;;) {
    while (pos_ < sql_.size() && chars::is(sql_[pos_], chars::space)) ++pos_;
    if (pos_ >= sql_.size()) return !in_executable_comment_;
    if (in_executable_comment_ && sql_[pos_] == '*' && peek(1) == '/') {
      pos_ += 2;
      in_executable_comment_ = false;
      continue;
    }
    if (sql_[pos_] != '/' || peek(1) != '*') return true;
    std::size_t marker = 0;
    if (peek(2) == '!') marker = 3;
    else if (peek(2) == 'M' && peek(3) == '!') marker = 4;
    if (marker == 0) return true;
    pos_ += marker;
    std::size_t digits = 0;
    while (digits < 6 && chars::is(peek(digits), chars::digit)) ++digits;
    if (digits >= 5) pos_ += digits;
    in_executable_comment_ = true;
  }
}

Token Lexer::error_to_end(std::size_t start) {
  pos_ = sql_.size();
  return make(TokenKind::error, start);
}

Token Lexer::lex_slash(std::size_t start) {
  if (peek(1) != '*') {
    ++pos_;
    return make(TokenKind::op, start);
  }
  const TokenKind kind = peek(2) == '+' ? TokenKind::optimizer_hint : TokenKind::block_comment;
  const std::size_t close = sql_.find("*/", start + 2);
  if (close == std::string_view::npos) return error_to_end(start);
  pos_ = close + 2;
  return make(kind, start);
}

Token Lexer::lex_line_comment(std::size_t start) {
  const std::size_t newline = sql_.find('\n', start);
  pos_ = newline == std::string_view::npos ? sql_.size() : newline;
  return make(TokenKind::line_comment, start);
}

bool Lexer::scan_quoted(char quote, bool backslash_escapes) {
  ++pos_;  // opening quote
  while (pos_ < sql_.size()) {
    const char ch = sql_[pos_];
    if (ch == '\\' && backslash_escapes) {
      pos_ += 2;
      continue;
    }
    ++pos_;
    if (ch != quote) continue;
    if (pos_ < sql_.size() && sql_[pos_] == quote) {
      ++pos_;  // doubled quote
      continue;
    }
    return true;
  }
  pos_ = sql_.size();
  return false;
}

Token Lexer::lex_quoted(std::size_t start, char quote, TokenKind kind) {
  if (!scan_quoted(quote, quote != '`')) return error_to_end(start);
  return make(kind, start);
}

Token Lexer::lex_word(std::size_t start) {
  const char c = chars::to_upper(sql_[start]);
  if (peek(1) == '\'' && (c == 'N' || c == 'X' || c == 'B')) {
    ++pos_;
    if (!scan_quoted('\'', c == 'N')) return error_to_end(start);
    const TokenKind kind =
        c == 'N' ? TokenKind::string : (c == 'X' ? TokenKind::hex_number : TokenKind::bit_number);
    return make(kind, start);
  }
  scan_word();
  if (c == '_' && (peek() == '\'' || peek() == '"')) {  // _utf8mb4'text'
    if (!scan_quoted(peek(), true)) return error_to_end(start);
    return make(TokenKind::string, start);
  }
  Token token = make(TokenKind::identifier, start);
  const KeywordInfo info = lookup_keyword(token.text);
  token.keyword = info.keyword;
  token.keyword_class = info.cls;
  return token;
}

Token Lexer::lex_number(std::size_t start) {
  const char prefix = peek(1);
  if (sql_[start] == '0' && (prefix == 'x' || prefix == 'b')) {
    const std::uint8_t cls = prefix == 'x' ? chars::hex : 0;
    std::size_t i = start + 2;
    while (at(i) && (prefix == 'x' ? chars::is(sql_[i], cls) : (sql_[i] == '0' || sql_[i] == '1')))
      ++i;
    if (i > start + 2 && !(at(i) && chars::is(sql_[i], chars::ident))) {
      pos_ = i;
      return make(prefix == 'x' ? TokenKind::hex_number : TokenKind::bit_number, start);
    }
  }
  bool fraction = false;
  while (at(pos_) && chars::is(sql_[pos_], chars::digit)) ++pos_;
  if (peek() == '.') {
    fraction = true;
    ++pos_;
    while (at(pos_) && chars::is(sql_[pos_], chars::digit)) ++pos_;
  }
  if ((peek() == 'e' || peek() == 'E') &&
      (chars::is(peek(1), chars::digit) ||
       ((peek(1) == '+' || peek(1) == '-') && chars::is(peek(2), chars::digit)))) {
    pos_ += 2;
    while (at(pos_) && chars::is(sql_[pos_], chars::digit)) ++pos_;
  }
  if (!fraction && at(pos_) && chars::is(sql_[pos_], chars::ident)) {
    // "123abc" and "1e5x" are identifiers in MySQL.
    pos_ = start;
    scan_word();
    return make(TokenKind::identifier, start);
  }
  return make(TokenKind::number, start);
}

Token Lexer::lex_variable(std::size_t start) {
  const bool system = peek(1) == '@';
  pos_ += system ? 2 : 1;
  const char q = peek();
  if (!system && (q == '\'' || q == '"' || q == '`')) {
    if (!scan_quoted(q, q != '`')) return error_to_end(start);
    return make(TokenKind::user_variable, start);
  }
  const std::size_t name = pos_;
  while (at(pos_) && (chars::is(sql_[pos_], chars::ident) || sql_[pos_] == '.')) ++pos_;
  if (pos_ == name) return make(TokenKind::op, start);  // a lone '@'
  return make(system ? TokenKind::system_variable : TokenKind::user_variable, start);
}

// <=> ->> := <= >= <> != << >> && || -> or any single byte.
Token Lexer::lex_operator(std::size_t start) {
  const char a = sql_[start];
  const char b = peek(1);
  std::size_t length = 1;
  switch (a) {
    case '<':
      if (b == '=') length = peek(2) == '>' ? 3 : 2;
      else if (b == '>' || b == '<') length = 2;
      break;
    case '-':
      if (b == '>') length = peek(2) == '>' ? 3 : 2;
      break;
    case '>': length = (b == '=' || b == '>') ? 2 : 1; break;
    case ':': case '!': length = b == '=' ? 2 : 1; break;
    case '&': case '|': length = b == a ? 2 : 1; break;
    default: break;
  }
  pos_ += length;
  return make(TokenKind::op, start);
}

}  // namespace rwproxy::parser
