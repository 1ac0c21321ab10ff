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

std::string tls_required_message(std::string_view user, std::string_view host) {
  return fmt::format("Access denied for user '{}'@'{}': this account requires TLS (connect with SSL/TLS enabled)",
                     user, host);
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
    case State::sha2_switch_reply:
      return check_sha2_token(as_chars(payload), seq, output, true);
    case State::sha2_full_auth:
    case State::sha2_rsa_password:
      return on_sha2_full_auth(payload, seq, output);
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
  if (response.auth_plugin == caching_sha2_plugin && (response.capabilities & capability::plugin_auth)) {
    return check_sha2_token(response.auth_response, seq, output, false);
  }
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
  credential_ = lookup_(client_.user);
  TokenCheck check = check_native_token(credential_, token, settings_.scramble);
  if (!check.accepted) return deny(seq, output, !token.empty());
  return accept(check.stage1, seq, output);
}

ServerHandshake::Action ServerHandshake::accept(std::optional<Sha1Digest> stage1, std::uint8_t seq,
                                                std::string& output) {
  state_ = State::finished;
  if (credential_->require_tls && !tls_) return deny_clear_text(seq, output);
  client_.stage1 = stage1;
  client_.password = credential_->password;
  ok_sequence_ = static_cast<std::uint8_t>(seq + 1);
  return Action::send_and_done;
}

namespace {

// AuthMoreData: 0x01 then the plugin's data.
void append_auth_more_data(std::string& output, std::string_view data, std::uint8_t seq) {
  std::string payload(1, '\x01');
  payload.append(data);
  append_frames(output, payload, seq);
}

}  // namespace

ServerHandshake::Action ServerHandshake::check_sha2_token(std::string_view token, std::uint8_t seq,
                                                          std::string& output, bool after_switch) {
  credential_ = lookup_(client_.user);
  if (token.empty() && !after_switch && !(credential_ && credential_->empty_password)) {
    // No token: the client did not use the greeting's nonce (it was offered for another
    // plugin, as Connector/C does). Ask again, for caching_sha2_password with the same nonce.
    AuthSwitchRequest sw{std::string(caching_sha2_plugin), settings_.scramble};
    std::string body;
    sw.serialize(body);
    append_frames(output, body, static_cast<std::uint8_t>(seq + 1));
    state_ = State::sha2_switch_reply;
    return Action::send;
  }
  if (!credential_) return deny(seq, output, !token.empty());
  if (token.empty()) {  // an empty password
    if (!credential_->empty_password) return deny(seq, output, false);
    return accept(std::nullopt, seq, output);
  }
  if (credential_->empty_password) return deny(seq, output, true);
  if (credential_->sha2_hash) {
    // The fast path: the proxy knows the password's hash.
    if (!verify_caching_sha2_token(token, settings_.scramble, *credential_->sha2_hash)) return deny(seq, output, true);
    const std::string success(1, static_cast<char>(caching_sha2_fast_auth_success));
    append_auth_more_data(output, success, static_cast<std::uint8_t>(seq + 1));
    return accept(credential_->stage1, static_cast<std::uint8_t>(seq + 1), output);
  }
  // Only the mysql_native_password hash is known: the client must send the password itself.
  const std::string full(1, static_cast<char>(caching_sha2_perform_full_authentication));
  append_auth_more_data(output, full, static_cast<std::uint8_t>(seq + 1));
  state_ = State::sha2_full_auth;
  return Action::send;
}

ServerHandshake::Action ServerHandshake::on_sha2_full_auth(Bytes payload, std::uint8_t seq, std::string& output) {
  const std::string_view data = as_chars(payload);
  if (state_ == State::sha2_rsa_password) {
    std::optional<std::string> plain = settings_.rsa_keys ? settings_.rsa_keys->decrypt(data) : std::nullopt;
    if (!plain) return deny(seq, output, true);
    return check_clear_password(xor_with_nonce(*plain, settings_.scramble), seq, output);
  }
  if (tls_) return check_clear_password(data, seq, output);  // "password\0" over TLS
  if (data.size() == 1 && static_cast<std::uint8_t>(data[0]) == caching_sha2_request_public_key) {
    const std::string pem = settings_.rsa_keys ? settings_.rsa_keys->public_key_pem() : std::string();
    if (pem.empty()) {
      return fail(seq, output, 1045,
                  fmt::format("Access denied for user '{}'@'{}': caching_sha2_password needs TLS here (no RSA key)",
                              client_.user, settings_.client_host));
    }
    append_auth_more_data(output, pem, static_cast<std::uint8_t>(seq + 1));
    state_ = State::sha2_rsa_password;
    return Action::send;
  }
  // A password in clear text over an unencrypted connection: refused, as the server does.
  return fail(seq, output, 1045,
              fmt::format("Access denied for user '{}'@'{}': caching_sha2_password full authentication needs TLS or "
                          "the server's RSA public key",
                          client_.user, settings_.client_host));
}

ServerHandshake::Action ServerHandshake::check_clear_password(std::string_view password, std::uint8_t seq,
                                                              std::string& output) {
  if (!password.empty() && password.back() == '\0') password.remove_suffix(1);
  if (password.find('\0') != std::string_view::npos) return deny(seq, output, true);
  const bool matches = credential_->empty_password
                           ? password.empty()
                           : !password.empty() && native_password_hash(password) == credential_->hash;
  if (!matches) return deny(seq, output, !password.empty());
  std::optional<Sha1Digest> stage1;
  if (!password.empty()) stage1 = sha1(password);
  return accept(stage1, seq, output);
}

ServerHandshake::Action ServerHandshake::deny(std::uint8_t seq, std::string& output, bool used_password) {
  return fail(seq, output, 1045, access_denied_message(client_.user, settings_.client_host, used_password));
}

ServerHandshake::Action ServerHandshake::deny_clear_text(std::uint8_t seq, std::string& output) {
  // Checked after the password, as the server does: the message reveals nothing to a guesser.
  return fail(seq, output, 1045, tls_required_message(client_.user, settings_.client_host));
}

ServerHandshake::Action ServerHandshake::fail(std::uint8_t seq, std::string& output, std::uint16_t code,
                                              std::string_view message) {
  state_ = State::finished;
  output = make_err_frame(static_cast<std::uint8_t>(seq + 1), code, code == 1045 ? "28000" : "08S01", message);
  return Action::send_and_fail;
}

}  // namespace rwproxy::protocol
