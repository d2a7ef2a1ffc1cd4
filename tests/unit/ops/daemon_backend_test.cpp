// The daemon's ops backend and metrics over a real state store, a fake engine and a fake clock:
// admin actions reach the store and the engine, readiness and metrics follow the configuration
// in force (config::LiveConfig), details are redacted like the logs.
#include "ops/daemon_backend.hpp"

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "log/log.hpp"
#include "ops/daemon_metrics.hpp"
#include "store/store.hpp"
#include "support/simulated_time_system.hpp"
#include "support/temp_dir.hpp"
#include "unit/ops/fake_engine_control.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

config::FeedConfig feed(const std::string& name) {
  config::FeedConfig f;
  f.name = name;
  f.feed_id = name + "-feed-id";
  f.interval = 1min;
  return f;
}

std::shared_ptr<const config::Config> with_feeds(const config::Config& base, std::vector<std::string> names) {
  auto config = std::make_shared<config::Config>(base);
  config->feeds.clear();
  for (const auto& name : names) config->feeds.push_back(feed(name));
  return config;
}

config::Config base_config(const std::filesystem::path& dir) {
  config::Config config;
  config.file = dir / "feedsync.yaml";
  config.state.path = dir / "state.db";
  config.cms.base_url = "https://cms.example.com/api";
  config.cms.token_url = "https://cms.example.com/connect/token";
  return config;
}

class DaemonBackendTest : public ::testing::Test {
 protected:
  DaemonBackendTest()
      : store_(store::Store::open(dir_ / "state.db", {.access = store::Access::exclusive})),
        config_(with_feeds(base_config(dir_.path()), {"blog"})),
        metrics_(store_, config_, clock_),
        heartbeat_(io_.get_executor(), clock_),
        backend_(store_, config_, clock_, metrics_, engine_, heartbeat_) {
    store_.ensure_feed("blog", "blog-feed-id");
  }
  ~DaemonBackendTest() override { log::set_secrets({}); }

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.system_now().time_since_epoch()).count();
  }
  const ReadinessCheck& check(const std::vector<ReadinessCheck>& checks, const std::string& name) {
    for (const auto& c : checks)
      if (c.name == name) return c;
    throw std::runtime_error("no check " + name);
  }

  feedsync::testing::TempDir dir_;
  feedsync::testing::SimulatedTimeSystem clock_;
  boost::asio::io_context io_;
  store::Store store_;
  config::LiveConfig config_;
  testing::FakeEngineControl engine_;
  DaemonMetrics metrics_;
  LoopHeartbeat heartbeat_;
  DaemonBackend backend_;
};

TEST_F(DaemonBackendTest, AdminActionsOnAnUnknownFeedAre404AndTouchNothing) {
  for (auto result : {backend_.trigger_sync("nope"), backend_.pause("nope"), backend_.resume("nope"),
                      backend_.approve_deletes("nope"), backend_.resync("nope", std::nullopt),
                      backend_.retry(std::string("nope"), std::nullopt)}) {
    EXPECT_EQ(result.status, 404);
    EXPECT_EQ(result.message, "no feed named \"nope\" is configured");
  }
  EXPECT_TRUE(engine_.triggered.empty());
  EXPECT_EQ(engine_.relay_wakes, 0);
  EXPECT_FALSE(store_.feed("nope"));
}

TEST_F(DaemonBackendTest, AdminActionsRecordInTheStoreAndNudgeTheEngine) {
  auto result = backend_.pause("blog");
  EXPECT_EQ(result.status, 202);
  EXPECT_EQ(result.message, "blog paused");
  EXPECT_TRUE(store_.feed("blog")->paused);
  EXPECT_TRUE(engine_.triggered.empty());  // a pause waits for nothing

  result = backend_.resume("blog");
  EXPECT_EQ(result.message, "blog resumed");
  EXPECT_FALSE(store_.feed("blog")->paused);

  result = backend_.approve_deletes("blog");
  EXPECT_EQ(result.message, "deletions of blog approved; a confirming full scan starts now");
  EXPECT_TRUE(store_.feed("blog")->deletes_approved);

  result = backend_.trigger_sync("blog");
  EXPECT_EQ(result.message, "sync of blog started");
  EXPECT_THAT(engine_.triggered, ElementsAre("blog", "blog", "blog"));

  result = backend_.resync("blog", std::string("g1"));
  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(result.message, "feed blog has no active article g1");
  result = backend_.resync("blog", std::nullopt);
  EXPECT_EQ(result.status, 202);
  EXPECT_EQ(result.message, "0 articles of blog are pushed again");
  EXPECT_EQ(engine_.triggered.size(), 4u);

  result = backend_.retry(std::nullopt, std::nullopt);
  EXPECT_EQ(result.message, "re-queued 0 dead-lettered operations");
  EXPECT_EQ(engine_.relay_wakes, 1);
}

TEST_F(DaemonBackendTest, ReadinessFollowsTheConfigurationInForce) {
  auto checks = backend_.readiness();
  EXPECT_TRUE(check(checks, "feed:blog").ok);  // starting
  EXPECT_EQ(check(checks, "feed:blog").detail, "starting");
  EXPECT_EQ(check(checks, "cms_token").detail, "valid");

  config_.set(with_feeds(base_config(dir_.path()), {"blog", "news"}));  // a reload
  EXPECT_TRUE(backend_.trigger_sync("news").status == 202);
  checks = backend_.readiness();
  EXPECT_EQ(check(checks, "feed:news").detail, "never polled");

  clock_.advance(3min);  // past the start-up grace
  engine_.token = {.auth_failed = true, .state = "auth_failed", .reason = "credentials rejected"};
  checks = backend_.readiness();
  EXPECT_FALSE(check(checks, "feed:blog").ok);
  EXPECT_FALSE(check(checks, "feed:news").ok);
  EXPECT_FALSE(check(checks, "cms_token").ok);
  EXPECT_EQ(check(checks, "cms_token").detail, "credentials rejected");
}

TEST_F(DaemonBackendTest, ReadinessAndStatusRedactFeedIds) {
  log::set_secrets({"blog-feed-id"});
  store_.record_poll_failure("blog", now_ms(), "feed blog-feed-id (offset 0): HTTP 500");
  clock_.advance(3min);
  const auto checks = backend_.readiness();
  EXPECT_FALSE(check(checks, "feed:blog").ok);
  EXPECT_THAT(check(checks, "feed:blog").detail, Not(HasSubstr("blog-feed-id")));
  EXPECT_THAT(check(checks, "feed:blog").detail, HasSubstr("no success within 3 intervals: feed "));
  EXPECT_THAT(backend_.status_json(), Not(HasSubstr("blog-feed-id")));
}

TEST_F(DaemonBackendTest, LiveWhileTheLoopIsNotStalled) { EXPECT_EQ(backend_.liveness_problem(), std::nullopt); }

// --- DaemonMetrics ---

std::string attempt_metrics(DaemonMetrics& metrics, const std::string& url, net::Method method, int status) {
  net::Request request;
  request.url = url;
  request.method = method;
  net::Response response;
  response.status = status;
  metrics.observe_attempt(request, net::Result(response), 250ms);
  return metrics.render();
}

TEST_F(DaemonBackendTest, RequestsAreCountedUnderTheirApi) {
  auto page = attempt_metrics(metrics_, "https://cms.example.com/connect/token", net::Method::post, 200);
  EXPECT_THAT(page, HasSubstr("feedsync_http_requests_total{api=\"token\",method=\"POST\",status=\"200\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_token_refreshes_total{result=\"success\"} 1\n"));
  page = attempt_metrics(metrics_, "https://cms.example.com/api/content", net::Method::put, 429);
  EXPECT_THAT(page, HasSubstr("feedsync_http_429_total{api=\"cms\"} 1\n"));
  page = attempt_metrics(metrics_, "https://feeds.example.com/feed/x", net::Method::get, 200);
  EXPECT_THAT(page, HasSubstr("feedsync_feed_requests_month_total 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_token_refreshes_total{result=\"failure\"} 0\n"));
}

TEST_F(DaemonBackendTest, FeedRequestsThisMonthStartAgainInANewMonth) {
  attempt_metrics(metrics_, "https://feeds.example.com/feed/x", net::Method::get, 200);
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_feed_requests_month_total 1\n"));
  clock_.advance(std::chrono::hours(24 * 32));
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_feed_requests_month_total 0\n"));
}

TEST_F(DaemonBackendTest, PollsCountByChangeAndGaugesComeFromTheStore) {
  metrics_.observe_poll({.feed = "blog", .duration = 2s, .ok = true,
                         .counts = CycleCounts{.created = 2, .unchanged = 3, .touched = 1, .mapping_errors = 1}});
  metrics_.observe_cms_write(store::OpKind::upsert, "retry");
  store_.set_paused("blog", true);
  const auto page = backend_.metrics_text();
  EXPECT_THAT(page, HasSubstr("feedsync_polls_total{feed=\"blog\",result=\"success\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_seen_total{feed=\"blog\",change=\"new\"} 2\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_seen_total{feed=\"blog\",change=\"unchanged\"} 4\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_entries_rejected_total{feed=\"blog\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_cms_writes_total{op=\"upsert\",result=\"failure\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_feed_paused{feed=\"blog\"} 1\n"));
}

// Issue 16: articles in review (publish: ready with approvals), drafts, ... per feed, at scrape.
TEST_F(DaemonBackendTest, ArticlesNotPublishedAreCountedByCmsStatusFromTheStore) {
  auto article = [&](const std::string& guid, const std::string& cms_status) {
    store::ArticleRow row;
    row.feed = "blog";
    row.guid = guid;
    row.title = "T";
    row.cms_key = "0123456789abcdef0123456789abcdef";
    row.cms_status = cms_status;
    store_.upsert_article(row);
  };
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_articles_not_published{feed=\"blog\",cms_status=\"inReview\"} 0\n"));
  article("g1", "inReview");
  article("g2", "inReview");
  article("g3", "draft");
  article("g4", "published");
  auto page = metrics_.render();
  EXPECT_THAT(page, HasSubstr("feedsync_articles_not_published{feed=\"blog\",cms_status=\"inReview\"} 2\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_not_published{feed=\"blog\",cms_status=\"draft\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_not_published{feed=\"blog\",cms_status=\"scheduled\"} 0\n"));
  EXPECT_THAT(page, Not(HasSubstr("cms_status=\"published\"")));
  // Approved and published: the gauge goes back to 0 at the next scrape.
  article("g1", "published");
  article("g2", "published");
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_articles_not_published{feed=\"blog\",cms_status=\"inReview\"} 0\n"));
}

// Issue 19: articles waiting for their canonical link, and how long the oldest has waited.
TEST_F(DaemonBackendTest, ArticlesAwaitingTheirCanonicalLinkAreCountedWithTheOldestAge) {
  auto article = [&](const std::string& guid, const std::string& cms_status, std::int64_t age_ms) {
    store::ArticleRow row;
    row.feed = "blog";
    row.guid = guid;
    row.title = "T";
    row.cms_key = "0123456789abcdef0123456789abcdef";
    row.pixel_key = "PIXEL";
    row.cms_status = cms_status;
    row.updated_at = now_ms() - age_ms;
    store_.upsert_article(row);
  };
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_articles_awaiting_canonical{feed=\"blog\"} 0\n"));
  article("g1", "draft", 120'000);
  article("g2", "scheduled", 5'000);
  article("g3", "published", 600'000);
  auto page = metrics_.render();
  EXPECT_THAT(page, HasSubstr("feedsync_articles_awaiting_canonical{feed=\"blog\"} 2\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_awaiting_canonical_oldest_age_seconds{feed=\"blog\"} 120\n"));
  article("g1", "published", 0);  // an editor published it and the check recorded it
  page = metrics_.render();
  EXPECT_THAT(page, HasSubstr("feedsync_articles_awaiting_canonical{feed=\"blog\"} 1\n"));
  EXPECT_THAT(page, HasSubstr("feedsync_articles_awaiting_canonical_oldest_age_seconds{feed=\"blog\"} 5\n"));
}

TEST_F(DaemonBackendTest, AReloadAddsTheNewFeedsSeries) {
  EXPECT_THAT(metrics_.render(), Not(HasSubstr("feed=\"news\"")));
  config_.set(with_feeds(base_config(dir_.path()), {"blog", "news"}));
  metrics_.init_feeds();
  EXPECT_THAT(metrics_.render(), HasSubstr("feedsync_polls_total{feed=\"news\",result=\"failure\"} 0\n"));
}

}  // namespace
}  // namespace feedsync::ops
