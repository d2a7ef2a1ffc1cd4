#include "ops/loop_lag.hpp"

#include <algorithm>

namespace feedsync::ops {

using std::chrono::milliseconds;

namespace {

milliseconds late_by(SteadyTime now, SteadyTime due) {
  return now > due ? std::chrono::floor<milliseconds>(now - due) : milliseconds(0);
}

}  // namespace

void LoopLag::tick(SteadyTime now) {
  last_lateness_ = late_by(now, last_tick_ + period_);
  last_tick_ = std::max(last_tick_, now);
}

milliseconds LoopLag::stall(SteadyTime now) const {
  return std::max(last_lateness_, late_by(now, last_tick_ + period_));
}

std::optional<std::string> liveness_problem(milliseconds stall, milliseconds threshold) {
  if (stall < threshold) return std::nullopt;
  return "event loop stalled for " + std::to_string(stall.count()) + " ms";
}

}  // namespace feedsync::ops
