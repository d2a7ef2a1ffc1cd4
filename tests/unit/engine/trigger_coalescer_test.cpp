// Webhook poll requests folded into one trigger per feed per window (issue 19).

#include "engine/trigger_coalescer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const SteadyTime t0 = SteadyTime{} + 1h;

TEST(TriggerCoalescer, NothingPendingHasNoWindow) {
  TriggerCoalescer c(100ms);
  EXPECT_FALSE(c.due().has_value());
  EXPECT_THAT(c.take_due(t0), IsEmpty());
}

TEST(TriggerCoalescer, AHundredRequestsInTheWindowCostOneTrigger) {
  TriggerCoalescer c(100ms);
  EXPECT_TRUE(c.request("blog", t0));
  for (int i = 1; i < 100; ++i) EXPECT_FALSE(c.request("blog", t0 + std::chrono::milliseconds(i % 99)));
  ASSERT_TRUE(c.due().has_value());
  EXPECT_EQ(*c.due(), t0 + 100ms);  // counted from the first request, not pushed by later ones
  EXPECT_THAT(c.take_due(t0 + 99ms), IsEmpty());
  EXPECT_THAT(c.take_due(t0 + 100ms), ElementsAre("blog"));
  EXPECT_FALSE(c.due().has_value());
  EXPECT_THAT(c.take_due(t0 + 200ms), IsEmpty());
}

TEST(TriggerCoalescer, EveryFeedRequestedInTheWindowIsTriggeredOnce) {
  TriggerCoalescer c(50ms);
  c.request("news", t0);
  c.request("blog", t0 + 10ms);
  c.request("news", t0 + 20ms);
  EXPECT_EQ(c.pending(), 2u);
  EXPECT_THAT(c.take_due(t0 + 60ms), ElementsAre("blog", "news"));
  EXPECT_EQ(c.pending(), 0u);
}

TEST(TriggerCoalescer, ARequestAfterTheWindowOpensTheNextOne) {
  TriggerCoalescer c(100ms);
  c.request("blog", t0);
  EXPECT_THAT(c.take_due(t0 + 100ms), ElementsAre("blog"));
  // The poll may already have read the index: this change needs a poll of its own.
  EXPECT_TRUE(c.request("blog", t0 + 150ms));
  EXPECT_EQ(*c.due(), t0 + 250ms);
  EXPECT_THAT(c.take_due(t0 + 250ms), ElementsAre("blog"));
}

TEST(TriggerCoalescer, AZeroWindowIsDueAtOnce) {
  TriggerCoalescer c(0ms);
  c.request("blog", t0);
  EXPECT_THAT(c.take_due(t0), ElementsAre("blog"));
}

TEST(TriggerCoalescer, ANewWindowLengthAppliesToTheNextWindow) {
  TriggerCoalescer c(100ms);
  c.request("blog", t0);
  c.set_window(1s);
  EXPECT_EQ(*c.due(), t0 + 100ms);
  c.take_due(t0 + 100ms);
  c.request("blog", t0 + 200ms);
  EXPECT_EQ(*c.due(), t0 + 1200ms);
}

}  // namespace
}  // namespace feedsync::engine
