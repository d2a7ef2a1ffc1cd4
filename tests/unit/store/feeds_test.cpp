// The feeds table: registration and polling state.

#include "store_fixture.hpp"
#include "support/fake_clock.hpp"

namespace feedsync::store::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StoreTest, EnsureFeedInsertsWithCleanState) {
  Store store = open();
  store.ensure_feed("blog", "abc");
  auto feed = store.feed("blog");
  ASSERT_TRUE(feed);
  FeedRow expected;
  expected.name = "blog";
  expected.feed_id = "abc";
  EXPECT_EQ(*feed, expected);
  EXPECT_FALSE(store.feed("other"));
}

TEST_F(StoreTest, EnsureFeedUpdatesFeedIdAndKeepsState) {
  Store store = open();
  store.ensure_feed("blog", "old-id");
  store.record_poll_success("blog", 1000, 900, true);
  store.set_paused("blog", true);
  store.ensure_feed("blog", "new-id");
  auto feed = store.feed("blog");
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->feed_id, "new-id");
  EXPECT_EQ(feed->watermark, 900);
  EXPECT_TRUE(feed->paused);
  EXPECT_EQ(store.feeds().size(), 1u);
}

TEST_F(StoreTest, FeedsAreOrderedByName) {
  Store store = open();
  for (const char* name : {"zeta", "alpha", "mid"}) store.ensure_feed(name, "id");
  auto feeds = store.feeds();
  ASSERT_EQ(feeds.size(), 3u);
  EXPECT_EQ(feeds[0].name, "alpha");
  EXPECT_EQ(feeds[1].name, "mid");
  EXPECT_EQ(feeds[2].name, "zeta");
}

TEST_F(StoreTest, PollFailuresCountUpAndSuccessResets) {
  Store store = open_with_feeds();
  store.record_poll_failure("blog", 1100, "HTTP 503 from feed API");
  store.record_poll_failure("blog", 2100, "timeout after 30s");
  auto feed = *store.feed("blog");
  EXPECT_EQ(feed.last_attempt_at, 2100);  // the attempt is recorded with its outcome
  EXPECT_EQ(feed.last_failure_at, 2100);
  EXPECT_EQ(feed.consecutive_failures, 2);
  EXPECT_EQ(feed.last_error, "timeout after 30s");
  EXPECT_FALSE(feed.last_success_at);

  store.record_poll_success("blog", 3100, 2500, false);
  feed = *store.feed("blog");
  EXPECT_EQ(feed.last_success_at, 3100);
  EXPECT_EQ(feed.last_attempt_at, 3100);
  EXPECT_EQ(feed.consecutive_failures, 0);
  EXPECT_FALSE(feed.last_error);
  EXPECT_EQ(feed.last_failure_at, 2100);  // history, not state
  EXPECT_EQ(feed.watermark, 2500);
  EXPECT_FALSE(feed.last_full_scan_at);
  // The other feed is untouched.
  EXPECT_EQ(store.feed("news")->consecutive_failures, 0);
  EXPECT_FALSE(store.feed("news")->last_attempt_at);
}

TEST_F(StoreTest, PollSuccessKeepsWatermarkWhenNoneGivenAndRecordsFullScans) {
  Store store = open_with_feeds();
  store.record_poll_success("blog", 1000, 500, true);
  store.record_poll_success("blog", 2000, std::nullopt, false);
  auto feed = *store.feed("blog");
  EXPECT_EQ(feed.watermark, 500);
  EXPECT_EQ(feed.last_full_scan_at, 1000);
  EXPECT_EQ(feed.last_success_at, 2000);
  store.record_poll_success("blog", 3000, 2900, true);
  feed = *store.feed("blog");
  EXPECT_EQ(feed.watermark, 2900);
  EXPECT_EQ(feed.last_full_scan_at, 3000);
}

TEST_F(StoreTest, PauseAndResume) {
  Store store = open_with_feeds();
  EXPECT_TRUE(store.paused_feeds().empty());
  store.set_paused("blog", true);
  EXPECT_TRUE(store.feed("blog")->paused);
  EXPECT_FALSE(store.feed("news")->paused);
  EXPECT_EQ(store.paused_feeds(), std::vector<std::string>{"blog"});
  store.set_paused("news", true);
  EXPECT_EQ(store.paused_feeds(), (std::vector<std::string>{"blog", "news"}));
  store.set_paused("blog", false);
  EXPECT_FALSE(store.feed("blog")->paused);
  EXPECT_EQ(store.paused_feeds(), std::vector<std::string>{"news"});
}

TEST_F(StoreTest, HeldDeletesAreRecordedAndReleased) {
  Store store = open_with_feeds();
  store.hold_deletes("blog", 42, "42 of 100 articles vanished (limit 20)");
  auto feed = *store.feed("blog");
  EXPECT_EQ(feed.held_deletes, 42);
  EXPECT_EQ(feed.held_reason, "42 of 100 articles vanished (limit 20)");
  store.release_held_deletes("blog");
  feed = *store.feed("blog");
  EXPECT_EQ(feed.held_deletes, 0);
  EXPECT_FALSE(feed.held_reason);
  EXPECT_THROW(store.hold_deletes("blog", -1, "nonsense"), StoreError);
}

TEST_F(StoreTest, MisconfiguredIsSetClearedAndClearedBySuccess) {
  Store store = open_with_feeds();
  store.set_misconfigured("blog", "feed id not found (HTTP 404)");
  EXPECT_EQ(store.feed("blog")->misconfigured, "feed id not found (HTTP 404)");
  store.set_misconfigured("blog", std::nullopt);
  EXPECT_FALSE(store.feed("blog")->misconfigured);
  store.set_misconfigured("blog", "feed id not found (HTTP 404)");
  store.record_poll_success("blog", 1000, std::nullopt, false);
  EXPECT_FALSE(store.feed("blog")->misconfigured);
}

TEST_F(StoreTest, UnknownFeedErrorsNameTheFeedAndTheDatabase) {
  Store store = open_with_feeds();
  auto expect_unknown = [&](auto&& call) {
    std::string message = message_of<StoreError>(call);
    EXPECT_THAT(message, HasSubstr(db_path.string()));
    EXPECT_THAT(message, HasSubstr("feed nope is not in the state database"));
  };
  expect_unknown([&] { store.record_poll_success("nope", 1, 1, true); });
  expect_unknown([&] { store.record_poll_failure("nope", 1, "x"); });
  expect_unknown([&] { store.set_paused("nope", true); });
  expect_unknown([&] { store.hold_deletes("nope", 3, "x"); });
  expect_unknown([&] { store.release_held_deletes("nope"); });
  expect_unknown([&] { store.set_misconfigured("nope", "x"); });
  expect_unknown([&] { store.upsert_article(make_article("nope", "g")); });
  expect_unknown([&] { store.article("nope", "g"); });
  expect_unknown([&] { store.articles("nope"); });
  expect_unknown([&] { store.article_counts("nope"); });
  expect_unknown([&] { store.enqueue(make_op("nope", "g", OpKind::upsert), 1); });
  expect_unknown([&] { store.requeue_dead("nope", std::nullopt, 1); });
  expect_unknown([&] { store.outbox_stats("nope"); });
  expect_unknown([&] { store.dead_letters("nope"); });
  expect_unknown([&] { store.article_ops("nope", "g"); });
  // Nothing was written for the unknown feed.
  EXPECT_EQ(store.feeds().size(), 2u);
  EXPECT_EQ(store.outbox_stats().total, OpCounts{});
}

TEST_F(StoreTest, ArticleErrorsNameTheGuid) {
  Store store = open_with_feeds();
  std::string message = message_of<StoreError>([&] { store.enqueue(make_op("nope", "guid-77", OpKind::delete_), 1); });
  EXPECT_THAT(message, HasSubstr("feed nope, guid guid-77"));
}

}  // namespace
}  // namespace feedsync::store::testing

namespace feedsync::store::testing {
namespace {

// Issue 15: /readyz reads the store's write health. A write that fails for a reason of the
// database (here the write lock held by another process past busy_timeout) counts; a successful
// commit clears it once no failure has come for kWriteHealthQuiet (issue 21: a store that takes
// some writes and fails others is not healthy).
TEST_F(StoreTest, WriteHealthCountsStoreFailuresUntilTheNextCommit) {
  ::feedsync::testing::FakeClock clock;  // the health's times come from the store's clock
  Store store = Store::open(db_path, {.busy_timeout = std::chrono::milliseconds(200), .clock = &clock});
  store.ensure_feed("blog", "feed-blog-id");
  store.ensure_feed("news", "feed-news-id");
  EXPECT_EQ(store.write_health().failures, 0u);
  EXPECT_EQ(store.write_health().last_commit, clock.steady_now());
  clock.advance(std::chrono::seconds(5));

  Store other = open(Access::shared);
  {
    auto held = other.transaction();  // BEGIN IMMEDIATE: the write lock, held
    EXPECT_THROW(store.record_poll_success("blog", 1000, 900, false), StoreError);
    EXPECT_THROW(store.set_paused("news", true), StoreError);
    const auto& health = store.write_health();
    EXPECT_EQ(health.failures, 2u);
    EXPECT_EQ(health.failing_since, clock.steady_now());
    EXPECT_THAT(health.last_error, HasSubstr("busy_timeout"));
  }
  // The lock is released: a write commits right after the failures. Failures that recent stay
  // (they may go on between commits); the commit is noted.
  clock.advance(std::chrono::seconds(1));
  store.record_poll_success("blog", 1000, 900, false);
  EXPECT_EQ(store.write_health().failures, 2u);
  EXPECT_EQ(store.write_health().last_commit, clock.steady_now());
  EXPECT_EQ(store.write_health().last_failure, clock.steady_now() - std::chrono::seconds(1));
  // Once none has come for kWriteHealthQuiet, the next write that commits (in a transaction or
  // on its own) clears them.
  clock.advance(kWriteHealthQuiet);
  store.record_poll_success("blog", 2000, 1900, false);
  EXPECT_EQ(store.write_health().failures, 0u);
  EXPECT_FALSE(store.write_health().last_failure);
  EXPECT_FALSE(store.write_health().failing_since);
  EXPECT_TRUE(store.write_health().last_error.empty());

  // A failure that is the caller's (transactions do not nest) is not the store's health.
  auto tx = store.transaction();
  EXPECT_THROW(store.transaction(), StoreError);
  tx.rollback();
  EXPECT_EQ(store.write_health().failures, 0u);
}

}  // namespace
}  // namespace feedsync::store::testing
