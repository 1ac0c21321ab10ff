#include "proxy/protocol/client_handshake.hpp"

#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::protocol {

ClientHandshake::Action ClientHandshake::on_packet(Bytes payload, std::uint8_t seq, std::string& output) {
  output.clear();
  switch (state_) {
    case State::greeting:
      return on_greeting(payload, seq, output);
    case State::auth_result:
    case State::sha2_public_key:
      return on_auth_result(payload, seq, output);
    case State::finished:
      break;
  }
  return fail(proxy_error::backend_handshake, "Malformed packet: data after the end of the handshake");
}

std::string ClientHandshake::token_for(std::string_view scramble) const {
  if (!settings_.stage1) return {};
  return native_password_token(*settings_.stage1, scramble);
}

std::string ClientHandshake::plugin_token(std::string_view scramble) const {
  if (sha2_) return caching_sha2_token(settings_.password.value_or(std::string()), scramble);
  return token_for(scramble);
}

ClientHandshake::Action ClientHandshake::on_greeting(Bytes payload, std::uint8_t seq, std::string& output) {
  if (is_err_packet(payload)) {
    ErrPacket::deserialize(payload, error_);
    state_ = State::finished;
    return Action::failed;
  }
  if (InitialHandshake::deserialize(payload, greeting_)) return fail(proxy_error::backend_handshake, "Malformed handshake from backend");
  const std::uint32_t required = capability::protocol_41 | capability::secure_connection;
  if ((greeting_.capabilities & required) != required) {
    return fail(proxy_error::backend_handshake, "Backend does not speak protocol 4.1 with secure connection");
  }
  negotiated_ = settings_.capabilities & greeting_.capabilities;
  negotiated_ |= capability::protocol_41 | capability::secure_connection | capability::plugin_auth;
  negotiated_ &= ~(capability::ssl | capability::compress);
  if (settings_.database.empty()) negotiated_ &= ~capability::connect_with_db;
  else negotiated_ |= capability::connect_with_db;
  if (!(greeting_.capabilities & capability::connect_attrs)) negotiated_ &= ~capability::connect_attrs;
  state_ = State::auth_result;
  // A MySQL 8 server greets with caching_sha2_password: answer with it when the password is known.
  sha2_ = greeting_.auth_plugin == caching_sha2_plugin && settings_.password.has_value();
  scramble_ = greeting_.scramble;
  if (settings_.tls) {
    if (!(greeting_.capabilities & capability::ssl)) {
      return fail(proxy_error::backend_handshake, "Backend does not offer TLS, which the proxy's backend_tls mode requires");
    }
    // The SSL request: the response's fixed first 32 bytes (flags with CLIENT_SSL, max packet,
    // collation, filler) and nothing after.
    constexpr std::size_t ssl_request_size = 32;
    std::string body = response_payload();
    body.resize(ssl_request_size);
    append_frames(output, body, static_cast<std::uint8_t>(seq + 1));
    response_sequence_ = static_cast<std::uint8_t>(seq + 2);
    return Action::start_tls;
  }
  append_response(output, static_cast<std::uint8_t>(seq + 1));
  return Action::send;
}

void ClientHandshake::response_after_tls(std::string& output) {
  output.clear();
  append_response(output, response_sequence_);
}

void ClientHandshake::append_response(std::string& output, std::uint8_t seq) const {
  append_frames(output, response_payload(), seq);
}

std::string ClientHandshake::response_payload() const {
  HandshakeResponse response;
  response.capabilities = negotiated_ | (settings_.tls ? capability::ssl : 0u);
  response.max_packet_size = settings_.max_packet_size;
  response.collation = settings_.collation ? settings_.collation : greeting_.collation;
  response.username = settings_.user;
  response.auth_plugin = std::string(sha2_ ? caching_sha2_plugin : native_password_plugin);
  if (sha2_) {
    response.auth_response = plugin_token(greeting_.scramble);
  } else if (greeting_.auth_plugin == native_password_plugin || greeting_.auth_plugin.empty()) {
    response.auth_response = token_for(greeting_.scramble);
  }
  response.database = settings_.database;
  response.attributes = settings_.attributes;
  std::string body;
  response.serialize(body);
  return body;
}

ClientHandshake::Action ClientHandshake::on_auth_result(Bytes payload, std::uint8_t seq, std::string& output) {
  if (is_ok_packet(payload)) {
    state_ = State::finished;
    return Action::done;
  }
  if (is_err_packet(payload)) {
    ErrPacket::deserialize(payload, error_);
    state_ = State::finished;
    return Action::failed;
  }
  if (!payload.empty() && payload[0] == 0x01 && payload.size() > 1 && sha2_) {
    return on_auth_more_data(payload, seq, output);
  }
  if (!payload.empty() && payload[0] == 0xfe && !switched_) {
    AuthSwitchRequest sw;
    if (AuthSwitchRequest::deserialize(payload, sw)) return fail(proxy_error::backend_handshake, "Malformed auth switch from backend");
    if (sw.plugin == caching_sha2_plugin && settings_.password) {
      sha2_ = true;
    } else if (sw.plugin == native_password_plugin) {
      sha2_ = false;
    } else {
      return fail(1251, "Backend asks for authentication plugin '" + sw.plugin +
                            "'; rwproxy logs in to backends with mysql_native_password, or caching_sha2_password "
                            "for users with a clear-text password in its config");
    }
    switched_ = true;
    scramble_ = sw.plugin_data;
    if (scramble_.size() > 20 && scramble_.back() == '\0') scramble_.pop_back();
    append_frames(output, plugin_token(scramble_), static_cast<std::uint8_t>(seq + 1));
    return Action::send;
  }
  return fail(proxy_error::backend_handshake, "Unexpected packet from backend during authentication");
}

ClientHandshake::Action ClientHandshake::on_auth_more_data(Bytes payload, std::uint8_t seq, std::string& output) {
  const std::string_view data = as_chars(payload).substr(1);
  if (state_ == State::sha2_public_key) {
    // The server's RSA public key: the password (NUL-terminated) XOR the nonce, encrypted.
    const std::string secret = xor_with_nonce(settings_.password.value_or(std::string()) + '\0', scramble_);
    auto encrypted = rsa_encrypt_with_public_key(data, secret);
    if (!encrypted) return fail(proxy_error::backend_handshake, "Unusable RSA public key from backend");
    state_ = State::auth_result;
    append_frames(output, *encrypted, static_cast<std::uint8_t>(seq + 1));
    return Action::send;
  }
  if (data.size() == 1 && static_cast<std::uint8_t>(data[0]) == caching_sha2_fast_auth_success) {
    return Action::send;  // nothing to send: the OK follows
  }
  if (data.size() == 1 && static_cast<std::uint8_t>(data[0]) == caching_sha2_perform_full_authentication) {
    if (settings_.tls) {
      append_frames(output, settings_.password.value_or(std::string()) + '\0', static_cast<std::uint8_t>(seq + 1));
    } else {
      const std::string request(1, static_cast<char>(caching_sha2_request_public_key));
      append_frames(output, request, static_cast<std::uint8_t>(seq + 1));
      state_ = State::sha2_public_key;
    }
    return Action::send;
  }
  return fail(proxy_error::backend_handshake, "Unexpected caching_sha2_password data from backend");
}

ClientHandshake::Action ClientHandshake::fail(std::uint16_t code, std::string message) {
  state_ = State::finished;
  error_ = ErrPacket{code, "HY000", std::move(message)};
  return Action::failed;
}

}  // namespace rwproxy::protocol
