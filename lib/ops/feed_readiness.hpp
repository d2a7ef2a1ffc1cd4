#pragma once
// The /readyz check of a feed's Deleted Feed (issue 17). A Deleted Feed that fails never stops the
// live sync, so the feed's own check stays green: this check is where it shows. Pure: the row
// and the time come in.

#include <chrono>
#include <cstdint>

#include "config/config.hpp"
#include "ops/ops_backend.hpp"
#include "store/rows.hpp"

namespace feedsync::ops {

// "deleted_feed:NAME": ok while reads go through; a failed read is shown at once and fails the
// check once no read has succeeded for 3 deleted_intervals (the start-up grace included), the
// window the feed's own check gives its polls.
ReadinessCheck deleted_feed_readiness(const config::FeedConfig& feed, const store::FeedRow& row,
                                      std::int64_t now_ms, std::chrono::milliseconds uptime);

}  // namespace feedsync::ops
