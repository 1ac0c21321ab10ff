#include "proxy/monitor/lag_estimator.hpp"

#include <algorithm>

namespace rwproxy::monitor {

void LagEstimator::wrote(std::int64_t timestamp_us) {
  if (!writes_.empty() && timestamp_us <= writes_.back()) return;
  writes_.push_back(timestamp_us);
  while (writes_.size() > history_) writes_.pop_front();
}

std::optional<std::uint32_t> LagEstimator::lag_ms(std::int64_t visible_us, std::int64_t now_us) const {
  auto clamp_ms = [](std::int64_t us) {
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(us / 1000, 0, UINT32_MAX));
  };
  // A heartbeat from an earlier run, or older than the history: the next one is not known, so
  // the lag is the age of the visible one (a midpoint with the oldest kept write would
  // underestimate it by up to half of everything forgotten).
  if (writes_.empty() || visible_us < writes_.front()) return clamp_ms(now_us - visible_us);
  if (visible_us >= writes_.back()) return 0;
  auto next = std::upper_bound(writes_.begin(), writes_.end(), visible_us);
  const std::int64_t since_visible = now_us - visible_us;
  const std::int64_t since_next = now_us - *next;
  return clamp_ms((since_visible + since_next) / 2);
}

}  // namespace rwproxy::monitor
