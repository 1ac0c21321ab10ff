#include "router/replica_snapshot.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace rwproxy::router {
namespace {

constexpr std::uint32_t max_lag = 1000;
constexpr std::uint32_t readmit = 500;

TEST(LagGateTest, AdmittedReplicaStaysAdmittedUpToTheMaximum) {
  EXPECT_TRUE(lag_gate(true, 0, max_lag, readmit));
  EXPECT_TRUE(lag_gate(true, 700, max_lag, readmit));
  EXPECT_TRUE(lag_gate(true, max_lag, max_lag, readmit));
}

TEST(LagGateTest, AdmittedReplicaIsExcludedAboveTheMaximum) {
  EXPECT_FALSE(lag_gate(true, max_lag + 1, max_lag, readmit));
  EXPECT_FALSE(lag_gate(true, 60'000, max_lag, readmit));
}

TEST(LagGateTest, ExcludedReplicaStaysExcludedUntilBelowReadmit) {
  EXPECT_FALSE(lag_gate(false, max_lag + 1, max_lag, readmit));
  EXPECT_FALSE(lag_gate(false, max_lag, max_lag, readmit));
  EXPECT_FALSE(lag_gate(false, 700, max_lag, readmit));
  EXPECT_FALSE(lag_gate(false, readmit, max_lag, readmit));
  EXPECT_TRUE(lag_gate(false, readmit - 1, max_lag, readmit));
  EXPECT_TRUE(lag_gate(false, 0, max_lag, readmit));
}

TEST(LagGateTest, UnknownLagKeepsThePreviousState) {
  EXPECT_TRUE(lag_gate(true, std::nullopt, max_lag, readmit));
  EXPECT_FALSE(lag_gate(false, std::nullopt, max_lag, readmit));
}

// A replica's lag over successive measurements, fed through the gate like the monitor does.
TEST(LagGateTest, HysteresisOverASequenceOfMeasurements) {
  const std::vector<std::optional<std::uint32_t>> lags = {0, 900, 1200, std::nullopt, 800, 500, 499, 1000, 1001};
  const std::vector<bool> expected = {true, true, false, false, false, false, true, true, false};
  bool admitted = true;
  for (std::size_t i = 0; i < lags.size(); ++i) {
    admitted = lag_gate(admitted, lags[i], max_lag, readmit);
    EXPECT_EQ(admitted, expected[i]) << "measurement " << i;
  }
}

TEST(LagGateTest, DefaultReplicaStateIsUpAdmittedWithUnknownLag) {
  const ReplicaState state;
  EXPECT_TRUE(state.up);
  EXPECT_TRUE(state.lag_admitted);
  EXPECT_FALSE(state.lag_ms.has_value());
  EXPECT_EQ(state.weight, 1u);
}

}  // namespace
}  // namespace rwproxy::router
