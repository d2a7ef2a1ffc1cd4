// The poll cycle against an in-memory Feed API (FakeFeed) and a real state store on disk.
#include "engine/poll_cycle.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/content_key.hpp"
#include "engine/feed_target.hpp"
#include "feed/feed_client.hpp"
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
    auto future = boost::asio::co_spawn(io_, cycle_.run(feed_, *mapping, options), boost::asio::use_future);
    io_.run();
    io_.restart();
    return future.get();
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

TEST_F(PollCycleTest, DeletedFeedDeletesAndRepublishUndeletes) {
  live_.add(3, kNewest);
  ASSERT_TRUE(run().has_value());
  auto moved = live_.articles[2];
  live_.articles.pop_back();
  moved.modified_at = kNewest + 5000;
  gone_.articles.push_back(moved);
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
  EXPECT_EQ(http_.calls().size() - before, 3u);  // scan, Deleted Feed, confirming scan
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
  EXPECT_EQ(report->changes[0].action, "create");
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

}  // namespace
}  // namespace feedsync::engine
