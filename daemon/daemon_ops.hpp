#pragma once
// The daemon's side of the operating surface (issue 8): readiness checks, status, metrics and
// admin actions answered from the engine and the state store, for lib/ops' HTTP endpoints.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "config/live_config.hpp"
#include "core/clock.hpp"
#include "engine/sync_engine.hpp"
#include "ops/engine_metrics.hpp"
#include "ops/loop_heartbeat.hpp"
#include "ops/metrics.hpp"
#include "ops/ops_backend.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {

class DaemonOps final : public ops::OpsBackend {
 public:
  // `config` holds the configuration in force (it changes on reload); it, the store and the
  // clock must outlive this object.
  DaemonOps(store::Store& store, const config::LiveConfig& config, const Clock& clock);

  // What the engine reports into (wire them with engine_observers() before building the engine).
  engine::EngineObservers engine_observers();
  // After each poll cycle (SyncEngine::on_cycle).
  void observe_cycle(const engine::FeedOutcome& outcome);
  // The engine, once it exists; admin actions and readiness need it.
  void attach(engine::SyncEngine& engine);
  // The heartbeat /livez judges the event loop by (it must outlive this object's use).
  void watch_loop(const ops::LoopHeartbeat& heartbeat) { heartbeat_ = &heartbeat; }
  // Per-feed series for the configured feeds, and the request projection (at start and after a
  // reload).
  void init_feeds();

  std::optional<std::string> liveness_problem() const override;
  std::vector<ops::ReadinessCheck> readiness() const override;
  std::string status_json() const override;
  std::string metrics_text() const override;
  ops::AdminResult trigger_sync(const std::string& feed) override;
  ops::AdminResult pause(const std::string& feed) override;
  ops::AdminResult resume(const std::string& feed) override;
  ops::AdminResult approve_deletes(const std::string& feed) override;
  ops::AdminResult resync(const std::string& feed, const std::optional<std::string>& guid) override;
  ops::AdminResult retry(const std::optional<std::string>& feed, const std::optional<std::string>& guid) override;

 private:
  std::int64_t now_ms() const;
  const config::FeedConfig* find(const std::string& feed) const;
  std::string api_of(const std::string& url) const;
  // feedsync_feed_requests_month_total starts again at 0 when the calendar month (UTC) changes.
  void roll_request_month() const;

  store::Store& store_;
  const config::LiveConfig& config_;
  const Clock& clock_;
  std::chrono::steady_clock::time_point started_;
  engine::SyncEngine* engine_ = nullptr;
  const ops::LoopHeartbeat* heartbeat_ = nullptr;
  ops::Registry registry_;
  ops::EngineMetrics metrics_;
  std::map<std::string, ops::FeedMetrics, std::less<>> feeds_;
  ops::Counter& feed_requests_month_;
  mutable std::int64_t request_month_;  // core/request_budget.hpp utc_month_index
};

}  // namespace feedsync::daemon
