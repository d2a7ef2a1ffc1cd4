#pragma once
// feedsync-sim's CMS (SaaS) REST API: both dialects (DESIGN.md §4 "Dialects") over one in-memory
// store, plus the OAuth token endpoint. It is deliberately as strict as the real service
// (api-notes.md, CMS section): where the simulator forgives, the daemon breaks in production.
//
// Routes (relative to the bases in CmsSimOptions; every content route needs a valid bearer token):
//   token  POST {flat_base}/oauth/token, {v1_base}/oauth/token and (root_token_endpoint) /oauth/token
//   flat   POST   /content                          GET|PATCH|DELETE /content/{key}
//          POST   /content/{key}:undelete           POST /content/{key}:copy
//          GET    /content/{key}/items              GET|POST|DELETE /content/{key}/versions
//          GET|PATCH|DELETE /content/{key}/versions/{version}
//   v1     POST   /content                          GET|PATCH|DELETE /content/{key}
//          POST   /content/{key}:undelete           GET /content/{key}/items
//          GET|POST /content/{key}/versions         GET|PATCH|DELETE /content/{key}/versions/{version}
//          POST   /content/{key}/versions/{version}:publish | :ready | :draft
//          DELETE /content/{key}/locales/{locale}       GET /content/versions (every item's)
//   both   reads of a soft-deleted item with ?allowDeleted=true or `cms-accept-resource: deleted`
//   both   GET    /contenttypes/{key}               GET /locales/{key}   (v1 `ContentType`, `Locale`)
//
// Threading: like every simulator part, a CmsSim lives on the server's io_context thread; the
// read-back and control functions must be called there too.
//
// Simulated time: token expiry and scheduled publishing follow clock.system_now(). Scheduled
// versions are promoted lazily, before every request and every read-back, so a test that moves
// its fake clock sees the effect on its next call without any timer.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "net/server_message.hpp"
#include "sim/route_sink.hpp"

namespace feedsync::sim {

// How the simulated CMS verifies a webhook endpoint (cms_webhooks.hpp).
enum class CmsWebhookVerification { challenge, event_grid, none };

inline constexpr const char* kCmsRootContainer = "43f936c99b234ea397b261c538ad07c9";

// One property of a content type, as the vendor's `ContentTypeProperty` describes it: `type` is
// one of its enum (string, url, richText, dateTime, integer, float, boolean, link, json, array,
// ...); `item_type` is an array's element type.
struct CmsPropertyDef {
  CmsPropertyDef(std::string name_, std::string type_ = "string", bool required_ = false, std::string item_type_ = {})
      : name(std::move(name_)), type(std::move(type_)), required(required_), item_type(std::move(item_type_)) {}
  CmsPropertyDef(const char* name_) : CmsPropertyDef(std::string(name_)) {}  // NOLINT: {"Heading", "Body"}
  std::string name;
  std::string type;
  bool required;
  std::string item_type;
};

struct CmsContentType {
  std::string name;
  bool localized = true;
  // The properties the type defines; empty accepts any name (a type without a declared schema,
  // served without `properties` at GET /contenttypes/{key}). A required one must be in every
  // version written.
  std::vector<CmsPropertyDef> properties;
  // An approval sequence applies: a version made ready goes to `inReview` instead.
  bool approvals = false;
};

// A locale of the instance (v1 `Locale`). An empty CmsSimOptions::locales list means every
// well-formed locale exists and is enabled.
struct CmsLocale {
  std::string key;
  bool enabled = true;
};

struct CmsCredentials {
  std::string client_id;
  std::string client_secret;
};

struct CmsSimOptions {
  std::string flat_base = "/_cms/version2";
  std::string v1_base = "/v1";
  // The generally available API issues tokens at the host root, not under /v1.
  bool root_token_endpoint = true;
  std::chrono::seconds token_lifetime{300};
  std::vector<CmsCredentials> credentials{{"sim-client", "sim-secret"}};
  std::vector<CmsContentType> content_types{
      {"ArticlePage", true, {}}, {"NewsPage", true, {}}, {"SysContentFolder", false, {}}};
  // Containers besides the root (always present) and existing content items.
  std::vector<std::string> containers;
  // When not empty, the only locales there are: writes in another locale, or a disabled one,
  // are refused (400 naming `locale`).
  std::vector<CmsLocale> locales;
  // Flat dialect: refuse `status` / `delayPublishUntil` in create and new-version bodies (400
  // naming the field), as a stricter service might; status then changes only by PATCH.
  bool refuse_status_on_create = false;
  // How a write whose routeSegment another item holds (same container and locale) is refused:
  // 400 with a field error naming routeSegment (the default), or 409 Conflict with the same
  // field error and a detail naming it, the other plausible answer of a real service.
  int route_collision_status = 400;
  // How POST /v1/experimental/webhooks verifies an endpoint (cms_webhooks.hpp).
  CmsWebhookVerification webhook_verification = CmsWebhookVerification::challenge;
};

// One item as the simulator core's duplicate/drift check sees it. Multi-locale items are seen
// through their original locale (that of the first version still present).
struct CmsItemView {
  std::string key;
  bool deleted;
  std::optional<boost::json::object> published_properties;
  std::optional<boost::json::object> latest_properties;
  std::string display_name;                  // of the published version, else of the latest
  std::optional<std::string> route_segment;  // likewise
  std::string locale;  // the locale seen (locale_items: one view per locale of an item)
};

class CmsStore;
class CmsTokens;
struct CmsRoute;

class CmsSim {
 public:
  CmsSim(const Clock& clock, CmsSimOptions options);
  ~CmsSim();
  // Handlers keep `this`: a CmsSim stays put once its routes are registered.
  CmsSim(const CmsSim&) = delete;
  CmsSim& operator=(const CmsSim&) = delete;

  void add_routes(const RouteSink& sink);
  // The v1 answer to a request without a valid CMS token (401 problem details), or nullopt when
  // its token is good: for routes added outside the content API (cms_webhooks.hpp).
  std::optional<net::ServerResponse> refuse_unauthenticated(const net::ServerRequest& request) const;

  // Read-back: every item with its metadata and all versions in the flat record shape.
  boost::json::value items_json() const;
  std::vector<CmsItemView> items() const;
  // One view per (item, locale), in key then first-appearance order (translations, issue 23):
  // what /_sim/check reads, so a locale version counts as the article it carries.
  std::vector<CmsItemView> locale_items() const;

  // Control API.
  void set_token_lifetime(std::chrono::seconds lifetime);  // for tokens issued from now on
  void expire_all_tokens();
  void set_credentials(std::vector<CmsCredentials> credentials);  // existing tokens stay valid
  // The next n writes that carry properties answer 2xx but store none (a quirk clients saw).
  void drop_properties_next_n(std::size_t n);
  void add_container(std::string key);
  void set_refuse_status_on_create(bool on);
  void set_route_collision_status(int status);  // 400 or 409 (CmsSimOptions)
  void reset();  // forgets every item (tokens and settings stay)
  // An editor publishes the newest version of `locale` ("" = of any locale) of item `key`, as
  // the CMS's UI would (issue 19): the version id published, or an error message (no such item
  // or version, or a transition the CMS refuses).
  Expected<std::string, std::string> editor_publish(std::string_view key, std::string_view locale);
  // Editors changing an item behind its integration's back (issue 22, so every drift the audit
  // finds can be produced on demand; cms_editor.cpp). Each answers the item's key, or an error
  // message (no such item, nothing to do, a change the CMS refuses).
  // Deletes the item: soft (restorable by :undelete), or for good.
  Expected<std::string, std::string> editor_delete(std::string_view key, bool permanent);
  // A new version of `locale` ("" = the item's first) made from its published version (else its
  // newest): `display_name` (nullopt: the old one + " (edited)") and `properties` merged over
  // the old ones, published at once. Answers the new version's id.
  Expected<std::string, std::string> editor_edit(std::string_view key, std::string_view locale,
                                                 std::optional<std::string> display_name,
                                                 const boost::json::object& properties);
  // The published version of `locale` ("" = any) goes back to draft: no version is published.
  Expected<std::string, std::string> editor_unpublish(std::string_view key, std::string_view locale);
  // The item moves to `container` (an existing container or item).
  Expected<std::string, std::string> editor_move(std::string_view key, std::string_view container);

 private:
  struct Parts;  // the two dialects and the route table (cms_sim.cpp)

  // The handlers are synchronous; this is the one coroutine (GCC 12: parameters by value).
  static boost::asio::awaitable<net::ServerResponse> serve(CmsSim* self, const CmsRoute* route,
                                                           net::ServerRequest request);
  net::ServerResponse dispatch(const CmsRoute& route, const net::ServerRequest& request);
  std::int64_t now_ms() const;

  const Clock& clock_;
  CmsSimOptions options_;
  // Scheduled publishing is due work that read-back must see too, so const readers settle the
  // store (through the pointer) before they look.
  std::unique_ptr<CmsStore> store_;
  std::unique_ptr<CmsTokens> tokens_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace feedsync::sim
