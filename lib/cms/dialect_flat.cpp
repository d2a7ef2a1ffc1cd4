#include "cms/cms_transport.hpp"
#include "cms/dialect_common.hpp"

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

class FlatDialect final : public DialectBase {
 public:
  using DialectBase::DialectBase;

  std::string_view name() const override { return "version2"; }
  bool status_in_body() const override { return true; }
  bool wrapped_properties() const override { return false; }

  net::Request create(const Payload& payload, std::string_view status) const override {
    json::object body{{"key", payload.key}, {"contentType", payload.content_type}, {"container", payload.container}};
    put_version_fields(body, payload, status);
    auto request = json_request(net::Method::post, cms_url(base(), {"content"}), body);
    // A replay of a create with our deterministic key gets 409 and continues as an update.
    request.idempotent = true;
    return request;
  }

  net::Request new_version(const Payload& payload, std::string_view status) const override {
    json::object body;
    put_version_fields(body, payload, status);
    // Not idempotent: a replay would add a second version. The decorator only resends it when
    // the server provably did not act on it.
    return json_request(net::Method::post, cms_url(base(), {"content", payload.key, "versions"}), body);
  }

  net::Request transition(const Payload& payload, std::string_view version, std::string_view status) const override {
    json::object patch{{"status", status}};
    if (status == "scheduled") patch["delayPublishUntil"] = publish_at_text(payload);
    // PATCH bodies are JSON Merge Patch; plain application/json has produced 415.
    auto request = json_request(net::Method::patch, cms_url(base(), {"content", payload.key, "versions", version}),
                                patch, "application/merge-patch+json");
    request.idempotent = true;  // setting the same status twice changes nothing
    return request;
  }

  net::Request get_item_or_deleted(std::string_view key) const override {
    net::Request request;
    request.url = cms_url(base(), {"content", key}, {{"allowDeleted", "true"}});
    return request;
  }

  std::optional<net::Request> list_all_versions(std::string_view, std::string_view, std::size_t,
                                                std::size_t) const override {
    return std::nullopt;  // not documented for the flat model
  }

  // DELETE /content/{key}/versions?locale=L (api-notes.md, flat endpoints): every version of the
  // locale.
  net::Request remove_locale(std::string_view key, std::string_view locale) const override {
    net::Request request;
    request.method = net::Method::delete_;
    request.url = cms_url(base(), {"content", key, "versions"}, {{"locale", locale}});
    request.idempotent = true;  // deleting a deleted locale is a 404, which counts as done
    return request;
  }

  net::Request remove(std::string_view key, bool permanent) const override {
    net::Request request;
    request.method = net::Method::delete_;
    request.url = permanent ? cms_url(base(), {"content", key}, {{"permanent", "true"}}) : cms_url(base(), {"content", key});
    return request;
  }
};

}  // namespace

std::unique_ptr<CmsDialect> make_flat_dialect(std::string base_url) {
  return std::make_unique<FlatDialect>(std::move(base_url));
}

}  // namespace feedsync::cms
