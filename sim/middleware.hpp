#pragma once
// The layer every simulated API route goes through (the CMS part's included, via RouteSink):
// fault rules, then the API's rate limit, then the route itself, then the post-processing faults
// (truncate, malformed), and finally one request-log record. Routes of the "control" API
// (/_sim/...) skip all of it: a test must always be able to read state and remove its faults.

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "net/server_message.hpp"
#include "sim/faults.hpp"
#include "sim/request_log.hpp"
#include "sim/sim_clock.hpp"

namespace feedsync::sim {

inline constexpr std::string_view kControlApi = "control";

// An error body in the API's own shape: problem details for the CMS and its token endpoint,
// the Feed API's {"error":{"code","message"}} otherwise.
net::ServerResponse api_error(std::string_view api, int status, std::string_view message);

class Middleware {
 public:
  Middleware(const SimClock& clock, FaultRules& faults, RateLimits& limits, RequestLog& log)
      : clock_(clock), faults_(faults), limits_(limits), log_(log) {}

  // The handler to register with the router for a route of `api`.
  net::Handler wrap(std::string api, net::Handler inner);
  // Every API name routes were registered for (what fault rules and rate limits may name).
  const std::set<std::string>& apis() const { return apis_; }

 private:
  boost::asio::awaitable<net::ServerResponse> handle(std::string api,
                                                     std::shared_ptr<const net::Handler> inner,
                                                     net::ServerRequest request);

  const SimClock& clock_;
  FaultRules& faults_;
  RateLimits& limits_;
  RequestLog& log_;
  std::set<std::string> apis_;
};

}  // namespace feedsync::sim
