#pragma once
// The circuit breaker of one origin (scheme, host, port), as pure logic: no Asio, no I/O, time
// passed in. CircuitBreakingClient (circuit_breaking_client.hpp) holds one per origin and sits
// under the retrying decorator, so every attempt, retries included, passes through it.
//
// Why: during an outage each caller retries on its own schedule (the HTTP decorator's short
// retries, the relay's per-op backoff, the token source's), and fifty ops that each back off
// sensibly still add up to a storm against one server (issue 15: 1,215 canonical-link requests
// in 30 s). The breaker turns "fifty callers failing" into "one origin down": after
// `failure_threshold` failures in a row it opens and requests fail at once without reaching the
// wire; after an open period (growing with each failed probe, jittered) it lets exactly one
// probe through; the probe's answer closes it or opens it again for longer.
//
//   closed ──N failures in a row──▶ open ──period over──▶ half-open (one probe in flight)
//     ▲                                ▲                        │
//     └──────── probe answered ────────┼────────────────────────┤
//                                      └──── probe failed ──────┘
//
// What counts as a failure is what says the *origin* is unwell: no connection, a reset, a
// timeout, a 5xx (see verdict_of()). Any answer below 500 (a 429 too: the server is fine and
// says when to come back) shows it healthy. A TLS or URL problem (configuration: failing fast
// would hide the real reason behind "circuit open"), our own limiter's refusals and
// cancellation say nothing about it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "net/http.hpp"

namespace feedsync::net {

struct CircuitBreakerOptions {
  int failure_threshold = 5;                   // failures in a row that open it
  std::chrono::milliseconds first_open{1000};  // the first open period's ceiling; doubles per failed probe
  std::chrono::milliseconds max_open{30'000};  // no open period is longer
};

// What one attempt's outcome says about its origin.
enum class Verdict {
  healthy,     // an HTTP answer below 500
  failure,     // no answer (connect, reset, timeout, ...) or a 5xx
  no_verdict,  // cancelled, TLS, bad URL, our own limiter, a body over our cap
};
Verdict verdict_of(const Result& result);

// The most probes an origin that keeps failing can receive within `window` after it opened:
// every open period lasts at least half its ceiling (the jitter's lower end). With the failures
// that opened it and the requests already in flight at that moment, this bounds what an outage
// costs the origin (tests assert with it).
int max_probes_within(const CircuitBreakerOptions& options, std::chrono::milliseconds window);

class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };

  struct Admission {
    bool allowed = false;
    bool probe = false;                    // allowed as the one half-open probe
    std::chrono::milliseconds retry_in{0};  // refused: until the next probe may go (0: a probe is out)
  };

  CircuitBreaker(CircuitBreakerOptions options, std::uint64_t seed);

  // Whether a request may go out now. An allowed probe must be followed by record(..., true).
  Admission admit(SteadyTime now);

  // The outcome of an admitted request. `probe`: it was admitted as the probe. `reason` (for
  // failures) is kept for the refusal message: "truncated: GET localhost: connection reset".
  // Returns the state change it caused, if any, so the caller can log it once.
  std::optional<State> record(Verdict verdict, bool probe, SteadyTime now, std::string reason = {});

  State state() const { return state_; }
  int failures_in_a_row() const { return failures_; }
  int openings_in_a_row() const { return openings_; }  // since it last closed
  const std::string& last_failure() const { return last_failure_; }
  SteadyTime open_until() const { return open_until_; }  // meaningful while open

 private:
  void open(SteadyTime now);
  std::chrono::milliseconds open_period();  // jittered in [ceiling/2, ceiling]

  CircuitBreakerOptions options_;
  std::mt19937_64 rng_;
  State state_ = State::closed;
  int failures_ = 0;
  int openings_ = 0;
  SteadyTime open_until_{};
  bool probe_out_ = false;
  std::string last_failure_;
};

std::string_view to_string(CircuitBreaker::State state);

}  // namespace feedsync::net
