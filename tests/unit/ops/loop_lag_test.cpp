// /livez's loop-lag check: the arithmetic on fake time, then the heartbeat on a real loop that
// is blocked on purpose.
#include "ops/loop_lag.hpp"

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "ops/loop_heartbeat.hpp"
#include "support/fake_clock.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using feedsync::testing::FakeClock;

TEST(LoopLag, ALoopThatKeepsTimeHasNoStall) {
  FakeClock clock;
  LoopLag lag(clock.steady_now(), 200ms);
  for (int i = 0; i < 20; ++i) {
    clock.advance(200ms);
    lag.tick(clock.steady_now());
    EXPECT_EQ(lag.stall(clock.steady_now()), 0ms);
  }
  clock.advance(150ms);  // between ticks
  EXPECT_EQ(lag.stall(clock.steady_now()), 0ms);
}

TEST(LoopLag, AnOverdueTickIsAStallWhileItLasts) {
  FakeClock clock;
  LoopLag lag(clock.steady_now(), 200ms);
  clock.advance(12s);  // no tick: the loop is busy
  EXPECT_EQ(lag.stall(clock.steady_now()), 11'800ms);
}

TEST(LoopLag, ALateTickShowsUntilTheNextOneIsOnTime) {
  FakeClock clock;
  LoopLag lag(clock.steady_now(), 200ms);
  clock.advance(12s);
  lag.tick(clock.steady_now());  // fired 11.8 s late
  EXPECT_EQ(lag.stall(clock.steady_now()), 11'800ms);
  clock.advance(200ms);
  lag.tick(clock.steady_now());  // on time again
  EXPECT_EQ(lag.stall(clock.steady_now()), 0ms);
}

TEST(LoopLag, OnlyAStallPastTheThresholdIsAProblem) {
  EXPECT_EQ(liveness_problem(9'999ms), std::nullopt);
  EXPECT_EQ(liveness_problem(kLoopStallThreshold), "event loop stalled for 10000 ms");
  EXPECT_EQ(liveness_problem(12'034ms, 10s), "event loop stalled for 12034 ms");
}

// The heartbeat on a real loop: a handler that blocks the loop shows as a stall to whatever runs
// right after it (a /livez request waiting behind it), and is gone once the loop keeps time again.
TEST(LoopHeartbeat, ABlockedLoopShowsAsAStall) {
  boost::asio::io_context io;
  const SystemClock clock{};
  LoopHeartbeat heartbeat(io.get_executor(), clock);
  std::optional<std::chrono::milliseconds> right_after_block;
  std::optional<std::chrono::milliseconds> a_while_later;
  heartbeat.start();
  boost::asio::steady_timer later(io);
  boost::asio::post(io, [&] {
    std::this_thread::sleep_for(1s);  // the stall under test: the loop is blocked
    right_after_block = heartbeat.stall();
    later.expires_after(3 * kLoopTickPeriod);
    later.async_wait([&](boost::system::error_code) {
      a_while_later = heartbeat.stall();
      heartbeat.stop();
    });
  });
  io.run();
  ASSERT_TRUE(right_after_block && a_while_later);
  EXPECT_GE(*right_after_block, 1s - kLoopTickPeriod);
  EXPECT_LT(*a_while_later, *right_after_block);
  EXPECT_EQ(heartbeat.stall(), 0ms) << "stopped";
}

}  // namespace
}  // namespace feedsync::ops
