// BackendHealth with a hand-made config (slot 0 replica-a, slot 1 the master, slot 2 replica-b)
// and a fixed clock.
#include "proxy/backend/backend_health.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <sstream>

namespace rwproxy::backend {
namespace {

using namespace std::chrono_literals;
using Clock = BackendHealth::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1h;
constexpr std::size_t a = 0, primary = 1, b = 2;

config::Config topology(bool follow_writer = false) {
  config::Config config;
  config.backends = {
      config::Backend{"replica-a", config::BackendRole::replica, "10.0.0.2", 3306, 3, std::nullopt},
      config::Backend{"primary", config::BackendRole::master, "10.0.0.1", 3306, 1, std::nullopt},
      config::Backend{"replica-b", config::BackendRole::replica, "10.0.0.3", 3307, 1, std::nullopt},
  };
  config.routing.max_replica_lag_ms = 1000;
  config.routing.readmit_replica_lag_ms = 500;
  config.routing.replica_retry_interval_ms = 5000;
  config.monitor.enabled = follow_writer;
  config.monitor.follow_writer = follow_writer;
  return config;
}

MonitoredBackend monitored(bool up, std::optional<std::uint32_t> lag_ms, std::optional<bool> writable = false) {
  return MonitoredBackend{up, true, writable, lag_ms, std::nullopt};
}

struct Fixture {
  explicit Fixture(bool follow_writer = false)
      : config(topology(follow_writer)), directory(config), health(config, directory, logger) {}
  std::ostringstream log_text;
  Logger logger{LogLevel::info, log_text};
  config::Config config;
  BackendDirectory directory;
  BackendHealth health;
};

TEST(BackendHealth, InitialSnapshotIndexesEveryBackendBySlot) {
  Fixture f;
  auto snapshot = f.health.snapshot(t0);
  ASSERT_EQ(snapshot->routing.replicas.size(), 3u);
  EXPECT_EQ(snapshot->routing.replicas[a].name, "replica-a");
  EXPECT_EQ(snapshot->routing.replicas[a].weight, 3u);
  EXPECT_EQ(snapshot->routing.replicas[b].name, "replica-b");
  EXPECT_TRUE(snapshot->routing.replicas[a].serving);
  EXPECT_TRUE(snapshot->routing.replicas[b].serving);
  EXPECT_FALSE(snapshot->routing.replicas[primary].serving);  // the master serves no replica reads
  ASSERT_TRUE(snapshot->master);
  EXPECT_EQ(*snapshot->master, primary);
  EXPECT_EQ(snapshot->backends[primary].role, Role::master);
  EXPECT_EQ(snapshot->backends[a].role, Role::replica);
  EXPECT_EQ(snapshot->problem, router::WriterProblem::none);
}

TEST(BackendHealth, CachedSnapshotFollowsEveryPublication) {
  Fixture f;
  BackendHealth::CachedSnapshot cache;
  const TopologySnapshot& first = f.health.snapshot(t0, cache);
  const std::uint64_t version = first.version;
  EXPECT_EQ(&f.health.snapshot(t0 + 1ms, cache), &first);  // nothing published: the same object
  f.health.report_failure(b, t0 + 2ms);
  const TopologySnapshot& failed = f.health.snapshot(t0 + 2ms, cache);
  EXPECT_GT(failed.version, version);
  EXPECT_FALSE(failed.routing.replicas[b].up);
  const TopologySnapshot& back = f.health.snapshot(t0 + 2ms + 5s, cache);
  EXPECT_TRUE(back.routing.replicas[b].up);
}

TEST(BackendHealth, FailedReplicaIsLeftOutForTheRetryInterval) {
  Fixture f;
  f.health.report_failure(b, t0);
  EXPECT_TRUE(f.health.snapshot(t0)->routing.replicas[a].up);
  EXPECT_FALSE(f.health.snapshot(t0 + 4999ms)->routing.replicas[b].up);
  EXPECT_TRUE(f.health.snapshot(t0 + 5s)->routing.replicas[b].up);
}

TEST(BackendHealth, LagGateWithHysteresis) {
  Fixture f;
  f.health.update_from_monitor(a, monitored(true, 1500), t0);
  EXPECT_FALSE(f.health.snapshot(t0)->routing.replicas[a].lag_admitted);
  f.health.update_from_monitor(a, monitored(true, 800), t0 + 250ms);
  EXPECT_FALSE(f.health.snapshot(t0 + 250ms)->routing.replicas[a].lag_admitted);
  f.health.update_from_monitor(a, monitored(true, 400), t0 + 500ms);
  EXPECT_TRUE(f.health.snapshot(t0 + 500ms)->routing.replicas[a].lag_admitted);
}

TEST(BackendHealth, AReplicaThatStopsReplicatingIsDownButTheMasterNeedsNoReplication) {
  Fixture f;
  f.health.update_from_monitor(a, MonitoredBackend{true, false, false, std::nullopt, std::nullopt}, t0);
  f.health.update_from_monitor(primary, MonitoredBackend{true, false, true, std::nullopt, std::nullopt}, t0);
  auto snapshot = f.health.snapshot(t0);
  EXPECT_FALSE(snapshot->routing.replicas[a].up);
  EXPECT_TRUE(snapshot->backends[primary].up);
}

TEST(BackendHealth, DrainAndOfflineTakeAReplicaOutOfTheRotationAndOnlineBringsItBack) {
  Fixture f;
  ASSERT_TRUE(f.health.set_admin_state(a, AdminState::drain));
  auto snapshot = f.health.snapshot(t0);
  EXPECT_FALSE(snapshot->routing.replicas[a].serving);
  EXPECT_EQ(snapshot->backends[a].admin, AdminState::drain);
  EXPECT_TRUE(snapshot->routing.replicas[b].serving);
  ASSERT_TRUE(f.health.set_admin_state(a, AdminState::offline));
  EXPECT_FALSE(f.health.snapshot(t0)->routing.replicas[a].serving);
  ASSERT_TRUE(f.health.set_admin_state(a, AdminState::online));
  EXPECT_TRUE(f.health.snapshot(t0)->routing.replicas[a].serving);
  EXPECT_FALSE(f.health.set_admin_state(7, AdminState::drain));
}

TEST(BackendHealth, OfflineMasterRefusesWritesWithoutFollowWriter) {
  Fixture f;
  ASSERT_TRUE(f.health.set_admin_state(primary, AdminState::offline));
  EXPECT_EQ(f.health.snapshot(t0)->problem, router::WriterProblem::master_down);
}

TEST(BackendHealth, WeightChangesShowInTheSnapshot) {
  Fixture f;
  ASSERT_TRUE(f.health.set_weight(b, 7));
  EXPECT_EQ(f.health.snapshot(t0)->routing.replicas[b].weight, 7u);
  EXPECT_EQ(f.health.snapshot(t0)->backends[b].weight, 7u);
}

TEST(BackendHealth, FollowWriterFollowsAPromotionAndRefusesWritesInBetween) {
  Fixture f(true);
  f.health.update_from_monitor(primary, monitored(true, std::nullopt, true), t0);
  f.health.update_from_monitor(a, monitored(true, 0, false), t0);
  f.health.update_from_monitor(b, monitored(true, 0, false), t0);
  EXPECT_EQ(*f.health.snapshot(t0)->master, primary);
  // The master dies: nobody is writable.
  f.health.update_from_monitor(primary, monitored(false, std::nullopt, std::nullopt), t0 + 1s);
  auto between = f.health.snapshot(t0 + 1s);
  EXPECT_FALSE(between->master);
  EXPECT_EQ(between->problem, router::WriterProblem::no_writer);
  EXPECT_TRUE(between->routing.replicas[a].serving);  // reads go on
  // replica-b is promoted.
  f.health.update_from_monitor(b, MonitoredBackend{true, false, true, std::nullopt, std::nullopt}, t0 + 2s);
  auto after = f.health.snapshot(t0 + 2s);
  ASSERT_TRUE(after->master);
  EXPECT_EQ(*after->master, b);
  EXPECT_EQ(after->backends[b].role, Role::master);
  EXPECT_FALSE(after->routing.replicas[b].serving);
  EXPECT_TRUE(after->routing.replicas[a].serving);
  EXPECT_EQ(f.health.master_changes(), 1u);
  EXPECT_NE(f.log_text.str().find("the master is now 'replica-b' (was 'primary')"), std::string::npos) << f.log_text.str();
}

TEST(BackendHealth, FollowWriterSplitBrainRefusesWritesAndNamesTheBackends) {
  Fixture f(true);
  f.health.update_from_monitor(primary, monitored(true, std::nullopt, true), t0);
  f.health.update_from_monitor(a, monitored(true, 0, true), t0);
  auto snapshot = f.health.snapshot(t0);
  EXPECT_FALSE(snapshot->master);
  EXPECT_EQ(snapshot->problem, router::WriterProblem::split_brain);
  EXPECT_EQ(snapshot->writable, (std::vector<std::size_t>{a, primary}));
  EXPECT_TRUE(snapshot->routing.replicas[a].serving);  // still replicating: reads go on
  EXPECT_TRUE(snapshot->routing.replicas[b].serving);
  EXPECT_EQ(snapshot->backends[primary].role, Role::replica);  // nobody is the master
  EXPECT_NE(f.log_text.str().find("split brain: 'replica-a', 'primary'"), std::string::npos) << f.log_text.str();
  f.health.update_from_monitor(a, monitored(true, 0, false), t0 + 1s);
  EXPECT_EQ(*f.health.snapshot(t0 + 1s)->master, primary);
}

TEST(BackendHealth, ReloadAddsRemovesAndReweightsBackends) {
  Fixture f;
  config::Config next = topology();
  next.backends.erase(next.backends.begin());  // replica-a removed
  next.backends[1].weight = 5;                 // replica-b
  next.backends.push_back(config::Backend{"replica-c", config::BackendRole::replica, "10.0.0.4", 3306, 2, std::nullopt});
  const BackendChanges changes = f.health.apply_backends(next);
  EXPECT_EQ(changes.added, std::vector<std::string>{"replica-c"});
  EXPECT_EQ(changes.removed, std::vector<std::string>{"replica-a"});
  EXPECT_EQ(changes.reweighted, std::vector<std::string>{"replica-b"});
  auto snapshot = f.health.snapshot(t0);
  ASSERT_EQ(snapshot->routing.replicas.size(), 4u);
  EXPECT_FALSE(snapshot->backends[a].present);
  EXPECT_FALSE(snapshot->routing.replicas[a].serving);
  EXPECT_EQ(snapshot->routing.replicas[b].weight, 5u);
  EXPECT_EQ(snapshot->routing.replicas[3].name, "replica-c");
  EXPECT_TRUE(snapshot->routing.replicas[3].serving);
  EXPECT_EQ(f.health.find("replica-c"), 3u);
  EXPECT_FALSE(f.health.find("replica-a"));
  // replica-a comes back at its old slot.
  const BackendChanges back = f.health.apply_backends(topology());
  EXPECT_EQ(back.added, std::vector<std::string>{"replica-a"});
  EXPECT_EQ(f.health.find("replica-a"), a);
}

TEST(BackendHealth, AChangedAddressIsANewSlot) {
  Fixture f;
  config::Config next = topology();
  next.backends[2].port = 3310;
  const BackendChanges changes = f.health.apply_backends(next);
  EXPECT_EQ(changes.added, std::vector<std::string>{"replica-b"});
  EXPECT_EQ(changes.removed, std::vector<std::string>{"replica-b"});
  EXPECT_EQ(f.health.find("replica-b"), 3u);
  EXPECT_EQ(f.directory.at(3).port, 3310);
}

TEST(BackendHealth, OutstandingStatementCountersPerSlot) {
  Fixture f;
  f.health.statement_started(b);
  f.health.statement_started(b);
  f.health.statement_finished(b);
  std::array<std::uint32_t, 3> counts{99, 99, 99};
  f.health.load_outstanding(counts);
  EXPECT_EQ(counts, (std::array<std::uint32_t, 3>{0, 0, 1}));
}

}  // namespace
}  // namespace rwproxy::backend
