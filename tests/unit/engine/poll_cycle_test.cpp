// The poll cycle against an in-memory Feed API (FakeFeed) and a real state store on disk.
#include "engine/poll_cycle.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/content_key.hpp"
#include "engine/feed_target.hpp"
#include "feed/feed_client.hpp"
#include "net/run_on.hpp"
#include "store/store.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "unit/feed/fake_feed.hpp"

namespace feedsync::engine {
namespace {

using ::testing::HasSubstr;
using testing::FakeFeed;
using testing::FakeHttpClient;

constexpr std::int64_t kNewest = 1'795'348'000'000;  // shortly before the fake clock's "now"

class PollCycleTest : public ::testing::Test {
 protected:
  PollCycleTest()
      : store_(store::Store::open(dir_ / "state.db", {.access = store::Access::exclusive})),
        feeds_(http_, options()),
        cycle_(feeds_, store_, clock_) {
    live_.feed_id = "live1";
    gone_.feed_id = "gone1";
    http_.fallback = [this](const net::Request& request) {
      return request.url.find("/gone1") != std::string::npos ? gone_.serve(request) : live_.serve(request);
    };
    feed_.name = "blog";
    feed_.feed_id = "live1";
    feed_.deleted_feed_id = "gone1";
    feed_.deleted_interval = std::chrono::seconds(0);  // read every cycle, unless a test says otherwise
    feed_.content_type = "ArticlePage";
    feed_.container = "43f936c99b234ea397b261c538ad07c9";
    feed_.locale = "en";
    feed_.mapping.display_name.text = "title";
    feed_.mapping.properties.push_back({"Heading", {"title", {}}});
    feed_.delete_guard = {2, 0.2};
  }

  static feed::FeedClientOptions options() {
    feed::FeedClientOptions o;
    o.base_url = "https://feeds.example.test";
    o.index_page_size = 100;
    o.page_size = 50;
    return o;
  }

  Expected<CycleReport, CycleError> run(CycleOptions options = {}) {
    auto mapping = compile_mapping(mapping_spec(feed_));
    EXPECT_TRUE(mapping.has_value());
    return net::run_on(io_, cycle_.run(feed_, *mapping, options));
  }

  // One cycle of another configured feed on the same store and fake feeds.
  Expected<CycleReport, CycleError> run_feed(config::FeedConfig& other, CycleOptions options = {}) {
    std::swap(feed_, other);
    auto report = run(std::move(options));
    std::swap(feed_, other);
    return report;
  }

  // CMP unpublishes the live feed's last article at `at`: it moves to the Deleted Feed.
  testing::FakeArticle unpublish_last(std::int64_t at) {
    auto moved = live_.articles.back();
    live_.articles.pop_back();
    moved.modified_at = at;
    gone_.articles.push_back(moved);
    return moved;
  }

  static CycleOptions full_scan() {
    CycleOptions o;
    o.force_full_scan = true;
    return o;
  }
  static CycleOptions dry_run() {
    CycleOptions o;
    o.dry_run = true;
    return o;
  }

  std::vector<store::OutboxOp> pending() {
    std::vector<store::OutboxOp> ops;
    for (const auto& a : store_.articles("blog"))
      for (auto& op : store_.article_ops("blog", a.guid)) ops.push_back(op);
    return ops;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::milliseconds(kNewest + 60'000))};
  boost::asio::io_context io_;
  FakeHttpClient http_;
  FakeFeed live_, gone_;
  store::Store store_;
  feed::FeedClient feeds_;
  PollCycle cycle_;
  config::FeedConfig feed_;
};

TEST_F(PollCycleTest, FirstRunCreatesEveryArticleInOneTransaction) {
  live_.add(3, kNewest);
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->full_scan);
  EXPECT_EQ(report->created, 3u);
  const auto ops = pending();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].op, store::OpKind::upsert);
  auto doc = boost::json::parse(ops[0].payload).at("document").as_object();
  EXPECT_EQ(doc.at("key").as_string(), content_key("blog", ops[0].guid));
  EXPECT_EQ(doc.at("contentType").as_string(), "ArticlePage");
  EXPECT_EQ(doc.at("properties").at("Heading").as_string(), "Title");
  const auto row = store_.feed("blog");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->watermark, kNewest);
  EXPECT_TRUE(row->last_full_scan_at.has_value());
  EXPECT_EQ(store_.article("blog", "g0")->cms_key, content_key("blog", "g0"));
}

TEST_F(PollCycleTest, SteadyStateCostsTwoFeedRequestsAndChangesNothing) {
  // One article per second: the 10 s overlap re-reads 10 entries, well inside one index page.
  feed_.overlap = std::chrono::seconds(10);
  live_.add(500, kNewest);
  ASSERT_TRUE(run().has_value());
  const auto before = http_.calls().size();
  auto report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->full_scan);
  EXPECT_EQ(http_.calls().size() - before, 2u);  // one index page + the Deleted Feed
  EXPECT_EQ(report->feed_requests, 2);
  EXPECT_EQ(report->created + report->updated + report->deleted + report->touched, 0u);
  EXPECT_EQ(pending().size(), 500u);  // still the first run's upserts, nothing added
}

// Issue 17: index pages without the entry-level modified_at (what `fields` keeps is not
// documented) while full pages have it. The store keeps the index's timestamps, so the next
// index poll compares like with like and fetches nothing again.
TEST_F(PollCycleTest, TimestampsAreStoredAsTheIndexGivesThemSoADroppedOneRefetchesNothing) {
  live_.add(30, kNewest - 10'000);
  live_.index_drops_entry_modified_at = true;
  ASSERT_TRUE(run().has_value());
  EXPECT_EQ(store_.article("blog", "g0")->entry_modified_at, 0);
  EXPECT_EQ(store_.article("blog", "g0")->content_modified_at, kNewest - 10'000);
  for (int cycle = 0; cycle < 3; ++cycle) {
    clock_.advance(std::chrono::seconds(60));
    const auto before = http_.calls().size();
    auto report = run();
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->touched + report->updated, 0u) << cycle;
    EXPECT_EQ(http_.calls().size() - before, 2u) << cycle;  // an index page, the Deleted Feed: no fetch
  }
}

// Issue 17: the Deleted Feed is read on its own deleted_interval, newest first down to its own
// watermark, instead of in full on every poll.
TEST_F(PollCycleTest, TheDeletedFeedIsReadOnItsOwnScheduleDownToItsOwnWatermark) {
  feed_.interval = std::chrono::seconds(60);
  feed_.deleted_interval = std::chrono::minutes(10);
  feed_.overlap = std::chrono::seconds(10);
  live_.add(5, kNewest);
  for (int i = 0; i < 250; ++i) gone_.articles.push_back({"old" + std::to_string(i), kNewest - 3'600'000 - i * 1000LL, "T"});
  auto gone_requests = [&](std::size_t since) {
    std::size_t n = 0;
    for (auto i = since; i < http_.calls().size(); ++i) n += http_.calls()[i].request.url.find("/gone1") != std::string::npos;
    return n;
  };
  auto before = http_.calls().size();
  auto first = run();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->deleted_feed_read);
  EXPECT_EQ(gone_requests(before), 4u);  // in full the first time: 100 + 100 + 50 + the empty page
  EXPECT_EQ(store_.feed("blog")->deleted_watermark, kNewest - 3'600'000);

  clock_.advance(std::chrono::seconds(60));
  before = http_.calls().size();
  auto second = run();
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->deleted_feed_read);  // not due for another 9 minutes
  EXPECT_EQ(gone_requests(before), 0u);

  // An article leaves the live feed; the deletion lands when the Deleted Feed is next due, by
  // one page read down to the watermark.
  unpublish_last(kNewest + 30'000);
  clock_.advance(std::chrono::minutes(4));
  ASSERT_EQ(run()->deleted, 0u);
  clock_.advance(std::chrono::minutes(5));
  before = http_.calls().size();
  auto due = run();
  ASSERT_TRUE(due.has_value());
  EXPECT_TRUE(due->deleted_feed_read);
  EXPECT_EQ(due->deleted, 1u);
  EXPECT_EQ(gone_requests(before), 1u);
  EXPECT_EQ(store_.feed("blog")->deleted_watermark, kNewest + 30'000);
}

// Issue 17: a failing Deleted Feed used to fail the whole poll, so live changes waited too.
TEST_F(PollCycleTest, AFailingDeletedFeedLetsTheLiveFeedSyncAndItsDeletionsWait) {
  live_.add(5, kNewest);
  ASSERT_TRUE(run().has_value());
  bool gone_down = true;
  http_.fallback = [&](const net::Request& request) -> net::Result {
    if (request.url.find("/gone1") == std::string::npos) return live_.serve(request);
    if (gone_down) return net::Response{500, {}, "upstream trouble"};
    return gone_.serve(request);
  };
  live_.articles[0].modified_at += 1000;
  live_.articles[0].title = "Edited while the Deleted Feed is down";
  unpublish_last(kNewest + 5000);
  clock_.advance(std::chrono::seconds(60));
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->updated, 1u);
  EXPECT_EQ(report->deleted, 0u);
  ASSERT_TRUE(report->deleted_feed_error.has_value());
  EXPECT_THAT(*report->deleted_feed_error, HasSubstr("Deleted Feed: feed gone1 (offset 0): HTTP 500"));
  auto row = *store_.feed("blog");
  EXPECT_EQ(row.deleted_failures, 1);
  EXPECT_EQ(row.consecutive_failures, 0);  // the live poll succeeded
  EXPECT_EQ(row.watermark, kNewest + 1000);

  gone_down = false;
  clock_.advance(std::chrono::seconds(60));
  report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->deleted, 1u);
  EXPECT_FALSE(report->deleted_feed_error.has_value());
  EXPECT_EQ(store_.feed("blog")->deleted_failures, 0);
  EXPECT_FALSE(store_.feed("blog")->deleted_error.has_value());
}

// Deletions held by the guard leave the Deleted Feed's watermark where it was: after the
// approval, the entries behind them are read again and the deletions land.
TEST_F(PollCycleTest, HeldDeletionsAreReadAgainFromTheDeletedFeedOnceApproved) {
  feed_.deleted_interval = std::chrono::hours(1);
  live_.add(10, kNewest);
  ASSERT_TRUE(run().has_value());
  const auto watermark = store_.feed("blog")->deleted_watermark;
  for (int i = 0; i < 3; ++i) {  // 3 > max(min 2, 0.2 x 10)
    unpublish_last(kNewest + 1000 * (i + 1));
  }
  auto held = run(full_scan());
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->held_deletes, 3u);
  EXPECT_EQ(store_.feed("blog")->deleted_watermark, watermark);
  store_.set_deletes_approved("blog", true);
  clock_.advance(std::chrono::seconds(60));  // well inside deleted_interval
  auto approved = run();
  ASSERT_TRUE(approved.has_value());
  EXPECT_TRUE(approved->deleted_feed_read);
  EXPECT_EQ(approved->deleted, 3u);
  EXPECT_EQ(store_.feed("blog")->deleted_watermark, kNewest + 3000);
}

// Issue 17: CMP publishes one article to two configured feeds ("news" reads the same feed here).
TEST_F(PollCycleTest, AnArticleInTwoFeedsIsOneItemOwnedByTheFirstFeedUnderOneItem) {
  live_.add(3, kNewest);
  feed_.shared_articles = config::SharedArticles::one_item;
  config::FeedConfig news = feed_;
  news.name = "news";
  news.deleted_feed_id.reset();
  ASSERT_TRUE(run().has_value());
  auto second = run_feed(news);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->created, 0u);
  EXPECT_EQ(second->shared, 3u);
  ASSERT_FALSE(second->changes.empty());
  EXPECT_EQ(second->changes[0].action, ChangeAction::shared);
  EXPECT_THAT(second->changes[0].reason, HasSubstr("also in feed blog, which owns its CMS item"));
  EXPECT_TRUE(store_.articles("news").empty());

  // Once the owner no longer has it (deleted there), the other feed takes it on.
  auto gone = *store_.article("blog", "g0");
  gone.status = store::ArticleStatus::deleted;
  store_.upsert_article(gone);
  auto third = run_feed(news, full_scan());
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->created, 1u);
  EXPECT_EQ(third->shared, 2u);
  EXPECT_TRUE(store_.article("news", "g0").has_value());
}

TEST_F(PollCycleTest, AnArticleInTwoFeedsIsAnItemPerFeedByDefault) {
  live_.add(3, kNewest);
  config::FeedConfig news = feed_;
  news.name = "news";
  news.deleted_feed_id.reset();
  ASSERT_TRUE(run().has_value());
  auto second = run_feed(news);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->created, 3u);
  EXPECT_EQ(second->shared, 0u);
  EXPECT_NE(store_.article("news", "g0")->cms_key, store_.article("blog", "g0")->cms_key);
}

TEST_F(PollCycleTest, ChangedArticleIsUpdatedAndUnchangedPayloadOnlyTouched) {
  live_.add(3, kNewest);
  ASSERT_TRUE(run().has_value());
  live_.articles[0].modified_at += 1000;
  live_.articles[0].title = "New title";
  live_.articles[1].modified_at += 1000;  // timestamp only: same payload
  auto report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->updated, 1u);
  EXPECT_EQ(report->touched, 1u);
  auto ops = store_.article_ops("blog", "g0");
  ASSERT_EQ(ops.size(), 1u);  // coalesced into the pending create
  EXPECT_THAT(ops[0].payload, HasSubstr("New title"));
  EXPECT_EQ(store_.article("blog", "g1")->entry_modified_at, live_.articles[1].modified_at);
}

// Issue 16: with `delete: keep` nothing was deleted in the CMS, so a re-published article is an
// ordinary upsert; an undelete would be refused by the service and used to dead-letter.
TEST_F(PollCycleTest, WithDeleteKeepARepublishedArticleIsAnUpsertNotAnUndelete) {
  feed_.delete_mode = config::DeleteMode::keep;
  live_.add(3, kNewest);
  ASSERT_TRUE(run().has_value());
  for (const auto& op : store_.claim_due(kNewest + 120'000, 100)) store_.complete(op.id);  // the creates ran
  ASSERT_TRUE(pending().empty());
  auto moved = unpublish_last(kNewest + 5000);
  auto deleted = run();
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->deleted, 1u);
  EXPECT_TRUE(store_.article_ops("blog", "g2").empty());  // keep: nothing for the CMS

  moved.modified_at = kNewest + 9000;
  live_.articles.push_back(moved);
  auto back = run();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->undeleted, 1u);
  const auto ops = store_.article_ops("blog", "g2");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, store::OpKind::upsert);
}

TEST_F(PollCycleTest, DeletedFeedDeletesAndRepublishUndeletes) {
  live_.add(3, kNewest);
  ASSERT_TRUE(run().has_value());
  auto moved = unpublish_last(kNewest + 5000);
  auto report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->deleted, 1u);
  EXPECT_EQ(store_.article("blog", "g2")->status, store::ArticleStatus::deleted);
  auto ops = store_.article_ops("blog", "g2");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, store::OpKind::delete_);

  moved.modified_at = kNewest + 9000;  // re-published: newer than its Deleted Feed entry
  live_.articles.push_back(moved);
  report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->undeleted, 1u);
  EXPECT_EQ(store_.article("blog", "g2")->status, store::ArticleStatus::active);
  ops = store_.article_ops("blog", "g2");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, store::OpKind::undelete);
}

TEST_F(PollCycleTest, VanishedArticleIsDeletedOnlyAfterASecondCompleteScan) {
  live_.add(20, kNewest);
  ASSERT_TRUE(run().has_value());
  live_.articles.erase(live_.articles.begin() + 5);
  const auto before = http_.calls().size();
  auto report = run(full_scan());
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->deleted, 1u);
  // The scan (a page, then the empty page that ends it), the (empty) Deleted Feed, the confirming scan.
  EXPECT_EQ(http_.calls().size() - before, 5u);
  EXPECT_EQ(store_.article("blog", "g5")->status, store::ArticleStatus::deleted);
}

TEST_F(PollCycleTest, ArticleBackInTheConfirmingScanIsNotDeleted) {
  live_.add(20, kNewest);
  ASSERT_TRUE(run().has_value());
  auto flicker = live_.articles[5];
  live_.articles.erase(live_.articles.begin() + 5);
  int scans = 0;
  live_.before_page = [&](std::int64_t offset) {
    if (offset == 0 && ++scans == 2) live_.articles.push_back(flicker);  // back for the re-scan
  };
  auto report = run(full_scan());
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->deleted, 0u);
  EXPECT_EQ(store_.article("blog", "g5")->status, store::ArticleStatus::active);
}

TEST_F(PollCycleTest, EmptiedFeedIsHeldUntilApproved) {
  live_.add(5, kNewest);
  ASSERT_TRUE(run().has_value());
  live_.articles.clear();
  auto report = run(full_scan());
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->deleted, 0u);
  EXPECT_EQ(report->held_deletes, 5u);
  EXPECT_EQ(store_.feed("blog")->held_deletes, 5);
  EXPECT_EQ(store_.article_counts("blog").active, 5);

  store_.set_deletes_approved("blog", true);  // feedsyncd approve-deletes blog
  report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->full_scan);  // an approval forces the complete scan it needs
  EXPECT_EQ(report->deleted, 5u);
  const auto row = store_.feed("blog");
  EXPECT_EQ(row->held_deletes, 0);
  EXPECT_FALSE(row->deletes_approved);
}

TEST_F(PollCycleTest, FeedNotFoundMarksMisconfiguredAndKeepsEverything) {
  live_.add(3, kNewest);
  ASSERT_TRUE(run().has_value());
  live_.feed_id = "renamed";  // the configured id now 404s
  auto report = run(full_scan());
  ASSERT_FALSE(report.has_value());
  EXPECT_TRUE(report.error().misconfigured);
  EXPECT_THAT(report.error().message, HasSubstr("not found"));
  const auto row = store_.feed("blog");
  ASSERT_TRUE(row->misconfigured.has_value());
  EXPECT_EQ(row->consecutive_failures, 1);
  EXPECT_EQ(store_.article_counts("blog").active, 3);
}

TEST_F(PollCycleTest, MalformedPageLeavesTheStoreUntouched) {
  live_.add(150, kNewest);
  ASSERT_TRUE(run().has_value());
  const auto articles_before = store_.articles("blog");
  const auto watermark_before = store_.feed("blog")->watermark;
  live_.articles[0].modified_at += 1000;
  http_.fallback = [this](const net::Request& request) -> net::Result {
    if (request.url.find("offset=100") != std::string::npos) return net::Response{200, {}, "{\"entries\": ["};
    return request.url.find("/gone1") != std::string::npos ? gone_.serve(request) : live_.serve(request);
  };
  auto report = run(full_scan());
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message, HasSubstr("offset 100"));
  EXPECT_EQ(store_.articles("blog"), articles_before);
  EXPECT_EQ(store_.feed("blog")->watermark, watermark_before);
  EXPECT_EQ(store_.article_ops("blog", "g0").size(), 1u);  // only the first run's create
}

TEST_F(PollCycleTest, DryRunReportsAndWritesNothing) {
  live_.add(4, kNewest);
  auto report = run(dry_run());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->created, 4u);
  ASSERT_EQ(report->changes.size(), 4u);
  EXPECT_EQ(report->changes[0].action, ChangeAction::create);
  EXPECT_EQ(report->changes[0].title, "Title");
  EXPECT_FALSE(store_.feed("blog").has_value());
}

TEST_F(PollCycleTest, MappingErrorSkipsOnlyThatArticle) {
  live_.add(3, kNewest);
  live_.articles[1].title = "";  // displayName must not be blank
  auto report = run();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->created, 2u);
  EXPECT_EQ(report->mapping_errors, 1u);
  EXPECT_FALSE(store_.article("blog", "g1").has_value());
}

// translations: group (issue 23): g0..g2 are one group in three languages, g3 has no group_id.
class TranslationsPollTest : public PollCycleTest {
 protected:
  TranslationsPollTest() {
    feed_.translations = config::Translations::group;
    feed_.locale.reset();
    feed_.locale_map = {{"en", "en"}, {"de", "de"}, {"fr", "fr"}};
    feed_.positions.locale_map = {{"en", {"feedsync.yaml", 21, 11}}, {"de", {"feedsync.yaml", 22, 11}},
                                  {"fr", {"feedsync.yaml", 23, 11}}};
    live_.add(4, kNewest);
    const char* langs[] = {"en", "de", "fr"};
    for (int i = 0; i < 3; ++i)
      live_.extra_content["g" + std::to_string(i)] = std::string(R"("group_id":"grp","lang_code":")") + langs[i] + '"';
    live_.extra_content["g3"] = R"("lang_code":"en")";
  }

  std::string locale_of(const std::string& guid) {
    for (const auto& op : store_.article_ops("blog", guid))
      if (op.op != store::OpKind::canonical)
        return std::string(boost::json::parse(op.payload).at("document").at("locale").as_string());
    return "";
  }
};

TEST_F(TranslationsPollTest, ArticlesOfOneGroupBecomeLocaleVersionsOfOneItem) {
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->created, 4u);
  const std::string item = group_content_key("blog", "grp");
  for (const char* guid : {"g0", "g1", "g2"}) {
    EXPECT_EQ(store_.article("blog", guid)->cms_key, item) << guid;
    auto op = store_.article_ops("blog", guid).at(0);
    EXPECT_EQ(boost::json::parse(op.payload).at("document").at("key").as_string(), item);
  }
  EXPECT_EQ(store_.article("blog", "g0")->locale, "en");
  EXPECT_EQ(store_.article("blog", "g1")->locale, "de");
  EXPECT_EQ(store_.article("blog", "g2")->locale, "fr");
  EXPECT_EQ(locale_of("g1"), "de");
  // Without a group_id an article is a group of its own: the key `off` gives it.
  EXPECT_EQ(store_.article("blog", "g3")->cms_key, content_key("blog", "g3"));

  // translations: off is today's behaviour: a key per article, no locale on the row.
  feed_.translations = config::Translations::off;
  feed_.name = "other";
  feed_.feed_id = "live1";
  auto off = run();
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(store_.article("other", "g1")->cms_key, content_key("other", "g1"));
  EXPECT_FALSE(store_.article("other", "g1")->locale.has_value());
}

TEST_F(TranslationsPollTest, DeletingOneTranslationQueuesADeleteOfItsLocale) {
  ASSERT_TRUE(run().has_value());
  for (const auto& op : store_.claim_due(kNewest + 120'000, 100)) store_.complete(op.id);
  // g3 is last in the feed (oldest): move g2 (fr) to the Deleted Feed instead.
  auto fr = live_.articles[2];
  live_.articles.erase(live_.articles.begin() + 2);
  fr.modified_at = kNewest + 5000;
  gone_.articles.push_back(fr);
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->deleted, 1u);
  const auto ops = store_.article_ops("blog", "g2");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, store::OpKind::delete_);
  auto payload = decode_delete(ops[0].payload);
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(payload->key, group_content_key("blog", "grp"));
  EXPECT_EQ(payload->translation_locale, "fr");
  EXPECT_FALSE(payload->permanent);
}

TEST_F(TranslationsPollTest, AnUnmappedLangCodeIsAMappingErrorNamingTheArticleCodeAndConfigLine) {
  live_.extra_content["g1"] = R"("group_id":"grp","lang_code":"pt")";
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->mapping_errors, 1u);
  EXPECT_EQ(report->created, 3u);
  std::string message;
  for (const auto& change : report->changes)
    if (change.guid == "g1") message = change.reason;
  EXPECT_THAT(message, HasSubstr("g1"));
  EXPECT_THAT(message, HasSubstr("\"pt\""));
  EXPECT_THAT(message, HasSubstr("feeds[blog].locale_map at feedsync.yaml:21"));
  EXPECT_FALSE(store_.article("blog", "g1").has_value());
}

TEST_F(TranslationsPollTest, TwoTranslationsInOneLocaleAreAMappingErrorForTheSecond) {
  live_.extra_content["g1"] = R"("group_id":"grp","lang_code":"en")";
  auto report = run();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->mapping_errors, 1u);
  std::string message;
  for (const auto& change : report->changes)
    if (change.action == ChangeAction::mapping_error) message = change.reason;
  EXPECT_THAT(message, HasSubstr("locale en, which article g0 of the same group (group_id grp) already holds"));
  // And against the store on the next change of g1.
  live_.articles[1].modified_at = kNewest + 3000;
  auto again = run();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->mapping_errors, 1u);
}

// Switching a feed with items in the CMS from off to group (issue 23): the next full scan finds
// the grouped articles' new item; `plan` shows the moves, a cycle holds them (nothing queued, the
// feed flagged) until approve-deletes; then each is written to its group's item, retiring its own.
TEST_F(TranslationsPollTest, SwitchingFromOffHoldsTheMovesUntilApproved) {
  feed_.translations = config::Translations::off;
  ASSERT_TRUE(run().has_value());
  for (const auto& op : store_.claim_due(kNewest + 120'000, 100)) store_.complete(op.id);
  feed_.translations = config::Translations::group;

  auto planned = run(dry_run());
  ASSERT_TRUE(planned.has_value()) << planned.error().message;
  EXPECT_EQ(planned->held_moves, 3u);  // g0..g2; g3 has no group_id: its key stays
  std::size_t listed = 0;
  for (const auto& change : planned->changes)
    if (change.action == ChangeAction::held_move) {
      ++listed;
      EXPECT_THAT(change.reason, HasSubstr("from item " + content_key("blog", change.guid)));
      EXPECT_EQ(change.cms_key, group_content_key("blog", "grp"));
    }
  EXPECT_EQ(listed, 3u);
  EXPECT_TRUE(pending().empty());

  auto held = run(full_scan());
  ASSERT_TRUE(held.has_value()) << held.error().message;
  EXPECT_EQ(held->held_moves, 3u);
  EXPECT_TRUE(pending().empty());  // nothing deleted, nothing duplicated
  EXPECT_EQ(store_.article("blog", "g1")->cms_key, content_key("blog", "g1"));
  EXPECT_EQ(store_.feed("blog")->held_deletes, 3);
  EXPECT_THAT(store_.feed("blog")->held_reason.value_or(""), HasSubstr("would move to their group's item"));
  EXPECT_EQ(store_.article("blog", "g3")->locale, "en");  // the unmoved one only learns its locale

  store_.set_deletes_approved("blog", true);
  auto moved = run();
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(moved->held_moves, 0u);
  EXPECT_EQ(store_.feed("blog")->held_deletes, 0);
  const std::string item = group_content_key("blog", "grp");
  for (const char* guid : {"g0", "g1", "g2"}) {
    const auto row = store_.article("blog", guid);
    EXPECT_EQ(row->cms_key, item) << guid;
    EXPECT_FALSE(row->cms_version.has_value()) << guid;  // written to the group's item as new
    const auto ops = store_.article_ops("blog", guid);
    ASSERT_EQ(ops.size(), 1u) << guid;
    auto payload = decode_upsert(ops[0].payload);
    ASSERT_TRUE(payload.has_value());
    EXPECT_EQ(payload->document.key, item);
    ASSERT_TRUE(payload->retire.has_value()) << guid;
    EXPECT_EQ(payload->retire->key, content_key("blog", guid));
    EXPECT_FALSE(payload->retire->permanent);
  }
  std::size_t moves = 0;
  for (const auto& change : moved->changes) moves += change.action == ChangeAction::move ? 1 : 0;
  EXPECT_EQ(moves, 3u);
}

}  // namespace
}  // namespace feedsync::engine
