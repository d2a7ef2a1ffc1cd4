#include "ops/webhook_api.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

#include "core/canonical_json.hpp"
#include "log/log.hpp"
#include "ops/cmp_delivery.hpp"
#include "ops/cms_event.hpp"
#include "ops/ops_api.hpp"

namespace feedsync::ops {

namespace asio = boost::asio;
using net::ServerRequest;
using net::ServerResponse;

namespace {

asio::awaitable<ServerResponse> ready(ServerResponse response) { co_return response; }

ServerResponse message(int status, std::string_view text) {
  ServerResponse response =
      ServerResponse::json(status, boost::json::serialize(boost::json::object{{"message", text}}));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

// The CMS webhook token as presented: `Authorization: Bearer <t>`, a bare `Authorization: <t>`,
// or `?token=<t>` in the registered URL. nullopt when none is.
std::optional<std::string> cms_token(const ServerRequest& r) {
  if (auto value = r.headers.get("Authorization")) {
    std::string_view v = *value;
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) v.remove_prefix(7);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (!v.empty()) return std::string(v);
  }
  if (auto token = r.query.get("token"); token && !token->empty()) return std::string(*token);
  return std::nullopt;
}

std::optional<std::string> digest_of(const std::optional<config::Secret>& secret) {
  if (!secret || secret->empty()) return std::nullopt;
  return sha256_hex(secret->reveal());
}

// Path text in a log line or an answer: no control characters, bounded.
std::string printable(std::string_view text) {
  std::string out(text.substr(0, 128));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

std::string_view webhook_source(std::string_view route) {
  if (route == "/hooks/cmp" || route.starts_with("/hooks/cmp/")) return "cmp";
  if (route == "/hooks/cms" || route.starts_with("/hooks/cms/")) return "cms";
  return "";
}

WebhookApi::WebhookApi(EngineControl& engine, const config::Config& config, DeliveryObserver observe)
    : engine_(engine), observe_(std::move(observe)) {
  configure(config);
}

void WebhookApi::configure(const config::Config& config) {
  cmp_digest_ = digest_of(config.webhooks.cmp.secret);
  cms_digest_ = digest_of(config.webhooks.cms.token);
  feeds_.clear();
  for (const auto& feed : config.feeds) feeds_.insert(feed.name);
}

void WebhookApi::body_too_large(const std::string& route) {
  const auto source = webhook_source(route);
  if (source.empty()) return;
  log::warn("webhook delivery refused: body over the cap",
            {{"source", std::string(source)}, {"max_bytes", std::to_string(kMaxWebhookBody)}});
  if (observe_) observe_(source, "too_large");
}

struct WebhookApi::Impl {
  static ServerResponse counted(WebhookApi& api, std::string_view source, std::string_view result,
                                ServerResponse response) {
    if (api.observe_) api.observe_(source, result);
    return response;
  }

  // CMP: the secret first (nothing about the request is looked at before it), then the feed,
  // then the body.
  static ServerResponse cmp(WebhookApi& api, const ServerRequest& r, std::optional<std::string> feed) {
    if (!api.cmp_digest_) return ServerResponse::text(404, "Not Found\n");
    const auto presented = r.headers.get("Callback-Secret");
    if (!presented || !token_matches(*presented, *api.cmp_digest_)) {
      log::warn("cmp webhook delivery refused",
                {{"reason", presented ? "wrong Callback-Secret" : "no Callback-Secret header"}, {"peer", r.peer}});
      return counted(api, "cmp", "unauthorized", message(401, "a valid Callback-Secret header is required"));
    }
    if (feed && !api.feeds_.contains(*feed)) {
      const std::string name = printable(*feed);
      log::warn("cmp webhook delivery for a feed that is not configured; check the webhook's callback URL",
                {{"feed", name}, {"peer", r.peer}});
      return counted(api, "cmp", "unknown_feed", message(404, "no feed named \"" + name + "\" is configured"));
    }
    const auto delivery = read_cmp_delivery(r.body);
    const std::string scope = feed.value_or("*");
    switch (delivery.kind) {
      case CmpDeliveryKind::malformed:
        log::warn("cmp webhook delivery acknowledged but not understood",
                  {{"feed", scope}, {"problem", delivery.problem}, {"bytes", std::to_string(r.body.size())}});
        return counted(api, "cmp", "malformed", message(202, "acknowledged; the body was not understood"));
      case CmpDeliveryKind::other_event:
        log::debug("cmp webhook event needs no poll", {{"feed", scope}, {"event", delivery.event}});
        return counted(api, "cmp", "ignored", message(202, "acknowledged"));
      case CmpDeliveryKind::content_change:
        break;
    }
    if (feed) api.engine_.request_poll(*feed);
    else api.engine_.request_poll_all();
    log::debug("cmp webhook delivery: poll requested", {{"feed", scope}, {"event", delivery.event}});
    return counted(api, "cmp", "accepted", message(202, "accepted; a poll is requested"));
  }

  // The token gate of /hooks/cms: "" when the request may go on, else the reason it may not.
  static std::string cms_refusal(const WebhookApi& api, const ServerRequest& r, bool verification) {
    const auto presented = cms_token(r);
    if (presented) return token_matches(*presented, *api.cms_digest_) ? "" : "wrong token";
    return verification ? "" : "no token";
  }

  static ServerResponse cms_refused(WebhookApi& api, const ServerRequest& r, const std::string& reason) {
    log::warn("cms webhook request refused", {{"reason", reason}, {"peer", r.peer}});
    return counted(api, "cms", "unauthorized", message(401, "a valid webhook token is required"));
  }

  static ServerResponse cms(WebhookApi& api, const ServerRequest& r) {
    if (!api.cms_digest_) return ServerResponse::text(404, "Not Found\n");
    const auto event = read_cms_event(r.body);
    const bool verification = event.kind == CmsEventKind::verification;
    if (auto reason = cms_refusal(api, r, verification); !reason.empty()) return cms_refused(api, r, reason);
    switch (event.kind) {
      case CmsEventKind::verification: {
        log::info("cms webhook endpoint verification answered", {{"field", event.challenge_field}, {"peer", r.peer}});
        ServerResponse response = ServerResponse::json(200, event.answer);
        response.headers.set("Cache-Control", "no-store");
        return counted(api, "cms", "verification", std::move(response));
      }
      case CmsEventKind::malformed:
        log::warn("cms webhook request acknowledged but not understood",
                  {{"problem", event.problem}, {"bytes", std::to_string(r.body.size())}});
        return counted(api, "cms", "malformed", message(202, "acknowledged; the body was not understood"));
      case CmsEventKind::other:
        log::debug("cms webhook event needs nothing", {{"event", event.event}});
        return counted(api, "cms", "ignored", message(202, "acknowledged"));
      case CmsEventKind::publish:
        break;
    }
    api.engine_.check_published(event.cms_key);
    log::debug("cms webhook publish event: pending canonical check requested",
               {{"event", event.event}, {"cms_key", event.cms_key.value_or("(none: every waiting article)")}});
    return counted(api, "cms", "accepted", message(202, "accepted; the item is checked now"));
  }

  // GET /hooks/cms?challenge=...: a verification by query, echoed as plain text.
  static ServerResponse cms_get(WebhookApi& api, const ServerRequest& r) {
    if (!api.cms_digest_) return ServerResponse::text(404, "Not Found\n");
    if (auto reason = cms_refusal(api, r, true); !reason.empty()) return cms_refused(api, r, reason);
    for (const char* name : {"challenge", "validationToken", "validationCode", "hub.challenge", "verificationToken"}) {
      const auto value = r.query.get(name);
      if (!value) continue;
      const auto safe = safe_challenge(*value);
      if (!safe) break;
      log::info("cms webhook endpoint verification answered", {{"field", name}, {"peer", r.peer}});
      ServerResponse response = ServerResponse::text(200, *safe);
      response.headers.set("Cache-Control", "no-store");
      return counted(api, "cms", "verification", std::move(response));
    }
    return counted(api, "cms", "malformed", message(400, "expected a challenge query parameter"));
  }
};

void WebhookApi::add_routes(net::Router& router) {
  router.add(net::Method::post, "/hooks/cms", [this](ServerRequest r) { return ready(Impl::cms(*this, r)); },
             kMaxWebhookBody);
  router.get("/hooks/cms", [this](ServerRequest r) { return ready(Impl::cms_get(*this, r)); });
  router.add(net::Method::post, "/hooks/cmp",
             [this](ServerRequest r) { return ready(Impl::cmp(*this, r, std::nullopt)); }, kMaxWebhookBody);
  router.add(net::Method::post, "/hooks/cmp/{feed}",
             [this](ServerRequest r) {
               return ready(Impl::cmp(*this, r, std::string(r.params.get("feed").value_or(""))));
             },
             kMaxWebhookBody);
}

}  // namespace feedsync::ops
