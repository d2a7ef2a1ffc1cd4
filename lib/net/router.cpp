#include "net/router.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace feedsync::net {
namespace {

constexpr std::array kAllMethods = {Method::get,   Method::head,  Method::post,
                                    Method::put,   Method::patch, Method::delete_};

std::vector<std::string_view> split_pattern(std::string_view pattern) {
  std::vector<std::string_view> out;
  std::string_view rest = pattern.substr(1);
  if (rest.empty()) return out;  // "/" has no segments, like Boost.URL's view of "/"
  for (;;) {
    auto slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

[[noreturn]] void bad_pattern(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument("route pattern \"" + std::string(pattern) + "\": " + std::string(why));
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Used when comparing patterns of different lengths: the shorter one matched exactly where the
// longer one's {rest...} matched nothing, and exact is more specific.
constexpr int kEnd = 4;

}  // namespace

Expected<Target, std::string> parse_target(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return unexpected(std::string("invalid request target: ") + parsed.error().message());
  const boost::urls::url_view& url = *parsed;
  Target out;
  out.path = std::string(url.encoded_path());
  for (auto segment : url.segments()) out.segments.push_back(std::string(segment));
  for (auto param : url.params()) {
    out.query.add(std::string(param.key), param.has_value ? std::string(param.value) : std::string());
  }
  return out;
}

RoutePattern::RoutePattern(std::string_view pattern) : text_(pattern) {
  if (pattern.empty() || pattern.front() != '/') bad_pattern(pattern, "must start with '/'");
  auto parts = split_pattern(pattern);
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    auto open = part.find('{');
    auto close = part.find('}');
    if (open == std::string_view::npos && close == std::string_view::npos) {
      segments_.push_back({Kind::literal, std::string(part), {}, {}});
      continue;
    }
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        part.find('{', open + 1) != std::string_view::npos ||
        part.find('}', close + 1) != std::string_view::npos) {
      bad_pattern(pattern, "unbalanced or repeated braces in \"" + std::string(part) + "\"");
    }
    std::string_view name = part.substr(open + 1, close - open - 1);
    Segment segment;
    segment.prefix = std::string(part.substr(0, open));
    segment.suffix = std::string(part.substr(close + 1));
    if (name.ends_with("...")) {
      name.remove_suffix(3);
      if (i + 1 != parts.size() || !segment.prefix.empty() || !segment.suffix.empty())
        bad_pattern(pattern, "{name...} must be a whole last segment");
      segment.kind = Kind::rest;
    } else {
      segment.kind = segment.prefix.empty() && segment.suffix.empty() ? Kind::param : Kind::affixed;
    }
    if (!valid_name(name)) bad_pattern(pattern, "parameter names are [A-Za-z0-9_]+");
    if (std::find(names.begin(), names.end(), name) != names.end())
      bad_pattern(pattern, "parameter \"" + std::string(name) + "\" appears twice");
    names.push_back(name);
    segment.name = std::string(name);
    segments_.push_back(std::move(segment));
  }
}

bool RoutePattern::match(const std::vector<std::string>& segments, PathParams& params) const {
  PathParams captured;
  std::size_t i = 0;
  for (const auto& pattern : segments_) {
    if (pattern.kind == Kind::rest) {
      std::string rest;
      for (std::size_t j = i; j < segments.size(); ++j) {
        if (j > i) rest += '/';
        rest += segments[j];
      }
      captured.add(pattern.name, std::move(rest));
      i = segments.size();
      break;
    }
    if (i == segments.size()) return false;
    const std::string& segment = segments[i++];
    if (pattern.kind == Kind::literal) {
      if (segment != pattern.prefix) return false;
      continue;
    }
    std::string_view s = segment;
    if (s.size() <= pattern.prefix.size() + pattern.suffix.size() || !s.starts_with(pattern.prefix) ||
        !s.ends_with(pattern.suffix)) {
      return false;
    }
    s.remove_prefix(pattern.prefix.size());
    s.remove_suffix(pattern.suffix.size());
    captured.add(pattern.name, std::string(s));
  }
  if (i != segments.size()) return false;
  for (const auto& item : captured) params.add(item.name, item.value);
  return true;
}

int RoutePattern::compare_specificity(const RoutePattern& other) const {
  std::size_t n = std::max(segments_.size(), other.segments_.size());
  for (std::size_t i = 0; i < n; ++i) {
    int mine = i < segments_.size() ? static_cast<int>(segments_[i].kind) : kEnd;
    int theirs = i < other.segments_.size() ? static_cast<int>(other.segments_[i].kind) : kEnd;
    if (mine != theirs) return mine < theirs ? -1 : 1;
  }
  return 0;
}

Router& Router::add(Method method, std::string_view pattern, Handler handler) {
  routes_.push_back({{method}, RoutePattern(pattern), std::move(handler), std::nullopt});
  return *this;
}

Router& Router::add(Method method, std::string_view pattern, Handler handler, std::size_t max_body) {
  routes_.push_back({{method}, RoutePattern(pattern), std::move(handler), max_body});
  return *this;
}

std::size_t Router::max_route_body() const {
  std::size_t largest = 0;
  for (const auto& route : routes_) largest = std::max(largest, route.max_body.value_or(0));
  return largest;
}

Router& Router::any(std::string_view pattern, Handler handler) {
  routes_.push_back({{kAllMethods.begin(), kAllMethods.end()}, RoutePattern(pattern), std::move(handler), std::nullopt});
  return *this;
}

Router::Match Router::match(Method method, const std::vector<std::string>& segments) const {
  const Route* best = nullptr;
  bool best_is_head_fallback = false;
  PathParams best_params;
  std::vector<Method> allowed;
  bool path_matched = false;

  for (const auto& route : routes_) {
    PathParams params;
    if (!route.pattern.match(segments, params)) continue;
    path_matched = true;
    for (Method m : route.methods)
      if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) allowed.push_back(m);

    auto has = [&](Method m) {
      return std::find(route.methods.begin(), route.methods.end(), m) != route.methods.end();
    };
    bool exact = has(method);
    bool head_fallback = !exact && method == Method::head && has(Method::get);
    if (!exact && !head_fallback) continue;
    int cmp = best ? route.pattern.compare_specificity(best->pattern) : 1;
    // A route registered for HEAD itself beats a GET route of equal specificity.
    if (cmp > 0 || (cmp == 0 && best_is_head_fallback && exact)) {
      best = &route;
      best_is_head_fallback = head_fallback;
      best_params = std::move(params);
    }
  }

  Match out;
  if (best) {
    out.outcome = Outcome::found;
    out.handler = &best->handler;
    out.route = best->pattern.text();
    out.params = std::move(best_params);
    out.max_body = best->max_body;
    return out;
  }
  if (!path_matched) return out;

  out.outcome = Outcome::method_not_allowed;
  if (std::find(allowed.begin(), allowed.end(), Method::get) != allowed.end() &&
      std::find(allowed.begin(), allowed.end(), Method::head) == allowed.end()) {
    allowed.push_back(Method::head);
  }
  // Listed in a fixed order so the header does not depend on registration order.
  for (Method m : kAllMethods) {
    if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) continue;
    if (!out.allow.empty()) out.allow += ", ";
    out.allow += to_string(m);
  }
  return out;
}

Router::Match Router::match(Method method, std::string_view target) const {
  auto parsed = parse_target(target);
  if (!parsed) return {};
  return match(method, parsed->segments);
}

}  // namespace feedsync::net
