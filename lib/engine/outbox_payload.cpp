#include "engine/outbox_payload.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace feedsync::engine {
namespace {

Expected<boost::json::object, std::string> parse_object(const std::string& json) {
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec) return unexpected("outbox payload is not JSON: " + ec.message());
  if (!value.is_object()) return unexpected(std::string("outbox payload is not a JSON object"));
  return std::move(value.as_object());
}

Expected<std::string, std::string> string_member(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return unexpected("outbox payload has no string \"" + std::string(name) + "\"");
  }
  return std::string(value->get_string());
}

}  // namespace

std::string encode(const UpsertPayload& payload) {
  boost::json::object object{{"document", payload.document}};
  if (payload.meta_url) object["meta_url"] = *payload.meta_url;
  return boost::json::serialize(object);
}

std::string encode(const DeletePayload& payload) {
  return boost::json::serialize(boost::json::object{{"key", payload.key}, {"permanent", payload.permanent}});
}

std::string encode(const CanonicalPayload& payload) {
  return boost::json::serialize(boost::json::object{{"url", payload.url}, {"pixel_key", payload.pixel_key}});
}

Expected<UpsertPayload, std::string> decode_upsert(const std::string& json) {
  auto object = parse_object(json);
  if (!object) return unexpected(object.error());
  auto* document = object->if_contains("document");
  if (document == nullptr || !document->is_object()) {
    return unexpected(std::string("outbox payload has no \"document\" object"));
  }
  UpsertPayload payload{std::move(document->as_object()), std::nullopt};
  if (const auto* meta = object->if_contains("meta_url"); meta != nullptr && meta->is_string()) {
    payload.meta_url = std::string(meta->get_string());
  }
  return payload;
}

Expected<DeletePayload, std::string> decode_delete(const std::string& json) {
  auto object = parse_object(json);
  if (!object) return unexpected(object.error());
  auto key = string_member(*object, "key");
  if (!key) return unexpected(key.error());
  const auto* permanent = object->if_contains("permanent");
  return DeletePayload{std::move(*key), permanent != nullptr && permanent->is_bool() && permanent->get_bool()};
}

Expected<CanonicalPayload, std::string> decode_canonical(const std::string& json) {
  auto object = parse_object(json);
  if (!object) return unexpected(object.error());
  auto url = string_member(*object, "url");
  if (!url) return unexpected(url.error());
  auto pixel_key = string_member(*object, "pixel_key");
  if (!pixel_key) return unexpected(pixel_key.error());
  return CanonicalPayload{std::move(*url), std::move(*pixel_key)};
}

}  // namespace feedsync::engine
