#include "ops/watchdog.hpp"

#include <algorithm>
#include <cstdint>

#include <boost/asio/steady_timer.hpp>

#include "ops/sd_notify.hpp"

namespace feedsync::ops {

struct WatchdogPinger::State {
  State(boost::asio::any_io_executor executor, SdNotifier& n, std::chrono::microseconds p)
      : timer(std::move(executor)), notifier(n), period(p) {}

  boost::asio::steady_timer timer;
  SdNotifier& notifier;
  std::chrono::microseconds period;
  // Bumped by start() and stop(). A handler belongs to the run that armed it; when the
  // generation has moved on it does nothing. This covers a handler that had already completed
  // (so cancel() could not stop it) when stop() ran.
  std::uint64_t generation = 0;
  bool running = false;
};

WatchdogPinger::WatchdogPinger(boost::asio::any_io_executor executor, SdNotifier& notifier,
                               std::chrono::microseconds interval)
    // Half the interval, as sd_watchdog_enabled(3) recommends: one late ping is not fatal.
    // At least a millisecond, so an absurd WATCHDOG_USEC cannot make the loop spin.
    : state_(std::make_shared<State>(std::move(executor), notifier,
                                     std::max(interval / 2, std::chrono::microseconds(1000)))) {}

WatchdogPinger::~WatchdogPinger() { stop(); }

std::chrono::microseconds WatchdogPinger::period() const { return state_->period; }

void WatchdogPinger::start() {
  if (state_->running) return;
  state_->running = true;
  ++state_->generation;
  state_->notifier.watchdog();
  arm(state_);
}

void WatchdogPinger::stop() {
  if (!state_->running) return;
  state_->running = false;
  ++state_->generation;
  state_->timer.cancel();
}

// Plain completion handlers rather than a coroutine: each pending wait holds the state alive by
// shared_ptr, so the pinger can be destroyed while a wait is pending.
void WatchdogPinger::arm(const std::shared_ptr<State>& state) {
  // Measured from now, not from the previous expiry: after the loop was blocked, a catch-up
  // burst of pings would be pointless.
  state->timer.expires_after(state->period);
  state->timer.async_wait([state, generation = state->generation](boost::system::error_code ec) {
    if (ec || generation != state->generation) return;  // stopped (or stopped and restarted)
    state->notifier.watchdog();
    arm(state);
  });
}

}  // namespace feedsync::ops
