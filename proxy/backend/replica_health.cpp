#include "proxy/backend/replica_health.hpp"

namespace rwproxy::backend {

ReplicaHealth::ReplicaHealth(const config::Config& config)
    : count_(config.replicas().size()),
      retry_interval_(config.routing.replica_retry_interval_ms),
      max_lag_ms_(config.routing.max_replica_lag_ms),
      readmit_lag_ms_(config.routing.readmit_replica_lag_ms),
      outstanding_(std::make_unique<std::atomic<std::uint32_t>[]>(count_)),
      monitored_(count_),
      lag_admitted_(count_, true),
      down_until_(count_, Clock::time_point::min()) {
  for (const config::Backend* replica : config.replicas()) {
    router::ReplicaState state;
    state.name = replica->name;
    state.weight = replica->weight;
    base_.push_back(std::move(state));
  }
  for (std::size_t i = 0; i < count_; ++i) outstanding_[i].store(0);
  std::lock_guard lock(mutex_);
  republish(Clock::now());
}

void ReplicaHealth::readmit_due(Clock::time_point now) {
  if (now.time_since_epoch().count() < next_retry_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(mutex_);
  republish(now);
}

std::shared_ptr<const router::ReplicaSnapshot> ReplicaHealth::snapshot(Clock::time_point now) {
  readmit_due(now);
  return snapshot_.load(std::memory_order_acquire);
}

const router::ReplicaSnapshot& ReplicaHealth::snapshot(Clock::time_point now, CachedSnapshot& cache) {
  readmit_due(now);
  const std::uint64_t published = published_version_.load(std::memory_order_acquire);
  if (!cache.snapshot || cache.version != published) {
    cache.snapshot = snapshot_.load(std::memory_order_acquire);  // this one or a newer one
    cache.version = published;
  }
  return *cache.snapshot;
}

void ReplicaHealth::report_failure(std::size_t replica, Clock::time_point now) {
  if (replica >= count_) return;
  std::lock_guard lock(mutex_);
  down_until_[replica] = now + retry_interval_;
  republish(now);
}

void ReplicaHealth::update_from_monitor(std::size_t replica, const MonitoredReplica& state, Clock::time_point now) {
  if (replica >= count_) return;
  std::lock_guard lock(mutex_);
  // A check that could not read the position keeps the last one: positions only grow.
  MonitoredReplica& kept = monitored_[replica];
  kept.up = state.up;
  kept.lag_ms = state.lag_ms;
  if (state.applied) kept.applied = state.applied;
  lag_admitted_[replica] = router::lag_gate(lag_admitted_[replica], state.lag_ms, max_lag_ms_, readmit_lag_ms_);
  republish(now);
}

void ReplicaHealth::republish(Clock::time_point now) {
  auto next = std::make_shared<router::ReplicaSnapshot>();
  next->replicas = base_;
  Clock::time_point earliest_retry = Clock::time_point::max();
  for (std::size_t i = 0; i < count_; ++i) {
    router::ReplicaState& r = next->replicas[i];
    const bool failed_recently = down_until_[i] > now;
    if (failed_recently) earliest_retry = std::min(earliest_retry, down_until_[i]);
    r.up = monitored_[i].up && !failed_recently;
    r.lag_ms = monitored_[i].lag_ms;
    r.lag_admitted = lag_admitted_[i];
    r.applied = monitored_[i].applied;
  }
  next->version = ++version_;
  next_retry_.store(earliest_retry.time_since_epoch().count(), std::memory_order_relaxed);
  snapshot_.store(std::move(next), std::memory_order_release);
  published_version_.store(version_, std::memory_order_release);
}

void ReplicaHealth::load_outstanding(std::span<std::uint32_t> out) const {
  for (std::size_t i = 0; i < out.size() && i < count_; ++i) out[i] = outstanding_[i].load(std::memory_order_relaxed);
}

}  // namespace rwproxy::backend
