#include "core/poll_schedule.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

using namespace std::chrono_literals;

TEST(PollSchedule, SuccessWaitsTheIntervalWithTenPercentJitter) {
  EXPECT_EQ(next_poll_delay(60s, 0, 15min, 0.5), 60s);
  EXPECT_EQ(next_poll_delay(60s, 0, 15min, 0.0), 54s);
  EXPECT_EQ(next_poll_delay(60s, 0, 15min, 0.999999), 66s);
}

TEST(PollSchedule, FailuresBackOffExponentiallyUpToTheCap) {
  EXPECT_EQ(next_poll_delay(60s, 1, 15min, 0.5), 60s);
  EXPECT_EQ(next_poll_delay(60s, 2, 15min, 0.5), 120s);
  EXPECT_EQ(next_poll_delay(60s, 3, 15min, 0.5), 240s);
  EXPECT_EQ(next_poll_delay(60s, 5, 15min, 0.5), 900s);
  EXPECT_EQ(next_poll_delay(60s, 5, 15min, 0.99), 900s);  // jitter never exceeds the cap
  EXPECT_EQ(next_poll_delay(60s, 1000, 15min, 0.5), 900s);  // no overflow, never abandoned
}

TEST(PollSchedule, ACapBelowTheIntervalNeverPollsFasterThanTheInterval) {
  EXPECT_EQ(next_poll_delay(1h, 3, 15min, 0.5), 1h);
}

}  // namespace
}  // namespace feedsync
