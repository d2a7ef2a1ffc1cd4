#include "ops/loop_heartbeat.hpp"

#include <cstdint>

#include <boost/asio/steady_timer.hpp>

#include "ops/loop_lag.hpp"

namespace feedsync::ops {

struct LoopHeartbeat::State {
  State(boost::asio::any_io_executor executor, const Clock& c)
      : timer(std::move(executor)), clock(c), lag(c.steady_now()) {}

  boost::asio::steady_timer timer;
  const Clock& clock;
  LoopLag lag;
  // As in WatchdogPinger: a handler armed by an earlier run does nothing.
  std::uint64_t generation = 0;
  bool running = false;
};

LoopHeartbeat::LoopHeartbeat(boost::asio::any_io_executor executor, const Clock& clock)
    : state_(std::make_shared<State>(std::move(executor), clock)) {}

LoopHeartbeat::~LoopHeartbeat() { stop(); }

void LoopHeartbeat::start() {
  if (state_->running) return;
  state_->running = true;
  ++state_->generation;
  state_->lag = LoopLag(state_->clock.steady_now());
  arm(state_);
}

void LoopHeartbeat::stop() {
  if (!state_->running) return;
  state_->running = false;
  ++state_->generation;
  state_->timer.cancel();
}

std::chrono::milliseconds LoopHeartbeat::stall() const {
  if (!state_->running) return std::chrono::milliseconds(0);
  return state_->lag.stall(state_->clock.steady_now());
}

void LoopHeartbeat::arm(const std::shared_ptr<State>& state) {
  state->timer.expires_after(kLoopTickPeriod);
  state->timer.async_wait([state, generation = state->generation](boost::system::error_code ec) {
    if (ec || generation != state->generation) return;
    state->lag.tick(state->clock.steady_now());
    arm(state);
  });
}

}  // namespace feedsync::ops
