#pragma once
// Pings systemd's watchdog (WATCHDOG=1) from a timer on the daemon's event loop, every half of
// $WATCHDOG_USEC. The timer is deliberately on the loop and not on a thread of its own: if the
// loop is wedged (a handler that never returns, a blocking call), the pings stop and systemd
// restarts the service, which is the whole point of WatchdogSec= (DESIGN.md §7).

#include <chrono>

#include <boost/asio/any_io_executor.hpp>

#include "net/time_system.hpp"
#include "ops/ticker.hpp"

namespace feedsync::ops {

class SdNotifier;

class WatchdogPinger {
 public:
  // `interval` is systemd's (watchdog_interval()); `notifier` must outlive the pinger's pings,
  // that is until stop() or destruction; `time` makes its timer and must outlive the pinger.
  WatchdogPinger(boost::asio::any_io_executor executor, net::TimeSystem& time, SdNotifier& notifier,
                 std::chrono::microseconds interval);
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // Pings at once, then every period(). Call on the loop's thread; a second start() is a no-op.
  void start();
  // No ping after this returns, including one whose timer had already fired. Call on the
  // loop's thread. Destruction stops too.
  void stop() { ticker_.stop(); }

  std::chrono::microseconds period() const { return period_; }

 private:
  SdNotifier& notifier_;
  std::chrono::microseconds period_;
  Ticker ticker_;
};

}  // namespace feedsync::ops
