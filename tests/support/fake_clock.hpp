#pragma once
// A Clock that moves only when the test says so.

#include <chrono>

#include "core/clock.hpp"

namespace feedsync::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point system_start =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1795348800)))
      : system_(system_start) {}
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  std::chrono::system_clock::time_point system_now() const override { return system_; }
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1)};
  std::chrono::system_clock::time_point system_;
};

}  // namespace feedsync::testing
