// Flat dialect: versions (list, create, get, merge-patch edits and status changes, delete).

#include <boost/json/array.hpp>

#include "sim/cms_flat.hpp"
#include "sim/cms_merge_patch.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Version fields a PATCH may not change: identity, locale, timestamps. Moving the item is a
// PATCH of the item, not of a version.
constexpr std::string_view kReadOnlyVersionFields[] = {
    "key",     "contentType",  "locale",         "container", "version",
    "created", "createdBy",    "lastModified",   "lastModifiedBy", "published"};

}  // namespace

net::ServerResponse CmsFlatApi::list_versions(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return flat_problem(page.error());
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) return flat_problem(item.error());
  auto versions = select_versions(**item, call.request);
  if (!versions) return flat_problem(versions.error());
  json::array all;
  for (const auto* v : *versions) all.push_back(flat_version_json(**item, *v));
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsFlatApi::create_version(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return flat_problem(body.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return flat_problem(item.error());
  FieldReader r(*body);
  // The seed's example repeats the item's fields; they must agree with the item.
  if (auto key = r.string("key"); key && normalise_key(*key) != (*item)->key)
    r.fail("key", "The key does not match the content item.");
  if (auto type = r.string("contentType"); type && *type != (*item)->content_type)
    r.fail("contentType", "The contentType does not match the content item's '" + (*item)->content_type + "'.");
  if (auto container = r.string("container");
      container && normalise_key(*container).value_or(*container) != (*item)->container)
    r.fail("container", "The container does not match the content item's; move the item with PATCH.");
  CmsVersionInput input;
  read_flat_version(r, input);
  check_no_status(r);
  if (!r.ok()) return flat_problem(cms_invalid(std::move(r.errors())));

  auto version = store_.add_version(**item, std::move(input), call.actor);
  if (!version) return flat_problem(version.error());
  return version_response(201, **item, **version);
}

net::ServerResponse CmsFlatApi::delete_locale(const CmsCall& call) {
  auto locale = call.request.query.get("locale");
  if (!locale || locale->empty()) return flat_problem(cms_invalid("locale", "The locale parameter is required."));
  auto item = lookup_item(store_, call.request, false);
  if (!item) return flat_problem(item.error());
  if (auto p = store_.delete_locale(**item, *locale)) return flat_problem(*p);
  return empty_response(204);
}

net::ServerResponse CmsFlatApi::get_version(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) return flat_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return flat_problem(version.error());
  return version_response(200, **item, **version);
}

net::ServerResponse CmsFlatApi::patch_version(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return flat_problem(patch.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return flat_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return flat_problem(version.error());
  CmsVersion& v = **version;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return flat_problem(*p);

  json::value before = flat_version_json(**item, v);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), kReadOnlyVersionFields);
  FieldReader r(after.as_object());
  CmsVersionEdit edit;
  edit.display_name = r.string("displayName").value_or("");
  edit.route_segment = r.string("routeSegment");
  edit.properties = r.object("properties").value_or(json::object());
  if (!patch->contains("properties") && patch->contains("property"))
    r.fail("property", "Unknown field 'property': property values belong in 'properties'.");
  edit.status = r.status("status").value_or(v.status);
  edit.delay_publish_until = r.timestamp("delayPublishUntil");
  // A schedule the patch did not mention goes away with the scheduled status; one it sets
  // without asking for that status is the client's mistake, reported by the store.
  const json::value* patched_delay = patch->if_contains("delayPublishUntil");
  if (edit.status != CmsStatus::scheduled && (!patched_delay || patched_delay->is_null()))
    edit.delay_publish_until.reset();
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return flat_problem(cms_invalid(std::move(errors)));

  if (auto p = store_.edit(**item, v, edit, call.actor)) return flat_problem(*p);
  return version_response(200, **item, v);
}

net::ServerResponse CmsFlatApi::delete_version(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, false);
  if (!item) return flat_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return flat_problem(version.error());
  if (auto p = check_if_match(call.request, make_etag((*version)->revision))) return flat_problem(*p);
  if (auto p = store_.delete_version(**item, (*version)->id())) return flat_problem(*p);
  return empty_response(204);
}

}  // namespace feedsync::sim
