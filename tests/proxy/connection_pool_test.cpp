// ConnectionPool's bookkeeping: the cap, taking by key and suitability, eviction, idle trimming
// with min_idle, and waiters woken by a returned connection. Connections are unconnected sockets.
#include "proxy/backend/connection_pool.hpp"

#include <gtest/gtest.h>

namespace rwproxy::backend {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionPool::Clock;

const PoolKey app{"app", 0x1234, 45};
const PoolKey other{"report", 0x1234, 45};

class ConnectionPoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<BackendConnection> connection(std::string schema = "shop") {
    auto c = std::make_unique<BackendConnection>(BackendAddress{"master", "127.0.0.1", 3306},
                                                 net::PacketChannel(tcp::socket(io_), 1 << 20));
    c->synced().schema = std::move(schema);
    return c;
  }
  static int any(const BackendConnection&) { return 0; }

  asio::io_context io_;
  metrics::BackendCounters counters_;
  const Clock::time_point t0 = Clock::time_point{} + 1h;
};

TEST_F(ConnectionPoolTest, TheCapCountsLentAndIdleConnections) {
  ConnectionPool pool(PoolLimits{2, 0, 60s}, counters_);
  EXPECT_TRUE(pool.reserve());
  EXPECT_TRUE(pool.reserve());
  EXPECT_FALSE(pool.reserve());
  pool.put(app, connection(), t0);  // back idle: still counted
  EXPECT_FALSE(pool.reserve());
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(counters_.idle_connections.load(), 1);
  pool.release_slot();  // the other one closed
  EXPECT_TRUE(pool.reserve());
}

TEST_F(ConnectionPoolTest, AConnectionIsTakenOnlyByItsKeyAndTheBestSuitedFirst) {
  ConnectionPool pool(PoolLimits{0, 0, 60s}, counters_);
  pool.put(app, connection("shop"), t0);
  pool.put(app, connection("crm"), t0 + 1s);
  pool.put(other, connection("shop"), t0 + 2s);
  auto prefer_shop = [](const BackendConnection& c) {
    return c.synced().schema == "shop" ? 2 : 1;
  };
  auto taken = pool.take(app, prefer_shop);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->synced().schema, "shop");
  auto refuse_all = [](const BackendConnection&) { return -1; };
  EXPECT_FALSE(pool.take(app, refuse_all)) << "a negative score means unusable";
  auto next = pool.take(app, any);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->synced().schema, "crm");
  EXPECT_FALSE(pool.take(app, any));
  EXPECT_EQ(pool.idle(), 1u);  // the other user's
}

TEST_F(ConnectionPoolTest, EvictTakesTheLeastRecentlyReturnedAndFreesItsSlot) {
  ConnectionPool pool(PoolLimits{2, 0, 60s}, counters_);
  ASSERT_TRUE(pool.reserve());
  ASSERT_TRUE(pool.reserve());
  pool.put(other, connection("old"), t0);
  pool.put(app, connection("new"), t0 + 5s);
  auto evicted = pool.evict();
  ASSERT_TRUE(evicted);
  EXPECT_EQ(evicted->synced().schema, "old");
  EXPECT_EQ(pool.open(), 1u);
  EXPECT_TRUE(pool.reserve());
}

TEST_F(ConnectionPoolTest, TrimClosesConnectionsIdlePastTheTimeoutButKeepsMinIdle) {
  ConnectionPool pool(PoolLimits{0, 1, 10s}, counters_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.reserve());
    pool.put(app, connection(), t0 + std::chrono::seconds(i));
  }
  EXPECT_TRUE(pool.trim(t0 + 5s).empty());
  auto closed = pool.trim(t0 + 30s);
  EXPECT_EQ(closed.size(), 2u);
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(pool.open(), 1u);
  EXPECT_EQ(counters_.idle_connections.load(), 1);
}

TEST_F(ConnectionPoolTest, AWaiterIsWokenByAReturnedConnectionOrTimesOut) {
  ConnectionPool pool(PoolLimits{1, 0, 60s}, counters_);
  ASSERT_TRUE(pool.reserve());
  std::optional<bool> woken;
  std::optional<bool> timed_out;
  asio::co_spawn(io_, [&]() -> awaitable<void> { woken = co_await pool.wait(5s); }, asio::detached);
  asio::co_spawn(io_, [&]() -> awaitable<void> {
    asio::steady_timer later(io_, 20ms);
    co_await later.async_wait(asio::use_awaitable);
    EXPECT_EQ(pool.waiting(), 1u);
    pool.put(app, connection(), Clock::now());
    timed_out = co_await pool.wait(30ms);
  }, asio::detached);
  io_.run_for(3s);
  EXPECT_EQ(woken, true);
  EXPECT_EQ(timed_out, false);
  EXPECT_EQ(pool.waiting(), 0u);
}

}  // namespace
}  // namespace rwproxy::backend
