// A small topology for explain tests: master "db-master", replicas "replica1" and "replica2",
// and a fixed "now".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "proxy/config/config.hpp"
#include "router/replica_snapshot.hpp"
#include "router/routing_policy.hpp"
#include "router/routing_session.hpp"

namespace rwproxy::explain::test {

using namespace std::chrono_literals;

inline constexpr router::Clock::time_point t0 = router::Clock::time_point{} + std::chrono::hours(24);

inline config::Config topology() {
  config::Config config;
  config.backends = {
      {"db-master", config::BackendRole::master, "10.0.0.1", 3306, 1},
      {"replica1", config::BackendRole::replica, "10.0.0.2", 3306, 1},
      {"replica2", config::BackendRole::replica, "10.0.0.3", 3306, 1},
  };
  config.users = {{"app", "secret", std::nullopt, std::nullopt}, {"batch", "secret", std::nullopt, false}};
  return config;
}

inline router::ReplicaSnapshot replicas(std::optional<std::uint32_t> lag1 = 0, std::optional<std::uint32_t> lag2 = 0) {
  router::ReplicaSnapshot snapshot;
  snapshot.replicas = {{"replica1", 1, true, true, lag1, std::nullopt}, {"replica2", 1, true, true, lag2, std::nullopt}};
  return snapshot;
}

inline router::RoutingPolicy policy() {
  router::RoutingPolicy policy;
  policy.read_after_write_window = 1000ms;
  policy.max_replica_lag_ms = 1000;
  return policy;
}

inline router::Rule rule(std::string name, router::RuleRoute route) {
  router::Rule rule;
  rule.name = std::move(name);
  rule.route = route;
  return rule;
}

// A fresh autocommit session of user "app" in schema "shop".
inline router::RoutingSession session() {
  router::RoutingSession session;
  session.user = "app";
  session.schema = "shop";
  return session;
}

}  // namespace rwproxy::explain::test
