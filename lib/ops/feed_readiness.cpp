#include "ops/feed_readiness.hpp"

#include <string>

namespace feedsync::ops {
namespace {

std::string seconds_ago(std::int64_t ms) { return std::to_string(ms / 1000) + "s ago"; }

}  // namespace

ReadinessCheck deleted_feed_readiness(const config::FeedConfig& feed, const store::FeedRow& row,
                                      std::int64_t now_ms, std::chrono::milliseconds uptime) {
  ReadinessCheck check{"deleted_feed:" + feed.name, true, ""};
  const std::int64_t window = 3 * std::chrono::duration_cast<std::chrono::milliseconds>(feed.deleted_interval).count();
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

}  // namespace feedsync::ops
