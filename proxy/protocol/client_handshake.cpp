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
  if (settings_.tls) {
    if (!(greeting_.capabilities & capability::ssl)) {
      return fail(proxy_error::backend_handshake, "Backend does not offer TLS, which the proxy's backend_tls mode requires");
    }
    // The SSL request: the response's first 32 bytes, with CLIENT_SSL and nothing after.
    std::string body;
    Writer w(body);
    w.u32(negotiated_ | capability::ssl);
    w.u32(settings_.max_packet_size);
    w.u8(settings_.collation ? settings_.collation : greeting_.collation);
    body.append(23, '\0');
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
  HandshakeResponse response;
  response.capabilities = negotiated_ | (settings_.tls ? capability::ssl : 0u);
  response.max_packet_size = settings_.max_packet_size;
  response.collation = settings_.collation ? settings_.collation : greeting_.collation;
  response.username = settings_.user;
  response.auth_plugin = std::string(native_password_plugin);
  response.auth_response = greeting_.auth_plugin == native_password_plugin || greeting_.auth_plugin.empty()
                               ? token_for(greeting_.scramble)
                               : std::string{};
  response.database = settings_.database;
  response.attributes = settings_.attributes;
  std::string body;
  response.serialize(body);
  append_frames(output, body, seq);
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
  if (!payload.empty() && payload[0] == 0xfe && !switched_) {
    AuthSwitchRequest sw;
    if (AuthSwitchRequest::deserialize(payload, sw)) return fail(proxy_error::backend_handshake, "Malformed auth switch from backend");
    if (sw.plugin != native_password_plugin) {
      return fail(1251, "Backend asks for authentication plugin '" + sw.plugin +
                            "'; rwproxy logs in to backends with mysql_native_password");
    }
    switched_ = true;
    append_frames(output, token_for(sw.plugin_data), static_cast<std::uint8_t>(seq + 1));
    return Action::send;
  }
  return fail(proxy_error::backend_handshake, "Unexpected packet from backend during authentication");
}

ClientHandshake::Action ClientHandshake::fail(std::uint16_t code, std::string message) {
  state_ = State::finished;
  error_ = ErrPacket{code, "HY000", std::move(message)};
  return Action::failed;
}

}  // namespace rwproxy::protocol
