#pragma once
// The request budget (issue 17) where it meets the configuration and the state store: the
// projection `check` prints and /metrics shows, and the intervals `run` polls at (and `status`
// judges staleness by). The arithmetic is core/request_budget's. Without a store (nullptr) the
// functions are pure.

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/request_budget.hpp"

namespace feedsync::store { class Store; }

namespace feedsync::ops {

// Each feed's part in the projection, in configuration order, with the active articles `store`
// holds for it: 0 without a store, and for a feed the store does not know yet.
std::vector<FeedRequestPlan> request_plans(const config::Config& config, const store::Store* store);

// `config` with every feed's intervals stretched to source.monthly_budget when the Feed API
// projection exceeds it (core/request_budget.hpp), and the figures: quiet, for `status`, which
// must judge staleness by the intervals the daemon polls at.
struct BudgetedConfig {
  config::Config config;
  double projected = 0;  // Feed API requests per 30 days before any stretch
  BudgetStretch stretch;
};
BudgetedConfig fit_to_request_budget(config::Config config, const store::Store* store);

// The configuration `run` polls with. While the Feed API projection fits source.monthly_budget
// (or none is set) that is `config` as loaded; otherwise every feed's intervals are stretched
// (core/request_budget.hpp), and a warning gives the old and new figures. The daemon calls this
// at start and at each reload, and nowhere else: the scheduler, /readyz's freshness window and
// `status` then all see the same, stretched intervals.
config::Config within_request_budget(config::Config config, const store::Store& store);

// A projected count for people: a whole number.
std::string request_count(double requests);

// Interval changes for the log, each distinct (from, to) pair once in order ("1m->1m49s,
// 5m->9m5s"), so a thousand alike feeds make one pair.
std::string interval_changes(const std::vector<std::pair<Duration, Duration>>& pairs);

}  // namespace feedsync::ops
