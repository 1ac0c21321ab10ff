#include "router/replica_selector.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <vector>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

std::map<std::size_t, int> count_choices(const ReplicaSnapshot& s, std::span<const std::uint32_t> outstanding,
                                         std::uint64_t rotations) {
  std::map<std::size_t, int> counts;
  for (std::uint64_t r = 0; r < rotations; ++r) {
    const ReplicaChoice choice = choose_replica(s, outstanding, std::nullopt, r);
    EXPECT_TRUE(choice.replica.has_value()) << "rotation " << r;
    if (choice.replica) ++counts[*choice.replica];
  }
  return counts;
}

TEST(ChooseReplicaTest, NoReplicasMeansNoChoice) {
  const ReplicaChoice choice = choose_replica(snapshot({}), {}, std::nullopt, 0);
  EXPECT_FALSE(choice.replica.has_value());
  EXPECT_FALSE(choice.lag_excluded_any);
}

TEST(ChooseReplicaTest, DownReplicasAreSkipped) {
  const ReplicaSnapshot s = snapshot({down(replica("r0")), replica("r1"), down(replica("r2"))});
  for (std::uint64_t rotation = 0; rotation < 10; ++rotation) {
    const ReplicaChoice choice = choose_replica(s, {}, std::nullopt, rotation);
    ASSERT_TRUE(choice.replica.has_value());
    EXPECT_EQ(*choice.replica, 1u);
    EXPECT_FALSE(choice.lag_excluded_any);
  }
}

TEST(ChooseReplicaTest, AllDownMeansNoChoiceAndNoLagExclusion) {
  const ReplicaSnapshot s = snapshot({down(replica("r0")), down(lagging(replica("r1"), 5000))});
  const ReplicaChoice choice = choose_replica(s, {}, std::nullopt, 0);
  EXPECT_FALSE(choice.replica.has_value());
  EXPECT_FALSE(choice.lag_excluded_any) << "a down replica is not 'excluded for lag'";
}

TEST(ChooseReplicaTest, ZeroWeightReplicaIsNeverChosen) {
  const ReplicaSnapshot s = snapshot({replica("r0", 0), replica("r1", 1)});
  const std::vector<std::uint32_t> outstanding = {0, 50};
  for (std::uint64_t rotation = 0; rotation < 10; ++rotation) {
    EXPECT_EQ(choose_replica(s, outstanding, std::nullopt, rotation).replica, std::optional<std::size_t>(1));
  }
  EXPECT_FALSE(choose_replica(snapshot({replica("r0", 0)}), {}, std::nullopt, 0).replica.has_value());
}

TEST(ChooseReplicaTest, IdleWeightsTwoToOneShareExactlyTwoToOne) {
  const ReplicaSnapshot s = snapshot({replica("r0", 2), replica("r1", 1)});
  const std::vector<std::uint32_t> idle = {0, 0};
  const auto counts = count_choices(s, idle, 3000);
  EXPECT_EQ(counts.at(0), 2000);
  EXPECT_EQ(counts.at(1), 1000);
}

TEST(ChooseReplicaTest, IdleRotationIsDeterministicWeightedRoundRobin) {
  const ReplicaSnapshot s = snapshot({replica("r0", 2), replica("r1", 1)});
  const std::vector<std::size_t> expected = {0, 0, 1, 0, 0, 1};
  for (std::uint64_t rotation = 0; rotation < expected.size(); ++rotation) {
    EXPECT_EQ(choose_replica(s, {}, std::nullopt, rotation).replica, std::optional(expected[rotation]))
        << "rotation " << rotation;
  }
}

TEST(ChooseReplicaTest, EmptyOutstandingSpanCountsAsIdle) {
  const ReplicaSnapshot s = snapshot({replica("r0", 2), replica("r1", 1)});
  const auto counts = count_choices(s, {}, 3000);
  EXPECT_EQ(counts.at(0), 2000);
  EXPECT_EQ(counts.at(1), 1000);
}

TEST(ChooseReplicaTest, RotationSkipsDownAndLaggingReplicasWithoutSkew) {
  const ReplicaSnapshot s =
      snapshot({replica("r0", 1), down(replica("r1", 5)), lagging(replica("r2", 5), 9000), replica("r3", 3)});
  const auto counts = count_choices(s, {}, 4000);
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at(0), 1000);
  EXPECT_EQ(counts.at(3), 3000);
}

TEST(ChooseReplicaTest, HugeRotationValuesStayInRange) {
  const ReplicaSnapshot s = snapshot({replica("r0", 2), replica("r1", 1)});
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();  // max % 3 == 0
  EXPECT_EQ(choose_replica(s, {}, std::nullopt, max).replica, std::optional<std::size_t>(0));
  EXPECT_EQ(choose_replica(s, {}, std::nullopt, max - 1).replica, std::optional<std::size_t>(1));
}

TEST(ChooseReplicaTest, LeastOutstandingWinsWithEqualWeights) {
  const ReplicaSnapshot s = snapshot({replica("r0"), replica("r1"), replica("r2")});
  const std::vector<std::uint32_t> outstanding = {3, 1, 2};
  for (std::uint64_t rotation = 0; rotation < 6; ++rotation) {
    EXPECT_EQ(choose_replica(s, outstanding, std::nullopt, rotation).replica, std::optional<std::size_t>(1));
  }
}

TEST(ChooseReplicaTest, OutstandingIsComparedPerUnitOfWeight) {
  const ReplicaSnapshot s = snapshot({replica("big", 3), replica("small", 1)});
  // 3/3 = 1 per weight beats 2/1 = 2.
  const std::vector<std::uint32_t> a = {3, 2};
  EXPECT_EQ(choose_replica(s, a, std::nullopt, 0).replica, std::optional<std::size_t>(0));
  // 4/3 loses to 1/1.
  const std::vector<std::uint32_t> b = {4, 1};
  EXPECT_EQ(choose_replica(s, b, std::nullopt, 0).replica, std::optional<std::size_t>(1));
}

TEST(ChooseReplicaTest, EqualLoadPerWeightIsATieBrokenByWeightedRotation) {
  const ReplicaSnapshot s = snapshot({replica("r0", 2), replica("r1", 1), replica("r2", 1)});
  // 2/2 == 1/1, both tied; r2 carries more.
  const std::vector<std::uint32_t> outstanding = {2, 1, 5};
  const auto counts = count_choices(s, outstanding, 300);
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at(0), 200);
  EXPECT_EQ(counts.at(1), 100);
}

TEST(ChooseReplicaTest, OutstandingShorterThanSnapshotCountsMissingAsIdle) {
  const ReplicaSnapshot s = snapshot({replica("r0"), replica("r1")});
  const std::vector<std::uint32_t> outstanding = {4};
  EXPECT_EQ(choose_replica(s, outstanding, std::nullopt, 0).replica, std::optional<std::size_t>(1));
}

TEST(ChooseReplicaTest, BusyReplicaStillServesWhenItIsTheOnlyOne) {
  const ReplicaSnapshot s = snapshot({down(replica("r0")), replica("r1")});
  const std::vector<std::uint32_t> outstanding = {0, 1000};
  EXPECT_EQ(choose_replica(s, outstanding, std::nullopt, 0).replica, std::optional<std::size_t>(1));
}

TEST(ChooseReplicaTest, LagGatedReplicaIsExcludedAndReported) {
  const ReplicaSnapshot s = snapshot({lagging(replica("r0"), 5000), replica("r1")});
  for (std::uint64_t rotation = 0; rotation < 4; ++rotation) {
    const ReplicaChoice choice = choose_replica(s, {}, std::nullopt, rotation);
    EXPECT_EQ(choice.replica, std::optional<std::size_t>(1));
    EXPECT_TRUE(choice.lag_excluded_any) << "set even though a replica was chosen";
  }
}

TEST(ChooseReplicaTest, AllLiveReplicasLaggingGivesNoChoiceWithLagFlag) {
  const ReplicaSnapshot s = snapshot({lagging(replica("r0"), 5000), down(replica("r1")), lagging(replica("r2"), 2000)});
  const ReplicaChoice choice = choose_replica(s, {}, std::nullopt, 0);
  EXPECT_FALSE(choice.replica.has_value());
  EXPECT_TRUE(choice.lag_excluded_any);
}

TEST(ChooseReplicaTest, LagFlagIsClearWhenNothingLags) {
  const ReplicaChoice choice = choose_replica(two_replicas(), {}, std::nullopt, 0);
  EXPECT_TRUE(choice.replica.has_value());
  EXPECT_FALSE(choice.lag_excluded_any);
}

TEST(ChooseReplicaTest, ZeroWeightLaggingReplicaDoesNotSetTheLagFlag) {
  const ReplicaSnapshot s = snapshot({lagging(replica("r0", 0), 5000)});
  const ReplicaChoice choice = choose_replica(s, {}, std::nullopt, 0);
  EXPECT_FALSE(choice.replica.has_value());
  EXPECT_FALSE(choice.lag_excluded_any);
}

TEST(ChooseReplicaTest, ExplicitThresholdUsesMeasuredLagInsteadOfTheGate) {
  // r0 was gated out by the global threshold but is within the rule's 10 s; r1 is admitted by the
  // gate but over a strict 100 ms rule threshold.
  const ReplicaSnapshot s = snapshot({lagging(replica("r0"), 5000), with_lag(replica("r1"), 200)});
  const ReplicaChoice loose = choose_replica(s, {}, 10'000, 1);
  EXPECT_EQ(loose.replica, std::optional<std::size_t>(1)) << "both eligible; rotation 1 picks r1";
  EXPECT_FALSE(loose.lag_excluded_any);
  EXPECT_EQ(choose_replica(s, {}, 10'000, 0).replica, std::optional<std::size_t>(0));

  const ReplicaChoice strict = choose_replica(s, {}, 100, 0);
  EXPECT_FALSE(strict.replica.has_value());
  EXPECT_TRUE(strict.lag_excluded_any);
}

TEST(ChooseReplicaTest, ExplicitThresholdIsInclusive) {
  const ReplicaSnapshot s = snapshot({with_lag(replica("r0"), 300)});
  EXPECT_TRUE(choose_replica(s, {}, 300, 0).replica.has_value());
  EXPECT_FALSE(choose_replica(s, {}, 299, 0).replica.has_value());
}

TEST(ChooseReplicaTest, ExplicitThresholdFallsBackToTheGateWhenLagIsUnknown) {
  const ReplicaSnapshot admitted = snapshot({with_lag(replica("r0"), std::nullopt)});
  EXPECT_TRUE(choose_replica(admitted, {}, 100, 0).replica.has_value());

  ReplicaState gated = replica("r0");
  gated.lag_ms = std::nullopt;
  gated.lag_admitted = false;
  const ReplicaChoice choice = choose_replica(snapshot({gated}), {}, 100, 0);
  EXPECT_FALSE(choice.replica.has_value());
  EXPECT_TRUE(choice.lag_excluded_any);
}

}  // namespace
}  // namespace rwproxy::router
