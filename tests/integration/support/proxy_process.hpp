// One rwproxy process for a test: its config (the topology's rwproxy.toml on a free port, with
// overrides), its log file, its lifetime. Destroying it sends SIGTERM and reports a crash, a
// non-zero exit or a hang as a test failure, with the end of the proxy's log.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tests/integration/support/topology.hpp"

namespace rwproxy::test {

struct ProxySettings {
  // "section.key" -> TOML value text, replacing the key in the base config or adding it:
  // {"proxy.max_packet_size", "1048576"}, {"timeouts.handshake_timeout_ms", "500"}.
  std::map<std::string, std::string> values;
  // When set, replaces every [[users]] table of the base config.
  std::optional<std::string> users_toml;
  // Leaves out the replica [[backends]]: every statement is served by the master.
  bool master_only = false;
  // Appended to the config as it stands (e.g. [[rules]] tables).
  std::string extra_toml;
};

// The base config with `settings` applied (pure; listen_port is one of the values). Keys are
// replaced where they stand, sections the base lacks are appended.
std::string rewrite_config(std::string_view base, const ProxySettings& settings);

class ProxyProcess {
 public:
  // Writes the config (listen_port = 0, metrics on port 0), starts $RWPROXY_BIN with --ports-file
  // and waits (10 s at most) until it has written the ports it bound.
  // Throws std::runtime_error (with the proxy's log) if it does not come up.
  ProxyProcess(const Topology& topology, ProxySettings settings = {});
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // Throws (with the proxy's log) when the proxy serves no metrics.
  std::uint16_t metrics_port() const;
  // Throws (with the proxy's log) when the proxy serves no admin interface.
  std::uint16_t admin_port() const;
  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  const std::filesystem::path& config_path() const { return config_path_; }

  bool running();
  void terminate();  // SIGTERM
  // The wait status (as from waitpid) once the process has exited, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string log_tail(std::size_t max_bytes = 16 * 1024) const;

 private:
  void spawn();
  void wait_until_listening(std::chrono::milliseconds timeout);

  std::filesystem::path binary_;
  std::filesystem::path config_path_;
  std::filesystem::path log_path_;
  std::filesystem::path ports_path_;
  std::uint16_t port_ = 0;
  std::optional<std::uint16_t> metrics_port_;
  std::optional<std::uint16_t> admin_port_;
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

// "exited with status 0", "killed by signal 11 (Segmentation fault)", ...
std::string describe_wait_status(int status);

}  // namespace rwproxy::test
