// `feedsyncd audit --repair` and `--rebuild-state` (issue 22); see audit.cpp.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

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
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

namespace asio = boost::asio;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  io.run();
  io.restart();
  return future.get();
}

struct RepairCounts {
  int undeleted = 0, moved_back = 0, rewritten = 0, kept = 0, adopted = 0, failed = 0;
};

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

// The relay writes no CMP change over the editor's version (ArticleRow::cms_edit_kept).
void keep_edit(store::Store& store, const config::FeedConfig& feed, const engine::AuditFinding& f) {
  auto row = store.article(feed.name, f.guid);
  if (!row) return;
  row->cms_edit_kept = f.published_version.value_or("unknown");
  row->updated_at = now_ms();
  store.upsert_article(*row);
}

void repair_finding(asio::io_context& io, cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store,
                    const config::FeedConfig& feed, const engine::AuditFinding& f, config::OnCmsEdit policy,
                    RepairCounts& counts, std::ostream& out) {
  const auto action = engine::repair_action(f.result, policy);
  const std::string what = feed.name + "  " + std::string(engine::to_string(f.result)) + "  guid " + f.guid + ": ";
  switch (action) {
    case engine::RepairAction::none:
      if (f.result != engine::AuditResult::edited) return;
      ++counts.kept;
      keep_edit(store, feed, f);
      out << what << "editor's version left live (cms.on_cms_edit: keep); CMP changes are not written over it"
          << " until feedsyncd resync " << feed.name << " " << f.guid << "\n";
      log::warn("an editor's published version is left live (cms.on_cms_edit: keep)",
                {{"feed", feed.name}, {"guid", f.guid}, {"cms_key", f.key}, {"detail", f.detail}});
      return;
    case engine::RepairAction::undelete: {
      auto done = run_on(io, sink.undelete(cms::ArticleRef{feed.name, f.guid, f.key}));
      if (done) {
        ++counts.undeleted;
        store.append_journal(now_ms(), feed.name, f.guid, store::JournalAction::undeleted, "audit --repair: key " + f.key);
        out << what << "restored\n";
        return;
      }
      ++counts.failed;
      out << what << "restore failed: " << done.error().message << "\n";
      return;
    }
    case engine::RepairAction::move_back: {
      auto done = run_on(io, reader.move(f.key, feed.container));
      if (done && *done) {
        ++counts.moved_back;
        out << what << "moved back to container " << feed.container << "\n";
        return;
      }
      ++counts.failed;
      out << what << "move back failed: " << (done ? std::string("the item is gone (404)") : done.error().message) << "\n";
      return;
    }
    case engine::RepairAction::rewrite:
      store.request_resync(feed.name, f.guid, now_ms());
      ++counts.rewritten;
      out << what << "marked to be written again\n";
      return;
  }
}

// An orphan under feedsync's key for its guid becomes the article's row, and is written again
// from the feed (its row is marked like a resync).
void adopt_orphan(store::Store& store, const engine::AuditOrphan& orphan, RepairCounts& counts, std::ostream& out) {
  if (store.article(orphan.feed, orphan.guid)) return;
  store::ArticleRow row;
  row.feed = orphan.feed;
  row.guid = orphan.guid;
  row.cms_key = orphan.key;
  row.cms_version = orphan.version;
  row.route_segment = orphan.route_segment;
  row.cms_status = "published";
  row.updated_at = now_ms();
  store.upsert_article(row);
  store.request_resync(orphan.feed, orphan.guid, now_ms());
  ++counts.adopted;
  out << orphan.feed << "  orphan  guid " << orphan.guid << ": adopted (key " << orphan.key << ")\n";
}

}  // namespace

int repair_drift(asio::io_context& io, cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store,
                 const std::vector<engine::FeedAudit>& audits, const CliRequest& request, const config::Config& config) {
  std::ostream& out = request.output == OutputFormat::json ? std::cerr : std::cout;
  RepairCounts counts;
  bool incomplete = false;
  for (const auto& audit : audits) {
    const auto* feed = config.find_feed(audit.feed);
    incomplete = incomplete || audit.error.has_value();
    for (const auto& f : audit.findings) {
      if (f.result != engine::AuditResult::ok) {
        repair_finding(io, reader, sink, store, *feed, f, config.cms.on_cms_edit, counts, out);
      } else if (auto row = store.article(feed->name, f.guid); row && row->cms_edit_kept) {
        // feedsync's version is live again (an editor put it back): CMP changes flow again.
        row->cms_edit_kept.reset();
        store.upsert_article(*row);
      }
    }
    for (const auto& orphan : audit.orphans)
      if (orphan.adoptable) adopt_orphan(store, orphan, counts, out);
  }
  out << "repair: " << counts.undeleted << " restored, " << counts.moved_back << " moved back, " << counts.rewritten
      << " to write again, " << counts.adopted << " orphans adopted, " << counts.kept
      << " editors' versions left live, " << counts.failed << " failed\n";
  int status = kExitOk;
  const int marked = counts.rewritten + counts.adopted;
  if (marked > 0) status = write_marked(request, config, out, marked);
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
