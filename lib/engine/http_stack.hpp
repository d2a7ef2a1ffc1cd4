#pragma once
// The HTTP client stack the daemon talks through, built from the configuration: one Beast client
// (pool, TLS, timeouts), under a circuit breaker per origin (net/circuit_breaking_client.hpp),
// under the retrying, rate-limiting decorator with one limit per origin (source.rate_limit for
// the Feed API host, cms.rate_limit / max_in_flight for the CMS host). Owned together so their
// lifetimes cannot be mixed up.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "net/retrying_client.hpp"

namespace feedsync::engine {

// What the stack reports for metrics: every attempt on the wire (so retried 429s and 5xx count)
// and, per logical request, the retrying decorator's report (limiter waits, attempts).
struct HttpObservers {
  using Attempt = std::function<void(const net::Request&, const net::Result&, std::chrono::duration<double> elapsed)>;
  Attempt attempt;
  std::function<void(const net::SendReport&)> report;
};

class HttpStack {
 public:
  HttpStack(boost::asio::any_io_executor executor, const config::Config& config, const Clock& clock,
            HttpObservers observers = {});
  ~HttpStack();
  HttpStack(const HttpStack&) = delete;
  HttpStack& operator=(const HttpStack&) = delete;

  net::HttpClient& client();  // retries, limits, circuit breakers, then the wire

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace feedsync::engine
