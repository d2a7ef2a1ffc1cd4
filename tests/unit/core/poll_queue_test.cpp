#include "core/poll_queue.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "core/poll_schedule.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using time_point = PollQueue::time_point;
const time_point t0 = time_point{} + 1000h;

std::vector<std::string> pop_all_due(PollQueue& queue, time_point now) {
  std::vector<std::string> out;
  while (auto feed = queue.pop_due(now)) out.push_back(*feed);
  return out;
}

TEST(PollQueue, MostOverdueFirstAndTiesInTheOrderTheyWerePutInLine) {
  PollQueue queue;
  queue.schedule("c", t0);
  queue.schedule("a", t0 - 5s);
  queue.schedule("b", t0);
  queue.schedule("later", t0 + 1s);
  EXPECT_EQ(pop_all_due(queue, t0), (std::vector<std::string>{"a", "c", "b"}));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.next_due(), t0 + 1s);
  EXPECT_FALSE(queue.pop_due(t0 + 999ms));
  EXPECT_EQ(queue.pop_due(t0 + 1s), "later");
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.next_due());
}

TEST(PollQueue, TriggersJumpTheQueueInTheOrderTheyCame) {
  PollQueue queue;
  for (const auto* feed : {"a", "b", "c", "d"}) queue.schedule(feed, t0 - 1h);
  queue.trigger("d");
  queue.trigger("c");
  queue.trigger("x");  // not in line yet: put in line
  EXPECT_EQ(queue.due_of("d"), time_point::min());
  EXPECT_EQ(pop_all_due(queue, t0), (std::vector<std::string>{"d", "c", "x", "a", "b"}));
}

TEST(PollQueue, ScheduleMovesAFeedAlreadyInLineAndRemoveTakesItOut) {
  PollQueue queue;
  queue.schedule("a", t0);
  queue.schedule("b", t0 + 1s);
  queue.schedule("a", t0 + 2s);  // moved behind b, not in line twice
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.due_of("a"), t0 + 2s);
  EXPECT_TRUE(queue.remove("b"));
  EXPECT_FALSE(queue.remove("b"));
  EXPECT_FALSE(queue.contains("b"));
  EXPECT_FALSE(queue.due_of("b"));
  EXPECT_EQ(pop_all_due(queue, t0 + 1h), (std::vector<std::string>{"a"}));
}

TEST(SchedulerWait, NeverZeroAndNeverLongerThanTheCap) {
  // The bug this guards against (issue 14): a due feed waiting for a slot gave a wait <= 0, so
  // the loop never yielded and the polls holding the slots never finished.
  EXPECT_EQ(scheduler_wait(t0, t0 - 5s, false, 1s), 1s);          // no slot: a finishing poll wakes us
  EXPECT_EQ(scheduler_wait(t0, time_point::min(), false, 1s), 1s);
  EXPECT_EQ(scheduler_wait(t0, t0 - 5s, true, 1s), 1ms);          // due with a slot: look again at once
  EXPECT_EQ(scheduler_wait(t0, time_point::min(), true, 1s), 1ms);  // no overflow on a trigger
  EXPECT_EQ(scheduler_wait(t0, t0 + 250us, true, 1s), 1ms);
  EXPECT_EQ(scheduler_wait(t0, t0 + 300ms, true, 1s), 300ms);
  EXPECT_EQ(scheduler_wait(t0, t0 + 1h, true, 1s), 1s);
  EXPECT_EQ(scheduler_wait(t0, std::nullopt, true, 1s), 1s);
  EXPECT_EQ(scheduler_wait(t0, std::nullopt, true, 0ms), 1ms);
}

// A discrete-event run of the scheduler's rules (what SyncEngine::run does on each wake-up: start
// due feeds while slots are free, then wait scheduler_wait or until a poll finishes) with many
// more feeds than slots. Every feed must be polled within interval + ceil(N/L) x poll time of its
// previous poll, and the number of wake-ups must stay proportional to the polls started.
struct Fleet {
  int feeds, slots;
  std::chrono::milliseconds interval, poll_time;
};

class SchedulerPolicy : public ::testing::TestWithParam<Fleet> {};

TEST_P(SchedulerPolicy, EveryFeedIsPolledWithinItsBoundAndTheLoopAlwaysWaits) {
  const auto fleet = GetParam();
  PollQueue queue;
  for (int i = 0; i < fleet.feeds; ++i) queue.schedule("feed" + std::to_string(i), t0);
  std::multimap<time_point, std::string> running;  // finish time -> feed
  std::map<std::string, std::vector<time_point>> starts;
  std::uint64_t draws = 0;
  const auto horizon = t0 + 10 * fleet.interval;
  time_point now = t0;
  std::size_t wakeups = 0, started = 0;
  while (now < horizon) {
    ++wakeups;
    // Polls that finished by now go back in line after interval +/- 10 %.
    while (!running.empty() && running.begin()->first <= now) {
      const auto feed = running.begin()->second;
      running.erase(running.begin());
      const double unit = static_cast<double>((draws++ * 7919) % 1000) / 1000.0;
      queue.schedule(feed, now + next_poll_delay(fleet.interval, 0, 15min, unit));
    }
    while (running.size() < static_cast<std::size_t>(fleet.slots)) {
      auto feed = queue.pop_due(now);
      if (!feed) break;
      starts[*feed].push_back(now);
      running.emplace(now + fleet.poll_time, *feed);
      ++started;
    }
    const bool slot_free = running.size() < static_cast<std::size_t>(fleet.slots);
    const auto wait = scheduler_wait(now, queue.next_due(), slot_free, 1s);
    ASSERT_GE(wait, 1ms);
    auto next = now + wait;
    if (!running.empty()) next = std::min(next, running.begin()->first);  // a finishing poll wakes it
    ASSERT_GT(next, now);
    now = next;
  }
  const auto queueing = ((fleet.feeds + fleet.slots - 1) / fleet.slots) * fleet.poll_time;
  const auto bound = fleet.interval * 11 / 10 + queueing + 1ms;
  ASSERT_EQ(starts.size(), static_cast<std::size_t>(fleet.feeds)) << "a feed was never polled";
  for (const auto& [feed, times] : starts) {
    ASSERT_GE(times.size(), 2u) << feed;
    EXPECT_LE(times.front() - t0, queueing) << feed;
    for (std::size_t i = 1; i < times.size(); ++i) {
      EXPECT_LE(times[i] - times[i - 1], bound) << feed << " poll " << i;
    }
  }
  // Each wake-up either starts a poll, follows a finished one, or is a capped idle wait.
  const auto idle_wakeups = static_cast<std::size_t>((horizon - t0) / 1s) + 1;
  EXPECT_LE(wakeups, 2 * started + idle_wakeups);
}

INSTANTIATE_TEST_SUITE_P(ManyFeeds, SchedulerPolicy,
                         ::testing::Values(Fleet{5, 2, 5s, 700ms}, Fleet{50, 2, 2s, 30ms},
                                           Fleet{1000, 16, 60s, 200ms}, Fleet{300, 1, 60s, 150ms},
                                           Fleet{3, 64, 1s, 5ms}));

}  // namespace
}  // namespace feedsync
