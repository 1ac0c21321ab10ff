// The backend monitor: one thread per backend, off the data path, each checking its backend
// every monitor.interval_ms with libmysqlclient. The master's thread writes heartbeats; each
// replica's thread reads them back, checks its replication threads, and publishes the result to
// ReplicaHealth, which the router reads without waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/latency_histogram.hpp"
#include "proxy/backend/replica_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/monitor/lag_estimator.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::monitor {

class BackendMonitor {
 public:
  BackendMonitor(const config::Config& config, backend::ReplicaHealth& health, Logger& logger);
  ~BackendMonitor();
  BackendMonitor(const BackendMonitor&) = delete;
  BackendMonitor& operator=(const BackendMonitor&) = delete;

  void start();
  void stop();
  // Duration of checks of backend `index` (0 = master, 1 + i = replica i).
  const metrics::LatencyHistogram& check_duration(std::size_t index) const { return check_durations_[index]; }
  // Whether replica i's IO and SQL threads ran at its last check (nullopt before the first).
  std::optional<bool> threads_running(std::size_t replica) const;

 private:
  void run_master();
  void run_replica(std::size_t index);
  // Waits until `deadline`; false when the monitor is stopping.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  std::string heartbeat_select() const;

  const config::Config& config_;
  backend::ReplicaHealth& health_;
  Logger& logger_;
  std::uint64_t heartbeat_id_;  // this proxy's row in the heartbeat table
  std::mutex lag_mutex_;
  LagEstimator lag_;            // guarded by lag_mutex_
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;       // guarded by stop_mutex_
  std::vector<std::thread> threads_;
  std::unique_ptr<metrics::LatencyHistogram[]> check_durations_;
  std::unique_ptr<std::atomic<int>[]> threads_running_;  // -1 unknown, 0, 1
};

}  // namespace rwproxy::monitor
