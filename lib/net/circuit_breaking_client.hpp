#pragma once
// CircuitBreakingClient: the HttpClient decorator that keeps one CircuitBreaker
// (circuit_breaker.hpp) per origin. It wraps the wire and is wrapped by RetryingHttpClient, so
// each attempt, retries included, is admitted or refused by the origin's breaker. A refused
// request fails at once with ErrorKind::circuit_open and a message naming the origin, which
// RetryPolicy does not retry: the caller's own backoff (the relay's, the poll's) applies.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "net/circuit_breaker.hpp"
#include "net/http_client.hpp"

namespace feedsync::net {

class CircuitBreakingClient final : public HttpClient {
 public:
  // `inner` and `clock` must outlive this client. `seed` of the open periods' jitter; nullopt:
  // std::random_device.
  CircuitBreakingClient(HttpClient& inner, const Clock& clock, CircuitBreakerOptions options = {},
                        std::optional<std::uint64_t> seed = std::nullopt);
  ~CircuitBreakingClient() override;

  boost::asio::awaitable<Result> send(Request request) override;

  // The breaker of `origin` (origin_of() spelling), nullopt before its first request.
  std::optional<CircuitBreaker::State> state_of(std::string_view origin) const;

 private:
  CircuitBreaker& breaker_for(const std::string& origin);

  HttpClient& inner_;
  const Clock& clock_;
  CircuitBreakerOptions options_;
  std::uint64_t next_seed_;
  // std::map of unique_ptr: a breaker stays put while a send() holds it across co_await.
  std::map<std::string, std::unique_ptr<CircuitBreaker>, std::less<>> breakers_;
};

}  // namespace feedsync::net
