#include "proxy/protocol/server_handshake.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::protocol {

TokenCheck check_native_token(const std::optional<StoredCredential>& credential, std::string_view token,
                              std::string_view scramble) {
  TokenCheck result;
  if (!credential) return result;
  if (credential->empty_password) {
    result.accepted = token.empty();
    return result;
  }
  result.stage1 = verify_native_password(token, scramble, credential->hash);
  result.accepted = result.stage1.has_value();
  return result;
}

std::string make_scramble() {
  std::string scramble(20, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(scramble.data()), static_cast<int>(scramble.size()));
  for (char& c : scramble) c = static_cast<char>((static_cast<unsigned char>(c) % 127) + 1);
  return scramble;
}

std::string access_denied_message(std::string_view user, std::string_view host, bool used_password) {
  return fmt::format("Access denied for user '{}'@'{}' (using password: {})", user, host,
                     used_password ? "YES" : "NO");
}

ServerHandshake::ServerHandshake(Settings settings, CredentialLookup lookup)
    : settings_(std::move(settings)), lookup_(std::move(lookup)) {}

std::string ServerHandshake::greeting() const {
  InitialHandshake hs;
  hs.server_version = settings_.server_version;
  hs.connection_id = settings_.connection_id;
  hs.scramble = settings_.scramble;
  hs.capabilities = settings_.capabilities;
  hs.collation = settings_.collation;
  hs.status_flags = server_status::autocommit;
  std::string payload;
  hs.serialize(payload);
  std::string frame;
  append_frames(frame, payload, 0);
  return frame;
}

ServerHandshake::Action ServerHandshake::on_packet(Bytes payload, std::uint8_t seq, std::string& output) {
  output.clear();
  switch (state_) {
    case State::response:
    case State::response_over_tls:
      return on_response(payload, seq, output);
    case State::auth_switch_reply:
      return check_token(as_chars(payload), seq, output);
    case State::finished:
      break;
  }
  return fail(seq, output, 1043, "Bad handshake");
}

ServerHandshake::Action ServerHandshake::on_response(Bytes payload, std::uint8_t seq, std::string& output) {
  if (is_ssl_request(payload)) {
    if (!(settings_.capabilities & capability::ssl)) {
      return fail(seq, output, 1043, "rwproxy does not offer TLS on this listener (no [tls] certificate)");
    }
    if (state_ == State::response_over_tls) return fail(seq, output, 1043, "Bad handshake");
    state_ = State::response_over_tls;
    tls_ = true;
    return Action::start_tls;
  }
  HandshakeResponse response;
  if (HandshakeResponse::deserialize(payload, response)) return fail(seq, output, 1043, "Bad handshake");
  client_.user = response.username;
  client_.database = response.database;
  client_.collation = response.collation ? response.collation : settings_.collation;
  client_.capabilities = response.capabilities & settings_.capabilities & ~capability::ssl;
  client_.tls = tls_;
  client_.max_packet_size = response.max_packet_size;
  client_.attributes = std::move(response.attributes);

  const bool native = !(response.capabilities & capability::plugin_auth) || response.auth_plugin.empty() ||
                      response.auth_plugin == native_password_plugin;
  if (!native) {
    // The client started with another plugin (e.g. caching_sha2_password): ask it to switch.
    AuthSwitchRequest sw{std::string(native_password_plugin), settings_.scramble};
    std::string body;
    sw.serialize(body);
    append_frames(output, body, static_cast<std::uint8_t>(seq + 1));
    state_ = State::auth_switch_reply;
    return Action::send;
  }
  return check_token(response.auth_response, seq, output);
}

ServerHandshake::Action ServerHandshake::check_token(std::string_view token, std::uint8_t seq,
                                                     std::string& output) {
  state_ = State::finished;
  const std::optional<StoredCredential> credential = lookup_(client_.user);
  TokenCheck check = check_native_token(credential, token, settings_.scramble);
  if (!check.accepted) return deny(seq, output, !token.empty());
  if (credential->require_tls && !tls_) return deny_clear_text(seq, output);
  client_.stage1 = check.stage1;
  output = make_ok_frame(static_cast<std::uint8_t>(seq + 1), server_status::autocommit);
  return Action::send_and_done;
}

ServerHandshake::Action ServerHandshake::deny(std::uint8_t seq, std::string& output, bool used_password) {
  return fail(seq, output, 1045, access_denied_message(client_.user, settings_.client_host, used_password));
}

ServerHandshake::Action ServerHandshake::deny_clear_text(std::uint8_t seq, std::string& output) {
  // Checked after the password, as the server does: the message reveals nothing to a guesser.
  return fail(seq, output, 1045,
              fmt::format("Access denied for user '{}'@'{}': this account requires TLS (connect with SSL/TLS "
                          "enabled)",
                          client_.user, settings_.client_host));
}

ServerHandshake::Action ServerHandshake::fail(std::uint8_t seq, std::string& output, std::uint16_t code,
                                              std::string_view message) {
  state_ = State::finished;
  output = make_err_frame(static_cast<std::uint8_t>(seq + 1), code, code == 1045 ? "28000" : "08S01", message);
  return Action::send_and_fail;
}

}  // namespace rwproxy::protocol
