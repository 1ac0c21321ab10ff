// Decides where a statement goes: statement + session + replica snapshot + policy + now -> route
// with its reason, and the statement's digest when rules or metrics need it. Pure: the caller
// passes the snapshot, the load and the time; no sockets.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "parser/digest.hpp"
#include "parser/statement_info.hpp"
#include "router/replica_snapshot.hpp"
#include "router/route.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::session {

class StatementPlanner {
 public:
  // `rotation_seed` starts this session's tie-break rotation among equally loaded replicas. Give
  // each session a different one (its connection id), or every new session's first read would
  // go to the same replica.
  explicit StatementPlanner(std::uint64_t rotation_seed) : rotation_(rotation_seed) {}

  struct Input {
    const parser::StatementInfo& info;
    std::string_view sql;  // for the digest; empty for a prepared statement's execute
    const router::RoutingSession& session;
    const router::ReplicaSnapshot& replicas;
    std::span<const std::uint32_t> outstanding;  // statements running per replica
    router::Clock::time_point now;
  };

  // `digest_ready`: digest_of(input.sql) was called for this statement already.
  router::Route plan(const Input& input, const router::RoutingPolicy& policy, bool digest_ready = false);

  // The digest of `sql` (kept until the next call).
  const parser::Digest& digest_of(std::string_view sql);

 private:
  std::uint64_t rotation_;
  parser::Digest digest_;
};

}  // namespace rwproxy::session
