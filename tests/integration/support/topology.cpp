#include "tests/integration/support/topology.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "tests/integration/support/environment.hpp"

namespace rwproxy::test {
namespace {

using EnvFile = std::map<std::string, std::string>;

// Lines of the form NAME='value' (the only form topology.sh writes); comments are skipped.
EnvFile parse_env_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string() + " (is the topology up?)");
  EnvFile values;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    values[line.substr(0, eq)] = value;
  }
  return values;
}

const std::string& field(const EnvFile& env, const std::string& name) {
  auto it = env.find(name);
  if (it == env.end()) throw std::runtime_error("topology.env has no " + name);
  return it->second;
}

std::uint16_t parse_port(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    throw std::runtime_error("topology.env: bad port '" + text + "'");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Topology Topology::load() {
  const std::filesystem::path env_path =
      std::filesystem::path(required_env("RWPROXY_STATE_DIR")) / "topology" / "topology.env";
  const EnvFile env = parse_env_file(env_path);
  Topology topology;
  topology.host = field(env, "MASTER_HOST");
  topology.master_port = parse_port(field(env, "MASTER_PORT"));
  std::istringstream replicas(field(env, "REPLICA_PORTS"));
  for (std::string port; replicas >> port;) topology.replica_ports.push_back(parse_port(port));
  topology.app = {field(env, "APP_USER"), field(env, "APP_PASSWORD")};
  topology.admin = {field(env, "ADMIN_USER"), field(env, "ADMIN_PASSWORD")};
  topology.app_db = field(env, "APP_DB");
  topology.proxy_config = field(env, "PROXY_CONFIG");
  return topology;
}

}  // namespace rwproxy::test
