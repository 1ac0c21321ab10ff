#include "proxy/protocol/caching_sha2.hpp"

#include "proxy/protocol/evp_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>

namespace rwproxy::protocol {

Sha256Digest sha256(std::string_view a, std::string_view b) { return evp_digest<32>(EVP_sha256(), a, b); }

namespace {

std::string_view view(const Sha256Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

// SHA256(hash + nonce): the mask the token's SHA256(password) is XORed with.
Sha256Digest token_mask(const Sha256Digest& hash, std::string_view nonce) { return sha256(view(hash), nonce); }

}  // namespace

Sha256Digest caching_sha2_hash(std::string_view password) { return sha256(view(sha256(password))); }

std::string caching_sha2_token(std::string_view password, std::string_view nonce) {
  if (password.empty()) return {};
  const Sha256Digest stage1 = sha256(password);
  const Sha256Digest mask = token_mask(sha256(view(stage1)), nonce);
  std::string token(stage1.size(), '\0');
  for (std::size_t i = 0; i < token.size(); ++i) token[i] = static_cast<char>(stage1[i] ^ mask[i]);
  return token;
}

bool verify_caching_sha2_token(std::string_view token, std::string_view nonce, const Sha256Digest& hash) {
  if (token.size() != hash.size()) return false;
  const Sha256Digest mask = token_mask(hash, nonce);
  std::string stage1(hash.size(), '\0');
  for (std::size_t i = 0; i < stage1.size(); ++i) {
    stage1[i] = static_cast<char>(static_cast<std::uint8_t>(token[i]) ^ mask[i]);
  }
  const Sha256Digest candidate = sha256(stage1);  // SHA256(SHA256(password)) if the token is right
  return CRYPTO_memcmp(candidate.data(), hash.data(), hash.size()) == 0;
}

std::string xor_with_nonce(std::string_view data, std::string_view nonce) {
  std::string out(data);
  if (nonce.empty()) return out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ nonce[i % nonce.size()]);
  return out;
}

namespace {

// RSA-OAEP with `key`: encrypts (public key) or decrypts (private key) `input`.
std::optional<std::string> oaep(EVP_PKEY* key, std::string_view input, bool encrypt) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  auto run = [&](unsigned char* out, std::size_t* size) {
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    return encrypt ? EVP_PKEY_encrypt(ctx, out, size, in, input.size()) : EVP_PKEY_decrypt(ctx, out, size, in, input.size());
  };
  std::optional<std::string> out;
  std::size_t size = 0;
  const int init = ctx ? (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) : 0;
  if (init == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 && run(nullptr, &size) == 1) {
    std::string result(size, '\0');
    if (run(reinterpret_cast<unsigned char*>(result.data()), &size) == 1) {
      result.resize(size);
      out = std::move(result);
    }
  }
  if (!out) ERR_clear_error();
  EVP_PKEY_CTX_free(ctx);
  return out;
}

}  // namespace

std::optional<std::string> rsa_encrypt_with_public_key(std::string_view public_key_pem, std::string_view plaintext) {
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);  // "BEGIN PUBLIC KEY", as MySQL sends
  BIO_free(bio);
  if (!key) {
    ERR_clear_error();
    return std::nullopt;
  }
  auto out = oaep(key, plaintext, true);
  EVP_PKEY_free(key);
  return out;
}

struct RsaKeyPair::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

RsaKeyPair::RsaKeyPair(std::string private_key_path) : path_(std::move(private_key_path)) {}
RsaKeyPair::~RsaKeyPair() = default;

std::optional<std::string> RsaKeyPair::load() {
  std::lock_guard lock(mutex_);
  return load_locked();
}

std::optional<std::string> RsaKeyPair::load_locked() {
  if (key_) return std::nullopt;
  auto key = std::make_unique<Key>();
  if (path_.empty()) {
    key->pkey = EVP_RSA_gen(2048);
    if (!key->pkey) return "cannot generate an RSA key";
  } else {
    FILE* file = std::fopen(path_.c_str(), "r");
    if (!file) return "cannot open \"" + path_ + "\"";
    key->pkey = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
    std::fclose(file);
    if (!key->pkey || EVP_PKEY_base_id(key->pkey) != EVP_PKEY_RSA) {
      ERR_clear_error();
      return "\"" + path_ + "\" is not a PEM RSA private key";
    }
  }
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key->pkey);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  public_pem_.assign(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  key_ = std::move(key);
  return std::nullopt;
}

std::string RsaKeyPair::public_key_pem() {
  std::lock_guard lock(mutex_);
  if (load_locked()) return {};
  return public_pem_;
}

std::optional<std::string> RsaKeyPair::decrypt(std::string_view ciphertext) {
  std::lock_guard lock(mutex_);
  if (load_locked()) return std::nullopt;
  return oaep(key_->pkey, ciphertext, false);
}

std::optional<std::string> RsaKeyPair::encrypt(std::string_view plaintext) {
  std::lock_guard lock(mutex_);
  if (load_locked()) return std::nullopt;
  return oaep(key_->pkey, plaintext, true);
}

}  // namespace rwproxy::protocol
