#include "core/request_budget.hpp"

#include "core/duration.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

using namespace std::chrono_literals;

FeedRequestPlan blog() {
  // 60 s polls, an hourly full scan of 5,000 articles in pages of 999, a Deleted Feed.
  return {"blog", 60s, 1h, 60s, 5000};
}

TEST(RequestBudget, FullScanReadsEveryPageAndThenAnEmptyOne) {
  EXPECT_EQ(full_scan_requests(0, 999), 1);     // the empty page
  EXPECT_EQ(full_scan_requests(1, 999), 2);
  EXPECT_EQ(full_scan_requests(999, 999), 2);   // one full page, then the empty one
  EXPECT_EQ(full_scan_requests(1000, 999), 3);
  EXPECT_EQ(full_scan_requests(5000, 999), 7);  // 6 pages (the last holds 5) + the empty one
  EXPECT_EQ(full_scan_requests(700, 233), 5);   // 233 + 233 + 233 + 1 + empty
}

TEST(RequestBudget, ProjectsOneFeedPerThirtyDays) {
  const auto projection = project_monthly_requests({blog()}, 999);
  ASSERT_EQ(projection.feeds.size(), 1u);
  const auto& feed = projection.feeds[0];
  EXPECT_EQ(feed.name, "blog");
  // 43,200 cycles in 30 days; 720 of them are full scans of 7 requests.
  EXPECT_DOUBLE_EQ(feed.incremental, 42'480);
  EXPECT_DOUBLE_EQ(feed.full_scan, 5'040);
  EXPECT_DOUBLE_EQ(feed.deleted_feed, 43'200);
  EXPECT_DOUBLE_EQ(feed.total(), 90'720);
  EXPECT_DOUBLE_EQ(projection.feed_api, 90'720);
  // Steady state writes nothing and posts nothing: the stated assumption, not a rate.
  EXPECT_DOUBLE_EQ(projection.cms, 0);
  EXPECT_DOUBLE_EQ(projection.canonical, 0);
}

TEST(RequestBudget, SumsFeedsAndCountsDeletedFeedsOnlyWhereConfigured) {
  FeedRequestPlan news{"news", 5min, 1h, std::nullopt, 0};
  const auto projection = project_monthly_requests({blog(), news}, 999);
  ASSERT_EQ(projection.feeds.size(), 2u);
  // 8,640 cycles, 720 of them full scans of an empty feed (1 request each).
  EXPECT_DOUBLE_EQ(projection.feeds[1].incremental, 7'920);
  EXPECT_DOUBLE_EQ(projection.feeds[1].full_scan, 720);
  EXPECT_DOUBLE_EQ(projection.feeds[1].deleted_feed, 0);
  EXPECT_DOUBLE_EQ(projection.feeds[1].total(), 8'640);
  EXPECT_DOUBLE_EQ(projection.feed_api, 90'720 + 8'640);
  // A Deleted Feed read on its own interval.
  FeedRequestPlan slow_deleted = blog();
  slow_deleted.deleted_interval = 10min;
  EXPECT_DOUBLE_EQ(project_monthly_requests({slow_deleted}, 999).feeds[0].deleted_feed, 4'320);
  EXPECT_DOUBLE_EQ(project_monthly_requests({}, 999).feed_api, 0);
}

TEST(RequestBudget, AFullScanIntervalBelowTheIntervalMakesEveryCycleAFullScan) {
  FeedRequestPlan feed{"fast", 1h, 10min, std::nullopt, 1998};
  const auto projected = project_monthly_requests({feed}, 999).feeds[0];
  EXPECT_DOUBLE_EQ(projected.incremental, 0);
  EXPECT_DOUBLE_EQ(projected.full_scan, 720 * 3);  // 2 full pages + the empty one, hourly
}

TEST(RequestBudget, WithinTheBudgetNothingIsStretched) {
  const auto stretch = stretch_to_budget({blog()}, 999, 90'720);
  EXPECT_FALSE(stretch.stretched());
  EXPECT_DOUBLE_EQ(stretch.factor, 1.0);
  ASSERT_EQ(stretch.feeds.size(), 1u);
  EXPECT_EQ(stretch.feeds[0].interval, 60s);
  EXPECT_EQ(stretch.feeds[0].full_scan_interval, 1h);
}

TEST(RequestBudget, OverTheBudgetEveryIntervalIsStretchedByProjectionOverBudget) {
  FeedRequestPlan news{"news", 5min, 1h, std::nullopt, 0};
  // 99,360 projected against 49,680: every interval doubles.
  const auto stretch = stretch_to_budget({blog(), news}, 999, 49'680);
  ASSERT_TRUE(stretch.stretched());
  EXPECT_DOUBLE_EQ(stretch.factor, 2.0);
  ASSERT_EQ(stretch.feeds.size(), 2u);
  EXPECT_EQ(stretch.feeds[0].name, "blog");
  EXPECT_EQ(stretch.feeds[0].interval, 120s);
  EXPECT_EQ(stretch.feeds[0].full_scan_interval, 2h);
  EXPECT_EQ(stretch.feeds[0].deleted_interval, 120s);
  EXPECT_EQ(stretch.feeds[0].articles_known, 5000);
  EXPECT_EQ(stretch.feeds[1].interval, 10min);
  EXPECT_EQ(stretch.feeds[1].full_scan_interval, 2h);
  EXPECT_EQ(stretch.feeds[1].deleted_interval, std::nullopt);
  EXPECT_DOUBLE_EQ(project_monthly_requests(stretch.feeds, 999).feed_api, 49'680);
}

TEST(RequestBudget, AStretchRoundsIntervalsUpSoTheProjectionEndsAtOrUnderTheBudget) {
  // 90,720 against 200: a factor of 453.6; 60 s becomes 27,216 s exactly, 1 h 1,632,960 s.
  auto stretch = stretch_to_budget({blog()}, 999, 200);
  EXPECT_DOUBLE_EQ(stretch.factor, 453.6);
  EXPECT_EQ(stretch.feeds[0].interval, 27'216'000ms);
  EXPECT_EQ(stretch.feeds[0].full_scan_interval, 1'632'960'000ms);
  EXPECT_LE(project_monthly_requests(stretch.feeds, 999).feed_api, 200.0);
  // Products that are not whole seconds: rounded up to the second, never down.
  stretch = stretch_to_budget({FeedRequestPlan{"odd", 7s, 7s, std::nullopt, 0}}, 999, 123'457);
  EXPECT_NEAR(stretch.factor, 2.99931, 0.00001);  // 370,285.7 / 123,457
  EXPECT_EQ(stretch.feeds[0].interval, 21s);       // 20.995 s
  EXPECT_LE(project_monthly_requests(stretch.feeds, 999).feed_api, 123'457.0);
  // An interval given in milliseconds is stretched to the millisecond.
  stretch = stretch_to_budget({FeedRequestPlan{"ms", 1500ms, 1h, std::nullopt, 0}}, 999, 864'000);
  EXPECT_DOUBLE_EQ(stretch.factor, 2.0);  // 1,728,000 / 864,000
  EXPECT_EQ(stretch.feeds[0].interval, 3000ms);
  // Never beyond the longest duration the configuration takes.
  stretch = stretch_to_budget({FeedRequestPlan{"huge", 1s, kMaxDuration, std::nullopt, 0}}, 999, 1);
  EXPECT_GE(stretch.feeds[0].interval, std::chrono::hours(24 * 30));  // about one poll a month
  EXPECT_LE(stretch.feeds[0].interval, std::chrono::hours(24 * 30) + 1s);
  EXPECT_EQ(stretch.feeds[0].full_scan_interval, kMaxDuration);
}

TEST(RequestBudget, WarnsNamingTheKeyTheFiguresAndTheFactor) {
  EXPECT_EQ(request_budget_warning(90'720, 50'000),
            "the Feed API projection of 90720 requests per 30 days exceeds source.monthly_budget 50000: "
            "feedsyncd run multiplies every feed's intervals by 1.81 to fit; raise source.monthly_budget or "
            "the feeds' intervals");
  EXPECT_EQ(request_budget_warning(90'720, 90'720), std::nullopt);
  EXPECT_EQ(request_budget_warning(0, 1), std::nullopt);
}

TEST(RequestBudget, MonthIndexChangesAtMidnightUtcOnTheFirst) {
  // 2026-11-30T23:59:59.999Z and 2026-12-01T00:00:00Z.
  EXPECT_EQ(utc_month_index(1'796'083'199'999), 2026 * 12 + 10);
  EXPECT_EQ(utc_month_index(1'796'083'200'000), 2026 * 12 + 11);
  EXPECT_EQ(utc_month_index(0), 1970 * 12);
}

}  // namespace
}  // namespace feedsync
