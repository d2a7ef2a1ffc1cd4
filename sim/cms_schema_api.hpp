#pragma once
// The CMS definitions a client reads before it writes (both dialects, under each base): content
// types (v1 `ContentType`: GET /contenttypes/{key}) and locales (v1 `Locale`: GET /locales/{key}),
// and a plain container (the root, or one added with add_container) read as a content item, so
// `feedsyncd check --connect` can verify a feed's mapping against them (issue 16).

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "sim/cms_http.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

class CmsSchemaApi {
 public:
  CmsSchemaApi(CmsStore& store, std::string base, CmsDialect dialect)
      : store_(store), base_(std::move(base)), dialect_(dialect) {}
  std::vector<CmsRoute> routes();

 private:
  net::ServerResponse get_content_type(const CmsCall& call);
  net::ServerResponse get_locale(const CmsCall& call);

  CmsStore& store_;
  std::string base_;
  CmsDialect dialect_;
};

// `ContentType` as the vendor's definition shapes it; `properties` only for a type that declares
// them.
boost::json::object content_type_json(const CmsContentType& type);
// Content types given in the vendor's `ContentType` shape (a JSON list of them, as
// `feedsync-sim --cms-content-types FILE` reads it): key, baseType ("folder" = not localized),
// properties {name: {type, isRequired, items: {type}}}. Errors name the entry and member.
Expected<std::vector<CmsContentType>, std::string> content_types_from_json(const boost::json::value& list);
// "en,de,fr:off": the instance's locales (`:off` = present but not enabled).
Expected<std::vector<CmsLocale>, std::string> locales_from_list(const std::vector<std::string>& items);

// A plain container (not an item) as GET /content/{key} answers it: a folder in the root.
boost::json::object container_json(const std::string& key);

}  // namespace feedsync::sim
