// Publishes the replicas' health as an immutable ReplicaSnapshot that sessions on every worker
// read without waiting (atomic shared_ptr). Two sources feed it: the backend monitor (reachable,
// replicating, lag in ms, with the lag gate's hysteresis applied here) and connection failures on
// the data path (a replica that fails is left out for `replica_retry_interval_ms`). Also counts
// the statements running on each replica, for least-outstanding selection.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "proxy/config/config.hpp"
#include "router/replica_snapshot.hpp"

namespace rwproxy::backend {

// What the monitor last concluded about one replica.
struct MonitoredReplica {
  bool up = true;                       // reachable, and both replication threads running
  std::optional<std::uint32_t> lag_ms;  // unknown until measured
  std::optional<router::GtidPosition> applied;  // @@gtid_slave_pos; nullopt: not read this time
};

class ReplicaHealth {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReplicaHealth(const config::Config& config);

  // The current snapshot; re-admits replicas whose retry time has come.
  std::shared_ptr<const router::ReplicaSnapshot> snapshot(Clock::time_point now);

  // A reader's own reference to the snapshot, taken again only when a newer one was published:
  // reading it per statement touches no reference count shared with other threads.
  struct CachedSnapshot {
    std::shared_ptr<const router::ReplicaSnapshot> snapshot;
    std::uint64_t version = 0;
  };
  // The current snapshot (as snapshot(now)), through `cache`.
  const router::ReplicaSnapshot& snapshot(Clock::time_point now, CachedSnapshot& cache);
  void report_failure(std::size_t replica, Clock::time_point now);
  void update_from_monitor(std::size_t replica, const MonitoredReplica& state, Clock::time_point now);

  // The master's state as the monitor last saw it (always true without a monitor).
  void set_master_up(bool up) { master_up_.store(up, std::memory_order_relaxed); }
  bool master_up() const { return master_up_.load(std::memory_order_relaxed); }

  std::size_t replica_count() const { return count_; }
  void statement_started(std::size_t replica) { outstanding_[replica].fetch_add(1, std::memory_order_relaxed); }
  void statement_finished(std::size_t replica) { outstanding_[replica].fetch_sub(1, std::memory_order_relaxed); }
  // Copies the outstanding counts into `out` (sized replica_count() or less).
  void load_outstanding(std::span<std::uint32_t> out) const;

 private:
  void republish(Clock::time_point now);  // mutex_ held
  void readmit_due(Clock::time_point now);  // republishes when a failed replica's retry time came

  std::size_t count_;
  std::chrono::milliseconds retry_interval_;
  std::uint32_t max_lag_ms_;
  std::uint32_t readmit_lag_ms_;
  std::atomic<std::shared_ptr<const router::ReplicaSnapshot>> snapshot_;
  std::atomic<std::uint64_t> published_version_{0};  // stored after snapshot_
  std::unique_ptr<std::atomic<std::uint32_t>[]> outstanding_;
  std::atomic<bool> master_up_{true};
  std::atomic<Clock::rep> next_retry_{Clock::time_point::max().time_since_epoch().count()};
  std::mutex mutex_;  // serialises publishers; guards the vectors below
  std::vector<router::ReplicaState> base_;  // names and weights from the config
  std::vector<MonitoredReplica> monitored_;
  std::vector<bool> lag_admitted_;
  std::vector<Clock::time_point> down_until_;
  std::uint64_t version_ = 0;
};

}  // namespace rwproxy::backend
