#pragma once
// Pings systemd's watchdog (WATCHDOG=1) from a timer on the daemon's event loop, every half of
// $WATCHDOG_USEC. The timer is deliberately on the loop and not on a thread of its own: if the
// loop is wedged (a handler that never returns, a blocking call), the pings stop and systemd
// restarts the service, which is the whole point of WatchdogSec= (DESIGN.md §7).

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace feedsync::ops {

class SdNotifier;

class WatchdogPinger {
 public:
  // `interval` is systemd's (watchdog_interval()); `notifier` must outlive the pinger's pings,
  // that is until stop() or destruction.
  WatchdogPinger(boost::asio::any_io_executor executor, SdNotifier& notifier,
                 std::chrono::microseconds interval);
  ~WatchdogPinger();  // stops
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // Pings at once, then every period(). Call on the loop's thread; a second start() is a no-op.
  void start();
  // No ping after this returns, including one whose timer had already fired. Call on the
  // loop's thread.
  void stop();

  std::chrono::microseconds period() const;

 private:
  struct State;
  static void arm(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;  // shared with the pending timer handler, which may outlive us
};

}  // namespace feedsync::ops
