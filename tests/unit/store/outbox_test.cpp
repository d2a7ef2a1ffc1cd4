// The outbox: coalescing, claiming, outcomes, dead letters and crash recovery.

#include <vector>

#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> guids_of(const std::vector<OutboxOp>& ops) {
  std::vector<std::string> guids;
  for (const auto& op : ops) guids.push_back(op.guid);
  return guids;
}

// --- enqueue and coalescing ---

TEST_F(StoreTest, EnqueueInsertsAPendingOpDueNow) {
  Store store = open_with_feeds();
  auto result = store.enqueue(make_op("blog", "g1", OpKind::upsert, R"({"title":"A"})"), 1000);
  EXPECT_EQ(result.outcome, EnqueueOutcome::inserted);
  auto op = store.outbox_op(result.id);
  ASSERT_TRUE(op);
  EXPECT_EQ(op->feed, "blog");
  EXPECT_EQ(op->guid, "g1");
  EXPECT_EQ(op->op, OpKind::upsert);
  EXPECT_EQ(op->payload, R"({"title":"A"})");
  EXPECT_EQ(op->payload_hash, R"(hash-of-{"title":"A"})");
  EXPECT_EQ(op->state, OpState::pending);
  EXPECT_EQ(op->attempts, 0);
  EXPECT_EQ(op->next_attempt_at, 1000);
  EXPECT_EQ(op->created_at, 1000);
  EXPECT_EQ(op->updated_at, 1000);
  EXPECT_FALSE(op->last_error);
  EXPECT_EQ(store.next_due(), 1000);
}

TEST_F(StoreTest, NewerContentOpReplacesThePendingOneInPlace) {
  Store store = open_with_feeds();
  auto first = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v1"), 1000);
  auto second = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v2"), 2000);
  EXPECT_EQ(second.outcome, EnqueueOutcome::replaced_pending);
  EXPECT_EQ(second.id, first.id);
  auto ops = store.article_ops("blog", "g1");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].payload, "v2");
  EXPECT_EQ(ops[0].payload_hash, "hash-of-v2");
  EXPECT_EQ(ops[0].created_at, 1000);       // lag counts from the first unsynced change
  EXPECT_EQ(ops[0].next_attempt_at, 1000);  // already due: keeps its turn
  EXPECT_EQ(ops[0].updated_at, 2000);
}

TEST_F(StoreTest, DeleteReplacesPendingUpsertAndUpsertReplacesPendingDelete) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "g1", OpKind::upsert), 1000).id;
  EXPECT_EQ(store.enqueue(make_op("blog", "g1", OpKind::delete_, ""), 1100).id, id);
  EXPECT_EQ(store.outbox_op(id)->op, OpKind::delete_);
  EXPECT_EQ(store.enqueue(make_op("blog", "g1", OpKind::upsert, "v3"), 1200).id, id);
  EXPECT_EQ(store.outbox_op(id)->op, OpKind::upsert);
  EXPECT_EQ(store.article_ops("blog", "g1").size(), 1u);
}

TEST_F(StoreTest, UpsertReplacingPendingUndeleteStaysUndelete) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "g1", OpKind::undelete, "v1"), 1000).id;
  store.enqueue(make_op("blog", "g1", OpKind::upsert, "v2"), 1100);
  auto op = *store.outbox_op(id);
  EXPECT_EQ(op.op, OpKind::undelete);  // the CMS item may still be soft-deleted
  EXPECT_EQ(op.payload, "v2");
  store.enqueue(make_op("blog", "g1", OpKind::delete_, ""), 1200);
  EXPECT_EQ(store.outbox_op(id)->op, OpKind::delete_);
}

TEST_F(StoreTest, ReplacingResetsAttemptsErrorAndBackoff) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v1"), 1000).id;
  ASSERT_EQ(store.claim_due(1000, 10).size(), 1u);
  store.retry_later(id, 60'000, "HTTP 503");
  auto op = *store.outbox_op(id);
  EXPECT_EQ(op.attempts, 1);
  EXPECT_EQ(op.next_attempt_at, 60'000);

  EXPECT_EQ(store.enqueue(make_op("blog", "g1", OpKind::upsert, "v2"), 2000).id, id);
  op = *store.outbox_op(id);
  EXPECT_EQ(op.state, OpState::pending);
  EXPECT_EQ(op.attempts, 0);
  EXPECT_EQ(op.next_attempt_at, 2000);  // the change is tried now, not after the old backoff
  EXPECT_FALSE(op.last_error);
  EXPECT_EQ(op.payload, "v2");
}

TEST_F(StoreTest, ReplacedOpKeepsItsPlaceInLine) {
  Store store = open_with_feeds();
  store.enqueue(make_op("blog", "a", OpKind::upsert, "a1"), 1000);
  store.enqueue(make_op("blog", "b", OpKind::upsert, "b1"), 1000);
  store.enqueue(make_op("blog", "c", OpKind::upsert, "c1"), 1500);
  store.enqueue(make_op("blog", "a", OpKind::upsert, "a2"), 2000);  // a changed again before it ran
  auto claimed = store.claim_due(3000, 10);
  EXPECT_EQ(guids_of(claimed), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(claimed[0].payload, "a2");
}

TEST_F(StoreTest, CanonicalOpsCoalesceOnlyWithCanonicalOpsOfTheSameArticle) {
  Store store = open_with_feeds();
  auto upsert = store.enqueue(make_op("blog", "g1", OpKind::upsert), 1000);
  auto canonical = store.enqueue(make_op("blog", "g1", OpKind::canonical, "url1"), 1000);
  EXPECT_EQ(canonical.outcome, EnqueueOutcome::inserted);
  EXPECT_NE(canonical.id, upsert.id);

  auto canonical2 = store.enqueue(make_op("blog", "g1", OpKind::canonical, "url2"), 1100);
  EXPECT_EQ(canonical2.outcome, EnqueueOutcome::replaced_pending);
  EXPECT_EQ(canonical2.id, canonical.id);
  EXPECT_EQ(store.outbox_op(canonical.id)->payload, "url2");

  // A content op does not swallow the canonical op, nor the other way round.
  EXPECT_EQ(store.enqueue(make_op("blog", "g1", OpKind::delete_), 1200).id, upsert.id);
  EXPECT_EQ(store.outbox_op(canonical.id)->op, OpKind::canonical);

  auto other = store.enqueue(make_op("blog", "g2", OpKind::canonical, "url3"), 1300);
  EXPECT_EQ(other.outcome, EnqueueOutcome::inserted);
  auto same_guid_other_feed = store.enqueue(make_op("news", "g1", OpKind::canonical, "url4"), 1300);
  EXPECT_EQ(same_guid_other_feed.outcome, EnqueueOutcome::inserted);
  EXPECT_EQ(store.article_ops("blog", "g1").size(), 2u);
}

TEST_F(StoreTest, ChangeToAnInflightArticleIsQueuedBehindIt) {
  Store store = open_with_feeds();
  auto first = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v1"), 1000);
  auto claimed = store.claim_due(1000, 10);
  ASSERT_EQ(claimed.size(), 1u);

  auto second = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v2"), 1100);
  EXPECT_EQ(second.outcome, EnqueueOutcome::inserted);
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(store.outbox_op(first.id)->payload, "v1");  // the in-flight op is untouched
  EXPECT_EQ(store.outbox_op(first.id)->state, OpState::inflight);
  EXPECT_TRUE(store.claim_due(5000, 10).empty());  // the article is busy

  // A third change coalesces with the queued second one, not the in-flight one.
  EXPECT_EQ(store.enqueue(make_op("blog", "g1", OpKind::upsert, "v3"), 1200).id, second.id);

  store.complete(first.id);
  claimed = store.claim_due(5000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, second.id);
  EXPECT_EQ(claimed[0].payload, "v3");
}

TEST_F(StoreTest, NewerChangeRevivesTheDeadOp) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v1"), 1000).id;
  store.claim_due(1000, 10);
  store.dead_letter(id, "HTTP 422: property Heading is required");
  ASSERT_EQ(store.outbox_op(id)->state, OpState::dead);

  auto result = store.enqueue(make_op("blog", "g1", OpKind::upsert, "v2"), 2000);
  EXPECT_EQ(result.outcome, EnqueueOutcome::replaced_dead);
  EXPECT_EQ(result.id, id);
  auto op = *store.outbox_op(id);
  EXPECT_EQ(op.state, OpState::pending);
  EXPECT_EQ(op.attempts, 0);
  EXPECT_EQ(op.payload, "v2");
  EXPECT_FALSE(op.last_error);
  EXPECT_TRUE(store.dead_letters().empty());
  EXPECT_EQ(store.claim_due(2000, 10).size(), 1u);
}

TEST_F(StoreTest, DeadOpOfTheOtherFamilyIsNotRevived) {
  Store store = open_with_feeds();
  auto canonical = store.enqueue(make_op("blog", "g1", OpKind::canonical, "url"), 1000).id;
  store.claim_due(1000, 10);
  store.dead_letter(canonical, "HTTP 400");
  auto upsert = store.enqueue(make_op("blog", "g1", OpKind::upsert), 2000);
  EXPECT_EQ(upsert.outcome, EnqueueOutcome::inserted);
  EXPECT_EQ(store.outbox_op(canonical)->state, OpState::dead);
}

// --- claim_due ---

TEST_F(StoreTest, ClaimOrdersByDueTimeThenId) {
  Store store = open_with_feeds();
  store.enqueue(make_op("blog", "a", OpKind::upsert), 300);
  store.enqueue(make_op("blog", "b", OpKind::upsert), 100);
  store.enqueue(make_op("news", "c", OpKind::delete_), 200);
  store.enqueue(make_op("blog", "d", OpKind::canonical), 100);
  auto claimed = store.claim_due(1000, 10);
  EXPECT_EQ(guids_of(claimed), (std::vector<std::string>{"b", "d", "c", "a"}));
}

TEST_F(StoreTest, ClaimTakesOnlyDueOpsUpToTheLimit) {
  Store store = open_with_feeds();
  store.enqueue(make_op("blog", "a", OpKind::upsert), 100);
  store.enqueue(make_op("blog", "b", OpKind::upsert), 200);
  store.enqueue(make_op("blog", "c", OpKind::upsert), 300);
  store.enqueue(make_op("blog", "later", OpKind::upsert), 5000);
  EXPECT_TRUE(store.claim_due(50, 10).empty());
  EXPECT_TRUE(store.claim_due(300, 0).empty());
  EXPECT_EQ(guids_of(store.claim_due(300, 2)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(guids_of(store.claim_due(300, 2)), (std::vector<std::string>{"c"}));
  EXPECT_EQ(store.next_due(), 5000);
  EXPECT_EQ(guids_of(store.claim_due(5000, 2)), (std::vector<std::string>{"later"}));
  EXPECT_FALSE(store.next_due());
}

TEST_F(StoreTest, ClaimMarksInflightAndCountsTheAttempt) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  auto claimed = store.claim_due(150, 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].state, OpState::inflight);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].updated_at, 150);
  EXPECT_EQ(store.outbox_op(id), claimed[0]);
  EXPECT_TRUE(store.claim_due(150, 10).empty());  // claimed once only
}

TEST_F(StoreTest, ClaimTakesOneOpPerArticleAndSkipsBusyArticles) {
  Store store = open_with_feeds();
  auto upsert = store.enqueue(make_op("blog", "g1", OpKind::upsert), 100).id;
  auto canonical = store.enqueue(make_op("blog", "g1", OpKind::canonical), 100).id;
  store.enqueue(make_op("blog", "g2", OpKind::upsert), 200);

  auto claimed = store.claim_due(1000, 10);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, upsert);
  EXPECT_EQ(claimed[1].guid, "g2");
  EXPECT_TRUE(store.claim_due(1000, 10).empty());  // g1 has an op in flight

  store.complete(upsert);
  claimed = store.claim_due(1000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, canonical);
}

// --- outcomes ---

TEST_F(StoreTest, CompleteRemovesTheOp) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  store.claim_due(100, 10);
  store.complete(id);
  EXPECT_FALSE(store.outbox_op(id));
  EXPECT_EQ(store.outbox_stats().total, OpCounts{});
}

TEST_F(StoreTest, OutcomesRequireAnInflightOp) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  std::string message = message_of<StoreError>([&] { store.complete(id); });
  EXPECT_THAT(message, HasSubstr("outbox op " + std::to_string(id) + " (feed blog, guid a) is pending, not in flight"));
  EXPECT_THAT(message, HasSubstr(db_path.string()));
  EXPECT_THROW(store.retry_later(id, 500, "x"), StoreError);
  EXPECT_THROW(store.dead_letter(id, "x"), StoreError);
  message = message_of<StoreError>([&] { store.complete(9999); });
  EXPECT_THAT(message, HasSubstr("outbox op 9999 does not exist"));
  EXPECT_EQ(store.outbox_op(id)->state, OpState::pending);  // failed calls changed nothing
}

TEST_F(StoreTest, RetryLaterReschedulesWithTheError) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  store.claim_due(100, 10);
  store.retry_later(id, 5000, "HTTP 503 Service Unavailable");
  auto op = *store.outbox_op(id);
  EXPECT_EQ(op.state, OpState::pending);
  EXPECT_EQ(op.next_attempt_at, 5000);
  EXPECT_EQ(op.last_error, "HTTP 503 Service Unavailable");
  EXPECT_EQ(op.attempts, 1);
  EXPECT_TRUE(store.claim_due(4999, 10).empty());
  auto claimed = store.claim_due(5000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempts, 2);
  EXPECT_EQ(claimed[0].last_error, "HTTP 503 Service Unavailable");
}

TEST_F(StoreTest, DeadLettersAreListedCountedAndRequeued) {
  Store store = open_with_feeds();
  auto a = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  auto b = store.enqueue(make_op("blog", "b", OpKind::delete_), 100).id;
  auto c = store.enqueue(make_op("news", "c", OpKind::upsert), 100).id;
  store.claim_due(100, 10);
  store.dead_letter(a, "HTTP 422: Heading is required");
  store.dead_letter(b, "HTTP 403");
  store.dead_letter(c, "HTTP 400");

  auto dead = store.dead_letters();
  ASSERT_EQ(dead.size(), 3u);
  EXPECT_EQ(dead[0].id, a);
  EXPECT_EQ(dead[0].last_error, "HTTP 422: Heading is required");
  EXPECT_EQ(dead[2].feed, "news");
  EXPECT_EQ(store.dead_letters("blog").size(), 2u);
  EXPECT_TRUE(store.claim_due(10'000, 10).empty());  // dead ops are not retried by themselves
  EXPECT_EQ(store.outbox_stats("blog").total.dead, 2);

  EXPECT_EQ(store.requeue_dead("blog", "b", 2000), 1u);
  auto op = *store.outbox_op(b);
  EXPECT_EQ(op.state, OpState::pending);
  EXPECT_EQ(op.attempts, 0);
  EXPECT_EQ(op.next_attempt_at, 2000);
  EXPECT_EQ(op.last_error, "HTTP 403");  // what was retried stays visible until the next attempt

  EXPECT_EQ(store.requeue_dead("blog", std::nullopt, 3000), 1u);
  EXPECT_EQ(store.outbox_op(a)->state, OpState::pending);
  EXPECT_EQ(store.outbox_op(c)->state, OpState::dead);
  EXPECT_EQ(store.requeue_dead(std::nullopt, std::nullopt, 4000), 1u);
  EXPECT_EQ(store.requeue_dead(std::nullopt, std::nullopt, 4000), 0u);
  EXPECT_TRUE(store.dead_letters().empty());
  EXPECT_EQ(store.claim_due(4000, 10).size(), 3u);
}

TEST_F(StoreTest, OutcomeOfASupersededOpDropsIt) {
  Store store = open_with_feeds();
  // retry_later: a newer change was queued while the op was in flight.
  auto old_op = store.enqueue(make_op("blog", "a", OpKind::upsert, "v1"), 100).id;
  store.claim_due(100, 10);
  auto newer = store.enqueue(make_op("blog", "a", OpKind::upsert, "v2"), 200).id;
  store.retry_later(old_op, 9000, "HTTP 503");
  EXPECT_FALSE(store.outbox_op(old_op));
  ASSERT_EQ(store.article_ops("blog", "a").size(), 1u);
  EXPECT_EQ(store.outbox_op(newer)->payload, "v2");

  // dead_letter: the newer change is the retry.
  auto old_b = store.enqueue(make_op("blog", "b", OpKind::upsert, "v1"), 100).id;
  store.claim_due(100, 10);
  store.enqueue(make_op("blog", "b", OpKind::upsert, "v2"), 200);
  store.dead_letter(old_b, "HTTP 422");
  EXPECT_FALSE(store.outbox_op(old_b));
  EXPECT_TRUE(store.dead_letters().empty());

  // An in-flight undelete followed by an upsert: the upsert inherits the undelete.
  auto undelete = store.enqueue(make_op("blog", "c", OpKind::undelete, "v1"), 100).id;
  store.claim_due(100, 10);
  auto upsert = store.enqueue(make_op("blog", "c", OpKind::upsert, "v2"), 200).id;
  store.retry_later(undelete, 9000, "timeout");
  EXPECT_FALSE(store.outbox_op(undelete));
  EXPECT_EQ(store.outbox_op(upsert)->op, OpKind::undelete);
  EXPECT_EQ(store.outbox_op(upsert)->payload, "v2");
}

TEST_F(StoreTest, OutboxStatsCountByOpAndStateWithOldestPending) {
  Store store = open_with_feeds();
  EXPECT_FALSE(store.outbox_stats().oldest_pending_created_at);
  auto a = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
  store.enqueue(make_op("blog", "b", OpKind::upsert), 200);
  store.enqueue(make_op("blog", "c", OpKind::delete_), 300);
  store.enqueue(make_op("blog", "c", OpKind::canonical), 400);
  store.enqueue(make_op("news", "d", OpKind::undelete), 50);
  // Claim a only (due at 100; d of the other feed is due at 50 and comes first).
  auto claimed = store.claim_due(100, 2);
  ASSERT_EQ(claimed.size(), 2u);
  ASSERT_EQ(claimed[1].id, a);
  store.dead_letter(claimed[0].id, "HTTP 404");

  auto blog = store.outbox_stats("blog");
  EXPECT_EQ(blog.of(OpKind::upsert), (OpCounts{1, 1, 0}));
  EXPECT_EQ(blog.of(OpKind::delete_), (OpCounts{1, 0, 0}));
  EXPECT_EQ(blog.of(OpKind::canonical), (OpCounts{1, 0, 0}));
  EXPECT_EQ(blog.of(OpKind::undelete), OpCounts{});
  EXPECT_EQ(blog.total, (OpCounts{3, 1, 0}));
  EXPECT_EQ(blog.oldest_pending_created_at, 200);

  auto all = store.outbox_stats();
  EXPECT_EQ(all.total, (OpCounts{3, 1, 1}));
  EXPECT_EQ(all.of(OpKind::undelete), (OpCounts{0, 0, 1}));
  EXPECT_EQ(all.oldest_pending_created_at, 200);  // dead ops are not "pending"
}

// --- crash recovery ---

TEST_F(StoreTest, ExclusiveOpenReturnsInflightOpsToTheQueue) {
  std::int64_t a = 0;
  std::int64_t b = 0;
  {
    Store store = open_with_feeds();
    a = store.enqueue(make_op("blog", "a", OpKind::upsert), 100).id;
    b = store.enqueue(make_op("blog", "b", OpKind::delete_), 100).id;
    store.enqueue(make_op("blog", "c", OpKind::upsert), 9000);
    ASSERT_EQ(store.claim_due(100, 10).size(), 2u);
    // The daemon "crashes": the store goes away with ops in flight.
  }
  {
    // A CLI command next to a (presumably live) daemon must not steal its in-flight work.
    Store cli = open(Access::shared);
    EXPECT_EQ(cli.recovered_inflight(), 0u);
    EXPECT_EQ(cli.outbox_op(a)->state, OpState::inflight);
  }
  Store store = open();
  EXPECT_EQ(store.recovered_inflight(), 2u);
  for (auto id : {a, b}) {
    auto op = *store.outbox_op(id);
    EXPECT_EQ(op.state, OpState::pending);
    EXPECT_EQ(op.attempts, 1);  // the interrupted attempt still counts
  }
  auto claimed = store.claim_due(200, 10);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, a);
  EXPECT_EQ(claimed[1].id, b);
}

TEST_F(StoreTest, RecoveryDropsAnInflightOpSupersededByANewerOne) {
  std::int64_t old_op = 0;
  std::int64_t newer = 0;
  {
    Store store = open_with_feeds();
    old_op = store.enqueue(make_op("blog", "a", OpKind::upsert, "v1"), 100).id;
    store.claim_due(100, 10);
    newer = store.enqueue(make_op("blog", "a", OpKind::upsert, "v2"), 200).id;
  }
  Store store = open();
  EXPECT_EQ(store.recovered_inflight(), 1u);
  EXPECT_FALSE(store.outbox_op(old_op));
  auto ops = store.article_ops("blog", "a");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].id, newer);
  EXPECT_EQ(ops[0].payload, "v2");
}

}  // namespace
}  // namespace feedsync::store::testing
