// The proxy logging in to a backend, as a state machine without I/O:
// greeting → [SSL request → TLS] → HandshakeResponse41 → (AuthSwitchRequest → token) → OK or ERR.
// mysql_native_password from SHA1(password); caching_sha2_password (a MySQL 8 backend's default)
// when the clear-text password is known: the scramble, and full authentication (the password
// over TLS, or RSA-encrypted with the key the server sends) when the server asks for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/protocol/generic_packets.hpp"
#include "proxy/protocol/handshake.hpp"
#include "proxy/protocol/native_password.hpp"

namespace rwproxy::protocol {

class ClientHandshake {
 public:
  struct Settings {
    std::string user;
    std::optional<Sha1Digest> stage1;  // SHA1(password); nullopt for an empty password
    std::optional<std::string> password;  // clear text, when known: for caching_sha2_password
    std::string database;
    std::uint8_t collation = 0;
    std::uint32_t capabilities = 0;    // wanted; intersected with the server's
    std::uint32_t max_packet_size = 1u << 30;
    std::vector<std::pair<std::string, std::string>> attributes;
    bool tls = false;                  // ask for TLS (the backend must offer it)
  };

  enum class Action {
    send,       // send `output` (may be empty: nothing to send) and read the next server packet
    done,       // logged in
    failed,     // `error()` tells why
    start_tls,  // send `output` (the SSL request), run the TLS handshake as the client, then
                // send what response_after_tls() gives and read the next server packet
  };

  explicit ClientHandshake(Settings settings) : settings_(std::move(settings)) {}

  // Feed each server packet with its sequence id; `output` gets a full frame to send.
  Action on_packet(Bytes payload, std::uint8_t sequence_id, std::string& output);

  // After start_tls and the TLS handshake: the login response (a full frame) to send over TLS.
  void response_after_tls(std::string& output);

  const InitialHandshake& server_greeting() const { return greeting_; }
  std::uint32_t capabilities() const { return negotiated_; }
  const ErrPacket& error() const { return error_; }

 private:
  enum class State { greeting, auth_result, sha2_public_key, finished };

  Action on_greeting(Bytes payload, std::uint8_t seq, std::string& output);
  Action on_auth_result(Bytes payload, std::uint8_t seq, std::string& output);
  Action fail(std::uint16_t code, std::string message);
  std::string token_for(std::string_view scramble) const;
  void append_response(std::string& output, std::uint8_t seq) const;
  std::string response_payload() const;  // the HandshakeResponse41 the settings call for
  // The token for the plugin in use (sha2_) and `scramble`.
  std::string plugin_token(std::string_view scramble) const;
  Action on_auth_more_data(Bytes payload, std::uint8_t seq, std::string& output);

  Settings settings_;
  State state_ = State::greeting;
  InitialHandshake greeting_;
  std::uint32_t negotiated_ = 0;
  ErrPacket error_;
  bool switched_ = false;
  bool sha2_ = false;      // caching_sha2_password is the plugin in use
  std::string scramble_;   // the nonce of the plugin in use
  std::uint8_t response_sequence_ = 0;  // of the login response sent after TLS
};

}  // namespace rwproxy::protocol
