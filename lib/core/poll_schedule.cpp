#include "core/poll_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace feedsync {

std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds interval, std::int64_t consecutive_failures,
                                          std::chrono::milliseconds max_backoff, double jitter_unit) {
  const double base = static_cast<double>(std::max<std::int64_t>(interval.count(), 1));
  const double cap = std::max(static_cast<double>(max_backoff.count()), base);
  const auto exponent = std::clamp<std::int64_t>(consecutive_failures - 1, 0, 40);
  const double wanted = consecutive_failures <= 0 ? base : std::min(cap, base * std::ldexp(1.0, static_cast<int>(exponent)));
  const double jitter = 0.9 + 0.2 * std::clamp(jitter_unit, 0.0, 1.0);
  const double delay = consecutive_failures <= 0 ? wanted * jitter : std::min(cap, wanted * jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(delay)));
}

}  // namespace feedsync
