#include "router/replica_selector.hpp"


namespace rwproxy::router {

namespace {

bool lag_ok(const ReplicaState& r, std::optional<std::uint32_t> max_lag_ms) {
  if (!max_lag_ms) return r.lag_admitted;
  return r.lag_ms.has_value() ? *r.lag_ms <= *max_lag_ms : r.lag_admitted;
}

struct Load {
  std::uint64_t outstanding = 0;
  std::uint64_t weight = 1;
  // a < b when a carries fewer outstanding statements per unit of weight
  bool operator<(const Load& o) const { return outstanding * o.weight < o.outstanding * weight; }
  bool operator==(const Load& o) const { return outstanding * o.weight == o.outstanding * weight; }
};

}  // namespace

ReplicaChoice choose_replica(const ReplicaSnapshot& snapshot, std::span<const std::uint32_t> outstanding,
                             std::optional<std::uint32_t> max_lag_ms, std::uint64_t rotation,
                             const GtidPosition* must_cover, std::optional<std::size_t> preferred) {
  ReplicaChoice choice;
  auto load_of = [&](std::size_t i) {
    return Load{i < outstanding.size() ? outstanding[i] : 0u, snapshot.replicas[i].weight};
  };
  auto eligible = [&](std::size_t i) {
    const ReplicaState& r = snapshot.replicas[i];
    if (!r.serving || !r.up || r.weight == 0 || !lag_ok(r, max_lag_ms)) return false;
    return !must_cover || must_cover->empty() || (r.applied && r.applied->covers(*must_cover));
  };
  if (preferred && *preferred < snapshot.replicas.size() && eligible(*preferred)) {
    choice.replica = preferred;
    return choice;
  }
  // Pass 1: the least load among eligible replicas.
  std::optional<Load> best;
  std::uint64_t tied_weight = 0;
  for (std::size_t i = 0; i < snapshot.replicas.size(); ++i) {
    const ReplicaState& r = snapshot.replicas[i];
    if (r.serving && r.up && r.weight > 0 && !lag_ok(r, max_lag_ms)) choice.lag_excluded_any = true;
    if (!eligible(i)) continue;
    Load load = load_of(i);
    if (!best || load < *best) {
      best = load;
      tied_weight = r.weight;
    } else if (load == *best) {
      tied_weight += r.weight;
    }
  }
  if (!best) return choice;
  // Pass 2: among the tied ones, a weighted rotation, so idle replicas share reads in
  // proportion to their weights.
  std::uint64_t slot = rotation % tied_weight;
  for (std::size_t i = 0; i < snapshot.replicas.size(); ++i) {
    if (!eligible(i) || !(load_of(i) == *best)) continue;
    const std::uint64_t w = snapshot.replicas[i].weight;
    if (slot < w) {
      choice.replica = i;
      break;
    }
    slot -= w;
  }
  return choice;
}

}  // namespace rwproxy::router
