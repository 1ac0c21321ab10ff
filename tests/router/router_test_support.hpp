// Shared builders for router tests: statements, sessions, snapshots and a fixed clock.
// Nothing here reads the real clock; every test states the time it routes at.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "parser/statement_info.hpp"
#include "router/reason.hpp"
#include "router/replica_snapshot.hpp"
#include "router/route.hpp"
#include "router/router.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::router {

// gtest prints these in failure messages.
inline void PrintTo(Reason reason, std::ostream* os) { *os << to_string(reason); }
inline void PrintTo(Target target, std::ostream* os) {
  switch (target) {
    case Target::master: *os << "master"; return;
    case Target::replica: *os << "replica"; return;
    case Target::error: *os << "error"; return;
  }
  *os << "target(" << static_cast<int>(target) << ")";
}
inline void PrintTo(const Route& route, std::ostream* os) {
  PrintTo(route.target, os);
  if (route.target == Target::replica) *os << "[" << route.replica << "]";
  *os << " (" << to_string(route.reason) << ")";
  if (route.rule) *os << " rule#" << *route.rule;
}

namespace test {

using namespace std::chrono_literals;
using parser::StatementInfo;
using parser::StatementKind;
using parser::TableRef;
using parser::TransactionEffect;

// The fixed "now" of every router test: an arbitrary point well after the clock's epoch.
inline constexpr Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(24);

// A plain single-statement SELECT that a replica may serve.
inline StatementInfo read_statement(std::vector<TableRef> tables = {{"", "orders"}}) {
  StatementInfo info;
  info.kind = StatementKind::select;
  info.writes = false;
  info.read_only_safe = true;
  info.tables = std::move(tables);
  info.statement_count = 1;
  return info;
}

// A plain single-statement INSERT.
inline StatementInfo write_statement(std::vector<TableRef> tables = {{"", "orders"}}) {
  StatementInfo info;
  info.kind = StatementKind::insert;
  info.writes = true;
  info.read_only_safe = false;
  info.tables = std::move(tables);
  info.statement_count = 1;
  return info;
}

// A statement of the given kind that the classifier would mark as not replica-safe.
inline StatementInfo statement_of_kind(StatementKind kind, TransactionEffect effect = TransactionEffect::none) {
  StatementInfo info;
  info.kind = kind;
  info.writes = false;
  info.read_only_safe = false;
  info.transaction = effect;
  info.statement_count = 1;
  return info;
}

inline StatementInfo begin_read_only() {
  StatementInfo info = statement_of_kind(StatementKind::begin, TransactionEffect::begin_read_only);
  return info;
}

inline ReplicaState replica(std::string name, std::uint32_t weight = 1) {
  ReplicaState r;
  r.name = std::move(name);
  r.weight = weight;
  r.lag_ms = 0;
  return r;
}

inline ReplicaState down(ReplicaState r) {
  r.up = false;
  return r;
}

inline ReplicaState lagging(ReplicaState r, std::uint32_t lag_ms) {
  r.lag_ms = lag_ms;
  r.lag_admitted = false;
  return r;
}

inline ReplicaState with_lag(ReplicaState r, std::optional<std::uint32_t> lag_ms) {
  r.lag_ms = lag_ms;
  return r;
}

inline GtidPosition gtids(std::string_view text) {
  auto position = GtidPosition::parse(text);
  EXPECT_TRUE(position.has_value()) << text;
  return position.value_or(GtidPosition{});
}

inline ReplicaState applied(ReplicaState r, std::string_view position) {
  r.applied = gtids(position);
  return r;
}

inline ReplicaSnapshot snapshot(std::vector<ReplicaState> replicas) {
  ReplicaSnapshot s;
  s.replicas = std::move(replicas);
  s.version = 1;
  return s;
}

inline ReplicaSnapshot two_replicas() { return snapshot({replica("replica0"), replica("replica1")}); }

// Everything decide() reads, with defaults for "idle autocommit session, two healthy replicas".
struct Scenario {
  StatementInfo statement = read_statement();
  std::string digest_text;
  std::string user = "app";
  std::string schema = "shop";
  std::vector<std::string> temporary_tables;
  RoutingSession session = default_session();
  ReplicaSnapshot replicas = two_replicas();
  std::vector<std::uint32_t> outstanding;
  std::uint64_t rotation = 0;
  Clock::time_point now = t0;
  RoutingPolicy policy;
  // GTID positions the session carries (RoutingSession points at these).
  std::optional<GtidPosition> write_position;
  std::optional<GtidPosition> token_position;
  std::optional<GtidPosition> read_floor;

  static RoutingSession default_session() { return RoutingSession{}; }

  Route route() {
    RoutingSession s = session;
    s.user = user;
    s.schema = schema;
    if (!temporary_tables.empty()) s.temporary_tables = &temporary_tables;
    if (write_position) s.write_position = &*write_position;
    if (token_position) s.token_position = &*token_position;
    if (read_floor) s.read_floor = &*read_floor;
    RouteInput input{statement, digest_text, s, replicas, outstanding, rotation, now};
    return decide(input, policy);
  }
};

// Checks target and reason (and the replica index when the target is a replica).
inline ::testing::AssertionResult goes_to_master(const Route& route, Reason reason) {
  if (route.target == Target::master && route.reason == reason) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected master (" << to_string(reason) << "), got "
                                       << ::testing::PrintToString(route);
}

inline ::testing::AssertionResult goes_to_replica(const Route& route, std::size_t index, Reason reason) {
  if (route.target == Target::replica && route.replica == index && route.reason == reason) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected replica[" << index << "] (" << to_string(reason) << "), got "
                                       << ::testing::PrintToString(route);
}

inline ::testing::AssertionResult is_error(const Route& route, Reason reason) {
  if (route.target == Target::error && route.reason == reason) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected error (" << to_string(reason) << "), got "
                                       << ::testing::PrintToString(route);
}

inline Rule rule(std::string name, RuleRoute route) {
  Rule r;
  r.name = std::move(name);
  r.route = route;
  return r;
}

}  // namespace test
}  // namespace rwproxy::router
