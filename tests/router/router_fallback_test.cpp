// decide() when a read may go to a replica but none can take it.
#include <gtest/gtest.h>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

TEST(RouterFallbackTest, NoReplicasSendsReadsToTheMaster) {
  Scenario s;
  s.replicas = snapshot({});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::no_eligible_replica));
}

TEST(RouterFallbackTest, AllReplicasDownSendsReadsToTheMaster) {
  Scenario s;
  s.replicas = snapshot({down(replica("r0")), down(replica("r1"))});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::no_eligible_replica));
}

TEST(RouterFallbackTest, AllReplicasDownIsAnErrorWhenConfigured) {
  Scenario s;
  s.policy.error_when_no_replica = true;
  s.replicas = snapshot({down(replica("r0")), down(replica("r1"))});
  EXPECT_TRUE(is_error(s.route(), Reason::no_eligible_replica));
  s.replicas = snapshot({});
  EXPECT_TRUE(is_error(s.route(), Reason::no_eligible_replica));
}

TEST(RouterFallbackTest, ErrorModeDoesNotAffectWrites) {
  Scenario s;
  s.policy.error_when_no_replica = true;
  s.replicas = snapshot({});
  s.statement = write_statement();
  EXPECT_TRUE(goes_to_master(s.route(), Reason::write));
}

TEST(RouterFallbackTest, AllLiveReplicasLaggingIsReplicaLag) {
  Scenario s;
  s.replicas = snapshot({lagging(replica("r0"), 3000), down(replica("r1")), lagging(replica("r2"), 1200)});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::replica_lag));
  s.policy.error_when_no_replica = true;
  EXPECT_TRUE(is_error(s.route(), Reason::replica_lag));
}

TEST(RouterFallbackTest, OneHealthyReplicaIsEnough) {
  Scenario s;
  s.replicas = snapshot({lagging(replica("r0"), 3000), down(replica("r1")), replica("r2")});
  for (std::uint64_t rotation = 0; rotation < 5; ++rotation) {
    s.rotation = rotation;
    EXPECT_TRUE(goes_to_replica(s.route(), 2, Reason::read));
  }
}

TEST(RouterFallbackTest, ReplicaHintWithoutReplicas) {
  Scenario s;
  s.statement.hint.target = parser::HintTarget::replica;
  s.replicas = snapshot({down(replica("r0"))});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::no_eligible_replica));
  s.policy.error_when_no_replica = true;
  EXPECT_TRUE(is_error(s.route(), Reason::no_eligible_replica));
}

TEST(RouterFallbackTest, DecisionDependsOnlyOnItsInputs) {
  Scenario s;
  s.replicas = snapshot({replica("r0", 2), replica("r1", 1)});
  s.rotation = 2;
  const Route first = s.route();
  for (int i = 0; i < 10; ++i) {
    const Route again = s.route();
    EXPECT_EQ(again.target, first.target);
    EXPECT_EQ(again.reason, first.reason);
    EXPECT_EQ(again.replica, first.replica);
  }
  EXPECT_TRUE(goes_to_replica(first, 1, Reason::read));
}

}  // namespace
}  // namespace rwproxy::router
