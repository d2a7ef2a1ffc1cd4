#include "sim/faults.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>

namespace feedsync::sim {

namespace json = boost::json;

namespace {

std::optional<net::Method> parse_method(std::string_view text) {
  for (auto m : {net::Method::get, net::Method::head, net::Method::post, net::Method::put,
                 net::Method::patch, net::Method::delete_})
    if (net::to_string(m) == text) return m;
  return std::nullopt;
}

std::optional<std::int64_t> as_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double() && std::floor(v.get_double()) == v.get_double()) return static_cast<std::int64_t>(v.get_double());
  return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

// splitmix64 step mapped to [0, 1): the same seed gives the same fault sequence everywhere.
double draw(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

const std::vector<std::string_view> kRuleKeys = {
    "method", "path", "api", "action", "status", "retry_after", "body", "content_type",
    "delay_ms", "truncate_at", "find", "replace_hex", "count", "probability", "seed"};

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    for (char c : hex.substr(i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
      else return std::nullopt;
    }
    bytes += static_cast<char>(value);
  }
  return bytes;
}

}  // namespace

std::optional<FaultAction> parse_fault_action(std::string_view text) {
  if (text == "status") return FaultAction::status;
  if (text == "delay") return FaultAction::delay;
  if (text == "reset") return FaultAction::reset;
  if (text == "truncate") return FaultAction::truncate;
  if (text == "malformed") return FaultAction::malformed;
  if (text == "rewrite") return FaultAction::rewrite;
  return std::nullopt;
}

std::string_view to_string(FaultAction action) {
  switch (action) {
    case FaultAction::status: return "status";
    case FaultAction::delay: return "delay";
    case FaultAction::reset: return "reset";
    case FaultAction::truncate: return "truncate";
    case FaultAction::malformed: return "malformed";
    case FaultAction::rewrite: return "rewrite";
  }
  return "status";
}

json::object FaultRule::to_json() const {
  json::object o;
  o["id"] = id;
  o["method"] = method ? json::value(net::to_string(*method)) : json::value(nullptr);
  o["path"] = path;
  o["api"] = api ? json::value(*api) : json::value(nullptr);
  o["action"] = to_string(action);
  if (action == FaultAction::status) {
    o["status"] = status;
    o["retry_after"] = retry_after ? json::value(*retry_after) : json::value(nullptr);
    o["body"] = body ? json::value(*body) : json::value(nullptr);
  }
  if (action == FaultAction::delay) o["delay_ms"] = delay.count();
  if (action == FaultAction::truncate)
    o["truncate_at"] = truncate_at ? json::value(*truncate_at) : json::value(nullptr);
  if (action == FaultAction::rewrite) {
    o["find"] = find;
    std::string hex;
    for (unsigned char c : replace) {
      hex += "0123456789abcdef"[c >> 4];
      hex += "0123456789abcdef"[c & 15];
    }
    o["replace_hex"] = hex;
  }
  o["remaining"] = remaining ? json::value(*remaining) : json::value(nullptr);
  o["probability"] = probability ? json::value(*probability) : json::value(nullptr);
  o["seed"] = seed;
  o["matched"] = matched;
  o["fired"] = fired;
  return o;
}

Expected<const FaultRule*, std::string> FaultRules::add(const json::value& spec) {
  if (!spec.is_object()) return unexpected(std::string("a fault rule is a JSON object"));
  const auto& o = spec.get_object();
  for (const auto& [key, value] : o)
    if (std::find(kRuleKeys.begin(), kRuleKeys.end(), key) == kRuleKeys.end())
      return unexpected("unknown key '" + std::string(key) + "'");
  auto text = [&](std::string_view key) -> std::optional<std::string> {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return std::nullopt;
  };
  FaultRule rule;
  const auto* action = o.if_contains("action");
  if (!action || !action->is_string() || !parse_fault_action(action->get_string()))
    return unexpected(std::string("action must be one of status, delay, reset, truncate, malformed, rewrite"));
  rule.action = *parse_fault_action(action->get_string());
  if (auto m = text("method")) {
    auto parsed = parse_method(*m);
    if (!parsed) return unexpected("unknown method '" + *m + "'");
    rule.method = parsed;
  }
  if (auto p = text("path")) {
    try {
      rule.path_regex = std::regex(*p, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return unexpected("path is not a valid regex: " + std::string(e.what()));
    }
    rule.path = *p;
  }
  rule.api = text("api");
  if (const auto* s = o.if_contains("status")) {
    auto n = as_int(*s);
    if (!n || *n < 100 || *n > 599) return unexpected(std::string("status must be 100..599"));
    rule.status = static_cast<int>(*n);
  }
  if (const auto* r = o.if_contains("retry_after")) {
    if (auto n = as_int(*r); n && *n >= 0) rule.retry_after = std::to_string(*n);
    else if (r->is_string()) rule.retry_after = std::string(r->get_string());
    else return unexpected(std::string("retry_after must be seconds or an HTTP-date string"));
  }
  rule.body = text("body");
  rule.content_type = text("content_type");
  if (const auto* d = o.if_contains("delay_ms")) {
    auto n = as_int(*d);
    if (!n || *n < 0 || *n > 600'000) return unexpected(std::string("delay_ms must be 0..600000"));
    rule.delay = std::chrono::milliseconds(*n);
  } else if (rule.action == FaultAction::delay) {
    return unexpected(std::string("a delay needs delay_ms"));
  }
  if (const auto* t = o.if_contains("truncate_at")) {
    auto n = as_int(*t);
    if (!n || *n < 0) return unexpected(std::string("truncate_at must be >= 0"));
    rule.truncate_at = static_cast<std::size_t>(*n);
  }
  if (rule.action == FaultAction::rewrite) {
    auto find = text("find");
    auto hex = text("replace_hex");
    auto bytes = hex ? from_hex(*hex) : std::nullopt;
    if (!find || find->empty() || !bytes)
      return unexpected(std::string("a rewrite needs find (text) and replace_hex (bytes as hex digits)"));
    rule.find = *find;
    rule.replace = *bytes;
  }
  if (const auto* c = o.if_contains("count")) {
    auto n = as_int(*c);
    if (!n || *n < 1) return unexpected(std::string("count must be >= 1"));
    rule.remaining = static_cast<std::size_t>(*n);
  }
  if (const auto* p = o.if_contains("probability")) {
    auto x = as_number(*p);
    if (!x || !(*x > 0.0 && *x <= 1.0)) return unexpected(std::string("probability must be in (0, 1]"));
    rule.probability = *x;
  }
  if (const auto* s = o.if_contains("seed")) {
    auto n = as_int(*s);
    if (!n) return unexpected(std::string("seed must be an integer"));
    rule.seed = static_cast<std::uint64_t>(*n);
  }
  rule.rng_state = rule.seed;
  rule.id = next_id_++;
  rules_.push_back(std::move(rule));
  return &rules_.back();
}

bool FaultRules::remove(std::uint64_t id) {
  return std::erase_if(rules_, [id](const FaultRule& r) { return r.id == id; }) > 0;
}

std::optional<FaultRule> FaultRules::take(net::Method method, std::string_view path, std::string_view api) {
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    auto& rule = *it;
    if (rule.method && *rule.method != method) continue;
    if (rule.api && *rule.api != api) continue;
    if (!rule.path.empty() && !std::regex_search(path.begin(), path.end(), rule.path_regex)) continue;
    ++rule.matched;
    if (rule.probability && draw(rule.rng_state) >= *rule.probability) continue;
    ++rule.fired;
    FaultRule out = rule;
    if (rule.remaining && --*rule.remaining == 0) rules_.erase(it);
    return out;
  }
  return std::nullopt;
}

json::array FaultRules::to_json() const {
  json::array out;
  for (const auto& rule : rules_) out.push_back(rule.to_json());
  return out;
}

std::optional<std::string> RateLimits::set(const std::string& api, double rate, std::optional<double> burst,
                                           std::optional<std::int64_t> retry_after_s, time_point now) {
  if (!(rate > 0.0) || !std::isfinite(rate)) return "rate must be > 0";
  const double b = burst.value_or(std::max(1.0, rate));
  if (!(b >= 1.0) || !std::isfinite(b)) return "burst must be >= 1";
  if (retry_after_s && *retry_after_s < 0) return "retry_after must be >= 0";
  Limit limit;
  limit.rate = rate;
  limit.burst = b;
  limit.retry_after_s = retry_after_s;
  limit.tokens = b;
  limit.last = now;
  limits_[api] = limit;
  return std::nullopt;
}

std::optional<std::int64_t> RateLimits::admit(const std::string& api, time_point now) {
  auto it = limits_.find(api);
  if (it == limits_.end()) return std::nullopt;
  auto& l = it->second;
  if (now > l.last) {
    const double elapsed = std::chrono::duration<double>(now - l.last).count();
    l.tokens = std::min(l.burst, l.tokens + elapsed * l.rate);
    l.last = now;
  }
  if (l.tokens >= 1.0) {
    l.tokens -= 1.0;
    ++l.admitted;
    return std::nullopt;
  }
  ++l.rejected;
  if (l.retry_after_s) return *l.retry_after_s;
  // Whole seconds, rounded up and at least 1: a client that waits exactly this long gets a token.
  const double wait = (1.0 - l.tokens) / l.rate;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

json::object RateLimits::to_json(time_point now) const {
  json::object out;
  for (const auto& [api, l] : limits_) {
    double tokens = l.tokens;
    if (now > l.last) tokens = std::min(l.burst, tokens + std::chrono::duration<double>(now - l.last).count() * l.rate);
    out[api] = json::object{
        {"rate", l.rate},
        {"burst", l.burst},
        {"retry_after", l.retry_after_s ? json::value(*l.retry_after_s) : json::value(nullptr)},
        {"tokens", tokens},
        {"admitted", l.admitted},
        {"rejected", l.rejected},
    };
  }
  return out;
}

}  // namespace feedsync::sim
