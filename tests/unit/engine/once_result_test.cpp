// `feedsyncd once`'s verdict (OnceResult::clean): exit 0 only when every poll succeeded, the
// outbox drained, nothing is dead-lettered and no deletion is held.
#include <gtest/gtest.h>

#include "engine/sync_engine.hpp"

namespace feedsync::engine {
namespace {

FeedOutcome polled(const std::string& feed, bool ok, std::size_t held = 0) {
  FeedOutcome outcome;
  outcome.feed = feed;
  outcome.ok = ok;
  if (ok) {
    outcome.report.emplace();
    outcome.report->held_deletes = held;
  }
  return outcome;
}

TEST(OnceResult, CleanOnlyWhenEverythingSynced) {
  struct Row {
    std::vector<FeedOutcome> feeds;
    RelayExit relay;
    std::int64_t dead;
    bool clean;
  };
  const Row rows[] = {
      {{polled("a", true), polled("b", true)}, RelayExit::drained, 0, true},
      {{}, RelayExit::drained, 0, true},
      {{polled("a", true), polled("b", false)}, RelayExit::drained, 0, false},
      {{polled("a", true)}, RelayExit::deadline, 0, false},
      {{polled("a", true)}, RelayExit::auth_failed, 0, false},
      {{polled("a", true)}, RelayExit::drained, 1, false},
      {{polled("a", true, 3)}, RelayExit::drained, 0, false},
  };
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    OnceResult result;
    result.feeds = rows[i].feeds;
    result.relay = rows[i].relay;
    EXPECT_EQ(result.clean(rows[i].dead), rows[i].clean) << "row " << i;
  }
}

TEST(OnceResult, HeldDeletesNameTheFeedsAndCounts) {
  OnceResult result;
  result.feeds = {polled("a", true, 0), polled("b", true, 7), polled("c", false), polled("d", true, 1)};
  const std::vector<std::pair<std::string, std::size_t>> expected{{"b", 7}, {"d", 1}};
  EXPECT_EQ(result.held_deletes(), expected);
}

}  // namespace
}  // namespace feedsync::engine
