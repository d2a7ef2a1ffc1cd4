#include "sim/cms_sim.hpp"

#include <boost/json/array.hpp>

#include <utility>

#include "sim/cms_flat.hpp"
#include "sim/cms_http.hpp"
#include "sim/cms_json.hpp"
#include "sim/cms_schema_api.hpp"
#include "sim/cms_store.hpp"
#include "sim/cms_tokens.hpp"
#include "sim/cms_v1.hpp"

namespace feedsync::sim {
namespace json = boost::json;

struct CmsSim::Parts {
  // The dialects read the live options (refuse_status_on_create changes at run time).
  Parts(CmsStore& store, const CmsSimOptions& options)
      : flat(make_flat_api(store, options)),
        v1(make_v1_api(store, options)),
        flat_schema(store, options.flat_base, CmsDialect::flat),
        v1_schema(store, options.v1_base, CmsDialect::v1) {}
  std::unique_ptr<CmsContentApi> flat;
  std::unique_ptr<CmsContentApi> v1;
  CmsSchemaApi flat_schema;
  CmsSchemaApi v1_schema;
  std::vector<CmsRoute> routes;  // built once: handlers point into it
};

CmsSim::CmsSim(const Clock& clock, CmsSimOptions options)
    : clock_(clock),
      options_(std::move(options)),
      store_(std::make_unique<CmsStore>(options_.content_types, options_.locales)),
      tokens_(std::make_unique<CmsTokens>(clock_, options_.credentials, options_.token_lifetime)),
      parts_(std::make_unique<Parts>(*store_, options_)) {
  store_->set_route_collision_status(options_.route_collision_status);
  // Configured keys may be in UUID form, like keys on the wire.
  for (const auto& container : options_.containers) add_container(container);
  auto& routes = parts_->routes;
  std::vector<std::string> token_paths{options_.flat_base + "/oauth/token", options_.v1_base + "/oauth/token"};
  if (options_.root_token_endpoint) token_paths.emplace_back("/oauth/token");
  for (auto& path : token_paths) {
    routes.push_back(CmsRoute{net::Method::post, std::move(path), "token", CmsDialect::flat, false,
                              [this](const CmsCall& call) { return tokens_->issue(call.request); }});
  }
  for (auto& r : parts_->flat->routes()) routes.push_back(std::move(r));
  for (auto& r : parts_->v1->routes()) routes.push_back(std::move(r));
  for (auto& r : parts_->flat_schema.routes()) routes.push_back(std::move(r));
  for (auto& r : parts_->v1_schema.routes()) routes.push_back(std::move(r));
}

CmsSim::~CmsSim() = default;

void CmsSim::add_routes(const RouteSink& sink) {
  for (const auto& route : parts_->routes) {
    const CmsRoute* r = &route;
    sink(route.method, route.pattern, route.api,
         [this, r](net::ServerRequest request) { return serve(this, r, std::move(request)); });
  }
}

boost::asio::awaitable<net::ServerResponse> CmsSim::serve(CmsSim* self, const CmsRoute* route,
                                                          net::ServerRequest request) {
  co_return self->dispatch(*route, request);
}

std::int64_t CmsSim::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.system_now().time_since_epoch()).count();
}

net::ServerResponse CmsSim::dispatch(const CmsRoute& route, const net::ServerRequest& request) {
  std::int64_t now = now_ms();
  store_->settle(now);
  if (!route.authenticated) return route.handler(CmsCall{request, CmsActor{"", now}});
  auto actor = tokens_->authenticate(request);
  if (!actor) {
    auto response = problem_response(actor.error(), route.dialect);
    // RFC 6750 §3.1: a token was presented but is not (or no longer) good.
    if (request.headers.contains("Authorization")) response.headers.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return response;
  }
  return route.handler(CmsCall{request, CmsActor{std::move(*actor), now}});
}

std::optional<net::ServerResponse> CmsSim::refuse_unauthenticated(const net::ServerRequest& request) const {
  auto actor = tokens_->authenticate(request);
  if (actor) return std::nullopt;
  auto response = problem_response(actor.error(), CmsDialect::v1);
  if (request.headers.contains("Authorization")) response.headers.set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return response;
}

json::value CmsSim::items_json() const {
  store_->settle(now_ms());
  json::array out;
  for (const auto& [key, item] : store_->items()) {
    json::object entry = item_json(item);
    json::array versions;
    for (auto it = item.versions.rbegin(); it != item.versions.rend(); ++it) versions.push_back(flat_version_json(item, *it));
    entry["versions"] = std::move(versions);
    out.push_back(std::move(entry));
  }
  return out;
}

namespace {

// An item as seen through one of its locales.
CmsItemView locale_view(const CmsItem& item, const std::string& locale) {
  CmsItemView view{item.key, item.deleted_ms.has_value(), std::nullopt, std::nullopt, {}, std::nullopt, locale};
  const CmsVersion* published = nullptr;
  const CmsVersion* latest = nullptr;
  for (const auto& v : item.versions) {
    if (v.locale != locale) continue;
    latest = &v;
    if (v.status == CmsStatus::published) published = &v;
  }
  if (latest == nullptr) return view;
  if (published) view.published_properties = published->properties;
  view.latest_properties = latest->properties;
  const CmsVersion* shown = published ? published : latest;
  view.display_name = shown->display_name;
  view.route_segment = shown->route_segment;
  return view;
}

}  // namespace

std::vector<CmsItemView> CmsSim::items() const {
  store_->settle(now_ms());
  std::vector<CmsItemView> out;
  for (const auto& [key, item] : store_->items())
    out.push_back(locale_view(item, item.versions.empty() ? std::string() : item.versions.front().locale));
  return out;
}

std::vector<CmsItemView> CmsSim::locale_items() const {
  store_->settle(now_ms());
  std::vector<CmsItemView> out;
  for (const auto& [key, item] : store_->items()) {
    std::vector<std::string> seen;
    for (const auto& v : item.versions) {
      if (std::find(seen.begin(), seen.end(), v.locale) != seen.end()) continue;
      seen.push_back(v.locale);
      out.push_back(locale_view(item, v.locale));
    }
    if (item.versions.empty()) out.push_back(locale_view(item, ""));
  }
  return out;
}

void CmsSim::set_token_lifetime(std::chrono::seconds lifetime) { tokens_->set_lifetime(lifetime); }
void CmsSim::expire_all_tokens() { tokens_->expire_all(); }
void CmsSim::set_credentials(std::vector<CmsCredentials> credentials) { tokens_->set_credentials(std::move(credentials)); }
void CmsSim::drop_properties_next_n(std::size_t n) { store_->drop_properties_next_n(n); }
void CmsSim::add_container(std::string key) { store_->add_container(normalise_key(key).value_or(key)); }
void CmsSim::set_refuse_status_on_create(bool on) { options_.refuse_status_on_create = on; }

void CmsSim::set_route_collision_status(int status) {
  options_.route_collision_status = status;
  store_->set_route_collision_status(status);
}
void CmsSim::reset() { store_->clear(); }

Expected<std::string, std::string> CmsSim::editor_publish(std::string_view key, std::string_view locale) {
  const std::int64_t now = now_ms();
  store_->settle(now);
  CmsItem* item = store_->find(normalise_key(std::string(key)).value_or(std::string(key)), false);
  if (!item) return unexpected(std::string("no such item"));
  CmsVersion* newest = nullptr;
  for (auto& version : item->versions)
    if ((locale.empty() || version.locale == locale) && (!newest || version.number > newest->number)) newest = &version;
  if (!newest) return unexpected("no version of locale '" + std::string(locale) + "'");
  if (auto problem = store_->set_status(*item, *newest, CmsStatus::published, std::nullopt, CmsActor{"editor", now}))
    return unexpected(problem->detail);
  return newest->id();
}

}  // namespace feedsync::sim
