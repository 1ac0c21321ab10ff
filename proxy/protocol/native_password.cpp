#include "proxy/protocol/native_password.hpp"

#include "proxy/protocol/evp_digest.hpp"

namespace rwproxy::protocol {

Sha1Digest sha1(std::string_view a, std::string_view b) { return evp_digest<20>(EVP_sha1(), a, b); }

namespace {
std::string_view view(const Sha1Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}
}  // namespace

Sha1Digest native_password_hash(std::string_view password) {
  Sha1Digest stage1 = sha1(password);
  return sha1(view(stage1));
}

std::string native_password_token(const Sha1Digest& stage1, std::string_view scramble) {
  Sha1Digest stage2 = sha1(view(stage1));
  Sha1Digest mix = sha1(scramble.substr(0, 20), view(stage2));
  std::string token(20, '\0');
  for (std::size_t i = 0; i < 20; ++i) token[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return token;
}

std::optional<Sha1Digest> verify_native_password(std::string_view token, std::string_view scramble,
                                                 const Sha1Digest& stored_hash) {
  if (token.size() != 20) return std::nullopt;
  Sha1Digest mix = sha1(scramble.substr(0, 20), view(stored_hash));
  Sha1Digest stage1{};
  for (std::size_t i = 0; i < 20; ++i) stage1[i] = static_cast<std::uint8_t>(token[i]) ^ mix[i];
  if (sha1(view(stage1)) != stored_hash) return std::nullopt;
  return stage1;
}

}  // namespace rwproxy::protocol
