// The proxy's side of a client's connection phase, as a state machine without I/O:
// greeting → [SSL request → TLS] → HandshakeResponse41 → authentication → OK or ERR 1045.
// Authentication: mysql_native_password (the greeting's plugin), or caching_sha2_password when
// the client starts with it (MySQL 8 connectors): the fast path for users with a clear-text
// password, else full authentication (the password over TLS, or RSA-encrypted in clear text).
// Clients starting with any other plugin are switched to mysql_native_password.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/handshake.hpp"
#include "proxy/protocol/native_password.hpp"

namespace rwproxy::protocol {

// What the proxy knows of a user: SHA1(SHA1(password)), or an empty password.
struct StoredCredential {
  bool empty_password = false;
  Sha1Digest hash{};
  bool require_tls = false;  // a login outside TLS is refused (1045), like MariaDB's REQUIRE SSL
  // With a clear-text password: SHA256(SHA256(password)) for the caching_sha2_password fast
  // path, and SHA1(password) for the backends' mysql_native_password login.
  std::optional<Sha256Digest> sha2_hash;
  std::optional<Sha1Digest> stage1;
  std::optional<std::string> password;  // the clear text, for caching_sha2_password backends
};

// Result of checking a mysql_native_password token against what the proxy knows of the user.
struct TokenCheck {
  bool accepted = false;
  std::optional<Sha1Digest> stage1;  // SHA1(password) when accepted with a non-empty password
};
TokenCheck check_native_token(const std::optional<StoredCredential>& credential, std::string_view token,
                              std::string_view scramble);

// 20 random bytes in 1..127 (no NUL), as servers send in the greeting.
std::string make_scramble();

// ERR 1045 text, as MariaDB words it.
std::string access_denied_message(std::string_view user, std::string_view host, bool used_password);
// ERR 1045 text for a require_tls user outside TLS.
std::string tls_required_message(std::string_view user, std::string_view host);

using CredentialLookup = std::function<std::optional<StoredCredential>(std::string_view user)>;

// A client that passed authentication.
struct AuthenticatedClient {
  std::string user;
  std::string database;
  std::uint8_t collation = 0;
  std::uint32_t capabilities = 0;  // negotiated: client's ∩ ours
  std::uint32_t max_packet_size = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::optional<Sha1Digest> stage1;  // SHA1(password); empty when the password is empty
  std::optional<std::string> password;  // clear text when configured (caching_sha2_password backends)
  bool tls = false;                  // logged in over TLS (capabilities never include ssl: that
                                     // was this connection's business, not the backends')
};

class ServerHandshake {
 public:
  struct Settings {
    std::string server_version;
    std::uint32_t connection_id = 0;
    std::uint32_t capabilities = 0;   // what the proxy offers (capability::ssl: TLS is offered)
    std::uint8_t collation = 0;
    std::string scramble;             // 20 random bytes, no NULs
    std::string client_host;          // for the access-denied message
    RsaKeyPair* rsa_keys = nullptr;   // caching_sha2_password full authentication in clear text
                                      // (nullptr: such clients must use TLS)
  };

  enum class Action {
    send,          // send `output` (a full frame) and wait for the next client packet
    send_and_done, // send `output` (frames that come before the OK, often none); the client is
                   // authenticated and its OK carries ok_sequence()
    send_and_fail, // send `output` (ERR), then close the connection
    start_tls,     // the client asked for TLS (SSL request): run the TLS handshake as the server,
                   // then go on reading packets, now over TLS (nothing to send)
  };

  ServerHandshake(Settings settings, CredentialLookup lookup);

  // The greeting frame (sequence 0).
  std::string greeting() const;
  // Feed each client packet (payload and its sequence id).
  Action on_packet(Bytes payload, std::uint8_t sequence_id, std::string& output);

  const AuthenticatedClient& client() const { return client_; }
  // After send_and_done: the sequence id of the OK that completes the login.
  std::uint8_t ok_sequence() const { return ok_sequence_; }

 private:
  enum class State {
    response, response_over_tls, auth_switch_reply, sha2_switch_reply, sha2_full_auth, sha2_rsa_password, finished
  };

  Action on_response(Bytes payload, std::uint8_t seq, std::string& output);
  Action check_token(std::string_view token, std::uint8_t seq, std::string& output);
  Action check_sha2_token(std::string_view token, std::uint8_t seq, std::string& output, bool after_switch);
  Action on_sha2_full_auth(Bytes payload, std::uint8_t seq, std::string& output);
  Action check_clear_password(std::string_view password, std::uint8_t seq, std::string& output);
  // The password was proven: the OK comes after `output` (require_tls checked here).
  Action accept(std::optional<Sha1Digest> stage1, std::uint8_t seq, std::string& output);
  Action deny(std::uint8_t seq, std::string& output, bool used_password);
  Action deny_clear_text(std::uint8_t seq, std::string& output);
  Action fail(std::uint8_t seq, std::string& output, std::uint16_t code, std::string_view message);

  Settings settings_;
  CredentialLookup lookup_;
  State state_ = State::response;
  AuthenticatedClient client_;
  std::optional<StoredCredential> credential_;  // of client_.user, once known
  bool tls_ = false;
  std::uint8_t ok_sequence_ = 0;
};

}  // namespace rwproxy::protocol
