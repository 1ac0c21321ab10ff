// The running proxy: client listener, workers, signal handling and graceful shutdown.
#pragma once

#include "metrics/exporter.hpp"
#include "metrics/proxy_metrics.hpp"
#include "proxy/asio.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/admin/admin_server.hpp"
#include "proxy/monitor/backend_monitor.hpp"
#include "proxy/server/admin_data.hpp"
#include "proxy/server/client_listener.hpp"
#include "proxy/server/scrape_view.hpp"
#include "proxy/server/worker_pool.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/user_directory.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::server {

class ProxyServer {
 public:
  // `config_path` is re-read on SIGHUP and the admin interface's RELOAD CONFIG (users, [routing],
  // [[rules]], [[backends]], [[admin_users]] and the [tls] files take effect at once).
  // `ports_file`, when not empty, receives the bound ports once the proxy listens (--ports-file).
  ProxyServer(const config::Config& config, std::string config_path, Logger& logger, std::string ports_file = {});

  // Listens and serves until SIGTERM/SIGINT; returns the process exit code.
  int run();
  // Re-reads the config file; true when it was valid and applied.
  bool reload();

 private:
  // Starts a session for a client the worker accepted (on that worker's thread).
  void serve(Worker& worker, tcp::socket socket);
  void begin_shutdown();
  // A reload's [[backends]]: added ones are checked and serve, removed ones drain.
  void apply_backends(const config::Config& config);
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);
  void start_metrics();
  void start_admin();
  bool reload_from_admin();
  bool publish_ports();
  void wait_for_signal();

  const config::Config& config_;
  std::string config_path_;
  std::string ports_file_;
  Logger& logger_;
  session::LiveSettings live_;
  ReloadCounters reloads_;
  session::ConnectionCounters counters_;
  backend::BackendDirectory directory_;
  backend::BackendHealth health_;
  protocol::RsaKeyPair rsa_keys_;
  net::BackendTlsContexts backend_tls_;
  monitor::BackendMonitor monitor_;
  ScrapeView scrape_{config_, health_, monitor_, counters_, reloads_};
  WorkerPool workers_;
  ClientListener listener_{workers_, logger_};  // its sockets are on the workers' io_contexts
  metrics::ProxyMetrics metrics_;
  asio::io_context main_context_{1};
  asio::signal_set signals_{main_context_, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer shutdown_timer_{main_context_};
  std::unique_ptr<metrics::MetricsExporter> exporter_;
  std::unique_ptr<AdminData> admin_data_;
  std::unique_ptr<admin::AdminServer> admin_;
};

}  // namespace rwproxy::server
