// All workers' counters, plus what the exporter asks of the rest of the proxy at scrape time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/latency_histogram.hpp"
#include "metrics/worker_counters.hpp"

namespace rwproxy::metrics {

class ProxyMetrics {
 public:
  ProxyMetrics(std::size_t workers, std::size_t backend_count, std::size_t digest_slots) : backend_count_(backend_count) {
    for (std::size_t i = 0; i < workers; ++i) {
      workers_.push_back(std::make_unique<WorkerCounters>(backend_count, digest_slots));
    }
  }

  WorkerCounters& worker(std::size_t index) { return *workers_[index]; }
  const std::vector<std::unique_ptr<WorkerCounters>>& workers() const { return workers_; }
  std::size_t backend_count() const { return backend_count_; }

 private:
  std::size_t backend_count_;
  std::vector<std::unique_ptr<WorkerCounters>> workers_;
};

// One backend as the exporter shows it.
struct BackendView {
  std::size_t slot = 0;  // index of its counters in WorkerCounters::backends
  std::string name;
  std::string role;  // "master" | "replica"
  std::string state = "online";  // admin state: online | drain | offline
  std::uint32_t weight = 1;
  bool up = true;
  bool eligible = true;                      // replicas: the router may send reads there
  std::optional<double> lag_seconds;         // replicas, when measured
  std::optional<bool> threads_running;       // replicas, when the monitor checked
  const LatencyHistogram* monitor_check = nullptr;
};

// Where writes go.
struct WriterView {
  router::WriterProblem problem = router::WriterProblem::none;
  std::size_t writable_backends = 0;  // [monitor] follow_writer: backends with read_only=OFF
  std::uint64_t master_changes = 0;   // promotions followed
};

// Implemented by the proxy: the state that is read, not counted.
class ScrapeSource {
 public:
  virtual ~ScrapeSource() = default;
  virtual std::vector<BackendView> backends() const = 0;  // in slot order
  virtual WriterView writer() const = 0;
  virtual std::uint32_t client_connections() const = 0;
  virtual double max_replica_lag_seconds() const = 0;
  virtual std::uint64_t config_reloads(bool succeeded) const = 0;
};

}  // namespace rwproxy::metrics
