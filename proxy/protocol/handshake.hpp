// Connection-phase messages: Handshake v10 (server greeting), HandshakeResponse41,
// AuthSwitchRequest. Plain structs; deserialize returns views into the payload's string copy.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include <system_error>

#include "proxy/protocol/bytes.hpp"

namespace rwproxy::protocol {

inline constexpr std::string_view native_password_plugin = "mysql_native_password";

struct InitialHandshake {
  std::string server_version;
  std::uint32_t connection_id = 0;
  std::string scramble;  // 20 bytes of auth plugin data (without the trailing NUL)
  std::uint32_t capabilities = 0;
  std::uint8_t collation = 0;
  std::uint16_t status_flags = 0;
  std::string auth_plugin = std::string(native_password_plugin);

  void serialize(std::string& out) const;
  static std::error_code deserialize(Bytes payload, InitialHandshake& out);
};

struct HandshakeResponse {
  std::uint32_t capabilities = 0;
  std::uint32_t max_packet_size = 0;
  std::uint8_t collation = 0;
  std::string username;
  std::string auth_response;
  std::string database;  // only with CLIENT_CONNECT_WITH_DB
  std::string auth_plugin;  // only with CLIENT_PLUGIN_AUTH
  std::vector<std::pair<std::string, std::string>> attributes;  // CLIENT_CONNECT_ATTRS

  void serialize(std::string& out) const;
  static std::error_code deserialize(Bytes payload, HandshakeResponse& out);
};

// The short packet a client sends before TLS: capabilities with CLIENT_SSL and no user name.
bool is_ssl_request(Bytes payload);

struct AuthSwitchRequest {
  std::string plugin;
  std::string plugin_data;  // the scramble (without trailing NUL)

  void serialize(std::string& out) const;
  static std::error_code deserialize(Bytes payload, AuthSwitchRequest& out);
};

}  // namespace rwproxy::protocol

namespace rwproxy::protocol {

// COM_CHANGE_USER, as sent by a client (`capabilities` are the connection's negotiated ones).
struct ChangeUserRequest {
  std::string username;
  std::string auth_response;
  std::string database;
  std::uint16_t collation = 0;  // 0 when the client did not send one
  std::string auth_plugin;
  std::vector<std::pair<std::string, std::string>> attributes;

  static std::error_code deserialize(Bytes payload, std::uint32_t capabilities, ChangeUserRequest& out);
};

}  // namespace rwproxy::protocol
