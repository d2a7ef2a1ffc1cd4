#pragma once
// The one place where an HTTP outcome is classified (DESIGN.md §4 "Failures are classified once,
// in one place"), and the pure retry schedule built on it: exponential backoff with full jitter
// that never undercuts the server's Retry-After. No Asio: RetryingHttpClient (retrying_client.hpp)
// does the waiting, and the outbox can reuse the same decisions for its own schedule.

#include <chrono>
#include <concepts>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/backoff.hpp"
#include "net/http.hpp"
#include "net/retry_after.hpp"

namespace feedsync::net {

enum class Disposition {
  success,    // 2xx, 3xx (redirects are not followed: a 3xx is the caller's answer)
  retryable,  // the same request may succeed later: network errors, 408, 429, 5xx
  auth,       // 401: the caller refreshes its token and retries once; never retried here
  permanent,  // sending the same request again cannot help (other 4xx, TLS, bad URL, ...)
  cancelled,  // shutdown: neither a success nor a failure of the request
};
std::string_view to_string(Disposition disposition);

// Callers with operation-specific knowledge special-case *before* acting on the disposition:
// 409 on a create means "exists from an earlier attempt, continue as update", 404 on a delete
// means "already gone, done". classify() knows nothing about operations and calls both
// permanent.
//
// Transport errors, decided here once:
//  - resolve, connect, timeout, truncated, proxy, rate_limited, circuit_open -> retryable (an
//    open circuit is retried by the caller's schedule, not by RetryPolicy: see should_retry).
//  - tls -> permanent: an untrusted CA or a wrong hostname does not fix itself within a retry
//    window. It is a configuration problem of the whole origin, not of one request, so callers
//    must not dead-letter an *article* on a transport-level permanent failure (tell them apart
//    with `!result.has_value()`); they fail the cycle and try again on the next one.
//  - invalid_url, body_too_large, protocol -> permanent (the same bytes come back).
//  - cancelled -> cancelled: nothing to retry, nothing to dead-letter.
Disposition classify(const Result& result);
Disposition classify_status(int status);
Disposition classify_error(ErrorKind kind);

// Whether the server may have acted on the request, so that sending a non-idempotent request
// again could apply it twice. False only when the outcome proves it did not: no connection was
// made (resolve, connect, proxy, tls, invalid_url, our own limiter), or the server said it did
// not process it (408, 429, 503). A timeout or a truncated response may come after the request
// was sent, so they count as "may have".
bool may_have_reached_server(const Result& result);

// Short reason for logs and status: "HTTP 503", "timeout: GET api.example.com: read timed out".
// Never includes bodies or headers.
std::string describe(const Result& result);

struct RetryPolicy {
  int max_attempts = 4;  // attempts in all, the first included; 1 = never retry
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{std::chrono::seconds(30)};
  std::chrono::milliseconds max_retry_after = kDefaultRetryAfterCap;

  // The schedule: base_delay doubling up to max_delay (core/backoff.hpp).
  Backoff backoff() const { return {base_delay, max_delay}; }
  // Upper end of the jitter draw after failed attempt `attempt` (1-based):
  // min(max_delay, base_delay * 2^(attempt-1)), without overflow for any attempt.
  std::chrono::milliseconds backoff_ceiling(int attempt) const { return backoff().ceiling(attempt); }

  // Whether failed attempt `attempt` (1-based) may be followed by another one at all.
  bool should_retry(int attempt, const Result& result, bool idempotent) const;

  // How long to wait before the next attempt, or nullopt to stop and return `result`.
  // The wait is uniform in [0, backoff_ceiling(attempt)] ("full jitter", so that clients that
  // failed together do not come back together), raised to the server's Retry-After when the
  // response carries one: max(Retry-After, jitter), never less than what the server asked for,
  // and still growing when a server keeps saying "Retry-After: 0". `now` resolves HTTP-dates.
  template <std::uniform_random_bit_generator G>
  std::optional<std::chrono::milliseconds> next_delay(int attempt, const Result& result,
                                                      bool idempotent,
                                                      std::chrono::system_clock::time_point now,
                                                      G& rng) const {
    if (!should_retry(attempt, result, idempotent)) return std::nullopt;
    const auto jittered = backoff().full_jitter(attempt, std::chrono::milliseconds::zero(), rng);
    const auto server = retry_after(result, now, max_retry_after);
    return server && *server > jittered ? *server : jittered;
  }
};

}  // namespace feedsync::net
