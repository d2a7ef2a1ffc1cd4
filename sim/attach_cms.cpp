#include "sim/attach_cms.hpp"

#include <boost/json/array.hpp>

#include "sim/cms_http.hpp"
#include "sim/cms_webhooks.hpp"
#include "sim/control_util.hpp"

namespace feedsync::sim {

namespace json = boost::json;
using net::Method;
using net::ServerRequest;
using net::ServerResponse;
using control::error;
using control::reply;
using control::sync_handler;

namespace {

ServerResponse token_lifetime(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto seconds = control::int_field(*body, "seconds");
  if (!seconds || *seconds < 1) return error(400, "seconds must be >= 1");
  cms.set_token_lifetime(std::chrono::seconds(*seconds));
  return reply(200, json::object{{"seconds", *seconds}});
}

ServerResponse credentials(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* list = body->if_contains("credentials");
  if (!list || !list->is_array()) return error(400, "credentials must be a list of {client_id, client_secret}");
  std::vector<CmsCredentials> out;
  for (const auto& item : list->get_array()) {
    const auto* o = item.if_object();
    const auto* id = o ? o->if_contains("client_id") : nullptr;
    const auto* secret = o ? o->if_contains("client_secret") : nullptr;
    if (!id || !id->is_string() || !secret || !secret->is_string())
      return error(400, "each credential needs client_id and client_secret strings");
    out.push_back({std::string(id->get_string()), std::string(secret->get_string())});
  }
  cms.set_credentials(std::move(out));
  return control::no_content();
}

ServerResponse drop_properties(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto count = control::int_field(*body, "count");
  if (!count || *count < 0) return error(400, "count must be >= 0");
  cms.drop_properties_next_n(static_cast<std::size_t>(*count));
  return control::no_content();
}

ServerResponse add_container(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* key = body->if_contains("key");
  if (!key || !key->is_string() || key->get_string().empty()) return error(400, "key is required");
  cms.add_container(std::string(key->get_string()));
  return reply(201, json::object{{"key", *key}});
}

ServerResponse refuse_status(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* enabled = body->if_contains("enabled");
  if (!enabled || !enabled->is_bool()) return error(400, "enabled must be true or false");
  cms.set_refuse_status_on_create(enabled->get_bool());
  return reply(200, json::object{{"enabled", *enabled}});
}

ServerResponse route_collision(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* status = body->if_contains("status");
  if (!status || !status->is_int64() || (status->get_int64() != 400 && status->get_int64() != 409))
    return error(400, "status must be 400 or 409");
  cms.set_route_collision_status(static_cast<int>(status->get_int64()));
  return reply(200, json::object{{"status", *status}});
}

// POST /_sim/cms/items/{key}:publish [{"locale":"en"}]; subscribed webhooks hear of it.
ServerResponse editor_publish(CmsSim& cms, CmsWebhooks& hooks, const ServerRequest& r) {
  std::string locale;
  if (!r.body.empty()) {
    auto body = control::object_body(r);
    if (!body) return body.error();
    if (const auto* value = body->if_contains("locale")) {
      if (!value->is_string()) return error(400, "locale must be a string");
      locale = std::string(value->get_string());
    }
  }
  const std::string key(r.params.get("key").value_or(""));
  auto published = cms.editor_publish(key, locale);
  if (!published) return error(404, published.error());
  hooks.published(normalise_key(key).value_or(key), locale, *published);
  return reply(200, json::object{{"version", *published}, {"status", "published"}});
}

// The optional string field `name` of a control body; an error reply when it is not a string.
Expected<std::optional<std::string>, ServerResponse> optional_string(const json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  if (!value || value->is_null()) return std::optional<std::string>{};
  if (!value->is_string()) return unexpected(error(400, std::string(name) + " must be a string"));
  return std::optional<std::string>(std::string(value->get_string()));
}

// The editor actions of issue 22 (CmsSim::editor_*): 200 {"key", ...} or 404 naming why not.
ServerResponse editor_reply(const Expected<std::string, std::string>& done, std::string_view field) {
  if (!done) return error(404, done.error());
  return reply(200, json::object{{field, *done}});
}

// POST /_sim/cms/items/{key}:delete [{"permanent":true}]
ServerResponse editor_delete(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  bool permanent = false;
  if (const auto* value = body->if_contains("permanent")) {
    if (!value->is_bool()) return error(400, "permanent must be true or false");
    permanent = value->get_bool();
  }
  return editor_reply(cms.editor_delete(r.params.get("key").value_or(""), permanent), "key");
}

// POST /_sim/cms/items/{key}:edit [{"locale":"en","displayName":"...","properties":{...}}]
ServerResponse editor_edit(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto locale = optional_string(*body, "locale");
  if (!locale) return locale.error();
  auto name = optional_string(*body, "displayName");
  if (!name) return name.error();
  json::object properties;
  if (const auto* value = body->if_contains("properties")) {
    if (!value->is_object()) return error(400, "properties must be an object");
    properties = value->get_object();
  }
  auto done = cms.editor_edit(r.params.get("key").value_or(""), locale->value_or(""), *name, properties);
  if (!done) return error(404, done.error());
  return reply(200, json::object{{"version", *done}, {"status", "published"}});
}

// POST /_sim/cms/items/{key}:unpublish [{"locale":"en"}]
ServerResponse editor_unpublish(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto locale = optional_string(*body, "locale");
  if (!locale) return locale.error();
  return editor_reply(cms.editor_unpublish(r.params.get("key").value_or(""), locale->value_or("")), "key");
}

// POST /_sim/cms/items/{key}:move {"container":"..."}
ServerResponse editor_move(CmsSim& cms, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto container = optional_string(*body, "container");
  if (!container) return container.error();
  if (!*container || (*container)->empty()) return error(400, "container is required");
  return editor_reply(cms.editor_move(r.params.get("key").value_or(""), **container), "key");
}

// PUT /_sim/cms/webhook-verification {"mode":"challenge"|"event-grid"|"none"}
ServerResponse webhook_verification(CmsWebhooks& hooks, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* mode = body->if_contains("mode");
  if (!mode || !mode->is_string()) return error(400, "mode must be challenge, event-grid or none");
  for (auto m : {CmsWebhookVerification::challenge, CmsWebhookVerification::event_grid, CmsWebhookVerification::none}) {
    if (mode->get_string() == to_string(m)) {
      hooks.set_verification(m);
      return reply(200, json::object{{"mode", to_string(m)}});
    }
  }
  return error(400, "mode must be challenge, event-grid or none");
}

}  // namespace

std::shared_ptr<CmsSim> attach_cms_sim(Simulator& sim, CmsSimOptions options) {
  const std::string v1_base = options.v1_base;
  const auto verification = options.webhook_verification;
  auto cms = std::make_shared<CmsSim>(sim.clock(), std::move(options));
  auto webhooks = std::make_shared<CmsWebhooks>(*cms, sim.webhooks(), v1_base, verification);
  CmsHooks hooks;
  hooks.add_routes = [cms, webhooks](const RouteSink& sink) {
    cms->add_routes(sink);
    webhooks->add_routes(sink);
  };
  hooks.items_json = [cms] { return cms->items_json(); };
  hooks.items = [cms] {
    std::vector<CmsItemSnapshot> out;
    for (auto& view : cms->locale_items())
      out.push_back({view.key, view.deleted, std::move(view.published_properties), std::move(view.latest_properties),
                     std::move(view.locale)});
    return out;
  };
  sim.attach_cms(std::move(hooks));

  auto add = [&](Method m, std::string pattern, auto f) {
    sim.route_sink()(m, std::move(pattern), std::string(kControlApi), sync_handler(std::move(f)));
  };
  CmsSim* c = cms.get();  // the hooks above keep it alive as long as the simulator
  add(Method::post, "/_sim/cms/tokens:expire", [c](ServerRequest) {
    c->expire_all_tokens();
    return control::no_content();
  });
  add(Method::put, "/_sim/cms/token-lifetime", [c](ServerRequest r) { return token_lifetime(*c, r); });
  add(Method::put, "/_sim/cms/credentials", [c](ServerRequest r) { return credentials(*c, r); });
  add(Method::post, "/_sim/cms/drop-properties", [c](ServerRequest r) { return drop_properties(*c, r); });
  add(Method::post, "/_sim/cms/containers", [c](ServerRequest r) { return add_container(*c, r); });
  add(Method::put, "/_sim/cms/refuse-status-on-create", [c](ServerRequest r) { return refuse_status(*c, r); });
  add(Method::put, "/_sim/cms/route-collision", [c](ServerRequest r) { return route_collision(*c, r); });
  CmsWebhooks* w = webhooks.get();  // kept alive by its routes
  add(Method::post, "/_sim/cms/items/{key}:publish", [c, w](ServerRequest r) { return editor_publish(*c, *w, r); });
  add(Method::put, "/_sim/cms/webhook-verification", [w](ServerRequest r) { return webhook_verification(*w, r); });
  add(Method::get, "/_sim/cms/webhooks", [w](ServerRequest) {
    return reply(200, json::object{{"webhooks", w->subscriptions_json()}, {"verification", to_string(w->verification())}});
  });
  add(Method::post, "/_sim/cms/items/{key}:delete", [c](ServerRequest r) { return editor_delete(*c, r); });
  add(Method::post, "/_sim/cms/items/{key}:edit", [c](ServerRequest r) { return editor_edit(*c, r); });
  add(Method::post, "/_sim/cms/items/{key}:unpublish", [c](ServerRequest r) { return editor_unpublish(*c, r); });
  add(Method::post, "/_sim/cms/items/{key}:move", [c](ServerRequest r) { return editor_move(*c, r); });
  add(Method::delete_, "/_sim/cms/items", [c](ServerRequest) {
    c->reset();
    return control::no_content();
  });
  return cms;
}

}  // namespace feedsync::sim
