#include "tests/integration/support/topology_control.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>

#include "tests/integration/support/environment.hpp"

namespace rwproxy::test {
namespace {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::filesystem::path source_dir() {
  if (const char* configured = std::getenv("RWPROXY_SOURCE_DIR"); configured != nullptr && *configured != '\0') {
    return configured;
  }
  // <root>/tests/integration/support/topology_control.cpp
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

::testing::AssertionResult run_topology_script(std::string_view args) {
  const std::filesystem::path script = source_dir() / "scripts" / "topology.sh";
  const std::filesystem::path log = artifact_path("topology-script.log");
  {
    std::ofstream(log, std::ios::app) << "== " << current_test_name() << ": topology.sh " << args << '\n';
  }
  const std::string command =
      "bash " + shell_quote(script.string()) + " " + std::string(args) + " >>" + shell_quote(log.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "topology.sh " << args << " failed (status " << status << "); see "
                                       << log.string();
}

std::string replica_name(std::size_t index) { return "replica" + std::to_string(index + 1); }
int replica_server_id(std::size_t index) { return static_cast<int>(index) + 2; }

pid_t server_pid(std::string_view name) {
  const std::filesystem::path path =
      std::filesystem::path(required_env("RWPROXY_STATE_DIR")) / "topology" / std::string(name) / "server.pid";
  std::ifstream in(path);
  std::string text;
  if (!(in >> text)) throw std::runtime_error("cannot read " + path.string());
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || pid <= 1) throw std::runtime_error(path.string() + ": bad pid '" + text + "'");
  return pid;
}

ConnectOptions admin_options(const Topology& topology, std::uint16_t port) {
  ConnectOptions options;
  options.host = topology.host;
  options.port = port;
  options.user = topology.admin.user;
  options.password = topology.admin.password;
  options.read_timeout_s = 30;
  return options;
}

std::unique_ptr<MysqlConnection> admin_connection(const Topology& topology, std::uint16_t port) {
  auto connection = std::make_unique<MysqlConnection>(admin_options(topology, port));
  if (!connection->connected()) {
    throw QueryFailed("connect as rwadmin to port " + std::to_string(port), connection->last_error());
  }
  return connection;
}

void set_master_delay(const Topology& topology, std::size_t index, int seconds) {
  auto replica = admin_connection(topology, topology.replica_ports.at(index));
  replica->execute("STOP SLAVE");
  replica->execute("CHANGE MASTER TO MASTER_DELAY = " + std::to_string(seconds));
  replica->execute("START SLAVE");
}

::testing::AssertionResult replicas_caught_up(const Topology& topology, std::chrono::seconds timeout) {
  try {
    auto master = admin_connection(topology, topology.master_port);
    const std::string position = master->scalar("SELECT @@global.gtid_binlog_pos").value_or("");
    for (std::size_t i = 0; i < topology.replica_ports.size(); ++i) {
      auto replica = admin_connection(topology, topology.replica_ports[i]);
      const auto result = replica->scalar("SELECT MASTER_GTID_WAIT('" + position + "', " +
                                          std::to_string(timeout.count()) + ")");
      if (result != "0") {
        return ::testing::AssertionFailure() << replica_name(i) << " did not reach master gtid " << position
                                             << " within " << timeout.count() << " s";
      }
    }
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << e.what();
  }
  return ::testing::AssertionSuccess();
}

ReplicationRestorer::~ReplicationRestorer() {
  for (std::size_t i = 0; i < topology_.replica_ports.size(); ++i) {
    try {
      set_master_delay(topology_, i, 0);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "restoring replication on " << replica_name(i) << ": " << e.what();
    }
  }
  EXPECT_TRUE(run_topology_script("wait-replication --timeout 60"));
}

}  // namespace rwproxy::test
