// rwproxy configuration: plain values, loaded from TOML by config_loader.
// Pure: no sockets, no clocks. Every key here is documented in config/rwproxy.toml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::config {

enum class BackendRole { master, replica };

std::string_view to_string(BackendRole role);

struct Backend {
  std::string name;           // [[backends]] name = "replica1"; defaults to "<role><index>",
                              // index = position in [[backends]] (0-based)
  BackendRole role = BackendRole::replica;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::uint32_t weight = 1;   // replica selection weight 1..1000 (ignored for the master)
};

struct User {
  std::string name;
  // Exactly one of the two is set in a valid config.
  std::optional<std::string> password;       // clear text
  std::optional<std::string> password_hash;  // "*" + 40 hex digits, as in mysql.user
};

struct Timeouts {
  std::uint32_t connect_timeout_ms = 2000;      // backend TCP connect + handshake
  std::uint32_t handshake_timeout_ms = 5000;    // client must finish its handshake within this
  std::uint32_t client_idle_timeout_ms = 28800000;  // idle client closed after this (0 = never)
  std::uint32_t shutdown_timeout_ms = 10000;    // on SIGTERM, running statements get this long
                                                // (0 = close at once)
};

struct Proxy {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 6033;
  std::uint32_t worker_threads = 2;              // 0 = one per core
  std::uint32_t max_packet_size = 67108864;      // bytes; larger client packets are refused (ERR 1153)
  std::string server_version = "5.5.5-10.11.0-MariaDB-rwproxy";  // sent in the greeting
  std::uint32_t max_client_connections = 10000;
};

struct Config {
  Proxy proxy;
  Timeouts timeouts;
  std::vector<Backend> backends;  // exactly one master, zero or more replicas
  std::vector<User> users;

  const Backend* master() const;  // nullptr only in an unvalidated Config
  std::vector<const Backend*> replicas() const;
  const User* find_user(std::string_view name) const;  // exact (case-sensitive) match
};

}  // namespace rwproxy::config
