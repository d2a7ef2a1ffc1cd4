#include "ops/daemon_metrics.hpp"

#include <algorithm>
#include <iterator>

#include "core/request_budget.hpp"
#include "ops/config_budget.hpp"
#include "store/store.hpp"

namespace feedsync::ops {

DaemonMetrics::DaemonMetrics(store::Store& store, const config::LiveConfig& config, const Clock& clock)
    : store_(store),
      config_(config),
      clock_(clock),
      // Read at scrape time: the queue as the store has it, whoever changed it.
      metrics_(register_engine_metrics(registry_, [this] { return outbox_snapshot(store_.outbox_stats(), now_ms()); })),
      feed_requests_month_(metrics_.feed_requests_month.with({})),
      request_month_(utc_month_index(now_ms())) {
  registry_.callback_gauge(
      "feedsync_audit_articles",
      "Articles per result of the last periodic drift audit (engine.audit_interval): ok, missing, deleted, edited, "
      "unpublished, moved, and orphans.",
      {"feed", "result"}, [this] {
        std::vector<std::pair<std::vector<std::string>, double>> samples;
        for (const auto& [feed, audit] : audits_)
          for (const auto& [result, count] : audit.counts)
            samples.push_back({{feed, result}, static_cast<double>(count)});
        return samples;
      });
  init_feeds();
}

void DaemonMetrics::observe_audit(std::vector<AuditSummary> audits) {
  for (auto& audit : audits) {
    const std::string name = audit.feed;
    audits_[name] = std::move(audit);
  }
}

std::int64_t DaemonMetrics::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.system_now().time_since_epoch()).count();
}

FeedMetrics& DaemonMetrics::feed(const std::string& name) {
  auto it = feeds_.find(name);
  if (it == feeds_.end()) it = feeds_.emplace(name, metrics_.init_feed(name)).first;
  return it->second;
}

void DaemonMetrics::init_feeds() {
  const auto config = config_.get();
  for (const auto& f : config->feeds) feed(f.name);
  const auto projection = project_monthly_requests(request_plans(*config, &store_), config->source.index_page_size);
  metrics_.feed_requests_month_projected.with({}).set(projection.feed_api);
  metrics_.feed_requests_month_budget.with({}).set(static_cast<double>(config->source.monthly_budget.value_or(0)));
}

void DaemonMetrics::roll_request_month() const {
  const auto month = utc_month_index(now_ms());
  if (month == request_month_) return;
  request_month_ = month;
  feed_requests_month_.reset();
}

void DaemonMetrics::observe_attempt(const net::Request& request, const net::Result& result,
                                    std::chrono::duration<double> elapsed) {
  const auto api = api_of_url(request.url, *config_);
  const int status = result ? result->status : 0;
  metrics_.observe_http(api, net::to_string(request.method), status, elapsed.count());
  if (api == "feed") {
    roll_request_month();
    feed_requests_month_.inc();
  }
  if (api == "token") metrics_.token_refreshes.with({result_of_status(status)}).inc();
}

void DaemonMetrics::observe_send(const net::SendReport& report) {
  if (report.limiter_wait.count() <= 0) return;
  metrics_.rate_limiter_wait.with({api_of_origin(report.origin, *config_)})
      .inc(std::chrono::duration<double>(report.limiter_wait).count());
}

void DaemonMetrics::observe_cms_write(store::OpKind op, std::string_view outcome) {
  metrics_.cms_writes.with({store::to_string(op), result_of_cms_write(outcome)}).inc();
}

void DaemonMetrics::observe_poll(const PollObservation& poll) {
  auto& m = feed(poll.feed);
  m.poll_duration.observe(poll.duration.count());
  (poll.ok ? m.polls_success : m.polls_failure).inc();
  if (!poll.counts) return;
  const auto seen = seen_increments(*poll.counts);
  m.seen_new.inc(seen.created);
  m.seen_updated.inc(seen.updated);
  m.seen_undeleted.inc(seen.undeleted);
  m.seen_deleted.inc(seen.deleted);
  m.seen_unchanged.inc(seen.unchanged);
  m.entries_rejected.inc(seen.rejected);
}

void DaemonMetrics::observe_webhook(std::string_view source, std::string_view result) {
  metrics_.webhook_deliveries.with({source, result}).inc();
}

std::string DaemonMetrics::render() const {
  roll_request_month();  // a scrape on the 1st shows 0 before the month's first request
  for (const auto& row : store_.feeds()) {
    const auto it = feeds_.find(row.name);
    if (it == feeds_.end()) continue;
    const auto& m = it->second;
    const auto values = feed_gauge_values(row);
    if (values.last_success_timestamp) m.last_success_timestamp.set(*values.last_success_timestamp);
    if (values.last_attempt_timestamp) m.last_attempt_timestamp.set(*values.last_attempt_timestamp);
    m.consecutive_failures.set(values.consecutive_failures);
    m.paused.set(values.paused);
    m.deletes_held.set(values.deletes_held);
    m.deleted_feed_failures.set(values.deleted_feed_failures);
  }
  set_not_published();
  set_awaiting_canonical();
  return registry_.render();
}

void DaemonMetrics::set_not_published() const {
  // One lookup per status for every feed: the published majority is never read (store.hpp).
  const std::vector<std::string_view> statuses(std::begin(kNotPublishedCmsStatuses), std::end(kNotPublishedCmsStatuses));
  const auto counts = store_.cms_status_counts(statuses);
  for (const auto& [name, m] : feeds_)
    for (auto* gauge : m.not_published) gauge->set(0);
  for (const auto& c : counts) {
    const auto it = feeds_.find(c.feed);
    if (it == feeds_.end()) continue;  // a feed no longer configured: its series were never made
    const auto at = std::find(std::begin(kNotPublishedCmsStatuses), std::end(kNotPublishedCmsStatuses), c.cms_status);
    if (at == std::end(kNotPublishedCmsStatuses)) continue;  // not asked for: cannot happen
    it->second.not_published[static_cast<std::size_t>(at - std::begin(kNotPublishedCmsStatuses))]->set(
        static_cast<double>(c.articles));
  }
}

void DaemonMetrics::set_awaiting_canonical() const {
  for (const auto& [name, m] : feeds_) {
    m.awaiting_canonical->set(0);
    m.awaiting_canonical_oldest_age->set(0);
  }
  if (!config_.get()->canonical.enabled) return;  // nothing waits: no link is ever posted
  const std::vector<std::string_view> statuses(std::begin(kAwaitingCanonicalCmsStatuses),
                                               std::end(kAwaitingCanonicalCmsStatuses));
  const std::int64_t now = now_ms();
  for (const auto& waiting : store_.awaiting_publication(statuses)) {
    const auto it = feeds_.find(waiting.feed);
    if (it == feeds_.end()) continue;  // a feed no longer configured
    it->second.awaiting_canonical->set(static_cast<double>(waiting.articles));
    it->second.awaiting_canonical_oldest_age->set(
        static_cast<double>(std::max<std::int64_t>(0, now - waiting.oldest_updated_at)) / 1000.0);
  }
}

}  // namespace feedsync::ops
