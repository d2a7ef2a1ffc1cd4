#pragma once
// The watermarks a poll cycle records (DESIGN.md §4 step 5): how far down the next incremental
// poll of the live feed, and the next read of the Deleted Feed, need to page. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/feed_entry.hpp"

namespace feedsync {

// The live feed's next watermark: the newest modified_at the index scan saw (`newest_seen`,
// IndexPlan::newest_seen), held below every entry of `wanted` (the entries the cycle fetched in
// full) whose guid is in `missing` (changed in the index, gone by the fetch) so the next
// incremental poll sees it again, and never below `previous`: a watermark does not move back.
// nullopt: none yet (the feed has shown no entry and had no watermark).
std::optional<std::int64_t> next_watermark(std::optional<std::int64_t> newest_seen,
                                           const std::vector<IndexEntry>& wanted,
                                           const std::vector<std::string>& missing,
                                           std::optional<std::int64_t> previous);

// The Deleted Feed's next watermark after a read whose newest entry was `newest_read`: none to
// record (nullopt, the store keeps the one it has) while `deletes_held`, since the entries behind
// held deletions are read again once an operator approves them; never below `previous`, the
// watermark recorded for the same Deleted Feed id.
std::optional<std::int64_t> next_deleted_watermark(std::optional<std::int64_t> newest_read, bool deletes_held,
                                                   std::optional<std::int64_t> previous);

}  // namespace feedsync
