#include "proxy/server/file_limit.hpp"

#include <sys/resource.h>

#include <fmt/format.h>

namespace rwproxy::server {

namespace {
constexpr std::uint64_t reserved_descriptors = 64;  // listeners, metrics, monitor, logs, epoll
}

FileLimit raise_file_limit() {
  FileLimit out;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return out;
  out.before = out.now = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) out.now = raised.rlim_cur;
  }
  return out;
}

std::uint64_t clients_allowed(std::uint64_t limit, const config::Config& config) {
  if (limit <= reserved_descriptors) return 0;
  const std::uint64_t backends = 1 + config.replicas().size();
  std::uint64_t available = limit - reserved_descriptors;
  if (config.pool.multiplexing) {
    const std::uint64_t pooled = backends * config.pool.max_connections_per_backend;
    return available > pooled ? available - pooled : 0;
  }
  return available / (1 + backends);
}

std::string describe_file_limit(const FileLimit& limit, const config::Config& config) {
  const std::uint64_t clients = clients_allowed(limit.now, config);
  std::string text =
      limit.now > limit.before
          ? fmt::format("open files limit raised from {} to {}: ", limit.before, limit.now)
          : fmt::format("open files limit {}: ", limit.now);
  text += fmt::format("room for {} client connections ({})", clients,
                      config.pool.multiplexing ? "multiplexed over the pools"
                                               : "each with its own connection to every backend");
  if (clients < config.proxy.max_client_connections) {
    text += fmt::format("; proxy.max_client_connections ({}) is more: raise the hard limit (ulimit -Hn, "
                        "LimitNOFILE=) or clients beyond it are refused",
                        config.proxy.max_client_connections);
  }
  return text;
}

}  // namespace rwproxy::server
