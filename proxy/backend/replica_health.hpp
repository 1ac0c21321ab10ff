// Publishes the replicas' health as an immutable ReplicaSnapshot that sessions on every worker
// read without waiting (atomic shared_ptr). Until the backend monitor exists, health comes from
// the config and from connection failures on the data path: a replica that fails to connect is
// left out for `retry_interval`, then tried again. Also counts statements running per replica.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "proxy/config/config.hpp"
#include "router/replica_snapshot.hpp"

namespace rwproxy::backend {

class ReplicaHealth {
 public:
  using Clock = std::chrono::steady_clock;

  ReplicaHealth(const config::Config& config, std::chrono::milliseconds retry_interval);

  // The current snapshot; re-admits replicas whose retry time has come.
  std::shared_ptr<const router::ReplicaSnapshot> snapshot(Clock::time_point now);
  void report_failure(std::size_t replica, Clock::time_point now);
  void publish(std::shared_ptr<const router::ReplicaSnapshot> snapshot);

  std::size_t replica_count() const { return count_; }
  void statement_started(std::size_t replica) { outstanding_[replica].fetch_add(1, std::memory_order_relaxed); }
  void statement_finished(std::size_t replica) { outstanding_[replica].fetch_sub(1, std::memory_order_relaxed); }
  // Copies the outstanding counts into `out` (sized replica_count()).
  void load_outstanding(std::span<std::uint32_t> out) const;

 private:
  void readmit(Clock::time_point now);

  std::size_t count_;
  std::chrono::milliseconds retry_interval_;
  std::atomic<std::shared_ptr<const router::ReplicaSnapshot>> snapshot_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> outstanding_;
  std::atomic<Clock::rep> next_retry_{Clock::time_point::max().time_since_epoch().count()};
  std::mutex mutex_;                               // serialises publishers
  std::vector<Clock::time_point> down_until_;      // guarded by mutex_
};

}  // namespace rwproxy::backend
