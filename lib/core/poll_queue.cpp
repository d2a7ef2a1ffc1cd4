#include "core/poll_queue.hpp"

#include <algorithm>

namespace feedsync {

void PollQueue::put(std::string_view feed, time_point due) {
  remove(feed);
  const Place place{due, next_seq_++};
  auto [it, inserted] = where_.emplace(std::string(feed), place);
  line_.emplace(place, it->first);
}

void PollQueue::schedule(std::string_view feed, time_point due) {
  // min() is reserved for triggers; a computed due time never reaches it in practice.
  put(feed, std::max(due, time_point::min() + time_point::duration(1)));
}

void PollQueue::trigger(std::string_view feed) { put(feed, time_point::min()); }

bool PollQueue::remove(std::string_view feed) {
  auto it = where_.find(feed);
  if (it == where_.end()) return false;
  line_.erase(it->second);
  where_.erase(it);
  return true;
}

std::optional<PollQueue::time_point> PollQueue::due_of(std::string_view feed) const {
  auto it = where_.find(feed);
  if (it == where_.end()) return std::nullopt;
  return it->second.due;
}

std::optional<PollQueue::time_point> PollQueue::next_due() const {
  if (line_.empty()) return std::nullopt;
  return line_.begin()->first.due;
}

std::optional<std::string> PollQueue::pop_due(time_point now) {
  if (line_.empty() || line_.begin()->first.due > now) return std::nullopt;
  auto head = line_.begin();
  std::string feed = std::move(head->second);
  line_.erase(head);
  where_.erase(where_.find(feed));
  return feed;
}

std::chrono::milliseconds scheduler_wait(PollQueue::time_point now, std::optional<PollQueue::time_point> next_due,
                                         bool slot_free, std::chrono::milliseconds max_wait) {
  using std::chrono::milliseconds;
  const milliseconds floor{1};
  max_wait = std::max(max_wait, floor);
  if (!slot_free || !next_due) return max_wait;
  if (*next_due <= now) return floor;  // compared first: now - min() would overflow
  const auto until_due = std::chrono::ceil<milliseconds>(*next_due - now);
  return std::clamp(until_due, floor, max_wait);
}

}  // namespace feedsync
