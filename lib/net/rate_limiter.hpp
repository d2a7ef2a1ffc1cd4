#pragma once
// Per-origin admission for outgoing requests: an in-flight limit (a counting semaphore whose
// waiters queue in FIFO order) and a token-bucket rate (rate_limiter_bucket.hpp). A request
// first waits for a slot, then for its token, so the token is taken when the request actually
// goes out. Single-threaded by design (DESIGN.md §3): one io_context, one thread, no locks.
//
// Cancellation-safe: a waiter whose coroutine is cancelled (or destroyed) leaves the queue, and
// a slot handed to a waiter that can no longer use it passes on to the next one.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/clock.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"
#include "net/rate_limiter_bucket.hpp"

namespace feedsync::net {

namespace detail {
struct LimiterState;
}

struct OriginLimits {
  double rate_per_second = 0.0;   // 0 = unlimited
  std::size_t burst = 1;          // requests allowed back to back after an idle period
  std::size_t max_in_flight = 0;  // concurrent requests; 0 = unlimited
};

class RateLimiter {
  using State = detail::LimiterState;

 public:
  // Measured waiting, for metrics. Counters only grow; in_flight and queued are gauges.
  struct Stats {
    std::uint64_t acquired = 0;  // permits granted
    std::uint64_t waited = 0;    // acquisitions (granted or not) that had to wait at all
    std::chrono::steady_clock::duration wait_total{0};  // summed over those
    std::uint64_t timed_out = 0;  // refused: the deadline would pass before a slot or token
    std::uint64_t cancelled = 0;  // the waiting coroutine was cancelled
    std::size_t in_flight = 0;
    std::size_t queued = 0;
  };

  // One in-flight slot, given back when the permit is released or destroyed.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept = default;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }
    void release();

   private:
    friend class RateLimiter;
    explicit Permit(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
  };

  // `clock` measures waits and feeds the bucket; it must outlive every acquire() in progress.
  // The waits themselves run on asio::steady_timer, so use a real clock (SystemClock) here;
  // FakeClock tests belong to TokenBucket.
  RateLimiter(const Clock& clock, OriginLimits limits);

  // Waits for a slot and a token. `deadline` is in Clock::steady_now() terms
  // (time_point::max(): none). Fails with ErrorKind::rate_limited when the deadline passes in
  // the slot queue, or at once when the next token comes after it (no pointless sleeping), and
  // with ErrorKind::cancelled when the coroutine is cancelled.
  // The limiter's state is shared with its waiters: destroying the limiter while they wait
  // is safe.
  boost::asio::awaitable<Expected<Permit, Error>> acquire(
      std::chrono::steady_clock::time_point deadline =
          std::chrono::steady_clock::time_point::max());

  Stats stats() const;
  const OriginLimits& limits() const;

 private:
  // Takes the state by value (GCC 12: coroutine parameters by value), so a waiting frame
  // never refers to the RateLimiter object itself.
  static boost::asio::awaitable<Expected<Permit, Error>> acquire_with(
      std::shared_ptr<State> state, std::chrono::steady_clock::time_point deadline);

  std::shared_ptr<State> state_;
};

}  // namespace feedsync::net
