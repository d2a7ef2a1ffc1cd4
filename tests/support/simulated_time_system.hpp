#pragma once
// Simulated time for tests (Envoy's SimulatedTimeSystem): both clocks stand still until the test
// moves them, and a timer made here fires only when time reaches its deadline. Code under test
// takes a net::TimeSystem&, so a test of minutes of backoffs and poll intervals runs in
// milliseconds and sees every timer fire at its exact deadline.
//
// The drivers run an io_context on simulated time: whatever is ready runs first; when nothing is
// ready, time jumps to the next timer's deadline (auto-advance).
//
//   SimulatedTimeSystem time;
//   boost::asio::io_context io;
//   OutboxRelay relay(io.get_executor(), ..., time, ...);
//   ASSERT_TRUE(time.run_until(io, [&] { return done; }));
//   time.advance_and_run(io, std::chrono::minutes(5));
//
// Declare it before anything that makes timers from it (they must not outlive it) and run only
// code on it that waits through its timers: a real asio::steady_timer would never fire here.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "net/time_system.hpp"

namespace feedsync::testing {

class SimulatedTimeSystem final : public net::TimeSystem {
 public:
  // The system clock starts at `system_start` (default 2026-11-22T00:00:00Z, as FakeClock's).
  explicit SimulatedTimeSystem(std::chrono::system_clock::time_point system_start =
                                   std::chrono::system_clock::time_point(std::chrono::seconds(1795348800)));
  ~SimulatedTimeSystem() override;
  SimulatedTimeSystem(const SimulatedTimeSystem&) = delete;
  SimulatedTimeSystem& operator=(const SimulatedTimeSystem&) = delete;

  SteadyTime steady_now() const override { return steady_; }
  std::chrono::system_clock::time_point system_now() const override { return system_; }
  std::unique_ptr<net::Timer> make_timer(boost::asio::any_io_executor executor) override;

  // Moves both clocks on to `when` (never back) and fires every timer due by then, earliest
  // first. The waiters resume when their io_context next runs.
  void advance_to(SteadyTime when);
  void advance(SteadyTime::duration duration) { advance_to(steady_ + duration); }
  // The earliest deadline of a pending wait; nullopt when no timer is waiting.
  std::optional<SteadyTime> next_deadline();
  std::size_t pending_waits();

  // Runs every handler that is ready on `io`, without moving time; how many ran.
  static std::size_t run_ready(boost::asio::io_context& io);
  // Runs `io` until `done()` holds, jumping to the next deadline whenever nothing is ready.
  // False if `done()` still fails when nothing is left to run, or when the next deadline is
  // more than `limit` after the call began.
  bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                 SteadyTime::duration limit = std::chrono::hours(24));
  // Runs `io` while time moves `duration` on, stopping at every deadline on the way.
  void advance_and_run(boost::asio::io_context& io, SteadyTime::duration duration);

  struct Wait;  // one pending wait of one timer (simulated_time_system.cpp)

 private:
  void add(const std::shared_ptr<Wait>& wait);
  friend class SimulatedTimer;

  SteadyTime steady_{std::chrono::hours(1)};
  std::chrono::system_clock::time_point system_;
  // Earliest first, in the order they began for equal deadlines. Owned by the waiting coroutines
  // (so destroying the io_context ends them); entries whose wait ended are dropped lazily.
  std::multimap<SteadyTime, std::weak_ptr<Wait>> waits_;
};

}  // namespace feedsync::testing
