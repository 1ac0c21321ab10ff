// The health of the replicas at one moment: an immutable value, published atomically by whoever
// watches the backends (config + connection failures now, the monitor later). The router reads it
// and never waits for its producer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/gtid_position.hpp"

namespace rwproxy::router {

struct ReplicaState {
  std::string name;
  std::uint32_t weight = 1;
  bool up = true;                      // reachable and replicating
  bool lag_admitted = true;            // lag gate: below max lag (with hysteresis)
  std::optional<std::uint32_t> lag_ms; // unknown until measured
  // What the replica has applied (@@gtid_slave_pos at the monitor's last check); nullopt until
  // known. It only grows, so a read covered by it stays covered.
  std::optional<GtidPosition> applied;
  // In the read rotation: a replica (not the master), not drained, offline or removed. The
  // selector considers no other entry, whatever its health.
  bool serving = true;
};

struct ReplicaSnapshot {
  std::vector<ReplicaState> replicas;  // index = replica index used in Route
  std::uint64_t version = 0;
};

// Hysteresis for the lag threshold: a replica is excluded once its lag exceeds `max_lag_ms`
// and admitted again only when it falls below `readmit_lag_ms`.
inline bool lag_gate(bool admitted_before, std::optional<std::uint32_t> lag_ms, std::uint32_t max_lag_ms,
                     std::uint32_t readmit_lag_ms) {
  if (!lag_ms) return admitted_before;
  if (admitted_before) return *lag_ms <= max_lag_ms;
  return *lag_ms < readmit_lag_ms;
}

}  // namespace rwproxy::router
