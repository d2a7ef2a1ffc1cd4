#include "ops/config_budget.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;

config::FeedConfig feed(const std::string& name, Duration interval) {
  config::FeedConfig f;
  f.name = name;
  f.interval = interval;
  f.full_scan_interval = 1h;
  f.deleted_interval = interval;
  return f;
}

config::Config two_feeds() {
  config::Config config;
  config.source.index_page_size = 100;
  config.feeds = {feed("blog", 1min), feed("news", 5min)};
  config.feeds[1].deleted_feed_id = "gone1";
  config.feeds[1].deleted_interval = 10min;
  return config;
}

TEST(RequestPlans, OneAFeedWithoutAStoreNoArticlesKnown) {
  const auto plans = request_plans(two_feeds(), nullptr);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].name, "blog");
  EXPECT_EQ(plans[0].interval, 1min);
  EXPECT_EQ(plans[0].full_scan_interval, 1h);
  EXPECT_EQ(plans[0].deleted_interval, std::nullopt);  // no Deleted Feed: nothing read
  EXPECT_EQ(plans[0].articles_known, 0);
  EXPECT_EQ(plans[1].deleted_interval, 10min);
}

TEST(FitToRequestBudget, LeavesTheConfigurationAloneWithoutABudgetOrWithinIt) {
  const auto config = two_feeds();
  const double projected = project_monthly_requests(request_plans(config, nullptr), 100).feed_api;
  for (std::optional<std::int64_t> budget : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{1'000'000}}) {
    auto with_budget = config;
    with_budget.source.monthly_budget = budget;
    const auto fitted = fit_to_request_budget(with_budget, nullptr);
    EXPECT_FALSE(fitted.stretch.stretched());
    EXPECT_DOUBLE_EQ(fitted.projected, projected);
    EXPECT_EQ(fitted.config.feeds[0].interval, 1min);
    EXPECT_EQ(fitted.config.feeds[1].deleted_interval, 10min);
  }
}

TEST(FitToRequestBudget, StretchesEveryIntervalOfEveryFeedOverTheBudget) {
  auto config = two_feeds();
  const double projected = project_monthly_requests(request_plans(config, nullptr), 100).feed_api;
  config.source.monthly_budget = static_cast<std::int64_t>(projected / 2);
  const auto fitted = fit_to_request_budget(config, nullptr);
  ASSERT_TRUE(fitted.stretch.stretched());
  EXPECT_DOUBLE_EQ(fitted.projected, projected);  // the figure before the stretch
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& before = config.feeds[i];
    const auto& after = fitted.config.feeds[i];
    EXPECT_GE(after.interval, 2 * before.interval) << before.name;
    EXPECT_GE(after.full_scan_interval, 2 * before.full_scan_interval) << before.name;
    EXPECT_EQ(after.interval, fitted.stretch.feeds[i].interval) << before.name;
  }
  EXPECT_GE(fitted.config.feeds[1].deleted_interval, 20min);
  EXPECT_EQ(fitted.config.feeds[0].deleted_interval, 1min);  // no Deleted Feed: not part of the plan
  EXPECT_LE(project_monthly_requests(fitted.stretch.feeds, 100).feed_api,
            static_cast<double>(*config.source.monthly_budget));
}

TEST(IntervalChanges, EachDistinctChangeOnceInOrder) {
  struct Case {
    std::vector<std::pair<Duration, Duration>> pairs;
    std::string text;
  };
  const Case cases[] = {
      {{}, ""},
      {{{1min, 2min}}, "1m->2m"},
      {{{5min, 9min + 5s}, {1min, 1min + 49s}, {5min, 9min + 5s}, {1min, 1min + 49s}}, "1m->1m49s, 5m->9m5s"},
      {{{1min, 1min}}, "1m->1m"},
  };
  for (const auto& c : cases) EXPECT_EQ(interval_changes(c.pairs), c.text);
}

TEST(RequestCount, AWholeNumberRoundedToNearest) {
  const std::pair<double, std::string> cases[] = {{0, "0"}, {0.49, "0"}, {0.5, "1"}, {43199.6, "43200"}, {1e9, "1000000000"}};
  for (const auto& [requests, text] : cases) EXPECT_EQ(request_count(requests), text) << requests;
}

}  // namespace
}  // namespace feedsync::ops
