// mysql_native_password: token = SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).
// The proxy stores SHA1(SHA1(password)) (the mysql.user hash); a valid client token yields
// SHA1(password), which is enough to log in to the backends as the same user.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rwproxy::protocol {

using Sha1Digest = std::array<std::uint8_t, 20>;

Sha1Digest sha1(std::string_view a, std::string_view b = {});

struct NativePasswordSecret {
  Sha1Digest stage1;  // SHA1(password)
};

// SHA1(SHA1(password)), the value behind mysql.user's "*HEX" form.
Sha1Digest native_password_hash(std::string_view password);

// The 20-byte token a client sends for `scramble` (empty password → empty token).
std::string native_password_token(const Sha1Digest& stage1, std::string_view scramble);

// Checks a client's token against the stored hash; on success returns SHA1(password).
std::optional<Sha1Digest> verify_native_password(std::string_view token, std::string_view scramble,
                                                 const Sha1Digest& stored_hash);

}  // namespace rwproxy::protocol
