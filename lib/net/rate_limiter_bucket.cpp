#include "net/rate_limiter_bucket.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace feedsync::net {

TokenBucket::TokenBucket(double rate_per_second, std::size_t burst)
    : rate_(rate_per_second), burst_(burst == 0 ? 1 : burst) {
  if (!std::isfinite(rate_per_second) || rate_per_second < 0.0)
    throw std::invalid_argument("rate limit must be a finite, non-negative number per second");
  unlimited_ = rate_per_second == 0.0;
  if (unlimited_) return;
  const double nanos = std::round(1e9 / rate_per_second);
  // Below 1 ns per token the limit cannot be told apart from none; above ~292 years it would
  // overflow: a rate that slow is a configuration error the config layer already rejects.
  if (nanos > 1e18) throw std::invalid_argument("rate limit is too slow");
  interval_ = std::chrono::duration_cast<duration>(
      std::chrono::nanoseconds(static_cast<std::int64_t>(nanos < 1.0 ? 1.0 : nanos)));
  if (static_cast<double>(burst_) * static_cast<double>(interval_.count()) > 1e18)
    throw std::invalid_argument("rate limit burst is too large");
  tolerance_ = interval_ * static_cast<duration::rep>(burst_ - 1);
}

TokenBucket::duration TokenBucket::reserve(time_point now) {
  return *try_reserve(now, duration::max());
}

std::optional<TokenBucket::duration> TokenBucket::try_reserve(time_point now, duration max_wait) {
  if (unlimited_) return duration::zero();
  // Idle time refills the bucket only up to `burst`: a schedule in the past restarts at now.
  const time_point start = tat_ > now ? tat_ : now;
  const time_point allowed = start - tolerance_;
  const duration wait = allowed > now ? allowed - now : duration::zero();
  if (wait > max_wait) return std::nullopt;
  tat_ = start + interval_;
  return wait;
}

}  // namespace feedsync::net
