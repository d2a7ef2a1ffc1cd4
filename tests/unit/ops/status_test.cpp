#include "ops/status.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::ops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1795348800000;  // 2026-11-22T12:00:00Z
constexpr std::int64_t kMinute = 60'000;

config::FeedConfig feed(const std::string& name) {
  config::FeedConfig f;
  f.name = name;
  f.feed_id = name + "id";
  f.interval = std::chrono::minutes(1);
  return f;
}

class StatusTest : public ::testing::Test {
 protected:
  StatusTest() {
    config_.state.path = dir_ / "state.db";
    for (const char* name : {"fresh", "good", "stale", "failing", "paused", "held", "broken"})
      config_.feeds.push_back(feed(name));
  }
  store::Store open() {
    return store::Store::open(config_.state.path, {.access = store::Access::shared});
  }
  const FeedStatus& find(const StatusReport& report, const std::string& name) {
    for (const auto& f : report.feeds)
      if (f.name == name) return f;
    throw std::runtime_error("no feed " + name);
  }

  testing::TempDir dir_;
  config::Config config_;
};

TEST_F(StatusTest, WithoutDatabaseEveryFeedIsNeverPolled) {
  auto report = build_status(config_, nullptr, kNow);
  ASSERT_EQ(report.feeds.size(), config_.feeds.size());
  for (const auto& f : report.feeds) EXPECT_EQ(f.state, "never-polled") << f.name;
  auto text = render_status_text(report);
  EXPECT_THAT(text, HasSubstr("does not exist yet"));
  EXPECT_THAT(text, HasSubstr("never polled"));
}

TEST_F(StatusTest, EachFeedGetsTheMostUrgentState) {
  auto store = open();
  for (const auto& f : config_.feeds) store.ensure_feed(f.name, f.feed_id);
  store.ensure_feed("gone", "goneid");  // removed from the configuration since
  store.record_poll_success("good", kNow - kMinute, kNow - 2 * kMinute, true);
  store.record_poll_success("stale", kNow - 4 * kMinute, std::nullopt, true);
  store.record_poll_success("failing", kNow - 2 * kMinute, std::nullopt, true);
  store.record_poll_failure("failing", kNow - kMinute, "feed returned 503");
  store.set_paused("paused", true);
  store.hold_deletes("held", 40, "40 of 50 articles vanished");
  store.set_misconfigured("broken", "feed 404: Collection with guid brokenid not found");

  auto report = build_status(config_, &store, kNow);
  EXPECT_EQ(find(report, "fresh").state, "never-polled");
  EXPECT_EQ(find(report, "good").state, "ok");
  EXPECT_EQ(find(report, "stale").state, "stale");  // 4 minutes > 3 x 1 minute
  EXPECT_EQ(find(report, "failing").state, "failing");
  EXPECT_EQ(find(report, "paused").state, "paused");
  EXPECT_EQ(find(report, "held").state, "deletes-held");
  EXPECT_EQ(find(report, "broken").state, "misconfigured");
  EXPECT_EQ(find(report, "gone").state, "not-configured");
  EXPECT_FALSE(find(report, "gone").configured);

  auto text = render_status_text(report);
  EXPECT_THAT(text, HasSubstr("failing: last error"));
  EXPECT_THAT(text, HasSubstr("feed returned 503"));
  EXPECT_THAT(text, HasSubstr("feedsyncd approve-deletes held"));
  EXPECT_THAT(text, HasSubstr("broken: misconfigured: feed 404"));
  EXPECT_THAT(text, HasSubstr("gone: in the state database but not in the configuration"));
}

TEST_F(StatusTest, LagAndDeadLettersComeFromTheOutbox) {
  auto store = open();
  store.ensure_feed("good", "goodid");
  store.record_poll_success("good", kNow, std::nullopt, true);
  store::OutboxOp op;
  op.feed = "good";
  op.guid = "g1";
  op.op = store::OpKind::upsert;
  op.payload = "{}";
  store.enqueue(op, kNow - 90'000);
  op.guid = "g2";
  store.enqueue(op, kNow - 1000);
  auto claimed = store.claim_due(kNow, 1);
  ASSERT_EQ(claimed.size(), 1u);
  store.dead_letter(claimed[0].id, "400 Bad Request: properties.Heading: required");

  auto report = build_status(config_, &store, kNow);
  const auto& good = find(report, "good");
  EXPECT_EQ(good.outbox.total.pending, 1);
  EXPECT_EQ(good.outbox.total.dead, 1);
  ASSERT_TRUE(good.lag_ms.has_value());
  EXPECT_EQ(*good.lag_ms, 1000);  // g1 is dead, so the oldest pending is g2
  ASSERT_EQ(report.dead_letters.size(), 1u);
  EXPECT_THAT(render_status_text(report), HasSubstr("good g1 upsert after 1 attempts: 400 Bad Request"));

  auto json = boost::json::parse(render_status_json(report)).as_object();
  const auto& feeds = json.at("feeds").as_array();
  const auto& first_good = feeds.at(1).as_object();
  EXPECT_EQ(first_good.at("name").as_string(), "good");
  EXPECT_EQ(first_good.at("lag_seconds").as_int64(), 1);
  EXPECT_EQ(first_good.at("interval_seconds").as_int64(), 60);
  EXPECT_EQ(first_good.at("last_success_at").as_string(), "2026-11-22T12:00:00Z");
  EXPECT_EQ(first_good.at("outbox").at("by_op").at("upsert").at("dead").as_int64(), 1);
  EXPECT_EQ(json.at("dead_letters").as_array().at(0).at("guid").as_string(), "g1");
}

// Issue 16: `publish: ready` on a content type with approvals leaves articles in review; that is
// success, and status says how many wait, per feed, with the other statuses that are not live.
TEST_F(StatusTest, ArticlesNotPublishedInTheCmsAreCountedByStatus) {
  auto store = open();
  store.ensure_feed("good", "goodid");
  store.ensure_feed("paused", "pausedid");
  store.record_poll_success("good", kNow, std::nullopt, true);
  int n = 0;
  auto article = [&](const char* feed, std::optional<std::string> cms_status) {
    store::ArticleRow row;
    row.feed = feed;
    row.guid = "g" + std::to_string(++n);
    row.title = "T";
    row.cms_key = "0123456789abcdef0123456789abcdef";
    row.cms_status = std::move(cms_status);
    store.upsert_article(row);
  };
  for (int i = 0; i < 3; ++i) article("good", "inReview");
  article("good", "draft");
  article("good", "published");
  article("good", std::nullopt);
  article("paused", "scheduled");

  auto report = build_status(config_, &store, kNow);
  EXPECT_EQ(find(report, "good").not_published,
            (std::map<std::string, std::int64_t, std::less<>>{{"draft", 1}, {"inReview", 3}}));
  const auto text = render_status_text(report);
  EXPECT_THAT(text, HasSubstr("good: not published in the CMS: 1 draft, 3 inReview (waiting for approval)\n"));
  EXPECT_THAT(text, HasSubstr("paused: not published in the CMS: 1 scheduled\n"));
  EXPECT_THAT(text, Not(HasSubstr("fresh: not published")));

  auto json = boost::json::parse(render_status_json(report)).as_object();
  const auto& good = json.at("feeds").as_array().at(1).as_object();
  ASSERT_EQ(good.at("name").as_string(), "good");
  const auto& statuses = good.at("articles").at("cms_status").as_object();
  EXPECT_EQ(statuses, (boost::json::object{{"draft", 1}, {"ready", 0}, {"inReview", 3}, {"scheduled", 0},
                                           {"rejected", 0}}));
  // A feed never polled has every count, at 0.
  EXPECT_EQ(json.at("feeds").as_array().at(0).at("articles").at("cms_status").at("inReview").as_int64(), 0);
}

}  // namespace
// Issue 19: articles waiting for their canonical link (a pixel key, not published yet), with
// the age of the oldest, in the text and the JSON; none while canonical links are off.
TEST_F(StatusTest, ArticlesWaitingForTheirCanonicalLinkAreCountedWithTheOldestAge) {
  auto store = open();
  store.ensure_feed("good", "goodid");
  store.record_poll_success("good", kNow, std::nullopt, true);
  int n = 0;
  auto article = [&](std::string cms_status, std::int64_t age_ms, std::optional<std::string> pixel = "PIXEL") {
    store::ArticleRow row;
    row.feed = "good";
    row.guid = "g" + std::to_string(++n);
    row.title = "T";
    row.cms_key = "0123456789abcdef0123456789abcdef";
    row.pixel_key = std::move(pixel);
    row.cms_status = std::move(cms_status);
    row.updated_at = kNow - age_ms;
    store.upsert_article(row);
  };
  article("draft", 90'000);
  article("scheduled", 30'000);
  article("published", 900'000);
  article("draft", 900'000, std::nullopt);  // no pixel key: CMP waits for nothing

  auto report = build_status(config_, &store, kNow);
  EXPECT_EQ(find(report, "good").awaiting_canonical, 2);
  EXPECT_EQ(find(report, "good").awaiting_canonical_age_ms, 90'000);
  EXPECT_THAT(render_status_text(report), HasSubstr("good: waiting for their canonical link: 2 articles, oldest 1m30s\n"));
  auto json = boost::json::parse(render_status_json(report)).as_object();
  const auto& good = json.at("feeds").as_array().at(1).as_object();
  EXPECT_EQ(good.at("canonical_pending").at("articles").as_int64(), 2);
  EXPECT_EQ(good.at("canonical_pending").at("oldest_age_seconds").to_number<double>(), 90.0);

  auto off = config_;
  off.canonical.enabled = false;
  EXPECT_EQ(find(build_status(off, &store, kNow), "good").awaiting_canonical, 0);
}

}  // namespace feedsync::ops
