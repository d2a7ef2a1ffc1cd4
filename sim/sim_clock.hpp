#pragma once
// The simulator's notion of time: a base clock plus an offset the control API can move forward
// (or set), so tests make tokens expire, scheduled publishes pass and rate-limit buckets refill
// without sleeping. Every timestamp the simulator writes and every bucket it refills reads this.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.hpp"

namespace feedsync::sim {

class SimClock final : public Clock {
 public:
  explicit SimClock(const Clock& base) : base_(base) {}

  std::chrono::steady_clock::time_point steady_now() const override {
    return base_.steady_now() + std::chrono::milliseconds(offset_ms_.load());
  }
  std::chrono::system_clock::time_point system_now() const override {
    return base_.system_now() + std::chrono::milliseconds(offset_ms_.load());
  }

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(system_now().time_since_epoch()).count();
  }
  std::int64_t offset_ms() const { return offset_ms_.load(); }
  // Atomic because tests running the simulator on a loop thread may read the time from theirs.
  // Going backwards is allowed (set_offset) but only forward moves keep "newest first" stable.
  void advance_ms(std::int64_t ms) { offset_ms_ += ms; }
  void set_offset_ms(std::int64_t ms) { offset_ms_ = ms; }

 private:
  const Clock& base_;
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace feedsync::sim
