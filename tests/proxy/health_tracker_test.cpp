// HealthTracker: down after N consecutive failed checks, up after M consecutive good ones.
#include "proxy/monitor/health_tracker.hpp"

#include <gtest/gtest.h>

namespace rwproxy::monitor {
namespace {

TEST(HealthTracker, StartsUp) {
  HealthTracker tracker(3, 2);
  EXPECT_TRUE(tracker.up());
}

TEST(HealthTracker, DownOnlyAfterNConsecutiveFailures) {
  HealthTracker tracker(3, 2);
  EXPECT_TRUE(tracker.record(false));
  EXPECT_TRUE(tracker.record(false));
  EXPECT_FALSE(tracker.record(false));
  EXPECT_FALSE(tracker.up());
  EXPECT_FALSE(tracker.record(false));  // stays down
}

TEST(HealthTracker, SuccessResetsTheFailureCount) {
  HealthTracker tracker(3, 2);
  tracker.record(false);
  tracker.record(false);
  EXPECT_TRUE(tracker.record(true));
  EXPECT_TRUE(tracker.record(false));
  EXPECT_TRUE(tracker.record(false));
  EXPECT_FALSE(tracker.record(false));
}

TEST(HealthTracker, UpAfterMConsecutiveSuccesses) {
  HealthTracker tracker(1, 3);
  EXPECT_FALSE(tracker.record(false));
  EXPECT_FALSE(tracker.record(true));
  EXPECT_FALSE(tracker.record(true));
  EXPECT_TRUE(tracker.record(true));
  EXPECT_TRUE(tracker.up());
}

TEST(HealthTracker, FailureResetsTheSuccessCountWhileDown) {
  HealthTracker tracker(1, 2);
  tracker.record(false);
  EXPECT_FALSE(tracker.record(true));
  EXPECT_FALSE(tracker.record(false));
  EXPECT_FALSE(tracker.record(true));
  EXPECT_TRUE(tracker.record(true));
}

TEST(HealthTracker, RepeatedFlapsNeedTheFullCountsEachTime) {
  HealthTracker tracker(2, 2);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(tracker.record(false)) << round;
    EXPECT_FALSE(tracker.record(false)) << round;
    EXPECT_FALSE(tracker.record(true)) << round;
    EXPECT_TRUE(tracker.record(true)) << round;
  }
}

TEST(HealthTracker, ThresholdsOfOneFollowEveryCheck) {
  HealthTracker tracker(1, 1);
  EXPECT_FALSE(tracker.record(false));
  EXPECT_TRUE(tracker.record(true));
  EXPECT_FALSE(tracker.record(false));
}

}  // namespace
}  // namespace rwproxy::monitor
