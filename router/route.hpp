// A routing decision: where the statement goes, and why.
#pragma once

#include <cstdint>
#include <optional>

#include "router/reason.hpp"

namespace rwproxy::router {

enum class Target : std::uint8_t {
  master,
  replica,  // `replica` holds the index into the snapshot
  error,    // no backend may serve it (no_eligible_replica = "error")
};

struct Route {
  Target target = Target::master;
  Reason reason = Reason::unknown_statement;
  std::size_t replica = 0;               // valid when target == replica
  std::optional<std::size_t> rule;       // index of the matching [[rules]] entry
};

}  // namespace rwproxy::router
