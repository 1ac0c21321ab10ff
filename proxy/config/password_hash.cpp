#include "proxy/config/password_hash.hpp"

namespace rwproxy::config {
namespace {

constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<NativePasswordHash> parse_native_password_hash(std::string_view star_hex) {
  NativePasswordHash hash{};
  if (star_hex.size() != 1 + 2 * hash.size() || star_hex.front() != '*') return std::nullopt;
  const std::string_view hex = star_hex.substr(1);
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = hex_digit_value(hex[2 * i]);
    const int low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    hash[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return hash;
}

}  // namespace rwproxy::config
