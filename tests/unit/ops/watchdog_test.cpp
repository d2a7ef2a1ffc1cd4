#include "ops/watchdog.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ops/sd_notify.hpp"
#include "support/temp_dir.hpp"
#include "unit/ops/fake_systemd.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::FakeSystemd;

// Marker datagrams the test sends through the same notifier, from the loop, around a blocked
// stretch. Datagrams from one socket arrive in the order sent, so where pings fall relative to
// the markers is exact, whatever the scheduling of the threads.
constexpr const char* kBlocked = "X_FEEDSYNC_TEST=blocked";
constexpr const char* kUnblocked = "X_FEEDSYNC_TEST=unblocked";
constexpr const char* kStopped = "X_FEEDSYNC_TEST=stopped";
constexpr const char* kPing = "WATCHDOG=1";

config::Environment notify_env(const FakeSystemd& systemd) {
  return {[socket = systemd.notify_socket()](const std::string& name) -> std::optional<std::string> {
    if (name == "NOTIFY_SOCKET") return socket;
    return std::nullopt;
  }};
}

TEST(WatchdogPingerTest, PingsAtHalfTheInterval) {
  boost::asio::io_context io;
  SdNotifier notifier(config::Environment{[](const std::string&) { return std::nullopt; }});
  EXPECT_EQ(WatchdogPinger(io.get_executor(), notifier, 100ms).period(), 50ms);
  // An absurdly small WATCHDOG_USEC must not make the loop spin.
  EXPECT_EQ(WatchdogPinger(io.get_executor(), notifier, 1us).period(), 1ms);
}

TEST(WatchdogPingerTest, ABlockedLoopSendsNoPingsAndPingsResumeAfter) {
  feedsync::testing::TempDir dir;
  FakeSystemd systemd((dir / "notify").string());
  SdNotifier notifier(notify_env(systemd));
  boost::asio::io_context io;
  WatchdogPinger pinger(io.get_executor(), notifier, 100ms);  // pings every 50 ms
  constexpr auto kBlock = 400ms;  // eight periods: several pings would be due

  Clock::time_point block_end;
  auto block_the_loop = [&] {
    notifier.send(kBlocked);
    std::this_thread::sleep_for(kBlock);  // a wedged handler
    block_end = Clock::now();
    notifier.send(kUnblocked);
  };
  bool timed_out = false;
  boost::asio::steady_timer safety(io, 30s);  // only if the pings never come
  safety.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    timed_out = true;
    pinger.stop();
  });
  auto finish = [&] {
    pinger.stop();
    safety.cancel();
  };

  // The reader plays systemd and drives the phases from what it receives, so the test waits
  // for events rather than for guessed durations: 3 pings, then block the loop, then 3 pings.
  struct Arrival {
    Clock::time_point at;
    std::string text;
  };
  std::vector<Arrival> arrivals;  // written by the reader only until it is joined
  std::atomic<bool> done{false};
  std::thread reader([&] {
    int before = 0, after = 0;
    bool unblocked = false;
    while (!done) {
      auto datagram = systemd.receive(20ms);
      if (!datagram) continue;
      arrivals.push_back({Clock::now(), *datagram});
      if (*datagram == kUnblocked) unblocked = true;
      if (*datagram != kPing) continue;
      if (!unblocked && ++before == 3) boost::asio::post(io, block_the_loop);
      if (unblocked && ++after == 3) boost::asio::post(io, finish);
    }
  });
  auto started = Clock::now();
  pinger.start();
  io.run();
  done = true;
  reader.join();

  ASSERT_FALSE(timed_out);
  auto is = [](const char* text) { return [text](const Arrival& a) { return a.text == text; }; };
  auto blocked = std::find_if(arrivals.begin(), arrivals.end(), is(kBlocked));
  auto unblocked = std::find_if(arrivals.begin(), arrivals.end(), is(kUnblocked));
  ASSERT_NE(blocked, arrivals.end());
  ASSERT_NE(unblocked, arrivals.end());
  ASSERT_EQ(unblocked, blocked + 1) << "a datagram was sent while the loop was blocked: "
                                    << (blocked + 1)->text;
  EXPECT_GE(std::count_if(arrivals.begin(), blocked, is(kPing)), 3);
  EXPECT_GE(std::count_if(unblocked, arrivals.end(), is(kPing)), 3);
  // Every ping after the block began arrived after it ended (sent after, so received after).
  for (auto it = blocked; it != arrivals.end(); ++it) {
    if (it->text != kPing) continue;
    EXPECT_TRUE(it->at >= block_end) << "ping #" << (it - arrivals.begin()) << " inside the block";
  }
  // Timers never fire early, so N pings cannot arrive sooner than N-1 periods after start():
  // the pinger does not ping faster than half the interval.
  auto pings = std::count_if(arrivals.begin(), arrivals.end(), is(kPing));
  auto last_ping = std::find_if(arrivals.rbegin(), arrivals.rend(), is(kPing));
  EXPECT_GE(last_ping->at - started, (pings - 1) * pinger.period());
}

TEST(WatchdogPingerTest, StartPingsAtOnceAndStopEndsPingsEvenIfTheTimerAlreadyFired) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(notify_env(systemd));
  boost::asio::io_context io;
  WatchdogPinger pinger(io.get_executor(), notifier, 20ms);
  pinger.start();
  pinger.start();  // no second chain
  EXPECT_THAT(systemd.drain(), ::testing::ElementsAre(kPing));
  // By the time stop() runs the timer has expired; its handler may already be queued.
  boost::asio::post(io, [&] {
    std::this_thread::sleep_for(3 * pinger.period());
    pinger.stop();
    notifier.send(kStopped);
  });
  io.run_for(10s);  // returns as soon as nothing is pending
  EXPECT_TRUE(io.stopped());
  auto got = systemd.drain();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), kStopped);
}

TEST(WatchdogPingerTest, DestroyedWhileAWaitIsPending) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(notify_env(systemd));
  boost::asio::io_context io;
  {
    WatchdogPinger pinger(io.get_executor(), notifier, 20ms);
    pinger.start();
  }
  io.run_for(10s);  // the cancelled wait completes without touching the pinger
  EXPECT_TRUE(io.stopped());
  EXPECT_THAT(systemd.drain(), ::testing::ElementsAre(kPing));
}

TEST(WatchdogPingerTest, RestartsAfterStopWithOneChainOfPings) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(notify_env(systemd));
  boost::asio::io_context io;
  WatchdogPinger pinger(io.get_executor(), notifier, 20ms);
  pinger.start();
  pinger.stop();
  auto restarted = Clock::now();
  pinger.start();
  EXPECT_EQ(systemd.drain().size(), 2u);  // one at once per start()

  // Run until the timer has pinged three times, polling on the loop.
  long timer_pings = 0;
  Clock::duration elapsed{};
  boost::asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    timer_pings += static_cast<long>(systemd.drain().size());
    if (timer_pings >= 3) {
      elapsed = Clock::now() - restarted;
      pinger.stop();
      return;
    }
    poll.expires_after(2ms);
    poll.async_wait([&](boost::system::error_code) { check(); });
  };
  check();
  io.run_for(10s);
  EXPECT_TRUE(io.stopped());
  // One chain sends its k-th timer ping no sooner than k periods after start(); a chain left
  // over from the first start() would double the rate.
  EXPECT_LE(timer_pings * pinger.period(), elapsed);
}

}  // namespace
}  // namespace feedsync::ops
