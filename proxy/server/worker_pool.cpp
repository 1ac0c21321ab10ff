#include "proxy/server/worker_pool.hpp"

namespace rwproxy::server {

awaitable<void> Worker::serve(std::shared_ptr<session::ClientSession> session) {
  struct Uncount {
    Worker& worker;
    ~Uncount() { worker.remove_client(); }
  } uncount{*this};
  if (stopping_) co_return;
  sessions_.insert(session);
  try {
    co_await session->run();
  } catch (const std::exception& e) {
    logger_.error("session ended by an unexpected exception: {}", e.what());
  }
  sessions_.erase(session);
}

void Worker::stop_sessions() {
  asio::post(*context_, [this] {
    stopping_ = true;
    for (const auto& session : sessions_) session->request_stop();
  });
}

awaitable<void> Worker::trim_pools() {
  asio::steady_timer timer(*context_);
  backend::BackendPools& pools = resources_->pools;
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const bool closing = stopping_ && sessions_.empty();
    if (health_ && !closing) {
      // Pools are checked every time (a connection may come back to the pool of a drained
      // backend when the transaction it ran ends); idle sessions only after a change.
      const bool changed = health_->version() != topology_version_;
      topology_version_ = health_->version();
      const auto topology = health_->snapshot(std::chrono::steady_clock::now());
      release_unserving(*topology, changed);
    }
    for (std::size_t i = 0; i < pools.size(); ++i) {
      auto idle = closing ? pools.at(i).drain() : pools.at(i).trim(std::chrono::steady_clock::now());
      for (auto& connection : idle) {
        metrics::add(counters_->backends[i].open_connections, -1);
        co_await connection->quit();
      }
    }
    if (closing || ec) co_return;
  }
}

void Worker::release_unserving(const backend::TopologySnapshot& topology, bool sessions_too) {
  if (sessions_too) {
    for (const auto& session : sessions_) session->release_unserving();
  }
  backend::BackendPools& pools = resources_->pools;
  for (std::size_t i = 0; i < pools.size() && i < topology.backends.size(); ++i) {
    if (topology.routing.replicas[i].serving || topology.master == i) continue;
    for (auto& connection : pools.at(i).drain()) {
      metrics::add(counters_->backends[i].open_connections, -1);
      connection->channel().close();
    }
  }
}

void Worker::start() {
  if (resources_) asio::co_spawn(*context_, [this] { return trim_pools(); }, asio::detached);
  thread_ = std::thread([this] { context_->run(); });
}

void Worker::stop() {
  guard_.reset();
  context_->stop();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::discard_sessions() {
  if (!context_) return;
  guard_.reset();
  sessions_.clear();
  // Idle pooled connections go first, while the io_context their sockets belong to exists; then
  // the coroutine frames still waiting, and the sessions with them (they give their connections
  // back to the pools, which outlive them).
  if (resources_) {
    for (std::size_t i = 0; i < resources_->pools.size(); ++i) resources_->pools.at(i).drain();
    resources_->deadlines.stop();  // its timer belongs to the io_context
  }
  context_.reset();
}

Worker::~Worker() { discard_sessions(); }

WorkerPool::WorkerPool(std::size_t count, Logger& logger) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(i, logger));
}

Worker& WorkerPool::balanced(Worker& preferred) {
  const std::uint32_t preferred_clients = preferred.clients();
  Worker* least = &preferred;
  std::uint32_t least_clients = preferred_clients;
  for (auto& w : workers_) {
    const std::uint32_t clients = w->clients();
    if (clients < least_clients) {
      least = w.get();
      least_clients = clients;
    }
  }
  const std::uint32_t slack = least_clients / 8;
  return preferred_clients > least_clients + slack ? *least : preferred;
}

void WorkerPool::start() {
  for (auto& w : workers_) w->start();
}
void WorkerPool::stop_sessions() {
  for (auto& w : workers_) w->stop_sessions();
}
void WorkerPool::stop() {
  for (auto& w : workers_) w->stop();
}
void WorkerPool::join() {
  for (auto& w : workers_) w->join();
}
void WorkerPool::discard_sessions() {
  for (auto& w : workers_) w->discard_sessions();
}

}  // namespace rwproxy::server
