#include "ops/readiness.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

constexpr std::int64_t kNow = 1'800'000'000'000;
const SteadyTime kSteadyNow{std::chrono::hours(5)};

config::FeedConfig feed(const std::string& name) {
  config::FeedConfig f;
  f.name = name;
  f.interval = 60s;
  return f;
}

config::Config two_feeds() {
  config::Config config;
  config.file = "/etc/feedsync/feedsync.yaml";
  config.feeds = {feed("blog"), feed("news")};
  config.feeds[1].deleted_feed_id = "gone1";
  return config;
}

store::FeedRow polled(const std::string& name) {
  store::FeedRow row;
  row.name = name;
  row.last_success_at = kNow - 5'000;
  return row;
}

std::vector<std::string> names(const std::vector<ReadinessCheck>& checks) {
  std::vector<std::string> out;
  for (const auto& check : checks) out.push_back(check.name);
  return out;
}

TEST(CmsTokenReadiness, FailsOnlyWhileTheCredentialsAreRejected) {
  struct Case {
    CmsTokenStatus token;
    bool ok;
    std::string detail;
  };
  const Case cases[] = {
      {{false, "empty", ""}, true, "empty"},
      {{false, "valid", "an earlier timeout"}, true, "valid"},
      {{true, "auth_failed", "token endpoint rejected client feedsync: check the secret"}, false,
       "token endpoint rejected client feedsync: check the secret"},
  };
  for (const auto& c : cases) {
    const auto check = cms_token_readiness(c.token);
    EXPECT_EQ(check.name, "cms_token");
    EXPECT_EQ(check.ok, c.ok) << c.token.state;
    EXPECT_EQ(check.detail, c.detail) << c.token.state;
  }
}

TEST(EvaluateReadiness, ListsEveryCheckInOrder) {
  const auto config = two_feeds();
  const auto checks = evaluate_readiness({.config = config,
                                          .store_health = {},
                                          .steady_now = kSteadyNow,
                                          .token = {false, "valid", ""},
                                          .feed_rows = {polled("news"), polled("blog"), polled("removed")},
                                          .now_ms = kNow,
                                          .uptime = 1h});
  EXPECT_THAT(names(checks), ElementsAre("config", "store", "cms_token", "feed:blog", "deletes_held:blog", "feed:news",
                                         "deleted_feed:news", "deletes_held:news"));
  EXPECT_EQ(checks[0].detail, "loaded from /etc/feedsync/feedsync.yaml");
  EXPECT_EQ(checks[1].detail, "writable (nothing committed yet)");
  for (const auto& check : checks) EXPECT_TRUE(check.ok) << check.name << ": " << check.detail;
}

TEST(EvaluateReadiness, FeedsTheStoreDoesNotKnowCountAsNeverPolled) {
  // Also what happens when reading the rows failed: the store check carries the failure.
  const auto config = two_feeds();
  store::WriteHealth failing{.failures = 3, .last_error = "disk I/O error", .failing_since = kSteadyNow - 30s,
                             .last_commit = std::nullopt, .path = {}, .last_failure = kSteadyNow - 1s};
  const auto checks = evaluate_readiness({.config = config,
                                          .store_health = failing,
                                          .steady_now = kSteadyNow,
                                          .token = {true, "auth_failed", "rejected"},
                                          .feed_rows = {},
                                          .now_ms = kNow,
                                          .uptime = 10min});
  EXPECT_THAT(names(checks), ElementsAre("config", "store", "cms_token", "feed:blog", "feed:news"));
  EXPECT_FALSE(checks[1].ok);
  EXPECT_FALSE(checks[2].ok);
  EXPECT_EQ(checks[2].detail, "rejected");
  EXPECT_FALSE(checks[3].ok);  // 10 minutes up: past the grace of 3 intervals
  EXPECT_EQ(checks[3].detail, "never polled");
}

TEST(EvaluateReadiness, TheStartUpGraceCoversFeedsNotPolledYet) {
  const auto config = two_feeds();
  const auto checks = evaluate_readiness({.config = config,
                                          .store_health = {},
                                          .steady_now = kSteadyNow,
                                          .token = {false, "empty", ""},
                                          .feed_rows = {},
                                          .now_ms = kNow,
                                          .uptime = 2min});
  ASSERT_EQ(checks.size(), 5u);
  EXPECT_TRUE(checks[3].ok);
  EXPECT_TRUE(checks[4].ok);
}

}  // namespace
}  // namespace feedsync::ops
