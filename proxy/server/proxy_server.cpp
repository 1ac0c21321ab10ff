#include "proxy/server/proxy_server.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <future>

#include "proxy/config/config_loader.hpp"
#include "proxy/net/tls_context.hpp"
#include "proxy/server/ports_file.hpp"
#include "proxy/server/routing_setup.hpp"

namespace rwproxy::server {

namespace {

constexpr std::size_t relay_buffer_size = 64 * 1024;  // one per statement being relayed

// `problems`: what is wrong with the [tls] files (the rest was checked by the config loader).
session::ReloadableSettings reloadable(std::shared_ptr<const config::Config> config,
                                      std::vector<config::ConfigProblem>& problems) {
  session::ReloadableSettings settings;
  settings.policy = std::make_shared<const router::RoutingPolicy>(make_routing_policy(*config));
  settings.users = std::make_shared<const session::UserDirectory>(*config);
  settings.admin_users =
      std::make_shared<const session::UserDirectory>(*config, session::UserDirectory::Accounts::admin);
  settings.tls = net::make_server_tls_context(config->tls, problems);
  settings.config = std::move(config);
  return settings;
}

net::BackendTlsContexts initial_backend_tls(const config::Config& config, Logger& logger) {
  std::vector<config::ConfigProblem> problems;  // main() refused to start with any
  auto contexts = net::make_backend_tls_contexts(config, problems);
  if (!problems.empty()) logger.error("[backend_tls]: {}", config::format_problems(problems));
  return contexts;
}

session::ReloadableSettings initial_settings(const config::Config& config, Logger& logger) {
  std::vector<config::ConfigProblem> problems;  // main() refused to start with any
  auto settings = reloadable(std::make_shared<const config::Config>(config), problems);
  if (!problems.empty()) logger.error("[tls]: {}", config::format_problems(problems));
  return settings;
}

}  // namespace

ProxyServer::ProxyServer(const config::Config& config, std::string config_path, Logger& logger,
                         std::string ports_file)
    : config_(config),
      config_path_(std::move(config_path)),
      ports_file_(std::move(ports_file)),
      logger_(logger),
      live_(initial_settings(config, logger)),
      directory_(config),
      health_(config, directory_, logger),
      rsa_keys_(config.proxy.caching_sha2_password_private_key_path),
      backend_tls_(initial_backend_tls(config, logger)),
      monitor_(config, health_, logger),
      workers_(config.proxy.worker_threads, logger),
      metrics_(workers_.size(), config::max_backends, config.metrics.top_digests * 4) {
  // pool.max_connections_per_backend and min_idle_connections are shared out among the workers.
  const std::size_t workers = workers_.size();
  // Worker i's share of `total`: the remainder goes to the first workers; at least 1 connection.
  auto share = [workers](std::size_t total, std::size_t i, std::size_t at_least) {
    return std::max(at_least, total / workers + (i < total % workers ? 1 : 0));
  };
  for (std::size_t i = 0; i < workers; ++i) {
    const backend::PoolLimits limits{share(config.pool.max_connections_per_backend, i, 1),
                                     share(config.pool.min_idle_connections, i, 0),
                                     std::chrono::milliseconds(config.pool.idle_timeout_ms)};
    metrics::WorkerCounters& counters = metrics_.worker(i);
    workers_.at(i).set_resources(
        std::unique_ptr<session::WorkerResources>(new session::WorkerResources{
            backend::BackendPools(config::max_backends, limits, counters.backends.get()),
            net::BufferPool(relay_buffer_size),
            net::DeadlineSweep(workers_.at(i).context().get_executor(),
                               net::DeadlineSweep::period_for(std::chrono::milliseconds(config.timeouts.query_timeout_ms))),
            session::PrepareResponseCache()}),
        counters, health_);
  }
}

void ProxyServer::start_metrics() {
  if (!config_.metrics.enabled) return;
  metrics::ExporterSettings settings{config_.metrics.listen_address, config_.metrics.listen_port,
                                     config_.metrics.top_digests, RWPROXY_VERSION_STRING};
  try {
    exporter_ = std::make_unique<metrics::MetricsExporter>(settings, metrics_, scrape_);
    logger_.info("metrics on http://{}:{}/metrics", config_.metrics.listen_address, exporter_->port());
  } catch (const std::exception& e) {
    logger_.error("cannot serve metrics on {}:{}: {}; running without metrics", config_.metrics.listen_address,
                  config_.metrics.listen_port, e.what());
  }
}

void ProxyServer::start_admin() {
  if (!config_.admin.enabled) return;
  admin_data_ = std::make_unique<AdminData>(
      AdminData::Parts{health_, metrics_, workers_, live_, counters_, [this] { return reload_from_admin(); }});
  admin_ = std::make_unique<admin::AdminServer>(config_, live_, *admin_data_, logger_);
  try {
    admin_->start();
    logger_.info("admin interface on {}:{}", config_.admin.listen_address, admin_->port());
  } catch (const std::exception& e) {
    logger_.error("cannot serve the admin interface on {}:{}: {}; running without it", config_.admin.listen_address,
                  config_.admin.listen_port, e.what());
    admin_.reset();
  }
}

bool ProxyServer::reload_from_admin() {
  // The reload runs on the main thread, as SIGHUP's does; the admin waits for its outcome.
  auto done = std::make_shared<std::promise<bool>>();
  auto outcome = done->get_future();
  asio::post(main_context_, [this, done] { done->set_value(reload()); });
  if (outcome.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return false;
  return outcome.get();
}

bool ProxyServer::publish_ports() {
  if (ports_file_.empty()) return true;
  BoundPorts ports;
  ports.listen_port = listener_.port();
  if (exporter_) ports.metrics_port = exporter_->port();
  if (admin_) ports.admin_port = admin_->port();
  const std::string problem = write_ports_file(ports_file_, ports);
  if (!problem.empty()) {
    logger_.error("--ports-file: {}", problem);
    return false;
  }
  return true;
}

int ProxyServer::run() {
  error_code ec;
  auto address = asio::ip::make_address(config_.proxy.listen_address, ec);
  if (ec) {
    logger_.error("proxy.listen_address '{}' is not an IP address", config_.proxy.listen_address);
    return 1;
  }
  tcp::endpoint endpoint(address, config_.proxy.listen_port);
  listener_.open(endpoint, ec);
  if (ec) {
    logger_.error("cannot listen on {}:{}: {}", config_.proxy.listen_address, config_.proxy.listen_port, ec.message());
    return 1;
  }
  logger_.info("rwproxy listening on {}:{} (master {}:{}, {} replica(s))", config_.proxy.listen_address,
               listener_.port(), config_.master()->host, config_.master()->port, config_.replicas().size());
  wait_for_signal();
  if (config_.monitor.enabled) monitor_.start();
  start_metrics();
  workers_.start();
  start_admin();
  if (!publish_ports()) {
    if (admin_) admin_->stop();
    workers_.stop();
    workers_.join();
    monitor_.stop();
    return 1;
  }
  listener_.start([this](Worker& worker, tcp::socket socket) { serve(worker, std::move(socket)); });
  main_context_.run();
  if (admin_) admin_->stop();
  workers_.stop();
  workers_.join();
  listener_.destroy();  // before the workers' io_contexts go
  workers_.discard_sessions();
  monitor_.stop();
  logger_.info("rwproxy stopped");
  return 0;
}

void ProxyServer::serve(Worker& worker, tcp::socket socket) {
  session::SessionContext context{config_, logger_,     live_,
                                  counters_, health_,     rsa_keys_,
                                  backend_tls_, metrics_.worker(worker.index()), worker.resources()};
  auto session = std::make_shared<session::ClientSession>(std::move(socket), context);
  asio::co_spawn(worker.context(), worker.serve(std::move(session)), asio::detached);
}

void ProxyServer::wait_for_signal() {
  signals_.async_wait([this](const error_code& e, int signal) {
    if (e) return;
    if (signal == SIGHUP) {
      reload();
      wait_for_signal();
      return;
    }
    logger_.info("signal {} received: shutting down", signal);
    begin_shutdown();
  });
}

bool ProxyServer::reload() {
  auto loaded = config::load_config_file(config_path_);
  if (!loaded.ok()) {
    reloads_.failed.fetch_add(1, std::memory_order_relaxed);
    logger_.error("config reload failed; the running configuration is kept:\n{}", config::format_problems(loaded.problems));
    return false;
  }
  for (const std::string& section : sections_needing_restart(config_, *loaded.config)) {
    logger_.warn("config reload: changes in {} take effect only after a restart", section);
  }
  // [backend_tls] takes effect at start: the backends' TLS modes are read against the running one,
  // and a mode no backend used at start has no TLS context to connect with.
  loaded.config->backend_tls = config_.backend_tls;
  std::vector<config::ConfigProblem> problems;
  for (std::size_t i = 0; i < loaded.config->backends.size(); ++i) {
    const config::BackendTlsMode mode = loaded.config->tls_mode(loaded.config->backends[i]);
    if (mode != config::BackendTlsMode::disabled && !backend_tls_.for_mode(mode)) {
      problems.push_back({fmt::format("backends[{}].tls_mode", i),
                          "no backend used this TLS mode when the proxy started: adding one needs a restart", {}});
    }
  }
  auto next = reloadable(std::make_shared<const config::Config>(std::move(*loaded.config)), problems);
  if (!problems.empty()) {
    reloads_.failed.fetch_add(1, std::memory_order_relaxed);
    for (auto& problem : problems) problem.source = config_path_;
    logger_.error("config reload failed; the running configuration is kept:\n{}", config::format_problems(problems));
    return false;
  }
  const std::shared_ptr<const config::Config> applied = next.config;
  live_.publish(std::move(next));
  apply_backends(*applied);
  reloads_.succeeded.fetch_add(1, std::memory_order_relaxed);
  logger_.info("config reloaded from {}: users, [routing], [[rules]], [[backends]] and the [tls] certificates are "
               "in effect",
               config_path_);
  return true;
}

void ProxyServer::apply_backends(const config::Config& config) {
  const backend::BackendChanges changes = health_.apply_backends(config);
  if (config_.monitor.enabled) monitor_.start();  // checks the added backends
  auto list = [](const std::vector<std::string>& names) { return fmt::format("{}", fmt::join(names, ", ")); };
  if (!changes.added.empty()) logger_.info("config reload: backends added: {}", list(changes.added));
  if (!changes.removed.empty()) {
    logger_.info("config reload: backends removed: {} (draining: running statements and transactions finish, then "
                 "their connections close)",
                 list(changes.removed));
  }
  if (!changes.reweighted.empty()) logger_.info("config reload: new weights for {}", list(changes.reweighted));
  if (!changes.refused.empty()) {
    logger_.error("config reload: no room for backends {}: a proxy knows at most {} backends over its life; restart "
                  "it to add more",
                  list(changes.refused), config::max_backends);
  }
}

void ProxyServer::begin_shutdown() {
  listener_.close();
  workers_.stop_sessions();
  wait_for_sessions(std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.timeouts.shutdown_timeout_ms));
}

void ProxyServer::wait_for_sessions(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t open = counters_.client_connections.load();
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (open > 0) logger_.warn("shutdown timeout: closing {} session(s) still running", open);
    main_context_.stop();
    return;
  }
  shutdown_timer_.expires_after(std::chrono::milliseconds(50));
  shutdown_timer_.async_wait([this, deadline](const error_code& e) {
    if (!e) wait_for_sessions(deadline);
  });
}

}  // namespace rwproxy::server
