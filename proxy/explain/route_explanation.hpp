// Why a statement goes where it goes: the router's decision together with everything it was
// based on (the statement's classification and digest, the session state it looked at, the
// replicas' health and the [[rules]]). Pure: the caller passes the session, the snapshot and
// the time, exactly as it would to router::decide().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/digest.hpp"
#include "parser/statement_info.hpp"
#include "proxy/config/config.hpp"
#include "router/replica_snapshot.hpp"
#include "router/route.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::explain {

// What the first matching [[rules]] entry did to this statement.
enum class RuleEffect : std::uint8_t {
  none,        // no rule matches
  decided,     // route = "master" / "replica": the rule chose the target (reason `rule`)
  lag_limit,   // route = "any": default routing, with the rule's max_replica_lag_ms if set
  overridden,  // it matches, but a reason of higher precedence decided first (a write, a hint, ...)
};

std::string_view to_string(RuleEffect effect);

struct ReplicaExplanation {
  std::string name;
  bool up = true;
  std::optional<std::uint32_t> lag_ms;  // unknown until measured
  std::uint32_t weight = 1;
  bool eligible = false;                // may serve this read now
  std::string excluded_because;         // empty when eligible: "down", "lag over 1000 ms", ...
  bool chosen = false;                  // the route's target
  std::optional<std::string> applied;   // GTID position the monitor last read (gtid_slave_pos)
};

struct SessionExplanation {
  bool in_transaction = false;
  bool autocommit = true;
  std::optional<std::string> read_only_transaction_replica;  // name of the replica running it
  bool pinned = false;
  bool hints_allowed = true;
  std::chrono::milliseconds read_after_write_window{0};  // the policy's window (0 = off)
  bool wrote_before = false;                              // the session has a last write
  std::optional<std::chrono::milliseconds> read_after_write_remaining;  // set while inside
  std::string consistency;       // the mode that applies to this statement (a rule may override)
  bool monotonic_reads = true;
  std::string write_position;    // GTIDs of the session's writes ("" = none)
  std::string token_position;    // a consistency token presented ("" = none)
  std::string read_floor;        // what the session has read (monotonic reads)
  std::optional<std::string> home_replica;
  // The session's backend connections: "multiplexed", "multiplexed, bound (<reason>)" or "own
  // (multiplexing off)". Set by the session (explain() leaves it empty: "-").
  std::string connections;
};

struct RouteExplanation {
  std::string statement;  // the SQL explained
  parser::StatementInfo info;
  parser::Digest digest;
  router::Route route;
  std::string target;   // "master", "replica" or "error" (ERR 1105 to the client)
  std::string backend;  // the backend's name; empty for "error"
  std::optional<std::string> rule;  // name of the first matching rule
  RuleEffect rule_effect = RuleEffect::none;
  std::optional<std::uint32_t> rule_max_replica_lag_ms;
  std::uint32_t max_replica_lag_ms = 0;  // the lag limit applied to this read
  SessionExplanation session;
  std::vector<ReplicaExplanation> replicas;  // in snapshot order
};

// Classifies and digests `sql`, routes it with router::decide() (no statements outstanding on
// any replica, rotation 0: among equally loaded replicas the first eligible one is named) and
// collects the inputs of the decision. `config` supplies backend names and the readmit threshold.
RouteExplanation explain(std::string_view sql, const router::RoutingSession& session,
                         const router::ReplicaSnapshot& replicas, const router::RoutingPolicy& policy,
                         const config::Config& config, router::Clock::time_point now);

// "master", "replica" or "error", as explain output and the metrics' `target` label write it.
std::string_view target_name(router::Target target);

// One sentence saying what a reason means ("a plain read on an eligible replica").
std::string_view describe(router::Reason reason);

}  // namespace rwproxy::explain
