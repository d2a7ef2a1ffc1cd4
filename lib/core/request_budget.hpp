#pragma once
// What feedsync will spend of each API in a month (issue 17). CMP documents 10 requests/s and
// 200,000 requests/month per organization for its Open API; whether Feed API requests count is
// not documented, so an operator must be able to see the figure and cap it (source.monthly_budget).
//
// A month here is 30 days. Feed API, per feed, in steady state (an unchanged feed):
//   - an incremental poll every `interval`: 1 index request;
//   - a full scan every `full_scan_interval` (taking the place of that cycle's incremental poll):
//     ceil(articles_known / index_page_size) + 1 requests, as a full scan ends only at an empty
//     page; the second scan that confirms vanished articles is not counted (it follows changes);
//   - with a Deleted Feed, 1 request every `deleted_interval`.
// Fetching changed articles, retries and the confirming scan follow the change rate, which is not
// known ahead: they are left out, so the figure is the floor an idle feed costs. CMS writes and
// canonical-link posts are 0 in steady state for the same reason (each new or changed article
// costs some), and are reported as that stated assumption, never as a guess at a rate.
// Pure arithmetic; core/poll_load.hpp answers the per-second side of the same load.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace feedsync {

inline constexpr std::chrono::milliseconds kBudgetMonth = std::chrono::hours(24 * 30);

// One feed's part in the projection (and what a budget stretches).
struct FeedRequestPlan {
  std::string name;
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds full_scan_interval{3'600'000};
  // Set when the feed has a Deleted Feed: how often it is read.
  std::optional<std::chrono::milliseconds> deleted_interval;
  std::int64_t articles_known = 0;  // the active articles the state store holds for the feed
};

// Requests per 30 days; fractional because intervals need not divide a month.
struct FeedRequestProjection {
  std::string name;
  double incremental = 0;  // incremental polls, 1 request each
  double full_scan = 0;    // full scans, every page of each
  double deleted_feed = 0; // Deleted Feed reads
  double total() const { return incremental + full_scan + deleted_feed; }
};

struct RequestProjection {
  std::vector<FeedRequestProjection> feeds;  // in the order given
  double feed_api = 0;   // every feed's total
  double cms = 0;        // steady state: no article changes, no writes
  double canonical = 0;  // steady state: no new articles, no posts
};

// Requests one full scan of `articles_known` articles costs.
std::int64_t full_scan_requests(std::int64_t articles_known, int index_page_size);

RequestProjection project_monthly_requests(const std::vector<FeedRequestPlan>& feeds, int index_page_size);

// A projection over the budget is met by polling less often: every interval of every feed
// (interval, full_scan_interval, deleted_interval) is multiplied by the same factor,
// projection / budget, and rounded up (to the second for intervals given in whole seconds),
// which brings the projection to the budget or just under. Equal stretching keeps the feeds'
// relative freshness as configured.
struct BudgetStretch {
  double factor = 1.0;                 // 1: the projection fits, nothing changed
  std::vector<FeedRequestPlan> feeds;  // the plans with the stretched intervals
  bool stretched() const { return factor > 1.0; }
};

BudgetStretch stretch_to_budget(const std::vector<FeedRequestPlan>& feeds, int index_page_size,
                                std::int64_t monthly_budget);

// What `check` says when the Feed API projection exceeds source.monthly_budget: the key, both
// figures and the factor the daemon stretches by; none when it fits.
std::optional<std::string> request_budget_warning(double projected, std::int64_t monthly_budget);

// A calendar month (UTC) as one number (year * 12 + month - 1), for a count that starts again
// each month.
std::int64_t utc_month_index(std::int64_t unix_ms);

}  // namespace feedsync
