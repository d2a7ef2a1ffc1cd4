#include "ops/engine_metrics.hpp"

#include <exception>
#include <map>
#include <memory>
#include <optional>

#include "log/log.hpp"

namespace feedsync::ops {
namespace {

using Samples = std::vector<std::pair<std::vector<std::string>, double>>;

// Every known op at 0 plus whatever the snapshot reports (summed, so a repeated op cannot make
// render() throw), one sample per op.
Samples by_op(const std::vector<std::pair<std::string, double>>& values) {
  std::map<std::string, double> merged;
  for (auto op : kOutboxOps) merged[std::string(op)] = 0;
  for (const auto& [op, value] : values) merged[op] += value;
  Samples out;
  for (auto& [op, value] : merged) out.push_back({{op}, value});
  return out;
}

// The three outbox gauges share one snapshot per scrape instead of reading the store three
// times: Registry::render() renders families in registration order, so the first gauge takes
// the snapshot and the last one drops it.
struct OutboxCache {
  OutboxSnapshotFn fn;
  std::optional<OutboxSnapshot> current;

  void refresh() {
    current.reset();
    try {
      current = fn();
    } catch (const std::exception& e) {
      log::warn("metrics: reading the outbox failed; its gauges are left out of this scrape",
                {{"error", e.what()}});
    }
  }
};

// The per-feed families, in registration (and so render) order.
struct FeedFamilies {
  GaugeFamily& last_success_timestamp;
  GaugeFamily& last_attempt_timestamp;
  GaugeFamily& consecutive_failures;
  CounterFamily& polls;
  HistogramFamily& poll_duration;
  CounterFamily& articles_seen;
  CounterFamily& entries_rejected;
  GaugeFamily& paused;
  GaugeFamily& deletes_held;
  GaugeFamily& deleted_feed_failures;
  GaugeFamily& articles_not_published;
};

FeedFamilies register_feed_families(Registry& registry) {
  const std::vector<std::string> feed{"feed"};
  return {
      registry.gauge("feedsync_feed_last_success_timestamp_seconds",
                     "Unix time of the feed's last successful poll.", feed),
      registry.gauge("feedsync_feed_last_attempt_timestamp_seconds",
                     "Unix time the feed's last poll started.", feed),
      registry.gauge("feedsync_feed_consecutive_failures",
                     "Polls of the feed that failed in a row; 0 after a success.", feed),
      registry.counter("feedsync_polls_total", "Finished polls by result (success, failure).",
                       {"feed", "result"}),
      registry.histogram("feedsync_poll_duration_seconds", "Time one poll of a feed took.", feed,
                         exponential_buckets(0.05, 2, 12)),  // 50 ms .. 102 s
      registry.counter("feedsync_articles_seen_total",
                       "Feed entries by what they meant (new, updated, undeleted, deleted, "
                       "unchanged).",
                       {"feed", "change"}),
      registry.counter("feedsync_entries_rejected_total",
                       "Feed entries that could not be validated or mapped.", feed),
      registry.gauge("feedsync_feed_paused", "1 when the feed is paused, else 0.", feed),
      registry.gauge("feedsync_deletes_held",
                     "Deletions held by the mass-delete guard until approve-deletes.", feed),
      registry.gauge("feedsync_deleted_feed_consecutive_failures",
                     "Reads of the feed's Deleted Feed that failed in a row; 0 after a good read. The live "
                     "feed syncs on meanwhile; its deletions wait.",
                     feed),
      registry.gauge("feedsync_articles_not_published",
                     "Articles whose version feedsync last wrote is not published in the CMS, by its CMS status "
                     "(draft, ready, inReview: waiting for approval, scheduled, rejected).",
                     {"feed", "cms_status"}),
  };
}

// Outgoing HTTP and CMS writes.
struct HttpFamilies {
  CounterFamily& requests;
  HistogramFamily& request_duration;
  CounterFamily& throttled;
  CounterFamily& rate_limiter_wait;
  CounterFamily& token_refreshes;
  CounterFamily& cms_writes;
};

HttpFamilies register_http_families(Registry& registry) {
  return {
      registry.counter("feedsync_http_requests_total",
                       "Outgoing HTTP requests by API, method and status code (0: no response).",
                       {"api", "method", "status"}),
      registry.histogram("feedsync_http_request_duration_seconds",
                         "Time outgoing HTTP requests took, retries counted separately.", {"api"},
                         exponential_buckets(0.005, 2, 12)),  // 5 ms .. 10 s
      registry.counter("feedsync_http_429_total", "429 Too Many Requests answers by API.", {"api"}),
      registry.counter("feedsync_rate_limiter_wait_seconds_total",
                       "Time requests waited for the client-side rate limiter.", {"api"}),
      registry.counter("feedsync_token_refreshes_total",
                       "CMS access token requests by result (success, failure).", {"result"}),
      registry.counter("feedsync_cms_writes_total",
                       "CMS write operations by outbox operation and result (success, failure).",
                       {"op", "result"}),
  };
}

// Issue 17: what the Feed API costs against a monthly allowance.
struct RequestBudgetFamilies {
  CounterFamily& requests_month;
  GaugeFamily& requests_month_projected;
  GaugeFamily& requests_month_budget;
};

RequestBudgetFamilies register_request_budget_families(Registry& registry) {
  return {
      registry.counter("feedsync_feed_requests_month_total",
                       "Feed API requests (every attempt) this process made in the current calendar month, "
                       "UTC. A counter that starts again at 0 at the start of each month and at a restart.",
                       {}),
      registry.gauge("feedsync_feed_requests_month_projected",
                     "Feed API requests per 30 days projected in steady state from the intervals in force "
                     "(after any stretch for source.monthly_budget) and the articles known; set at start "
                     "and reload.",
                     {}),
      registry.gauge("feedsync_feed_requests_month_budget",
                     "source.monthly_budget: Feed API requests allowed per 30 days; 0 when none is set.", {}),
  };
}

// The series whose label values are known in advance exist at 0 from the start, so a rate()
// over them has a beginning (per-feed series come from init_feed()).
void create_known_series(EngineMetrics& m) {
  m.feed_requests_month.with({});
  m.feed_requests_month_projected.with({});
  m.feed_requests_month_budget.with({});
  for (auto api : kHttpApis) {
    m.http_request_duration.with({api});
    m.http_429.with({api});
    m.rate_limiter_wait.with({api});
  }
  for (auto source : kWebhookSources)
    for (auto result : kWebhookResults) m.webhook_deliveries.with({source, result});
  for (auto result : {"success", "failure"}) {
    m.token_refreshes.with({result});
    for (auto op : kOutboxOps) m.cms_writes.with({op, result});
  }
}

// The outbox gauges, read through one OutboxCache per scrape.
void register_outbox_gauges(Registry& registry, OutboxSnapshotFn outbox) {
  auto cache = std::make_shared<OutboxCache>(OutboxCache{std::move(outbox), std::nullopt});
  registry.callback_gauge("feedsync_outbox_pending", "Outbox operations waiting to run, by operation.",
                          {"op"}, [cache] {
                            cache->refresh();
                            return cache->current ? by_op(cache->current->pending_by_op) : Samples{};
                          });
  registry.callback_gauge("feedsync_outbox_oldest_pending_age_seconds",
                          "Age of the oldest pending outbox operation (0: none pending).", {}, [cache] {
                            if (!cache->current) return Samples{};
                            return Samples{{{}, cache->current->oldest_pending_age_seconds}};
                          });
  registry.callback_gauge("feedsync_dead_letters", "Dead-lettered outbox operations, by operation.",
                          {"op"}, [cache] {
                            if (!cache->current) return Samples{};
                            Samples out = by_op(cache->current->dead_letters_by_op);
                            cache->current.reset();
                            return out;
                          });
}

}  // namespace

EngineMetrics register_engine_metrics(Registry& registry, OutboxSnapshotFn outbox) {
  add_build_info(registry);
  const auto feed = register_feed_families(registry);
  const auto http = register_http_families(registry);
  const auto budget = register_request_budget_families(registry);
  EngineMetrics m{
      feed.last_success_timestamp, feed.last_attempt_timestamp,      feed.consecutive_failures,
      feed.polls,                  feed.poll_duration,               feed.articles_seen,
      feed.entries_rejected,       feed.paused,                      feed.deletes_held,
      feed.deleted_feed_failures,  feed.articles_not_published,      http.requests,
      http.request_duration,       http.throttled,                   http.rate_limiter_wait,
      http.token_refreshes,        http.cms_writes,                  budget.requests_month,
      budget.requests_month_projected, budget.requests_month_budget,
      registry.gauge("feedsync_articles_awaiting_canonical",
                     "Articles waiting for their canonical link: written to the CMS but not published yet (draft, "
                     "ready, inReview, scheduled), with canonical links enabled.",
                     {"feed"}),
      registry.gauge("feedsync_articles_awaiting_canonical_oldest_age_seconds",
                     "How long the oldest article waiting for its canonical link has waited (since its row last "
                     "changed); 0 when none waits.",
                     {"feed"}),
      registry.counter("feedsync_webhook_deliveries_total",
                       "Webhook deliveries received, by source (cmp, cms) and result (accepted, ignored, malformed, "
                       "verification, unauthorized, unknown_feed, too_large).",
                       {"source", "result"}),
  };
  create_known_series(m);
  register_outbox_gauges(registry, std::move(outbox));
  return m;
}

FeedMetrics EngineMetrics::init_feed(std::string_view f) {
  FeedMetrics m{
      feed_last_success_timestamp.with({f}),
      feed_last_attempt_timestamp.with({f}),
      feed_consecutive_failures.with({f}),
      polls.with({f, "success"}),
      polls.with({f, "failure"}),
      poll_duration.with({f}),
      articles_seen.with({f, "new"}),
      articles_seen.with({f, "updated"}),
      articles_seen.with({f, "undeleted"}),
      articles_seen.with({f, "deleted"}),
      articles_seen.with({f, "unchanged"}),
      entries_rejected.with({f}),
      feed_paused.with({f}),
      deletes_held.with({f}),
      deleted_feed_failures.with({f}),
  };
  for (std::size_t i = 0; i < m.not_published.size(); ++i)
    m.not_published[i] = &articles_not_published.with({f, kNotPublishedCmsStatuses[i]});
  m.awaiting_canonical = &articles_awaiting_canonical.with({f});
  m.awaiting_canonical_oldest_age = &articles_awaiting_canonical_oldest_age.with({f});
  return m;
}

void EngineMetrics::observe_http(std::string_view api, std::string_view method, int status,
                                 double seconds) {
  const std::string code = std::to_string(status);
  http_requests.with({api, method, code}).inc();
  http_request_duration.with({api}).observe(seconds);
  if (status == 429) http_429.with({api}).inc();
}

}  // namespace feedsync::ops
