#include "cms/payload.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace feedsync::cms {
namespace json = boost::json;

namespace {

Expected<std::string, std::string> text(const json::object& doc, std::string_view name, bool required) {
  const json::value* value = doc.if_contains(name);
  if (!value || value->is_null()) {
    if (required) return unexpected("payload has no \"" + std::string(name) + "\"");
    return std::string();
  }
  if (!value->is_string()) return unexpected("payload member \"" + std::string(name) + "\" is not a string");
  return std::string(value->as_string());
}

}  // namespace

bool Payload::is_rich_text(std::string_view property) const {
  return std::find(rich_text.begin(), rich_text.end(), property) != rich_text.end();
}

Expected<Payload, std::string> read_payload(const json::object& doc) {
  Payload payload;
  struct Member {
    std::string_view name;
    std::string* out;
    bool required;
  };
  for (auto [name, out, required] : {Member{"key", &payload.key, true},
                                     Member{"contentType", &payload.content_type, true},
                                     Member{"container", &payload.container, true},
                                     Member{"locale", &payload.locale, false},
                                     Member{"displayName", &payload.display_name, true}}) {
    auto value = text(doc, name, required);
    if (!value) return unexpected(std::move(value.error()));
    *out = std::move(*value);
  }
  auto route = text(doc, "routeSegment", false);
  if (!route) return unexpected(std::move(route.error()));
  if (!route->empty()) payload.route_segment = std::move(*route);

  const json::value* properties = doc.if_contains("properties");
  if (properties && !properties->is_object()) return unexpected(std::string("payload member \"properties\" is not an object"));
  if (properties) payload.properties = properties->as_object();

  auto publish = text(doc, "publish", false);
  if (!publish) return unexpected(std::move(publish.error()));
  if (publish->empty() || *publish == "immediate") {
    payload.target_status = "published";
  } else if (*publish == "draft" || *publish == "ready") {
    payload.target_status = *publish;
  } else {
    return unexpected("payload has an unknown publish mode \"" + *publish + "\"");
  }

  if (const json::value* at = doc.if_contains("publishAt")) {
    payload.scheduling = true;
    if (at->is_string()) {
      payload.publish_at = std::string(at->as_string());
      payload.publish_at_ms = parse_rfc3339_ms(payload.publish_at);
    }
    if (!at->is_null() && !payload.publish_at_ms)
      return unexpected(std::string("payload member \"publishAt\" is not an RFC 3339 date-time"));
  }

  if (const json::value* rich = doc.if_contains("richText"); rich && rich->is_array()) {
    for (const auto& name : rich->as_array())
      if (name.is_string()) payload.rich_text.emplace_back(name.as_string());
  }
  return payload;
}

std::string status_at(const Payload& payload, std::int64_t now_ms) {
  if (payload.target_status == "published" && payload.publish_at_ms && *payload.publish_at_ms > now_ms)
    return "scheduled";
  return payload.target_status;
}

}  // namespace feedsync::cms
