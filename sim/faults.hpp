#pragma once
// Fault injection rules and per-API rate limits, applied by the middleware to every simulated
// API route (never to /_sim/ itself, so a test can always take its faults back).
//
// A rule matches on method, a path regex (ECMAScript, searched anywhere in the path: anchor it
// with ^...$ for an exact match) and the API name; each part is optional. Rules are tried in the
// order they were added and the first one that matches *and fires* acts: a rule with `count`
// fires for the next N matching requests and then retires; with `probability` it fires on a draw
// from its own seeded generator (reproducible runs); with both, both apply; with neither, it
// fires until removed.

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "net/http.hpp"

namespace feedsync::sim {

enum class FaultAction {
  status,     // answer with `status` (+ Retry-After, body) without running the route
  delay,      // wait delay_ms, then run the route normally
  reset,      // abort the connection with a TCP RST, no response
  truncate,   // run the route, send the full Content-Length but only truncate_at body bytes
  malformed,  // run the route, then corrupt the body so it is no longer valid JSON
  rewrite,    // run the route, then replace every `find` in the body by the bytes `replace_hex`
              // (any bytes: invalid UTF-8, raw control characters inside one article's text)
};
std::optional<FaultAction> parse_fault_action(std::string_view text);
std::string_view to_string(FaultAction action);

struct FaultRule {
  std::uint64_t id = 0;
  std::optional<net::Method> method;
  std::string path;  // the regex's text; empty = any path
  std::regex path_regex;
  std::optional<std::string> api;
  FaultAction action = FaultAction::status;
  int status = 503;
  std::optional<std::string> retry_after;  // header value as given: seconds or an HTTP-date
  std::optional<std::string> body;         // default: an error body in the API's own shape
  std::optional<std::string> content_type;
  std::chrono::milliseconds delay{0};
  std::optional<std::size_t> truncate_at;  // default: half the body
  std::string find;                        // rewrite: the text to replace
  std::string replace;                     // rewrite: the bytes put in its place
  std::optional<std::size_t> remaining;    // `count` left; nullopt = unlimited
  std::optional<double> probability;
  std::uint64_t seed = 1;
  std::uint64_t rng_state = 1;
  std::size_t matched = 0;  // requests that matched the rule
  std::size_t fired = 0;    // of which the fault was applied

  boost::json::object to_json() const;
};

class FaultRules {
 public:
  // From the control API's JSON; the error is a 400 message.
  Expected<const FaultRule*, std::string> add(const boost::json::value& spec);
  bool remove(std::uint64_t id);
  void clear() { rules_.clear(); }
  bool empty() const { return rules_.empty(); }

  // The rule that acts on this request, if any (a copy: the rule may retire right away).
  std::optional<FaultRule> take(net::Method method, std::string_view path, std::string_view api);

  boost::json::array to_json() const;

 private:
  std::vector<FaultRule> rules_;
  std::uint64_t next_id_ = 1;
};

// Token buckets on the simulated clock (advancing it refills them).
class RateLimits {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct Limit {
    double rate = 0;   // tokens per second
    double burst = 1;  // bucket size
    std::optional<std::int64_t> retry_after_s;  // fixed Retry-After; default: time to next token
    double tokens = 0;
    time_point last{};
    std::size_t admitted = 0;
    std::size_t rejected = 0;
  };

  // rate > 0, burst >= 1 (default: max(1, rate)). The bucket starts full.
  std::optional<std::string> set(const std::string& api, double rate, std::optional<double> burst,
                                 std::optional<std::int64_t> retry_after_s, time_point now);
  bool remove(const std::string& api) { return limits_.erase(api) > 0; }
  void clear() { limits_.clear(); }

  // nullopt: go ahead. Otherwise the request is refused; the value is Retry-After in seconds.
  std::optional<std::int64_t> admit(const std::string& api, time_point now);

  boost::json::object to_json(time_point now) const;

 private:
  std::map<std::string, Limit> limits_;
};

}  // namespace feedsync::sim
