#include "ops/metric_routing.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

config::Config endpoints(bool canonical_enabled) {
  config::Config config;
  config.cms.base_url = "https://cms.example.com/api/episerver/v3.0";
  config.cms.token_url = "https://cms.example.com/api/episerver/connect/token";
  config.canonical.enabled = canonical_enabled;
  config.canonical.endpoint = "https://cmp.example.com/canonical";
  config.source.base_url = "https://feeds.example.com";
  return config;
}

TEST(ApiOfUrl, NamesTheApiARequestWentTo) {
  struct Case {
    const char* url;
    bool canonical_enabled;
    std::string_view api;
  };
  const Case cases[] = {
      {"https://cms.example.com/api/episerver/connect/token", true, "token"},
      {"https://cms.example.com/api/episerver/v3.0/content/abc", true, "cms"},
      {"https://cmp.example.com/canonical/123", true, "canonical"},
      // A disabled canonical endpoint is nobody's: it counts with the rest.
      {"https://cmp.example.com/canonical/123", false, "feed"},
      {"https://feeds.example.com/feeds/abc?offset=0", true, "feed"},
      {"https://cms.example.com/other", true, "feed"},  // same host, outside the CMS API
      {"", true, "feed"},
  };
  for (const auto& c : cases) EXPECT_EQ(api_of_url(c.url, endpoints(c.canonical_enabled)), c.api) << c.url;
}

TEST(ApiOfUrl, AnEmptyConfiguredUrlMatchesNothing) {
  auto config = endpoints(true);
  config.cms.token_url.clear();
  config.canonical.endpoint.clear();
  EXPECT_EQ(api_of_url("https://cmp.example.com/canonical/123", config), "feed");
  EXPECT_EQ(api_of_url("https://cms.example.com/api/episerver/connect/token", config), "feed");
}

TEST(ApiOfOrigin, TheCmsOriginIsCmsEveryOtherIsFeed) {
  const auto config = endpoints(true);
  EXPECT_EQ(api_of_origin("https://cms.example.com:443", config), "cms");
  EXPECT_EQ(api_of_origin("https://feeds.example.com:443", config), "feed");
  EXPECT_EQ(api_of_origin("", config), "feed");
  auto unparseable = config;
  unparseable.cms.base_url = "not a url";
  EXPECT_EQ(api_of_origin("", unparseable), "feed");
}

TEST(ResultLabels, SuccessOnlyFor2xxAndTheRelaysSuccess) {
  const std::pair<int, std::string_view> statuses[] = {
      {200, "success"}, {201, "success"}, {299, "success"}, {0, "failure"},
      {199, "failure"}, {300, "failure"}, {401, "failure"}, {503, "failure"},
  };
  for (const auto& [status, result] : statuses) EXPECT_EQ(result_of_status(status), result) << status;
  EXPECT_EQ(result_of_cms_write("success"), "success");
  EXPECT_EQ(result_of_cms_write("retry"), "failure");
  EXPECT_EQ(result_of_cms_write("auth"), "failure");
  EXPECT_EQ(result_of_cms_write("dead_letter"), "failure");
}

TEST(OutboxSnapshot, CountsInFlightAsPendingAndNeverAgesBelowZero) {
  store::OutboxStats stats;
  stats.by_op[static_cast<std::size_t>(store::OpKind::upsert)] = {.pending = 3, .inflight = 2, .dead = 1};
  stats.by_op[static_cast<std::size_t>(store::OpKind::canonical)] = {.pending = 0, .inflight = 0, .dead = 4};
  stats.oldest_pending_created_at = 1'000'000;
  auto snapshot = outbox_snapshot(stats, 1'012'500);
  EXPECT_THAT(snapshot.pending_by_op,
              ElementsAre(Pair("upsert", 5.0), Pair("delete", 0.0), Pair("undelete", 0.0), Pair("canonical", 0.0)));
  EXPECT_THAT(snapshot.dead_letters_by_op,
              ElementsAre(Pair("upsert", 1.0), Pair("delete", 0.0), Pair("undelete", 0.0), Pair("canonical", 4.0)));
  EXPECT_DOUBLE_EQ(snapshot.oldest_pending_age_seconds, 12.5);

  EXPECT_DOUBLE_EQ(outbox_snapshot(stats, 999'000).oldest_pending_age_seconds, 0.0);  // the clock stepped back
  stats.oldest_pending_created_at.reset();
  EXPECT_DOUBLE_EQ(outbox_snapshot(stats, 1'012'500).oldest_pending_age_seconds, 0.0);
}

TEST(SeenIncrements, TouchedCountsAsUnchangedAndMappingErrorsAsRejected) {
  struct Case {
    CycleCounts counts;
    SeenIncrements seen;
  };
  const Case cases[] = {
      {{}, {}},
      {{.created = 2, .updated = 3, .undeleted = 1, .deleted = 4}, {2, 3, 1, 4, 0, 0}},
      {{.unchanged = 10, .touched = 5}, {0, 0, 0, 0, 15, 0}},
      {{.rejected_entries = 2, .mapping_errors = 1}, {0, 0, 0, 0, 0, 3}},
  };
  for (const auto& c : cases) EXPECT_EQ(seen_increments(c.counts), c.seen);
}

TEST(FeedGaugeValues, FromTheRowInUnixSeconds) {
  store::FeedRow row;
  auto values = feed_gauge_values(row);
  EXPECT_EQ(values, FeedGaugeValues{});  // nothing known: timestamps left as they are
  row.last_success_at = 1'700'000'000'500;
  row.last_attempt_at = 1'700'000'060'000;
  row.consecutive_failures = 3;
  row.paused = true;
  row.held_deletes = 12;
  row.deleted_failures = 2;
  values = feed_gauge_values(row);
  EXPECT_EQ(values, (FeedGaugeValues{.last_success_timestamp = 1'700'000'000.5,
                                     .last_attempt_timestamp = 1'700'000'060.0,
                                     .consecutive_failures = 3,
                                     .paused = 1,
                                     .deletes_held = 12,
                                     .deleted_feed_failures = 2}));
}

}  // namespace
}  // namespace feedsync::ops
