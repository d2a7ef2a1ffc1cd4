#include "cms/content_schema.hpp"

#include "cms/cms_transport.hpp"

namespace feedsync::cms {
namespace json = boost::json;
namespace {

net::Request get(std::string url) {
  net::Request request;
  request.url = std::move(url);
  return request;
}

Expected<PropertyDefinition, std::string> read_property(const std::string& name, const json::value& value) {
  const auto* object = value.if_object();
  const auto* type = object ? object->if_contains("type") : nullptr;
  if (!type || !type->is_string()) return unexpected("properties." + name + ".type is missing or not a string");
  PropertyDefinition property;
  property.type = std::string(type->get_string());
  if (const auto* items = object->if_contains("items"); items && items->is_object()) {
    if (const auto* item_type = items->get_object().if_contains("type"); item_type && item_type->is_string())
      property.item_type = std::string(item_type->get_string());
  }
  if (const auto* required = object->if_contains("isRequired"); required && required->is_bool())
    property.required = required->get_bool();
  return property;
}

}  // namespace

net::Request content_type_request(std::string_view base_url, std::string_view key) {
  return get(cms_url(base_url, {"contenttypes", key}));
}

net::Request locale_request(std::string_view base_url, std::string_view key) {
  return get(cms_url(base_url, {"locales", key}));
}

net::Request container_request(std::string_view base_url, std::string_view key) {
  return get(cms_url(base_url, {"content", key}));
}

Expected<ContentTypeDefinition, std::string> read_content_type(const json::value& value) {
  const auto* object = value.if_object();
  if (!object) return unexpected(std::string("the content type is not a JSON object"));
  ContentTypeDefinition type;
  if (const auto* key = object->if_contains("key"); key && key->is_string()) type.key = std::string(key->get_string());
  const auto* properties = object->if_contains("properties");
  if (!properties || properties->is_null()) return type;
  if (!properties->is_object()) return unexpected(std::string("properties is not an object"));
  type.properties_listed = true;
  for (const auto& [name, definition] : properties->get_object()) {
    auto property = read_property(std::string(name), definition);
    if (!property) return unexpected(property.error());
    type.properties.emplace(std::string(name), std::move(*property));
  }
  return type;
}

Expected<LocaleDefinition, std::string> read_locale(const json::value& value) {
  const auto* object = value.if_object();
  const auto* key = object ? object->if_contains("key") : nullptr;
  if (!key || !key->is_string()) return unexpected(std::string("the locale has no key"));
  LocaleDefinition locale{std::string(key->get_string())};
  if (const auto* enabled = object->if_contains("isEnabled"); enabled && enabled->is_bool())
    locale.enabled = enabled->get_bool();
  return locale;
}

}  // namespace feedsync::cms
