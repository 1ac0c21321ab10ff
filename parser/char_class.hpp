// Byte classes for the lexer, one constexpr table lookup per byte.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::parser::chars {

enum : std::uint8_t {
  space = 1 << 0,        // ' ' \t \n \r \f \v
  digit = 1 << 1,
  hex = 1 << 2,
  ident = 1 << 3,        // may appear inside an unquoted identifier (incl. any byte >= 0x80)
  ident_start = 1 << 4,  // may start one (letters, _, $, bytes >= 0x80)
  control = 1 << 5,      // < 0x20 or 0x7f, for the "-- " comment rule
};

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') v |= space;
    if (c < 0x20 || c == 0x7f) v |= control;
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c >= '0' && c <= '9') v |= digit | hex | ident;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= hex;
    if (letter || c == '_' || c == '$' || c >= 0x80) v |= ident | ident_start;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> kTable = make_table();

constexpr bool is(char c, std::uint8_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// `text` without leading and trailing whitespace (' ' \t \n \r \f \v).
constexpr std::string_view trim(std::string_view text) {
  while (!text.empty() && is(text.front(), space)) text.remove_prefix(1);
  while (!text.empty() && is(text.back(), space)) text.remove_suffix(1);
  return text;
}

// ASCII case-insensitive comparison (SQL keywords and variable names are ASCII).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_upper(a[i]) != to_upper(b[i])) return false;
  return true;
}

// `text` in ASCII lower case (identifiers compared the way the server folds them here).
inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_lower(c);
  return out;
}

}  // namespace rwproxy::parser::chars
