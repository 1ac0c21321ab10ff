// The admin interface's view of the running proxy (admin::AdminSource): backends from
// BackendHealth and the workers' counters, sessions asked of each worker on its own thread,
// digests merged over the workers, and the changes a DBA makes (state, weight, reload).
#pragma once

#include <chrono>
#include <functional>

#include "metrics/proxy_metrics.hpp"
#include "proxy/admin/admin_source.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/server/worker_pool.hpp"
#include "proxy/session/live_settings.hpp"
#include "proxy/session/session_context.hpp"

namespace rwproxy::server {

class AdminData : public admin::AdminSource {
 public:
  struct Parts {
    backend::BackendHealth& health;
    metrics::ProxyMetrics& metrics;
    WorkerPool& workers;
    const session::LiveSettings& live;
    const session::ConnectionCounters& counters;
    std::function<bool()> reload;  // as SIGHUP
  };
  explicit AdminData(Parts parts) : parts_(std::move(parts)) {}

  std::vector<admin::BackendRow> backends() override;
  std::vector<session::SessionSummary> sessions() override;
  std::vector<admin::DigestRow> digests() override;
  void reset_digests() override;
  std::string set_backend_state(const std::string& name, const std::string& state) override;
  std::string set_backend_weight(const std::string& name, std::uint32_t weight) override;
  bool reload_config() override { return parts_.reload(); }
  admin::Settings running_config() override;
  admin::Settings status() override;

 private:
  Parts parts_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace rwproxy::server
