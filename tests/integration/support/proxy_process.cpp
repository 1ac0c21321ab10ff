#include "tests/integration/support/proxy_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/integration/support/environment.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// "[proxy]" -> "proxy", "[[users]]" -> "[users]" (array tables keep one bracket), else nullopt.
std::optional<std::string> section_header(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line.front() != '[') return std::nullopt;
  const auto close = line.rfind(']');
  if (close == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(1, close - 1));
}

// The key of a "key = value" line, empty for anything else.
std::string_view line_key(std::string_view line) {
  line = trim(line);
  const auto eq = line.find('=');
  if (line.empty() || line.front() == '#' || eq == std::string_view::npos) return {};
  return trim(line.substr(0, eq));
}

// One TOML table: its header line and the lines up to the next header. The lines before the
// first header form a table with an empty name.
struct Table {
  std::string name;
  std::string header;
  std::vector<std::string> lines;

  bool has(std::string_view key, std::string_view value) const {
    for (const auto& line : lines) {
      if (line_key(line) == key && trim(line.substr(line.find('=') + 1)) == value) return true;
    }
    return false;
  }
};

std::vector<Table> split_tables(std::string_view toml) {
  std::vector<Table> tables(1);
  std::istringstream in{std::string(toml)};
  for (std::string line; std::getline(in, line);) {
    if (auto name = section_header(line)) {
      tables.push_back({*name, line, {}});
    } else {
      tables.back().lines.push_back(line);
    }
  }
  return tables;
}

bool is_left_out(const Table& table, const ProxySettings& settings) {
  if (settings.users_toml && table.name == "[users]") return true;
  return settings.master_only && table.name == "[backends]" && table.has("role", "\"replica\"");
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "listen_port=N\nmetrics_port=M\n" as written by rwproxy --ports-file; nullopt until it exists.
std::optional<std::map<std::string, std::uint16_t>> read_ports_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::map<std::string, std::uint16_t> ports;
  for (std::string line; std::getline(in, line);) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) throw std::runtime_error("malformed line in " + path.string() + ": " + line);
    ports[line.substr(0, equals)] = static_cast<std::uint16_t>(std::stoi(line.substr(equals + 1)));
  }
  return ports;
}

// Distinguishes the files of several proxies started by one test: "<test>-1", "<test>-2", ...
int next_instance(const std::string& test_name) {
  static std::map<std::string, int> instances;
  return ++instances[test_name];
}

}  // namespace

std::string rewrite_config(std::string_view base, const ProxySettings& settings) {
  std::map<std::string, std::map<std::string, std::string>> overrides;  // section -> key -> value
  for (const auto& [path, value] : settings.values) {
    const auto dot = path.find('.');
    overrides[path.substr(0, dot)][path.substr(dot + 1)] = value;
  }
  std::ostringstream out;
  std::set<std::string> present;
  for (const Table& table : split_tables(base)) {
    present.insert(table.name);
    if (is_left_out(table, settings)) continue;
    if (!table.header.empty()) out << table.header << '\n';
    const auto& replaced = overrides[table.name];
    for (const auto& [key, value] : replaced) out << key << " = " << value << '\n';
    for (const auto& line : table.lines) {
      if (!replaced.count(std::string(line_key(line)))) out << line << '\n';
    }
  }
  for (const auto& [name, values] : overrides) {
    if (present.count(name) || values.empty()) continue;
    out << "\n[" << name << "]\n";
    for (const auto& [key, value] : values) out << key << " = " << value << '\n';
  }
  if (settings.users_toml) out << '\n' << *settings.users_toml << '\n';
  if (!settings.extra_toml.empty()) out << '\n' << settings.extra_toml << '\n';
  return out.str();
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "wait status " + std::to_string(status);
}

ProxyProcess::ProxyProcess(const Topology& topology, ProxySettings settings)
    : binary_(required_env("RWPROXY_BIN")) {
  const std::string test_name = current_test_name();
  const std::string name = test_name + "-" + std::to_string(next_instance(test_name));
  config_path_ = artifact_path(name + ".toml");
  log_path_ = artifact_path(name + ".log");
  ports_path_ = artifact_path(name + ".ports");
  std::filesystem::remove(ports_path_);
  const std::string base = slurp(topology.proxy_config);
  // Port 0: the kernel picks free ports and the proxy reports them in its --ports-file (choosing
  // a port first and handing it over races with every other socket on the machine).
  settings.values["proxy.listen_port"] = "0";
  if (base.find("\n[metrics]") != std::string::npos) settings.values.try_emplace("metrics.listen_port", "0");
  // RWPROXY_IT_MULTIPLEXING=off runs the suite in one-connection-per-session mode (unless a test
  // chose a mode itself).
  if (const char* mode = std::getenv("RWPROXY_IT_MULTIPLEXING"); mode && std::string_view(mode) == "off") {
    settings.values.try_emplace("pool.multiplexing", "false");
  }
  std::ofstream(config_path_) << rewrite_config(base, settings);
  spawn();
  wait_until_listening(10s);
}

void ProxyProcess::spawn() {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_path_.string());
  std::vector<std::string> args{binary_.string(), "--config",     config_path_.string(),
                                "--log-level",    "debug",       "--ports-file",
                                ports_path_.string()};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    static constexpr char failed[] = "rwproxy test: execv failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, failed, sizeof failed - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
}

void ProxyProcess::wait_until_listening(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!running()) {
      throw std::runtime_error("rwproxy " + describe_wait_status(*wait_status_) + " during startup; log " +
                               log_path_.string() + ":\n" + log_tail());
    }
    if (auto ports = read_ports_file(ports_path_)) {
      port_ = (*ports)["listen_port"];
      if (auto metrics = ports->find("metrics_port"); metrics != ports->end()) metrics_port_ = metrics->second;
      if (auto admin = ports->find("admin_port"); admin != ports->end()) admin_port_ = admin->second;
      if (port_ == 0) throw std::runtime_error("no listen_port in " + ports_path_.string());
      return;
    }
    if (Clock::now() >= deadline) {
      throw std::runtime_error("rwproxy did not write " + ports_path_.string() + " within " +
                               std::to_string(timeout.count()) + " ms; log:\n" + log_tail());
    }
    std::this_thread::sleep_for(20ms);
  }
}

std::uint16_t ProxyProcess::metrics_port() const {
  if (!metrics_port_) {
    throw std::runtime_error("rwproxy serves no metrics (disabled, or the endpoint could not bind); log:\n" +
                             log_tail());
  }
  return *metrics_port_;
}

std::uint16_t ProxyProcess::admin_port() const {
  if (!admin_port_) throw std::runtime_error("rwproxy serves no admin interface; log:\n" + log_tail());
  return *admin_port_;
}

bool ProxyProcess::running() {
  if (wait_status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) wait_status_ = status;
  return !wait_status_;
}

void ProxyProcess::terminate() {
  if (running()) ::kill(pid_, SIGTERM);
}

std::optional<int> ProxyProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  return wait_status_;
}

std::string ProxyProcess::log_tail(std::size_t max_bytes) const {
  std::string log;
  try {
    log = slurp(log_path_);
  } catch (const std::exception& e) {
    return e.what();
  }
  if (log.size() <= max_bytes) return log;
  return "[...]\n" + log.substr(log.size() - max_bytes);
}

ProxyProcess::~ProxyProcess() {
  if (pid_ <= 0) return;
  if (running()) {
    terminate();
    if (!wait_exit(20s)) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      ADD_FAILURE() << "rwproxy (pid " << pid_ << ") did not exit within 20 s of SIGTERM; log "
                    << log_path_.string() << ":\n"
                    << log_tail();
      return;
    }
  }
  const int status = *wait_status_;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "rwproxy (pid " << pid_ << ") " << describe_wait_status(status) << "; log "
                  << log_path_.string() << ":\n"
                  << log_tail();
  }
}

}  // namespace rwproxy::test
