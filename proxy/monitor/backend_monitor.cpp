#include "proxy/monitor/backend_monitor.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "proxy/monitor/health_tracker.hpp"
#include "proxy/monitor/mysql_probe.hpp"

namespace rwproxy::monitor {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A stable id per proxy instance (host + listen port), so several proxies can share the table.
std::uint64_t instance_id(const config::Config& config) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string key = fmt::format("{}:{}:{}", host, config.proxy.listen_address, config.proxy.listen_port);
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : key) hash = (hash ^ c) * 1099511628211ull;
  return hash >> 1;  // fits a signed BIGINT
}

ProbeTarget probe_target(const backend::BackendSlot& backend, const config::Config& config) {
  const config::Monitor& monitor = config.monitor;
  const config::BackendTlsMode mode = backend.tls_mode;
  return ProbeTarget{
      .host = backend.host,
      .port = backend.port,
      .user = monitor.user,
      .password = monitor.password,
      .timeout = std::chrono::milliseconds(monitor.connect_timeout_ms),
      .tls = mode != config::BackendTlsMode::disabled,
      .verify = mode == config::BackendTlsMode::verify_ca || mode == config::BackendTlsMode::verify_identity,
      .ca = config.backend_tls.ca,
      .certificate = config.backend_tls.certificate,
      .private_key = config.backend_tls.private_key,
  };
}

}  // namespace

BackendMonitor::BackendMonitor(const config::Config& config, backend::BackendHealth& health, Logger& logger)
    : config_(config),
      health_(health),
      logger_(logger),
      heartbeat_id_(instance_id(config)),
      check_durations_(std::make_unique<metrics::LatencyHistogram[]>(config::max_backends)),
      threads_running_(std::make_unique<std::atomic<int>[]>(config::max_backends)) {
  for (std::size_t i = 0; i < config::max_backends; ++i) threads_running_[i].store(-1);
}

std::optional<bool> BackendMonitor::threads_running(std::size_t slot) const {
  const int value = threads_running_[slot].load(std::memory_order_relaxed);
  if (value < 0) return std::nullopt;
  return value == 1;
}

BackendMonitor::~BackendMonitor() { stop(); }

void BackendMonitor::start() {
  std::lock_guard lock(threads_mutex_);
  {
    std::lock_guard stop_lock(stop_mutex_);
    if (stopping_) return;
  }
  for (std::size_t slot = threads_.size(); slot < health_.directory().size(); ++slot) {
    threads_.emplace_back([this, slot] { run_backend(slot); });
  }
}

void BackendMonitor::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  std::lock_guard lock(threads_mutex_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool BackendMonitor::wait_until(SteadyClock::time_point deadline) {
  std::unique_lock lock(stop_mutex_);
  return !stop_signal_.wait_until(lock, deadline, [this] { return stopping_; });
}

std::string BackendMonitor::heartbeat_select() const {
  return fmt::format("SELECT ts_us FROM {} WHERE id = {}", config_.monitor.heartbeat_table, heartbeat_id_);
}

void BackendMonitor::write_heartbeat(MysqlProbe& probe, const std::string& name, bool& table_ready,
                                     bool& heartbeat_ok) {
  const std::string& table = config_.monitor.heartbeat_table;
  if (!table_ready) {
    const std::string schema = table.substr(0, table.find('.'));
    table_ready = probe.execute(fmt::format("CREATE DATABASE IF NOT EXISTS {}", schema)) &&
                  probe.execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (id BIGINT PRIMARY KEY, ts_us BIGINT "
                                            "NOT NULL) ENGINE=InnoDB",
                                            table));
    if (!table_ready) logger_.warn("monitor: cannot create heartbeat table {} on '{}': {}", table, name, probe.last_error());
  }
  const std::int64_t ts = wall_clock_us();
  const std::string write = fmt::format(
      "INSERT INTO {} (id, ts_us) VALUES ({}, {}) ON DUPLICATE KEY UPDATE ts_us = VALUES(ts_us)", table,
      heartbeat_id_, ts);
  const bool written = table_ready && probe.execute(write);
  if (written) {
    std::lock_guard lock(lag_mutex_);
    lag_.wrote(ts);
  } else if (table_ready) {
    if (heartbeat_ok) logger_.warn("monitor: cannot write the heartbeat on '{}': {}", name, probe.last_error());
    table_ready = false;  // e.g. a master rebuilt without the table: create it again next time
  }
  heartbeat_ok = written;
}

void BackendMonitor::run_backend(std::size_t slot) {
  const config::Monitor& settings = config_.monitor;
  const backend::BackendSlot& backend = health_.directory().at(slot);
  MysqlProbe probe(probe_target(backend, config_));
  HealthTracker tracker(settings.down_after_failures, settings.up_after_successes);
  const auto interval = std::chrono::milliseconds(settings.interval_ms);
  const std::string select = heartbeat_select();
  bool table_ready = false;
  bool heartbeat_ok = true;
  bool was_up = true;
  bool access_denied_logged = false;
  auto next = SteadyClock::now();
  do {
    next += interval;
    const auto snapshot = health_.snapshot(SteadyClock::now());
    const backend::BackendStatus& status_now = snapshot->backends[slot];
    if (!status_now.present) continue;  // removed by a reload: idle until it comes back
    const bool is_master = status_now.role == backend::Role::master && snapshot->master == slot;
    backend::MonitoredBackend state;
    const auto started = SteadyClock::now();
    bool reachable = probe.check();
    if (!reachable && probe.last_failure_was_access_denied()) {
      // A refused monitor account says nothing about the backend's health: its health then comes
      // from the data path only, and writes are not failed for it.
      if (!access_denied_logged) logger_.error("monitor: backend '{}' refuses the monitor account: {}", backend.name,
                                               probe.last_error());
      access_denied_logged = true;
      health_.update_from_monitor(slot, backend::MonitoredBackend{}, SteadyClock::now());
      continue;
    }
    if (reachable) {
      if (auto read_only = probe.scalar("SELECT @@global.read_only")) state.writable = *read_only == "0";
    }
    if (reachable && is_master && settings.heartbeat) write_heartbeat(probe, backend.name, table_ready, heartbeat_ok);
    std::optional<ReplicationStatus> status;
    // Replication is checked on the master too: after a promotion or in a split brain it is what
    // tells a replica that still follows the writer from one that does not.
    if (reachable) {
      status = probe.replication_status();
      // An IO thread that is reconnecting (its master is down) still leaves a replica that has
      // applied everything it received: it keeps serving reads, and heartbeat lag tells how stale.
      state.replicating = status && (status->io_running || status->io_connecting) && status->sql_running;
      if (!status && probe.last_failure_was_access_denied()) {
        // Without SLAVE MONITOR the threads can't be seen: judge by reachability and lag alone.
        if (!access_denied_logged) logger_.error("monitor: cannot read replication status on '{}': {}", backend.name,
                                                 probe.last_error());
        access_denied_logged = true;
        state.replicating = true;
      }
      if (is_master) {
        // Its own heartbeat: no lag to measure.
      } else if (settings.heartbeat) {
        auto visible = probe.scalar(select);
        const std::int64_t now = wall_clock_us();
        if (visible) {
          std::lock_guard lock(lag_mutex_);
          state.lag_ms = lag_.lag_ms(std::stoll(*visible), now);
        }
      } else if (status && status->seconds_behind_master) {
        state.lag_ms = *status->seconds_behind_master * 1000;
      }
      // What MASTER_GTID_WAIT compares with: the transactions the SQL thread has applied.
      if (auto position = probe.scalar("SELECT @@global.gtid_slave_pos")) {
        state.applied = router::GtidPosition::parse(*position);
      }
    }
    check_durations_[slot].observe(SteadyClock::now() - started);
    if (status) threads_running_[slot].store(state.replicating ? 1 : 0, std::memory_order_relaxed);
    if (!status && reachable) threads_running_[slot].store(-1, std::memory_order_relaxed);
    state.reachable = tracker.record(reachable);
    health_.update_from_monitor(slot, state, SteadyClock::now());
    const bool up = state.reachable && (is_master || state.replicating);
    if (up != was_up) {
      logger_.log(up ? LogLevel::info : is_master ? LogLevel::error : LogLevel::warning,
                  "monitor: {} '{}' is {}{}", is_master ? "master" : "replica", backend.name, up ? "up" : "down",
                  up                ? std::string()
                  : !state.reachable ? ": " + probe.last_error()
                                     : ": replication not running " + (status ? status->last_error : std::string()));
      was_up = up;
    }
    if (next < SteadyClock::now()) next = SteadyClock::now();
  } while (wait_until(next));
}

}  // namespace rwproxy::monitor
