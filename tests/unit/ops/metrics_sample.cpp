// Prints a /metrics page with every kind of family and the awkward values (escapes, +Inf, NaN,
// exponents), for `promtool check metrics` (ops_metrics_promtool_test) to lint.
#include <cmath>
#include <iostream>

#include "ops/metrics.hpp"

int main() {
  using namespace feedsync::ops;
  Registry registry;
  add_build_info(registry);
  auto& requests = registry.counter("feedsync_cms_requests_total", "CMS requests by outcome.",
                                    {"feed", "code"});
  requests.with({"blog", "200"}).inc(41);
  requests.with({"we\"ird\\feed\nname", "503"}).inc();
  registry.gauge("feedsync_feed_lag_seconds", "Age of the oldest pending operation.", {"feed"})
      .with({"blog"})
      .set(1.5e-5);
  registry.gauge("feedsync_error_ratio", "Help with a \\ and a\nnewline.").with({}).set(NAN);
  auto& latency = registry.histogram("feedsync_cms_request_duration_seconds",
                                     "CMS request time.", {"feed"},
                                     exponential_buckets(0.005, 2, 12));
  for (double v : {0.004, 0.2, 3.0, 100.0}) latency.with({"blog"}).observe(v);
  registry.callback_gauge("feedsync_outbox_pending", "Pending outbox operations.", {"op"}, [] {
    return std::vector<std::pair<std::vector<std::string>, double>>{{{"upsert"}, 3},
                                                                     {{"delete"}, INFINITY}};
  });
  std::cout << registry.render();
}
