// [monitor]: values, defaults and problems.
#include <gtest/gtest.h>

#include "problem_matchers.hpp"
#include "proxy/config/config_loader.hpp"

namespace rwproxy::config {
namespace {

using testing::has_problem;
using testing::load_with_minimal;

TEST(MonitorConfigTest, DefaultsLeaveTheMonitorOff) {
  const LoadResult result = load_with_minimal("");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Monitor& m = result.config->monitor;
  EXPECT_FALSE(m.enabled);
  EXPECT_EQ(m.interval_ms, 250u);
  EXPECT_EQ(m.connect_timeout_ms, 1000u);
  EXPECT_TRUE(m.heartbeat);
  EXPECT_EQ(m.heartbeat_table, "rwproxy.heartbeat");
  EXPECT_EQ(m.down_after_failures, 3u);
  EXPECT_EQ(m.up_after_successes, 2u);
}

TEST(MonitorConfigTest, ReadsEveryValue) {
  const LoadResult result = load_with_minimal(R"(
[monitor]
enabled = true
interval_ms = 100
user = "mon"
password = "pw"
connect_timeout_ms = 500
heartbeat = false
heartbeat_table = "ops.hb_1"
down_after_failures = 5
up_after_successes = 1
)");
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Monitor& m = result.config->monitor;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.interval_ms, 100u);
  EXPECT_EQ(m.user, "mon");
  EXPECT_EQ(m.password, "pw");
  EXPECT_EQ(m.connect_timeout_ms, 500u);
  EXPECT_FALSE(m.heartbeat);
  EXPECT_EQ(m.heartbeat_table, "ops.hb_1");
  EXPECT_EQ(m.down_after_failures, 5u);
  EXPECT_EQ(m.up_after_successes, 1u);
}

TEST(MonitorConfigTest, EnabledNeedsAUser) {
  const LoadResult result = load_with_minimal("[monitor]\nenabled = true\n");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(has_problem(result, "monitor.user", "required")) << testing::describe(result);
}

TEST(MonitorConfigTest, HeartbeatTableMustBeSchemaDotTable) {
  for (std::string_view bad : {"heartbeat", ".t", "s.", "s.t.u", "s.`t`", "s;drop.t", "s.t x"}) {
    const LoadResult result = load_with_minimal(std::string("[monitor]\nheartbeat_table = \"") + std::string(bad) + "\"\n");
    EXPECT_TRUE(has_problem(result, "monitor.heartbeat_table", "schema.table")) << bad << ": " << testing::describe(result);
  }
}

TEST(MonitorConfigTest, RangesAreChecked) {
  EXPECT_TRUE(has_problem(load_with_minimal("[monitor]\ninterval_ms = 5\n"), "monitor.interval_ms", ""));
  EXPECT_TRUE(has_problem(load_with_minimal("[monitor]\ndown_after_failures = 0\n"), "monitor.down_after_failures", ""));
  EXPECT_TRUE(has_problem(load_with_minimal("[monitor]\nconnect_timeout_ms = 99\n"), "monitor.connect_timeout_ms", ""));
}

TEST(MonitorConfigTest, UnknownKeyIsReported) {
  EXPECT_TRUE(has_problem(load_with_minimal("[monitor]\nintervall_ms = 100\n"), "monitor.intervall_ms", "unknown"));
}

}  // namespace
}  // namespace rwproxy::config
