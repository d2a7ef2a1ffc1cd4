#include <boost/json/serialize.hpp>

#include "cms/cms_transport.hpp"
#include "cms/dialect.hpp"

namespace feedsync::cms {
namespace json = boost::json;

namespace {

void put_version_fields(json::object& body, const Payload& payload, std::string_view status) {
  if (!payload.locale.empty()) body["locale"] = payload.locale;
  body["displayName"] = payload.display_name;
  if (payload.route_segment) body["routeSegment"] = *payload.route_segment;
  // The seed's example says "property"; the service and every client use "properties".
  body["properties"] = payload.properties;
  // "": no status (the service's default, draft), for services that refuse the field here.
  if (!status.empty()) body["status"] = status;
  if (status == "scheduled") body["delayPublishUntil"] = publish_at_text(payload);
}

class FlatDialect final : public CmsDialect {
 public:
  explicit FlatDialect(std::string base) : base_(std::move(base)) {}

  std::string_view name() const override { return "version2"; }
  bool status_in_body() const override { return true; }
  bool wrapped_properties() const override { return false; }

  net::Request create(const Payload& payload, std::string_view status) const override {
    json::object body{{"key", payload.key}, {"contentType", payload.content_type}, {"container", payload.container}};
    put_version_fields(body, payload, status);
    auto request = json_request(net::Method::post, cms_url(base_, {"content"}), body);
    // A replay of a create with our deterministic key gets 409 and continues as an update.
    request.idempotent = true;
    return request;
  }

  net::Request new_version(const Payload& payload, std::string_view status) const override {
    json::object body;
    put_version_fields(body, payload, status);
    // Not idempotent: a replay would add a second version. The decorator only resends it when
    // the server provably did not act on it.
    return json_request(net::Method::post, cms_url(base_, {"content", payload.key, "versions"}), body);
  }

  net::Request transition(const Payload& payload, std::string_view version, std::string_view status) const override {
    json::object patch{{"status", status}};
    if (status == "scheduled") patch["delayPublishUntil"] = publish_at_text(payload);
    // PATCH bodies are JSON Merge Patch; plain application/json has produced 415.
    auto request = json_request(net::Method::patch, cms_url(base_, {"content", payload.key, "versions", version}),
                                patch, "application/merge-patch+json");
    request.idempotent = true;  // setting the same status twice changes nothing
    return request;
  }

  net::Request remove(std::string_view key, bool permanent) const override {
    net::Request request;
    request.method = net::Method::delete_;
    request.url = permanent ? cms_url(base_, {"content", key}, {{"permanent", "true"}}) : cms_url(base_, {"content", key});
    return request;
  }

  net::Request undelete(std::string_view key) const override {
    net::Request request;
    request.method = net::Method::post;
    request.url = cms_url(base_, {"content", std::string(key) + ":undelete"});
    request.idempotent = true;  // restoring a restored item changes nothing
    return request;
  }

  net::Request get_item(std::string_view key) const override {
    net::Request request;
    request.url = cms_url(base_, {"content", key});
    return request;
  }

  net::Request get_version(std::string_view key, std::string_view version) const override {
    net::Request request;
    request.url = cms_url(base_, {"content", key, "versions", version});
    return request;
  }

  net::Request list_versions(std::string_view key, std::string_view locale, std::string_view status) const override {
    return versions_query(base_, key, locale, status);
  }

 private:
  std::string base_;
};

}  // namespace

net::Request versions_query(const std::string& base, std::string_view key, std::string_view locale,
                            std::string_view status) {
  net::Request request;
  if (locale.empty() && status.empty()) {
    request.url = cms_url(base, {"content", key, "versions"});
  } else if (status.empty()) {
    request.url = cms_url(base, {"content", key, "versions"}, {{"locales", locale}});
  } else if (locale.empty()) {
    request.url = cms_url(base, {"content", key, "versions"}, {{"statuses", status}});
  } else {
    request.url = cms_url(base, {"content", key, "versions"}, {{"locales", locale}, {"statuses", status}});
  }
  return request;
}

net::Request json_request(net::Method method, std::string url, const json::object& body, std::string_view content_type) {
  net::Request request;
  request.method = method;
  request.url = std::move(url);
  request.headers.set("Content-Type", std::string(content_type));
  request.body = json::serialize(body);
  return request;
}

std::unique_ptr<CmsDialect> make_flat_dialect(std::string base_url) {
  return std::make_unique<FlatDialect>(std::move(base_url));
}

}  // namespace feedsync::cms
