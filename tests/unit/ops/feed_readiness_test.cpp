#include "ops/feed_readiness.hpp"

#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'800'000'000'000;

config::FeedConfig blog() {
  config::FeedConfig feed;
  feed.name = "blog";
  feed.deleted_feed_id = "gone1";
  feed.deleted_interval = 60s;
  return feed;
}

TEST(DeletedFeedReadiness, ReadsGoingThroughAreReady) {
  store::FeedRow row;
  auto check = deleted_feed_readiness(blog(), row, kNow, 1h);
  EXPECT_EQ(check.name, "deleted_feed:blog");
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.detail, "not read yet");
  row.deleted_read_at = kNow - 42'000;
  EXPECT_EQ(deleted_feed_readiness(blog(), row, kNow, 1h).detail, "last read 42s ago");
}

TEST(DeletedFeedReadiness, AFailureShowsAtOnceAndFailsTheCheckAfterThreeIntervals) {
  store::FeedRow row;
  row.deleted_read_at = kNow - 100'000;
  row.deleted_failures = 2;
  row.deleted_failed_at = kNow - 5'000;
  row.deleted_error = "Deleted Feed: feed [redacted] (offset 0): HTTP 500";
  auto check = deleted_feed_readiness(blog(), row, kNow, 1h);
  EXPECT_TRUE(check.ok);  // read 100 s ago: inside 3 x 60 s
  EXPECT_THAT(check.detail, HasSubstr("2 reads failed in a row (last 5s ago): Deleted Feed: feed [redacted]"));
  EXPECT_THAT(check.detail, HasSubstr("HTTP 500; the live feed syncs on, its deletions wait; last good read 100s ago"));

  row.deleted_read_at = kNow - 181'000;
  EXPECT_FALSE(deleted_feed_readiness(blog(), row, kNow, 1h).ok);
  row.deleted_read_at.reset();
  check = deleted_feed_readiness(blog(), row, kNow, 1h);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.detail, HasSubstr("never read"));
  // The start-up grace, as for the feed's own check.
  EXPECT_TRUE(deleted_feed_readiness(blog(), row, kNow, 30s).ok);
}

// --- feed:NAME, the 3-interval freshness window with its start-up grace ---

config::FeedConfig every_minute() {
  config::FeedConfig feed;
  feed.name = "news";
  feed.interval = 60s;
  return feed;
}

struct PollCase {
  const char* what;
  std::optional<store::FeedRow> row;  // nullopt: the store does not know the feed
  std::chrono::milliseconds uptime;
  bool ok;
  std::string detail;
};

store::FeedRow row_with(void (*edit)(store::FeedRow&)) {
  store::FeedRow row;
  row.name = "news";
  edit(row);
  return row;
}

TEST(FeedPollReadiness, FollowsTheWindowOfThreeIntervals) {
  const PollCase cases[] = {
      {"never polled, starting", std::nullopt, 179'999ms, true, "never polled"},
      {"never polled after the grace", std::nullopt, 180s, false, "never polled"},
      {"succeeded just now", row_with([](auto& r) { r.last_success_at = kNow - 12'345; }), 1h, true,
       "last success 12s ago"},
      {"succeeded exactly 3 intervals ago", row_with([](auto& r) { r.last_success_at = kNow - 180'000; }), 1h, true,
       "last success 180s ago"},
      {"one ms past the window", row_with([](auto& r) { r.last_success_at = kNow - 180'001; }), 1h, false,
       "no success within 3 intervals"},
      {"past the window with an error",
       row_with([](auto& r) {
         r.last_success_at = kNow - 600'000;
         r.last_error = "HTTP 500";
       }),
       1h, false, "no success within 3 intervals: HTTP 500"},
      {"past the window but starting", row_with([](auto& r) { r.last_error = "HTTP 500"; }), 2min, true, "starting"},
      {"paused wins over staleness", row_with([](auto& r) { r.paused = true; r.last_error = "x"; }), 1h, true,
       "paused"},
      {"misconfigured fails even while starting", row_with([](auto& r) { r.misconfigured = "feed id unknown"; }), 0ms,
       false, "misconfigured: feed id unknown"},
      {"paused wins over misconfigured",
       row_with([](auto& r) {
         r.paused = true;
         r.misconfigured = "feed id unknown";
       }),
       1h, true, "paused"},
  };
  for (const auto& c : cases) {
    const auto check = feed_poll_readiness(every_minute(), c.row ? &*c.row : nullptr, kNow, c.uptime);
    EXPECT_EQ(check.name, "feed:news") << c.what;
    EXPECT_EQ(check.ok, c.ok) << c.what;
    EXPECT_EQ(check.detail, c.detail) << c.what;
  }
}

TEST(HeldDeletesReadiness, FailsWhileDeletionsAreHeldAndNamesTheCommand) {
  store::FeedRow row;
  auto check = held_deletes_readiness(every_minute(), row);
  EXPECT_EQ(check.name, "deletes_held:news");
  EXPECT_TRUE(check.ok);
  EXPECT_EQ(check.detail, "none");
  row.held_deletes = 7;
  row.held_reason = "7 of 10 articles (70 %) exceed the guard";
  check = held_deletes_readiness(every_minute(), row);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.detail, "7 deletions held (7 of 10 articles (70 %) exceed the guard); feedsyncd approve-deletes news");
}

std::vector<std::string> names(const std::vector<ReadinessCheck>& checks) {
  std::vector<std::string> out;
  for (const auto& check : checks) out.push_back(check.name);
  return out;
}

TEST(FeedReadiness, ListsTheFeedsChecksInOrder) {
  store::FeedRow row;
  row.name = "blog";
  row.last_success_at = kNow;
  EXPECT_THAT(names(feed_readiness(blog(), &row, kNow, 1h)),
              ::testing::ElementsAre("feed:blog", "deleted_feed:blog", "deletes_held:blog"));
  auto without_deleted_feed = blog();
  without_deleted_feed.deleted_feed_id.reset();
  EXPECT_THAT(names(feed_readiness(without_deleted_feed, &row, kNow, 1h)),
              ::testing::ElementsAre("feed:blog", "deletes_held:blog"));
  // Nothing known of a feed never polled but that it was not.
  EXPECT_THAT(names(feed_readiness(blog(), nullptr, kNow, 1h)), ::testing::ElementsAre("feed:blog"));
}

}  // namespace
}  // namespace feedsync::ops
