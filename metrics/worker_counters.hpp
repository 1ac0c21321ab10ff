// The hot-path counters of one worker thread. Only that worker writes them (relaxed atomics,
// no lock, no allocation per statement); the exporter sums all workers at scrape time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "metrics/digest_table.hpp"
#include "metrics/latency_histogram.hpp"
#include "router/bind_reason.hpp"
#include "router/reason.hpp"
#include "router/route.hpp"
#include "router/writer_election.hpp"

namespace rwproxy::metrics {

using Counter = std::atomic<std::uint64_t>;
using Gauge = std::atomic<std::int64_t>;

inline void bump(Counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
inline void add(Gauge& g, std::int64_t n) { g.fetch_add(n, std::memory_order_relaxed); }

// Per-backend counters, indexed by backend slot (backend::BackendDirectory).
struct BackendCounters {
  Counter statements{0};
  Counter connect_errors{0};
  Counter lost_connections{0};
  Gauge open_connections{0};
  Gauge busy_connections{0};
  // Connection multiplexing (pooled sessions only).
  Gauge idle_connections{0};    // in the pool, lent to no session
  Counter pool_waits{0};        // a statement waited for a connection of a full pool
  Counter pool_wait_timeouts{0};  // ... and got none within pool.acquire_timeout_ms (ERR 1040)
  Counter pool_resets{0};       // connections reset (COM_RESET_CONNECTION) for another session
};

class WorkerCounters {
 public:
  static constexpr std::size_t targets = 2;  // master, replica

  WorkerCounters(std::size_t backend_count, std::size_t digest_slots)
      : backends(std::make_unique<BackendCounters[]>(backend_count)), digests(digest_slots) {}

  void routed(router::Target target, router::Reason reason) {
    bump(routed_[target_index(target)][static_cast<std::size_t>(reason)]);
  }
  std::uint64_t routed_count(std::size_t target, std::size_t reason) const {
    return routed_[target].at(reason).load(std::memory_order_relaxed);
  }
  static std::size_t target_index(router::Target t) { return t == router::Target::replica ? 1 : 0; }

  std::unique_ptr<BackendCounters[]> backends;
  std::array<LatencyHistogram, targets> latency;
  Counter read_retries{0};
  // Binary prepared statements: client PREPAREs answered from the worker's cache, and statements
  // prepared on backend connections (a client PREPARE not cached, or an EXECUTE on a connection
  // that did not have it yet).
  Counter prepares_from_cache{0};
  Counter backend_prepares{0};
  Counter client_connections_total{0};
  Counter auth_failures{0};
  Counter bytes_received{0};
  Counter bytes_sent{0};
  // Read-your-writes: MASTER_GTID_WAIT before replica reads, and consistency tokens presented.
  LatencyHistogram causal_wait;
  Counter causal_waits_reached{0};
  Counter causal_waits_timed_out{0};
  Counter tokens_valid{0};
  Counter tokens_malformed{0};
  Counter tokens_unreachable{0};
  // Multiplexing: sessions that became bound to their backend connections, by reason, and how
  // many are bound now.
  std::array<Counter, router::bind_reason_count> session_pins{};
  // Statements refused because no backend took writes, by router::WriterProblem.
  std::array<Counter, std::size(router::all_writer_problems)> writes_refused{};
  Gauge bound_sessions{0};
  DigestTable digests;

 private:
  std::array<std::array<Counter, router::reason_count>, targets> routed_{};
};

}  // namespace rwproxy::metrics
