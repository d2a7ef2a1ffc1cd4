// Flat dialect: its policy on the shared routes, create, :copy and the version body rules.

#include "sim/cms_flat.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Version fields a PATCH may not change: identity, locale, timestamps. Moving the item is a
// PATCH of the item, not of a version.
constexpr std::string_view kReadOnlyVersionFields[] = {
    "key",     "contentType",  "locale",         "container", "version",
    "created", "createdBy",    "lastModified",   "lastModifiedBy", "published"};

// Reads the fields a new version takes (create and POST .../versions share them).
void read_flat_version(FieldReader& r, CmsVersionInput& input) {
  input.locale = r.string("locale");
  input.display_name = r.string("displayName").value_or("");
  input.route_segment = r.string("routeSegment");
  if (auto properties = r.object("properties")) {
    input.properties = std::move(*properties);
  } else if (!r.given("properties") && r.given("property")) {
    // The seed's own example says "property"; the service only knows "properties".
    r.fail("property", "Unknown field 'property': property values belong in 'properties'.");
  }
  input.status = r.status("status").value_or(CmsStatus::draft);
  input.delay_publish_until = r.timestamp("delayPublishUntil");
}

class CmsFlatApi final : public CmsContentApi {
 public:
  CmsFlatApi(CmsStore& store, const CmsSimOptions& options) : CmsContentApi(store, options.flat_base), options_(options) {}

  net::ServerResponse create(const CmsCall& call) override;
  net::ServerResponse copy(const CmsCall& call);

 private:
  CmsDialect dialect() const override { return CmsDialect::flat; }
  json::object version_json(const CmsItem& item, const CmsVersion& version) const override {
    return flat_version_json(item, version);
  }
  // Every write answers with the resource; a creation also with its Location.
  net::ServerResponse written(const CmsCall&, int status, json::object representation, const std::string& etag,
                              const std::string& location) const override {
    auto response = json_response(status, representation, etag);
    if (status == 201) response.headers.set("Location", location);
    return response;
  }
  net::ServerResponse soft_deleted(const CmsCall&, const CmsItem& item) const override {
    return json_response(200, item_json(item), make_etag(item.revision));
  }
  bool permanent_delete_asked(const net::ServerRequest& request) const override {
    return query_flag(request, "permanent");
  }
  int undelete_live_status() const override { return 409; }
  Expected<std::string, CmsProblem> locale_to_delete(const net::ServerRequest& request) const override;
  void read_new_version(FieldReader& reader, const CmsItem& item, CmsVersionInput& input) const override;
  std::span<const std::string_view> read_only_version_fields() const override { return kReadOnlyVersionFields; }
  void read_version_edit(FieldReader& patched, const json::object& patch, const CmsVersion& current,
                         CmsVersionEdit& edit) const override;
  void add_dialect_routes(std::vector<CmsRoute>& routes) override {
    routes.push_back(route(net::Method::post, "/content/{key}:copy", &CmsFlatApi::copy));
    routes.push_back(route(net::Method::delete_, "/content/{key}/versions", &CmsFlatApi::delete_locale));
  }

  void check_no_status(FieldReader& reader) const;

  const CmsSimOptions& options_;
};

void CmsFlatApi::check_no_status(FieldReader& r) const {
  if (!options_.refuse_status_on_create) return;
  for (std::string_view field : {"status", "delayPublishUntil"}) {
    if (r.given(field))
      r.fail(field, "The " + std::string(field) +
                        " field cannot be set here; create the version, then set it with PATCH "
                        "(application/merge-patch+json).");
  }
}

Expected<std::string, CmsProblem> CmsFlatApi::locale_to_delete(const net::ServerRequest& request) const {
  auto locale = request.query.get("locale");
  if (!locale || locale->empty()) return unexpected(cms_invalid("locale", "The locale parameter is required."));
  return std::string(*locale);
}

void CmsFlatApi::read_new_version(FieldReader& r, const CmsItem& item, CmsVersionInput& input) const {
  // The seed's example repeats the item's fields; they must agree with the item.
  if (auto key = r.string("key"); key && normalise_key(*key) != item.key)
    r.fail("key", "The key does not match the content item.");
  if (auto type = r.string("contentType"); type && *type != item.content_type)
    r.fail("contentType", "The contentType does not match the content item's '" + item.content_type + "'.");
  if (auto container = r.string("container");
      container && normalise_key(*container).value_or(*container) != item.container)
    r.fail("container", "The container does not match the content item's; move the item with PATCH.");
  read_flat_version(r, input);
  check_no_status(r);
}

void CmsFlatApi::read_version_edit(FieldReader& r, const json::object& patch, const CmsVersion& current,
                                   CmsVersionEdit& edit) const {
  edit.properties = r.object("properties").value_or(json::object());
  if (!patch.contains("properties") && patch.contains("property"))
    r.fail("property", "Unknown field 'property': property values belong in 'properties'.");
  edit.status = r.status("status").value_or(current.status);
  edit.delay_publish_until = r.timestamp("delayPublishUntil");
  // A schedule the patch did not mention goes away with the scheduled status; one it sets
  // without asking for that status is the client's mistake, reported by the store.
  const json::value* patched_delay = patch.if_contains("delayPublishUntil");
  if (edit.status != CmsStatus::scheduled && (!patched_delay || patched_delay->is_null()))
    edit.delay_publish_until.reset();
}

net::ServerResponse CmsFlatApi::create(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return problem(body.error());
  FieldReader r(*body);
  CmsCreateInput input;
  read_item_fields(r, input);
  read_flat_version(r, input.version);
  check_no_status(r);
  if (!r.ok()) return problem(cms_invalid(std::move(r.errors())));

  auto item = store().create(std::move(input), call.actor);
  if (!item) return problem(item.error());
  const CmsVersion& version = (*item)->versions.back();
  return written(call, 201, flat_version_json(**item, version), make_etag(version.revision),
                 version_url(**item, version));
}

net::ServerResponse CmsFlatApi::copy(const CmsCall& call) {
  json::object options;
  if (!call.request.body.empty()) {
    auto body = read_json_object(call.request, "application/json");
    if (!body) return problem(body.error());
    options = std::move(*body);
  }
  FieldReader r(options);
  auto container = r.string("container");
  bool keep_published = r.boolean("keepPublishedStatus").value_or(false);
  bool allow_deleted = r.boolean("allowDeleted").value_or(false);
  if (!r.ok()) return problem(cms_invalid(std::move(r.errors())));
  auto source = find_item(call, allow_deleted);
  if (!source) return problem(source.error());
  if (container) container = normalise_key(*container).value_or(*container);

  auto copy = store().copy(**source, container, keep_published, call.actor);
  if (!copy) return problem(copy.error());
  return written(call, 201, item_json(**copy), make_etag((*copy)->revision), item_url(**copy));
}

}  // namespace

std::unique_ptr<CmsContentApi> make_flat_api(CmsStore& store, const CmsSimOptions& options) {
  return std::make_unique<CmsFlatApi>(store, options);
}

}  // namespace feedsync::sim
