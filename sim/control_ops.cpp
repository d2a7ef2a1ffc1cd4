// /_sim/ operations: fault rules, rate limits, the simulated clock, and read-back (request log,
// canonical records, CMS items, the consistency check).
#include <boost/json/array.hpp>

#include <charconv>

#include "core/time.hpp"
#include "sim/control_api.hpp"
#include "sim/control_util.hpp"
#include "sim/feed_render.hpp"
#include "sim/simulator.hpp"

namespace feedsync::sim {

namespace json = boost::json;
using net::Method;
using net::ServerRequest;
using net::ServerResponse;
using control::error;
using control::reply;
using control::sync_handler;

namespace {

std::string known_apis(const Simulator& sim) {
  std::string out;
  for (const auto& api : sim.middleware().apis()) {
    if (api == kControlApi) continue;
    out += out.empty() ? "" : ", ";
    out += api;
  }
  return out;
}

bool is_simulated_api(const Simulator& sim, const std::string& api) {
  return api != kControlApi && sim.middleware().apis().contains(api);
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

ServerResponse add_fault(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  if (const auto* api = body->if_contains("api"); api && api->is_string() &&
                                                  !is_simulated_api(sim, std::string(api->get_string())))
    return error(400, "unknown api '" + std::string(api->get_string()) + "' (known: " + known_apis(sim) + ")");
  auto rule = sim.faults().add(*body);
  if (!rule) return error(400, rule.error());
  return reply(201, (*rule)->to_json());
}

ServerResponse delete_fault(Simulator& sim, const ServerRequest& r) {
  auto id = parse_uint(r.params.get("id").value_or(""));
  if (!id || !sim.faults().remove(*id)) return error(404, "no fault rule " + std::string(r.params.get("id").value_or("")));
  return control::no_content();
}

ServerResponse set_rate_limit(Simulator& sim, const ServerRequest& r) {
  const std::string api(r.params.get("api").value_or(""));
  if (!is_simulated_api(sim, api)) return error(404, "unknown api '" + api + "' (known: " + known_apis(sim) + ")");
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto number = [&](std::string_view key) -> std::optional<double> {
    const auto* v = body->if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    return -1.0;  // present but not a number: rejected by set()
  };
  const auto rate = number("rate");
  if (!rate) return error(400, "rate (requests per second) is required");
  std::optional<std::int64_t> retry_after;
  if (body->contains("retry_after")) {
    retry_after = control::int_field(*body, "retry_after");
    if (!retry_after) return error(400, "retry_after must be whole seconds");
  }
  if (auto e = sim.rate_limits().set(api, *rate, number("burst"), retry_after, sim.clock().steady_now()))
    return error(400, *e);
  return reply(200, sim.rate_limits().to_json(sim.clock().steady_now()));
}

ServerResponse delete_rate_limit(Simulator& sim, const ServerRequest& r) {
  const std::string api(r.params.get("api").value_or(""));
  if (!sim.rate_limits().remove(api)) return error(404, "no rate limit for '" + api + "'");
  return control::no_content();
}

json::object clock_json(const SimClock& clock) {
  return json::object{{"now", format_rfc3339_ms(clock.now_ms())}, {"offset_ms", clock.offset_ms()}};
}

ServerResponse move_clock(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const bool has_advance_ms = body->contains("advance_ms");
  const bool has_advance_s = body->contains("advance_s");
  const bool has_offset = body->contains("offset_ms");
  if (has_advance_ms + has_advance_s + has_offset != 1)
    return error(400, "give exactly one of advance_ms, advance_s, offset_ms");
  if (has_offset) {
    auto v = control::int_field(*body, "offset_ms");
    if (!v) return error(400, "offset_ms must be an integer");
    sim.clock().set_offset_ms(*v);
  } else {
    auto v = control::int_field(*body, has_advance_ms ? "advance_ms" : "advance_s");
    if (!v || *v < 0) return error(400, "the clock only advances: give a non-negative integer");
    sim.clock().advance_ms(has_advance_ms ? *v : *v * 1000);
  }
  return reply(200, clock_json(sim.clock()));
}

json::object feed_api_json(const FeedApiBehaviour& b) {
  return json::object{{"page_cap", b.page_cap}, {"fields", to_string(b.fields)}};
}

// PUT /_sim/feed-api {"page_cap": N, "fields": "..."}: either or both; the rest is kept.
ServerResponse set_feed_api(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  FeedApiBehaviour behaviour = sim.feed_api().behaviour();
  for (const auto& [key, value] : *body) {
    if (key == "page_cap") {
      auto v = control::int_field(*body, "page_cap");
      if (!v || *v < 0) return error(400, "page_cap must be a non-negative integer (0: no cap)");
      behaviour.page_cap = static_cast<std::size_t>(*v);
    } else if (key == "fields") {
      const auto mode = value.is_string() ? parse_fields_mode(value.get_string()) : std::nullopt;
      if (!mode) return error(400, "fields must be honoured, ignored, no-entry-timestamps or flat");
      behaviour.fields = *mode;
    } else {
      return error(400, "unknown key '" + std::string(key) + "' (known: page_cap, fields)");
    }
  }
  sim.feed_api().set_behaviour(behaviour);
  return reply(200, feed_api_json(behaviour));
}

ServerResponse read_requests(Simulator& sim, const ServerRequest& r) {
  LogFilter filter;
  if (auto v = r.query.get("api")) filter.api = std::string(*v);
  if (auto v = r.query.get("method")) filter.method = std::string(*v);
  if (auto v = r.query.get("path")) filter.path_prefix = std::string(*v);
  if (auto v = r.query.get("status")) {
    auto n = parse_uint(*v);
    if (!n) return error(400, "status must be a number");
    filter.status = static_cast<int>(*n);
  }
  if (auto v = r.query.get("since")) {
    auto n = parse_uint(*v);
    if (!n) return error(400, "since must be a sequence number");
    filter.since = *n;
  }
  if (auto v = r.query.get("limit")) {
    auto n = parse_uint(*v);
    if (!n || *n == 0) return error(400, "limit must be >= 1");
    filter.limit = static_cast<std::size_t>(*n);
  }
  return reply(200, sim.requests().to_json(filter));
}

ServerResponse info(Simulator& sim) {
  json::array feeds, apis, domains;
  for (const Feed* f : sim.store().feeds()) feeds.push_back(json::string(f->id));
  for (const auto& api : sim.middleware().apis())
    if (api != kControlApi) apis.push_back(json::string(api));
  for (const auto& d : sim.options().allowed_domains) domains.push_back(json::string(d));
  return reply(200, json::object{
                        {"base_url", sim.base_url()},
                        {"feed_id", sim.options().feed_id},
                        {"deleted_feed_id", sim.store().feed(sim.options().feed_id)
                                                ? json::value(sim.store().feed(sim.options().feed_id)->partner)
                                                : json::value(nullptr)},
                        {"feeds", std::move(feeds)},
                        {"apis", std::move(apis)},
                        {"cms_attached", sim.cms_attached()},
                        {"guid_property", sim.options().guid_property},
                        {"allowed_domains", std::move(domains)},
                        {"clock", clock_json(sim.clock())},
                    });
}

}  // namespace

void add_control_ops_routes(Simulator& sim, const RouteSink& sink) {
  auto add = [&](Method m, std::string pattern, auto f) {
    sink(m, std::move(pattern), std::string(kControlApi), sync_handler(std::move(f)));
  };
  Simulator* s = &sim;
  add(Method::get, "/_sim/info", [s](ServerRequest) { return info(*s); });

  add(Method::get, "/_sim/faults", [s](ServerRequest) {
    return reply(200, json::object{{"rules", s->faults().to_json()}});
  });
  add(Method::post, "/_sim/faults", [s](ServerRequest r) { return add_fault(*s, r); });
  add(Method::delete_, "/_sim/faults/{id}", [s](ServerRequest r) { return delete_fault(*s, r); });
  add(Method::delete_, "/_sim/faults", [s](ServerRequest) {
    s->faults().clear();
    return control::no_content();
  });

  add(Method::get, "/_sim/rate-limits", [s](ServerRequest) {
    return reply(200, s->rate_limits().to_json(s->clock().steady_now()));
  });
  add(Method::put, "/_sim/rate-limits/{api}", [s](ServerRequest r) { return set_rate_limit(*s, r); });
  add(Method::delete_, "/_sim/rate-limits/{api}", [s](ServerRequest r) { return delete_rate_limit(*s, r); });
  add(Method::delete_, "/_sim/rate-limits", [s](ServerRequest) {
    s->rate_limits().clear();
    return control::no_content();
  });

  add(Method::get, "/_sim/clock", [s](ServerRequest) { return reply(200, clock_json(s->clock())); });
  add(Method::get, "/_sim/feed-api", [s](ServerRequest) { return reply(200, feed_api_json(s->feed_api().behaviour())); });
  add(Method::put, "/_sim/feed-api", [s](ServerRequest r) { return set_feed_api(*s, r); });
  add(Method::post, "/_sim/clock", [s](ServerRequest r) { return move_clock(*s, r); });

  add(Method::get, "/_sim/requests", [s](ServerRequest r) { return read_requests(*s, r); });
  add(Method::get, "/_sim/requests/counters", [s](ServerRequest) {
    return reply(200, s->requests().counters_json());
  });
  add(Method::delete_, "/_sim/requests", [s](ServerRequest) {
    s->requests().clear();
    return control::no_content();
  });

  add(Method::get, "/_sim/canonical", [s](ServerRequest) {
    return reply(200, json::object{{"records", s->feed_api().canonical_json()}});
  });
  add(Method::delete_, "/_sim/canonical", [s](ServerRequest) {
    s->feed_api().clear_canonical_records();
    return control::no_content();
  });

  add(Method::get, "/_sim/cms/items", [s](ServerRequest) {
    auto items = s->cms_items_json();
    if (!items) return error(404, "no CMS part in this simulator");
    return reply(200, *items);
  });
  add(Method::get, "/_sim/check", [s](ServerRequest r) {
    std::optional<DriftCheck> drift;
    const auto property = r.query.get("property");
    const auto field = r.query.get("field");
    if (property.has_value() != field.has_value()) return error(400, "property and field go together");
    if (property) drift = DriftCheck{std::string(*property), std::string(*field)};
    // ?groups=true: translations (issue 23) of one group_id in 2+ CMS items count against ok.
    const auto groups = r.query.get("groups");
    if (groups && *groups != "true" && *groups != "false") return error(400, "groups must be true or false");
    return reply(200, s->check_report(drift, groups == "true"));
  });
}

}  // namespace feedsync::sim
