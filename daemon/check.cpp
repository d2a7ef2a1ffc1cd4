// `feedsyncd check`: the configuration is valid (load_config threw nothing by the time we are
// here); print what it says so an integrator can see the daemon read it the way they meant.
#include <iostream>

#include "commands.hpp"
#include "config/config.hpp"
#include "exit_codes.hpp"

namespace feedsync::daemon {
namespace {

const char* name_of(config::PublishMode mode) {
  switch (mode) {
    case config::PublishMode::immediate: return "immediate";
    case config::PublishMode::draft: return "draft";
    case config::PublishMode::ready: return "ready";
  }
  return "?";
}

const char* name_of(config::DeleteMode mode) {
  switch (mode) {
    case config::DeleteMode::soft: return "soft";
    case config::DeleteMode::permanent: return "permanent";
    case config::DeleteMode::keep: return "keep";
  }
  return "?";
}

}  // namespace

int run_check(const CliRequest& request, const config::Config& config) {
  if (request.connect) {
    std::cerr << "feedsyncd: check --connect is not available yet: it arrives with the HTTP "
                 "client and the CMS client; the configuration itself is valid\n";
    return kExitUnavailable;
  }
  auto& out = std::cout;
  out << "configuration " << config.file.string() << ": ok\n";
  for (const auto& warning : config.warnings) out << "warning: " << warning << "\n";
  out << "state      " << config.state.path.string() << "\n";
  out << "http       " << config.http.listen
      << (config.http.admin_token ? " (admin API enabled)" : " (admin API disabled: no token)")
      << "\n";
  out << "source     " << config.source.base_url << " (rate " << format_rate(config.source.rate_limit)
      << ", timeout " << format_duration(config.source.timeout) << ")\n";
  out << "cms        " << (config.cms.api == config::CmsApi::v1 ? "v1 " : "version2 ")
      << config.cms.base_url << " (client " << config.cms.client_id << ", secret from "
      << config.cms.client_secret.origin() << ", rate " << format_rate(config.cms.rate_limit)
      << ", " << config.cms.max_in_flight << " in flight)\n";
  out << "canonical  "
      << (config.canonical.enabled ? config.canonical.endpoint + " -> " + config.canonical.url_template
                                   : std::string("disabled"))
      << "\n";
  out << "feeds      " << config.feeds.size() << "\n";
  for (const auto& feed : config.feeds) {
    out << "  " << feed.name << ": feed " << feed.feed_id;
    if (feed.deleted_feed_id) out << ", deleted feed " << *feed.deleted_feed_id;
    out << ", every " << format_duration(feed.interval) << ", full scan every "
        << format_duration(feed.full_scan_interval) << "\n";
    out << "    -> " << feed.content_type << " in " << feed.container << ", locale "
        << (feed.locale ? *feed.locale : "by lang_code (" + std::to_string(feed.locale_map.size()) + " mapped)")
        << ", publish " << name_of(feed.publish) << ", delete " << name_of(feed.delete_mode)
        << " (guard: min " << feed.delete_guard.min << ", ratio " << feed.delete_guard.ratio
        << "), " << feed.mapping.properties.size() << " mapped properties\n";
  }
  return kExitOk;
}

}  // namespace feedsync::daemon
