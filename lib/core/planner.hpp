#pragma once
// The planner (DESIGN.md §4 steps 1-4): pure decisions from what the feed says and what the
// store knows. No I/O; the poll cycle feeds it and records its output in one transaction.
//
// Two phases, because full content is fetched only for what changed:
//  1. plan_index: index entries (guid + timestamps) of the live feed and the Deleted Feed vs the
//     known articles -> which guids to fetch in full, which to delete, whether the mass-delete
//     guard holds the deletions.
//  2. plan_content: the fetched entries, mapped and hashed -> create / update / undelete, or
//     only record new timestamps when the payload hash shows nothing the CMS sees changed.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/feed_entry.hpp"

namespace feedsync {

// What the store knows of one article (a projection of its row).
struct KnownArticle {
  std::string guid;
  std::int64_t entry_modified_at = 0;
  std::int64_t content_modified_at = 0;
  bool deleted = false;
  std::optional<std::string> payload_hash;
  // When the fetch of the content the store holds started (unix ms, our clock). Feed
  // timestamps have whole seconds: content fetched before the end of its modified_at second
  // (plus kSameSecondMargin for clock skew) may miss a later edit in that second that leaves the
  // timestamps unchanged, so such an article is fetched once more. Absent: trusted.
  std::optional<std::int64_t> fetched_at;
};

inline constexpr std::int64_t kSameSecondMargin = 1000;

// The live feed's index as the planner sees it (feed::IndexScan is what the feed client read).
struct LiveIndex {
  std::vector<IndexEntry> entries;
  // True only for a full reconciliation scan that read every page without error: only such a
  // scan may conclude that an article vanished (DESIGN.md §4 step 2).
  bool complete = false;
  // Guids of entries present in the feed but rejected (broken text, an implausible time...):
  // not read, but not vanished either, so never deleted for their absence from `entries`.
  std::vector<std::string> unreadable;
};

struct GuardLimits {
  std::int64_t min = 10;
  double ratio = 0.2;
};

struct IndexPlanInput {
  const std::vector<KnownArticle>* known = nullptr;
  LiveIndex live;
  std::optional<std::vector<IndexEntry>> deleted_feed;  // absent: no Deleted Feed configured
  GuardLimits guard;
  bool deletes_approved = false;  // `feedsyncd approve-deletes FEED` released a held batch
};

enum class DeleteReason { deleted_feed, vanished };
const char* to_string(DeleteReason reason);

struct PlannedDelete {
  std::string guid;
  DeleteReason reason;
};

struct IndexPlan {
  std::vector<IndexEntry> to_fetch;    // new, changed, or back after a delete
  std::vector<PlannedDelete> deletes;  // empty when the guard holds them
  std::size_t held_deletes = 0;        // > 0: the guard holds this many deletions
  std::string held_reason;
  std::size_t unchanged = 0;
  std::size_t duplicates_collapsed = 0;  // a guid seen twice in one scan: the newest wins
  // Newest modified_at among the live entries seen: the candidate watermark.
  std::optional<std::int64_t> newest_seen;
};

// Takes the input by value: move a large scan in, it is worked on in place.
IndexPlan plan_index(IndexPlanInput input);

// A fetched entry after mapping: its identity and the hash of the CMS payload it maps to.
struct MappedEntry {
  IndexEntry index;
  std::string payload_hash;
};

enum class ContentAction {
  create,    // unknown guid: create with the deterministic key
  update,    // known, payload changed: new version
  undelete,  // known but deleted, back in the live feed: undelete, then update
  touch,     // timestamps changed, payload identical: record the timestamps, nothing for the CMS
};
const char* to_string(ContentAction action);

struct ContentDecision {
  IndexEntry index;
  std::string payload_hash;
  ContentAction action;
};

// `forced`: guids whose payload is pushed even if the hash matches (`feedsyncd resync`).
std::vector<ContentDecision> plan_content(const std::vector<KnownArticle>& known,
                                          const std::vector<MappedEntry>& fetched,
                                          const std::vector<std::string>& forced = {});

// Incremental polls page newest-first until an entry is older than the watermark minus the
// overlap. True when `page` already reached below that point, so no further page is needed.
bool reached_watermark(const std::vector<IndexEntry>& page, std::int64_t watermark_ms,
                       std::int64_t overlap_ms);

}  // namespace feedsync
