#include "proxy/backend/connection_pool.hpp"

#include <algorithm>

namespace rwproxy::backend {

ConnectionPool::Bucket* ConnectionPool::find(const PoolKey& key) {
  for (Bucket& bucket : buckets_) {
    if (bucket.key == key) return &bucket;
  }
  return nullptr;
}

void ConnectionPool::count_idle(std::int64_t delta) {
  idle_count_ = static_cast<std::size_t>(static_cast<std::int64_t>(idle_count_) + delta);
  metrics::add(counters_.idle_connections, delta);
}

void ConnectionPool::wake_one() {
  if (waiters_.empty()) return;
  Waiter* waiter = waiters_.front();
  waiters_.pop_front();
  waiter->woken = true;
  waiter->timer->cancel();  // its expiry may already be queued: `woken` decides, not the error code
}

bool ConnectionPool::reserve() {
  if (limits_.max_connections != 0 && open_ >= limits_.max_connections) return false;
  ++open_;
  return true;
}

void ConnectionPool::release_slot() {
  if (open_ > 0) --open_;
  wake_one();
}

void ConnectionPool::put(const PoolKey& key, std::unique_ptr<BackendConnection> connection, Clock::time_point now) {
  Bucket* bucket = find(key);
  if (!bucket) {
    buckets_.push_back(Bucket{key, {}});
    bucket = &buckets_.back();
  }
  bucket->idle.push_back(Entry{std::move(connection), now});
  count_idle(1);
  wake_one();
}

std::unique_ptr<BackendConnection> ConnectionPool::evict() {
  Bucket* oldest_bucket = nullptr;
  for (Bucket& bucket : buckets_) {
    if (bucket.idle.empty()) continue;
    if (!oldest_bucket || bucket.idle.front().since < oldest_bucket->idle.front().since) oldest_bucket = &bucket;
  }
  if (!oldest_bucket) return nullptr;
  std::unique_ptr<BackendConnection> out = std::move(oldest_bucket->idle.front().connection);
  oldest_bucket->idle.erase(oldest_bucket->idle.begin());
  count_idle(-1);
  if (open_ > 0) --open_;
  return out;
}

awaitable<bool> ConnectionPool::wait(std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  Waiter waiter{&timer, false};
  waiters_.push_back(&waiter);
  // Off the list however this ends, even when the coroutine is destroyed while it waits.
  struct Leave {
    std::list<Waiter*>& list;
    std::list<Waiter*>::iterator self;
    Waiter& waiter;
    ~Leave() {
      if (!waiter.woken) list.erase(self);
    }
  } leave{waiters_, std::prev(waiters_.end()), waiter};
  error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return waiter.woken;
}

std::vector<std::unique_ptr<BackendConnection>> ConnectionPool::trim(Clock::time_point now) {
  std::vector<std::unique_ptr<BackendConnection>> out;
  for (Bucket& bucket : buckets_) {
    auto& idle = bucket.idle;
    std::size_t expired = 0;  // the oldest come first
    while (expired < idle.size() && now - idle[expired].since >= limits_.idle_timeout &&
           idle_count_ - out.size() > limits_.min_idle) {
      out.push_back(std::move(idle[expired].connection));
      ++expired;
    }
    idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(expired));
  }
  std::erase_if(buckets_, [](const Bucket& b) { return b.idle.empty(); });
  count_idle(-static_cast<std::int64_t>(out.size()));
  open_ -= std::min(open_, out.size());
  for (std::size_t i = 0; i < out.size(); ++i) wake_one();
  return out;
}

std::vector<std::unique_ptr<BackendConnection>> ConnectionPool::drain() {
  std::vector<std::unique_ptr<BackendConnection>> out;
  for (Bucket& bucket : buckets_) {
    for (Entry& entry : bucket.idle) out.push_back(std::move(entry.connection));
  }
  buckets_.clear();
  count_idle(-static_cast<std::int64_t>(out.size()));
  open_ -= std::min(open_, out.size());
  return out;
}

}  // namespace rwproxy::backend
