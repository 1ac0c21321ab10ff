// A routing decision: where the statement goes, and why.
#pragma once

#include <cstdint>
#include <optional>

#include "router/gtid_position.hpp"
#include "router/reason.hpp"

namespace rwproxy::router {

enum class Target : std::uint8_t {
  master,
  replica,  // `replica` holds the index into the snapshot
  error,    // no backend may serve it (no_eligible_replica = "error")
};

struct Route {
  Route() = default;
  Route(Target target_, Reason reason_, std::size_t replica_ = 0, std::optional<std::size_t> rule_ = std::nullopt)
      : target(target_), reason(reason_), replica(replica_), rule(rule_) {}

  Target target = Target::master;
  Reason reason = Reason::unknown_statement;
  std::size_t replica = 0;               // valid when target == replica
  std::optional<std::size_t> rule;       // index of the matching [[rules]] entry
  // Reason::causal_wait: the replica must first reach this position (MASTER_GTID_WAIT); if it
  // does not within the policy's causal_wait_timeout, the master serves the read.
  std::optional<GtidPosition> wait_for;
  // Where the read stands once served: the position it was known (or waited) to cover; the
  // session's monotonic-read floor rises to it.
  std::optional<GtidPosition> covers;
};

}  // namespace rwproxy::router
