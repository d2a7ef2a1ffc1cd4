#include "core/poll_schedule.hpp"

#include <algorithm>

#include "core/backoff.hpp"

namespace feedsync {

namespace {
constexpr double kJitterSpread = 0.1;  // ±10 %
}  // namespace

std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds interval, std::int64_t consecutive_failures,
                                          std::chrono::milliseconds max_backoff, double jitter_unit) {
  const std::chrono::milliseconds base = std::max(interval, std::chrono::milliseconds(1));
  // After a success the interval itself, jittered either side: a max_backoff below the interval
  // must not shorten it.
  if (consecutive_failures <= 0)
    return Backoff{base, std::chrono::milliseconds::max()}.spread_jitter(1, kJitterSpread, jitter_unit);
  return Backoff{base, std::max(max_backoff, base)}.spread_jitter(consecutive_failures, kJitterSpread, jitter_unit);
}

}  // namespace feedsync
