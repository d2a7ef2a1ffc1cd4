#pragma once
// Routes requests by method and path pattern. Pure logic: no sockets, testable on its own.
//
// Patterns are absolute paths whose segments are one of:
//   literal          /livez            matches that exact (percent-decoded) segment
//   {name}           /v2/feed/{id}     any non-empty segment, captured as `id`
//   affixed {name}   /content/{key}:undelete
//                                      a segment with that literal prefix/suffix around a
//                                      non-empty capture: "abc:undelete" gives key=abc
//   {name...}        /_sim/{rest...}   last segment only: the remaining segments (possibly none)
//                                      joined by '/', e.g. "faults/cms" for /_sim/faults/cms
// Matching compares percent-decoded segments, so "/content/abc%3Aundelete" matches the colon
// form as well. When several patterns match, the most specific wins, segment by segment from the
// left: literal > affixed > {name} > {name...}; equal ones go to the first registered.
// The method takes part in matching (a GET on "/content/abc:undelete" may fall through to
// "/content/{key}"); HEAD uses a GET route unless a HEAD route matches. No route for the path:
// 404. Routes for the path but not for the method: 405 with an `Allow` list.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "net/server_message.hpp"

namespace feedsync::net {

// A request-target split into its parts, decoded by Boost.URL.
struct Target {
  std::string path;                   // percent-encoded, as received
  std::vector<std::string> segments;  // decoded; "/" has none, "/a/" has "a" and ""
  QueryParams query;
};

// Parses an origin-form request-target ("/path?query"). Anything else (absolute-form, "*",
// invalid characters) is an error, answered with 400 by the server.
Expected<Target, std::string> parse_target(std::string_view target);

class RoutePattern {
 public:
  // Throws std::invalid_argument for a malformed pattern: a programming error, found at start-up.
  explicit RoutePattern(std::string_view pattern);

  const std::string& text() const { return text_; }
  // Captures into `params` (appended) on success; leaves it untouched otherwise.
  bool match(const std::vector<std::string>& segments, PathParams& params) const;
  // Greater is more specific; see the file comment.
  int compare_specificity(const RoutePattern& other) const;

 private:
  enum class Kind { literal = 3, affixed = 2, param = 1, rest = 0 };
  struct Segment {
    Kind kind = Kind::literal;
    std::string prefix;  // the literal itself for Kind::literal
    std::string suffix;
    std::string name;
  };

  std::string text_;
  std::vector<Segment> segments_;
};

class Router {
 public:
  enum class Outcome { found, not_found, method_not_allowed };

  struct Match {
    Outcome outcome = Outcome::not_found;
    const Handler* handler = nullptr;  // valid while the router lives; set when found
    std::string route;                 // the matched pattern's text when found
    PathParams params;
    std::string allow;                 // "GET, HEAD, POST" for method_not_allowed
    std::optional<std::size_t> max_body;  // the route's own body cap, when it has one
  };

  // Registers a route; the same pattern may be registered for several methods.
  Router& add(Method method, std::string_view pattern, Handler handler);
  // Registers a route for every method.
  Router& any(std::string_view pattern, Handler handler);
  Router& get(std::string_view p, Handler h) { return add(Method::get, p, std::move(h)); }
  Router& post(std::string_view p, Handler h) { return add(Method::post, p, std::move(h)); }
  Router& put(std::string_view p, Handler h) { return add(Method::put, p, std::move(h)); }
  Router& patch(std::string_view p, Handler h) { return add(Method::patch, p, std::move(h)); }
  Router& del(std::string_view p, Handler h) { return add(Method::delete_, p, std::move(h)); }
  // A route whose request bodies are capped at `max_body` instead of the server's
  // ServerOptions::max_body (larger or smaller): over it, the server answers 413.
  Router& add(Method method, std::string_view pattern, Handler handler, std::size_t max_body);

  Match match(Method method, const std::vector<std::string>& segments) const;
  // Convenience for tests and callers holding a raw target; an unparsable target is not_found.
  Match match(Method method, std::string_view target) const;

  std::size_t size() const { return routes_.size(); }
  // The largest max_body of any route (0 when none has one).
  std::size_t max_route_body() const;

 private:
  struct Route {
    std::vector<Method> methods;
    RoutePattern pattern;
    Handler handler;
    std::optional<std::size_t> max_body;
  };
  std::vector<Route> routes_;
};

}  // namespace feedsync::net
