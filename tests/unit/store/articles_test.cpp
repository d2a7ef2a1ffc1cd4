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
  row.fetched_at = 1'700'000'002'500;
  row.cms_status = "inReview";
  row.locale = "de";
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

TEST_F(StoreTest, CmsStatusCountsArePerFeedForTheStatusesAsked) {
  Store store = open_with_feeds();
  auto add = [&](const char* feed, const std::string& guid, std::optional<std::string> status) {
    ArticleRow row = make_article(feed, guid);
    row.cms_status = std::move(status);
    store.upsert_article(row);
  };
  for (int i = 0; i < 3; ++i) add("blog", "review-" + std::to_string(i), "inReview");
  add("blog", "draft", "draft");
  add("blog", "live", "published");
  add("blog", "never-written", std::nullopt);
  add("news", "review", "inReview");
  add("news", "scheduled", "scheduled");

  const std::vector<std::string_view> asked{"draft", "inReview", "scheduled", "ready"};
  EXPECT_EQ(store.cms_status_counts(asked), (std::vector<CmsStatusCount>{{"blog", "draft", 1},
                                                                          {"blog", "inReview", 3},
                                                                          {"news", "inReview", 1},
                                                                          {"news", "scheduled", 1}}));
  EXPECT_EQ(store.cms_status_counts(asked, "news"),
            (std::vector<CmsStatusCount>{{"news", "inReview", 1}, {"news", "scheduled", 1}}));
  EXPECT_EQ(store.cms_status_counts({"published"}, "blog"), (std::vector<CmsStatusCount>{{"blog", "published", 1}}));
  EXPECT_TRUE(store.cms_status_counts({}).empty());

  const auto waiting = store.articles_with_cms_status({"draft", "scheduled"}, 10);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].guid, "draft");
  EXPECT_EQ(waiting[1].guid, "scheduled");
  EXPECT_EQ(waiting[1].cms_status, "scheduled");
  EXPECT_EQ(store.articles_with_cms_status({"inReview"}, 2).size(), 2u);
  EXPECT_TRUE(store.articles_with_cms_status({"rejected"}, 10).empty());

  // Only articles with a pixel key wait for a canonical link (the rows above have none).
  auto waiting_row = [&](const char* feed, const char* guid, const char* status, std::int64_t age) {
    ArticleRow row = make_article(feed, guid);
    row.cms_status = status;
    row.pixel_key = "PIXEL";
    row.updated_at -= age;
    store.upsert_article(row);
  };
  waiting_row("news", "older-draft", "draft", 60'000);
  waiting_row("news", "newer-review", "inReview", 0);
  waiting_row("blog", "scheduled", "scheduled", 5'000);
  waiting_row("blog", "live-one", "published", 90'000);
  const auto updated = make_article("blog", "x").updated_at;
  EXPECT_EQ(store.awaiting_publication({"draft", "inReview", "scheduled"}),
            (std::vector<AwaitingPublication>{{"blog", 1, updated - 5'000}, {"news", 2, updated - 60'000}}));
  EXPECT_THAT(message_of<StoreError>([&] { store.cms_status_counts(asked, "nope"); }), ::testing::HasSubstr("nope"));
}

// The status reports ask for the few articles not published; the index must spare them the rest.
TEST_F(StoreTest, CmsStatusCountsReadOnlyTheRowsOfThatStatus) {
  { Store store = open_with_feeds(); }
  Database db(db_path);
  for (const char* feed : {"?2", "NULL"}) {
    Statement st(db, std::string("EXPLAIN QUERY PLAN SELECT feed, count(*) FROM articles WHERE cms_status = ?1 AND (") +
                         feed + " IS NULL OR feed = " + feed + ") GROUP BY feed ORDER BY feed");
    std::string plan;
    while (st.step()) plan += st.text(3) + "\n";
    EXPECT_THAT(plan, ::testing::HasSubstr("USING COVERING INDEX articles_cms_status (cms_status=?)")) << plan;
  }
}

TEST_F(StoreTest, RequestResyncMarksActiveArticlesChangedAndForcesAFullScan) {
  Store store = open_with_feeds();
  store.record_poll_success("blog", 1'700'000'000'000, 1'700'000'000'000, /*full_scan=*/true);
  for (const char* guid : {"a", "b", "gone"}) {
    ArticleRow row = make_article("blog", guid);
    row.payload_hash = "h";
    if (std::string_view(guid) == "gone") row.status = ArticleStatus::deleted;
    store.upsert_article(row);
  }
  store.upsert_article(make_article("news", "a"));

  EXPECT_EQ(store.request_resync("blog", "a", 1'700'000'009'000), 1u);
  EXPECT_EQ(store.article("blog", "a")->entry_modified_at, 0);
  EXPECT_FALSE(store.article("blog", "a")->payload_hash.has_value());
  EXPECT_EQ(store.article("blog", "b")->payload_hash, "h");
  EXPECT_FALSE(store.feed("blog")->last_full_scan_at.has_value());
  EXPECT_EQ(store.feed("blog")->watermark, 1'700'000'000'000);  // the watermark stays

  EXPECT_EQ(store.request_resync("blog", std::nullopt, 1'700'000'009'000), 2u);  // not the deleted one
  EXPECT_EQ(store.article("blog", "gone")->payload_hash, "h");
  EXPECT_EQ(store.article("news", "a")->payload_hash, make_article("news", "a").payload_hash);
  EXPECT_EQ(store.request_resync("blog", "nope", 1'700'000'009'000), 0u);
  EXPECT_THROW(store.request_resync("unknown", std::nullopt, 0), StoreError);
}

// Issue 17: one article in several feeds.
// translations: group (issue 23): the other live translations of one CMS item.
TEST_F(StoreTest, ActiveTranslationFindsAnotherLiveArticleOfTheSameItem) {
  Store store = open_with_feeds();
  auto put = [&](const char* feed, const char* guid, const char* key, const char* locale, ArticleStatus status) {
    ArticleRow row = make_article(feed, guid);
    row.cms_key = key;
    row.locale = locale;
    row.status = status;
    store.upsert_article(row);
  };
  put("blog", "en-1", "item1", "en", ArticleStatus::active);
  put("blog", "de-1", "item1", "de", ArticleStatus::active);
  put("blog", "fr-1", "item1", "fr", ArticleStatus::deleted);
  put("blog", "en-2", "item2", "en", ArticleStatus::active);
  put("news", "x-1", "item1", "it", ArticleStatus::active);  // another feed never counts
  EXPECT_EQ(store.active_translation("blog", "item1", "en-1"), "de-1");
  EXPECT_EQ(store.active_translation("blog", "item1", "de-1"), "en-1");
  EXPECT_EQ(store.active_translation("blog", "item1", "fr-1"), "de-1");
  EXPECT_FALSE(store.active_translation("blog", "item2", "en-2").has_value());  // the only one
  EXPECT_EQ(store.active_translation("blog", "item1", "zz", std::string_view("de")), "de-1");
  EXPECT_FALSE(store.active_translation("blog", "item1", "zz", std::string_view("fr")).has_value());  // deleted
  EXPECT_FALSE(store.active_translation("blog", "item1", "de-1", std::string_view("de")).has_value());
}

TEST_F(StoreTest, ActiveElsewhereNamesAnotherFeedHoldingTheGuidActive) {
  Store store = open_with_feeds();
  store.ensure_feed("archive", "feed-archive-id");
  store.upsert_article(make_article("blog", "shared"));
  EXPECT_FALSE(store.active_elsewhere("blog", "shared").has_value());  // its own feed does not count
  EXPECT_EQ(store.active_elsewhere("news", "shared"), "blog");
  EXPECT_FALSE(store.active_elsewhere("news", "other").has_value());
  auto gone = make_article("blog", "shared");
  gone.status = ArticleStatus::deleted;
  store.upsert_article(gone);
  EXPECT_FALSE(store.active_elsewhere("news", "shared").has_value());  // a deleted one owns nothing
  store.upsert_article(make_article("archive", "shared"));
  EXPECT_EQ(store.active_elsewhere("news", "shared"), "archive");
}

TEST_F(StoreTest, CanonicalHolderIsWhoeverPostedOrQueuedTheLinkOfAPixelKey) {
  Store store = open_with_feeds();
  auto blog = make_article("blog", "g");
  blog.pixel_key = "pk1";
  auto news = make_article("news", "g");
  news.pixel_key = "pk1";
  store.upsert_article(blog);
  store.upsert_article(news);
  EXPECT_FALSE(store.canonical_holder("pk1", "news", "g").has_value());  // nobody posted or queued one

  store.enqueue(make_op("blog", "g", OpKind::canonical, R"({"url":"https://a/1"})"), 1'000);
  EXPECT_EQ(store.canonical_holder("pk1", "news", "g"), "blog/g");
  EXPECT_FALSE(store.canonical_holder("pk1", "blog", "g").has_value());  // itself: an update is fine

  auto claimed = store.claim_due(2'000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  store.complete(claimed[0].id);
  EXPECT_FALSE(store.canonical_holder("pk1", "news", "g").has_value());  // the op is done, no link recorded
  blog.canonical_url = "https://a/1";
  store.upsert_article(blog);
  EXPECT_EQ(store.canonical_holder("pk1", "news", "g"), "blog/g");
  EXPECT_FALSE(store.canonical_holder("pk2", "news", "g").has_value());
}

}  // namespace
}  // namespace feedsync::store::testing
