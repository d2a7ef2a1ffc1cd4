#include "ops/ticker.hpp"

#include <cstdint>
#include <exception>

#include <boost/asio/co_spawn.hpp>

namespace feedsync::ops {

namespace asio = boost::asio;

struct Ticker::State {
  asio::any_io_executor executor;
  std::unique_ptr<net::Timer> timer;
  std::chrono::nanoseconds period;
  std::function<void()> tick;
  // Bumped by start() and stop(). A beat belongs to the run that started it; when the generation
  // has moved on it ends without ticking. This covers a wait that had already completed (so
  // cancel() could not stop it) when stop() ran.
  std::uint64_t generation = 0;
  bool running = false;
};

Ticker::Ticker(asio::any_io_executor executor, net::TimeSystem& time, std::chrono::nanoseconds period,
               std::function<void()> tick)
    : state_(std::make_shared<State>(State{executor, time.make_timer(executor), period, std::move(tick)})) {}

Ticker::~Ticker() { stop(); }

bool Ticker::running() const { return state_->running; }

void Ticker::start() {
  if (state_->running) return;
  state_->running = true;
  ++state_->generation;
  // An exception from `tick` ends io_context::run(), as from any handler.
  asio::co_spawn(state_->executor, beat(state_, state_->generation),
                 [](std::exception_ptr error) { if (error) std::rethrow_exception(error); });
}

void Ticker::stop() {
  if (!state_->running) return;
  state_->running = false;
  ++state_->generation;
  state_->timer->cancel();
}

// A coroutine that holds the state (not the ticker) alive, so the ticker can be destroyed while
// a wait is pending.
asio::awaitable<void> Ticker::beat(std::shared_ptr<State> state, std::uint64_t generation) {
  while (generation == state->generation) {
    const bool fired = co_await state->timer->wait_for(state->period);
    if (!fired || generation != state->generation) co_return;  // stopped (or stopped and restarted)
    state->tick();
  }
}

}  // namespace feedsync::ops
