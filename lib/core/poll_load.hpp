#pragma once
// What a set of feeds asks of the scheduler and of the Feed API in steady state, and whether the
// configured concurrency and request rate can keep up (`feedsyncd check`, issue 14). Steady state
// is one index page per feed and one per Deleted Feed each interval; imports and full scans cost
// more, so these are lower bounds. Pure arithmetic. The same load per month, full scans
// included, against a monthly budget: core/request_budget.hpp.

#include <chrono>
#include <string>
#include <vector>

#include "core/duration.hpp"

namespace feedsync {

struct FeedLoad {
  std::chrono::milliseconds interval{60'000};
  int requests_per_poll = 1;  // 2 with a Deleted Feed
};

struct PollLoad {
  std::size_t feeds = 0;
  double polls_per_second = 0;
  double requests_per_second = 0;  // Feed API, steady state
  // How long one poll may take on average for every feed to be polled each interval with
  // max_concurrent_polls slots (infinite without feeds).
  double seconds_per_poll = 0;
};

// A poll that must finish faster than this to keep up is a warning: a steady-state poll is one
// or two requests to a remote API, a few hundred milliseconds over a real network.
inline constexpr double kMinSecondsPerPoll = 0.5;

PollLoad poll_load(const std::vector<FeedLoad>& feeds, int max_concurrent_polls);

// Warnings naming the numbers and the keys to change; empty when the configuration keeps up.
std::vector<std::string> poll_load_warnings(const PollLoad& load, int max_concurrent_polls, Rate source_rate);

}  // namespace feedsync
