#include "engine/poll_cycle.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/mapping_payload.hpp"
#include "core/pixel_key.hpp"
#include "core/planner.hpp"
#include "core/watermark.hpp"
#include "engine/feed_target.hpp"
#include "engine/translations.hpp"
#include "feed/feed_client.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {

struct PollCycle::Run {
  explicit Run(const config::FeedConfig& config) : feed(config) {}

  const config::FeedConfig& feed;
  std::int64_t now = 0;
  bool dry = false;
  bool thorough = false;  // `once` and `plan`: rows left by a translations switch are looked at too
  std::optional<store::FeedRow> row;
  CycleReport report;
  // The feed's articles as the store holds them (load_known).
  std::vector<store::ArticleRow> rows;
  std::vector<KnownArticle> known;
  std::unordered_map<std::string_view, const store::ArticleRow*> row_of;
  // translations: group: approved moves from an article's own item to its group's (guid -> the
  // old key), and the reason the unapproved ones are held.
  std::unordered_map<std::string, std::string> moves;
  std::string held_move_reason;
};

// A changed article, mapped, waiting for the transaction.
struct MappedArticle {
  ArticleDocument document;
  std::string hash;
  std::optional<std::string> pixel_key;
  std::optional<std::string> meta_url;
};

struct PollCycle::Fetched {
  std::unordered_map<std::string, MappedArticle> mapped;  // by guid
  std::vector<MappedEntry> to_plan;                       // what plan_content decides on
  std::vector<std::string> missing;  // changed in the index, gone by the fetch
  std::int64_t started = 0;          // when the fetch started (the articles' fetched_at)
};

namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

KnownArticle known_of(const store::ArticleRow& row) {
  return {row.guid, row.entry_modified_at, row.content_modified_at,
          row.status == store::ArticleStatus::deleted, row.payload_hash, row.fetched_at};
}

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

// A full reconciliation scan is due: forced, never done, past full_scan_interval, or needed
// because an operator approved held deletions.
bool full_scan_due(const config::FeedConfig& feed, const std::optional<store::FeedRow>& row, std::int64_t now,
                   bool forced) {
  return forced || !row || !row->watermark || !row->last_full_scan_at ||
         now - *row->last_full_scan_at >= feed.full_scan_interval.count() || row->deletes_approved;
}

void log_rejected(const std::string& message, const std::string& feed, const std::vector<RejectedEntry>& rejected) {
  for (const auto& entry : rejected) {
    log::warn(message, {{"feed", feed}, {"guid", entry.guid}, {"position", std::to_string(entry.position)},
                        {"reason", entry.reason}});
  }
}

bool any_vanished(const IndexPlan& plan) {
  return std::any_of(plan.deletes.begin(), plan.deletes.end(),
                     [](const PlannedDelete& d) { return d.reason == DeleteReason::vanished; });
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

void log_done(const CycleReport& report) {
  log::info("poll cycle done",
            {{"feed", report.feed}, {"full_scan", report.full_scan ? "yes" : "no"},
             {"requests", std::to_string(report.feed_requests)}, {"seen", std::to_string(report.seen)},
             {"created", std::to_string(report.created)}, {"updated", std::to_string(report.updated)},
             {"undeleted", std::to_string(report.undeleted)}, {"deleted", std::to_string(report.deleted)},
             {"held_deletes", std::to_string(report.held_deletes)}, {"shared", std::to_string(report.shared)},
             {"mapping_errors", std::to_string(report.mapping_errors)}});
  if (report.held_deletes > 0) {
    log::warn("mass-delete guard holds deletions; confirm with feedsyncd approve-deletes",
              {{"feed", report.feed}, {"held", std::to_string(report.held_deletes)}, {"reason", report.held_reason}});
  }
}

}  // namespace

PollCycle::PollCycle(feed::FeedClient& feeds, store::Store& store, const Clock& clock)
    : feeds_(feeds), store_(store), clock_(clock) {}

PollCycle::Run PollCycle::start(const config::FeedConfig& feed, const CycleOptions& options) {
  Run run(feed);
  run.now = unix_ms(clock_.system_now());
  run.dry = options.dry_run;
  run.thorough = options.dry_run || options.read_deleted_feed_now;
  run.report.feed = feed.name;
  run.row = store_.feed(feed.name);
  run.report.full_scan = full_scan_due(feed, run.row, run.now, options.force_full_scan);
  // The attempt is recorded with its outcome (record_poll_success / _failure): one commit, one
  // fsync, per unchanged poll, which is most of the daemon's work with many feeds.
  if (!run.dry && !run.row) store_.ensure_feed(feed.name, feed.feed_id);
  return run;
}

CycleError PollCycle::fail(const Run& run, const feed::FeedError& error) {
  const bool not_found = error.kind == feed::FeedErrorKind::not_found;
  if (!run.dry) {
    if (not_found) store_.set_misconfigured(run.feed.name, error.message);
    store_.record_poll_failure(run.feed.name, run.now, error.message);
  }
  log::error(not_found ? "feed is misconfigured; keeping every local article" : "poll failed",
             {{"feed", run.feed.name}, {"error", error.message}});
  return CycleError{"feed " + run.feed.name + ": " + error.message, not_found};
}

void PollCycle::load_known(Run& run) {
  // A dry run before the daemon ever ran has no feed row, hence no articles.
  if (run.row || !run.dry) run.rows = store_.articles(run.feed.name);
  run.known.reserve(run.rows.size());
  for (const auto& r : run.rows) {
    run.known.push_back(known_of(r));
    run.row_of.emplace(r.guid, &r);
  }
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
  log_rejected("Deleted Feed entry skipped", feed.name, scan->rejected);
  for (const auto& entry : scan->entries)
    out.newest = std::max(out.newest.value_or(entry.newest_modified_at()), entry.newest_modified_at());
  out.entries = std::move(scan->entries);
  co_return out;
}

IndexPlan PollCycle::plan_live_index(Run& run, feed::IndexScan live, std::optional<std::vector<IndexEntry>> gone) {
  feed::reject_future_entries(live, run.now);
  run.report.seen = live.entries.size();
  run.report.rejected_entries = live.rejected.size();
  run.report.complete_scan = live.complete;
  log_rejected("feed entry skipped", run.feed.name, live.rejected);
  std::vector<std::string> unreadable;
  for (const auto& rejected : live.rejected)
    if (!rejected.guid.empty()) unreadable.push_back(rejected.guid);
  load_known(run);

  IndexPlanInput input;
  input.known = &run.known;
  input.live = {std::move(live.entries), live.complete, std::move(unreadable)};
  input.deleted_feed = std::move(gone);
  input.guard = {run.feed.delete_guard.min, run.feed.delete_guard.ratio};
  input.deletes_approved = run.row && run.row->deletes_approved;
  IndexPlan plan = plan_index(std::move(input));
  run.report.unchanged = plan.unchanged;
  return plan;
}

boost::asio::awaitable<std::optional<feed::FeedError>> PollCycle::confirm_vanished(Run& run, IndexPlan& plan) {
  auto second = co_await feeds_.full_index(run.feed.feed_id);
  if (!second) co_return std::move(second.error());
  run.report.feed_requests += second->requests;
  keep_confirmed_vanished(plan, *second);
  co_return std::nullopt;
}

void PollCycle::skip_owned_elsewhere(Run& run, IndexPlan& plan) {
  std::erase_if(plan.to_fetch, [&](const IndexEntry& e) {
    if (run.row_of.count(e.guid)) return false;  // this feed's own article
    auto owner = store_.active_elsewhere(run.feed.name, e.guid);
    if (!owner) return false;
    report_owned_elsewhere(run.report, e.guid, *owner);
    log::debug("article skipped: another feed owns its CMS item",
               {{"feed", run.feed.name}, {"guid", e.guid}, {"owner", *owner}});
    return true;
  });
}

// Full content of what changed, mapped and hashed.
boost::asio::awaitable<Expected<PollCycle::Fetched, feed::FeedError>> PollCycle::fetch_changed(
    Run& run, const CompiledMapping& mapping, const IndexPlan& plan) {
  Fetched out;
  out.started = run.now;
  if (plan.to_fetch.empty()) co_return std::move(out);
  std::vector<std::string> guids;
  for (const auto& e : plan.to_fetch) guids.push_back(e.guid);
  out.started = unix_ms(clock_.system_now());
  auto fetched = co_await feeds_.fetch(run.feed.feed_id, std::move(guids));
  if (!fetched) co_return unexpected(std::move(fetched.error()));
  run.report.feed_requests += fetched->requests;
  run.report.missing = fetched->missing.size();
  run.report.rejected_entries += fetched->rejected.size();
  // Taken again when it changes in CMP (its modified_at moves); the rest of the page syncs.
  log_rejected("feed entry skipped", run.feed.name, fetched->rejected);
  // A guid that changed in the index but was gone by the fetch is re-checked next cycle
  // (next_watermark keeps the watermark below it).
  out.missing = std::move(fetched->missing);
  std::unordered_map<std::string_view, const IndexEntry*> index_of;
  for (const auto& e : plan.to_fetch) index_of.emplace(e.guid, &e);
  TranslationSlots slots;  // translations: group: the (item, locale) pairs this batch takes
  for (const auto& entry : fetched->entries) {
    auto payload = apply_mapping(mapping, entry);
    if (!payload) {
      mapping_failed(run, entry.index.guid, with_locale_map_line(run.feed, payload.error()));
      continue;
    }
    const auto group_id = string_of(entry.content, "group_id");
    MappedArticle m{article_document(*payload, payload_target(run.feed, entry.index.guid, group_id)), "",
                    pixel_key_of(entry.content), string_of(entry.content, "meta_url")};
    if (run.feed.translations == config::Translations::group) {
      if (auto clash = locale_taken(run, slots, entry.index.guid, m.document, group_id)) {
        mapping_failed(run, entry.index.guid, *clash);
        continue;
      }
    }
    m.hash = payload_hash(m.document);
    // The timestamps stored are the index's, not the full page's: the next index poll compares
    // with them, and an index answer may lack one the full page has (issue 17: a `fields` that
    // drops the entry-level modified_at would otherwise make every poll fetch it again).
    out.to_plan.push_back({*index_of.at(entry.index.guid), m.hash});
    out.mapped.emplace(entry.index.guid, std::move(m));
  }
  co_return std::move(out);
}

void PollCycle::mapping_failed(Run& run, const std::string& guid, const std::string& message) {
  log::error("article cannot be mapped; it is retried when it changes or at the next full scan",
             {{"feed", run.feed.name}, {"guid", guid}, {"error", message}});
  report_mapping_error(run.report, guid, message);
}

// translations: group: one article per (item, locale). A second translation of a group in a
// locale another holds (live in the store, or earlier in this batch) would overwrite it.
std::optional<std::string> PollCycle::locale_taken(Run& run, TranslationSlots& slots, const std::string& guid,
                                                   const ArticleDocument& document,
                                                   const std::optional<std::string>& group_id) {
  auto holder = store_.active_translation(run.feed.name, document.key, guid, std::string_view(document.locale));
  if (!holder) {
    auto [it, fresh] = slots.emplace(document.key + "\n" + document.locale, guid);
    if (fresh || it->second == guid) return std::nullopt;
    holder = it->second;
  }
  return locale_clash_message(run.feed, guid, document.locale, group_id.value_or(""), *holder);
}

// A feed switched between translations: off and group keeps rows written under the other: under
// group those without a locale (items of their own), under off those with one (translations in
// a group's item). Full scans and `plan` fetch them again, so each gets its new key
// (plan_moves), and so do `once` and `plan`; other polls leave them, so a held switch costs
// nothing between full scans.
void PollCycle::add_unmigrated(Run& run, IndexPlan& plan) {
  if (!run.report.full_scan && !run.thorough) return;
  const bool group = run.feed.translations == config::Translations::group;
  std::unordered_set<std::string_view> queued;
  for (const auto& e : plan.to_fetch) queued.insert(e.guid);
  for (const auto& d : plan.deletes) queued.insert(d.guid);
  for (const auto& r : run.rows) {
    if (r.status != store::ArticleStatus::active || r.locale.has_value() == group || queued.count(r.guid)) continue;
    plan.to_fetch.push_back({r.guid, r.entry_modified_at, r.content_modified_at});
  }
}

// An article whose item changes with the translations switch (its own -> its group's, or back)
// moves, and the item it leaves is deleted (its locale only while other translations live
// there): like a deletion, only once an operator approved (approve-deletes); until then the
// article is left as it is in the CMS and in the store. Under off only rows written under group
// count: any other key change (cms.key_namespace) behaves as it always did.
void PollCycle::plan_moves(Run& run, Fetched& fetched) {
  const bool approved = run.row && run.row->deletes_approved;
  const bool group = run.feed.translations == config::Translations::group;
  std::vector<std::string> held;
  for (const auto& [guid, m] : fetched.mapped) {
    auto row = run.row_of.find(guid);
    if (row == run.row_of.end() || row->second->status != store::ArticleStatus::active) continue;
    if (row->second->cms_key == m.document.key || (!group && !row->second->locale)) continue;
    if (approved) {
      run.moves.emplace(guid, row->second->cms_key);
    } else {
      report_move(run.report, guid, m.document.display_name, m.document.key, row->second->cms_key, true);
      held.push_back(guid);
    }
  }
  for (const auto& guid : held) {
    std::erase_if(fetched.to_plan, [&](const MappedEntry& e) { return e.index.guid == guid; });
    fetched.mapped.erase(guid);  // found again by the next full scan (its row has no locale)
  }
  if (held.empty()) return;
  run.held_move_reason = std::to_string(held.size()) +
                         (group ? " articles would move to their group's item (translations: group), deleting their own"
                                : " articles would move from their group's item to items of their own (translations: "
                                  "off), deleting the group's");
  log::warn("switching translations would move articles between items and delete the ones they leave; confirm "
            "with feedsyncd approve-deletes",
            {{"feed", run.feed.name}, {"held", std::to_string(held.size())}});
}

void PollCycle::report_decisions(Run& run, const IndexPlan& plan, const std::vector<ContentDecision>& decisions,
                                 const Fetched& fetched) {
  std::vector<DecidedArticle> content;
  content.reserve(decisions.size());
  for (const auto& d : decisions) {
    const auto& m = fetched.mapped.at(d.index.guid);
    content.push_back({d.action, d.index.guid, m.document.display_name, m.document.key});
  }
  std::vector<DeletedArticle> deletes;
  for (const auto& d : plan.deletes) {
    const auto* r = run.row_of.at(d.guid);
    deletes.push_back({d.guid, d.reason, r->title, r->cms_key});
  }
  report_plan(run.report, content, deletes, plan.held_deletes, plan.held_reason);
  for (const auto& [guid, old_key] : run.moves) {
    const auto& m = fetched.mapped.at(guid);
    report_move(run.report, guid, m.document.display_name, m.document.key, old_key, false);
  }
}

void PollCycle::commit(Run& run, const IndexPlan& plan, const std::vector<ContentDecision>& decisions,
                       const Fetched& fetched, const DeletedFeedRead& deleted) {
  auto tx = store_.transaction();
  for (const auto& d : decisions) record_content(run, d, fetched);
  for (const auto& d : plan.deletes) record_delete(run, d);
  record_feed(run, plan, deleted);
  tx.commit();
}

bool PollCycle::record_content(Run& run, const ContentDecision& d, const Fetched& fetched) {
  const config::FeedConfig& feed = run.feed;
  if (d.action == ContentAction::create && feed.shared_articles == config::SharedArticles::one_item) {
    // Checked again in the transaction: another feed's poll may have taken it meanwhile.
    if (auto owner = store_.active_elsewhere(feed.name, d.index.guid)) {
      log::info("article skipped: another feed took its CMS item while this poll ran",
                {{"feed", feed.name}, {"guid", d.index.guid}, {"owner", *owner}});
      report_taken_meanwhile(run.report, d.index.guid, *owner);
      return false;
    }
  }
  const auto& m = fetched.mapped.at(d.index.guid);
  store::ArticleRow article;
  if (auto it = run.row_of.find(d.index.guid); it != run.row_of.end()) article = *it->second;
  article.feed = feed.name;
  article.guid = d.index.guid;
  article.entry_modified_at = d.index.entry_modified_at;
  article.content_modified_at = d.index.content_modified_at;
  article.title = m.document.display_name;
  article.pixel_key = m.pixel_key;
  article.cms_key = m.document.key;
  article.payload_hash = d.payload_hash;
  article.status = store::ArticleStatus::active;
  // translations: group: the locale version this article is, so its deletion deletes only it.
  // Under off, none (a row written under group loses it once it is written to its own item).
  article.locale.reset();
  if (feed.translations == config::Translations::group) article.locale = m.document.locale;
  article.deleted_at.reset();
  article.updated_at = run.now;
  article.fetched_at = fetched.started;
  const auto move = run.moves.find(d.index.guid);
  if (move != run.moves.end()) {
    // Into its new item: a create there (409: a new locale version), then the old item goes.
    article.cms_version.reset();
    article.route_segment.reset();
  }
  store_.upsert_article(article);
  if (d.action == ContentAction::touch) return true;
  store::OutboxOp op;
  op.feed = feed.name;
  op.guid = d.index.guid;
  // With `delete: keep` the CMS item was never deleted: its return is an ordinary upsert, not an
  // undelete the service would refuse (issue 16). (An item soft-deleted before the feed was
  // switched to keep is reported by the upsert as "probably soft-deleted".)
  const bool restore = d.action == ContentAction::undelete && feed.delete_mode != config::DeleteMode::keep;
  op.op = restore ? store::OpKind::undelete : store::OpKind::upsert;
  UpsertPayload payload{m.document, m.meta_url, std::nullopt};
  if (move != run.moves.end()) {
    if (feed.delete_mode != config::DeleteMode::keep)
      payload.retire = DeletePayload{move->second, feed.delete_mode == config::DeleteMode::permanent,
                                     run.row_of.at(d.index.guid)->locale};
    store_.append_journal(run.now, feed.name, d.index.guid, store::JournalAction::delete_planned,
                          "moved to item " + m.document.key + " (translations switched); the item it leaves, " +
                              move->second + (payload.retire ? ", is deleted" : ", is kept (delete: keep)"));
  }
  op.payload = encode(payload);
  op.payload_hash = d.payload_hash;
  store_.enqueue(op, run.now);
  return true;
}

void PollCycle::record_delete(Run& run, const PlannedDelete& planned) {
  const config::FeedConfig& feed = run.feed;
  store::ArticleRow article = *run.row_of.at(planned.guid);
  article.status = store::ArticleStatus::deleted;
  article.deleted_at = run.now;
  article.updated_at = run.now;
  store_.upsert_article(article);
  store_.append_journal(run.now, feed.name, planned.guid, store::JournalAction::delete_planned,
                        std::string(to_string(planned.reason)) + "; cms_key " + article.cms_key);
  if (feed.delete_mode == config::DeleteMode::keep) return;
  store::OutboxOp op;
  op.feed = feed.name;
  op.guid = planned.guid;
  op.op = store::OpKind::delete_;
  // A translation (issue 23) deletes its locale, or the item when it is the last one live: the
  // relay decides when it runs, from the store as it is then (docs/decisions.md). A row with a
  // locale is a translation whatever the feed says now (its move back to an item of its own may
  // be held).
  op.payload = encode(
      DeletePayload{article.cms_key, feed.delete_mode == config::DeleteMode::permanent, article.locale});
  op.payload_hash = "delete";
  store_.enqueue(op, run.now);
}

// The feed's own bookkeeping: held deletions, the approval used, the Deleted Feed's read, the
// poll's success and watermark.
void PollCycle::record_feed(Run& run, const IndexPlan& plan, const DeletedFeedRead& deleted) {
  const config::FeedConfig& feed = run.feed;
  const auto& row = run.row;
  const std::size_t held = plan.held_deletes + run.report.held_moves;
  if (held > 0) {
    std::string reason = plan.held_reason;
    if (!run.held_move_reason.empty()) reason += (reason.empty() ? "" : "; ") + run.held_move_reason;
    store_.hold_deletes(feed.name, static_cast<std::int64_t>(held), reason);
    store_.append_journal(run.now, feed.name, "", store::JournalAction::deletes_held, reason);
  } else if (row && row->held_deletes > 0) {
    store_.release_held_deletes(feed.name);
  }
  if (row && row->deletes_approved) store_.set_deletes_approved(feed.name, false);
  if (deleted.error) {
    store_.record_deleted_feed_failure(feed.name, run.now, *deleted.error);
  } else if (run.report.deleted_feed_read) {
    // Held deletions keep the Deleted Feed's watermark where it was (next_deleted_watermark).
    const bool same_id = row && row->deleted_feed_id == feed.deleted_feed_id;
    const auto watermark = next_deleted_watermark(deleted.newest, plan.held_deletes > 0,
                                                  same_id ? row->deleted_watermark : std::nullopt);
    store_.record_deleted_feed_read(feed.name, *feed.deleted_feed_id, run.now, watermark);
  }
  store_.record_poll_success(feed.name, run.now, run.report.watermark, run.report.complete_scan);
}

boost::asio::awaitable<Expected<CycleReport, CycleError>> PollCycle::run(config::FeedConfig feed,
                                                                          CompiledMapping mapping,
                                                                          CycleOptions options) {
  Run run = start(feed, options);
  // GCC 12 miscompiles co_await inside a conditional expression: plain statements only.
  Expected<feed::IndexScan, feed::FeedError> live;
  if (run.report.full_scan) {
    live = co_await feeds_.full_index(feed.feed_id);
  } else {
    live = co_await feeds_.incremental_index(feed.feed_id, *run.row->watermark, feed.overlap.count());
  }
  if (!live) co_return unexpected(fail(run, live.error()));
  run.report.feed_requests += live->requests;
  for (const auto& note : feeds_.new_shape_notes(feed.feed_id, live->shape))
    log::info("the Feed API answers differently from what was asked; adapted", {{"feed", feed.name}, {"note", note}});
  // A deletion the guard holds, or one an operator approved, needs the Deleted Feed read again.
  const bool reread_deleted = options.force_full_scan || options.read_deleted_feed_now ||
                              (run.row && (run.row->deletes_approved || run.row->held_deletes > 0));
  DeletedFeedRead deleted = co_await read_deleted_feed(feed, run.row, run.now, reread_deleted);
  run.report.feed_requests += deleted.requests;
  run.report.deleted_feed_read = deleted.entries.has_value();
  run.report.deleted_feed_error = deleted.error;
  if (deleted.error) {
    log::error("Deleted Feed read failed; the live feed syncs on and its deletions wait",
               {{"feed", feed.name}, {"error", *deleted.error}});
  }

  IndexPlan plan = plan_live_index(run, std::move(*live), std::move(deleted.entries));
  if (any_vanished(plan)) {
    auto failed = co_await confirm_vanished(run, plan);
    if (failed) co_return unexpected(fail(run, *failed));
  }
  if (feed.shared_articles == config::SharedArticles::one_item) skip_owned_elsewhere(run, plan);
  add_unmigrated(run, plan);
  auto fetched = co_await fetch_changed(run, mapping, plan);
  if (!fetched) co_return unexpected(fail(run, fetched.error()));
  plan_moves(run, *fetched);
  const auto decisions = plan_content(run.known, fetched->to_plan, options.forced_guids);
  run.report.watermark = next_watermark(plan.newest_seen, plan.to_fetch, fetched->missing,
                                        run.row ? run.row->watermark : std::nullopt);
  report_decisions(run, plan, decisions, *fetched);
  if (run.dry) co_return std::move(run.report);

  commit(run, plan, decisions, *fetched, deleted);
  log_done(run.report);
  co_return std::move(run.report);
}

}  // namespace feedsync::engine
