// `feedsyncd audit [--feed F] [--repair | --rebuild-state] [-o json]` (issue 22): the CMS read
// back and compared with what the state store says feedsync wrote (lib/engine/audit.hpp), drift
// reported per article, --repair fixing it per cms.on_cms_edit, --rebuild-state filling an empty
// database from the feeds and the CMS (lib/engine/rebuild_state.hpp). Exit 0 only when clean
// (audit) or when every fix was made (--repair, --rebuild-state); 3 (kExitDrift) for drift.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cms/audit_reader.hpp"
#include "cms/dialect.hpp"
#include "cms/sink_factory.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "core/mapping.hpp"
#include "engine/audit.hpp"
#include "engine/clients.hpp"
#include "engine/feed_target.hpp"
#include "engine/poll_cycle.hpp"
#include "engine/rebuild_state.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "net/run_on.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kPageSize = 100;

using net::run_on;

std::unique_ptr<cms::CmsDialect> make_dialect(const config::Config& config) {
  return config.cms.api == config::CmsApi::v1 ? cms::make_v1_dialect(config.cms.base_url)
                                              : cms::make_flat_dialect(config.cms.base_url);
}

// The CMS side of an audit: the daemon's client stack, a transport and the reader over it.
struct CmsReads {
  CmsReads(asio::io_context& io, const config::Config& config)
      : clients(io.get_executor(), config, clock),
        dialect(make_dialect(config)),
        transport(clients.http, clients.tokens, cms::cms_client_options(config.cms).transport),
        reader(*dialect, transport, kPageSize) {}
  SystemClock clock;
  engine::Clients clients;
  std::unique_ptr<cms::CmsDialect> dialect;
  cms::CmsTransport transport;
  cms::AuditReader reader;
};

std::vector<const config::FeedConfig*> selected_feeds(const CliRequest& request, const config::Config& config) {
  std::vector<const config::FeedConfig*> out;
  for (const auto& feed : config.feeds)
    if (!request.feed || feed.name == *request.feed) out.push_back(&feed);
  return out;
}

// "audit feed blog: 120/500" on a terminal.
engine::AuditProgress progress_for(const std::string& feed, bool tty) {
  if (!tty) return {};
  return [feed](std::size_t done, std::size_t total) {
    if (done % 25 != 0 && done != total) return;
    std::cerr << "\r\033[Kaudit feed " << feed << ": " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\r\033[K" << std::flush;
  };
}

constexpr engine::AuditResult kResults[] = {engine::AuditResult::ok,     engine::AuditResult::missing,
                                           engine::AuditResult::deleted, engine::AuditResult::edited,
                                           engine::AuditResult::unpublished, engine::AuditResult::moved};

void print_text(const std::vector<engine::FeedAudit>& audits, std::int64_t requests) {
  std::printf("%-20s %7s %7s %7s %7s %11s %7s %7s %7s\n", "FEED", "OK", "MISSING", "DELETED", "EDITED",
              "UNPUBLISHED", "MOVED", "ORPHANS", "SKIPPED");
  for (const auto& a : audits) {
    const auto& t = a.tally;
    std::printf("%-20s %7lld %7lld %7lld %7lld %11lld %7lld %7lld %7lld\n", a.feed.c_str(),
                static_cast<long long>(t.of(engine::AuditResult::ok)),
                static_cast<long long>(t.of(engine::AuditResult::missing)),
                static_cast<long long>(t.of(engine::AuditResult::deleted)),
                static_cast<long long>(t.of(engine::AuditResult::edited)),
                static_cast<long long>(t.of(engine::AuditResult::unpublished)),
                static_cast<long long>(t.of(engine::AuditResult::moved)), static_cast<long long>(t.orphans),
                static_cast<long long>(t.skipped));
  }
  std::fflush(stdout);
  for (const auto& a : audits) {
    if (a.error) std::cout << "feed " << a.feed << ": audit incomplete: " << *a.error << "\n";
    for (const auto& f : a.findings) {
      if (f.result == engine::AuditResult::ok) continue;
      std::cout << a.feed << "  " << engine::to_string(f.result) << "  guid " << f.guid << "  key " << f.key << "  "
                << f.detail << "\n";
    }
    for (const auto& o : a.orphans) {
      std::cout << a.feed << "  orphan  guid " << o.guid << "  key " << o.key << "  "
                << (o.adoptable ? "feedsync's key for this guid (--repair adopts it)" : "not feedsync's key for this guid")
                << "\n";
    }
    if (a.orphan_note) std::cout << "feed " << a.feed << ": orphans not looked for: " << *a.orphan_note << "\n";
  }
  std::cout << "cms requests: " << requests << "\n";
}

json::object tally_json(const engine::AuditTally& tally) {
  json::object counts;
  for (auto result : kResults) counts[engine::to_string(result)] = tally.of(result);
  counts["orphans"] = tally.orphans;
  counts["skipped"] = tally.skipped;
  return counts;
}

json::object audit_json(const engine::FeedAudit& a) {
  json::array drift;
  for (const auto& f : a.findings) {
    if (f.result == engine::AuditResult::ok) continue;
    drift.push_back(json::object{{"guid", f.guid}, {"key", f.key}, {"result", engine::to_string(f.result)},
                                 {"detail", f.detail}});
  }
  json::array orphans;
  for (const auto& o : a.orphans) {
    orphans.push_back(json::object{{"guid", o.guid}, {"key", o.key}, {"adoptable", o.adoptable},
                                   {"version", o.version ? json::value(*o.version) : json::value(nullptr)}});
  }
  json::object out{{"feed", a.feed},   {"clean", a.clean()},          {"counts", tally_json(a.tally)},
                   {"drift", drift},   {"orphans", std::move(orphans)}};
  out["error"] = a.error ? json::value(*a.error) : json::value(nullptr);
  out["orphans_not_looked_for"] = a.orphan_note ? json::value(*a.orphan_note) : json::value(nullptr);
  return out;
}

bool all_clean(const std::vector<engine::FeedAudit>& audits) {
  for (const auto& a : audits)
    if (!a.clean()) return false;
  return true;
}

bool any_error(const std::vector<engine::FeedAudit>& audits) {
  for (const auto& a : audits)
    if (a.error) return true;
  return false;
}

std::vector<engine::FeedAudit> audit_feeds(asio::io_context& io, CmsReads& cms, store::Store& store,
                                           const std::vector<const config::FeedConfig*>& feeds,
                                           const config::Config& config) {
  std::set<std::string> known_keys;
  for (const auto& feed : config.feeds)
    for (const auto& row : store.articles(feed.name)) known_keys.insert(row.cms_key);
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::vector<engine::FeedAudit> audits;
  for (const auto* feed : feeds) {
    store.ensure_feed(feed->name, feed->feed_id);
    audits.push_back(run_on(io, engine::audit_feed(*feed, store.articles(feed->name), known_keys, cms.reader,
                                                   progress_for(feed->name, tty))));
  }
  return audits;
}

}  // namespace

// audit_repair.cpp
int repair_drift(asio::io_context& io, cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store,
                 const std::vector<engine::FeedAudit>& audits, const CliRequest& request, const config::Config& config);
int rebuild_state(const CliRequest& request, const config::Config& config);

int run_audit(const CliRequest& request, const config::Config& config) {
  if (request.repair && request.rebuild_state) {
    std::cerr << "feedsyncd audit: --repair and --rebuild-state do not go together: rebuild first, then audit\n";
    return kExitUsage;
  }
  const auto feeds = selected_feeds(request, config);
  if (feeds.empty()) {
    std::cerr << "feedsyncd: feed \"" << *request.feed << "\" is not in " << config.file.string() << "\n";
    return kExitUsage;
  }
  if (request.rebuild_state) return rebuild_state(request, config);
  if (!std::filesystem::exists(config.state.path)) {
    std::cerr << "feedsyncd audit: no state database at " << config.state.path.string()
              << ": nothing to compare (feedsyncd audit --rebuild-state builds it from the feeds and the CMS)\n";
    return kExitFailure;
  }
  auto store = store::Store::open(config.state.path, {.access = store::Access::shared,
                                                      .busy_timeout = config.state.busy_timeout,
                                                      .create_if_missing = false});
  asio::io_context io;
  CmsReads cms(io, config);
  const auto audits = audit_feeds(io, cms, store, feeds, config);
  if (request.output == OutputFormat::json) {
    json::array list;
    for (const auto& a : audits) list.push_back(audit_json(a));
    json::object out{{"feeds", std::move(list)}, {"clean", all_clean(audits)}, {"cms_requests", cms.reader.requests()}};
    std::cout << json::serialize(out) << "\n";
  } else {
    print_text(audits, cms.reader.requests());
  }
  if (request.repair) return repair_drift(io, cms.reader, *cms.clients.sink, store, audits, request, config);
  if (any_error(audits)) return kExitFailure;
  return all_clean(audits) ? kExitOk : kExitDrift;
}

}  // namespace feedsync::daemon
