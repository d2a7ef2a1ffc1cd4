// The systemd watchdog pinger against a fake notify socket, on simulated time: a blocked loop is
// time passing while no handler runs, so where each ping falls is exact.
#include "ops/watchdog.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/time_system.hpp"
#include "ops/sd_notify.hpp"
#include "support/simulated_time_system.hpp"
#include "unit/ops/fake_systemd.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using feedsync::testing::SimulatedTimeSystem;
using testing::FakeSystemd;

constexpr const char* kPing = "WATCHDOG=1";

config::Environment notify_env(const FakeSystemd& systemd) {
  return {[socket = systemd.notify_socket()](const std::string& name) -> std::optional<std::string> {
    if (name == "NOTIFY_SOCKET") return socket;
    return std::nullopt;
  }};
}

class WatchdogPingerTest : public ::testing::Test {
 protected:
  WatchdogPingerTest() : systemd_(FakeSystemd::unique_abstract_name()), notifier_(notify_env(systemd_)) {}

  // Runs the loop for `duration` of simulated time, deadline by deadline; when each ping was sent
  // (pings are sent from the loop, so the clock reads the moment of the handler that sent them).
  std::vector<SteadyTime> pings_during(SteadyTime::duration duration) {
    std::vector<SteadyTime> at;
    const auto end = time_.steady_now() + duration;
    auto collect = [&] {
      for (const auto& datagram : systemd_.drain()) {
        EXPECT_EQ(datagram, kPing);
        at.push_back(time_.steady_now());
      }
    };
    time_.run_ready(io_);
    collect();
    for (auto next = time_.next_deadline(); next && *next <= end; next = time_.next_deadline()) {
      time_.advance_to(*next);
      time_.run_ready(io_);
      collect();
    }
    time_.advance_to(end);
    return at;
  }

  SimulatedTimeSystem time_;
  boost::asio::io_context io_;
  FakeSystemd systemd_;
  SdNotifier notifier_;
};

TEST_F(WatchdogPingerTest, PingsAtHalfTheInterval) {
  EXPECT_EQ(WatchdogPinger(io_.get_executor(), time_, notifier_, 100ms).period(), 50ms);
  // An absurdly small WATCHDOG_USEC must not make the loop spin.
  EXPECT_EQ(WatchdogPinger(io_.get_executor(), time_, notifier_, 1us).period(), 1ms);
}

TEST_F(WatchdogPingerTest, PingsAtOnceThenEveryPeriod) {
  WatchdogPinger pinger(io_.get_executor(), time_, notifier_, 100ms);
  const auto start = time_.steady_now();
  pinger.start();
  pinger.start();  // no second chain
  EXPECT_THAT(systemd_.drain(), ::testing::ElementsAre(kPing));
  EXPECT_THAT(pings_during(250ms), ::testing::ElementsAre(start + 50ms, start + 100ms, start + 150ms,
                                                          start + 200ms, start + 250ms));
}

// A wedged handler holds the loop: the ping that falls due meanwhile cannot be sent, and the
// pings after it keep their period from the late one instead of catching up in a burst.
TEST_F(WatchdogPingerTest, ABlockedLoopSendsNoPingsAndPingsResumeAfter) {
  WatchdogPinger pinger(io_.get_executor(), time_, notifier_, 100ms);  // pings every 50 ms
  pinger.start();
  systemd_.drain();
  EXPECT_EQ(pings_during(150ms).size(), 3u);
  time_.advance(400ms);  // blocked: eight periods pass, no handler runs
  EXPECT_TRUE(systemd_.drain().empty());
  const auto unblocked = time_.steady_now();
  EXPECT_THAT(pings_during(100ms), ::testing::ElementsAre(unblocked, unblocked + 50ms, unblocked + 100ms));
}

TEST_F(WatchdogPingerTest, StopEndsPingsEvenIfTheTimerAlreadyFired) {
  WatchdogPinger pinger(io_.get_executor(), time_, notifier_, 20ms);
  pinger.start();
  EXPECT_THAT(systemd_.drain(), ::testing::ElementsAre(kPing));
  time_.advance(pinger.period());  // the timer fires; its waiter has not run yet
  pinger.stop();
  EXPECT_TRUE(pings_during(1s).empty());
  EXPECT_FALSE(time_.next_deadline()) << "no wait left";
}

TEST_F(WatchdogPingerTest, RestartsAfterStopWithOneChainOfPings) {
  WatchdogPinger pinger(io_.get_executor(), time_, notifier_, 20ms);
  pinger.start();
  pinger.stop();
  pinger.start();
  EXPECT_EQ(systemd_.drain().size(), 2u);  // one at once per start()
  // A chain left over from the first start() would double the rate.
  EXPECT_EQ(pings_during(10 * pinger.period()).size(), 10u);
}

TEST_F(WatchdogPingerTest, DestroyedWhileAWaitIsPending) {
  const auto start = time_.steady_now();
  {
    WatchdogPinger pinger(io_.get_executor(), time_, notifier_, 20ms);
    pinger.start();
  }
  EXPECT_THAT(pings_during(1s), ::testing::ElementsAre(start)) << "only start()'s";
  EXPECT_FALSE(time_.next_deadline());
}

// The same on real time: destroying the pinger cancels its real timer, so the loop runs out of
// work at once instead of waiting for the next period.
TEST(WatchdogPingerRealTimeTest, DestroyedWhileAWaitIsPendingTheLoopEnds) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(notify_env(systemd));
  net::RealTimeSystem time;
  boost::asio::io_context io;
  {
    WatchdogPinger pinger(io.get_executor(), time, notifier, std::chrono::hours(2));
    pinger.start();
  }
  const auto start = time.steady_now();
  io.run_for(10s);  // the cancelled wait completes without touching the pinger
  EXPECT_TRUE(io.stopped());
  EXPECT_LT(time.steady_now() - start, 10s);
  EXPECT_THAT(systemd.drain(), ::testing::ElementsAre(kPing));
}

}  // namespace
}  // namespace feedsync::ops
