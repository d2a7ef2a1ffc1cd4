#include "net/rate_limiter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <list>
#include <utility>

namespace feedsync::net {
namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace detail {

struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;  // expires at the deadline; cancelled early when a slot is granted
  bool granted = false;
};

struct LimiterState {
  LimiterState(const Clock& c, OriginLimits l)
      : clock(&c), limits(l), bucket(l.rate_per_second, l.burst) {}

  bool slot_free() const { return limits.max_in_flight == 0 || in_flight < limits.max_in_flight; }

  // A finished request's slot goes straight to the longest waiter, so a newcomer can never
  // overtake the queue.
  void release() {
    if (!queue.empty()) {
      Waiter* next = queue.front();
      queue.pop_front();
      next->granted = true;
      next->timer.cancel();
      return;
    }
    --in_flight;
  }

  const Clock* clock;
  OriginLimits limits;
  TokenBucket bucket;
  std::size_t in_flight = 0;
  std::list<Waiter*> queue;
  RateLimiter::Stats stats;
};

}  // namespace detail

namespace {

using detail::LimiterState;
using detail::Waiter;

// Lives in the waiting coroutine's frame, so that leaving the frame any way at all (resumed,
// cancelled, exception, frame destroyed with its io_context) keeps the queue consistent.
class QueueEntry {
 public:
  QueueEntry(std::shared_ptr<LimiterState> state, const asio::any_io_executor& executor)
      : state_(std::move(state)), waiter_(executor) {
    position_ = state_->queue.insert(state_->queue.end(), &waiter_);
  }
  QueueEntry(const QueueEntry&) = delete;
  QueueEntry& operator=(const QueueEntry&) = delete;
  ~QueueEntry() {
    if (!waiter_.granted) {
      state_->queue.erase(position_);
    } else if (!claimed_) {
      state_->release();  // handed a slot it will not use: pass it on
    }
  }
  Waiter& waiter() { return waiter_; }
  void claim() { claimed_ = true; }

 private:
  std::shared_ptr<LimiterState> state_;
  Waiter waiter_;
  std::list<Waiter*>::iterator position_;
  bool claimed_ = false;
};

steady_clock::duration remaining(steady_clock::time_point deadline, steady_clock::time_point now) {
  if (deadline == steady_clock::time_point::max()) return steady_clock::duration::max();
  return deadline > now ? deadline - now : steady_clock::duration::zero();
}

bool is_cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

void RateLimiter::Permit::release() {
  if (auto state = std::move(state_)) state->release();
}

RateLimiter::RateLimiter(const Clock& clock, OriginLimits limits)
    : state_(std::make_shared<State>(clock, limits)) {}

RateLimiter::Stats RateLimiter::stats() const {
  Stats s = state_->stats;
  s.in_flight = state_->in_flight;
  s.queued = state_->queue.size();
  return s;
}

const OriginLimits& RateLimiter::limits() const { return state_->limits; }

asio::awaitable<Expected<RateLimiter::Permit, Error>> RateLimiter::acquire(
    steady_clock::time_point deadline) {
  return acquire_with(state_, deadline);
}

asio::awaitable<Expected<RateLimiter::Permit, Error>> RateLimiter::acquire_with(
    std::shared_ptr<State> state, steady_clock::time_point deadline) {
  const Clock& clock = *state->clock;
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const steady_clock::time_point start = clock.steady_now();
  bool waited = false;
  // Every way out below is counted exactly once; the lambda is not a coroutine.
  auto refuse = [&](ErrorKind kind, const char* message) {
    ++(kind == ErrorKind::cancelled ? state->stats.cancelled : state->stats.timed_out);
    if (waited) {
      ++state->stats.waited;
      state->stats.wait_total += clock.steady_now() - start;
    }
    return unexpected(Error{kind, message});
  };
  // Asio would throw at the next co_await of an already cancelled coroutine; a value is what
  // callers of a limiter expect.
  const asio::cancellation_state entry_state = co_await asio::this_coro::cancellation_state;
  if (is_cancelled(entry_state)) co_return refuse(ErrorKind::cancelled, "cancelled");

  if (state->slot_free()) {
    ++state->in_flight;
  } else {
    if (remaining(deadline, start) == steady_clock::duration::zero())
      co_return refuse(ErrorKind::rate_limited, "in-flight limit reached and no time left");
    waited = true;
    QueueEntry entry(state, executor);
    if (deadline == steady_clock::time_point::max()) {
      entry.waiter().timer.expires_at(asio::steady_timer::time_point::max());
    } else {
      entry.waiter().timer.expires_after(remaining(deadline, start));
    }
    // The completion code does not tell a grant from a cancellation (both cancel the timer):
    // the granted flag and the coroutine's cancellation state do.
    co_await entry.waiter().timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const asio::cancellation_state cancel_state = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(cancel_state))
      co_return refuse(ErrorKind::cancelled, "cancelled while waiting for an in-flight slot");
    if (!entry.waiter().granted)
      co_return refuse(ErrorKind::rate_limited,
                       "deadline passed while waiting for an in-flight slot");
    entry.claim();
  }
  Permit permit(state);

  const steady_clock::time_point now = clock.steady_now();
  const auto wait = state->bucket.try_reserve(now, remaining(deadline, now));
  if (!wait)
    co_return refuse(ErrorKind::rate_limited, "rate limit: next token comes after the deadline");
  if (*wait > steady_clock::duration::zero()) {
    waited = true;
    asio::steady_timer timer(executor, *wait);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const asio::cancellation_state cancel_state = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(cancel_state))
      co_return refuse(ErrorKind::cancelled, "cancelled while waiting for a rate-limit token");
  }
  ++state->stats.acquired;
  if (waited) {
    ++state->stats.waited;
    state->stats.wait_total += clock.steady_now() - start;
  }
  co_return std::move(permit);
}

}  // namespace feedsync::net
