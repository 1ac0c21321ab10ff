// The time column of a general query log, as a point in time:
//
//   231123 23:13:55                  MariaDB: YYMMDD HH:MM:SS, local time, whole seconds
//   2023-11-23T23:13:55.123456Z      MySQL: ISO 8601 with microseconds, UTC ("Z") or an offset
//   2023-11-23T23:13:55.123456+01:00
//
// Only differences between the times of one log matter (the read-after-write window), so a
// MariaDB time is taken as if it were UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace rwproxy::explain {

struct LogTime {
  std::chrono::microseconds since_epoch{0};
  bool whole_seconds = false;  // MariaDB: the true time is up to a second later
};

// std::nullopt when `text` is not one of the formats above (or names an impossible date).
std::optional<LogTime> parse_log_time(std::string_view text);

}  // namespace rwproxy::explain
