// caching_sha2_password (MySQL 8's default plugin), the proxy's side:
//   token = SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce)    (32 bytes)
// The proxy keeps SHA256(SHA256(password)) for users configured with a clear-text password and
// checks a token against it (the "fast" path, answered with AuthMoreData 0x03). Otherwise it asks
// for full authentication (0x04): the client sends its password, in clear over TLS, or
// RSA-encrypted (OAEP) XOR the nonce with the proxy's public key, which it asks for with 0x02.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace rwproxy::protocol {

using Sha256Digest = std::array<std::uint8_t, 32>;

inline constexpr std::string_view caching_sha2_plugin = "caching_sha2_password";
// AuthMoreData (0x01) payloads of the exchange.
inline constexpr std::uint8_t caching_sha2_request_public_key = 0x02;
inline constexpr std::uint8_t caching_sha2_fast_auth_success = 0x03;
inline constexpr std::uint8_t caching_sha2_perform_full_authentication = 0x04;

Sha256Digest sha256(std::string_view a, std::string_view b = {});

// SHA256(SHA256(password)): what the fast path checks a token against.
Sha256Digest caching_sha2_hash(std::string_view password);

// The token a client sends for `nonce` (an empty password sends an empty token).
std::string caching_sha2_token(std::string_view password, std::string_view nonce);

// Whether `token` was made from the password whose caching_sha2_hash is `hash`.
bool verify_caching_sha2_token(std::string_view token, std::string_view nonce, const Sha256Digest& hash);

// "password\0" XOR the nonce repeated: what the client RSA-encrypts (and what decryption gives back).
std::string xor_with_nonce(std::string_view data, std::string_view nonce);

// RSA-OAEP encryption with a PEM public key ("BEGIN PUBLIC KEY"), as a client does
// with the key a server sent; nullopt if the key cannot be read.
std::optional<std::string> rsa_encrypt_with_public_key(std::string_view public_key_pem, std::string_view plaintext);

// An RSA key pair for the clear-text full authentication: loaded from a PEM private key, or
// generated (2048 bits) the first time it is needed. Thread-safe; shared by every session.
class RsaKeyPair {
 public:
  // `private_key_path` empty: generate on first use.
  explicit RsaKeyPair(std::string private_key_path = {});
  ~RsaKeyPair();
  RsaKeyPair(const RsaKeyPair&) = delete;
  RsaKeyPair& operator=(const RsaKeyPair&) = delete;

  // Loads or generates the key now; an error message if the file cannot be used.
  std::optional<std::string> load();
  // The public key, PEM (SubjectPublicKeyInfo), as sent to clients; empty if unavailable.
  std::string public_key_pem();
  // RSA-OAEP decryption; nullopt if it fails (wrong key, corrupt data).
  std::optional<std::string> decrypt(std::string_view ciphertext);
  // For tests and clients of our own: RSA-OAEP encryption with the public key.
  std::optional<std::string> encrypt(std::string_view plaintext);

 private:
  struct Key;
  std::optional<std::string> load_locked();

  std::string path_;
  std::mutex mutex_;
  std::unique_ptr<Key> key_;
  std::string public_pem_;
};

}  // namespace rwproxy::protocol
