// Worker threads, each running its own io_context; a session lives on one worker.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include "proxy/asio.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/util/logger.hpp"

namespace rwproxy::server {

class Worker {
 public:
  Worker(std::size_t index, Logger& logger)
      : index_(index),
        logger_(logger),
        context_(std::make_unique<asio::io_context>(1)),
        guard_(asio::make_work_guard(*context_)) {}
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  std::size_t index() const { return index_; }

  asio::io_context& context() { return *context_; }
  // The pools and buffers this worker's sessions share (set once, before start()).
  void set_resources(std::unique_ptr<session::WorkerResources> resources, metrics::WorkerCounters& counters,
                     backend::BackendHealth& health) {
    resources_ = std::move(resources);
    counters_ = &counters;
    health_ = &health;
  }
  session::WorkerResources& resources() { return *resources_; }
  // Runs `fn(worker)` on this worker's thread, then `done()` (on that thread too).
  template <class Fn>
  void run_on(Fn fn) {
    asio::post(*context_, [this, fn = std::move(fn)]() mutable { fn(*this); });
  }
  // Runs a session to its end on this worker (called on this worker's thread). The client must
  // have been counted with add_client() first; it is uncounted when the session ends.
  awaitable<void> serve(std::shared_ptr<session::ClientSession> session);
  // Clients this worker serves or is about to (read from any thread, to balance new clients).
  std::uint32_t clients() const { return clients_.load(std::memory_order_relaxed); }
  void add_client() { clients_.fetch_add(1, std::memory_order_relaxed); }
  void remove_client() { clients_.fetch_sub(1, std::memory_order_relaxed); }
  // Asks every session on this worker to finish its current statement and close.
  void stop_sessions();
  void start();
  void stop();
  void join();
  // After join(): destroys what is left of the sessions (coroutines that never finished) while the
  // pools and the metrics they touch still exist.
  void discard_sessions();
  // Sends SHOW SESSIONS' rows of this worker's sessions to `out` (on this worker's thread).
  template <class Sink>
  void list_sessions(Sink&& out) const {
    for (const auto& session : sessions_) out(session->summary());
  }
  // Closes connections to backends that no longer serve: pooled, or held by idle sessions.
  void release_unserving(const backend::TopologySnapshot& topology, bool sessions_too);

 private:
  // Closes pooled connections idle past pool.idle_timeout_ms, every second; at shutdown, once
  // the sessions have ended, all of them. After the backends changed (drain, offline, removal,
  // promotion), also the idle connections to backends that no longer serve, pooled or held by
  // idle sessions.
  awaitable<void> trim_pools();

  std::size_t index_;
  Logger& logger_;
  std::unique_ptr<session::WorkerResources> resources_;  // outlives the sessions that use it
  metrics::WorkerCounters* counters_ = nullptr;
  backend::BackendHealth* health_ = nullptr;
  std::uint64_t topology_version_ = 0;
  std::unique_ptr<asio::io_context> context_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::unordered_set<std::shared_ptr<session::ClientSession>> sessions_;  // touched on this thread only
  bool stopping_ = false;
  std::atomic<std::uint32_t> clients_{0};
  std::thread thread_;
};

class WorkerPool {
 public:
  WorkerPool(std::size_t count, Logger& logger);

  // The worker with the fewest clients, `preferred` on a tie or when it has at most a few more
  // (an eighth of the least loaded one's count): a new client stays where it was accepted unless
  // that would unbalance the workers.
  Worker& balanced(Worker& preferred);
  Worker& at(std::size_t index) { return *workers_[index]; }
  std::size_t size() const { return workers_.size(); }
  void start();
  void stop_sessions();
  void stop();
  void join();
  void discard_sessions();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace rwproxy::server
