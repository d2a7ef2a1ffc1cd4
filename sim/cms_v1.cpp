// v1 dialect: its policy on the shared routes, create with an initial version, the status
// actions, and the version body rules.

#include "sim/cms_v1.hpp"

#include "core/strings.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

// Status (and its schedule) is read-only in v1: the actions change it.
constexpr std::string_view kReadOnlyVersionFields[] = {
    "key",       "locale",         "version",        "status",    "delayPublishUntil",
    "created",   "createdBy",      "lastModified",   "lastModifiedBy", "published"};

bool prefers_representation(const net::ServerRequest& request) {
  return ascii_lower(request.headers.get("Prefer").value_or("")).find("return=representation") != std::string::npos;
}

// {"Heading": {"value": "x"}} -> {"Heading": "x"}; an unwrapped value is a field error.
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

// A version body's fields ({locale, displayName, routeSegment, properties}), property values
// unwrapped; status and delayPublishUntil are refused (read-only in v1).
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

class CmsV1Api final : public CmsContentApi {
 public:
  using CmsContentApi::CmsContentApi;

  net::ServerResponse create(const CmsCall& call) override;
  net::ServerResponse publish(const CmsCall& call) { return change_status(call, CmsStatus::published); }
  net::ServerResponse ready(const CmsCall& call) { return change_status(call, CmsStatus::ready); }
  net::ServerResponse draft(const CmsCall& call) { return change_status(call, CmsStatus::draft); }

 private:
  CmsDialect dialect() const override { return CmsDialect::v1; }
  json::object version_json(const CmsItem& item, const CmsVersion& version) const override {
    return v1_version_json(item, version);
  }
  // The representation when the client prefers it, else only its Location (and ETag).
  net::ServerResponse written(const CmsCall& call, int status, json::object representation, const std::string& etag,
                              const std::string& location) const override {
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
  net::ServerResponse soft_deleted(const CmsCall& call, const CmsItem& item) const override {
    if (!prefers_representation(call.request)) return empty_response(204);
    return written(call, 200, item_json(item), make_etag(item.revision), item_url(item));
  }
  bool permanent_delete_asked(const net::ServerRequest& request) const override {
    return iequals_ascii(request.headers.get("cms-permanent-delete").value_or(""), "true");
  }
  // The vendor's definition lists 200/204/400/401/403/404/429/500 for :undelete, no 409: a live
  // item is a 400 here, so a client that waits for 409 fails its tests (issue 16).
  int undelete_live_status() const override { return 400; }
  Expected<std::string, CmsProblem> locale_to_delete(const net::ServerRequest& request) const override {
    return std::string(request.params.get("locale").value_or(""));
  }
  void read_new_version(FieldReader& reader, const CmsItem&, CmsVersionInput& input) const override {
    read_v1_version(reader, input);
  }
  std::span<const std::string_view> read_only_version_fields() const override { return kReadOnlyVersionFields; }
  // Status and schedule stay: only the actions change them.
  void read_version_edit(FieldReader& patched, const json::object&, const CmsVersion& current,
                         CmsVersionEdit& edit) const override {
    if (auto properties = patched.object("properties")) edit.properties = unwrap_properties(patched, *properties);
    edit.status = current.status;
    edit.delay_publish_until = current.delay_publish_until;
  }
  void add_dialect_routes(std::vector<CmsRoute>& routes) override {
    using M = net::Method;
    routes.push_back(route(M::delete_, "/content/{key}/locales/{locale}", &CmsV1Api::delete_locale));
    routes.push_back(route(M::get, "/content/versions", &CmsV1Api::list_all_versions));
    routes.push_back(route(M::post, "/content/{key}/versions/{version}:publish", &CmsV1Api::publish));
    routes.push_back(route(M::post, "/content/{key}/versions/{version}:ready", &CmsV1Api::ready));
    routes.push_back(route(M::post, "/content/{key}/versions/{version}:draft", &CmsV1Api::draft));
  }

  net::ServerResponse change_status(const CmsCall& call, CmsStatus status);
};

net::ServerResponse CmsV1Api::create(const CmsCall& call) {
  auto body = read_json_object(call.request, "application/json");
  if (!body) return problem(body.error());
  FieldReader r(*body);
  CmsCreateInput input;
  read_item_fields(r, input);
  for (auto field : {"status", "properties", "displayName", "locale"})
    if (r.given(field)) r.fail(field, std::string("The ") + field + " field belongs in initialVersion.");
  auto initial = r.object("initialVersion");
  if (!initial && !r.given("initialVersion")) r.fail("initialVersion", "The initialVersion field is required.");
  if (initial) {
    FieldReader v(*initial, "initialVersion.");
    read_v1_version(v, input.version);
    r.errors().insert(r.errors().end(), v.errors().begin(), v.errors().end());
  }
  if (!r.ok()) return problem(cms_invalid(std::move(r.errors())));

  auto item = store().create(std::move(input), call.actor);
  if (!item) {
    CmsProblem refused = item.error();
    // The store names version fields bare; in v1 they live in initialVersion.
    for (auto& e : refused.errors)
      if (e.field != "key" && e.field != "contentType" && e.field != "container") e.field = "initialVersion." + e.field;
    return problem(refused);
  }
  json::object representation = item_json(**item);
  representation["initialVersion"] = v1_version_json(**item, (*item)->versions.back());
  return written(call, 201, std::move(representation), make_etag((*item)->revision), item_url(**item));
}

net::ServerResponse CmsV1Api::change_status(const CmsCall& call, CmsStatus status) {
  // :publish may carry PublishContentOptions {delayUntil, force} (vendor OpenAPI) to schedule
  // instead; :ready may carry ReadyContentOptions {comment}. The real service ignores unknown
  // fields, so a misspelled delay would publish at once in silence: the simulator refuses them
  // (400 naming the field) so that such a client fails its tests instead (issue 16).
  std::optional<std::int64_t> delay;
  if ((status == CmsStatus::published || status == CmsStatus::ready) && !call.request.body.empty()) {
    auto body = read_json_object(call.request, "application/json");
    if (!body) return problem(body.error());
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
    if (!r.ok()) return problem(cms_invalid(std::move(r.errors())));
    if (delay) status = CmsStatus::scheduled;
  }
  auto found = find_version(call, false);
  if (!found) return problem(found.error());
  auto& [item, v] = *found;
  if (auto p = check_if_match(call.request, make_etag(v.revision))) return problem(*p);
  if (auto p = store().set_status(item, v, status, delay, call.actor)) return problem(*p);
  return written(call, 200, v1_version_json(item, v), make_etag(v.revision), version_url(item, v));
}

}  // namespace

std::unique_ptr<CmsContentApi> make_v1_api(CmsStore& store, const CmsSimOptions& options) {
  return std::make_unique<CmsV1Api>(store, options.v1_base);
}

}  // namespace feedsync::sim
