#pragma once
// The /readyz checks of one configured feed (issue 8, issue 17): its polls ("feed:NAME"), its
// Deleted Feed ("deleted_feed:NAME") and the mass-delete guard ("deletes_held:NAME"). Pure: the
// feed's row, the wall-clock time and the daemon's uptime come in, verdicts go out.
//
// The freshness window of a feed is 3 intervals: one missed poll, or two, is not worth a page;
// three in a row is. The daemon is given the same window after it starts (the start-up grace),
// so a restart does not fail every feed until its first poll.

#include <chrono>
#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "ops/ops_backend.hpp"
#include "store/rows.hpp"

namespace feedsync::ops {

// "feed:NAME". `row` is null for a feed the store does not know yet (never polled). Ok while
// paused, while the last success is within 3 intervals, and in the start-up grace; a feed found
// misconfigured (feed id unknown to CMP) fails at once.
ReadinessCheck feed_poll_readiness(const config::FeedConfig& feed, const store::FeedRow* row,
                                   std::int64_t now_ms, std::chrono::milliseconds uptime);

// "deleted_feed:NAME": ok while reads go through; a failed read is shown at once and fails the
// check once no read has succeeded for 3 deleted_intervals (the start-up grace included), the
// window the feed's own check gives its polls. A Deleted Feed that fails never stops the live
// sync, so the feed's own check stays green: this check is where it shows.
ReadinessCheck deleted_feed_readiness(const config::FeedConfig& feed, const store::FeedRow& row,
                                      std::int64_t now_ms, std::chrono::milliseconds uptime);

// "deletes_held:NAME": fails while the mass-delete guard holds deletions, naming the command
// that releases them.
ReadinessCheck held_deletes_readiness(const config::FeedConfig& feed, const store::FeedRow& row);

// Every check of one feed, in /readyz order: feed:, then deleted_feed: (only with a Deleted
// Feed) and deletes_held:. A feed never polled has its feed: check only.
std::vector<ReadinessCheck> feed_readiness(const config::FeedConfig& feed, const store::FeedRow* row,
                                           std::int64_t now_ms, std::chrono::milliseconds uptime);

}  // namespace feedsync::ops
