#include "core/poll_load.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace feedsync {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value >= 100 ? "%.0f" : "%.1f", value);
  return text;
}

}  // namespace

PollLoad poll_load(const std::vector<FeedLoad>& feeds, int max_concurrent_polls) {
  PollLoad load;
  load.feeds = feeds.size();
  for (const auto& feed : feeds) {
    const double seconds = std::max(static_cast<double>(feed.interval.count()), 1.0) / 1000.0;
    load.polls_per_second += 1.0 / seconds;
    load.requests_per_second += static_cast<double>(std::max(feed.requests_per_poll, 1)) / seconds;
  }
  load.seconds_per_poll = load.polls_per_second > 0
                              ? static_cast<double>(std::max(max_concurrent_polls, 1)) / load.polls_per_second
                              : std::numeric_limits<double>::infinity();
  return load;
}

std::vector<std::string> poll_load_warnings(const PollLoad& load, int max_concurrent_polls, Rate source_rate) {
  std::vector<std::string> warnings;
  if (load.feeds == 0) return warnings;
  const std::string feeds = std::to_string(load.feeds) + (load.feeds == 1 ? " feed needs " : " feeds need ");
  if (!source_rate.unlimited() && load.requests_per_second > source_rate.per_second) {
    warnings.push_back(feeds + "at least " + number(load.requests_per_second) +
                       " Feed API requests/s in steady state (one per feed and Deleted Feed each interval), but "
                       "source.rate_limit is " + format_rate(source_rate) +
                       ": polls will fall behind their intervals; raise source.rate_limit or the feeds' intervals");
  }
  if (load.seconds_per_poll < kMinSecondsPerPoll) {
    warnings.push_back(feeds + number(load.polls_per_second) + " polls/s; with engine.max_concurrent_polls " +
                       std::to_string(max_concurrent_polls) + " each poll must finish within " +
                       std::to_string(std::llround(load.seconds_per_poll * 1000)) +
                       " ms or polls fall behind their intervals; raise engine.max_concurrent_polls (at most 64) or "
                       "the feeds' intervals");
  }
  return warnings;
}

}  // namespace feedsync
