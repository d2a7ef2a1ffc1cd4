#pragma once
// When a feed is polled next (DESIGN.md §4): its interval after a success; after failures a
// capped exponential backoff (core/backoff.hpp: interval * 2^(failures-1), at most
// max(max_backoff, interval)), never "give up". ±10 % jitter so feeds configured alike do not
// poll in lockstep. Pure: the caller passes the random draw.

#include <chrono>
#include <cstdint>

namespace feedsync {

// `jitter_unit` is a uniform draw from [0, 1).
std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds interval, std::int64_t consecutive_failures,
                                          std::chrono::milliseconds max_backoff, double jitter_unit);

}  // namespace feedsync
