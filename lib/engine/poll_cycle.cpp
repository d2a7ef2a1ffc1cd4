#include "engine/poll_cycle.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/mapping_payload.hpp"
#include "core/pixel_key.hpp"
#include "core/planner.hpp"
#include "engine/feed_target.hpp"
#include "engine/outbox_payload.hpp"
#include "feed/feed_client.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

KnownArticle known_of(const store::ArticleRow& row) {
  return {row.guid, row.entry_modified_at, row.content_modified_at,
          row.status == store::ArticleStatus::deleted, row.payload_hash, row.fetched_at};
}

// A mapped article waiting for the transaction.
struct Mapped {
  boost::json::object document;
  std::string hash;
  std::string title;
  std::optional<std::string> pixel_key;
  std::optional<std::string> meta_url;
};

std::optional<std::string> string_of(const boost::json::object& content, const char* name) {
  const auto* value = content.if_contains(name);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::string> pixel_key_of(const boost::json::object& content) {
  auto value = string_of(content, "pixel_key");
  if (!value) return std::nullopt;
  return normalize_pixel_key(*value);
}

// Deletions by vanishing are confirmed by a second complete scan: a guid must be absent from
// both before anything is deleted (docs/decisions.md, "Feed client").
void keep_confirmed_vanished(IndexPlan& plan, const feed::IndexScan& second) {
  std::unordered_set<std::string_view> present;
  for (const auto& e : second.entries) present.insert(e.guid);
  std::erase_if(plan.deletes, [&](const PlannedDelete& d) {
    return d.reason == DeleteReason::vanished && (!second.complete || present.count(d.guid) > 0);
  });
}

}  // namespace

PollCycle::PollCycle(feed::FeedClient& feeds, store::Store& store, const Clock& clock)
    : feeds_(feeds), store_(store), clock_(clock) {}

void PollCycle::skip_owned_elsewhere(const config::FeedConfig& feed,
                                     const std::unordered_map<std::string_view, const store::ArticleRow*>& row_of,
                                     IndexPlan& plan, CycleReport& report) {
  std::erase_if(plan.to_fetch, [&](const IndexEntry& e) {
    if (row_of.count(e.guid)) return false;  // this feed's own article
    auto owner = store_.active_elsewhere(feed.name, e.guid);
    if (!owner) return false;
    ++report.shared;
    report.changes.push_back({"shared", e.guid, "", "", "also in feed " + *owner + ", which owns its CMS item"});
    log::debug("article skipped: another feed owns its CMS item", {{"feed", feed.name}, {"guid", e.guid}, {"owner", *owner}});
    return true;
  });
}

boost::asio::awaitable<PollCycle::DeletedFeedRead> PollCycle::read_deleted_feed(
    const config::FeedConfig& feed, const std::optional<store::FeedRow>& row, std::int64_t now, bool force) {
  DeletedFeedRead out;
  if (!feed.deleted_feed_id) co_return out;
  const std::string& id = *feed.deleted_feed_id;
  // A watermark read from another Deleted Feed id says nothing about this one.
  const bool same_id = row && row->deleted_feed_id == id;
  const auto watermark = same_id ? row->deleted_watermark : std::nullopt;
  // Half an interval of slack: with deleted_interval equal to interval, a poll that starts a
  // little early (timers, clock steps) still reads it, so it is not read only every other poll.
  const bool due = force || !same_id || !row->deleted_read_at ||
                   now - *row->deleted_read_at + feed.interval.count() / 2 >= feed.deleted_interval.count();
  if (!due) co_return out;
  // It only grows (entries move in when articles leave the live feed): newest first down to its
  // watermark, like the live feed's incremental poll.
  Expected<feed::IndexScan, feed::FeedError> scan;
  if (watermark) {
    scan = co_await feeds_.incremental_index(id, *watermark, feed.overlap.count());
  } else {
    scan = co_await feeds_.full_index(id);
  }
  if (!scan) {
    out.requests = 1;  // at least the one that failed
    out.error = "Deleted Feed: " + scan.error().message;
    co_return out;
  }
  out.requests = scan->requests;
  feed::reject_future_entries(*scan, now);
  for (const auto& rejected : scan->rejected) {
    log::warn("Deleted Feed entry skipped", {{"feed", feed.name}, {"guid", rejected.guid},
                                              {"position", std::to_string(rejected.position)},
                                              {"reason", rejected.reason}});
  }
  for (const auto& entry : scan->entries)
    out.newest = std::max(out.newest.value_or(entry.newest_modified_at()), entry.newest_modified_at());
  out.entries = std::move(scan->entries);
  co_return out;
}

boost::asio::awaitable<Expected<CycleReport, CycleError>> PollCycle::run(config::FeedConfig feed,
                                                                          CompiledMapping mapping,
                                                                          CycleOptions options) {
  const std::int64_t now = unix_ms(clock_.system_now());
  const bool dry = options.dry_run;
  CycleReport report;
  report.feed = feed.name;

  std::optional<store::FeedRow> row = store_.feed(feed.name);
  const bool full = options.force_full_scan || !row || !row->watermark || !row->last_full_scan_at ||
                    now - *row->last_full_scan_at >= feed.full_scan_interval.count() ||
                    row->deletes_approved;
  report.full_scan = full;
  // The attempt is recorded with its outcome (record_poll_success / _failure): one commit, one
  // fsync, per unchanged poll, which is most of the daemon's work with many feeds.
  if (!dry && !row) store_.ensure_feed(feed.name, feed.feed_id);
  // A failed read changes nothing but the feed's poll bookkeeping: no article, no watermark.
  auto fail = [&](const feed::FeedError& error) {
    const bool not_found = error.kind == feed::FeedErrorKind::not_found;
    if (!dry) {
      if (not_found) store_.set_misconfigured(feed.name, error.message);
      store_.record_poll_failure(feed.name, now, error.message);
    }
    log::error(not_found ? "feed is misconfigured; keeping every local article" : "poll failed",
               {{"feed", feed.name}, {"error", error.message}});
    return unexpected(CycleError{"feed " + feed.name + ": " + error.message, not_found});
  };

  // GCC 12 miscompiles co_await inside a conditional expression: plain statements only.
  Expected<feed::IndexScan, feed::FeedError> live;
  if (full) {
    live = co_await feeds_.full_index(feed.feed_id);
  } else {
    live = co_await feeds_.incremental_index(feed.feed_id, *row->watermark, feed.overlap.count());
  }
  if (!live) co_return fail(live.error());
  report.feed_requests += live->requests;
  for (const auto& note : feeds_.new_shape_notes(feed.feed_id, live->shape))
    log::info("the Feed API answers differently from what was asked; adapted", {{"feed", feed.name}, {"note", note}});
  // A deletion the guard holds, or one an operator approved, needs the Deleted Feed read again.
  const bool reread_deleted = options.force_full_scan || options.read_deleted_feed_now ||
                              (row && (row->deletes_approved || row->held_deletes > 0));
  DeletedFeedRead deleted = co_await read_deleted_feed(feed, row, now, reread_deleted);
  report.feed_requests += deleted.requests;
  report.deleted_feed_read = deleted.entries.has_value();
  report.deleted_feed_error = deleted.error;
  if (deleted.error) {
    log::error("Deleted Feed read failed; the live feed syncs on and its deletions wait",
               {{"feed", feed.name}, {"error", *deleted.error}});
  }
  std::optional<std::vector<IndexEntry>> gone = std::move(deleted.entries);
  feed::reject_future_entries(*live, now);
  report.seen = live->entries.size();
  report.rejected_entries = live->rejected.size();
  std::vector<std::string> unreadable;
  for (const auto& rejected : live->rejected) {
    log::warn("feed entry skipped", {{"feed", feed.name}, {"guid", rejected.guid},
                                      {"position", std::to_string(rejected.position)},
                                      {"reason", rejected.reason}});
    if (!rejected.guid.empty()) unreadable.push_back(rejected.guid);
  }

  // A dry run before the daemon ever ran has no feed row, hence no articles.
  const auto rows = row || !dry ? store_.articles(feed.name) : std::vector<store::ArticleRow>{};
  std::vector<KnownArticle> known;
  known.reserve(rows.size());
  std::unordered_map<std::string_view, const store::ArticleRow*> row_of;
  for (const auto& r : rows) {
    known.push_back(known_of(r));
    row_of.emplace(r.guid, &r);
  }

  IndexPlanInput input;
  input.known = &known;
  input.live = {std::move(live->entries), live->complete, std::move(unreadable)};
  input.deleted_feed = std::move(gone);
  input.guard = {feed.delete_guard.min, feed.delete_guard.ratio};
  input.deletes_approved = row && row->deletes_approved;
  const bool complete = live->complete;
  IndexPlan plan = plan_index(std::move(input));
  report.complete_scan = complete;
  report.unchanged = plan.unchanged;

  const bool vanished = std::any_of(plan.deletes.begin(), plan.deletes.end(),
                                    [](const PlannedDelete& d) { return d.reason == DeleteReason::vanished; });
  if (vanished) {
    auto second = co_await feeds_.full_index(feed.feed_id);
    if (!second) co_return fail(second.error());
    report.feed_requests += second->requests;
    keep_confirmed_vanished(plan, *second);
  }

  if (feed.shared_articles == config::SharedArticles::one_item) skip_owned_elsewhere(feed, row_of, plan, report);

  // Full content of what changed, mapped and hashed.
  std::unordered_map<std::string, Mapped> mapped;
  std::vector<MappedEntry> to_plan;
  std::optional<std::int64_t> watermark_cap;
  std::int64_t fetch_started = now;
  if (!plan.to_fetch.empty()) {
    std::vector<std::string> guids;
    for (const auto& e : plan.to_fetch) guids.push_back(e.guid);
    fetch_started = unix_ms(clock_.system_now());
    auto fetched = co_await feeds_.fetch(feed.feed_id, std::move(guids));
    if (!fetched) co_return fail(fetched.error());
    report.feed_requests += fetched->requests;
    report.missing = fetched->missing.size();
    report.rejected_entries += fetched->rejected.size();
    for (const auto& rejected : fetched->rejected) {
      // Taken again when it changes in CMP (its modified_at moves); the rest of the page syncs.
      log::warn("feed entry skipped", {{"feed", feed.name}, {"guid", rejected.guid},
                                        {"position", std::to_string(rejected.position)},
                                        {"reason", rejected.reason}});
    }
    // A guid that changed in the index but was gone by the fetch is re-checked next cycle: the
    // watermark must stay below it so the incremental poll sees it again.
    std::unordered_map<std::string_view, IndexEntry> index_of;
    for (const auto& e : plan.to_fetch) index_of.emplace(e.guid, e);
    std::unordered_set<std::string_view> missing(fetched->missing.begin(), fetched->missing.end());
    for (const auto& e : plan.to_fetch) {
      if (missing.count(e.guid))
        watermark_cap = std::min(watermark_cap.value_or(e.newest_modified_at()), e.newest_modified_at() - 1);
    }
    for (auto& entry : fetched->entries) {
      auto payload = apply_mapping(mapping, entry);
      if (!payload) {
        ++report.mapping_errors;
        std::string message;
        for (const auto& e : payload.error()) message += (message.empty() ? "" : "; ") + e.message;
        log::error("article cannot be mapped; it is retried when it changes or at the next full scan",
                   {{"feed", feed.name}, {"guid", entry.index.guid}, {"error", message}});
        report.changes.push_back({"mapping-error", entry.index.guid, "", "", message});
        continue;
      }
      const auto target = payload_target(feed, entry.index.guid);
      Mapped m{payload_document(*payload, target), payload_hash(*payload, target),
               payload->display_name, pixel_key_of(entry.content), string_of(entry.content, "meta_url")};
      // The timestamps stored are the index's, not the full page's: the next index poll compares
      // with them, and an index answer may lack one the full page has (issue 17: a `fields` that
      // drops the entry-level modified_at would otherwise make every poll fetch it again).
      to_plan.push_back({index_of.at(entry.index.guid), m.hash});
      mapped.emplace(entry.index.guid, std::move(m));
    }
  }
  const auto decisions = plan_content(known, to_plan, options.forced_guids);

  std::optional<std::int64_t> watermark = plan.newest_seen;
  if (watermark && watermark_cap) watermark = std::min(*watermark, *watermark_cap);
  if (row && row->watermark && (!watermark || *watermark < *row->watermark)) watermark = row->watermark;
  report.watermark = watermark;

  for (const auto& d : decisions) {
    const auto& m = mapped.at(d.index.guid);
    const std::string key = payload_target(feed, d.index.guid).key;
    switch (d.action) {
      case ContentAction::create: ++report.created; break;
      case ContentAction::update: ++report.updated; break;
      case ContentAction::undelete: ++report.undeleted; break;
      case ContentAction::touch: ++report.touched; continue;
    }
    report.changes.push_back({to_string(d.action), d.index.guid, m.title, key,
                              d.action == ContentAction::create ? "new in the feed" : "changed in the feed"});
  }
  for (const auto& d : plan.deletes) {
    ++report.deleted;
    const auto* r = row_of.at(d.guid);
    report.changes.push_back({"delete", d.guid, r->title, r->cms_key, to_string(d.reason)});
  }
  report.held_deletes = plan.held_deletes;
  report.held_reason = plan.held_reason;
  if (plan.held_deletes > 0) {
    report.changes.push_back({"held-delete", "", "", "",
                              std::to_string(plan.held_deletes) + " deletions held: " + plan.held_reason});
  }
  if (dry) co_return report;

  auto tx = store_.transaction();
  for (const auto& d : decisions) {
    const auto& m = mapped.at(d.index.guid);
    if (d.action == ContentAction::create && feed.shared_articles == config::SharedArticles::one_item) {
      // Checked again in the transaction: another feed's poll may have taken it meanwhile.
      if (auto owner = store_.active_elsewhere(feed.name, d.index.guid)) {
        log::info("article skipped: another feed took its CMS item while this poll ran",
                  {{"feed", feed.name}, {"guid", d.index.guid}, {"owner", *owner}});
        --report.created;
        ++report.shared;
        for (auto& change : report.changes) {
          if (change.action == "create" && change.guid == d.index.guid) {
            change = {"shared", d.index.guid, "", "", "also in feed " + *owner + ", which took its CMS item meanwhile"};
            break;
          }
        }
        continue;
      }
    }
    store::ArticleRow article;
    if (auto it = row_of.find(d.index.guid); it != row_of.end()) article = *it->second;
    article.feed = feed.name;
    article.guid = d.index.guid;
    article.entry_modified_at = d.index.entry_modified_at;
    article.content_modified_at = d.index.content_modified_at;
    article.title = m.title;
    article.pixel_key = m.pixel_key;
    article.cms_key = payload_target(feed, d.index.guid).key;
    article.payload_hash = d.payload_hash;
    article.status = store::ArticleStatus::active;
    article.deleted_at.reset();
    article.updated_at = now;
    article.fetched_at = fetch_started;
    store_.upsert_article(article);
    if (d.action == ContentAction::touch) continue;
    store::OutboxOp op;
    op.feed = feed.name;
    op.guid = d.index.guid;
    // With `delete: keep` the CMS item was never deleted: its return is an ordinary upsert, not an
    // undelete the service would refuse (issue 16). (An item soft-deleted before the feed was
    // switched to keep is reported by the upsert as "probably soft-deleted".)
    const bool restore = d.action == ContentAction::undelete && feed.delete_mode != config::DeleteMode::keep;
    op.op = restore ? store::OpKind::undelete : store::OpKind::upsert;
    op.payload = encode(UpsertPayload{m.document, m.meta_url});
    op.payload_hash = d.payload_hash;
    store_.enqueue(op, now);
  }
  for (const auto& d : plan.deletes) {
    store::ArticleRow article = *row_of.at(d.guid);
    article.status = store::ArticleStatus::deleted;
    article.deleted_at = now;
    article.updated_at = now;
    store_.upsert_article(article);
    store_.append_journal(now, feed.name, d.guid, "delete-planned",
                          std::string(to_string(d.reason)) + "; cms_key " + article.cms_key);
    if (feed.delete_mode == config::DeleteMode::keep) continue;
    store::OutboxOp op;
    op.feed = feed.name;
    op.guid = d.guid;
    op.op = store::OpKind::delete_;
    op.payload = encode(DeletePayload{article.cms_key, feed.delete_mode == config::DeleteMode::permanent});
    op.payload_hash = "delete";
    store_.enqueue(op, now);
  }
  if (plan.held_deletes > 0) {
    store_.hold_deletes(feed.name, static_cast<std::int64_t>(plan.held_deletes), plan.held_reason);
    store_.append_journal(now, feed.name, "", "deletes-held", plan.held_reason);
  } else if (row && row->held_deletes > 0) {
    store_.release_held_deletes(feed.name);
  }
  if (row && row->deletes_approved) store_.set_deletes_approved(feed.name, false);
  if (deleted.error) {
    store_.record_deleted_feed_failure(feed.name, now, *deleted.error);
  } else if (report.deleted_feed_read) {
    // Held deletions keep the Deleted Feed's watermark where it was: the entries behind them
    // are read again once an operator approves them.
    std::optional<std::int64_t> deleted_watermark;
    if (plan.held_deletes == 0) deleted_watermark = deleted.newest;
    if (deleted_watermark && row && row->deleted_feed_id == feed.deleted_feed_id && row->deleted_watermark)
      deleted_watermark = std::max(*deleted_watermark, *row->deleted_watermark);
    store_.record_deleted_feed_read(feed.name, *feed.deleted_feed_id, now, deleted_watermark);
  }
  store_.record_poll_success(feed.name, now, watermark, complete);
  tx.commit();

  log::info("poll cycle done",
            {{"feed", feed.name}, {"full_scan", full ? "yes" : "no"},
             {"requests", std::to_string(report.feed_requests)}, {"seen", std::to_string(report.seen)},
             {"created", std::to_string(report.created)}, {"updated", std::to_string(report.updated)},
             {"undeleted", std::to_string(report.undeleted)}, {"deleted", std::to_string(report.deleted)},
             {"held_deletes", std::to_string(report.held_deletes)}, {"shared", std::to_string(report.shared)},
             {"mapping_errors", std::to_string(report.mapping_errors)}});
  if (plan.held_deletes > 0) {
    log::warn("mass-delete guard holds deletions; confirm with feedsyncd approve-deletes",
              {{"feed", feed.name}, {"held", std::to_string(plan.held_deletes)}, {"reason", plan.held_reason}});
  }
  co_return report;
}

}  // namespace feedsync::engine
