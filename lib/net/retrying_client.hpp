#pragma once
// RetryingHttpClient: the HttpClient decorator that every outgoing request of the daemon goes
// through. Per origin (scheme, host, port) it queues requests behind an in-flight limit and a
// token-bucket rate (rate_limiter.hpp); for every request it retries what classify() calls
// retryable per RetryPolicy, waiting asynchronously, never past the request's overall deadline
// (Request::timeout), and never for an auth failure: a 401 goes back to the caller, which
// refreshes its token and retries once (DESIGN.md §4).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/retry_policy.hpp"

namespace feedsync::net {

// "https://api.example.com:443": lowercase scheme and host, the default port made explicit, so
// every spelling of one server shares one limiter. nullopt for anything but an absolute http or
// https URL.
std::optional<std::string> origin_of(std::string_view url);

// What one send() cost, for metrics (ops/ turns these into counters and histograms).
struct SendReport {
  std::string_view origin;  // empty for an unparseable URL; valid during the callback only
  Method method = Method::get;
  int attempts = 0;                                     // requests handed to the wrapped client
  int throttled = 0;                                    // 429 responses among them
  std::chrono::steady_clock::duration limiter_wait{0};  // queued for a slot or a token
  std::chrono::steady_clock::duration backoff_wait{0};  // sleeping between attempts
  Disposition outcome = Disposition::success;           // classify() of what send() returned
};

struct RetryingClientOptions {
  RetryPolicy policy;
  // Limits for an origin, asked once, the first time the origin is seen. Empty: no limits.
  std::function<OriginLimits(std::string_view origin)> limits;
  std::function<void(const SendReport&)> on_report;
  std::optional<std::uint64_t> seed;  // of the jitter; nullopt: std::random_device
};

// A `limits` function from a table keyed by origin_of(base_url), with a fallback for the rest.
std::function<OriginLimits(std::string_view)> limits_table(
    std::map<std::string, OriginLimits, std::less<>> per_origin, OriginLimits fallback = {});

class RetryingHttpClient final : public HttpClient {
 public:
  // `inner` and `clock` must outlive this client. The clock gives deadlines, measured waits and
  // the "now" of HTTP-date Retry-After values; the waits themselves run on asio timers, so use a
  // real clock.
  RetryingHttpClient(HttpClient& inner, const Clock& clock, RetryingClientOptions options = {});

  // Returns the first result that is not worth retrying, or the last one when attempts or the
  // deadline run out. ErrorKind::rate_limited only when the limiter could not admit even the
  // first attempt before the deadline; ErrorKind::cancelled when the coroutine was cancelled.
  boost::asio::awaitable<Result> send(Request request) override;

  // Per origin seen so far.
  std::map<std::string, RateLimiter::Stats, std::less<>> limiter_stats() const;

 private:
  // The steps of send(), in order (retrying_client.cpp).
  struct SendState;
  SendState start_send(Request request);
  static Result cancelled(const SendState& state);
  // A permit from the origin's limiter, or the result to finish with when none came in time.
  boost::asio::awaitable<Expected<RateLimiter::Permit, Result>> admit(SendState& state);
  boost::asio::awaitable<Result> send_attempt(SendState& state, int attempt,
                                              RateLimiter::Permit permit);
  // How long to wait before the next attempt (logged), or nullopt when `result` is final.
  std::optional<std::chrono::milliseconds> retry_delay(const SendState& state, int attempt,
                                                       const Result& result);
  boost::asio::awaitable<void> back_off(SendState& state, std::chrono::milliseconds delay);
  RateLimiter* limiter_for(const std::string& origin);  // nullptr for "" (unparseable URL)
  Result finish(SendState& state, Result result) const;

  HttpClient& inner_;
  const Clock& clock_;
  RetryingClientOptions options_;
  std::mt19937_64 rng_;
  // std::map: node addresses stay put while a send() holds a pointer across co_await.
  std::map<std::string, std::unique_ptr<RateLimiter>, std::less<>> limiters_;
};

}  // namespace feedsync::net
