#pragma once
// Every check /readyz and /healthz report for the daemon (issue 8), evaluated from what the
// backend read: the configuration in force, the store's write health, the CMS token state and
// the feeds' rows. Pure: no store, clock or engine is read here, so every verdict is tested
// from a table (tests/unit/ops/readiness_test.cpp). The backend (daemon_backend.hpp) gathers
// the inputs and redacts the details.

#include <chrono>
#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "ops/engine_control.hpp"
#include "ops/ops_backend.hpp"
#include "store/database.hpp"
#include "store/rows.hpp"

namespace feedsync::ops {

// "cms_token": fails while the CMS rejects the credentials (the reason says what to check);
// otherwise ok, showing the token's state.
ReadinessCheck cms_token_readiness(const CmsTokenStatus& token);

struct ReadinessInputs {
  const config::Config& config;   // in force (the reloaded one after a reload)
  store::WriteHealth store_health;
  SteadyTime steady_now;          // for the store check
  CmsTokenStatus token;
  // The feeds the store knows; empty when reading them failed (the store check says why): every
  // configured feed then counts as never polled.
  std::vector<store::FeedRow> feed_rows;
  std::int64_t now_ms = 0;        // wall clock, Unix ms: the rows' timestamps
  std::chrono::milliseconds uptime{0};  // since the daemon started: the start-up grace
};

// In /readyz order: config, store, cms_token, then each configured feed's checks
// (feed_readiness.hpp) in configuration order.
std::vector<ReadinessCheck> evaluate_readiness(const ReadinessInputs& in);

}  // namespace feedsync::ops
