#pragma once
// Coalesced poll requests from webhooks (issue 19). CMP retries, duplicates and reorders its
// deliveries, and one editor action can send a burst of them; each only says "something
// changed", and a poll reads the current state anyway. So a request is a pending flag per feed,
// not a queue entry: the first request for a feed opens a window of `window`; requests for any
// feed inside it only set flags; when the window closes every flagged feed is triggered once
// (SyncEngine::trigger, which itself folds a trigger during a poll into one more poll after it).
// A burst of any size within the window costs one poll per feed. Pure: time comes in as values.

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace feedsync::engine {

class TriggerCoalescer {
 public:
  explicit TriggerCoalescer(std::chrono::milliseconds window = std::chrono::milliseconds(100)) : window_(window) {}

  // Applies to windows opened from now on.
  void set_window(std::chrono::milliseconds window) { window_ = window; }
  std::chrono::milliseconds window() const { return window_; }

  // Records a request for `feed` at `now`. True when the feed was not pending already (the
  // request will cost a poll); false when it folds into one already pending.
  bool request(std::string_view feed, SteadyTime now);
  // When the open window closes; nullopt when nothing is pending.
  std::optional<SteadyTime> due() const;
  // At or after due(): the pending feeds (sorted), and the window closes. Before it: nothing.
  std::vector<std::string> take_due(SteadyTime now);
  std::size_t pending() const { return pending_.size(); }

 private:
  std::chrono::milliseconds window_;
  std::set<std::string, std::less<>> pending_;
  std::optional<SteadyTime> closes_at_;
};

}  // namespace feedsync::engine
