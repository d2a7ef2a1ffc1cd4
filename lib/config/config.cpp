#include "config/config.hpp"

namespace feedsync::config {

const FeedConfig* Config::find_feed(std::string_view name) const {
  for (const auto& feed : feeds) {
    if (feed.name == name) return &feed;
  }
  return nullptr;
}

std::optional<std::string> FeedConfig::scheduled_publish_at() const {
  if (!schedule || !mapping.publish_at) return std::nullopt;
  return mapping.publish_at->text;
}

std::vector<std::string> Config::secret_values() const {
  std::vector<std::string> values;
  if (!cms.client_secret.empty()) values.push_back(cms.client_secret.reveal());
  if (http.admin_token && !http.admin_token->empty()) values.push_back(http.admin_token->reveal());
  for (const auto* secret : {&webhooks.cmp.secret, &webhooks.cms.token})
    if (*secret && !(*secret)->empty()) values.push_back((*secret)->reveal());
  return values;
}

}  // namespace feedsync::config
