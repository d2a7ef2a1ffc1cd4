// /livez's loop-lag check: the arithmetic on fake time, then the heartbeat on simulated time
// with a loop that is blocked on purpose.
#include "ops/loop_lag.hpp"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "ops/loop_heartbeat.hpp"
#include "support/fake_clock.hpp"
#include "support/simulated_time_system.hpp"

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

// The heartbeat on simulated time, where a blocked loop is time passing while no handler runs:
// a stall shows to whatever runs right after it (a /livez request waiting behind it), to the
// millisecond, and is gone once the loop keeps time again.
TEST(LoopHeartbeat, ABlockedLoopShowsAsAStall) {
  feedsync::testing::SimulatedTimeSystem time;
  boost::asio::io_context io;
  LoopHeartbeat heartbeat(io.get_executor(), time);
  EXPECT_EQ(heartbeat.stall(), 0ms) << "not started";
  heartbeat.start();
  time.advance_and_run(io, 5 * kLoopTickPeriod);
  EXPECT_EQ(heartbeat.stall(), 0ms);

  time.advance(1s);  // the loop is blocked: the tick is due but cannot run
  EXPECT_EQ(heartbeat.stall(), 1s - kLoopTickPeriod);
  time.run_ready(io);  // the late tick runs
  EXPECT_EQ(heartbeat.stall(), 1s - kLoopTickPeriod) << "the late tick shows until the next one";
  time.advance_and_run(io, kLoopTickPeriod);
  EXPECT_EQ(heartbeat.stall(), 0ms) << "on time again";

  heartbeat.stop();
  EXPECT_EQ(heartbeat.stall(), 0ms) << "stopped";
  time.run_ready(io);
  EXPECT_FALSE(time.next_deadline()) << "no tick left waiting";
}

}  // namespace
}  // namespace feedsync::ops
