#pragma once
// The daemon's side of the operating surface (issue 8): the OpsBackend that /livez, /readyz,
// /status, /metrics and the admin API answer from, over the state store, the configuration in
// force, the engine (through EngineControl) and the daemon's metrics. The rules are elsewhere
// and pure (readiness.hpp, metric_routing.hpp); this class reads their inputs and acts.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/live_config.hpp"
#include "core/clock.hpp"
#include "ops/daemon_metrics.hpp"
#include "ops/engine_control.hpp"
#include "ops/loop_heartbeat.hpp"
#include "ops/ops_backend.hpp"

namespace feedsync::store { class Store; }

namespace feedsync::ops {

class DaemonBackend final : public OpsBackend {
 public:
  // Every argument must outlive this object. The daemon's uptime (the start-up grace of the
  // feed checks) counts from construction; `heartbeat` is the loop /livez judges.
  DaemonBackend(store::Store& store, const config::LiveConfig& config, const Clock& clock,
                const DaemonMetrics& metrics, EngineControl& engine, const LoopHeartbeat& heartbeat);

  std::optional<std::string> liveness_problem() const override;
  std::vector<ReadinessCheck> readiness() const override;
  std::string status_json() const override;
  std::string metrics_text() const override;
  AdminResult trigger_sync(const std::string& feed) override;
  AdminResult pause(const std::string& feed) override;
  AdminResult resume(const std::string& feed) override;
  AdminResult approve_deletes(const std::string& feed) override;
  AdminResult resync(const std::string& feed, const std::optional<std::string>& guid) override;
  AdminResult retry(const std::optional<std::string>& feed, const std::optional<std::string>& guid) override;

 private:
  std::int64_t now_ms() const;
  bool configured(const std::string& feed) const;

  store::Store& store_;
  const config::LiveConfig& config_;
  const Clock& clock_;
  const DaemonMetrics& metrics_;
  EngineControl& engine_;
  const LoopHeartbeat& heartbeat_;
  SteadyTime started_;
};

}  // namespace feedsync::ops
