// The articles table.

#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

TEST_F(StoreTest, UpsertArticleRoundTripsEveryColumn) {
  Store store = open_with_feeds();
  ArticleRow row = make_article("blog", "guid-1");
  row.pixel_key = "pixel-123";
  row.cms_version = "7";
  row.route_segment = "my-article";
  row.payload_hash = "sha256:abcd";
  row.status = ArticleStatus::deleted;
  row.canonical_url = "https://www.example.com/en/my-article";
  row.deleted_at = 1'700'000'003'000;
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "guid-1"), row);

  ArticleRow bare = make_article("blog", "guid-2");  // every optional absent
  store.upsert_article(bare);
  EXPECT_EQ(store.article("blog", "guid-2"), bare);
}

TEST_F(StoreTest, UpsertArticleReplacesTheRow) {
  Store store = open_with_feeds();
  ArticleRow row = make_article("blog", "guid-1");
  row.canonical_url = "https://old";
  store.upsert_article(row);
  row.title = "New title";
  row.canonical_url.reset();
  row.cms_version = "2";
  row.updated_at += 5000;
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "guid-1"), row);
  EXPECT_EQ(store.articles("blog").size(), 1u);
}

TEST_F(StoreTest, ArticleIsAbsentUntilRecorded) {
  Store store = open_with_feeds();
  EXPECT_FALSE(store.article("blog", "guid-1"));
  store.upsert_article(make_article("news", "guid-1"));
  EXPECT_FALSE(store.article("blog", "guid-1"));  // guids are per feed
  EXPECT_TRUE(store.article("news", "guid-1"));
}

TEST_F(StoreTest, ArticlesOfAFeedAreOrderedByGuid) {
  Store store = open_with_feeds();
  for (const char* guid : {"c", "a", "b"}) store.upsert_article(make_article("blog", guid));
  store.upsert_article(make_article("news", "x"));
  auto rows = store.articles("blog");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].guid, "a");
  EXPECT_EQ(rows[1].guid, "b");
  EXPECT_EQ(rows[2].guid, "c");
  EXPECT_TRUE(store.articles("news").size() == 1u);
}

TEST_F(StoreTest, ArticleCountsSplitActiveAndDeleted) {
  Store store = open_with_feeds();
  EXPECT_EQ(store.article_counts("blog"), (ArticleCounts{0, 0}));
  for (int i = 0; i < 5; ++i) {
    ArticleRow row = make_article("blog", "guid-" + std::to_string(i));
    if (i < 2) row.status = ArticleStatus::deleted;
    store.upsert_article(row);
  }
  store.upsert_article(make_article("news", "other"));
  EXPECT_EQ(store.article_counts("blog"), (ArticleCounts{3, 2}));
  EXPECT_EQ(store.article_counts("news"), (ArticleCounts{1, 0}));
}

}  // namespace
}  // namespace feedsync::store::testing
