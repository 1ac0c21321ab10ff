#include "proxy/backend/replica_health.hpp"

namespace rwproxy::backend {

ReplicaHealth::ReplicaHealth(const config::Config& config, std::chrono::milliseconds retry_interval)
    : count_(config.replicas().size()),
      retry_interval_(retry_interval),
      outstanding_(std::make_unique<std::atomic<std::uint32_t>[]>(count_)),
      down_until_(count_, Clock::time_point::min()) {
  auto snapshot = std::make_shared<router::ReplicaSnapshot>();
  for (const config::Backend* replica : config.replicas()) {
    router::ReplicaState state;
    state.name = replica->name;
    state.weight = replica->weight;
    snapshot->replicas.push_back(std::move(state));
  }
  snapshot_.store(std::move(snapshot));
  for (std::size_t i = 0; i < count_; ++i) outstanding_[i].store(0);
}

std::shared_ptr<const router::ReplicaSnapshot> ReplicaHealth::snapshot(Clock::time_point now) {
  if (now.time_since_epoch().count() >= next_retry_.load(std::memory_order_relaxed)) readmit(now);
  return snapshot_.load(std::memory_order_acquire);
}

void ReplicaHealth::publish(std::shared_ptr<const router::ReplicaSnapshot> snapshot) {
  snapshot_.store(std::move(snapshot), std::memory_order_release);
}

void ReplicaHealth::report_failure(std::size_t replica, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto current = snapshot_.load();
  if (replica >= current->replicas.size()) return;
  down_until_[replica] = now + retry_interval_;
  auto next = std::make_shared<router::ReplicaSnapshot>(*current);
  next->replicas[replica].up = false;
  next->version = current->version + 1;
  publish(std::move(next));
  Clock::time_point earliest = Clock::time_point::max();
  for (std::size_t i = 0; i < down_until_.size(); ++i) {
    if (!next->replicas.empty() && down_until_[i] > now) earliest = std::min(earliest, down_until_[i]);
  }
  next_retry_.store(earliest.time_since_epoch().count());
}

void ReplicaHealth::readmit(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto current = snapshot_.load();
  auto next = std::make_shared<router::ReplicaSnapshot>(*current);
  Clock::time_point earliest = Clock::time_point::max();
  bool changed = false;
  for (std::size_t i = 0; i < down_until_.size(); ++i) {
    if (next->replicas[i].up) continue;
    if (down_until_[i] <= now) {
      next->replicas[i].up = true;
      changed = true;
    } else {
      earliest = std::min(earliest, down_until_[i]);
    }
  }
  next_retry_.store(earliest.time_since_epoch().count());
  if (!changed) return;
  next->version = current->version + 1;
  publish(std::move(next));
}

void ReplicaHealth::load_outstanding(std::span<std::uint32_t> out) const {
  for (std::size_t i = 0; i < out.size() && i < count_; ++i) out[i] = outstanding_[i].load(std::memory_order_relaxed);
}

}  // namespace rwproxy::backend
