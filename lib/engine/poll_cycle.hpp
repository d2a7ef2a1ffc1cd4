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
#include "core/outbox_payload.hpp"
#include "core/planner.hpp"
#include "engine/cycle_report.hpp"

namespace feedsync::feed {
class FeedClient;
struct FeedError;
struct IndexScan;
}
namespace feedsync::store {
class Store;
struct FeedRow;
struct ArticleRow;
}

namespace feedsync::engine {

struct CycleOptions {
  bool dry_run = false;
  bool force_full_scan = false;
  // Read the Deleted Feed whether or not its deleted_interval has passed (`once`, `plan`), and
  // look at the rows a translations switch left (issue 23) even without a full scan.
  bool read_deleted_feed_now = false;
  std::vector<std::string> forced_guids;  // `resync`: pushed even if the payload hash matches
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
  struct Run;      // one run's state
  struct Fetched;  // the changed articles, fetched in full and mapped
  struct DeletedFeedRead {
    std::optional<std::vector<IndexEntry>> entries;  // set when the Deleted Feed was read
    std::optional<std::int64_t> newest;              // newest modified_at read: its next watermark
    std::optional<std::string> error;                // the read failed
    int requests = 0;
  };

  // The steps of run(), in order.
  Run start(const config::FeedConfig& feed, const CycleOptions& options);
  // Reads the Deleted Feed when it is due (its deleted_interval has passed, or `force`), by its
  // own watermark. Never fails the cycle: an error is returned for the cycle to record.
  boost::asio::awaitable<DeletedFeedRead> read_deleted_feed(const config::FeedConfig& feed,
                                                            const std::optional<store::FeedRow>& row,
                                                            std::int64_t now, bool force);
  // The live index against the feed's articles (loaded here) and the Deleted Feed's entries.
  IndexPlan plan_live_index(Run& run, feed::IndexScan live, std::optional<std::vector<IndexEntry>> gone);
  void load_known(Run& run);
  // Deletions by vanishing are confirmed by a second complete scan; the error of a failed one.
  boost::asio::awaitable<std::optional<feed::FeedError>> confirm_vanished(Run& run, IndexPlan& plan);
  // cms.articles_in_several_feeds: one_item: drops from `plan` the articles new to this feed
  // whose CMS item another feed owns (an active row there), counting and listing them.
  void skip_owned_elsewhere(Run& run, IndexPlan& plan);
  boost::asio::awaitable<Expected<Fetched, feed::FeedError>> fetch_changed(Run& run, const CompiledMapping& mapping,
                                                                           const IndexPlan& plan);
  // translations: group, a feed switched from off (docs/decisions.md).
  void add_unmigrated(Run& run, IndexPlan& plan);
  void plan_moves(Run& run, Fetched& fetched);
  void mapping_failed(Run& run, const std::string& guid, const std::string& message);
  // (item key + "\n" + locale) -> the guid that takes it in this batch.
  using TranslationSlots = std::unordered_map<std::string, std::string>;
  // translations: group: the mapping error when another translation of the article's group holds
  // its locale already.
  std::optional<std::string> locale_taken(Run& run, TranslationSlots& slots, const std::string& guid,
                                          const ArticleDocument& document, const std::optional<std::string>& group_id);
  void report_decisions(Run& run, const IndexPlan& plan, const std::vector<ContentDecision>& decisions,
                        const Fetched& fetched);
  // The one store transaction of the cycle (not in a dry run).
  void commit(Run& run, const IndexPlan& plan, const std::vector<ContentDecision>& decisions,
              const Fetched& fetched, const DeletedFeedRead& deleted);
  // Within commit(): false when the article was skipped (another feed took its CMS item).
  bool record_content(Run& run, const ContentDecision& decision, const Fetched& fetched);
  void record_delete(Run& run, const PlannedDelete& planned);
  void record_feed(Run& run, const IndexPlan& plan, const DeletedFeedRead& deleted);
  // A failed read changes nothing but the feed's poll bookkeeping: no article, no watermark.
  CycleError fail(const Run& run, const feed::FeedError& error);

  feed::FeedClient& feeds_;
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace feedsync::engine
