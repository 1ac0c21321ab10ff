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

inline config::Backend backend(std::string name, config::BackendRole role, std::string host) {
  config::Backend out;
  out.name = std::move(name);
  out.role = role;
  out.host = std::move(host);
  return out;
}

inline config::User user(std::string name, std::optional<bool> hints) {
  config::User out;
  out.name = std::move(name);
  out.password = "secret";
  out.hints = hints;
  return out;
}

inline config::Config topology() {
  config::Config config;
  config.backends = {
      backend("db-master", config::BackendRole::master, "10.0.0.1"),
      backend("replica1", config::BackendRole::replica, "10.0.0.2"),
      backend("replica2", config::BackendRole::replica, "10.0.0.3"),
  };
  config.users = {user("app", std::nullopt), user("batch", false)};
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
