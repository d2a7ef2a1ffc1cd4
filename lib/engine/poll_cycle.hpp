#pragma once
// One poll cycle of one feed (DESIGN.md §4 steps 1-5): index scan(s), Deleted Feed, plan, full
// fetch of what changed, mapping, and ONE store transaction recording article rows, outbox
// operations, held deletions and the new watermark. Nothing here talks to the CMS.
//
// `dry_run` (feedsyncd plan) does every read and no write: the report lists what would change.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/expected.hpp"
#include "core/mapping.hpp"
#include "core/planner.hpp"

namespace feedsync::feed { class FeedClient; }
namespace feedsync::store {
class Store;
struct FeedRow;
struct ArticleRow;
}

namespace feedsync::engine {

struct CycleOptions {
  bool dry_run = false;
  bool force_full_scan = false;
  // Read the Deleted Feed whether or not its deleted_interval has passed (`once`, `plan`).
  bool read_deleted_feed_now = false;
  std::vector<std::string> forced_guids;  // `resync`: pushed even if the payload hash matches
};

struct PlannedChange {
  std::string action;  // create | update | undelete | delete | held-delete | mapping-error | shared
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

struct CycleError {
  std::string message;      // names the feed
  bool misconfigured = false;  // feed 404: alarm, keep every local row
};

class PollCycle {
 public:
  PollCycle(feed::FeedClient& feeds, store::Store& store, const Clock& clock);

  boost::asio::awaitable<Expected<CycleReport, CycleError>> run(config::FeedConfig feed,
                                                                 CompiledMapping mapping,
                                                                 CycleOptions options);

 private:
  struct DeletedFeedRead {
    std::optional<std::vector<IndexEntry>> entries;  // set when the Deleted Feed was read
    std::optional<std::int64_t> newest;              // newest modified_at read: its next watermark
    std::optional<std::string> error;                // the read failed
    int requests = 0;
  };
  // cms.articles_in_several_feeds: one_item: drops from `plan` the articles new to this feed
  // whose CMS item another feed owns (an active row there), counting and listing them.
  void skip_owned_elsewhere(const config::FeedConfig& feed,
                            const std::unordered_map<std::string_view, const store::ArticleRow*>& row_of,
                            IndexPlan& plan, CycleReport& report);
  // Reads the Deleted Feed when it is due (its deleted_interval has passed, or `force`), by its
  // own watermark. Never fails the cycle: an error is returned for the cycle to record.
  boost::asio::awaitable<DeletedFeedRead> read_deleted_feed(const config::FeedConfig& feed,
                                                            const std::optional<store::FeedRow>& row,
                                                            std::int64_t now, bool force);

  feed::FeedClient& feeds_;
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace feedsync::engine
