#pragma once
// `feedsyncd webhooks register-cms` (issue 19): a CMS (SaaS) webhook subscription that sends
// publish events to feedsync's /hooks/cms. The CMS lists the event types it offers at
// GET /v1/experimental/webhookdefinitions and creates subscriptions at
// POST /v1/experimental/webhooks; both are experimental, and their bodies are read and written
// defensively (docs/decisions.md): every publish-like event type offered is subscribed, and the
// subscription carries the endpoint URL and the authentication token under the names the CMS
// UI uses ("Endpoint URL", "Authentication Token"). Unknown request fields are ignored by the
// CMS, so spelling variants cost nothing.

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "cms/cms_transport.hpp"
#include "core/expected.hpp"

namespace feedsync::cms {

struct WebhookSubscription {
  std::string name = "feedsync";
  std::string description = "feedsync: canonical links for articles published in the CMS";
  std::string endpoint_url;  // https://.../hooks/cms
  std::string token;         // webhooks.cms.token: sent back with every event
  std::vector<std::string> event_types;
};

// The event types of a webhookdefinitions answer (a JSON array, or an object with `items` /
// `value` / `data` holding one) whose name says publish but not unpublish. An item is a string
// or an object named by its first string field among key, name, eventType, type, id.
Expected<std::vector<std::string>, std::string> publish_event_types(std::string_view definitions_json);

// The POST body creating `subscription`.
std::string webhook_subscription_body(const WebhookSubscription& subscription);

// The same request as a curl command line for docs and --dry-run, with the access token and the
// webhook token left as shell variables ($CMS_TOKEN, $CMS_WEBHOOK_TOKEN).
std::string webhook_subscription_curl(std::string_view base_url, const WebhookSubscription& subscription);

class WebhookRegistrar {
 public:
  // `transport` must outlive the calls. `base_url` is cms.base_url (…/v1).
  WebhookRegistrar(CmsTransport& transport, std::string base_url) : transport_(transport), base_url_(std::move(base_url)) {}

  boost::asio::awaitable<Expected<std::vector<std::string>, CmsError>> publish_event_types();
  // Creates the subscription; the CMS's answer body (its id and state) on success.
  boost::asio::awaitable<Expected<std::string, CmsError>> create(WebhookSubscription subscription);

 private:
  CmsTransport& transport_;
  std::string base_url_;
};

}  // namespace feedsync::cms
