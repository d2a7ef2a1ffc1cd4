#include "engine/drift_repair.hpp"

#include <chrono>
#include <utility>

#include "log/log.hpp"

namespace feedsync::engine {

namespace {

// "<feed>  <result>  guid <guid>: <what>", the repair's line for one article.
std::string line(const config::FeedConfig& feed, const AuditFinding& f, const std::string& what) {
  return feed.name + "  " + std::string(to_string(f.result)) + "  guid " + f.guid + ": " + what;
}

}  // namespace

store::ArticleRow kept_edit_row(store::ArticleRow row, const AuditFinding& finding, std::int64_t now) {
  row.cms_edit_kept = finding.published_version.value_or("unknown");
  row.updated_at = now;
  return row;
}

store::ArticleRow adopted_row(const AuditOrphan& orphan, std::int64_t now) {
  store::ArticleRow row;
  row.feed = orphan.feed;
  row.guid = orphan.guid;
  row.cms_key = orphan.key;
  row.cms_version = orphan.version;
  row.route_segment = orphan.route_segment;
  row.cms_status = "published";
  row.updated_at = now;
  return row;
}

DriftRepair::DriftRepair(cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store,
                         const config::Config& config, const Clock& clock, std::function<void(const std::string&)> say)
    : reader_(reader), sink_(sink), store_(store), config_(config), clock_(clock), say_(std::move(say)) {}

std::int64_t DriftRepair::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count();
}

boost::asio::awaitable<RepairCounts> DriftRepair::run(const std::vector<FeedAudit>& audits) {
  counts_ = {};
  for (const auto& audit : audits) {
    const auto* feed = config_.find_feed(audit.feed);
    if (feed == nullptr) continue;  // audits come from this config's feeds
    for (const auto& finding : audit.findings) {
      if (finding.result == AuditResult::ok) {
        release_kept_edit(*feed, finding);
      } else {
        co_await repair(*feed, finding);
      }
    }
    for (const auto& orphan : audit.orphans)
      if (orphan.adoptable) adopt(orphan);
  }
  co_return counts_;
}

boost::asio::awaitable<void> DriftRepair::repair(const config::FeedConfig& feed, const AuditFinding& f) {
  switch (repair_action(f.result, config_.cms.on_cms_edit)) {
    case RepairAction::none:
      if (f.result == AuditResult::edited) keep_edit(feed, f);
      break;
    case RepairAction::undelete:
      co_await restore(feed, f);
      break;
    case RepairAction::move_back:
      co_await move_back(feed, f);
      break;
    case RepairAction::rewrite:
      store_.request_resync(feed.name, f.guid, now_ms());
      ++counts_.rewritten;
      say_(line(feed, f, "marked to be written again"));
      break;
  }
}

boost::asio::awaitable<void> DriftRepair::restore(const config::FeedConfig& feed, const AuditFinding& f) {
  // A named argument: GCC 12 destroys a braced temporary in a co_await expression twice.
  cms::ArticleRef article{feed.name, f.guid, f.key};
  auto done = co_await sink_.undelete(std::move(article));
  if (!done) {
    ++counts_.failed;
    say_(line(feed, f, "restore failed: " + done.error().message));
    co_return;
  }
  ++counts_.undeleted;
  store_.append_journal(now_ms(), feed.name, f.guid, store::JournalAction::undeleted, "audit --repair: key " + f.key);
  say_(line(feed, f, "restored"));
}

boost::asio::awaitable<void> DriftRepair::move_back(const config::FeedConfig& feed, const AuditFinding& f) {
  auto done = co_await reader_.move(f.key, feed.container);
  if (!done || !*done) {
    ++counts_.failed;
    const std::string why = done ? std::string("the item is gone (404)") : done.error().message;
    say_(line(feed, f, "move back failed: " + why));
    co_return;
  }
  ++counts_.moved_back;
  say_(line(feed, f, "moved back to container " + feed.container));
}

void DriftRepair::keep_edit(const config::FeedConfig& feed, const AuditFinding& f) {
  ++counts_.kept;
  if (auto row = store_.article(feed.name, f.guid)) store_.upsert_article(kept_edit_row(std::move(*row), f, now_ms()));
  say_(line(feed, f,
            "editor's version left live (cms.on_cms_edit: keep); CMP changes are not written over it until "
            "feedsyncd resync " + feed.name + " " + f.guid));
  log::warn("an editor's published version is left live (cms.on_cms_edit: keep)",
            {{"feed", feed.name}, {"guid", f.guid}, {"cms_key", f.key}, {"detail", f.detail}});
}

void DriftRepair::release_kept_edit(const config::FeedConfig& feed, const AuditFinding& f) {
  auto row = store_.article(feed.name, f.guid);
  if (!row || !row->cms_edit_kept) return;
  row->cms_edit_kept.reset();  // an editor put feedsync's version back: CMP changes flow again
  store_.upsert_article(*row);
}

void DriftRepair::adopt(const AuditOrphan& orphan) {
  if (store_.article(orphan.feed, orphan.guid)) return;
  store_.upsert_article(adopted_row(orphan, now_ms()));
  store_.request_resync(orphan.feed, orphan.guid, now_ms());
  ++counts_.adopted;
  say_(orphan.feed + "  orphan  guid " + orphan.guid + ": adopted (key " + orphan.key + ")");
}

}  // namespace feedsync::engine
