#pragma once
// The daemon's /metrics (issue 8): the registry with every engine family (engine_metrics.hpp),
// fed by the engine's observers as requests, CMS writes and poll cycles happen, and refreshed
// from the state store at each scrape. Which series an event counts in is metric_routing.hpp's
// (pure, tested); this class only applies it.
//
// Event-loop thread only, like the Registry. The daemon wires the engine's observers to the
// observe_* members (lib/ops does not depend on lib/engine).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "config/live_config.hpp"
#include "core/clock.hpp"
#include "net/http.hpp"
#include "net/retrying_client.hpp"
#include "ops/audit_summary.hpp"
#include "ops/engine_metrics.hpp"
#include "ops/metric_routing.hpp"
#include "ops/metrics.hpp"
#include "store/rows.hpp"

namespace feedsync::store { class Store; }

namespace feedsync::ops {

// One finished poll cycle (engine::FeedOutcome, copied field by field by the daemon).
struct PollObservation {
  std::string feed;
  std::chrono::duration<double> duration{0};
  bool ok = false;
  std::optional<CycleCounts> counts;  // absent when the cycle failed before it had a report
};

class DaemonMetrics {
 public:
  // The store, the configuration and the clock must outlive this object. Registers every
  // family and the configured feeds' series (init_feeds()).
  DaemonMetrics(store::Store& store, const config::LiveConfig& config, const Clock& clock);
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  // The configured feeds' series at 0 and the Feed API projection against the budget, from the
  // configuration in force: at start and after each reload.
  void init_feeds();

  // Every attempt on the wire (HttpObservers::attempt): requests by api, method and status, their
  // duration, 429s, Feed API requests this month, token refreshes.
  void observe_attempt(const net::Request& request, const net::Result& result,
                       std::chrono::duration<double> elapsed);
  // Each logical request's report (HttpObservers::report): time waited for the rate limiter.
  void observe_send(const net::SendReport& report);
  // Each CMS write the relay finished (RelayOptions::on_outcome).
  void observe_cms_write(store::OpKind op, std::string_view outcome);
  // Each poll cycle (SyncEngine::on_cycle).
  void observe_poll(const PollObservation& poll);
  // Each periodic audit round (engine.audit_interval): feedsync_audit_articles{feed,result}.
  void observe_audit(std::vector<AuditSummary> audits);
  // The last audit of each feed, for /readyz.
  const std::map<std::string, AuditSummary, std::less<>>& last_audits() const { return audits_; }
  // Each webhook delivery (ops::WebhookApi): `source` and `result` from kWebhookSources and
  // kWebhookResults (engine_metrics.hpp).
  void observe_webhook(std::string_view source, std::string_view result);

  // The Prometheus text page, with the per-feed gauges read from the store now (so CLI changes
  // such as pause or approve-deletes show at once).
  std::string render() const;

 private:
  std::int64_t now_ms() const;
  FeedMetrics& feed(const std::string& name);
  // feedsync_feed_requests_month_total starts again at 0 when the calendar month (UTC) changes.
  void roll_request_month() const;
  // feedsync_articles_not_published as the store has it now.
  void set_not_published() const;
  // feedsync_articles_awaiting_canonical{,_oldest_age_seconds} as the store has them now.
  void set_awaiting_canonical() const;

  store::Store& store_;
  const config::LiveConfig& config_;
  const Clock& clock_;
  Registry registry_;
  EngineMetrics metrics_;
  std::map<std::string, FeedMetrics, std::less<>> feeds_;
  Counter& feed_requests_month_;
  mutable std::int64_t request_month_;  // core/request_budget.hpp utc_month_index
  std::map<std::string, AuditSummary, std::less<>> audits_;  // the last periodic audit, by feed
};

}  // namespace feedsync::ops
