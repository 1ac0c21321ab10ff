// Statement digest, in one pass over the tokens (ProxySQL-style):
//   - literals (strings, numbers, hex/bit, _charset'..', signed numbers) -> ?
//   - IN (...) lists and VALUES rows made only of literals -> (...); further VALUES rows are
//     dropped, so a batch insert digests like a single-row one
//   - comments dropped, except the first one, kept as "/* text */" (hints live there);
//     executable comments /*!...*/ are code and appear without their markers
//   - whitespace canonical: one space between tokens, none inside parens, before ',' or ')',
//     around '.', or between a function/identifier and '(' — the original spacing is ignored
//   - keywords upper-cased (context words such as `status`, `value`, `data` keep their case),
//     identifiers, backticks and variables as written; a trailing ';' dropped
//   - capped at max_length bytes: cut at a token boundary and ended with " ..."
// hash is the 64-bit FNV-1a of the digest text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::parser {

struct Digest {
  std::string text;
  std::uint64_t hash = 0;
};

Digest digest(std::string_view sql, std::size_t max_length = 1024);
// The same into `out`, reusing its text's capacity: no allocation once the buffer has grown.
void digest_into(std::string_view sql, Digest& out, std::size_t max_length = 1024);

// 64-bit FNV-1a.
constexpr std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace rwproxy::parser
