// v1 dialect: versions (list, create, get, merge-patch edits, delete) and the status actions.

#include <boost/json/array.hpp>

#include "sim/cms_merge_patch.hpp"
#include "sim/cms_v1.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Status (and its schedule) is read-only in v1: the actions change it.
constexpr std::string_view kReadOnlyVersionFields[] = {
    "key",       "locale",         "version",        "status",    "delayPublishUntil",
    "created",   "createdBy",      "lastModified",   "lastModifiedBy", "published"};

}  // namespace

net::ServerResponse CmsV1Api::list_versions(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return v1_problem(page.error());
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) return v1_problem(item.error());
  auto versions = select_versions(**item, call.request);
  if (!versions) return v1_problem(versions.error());
  json::array all;
  for (const auto* v : *versions) all.push_back(v1_version_json(**item, *v));
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsV1Api::create_version(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return v1_problem(body.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  FieldReader r(*body);
  CmsVersionInput input;
  read_v1_version(r, input);
  if (!r.ok()) return v1_problem(cms_invalid(std::move(r.errors())));

  auto version = store_.add_version(**item, std::move(input), call.actor);
  if (!version) return v1_problem(version.error());
  return written(call, 201, v1_version_json(**item, **version), make_etag((*version)->revision),
                 version_url(**item, **version));
}

net::ServerResponse CmsV1Api::get_version(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) return v1_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return v1_problem(version.error());
  return json_response(200, v1_version_json(**item, **version), make_etag((*version)->revision));
}

net::ServerResponse CmsV1Api::patch_version(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return v1_problem(patch.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return v1_problem(version.error());
  CmsVersion& v = **version;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return v1_problem(*p);

  json::value before = v1_version_json(**item, v);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), kReadOnlyVersionFields);
  FieldReader r(after.as_object());
  CmsVersionEdit edit;
  edit.display_name = r.string("displayName").value_or("");
  edit.route_segment = r.string("routeSegment");
  if (auto properties = r.object("properties")) edit.properties = unwrap_properties(r, *properties);
  edit.status = v.status;
  edit.delay_publish_until = v.delay_publish_until;
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return v1_problem(cms_invalid(std::move(errors)));

  if (auto p = store_.edit(**item, v, edit, call.actor)) return v1_problem(*p);
  return written(call, 200, v1_version_json(**item, v), make_etag(v.revision), version_url(**item, v));
}

net::ServerResponse CmsV1Api::delete_version(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return v1_problem(version.error());
  if (auto p = check_if_match(call.request, make_etag((*version)->revision))) return v1_problem(*p);
  if (auto p = store_.delete_version(**item, (*version)->id())) return v1_problem(*p);
  return empty_response(204);
}

net::ServerResponse CmsV1Api::publish(const CmsCall& call) { return change_status(call, CmsStatus::published); }
net::ServerResponse CmsV1Api::ready(const CmsCall& call) { return change_status(call, CmsStatus::ready); }
net::ServerResponse CmsV1Api::draft(const CmsCall& call) { return change_status(call, CmsStatus::draft); }

net::ServerResponse CmsV1Api::change_status(const CmsCall& call, CmsStatus status) {
  // :publish may carry PublishContentOptions {delayUntil, force} (vendor OpenAPI) to schedule
  // instead; :ready may carry ReadyContentOptions {comment}. The real service ignores unknown
  // fields, so a misspelled delay would publish at once in silence: the simulator refuses them
  // (400 naming the field) so that such a client fails its tests instead (issue 16).
  std::optional<std::int64_t> delay;
  if ((status == CmsStatus::published || status == CmsStatus::ready) && !call.request.body.empty()) {
    auto body = read_json_object(call.request, "application/json");
    if (!body) return v1_problem(body.error());
    const bool publish = status == CmsStatus::published;
    FieldReader r(*body);
    for (const auto& member : *body) {
      const std::string_view name = member.key();
      const bool known = publish ? (name == "delayUntil" || name == "force") : name == "comment";
      if (!known)
        r.fail(name, std::string("unknown field; ") +
                         (publish ? "PublishContentOptions has delayUntil and force" : "ReadyContentOptions has comment"));
    }
    if (publish) {
      delay = r.timestamp("delayUntil");
      r.boolean("force");
    } else {
      r.string("comment");
    }
    if (!r.ok()) return v1_problem(cms_invalid(std::move(r.errors())));
    if (delay) status = CmsStatus::scheduled;
  }
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  auto version = lookup_version(**item, call.request);
  if (!version) return v1_problem(version.error());
  CmsVersion& v = **version;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return v1_problem(*p);
  if (auto p = store_.set_status(**item, v, status, delay, call.actor)) return v1_problem(*p);
  return written(call, 200, v1_version_json(**item, v), make_etag(v.revision), version_url(**item, v));
}

}  // namespace feedsync::sim
