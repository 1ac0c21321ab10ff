// ReplicaHealth with a hand-made config (1 master, 2 replicas) and a fixed clock.
#include "proxy/backend/replica_health.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>

namespace rwproxy::backend {
namespace {

using namespace std::chrono_literals;
using Clock = ReplicaHealth::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1h;

config::Config two_replicas() {
  config::Config config;
  config.backends = {
      config::Backend{"replica-a", config::BackendRole::replica, "10.0.0.2", 3306, 3, std::nullopt},
      config::Backend{"primary", config::BackendRole::master, "10.0.0.1", 3306, 1, std::nullopt},
      config::Backend{"replica-b", config::BackendRole::replica, "10.0.0.3", 3307, 1, std::nullopt},
  };
  config.routing.max_replica_lag_ms = 1000;
  config.routing.readmit_replica_lag_ms = 500;
  config.routing.replica_retry_interval_ms = 5000;
  return config;
}

MonitoredReplica monitored(bool up, std::optional<std::uint32_t> lag_ms) { return MonitoredReplica{up, lag_ms, std::nullopt}; }

TEST(ReplicaHealth, InitialSnapshotHasBothReplicasUpWithNamesAndWeights) {
  ReplicaHealth health(two_replicas());
  EXPECT_EQ(health.replica_count(), 2u);
  auto snapshot = health.snapshot(t0);
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->replicas.size(), 2u);
  EXPECT_EQ(snapshot->replicas[0].name, "replica-a");
  EXPECT_EQ(snapshot->replicas[0].weight, 3u);
  EXPECT_EQ(snapshot->replicas[1].name, "replica-b");
  EXPECT_EQ(snapshot->replicas[1].weight, 1u);
  for (const auto& r : snapshot->replicas) {
    EXPECT_TRUE(r.up) << r.name;
    EXPECT_TRUE(r.lag_admitted) << r.name;
    EXPECT_FALSE(r.lag_ms) << r.name;
  }
  EXPECT_GE(snapshot->version, 1u);
}

TEST(ReplicaHealth, CachedSnapshotFollowsEveryPublication) {
  ReplicaHealth health(two_replicas());
  ReplicaHealth::CachedSnapshot cache;
  const router::ReplicaSnapshot& first = health.snapshot(t0, cache);
  EXPECT_TRUE(first.replicas[1].up);
  const std::uint64_t version = first.version;
  EXPECT_EQ(&health.snapshot(t0 + 1ms, cache), &first);  // nothing published: the same object
  health.report_failure(1, t0 + 2ms);
  const router::ReplicaSnapshot& failed = health.snapshot(t0 + 2ms, cache);
  EXPECT_GT(failed.version, version);
  EXPECT_FALSE(failed.replicas[1].up);
  // The retry time comes: the cached read republishes and sees the replica back.
  const router::ReplicaSnapshot& back = health.snapshot(t0 + 2ms + 5s, cache);
  EXPECT_TRUE(back.replicas[1].up);
  EXPECT_EQ(back.version, health.snapshot(t0 + 2ms + 5s)->version);
}

TEST(ReplicaHealth, MasterUpFlag) {
  ReplicaHealth health(two_replicas());
  EXPECT_TRUE(health.master_up());
  health.set_master_up(false);
  EXPECT_FALSE(health.master_up());
  health.set_master_up(true);
  EXPECT_TRUE(health.master_up());
}

TEST(ReplicaHealth, FailedReplicaIsLeftOutForTheRetryInterval) {
  ReplicaHealth health(two_replicas());
  health.report_failure(1, t0);
  auto snapshot = health.snapshot(t0);
  EXPECT_TRUE(snapshot->replicas[0].up);
  EXPECT_FALSE(snapshot->replicas[1].up);
  EXPECT_FALSE(health.snapshot(t0 + 4999ms)->replicas[1].up);
  snapshot = health.snapshot(t0 + 5s);
  EXPECT_TRUE(snapshot->replicas[0].up);
  EXPECT_TRUE(snapshot->replicas[1].up);
}

TEST(ReplicaHealth, AnotherFailureExtendsTheRetryTime) {
  ReplicaHealth health(two_replicas());
  health.report_failure(0, t0);
  health.report_failure(0, t0 + 3s);
  EXPECT_FALSE(health.snapshot(t0 + 5s)->replicas[0].up);
  EXPECT_TRUE(health.snapshot(t0 + 8s)->replicas[0].up);
}

TEST(ReplicaHealth, BothReplicasComeBackAtTheirOwnTimes) {
  ReplicaHealth health(two_replicas());
  health.report_failure(0, t0);
  health.report_failure(1, t0 + 2s);
  auto snapshot = health.snapshot(t0 + 5s);
  EXPECT_TRUE(snapshot->replicas[0].up);
  EXPECT_FALSE(snapshot->replicas[1].up);
  EXPECT_TRUE(health.snapshot(t0 + 7s)->replicas[1].up);
}

TEST(ReplicaHealth, FailureOfAnUnknownReplicaIsIgnored) {
  ReplicaHealth health(two_replicas());
  const auto version = health.snapshot(t0)->version;
  health.report_failure(2, t0);
  health.update_from_monitor(7, monitored(false, 5000), t0);
  auto snapshot = health.snapshot(t0);
  EXPECT_EQ(snapshot->version, version);
  EXPECT_TRUE(snapshot->replicas[0].up && snapshot->replicas[1].up);
}

TEST(ReplicaHealth, LagGateWithHysteresis) {
  ReplicaHealth health(two_replicas());
  health.update_from_monitor(0, monitored(true, 1500), t0);
  auto snapshot = health.snapshot(t0);
  EXPECT_FALSE(snapshot->replicas[0].lag_admitted);
  EXPECT_EQ(snapshot->replicas[0].lag_ms, 1500u);
  EXPECT_TRUE(snapshot->replicas[0].up);  // lagging, not down
  EXPECT_TRUE(snapshot->replicas[1].lag_admitted);

  health.update_from_monitor(0, monitored(true, 800), t0 + 250ms);
  EXPECT_FALSE(health.snapshot(t0 + 250ms)->replicas[0].lag_admitted);  // not below readmit yet
  health.update_from_monitor(0, monitored(true, 500), t0 + 500ms);
  EXPECT_FALSE(health.snapshot(t0 + 500ms)->replicas[0].lag_admitted);
  health.update_from_monitor(0, monitored(true, 400), t0 + 750ms);
  snapshot = health.snapshot(t0 + 750ms);
  EXPECT_TRUE(snapshot->replicas[0].lag_admitted);
  EXPECT_EQ(snapshot->replicas[0].lag_ms, 400u);

  health.update_from_monitor(0, monitored(true, 1000), t0 + 1s);
  EXPECT_TRUE(health.snapshot(t0 + 1s)->replicas[0].lag_admitted);  // at the limit: still admitted
  health.update_from_monitor(0, monitored(true, 1001), t0 + 1250ms);
  EXPECT_FALSE(health.snapshot(t0 + 1250ms)->replicas[0].lag_admitted);
}

TEST(ReplicaHealth, UnknownLagKeepsTheGateAsItWas) {
  ReplicaHealth health(two_replicas());
  health.update_from_monitor(1, monitored(true, 2000), t0);
  health.update_from_monitor(1, monitored(true, std::nullopt), t0 + 250ms);
  auto snapshot = health.snapshot(t0 + 250ms);
  EXPECT_FALSE(snapshot->replicas[1].lag_admitted);
  EXPECT_FALSE(snapshot->replicas[1].lag_ms);
}

TEST(ReplicaHealth, MonitorDownMarksTheReplicaDown) {
  ReplicaHealth health(two_replicas());
  health.update_from_monitor(1, monitored(false, std::nullopt), t0);
  auto snapshot = health.snapshot(t0);
  EXPECT_TRUE(snapshot->replicas[0].up);
  EXPECT_FALSE(snapshot->replicas[1].up);
  EXPECT_FALSE(health.snapshot(t0 + 1h)->replicas[1].up);  // until the monitor says otherwise
  health.update_from_monitor(1, monitored(true, 10), t0 + 1h);
  EXPECT_TRUE(health.snapshot(t0 + 1h)->replicas[1].up);
}

TEST(ReplicaHealth, MonitorUpDoesNotOverrideARecentFailure) {
  ReplicaHealth health(two_replicas());
  health.report_failure(0, t0);
  health.update_from_monitor(0, monitored(true, 0), t0 + 1s);
  EXPECT_FALSE(health.snapshot(t0 + 1s)->replicas[0].up);
  EXPECT_TRUE(health.snapshot(t0 + 5s)->replicas[0].up);
}

TEST(ReplicaHealth, SnapshotVersionsIncrease) {
  ReplicaHealth health(two_replicas());
  const auto first = health.snapshot(t0);
  EXPECT_EQ(health.snapshot(t0), first);  // nothing changed: the same snapshot
  health.report_failure(0, t0);
  const auto second = health.snapshot(t0);
  EXPECT_GT(second->version, first->version);
  health.update_from_monitor(1, monitored(true, 20), t0 + 1s);
  const auto third = health.snapshot(t0 + 1s);
  EXPECT_GT(third->version, second->version);
  const auto fourth = health.snapshot(t0 + 5s);  // replica 0 re-admitted
  EXPECT_GT(fourth->version, third->version);
  EXPECT_TRUE(fourth->replicas[0].up);
  // Published snapshots are immutable: the old one still says what it said.
  EXPECT_FALSE(second->replicas[0].up);
  EXPECT_TRUE(first->replicas[0].up);
}

TEST(ReplicaHealth, OutstandingStatementCounters) {
  ReplicaHealth health(two_replicas());
  std::array<std::uint32_t, 2> counts{99, 99};
  health.load_outstanding(counts);
  EXPECT_EQ(counts, (std::array<std::uint32_t, 2>{0, 0}));

  health.statement_started(0);
  health.statement_started(0);
  health.statement_started(1);
  health.statement_finished(0);
  health.load_outstanding(counts);
  EXPECT_EQ(counts, (std::array<std::uint32_t, 2>{1, 1}));

  std::array<std::uint32_t, 1> first_only{99};
  health.load_outstanding(first_only);
  EXPECT_EQ(first_only[0], 1u);

  std::array<std::uint32_t, 3> more{99, 99, 99};
  health.load_outstanding(more);
  EXPECT_EQ(more, (std::array<std::uint32_t, 3>{1, 1, 99}));  // only replica_count() written

  health.statement_finished(0);
  health.statement_finished(1);
  health.load_outstanding(counts);
  EXPECT_EQ(counts, (std::array<std::uint32_t, 2>{0, 0}));
}

TEST(ReplicaHealth, NoReplicas) {
  config::Config config;
  config.backends = {config::Backend{"primary", config::BackendRole::master, "10.0.0.1", 3306, 1, std::nullopt}};
  ReplicaHealth health(config);
  EXPECT_EQ(health.replica_count(), 0u);
  EXPECT_TRUE(health.snapshot(t0)->replicas.empty());
  health.report_failure(0, t0);  // ignored
  EXPECT_TRUE(health.snapshot(t0)->replicas.empty());
}

}  // namespace
}  // namespace rwproxy::backend
