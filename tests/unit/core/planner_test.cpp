#include "core/planner.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t T = 1'753'358'503'000;  // 2025-07-24T12:01:43Z
constexpr std::int64_t kMinute = 60'000;

IndexEntry entry(const std::string& guid, std::int64_t content, std::int64_t placement = 0) {
  return {guid, placement, content};
}
KnownArticle known(const std::string& guid, std::int64_t content, std::int64_t placement = 0,
                   bool deleted = false, std::string hash = "h") {
  return {guid, placement, content, deleted, hash, std::nullopt};
}
std::vector<std::string> guids(const std::vector<IndexEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.guid);
  return out;
}
std::vector<std::string> guids(const std::vector<PlannedDelete>& deletes) {
  std::vector<std::string> out;
  for (const auto& d : deletes) out.push_back(d.guid);
  return out;
}

struct Planner {
  std::vector<KnownArticle> store;
  GuardLimits guard{10, 0.2};
  IndexPlan index(std::vector<IndexEntry> live, bool complete,
                  std::optional<std::vector<IndexEntry>> deleted = std::nullopt, bool approved = false) {
    IndexPlanInput input;
    input.known = &store;
    input.live = {std::move(live), complete, {}};
    input.deleted_feed = std::move(deleted);
    input.guard = guard;
    input.deletes_approved = approved;
    return plan_index(input);
  }
};

TEST(PlanIndex, FirstRunFetchesEverything) {
  Planner p;
  auto plan = p.index({entry("a", T), entry("b", T - kMinute)}, true);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a", "b"));
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_EQ(plan.held_deletes, 0u);
  EXPECT_EQ(plan.newest_seen, T);
}

TEST(PlanIndex, NoChangeFetchesNothing) {
  Planner p{{known("a", T, T - 1), known("b", T - kMinute)}};
  auto plan = p.index({entry("a", T, T - 1), entry("b", T - kMinute)}, true);
  EXPECT_THAT(plan.to_fetch, IsEmpty());
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_EQ(plan.unchanged, 2u);
}

TEST(PlanIndex, ContentChangeIsFetched) {
  Planner p{{known("a", T), known("b", T)}};
  auto plan = p.index({entry("a", T + kMinute), entry("b", T)}, false);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a"));
  EXPECT_EQ(plan.unchanged, 1u);
}

TEST(PlanIndex, ContentFetchedWithinItsModificationSecondIsFetchedOnceMore) {
  // Feed timestamps have whole seconds: an edit later in the same second as the fetch leaves
  // them unchanged, so content fetched before that second (plus a margin) ended is not trusted.
  KnownArticle early = known("a", T);
  early.fetched_at = T + 400;  // mid-second
  KnownArticle edge = known("b", T);
  edge.fetched_at = T + 1000 + kSameSecondMargin - 1;
  KnownArticle settled = known("c", T);
  settled.fetched_at = T + 1000 + kSameSecondMargin;
  KnownArticle legacy = known("d", T);  // fetched before fetched_at was recorded: trusted
  Planner p{{early, edge, settled, legacy}};
  auto plan = p.index({entry("a", T), entry("b", T), entry("c", T), entry("d", T)}, false);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a", "b"));
  EXPECT_EQ(plan.unchanged, 2u);
}

TEST(PlanIndex, EntryOnlyChangeIsFetched) {
  // Only the entry-level (placement) timestamp moved: the feed may sort by either one, so
  // either changing counts (DESIGN.md §4 step 1).
  Planner p{{known("a", T, T)}};
  auto plan = p.index({entry("a", T, T + kMinute)}, false);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a"));
}

TEST(PlanIndex, ClockGoingBackwardsStillCountsAsChanged) {
  // The feed now says an older time than the store: "differs" is what matters, not "newer".
  Planner p{{known("a", T)}};
  auto plan = p.index({entry("a", T - kMinute)}, false);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a"));
}

TEST(PlanIndex, DuplicateGuidInOneScanCollapsesToTheNewest) {
  Planner p{{known("a", T)}};
  auto plan = p.index({entry("a", T), entry("a", T + kMinute), entry("a", T - kMinute)}, true);
  ASSERT_EQ(plan.to_fetch.size(), 1u);
  EXPECT_EQ(plan.to_fetch[0].content_modified_at, T + kMinute);
  EXPECT_EQ(plan.duplicates_collapsed, 2u);
}

TEST(PlanIndex, PartialScanNeverDeletes) {
  Planner p{{known("a", T), known("b", T), known("c", T)}};
  auto plan = p.index({entry("a", T)}, /*complete=*/false);
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_EQ(plan.held_deletes, 0u);
}

TEST(PlanIndex, FailedScanOr404ReachesThePlannerAsIncompleteAndDeletesNothing) {
  // A feed 404 or a failed page: the poll has no complete scan to offer, whatever it read.
  Planner p{{known("a", T), known("b", T)}};
  auto plan = p.index({}, /*complete=*/false);
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_THAT(plan.to_fetch, IsEmpty());
}

TEST(PlanIndex, VanishedFromCompleteScanIsDeleted) {
  Planner p{{known("a", T), known("b", T), known("gone", T), known("old", T, 0, /*deleted=*/true)}};
  auto plan = p.index({entry("a", T), entry("b", T)}, true);
  ASSERT_THAT(guids(plan.deletes), ElementsAre("gone"));
  EXPECT_EQ(plan.deletes[0].reason, DeleteReason::vanished);
}

TEST(PlanIndex, AnEntryPresentButRejectedIsNotVanished) {
  // Issue 15: an article whose entry the parser rejected (broken text, an implausible time) is
  // still in the feed; a complete scan must not delete it for its absence from the entries.
  Planner p{{known("a", T), known("broken", T), known("gone", T)}};
  IndexPlanInput input;
  input.known = &p.store;
  input.live = {{entry("a", T)}, true, {"broken"}};
  input.guard = p.guard;
  auto plan = plan_index(input);
  ASSERT_THAT(guids(plan.deletes), ElementsAre("gone"));
  EXPECT_THAT(plan.to_fetch, IsEmpty());
}

TEST(PlanIndex, DeletedFeedDeletesKnownArticlesOnly) {
  Planner p{{known("a", T), known("b", T)}};
  auto plan = p.index({entry("a", T)}, false, std::vector{entry("b", T + kMinute), entry("never", T)});
  ASSERT_THAT(guids(plan.deletes), ElementsAre("b"));
  EXPECT_EQ(plan.deletes[0].reason, DeleteReason::deleted_feed);
}

TEST(PlanIndex, GuidInBothFeedsLiveNewerWins) {
  // Re-published after being moved to the Deleted Feed: the live entry is newer.
  Planner p{{known("a", T)}};
  auto plan = p.index({entry("a", T + 2 * kMinute)}, true, std::vector{entry("a", T + kMinute)});
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a"));
}

TEST(PlanIndex, GuidInBothFeedsDeletedNewerWins) {
  Planner p{{known("a", T)}};
  auto plan = p.index({entry("a", T)}, true, std::vector{entry("a", T + kMinute)});
  EXPECT_THAT(guids(plan.deletes), ElementsAre("a"));
  EXPECT_THAT(plan.to_fetch, IsEmpty());
}

// Re-published and synced since its Deleted Feed entry, and no longer in the reach of the
// incremental poll: what the store holds is newer than the deletion, so nothing is deleted.
TEST(PlanIndex, AStoredArticleNewerThanItsDeletedFeedEntryIsKept) {
  Planner p{{known("a", T + 2 * kMinute), known("b", T)}};
  auto plan = p.index({}, false, std::vector{entry("a", T + kMinute), entry("b", T + kMinute)});
  EXPECT_THAT(guids(plan.deletes), ElementsAre("b"));
}

TEST(PlanIndex, RepublishAfterDeleteIsFetchedEvenWithEqualTimestamps) {
  Planner p{{known("a", T, 0, /*deleted=*/true)}};
  auto plan = p.index({entry("a", T)}, true);
  EXPECT_THAT(guids(plan.to_fetch), ElementsAre("a"));
  EXPECT_THAT(plan.deletes, IsEmpty());
}

TEST(PlanIndex, EmptyFeedOverPopulatedStoreIsHeldWhateverTheLimits) {
  Planner p{{known("a", T), known("b", T), known("c", T)}};  // 3 deletions < guard.min 10
  auto plan = p.index({}, true);
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_EQ(plan.held_deletes, 3u);
  EXPECT_THAT(plan.held_reason, HasSubstr("no entries"));
}

TEST(PlanIndex, GuardHoldsAboveMaxOfMinAndRatio) {
  Planner p;
  for (int i = 0; i < 100; ++i) p.store.push_back(known("g" + std::to_string(i), T));
  std::vector<IndexEntry> live;
  for (int i = 0; i < 80; ++i) live.push_back(entry("g" + std::to_string(i), T));
  // 20 vanish out of 100: limit = max(10, 0.2 * 100) = 20 -> allowed.
  EXPECT_EQ(p.index(live, true).deletes.size(), 20u);
  // 21 vanish: held.
  live.pop_back();
  auto plan = p.index(live, true);
  EXPECT_THAT(plan.deletes, IsEmpty());
  EXPECT_EQ(plan.held_deletes, 21u);
  EXPECT_THAT(plan.held_reason, HasSubstr("21 deletions exceed the guard"));
  // Approved by an operator: carried out.
  EXPECT_EQ(p.index(live, true, std::nullopt, /*approved=*/true).deletes.size(), 21u);
}

TEST(PlanIndex, GuardCountsDeletedFeedDeletionsToo) {
  Planner p;
  p.guard = {2, 0.0};
  for (int i = 0; i < 5; ++i) p.store.push_back(known("g" + std::to_string(i), T));
  std::vector<IndexEntry> deleted;
  for (int i = 0; i < 3; ++i) deleted.push_back(entry("g" + std::to_string(i), T + kMinute));
  auto plan = p.index({}, false, deleted);
  EXPECT_EQ(plan.held_deletes, 3u);
}

TEST(PlanContent, CreateUpdateUndeleteTouch) {
  std::vector<KnownArticle> store = {known("same", T, 0, false, "h1"), known("changed", T, 0, false, "h1"),
                                     known("back", T, 0, true, "h1")};
  auto decisions = plan_content(store, {{entry("new", T), "h9"},
                                        {entry("same", T + 1), "h1"},
                                        {entry("changed", T + 1), "h2"},
                                        {entry("back", T + 1), "h1"}});
  ASSERT_EQ(decisions.size(), 4u);
  EXPECT_EQ(decisions[0].action, ContentAction::create);
  EXPECT_EQ(decisions[1].action, ContentAction::touch);  // timestamps moved, payload identical
  EXPECT_EQ(decisions[2].action, ContentAction::update);
  EXPECT_EQ(decisions[3].action, ContentAction::undelete);
}

TEST(PlanContent, ResyncForcesAnUpdateDespiteAnEqualHash) {
  std::vector<KnownArticle> store = {known("a", T, 0, false, "h1")};
  auto decisions = plan_content(store, {{entry("a", T), "h1"}}, {"a"});
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].action, ContentAction::update);
}

TEST(ReachedWatermark, StopsOnlyBelowWatermarkMinusOverlap) {
  const std::int64_t watermark = T;
  const std::int64_t overlap = 5 * kMinute;
  // A tie at the watermark, and entries inside the overlap, are re-read (harmless: hashes).
  EXPECT_FALSE(reached_watermark({entry("a", T + kMinute), entry("b", T)}, watermark, overlap));
  EXPECT_FALSE(reached_watermark({entry("c", T - 5 * kMinute)}, watermark, overlap));
  EXPECT_TRUE(reached_watermark({entry("d", T - 5 * kMinute - 1)}, watermark, overlap));
  // The entry-level timestamp counts as much as the content-level one.
  EXPECT_FALSE(reached_watermark({entry("e", T - kMinute * 60, T)}, watermark, overlap));
}

}  // namespace
}  // namespace feedsync
