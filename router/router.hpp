// The routing decision, pure: statement + session + replica health + policy + time → Route.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "parser/statement_info.hpp"
#include "router/replica_snapshot.hpp"
#include "router/route.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::router {

struct RouteInput {
  const parser::StatementInfo& statement;
  std::string_view digest_text;  // needed only when policy.rules_need_digest()
  const RoutingSession& session;
  const ReplicaSnapshot& replicas;
  std::span<const std::uint32_t> outstanding;  // statements running per replica
  std::uint64_t rotation = 0;                  // tie-breaker among equally loaded replicas
  Clock::time_point now;
};

Route decide(const RouteInput& input, const RoutingPolicy& policy);

}  // namespace rwproxy::router
