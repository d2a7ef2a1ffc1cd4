#include "cms/version_record.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace feedsync::cms {
namespace json = boost::json;

namespace {

std::string id_text(const json::value* value) {
  if (!value) return {};
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  if (value->is_uint64()) return std::to_string(value->as_uint64());
  return {};
}

json::object unwrap(const json::object& properties) {
  json::object out;
  for (const auto& [name, value] : properties) {
    const json::object* box = value.if_object();
    const json::value* inner = box ? box->if_contains("value") : nullptr;
    out[name] = inner ? *inner : json::value(nullptr);
  }
  return out;
}

bool has_version_info(const json::object& o) {
  return o.contains("version") || o.contains("status") || o.contains("properties") || o.contains("routeSegment");
}

VersionRecord read_record(const json::object& o, bool wrapped) {
  VersionRecord record;
  if (const auto* key = o.if_contains("key"); key && key->is_string()) record.key = std::string(key->as_string());
  if (const auto* locale = o.if_contains("locale"); locale && locale->is_string())
    record.locale = std::string(locale->as_string());
  const json::value* version = o.if_contains("version");
  record.version = id_text(version);
  if (const auto* status = o.if_contains("status"); status && status->is_string())
    record.status = std::string(status->as_string());
  if (const auto* route = o.if_contains("routeSegment"); route && route->is_string())
    record.route_segment = std::string(route->as_string());
  if (const auto* properties = o.if_contains("properties"); properties && properties->is_object())
    record.properties = wrapped ? unwrap(properties->as_object()) : properties->as_object();
  return record;
}

std::optional<json::value> parse(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return std::nullopt;
  return value;
}

}  // namespace

std::optional<VersionRecord> read_version_record(std::string_view body, bool wrapped) {
  auto value = parse(body);
  if (!value || !value->is_object()) return std::nullopt;
  const json::object& o = value->as_object();
  for (std::string_view nested : {"initialVersion", "latestVersion", "version"}) {
    if (const auto* inner = o.if_contains(nested); inner && inner->is_object())
      return read_record(inner->as_object(), wrapped);
  }
  if (!has_version_info(o)) return std::nullopt;
  return read_record(o, wrapped);
}

std::vector<VersionRecord> listed_versions(std::string_view body, std::string_view locale, bool wrapped) {
  std::vector<VersionRecord> out;
  auto value = parse(body);
  if (!value) return out;
  const json::array* items = value->if_array();
  if (const json::object* page = value->if_object()) {
    if (const auto* list = page->if_contains("items")) items = list->if_array();
  }
  if (!items) return out;
  for (const auto& item : *items) {
    const json::object* o = item.if_object();
    if (!o) continue;
    const auto* item_locale = o->if_contains("locale");
    const bool matches = locale.empty() || !item_locale ||
                         (item_locale->is_string() && item_locale->as_string() == locale);
    if (matches && o->contains("version")) out.push_back(read_record(*o, wrapped));
  }
  return out;
}

namespace {

// Version ids as the CMS numbers them ("7" < "12"); ids that are not plain numbers still order
// deterministically (longer first, then by text).
bool older(const VersionRecord& a, const VersionRecord& b) {
  const auto digits = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits(a.version) && digits(b.version)) {
    const auto a_trim = a.version.substr(std::min(a.version.find_first_not_of('0'), a.version.size() - 1));
    const auto b_trim = b.version.substr(std::min(b.version.find_first_not_of('0'), b.version.size() - 1));
    if (a_trim.size() != b_trim.size()) return a_trim.size() < b_trim.size();
    return a_trim < b_trim;
  }
  if (a.version.size() != b.version.size()) return a.version.size() < b.version.size();
  return a.version < b.version;
}

}  // namespace

std::optional<VersionRecord> newest_version(std::string_view body, std::string_view locale, bool wrapped) {
  auto all = listed_versions(body, locale, wrapped);
  if (all.empty()) return std::nullopt;
  return std::move(*std::max_element(all.begin(), all.end(), older));
}

std::optional<std::string> version_from_location(std::string_view location) {
  auto ref = boost::urls::parse_uri_reference(location);
  if (!ref) return std::nullopt;
  auto segments = ref->segments();  // decoded
  std::string previous;
  std::optional<std::string> found;
  for (auto segment : segments) {
    if (previous == "versions" && !segment.empty()) found = std::string(segment);
    previous = std::string(segment);
  }
  if (previous == "versions") return std::nullopt;
  return found;
}

std::vector<std::string> dropped_properties(const json::object& sent, const json::object& stored) {
  std::vector<std::string> dropped;
  for (const auto& [name, value] : sent) {
    if (value.is_null()) continue;
    const json::value* kept = stored.if_contains(name);
    if (!kept || kept->is_null()) dropped.emplace_back(name);
  }
  return dropped;
}

}  // namespace feedsync::cms
