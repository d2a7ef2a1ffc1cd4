#pragma once
// What `check --connect` reads of the CMS's own definitions before anything is written: a content
// type (v1 `ContentType`, GET /contenttypes/{key}), a locale (v1 `Locale`, GET /locales/{key}).
// Only the members the mapping check needs are kept; extra members are ignored, as the vendor's
// definition allows. The flat dialect serves the same paths under its own base. Pure.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/expected.hpp"
#include "net/http.hpp"

namespace feedsync::cms {

// `ContentTypeProperty`: `type` is one of the definition's enum (string, url, boolean, integer,
// float, dateTime, contentReference, content, link, richText, json, array, component); for an
// array, `items.type` is the element's.
struct PropertyDefinition {
  std::string type;
  std::string item_type;  // arrays only
  bool required = false;  // `isRequired`
};

struct ContentTypeDefinition {
  std::string key;
  std::map<std::string, PropertyDefinition> properties;  // by property name
  // `properties` is optional in the definition: without it nothing is known about them, and the
  // mapping's properties cannot be checked one by one.
  bool properties_listed = false;
};

struct LocaleDefinition {
  std::string key;
  bool enabled = true;  // `isEnabled`; absent means enabled
};

net::Request content_type_request(std::string_view base_url, std::string_view key);
net::Request locale_request(std::string_view base_url, std::string_view key);
// The container is a content item: GET /content/{key} (Content_GetNode in v1).
net::Request container_request(std::string_view base_url, std::string_view key);

// Errors name what is missing or malformed ("properties.Heading.type is not a string").
Expected<ContentTypeDefinition, std::string> read_content_type(const boost::json::value& json);
Expected<LocaleDefinition, std::string> read_locale(const boost::json::value& json);

}  // namespace feedsync::cms
