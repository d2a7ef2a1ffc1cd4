#pragma once
// Every metric family of issue #8, registered in one place so names, labels and help texts are
// defined once and `docs/` can list them from here. The engine registers once at start-up,
// keeps the EngineMetrics (references into the Registry) and caches per-feed children from
// init_feed(); a hot path then only does relaxed atomic adds.
//
// Label values are bounded sets: feed names come from the configuration, `api` is one of
// feed|cms|token|canonical, `status` a numeric HTTP status code, `op` an outbox operation
// (store::to_string(OpKind)), `result` success|failure. Never a guid or key (DESIGN.md §7).

#include <array>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ops/metrics.hpp"

namespace feedsync::ops {

// What the outbox gauges show, read at scrape time (the daemon reads it from the store).
struct OutboxSnapshot {
  std::vector<std::pair<std::string, double>> pending_by_op;       // op -> pending operations
  std::vector<std::pair<std::string, double>> dead_letters_by_op;  // op -> dead letters
  double oldest_pending_age_seconds = 0;                            // 0 when nothing is pending
};
using OutboxSnapshotFn = std::function<OutboxSnapshot()>;

// The values `change` and `op` take, pre-initialised so every series exists at 0.
inline constexpr std::string_view kArticleChanges[] = {"new", "updated", "undeleted", "deleted",
                                                       "unchanged"};
inline constexpr std::string_view kHttpApis[] = {"feed", "cms", "token", "canonical"};
inline constexpr std::string_view kOutboxOps[] = {"upsert", "delete", "undelete", "canonical"};
// The CMS statuses (the CMS's words, store::ArticleRow::cms_status) of articles written but not
// live that an operator watches: `status` lists them per feed, and so does
// feedsync_articles_not_published{cms_status}. Published articles are not counted: they are most.
inline constexpr std::string_view kNotPublishedCmsStatuses[] = {"draft", "ready", "inReview", "scheduled",
                                                                "rejected"};

// The CMS statuses of articles waiting for their canonical link: not published yet, but an
// editor or a scheduled time may publish them (the pending canonical check asks about these).
inline constexpr std::string_view kAwaitingCanonicalCmsStatuses[] = {"draft", "ready", "inReview", "scheduled"};

// Webhook deliveries (issue 19): `source` is cmp or cms; `result` what became of one delivery:
// accepted (a poll or check requested), ignored (an event that needs nothing, acknowledged),
// malformed (an unreadable body, acknowledged), verification (the CMS's endpoint check),
// unauthorized (401), unknown_feed (404), too_large (413).
inline constexpr std::string_view kWebhookSources[] = {"cmp", "cms"};
inline constexpr std::string_view kWebhookResults[] = {"accepted", "ignored", "malformed", "verification",
                                                       "unauthorized", "unknown_feed", "too_large"};

// One feed's children, looked up once.
struct FeedMetrics {
  Gauge& last_success_timestamp;  // Unix seconds of the last successful poll
  Gauge& last_attempt_timestamp;  // Unix seconds of the last poll start
  Gauge& consecutive_failures;
  Counter& polls_success;
  Counter& polls_failure;
  Histogram& poll_duration;  // seconds
  Counter& seen_new;
  Counter& seen_updated;
  Counter& seen_undeleted;
  Counter& seen_deleted;
  Counter& seen_unchanged;
  Counter& entries_rejected;  // feed entries that failed validation or mapping
  Gauge& paused;              // 1 paused, 0 polling
  Gauge& deletes_held;        // deletions held by the mass-delete guard (0: none)
  Gauge& deleted_feed_failures;  // failed reads of the Deleted Feed in a row (0: reading)
  // Articles not published in the CMS, one gauge per kNotPublishedCmsStatuses, in that order.
  std::array<Gauge*, std::size(kNotPublishedCmsStatuses)> not_published{};
  Gauge* awaiting_canonical = nullptr;             // articles waiting for their canonical link
  Gauge* awaiting_canonical_oldest_age = nullptr;  // seconds the oldest of them has waited
};

// The families. Use the per-feed ones through init_feed(); the others through with().
struct EngineMetrics {
  GaugeFamily& feed_last_success_timestamp;  // feedsync_feed_last_success_timestamp_seconds{feed}
  GaugeFamily& feed_last_attempt_timestamp;  // feedsync_feed_last_attempt_timestamp_seconds{feed}
  GaugeFamily& feed_consecutive_failures;    // feedsync_feed_consecutive_failures{feed}
  CounterFamily& polls;                      // feedsync_polls_total{feed,result}
  HistogramFamily& poll_duration;            // feedsync_poll_duration_seconds{feed}
  CounterFamily& articles_seen;              // feedsync_articles_seen_total{feed,change}
  CounterFamily& entries_rejected;           // feedsync_entries_rejected_total{feed}
  GaugeFamily& feed_paused;                  // feedsync_feed_paused{feed}
  GaugeFamily& deletes_held;                 // feedsync_deletes_held{feed}
  GaugeFamily& deleted_feed_failures;        // feedsync_deleted_feed_consecutive_failures{feed}
  GaugeFamily& articles_not_published;       // feedsync_articles_not_published{feed,cms_status}
  CounterFamily& http_requests;              // feedsync_http_requests_total{api,method,status}
  HistogramFamily& http_request_duration;    // feedsync_http_request_duration_seconds{api}
  CounterFamily& http_429;                   // feedsync_http_429_total{api}
  CounterFamily& rate_limiter_wait;          // feedsync_rate_limiter_wait_seconds_total{api}
  CounterFamily& token_refreshes;            // feedsync_token_refreshes_total{result}
  CounterFamily& cms_writes;                 // feedsync_cms_writes_total{op,result}
  CounterFamily& feed_requests_month;        // feedsync_feed_requests_month_total (reset monthly)
  GaugeFamily& feed_requests_month_projected;  // feedsync_feed_requests_month_projected
  GaugeFamily& feed_requests_month_budget;     // feedsync_feed_requests_month_budget
  GaugeFamily& articles_awaiting_canonical;    // feedsync_articles_awaiting_canonical{feed}
  // feedsync_articles_awaiting_canonical_oldest_age_seconds{feed}
  GaugeFamily& articles_awaiting_canonical_oldest_age;
  CounterFamily& webhook_deliveries;  // feedsync_webhook_deliveries_total{source,result}

  // Creates (or finds) every series of `feed` at 0 and returns them. Idempotent.
  FeedMetrics init_feed(std::string_view feed);

  // One finished HTTP request: counts it, observes its duration and counts a 429. `method` as
  // "GET"; `status` the response's code, or 0 when none arrived (rendered as status="0").
  void observe_http(std::string_view api, std::string_view method, int status, double seconds);
};

// Registers every family on `registry` (feedsync_build_info included, so do not call
// add_build_info as well) and the outbox callback gauges fed by `outbox`, called once per scrape
// per gauge. An `outbox` that throws leaves those gauges out of that scrape (logged) rather than
// failing the whole page.
EngineMetrics register_engine_metrics(Registry& registry, OutboxSnapshotFn outbox);

}  // namespace feedsync::ops
