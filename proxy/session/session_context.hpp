// What every client session needs from the server around it, passed in (no globals).
#pragma once

#include <atomic>
#include <cstdint>

#include "metrics/worker_counters.hpp"
#include "proxy/backend/connection_pool.hpp"
#include "proxy/net/buffer_pool.hpp"
#include "proxy/net/deadline_sweep.hpp"
#include "proxy/net/tls_context.hpp"
#include "proxy/backend/backend_health.hpp"
#include "proxy/config/config.hpp"
#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/session/live_settings.hpp"
#include "proxy/session/prepare_response_cache.hpp"
#include "proxy/util/logger.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::session {

// Process-wide counters shared by all workers.
struct ConnectionCounters {
  std::atomic<std::uint32_t> next_connection_id{1};
  std::atomic<std::uint32_t> client_connections{0};
  // Numbers each session state (a login, a reset) so that pooled connections tell them apart.
  std::atomic<std::uint64_t> next_state_epoch{1};
};

// What one worker's sessions share; only that worker's thread touches it.
struct WorkerResources {
  backend::BackendPools pools;   // connection multiplexing
  net::BufferPool relay_buffers;  // read buffers of the response relay
  net::DeadlineSweep deadlines;   // query timeouts
  PrepareResponseCache prepare_responses;  // COM_STMT_PREPARE answered without a round trip
};

struct SessionContext {
  const config::Config& config;  // as at start: listeners, backends, timeouts
  Logger& logger;
  const LiveSettings& live;      // users, routing and rules: may change on reload
  ConnectionCounters& counters;
  backend::BackendHealth& health;
  protocol::RsaKeyPair& rsa_keys;    // caching_sha2_password without TLS
  const net::BackendTlsContexts& backend_tls;  // [backend_tls], made at start
  metrics::WorkerCounters& metrics;  // this session's worker's counters
  WorkerResources& worker;           // this session's worker's pools
};

}  // namespace rwproxy::session
