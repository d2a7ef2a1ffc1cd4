#include "core/planner.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace feedsync {
namespace {

using KnownIndex = std::unordered_map<std::string_view, const KnownArticle*>;

KnownIndex index_known(const std::vector<KnownArticle>& known) {
  KnownIndex index;
  index.reserve(known.size());
  for (const auto& article : known) index.emplace(article.guid, &article);
  return index;
}

// One entry per guid, the newest winning (a guid listed twice in one scan: feeds are not
// guaranteed to be consistent while editors work). Works in place so a 100k-entry scan is not
// copied: a later duplicate's timestamps move into the first occurrence (same guid, so the
// string the map's key views is never touched) and the duplicate is marked, not erased.
struct CollapsedScan {
  std::unordered_map<std::string_view, std::size_t> position;  // guid -> index of its entry
  std::vector<bool> duplicate;                                  // by index: skip this one
};

CollapsedScan collapse(std::vector<IndexEntry>& entries, std::size_t& collapsed) {
  CollapsedScan scan;
  scan.position.reserve(entries.size());
  scan.duplicate.assign(entries.size(), false);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto [it, inserted] = scan.position.emplace(entries[i].guid, i);
    if (inserted) continue;
    ++collapsed;
    scan.duplicate[i] = true;
    auto& kept = entries[it->second];
    if (entries[i].newest_modified_at() > kept.newest_modified_at()) {
      kept.entry_modified_at = entries[i].entry_modified_at;
      kept.content_modified_at = entries[i].content_modified_at;
    }
  }
  return scan;
}

bool timestamps_differ(const IndexEntry& entry, const KnownArticle& known) {
  return entry.entry_modified_at != known.entry_modified_at ||
         entry.content_modified_at != known.content_modified_at;
}

// The stored content may predate an edit made later in the same second (see KnownArticle).
bool fetched_too_early(const IndexEntry& entry, const KnownArticle& known) {
  return known.fetched_at && *known.fetched_at < entry.newest_modified_at() + 1000 + kSameSecondMargin;
}

std::optional<std::int64_t> newest_of(const std::vector<IndexEntry>& live, const CollapsedScan& scan) {
  std::optional<std::int64_t> newest;
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (!scan.duplicate[i]) newest = std::max(newest.value_or(0), live[i].newest_modified_at());
  }
  return newest;
}

// The Deleted Feed: a guid there is deleted unless the live feed shows it with a newer
// modified_at (re-publish wins over a stale deleted-feed entry). Appends the deletions of active
// articles to `deletes`; returns every known guid the Deleted Feed claims (deleted already or not).
std::unordered_set<std::string_view> plan_deleted_feed(std::vector<IndexEntry>& gone_entries,
                                                       const std::vector<IndexEntry>& live,
                                                       const CollapsedScan& scan, const KnownIndex& by_guid,
                                                       std::vector<PlannedDelete>& deletes) {
  std::unordered_set<std::string_view> deleted_by_feed;
  std::size_t ignored = 0;
  const CollapsedScan gone_scan = collapse(gone_entries, ignored);
  for (std::size_t g = 0; g < gone_entries.size(); ++g) {
    if (gone_scan.duplicate[g]) continue;
    const auto& gone = gone_entries[g];
    auto in_live = scan.position.find(gone.guid);
    if (in_live != scan.position.end() && live[in_live->second].newest_modified_at() > gone.newest_modified_at())
      continue;
    auto it = by_guid.find(gone.guid);
    // Unknown: never pushed, nothing to delete. Already deleted: nothing more to do.
    if (it == by_guid.end()) continue;
    const KnownArticle& article = *it->second;
    // What the store holds is newer than the deletion: re-published since, and the live entry
    // is simply older than this incremental poll reached (the Deleted Feed is read down to its
    // own watermark, so an old entry of it can outlive the article's return).
    if (!article.deleted &&
        std::max(article.entry_modified_at, article.content_modified_at) > gone.newest_modified_at())
      continue;
    deleted_by_feed.insert(article.guid);
    if (!article.deleted) deletes.push_back({article.guid, DeleteReason::deleted_feed});
  }
  return deleted_by_feed;
}

// The live entries: new, changed or back after a delete -> fetched in full; else unchanged.
void plan_live(const std::vector<IndexEntry>& live, const CollapsedScan& scan,
               const std::unordered_set<std::string_view>& deleted_by_feed, const KnownIndex& by_guid,
               IndexPlan& plan) {
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (scan.duplicate[i] || deleted_by_feed.count(live[i].guid)) continue;
    auto it = by_guid.find(live[i].guid);
    if (it == by_guid.end() || it->second->deleted || timestamps_differ(live[i], *it->second) ||
        fetched_too_early(live[i], *it->second)) {
      plan.to_fetch.push_back(live[i]);
    } else {
      ++plan.unchanged;
    }
  }
}

// A complete scan: an active article absent from it (and not merely unreadable there) vanished.
void plan_vanished(const std::vector<KnownArticle>& known, const CollapsedScan& scan,
                   const std::unordered_set<std::string_view>& deleted_by_feed,
                   const std::vector<std::string>& unreadable_guids, std::vector<PlannedDelete>& deletes) {
  const std::unordered_set<std::string_view> unreadable(unreadable_guids.begin(), unreadable_guids.end());
  for (const auto& article : known) {
    if (article.deleted || scan.position.count(article.guid) || deleted_by_feed.count(article.guid) ||
        unreadable.count(article.guid))
      continue;
    deletes.push_back({article.guid, DeleteReason::vanished});
  }
}

// The mass-delete guard covers every deletion of the cycle, Deleted Feed included: a
// deleted_feed_id pointing at the live feed is as much a misconfiguration as an empty feed.
// `active`: articles known and not deleted; `emptied`: a complete scan found no entry at all.
void guard_deletes(IndexPlan& plan, const GuardLimits& guard, std::int64_t active, bool emptied) {
  const auto count = static_cast<std::int64_t>(plan.deletes.size());
  const auto limit = std::max<std::int64_t>(
      guard.min, static_cast<std::int64_t>(std::floor(guard.ratio * static_cast<double>(active))));
  if (count == 0 || (count <= limit && !emptied)) return;
  plan.held_deletes = plan.deletes.size();
  std::ostringstream reason;
  if (emptied) {
    reason << "the feed returned no entries while " << active
           << " articles are known; an empty feed is more likely a CMP problem than an editor "
              "deleting everything";
  } else {
    reason << count << " deletions exceed the guard: max(min " << guard.min << ", ratio " << guard.ratio
           << " x " << active << " known articles) = " << limit;
  }
  plan.held_reason = reason.str();
  plan.deletes.clear();
}

}  // namespace

const char* to_string(DeleteReason reason) {
  return reason == DeleteReason::deleted_feed ? "moved to the Deleted Feed"
                                              : "vanished from a complete scan";
}

const char* to_string(ContentAction action) {
  switch (action) {
    case ContentAction::create: return "create";
    case ContentAction::update: return "update";
    case ContentAction::undelete: return "undelete";
    case ContentAction::touch: return "touch";
  }
  return "?";
}

IndexPlan plan_index(IndexPlanInput input) {
  static const std::vector<KnownArticle> kNone;
  const auto& known = input.known ? *input.known : kNone;
  const KnownIndex by_guid = index_known(known);
  IndexPlan plan;

  auto& live = input.live.entries;
  const CollapsedScan scan = collapse(live, plan.duplicates_collapsed);
  plan.newest_seen = newest_of(live, scan);
  std::unordered_set<std::string_view> deleted_by_feed;
  if (input.deleted_feed) deleted_by_feed = plan_deleted_feed(*input.deleted_feed, live, scan, by_guid, plan.deletes);
  plan_live(live, scan, deleted_by_feed, by_guid, plan);
  if (input.live.complete) plan_vanished(known, scan, deleted_by_feed, input.live.unreadable, plan.deletes);

  std::int64_t active = 0;
  for (const auto& article : known) active += article.deleted ? 0 : 1;
  const bool emptied = input.live.complete && scan.position.empty() && active > 0;
  if (!input.deletes_approved) guard_deletes(plan, input.guard, active, emptied);
  return plan;
}

std::vector<ContentDecision> plan_content(const std::vector<KnownArticle>& known,
                                          const std::vector<MappedEntry>& fetched,
                                          const std::vector<std::string>& forced) {
  const KnownIndex by_guid = index_known(known);
  const std::unordered_set<std::string_view> force(forced.begin(), forced.end());
  std::vector<ContentDecision> decisions;
  decisions.reserve(fetched.size());
  for (const auto& entry : fetched) {
    auto it = by_guid.find(entry.index.guid);
    ContentAction action;
    if (it == by_guid.end()) {
      action = ContentAction::create;
    } else if (it->second->deleted) {
      action = ContentAction::undelete;
    } else if (it->second->payload_hash == entry.payload_hash && !force.count(entry.index.guid)) {
      action = ContentAction::touch;
    } else {
      action = ContentAction::update;
    }
    decisions.push_back({entry.index, entry.payload_hash, action});
  }
  return decisions;
}

bool reached_watermark(const std::vector<IndexEntry>& page, std::int64_t watermark_ms,
                       std::int64_t overlap_ms) {
  const std::int64_t floor = watermark_ms - overlap_ms;
  return std::any_of(page.begin(), page.end(),
                     [floor](const IndexEntry& e) { return e.newest_modified_at() < floor; });
}

}  // namespace feedsync
