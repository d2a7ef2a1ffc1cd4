#include "config/known_keys.hpp"

#include <stdexcept>
#include <string>

namespace feedsync::config {

const std::vector<KnownKeys>& known_keys() {
  static const std::vector<KnownKeys> keys = {
      {"", {"state", "log", "http", "source", "cms", "canonical", "engine", "webhooks", "feeds"}},
      {"state", {"path", "busy_timeout"}},
      {"log", {"level", "format"}},
      {"http", {"listen", "admin_token", "admin_token_file", "webhook_listen", "webhook_tls_cert_file",
                "webhook_tls_key_file"}},
      {"source", {"base_url", "page_size", "index_page_size", "timeout", "rate_limit", "monthly_budget", "headers"}},
      {"cms",
       {"api", "base_url", "token_url", "client_id", "client_secret", "client_secret_file", "act_as",
        "rate_limit", "max_in_flight", "timeout", "verify_writes", "token_request", "articles_in_several_feeds", "token_refresh_skew", "on_cms_edit",
        "key_namespace"}},
      {"canonical", {"enabled", "endpoint", "url_template", "pending_check_interval"}},
      {"webhooks", {"cmp", "cms"}},
      {"webhooks.cmp", {"secret", "secret_file", "coalesce"}},
      {"webhooks.cms", {"token", "token_file"}},
      {"engine", {"max_concurrent_polls", "max_poll_backoff", "max_retry_backoff", "shutdown_timeout", "audit_interval"}},
      {"feeds[]",
       {"name", "feed_id", "deleted_feed_id", "interval", "full_scan_interval", "deleted_interval", "overlap",
        "content_type", "container", "locale", "locale_map", "publish", "schedule", "delete",
        "delete_guard", "route_segment", "translations", "mapping"}},
      {"feeds[].delete_guard", {"min", "ratio"}},
      {"feeds[].mapping", {"displayName", "routeSegment", "properties", "publishAt"}},
  };
  return keys;
}

const std::vector<std::string_view>& known_keys(std::string_view path) {
  for (const auto& entry : known_keys()) {
    if (entry.path == path) return entry.keys;
  }
  throw std::out_of_range("no configuration mapping \"" + std::string(path) + "\"");
}

const std::vector<std::string_view>& free_form_maps() {
  static const std::vector<std::string_view> maps = {"source.headers", "feeds[].locale_map",
                                                     "feeds[].mapping.properties"};
  return maps;
}

}  // namespace feedsync::config
