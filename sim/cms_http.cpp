#include "sim/cms_http.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "core/content_key.hpp"
#include "core/strings.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool media_type_is(const net::ServerRequest& request, std::string_view media_type) {
  auto value = request.headers.get("Content-Type");
  if (!value) return false;
  std::string_view type = *value;
  type = trim(type.substr(0, type.find(';')));
  return iequals_ascii(type, media_type);
}

Expected<json::object, CmsProblem> read_json_object(const net::ServerRequest& request, std::string_view media_type) {
  if (!media_type_is(request, media_type)) {
    std::string got(request.headers.get("Content-Type").value_or("none"));
    return unexpected(cms_problem(415, "The request body must be " + std::string(media_type) + ", not " + got + "."));
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  if (ec) return unexpected(cms_problem(400, "The request body is not valid JSON: " + ec.message() + "."));
  if (!body.is_object()) return unexpected(cms_problem(400, "The request body must be a JSON object."));
  return std::move(body.as_object());
}

std::string make_etag(std::uint64_t revision) { return "\"" + std::to_string(revision) + "\""; }

std::optional<CmsProblem> check_if_match(const net::ServerRequest& request, std::string_view etag) {
  auto header = request.headers.get("If-Match");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view tag = trim(rest.substr(0, comma));
    if (tag == "*" || tag == etag) return std::nullopt;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return cms_problem(412, "If-Match " + std::string(*header) + " does not match the current ETag " +
                              std::string(etag) + ": the resource has changed.");
}

bool query_flag(const net::ServerRequest& request, std::string_view name) {
  auto value = request.query.get(name);
  return value && iequals_ascii(*value, "true");
}

std::vector<std::string> query_list(const net::ServerRequest& request, std::string_view name) {
  std::vector<std::string> out;
  for (std::string_view value : request.query.get_all(name)) {
    while (!value.empty()) {
      auto comma = value.find(',');
      auto part = trim(value.substr(0, comma));
      if (!part.empty()) out.emplace_back(part);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::optional<std::string> normalise_key(std::string_view text) {
  auto uuid = parse_uuid(text);
  if (!uuid) return std::nullopt;
  return uuid_hex(*uuid);
}

Expected<CmsItem*, CmsProblem> lookup_item(CmsStore& store, const net::ServerRequest& request, bool allow_deleted) {
  std::string raw(request.params.get("key").value_or(""));
  auto key = normalise_key(raw);
  CmsItem* item = key ? store.find(*key, allow_deleted) : nullptr;
  if (!item) return unexpected(cms_problem(404, "Content '" + raw + "' does not exist."));
  return item;
}

Expected<CmsVersion*, CmsProblem> lookup_version(CmsItem& item, const net::ServerRequest& request) {
  std::string id(request.params.get("version").value_or(""));
  CmsVersion* version = item.find_version(id);
  if (!version) return unexpected(cms_problem(404, "Version '" + id + "' of content '" + item.key + "' does not exist."));
  return version;
}

Expected<std::vector<const CmsVersion*>, CmsProblem> select_versions(const CmsItem& item,
                                                                     const net::ServerRequest& request) {
  auto locales = query_list(request, "locales");
  std::vector<CmsStatus> statuses;
  for (const auto& text : query_list(request, "statuses")) {
    auto status = parse_cms_status(text);
    if (!status) return unexpected(cms_invalid("statuses", "The status '" + text + "' is unknown."));
    statuses.push_back(*status);
  }
  std::vector<const CmsVersion*> out;
  for (auto it = item.versions.rbegin(); it != item.versions.rend(); ++it) {
    if (!locales.empty() && std::find(locales.begin(), locales.end(), it->locale) == locales.end()) continue;
    if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), it->status) == statuses.end()) continue;
    out.push_back(&*it);
  }
  return out;
}

Expected<std::vector<CmsItem*>, CmsProblem> select_children(CmsStore& store, const net::ServerRequest& request) {
  std::string raw(request.params.get("key").value_or(""));
  auto key = normalise_key(raw);
  if (!key || !store.container_exists(*key)) return unexpected(cms_problem(404, "Content '" + raw + "' does not exist."));
  auto types = query_list(request, "contentTypes");
  std::vector<CmsItem*> out;
  for (auto* child : store.children(*key))
    if (types.empty() || std::find(types.begin(), types.end(), child->content_type) != types.end()) out.push_back(child);
  return out;
}

net::ServerResponse json_response(int status, const json::value& body, const std::string& etag) {
  auto response = net::ServerResponse::json(status, json::serialize(body));
  if (!etag.empty()) response.headers.set("ETag", etag);
  return response;
}

net::ServerResponse empty_response(int status) {
  net::ServerResponse response;
  response.status = status;
  return response;
}

}  // namespace feedsync::sim
