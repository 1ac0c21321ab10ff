// The backend monitor: one thread per backend, off the data path, each checking its backend
// every monitor.interval_ms with libmysqlclient. Whichever backend is the master writes the
// heartbeats; each replica's check reads them back, checks its replication threads and reads
// its applied GTID position. Every check also reads @@read_only, which with [monitor]
// follow_writer decides the master. Results go to BackendHealth, which the router reads
// without waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/latency_histogram.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/monitor/lag_estimator.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::monitor {

class BackendMonitor {
 public:
  BackendMonitor(const config::Config& config, backend::BackendHealth& health, Logger& logger);
  ~BackendMonitor();
  BackendMonitor(const BackendMonitor&) = delete;
  BackendMonitor& operator=(const BackendMonitor&) = delete;

  // Starts a thread for every backend slot that has none yet (at start, and after a reload
  // added backends).
  void start();
  void stop();
  // Duration of checks of the backend at `slot`.
  const metrics::LatencyHistogram& check_duration(std::size_t slot) const { return check_durations_[slot]; }
  // Whether the replica's IO and SQL threads ran at its last check (nullopt before the first,
  // or when the backend replicates from nobody).
  std::optional<bool> threads_running(std::size_t slot) const;

 private:
  void run_backend(std::size_t slot);
  // Master's part of a check: the heartbeat. `table_ready` persists between checks.
  void write_heartbeat(class MysqlProbe& probe, const std::string& name, bool& table_ready, bool& heartbeat_ok);
  // Waits until `deadline`; false when the monitor is stopping.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  std::string heartbeat_select() const;

  const config::Config& config_;
  backend::BackendHealth& health_;
  Logger& logger_;
  std::uint64_t heartbeat_id_;  // this proxy's row in the heartbeat table
  std::mutex lag_mutex_;
  LagEstimator lag_;            // guarded by lag_mutex_
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;       // guarded by stop_mutex_
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;  // threads_[slot]
  std::unique_ptr<metrics::LatencyHistogram[]> check_durations_;
  std::unique_ptr<std::atomic<int>[]> threads_running_;  // -1 unknown, 0, 1
};

}  // namespace rwproxy::monitor
