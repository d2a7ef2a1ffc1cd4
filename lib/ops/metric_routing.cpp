#include "ops/metric_routing.hpp"

#include <algorithm>

#include "net/retrying_client.hpp"

namespace feedsync::ops {
namespace {

double unix_seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

bool starts_with(std::string_view text, std::string_view prefix) {
  return !prefix.empty() && text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view api_of_url(std::string_view url, const config::Config& config) {
  if (starts_with(url, config.cms.token_url)) return "token";
  if (config.canonical.enabled && starts_with(url, config.canonical.endpoint)) return "canonical";
  if (starts_with(url, config.cms.base_url)) return "cms";
  return "feed";
}

std::string_view api_of_origin(std::string_view origin, const config::Config& config) {
  const auto cms = net::origin_of(config.cms.base_url);
  return cms && *cms == origin ? "cms" : "feed";
}

std::string_view result_of_status(int status) { return status >= 200 && status < 300 ? "success" : "failure"; }

std::string_view result_of_cms_write(std::string_view outcome) {
  return outcome == "success" ? "success" : "failure";
}

OutboxSnapshot outbox_snapshot(const store::OutboxStats& stats, std::int64_t now_ms) {
  OutboxSnapshot snapshot;
  for (std::size_t i = 0; i < store::kOpKindCount; ++i) {
    const auto name = std::string(store::to_string(static_cast<store::OpKind>(i)));
    const auto& counts = stats.by_op[i];
    snapshot.pending_by_op.emplace_back(name, static_cast<double>(counts.pending + counts.inflight));
    snapshot.dead_letters_by_op.emplace_back(name, static_cast<double>(counts.dead));
  }
  if (stats.oldest_pending_created_at) {
    snapshot.oldest_pending_age_seconds = std::max(0.0, unix_seconds(now_ms - *stats.oldest_pending_created_at));
  }
  return snapshot;
}

SeenIncrements seen_increments(const CycleCounts& c) {
  return {static_cast<double>(c.created),   static_cast<double>(c.updated),
          static_cast<double>(c.undeleted), static_cast<double>(c.deleted),
          static_cast<double>(c.unchanged + c.touched), static_cast<double>(c.rejected_entries + c.mapping_errors)};
}

FeedGaugeValues feed_gauge_values(const store::FeedRow& row) {
  FeedGaugeValues values;
  if (row.last_success_at) values.last_success_timestamp = unix_seconds(*row.last_success_at);
  if (row.last_attempt_at) values.last_attempt_timestamp = unix_seconds(*row.last_attempt_at);
  values.consecutive_failures = static_cast<double>(row.consecutive_failures);
  values.paused = row.paused ? 1 : 0;
  values.deletes_held = static_cast<double>(row.held_deletes);
  values.deleted_feed_failures = static_cast<double>(row.deleted_failures);
  return values;
}

}  // namespace feedsync::ops
