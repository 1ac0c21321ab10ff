// The running proxy: listener, workers, signal handling and graceful shutdown.
#pragma once

#include "metrics/exporter.hpp"
#include "metrics/proxy_metrics.hpp"
#include "proxy/asio.hpp"
#include "proxy/backend/replica_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/monitor/backend_monitor.hpp"
#include "proxy/server/worker_pool.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/user_directory.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::server {

class ProxyServer : public metrics::ScrapeSource {
 public:
  ProxyServer(const config::Config& config, Logger& logger);

  // Listens and serves until SIGTERM/SIGINT; returns the process exit code.
  int run();

  // metrics::ScrapeSource
  std::vector<metrics::BackendView> backends() const override;
  std::uint32_t client_connections() const override { return counters_.client_connections.load(); }
  double max_replica_lag_seconds() const override { return config_.routing.max_replica_lag_ms / 1000.0; }

 private:
  awaitable<void> accept_loop();
  void begin_shutdown();
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);
  void start_metrics();

  const config::Config& config_;
  Logger& logger_;
  session::UserDirectory users_;
  session::ConnectionCounters counters_;
  router::RoutingPolicy policy_;
  backend::ReplicaHealth health_;
  monitor::BackendMonitor monitor_;
  asio::io_context main_context_{1};
  tcp::acceptor acceptor_{main_context_};
  asio::signal_set signals_{main_context_, SIGINT, SIGTERM};
  asio::steady_timer shutdown_timer_{main_context_};
  WorkerPool workers_;
  metrics::ProxyMetrics metrics_;
  std::unique_ptr<metrics::MetricsExporter> exporter_;
};

}  // namespace rwproxy::server
