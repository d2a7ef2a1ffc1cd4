#pragma once
// Time as a dependency (DESIGN.md §2: `Clock`), so scheduling, backoff, rate limits and token
// expiry are tested with fake time. Pure interface; SystemClock reads the real clocks.

#include <chrono>

namespace feedsync {

// The monotonic time every Clock speaks (deadlines, due times); read it through Clock::steady_now.
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic: for intervals, deadlines, rate limits.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  // Wall clock: for timestamps shown to people, HTTP-date Retry-After, token expiry logs.
  virtual std::chrono::system_clock::time_point system_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point system_now() const override {
    return std::chrono::system_clock::now();
  }
};

// The process's one SystemClock, for callers that are not handed a clock.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace feedsync
