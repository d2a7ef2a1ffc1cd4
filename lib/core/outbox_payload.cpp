#include "core/outbox_payload.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/time.hpp"

namespace feedsync {
namespace json = boost::json;

namespace {

// A string member: absent or null reads as "" unless `required`.
Expected<std::string, std::string> text(const json::object& doc, std::string_view name, bool required) {
  const json::value* value = doc.if_contains(name);
  if (!value || value->is_null()) {
    if (required) return unexpected("payload has no \"" + std::string(name) + "\"");
    return std::string();
  }
  if (!value->is_string()) return unexpected("payload member \"" + std::string(name) + "\" is not a string");
  return std::string(value->as_string());
}

Expected<json::object, std::string> parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec) return unexpected("outbox payload is not JSON: " + ec.message());
  if (!value.is_object()) return unexpected(std::string("outbox payload is not a JSON object"));
  return std::move(value.as_object());
}

Expected<std::string, std::string> string_member(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return unexpected("outbox payload has no string \"" + std::string(name) + "\"");
  }
  return std::string(value->get_string());
}

// The string members every document has; the rest are read by article_document_from_json.
Expected<ArticleDocument, std::string> read_names(const json::object& doc) {
  ArticleDocument out;
  // The relay has always refused a document without a key before any CMS call.
  const auto* key = doc.if_contains("key");
  if (key == nullptr || !key->is_string() || key->get_string().empty())
    return unexpected(std::string("outbox payload document has no \"key\""));
  out.key = std::string(key->get_string());
  struct Member {
    std::string_view name;
    std::string* out;
    bool required;
  };
  for (auto [name, target, required] : {Member{"contentType", &out.content_type, true},
                                        Member{"container", &out.container, true},
                                        Member{"locale", &out.locale, false},
                                        Member{"displayName", &out.display_name, true}}) {
    auto value = text(doc, name, required);
    if (!value) return unexpected(std::move(value.error()));
    *target = std::move(*value);
  }
  auto route = text(doc, "routeSegment", false);
  if (!route) return unexpected(std::move(route.error()));
  if (!route->empty()) out.route_segment = std::move(*route);
  auto publish = text(doc, "publish", false);
  if (!publish) return unexpected(std::move(publish.error()));
  if (publish->empty()) *publish = "immediate";
  if (*publish != "immediate" && *publish != "draft" && *publish != "ready")
    return unexpected("payload has an unknown publish mode \"" + *publish + "\"");
  out.publish = std::move(*publish);
  return out;
}

}  // namespace

bool ArticleDocument::is_rich_text(std::string_view property) const {
  return std::find(rich_text.begin(), rich_text.end(), property) != rich_text.end();
}

json::object to_json(const ArticleDocument& document) {
  json::object doc;
  doc["key"] = document.key;
  doc["contentType"] = document.content_type;
  doc["container"] = document.container;
  doc["locale"] = document.locale;
  doc["displayName"] = document.display_name;
  if (document.route_segment) doc["routeSegment"] = *document.route_segment;
  doc["properties"] = document.properties;
  doc["publish"] = document.publish;
  if (document.scheduling) {
    if (document.publish_at_ms) {
      doc["publishAt"] = format_rfc3339_ms(*document.publish_at_ms);
    } else {
      doc["publishAt"] = nullptr;
    }
  }
  if (!document.rich_text.empty()) {
    json::array list;
    for (const auto& name : document.rich_text) list.emplace_back(name);
    doc["richText"] = std::move(list);
  }
  return doc;
}

Expected<ArticleDocument, std::string> article_document_from_json(const json::object& doc) {
  auto read = read_names(doc);
  if (!read) return read;
  ArticleDocument& out = *read;
  const json::value* properties = doc.if_contains("properties");
  if (properties && !properties->is_object())
    return unexpected(std::string("payload member \"properties\" is not an object"));
  if (properties) out.properties = properties->as_object();
  if (const json::value* at = doc.if_contains("publishAt")) {
    out.scheduling = true;
    if (at->is_string()) out.publish_at_ms = parse_rfc3339_ms(at->as_string());
    if (!at->is_null() && !out.publish_at_ms)
      return unexpected(std::string("payload member \"publishAt\" is not an RFC 3339 date-time"));
  }
  if (const json::value* rich = doc.if_contains("richText"); rich && rich->is_array()) {
    for (const auto& name : rich->as_array())
      if (name.is_string()) out.rich_text.emplace_back(name.as_string());
  }
  return read;
}

std::string publish_at_text(const ArticleDocument& document) {
  return document.publish_at_ms ? format_rfc3339_ms(*document.publish_at_ms) : std::string();
}

std::string encode(const UpsertPayload& payload) {
  json::object object{{"document", to_json(payload.document)}};
  if (payload.meta_url) object["meta_url"] = *payload.meta_url;
  if (payload.retire) object["retire"] = json::parse(encode(*payload.retire));
  return json::serialize(object);
}

std::string encode(const DeletePayload& payload) {
  json::object out{{"key", payload.key}, {"permanent", payload.permanent}};
  if (payload.translation_locale) out["translation_locale"] = *payload.translation_locale;
  return json::serialize(out);
}

std::string encode(const CanonicalPayload& payload) {
  return json::serialize(json::object{{"url", payload.url}, {"pixel_key", payload.pixel_key}});
}

Expected<UpsertPayload, std::string> decode_upsert(const std::string& text) {
  auto object = parse_object(text);
  if (!object) return unexpected(object.error());
  const auto* document = object->if_contains("document");
  if (document == nullptr || !document->is_object()) {
    return unexpected(std::string("outbox payload has no \"document\" object"));
  }
  auto read = article_document_from_json(document->as_object());
  if (!read) return unexpected(std::move(read.error()));
  UpsertPayload payload{std::move(*read), std::nullopt, std::nullopt};
  if (const auto* meta = object->if_contains("meta_url"); meta != nullptr && meta->is_string()) {
    payload.meta_url = std::string(meta->get_string());
  }
  if (const auto* retire = object->if_contains("retire"); retire != nullptr) {
    if (!retire->is_object()) return unexpected(std::string("outbox payload member \"retire\" is not an object"));
    auto retired = decode_delete(json::serialize(retire->get_object()));
    if (!retired) return unexpected("outbox payload member \"retire\": " + retired.error());
    payload.retire = std::move(*retired);
  }
  return payload;
}

Expected<DeletePayload, std::string> decode_delete(const std::string& text) {
  auto object = parse_object(text);
  if (!object) return unexpected(object.error());
  auto key = string_member(*object, "key");
  if (!key) return unexpected(key.error());
  const auto* permanent = object->if_contains("permanent");
  std::optional<std::string> locale;
  if (const auto* value = object->if_contains("translation_locale"); value != nullptr) {
    if (!value->is_string() || value->get_string().empty())
      return unexpected(std::string("outbox payload member \"translation_locale\" is not a locale"));
    locale = std::string(value->get_string());
  }
  return DeletePayload{std::move(*key), permanent != nullptr && permanent->is_bool() && permanent->get_bool(),
                       std::move(locale)};
}

Expected<CanonicalPayload, std::string> decode_canonical(const std::string& text) {
  auto object = parse_object(text);
  if (!object) return unexpected(object.error());
  auto url = string_member(*object, "url");
  if (!url) return unexpected(url.error());
  auto pixel_key = string_member(*object, "pixel_key");
  if (!pixel_key) return unexpected(pixel_key.error());
  return CanonicalPayload{std::move(*url), std::move(*pixel_key)};
}

}  // namespace feedsync
