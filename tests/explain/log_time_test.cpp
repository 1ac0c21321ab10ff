// The time column of MariaDB and MySQL general logs.
#include "proxy/explain/log_time.hpp"

#include <gtest/gtest.h>

namespace rwproxy::explain {
namespace {

using namespace std::chrono;

// 2023-11-23T23:13:55Z
constexpr microseconds kBase = duration_cast<microseconds>(seconds{1700781235});

TEST(LogTime, MariaDbWholeSeconds) {
  const auto t = parse_log_time("231123 23:13:55");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->since_epoch, kBase);
  EXPECT_TRUE(t->whole_seconds);
}

TEST(LogTime, MariaDbHourPaddedWithASpace) {
  const auto t = parse_log_time("231123  9:05:01");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->since_epoch, duration_cast<microseconds>(sys_days{2023y / 11 / 23}.time_since_epoch() + 9h + 5min + 1s));
}

TEST(LogTime, MySqlMicrosecondsInUtc) {
  const auto t = parse_log_time("2023-11-23T23:13:55.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->since_epoch, kBase + microseconds{123456});
  EXPECT_FALSE(t->whole_seconds);
}

TEST(LogTime, MySqlWithAnOffsetAndShortFraction) {
  const auto t = parse_log_time("2023-11-24T00:13:55.5+01:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->since_epoch, kBase + milliseconds{500});
}

TEST(LogTime, DifferencesAcrossMidnight) {
  const auto before = parse_log_time("2023-12-31T23:59:59.900000Z");
  const auto after = parse_log_time("2024-01-01T00:00:00.100000Z");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->since_epoch - before->since_epoch, milliseconds{200});
}

TEST(LogTime, RejectsWhatIsNotATime) {
  EXPECT_FALSE(parse_log_time(""));
  EXPECT_FALSE(parse_log_time("231123"));
  EXPECT_FALSE(parse_log_time("231323 23:13:55"));  // month 13
  EXPECT_FALSE(parse_log_time("231123 25:13:55"));
  EXPECT_FALSE(parse_log_time("2023-11-23T23:13:55"));  // no zone
  EXPECT_FALSE(parse_log_time("2023-11-23T23:13:55.Z"));
  EXPECT_FALSE(parse_log_time("2023-02-30T00:00:00Z"));
}

}  // namespace
}  // namespace rwproxy::explain
