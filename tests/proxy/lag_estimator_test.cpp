// LagEstimator with heartbeats written every 250 ms at fixed microsecond times.
#include "proxy/monitor/lag_estimator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace rwproxy::monitor {
namespace {

constexpr std::int64_t base_us = 1'700'000'000'000'000;  // a fixed system-clock time
constexpr std::int64_t interval_us = 250'000;

constexpr std::int64_t heartbeat(int k) { return base_us + k * interval_us; }

// Heartbeats 0..last, every 250 ms.
void write_heartbeats(LagEstimator& estimator, int last) {
  for (int k = 0; k <= last; ++k) estimator.wrote(heartbeat(k));
}

// The newest heartbeat written at or before `t`: what a replica `t` behind has applied.
std::int64_t visible_at(std::int64_t t) { return base_us + (t - base_us) / interval_us * interval_us; }

TEST(LagEstimator, ReplicaThatAppliedTheLatestHeartbeatHasNoLag) {
  LagEstimator estimator;
  write_heartbeats(estimator, 40);
  EXPECT_EQ(estimator.latest(), heartbeat(40));
  EXPECT_EQ(estimator.lag_ms(heartbeat(40), heartbeat(40) + 200'000), 0u);
  EXPECT_EQ(estimator.lag_ms(heartbeat(40) + 1, heartbeat(40) + 200'000), 0u);  // newer than we know
}

TEST(LagEstimator, ReplicaTwoSecondsBehindIsWithinHalfAnInterval) {
  LagEstimator estimator;
  write_heartbeats(estimator, 40);  // 0 .. 10 s
  // At every phase between two heartbeats, the replica applies what was written 2 s before now.
  for (std::int64_t offset_us = 0; offset_us < interval_us; offset_us += 10'000) {
    const std::int64_t now = heartbeat(40) + offset_us;
    const auto lag = estimator.lag_ms(visible_at(now - 2'000'000), now);
    ASSERT_TRUE(lag) << offset_us;
    EXPECT_NEAR(double(*lag), 2000.0, 150.0) << "offset " << offset_us << " us";
  }
}

TEST(LagEstimator, LagGrowsWhileTheReplicaIsStuck) {
  LagEstimator estimator;
  write_heartbeats(estimator, 40);
  const std::int64_t visible = heartbeat(20);  // stopped applying at 5 s
  const auto at_10s = estimator.lag_ms(visible, heartbeat(40));
  const auto at_11s = estimator.lag_ms(visible, heartbeat(40) + 1'000'000);
  ASSERT_TRUE(at_10s && at_11s);
  EXPECT_NEAR(double(*at_10s), 5000.0, 150.0);
  EXPECT_EQ(*at_11s - *at_10s, 1000u);
}

TEST(LagEstimator, VisibleOlderThanTheWholeHistoryIsNotUnderestimated) {
  LagEstimator estimator(8);
  write_heartbeats(estimator, 40);  // keeps 8.25 s .. 10 s
  const std::int64_t visible = heartbeat(20);  // 5 s: long forgotten
  const std::int64_t now = heartbeat(40) + 100'000;
  const auto lag = estimator.lag_ms(visible, now);
  ASSERT_TRUE(lag);
  // The replica has missed the heartbeat after `visible` (written at most one interval later).
  EXPECT_GE(*lag, std::uint32_t((now - visible - interval_us) / 1000));
  EXPECT_LE(*lag, std::uint32_t((now - visible) / 1000));
}

TEST(LagEstimator, NoWritesYetUsesTheAgeOfTheVisibleHeartbeat) {
  LagEstimator estimator;
  EXPECT_FALSE(estimator.latest());
  // A heartbeat left by an earlier run of the proxy, 30 s ago.
  EXPECT_EQ(estimator.lag_ms(base_us - 30'000'000, base_us), 30000u);
  EXPECT_EQ(estimator.lag_ms(base_us + 5'000, base_us), 0u);  // from the future: clamped
  EXPECT_EQ(estimator.lag_ms(0, std::numeric_limits<std::int64_t>::max() / 2),
            std::numeric_limits<std::uint32_t>::max());
}

TEST(LagEstimator, NonIncreasingWritesAreIgnored) {
  LagEstimator estimator;
  estimator.wrote(heartbeat(4));
  estimator.wrote(heartbeat(4));
  estimator.wrote(heartbeat(2));
  EXPECT_EQ(estimator.latest(), heartbeat(4));
  estimator.wrote(heartbeat(8));
  EXPECT_EQ(estimator.latest(), heartbeat(8));
  // heartbeat(2) was not recorded: a replica at heartbeat(4) misses heartbeat(8), written 0 s ago.
  EXPECT_EQ(estimator.lag_ms(heartbeat(4), heartbeat(8)), 500u);
}

TEST(LagEstimator, HistoryIsBounded) {
  LagEstimator estimator(4);
  write_heartbeats(estimator, 100);
  EXPECT_EQ(estimator.latest(), heartbeat(100));
  // Within the 4 kept heartbeats, estimates stay exact to half an interval.
  const std::int64_t now = heartbeat(100) + 100'000;
  const auto lag = estimator.lag_ms(heartbeat(98), now);
  ASSERT_TRUE(lag);
  EXPECT_EQ(*lag, (600 + 350) / 2);  // since 98 was written, since 99 was written
}

}  // namespace
}  // namespace rwproxy::monitor
