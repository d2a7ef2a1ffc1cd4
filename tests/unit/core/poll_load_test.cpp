#include "core/poll_load.hpp"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::vector<FeedLoad> fleet(int count, std::chrono::milliseconds interval, int requests_per_poll) {
  return std::vector<FeedLoad>(static_cast<std::size_t>(count), FeedLoad{interval, requests_per_poll});
}

TEST(PollLoad, SumsPollsAndRequestsPerSecond) {
  auto feeds = fleet(1000, 60s, 2);
  const auto load = poll_load(feeds, 16);
  EXPECT_EQ(load.feeds, 1000u);
  EXPECT_NEAR(load.polls_per_second, 16.667, 0.001);
  EXPECT_NEAR(load.requests_per_second, 33.333, 0.001);
  EXPECT_NEAR(load.seconds_per_poll, 0.96, 0.001);  // 16 slots / 16.67 polls/s

  feeds.push_back(FeedLoad{1s, 1});
  EXPECT_NEAR(poll_load(feeds, 16).requests_per_second, 34.333, 0.001);
  EXPECT_TRUE(std::isinf(poll_load({}, 2).seconds_per_poll));
}

TEST(PollLoad, WarnsWhenTheSourceRateCannotCarryTheFeeds) {
  const auto load = poll_load(fleet(1000, 60s, 2), 64);
  const auto warnings = poll_load_warnings(load, 64, Rate{5.0});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("1000 feeds need at least 33.3 Feed API requests/s"));
  EXPECT_THAT(warnings[0], HasSubstr("source.rate_limit is 5/s"));
  EXPECT_TRUE(poll_load_warnings(load, 64, Rate{40.0}).empty());
  EXPECT_TRUE(poll_load_warnings(load, 64, Rate{}).empty());  // unlimited
}

TEST(PollLoad, WarnsWhenTooFewSlotsLeaveLessThanASecondPerPoll) {
  const auto load = poll_load(fleet(1000, 60s, 2), 2);  // 2 slots for 16.7 polls/s: 120 ms each
  const auto warnings = poll_load_warnings(load, 2, Rate{});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("16.7 polls/s"));
  EXPECT_THAT(warnings[0], HasSubstr("engine.max_concurrent_polls 2 each poll must finish within 120 ms"));
  // 16 slots leave 960 ms per poll: enough for two requests.
  EXPECT_TRUE(poll_load_warnings(poll_load(fleet(1000, 60s, 2), 16), 16, Rate{}).empty());
  EXPECT_EQ(poll_load_warnings(poll_load(fleet(1000, 60s, 2), 8), 8, Rate{}).size(), 1u);  // 480 ms
  // The default-like demo: one feed every 2 s with 2 slots has 4 s per poll.
  EXPECT_TRUE(poll_load_warnings(poll_load(fleet(1, 2s, 2), 2), 2, Rate{5.0}).empty());
  EXPECT_TRUE(poll_load_warnings(poll_load({}, 2), 2, Rate{0.1}).empty());
}

}  // namespace
}  // namespace feedsync
