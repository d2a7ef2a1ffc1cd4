#pragma once
// Webhook routes (issue 19): event-driven sync on top of polling.
//
//   POST /hooks/cmp          a CMP webhook delivery: poll every feed
//   POST /hooks/cmp/{feed}   a CMP webhook delivery for one feed (404 when it is not configured)
//   POST /hooks/cms          a CMS (SaaS) webhook event, or its endpoint verification
//   GET  /hooks/cms          the endpoint verification by query (?challenge= and the like)
//
// CMP (Content Marketing Platform "Webhooks"): the registered secret arrives in the
// `Callback-Secret` header and is compared, as a SHA-256 digest, in constant time; missing or
// wrong is 401 and nothing happens. Otherwise the answer is 202 at once (CMP wants 200 or 202
// within 30 s, retries anything else for three days): the body is read defensively
// (cmp_delivery.hpp) and an asset event asks the engine for a poll (EngineControl::request_poll,
// coalesced: a burst of deliveries costs one poll per feed; duplicates and reordering are
// harmless because a poll reads the current state). Other events are acknowledged and logged at
// debug. Bodies are capped at kMaxWebhookBody (413 above it, from the listener).
//
// CMS (SaaS): the token configured on the subscription (webhooks.cms.token_file) arrives as
// `Authorization: Bearer <token>` (or the bare token) or as `?token=` in the registered URL,
// compared as a digest in constant time. A publish event asks the pending canonical check about
// the item now (EngineControl::check_published). The verification step (cms_event.hpp) is
// answered with its challenge even without the token (it changes nothing and reveals nothing),
// but a wrong token is refused there too.
//
// Without a configured secret the CMP routes answer 404 like a path that does not exist. No
// response, log line or metric carries a secret: only digests are kept. Every delivery is
// counted by `observe(source, result)` (feedsync_webhook_deliveries_total).

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "net/router.hpp"
#include "ops/engine_control.hpp"

namespace feedsync::ops {

// CMP's publishing events carry whole articles (HTML bodies, image lists): room for large ones,
// far below what would let a sender exhaust memory.
inline constexpr std::size_t kMaxWebhookBody = 4 * 1024 * 1024;

class WebhookApi {
 public:
  using DeliveryObserver = std::function<void(std::string_view source, std::string_view result)>;

  // `engine` must outlive this object and the routes it adds.
  WebhookApi(EngineControl& engine, const config::Config& config, DeliveryObserver observe);
  WebhookApi(const WebhookApi&) = delete;
  WebhookApi& operator=(const WebhookApi&) = delete;

  void add_routes(net::Router& router);
  // The secrets and feed names of a reloaded configuration; the next delivery uses them.
  void configure(const config::Config& config);
  // A delivery the listener refused with 413 before any handler saw it (ServerOptions::
  // on_body_too_large); `route` is the matched route's pattern.
  void body_too_large(const std::string& route);
  bool cmp_enabled() const { return cmp_digest_.has_value(); }
  bool cms_enabled() const { return cms_digest_.has_value(); }

 private:
  struct Impl;  // the handlers (webhook_api.cpp)
  EngineControl& engine_;
  DeliveryObserver observe_;
  std::optional<std::string> cmp_digest_;  // SHA-256 hex of webhooks.cmp secret
  std::optional<std::string> cms_digest_;  // SHA-256 hex of webhooks.cms token
  std::set<std::string, std::less<>> feeds_;
};

// The source label (cmp, cms) of a hook route's pattern; "" for any other route.
std::string_view webhook_source(std::string_view route);

}  // namespace feedsync::ops
