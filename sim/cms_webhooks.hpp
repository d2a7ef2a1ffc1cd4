#pragma once
// The CMS (SaaS) webhooks of the simulator (issue 19), as feedsync assumes them
// (docs/decisions.md): GET {v1}/experimental/webhookdefinitions lists event types
// ({"items":[{"key","name"}]}); POST {v1}/experimental/webhooks creates a subscription from
// {name, endpointUrl, eventTypes, authenticationToken?} (unknown fields ignored), verifies the
// endpoint before answering, and answers 201 with the subscription (its `status` is `active`
// or `verificationFailed`); GET lists them (tokens never shown); DELETE .../{id} removes one.
// Every route needs a CMS token like the content API. An editor's publish
// (POST /_sim/cms/items/{key}:publish) sends {"id","type":"content.published","timestamp",
// "data":{"key","locale","version"}} to every active subscription of content.published, with
// `Authorization: Bearer <authenticationToken>` when it has one.
//
// The verification is one of three plausible handshakes (--cms-webhook-verification, or
// PUT /_sim/cms/webhook-verification): `challenge` POSTs {"type":"webhook.verification",
// "challenge"} and wants the challenge back in a JSON field (challenge or validationResponse)
// or as the plain body; `event-grid` POSTs Azure Event Grid's SubscriptionValidationEvent and
// wants {"validationResponse"}; `none` trusts the endpoint.

#include <boost/json/array.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/cms_sim.hpp"
#include "sim/route_sink.hpp"
#include "sim/webhook_sender.hpp"

namespace feedsync::sim {

const char* to_string(CmsWebhookVerification mode);

class CmsWebhooks : public std::enable_shared_from_this<CmsWebhooks> {
 public:
  CmsWebhooks(CmsSim& cms, WebhookSender& sender, std::string v1_base, CmsWebhookVerification verification);

  // The v1 experimental routes (api "cms"); the object must stay alive (shared_ptr) with them.
  void add_routes(const RouteSink& sink);
  // An item was published by an editor: events to the subscriptions of content.published.
  void published(const std::string& key, const std::string& locale, const std::string& version);

  void set_verification(CmsWebhookVerification mode) { verification_ = mode; }
  CmsWebhookVerification verification() const { return verification_; }
  boost::json::array subscriptions_json() const;
  void clear() { subscriptions_.clear(); }

  struct Subscription {
    std::string id, name, endpoint_url, token, status;
    std::vector<std::string> event_types;
  };

 private:
  friend struct CmsWebhookRoutes;  // the handlers (cms_webhooks.cpp)
  CmsSim& cms_;
  WebhookSender& sender_;
  std::string v1_base_;
  CmsWebhookVerification verification_;
  std::vector<Subscription> subscriptions_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_event_ = 1;
};

}  // namespace feedsync::sim
