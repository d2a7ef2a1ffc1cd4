#include "core/request_budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/duration.hpp"

namespace feedsync {
namespace {

// How many times something every `period` happens in 30 days.
double per_month(std::chrono::milliseconds period) {
  return static_cast<double>(kBudgetMonth.count()) / static_cast<double>(std::max<std::int64_t>(period.count(), 1));
}

// Rounded up (never below the factor), to whole seconds when the period was in whole seconds so
// logs and `status` show "1m49s" rather than "108600ms"; never beyond the longest duration.
std::chrono::milliseconds stretched(std::chrono::milliseconds period, double factor) {
  const double unit = period.count() % 1000 == 0 ? 1000.0 : 1.0;
  const double ms = std::ceil(static_cast<double>(period.count()) * factor / unit) * unit;
  if (ms >= static_cast<double>(kMaxDuration.count())) return kMaxDuration;
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

FeedRequestProjection project_feed(const FeedRequestPlan& feed, int index_page_size) {
  FeedRequestProjection out;
  out.name = feed.name;
  const double cycles = per_month(feed.interval);
  // A full scan is due when a cycle finds full_scan_interval passed; a shorter one than the
  // interval makes every cycle a full scan.
  const double full_scans = per_month(std::max(feed.full_scan_interval, feed.interval));
  out.incremental = cycles - full_scans;
  out.full_scan = full_scans * static_cast<double>(full_scan_requests(feed.articles_known, index_page_size));
  if (feed.deleted_interval) out.deleted_feed = per_month(*feed.deleted_interval);
  return out;
}

}  // namespace

std::int64_t full_scan_requests(std::int64_t articles_known, int index_page_size) {
  const std::int64_t page = std::max(index_page_size, 1);
  const std::int64_t articles = std::max<std::int64_t>(articles_known, 0);
  return (articles + page - 1) / page + 1;  // the pages that hold them, then the empty one
}

RequestProjection project_monthly_requests(const std::vector<FeedRequestPlan>& feeds, int index_page_size) {
  RequestProjection out;
  for (const auto& feed : feeds) {
    out.feeds.push_back(project_feed(feed, index_page_size));
    out.feed_api += out.feeds.back().total();
  }
  return out;
}

BudgetStretch stretch_to_budget(const std::vector<FeedRequestPlan>& feeds, int index_page_size,
                                std::int64_t monthly_budget) {
  BudgetStretch out;
  out.feeds = feeds;
  const double projected = project_monthly_requests(feeds, index_page_size).feed_api;
  const double budget = static_cast<double>(std::max<std::int64_t>(monthly_budget, 1));
  if (projected <= budget) return out;
  out.factor = projected / budget;
  for (auto& feed : out.feeds) {
    feed.interval = stretched(feed.interval, out.factor);
    feed.full_scan_interval = stretched(feed.full_scan_interval, out.factor);
    if (feed.deleted_interval) feed.deleted_interval = stretched(*feed.deleted_interval, out.factor);
  }
  return out;
}

std::optional<std::string> request_budget_warning(double projected, std::int64_t monthly_budget) {
  if (projected <= static_cast<double>(monthly_budget)) return std::nullopt;
  char factor[32];
  std::snprintf(factor, sizeof factor, "%.2f", projected / static_cast<double>(std::max<std::int64_t>(monthly_budget, 1)));
  return "the Feed API projection of " + std::to_string(std::llround(projected)) +
         " requests per 30 days exceeds source.monthly_budget " + std::to_string(monthly_budget) +
         ": feedsyncd run multiplies every feed's intervals by " + factor +
         " to fit; raise source.monthly_budget or the feeds' intervals";
}

std::int64_t utc_month_index(std::int64_t unix_ms) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_time<milliseconds>(milliseconds(unix_ms)));
  const year_month_day date(day);
  return static_cast<std::int64_t>(static_cast<int>(date.year())) * 12 + static_cast<unsigned>(date.month()) - 1;
}

}  // namespace feedsync
