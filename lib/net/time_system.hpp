#pragma once
// Time from one place (Envoy's TimeSource / SimulatedTimeSystem): a TimeSystem reads the clocks
// (it is a feedsync::Clock) and makes the timers that wait on them. Code that sleeps takes a
// TimeSystem, never an asio::steady_timer of its own, so its tests run on simulated time
// (tests/support/simulated_time_system.hpp): timers fire when the test moves time on, and a test
// of hours of backoffs finishes in milliseconds. Production uses RealTimeSystem.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"

namespace feedsync::net {

// A timer on one executor, for one waiter at a time (like asio::steady_timer: a new wait cancels
// the pending one). Destroying it cancels the pending wait; the waiter then resumes without
// touching the timer again.
class Timer {
 public:
  virtual ~Timer() = default;
  // Waits until `deadline` (true), or until cancel() (false). Always suspends: a deadline
  // already passed completes on the executor's next turn, so a loop of waits yields each round.
  virtual boost::asio::awaitable<bool> wait_until(SteadyTime deadline) = 0;
  // wait_until(now + duration); a zero or negative duration is a deadline already passed.
  virtual boost::asio::awaitable<bool> wait_for(SteadyTime::duration duration) = 0;
  // Wakes the pending wait (it returns false); nothing when no wait is pending, so a wake-up
  // that must not be lost needs a flag beside it.
  virtual void cancel() = 0;
};

class TimeSystem : public feedsync::Clock {
 public:
  // A timer whose waits resume on `executor`. The time system must outlive it.
  virtual std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor executor) = 0;
};

// The steady and system clocks; timers on asio::steady_timer.
class RealTimeSystem final : public TimeSystem {
 public:
  SteadyTime steady_now() const override;
  std::chrono::system_clock::time_point system_now() const override;
  std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor executor) override;
};

}  // namespace feedsync::net
