// What the Prometheus exporter reads from the running proxy at scrape time (metrics::ScrapeSource):
// the backends as BackendHealth and the monitor see them, where writes go, client connections and
// config reloads.
#pragma once

#include <atomic>
#include <cstdint>

#include "metrics/proxy_metrics.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/monitor/backend_monitor.hpp"
#include "proxy/session/session_context.hpp"

namespace rwproxy::server {

// Config reloads by outcome (SIGHUP and the admin interface's RELOAD CONFIG).
struct ReloadCounters {
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
};

class ScrapeView : public metrics::ScrapeSource {
 public:
  ScrapeView(const config::Config& config, backend::BackendHealth& health, const monitor::BackendMonitor& monitor,
             const session::ConnectionCounters& counters, const ReloadCounters& reloads)
      : config_(config), health_(health), monitor_(monitor), counters_(counters), reloads_(reloads) {}

  std::vector<metrics::BackendView> backends() const override;
  metrics::WriterView writer() const override;
  std::uint32_t client_connections() const override { return counters_.client_connections.load(); }
  double max_replica_lag_seconds() const override { return config_.routing.max_replica_lag_ms / 1000.0; }
  std::uint64_t config_reloads(bool succeeded) const override {
    return (succeeded ? reloads_.succeeded : reloads_.failed).load(std::memory_order_relaxed);
  }

 private:
  const config::Config& config_;
  backend::BackendHealth& health_;  // snapshot() may republish (a replica's retry time came)
  const monitor::BackendMonitor& monitor_;
  const session::ConnectionCounters& counters_;
  const ReloadCounters& reloads_;
};

}  // namespace rwproxy::server
