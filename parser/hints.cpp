#include "parser/hints.hpp"

#include <string>

#include "parser/char_class.hpp"

namespace rwproxy::parser {
namespace {

constexpr std::string_view kPrefix = "rwproxy:";

bool is_key_char(char c) {
  return chars::is(c, chars::digit) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_' || c == '.' || c == '-';
}

bool is_value_end(char c) { return chars::is(c, chars::space) || c == ','; }

// "/* x */" -> " x ", "-- x" -> " x", "# x" -> " x", "/*+ x */" -> " x ".
std::string_view comment_body(std::string_view c) {
  if (c.starts_with("/*")) {
    c.remove_prefix(2);
    if (c.ends_with("*/")) c.remove_suffix(2);
    if (c.starts_with("+")) c.remove_prefix(1);
  } else if (c.starts_with("--")) {
    c.remove_prefix(2);
  } else if (c.starts_with("#")) {
    c.remove_prefix(1);
  }
  return c;
}

// Parses items after "rwproxy:" starting at `i`; returns the position after them.
std::size_t parse_items(std::string_view body, std::size_t i, Hint& hint) {
  for (;;) {
    const std::size_t key_start = i;
    while (i < body.size() && is_key_char(body[i])) ++i;
    std::string key(body.substr(key_start, i - key_start));
    for (char& c : key) c = chars::to_lower(c);
    std::string value;
    if (i < body.size() && body[i] == '=') {
      const std::size_t value_start = ++i;
      while (i < body.size() && !is_value_end(body[i])) ++i;
      value.assign(body.substr(value_start, i - value_start));
    }
    if (key == "master" && value.empty()) {
      hint.target = HintTarget::master;
    } else if (key == "replica" && value.empty()) {
      if (hint.target != HintTarget::master) hint.target = HintTarget::replica;
    } else if (!key.empty() && hint.params.size() < kMaxHintParams) {
      hint.params.push_back(HintParam{std::move(key), std::move(value)});
    }
    if (i >= body.size() || body[i] != ',') return i;
    ++i;
  }
}

}  // namespace

void parse_hint_comment(std::string_view comment, Hint& hint) {
  const std::string_view body = comment_body(comment);
  std::size_t i = 0;
  while (i + kPrefix.size() <= body.size()) {
    const bool word_start = i == 0 || !is_key_char(body[i - 1]);
    if (word_start && chars::iequals(body.substr(i, kPrefix.size()), kPrefix)) {
      i = parse_items(body, i + kPrefix.size(), hint);
    } else {
      ++i;
    }
  }
}

}  // namespace rwproxy::parser
