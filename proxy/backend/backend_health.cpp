#include "proxy/backend/backend_health.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rwproxy::backend {

std::string_view to_string(AdminState state) {
  switch (state) {
    case AdminState::online: return "online";
    case AdminState::drain: return "drain";
    case AdminState::offline: return "offline";
  }
  return "online";
}

std::optional<AdminState> admin_state_from(std::string_view text) {
  for (AdminState s : {AdminState::online, AdminState::drain, AdminState::offline}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

std::string_view to_string(Role role) { return role == Role::master ? "master" : "replica"; }

BackendHealth::BackendHealth(const config::Config& config, BackendDirectory& directory, Logger& logger)
    : directory_(directory),
      logger_(logger),
      follow_writer_(config.monitor.enabled && config.monitor.follow_writer),
      retry_interval_(config.routing.replica_retry_interval_ms),
      max_lag_ms_(config.routing.max_replica_lag_ms),
      readmit_lag_ms_(config.routing.readmit_replica_lag_ms),
      outstanding_(std::make_unique<std::atomic<std::uint32_t>[]>(config::max_backends)),
      slots_(config::max_backends) {
  for (std::size_t i = 0; i < config::max_backends; ++i) outstanding_[i].store(0);
  std::lock_guard lock(mutex_);
  for (const config::Backend& backend : config.backends) {
    const auto slot = directory_.slot_for(backend, config.tls_mode(backend));
    if (!slot) continue;  // the config loader allows no more than there are slots
    SlotState& s = slots_[*slot];
    s.present = true;
    s.configured_master = backend.role == config::BackendRole::master;
    s.weight = backend.weight;
    if (s.configured_master) master_ = *slot;
  }
  elect();
  republish(Clock::now());
}

void BackendHealth::readmit_due(Clock::time_point now) {
  if (now.time_since_epoch().count() < next_retry_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mutex_);
  republish(now);
}

std::shared_ptr<const TopologySnapshot> BackendHealth::snapshot(Clock::time_point now) {
  readmit_due(now);
  return snapshot_.load(std::memory_order_acquire);
}

const TopologySnapshot& BackendHealth::snapshot(Clock::time_point now, CachedSnapshot& cache) {
  readmit_due(now);
  const std::uint64_t published = published_version_.load(std::memory_order_acquire);
  if (!cache.snapshot || cache.version != published) {
    cache.snapshot = snapshot_.load(std::memory_order_acquire);  // this one or a newer one
    cache.version = published;
  }
  return *cache.snapshot;
}

void BackendHealth::report_failure(std::size_t slot, Clock::time_point now) {
  if (slot >= config::max_backends) return;
  std::lock_guard lock(mutex_);
  slots_[slot].down_until = now + retry_interval_;
  republish(now);
}

void BackendHealth::update_from_monitor(std::size_t slot, const MonitoredBackend& state, Clock::time_point now) {
  if (slot >= config::max_backends) return;
  std::lock_guard lock(mutex_);
  // A check that could not read the position keeps the last one: positions only grow.
  MonitoredBackend& kept = slots_[slot].monitored;
  const std::optional<router::GtidPosition> applied = state.applied ? state.applied : kept.applied;
  kept = state;
  kept.applied = applied;
  slots_[slot].lag_admitted = router::lag_gate(slots_[slot].lag_admitted, state.lag_ms, max_lag_ms_, readmit_lag_ms_);
  elect();
  republish(now);
}

bool BackendHealth::set_admin_state(std::size_t slot, AdminState state) {
  std::lock_guard lock(mutex_);
  if (slot >= directory_.size() || !slots_[slot].present) return false;
  slots_[slot].admin = state;
  elect();
  republish(Clock::now());
  return true;
}

bool BackendHealth::set_weight(std::size_t slot, std::uint32_t weight) {
  std::lock_guard lock(mutex_);
  if (slot >= directory_.size() || !slots_[slot].present) return false;
  slots_[slot].weight = weight;
  republish(Clock::now());
  return true;
}

BackendChanges BackendHealth::apply_backends(const config::Config& config) {
  BackendChanges changes;
  std::lock_guard lock(mutex_);
  std::vector<bool> keep(config::max_backends, false);
  for (const config::Backend& backend : config.backends) {
    const auto slot = directory_.slot_for(backend, config.tls_mode(backend));
    if (!slot) {
      changes.refused.push_back(backend.name);
      continue;
    }
    keep[*slot] = true;
    SlotState& s = slots_[*slot];
    if (!s.present) {
      s = SlotState{};  // comes back as new: online, health unknown (up until checked)
      s.present = true;
      changes.added.push_back(backend.name);
    } else if (s.weight != backend.weight) {
      changes.reweighted.push_back(backend.name);
    }
    s.weight = backend.weight;
    s.configured_master = backend.role == config::BackendRole::master;
  }
  for (std::size_t i = 0; i < directory_.size(); ++i) {
    if (slots_[i].present && !keep[i]) {
      slots_[i].present = false;
      changes.removed.push_back(directory_.at(i).name);
    }
  }
  elect();
  republish(Clock::now());
  return changes;
}

std::optional<std::size_t> BackendHealth::find_locked(std::string_view name) const {
  for (std::size_t i = 0; i < directory_.size(); ++i) {
    if (slots_[i].present && directory_.at(i).name == name) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> BackendHealth::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return find_locked(name);
}

void BackendHealth::elect() {
  const std::size_t n = directory_.size();
  std::vector<router::WriterCandidate> candidates(n);
  for (std::size_t i = 0; i < n; ++i) {
    const SlotState& s = slots_[i];
    candidates[i] = router::WriterCandidate{s.present && s.admin != AdminState::offline, s.monitored.reachable,
                                    s.monitored.writable, s.configured_master};
  }
  const router::WriterElection election = router::elect_writer(candidates, follow_writer_, master_);
  auto name = [this](std::size_t slot) { return "'" + directory_.at(slot).name + "'"; };
  if (election.problem != problem_ || election.writable != writable_ || (election.master && election.master != master_)) {
    if (election.problem == router::WriterProblem::split_brain) {
      std::vector<std::string> names;
      for (std::size_t slot : election.writable) names.push_back(name(slot));
      logger_.error("topology: split brain: {} all have read_only=OFF; writes are refused until only one is writable",
                    fmt::join(names, ", "));
    } else if (election.problem == router::WriterProblem::no_writer) {
      logger_.error("topology: no backend that is up has read_only=OFF; writes are refused until one is promoted");
    } else if (election.master && master_ && *election.master != *master_) {
      logger_.warn("topology: the master is now {} (was {}): writes go there", name(*election.master), name(*master_));
    } else if (election.problem == router::WriterProblem::none && problem_ != router::WriterProblem::none && election.master) {
      logger_.info("topology: writes go to {} again", name(*election.master));
    }
  }
  if (election.master && master_ && *election.master != *master_) {
    master_changes_.fetch_add(1, std::memory_order_relaxed);
  }
  if (election.master) master_ = election.master;
  problem_ = election.problem;
  writable_ = election.writable;
}

void BackendHealth::republish(Clock::time_point now) {
  auto next = std::make_shared<TopologySnapshot>();
  const std::size_t n = directory_.size();
  next->routing.replicas.resize(n);
  next->backends.resize(n);
  const bool writes_go = problem_ == router::WriterProblem::none || problem_ == router::WriterProblem::master_down;
  next->master = writes_go ? master_ : std::nullopt;
  next->problem = problem_;
  next->writable = writable_;
  Clock::time_point earliest_retry = Clock::time_point::max();
  for (std::size_t i = 0; i < n; ++i) {
    const SlotState& s = slots_[i];
    BackendStatus& b = next->backends[i];
    b.present = s.present;
    // In a split brain or with no writer, no backend is the master: they all show as replicas.
    b.role = next->master == i ? Role::master : Role::replica;
    b.admin = s.admin;
    b.up = s.monitored.reachable && (b.role == Role::master || s.monitored.replicating);
    b.writable = s.monitored.writable;
    b.weight = s.weight;
    router::ReplicaState& r = next->routing.replicas[i];
    r.name = directory_.at(i).name;
    r.weight = s.weight;
    const bool failed_recently = s.down_until > now;
    if (failed_recently) earliest_retry = std::min(earliest_retry, s.down_until);
    r.up = b.up && !failed_recently;
    r.lag_ms = s.monitored.lag_ms;
    r.lag_admitted = s.lag_admitted;
    r.applied = s.monitored.applied;
    // The master serves reads only as the master. In a split brain every backend is a replica
    // here: those still replicating (and healthy) go on serving reads.
    r.serving = s.present && s.admin == AdminState::online && b.role == Role::replica;
  }
  next->version = ++version_;
  next->routing.version = version_;
  next_retry_.store(earliest_retry.time_since_epoch().count(), std::memory_order_relaxed);
  snapshot_.store(std::move(next), std::memory_order_release);
  published_version_.store(version_, std::memory_order_release);
}

void BackendHealth::load_outstanding(std::span<std::uint32_t> out) const {
  for (std::size_t i = 0; i < out.size() && i < config::max_backends; ++i) {
    out[i] = outstanding_[i].load(std::memory_order_relaxed);
  }
}

}  // namespace rwproxy::backend
