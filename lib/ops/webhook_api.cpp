#include "ops/webhook_api.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <utility>

#include "core/canonical_json.hpp"
#include "log/log.hpp"
#include "ops/cmp_delivery.hpp"
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
};

void WebhookApi::add_routes(net::Router& router) {
  router.add(net::Method::post, "/hooks/cmp",
             [this](ServerRequest r) { return ready(Impl::cmp(*this, r, std::nullopt)); }, kMaxWebhookBody);
  router.add(net::Method::post, "/hooks/cmp/{feed}",
             [this](ServerRequest r) {
               return ready(Impl::cmp(*this, r, std::string(r.params.get("feed").value_or(""))));
             },
             kMaxWebhookBody);
}

}  // namespace feedsync::ops
