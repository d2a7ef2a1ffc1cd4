#include "ops/feed_readiness.hpp"

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

}  // namespace
}  // namespace feedsync::ops
