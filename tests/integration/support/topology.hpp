// The MariaDB topology started by scripts/topology.sh, read from its topology.env.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rwproxy::test {

struct Account {
  std::string user;
  std::string password;
};

struct Topology {
  std::string host;
  std::uint16_t master_port = 0;
  std::vector<std::uint16_t> replica_ports;
  Account app;
  Account admin;
  std::string app_db;
  std::filesystem::path proxy_config;  // the rwproxy.toml generated for this topology

  // Reads $RWPROXY_STATE_DIR/topology/topology.env; throws std::runtime_error if it is missing
  // or incomplete.
  static Topology load();
};

}  // namespace rwproxy::test
