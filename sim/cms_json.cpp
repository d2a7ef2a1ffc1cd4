#include "sim/cms_json.hpp"

#include <charconv>
#include <utility>

#include "core/time.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "a string";
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::bool_: return "a boolean";
    case json::kind::null: return "null";
    default: return "a number";
  }
}

void put_time(json::object& out, std::string_view name, const std::optional<std::int64_t>& ms) {
  if (ms) out[name] = format_rfc3339_ms(*ms);
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

json::object item_json(const CmsItem& item) {
  json::object out;
  out["key"] = item.key;
  out["contentType"] = item.content_type;
  out["container"] = item.container;
  out["created"] = format_rfc3339_ms(item.created_ms);
  out["createdBy"] = item.created_by;
  out["lastModified"] = format_rfc3339_ms(item.modified_ms);
  out["lastModifiedBy"] = item.modified_by;
  put_time(out, "deleted", item.deleted_ms);
  return out;
}

json::object flat_version_json(const CmsItem& item, const CmsVersion& v) {
  json::object out;
  out["key"] = item.key;
  out["contentType"] = item.content_type;
  if (!v.locale.empty()) out["locale"] = v.locale;
  out["container"] = item.container;
  out["version"] = v.id();
  out["displayName"] = v.display_name;
  out["status"] = to_string(v.status);
  if (v.route_segment) out["routeSegment"] = *v.route_segment;
  put_time(out, "delayPublishUntil", v.delay_publish_until);
  out["properties"] = v.properties;
  out["created"] = format_rfc3339_ms(v.created_ms);
  out["createdBy"] = v.created_by;
  out["lastModified"] = format_rfc3339_ms(v.modified_ms);
  out["lastModifiedBy"] = v.modified_by;
  put_time(out, "published", v.published_ms);
  return out;
}

json::object v1_version_json(const CmsItem& item, const CmsVersion& v) {
  json::object out = flat_version_json(item, v);
  out.erase("contentType");
  out.erase("container");
  json::object wrapped;
  for (const auto& [name, value] : v.properties) wrapped[name] = json::object{{"value", value}};
  out["properties"] = std::move(wrapped);
  return out;
}

std::vector<CmsFieldError> read_only_changes(const json::object& before, const json::object& after,
                                             std::span<const std::string_view> fields) {
  std::vector<CmsFieldError> errors;
  for (auto field : fields) {
    const json::value* a = before.if_contains(field);
    const json::value* b = after.if_contains(field);
    if ((a == nullptr) != (b == nullptr) || (a && *a != *b))
      errors.push_back({std::string(field), "The " + std::string(field) + " field is read-only."});
  }
  return errors;
}

const json::value* FieldReader::find(std::string_view name) const {
  auto it = body_.find(name);
  if (it == body_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

bool FieldReader::given(std::string_view name) const { return find(name) != nullptr; }

void FieldReader::fail(std::string_view name, std::string message) {
  errors_.push_back({prefix_ + std::string(name), std::move(message)});
}

std::optional<std::string> FieldReader::string(std::string_view name) {
  const json::value* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(name, "The " + std::string(name) + " field must be a string, not " + std::string(kind_name(*v)) + ".");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<json::object> FieldReader::object(std::string_view name) {
  const json::value* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    fail(name, "The " + std::string(name) + " field must be an object, not " + std::string(kind_name(*v)) + ".");
    return std::nullopt;
  }
  return v->as_object();
}

std::optional<bool> FieldReader::boolean(std::string_view name) {
  const json::value* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    fail(name, "The " + std::string(name) + " field must be a boolean, not " + std::string(kind_name(*v)) + ".");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::int64_t> FieldReader::timestamp(std::string_view name) {
  auto text = string(name);
  if (!text) return std::nullopt;
  auto ms = parse_rfc3339_ms(*text);
  if (!ms) fail(name, "The " + std::string(name) + " field must be an RFC 3339 date-time, not '" + *text + "'.");
  return ms;
}

std::optional<CmsStatus> FieldReader::status(std::string_view name) {
  auto text = string(name);
  if (!text) return std::nullopt;
  auto status = parse_cms_status(*text);
  if (!status) fail(name, "The status '" + *text + "' is unknown.");
  return status;
}

Expected<CmsPage, CmsProblem> read_page(const net::ServerRequest& request) {
  CmsPage page;
  if (auto text = request.query.get("pageIndex")) {
    auto value = parse_size(*text);
    if (!value) return unexpected(cms_invalid("pageIndex", "The pageIndex parameter must be a non-negative integer."));
    page.index = *value;
  }
  if (auto text = request.query.get("pageSize")) {
    auto value = parse_size(*text);
    if (!value || *value == 0 || *value > 1000)
      return unexpected(cms_invalid("pageSize", "The pageSize parameter must be an integer from 1 to 1000."));
    page.size = *value;
  }
  return page;
}

json::object page_json(json::array all, const CmsPage& page) {
  json::array items;
  std::size_t total = all.size();
  // Division first: index * size could overflow for a hostile pageIndex.
  if (page.index < (total + page.size - 1) / page.size) {
    std::size_t begin = page.index * page.size;
    for (std::size_t i = begin; i < total && i < begin + page.size; ++i) items.push_back(std::move(all[i]));
  }
  return json::object{{"items", std::move(items)},
                      {"totalItemCount", total},
                      {"totalCount", total},  // v1's ContentNodePage / ContentVersionPage name
                      {"pageIndex", page.index},
                      {"pageSize", page.size}};
}

}  // namespace feedsync::sim
