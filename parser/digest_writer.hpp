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

// Writes into `out` sized once up front (no reallocation per token); finish() trims it.
class DigestWriter {
 public:
  // `input_size`: bytes of SQL being digested. Digest text is at most 4 bytes per input byte
  // (+8), so the buffer is min(max_length, 4 * input_size + 8); were that bound ever wrong,
  // the text would be cut with "..." rather than overflow.
  DigestWriter(std::string& out, std::size_t max_length, std::size_t input_size);

  // False once the cap was reached (nothing more is written).
  bool add(Piece piece, std::string_view text, bool upper_case = false);
  // A comment, re-written as "/* body */" ("/*+ body */" for optimizer hints) with its
  // whitespace collapsed.
  bool add_comment(std::string_view comment);
  bool full() const { return full_; }
  Piece last() const { return last_; }
  // Trims `out` to the text written. Call once at the end.
  void finish() { out_.resize(size_); }

 private:
  static bool needs_space(Piece prev, Piece cur);
  bool fits(std::size_t n) { return size_ + n <= capacity_ || cut(); }
  bool cut();
  void put(char c) { out_[size_++] = c; }
  void append(std::string_view text, bool upper_case);

  std::string& out_;
  std::size_t max_;
  std::size_t capacity_;  // out_.size(): never written beyond
  std::size_t size_ = 0;  // bytes written
  std::size_t boundary_ = 0;  // last token boundary that leaves room for "..."
  Piece last_ = Piece::none;
  bool full_ = false;
};

}  // namespace rwproxy::parser
