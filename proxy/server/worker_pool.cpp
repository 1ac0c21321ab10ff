#include "proxy/server/worker_pool.hpp"

namespace rwproxy::server {

awaitable<void> Worker::serve(std::shared_ptr<session::ClientSession> session) {
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
  asio::post(context_, [this] {
    stopping_ = true;
    for (const auto& session : sessions_) session->request_stop();
  });
}

void Worker::start() {
  thread_ = std::thread([this] { context_.run(); });
}

void Worker::stop() {
  guard_.reset();
  context_.stop();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

WorkerPool::WorkerPool(std::size_t count, Logger& logger) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(i, logger));
}

Worker& WorkerPool::next() {
  Worker& worker = *workers_[next_];
  next_ = (next_ + 1) % workers_.size();
  return worker;
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

}  // namespace rwproxy::server
