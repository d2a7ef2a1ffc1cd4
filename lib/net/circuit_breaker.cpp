#include "net/circuit_breaker.hpp"

#include <algorithm>

#include "core/backoff.hpp"

namespace feedsync::net {

using std::chrono::milliseconds;

namespace {

// The open periods in a row: first_open doubling to max_open (both at least 1 ms); the n-th
// period's ceiling is schedule.ceiling(n).
Backoff open_schedule(const CircuitBreakerOptions& options) {
  const milliseconds cap = std::max(options.max_open, milliseconds(1));
  return {std::clamp(options.first_open, milliseconds(1), cap), cap};
}

}  // namespace

Verdict verdict_of(const Result& result) {
  if (result) return result->status >= 500 ? Verdict::failure : Verdict::healthy;
  switch (result.error().kind) {
    case ErrorKind::resolve:
    case ErrorKind::connect:
    case ErrorKind::timeout:
    case ErrorKind::truncated:
    case ErrorKind::protocol:
    case ErrorKind::proxy:
      return Verdict::failure;
    case ErrorKind::tls:
    case ErrorKind::invalid_url:
    case ErrorKind::body_too_large:
    case ErrorKind::rate_limited:
    case ErrorKind::circuit_open:
    case ErrorKind::cancelled:
      return Verdict::no_verdict;
  }
  return Verdict::no_verdict;
}

int max_probes_within(const CircuitBreakerOptions& options, milliseconds window) {
  int probes = 0;
  milliseconds elapsed{0};
  for (int opening = 1;; ++opening) {
    elapsed += open_schedule(options).ceiling(opening) / 2;
    if (elapsed > window) return probes;
    ++probes;
  }
}

std::string_view to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half-open";
  }
  return "?";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, std::uint64_t seed)
    : options_(options), rng_(seed) {}

milliseconds CircuitBreaker::open_period() {
  // Jittered in [ceiling/2, ceiling]: breakers that opened together do not probe together.
  const Backoff schedule = open_schedule(options_);
  return schedule.full_jitter(openings_, schedule.ceiling(openings_) / 2, rng_);
}

void CircuitBreaker::open(SteadyTime now) {
  ++openings_;
  state_ = State::open;
  probe_out_ = false;
  open_until_ = now + open_period();
}

CircuitBreaker::Admission CircuitBreaker::admit(SteadyTime now) {
  if (state_ == State::closed) return {true, false, {}};
  if (state_ == State::open) {
    if (now < open_until_)
      return {false, false, std::chrono::ceil<milliseconds>(open_until_ - now)};
    state_ = State::half_open;
  }
  if (probe_out_) return {false, false, milliseconds(0)};
  probe_out_ = true;
  return {true, true, {}};
}

std::optional<CircuitBreaker::State> CircuitBreaker::record(Verdict verdict, bool probe, SteadyTime now,
                                                            std::string reason) {
  if (verdict == Verdict::failure) last_failure_ = std::move(reason);
  if (probe) {
    probe_out_ = false;
    switch (verdict) {
      case Verdict::healthy:
        state_ = State::closed;
        failures_ = 0;
        openings_ = 0;
        return State::closed;
      case Verdict::failure:
        ++failures_;
        open(now);
        return State::open;
      case Verdict::no_verdict:
        return std::nullopt;  // still half-open: the next request probes
    }
  }
  // Requests that were already out when the circuit opened say nothing new: the probe decides.
  if (state_ != State::closed) return std::nullopt;
  if (verdict == Verdict::healthy) failures_ = 0;
  if (verdict != Verdict::failure) return std::nullopt;
  if (++failures_ < options_.failure_threshold) return std::nullopt;
  open(now);
  return State::open;
}

}  // namespace feedsync::net
