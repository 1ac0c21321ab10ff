// consistency = window | causal | none, consistency tokens and monotonic reads: decide() by GTID
// position, with a fixed clock.
#include <gtest/gtest.h>

#include "tests/router/router_test_support.hpp"

namespace rwproxy::router {
namespace {

using namespace test;

Scenario causal_after_write(std::string_view r0, std::string_view r1) {
  Scenario s;
  s.policy.consistency = Consistency::causal;
  s.session.last_write = t0 - 5ms;
  s.write_position = gtids("0-1-10");
  s.replicas = snapshot({applied(replica("r0"), r0), applied(replica("r1"), r1)});
  return s;
}

TEST(RouterConsistencyTest, CausalReadGoesToAReplicaThatHasAppliedTheWriteInsteadOfTheMaster) {
  Scenario s = causal_after_write("0-1-9", "0-1-12");
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::causal_read));
  EXPECT_FALSE(route.wait_for);
  ASSERT_TRUE(route.covers);
  EXPECT_EQ(route.covers->to_string(), "0-1-12");
}

TEST(RouterConsistencyTest, CausalReadWaitsOnAReplicaWhenNoneIsKnownToHaveApplied) {
  Scenario s = causal_after_write("0-1-9", "0-1-8");
  s.rotation = 1;
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::causal_wait));
  ASSERT_TRUE(route.wait_for);
  EXPECT_EQ(route.wait_for->to_string(), "0-1-10");
}

TEST(RouterConsistencyTest, UnknownReplicaPositionsMeanAWait) {
  Scenario s = causal_after_write("0-1-1", "0-1-1");
  s.replicas = two_replicas();  // no position published yet
  const Route route = s.route();
  EXPECT_EQ(route.reason, Reason::causal_wait);
  EXPECT_TRUE(route.wait_for);
}

TEST(RouterConsistencyTest, CausalWithoutAnyWriteIsAPlainRead) {
  Scenario s;
  s.policy.consistency = Consistency::causal;
  s.policy.monotonic_reads = false;
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read));
  EXPECT_FALSE(s.route().wait_for);
}

TEST(RouterConsistencyTest, CausalIgnoresTheTimeWindow) {
  Scenario s = causal_after_write("0-1-10", "0-1-10");
  s.session.last_write = t0;  // just now: "window" would send it to the master
  EXPECT_EQ(s.route().reason, Reason::causal_read);
  s.policy.consistency = Consistency::window;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::read_after_write_window));
}

TEST(RouterConsistencyTest, WindowModeStillHonoursAToken) {
  Scenario s;
  s.policy.consistency = Consistency::window;
  s.token_position = gtids("0-1-50");
  s.replicas = snapshot({applied(replica("r0"), "0-1-49"), applied(replica("r1"), "0-1-50")});
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::causal_read));
  s.replicas = snapshot({applied(replica("r0"), "0-1-49"), applied(replica("r1"), "0-1-49")});
  EXPECT_EQ(s.route().reason, Reason::causal_wait);
  EXPECT_EQ(s.route().wait_for->to_string(), "0-1-50");
}

TEST(RouterConsistencyTest, NoneNeverWaits) {
  Scenario s = causal_after_write("0-1-1", "0-1-1");
  s.policy.consistency = Consistency::none;
  s.token_position = gtids("0-1-50");
  s.read_floor = gtids("0-1-40");
  const Route route = s.route();
  EXPECT_EQ(route.target, Target::replica);
  EXPECT_EQ(route.reason, Reason::read);
  EXPECT_FALSE(route.wait_for);
}

TEST(RouterConsistencyTest, TokenAndWritesMergeAcrossDomains) {
  Scenario s = causal_after_write("0-1-10,1-2-3", "0-1-10,1-2-7");
  s.token_position = gtids("1-2-7");
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::causal_read));
}

TEST(RouterConsistencyTest, ARuleMayTurnConsistencyOffForItsStatements) {
  Scenario s = causal_after_write("0-1-1", "0-1-1");
  Rule reports = rule("reports", RuleRoute::any);
  reports.table = "orders";
  reports.consistency = Consistency::none;
  s.policy.rules = {reports};
  const Route route = s.route();
  EXPECT_EQ(route.reason, Reason::read);
  EXPECT_FALSE(route.wait_for);
  EXPECT_EQ(route.rule, std::optional<std::size_t>(0));
}

TEST(RouterConsistencyTest, MonotonicReadsStayOnTheSessionsReplica) {
  Scenario s;
  s.replicas = snapshot({applied(replica("behind"), "0-1-5"), applied(replica("current"), "0-1-9")});
  s.session.home_replica = 0;
  s.read_floor = gtids("0-1-5");
  for (std::uint64_t rotation = 0; rotation < 4; ++rotation) {
    s.rotation = rotation;
    EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read)) << rotation;
  }
}

TEST(RouterConsistencyTest, MonotonicReadsNeverMoveToAReplicaBehindTheFloor) {
  Scenario s;
  s.replicas = snapshot({down(applied(replica("home"), "0-1-9")), applied(replica("behind"), "0-1-5")});
  s.session.home_replica = 0;
  s.read_floor = gtids("0-1-9");
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::causal_wait));
  EXPECT_EQ(route.wait_for->to_string(), "0-1-9");
  s.replicas.replicas[1].applied = gtids("0-1-9");
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read)) << "the floor alone keeps a plain read a plain read";
}

TEST(RouterConsistencyTest, LeavingTheHomeReplicaRequiresItsLatestKnownPosition) {
  Scenario s;
  // The session read on "home" when it was known at 0-1-5; it has since been seen at 0-1-9, so
  // that read may have returned anything up to 0-1-9.
  s.replicas = snapshot({down(applied(replica("home"), "0-1-9")), applied(replica("other"), "0-1-7")});
  s.session.home_replica = 0;
  s.read_floor = gtids("0-1-5");
  const Route route = s.route();
  EXPECT_TRUE(goes_to_replica(route, 1, Reason::causal_wait));
  EXPECT_EQ(route.wait_for->to_string(), "0-1-9");
}

TEST(RouterConsistencyTest, MonotonicReadsOffSpreadsASessionsReads) {
  Scenario s;
  s.policy.monotonic_reads = false;
  s.session.home_replica = 0;
  s.read_floor = gtids("0-1-9");
  s.rotation = 1;
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::read));
}

TEST(RouterConsistencyTest, WaitsOnlyOnAReplicaLikelyToCatchUpInTime) {
  Scenario s = causal_after_write("0-1-1", "0-1-1");
  s.policy.max_replica_lag_ms = 5000;
  s.policy.causal_wait_timeout_ms = 500;
  s.replicas.replicas[0].lag_ms = 1500;
  s.replicas.replicas[1].lag_ms = 20;
  EXPECT_TRUE(goes_to_replica(s.route(), 1, Reason::causal_wait));
  s.replicas.replicas[1].lag_ms = 900;
  EXPECT_TRUE(goes_to_master(s.route(), Reason::causal_replicas_behind));
  s.replicas.replicas[0].applied = gtids("0-1-10");  // known to have it: no wait, whatever the lag
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::causal_read));
}

TEST(RouterConsistencyTest, NoEligibleReplicaFallsBackAsBefore) {
  Scenario s = causal_after_write("0-1-1", "0-1-1");
  s.replicas = snapshot({down(replica("r0")), down(replica("r1"))});
  EXPECT_TRUE(goes_to_master(s.route(), Reason::no_eligible_replica));
}

TEST(RouterConsistencyTest, ReadOnlyTransactionStartsWhereTheSessionsWriteIsVisible) {
  Scenario s = causal_after_write("0-1-10", "0-1-1");
  s.statement = begin_read_only();
  EXPECT_TRUE(goes_to_replica(s.route(), 0, Reason::read_only_transaction));
}

}  // namespace
}  // namespace rwproxy::router
