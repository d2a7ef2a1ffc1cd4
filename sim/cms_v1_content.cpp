// v1 dialect: content items (create with an initial version, metadata, move, delete, undelete).

#include <boost/json/array.hpp>

#include <cctype>

#include "sim/cms_merge_patch.hpp"
#include "sim/cms_schema_api.hpp"
#include "sim/cms_v1.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

constexpr std::string_view kReadOnlyItemFields[] = {"key",          "contentType",    "created", "createdBy",
                                                    "lastModified", "lastModifiedBy", "deleted"};

bool prefers_representation(const net::ServerRequest& request) {
  std::string prefer(request.headers.get("Prefer").value_or(""));
  for (auto& c : prefer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return prefer.find("return=representation") != std::string::npos;
}

bool header_true(const net::ServerRequest& request, std::string_view name) {
  std::string value(request.headers.get(name).value_or(""));
  for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "true";
}

}  // namespace

net::ServerResponse v1_problem(const CmsProblem& problem) { return problem_response(problem, CmsDialect::v1); }

json::object unwrap_properties(FieldReader& r, const json::object& wrapped) {
  json::object out;
  for (const auto& [name, value] : wrapped) {
    const json::value* inner = value.is_object() ? value.as_object().if_contains("value") : nullptr;
    if (!inner) {
      r.fail("properties." + std::string(name),
             "The value of property '" + std::string(name) + "' must be wrapped: {\"value\": ...}.");
      continue;
    }
    out[name] = *inner;
  }
  return out;
}

void read_v1_version(FieldReader& r, CmsVersionInput& input) {
  input.locale = r.string("locale");
  input.display_name = r.string("displayName").value_or("");
  input.route_segment = r.string("routeSegment");
  if (auto properties = r.object("properties")) input.properties = unwrap_properties(r, *properties);
  for (auto field : {"status", "delayPublishUntil"})
    if (r.given(field))
      r.fail(field, std::string("The ") + field +
                        " field is read-only; change the status with POST .../versions/{version}:publish, :ready or :draft.");
}

std::vector<CmsRoute> CmsV1Api::routes() {
  auto route = [this](net::Method method, std::string pattern, net::ServerResponse (CmsV1Api::*handler)(const CmsCall&)) {
    return CmsRoute{method, base_ + pattern, "cms", CmsDialect::v1, true,
                    [this, handler](const CmsCall& call) { return (this->*handler)(call); }};
  };
  using M = net::Method;
  return {
      route(M::post, "/content", &CmsV1Api::create),
      route(M::get, "/content/{key}", &CmsV1Api::get_item),
      route(M::patch, "/content/{key}", &CmsV1Api::patch_item),
      route(M::delete_, "/content/{key}", &CmsV1Api::delete_item),
      route(M::post, "/content/{key}:undelete", &CmsV1Api::undelete),
      route(M::get, "/content/{key}/items", &CmsV1Api::list_items),
      route(M::delete_, "/content/{key}/locales/{locale}", &CmsV1Api::delete_locale),
      route(M::get, "/content/{key}/versions", &CmsV1Api::list_versions),
      route(M::post, "/content/{key}/versions", &CmsV1Api::create_version),
      route(M::get, "/content/{key}/versions/{version}", &CmsV1Api::get_version),
      route(M::patch, "/content/{key}/versions/{version}", &CmsV1Api::patch_version),
      route(M::delete_, "/content/{key}/versions/{version}", &CmsV1Api::delete_version),
      route(M::post, "/content/{key}/versions/{version}:publish", &CmsV1Api::publish),
      route(M::post, "/content/{key}/versions/{version}:ready", &CmsV1Api::ready),
      route(M::post, "/content/{key}/versions/{version}:draft", &CmsV1Api::draft),
  };
}

net::ServerResponse CmsV1Api::written(const CmsCall& call, int status, json::object representation,
                                      const std::string& etag, const std::string& location) {
  net::ServerResponse response;
  if (prefers_representation(call.request)) {
    response = json_response(status, representation, etag);
    response.headers.set("Preference-Applied", "return=representation");
  } else {
    response = empty_response(status);
    if (!etag.empty()) response.headers.set("ETag", etag);
  }
  response.headers.set("Location", location);
  return response;
}

net::ServerResponse CmsV1Api::create(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return v1_problem(body.error());
  FieldReader r(*body);
  CmsCreateInput input;
  if (auto key = r.string("key")) {
    input.key = normalise_key(*key);
    if (!input.key) r.fail("key", "The key '" + *key + "' is not 32 hexadecimal digits (or a UUID).");
  }
  input.content_type = r.string("contentType").value_or("");
  auto container = r.string("container").value_or("");
  input.container = normalise_key(container).value_or(container);
  for (auto field : {"status", "properties", "displayName", "locale"})
    if (r.given(field)) r.fail(field, std::string("The ") + field + " field belongs in initialVersion.");
  auto initial = r.object("initialVersion");
  if (!initial && !r.given("initialVersion")) r.fail("initialVersion", "The initialVersion field is required.");
  if (initial) {
    FieldReader v(*initial, "initialVersion.");
    read_v1_version(v, input.version);
    r.errors().insert(r.errors().end(), v.errors().begin(), v.errors().end());
  }
  if (!r.ok()) return v1_problem(cms_invalid(std::move(r.errors())));

  auto item = store_.create(std::move(input), call.actor);
  if (!item) {
    CmsProblem problem = item.error();
    // The store names version fields bare; in v1 they live in initialVersion.
    for (auto& e : problem.errors)
      if (e.field != "key" && e.field != "contentType" && e.field != "container") e.field = "initialVersion." + e.field;
    return v1_problem(problem);
  }
  json::object representation = item_json(**item);
  representation["initialVersion"] = v1_version_json(**item, (*item)->versions.back());
  return written(call, 201, std::move(representation), make_etag((*item)->revision), item_url(**item));
}

net::ServerResponse CmsV1Api::get_item(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, query_flag(call.request, "allowDeleted"));
  if (!item) {
    // A plain container (the root, an added one) is readable like the item it is in the service.
    const auto key = normalise_key(call.request.params.get("key").value_or(""));
    if (key && store_.container_exists(*key)) return json_response(200, container_json(*key));
    return v1_problem(item.error());
  }
  return json_response(200, item_json(**item), make_etag((*item)->revision));
}

net::ServerResponse CmsV1Api::patch_item(const CmsCall& call) {
  auto patch = read_json_object(call.request, "application/merge-patch+json");
  if (!patch) return v1_problem(patch.error());
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  if (auto p = check_if_match(call.request, make_etag((*item)->revision))) return v1_problem(*p);

  json::value before = item_json(**item);
  json::value after = before;
  apply_merge_patch(after, *patch);
  auto errors = read_only_changes(before.as_object(), after.as_object(), kReadOnlyItemFields);
  FieldReader r(after.as_object());
  auto container = r.string("container");
  if (!container) r.fail("container", "The container field is required.");
  errors.insert(errors.end(), r.errors().begin(), r.errors().end());
  if (!errors.empty()) return v1_problem(cms_invalid(std::move(errors)));

  if (auto p = store_.move(**item, normalise_key(*container).value_or(*container), call.actor)) return v1_problem(*p);
  return written(call, 200, item_json(**item), make_etag((*item)->revision), item_url(**item));
}

net::ServerResponse CmsV1Api::delete_item(const CmsCall& call) {
  bool permanent = header_true(call.request, "cms-permanent-delete");
  auto item = lookup_item(store_, call.request, permanent);
  if (!item) return v1_problem(item.error());
  if (auto p = check_if_match(call.request, make_etag((*item)->revision))) return v1_problem(*p);
  if (permanent) {
    store_.erase((*item)->key);
    return empty_response(204);
  }
  store_.soft_delete(**item, call.actor);
  if (prefers_representation(call.request)) return written(call, 200, item_json(**item), make_etag((*item)->revision), item_url(**item));
  return empty_response(204);
}

net::ServerResponse CmsV1Api::undelete(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, true);
  if (!item) return v1_problem(item.error());
  // The vendor's definition lists 200/204/400/401/403/404/429/500 for :undelete, no 409: a live
  // item is a 400 here, so a client that waits for 409 fails its tests (issue 16).
  if (!(*item)->deleted_ms) return v1_problem(cms_problem(400, "Content '" + (*item)->key + "' is not deleted."));
  store_.undelete(**item, call.actor);
  return written(call, 200, item_json(**item), make_etag((*item)->revision), item_url(**item));
}

net::ServerResponse CmsV1Api::list_items(const CmsCall& call) {
  auto page = read_page(call.request);
  if (!page) return v1_problem(page.error());
  auto children = select_children(store_, call.request);
  if (!children) return v1_problem(children.error());
  json::array all;
  for (const auto* child : *children) all.push_back(item_json(*child));
  return json_response(200, page_json(std::move(all), *page));
}

net::ServerResponse CmsV1Api::delete_locale(const CmsCall& call) {
  auto item = lookup_item(store_, call.request, false);
  if (!item) return v1_problem(item.error());
  if (auto p = store_.delete_locale(**item, call.request.params.get("locale").value_or(""))) return v1_problem(*p);
  return empty_response(204);
}

}  // namespace feedsync::sim
