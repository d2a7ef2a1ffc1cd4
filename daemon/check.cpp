// `feedsyncd check`: the configuration is valid (load_config threw nothing by the time we are
// here); print what it says so an integrator can see the daemon read it the way they meant.
#include <sys/prctl.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "cms/schema_reader.hpp"
#include "cms/sink_factory.hpp"
#include "cms/token_source.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "core/poll_load.hpp"
#include "engine/clients.hpp"
#include "engine/feed_target.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "net/run_on.hpp"
#include "ops/config_budget.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

// What the feeds ask of the scheduler and the Feed API, and whether the configuration keeps up.
void print_poll_load(std::ostream& out, const config::Config& config) {
  std::vector<FeedLoad> feeds;
  for (const auto& feed : config.feeds) {
    feeds.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(feed.interval),
                     feed.deleted_feed_id ? 2 : 1});
  }
  const int slots = config.engine.max_concurrent_polls;
  const auto load = poll_load(feeds, slots);
  char line[160];
  std::snprintf(line, sizeof line, "%.2f polls/s, %.2f Feed API requests/s in steady state, %d poll slots",
                load.polls_per_second, load.requests_per_second, slots);
  out << "schedule   " << line << "\n";
  for (const auto& warning : poll_load_warnings(load, slots, config.source.rate_limit)) {
    out << "warning: " << warning << "\n";
  }
}

// The state database's articles make the full scans' page counts; `check` must work on a box
// where the daemon never ran (or whose database it may not read), so then they count as 0.
std::optional<store::Store> open_state_for_reading(const config::Config& config, std::string& why_not) {
  if (!std::filesystem::exists(config.state.path)) {
    why_not = "no state database at " + config.state.path.string() + " yet";
    return std::nullopt;
  }
  try {
    return store::Store::open(config.state.path, {.access = store::Access::shared,
                                                  .busy_timeout = config.state.busy_timeout,
                                                  .create_if_missing = false});
  } catch (const std::exception& e) {
    why_not = "the state database cannot be read: " + std::string(e.what());
    return std::nullopt;
  }
}

// What the feeds will ask of each API in 30 days (issue 17), and whether it fits the budget.
void print_request_projection(std::ostream& out, const config::Config& config) {
  std::string why_not;
  const auto store = open_state_for_reading(config, why_not);
  const auto plans = ops::request_plans(config, store ? &*store : nullptr);
  const auto projection = project_monthly_requests(plans, config.source.index_page_size);
  out << "requests   per 30 days in steady state (no article changes):\n";
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& feed = projection.feeds[i];
    out << "  " << feed.name << ": " << ops::request_count(feed.total()) << " Feed API ("
        << ops::request_count(feed.incremental) << " incremental polls, " << ops::request_count(feed.full_scan)
        << " in full scans of " << plans[i].articles_known << " articles";
    if (plans[i].deleted_interval) out << ", " << ops::request_count(feed.deleted_feed) << " Deleted Feed reads";
    out << ")\n";
  }
  out << "requests   total: Feed API " << ops::request_count(projection.feed_api) << ", CMS "
      << ops::request_count(projection.cms) << ", canonical link " << ops::request_count(projection.canonical)
      << " (CMS writes and canonical links follow article changes, whose rate is not known ahead; "
         "fetching changed articles and retries add Feed API requests)\n";
  if (!why_not.empty()) {
    out << "note: articles known counted as 0 (" << why_not << "): full scans counted at one page each\n";
  }
  if (const auto& budget = config.source.monthly_budget) {
    if (auto warning = request_budget_warning(projection.feed_api, *budget)) {
      out << "warning: " << *warning << "\n";
    } else {
      out << "budget     source.monthly_budget " << *budget << ": the Feed API projection fits\n";
    }
  }
}

using net::run_on;

// Every feed's content type, container and locales read from the CMS, and its mapping checked
// against them (issue 16). Problems are configuration errors, printed "file:line:col: ...".
enum class MappingVerdict { ok, unreadable, mismatched };

MappingVerdict check_mappings(boost::asio::io_context& io, engine::Clients& clients, const config::Config& config,
                              const std::vector<std::string>& secrets) {
  const auto options = cms::cms_client_options(config.cms);
  cms::CmsTransport transport(clients.http, clients.tokens, options.transport);
  cms::SchemaReader reader(transport, config.cms.base_url);
  auto verdict = MappingVerdict::ok;
  for (const auto& feed : config.feeds) {
    std::cout << "connect    " << feed.name << " mapping against the CMS: ";
    auto targets = run_on(io, reader.feed_targets(feed));
    if (!targets) {
      std::cout << "FAILED: " << log::redact(targets.error().message, secrets) << "\n";
      verdict = MappingVerdict::unreadable;
      continue;
    }
    const auto mapping = compile_mapping(engine::mapping_spec(feed));  // validated at config load
    const auto problems = cms::check_feed_against_cms(feed, *mapping, *targets);
    if (problems.empty()) {
      std::cout << "ok (content type " << feed.content_type << ", "
                << (targets->content_type->properties_listed
                        ? std::to_string(feed.mapping.properties.size()) + " mapped properties"
                        : std::string("properties not listed by the CMS, so not checked"))
                << ", container, " << targets->locales.size()
                << (targets->locales.size() == 1 ? " locale)\n" : " locales)\n");
      continue;
    }
    std::cout << problems.size() << (problems.size() == 1 ? " problem\n" : " problems\n");
    for (const auto& problem : problems) std::cerr << "error: " << cms::format_problem(problem) << "\n";
    if (verdict == MappingVerdict::ok) verdict = MappingVerdict::mismatched;
  }
  return verdict;
}

// `check --connect`: a CMS token, every feed's mapping against the CMS's content types, and the
// first index page of every feed (Deleted Feeds too), through the same client stack the daemon
// uses. Reads only: nothing is written anywhere. Exit 78 when the mapping does not fit the CMS.
int check_connections(const config::Config& config) {
  boost::asio::io_context io;
  SystemClock clock;
  engine::Clients clients(io.get_executor(), config, clock);
  const auto secrets = redacted_values(config);
  bool ok = true;

  auto token = run_on(io, clients.tokens.token());
  if (token) {
    std::cout << "connect    cms token: ok (from " << config.cms.token_url << ")\n";
  } else {
    ok = false;
    std::cout << "connect    cms token: FAILED: " << log::redact(token.error().message, secrets) << "\n";
  }
  const auto mappings = token ? check_mappings(io, clients, config, secrets) : MappingVerdict::unreadable;
  if (mappings == MappingVerdict::unreadable) ok = false;
  for (const auto& feed : config.feeds) {
    std::vector<std::pair<std::string, std::string>> ids{{"feed", feed.feed_id}};
    if (feed.deleted_feed_id) ids.emplace_back("deleted feed", *feed.deleted_feed_id);
    for (const auto& [what, id] : ids) {
      // At most two pages: a short first page is followed by one more read, which tells a
      // server-side page cap from the end of the feed (issue 17).
      auto page = run_on(io, clients.feeds.probe(id));
      std::cout << "connect    " << feed.name << " " << what << ": ";
      if (page) {
        std::cout << "ok (" << page->entries.size() << " entries in " << page->requests
                  << (page->requests == 1 ? " page" : " pages")
                  << (page->rejected.empty() ? "" : ", " + std::to_string(page->rejected.size()) + " rejected")
                  << (page->complete ? ", the whole feed" : "") << ")\n";
        for (const auto& note : page->shape.notes(config.source.index_page_size))
          std::cout << "connect    " << feed.name << " " << what << ": note: " << note << "\n";
      } else {
        ok = false;
        std::cout << "FAILED: " << log::redact(page.error().message, secrets) << "\n";
      }
    }
  }
  if (!ok) return kExitFailure;
  return mappings == MappingVerdict::mismatched ? kExitConfig : kExitOk;
}

}  // namespace

int run_check(const CliRequest& request, const config::Config& config) {
  auto& out = std::cout;
  out << "configuration " << config.file.string() << ": ok\n";
  for (const auto& warning : config.warnings) out << "warning: " << warning << "\n";
  out << "state      " << config.state.path.string() << "\n";
  out << "http       " << config.http.listen
      << (config.http.admin_token ? " (admin API enabled)" : " (admin API disabled: no token)")
      << "\n";
  out << "webhooks   cmp "
      << (config.webhooks.cmp.secret ? "on (secret from " + config.webhooks.cmp.secret->origin() + ", coalesce " +
                                           format_duration(config.webhooks.cmp.coalesce) + ")"
                                     : std::string("off"))
      << ", cms "
      << (config.webhooks.cms.token ? "on (token from " + config.webhooks.cms.token->origin() + ")" : std::string("off"))
      << (config.http.webhook_listen
              ? ", served on " + *config.http.webhook_listen + (config.http.webhook_tls_cert_file ? " (TLS)" : "")
              : std::string(", served on http.listen"))
      << "\n";
  out << "source     " << config.source.base_url << " (rate " << format_rate(config.source.rate_limit)
      << ", timeout " << format_duration(config.source.timeout) << ")\n";
  out << "cms        " << (config.cms.api == config::CmsApi::v1 ? "v1 " : "version2 ")
      << config.cms.base_url << " (token " << config.cms.token_url << ", client " << config.cms.client_id
      << ", secret from "
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
        << ", publish " << config::to_string(feed.publish) << ", delete " << config::to_string(feed.delete_mode)
        << " (guard: min " << feed.delete_guard.min << ", ratio " << feed.delete_guard.ratio
        << "), route segment " << config::to_string(feed.route_segment) << ", "
        << feed.mapping.properties.size() << " mapped properties\n";
  }
  print_poll_load(out, config);
  print_request_projection(out, config);
  out << "process    core dumps "
      << (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1 ? "allowed (FEEDSYNC_ALLOW_CORE_DUMPS=1): a core file holds the secrets"
                                                     : "off: secrets never reach a core file")
      << "\n";
  return request.connect ? check_connections(config) : kExitOk;
}

}  // namespace feedsync::daemon
