// Worker threads, each running its own io_context; a session lives on one worker.
#pragma once

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
  Worker(std::size_t index, Logger& logger) : index_(index), logger_(logger), guard_(asio::make_work_guard(context_)) {}

  std::size_t index() const { return index_; }

  asio::io_context& context() { return context_; }
  // Runs a session to its end on this worker (called on this worker's thread).
  awaitable<void> serve(std::shared_ptr<session::ClientSession> session);
  // Asks every session on this worker to finish its current statement and close.
  void stop_sessions();
  void start();
  void stop();
  void join();

 private:
  std::size_t index_;
  Logger& logger_;
  asio::io_context context_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::unordered_set<std::shared_ptr<session::ClientSession>> sessions_;  // touched on this thread only
  bool stopping_ = false;
  std::thread thread_;
};

class WorkerPool {
 public:
  WorkerPool(std::size_t count, Logger& logger);

  Worker& next();
  std::size_t size() const { return workers_.size(); }
  void start();
  void stop_sessions();
  void stop();
  void join();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  std::size_t next_ = 0;
};

}  // namespace rwproxy::server
