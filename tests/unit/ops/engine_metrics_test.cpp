// The metric families of issue #8: names, types, labels, zero-initialised series, the outbox
// callback gauges.

#include "ops/engine_metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace feedsync::ops {
namespace {

bool has(const std::string& page, const std::string& line) {
  return page.find("\n" + line + "\n") != std::string::npos || page.starts_with(line + "\n");
}

OutboxSnapshot sample_outbox() {
  return {{{"upsert", 3}, {"delete", 1}}, {{"canonical", 2}}, 42.5};
}

TEST(EngineMetricsTest, RegistersEveryFamilyOnce) {
  Registry registry;
  register_engine_metrics(registry, sample_outbox);
  const std::string page = registry.render();
  const std::pair<const char*, const char*> families[] = {
      {"feedsync_build_info", "gauge"},
      {"feedsync_feed_last_success_timestamp_seconds", "gauge"},
      {"feedsync_feed_last_attempt_timestamp_seconds", "gauge"},
      {"feedsync_feed_consecutive_failures", "gauge"},
      {"feedsync_polls_total", "counter"},
      {"feedsync_poll_duration_seconds", "histogram"},
      {"feedsync_articles_seen_total", "counter"},
      {"feedsync_entries_rejected_total", "counter"},
      {"feedsync_feed_paused", "gauge"},
      {"feedsync_deletes_held", "gauge"},
      {"feedsync_articles_not_published", "gauge"},
      {"feedsync_http_requests_total", "counter"},
      {"feedsync_http_request_duration_seconds", "histogram"},
      {"feedsync_http_429_total", "counter"},
      {"feedsync_rate_limiter_wait_seconds_total", "counter"},
      {"feedsync_token_refreshes_total", "counter"},
      {"feedsync_cms_writes_total", "counter"},
      {"feedsync_feed_requests_month_total", "counter"},
      {"feedsync_feed_requests_month_projected", "gauge"},
      {"feedsync_feed_requests_month_budget", "gauge"},
      {"feedsync_outbox_pending", "gauge"},
      {"feedsync_outbox_oldest_pending_age_seconds", "gauge"},
      {"feedsync_dead_letters", "gauge"},
  };
  for (const auto& [name, type] : families) {
    EXPECT_TRUE(has(page, std::string("# TYPE ") + name + " " + type)) << name;
    EXPECT_NE(page.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
  }
  // Series that exist before anything happened: a rate over them is 0, not "no data".
  for (const char* line : {"feedsync_http_429_total{api=\"cms\"} 0",
                           "feedsync_rate_limiter_wait_seconds_total{api=\"canonical\"} 0",
                           "feedsync_http_request_duration_seconds_count{api=\"token\"} 0",
                           "feedsync_token_refreshes_total{result=\"failure\"} 0",
                           "feedsync_cms_writes_total{op=\"undelete\",result=\"success\"} 0",
                           "feedsync_feed_requests_month_total 0",
                           "feedsync_feed_requests_month_projected 0"})
    EXPECT_TRUE(has(page, line)) << line;
}

TEST(EngineMetricsTest, InitFeedCreatesEverySeriesAtZero) {
  Registry registry;
  auto metrics = register_engine_metrics(registry, sample_outbox);
  metrics.init_feed("blog");
  const std::string page = registry.render();
  for (const char* line : {"feedsync_feed_last_success_timestamp_seconds{feed=\"blog\"} 0",
                           "feedsync_feed_last_attempt_timestamp_seconds{feed=\"blog\"} 0",
                           "feedsync_feed_consecutive_failures{feed=\"blog\"} 0",
                           "feedsync_polls_total{feed=\"blog\",result=\"success\"} 0",
                           "feedsync_polls_total{feed=\"blog\",result=\"failure\"} 0",
                           "feedsync_poll_duration_seconds_count{feed=\"blog\"} 0",
                           "feedsync_entries_rejected_total{feed=\"blog\"} 0",
                           "feedsync_feed_paused{feed=\"blog\"} 0",
                           "feedsync_deletes_held{feed=\"blog\"} 0"})
    EXPECT_TRUE(has(page, line)) << line;
  for (auto change : kArticleChanges)
    EXPECT_TRUE(has(page, "feedsync_articles_seen_total{feed=\"blog\",change=\"" + std::string(change) + "\"} 0"))
        << change;
  for (auto status : kNotPublishedCmsStatuses)
    EXPECT_TRUE(has(page, "feedsync_articles_not_published{feed=\"blog\",cms_status=\"" + std::string(status) +
                              "\"} 0"))
        << status;
}

TEST(EngineMetricsTest, InitFeedIsIdempotentAndCachesTheChildren) {
  Registry registry;
  auto metrics = register_engine_metrics(registry, sample_outbox);
  auto first = metrics.init_feed("blog");
  auto again = metrics.init_feed("blog");
  EXPECT_EQ(&first.polls_failure, &again.polls_failure);
  first.polls_failure.inc();
  first.seen_undeleted.inc(2);
  first.consecutive_failures.set(1);
  first.poll_duration.observe(0.3);
  const std::string page = registry.render();
  EXPECT_TRUE(has(page, "feedsync_polls_total{feed=\"blog\",result=\"failure\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_articles_seen_total{feed=\"blog\",change=\"undeleted\"} 2"));
  EXPECT_TRUE(has(page, "feedsync_feed_consecutive_failures{feed=\"blog\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_poll_duration_seconds_bucket{feed=\"blog\",le=\"0.4\"} 1"));
}

TEST(EngineMetricsTest, ObserveHttpCountsByStatusCodeAnd429) {
  Registry registry;
  auto metrics = register_engine_metrics(registry, sample_outbox);
  metrics.observe_http("cms", "POST", 201, 0.02);
  metrics.observe_http("cms", "POST", 429, 0.01);
  metrics.observe_http("feed", "GET", 0, 30);
  const std::string page = registry.render();
  EXPECT_TRUE(has(page, "feedsync_http_requests_total{api=\"cms\",method=\"POST\",status=\"201\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_http_requests_total{api=\"cms\",method=\"POST\",status=\"429\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_http_requests_total{api=\"feed\",method=\"GET\",status=\"0\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_http_429_total{api=\"cms\"} 1"));
  EXPECT_TRUE(has(page, "feedsync_http_429_total{api=\"feed\"} 0"));
  EXPECT_TRUE(has(page, "feedsync_http_request_duration_seconds_count{api=\"cms\"} 2"));
  EXPECT_TRUE(has(page, "feedsync_http_request_duration_seconds_bucket{api=\"feed\",le=\"+Inf\"} 1"));
}

TEST(EngineMetricsTest, OutboxGaugesShareOneSnapshotPerScrape) {
  Registry registry;
  int reads = 0;
  register_engine_metrics(registry, [&reads] {
    ++reads;
    return OutboxSnapshot{{{"upsert", 3}, {"delete", 1}, {"upsert", 1}}, {{"canonical", 2}}, 42.5};
  });
  const std::string page = registry.render();
  EXPECT_EQ(reads, 1);
  for (const char* line : {"feedsync_outbox_pending{op=\"upsert\"} 4",  // repeated ops are summed
                           "feedsync_outbox_pending{op=\"delete\"} 1",
                           "feedsync_outbox_pending{op=\"undelete\"} 0",
                           "feedsync_outbox_pending{op=\"canonical\"} 0",
                           "feedsync_outbox_oldest_pending_age_seconds 42.5",
                           "feedsync_dead_letters{op=\"canonical\"} 2",
                           "feedsync_dead_letters{op=\"upsert\"} 0"})
    EXPECT_TRUE(has(page, line)) << line;
  registry.render();
  EXPECT_EQ(reads, 2);
}

TEST(EngineMetricsTest, AFailingOutboxReadLeavesOnlyItsGaugesOut) {
  Registry registry;
  bool fail = true;
  register_engine_metrics(registry, [&fail]() -> OutboxSnapshot {
    if (fail) throw std::runtime_error("database is locked");
    return {};
  });
  std::string page = registry.render();
  EXPECT_EQ(page.find("feedsync_outbox_pending{"), std::string::npos);
  EXPECT_EQ(page.find("feedsync_outbox_oldest_pending_age_seconds 0"), std::string::npos);
  EXPECT_EQ(page.find("feedsync_dead_letters{"), std::string::npos);
  EXPECT_TRUE(has(page, "feedsync_token_refreshes_total{result=\"success\"} 0"));
  fail = false;
  page = registry.render();
  EXPECT_TRUE(has(page, "feedsync_outbox_oldest_pending_age_seconds 0"));
  EXPECT_TRUE(has(page, "feedsync_dead_letters{op=\"delete\"} 0"));
}

}  // namespace
}  // namespace feedsync::ops
