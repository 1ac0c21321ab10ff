// The backends' roles and health, published as an immutable TopologySnapshot that sessions on
// every worker read without waiting (atomic shared_ptr).
//
// What feeds it: the backend monitor (reachable, replicating, read_only, lag in ms with the lag
// gate's hysteresis applied here, the applied GTID position), connection failures on the data
// path (a replica that fails is left out for `replica_retry_interval_ms`), the admin interface
// (online / drain / offline, weight) and config reloads (backends added, removed, re-weighted).
// From these it decides which backend takes the writes (writer_election.hpp) and which serve
// reads. Also counts the statements running on each backend, for least-outstanding selection.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxy/backend/backend_directory.hpp"
#include "router/writer_election.hpp"
#include "proxy/config/config.hpp"
#include "proxy/util/logger.hpp"
#include "router/replica_snapshot.hpp"

namespace rwproxy::backend {

// Set by the admin interface (lost on restart).
enum class AdminState : std::uint8_t {
  online,
  drain,    // no new statements; running ones and open transactions finish, then connections close
  offline,  // no statements; connections close at once
};
std::string_view to_string(AdminState state);
std::optional<AdminState> admin_state_from(std::string_view text);  // "online", "drain", "offline"

enum class Role : std::uint8_t { master, replica };
std::string_view to_string(Role role);

// What the monitor last concluded about one backend.
struct MonitoredBackend {
  bool reachable = true;                        // connects and answers (debounced)
  bool replicating = true;                      // both replication threads run (a replica's health)
  std::optional<bool> writable;                 // @@read_only = OFF; nullopt: not read
  std::optional<std::uint32_t> lag_ms;          // unknown until measured
  std::optional<router::GtidPosition> applied;  // @@gtid_slave_pos; nullopt: not read this time
};

// One backend as the snapshot shows it.
struct BackendStatus {
  bool present = false;  // in the running configuration (a removed backend's slot is not)
  Role role = Role::replica;
  AdminState admin = AdminState::online;
  bool up = true;        // master: reachable; replica: reachable and replicating
  std::optional<bool> writable;
  std::uint32_t weight = 1;
};

struct TopologySnapshot {
  router::ReplicaSnapshot routing;     // indexed by slot; `serving` only for online replicas
  std::vector<BackendStatus> backends;  // indexed by slot
  std::optional<std::size_t> master;    // the slot writes go to (see problem)
  router::WriterProblem problem = router::WriterProblem::none;
  std::vector<std::size_t> writable;    // follow_writer: the slots found writable
  std::uint64_t version = 0;
};

// What a reload changed, for the log.
struct BackendChanges {
  std::vector<std::string> added, removed, reweighted;
  std::vector<std::string> refused;  // no slot left (config::max_backends)
};

class BackendHealth {
 public:
  using Clock = std::chrono::steady_clock;

  BackendHealth(const config::Config& config, BackendDirectory& directory, Logger& logger);

  // The current snapshot; re-admits replicas whose retry time has come.
  std::shared_ptr<const TopologySnapshot> snapshot(Clock::time_point now);

  // A reader's own reference to the snapshot, taken again only when a newer one was published:
  // reading it per statement touches no reference count shared with other threads.
  struct CachedSnapshot {
    std::shared_ptr<const TopologySnapshot> snapshot;
    std::uint64_t version = 0;
  };
  const TopologySnapshot& snapshot(Clock::time_point now, CachedSnapshot& cache);
  std::uint64_t version() const { return published_version_.load(std::memory_order_acquire); }

  void report_failure(std::size_t slot, Clock::time_point now);
  void update_from_monitor(std::size_t slot, const MonitoredBackend& state, Clock::time_point now);

  // Admin interface. False when no present backend has that slot.
  bool set_admin_state(std::size_t slot, AdminState state);
  bool set_weight(std::size_t slot, std::uint32_t weight);
  // A reload: [[backends]] as in `config` (weights, added and removed backends; a backend whose
  // address changed is removed and added again).
  BackendChanges apply_backends(const config::Config& config);

  BackendDirectory& directory() { return directory_; }
  const BackendDirectory& directory() const { return directory_; }
  std::optional<std::size_t> find(std::string_view name) const;  // a present backend's slot

  void statement_started(std::size_t slot) { outstanding_[slot].fetch_add(1, std::memory_order_relaxed); }
  void statement_finished(std::size_t slot) { outstanding_[slot].fetch_sub(1, std::memory_order_relaxed); }
  // Copies the outstanding counts of slots [0, out.size()) into `out`.
  void load_outstanding(std::span<std::uint32_t> out) const;
  std::uint32_t outstanding(std::size_t slot) const { return outstanding_[slot].load(std::memory_order_relaxed); }
  // Times the writer changed (follow_writer), for the metrics.
  std::uint64_t master_changes() const { return master_changes_.load(std::memory_order_relaxed); }

 private:
  struct SlotState {
    bool present = false;
    bool configured_master = false;
    AdminState admin = AdminState::online;
    std::uint32_t weight = 1;
    MonitoredBackend monitored;
    bool lag_admitted = true;
    Clock::time_point down_until = Clock::time_point::min();
  };

  void republish(Clock::time_point now);  // mutex_ held
  void readmit_due(Clock::time_point now);
  void elect();                          // mutex_ held: master_, problem_, writable_
  std::optional<std::size_t> find_locked(std::string_view name) const;

  BackendDirectory& directory_;
  Logger& logger_;
  bool follow_writer_;
  std::chrono::milliseconds retry_interval_;
  std::uint32_t max_lag_ms_;
  std::uint32_t readmit_lag_ms_;
  std::atomic<std::shared_ptr<const TopologySnapshot>> snapshot_;
  std::atomic<std::uint64_t> published_version_{0};  // stored after snapshot_
  std::unique_ptr<std::atomic<std::uint32_t>[]> outstanding_;
  std::atomic<Clock::rep> next_retry_{Clock::time_point::max().time_since_epoch().count()};
  std::atomic<std::uint64_t> master_changes_{0};
  mutable std::mutex mutex_;  // serialises publishers; guards what follows
  std::vector<SlotState> slots_;  // config::max_backends, the first directory_.size() used
  std::optional<std::size_t> master_;
  router::WriterProblem problem_ = router::WriterProblem::none;
  std::vector<std::size_t> writable_;
  std::uint64_t version_ = 0;
};

}  // namespace rwproxy::backend
