// Dispatch and the small commands that read or nudge the state store next to a running daemon.
#include "commands.hpp"

#include <sys/prctl.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "config/config.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "ops/config_budget.hpp"
#include "ops/status.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

store::Store open_shared(const config::Config& config, bool create_if_missing) {
  return store::Store::open(config.state.path, {.access = store::Access::shared,
                                                .busy_timeout = config.state.busy_timeout,
                                                .create_if_missing = create_if_missing});
}

// Commands that name a feed must name one the configuration knows: a typo must not create
// state for a feed that does not exist.
const config::FeedConfig* require_feed(const config::Config& config, const std::string& name) {
  if (const auto* feed = config.find_feed(name)) return feed;
  std::string known;
  for (const auto& feed : config.feeds) known += (known.empty() ? "" : ", ") + feed.name;
  std::cerr << "feedsyncd: feed \"" << name << "\" is not in " << config.file.string()
            << " (feeds: " << known << ")\n";
  return nullptr;
}

// Said after commands that change what a running daemon does through the store.
const char* kPickedUp = "a running feedsyncd picks this up at the feed's next poll";

int run_resync(const CliRequest& request, const config::Config& config) {
  const auto* feed = require_feed(config, *request.feed);
  if (!feed) return kExitUsage;
  auto store = open_shared(config, /*create_if_missing=*/true);
  store.ensure_feed(feed->name, feed->feed_id);
  std::optional<std::string_view> guid;
  if (request.guid) guid = *request.guid;
  const std::size_t marked = store.request_resync(feed->name, guid, now_ms());
  if (request.guid && marked == 0) {
    std::cerr << "feedsyncd: feed " << feed->name << " has no active article with guid \"" << *request.guid
              << "\" in " << config.state.path.string() << "\n";
    return kExitFailure;
  }
  std::cout << "feed " << feed->name << ": " << marked << " article" << (marked == 1 ? "" : "s")
            << " marked for a re-push at the next full scan (" << kPickedUp << "; or run feedsyncd once)\n";
  return kExitOk;
}

int run_approve_deletes(const CliRequest& request, const config::Config& config) {
  const auto* feed = require_feed(config, *request.feed);
  if (!feed) return kExitUsage;
  auto store = open_shared(config, /*create_if_missing=*/true);
  store.ensure_feed(feed->name, feed->feed_id);
  const auto row = store.feed(feed->name);
  store.set_deletes_approved(feed->name, true);
  if (row && row->held_deletes > 0) {
    std::cout << "feed " << feed->name << ": approved " << row->held_deletes << " held deletion"
              << (row->held_deletes == 1 ? "" : "s") << " (" << row->held_reason.value_or("") << "); the next poll,"
              << " a confirming full scan, carries out what is still missing (" << kPickedUp << ")\n";
  } else {
    std::cout << "feed " << feed->name << ": no deletions are held now; the approval covers the next poll's"
              << " full scan only\n";
  }
  return kExitOk;
}

int run_pause(const CliRequest& request, const config::Config& config, bool paused) {
  const auto* feed = require_feed(config, *request.feed);
  if (!feed) return kExitUsage;
  auto store = open_shared(config, /*create_if_missing=*/true);
  store.ensure_feed(feed->name, feed->feed_id);
  store.set_paused(feed->name, paused);
  std::cout << "feed " << feed->name << (paused ? " paused" : " resumed")
            << " (recorded in " << config.state.path.string() << ")\n";
  return kExitOk;
}

int run_retry(const CliRequest& request, const config::Config& config) {
  if (request.feed && !require_feed(config, *request.feed)) return kExitUsage;
  if (!std::filesystem::exists(config.state.path)) {
    std::cout << "nothing to retry: " << config.state.path.string() << " does not exist yet\n";
    return kExitOk;
  }
  auto store = open_shared(config, /*create_if_missing=*/false);
  std::optional<std::string_view> feed, guid;
  if (request.feed) feed = *request.feed;
  if (request.guid) guid = *request.guid;
  const std::size_t count = store.requeue_dead(feed, guid, now_ms());
  std::cout << "re-queued " << count << " dead-lettered operation" << (count == 1 ? "" : "s")
            << "\n";
  return kExitOk;
}

int run_command(const CliRequest& request, const config::Config& config) {
  switch (request.command) {
    case Command::run: return run_daemon(request, config);
    case Command::check: return run_check(request, config);
    case Command::status: return run_status(request, config);
    case Command::backup: return run_backup(request, config);
    case Command::pause: return run_pause(request, config, true);
    case Command::resume: return run_pause(request, config, false);
    case Command::retry: return run_retry(request, config);
    case Command::once: return run_once(request, config);
    case Command::plan: return run_plan(request, config);
    case Command::resync: return run_resync(request, config);
    case Command::approve_deletes: return run_approve_deletes(request, config);
    case Command::audit: return run_audit(request, config);
    case Command::webhooks_register_cms: return run_register_cms_webhook(request, config);
  }
  return kExitUsage;
}

}  // namespace

void configure_logging(const config::Config& config) {
  auto level = log::parse_level(config.log.level).value_or(log::Level::info);
  log::configure({.level = level,
                  .format = config.log.format == config::LogFormat::json ? log::Format::json
                                                                          : log::Format::text,
                  .journal = log::stderr_is_journal()});
}

std::vector<std::string> redacted_values(const config::Config& config) {
  // Feed ids are secrets too: the Feed API has no auth, whoever knows an id reads the feed
  // (api-notes.md). Logs name feeds by their configured name instead.
  auto secrets = config.secret_values();
  for (const auto& feed : config.feeds) {
    secrets.push_back(feed.feed_id);
    if (feed.deleted_feed_id) secrets.push_back(*feed.deleted_feed_id);
  }
  return secrets;
}

int run_status(const CliRequest& request, const config::Config& config) {
  // status never creates the database: on a box where the daemon has not run, it reports every
  // configured feed as never polled.
  std::optional<store::Store> store;
  if (std::filesystem::exists(config.state.path)) store = open_shared(config, false);
  // Staleness by the intervals the daemon polls at: stretched to source.monthly_budget like `run`.
  const auto polled = ops::fit_to_request_budget(config, store ? &*store : nullptr).config;
  const auto report = ops::build_status(polled, store ? &*store : nullptr, now_ms());
  std::cout << (request.output == OutputFormat::json ? ops::render_status_json(report)
                                                     : ops::render_status_text(report));
  return kExitOk;
}

int run_backup(const CliRequest& request, const config::Config& config) {
  auto store = open_shared(config, /*create_if_missing=*/false);
  store.backup(request.backup_path);
  std::cout << "backup of " << config.state.path.string() << " written to " << request.backup_path
            << "\n";
  return kExitOk;
}

// The CMS client secret and the admin token live in this process's memory, so a core dump would
// hold them in clear (issue 15): the process is made non-dumpable (which also keeps other users'
// debuggers out) before the configuration is read. FEEDSYNC_ALLOW_CORE_DUMPS=1 keeps core dumps,
// for debugging a crash on a machine whose core files are protected.
void keep_secrets_out_of_core_dumps() {
  const char* allow = std::getenv("FEEDSYNC_ALLOW_CORE_DUMPS");
  if (allow != nullptr && std::string_view(allow) == "1") return;
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    log::warn("cannot disable core dumps; a core file would hold the configured secrets",
              {{"error", std::strerror(errno)}});
  }
}

int dispatch(const CliRequest& request) {
  keep_secrets_out_of_core_dumps();
  config::Config config;
  try {
    config = config::load_config(request.config_path);
  } catch (const config::ConfigError& e) {
    std::cerr << "feedsyncd: " << e.what() << "\n";
    return kExitConfig;
  }
  configure_logging(config);
  log::set_secrets(redacted_values(config));

  try {
    return run_command(request, config);
  } catch (const store::StoreError& e) {
    // LockedError and CorruptError carry the whole story (holder pid, recovery steps).
    log::error(e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    log::error(std::string("unexpected error: ") + e.what());
    return kExitFailure;
  }
}

}  // namespace feedsync::daemon
