// Writes digest text with canonical spacing (independent of the original whitespace) and a
// length cap: text never exceeds max_length; when cut, it ends at a token boundary with "...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::parser {

// What was written, for spacing decisions.
enum class Piece : std::uint8_t {
  none,         // start of text
  open_paren,
  close_paren,
  comma,
  dot,
  semicolon,
  word,         // keyword after which '(' gets a space: "IN (", "VALUES ("
  call_word,    // name after which '(' gets none: "COUNT(", "t(" (functions, identifiers)
  value,        // ?, @var, (...)
  op,
  comment,
};

class DigestWriter {
 public:
  DigestWriter(std::string& out, std::size_t max_length) : out_(out), max_(max_length) {}

  // False once the cap was reached (nothing more is written).
  bool add(Piece piece, std::string_view text, bool upper_case = false);
  // A comment, re-written as "/* body */" ("/*+ body */" for optimizer hints) with its
  // whitespace collapsed.
  bool add_comment(std::string_view comment);
  bool full() const { return full_; }
  Piece last() const { return last_; }

 private:
  static bool needs_space(Piece prev, Piece cur);
  bool fits(std::size_t n);
  void append(std::string_view text, bool upper_case);

  std::string& out_;
  std::size_t max_;
  std::size_t boundary_ = 0;  // last token boundary that leaves room for "..."
  Piece last_ = Piece::none;
  bool full_ = false;
};

}  // namespace rwproxy::parser
