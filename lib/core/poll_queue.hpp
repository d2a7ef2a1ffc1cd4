#pragma once
// The scheduler's waiting line (DESIGN.md §4): the feeds that are not being polled, ordered by
// when they are due, most overdue first. A triggered feed goes ahead of every feed that is merely
// due; feeds triggered, or due at the same instant, keep the order they were put in line
// (configuration order at start-up). Every operation is O(log n), so a wake-up of the scheduler
// costs O(polls started · log n) however many feeds are configured. Pure: no clock, no I/O.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync {

class PollQueue {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // Puts `feed` in line at `due`, or moves it there if it is in line already.
  void schedule(std::string_view feed, time_point due);
  // Puts `feed` ahead of every feed that is merely due, behind earlier triggers.
  void trigger(std::string_view feed);
  bool remove(std::string_view feed);  // false if it was not in line
  bool contains(std::string_view feed) const { return where_.find(feed) != where_.end(); }
  // When `feed` is due (time_point::min() once triggered); nullopt if it is not in line.
  std::optional<time_point> due_of(std::string_view feed) const;
  std::size_t size() const { return line_.size(); }
  bool empty() const { return line_.empty(); }
  // When the head of the line is due; nullopt when nobody waits.
  std::optional<time_point> next_due() const;
  // Takes the head of the line out if it is due at `now`.
  std::optional<std::string> pop_due(time_point now);

 private:
  struct Place {
    time_point due;
    std::uint64_t seq;  // ties: first in line first
    auto operator<=>(const Place&) const = default;
  };
  void put(std::string_view feed, time_point due);

  std::map<Place, std::string> line_;
  std::map<std::string, Place, std::less<>> where_;
  std::uint64_t next_seq_ = 0;
};

// How long the scheduler waits before it looks at the line again, given the head of the line
// and whether a poll slot is free. Never less than 1 ms: the loop that uses it must never go
// round without waiting (one thread runs every poll, the signal handler and the watchdog). With
// every slot taken it is `max_wait`: a finishing poll wakes the scheduler sooner. Otherwise it
// is the time until the head of the line is due, at most `max_wait`.
std::chrono::milliseconds scheduler_wait(PollQueue::time_point now, std::optional<PollQueue::time_point> next_due,
                                         bool slot_free, std::chrono::milliseconds max_wait);

}  // namespace feedsync
