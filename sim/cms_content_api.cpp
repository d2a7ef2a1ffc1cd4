// The content routes both dialects share; each step's refusal comes back as the dialect's problem.

#include "sim/cms_content_api.hpp"

#include <boost/json/array.hpp>

#include "sim/cms_merge_patch.hpp"
#include "sim/cms_schema_api.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Item metadata a PATCH may not change; the container changes through store.move().
constexpr std::string_view kReadOnlyItemFields[] = {"key",          "contentType",    "created", "createdBy",
                                                    "lastModified", "lastModifiedBy", "deleted"};

// Whether a read may see a soft-deleted item: the flat `?allowDeleted=true`, or v1's
// `cms-accept-resource` header naming `deleted` (or `*`) among its comma-separated values.
bool deleted_accepted(const net::ServerRequest& request) {
  if (query_flag(request, "allowDeleted")) return true;
  const auto header = request.headers.get("cms-accept-resource");
  if (!header) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view value = rest.substr(0, comma);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value == "deleted" || value == "*") return true;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

void read_item_fields(FieldReader& r, CmsCreateInput& input) {
  if (auto key = r.string("key")) {
    input.key = normalise_key(*key);
    if (!input.key) r.fail("key", "The key '" + *key + "' is not 32 hexadecimal digits (or a UUID).");
  }
  input.content_type = r.string("contentType").value_or("");
  auto container = r.string("container").value_or("");
  input.container = normalise_key(container).value_or(container);
}

std::vector<CmsRoute> CmsContentApi::routes() {
  using M = net::Method;
  using Api = CmsContentApi;
  std::vector<CmsRoute> out{
      route(M::post, "/content", &Api::create),
      route(M::get, "/content/{key}", &Api::get_item),
      route(M::patch, "/content/{key}", &Api::patch_item),
      route(M::delete_, "/content/{key}", &Api::delete_item),
      route(M::post, "/content/{key}:undelete", &Api::undelete),
      route(M::get, "/content/{key}/items", &Api::list_items),
      route(M::get, "/content/{key}/versions", &Api::list_versions),
      route(M::post, "/content/{key}/versions", &Api::create_version),
      route(M::get, "/content/{key}/versions/{version}", &Api::get_version),
      route(M::patch, "/content/{key}/versions/{version}", &Api::patch_version),
      route(M::delete_, "/content/{key}/versions/{version}", &Api::delete_version),
  };
  add_dialect_routes(out);
  return out;
}

Expected<CmsItem*, CmsProblem> CmsContentApi::find_item(const CmsCall& call, bool allow_deleted) const {
  return lookup_item(store_, call.request, allow_deleted);
}

Expected<CmsItemVersion, CmsProblem> CmsContentApi::find_version(const CmsCall& call, bool allow_deleted) const {
  auto item = find_item(call, allow_deleted);
  if (!item) return unexpected(std::move(item.error()));
  auto version = lookup_version(**item, call.request);
  if (!version) return unexpected(std::move(version.error()));
  return CmsItemVersion{**item, **version};
}

net::ServerResponse CmsContentApi::get_item(const CmsCall& call) {
  auto item = find_item(call, deleted_accepted(call.request));
  if (!item) {
    // A plain container (the root, an added one) is readable like the folder it is in the service.
    const auto key = normalise_key(call.request.params.get("key").value_or(""));
    if (key && store_.container_exists(*key)) return json_response(200, container_json(*key));
    return problem(item.error());
  }
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsContentApi::patch_item(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return problem(patch.error());
  auto found = find_item(call, false);
  if (!found) return problem(found.error());
  CmsItem& item = **found;
  if (auto p = check_if_match(call.request, make_etag(item.revision))) return problem(*p);

  json::value before = item_json(item);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), kReadOnlyItemFields);
  FieldReader r(after.as_object());
  auto container = r.string("container");
  if (!container) r.fail("container", "The container field is required.");
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return problem(cms_invalid(std::move(errors)));

  if (auto p = store_.move(item, normalise_key(*container).value_or(*container), call.actor)) return problem(*p);
  return written(call, 200, item_json(item), make_etag(item.revision), item_url(item));
}

net::ServerResponse CmsContentApi::delete_item(const CmsCall& call) {
  const bool permanent = permanent_delete_asked(call.request);
  // A soft-deleted item can still be deleted for good, but not deleted again.
  auto item = find_item(call, permanent);
  if (!item) return problem(item.error());
  if (auto p = check_if_match(call.request, make_etag((*item)->revision))) return problem(*p);
  if (permanent) {
    store_.erase((*item)->key);
    return empty_response(204);
  }
  store_.soft_delete(**item, call.actor);
  return soft_deleted(call, **item);
}

net::ServerResponse CmsContentApi::undelete(const CmsCall& call) {
  auto item = find_item(call, true);
  if (!item) return problem(item.error());
  if (!(*item)->deleted_ms)
    return problem(cms_problem(undelete_live_status(), "Content '" + (*item)->key + "' is not deleted."));
  store_.undelete(**item, call.actor);
  return written(call, 200, item_json(**item), make_etag((*item)->revision), item_url(**item));
}

net::ServerResponse CmsContentApi::list_items(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return problem(page.error());
  auto children = select_children(store_, call.request);
  if (!children) return problem(children.error());
  json::array all;
  for (const auto* child : *children) all.push_back(item_json(*child));
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsContentApi::delete_locale(const CmsCall& call) {
  auto locale = locale_to_delete(call.request);
  if (!locale) return problem(locale.error());
  auto item = find_item(call, false);
  if (!item) return problem(item.error());
  if (auto p = store_.delete_locale(**item, *locale)) return problem(*p);
  return empty_response(204);
}

net::ServerResponse CmsContentApi::list_versions(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return problem(page.error());
  auto item = find_item(call, deleted_accepted(call.request));
  if (!item) return problem(item.error());
  auto versions = select_versions(**item, call.request);
  if (!versions) return problem(versions.error());
  json::array all;
  for (const auto* v : *versions) all.push_back(version_json(**item, *v));
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsContentApi::list_all_versions(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return problem(page.error());
  json::array all;
  for (const auto& [key, item] : store_.items()) {
    if (item.deleted_ms) continue;
    auto versions = select_versions(item, call.request);
    if (!versions) return problem(versions.error());
    for (const auto* v : *versions) all.push_back(version_json(item, *v));
  }
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsContentApi::create_version(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return problem(body.error());
  auto item = find_item(call, false);
  if (!item) return problem(item.error());
  FieldReader r(*body);
  CmsVersionInput input;
  read_new_version(r, **item, input);
  if (!r.ok()) return problem(cms_invalid(std::move(r.errors())));

  auto version = store_.add_version(**item, std::move(input), call.actor);
  if (!version) return problem(version.error());
  return written(call, 201, version_json(**item, **version), make_etag((*version)->revision),
                 version_url(**item, **version));
}

net::ServerResponse CmsContentApi::get_version(const CmsCall& call) {
  auto found = find_version(call, deleted_accepted(call.request));
  if (!found) return problem(found.error());
  return json_response(200, version_json(found->item, found->version), make_etag(found->version.revision));
}

net::ServerResponse CmsContentApi::patch_version(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return problem(patch.error());
  auto found = find_version(call, false);
  if (!found) return problem(found.error());
  auto& [item, v] = *found;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return problem(*p);

  json::value before = version_json(item, v);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), read_only_version_fields());
  FieldReader r(after.as_object());
  CmsVersionEdit edit;
  edit.display_name = r.string("displayName").value_or("");
  edit.route_segment = r.string("routeSegment");
  read_version_edit(r, *patch, v, edit);
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return problem(cms_invalid(std::move(errors)));

  if (auto p = store_.edit(item, v, edit, call.actor)) return problem(*p);
  return written(call, 200, version_json(item, v), make_etag(v.revision), version_url(item, v));
}

net::ServerResponse CmsContentApi::delete_version(const CmsCall& call) {
  auto found = find_version(call, false);
  if (!found) return problem(found.error());
  auto& [item, v] = *found;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return problem(*p);
  if (auto p = store_.delete_version(item, v.id())) return problem(*p);
  return empty_response(204);
}

}  // namespace feedsync::sim
