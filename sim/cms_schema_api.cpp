#include "sim/cms_schema_api.hpp"

#include "sim/cms_sim.hpp"

namespace feedsync::sim {
namespace json = boost::json;

std::vector<CmsRoute> CmsSchemaApi::routes() {
  auto route = [this](std::string pattern, net::ServerResponse (CmsSchemaApi::*handler)(const CmsCall&)) {
    return CmsRoute{net::Method::get, base_ + pattern, "cms", dialect_, true,
                    [this, handler](const CmsCall& call) { return (this->*handler)(call); }};
  };
  return {route("/contenttypes/{key}", &CmsSchemaApi::get_content_type),
          route("/locales/{key}", &CmsSchemaApi::get_locale)};
}

net::ServerResponse CmsSchemaApi::get_content_type(const CmsCall& call) {
  const std::string key(call.request.params.get("key").value_or(""));
  const CmsContentType* type = store_.content_type(key);
  if (!type) return problem_response(cms_problem(404, "Content type '" + key + "' does not exist."), dialect_);
  return json_response(200, content_type_json(*type));
}

net::ServerResponse CmsSchemaApi::get_locale(const CmsCall& call) {
  const std::string key(call.request.params.get("key").value_or(""));
  const auto locale = store_.locale(key);
  if (!locale) return problem_response(cms_problem(404, "Locale '" + key + "' does not exist."), dialect_);
  return json_response(200, json::object{{"key", locale->key},
                                         {"displayName", locale->key},
                                         {"isEnabled", locale->enabled},
                                         {"routeSegment", locale->key}});
}

json::object content_type_json(const CmsContentType& type) {
  json::object out{{"key", type.name},
                   {"displayName", type.name},
                   {"baseType", type.localized ? "page" : "folder"},
                   {"source", "simulator"}};
  if (type.properties.empty()) return out;
  json::object properties;
  for (const auto& property : type.properties) {
    json::object definition{{"type", property.type}, {"isRequired", property.required}};
    if (!property.item_type.empty()) definition["items"] = json::object{{"type", property.item_type}};
    properties[property.name] = std::move(definition);
  }
  out["properties"] = std::move(properties);
  return out;
}

namespace {

Expected<CmsPropertyDef, std::string> property_from_json(const std::string& where, const json::value& value) {
  const auto* object = value.if_object();
  const auto* type = object ? object->if_contains("type") : nullptr;
  if (!type || !type->is_string()) return unexpected(where + ": needs a string `type`");
  CmsPropertyDef property(where.substr(where.rfind('.') + 1), std::string(type->get_string()));
  if (const auto* required = object->if_contains("isRequired"); required && required->is_bool())
    property.required = required->get_bool();
  if (const auto* items = object->if_contains("items")) {
    const auto* item_type = items->is_object() ? items->get_object().if_contains("type") : nullptr;
    if (!item_type || !item_type->is_string()) return unexpected(where + ".items: needs a string `type`");
    property.item_type = std::string(item_type->get_string());
  }
  return property;
}

Expected<CmsContentType, std::string> content_type_from_json(std::size_t index, const json::value& value) {
  const std::string where = "content type [" + std::to_string(index) + "]";
  const auto* object = value.if_object();
  const auto* key = object ? object->if_contains("key") : nullptr;
  if (!key || !key->is_string() || key->get_string().empty()) return unexpected(where + ": needs a string `key`");
  CmsContentType type{std::string(key->get_string()), true, {}};
  if (const auto* base = object->if_contains("baseType"); base && base->is_string())
    type.localized = base->get_string() != "folder";
  const auto* properties = object->if_contains("properties");
  if (!properties) return type;
  if (!properties->is_object()) return unexpected(type.name + ": `properties` must be an object");
  for (const auto& [name, definition] : properties->get_object()) {
    auto property = property_from_json(type.name + "." + std::string(name), definition);
    if (!property) return unexpected(property.error());
    type.properties.push_back(std::move(*property));
  }
  return type;
}

}  // namespace

Expected<std::vector<CmsContentType>, std::string> content_types_from_json(const json::value& list) {
  if (!list.is_array()) return unexpected(std::string("expected a JSON list of content types"));
  std::vector<CmsContentType> out;
  for (std::size_t i = 0; i < list.get_array().size(); ++i) {
    auto type = content_type_from_json(i, list.get_array()[i]);
    if (!type) return unexpected(type.error());
    out.push_back(std::move(*type));
  }
  return out;
}

Expected<std::vector<CmsLocale>, std::string> locales_from_list(const std::vector<std::string>& items) {
  std::vector<CmsLocale> out;
  for (const auto& item : items) {
    const auto colon = item.find(':');
    CmsLocale locale{item.substr(0, colon), true};
    if (colon != std::string::npos) {
      if (item.substr(colon + 1) != "off") return unexpected("locale " + item + ": only `:off` may follow a locale");
      locale.enabled = false;
    }
    if (locale.key.empty()) return unexpected(std::string("an empty locale"));
    out.push_back(std::move(locale));
  }
  return out;
}

json::object container_json(const std::string& key) {
  return json::object{{"key", key},
                      {"contentType", "SysContentFolder"},
                      {"container", key == kCmsRootContainer ? json::value(nullptr) : json::value(kCmsRootContainer)}};
}

}  // namespace feedsync::sim
