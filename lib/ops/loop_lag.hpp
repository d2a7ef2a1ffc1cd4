#pragma once
// Whether the daemon's event loop keeps time, for /livez (issue 15). A heartbeat timer on the
// loop (LoopHeartbeat, loop_heartbeat.hpp) ticks every kLoopTickPeriod; LoopLag is the pure
// arithmetic over its ticks, with time passed in.
//
// One loop runs everything (DESIGN.md §3), the HTTP listener included, so a loop that is wedged
// for good cannot answer /livez at all: the probe times out, which probes count as failure, and
// under systemd the watchdog (watchdog.hpp) stops pinging. What this adds is the loop that still
// answers but cannot keep time: blocked for seconds at a stretch (a long SQLite transaction, a
// blocking call) or saturated so that timers fire late. A probe answered right after such a
// stall, or while the loop keeps stalling, gets 503 "event loop stalled for N ms"; a single
// stall that is over shows in the next probe no more.

#include <chrono>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace feedsync::ops {

// How often the heartbeat ticks: often enough that a stall shows within a fraction of a second,
// rarely enough to cost nothing (5 wake-ups a second).
inline constexpr std::chrono::milliseconds kLoopTickPeriod{200};
// A stall at least this long makes /livez answer 503 (docs/operations.md, /livez). Far above
// anything a healthy loop sees (DESIGN.md §3 moves work off the loop past 20 ms), below the
// usual liveness-probe timeouts times their failure thresholds.
inline constexpr std::chrono::milliseconds kLoopStallThreshold{10'000};

class LoopLag {
 public:
  explicit LoopLag(SteadyTime start, std::chrono::milliseconds period = kLoopTickPeriod)
      : period_(period), last_tick_(start) {}

  // The heartbeat fired at `now`.
  void tick(SteadyTime now);

  // How far behind the loop is as of `now`: the larger of how late the last tick fired and how
  // overdue the next one is. Zero for a loop that keeps time.
  std::chrono::milliseconds stall(SteadyTime now) const;

 private:
  std::chrono::milliseconds period_;
  SteadyTime last_tick_;
  std::chrono::milliseconds last_lateness_{0};
};

// "event loop stalled for 12034 ms", or nullopt when `stall` is under `threshold`.
std::optional<std::string> liveness_problem(std::chrono::milliseconds stall,
                                            std::chrono::milliseconds threshold = kLoopStallThreshold);

}  // namespace feedsync::ops
