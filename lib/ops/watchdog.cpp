#include "ops/watchdog.hpp"

#include <algorithm>

#include "ops/sd_notify.hpp"

namespace feedsync::ops {

WatchdogPinger::WatchdogPinger(boost::asio::any_io_executor executor, net::TimeSystem& time,
                               SdNotifier& notifier, std::chrono::microseconds interval)
    : notifier_(notifier),
      // Half the interval, as sd_watchdog_enabled(3) recommends: one late ping is not fatal.
      // At least a millisecond, so an absurd WATCHDOG_USEC cannot make the loop spin.
      period_(std::max(interval / 2, std::chrono::microseconds(1000))),
      ticker_(std::move(executor), time, period_, [this] { notifier_.watchdog(); }) {}

void WatchdogPinger::start() {
  if (ticker_.running()) return;
  notifier_.watchdog();
  ticker_.start();
}

}  // namespace feedsync::ops
