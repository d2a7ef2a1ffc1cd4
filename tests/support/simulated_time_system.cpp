#include "support/simulated_time_system.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace feedsync::testing {

namespace asio = boost::asio;

// The waiter parks on an asio timer that never expires; firing or cancelling the wait cancels
// that timer, which queues the waiter's resumption on its executor at once (no reactor turn).
struct SimulatedTimeSystem::Wait {
  enum class State { pending, fired, cancelled };
  Wait(const asio::any_io_executor& executor, SteadyTime at)
      : wakeup(executor, asio::steady_timer::time_point::max()), deadline(at) {}

  void end(State how) {
    if (state != State::pending) return;
    state = how;
    wakeup.cancel();
  }

  asio::steady_timer wakeup;
  SteadyTime deadline;
  State state = State::pending;
};

class SimulatedTimer final : public net::Timer {
 public:
  SimulatedTimer(SimulatedTimeSystem& system, asio::any_io_executor executor)
      : system_(system), executor_(std::move(executor)) {}
  ~SimulatedTimer() override { cancel(); }

  asio::awaitable<bool> wait_until(SteadyTime deadline) override {
    cancel();  // one wait at a time, as with asio::steady_timer
    if (deadline <= system_.steady_now()) {
      co_await asio::post(executor_, asio::use_awaitable);  // due already: the next turn
      co_return true;
    }
    auto wait = std::make_shared<SimulatedTimeSystem::Wait>(executor_, deadline);
    pending_ = wait;
    system_.add(wait);
    boost::system::error_code ec;  // always operation_aborted: the state says why
    co_await wait->wakeup.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    // Still pending: the waiter's own cancellation slot ended the wait (terminal cancellation).
    if (wait->state == SimulatedTimeSystem::Wait::State::pending) wait->state = SimulatedTimeSystem::Wait::State::cancelled;
    co_return wait->state == SimulatedTimeSystem::Wait::State::fired;  // `this` may be gone
  }

  asio::awaitable<bool> wait_for(SteadyTime::duration duration) override {
    const auto now = system_.steady_now();
    // Saturated, as asio does: "wait for a very long time" must not wrap into the past.
    const auto deadline = duration > SteadyTime::max() - now ? SteadyTime::max() : now + duration;
    const bool fired = co_await wait_until(deadline);
    co_return fired;
  }

  void cancel() override {
    if (auto wait = pending_.lock()) wait->end(SimulatedTimeSystem::Wait::State::cancelled);
    pending_.reset();
  }

 private:
  SimulatedTimeSystem& system_;
  asio::any_io_executor executor_;
  std::weak_ptr<SimulatedTimeSystem::Wait> pending_;
};

SimulatedTimeSystem::SimulatedTimeSystem(std::chrono::system_clock::time_point system_start)
    : system_(system_start) {}

SimulatedTimeSystem::~SimulatedTimeSystem() = default;

std::unique_ptr<net::Timer> SimulatedTimeSystem::make_timer(asio::any_io_executor executor) {
  return std::make_unique<SimulatedTimer>(*this, std::move(executor));
}

void SimulatedTimeSystem::add(const std::shared_ptr<Wait>& wait) { waits_.emplace(wait->deadline, wait); }

void SimulatedTimeSystem::advance_to(SteadyTime when) {
  if (when > steady_) {
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(when - steady_);
    steady_ = when;
  }
  while (!waits_.empty() && waits_.begin()->first <= steady_) {
    if (auto wait = waits_.begin()->second.lock()) wait->end(Wait::State::fired);
    waits_.erase(waits_.begin());
  }
}

std::optional<SteadyTime> SimulatedTimeSystem::next_deadline() {
  while (!waits_.empty()) {
    const auto wait = waits_.begin()->second.lock();
    if (wait && wait->state == Wait::State::pending) return waits_.begin()->first;
    waits_.erase(waits_.begin());  // cancelled, or its waiter is gone
  }
  return std::nullopt;
}

std::size_t SimulatedTimeSystem::pending_waits() {
  std::size_t count = 0;
  for (const auto& [deadline, entry] : waits_) {
    const auto wait = entry.lock();
    if (wait && wait->state == Wait::State::pending) ++count;
  }
  return count;
}

std::size_t SimulatedTimeSystem::run_ready(asio::io_context& io) {
  std::size_t total = 0;
  for (;;) {
    if (io.stopped()) io.restart();  // poll() stops the context when it runs out of work
    const std::size_t ran = io.poll();
    if (ran == 0) return total;
    total += ran;
  }
}

bool SimulatedTimeSystem::run_until(asio::io_context& io, const std::function<bool()>& done,
                                    SteadyTime::duration limit) {
  const auto give_up = steady_ + limit;
  for (;;) {
    run_ready(io);
    if (done()) return true;
    const auto next = next_deadline();
    if (!next || *next > give_up) return false;
    advance_to(*next);
  }
}

void SimulatedTimeSystem::advance_and_run(asio::io_context& io, SteadyTime::duration duration) {
  const auto end = steady_ + duration;
  run_ready(io);
  for (auto next = next_deadline(); next && *next <= end; next = next_deadline()) {
    advance_to(*next);
    run_ready(io);
  }
  advance_to(end);
  run_ready(io);
}

}  // namespace feedsync::testing
