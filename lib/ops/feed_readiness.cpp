#include "ops/feed_readiness.hpp"

#include <string>

namespace feedsync::ops {
namespace {

std::string seconds_ago(std::int64_t ms) { return std::to_string(ms / 1000) + "s ago"; }

std::int64_t three_times(Duration interval) {
  return 3 * std::chrono::duration_cast<std::chrono::milliseconds>(interval).count();
}

}  // namespace

ReadinessCheck feed_poll_readiness(const config::FeedConfig& feed, const store::FeedRow* row,
                                   std::int64_t now_ms, std::chrono::milliseconds uptime) {
  const std::int64_t window = three_times(feed.interval);
  const bool starting = uptime.count() < window;  // the start-up grace
  std::string name = "feed:" + feed.name;
  if (row == nullptr) return {std::move(name), starting, "never polled"};
  if (row->paused) return {std::move(name), true, "paused"};
  if (row->misconfigured) return {std::move(name), false, "misconfigured: " + *row->misconfigured};
  if (row->last_success_at && now_ms - *row->last_success_at <= window) {
    return {std::move(name), true, "last success " + seconds_ago(now_ms - *row->last_success_at)};
  }
  if (starting) return {std::move(name), true, "starting"};
  return {std::move(name), false,
          row->last_error ? "no success within 3 intervals: " + *row->last_error : "no success within 3 intervals"};
}

ReadinessCheck deleted_feed_readiness(const config::FeedConfig& feed, const store::FeedRow& row,
                                      std::int64_t now_ms, std::chrono::milliseconds uptime) {
  ReadinessCheck check{"deleted_feed:" + feed.name, true, ""};
  const std::int64_t window = three_times(feed.deleted_interval);
  const bool read_lately = row.deleted_read_at && now_ms - *row.deleted_read_at <= window;
  if (row.deleted_failures == 0) {
    check.detail = row.deleted_read_at ? "last read " + seconds_ago(now_ms - *row.deleted_read_at) : "not read yet";
    return check;
  }
  check.ok = read_lately || uptime.count() < window;
  check.detail = std::to_string(row.deleted_failures) + (row.deleted_failures == 1 ? " read" : " reads") +
                 " failed in a row (last " +
                 (row.deleted_failed_at ? seconds_ago(now_ms - *row.deleted_failed_at) : std::string("at an unknown time")) +
                 "): " + row.deleted_error.value_or("no error recorded") +
                 "; the live feed syncs on, its deletions wait" +
                 (row.deleted_read_at ? "; last good read " + seconds_ago(now_ms - *row.deleted_read_at)
                                      : "; never read");
  return check;
}

ReadinessCheck held_deletes_readiness(const config::FeedConfig& feed, const store::FeedRow& row) {
  std::string name = "deletes_held:" + feed.name;
  if (row.held_deletes <= 0) return {std::move(name), true, "none"};
  return {std::move(name), false,
          std::to_string(row.held_deletes) + " deletions held (" + row.held_reason.value_or("") +
              "); feedsyncd approve-deletes " + feed.name};
}

std::vector<ReadinessCheck> feed_readiness(const config::FeedConfig& feed, const store::FeedRow* row,
                                           std::int64_t now_ms, std::chrono::milliseconds uptime) {
  std::vector<ReadinessCheck> checks{feed_poll_readiness(feed, row, now_ms, uptime)};
  if (row == nullptr) return checks;
  if (feed.deleted_feed_id) checks.push_back(deleted_feed_readiness(feed, *row, now_ms, uptime));
  checks.push_back(held_deletes_readiness(feed, *row));
  return checks;
}

}  // namespace feedsync::ops
