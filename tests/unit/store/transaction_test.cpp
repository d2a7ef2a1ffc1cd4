// Transactions: commit, rollback on scope exit and on exceptions, per-call atomicity inside one.

#include <stdexcept>

#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StoreTest, CommittedTransactionKeepsEverything) {
  Store store = open_with_feeds();
  {
    auto tx = store.transaction();
    store.upsert_article(make_article("blog", "g1"));
    store.enqueue(make_op("blog", "g1", OpKind::upsert), 100);
    store.record_poll_success("blog", 100, 90, false);
    tx.commit();
  }
  EXPECT_TRUE(store.article("blog", "g1"));
  EXPECT_EQ(store.article_ops("blog", "g1").size(), 1u);
  EXPECT_EQ(store.feed("blog")->watermark, 90);
}

TEST_F(StoreTest, TransactionWithoutCommitRollsBack) {
  Store store = open_with_feeds();
  {
    auto tx = store.transaction();
    store.upsert_article(make_article("blog", "g1"));
    store.enqueue(make_op("blog", "g1", OpKind::upsert), 100);
    store.record_poll_success("blog", 100, 90, false);
  }
  EXPECT_FALSE(store.article("blog", "g1"));
  EXPECT_TRUE(store.article_ops("blog", "g1").empty());
  EXPECT_FALSE(store.feed("blog")->watermark);
}

TEST_F(StoreTest, ExceptionRollsTheTransactionBack) {
  Store store = open_with_feeds();
  try {
    auto tx = store.transaction();
    store.upsert_article(make_article("blog", "g1"));
    store.enqueue(make_op("blog", "g1", OpKind::upsert), 100);
    throw std::runtime_error("fetch failed half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(store.article("blog", "g1"));
  EXPECT_EQ(store.outbox_stats().total, OpCounts{});
  // The connection is usable afterwards.
  EXPECT_NO_THROW(store.transaction().commit());
}

TEST_F(StoreTest, ExplicitRollback) {
  Store store = open_with_feeds();
  auto tx = store.transaction();
  store.set_paused("blog", true);
  tx.rollback();
  EXPECT_FALSE(store.feed("blog")->paused);
  EXPECT_NO_THROW(tx.rollback());  // idempotent; the destructor does nothing more
}

TEST_F(StoreTest, CommitTwiceIsAnError) {
  Store store = open_with_feeds();
  auto tx = store.transaction();
  tx.commit();
  EXPECT_THROW(tx.commit(), StoreError);
}

TEST_F(StoreTest, TransactionsDoNotNest) {
  Store store = open_with_feeds();
  auto tx = store.transaction();
  store.set_paused("blog", true);
  std::string message = message_of<StoreError>([&] { store.transaction(); });
  EXPECT_THAT(message, HasSubstr("transactions do not nest"));
  tx.commit();  // the outer one is unharmed
  EXPECT_TRUE(store.feed("blog")->paused);
}

TEST_F(StoreTest, FailedCallInsideATransactionUndoesOnlyItself) {
  Store store = open_with_feeds();
  auto id = store.enqueue(make_op("blog", "g1", OpKind::upsert), 100).id;
  {
    auto tx = store.transaction();
    store.upsert_article(make_article("blog", "g1"));
    EXPECT_THROW(store.complete(id), StoreError);  // not in flight
    EXPECT_THROW(store.enqueue(make_op("nope", "g", OpKind::upsert), 100), StoreError);
    store.set_paused("news", true);
    tx.commit();
  }
  EXPECT_TRUE(store.article("blog", "g1"));
  EXPECT_TRUE(store.feed("news")->paused);
  EXPECT_EQ(store.outbox_op(id)->state, OpState::pending);
}

TEST_F(StoreTest, OtherConnectionsSeeOnlyCommittedWork) {
  Store daemon = open_with_feeds();
  Store cli = open(Access::shared);
  auto tx = daemon.transaction();
  daemon.upsert_article(make_article("blog", "g1"));
  EXPECT_FALSE(cli.article("blog", "g1"));  // WAL: readers see the last commit, and never wait
  tx.commit();
  EXPECT_TRUE(cli.article("blog", "g1"));
}

TEST_F(StoreTest, WriterWaitsForAnOpenTransactionThenGivesUp) {
  Store daemon = open_with_feeds();
  OpenOptions options;
  options.access = Access::shared;
  options.busy_timeout = std::chrono::milliseconds(50);
  Store cli = Store::open(db_path, options);
  auto tx = daemon.transaction();  // BEGIN IMMEDIATE holds the write lock
  std::string message = message_of<StoreError>([&] { cli.set_paused("blog", true); });
  EXPECT_THAT(message, HasSubstr(db_path.string()));
  EXPECT_THAT(message, HasSubstr("pause for feed blog"));
  EXPECT_THAT(message, HasSubstr("busy_timeout"));
  tx.commit();
  EXPECT_NO_THROW(cli.set_paused("blog", true));
}

}  // namespace
}  // namespace feedsync::store::testing
