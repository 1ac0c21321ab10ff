// Picks the replica for a read among the eligible ones: by weight, then least outstanding
// statements. Pure: the outstanding counts are passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "router/replica_snapshot.hpp"

namespace rwproxy::router {

struct ReplicaChoice {
  std::optional<std::size_t> replica;  // nullopt: none eligible
  bool lag_excluded_any = false;       // at least one live replica was left out for lag
};

// `max_lag_ms` overrides the snapshot's lag gate (a rule's own threshold). `outstanding[i]` is
// the number of statements now running on replica i (may be empty). `rotation` breaks ties.
// `must_cover`: only replicas known to have applied this position qualify. `preferred`: taken
// whenever it qualifies (a session stays on its replica), else the least loaded one.
ReplicaChoice choose_replica(const ReplicaSnapshot& snapshot, std::span<const std::uint32_t> outstanding,
                             std::optional<std::uint32_t> max_lag_ms, std::uint64_t rotation,
                             const GtidPosition* must_cover = nullptr,
                             std::optional<std::size_t> preferred = std::nullopt);

}  // namespace rwproxy::router
