// Timers from one place (net/time_system.hpp), the simulated time system tests run on
// (tests/support/simulated_time_system.hpp), and net::Signal.
#include "net/time_system.hpp"

#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/signal.hpp"
#include "support/simulated_time_system.hpp"

namespace feedsync::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using feedsync::testing::SimulatedTimeSystem;

// Waits on `timer` and records whether the wait fired and when it ended.
struct Waiter {
  std::optional<bool> fired;
  SteadyTime ended_at{};
};

void start_wait(asio::io_context& io, const Clock& clock, Timer& timer, SteadyTime::duration d, Waiter& out) {
  asio::co_spawn(io, [&timer, &clock, &out, d]() -> asio::awaitable<void> {
    out.fired = co_await timer.wait_for(d);
    out.ended_at = clock.steady_now();
  }, asio::detached);
}

class SimulatedTimeTest : public ::testing::Test {
 protected:
  SimulatedTimeSystem time_;
  asio::io_context io_;
};

TEST_F(SimulatedTimeTest, ATimerFiresWhenTimeReachesItsDeadlineAndNotBefore) {
  auto timer = time_.make_timer(io_.get_executor());
  Waiter waiter;
  const auto start = time_.steady_now();
  const auto system_start = time_.system_now();
  start_wait(io_, time_, *timer, 10s, waiter);
  time_.run_ready(io_);
  EXPECT_EQ(time_.next_deadline(), start + 10s);
  time_.advance(10s - 1ms);
  time_.run_ready(io_);
  EXPECT_FALSE(waiter.fired);
  time_.advance(1ms);
  time_.run_ready(io_);
  EXPECT_EQ(waiter.fired, true);
  EXPECT_EQ(waiter.ended_at, start + 10s);
  EXPECT_EQ(time_.system_now() - system_start, 10s);  // both clocks move together
  EXPECT_FALSE(time_.next_deadline());
}

TEST_F(SimulatedTimeTest, CancelAndDestructionWakeTheWaiterWithFalse) {
  auto cancelled = time_.make_timer(io_.get_executor());
  auto destroyed = time_.make_timer(io_.get_executor());
  Waiter a, b;
  start_wait(io_, time_, *cancelled, 1h, a);
  start_wait(io_, time_, *destroyed, 1h, b);
  time_.run_ready(io_);
  cancelled->cancel();
  destroyed.reset();
  time_.run_ready(io_);
  EXPECT_EQ(a.fired, false);
  EXPECT_EQ(b.fired, false);
  EXPECT_EQ(time_.pending_waits(), 0u);
  cancelled->cancel();  // nothing pending: a no-op
}

TEST_F(SimulatedTimeTest, ANewWaitCancelsThePendingOne) {
  auto timer = time_.make_timer(io_.get_executor());
  Waiter first, second;
  start_wait(io_, time_, *timer, 1h, first);
  time_.run_ready(io_);
  start_wait(io_, time_, *timer, 5s, second);
  ASSERT_TRUE(time_.run_until(io_, [&] { return second.fired.has_value(); }));
  EXPECT_EQ(first.fired, false);
  EXPECT_EQ(second.fired, true);
}

TEST_F(SimulatedTimeTest, ADeadlineAlreadyPassedFiresOnTheNextTurn) {
  auto timer = time_.make_timer(io_.get_executor());
  Waiter waiter;
  start_wait(io_, time_, *timer, -1s, waiter);
  io_.poll_one();  // starts the coroutine: it must not have finished within the same turn
  EXPECT_FALSE(waiter.fired);
  time_.run_ready(io_);
  EXPECT_EQ(waiter.fired, true);
}

TEST_F(SimulatedTimeTest, RunUntilJumpsFromDeadlineToDeadlineInOrder) {
  std::vector<std::string> fired;
  std::vector<std::unique_ptr<Timer>> timers;
  for (const auto& [name, after] : std::vector<std::pair<std::string, SteadyTime::duration>>{
           {"c", 30s}, {"a", 10s}, {"b", 20s}, {"a2", 10s}}) {
    timers.push_back(time_.make_timer(io_.get_executor()));
    asio::co_spawn(io_, [&fired, timer = timers.back().get(), name, after]() -> asio::awaitable<void> {
      if (co_await timer->wait_for(after)) fired.push_back(name);
    }, asio::detached);
  }
  const auto start = time_.steady_now();
  EXPECT_TRUE(time_.run_until(io_, [&] { return fired.size() == 2; }));
  EXPECT_EQ(time_.steady_now(), start + 10s);  // stopped as soon as it held
  EXPECT_TRUE(time_.run_until(io_, [&] { return fired.size() == 4; }));
  EXPECT_THAT(fired, ::testing::ElementsAre("a", "a2", "b", "c"));
  EXPECT_EQ(time_.steady_now(), start + 30s);
  // Nothing left to wait for: false at once rather than a hang.
  EXPECT_FALSE(time_.run_until(io_, [] { return false; }));
}

TEST_F(SimulatedTimeTest, RunUntilGivesUpPastItsLimit) {
  auto timer = time_.make_timer(io_.get_executor());
  Waiter waiter;
  start_wait(io_, time_, *timer, 2h, waiter);
  const auto start = time_.steady_now();
  EXPECT_FALSE(time_.run_until(io_, [&] { return waiter.fired.has_value(); }, 1h));
  EXPECT_EQ(time_.steady_now(), start);
  EXPECT_FALSE(waiter.fired);
}

TEST_F(SimulatedTimeTest, AdvanceAndRunStopsAtEveryDeadlineOnTheWay) {
  auto timer = time_.make_timer(io_.get_executor());
  std::vector<SteadyTime> ticks;
  bool stop = false;
  asio::co_spawn(io_, [&]() -> asio::awaitable<void> {
    while (!stop && co_await timer->wait_for(100ms)) ticks.push_back(time_.steady_now());
  }, asio::detached);
  const auto start = time_.steady_now();
  time_.advance_and_run(io_, 1s);
  ASSERT_EQ(ticks.size(), 10u);
  for (std::size_t i = 0; i < ticks.size(); ++i) EXPECT_EQ(ticks[i], start + (i + 1) * 100ms) << i;
  EXPECT_EQ(time_.steady_now(), start + 1s);
  stop = true;
  timer->cancel();
  time_.run_ready(io_);
}

TEST(SignalTest, NotifyAllWakesEveryWaiterAndLaterWaitsWaitForTheNext) {
  asio::io_context io;
  Signal signal(io.get_executor());
  int woken = 0;
  auto wait = [&]() -> asio::awaitable<void> {
    co_await signal.wait();
    ++woken;
  };
  asio::co_spawn(io, wait(), asio::detached);
  asio::co_spawn(io, wait(), asio::detached);
  io.poll();
  EXPECT_EQ(woken, 0);
  signal.notify_all();
  asio::co_spawn(io, wait(), asio::detached);  // began after the notification
  io.restart();
  io.poll();
  EXPECT_EQ(woken, 2);
  signal.notify_all();
  io.restart();
  io.poll();
  EXPECT_EQ(woken, 3);
}

TEST(RealTimeSystemTest, TimersFireAfterTheirDurationAndCancelWakesAtOnce) {
  RealTimeSystem time;
  asio::io_context io;
  auto short_timer = time.make_timer(io.get_executor());
  auto long_timer = time.make_timer(io.get_executor());
  Waiter fires, cancelled;
  const auto start = time.steady_now();
  start_wait(io, time, *long_timer, 1h, cancelled);
  // When the short wait ends, the hour-long one is cancelled: run() returns once both are done.
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    fires.fired = co_await short_timer->wait_for(2ms);
    fires.ended_at = time.steady_now();
    long_timer->cancel();
  }, asio::detached);
  io.run();
  EXPECT_EQ(fires.fired, true);
  EXPECT_GE(fires.ended_at - start, 2ms);
  EXPECT_EQ(cancelled.fired, false);
  EXPECT_LT(cancelled.ended_at - start, 1h);
}

}  // namespace
}  // namespace feedsync::net
