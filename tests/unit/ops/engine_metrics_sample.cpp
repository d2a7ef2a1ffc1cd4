// Prints the /metrics page of register_engine_metrics() with a feed initialised and a few
// values set, for `promtool check metrics` (ops_engine_metrics_promtool_test) to lint: the
// names, help texts and label sets of issue #8 as Prometheus itself reads them.
#include <iostream>

#include "ops/engine_metrics.hpp"

int main() {
  using namespace feedsync::ops;
  Registry registry;
  auto metrics = register_engine_metrics(registry, [] {
    return OutboxSnapshot{{{"upsert", 3}}, {{"delete", 1}}, 12.5};
  });
  auto blog = metrics.init_feed("blog");
  blog.polls_success.inc();
  blog.poll_duration.observe(0.8);
  blog.last_success_timestamp.set(1.7e9);
  blog.not_published[2]->set(3);  // inReview
  metrics.init_feed("news").consecutive_failures.set(2);
  metrics.observe_http("cms", "POST", 201, 0.12);
  metrics.observe_http("feed", "GET", 0, 30);
  std::cout << registry.render();
}
