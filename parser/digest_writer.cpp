#include "parser/digest_writer.hpp"

#include "parser/char_class.hpp"

namespace rwproxy::parser {

bool DigestWriter::needs_space(Piece prev, Piece cur) {
  if (prev == Piece::none || prev == Piece::open_paren || prev == Piece::dot) return false;
  switch (cur) {
    case Piece::close_paren: case Piece::comma: case Piece::dot: case Piece::semicolon:
      return false;
    case Piece::open_paren:
      return prev != Piece::call_word;
    default:
      return true;
  }
}

DigestWriter::DigestWriter(std::string& out, std::size_t max_length, std::size_t input_size)
    : out_(out), max_(max_length) {
  const std::size_t bound = input_size > (max_length / 4) ? max_length : 4 * input_size + 8;
  capacity_ = bound < max_length ? bound : max_length;
  out_.resize(capacity_);
}

// The next piece does not fit: go back to the last boundary that leaves room for " ...".
bool DigestWriter::cut() {
  if (full_) return false;
  size_ = boundary_;
  const std::string_view ellipsis = size_ > 0 && size_ + 4 <= capacity_ ? " ..." : "...";
  if (size_ + ellipsis.size() <= capacity_)
    for (char c : ellipsis) put(c);
  full_ = true;
  return false;
}

void DigestWriter::append(std::string_view text, bool upper_case) {
  char* p = out_.data() + size_;
  if (upper_case) {
    for (std::size_t i = 0; i < text.size(); ++i) p[i] = chars::to_upper(text[i]);
  } else {
    for (std::size_t i = 0; i < text.size(); ++i) p[i] = text[i];
  }
  size_ += text.size();
}

bool DigestWriter::add(Piece piece, std::string_view text, bool upper_case) {
  const bool space = needs_space(last_, piece);
  if (!fits(text.size() + (space ? 1 : 0))) return false;
  if (space) put(' ');
  append(text, upper_case);
  last_ = piece;
  if (size_ + 3 <= capacity_) boundary_ = size_;
  return true;
}

bool DigestWriter::add_comment(std::string_view comment) {
  std::string_view body = comment;
  const bool optimizer_hint = body.starts_with("/*+");
  if (body.starts_with("/*")) {
    body.remove_prefix(optimizer_hint ? 3 : 2);
    if (body.ends_with("*/")) body.remove_suffix(2);
  } else {
    body.remove_prefix(body.starts_with("#") ? 1 : 2);  // "#" or "--"
  }
  // Size of the collapsed body, to check the cap before writing.
  std::size_t words = 0, bytes = 0;
  bool in_word = false;
  for (char c : body) {
    const bool sp = chars::is(c, chars::space);
    if (!sp) ++bytes;
    if (!sp && !in_word) ++words;
    in_word = !sp;
  }
  const bool space = needs_space(last_, Piece::comment);
  const std::size_t opener = optimizer_hint ? 3 : 2;  // "/*+" or "/*"
  if (!fits((space ? 1 : 0) + opener + 3 + bytes + words)) return false;  // " w"... " */"
  if (space) put(' ');
  append(optimizer_hint ? "/*+" : "/*", false);
  in_word = false;
  for (char c : body) {
    const bool sp = chars::is(c, chars::space);
    if (!sp && !in_word) put(' ');
    if (!sp) put(c);
    in_word = !sp;
  }
  append(" */", false);
  last_ = Piece::comment;
  if (size_ + 3 <= capacity_) boundary_ = size_;
  return true;
}

}  // namespace rwproxy::parser
