#include "core/watermark.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace feedsync {

std::optional<std::int64_t> next_watermark(std::optional<std::int64_t> newest_seen,
                                           const std::vector<IndexEntry>& wanted,
                                           const std::vector<std::string>& missing,
                                           std::optional<std::int64_t> previous) {
  std::optional<std::int64_t> watermark = newest_seen;
  if (watermark && !missing.empty()) {
    const std::unordered_set<std::string_view> gone(missing.begin(), missing.end());
    for (const auto& entry : wanted) {
      if (gone.count(entry.guid)) watermark = std::min(*watermark, entry.newest_modified_at() - 1);
    }
  }
  if (previous && (!watermark || *watermark < *previous)) watermark = previous;
  return watermark;
}

std::optional<std::int64_t> next_deleted_watermark(std::optional<std::int64_t> newest_read, bool deletes_held,
                                                   std::optional<std::int64_t> previous) {
  if (deletes_held || !newest_read) return std::nullopt;
  return previous ? std::max(*newest_read, *previous) : *newest_read;
}

}  // namespace feedsync
