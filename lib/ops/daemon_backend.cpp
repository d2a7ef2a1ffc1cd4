#include "ops/daemon_backend.hpp"

#include <algorithm>

#include <exception>

#include "log/log.hpp"
#include "ops/loop_lag.hpp"
#include "ops/readiness.hpp"
#include "ops/status.hpp"
#include "store/store.hpp"

namespace feedsync::ops {
namespace {

AdminResult accepted(std::string message) { return {202, std::move(message)}; }
AdminResult unknown_feed(const std::string& feed) { return {404, "no feed named \"" + feed + "\" is configured"}; }

std::optional<std::string_view> view_of(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return *text;
}

}  // namespace

DaemonBackend::DaemonBackend(store::Store& store, const config::LiveConfig& config, const Clock& clock,
                             const DaemonMetrics& metrics, EngineControl& engine, const LoopHeartbeat& heartbeat)
    : store_(store),
      config_(config),
      clock_(clock),
      metrics_(metrics),
      engine_(engine),
      heartbeat_(heartbeat),
      started_(clock.steady_now()) {}

std::int64_t DaemonBackend::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.system_now().time_since_epoch()).count();
}

bool DaemonBackend::configured(const std::string& feed) const { return config_->find_feed(feed) != nullptr; }

std::optional<std::string> DaemonBackend::liveness_problem() const {
  return ops::liveness_problem(heartbeat_.stall());
}

std::vector<ReadinessCheck> DaemonBackend::readiness() const {
  const auto config = config_.get();
  const auto steady_now = clock_.steady_now();
  auto store_health = store_.write_health();
  std::vector<store::FeedRow> rows;
  try {
    rows = store_.feeds();
  } catch (const std::exception&) {
    // reported by the store check
  }
  auto checks = evaluate_readiness({.config = *config,
                                    .store_health = std::move(store_health),
                                    .steady_now = steady_now,
                                    .token = engine_.token_status(),
                                    .feed_rows = std::move(rows),
                                    .now_ms = now_ms(),
                                    .uptime = std::chrono::duration_cast<std::chrono::milliseconds>(steady_now - started_)});
  // The relay's writes after the token (readiness.hpp's order: config, store, cms_token, feeds).
  auto writes = engine_.write_checks();
  const auto after_token = std::find_if(checks.begin(), checks.end(), [](const auto& c) { return c.name == "cms_token"; });
  checks.insert(after_token == checks.end() ? checks.end() : after_token + 1, writes.begin(), writes.end());
  if (config->engine.audit_interval > Duration::zero()) {
    const auto& audits = metrics_.last_audits();
    for (const auto& feed : config->feeds) {
      const auto it = audits.find(feed.name);
      checks.push_back(audit_readiness(feed.name, it == audits.end() ? nullptr : &it->second));
    }
  }
  // Unauthenticated: feed ids in errors ("feed <id> (offset 0): HTTP 500") are redacted as in
  // the logs (issue 15).
  for (auto& check : checks) check.detail = log::redact_secrets(check.detail);
  return checks;
}

std::string DaemonBackend::status_json() const {
  // As `feedsyncd status -o json`, but over HTTP the feed ids are redacted like in the logs:
  // whoever knows one can read the feed (api-notes.md), and /status needs no token.
  const auto config = config_.get();
  return log::redact_secrets(render_status_json(build_status(*config, &store_, now_ms())));
}

std::string DaemonBackend::metrics_text() const { return metrics_.render(); }

AdminResult DaemonBackend::trigger_sync(const std::string& feed) {
  if (!configured(feed)) return unknown_feed(feed);
  engine_.trigger(feed);
  log::info("sync requested through the admin API", {{"feed", feed}});
  return accepted("sync of " + feed + " started");
}

AdminResult DaemonBackend::pause(const std::string& feed) {
  if (!configured(feed)) return unknown_feed(feed);
  store_.set_paused(feed, true);
  log::info("feed paused through the admin API", {{"feed", feed}});
  return accepted(feed + " paused");
}

AdminResult DaemonBackend::resume(const std::string& feed) {
  if (!configured(feed)) return unknown_feed(feed);
  store_.set_paused(feed, false);
  engine_.trigger(feed);
  log::info("feed resumed through the admin API", {{"feed", feed}});
  return accepted(feed + " resumed");
}

AdminResult DaemonBackend::approve_deletes(const std::string& feed) {
  if (!configured(feed)) return unknown_feed(feed);
  store_.set_deletes_approved(feed, true);
  engine_.trigger(feed);
  log::info("held deletions approved through the admin API", {{"feed", feed}});
  return accepted("deletions of " + feed + " approved; a confirming full scan starts now");
}

AdminResult DaemonBackend::resync(const std::string& feed, const std::optional<std::string>& guid) {
  if (!configured(feed)) return unknown_feed(feed);
  const auto marked = store_.request_resync(feed, view_of(guid), now_ms());
  if (guid && marked == 0) return {404, "feed " + feed + " has no active article " + *guid};
  engine_.trigger(feed);
  return accepted(std::to_string(marked) + " articles of " + feed + " are pushed again");
}

AdminResult DaemonBackend::retry(const std::optional<std::string>& feed, const std::optional<std::string>& guid) {
  if (feed && !configured(*feed)) return unknown_feed(*feed);
  const auto count = store_.requeue_dead(view_of(feed), view_of(guid), now_ms());
  engine_.wake_relay();
  return accepted("re-queued " + std::to_string(count) + " dead-lettered operations");
}

}  // namespace feedsync::ops
