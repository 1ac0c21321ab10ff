// DeadlineSweep over loopback sockets: a deadline that passes cancels the socket's pending read,
// one that is disarmed or moved does not, and the sweep's timer stops once nothing is armed (the
// io_context runs out of work).
#include "proxy/net/deadline_sweep.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string_view>

namespace rwproxy::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct SocketPair {
  asio::io_context io;
  tcp::socket near{io};
  tcp::socket far{io};
  SocketPair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    far.connect(acceptor.local_endpoint());
    acceptor.accept(near);
  }
};

struct ReadResult {
  std::optional<error_code> ec;
  std::size_t bytes = 0;
  Clock::time_point ended{};
};

// Starts a read on `socket` that records how it ended and then disarms `watch` (if any), as the
// relay does once the backend's bytes came.
void start_read(tcp::socket& socket, ReadResult& result, std::array<char, 16>& buffer,
                DeadlineSweep::Watch* watch = nullptr) {
  socket.async_read_some(asio::buffer(buffer), [&result, watch](const error_code& ec, std::size_t n) {
    if (watch) watch->disarm();
    result.ec = ec;
    result.bytes = n;
    result.ended = Clock::now();
  });
}

// Writes `text` to `socket` after `delay`.
void write_after(tcp::socket& socket, std::chrono::milliseconds delay, asio::steady_timer& timer) {
  timer.expires_after(delay);
  timer.async_wait([&socket](const error_code& ec) {
    if (!ec) asio::write(socket, asio::buffer(std::string_view("ping")));
  });
}

// One socket pair, a sweep checking every 5 ms, a watch on the near end and a read's outcome.
class DeadlineSweepTest : public ::testing::Test {
 protected:
  SocketPair pair;
  DeadlineSweep sweep{pair.io.get_executor(), 5ms};
  DeadlineSweep::Watch watch{sweep, pair.near};
  std::array<char, 16> buffer{};
  ReadResult read;
  asio::steady_timer writer{pair.io};
};

TEST_F(DeadlineSweepTest, APassedDeadlineCancelsThePendingReadAndTheSweepThenStops) {
  const auto armed_at = Clock::now();  // before arm() reads the clock: the deadline is after +30 ms
  watch.arm(30ms);
  EXPECT_EQ(sweep.armed(), 1u);
  start_read(pair.near, read, buffer);
  pair.io.run_for(5s);
  EXPECT_TRUE(pair.io.stopped()) << "the sweep's timer kept running with nothing armed";
  ASSERT_TRUE(read.ec.has_value());
  EXPECT_EQ(*read.ec, asio::error::operation_aborted);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(sweep.armed(), 0u);
  EXPECT_GE(read.ended - armed_at, 30ms);
  EXPECT_LT(read.ended - armed_at, 2s);
}

TEST_F(DeadlineSweepTest, ADisarmedDeadlineLetsTheReadWait) {
  watch.arm(20ms);
  watch.disarm();
  EXPECT_EQ(sweep.armed(), 0u);
  start_read(pair.near, read, buffer);
  write_after(pair.far, 100ms, writer);
  pair.io.run_for(5s);
  ASSERT_TRUE(read.ec.has_value());
  EXPECT_FALSE(*read.ec) << read.ec->message();
  EXPECT_EQ(read.bytes, 4u);
  EXPECT_FALSE(watch.expired());
}

TEST_F(DeadlineSweepTest, ReArmingMovesTheDeadline) {
  asio::steady_timer mover(pair.io);
  watch.arm(40ms);
  start_read(pair.near, read, buffer, &watch);
  mover.expires_after(20ms);
  mover.async_wait([&](const error_code&) { watch.arm(1000ms); });  // as each chunk of a reply does
  write_after(pair.far, 150ms, writer);
  pair.io.run_for(5s);
  ASSERT_TRUE(read.ec.has_value());
  EXPECT_FALSE(*read.ec) << read.ec->message();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(sweep.armed(), 0u);
}

TEST_F(DeadlineSweepTest, OnlyThePassedDeadlinesFireAndADestroyedWatchLeavesTheSweep) {
  DeadlineSweep::Watch late(sweep, pair.far);
  std::array<char, 16> buffer_near{}, buffer_far{};
  ReadResult near_read, far_read;
  {
    DeadlineSweep::Watch gone(sweep, pair.near);
    gone.arm(1ms);
    EXPECT_EQ(sweep.armed(), 1u);
  }
  EXPECT_EQ(sweep.armed(), 0u);
  DeadlineSweep::Watch soon(sweep, pair.near);
  soon.arm(20ms);
  late.arm(10s);
  EXPECT_EQ(sweep.armed(), 2u);
  start_read(pair.near, near_read, buffer_near);
  start_read(pair.far, far_read, buffer_far);
  pair.io.run_for(300ms);
  ASSERT_TRUE(near_read.ec.has_value());
  EXPECT_EQ(*near_read.ec, asio::error::operation_aborted);
  EXPECT_TRUE(soon.expired());
  EXPECT_FALSE(far_read.ec.has_value()) << "a deadline 10 s away fired";
  EXPECT_FALSE(late.expired());
  EXPECT_EQ(sweep.armed(), 1u);
}

TEST(DeadlineSweep, ThePeriodIsATenthOfTheTimeoutWithinBounds) {
  EXPECT_EQ(DeadlineSweep::period_for(0ms), 5ms);
  EXPECT_EQ(DeadlineSweep::period_for(200ms), 20ms);
  EXPECT_EQ(DeadlineSweep::period_for(30s), 100ms);
}

}  // namespace
}  // namespace rwproxy::net
