// The proxy's side of a client's connection phase, as a state machine without I/O:
// greeting → HandshakeResponse41 → (AuthSwitchRequest → auth data) → OK or ERR 1045.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/handshake.hpp"
#include "proxy/protocol/native_password.hpp"

namespace rwproxy::protocol {

// What the proxy knows of a user: SHA1(SHA1(password)), or an empty password.
struct StoredCredential {
  bool empty_password = false;
  Sha1Digest hash{};
  bool require_tls = false;  // a login outside TLS is refused (1045), like MariaDB's REQUIRE SSL
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
  };

  enum class Action {
    send,          // send `output` (a full frame) and wait for the next client packet
    send_and_done, // send `output` (OK); the client is authenticated
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

 private:
  enum class State { response, response_over_tls, auth_switch_reply, finished };

  Action on_response(Bytes payload, std::uint8_t seq, std::string& output);
  Action check_token(std::string_view token, std::uint8_t seq, std::string& output);
  Action deny(std::uint8_t seq, std::string& output, bool used_password);
  Action deny_clear_text(std::uint8_t seq, std::string& output);
  Action fail(std::uint8_t seq, std::string& output, std::uint16_t code, std::string_view message);

  Settings settings_;
  CredentialLookup lookup_;
  State state_ = State::response;
  AuthenticatedClient client_;
  bool tls_ = false;
};

}  // namespace rwproxy::protocol
