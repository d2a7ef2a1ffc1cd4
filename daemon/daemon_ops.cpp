#include "daemon_ops.hpp"

#include <algorithm>

#include "cms/token_source.hpp"
#include "commands.hpp"
#include "log/log.hpp"
#include "ops/config_budget.hpp"
#include "ops/feed_readiness.hpp"
#include "ops/loop_lag.hpp"
#include "ops/store_readiness.hpp"
#include "ops/status.hpp"

namespace feedsync::daemon {
namespace {

double unix_seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

ops::AdminResult accepted(std::string message) { return {202, std::move(message)}; }
ops::AdminResult unknown_feed(const std::string& feed) { return {404, "no feed named \"" + feed + "\" is configured"}; }

bool starts_with(const std::string& text, const std::string& prefix) {
  return !prefix.empty() && text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

DaemonOps::DaemonOps(store::Store& store, const config::LiveConfig& config, const Clock& clock)
    : store_(store),
      config_(config),
      clock_(clock),
      started_(clock.steady_now()),
      metrics_(ops::register_engine_metrics(registry_, [this] {
        // Read at scrape time: the queue as the store has it, whoever changed it.
        ops::OutboxSnapshot snapshot;
        const auto stats = store_.outbox_stats();
        for (std::size_t i = 0; i < store::kOpKindCount; ++i) {
          const auto name = std::string(store::to_string(static_cast<store::OpKind>(i)));
          snapshot.pending_by_op.emplace_back(name, static_cast<double>(stats.by_op[i].pending + stats.by_op[i].inflight));
          snapshot.dead_letters_by_op.emplace_back(name, static_cast<double>(stats.by_op[i].dead));
        }
        if (stats.oldest_pending_created_at) {
          snapshot.oldest_pending_age_seconds =
              std::max(0.0, unix_seconds(now_ms() - *stats.oldest_pending_created_at));
        }
        return snapshot;
      })),
      feed_requests_month_(metrics_.feed_requests_month.with({})),
      request_month_(utc_month_index(now_ms())) {
  init_feeds();
}

std::int64_t DaemonOps::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.system_now().time_since_epoch()).count();
}

void DaemonOps::attach(engine::SyncEngine& engine) { engine_ = &engine; }

void DaemonOps::init_feeds() {
  const auto config = config_.get();
  for (const auto& feed : config->feeds) {
    if (!feeds_.count(feed.name)) feeds_.emplace(feed.name, metrics_.init_feed(feed.name));
  }
  const auto projection = project_monthly_requests(ops::request_plans(*config, &store_), config->source.index_page_size);
  metrics_.feed_requests_month_projected.with({}).set(projection.feed_api);
  metrics_.feed_requests_month_budget.with({}).set(
      static_cast<double>(config->source.monthly_budget.value_or(0)));
}

void DaemonOps::roll_request_month() const {
  const auto month = utc_month_index(now_ms());
  if (month == request_month_) return;
  request_month_ = month;
  feed_requests_month_.reset();
}

std::string DaemonOps::api_of(const std::string& url) const {
  const auto config = config_.get();
  if (starts_with(url, config->cms.token_url)) return "token";
  if (config->canonical.enabled && starts_with(url, config->canonical.endpoint)) return "canonical";
  if (starts_with(url, config->cms.base_url)) return "cms";
  return "feed";
}

engine::EngineObservers DaemonOps::engine_observers() {
  engine::EngineObservers observers;
  observers.http.attempt = [this](const net::Request& request, const net::Result& result,
                                  std::chrono::duration<double> elapsed) {
    const auto api = api_of(request.url);
    const int status = result ? result->status : 0;
    metrics_.observe_http(api, net::to_string(request.method), status, elapsed.count());
    if (api == "feed") {
      roll_request_month();
      feed_requests_month_.inc();
    }
    if (api == "token") {
      metrics_.token_refreshes.with({status >= 200 && status < 300 ? "success" : "failure"}).inc();
    }
  };
  observers.http.report = [this](const net::SendReport& report) {
    if (report.limiter_wait.count() <= 0) return;
    const auto config = config_.get();
    const bool cms = net::origin_of(config->cms.base_url) == std::string(report.origin);
    metrics_.rate_limiter_wait.with({cms ? "cms" : "feed"})
        .inc(std::chrono::duration<double>(report.limiter_wait).count());
  };
  observers.cms_outcome = [this](store::OpKind op, std::string_view result) {
    metrics_.cms_writes.with({store::to_string(op), result == "success" ? "success" : "failure"}).inc();
  };
  return observers;
}

void DaemonOps::observe_cycle(const engine::FeedOutcome& outcome) {
  auto it = feeds_.find(outcome.feed);
  if (it == feeds_.end()) it = feeds_.emplace(outcome.feed, metrics_.init_feed(outcome.feed)).first;
  auto& m = it->second;
  m.poll_duration.observe(outcome.duration.count());
  (outcome.ok ? m.polls_success : m.polls_failure).inc();
  if (!outcome.report) return;
  const auto& r = *outcome.report;
  m.seen_new.inc(static_cast<double>(r.created));
  m.seen_updated.inc(static_cast<double>(r.updated));
  m.seen_undeleted.inc(static_cast<double>(r.undeleted));
  m.seen_deleted.inc(static_cast<double>(r.deleted));
  m.seen_unchanged.inc(static_cast<double>(r.unchanged + r.touched));
  m.entries_rejected.inc(static_cast<double>(r.rejected_entries + r.mapping_errors));
}

std::optional<std::string> DaemonOps::liveness_problem() const {
  if (!heartbeat_) return std::nullopt;
  return ops::liveness_problem(heartbeat_->stall());
}

std::vector<ops::ReadinessCheck> DaemonOps::readiness() const {
  const auto config = config_.get();
  std::vector<ops::ReadinessCheck> checks;
  checks.push_back({"config", true, "loaded from " + config->file.string()});
  checks.push_back(ops::store_readiness(store_.write_health(), clock_.steady_now()));
  if (engine_ != nullptr) {
    const auto status = engine_->tokens().status();
    const bool failed = status.state == cms::TokenSource::State::auth_failed;
    checks.push_back({"cms_token", !failed, failed ? status.reason : std::string(cms::to_string(status.state))});
  }
  const auto now = now_ms();
  const auto uptime = clock_.steady_now() - started_;
  std::vector<store::FeedRow> rows;
  try {
    rows = store_.feeds();
  } catch (const std::exception&) {
    // reported by the store check above
  }
  for (const auto& feed : config->feeds) {
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const store::FeedRow& r) { return r.name == feed.name; });
    const auto window = 3 * feed.interval;
    std::string name = "feed:" + feed.name;
    if (row == rows.end()) {
      checks.push_back({name, uptime < window, "never polled"});
      continue;
    }
    if (row->paused) {
      checks.push_back({name, true, "paused"});
    } else if (row->misconfigured) {
      checks.push_back({name, false, "misconfigured: " + *row->misconfigured});
    } else if (row->last_success_at &&
               now - *row->last_success_at <= std::chrono::duration_cast<std::chrono::milliseconds>(window).count()) {
      checks.push_back({name, true, "last success " + std::to_string((now - *row->last_success_at) / 1000) + "s ago"});
    } else if (uptime < window) {
      checks.push_back({name, true, "starting"});  // the start-up grace: 3 intervals
    } else {
      checks.push_back({name, false, row->last_error ? "no success within 3 intervals: " + *row->last_error
                                                     : "no success within 3 intervals"});
    }
    if (feed.deleted_feed_id) checks.push_back(ops::deleted_feed_readiness(feed, *row, now, std::chrono::duration_cast<std::chrono::milliseconds>(uptime)));
    if (row->held_deletes > 0) {
      checks.push_back({"deletes_held:" + feed.name, false,
                        std::to_string(row->held_deletes) + " deletions held (" + row->held_reason.value_or("") +
                            "); feedsyncd approve-deletes " + feed.name});
    } else {
      checks.push_back({"deletes_held:" + feed.name, true, "none"});
    }
  }
  // Unauthenticated: feed ids in errors ("feed <id> (offset 0): HTTP 500") are redacted as in
  // the logs (issue 15).
  for (auto& check : checks) check.detail = log::redact_secrets(check.detail);
  return checks;
}

std::string DaemonOps::status_json() const {
  // As `feedsyncd status -o json`, but over HTTP the feed ids are redacted like in the logs:
  // whoever knows one can read the feed (api-notes.md), and /status needs no token.
  const auto config = config_.get();
  return log::redact_secrets(ops::render_status_json(ops::build_status(*config, &store_, now_ms())));
}

std::string DaemonOps::metrics_text() const {
  roll_request_month();  // a scrape on the 1st shows 0 before the month's first request
  // Per-feed gauges from the store, so CLI changes (pause, approve) show at once.
  for (const auto& row : store_.feeds()) {
    const auto it = feeds_.find(row.name);
    if (it == feeds_.end()) continue;
    const auto& m = it->second;
    if (row.last_success_at) m.last_success_timestamp.set(unix_seconds(*row.last_success_at));
    if (row.last_attempt_at) m.last_attempt_timestamp.set(unix_seconds(*row.last_attempt_at));
    m.consecutive_failures.set(static_cast<double>(row.consecutive_failures));
    m.paused.set(row.paused ? 1 : 0);
    m.deletes_held.set(static_cast<double>(row.held_deletes));
    m.deleted_feed_failures.set(static_cast<double>(row.deleted_failures));
  }
  return registry_.render();
}

const config::FeedConfig* DaemonOps::find(const std::string& feed) const { return config_->find_feed(feed); }

ops::AdminResult DaemonOps::trigger_sync(const std::string& feed) {
  if (!find(feed) || engine_ == nullptr) return unknown_feed(feed);
  engine_->trigger(feed);
  log::info("sync requested through the admin API", {{"feed", feed}});
  return accepted("sync of " + feed + " started");
}

ops::AdminResult DaemonOps::pause(const std::string& feed) {
  if (!find(feed)) return unknown_feed(feed);
  store_.set_paused(feed, true);
  log::info("feed paused through the admin API", {{"feed", feed}});
  return accepted(feed + " paused");
}

ops::AdminResult DaemonOps::resume(const std::string& feed) {
  if (!find(feed)) return unknown_feed(feed);
  store_.set_paused(feed, false);
  if (engine_ != nullptr) engine_->trigger(feed);
  log::info("feed resumed through the admin API", {{"feed", feed}});
  return accepted(feed + " resumed");
}

ops::AdminResult DaemonOps::approve_deletes(const std::string& feed) {
  if (!find(feed)) return unknown_feed(feed);
  store_.set_deletes_approved(feed, true);
  if (engine_ != nullptr) engine_->trigger(feed);
  log::info("held deletions approved through the admin API", {{"feed", feed}});
  return accepted("deletions of " + feed + " approved; a confirming full scan starts now");
}

ops::AdminResult DaemonOps::resync(const std::string& feed, const std::optional<std::string>& guid) {
  if (!find(feed)) return unknown_feed(feed);
  std::optional<std::string_view> one;
  if (guid) one = *guid;
  const auto marked = store_.request_resync(feed, one, now_ms());
  if (guid && marked == 0) return {404, "feed " + feed + " has no active article " + *guid};
  if (engine_ != nullptr) engine_->trigger(feed);
  return accepted(std::to_string(marked) + " articles of " + feed + " are pushed again");
}

ops::AdminResult DaemonOps::retry(const std::optional<std::string>& feed, const std::optional<std::string>& guid) {
  if (feed && !find(*feed)) return unknown_feed(*feed);
  std::optional<std::string_view> f, g;
  if (feed) f = *feed;
  if (guid) g = *guid;
  const auto count = store_.requeue_dead(f, g, now_ms());
  if (engine_ != nullptr) engine_->wake_relay();
  return accepted("re-queued " + std::to_string(count) + " dead-lettered operations");
}

}  // namespace feedsync::daemon
