// Replication lag from heartbeats, on the proxy's own clock. The monitor remembers when it wrote
// each heartbeat; a replica whose newest applied heartbeat is `visible` has been missing the next
// one since that one was written. Lag is the midpoint of "since the next heartbeat was written"
// and "since the visible one was written", so its error is at most half the heartbeat interval.
// A visible heartbeat older than every remembered write counts its whole age (never less).
// Pure: times are passed in (microseconds of the system clock).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace rwproxy::monitor {

class LagEstimator {
 public:
  explicit LagEstimator(std::size_t history = 4096) : history_(history) {}

  void wrote(std::int64_t timestamp_us);
  // Lag in milliseconds of a replica whose newest heartbeat is `visible_us`.
  std::optional<std::uint32_t> lag_ms(std::int64_t visible_us, std::int64_t now_us) const;
  std::optional<std::int64_t> latest() const {
    return writes_.empty() ? std::nullopt : std::optional(writes_.back());
  }

 private:
  std::size_t history_;
  std::deque<std::int64_t> writes_;  // increasing
};

}  // namespace rwproxy::monitor
