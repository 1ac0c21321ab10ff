// Helpers for writing protocol bytes in tests: hex literals, hand-built frames, exact-size
// heap copies (so AddressSanitizer catches a read one byte past the end).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::protocol::test {

// "0a 35 2e" → bytes; spaces and newlines are ignored.
inline std::string unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int high = -1;
  for (char c : hex) {
    int v = nibble(c);
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

// Bytes as lower-case hex pairs separated by spaces, for readable assertion failures.
inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

// One frame written by hand: 3-byte little-endian length, sequence id, payload.
// Does not split: the caller controls exactly what goes on the wire.
inline std::string frame(std::uint8_t sequence_id, std::string_view payload) {
  std::string out;
  const std::size_t n = payload.size();
  out.push_back(static_cast<char>(n & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>(sequence_id));
  out.append(payload);
  return out;
}

// A heap buffer of exactly bytes.size() bytes.
inline std::vector<std::uint8_t> heap_copy(std::string_view bytes) {
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

inline Bytes span_of(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

}  // namespace rwproxy::protocol::test
