// The mysql_native_password stored hash, as in mysql.user: "*" + 40 hex digits,
// the hex of SHA1(SHA1(password)). Parsing only; hashing lives with the auth code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rwproxy::config {

using NativePasswordHash = std::array<std::uint8_t, 20>;  // SHA1(SHA1(password))

// "*" followed by exactly 40 hex digits (either case) -> the 20 bytes; anything else -> nullopt.
std::optional<NativePasswordHash> parse_native_password_hash(std::string_view star_hex);

}  // namespace rwproxy::config
