#pragma once
// Which series an event of the daemon counts in (issue 8): the `api` label of an outgoing
// request, the result label of a token request or a CMS write, the outbox gauges from the
// store's counts, the article counters from a poll cycle's report and the per-feed gauges from
// the feed's row. Pure: the label values and numbers come out, daemon_metrics.hpp applies them,
// and tests/unit/ops/metric_routing_test.cpp checks each rule from a table.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "ops/engine_metrics.hpp"
#include "store/rows.hpp"

namespace feedsync::ops {

// The `api` of a request by its URL: "token" (cms.token_url), "canonical" (canonical.endpoint,
// when enabled), "cms" (cms.base_url), else "feed". Checked in that order, so a token URL under
// the CMS base URL counts as token.
std::string_view api_of_url(std::string_view url, const config::Config& config);

// The `api` of a rate-limiter wait, by the origin the limiter guards: "cms" for the CMS's
// origin, "feed" for every other.
std::string_view api_of_origin(std::string_view origin, const config::Config& config);

// "success" for a 2xx status, else "failure" (0: no response).
std::string_view result_of_status(int status);

// A CMS write's result label: "success" for the relay's "success", "failure" for any other.
std::string_view result_of_cms_write(std::string_view outcome);

// The outbox gauges from the store's counts: pending counts in-flight operations too; the
// oldest pending age never goes below 0 (a clock step back).
OutboxSnapshot outbox_snapshot(const store::OutboxStats& stats, std::int64_t now_ms);

// One poll cycle's article counts (engine::CycleReport's, copied by the daemon's wiring: lib/ops
// does not depend on lib/engine).
struct CycleCounts {
  std::size_t created = 0, updated = 0, undeleted = 0, deleted = 0, unchanged = 0, touched = 0;
  std::size_t rejected_entries = 0, mapping_errors = 0;
};

// What feedsync_articles_seen_total{change} and feedsync_entries_rejected_total add for a cycle:
// an entry only touched (new timestamps, same content) counts as unchanged; an entry that could
// not be validated or mapped counts as rejected.
struct SeenIncrements {
  double created = 0, updated = 0, undeleted = 0, deleted = 0, unchanged = 0, rejected = 0;
  bool operator==(const SeenIncrements&) const = default;
};
SeenIncrements seen_increments(const CycleCounts& counts);

// The per-feed gauges as the feed's row has them; a timestamp the row lacks leaves its gauge as
// it was (nullopt).
struct FeedGaugeValues {
  std::optional<double> last_success_timestamp, last_attempt_timestamp;  // Unix seconds
  double consecutive_failures = 0, paused = 0, deletes_held = 0, deleted_feed_failures = 0;
  bool operator==(const FeedGaugeValues&) const = default;
};
FeedGaugeValues feed_gauge_values(const store::FeedRow& row);

}  // namespace feedsync::ops
