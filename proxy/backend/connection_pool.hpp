// The idle connections to one backend on one worker, which the worker's client sessions borrow
// (connection multiplexing). Only the worker's thread touches it: no lock on the data path.
//
// A connection is idle here or lent to one session; the pool counts both against its cap. A
// session that finds no suitable idle connection opens one while the cap allows, else evicts an
// idle connection of another kind, else waits for one to come back.
#pragma once

#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "metrics/worker_counters.hpp"
#include "proxy/asio.hpp"
#include "proxy/backend/backend_connection.hpp"

namespace rwproxy::backend {

// Connections are shared only between sessions with the same key: the account they are logged
// in as and what the handshake fixed for the life of the connection.
struct PoolKey {
  std::string user;
  std::uint32_t capabilities = 0;  // the client's (CLIENT_DEPRECATE_EOF, FOUND_ROWS, ... differ)
  std::uint16_t collation = 0;     // the handshake's character set and collation
  bool operator==(const PoolKey&) const = default;
};

struct PoolLimits {
  std::size_t max_connections = 0;  // idle + lent on this worker; 0 = no cap
  std::size_t min_idle = 0;         // trim() keeps at least these
  std::chrono::milliseconds idle_timeout{60000};
};

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(PoolLimits limits, metrics::BackendCounters& counters) : limits_(limits), counters_(counters) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The idle connection for `key` that `score` rates highest (a negative score: unusable), taken
  // out of the pool; null when none. Only the most recently returned connections are looked at.
  template <class Score>
  std::unique_ptr<BackendConnection> take(const PoolKey& key, Score&& score, Clock::time_point* idle_since = nullptr);

  // Counts one more open connection against the cap; false when the pool is full.
  bool reserve();
  // A lent (or reserved) connection is gone: closed, broken, or its opening failed.
  void release_slot();
  // A lent connection comes back idle, usable by any session with `key`.
  void put(const PoolKey& key, std::unique_ptr<BackendConnection> connection, Clock::time_point now);
  // Takes out the least recently used idle connection to close it (it no longer counts); null
  // when none is idle.
  std::unique_ptr<BackendConnection> evict();
  // Waits until a connection comes back or a slot frees (true), or `timeout` passes (false).
  awaitable<bool> wait(std::chrono::milliseconds timeout);
  // Takes out the connections idle longer than the idle timeout, keeping min_idle; the caller
  // closes them.
  std::vector<std::unique_ptr<BackendConnection>> trim(Clock::time_point now);
  // Takes out every idle connection (shutdown).
  std::vector<std::unique_ptr<BackendConnection>> drain();

  std::size_t idle() const { return idle_count_; }
  std::size_t open() const { return open_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  static constexpr std::size_t max_scanned = 16;

  struct Entry {
    std::unique_ptr<BackendConnection> connection;
    Clock::time_point since;
  };
  struct Bucket {
    PoolKey key;
    std::vector<Entry> idle;  // most recently returned last
  };

  // A session waiting for a connection; wake_one() sets `woken` and takes it off the list.
  struct Waiter {
    asio::steady_timer* timer = nullptr;
    bool woken = false;
  };

  Bucket* find(const PoolKey& key);
  void wake_one();
  void count_idle(std::int64_t delta);

  PoolLimits limits_;
  metrics::BackendCounters& counters_;
  std::vector<Bucket> buckets_;
  std::size_t idle_count_ = 0;
  std::size_t open_ = 0;
  std::list<Waiter*> waiters_;
};

template <class Score>
std::unique_ptr<BackendConnection> ConnectionPool::take(const PoolKey& key, Score&& score,
                                                        Clock::time_point* idle_since) {
  Bucket* bucket = find(key);
  if (!bucket || bucket->idle.empty()) return nullptr;
  std::vector<Entry>& idle = bucket->idle;
  std::size_t best = idle.size();
  int best_score = -1;
  const std::size_t stop = idle.size() > max_scanned ? idle.size() - max_scanned : 0;
  for (std::size_t i = idle.size(); i-- > stop;) {
    const int s = score(static_cast<const BackendConnection&>(*idle[i].connection));
    if (s > best_score) {
      best_score = s;
      best = i;
    }
  }
  if (best == idle.size()) return nullptr;
  std::unique_ptr<BackendConnection> out = std::move(idle[best].connection);
  if (idle_since) *idle_since = idle[best].since;
  idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(best));
  count_idle(-1);
  return out;
}

// The pools of one worker: one per backend (index 0 the master, 1 + i replica i).
class BackendPools {
 public:
  BackendPools(std::size_t backend_count, PoolLimits limits, metrics::BackendCounters* counters) {
    pools_.reserve(backend_count);
    for (std::size_t i = 0; i < backend_count; ++i) pools_.push_back(std::make_unique<ConnectionPool>(limits, counters[i]));
  }
  ConnectionPool& at(std::size_t index) { return *pools_[index]; }
  std::size_t size() const { return pools_.size(); }

 private:
  std::vector<std::unique_ptr<ConnectionPool>> pools_;
};

}  // namespace rwproxy::backend
