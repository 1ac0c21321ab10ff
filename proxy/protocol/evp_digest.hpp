// One digest of two concatenated inputs through OpenSSL's EVP interface, for the password
// hashes (SHA1 of mysql_native_password, SHA256 of caching_sha2_password). Internal to the codec.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rwproxy::protocol {

template <std::size_t Size>
std::array<std::uint8_t, Size> evp_digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  std::array<std::uint8_t, Size> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, md, nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, out.data(), nullptr);
  EVP_MD_CTX_free(ctx);
  return out;
}

}  // namespace rwproxy::protocol
