// Flat dialect: content items (create, metadata, move, delete, undelete, copy, children).

#include <boost/json/array.hpp>

#include "sim/cms_flat.hpp"
#include "sim/cms_merge_patch.hpp"
#include "sim/cms_schema_api.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Item metadata a PATCH may not change; the container changes through store.move().
constexpr std::string_view kReadOnlyItemFields[] = {"key",     "contentType",  "created", "createdBy",
                                                    "lastModified", "lastModifiedBy", "deleted"};

}  // namespace

net::ServerResponse flat_problem(const CmsProblem& problem) { return problem_response(problem, CmsDialect::flat); }

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

void CmsFlatApi::check_no_status(FieldReader& r) const {
  if (!refuse_status_on_create_) return;
  for (std::string_view field : {"status", "delayPublishUntil"}) {
    if (r.given(field))
      r.fail(field, "The " + std::string(field) +
                        " field cannot be set here; create the version, then set it with PATCH "
                        "(application/merge-patch+json).");
  }
}

std::vector<CmsRoute> CmsFlatApi::routes() {
  auto route = [this](net::Method method, std::string pattern, net::ServerResponse (CmsFlatApi::*handler)(const CmsCall&)) {
    return CmsRoute{method, base_ + pattern, "cms", CmsDialect::flat, true,
                    [this, handler](const CmsCall& call) { return (this->*handler)(call); }};
  };
  using M = net::Method;
  return {
      route(M::post, "/content", &CmsFlatApi::create),
      route(M::get, "/content/{key}", &CmsFlatApi::get_item),
      route(M::patch, "/content/{key}", &CmsFlatApi::patch_item),
      route(M::delete_, "/content/{key}", &CmsFlatApi::delete_item),
      route(M::post, "/content/{key}:undelete", &CmsFlatApi::undelete),
      route(M::post, "/content/{key}:copy", &CmsFlatApi::copy),
      route(M::get, "/content/{key}/items", &CmsFlatApi::list_items),
      route(M::get, "/content/{key}/versions", &CmsFlatApi::list_versions),
      route(M::post, "/content/{key}/versions", &CmsFlatApi::create_version),
      route(M::delete_, "/content/{key}/versions", &CmsFlatApi::delete_locale),
      route(M::get, "/content/{key}/versions/{version}", &CmsFlatApi::get_version),
      route(M::patch, "/content/{key}/versions/{version}", &CmsFlatApi::patch_version),
      route(M::delete_, "/content/{key}/versions/{version}", &CmsFlatApi::delete_version),
  };
}

std::string CmsFlatApi::version_url(const CmsItem& item, const CmsVersion& version) const {
  return base_ + "/content/" + item.key + "/versions/" + version.id();
}

net::ServerResponse CmsFlatApi::version_response(int status, const CmsItem& item, const CmsVersion& version) {
  auto response = json_response(status, flat_version_json(item, version), make_etag(version.revision));
  if (status == 201) response.headers.set("Location", version_url(item, version));
  return response;
}

net::ServerResponse CmsFlatApi::create(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return flat_problem(body.error());
  FieldReader r(*body);
  CmsCreateInput input;
  if (auto key = r.string("key")) {
    input.key = normalise_key(*key);
    if (!input.key) r.fail("key", "The key '" + *key + "' is not 32 hexadecimal digits (or a UUID).");
  }
  input.content_type = r.string("contentType").value_or("");
  auto container = r.string("container").value_or("");
  input.container = normalise_key(container).value_or(container);
  read_flat_version(r, input.version);
  check_no_status(r);
  if (!r.ok()) return flat_problem(cms_invalid(std::move(r.errors())));

  auto item = store_.create(std::move(input), call.actor);
  if (!item) return flat_problem(item.error());
  return version_response(201, **item, (*item)->versions.back());
}

net::ServerResponse CmsFlatApi::get_item(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) {
    // A plain container (the root, an added one) is readable like the item it is in the service.
    const auto key = normalise_key(call.request.params.get("key").value_or(""));
    if (key && store_.container_exists(*key)) return json_response(200, container_json(*key));
    return flat_problem(item.error());
  }
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsFlatApi::patch_item(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return flat_problem(patch.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return flat_problem(item.error());
  if (auto p = check_if_match(call.request, make_etag((*item)->revision))) return flat_problem(*p);

  json::value before = item_json(**item);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), kReadOnlyItemFields);
  FieldReader r(after.as_object());
  auto container = r.string("container");
  if (!container) r.fail("container", "The container field is required.");
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return flat_problem(cms_invalid(std::move(errors)));

  if (auto p = store_.move(**item, normalise_key(*container).value_or(*container), call.actor)) return flat_problem(*p);
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsFlatApi::delete_item(const CmsCall& call) {
  bool permanent = query_flag(call.request, "permanent");
  // A soft-deleted item can still be deleted for good, but not deleted again.
  auto item = lookup_item(store_, call.request, permanent);
  if (!item) return flat_problem(item.error());
  if (auto p = check_if_match(call.request, make_etag((*item)->revision))) return flat_problem(*p);
  if (permanent) {
    store_.erase((*item)->key);
    return empty_response(204);
  }
  store_.soft_delete(**item, call.actor);
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsFlatApi::undelete(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, true);
  if (!item) return flat_problem(item.error());
  if (!(*item)->deleted_ms) return flat_problem(cms_problem(409, "Content '" + (*item)->key + "' is not deleted."));
  store_.undelete(**item, call.actor);
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsFlatApi::copy(const CmsCall& call) {
  json::object options;
  if (!call.request.body.empty()) {
    auto body = read_json_object(call.request, "application/json");
    if (!body) return flat_problem(body.error());
    options = std::move(*body);
  }
  FieldReader r(options);
  auto container = r.string("container");
  bool keep_published = r.boolean("keepPublishedStatus").value_or(false);
  bool allow_deleted = r.boolean("allowDeleted").value_or(false);
  if (!r.ok()) return flat_problem(cms_invalid(std::move(r.errors())));
  auto source = lookup_item(store_, call.request, allow_deleted);
  if (!source) return flat_problem(source.error());
  if (container) container = normalise_key(*container).value_or(*container);

  auto copy = store_.copy(**source, container, keep_published, call.actor);
  if (!copy) return flat_problem(copy.error());
  auto response = json_response(201, item_json(**copy), make_etag((*copy)->revision));
  response.headers.set("Location", base_ + "/content/" + (*copy)->key);
  return response;
}

net::ServerResponse CmsFlatApi::list_items(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return flat_problem(page.error());
  auto children = select_children(store_, call.request);
  if (!children) return flat_problem(children.error());
  json::array all;
  for (const auto* child : *children) all.push_back(item_json(*child));
  return json_response(200, page_json(std::move(all), *page));
}

}  // namespace feedsync::sim
