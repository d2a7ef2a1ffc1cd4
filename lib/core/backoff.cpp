#include "core/backoff.hpp"

#include <cmath>

namespace feedsync {

std::chrono::milliseconds Backoff::ceiling(std::int64_t attempt) const {
  const std::int64_t top = std::max<std::int64_t>(cap.count(), 0);
  std::int64_t value = std::max<std::int64_t>(base.count(), 0);
  // Doubling stops at the cap, so this loops at most ~63 times whatever `attempt` is.
  for (std::int64_t i = 1; i < attempt && value > 0 && value < top; ++i) value = value > top / 2 ? top : value * 2;
  return std::chrono::milliseconds(std::min(value, top));
}

std::chrono::milliseconds Backoff::spread_jitter(std::int64_t attempt, double spread, double unit) const {
  const double capped = static_cast<double>(std::max<std::int64_t>(cap.count(), 0));
  const double factor = (1.0 - spread) + 2.0 * spread * std::clamp(unit, 0.0, 1.0);
  const double wanted = static_cast<double>(ceiling(attempt).count()) * factor;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(std::min(capped, wanted))));
}

}  // namespace feedsync
