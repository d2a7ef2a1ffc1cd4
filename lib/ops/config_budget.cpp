#include "ops/config_budget.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::ops {
namespace {

std::int64_t active_articles(const store::Store* store, const std::string& feed) {
  if (store == nullptr) return 0;
  try {
    return store->article_counts(feed).active;
  } catch (const store::StoreError&) {
    return 0;  // a feed not polled yet (or a store that fails the read): nothing known
  }
}

std::string factor_text(double factor) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", factor);
  return text;
}

}  // namespace

std::string interval_changes(const std::vector<std::pair<Duration, Duration>>& pairs) {
  std::set<std::pair<Duration, Duration>> distinct(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [from, to] : distinct) {
    out += (out.empty() ? "" : ", ") + format_duration(from) + "->" + format_duration(to);
  }
  return out;
}

std::vector<FeedRequestPlan> request_plans(const config::Config& config, const store::Store* store) {
  std::vector<FeedRequestPlan> plans;
  plans.reserve(config.feeds.size());
  for (const auto& feed : config.feeds) {
    FeedRequestPlan plan;
    plan.name = feed.name;
    plan.interval = feed.interval;
    plan.full_scan_interval = feed.full_scan_interval;
    // Read incrementally on its own schedule: one request per read in steady state.
    if (feed.deleted_feed_id) plan.deleted_interval = feed.deleted_interval;
    plan.articles_known = active_articles(store, feed.name);
    plans.push_back(std::move(plan));
  }
  return plans;
}

BudgetedConfig fit_to_request_budget(config::Config config, const store::Store* store) {
  BudgetedConfig out;
  const auto plans = request_plans(config, store);
  const int page = config.source.index_page_size;
  out.projected = project_monthly_requests(plans, page).feed_api;
  if (config.source.monthly_budget) out.stretch = stretch_to_budget(plans, page, *config.source.monthly_budget);
  if (out.stretch.stretched()) {
    for (std::size_t i = 0; i < config.feeds.size(); ++i) {
      config.feeds[i].interval = out.stretch.feeds[i].interval;
      config.feeds[i].full_scan_interval = out.stretch.feeds[i].full_scan_interval;
      if (out.stretch.feeds[i].deleted_interval)
        config.feeds[i].deleted_interval = *out.stretch.feeds[i].deleted_interval;
    }
  }
  out.config = std::move(config);
  return out;
}

config::Config within_request_budget(config::Config config, const store::Store& store) {
  if (!config.source.monthly_budget) return config;
  const auto budget = std::to_string(*config.source.monthly_budget);
  std::vector<std::pair<Duration, Duration>> intervals, full_scans, deleted;
  for (const auto& feed : config.feeds) {
    intervals.emplace_back(feed.interval, feed.interval);
    full_scans.emplace_back(feed.full_scan_interval, feed.full_scan_interval);
    deleted.emplace_back(feed.deleted_interval, feed.deleted_interval);
  }
  auto fitted = fit_to_request_budget(std::move(config), &store);
  if (!fitted.stretch.stretched()) {
    log::info("Feed API projection within source.monthly_budget",
              {{"projected_per_30_days", request_count(fitted.projected)}, {"monthly_budget", budget}});
    return std::move(fitted.config);
  }
  for (std::size_t i = 0; i < fitted.config.feeds.size(); ++i) {
    intervals[i].second = fitted.config.feeds[i].interval;
    full_scans[i].second = fitted.config.feeds[i].full_scan_interval;
    deleted[i].second = fitted.config.feeds[i].deleted_interval;
  }
  const int page = fitted.config.source.index_page_size;
  log::warn("Feed API projection exceeds source.monthly_budget; every feed polls less often",
            {{"projected_per_30_days", request_count(fitted.projected)},
             {"monthly_budget", budget},
             {"factor", factor_text(fitted.stretch.factor)},
             {"projected_after", request_count(project_monthly_requests(fitted.stretch.feeds, page).feed_api)},
             {"intervals", interval_changes(intervals)},
             {"full_scan_intervals", interval_changes(full_scans)},
             {"deleted_intervals", interval_changes(deleted)}});
  return std::move(fitted.config);
}

std::string request_count(double requests) { return std::to_string(std::llround(requests)); }

}  // namespace feedsync::ops
