#pragma once
// Capped exponential backoff: the one formula behind every retry schedule (DESIGN.md §4) - a
// failing feed's next poll (core/poll_schedule), an HTTP retry (net::RetryPolicy), a failed
// outbox operation (engine::OutboxRelay), a token request (cms::TokenSource) and an open circuit
// (net::CircuitBreaker). The n-th wait grows as base * 2^(n-1) up to a cap, and is then jittered
// so that clients that failed together do not come back together. The jitter is the caller's:
//   - full jitter, uniform between a floor and the ceiling: from 0 (HTTP retries), from base/2
//     (the outbox), from ceiling/2 (the circuit breaker);
//   - spread, the ceiling scaled by a factor around 1 and capped again (the poll schedule, whose
//     waits must stay close to the configured interval).
// Pure: the random draw comes from the caller.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace feedsync {

struct Backoff {
  std::chrono::milliseconds base;
  std::chrono::milliseconds cap;

  // min(cap, base * 2^(attempt-1)) for the 1-based `attempt` (attempt <= 1: min(cap, base)). A
  // negative base or cap counts as zero; any attempt (up to INT64_MAX) saturates at the cap
  // instead of overflowing.
  std::chrono::milliseconds ceiling(std::int64_t attempt) const;

  // Full jitter: uniform in [min(floor, ceiling), ceiling] (both ends included).
  template <std::uniform_random_bit_generator G>
  std::chrono::milliseconds full_jitter(std::int64_t attempt, std::chrono::milliseconds floor, G& rng) const {
    const auto high = ceiling(attempt).count();
    std::uniform_int_distribution<std::int64_t> draw(std::min<std::int64_t>(floor.count(), high), high);
    return std::chrono::milliseconds(draw(rng));
  }

  // The ceiling scaled by (1 - spread) + 2 * spread * unit for a uniform `unit` in [0, 1)
  // (clamped to [0, 1]), rounded to the nearest millisecond and never above the cap.
  std::chrono::milliseconds spread_jitter(std::int64_t attempt, double spread, double unit) const;
};

}  // namespace feedsync
