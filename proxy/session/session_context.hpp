// What every client session needs from the server around it, passed in (no globals).
#pragma once

#include <atomic>
#include <cstdint>

#include "metrics/worker_counters.hpp"
#include "proxy/backend/replica_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/session/live_settings.hpp"
#include "proxy/util/logger.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::session {

// Process-wide counters shared by all workers.
struct ConnectionCounters {
  std::atomic<std::uint32_t> next_connection_id{1};
  std::atomic<std::uint32_t> client_connections{0};
};

struct SessionContext {
  const config::Config& config;  // as at start: listeners, backends, timeouts
  Logger& logger;
  const LiveSettings& live;      // users, routing and rules: may change on reload
  ConnectionCounters& counters;
  backend::ReplicaHealth& health;
  metrics::WorkerCounters& metrics;  // this session's worker's counters
};

}  // namespace rwproxy::session
