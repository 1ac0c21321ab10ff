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

// Makes room for `n` more bytes or marks the text as cut.
bool DigestWriter::fits(std::size_t n) {
  if (full_) return false;
  if (out_.size() + n <= max_) return true;
  out_.resize(boundary_);
  if (!out_.empty() && out_.size() + 4 <= max_) out_ += " ...";
  else if (out_.size() + 3 <= max_) out_ += "...";
  full_ = true;
  return false;
}

void DigestWriter::append(std::string_view text, bool upper_case) {
  const std::size_t at = out_.size();
  out_.append(text);
  if (upper_case) {
    char* p = out_.data() + at;
    for (std::size_t i = 0; i < text.size(); ++i) p[i] = chars::to_upper(p[i]);
  }
}

bool DigestWriter::add(Piece piece, std::string_view text, bool upper_case) {
  const bool space = needs_space(last_, piece);
  if (!fits(text.size() + (space ? 1 : 0))) return false;
  if (space) out_ += ' ';
  append(text, upper_case);
  last_ = piece;
  if (out_.size() + 3 <= max_) boundary_ = out_.size();
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
  if (space) out_.push_back(' ');
  out_ += optimizer_hint ? "/*+" : "/*";
  in_word = false;
  for (char c : body) {
    const bool sp = chars::is(c, chars::space);
    if (!sp && !in_word) out_.push_back(' ');
    if (!sp) out_.push_back(c);
    in_word = !sp;
  }
  out_ += " */";
  last_ = Piece::comment;
  if (out_.size() + 3 <= max_) boundary_ = out_.size();
  return true;
}

}  // namespace rwproxy::parser
