#pragma once
// The pure core of the per-origin rate limiter: a token bucket kept as a "theoretical arrival
// time" (GCRA), so that a caller reserves its token up front and learns how long to wait.
// Reservations are handed out in call order, which makes the queue fair (FIFO) without a queue:
// the tenth caller of a burst is told to wait nine intervals. No Asio, no clock of its own:
// `now` comes from the caller (Clock::steady_now()), which lets tests run on a FakeClock.

#include <chrono>
#include <cstddef>
#include <optional>

namespace feedsync::net {

class TokenBucket {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  // `rate_per_second` 0 = unlimited; `burst` tokens are available at once after an idle period
  // (0 is taken as 1). Throws std::invalid_argument for a negative or non-finite rate.
  TokenBucket(double rate_per_second, std::size_t burst);

  bool unlimited() const { return unlimited_; }
  double rate_per_second() const { return rate_; }
  std::size_t burst() const { return burst_; }
  duration interval() const { return interval_; }

  // Takes the next token and returns how long to wait before using it (zero: now). Never
  // refuses: a caller that gives up after reserving loses its token, erring towards sending
  // slower than the rate, never faster.
  duration reserve(time_point now);

  // As reserve(), but takes nothing and returns nullopt when the wait would exceed `max_wait`
  // (the request's deadline would pass in the queue).
  std::optional<duration> try_reserve(time_point now, duration max_wait);

 private:
  double rate_ = 0.0;
  std::size_t burst_ = 1;
  bool unlimited_ = true;
  duration interval_{0};   // time per token
  duration tolerance_{0};  // (burst - 1) intervals: how far ahead of the schedule one may be
  // When the bucket would be full again if nobody took a token. At or before `now`: full.
  time_point tat_{};
};

}  // namespace feedsync::net
