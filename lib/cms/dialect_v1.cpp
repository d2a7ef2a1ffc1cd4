#include "cms/cms_transport.hpp"
#include "cms/dialect_common.hpp"

namespace feedsync::cms {
namespace json = boost::json;

namespace {

// v1 wraps every property value; rich text (HTML) is {"value": {"html": ...}}.
json::object wrap(const Payload& payload) {
  json::object out;
  for (const auto& [name, value] : payload.properties) {
    if (payload.is_rich_text(name) && value.is_string()) {
      out[name] = json::object{{"value", json::object{{"html", value}}}};
    } else {
      out[name] = json::object{{"value", value}};
    }
  }
  return out;
}

json::object version_fields(const Payload& payload) {
  json::object body;
  if (!payload.locale.empty()) body["locale"] = payload.locale;
  body["displayName"] = payload.display_name;
  if (payload.route_segment) body["routeSegment"] = *payload.route_segment;
  body["properties"] = wrap(payload);
  return body;
}

std::string_view action_for(std::string_view status) {
  if (status == "ready") return ":ready";
  if (status == "draft") return ":draft";
  return ":publish";
}

void want_representation(net::Request& request) { request.headers.set("Prefer", "return=representation"); }

class V1Dialect final : public DialectBase {
 public:
  using DialectBase::DialectBase;

  std::string_view name() const override { return "v1"; }
  bool status_in_body() const override { return false; }
  bool wrapped_properties() const override { return true; }

  net::Request create(const Payload& payload, std::string_view /*status: read-only in v1*/) const override {
    json::object body{{"key", payload.key},
                      {"contentType", payload.content_type},
                      {"container", payload.container},
                      {"initialVersion", version_fields(payload)}};
    auto request = json_request(net::Method::post, cms_url(base(), {"content"}), body);
    want_representation(request);
    request.idempotent = true;  // deterministic key: a replay gets 409
    return request;
  }

  net::Request new_version(const Payload& payload, std::string_view /*status*/) const override {
    auto request = json_request(net::Method::post, cms_url(base(), {"content", payload.key, "versions"}),
                                version_fields(payload));
    want_representation(request);
    return request;
  }

  net::Request transition(const Payload& payload, std::string_view version, std::string_view status) const override {
    const std::string url =
        cms_url(base(), {"content", payload.key, "versions", std::string(version) + std::string(action_for(status))});
    net::Request request;
    if (status == "scheduled") {
      // v1 schedules through :publish with the time, in PublishContentOptions.delayUntil (the
      // vendor's OpenAPI definition; the version it answers reports it as delayPublishUntil).
      // The service ignores unknown fields: a misspelling would publish at once (issue 16).
      request = json_request(net::Method::post, url, json::object{{"delayUntil", publish_at_text(payload)}});
    } else {
      request.method = net::Method::post;
      request.url = url;
    }
    want_representation(request);
    request.idempotent = true;  // publishing a published version changes nothing
    return request;
  }

  net::Request get_item_or_deleted(std::string_view key) const override {
    net::Request request;
    request.url = cms_url(base(), {"content", key});
    request.headers.set("cms-accept-resource", "deleted");
    return request;
  }

  std::optional<net::Request> list_all_versions(std::string_view locale, std::string_view status,
                                                std::size_t page_index, std::size_t page_size) const override {
    const std::string index = std::to_string(page_index);
    const std::string size = std::to_string(page_size);
    net::Request request;
    if (locale.empty()) {
      request.url = cms_url(base(), {"content", "versions"}, {{"statuses", status}, {"pageIndex", index}, {"pageSize", size}});
    } else {
      request.url = cms_url(base(), {"content", "versions"},
                            {{"locales", locale}, {"statuses", status}, {"pageIndex", index}, {"pageSize", size}});
    }
    return request;
  }

  net::Request remove(std::string_view key, bool permanent) const override {
    net::Request request;
    request.method = net::Method::delete_;
    request.url = cms_url(base(), {"content", key});
    if (permanent) request.headers.set("cms-permanent-delete", "true");
    return request;
  }

  // Content_DeleteLocale: DELETE /content/{key}/locales/{locale}, no request body; 200 (with
  // Prefer: return=representation, the locale's version) or 204.
  net::Request remove_locale(std::string_view key, std::string_view locale) const override {
    net::Request request;
    request.method = net::Method::delete_;
    request.url = cms_url(base(), {"content", key, "locales", locale});
    request.idempotent = true;  // deleting a deleted locale is a 404, which counts as done
    return request;
  }
};

}  // namespace

std::unique_ptr<CmsDialect> make_v1_dialect(std::string base_url) {
  return std::make_unique<V1Dialect>(std::move(base_url));
}

}  // namespace feedsync::cms
