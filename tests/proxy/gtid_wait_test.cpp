#include "proxy/backend/gtid_wait.hpp"

#include <gtest/gtest.h>

namespace rwproxy::backend {
namespace {

TEST(GtidWaitTest, WaitStatementNamesThePositionAndTheTimeoutInSeconds) {
  const auto position = router::GtidPosition::parse("1-2-7,0-1-100");
  ASSERT_TRUE(position);
  EXPECT_EQ(gtid_wait_payload(*position, std::chrono::milliseconds(500)),
            "\x03SELECT MASTER_GTID_WAIT('0-1-100,1-2-7', 0.500)");
  EXPECT_EQ(gtid_wait_payload(*position, std::chrono::milliseconds(2005)),
            "\x03SELECT MASTER_GTID_WAIT('0-1-100,1-2-7', 2.005)");
  EXPECT_EQ(gtid_wait_payload(*position, std::chrono::milliseconds(1)),
            "\x03SELECT MASTER_GTID_WAIT('0-1-100,1-2-7', 0.001)")
      << "never 0, which MariaDB reads as 'do not wait'";
}

TEST(GtidWaitTest, BinlogPositionQuery) {
  EXPECT_EQ(binlog_position_payload(), "\x03SELECT @@global.gtid_binlog_pos");
}

}  // namespace
}  // namespace rwproxy::backend
