// What the admin interface reads from the running proxy and changes in it. Implemented by
// server::AdminData; the admin server and its tables only see this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/digest_table.hpp"
#include "proxy/session/session_summary.hpp"

namespace rwproxy::admin {

struct BackendRow {
  std::string name, role, state, health, host;
  std::uint16_t port = 0;
  std::uint32_t weight = 0;
  std::optional<std::uint32_t> lag_ms;
  std::optional<bool> read_only;
  std::int64_t connections_open = 0, connections_busy = 0, connections_idle = 0;
  std::uint64_t statements = 0, connect_errors = 0, lost_connections = 0;
};

struct DigestRow {
  std::string hash;  // hex
  std::string text;
  std::uint64_t count = 0, sum_us = 0, max_us = 0, rows_sent = 0, rows_affected = 0, on_master = 0, on_replica = 0;
};

using Settings = std::vector<std::pair<std::string, std::string>>;  // name, value

class AdminSource {
 public:
  virtual ~AdminSource() = default;
  virtual std::vector<BackendRow> backends() = 0;
  virtual std::vector<session::SessionSummary> sessions() = 0;
  virtual std::vector<DigestRow> digests() = 0;  // most executed first
  virtual void reset_digests() = 0;
  // Empty on success, else why not (unknown backend, ...).
  virtual std::string set_backend_state(const std::string& name, const std::string& state) = 0;
  virtual std::string set_backend_weight(const std::string& name, std::uint32_t weight) = 0;
  virtual bool reload_config() = 0;  // as SIGHUP; the log says what changed or what was wrong
  virtual Settings running_config() = 0;
  virtual Settings status() = 0;
};

}  // namespace rwproxy::admin
