#pragma once
// What one poll cycle found and decided (PollCycle::run's result; `feedsyncd plan` prints it)
// and the rules that fill it in from the planner's decisions. Pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/planner.hpp"

namespace feedsync::engine {

// What a cycle does (or, dry run, would do) with one article.
enum class ChangeAction {
  create,
  update,
  undelete,
  delete_,
  held_delete,    // the mass-delete guard holds the cycle's deletions (one line for all)
  mapping_error,  // the article cannot be mapped: nothing sent
  shared,         // cms.articles_in_several_feeds: one_item: another feed owns its CMS item
  move,           // translations: group: from an item of its own to its group's item (approved)
  held_move,      // ... waiting for `feedsyncd approve-deletes FEED`
};
// "create", "update", "undelete", "delete", "held-delete", "mapping-error", "shared": the words
// of `feedsyncd plan` (text and JSON).
std::string_view to_string(ChangeAction action);

struct PlannedChange {
  ChangeAction action = ChangeAction::create;
  std::string guid;
  std::string title;
  std::string cms_key;
  std::string reason;
};

struct CycleReport {
  std::string feed;
  bool full_scan = false;        // a full reconciliation scan was attempted
  bool complete_scan = false;    // ... and it may conclude deletions
  int feed_requests = 0;
  std::size_t seen = 0;          // live entries in the index scan
  std::size_t unchanged = 0;
  std::size_t created = 0, updated = 0, undeleted = 0, touched = 0, deleted = 0;
  std::size_t held_deletes = 0;
  std::string held_reason;
  // translations: group (issue 23): articles of a feed switched from off that would move to their
  // group's item (deleting their own), held until `feedsyncd approve-deletes FEED`.
  std::size_t held_moves = 0;
  std::size_t rejected_entries = 0;  // entries without a usable guid / modified_at
  std::size_t mapping_errors = 0;
  std::size_t missing = 0;           // changed in the index, gone by the full fetch
  // cms.articles_in_several_feeds: one_item: new here, but another feed owns the article's item.
  std::size_t shared = 0;
  std::optional<std::int64_t> watermark;
  // The Deleted Feed (issue 17): read this cycle (it has its own deleted_interval), or the error
  // of a failed read, which leaves the live sync going and its deletions waiting.
  bool deleted_feed_read = false;
  std::optional<std::string> deleted_feed_error;
  std::vector<PlannedChange> changes;  // every non-trivial decision, in feed order
};

// One article the planner decided about, with what the report shows of it.
struct DecidedArticle {
  ContentAction action;
  std::string guid;
  std::string title;
  std::string cms_key;
};
struct DeletedArticle {
  std::string guid;
  DeleteReason reason;
  std::string title;
  std::string cms_key;
};

// Counts the decisions and lists them in order (a touch, timestamps only, is counted, not
// listed), then the deletions, then one line for held deletions.
void report_plan(CycleReport& report, const std::vector<DecidedArticle>& content,
                 const std::vector<DeletedArticle>& deletes, std::size_t held_deletes, const std::string& held_reason);

// translations switched (issue 23): an article whose item changes from `old_key` to `new_key` (its
// own to its group's, or back). Held: listed and counted as waiting for approval; otherwise the listed update of the
// article becomes a move.
void report_move(CycleReport& report, const std::string& guid, const std::string& title, const std::string& new_key,
                 const std::string& old_key, bool held);

// An article that cannot be mapped; `message` holds every mapping error.
void report_mapping_error(CycleReport& report, const std::string& guid, const std::string& message);

// cms.articles_in_several_feeds: one_item: an article new to this feed whose CMS item `owner`
// (another feed) owns is skipped: counted and listed as shared.
void report_owned_elsewhere(CycleReport& report, const std::string& guid, const std::string& owner);

// The same found in the poll's transaction, after report_plan listed the article as a create:
// another feed took the item while this poll ran. The create becomes a shared article.
void report_taken_meanwhile(CycleReport& report, const std::string& guid, const std::string& owner);

}  // namespace feedsync::engine
