// `feedsyncd audit --repair` and `--rebuild-state` (issue 22); see audit.cpp.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include <boost/asio/io_context.hpp>

#include "cms/audit_reader.hpp"
#include "cms/dialect.hpp"
#include "cms/sink_factory.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "core/mapping.hpp"
#include "engine/audit.hpp"
#include "engine/clients.hpp"
#include "engine/drift_repair.hpp"
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

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

using net::run_on;

// Runs `once` for the articles marked to be written again; its report goes to `out`.
int write_marked(const CliRequest& request, const config::Config& config, std::ostream& out, int marked) {
  CliRequest once = request;
  once.command = Command::once;
  auto* saved = std::cout.rdbuf(out.rdbuf());
  int status = kExitOk;
  try {
    status = run_once(once, config);
  } catch (const store::LockedError&) {
    std::cout.rdbuf(saved);
    out << "a running feedsyncd holds " << config.state.path.string() << ": it writes the " << marked
        << " marked articles at each feed's next poll (a full scan)\n";
    return kExitOk;
  }
  std::cout.rdbuf(saved);
  return status;
}

}  // namespace

int repair_drift(asio::io_context& io, cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store,
                 const std::vector<engine::FeedAudit>& audits, const CliRequest& request, const config::Config& config) {
  std::ostream& out = request.output == OutputFormat::json ? std::cerr : std::cout;
  SystemClock clock;
  engine::DriftRepair repair(reader, sink, store, config, clock,
                             [&out](const std::string& line) { out << line << "\n"; });
  const auto counts = run_on(io, repair.run(audits));
  out << "repair: " << counts.undeleted << " restored, " << counts.moved_back << " moved back, " << counts.rewritten
      << " to write again, " << counts.adopted << " orphans adopted, " << counts.kept
      << " editors' versions left live, " << counts.failed << " failed\n";
  int status = kExitOk;
  if (counts.marked() > 0) status = write_marked(request, config, out, counts.marked());
  bool incomplete = false;
  for (const auto& audit : audits) incomplete = incomplete || audit.error.has_value();
  if (counts.failed > 0 || incomplete) return kExitFailure;
  return status;
}

namespace {

// The feeds' articles the store already has: --rebuild-state only fills an empty database.
std::optional<std::string> refuse_rebuild(const store::Store& store, const config::Config& config) {
  for (const auto& feed : config.feeds) {
    const auto counts = store.article_counts(feed.name);
    if (counts.active + counts.deleted > 0)
      return "the state database " + config.state.path.string() + " already knows " +
             std::to_string(counts.active + counts.deleted) + " articles of feed " + feed.name +
             "; --rebuild-state only fills an empty or lost one (move it aside first)";
  }
  return std::nullopt;
}

}  // namespace

int rebuild_state(const CliRequest& request, const config::Config& config) {
  for (const auto& warning : config.warnings) log::warn(warning);
  auto store = store::Store::open(config.state.path,
                                  {.access = store::Access::exclusive, .busy_timeout = config.state.busy_timeout});
  for (const auto& feed : config.feeds) store.ensure_feed(feed.name, feed.feed_id);
  if (auto refusal = refuse_rebuild(store, config)) {
    std::cerr << "feedsyncd audit --rebuild-state: " << *refusal << "\n";
    return kExitFailure;
  }
  asio::io_context io;
  SystemClock clock;
  engine::Clients clients(io.get_executor(), config, clock);
  auto dialect = config.cms.api == config::CmsApi::v1 ? cms::make_v1_dialect(config.cms.base_url)
                                                      : cms::make_flat_dialect(config.cms.base_url);
  cms::CmsTransport transport(clients.http, clients.tokens, cms::cms_client_options(config.cms).transport);
  cms::AuditReader reader(*dialect, transport, 100);
  engine::PollCycle cycle(clients.feeds, store, clock);
  bool ok = true;
  for (const auto& feed : config.feeds) {
    if (request.feed && feed.name != *request.feed) continue;
    auto mapping = compile_mapping(engine::mapping_spec(feed));  // validated at config load
    engine::CycleOptions options;
    options.force_full_scan = true;
    options.read_deleted_feed_now = true;
    auto polled = run_on(io, cycle.run(feed, std::move(*mapping), options));
    if (!polled) {
      ok = false;
      std::cout << "feed " << feed.name << ": poll failed: " << log::redact(polled.error().message, redacted_values(config))
                << "\n";
      continue;
    }
    std::cout << "feed " << feed.name << ": " << polled->seen << " articles in the feed\n";
  }
  std::map<std::string, std::vector<store::OutboxOp>> by_feed;
  for (auto& op : store.claim_due(now_ms(), 1'000'000)) by_feed[op.feed].push_back(std::move(op));
  for (auto& [name, ops] : by_feed) {
    const auto* feed = config.find_feed(name);
    // What CMP has: the entries' customer_canonical_link (one more read of the feed's pages).
    std::vector<std::string> guids;
    for (const auto& op : ops) guids.push_back(op.guid);
    auto fetched = run_on(io, clients.feeds.fetch(feed->feed_id, std::move(guids)));
    if (!fetched) {
      // Without them every live article would have its link posted again: adopt nothing.
      ok = false;
      for (const auto& op : ops) store.retry_later(op.id, now_ms(), "audit --rebuild-state: feed read failed");
      std::cout << "feed " << name << ": reading the canonical links CMP has failed: "
                << log::redact(fetched.error().message, redacted_values(config))
                << "; nothing adopted: move the database aside and run --rebuild-state again\n";
      continue;
    }
    auto links = engine::canonical_links(fetched->entries);
    auto report = run_on(io, engine::adopt_queued(*feed, config.canonical, std::move(ops), std::move(links), store,
                                                  reader, now_ms()));
    std::cout << "feed " << name << ": " << report.adopted << " adopted from the CMS, " << report.left
              << " left for the next once/run to write, " << report.canonical_queued
              << " canonical links CMP lacks queued\n";
    for (const auto& note : report.left_notes) std::cout << "  " << note << "\n";
    if (!report.error.empty()) {
      ok = false;
      std::cout << "feed " << name << ": " << report.error << "\n";
    }
  }
  std::cout << "cms requests: " << reader.requests() << " (reads only; nothing written)\n";
  return ok ? kExitOk : kExitFailure;
}

}  // namespace feedsync::daemon
