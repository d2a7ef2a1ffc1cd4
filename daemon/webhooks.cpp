// `feedsyncd webhooks register-cms --url URL [--dry-run]` (issue 19): subscribes this daemon's
// /hooks/cms to the CMS's publish events through /v1/experimental/webhooks, with the token of
// webhooks.cms.token_file, so an editor's publish reaches the pending canonical check at once.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

#include "cms/cms_transport.hpp"
#include "cms/webhook_subscription.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "engine/clients.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "net/run_on.hpp"

namespace feedsync::daemon {
namespace {

using net::run_on;

// What must hold before anything is sent; the message names the key or option to fix.
std::optional<std::string> refusal(const CliRequest& request, const config::Config& config) {
  if (!config.webhooks.cms.token || config.webhooks.cms.token->empty())
    return "webhooks.cms.token_file (or webhooks.cms.token) is not set in " + config.file.string() +
           ": /hooks/cms would answer 404; set it, reload the daemon, then register";
  if (config.cms.api != config::CmsApi::v1)
    return "cms.api is version2: CMS webhook subscriptions are a v1 API (/v1/experimental/webhooks)";
  const auto url = boost::urls::parse_absolute_uri(request.webhook_url);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty())
    return "--url " + request.webhook_url + " is not an absolute http(s) URL";
  return std::nullopt;
}

}  // namespace

int run_register_cms_webhook(const CliRequest& request, const config::Config& config) {
  if (auto problem = refusal(request, config)) {
    std::cerr << "feedsyncd: webhooks register-cms: " << *problem << "\n";
    return kExitConfig;
  }
  cms::WebhookSubscription subscription;
  subscription.endpoint_url = request.webhook_url;
  subscription.token = config.webhooks.cms.token->reveal();
  if (request.dry_run) {
    subscription.event_types = {"<every publish event type GET /experimental/webhookdefinitions lists>"};
    std::cout << cms::webhook_subscription_curl(config.cms.base_url, subscription) << "\n";
    return kExitOk;
  }
  boost::asio::io_context io;
  SystemClock clock;
  engine::Clients clients(io.get_executor(), config, clock);
  cms::CmsTransport transport(clients.http, clients.tokens,
                              {.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config.cms.timeout)});
  cms::WebhookRegistrar registrar(transport, config.cms.base_url);
  const auto secrets = redacted_values(config);
  auto types = run_on(io, registrar.publish_event_types());
  if (!types) {
    std::cerr << "feedsyncd: webhooks register-cms: " << log::redact(types.error().message, secrets) << "\n";
    return kExitFailure;
  }
  if (types->empty()) {
    std::cerr << "feedsyncd: webhooks register-cms: the CMS offers no publish event type at "
              << cms::cms_url(config.cms.base_url, {"experimental", "webhookdefinitions"}) << "\n";
    return kExitFailure;
  }
  subscription.event_types = std::move(*types);
  auto created = run_on(io, registrar.create(subscription));
  if (!created) {
    std::cerr << "feedsyncd: webhooks register-cms: " << log::redact(created.error().message, secrets) << "\n";
    return kExitFailure;
  }
  std::string events;
  for (const auto& type : subscription.event_types) events += (events.empty() ? "" : ", ") + type;
  std::cout << "CMS webhook subscription created for " << request.webhook_url << " (events: " << events
            << "); the CMS answered: " << log::redact(*created, secrets) << "\n";
  return kExitOk;
}

}  // namespace feedsync::daemon
