#include "parser/digest.hpp"

#include <algorithm>

#include "parser/digest_writer.hpp"
#include "parser/lexer.hpp"

namespace rwproxy::parser {
namespace {

// After a '(' (consumed from `probe`): true if the list up to the matching ')' holds only
// literals, placeholders, NULL/TRUE/FALSE, signs, commas and nested rows. `probe` then stands
// after the ')'.
bool literal_list(Lexer& probe) {
  std::size_t depth = 1;
  bool any = false;
  for (;;) {
    const Token t = next_code(probe);
    if (t.is_literal() || t.kind == TokenKind::placeholder || t.is(Keyword::null_) ||
        t.is(Keyword::true_) || t.is(Keyword::false_)) {
      any = true;
    } else if (t.kind == TokenKind::left_paren) {
      ++depth;
    } else if (t.kind == TokenKind::right_paren) {
      if (--depth == 0) return any;
    } else if (t.kind != TokenKind::comma && !t.is_op("-") && !t.is_op("+")) {
      return false;
    }
  }
}

// Skips ", ( ... )" groups after a VALUES row.
void skip_more_rows(Lexer& lexer) {
  for (;;) {
    Lexer probe = lexer;
    if (next_code(probe).kind != TokenKind::comma) return;
    if (next_code(probe).kind != TokenKind::left_paren) return;
    std::size_t depth = 1;
    while (depth > 0) {
      const Token t = next_code(probe);
      if (t.kind == TokenKind::end || t.kind == TokenKind::error) return;
      if (t.kind == TokenKind::left_paren) ++depth;
      if (t.kind == TokenKind::right_paren) --depth;
    }
    lexer = probe;
  }
}

// Whether a '-' or '+' after `prev` is binary (prev ends a value) or a sign.
bool ends_value(const Token& prev) {
  switch (prev.kind) {
    case TokenKind::identifier:
      if (prev.keyword == Keyword::none) return true;
      return prev.is(Keyword::null_) || prev.is(Keyword::true_) || prev.is(Keyword::false_) ||
             prev.is(Keyword::end) || prev.keyword_class == KeywordClass::function ||
             prev.keyword_class == KeywordClass::context;
    case TokenKind::quoted_identifier: case TokenKind::string: case TokenKind::number:
    case TokenKind::hex_number: case TokenKind::bit_number: case TokenKind::user_variable:
    case TokenKind::system_variable: case TokenKind::placeholder: case TokenKind::right_paren:
      return true;
    default:
      return false;
  }
}

class DigestBuilder {
 public:
  DigestBuilder(std::string_view sql, std::string& out, std::size_t max_length)
      : lexer_(sql), writer_(out, max_length, sql.size()) {}

  void run() {
    write();
    writer_.finish();
  }

 private:
  void write() {
    while (!writer_.full()) {
      const Token t = lexer_.next();
      if (t.kind == TokenKind::end) return;
      if (t.is_comment()) {
        if (!comment_kept_) comment_kept_ = writer_.add_comment(t.text);
        continue;
      }
      if (t.kind == TokenKind::semicolon) {
        pending_semicolon_ = writer_.last() != Piece::none;
        continue;
      }
      if (pending_semicolon_) {
        pending_semicolon_ = false;
        if (!writer_.add(Piece::semicolon, ";")) return;
      }
      code(t);
      prev_ = t;
    }
  }

  void code(const Token& t) {
    switch (t.kind) {
      case TokenKind::left_paren: open_paren(); return;
      case TokenKind::right_paren: close_paren(); return;
      case TokenKind::comma: writer_.add(Piece::comma, ","); return;
      case TokenKind::dot: writer_.add(Piece::dot, "."); return;
      case TokenKind::string: case TokenKind::number: case TokenKind::hex_number:
      case TokenKind::bit_number: case TokenKind::placeholder:
        writer_.add(Piece::value, "?");
        return;
      case TokenKind::user_variable: case TokenKind::system_variable:
        writer_.add(Piece::value, t.text);
        return;
      case TokenKind::quoted_identifier: writer_.add(Piece::call_word, t.text); return;
      case TokenKind::identifier: word(t); return;
      case TokenKind::op: op(t); return;
      case TokenKind::error: error(t); return;
      default: return;
    }
  }

  void word(const Token& t) {
    if (t.keyword == Keyword::none) {
      if (t.text.front() == '_' && introduces_literal()) return;  // _utf8mb4 'x' -> ?
      writer_.add(Piece::call_word, t.text);
      return;
    }
    switch (t.keyword_class) {
      case KeywordClass::reserved:
      case KeywordClass::statement: writer_.add(Piece::word, t.text, true); return;
      case KeywordClass::function: writer_.add(Piece::call_word, t.text, true); return;
      case KeywordClass::context: writer_.add(Piece::call_word, t.text); return;
    }
  }

  bool introduces_literal() const {
    Lexer probe = lexer_;
    const Token next = next_code(probe);
    return next.kind == TokenKind::string || next.kind == TokenKind::hex_number ||
           next.kind == TokenKind::bit_number;
  }

  void op(const Token& t) {
    if ((t.text == "-" || t.text == "+") && !ends_value(prev_)) {
      Lexer probe = lexer_;
      if (next_code(probe).kind == TokenKind::number) return;  // sign folded into the literal
    }
    writer_.add(Piece::op, t.text);
  }

  void error(const Token& t) {
    if (t.text.empty() || t.text.starts_with("/*")) return;  // unterminated comment
    if (t.text.front() == '`') writer_.add(Piece::call_word, t.text);
    else writer_.add(Piece::value, "?");  // unterminated string
  }

  void open_paren() {
    const bool values = prev_.is(Keyword::values) || prev_.is(Keyword::value);
    if (values || prev_.is(Keyword::in)) {
      Lexer probe = lexer_;
      if (literal_list(probe)) {
        lexer_ = probe;
        writer_.add(Piece::value, "(...)");
        if (values) skip_more_rows(lexer_);
        prev_ = Token{TokenKind::right_paren, KeywordClass::context, Keyword::none, {}};
        return;
      }
    }
    if (values && values_depth_ == kNoValues) values_depth_ = depth_;
    ++depth_;
    writer_.add(Piece::open_paren, "(");
  }

  void close_paren() {
    if (depth_ > 0) --depth_;
    writer_.add(Piece::close_paren, ")");
    if (depth_ == values_depth_) {
      values_depth_ = kNoValues;
      skip_more_rows(lexer_);
    }
  }

  static constexpr std::size_t kNoValues = static_cast<std::size_t>(-1);

  Lexer lexer_;
  DigestWriter writer_;
  Token prev_{};
  std::size_t depth_ = 0;
  std::size_t values_depth_ = kNoValues;  // paren depth of a VALUES row being written
  bool comment_kept_ = false;
  bool pending_semicolon_ = false;
};

}  // namespace

Digest digest(std::string_view sql, std::size_t max_length) {
  Digest d;
  digest_into(sql, d, max_length);
  return d;
}

void digest_into(std::string_view sql, Digest& out, std::size_t max_length) {
  DigestBuilder(sql, out.text, max_length).run();
  out.hash = fnv1a64(out.text);
}

}  // namespace rwproxy::parser
